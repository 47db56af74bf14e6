/* SPDX-License-Identifier: MIT */
/* stage.h - the pipeline stage interface; the list of stages is in src/media/stages.c. */
#ifndef OBSCURA_STAGE_H
#define OBSCURA_STAGE_H

#include <stddef.h>
#include <stdint.h>

struct AVFrame;
struct ob_recipe;
struct ob_source_info;
struct ob_track_store;
struct ob_replay;
struct ob_audit;
struct ob_track_row;
struct json_t;

/* What every stage may read about the job it runs in (borrowed, read-only). */
struct ob_stage_ctx {
	const struct ob_recipe *recipe;
	const struct ob_source_info *video;
	uint64_t seed;     /* the job's pixelation noise seed; never recorded */
	struct ob_track_store *tracks; /* seeing stages fill it (owned by the job; seeing thread only) */
	const struct ob_replay *replay; /* obscura redact: the tracks file and its edits; NULL */
	struct ob_audit *audit;  /* the job's manifest, for stages that record what they did */
	int threads;       /* the job's thread budget (0 = auto) */
};

/*
 * A stage sees every decoded frame of a job, in order, and may change it.
 * Stages talk only to the job loop (src/sched/job.c), which owns the frames.
 * Like an FFmpeg filter: one const struct, private state of priv_size bytes
 * zeroed and handed to every callback.
 */
struct ob_stage {
	const char *name;
	size_t priv_size;
	/* Called once, after the source is open and before the first frame. */
	int (*init)(void *priv, const struct ob_stage_ctx *ctx);
	/* Called for frame number index (0-based); the frame stays the caller's.
	 * Hiding stages get the frame's final rows (every class; row.hidden says
	 * which to hide), borrowed for the call; seeing stages get NULL, 0.
	 * Seeing and hiding stages run in different threads: a stage touches
	 * only its own priv and what the job loop hands it. */
	int (*process)(void *priv, struct AVFrame *frame, int64_t index, const struct ob_track_row *rows,
		       size_t nrows);
	/* Seeing stages: called from the decode thread with each frame as soon
	 * as it is decoded (before process() gets it), so that a stage may
	 * start work that depends on the frame's pixels alone; must not block,
	 * and shares nothing with process() but what it locks.  May be NULL. */
	void (*ahead)(void *priv, const struct AVFrame *frame, int64_t index);
	/* Called once after the last frame (frames = how many); may be NULL. */
	int (*finish)(void *priv, int64_t frames);
	/* Called once, whether or not init succeeded; must accept zeroed priv. */
	void (*close)(void *priv);
	/* Cells hidden so far, for the summary (may be NULL). */
	int64_t (*hidden_cells)(const void *priv);
	/* Seconds spent so far in the parts of its work worth telling apart
	 * (a detector each, the trackers), added to timing under the stage's
	 * name: {"detect.faces": 1.5, ...}.  May be NULL. */
	void (*timing)(const void *priv, struct json_t *timing);
};

/*
 * The stages of a job, in order, NULL-terminated, in two phases.  Seeing
 * stages get each frame as it is decoded and fill the track store; hiding
 * stages get it once the store's answer for it is final (the lookahead
 * later), then it is encoded.  An analytics-only job runs no hiding stage.
 */
extern const struct ob_stage *const ob_pipeline_see[];
extern const struct ob_stage *const ob_pipeline_hide[];

extern const struct ob_stage ob_stage_detect;
extern const struct ob_stage ob_stage_replay;
extern const struct ob_stage ob_stage_redact;

#endif

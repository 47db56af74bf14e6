/* stage.h - the pipeline stage interface; the list of stages is in src/stages.c. */
#ifndef OBSCURA_STAGE_H
#define OBSCURA_STAGE_H

#include <stddef.h>
#include <stdint.h>

struct AVFrame;
struct ob_recipe;
struct ob_source_info;
struct ob_track_store;

/* What every stage may read about the job it runs in (borrowed, read-only). */
struct ob_stage_ctx {
	const struct ob_recipe *recipe;
	const struct ob_source_info *video;
	uint64_t seed;     /* the job's pixelation noise seed; never recorded */
	struct ob_track_store *tracks; /* detect fills it, redact asks it (owned by the job) */
	int threads;       /* the job's thread budget (0 = auto) */
};

/*
 * A stage sees every decoded frame of a job, in order, and may change it.
 * Stages talk only to the job runner (src/job.c), which owns the frames.
 * Like an FFmpeg filter: one const struct, private state of priv_size bytes
 * zeroed and handed to every callback.
 */
struct ob_stage {
	const char *name;
	size_t priv_size;
	/* Called once, after the source is open and before the first frame. */
	int (*init)(void *priv, const struct ob_stage_ctx *ctx);
	/* Called for frame number index (0-based); the frame stays the caller's. */
	int (*process)(void *priv, struct AVFrame *frame, int64_t index);
	/* Called once, whether or not init succeeded; must accept zeroed priv. */
	void (*close)(void *priv);
	/* Cells hidden so far, for the summary (may be NULL). */
	int64_t (*hidden_cells)(const void *priv);
};

/* The stages of a job, in order, NULL-terminated. */
extern const struct ob_stage *const ob_pipeline[];

extern const struct ob_stage ob_stage_detect;
extern const struct ob_stage ob_stage_redact;

#endif

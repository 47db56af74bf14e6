/* SPDX-License-Identifier: MIT */
/* job.h - one job: one input file through the pipeline into one export. */
#ifndef OBSCURA_JOB_H
#define OBSCURA_JOB_H

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "obscura/geom.h"

struct ob_recipe;
struct ob_minisign_key;
struct ob_trackfile_meta;

/* A box a person adds by hand (obscura redact --add-box): hidden on frames first..last. */
struct ob_manual_box {
	int64_t first, last;
	struct ob_box box;      /* frame pixels */
};

/*
 * A second pass (obscura redact): the boxes come from a tracks.h5 written by
 * an earlier job on the same input, instead of from detectors.
 */
struct ob_replay {
	const char *tracks;            /* tracks.h5 to hide from */
	const uint64_t *keep;          /* track ids left visible (a subject access request) */
	size_t n_keep;
	const struct ob_manual_box *boxes; /* hidden as well */
	size_t n_boxes;
};

/* Whether rp (may be NULL) leaves track id visible. */
bool ob_replay_keeps(const struct ob_replay *rp, uint64_t id);

/* The recipe a redact uses without -r: the one the tracks file at path
 * recorded (m: its metadata), named "PATH (its recipe)"; the built-in
 * defaults if it recorded none. */
int ob_replay_recipe(const char *path, const struct ob_trackfile_meta *m, struct ob_recipe **recipe);

/* A job is fully described by these three things (and a thread budget),
 * so a batch can be split across processes or machines without shared state. */
struct ob_job {
	const char *input;               /* read only, never modified */
	const char *output;              /* final path of the export; NULL: analytics only, no video */
	const char *tracks;              /* final path of tracks.h5 (obscura-tracks(5)) */
	const char *bundle;              /* final path of the bundle (bundle.h) */
	const char *manifest;            /* hidden manifest path while the job runs (audit.h) */
	const struct ob_recipe *recipe;
	const struct ob_minisign_key *key; /* signs the manifest; NULL: unsigned bundle */
	int argc;                        /* the command line, for the manifest */
	char *const *argv;
	int threads;                     /* codec threads for this job, 0 = auto */
	int concurrent;                  /* jobs running at once on this machine (-j), which share
					  * an auto memory_cap; 0 = 1 */
	const struct ob_replay *replay;  /* obscura redact; NULL: detect and track */
};

/*
 * About how many bytes a job holds for frames of width x height (8-bit
 * 4:2:0 once decoded): the lookahead's queue of queued frames, the queues
 * between its threads, and what the decoder and the encoder keep with
 * threads codec threads; encode: false for analyze (no encoder, no queue).
 * The reasoning and the measurements are at its definition (job.c).
 */
int64_t ob_job_memory_need(int width, int height, int64_t queued, int threads, bool encode);

struct ob_job_stats {
	int64_t frames;          /* frames decoded, redacted and encoded */
	int64_t frames_estimate; /* from the container, -1 if unknown */
	int64_t decode_errors;   /* corrupt packets skipped */
	int64_t frames_lost;     /* frames missing between decoded ones (ob_source_frames_lost) */
	int64_t hidden_cells;    /* block cells pixelated, summed over frames */
	int64_t tracks;          /* tracks in tracks.h5 */
	int64_t tracks_confirmed;
	int64_t tracks_hidden;   /* tracks whose boxes were hidden */
	int64_t rows;            /* boxes in tracks.h5, every frame */
	int width, height;       /* of the export */
	int rotation;            /* degrees the input was turned to be upright */
	double media_seconds;    /* duration of the input, -1 if unknown or a photo */
	const char *photo;       /* "jpeg" or "png" for a photo input (ob_photo_name), NULL for a video */
	const char *video_codec; /* of the input */
	int audio_kept;          /* 1 if an audio stream was passed through */
	int streams_dropped;     /* input streams not carried into the export */
	int tags_dropped;        /* container and stream tags not carried */
	char job_id[33];         /* random, hex; also in the manifest */
	char manifest_head[65];  /* hex SHA-256 of the manifest's last entry, "" on failure */
	json_t *analytics;       /* the summary's "analytics" (ob_analytics_json); the caller's to
				  * json_decref; NULL on failure */
	json_t *timing;          /* the summary's "timing": seconds of work per part of the
				  * pipeline ("decode", "detect.MODEL", "track", "retire", "hide",
				  * "encode") and "wall"; parts run in different threads and
				  * overlap.  The caller's to json_decref; NULL on failure */
};

/* Called now and then with frames done and the estimate (-1 if unknown). */
typedef void (*ob_job_progress_fn)(void *opaque, int64_t done, int64_t total);

/*
 * Runs the job to completion, writing its manifest (obscura-manifest(5)) as
 * it goes.  On success the export, tracks.h5 and the bundle (export,
 * tracks.h5, manifest, its signature, signer.pub, SHA256SUMS, README.txt)
 * exist under their final names; on any failure none exists (and no
 * temporary file is left).
 * Returns 0 or a negative ob_status with the message in ob_errmsg().
 */
int ob_job_run(const struct ob_job *job, struct ob_job_stats *stats,
	       ob_job_progress_fn progress, void *opaque);

/* Async-signal-safe: asks running jobs to stop at the next frame. */
void ob_job_interrupt(void);

#endif

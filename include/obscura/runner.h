/* SPDX-License-Identifier: MIT */
/* runner.h - run a batch of jobs in parallel, isolated in child processes. */
#ifndef OBSCURA_RUNNER_H
#define OBSCURA_RUNNER_H

#include <jansson.h>
#include <stdbool.h>

struct ob_recipe;
struct ob_input_list;
struct ob_minisign_key;
struct ob_ledger;
struct ob_replay;

#define OB_TRACKS_EXT "tracks.h5" /* outdir/STEM.tracks.h5 beside the export */

#define OB_JOBS_MAX 64

/* In the output directory while a run writes there, locked (fsutil.h:
 * ob_lock_file); left behind only by a killed run, and harmless then. */
#define OB_OUTDIR_LOCK ".obscura.lock"

struct ob_runner_opts {
	const struct ob_recipe *recipe;
	const char *outdir;
	int jobs;        /* jobs at once, 1..OB_JOBS_MAX */
	int threads;     /* codec threads per job, 0 = share the cores */
	bool force;      /* replace existing exports */
	bool progress;   /* draw a progress line on stderr */
	bool quiet;      /* no per-job "ok" lines */
	const struct ob_minisign_key *key; /* signs every manifest; NULL: --unsigned */
	struct ob_ledger *ledger; /* open ledger (ledger.h) to record each finished bundle in; or NULL */
	bool analyze;    /* no export: tracks.h5 and an analytics-only bundle */
	const struct ob_replay *replay; /* obscura redact: one input, boxes from its tracks.h5 */
	int argc;        /* the command line, recorded in every manifest */
	char *const *argv;
};

/*
 * Runs one job per input, at most opts->jobs at once, each in its own process
 * so that a crash or a hostile file takes down only its own job.  Returns 0
 * and a new summary object in *summary (caller decrefs):
 *   {"version", "recipe", "outdir", "jobs": [ {input, output, bundle, manifest_head,
 *    status, error_kind, error, frames, ledger_seq, ...}, ... ], "ok": N, "failed": N, "interrupted": bool}
 * With opts->ledger, each finished bundle is appended to the ledger here, in
 * the parent, as its result arrives; a failed append fails that job
 * (error_kind "output"; its export and bundle stay).
 * Each job process dies with the runner (SIGKILL when it does), so a killed
 * runner leaves no job finishing outputs unsupervised.
 * Errors are per job; the return value is nonzero only for OB_ERR_NOMEM, and
 * for OB_ERR_USAGE when an output of the batch is already one of its inputs
 * (under any name): then nothing runs.
 */
int ob_runner_run(const struct ob_runner_opts *opts, const struct ob_input_list *inputs,
		  json_t **summary);

/* Export path for input under opts (outdir/stem SUFFIX.container). */
int ob_runner_output_name(const struct ob_runner_opts *opts, const char *input, int dup,
			  char *buf, size_t size);

#endif

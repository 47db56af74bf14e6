/* SPDX-License-Identifier: MIT */
/* runner.h - run a batch of jobs in parallel, isolated in child processes. */
#ifndef OBSCURA_RUNNER_H
#define OBSCURA_RUNNER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/hash.h"

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
	bool skip_done;  /* an input whose outputs are done (ob_runner_plan) is skipped */
	bool progress;   /* draw a progress line on stderr */
	bool quiet;      /* no per-job "ok" lines */
	const struct ob_minisign_key *key; /* signs every manifest; NULL: --unsigned */
	struct ob_ledger *ledger; /* open ledger (ledger.h) to record each finished bundle in; or NULL */
	const json_t *ledger_entries; /* the ledger's entries when it was opened (skip_done: a done
				       * bundle the ledger lacks is appended then); or NULL */
	bool analyze;    /* no export: tracks.h5 and an analytics-only bundle */
	const struct ob_replay *replay; /* obscura redact: one input, boxes from its tracks.h5 */
	int argc;        /* the command line, recorded in every manifest */
	char *const *argv;
};

/*
 * One job of a batch, planned before any job runs: its input and every
 * output's final name.  status (an ob_status) and error say why it will not
 * run: refused when planned (an output exists, a name too long, a bad input).
 */
struct ob_plan_item {
	const char *input;
	char output[OB_PATH_MAX];   /* "" for analytics only */
	char tracks[OB_PATH_MAX];   /* outdir/STEM.tracks.h5 */
	char bundle[OB_PATH_MAX];   /* outdir/NAME.obscura.tar */
	char manifest[OB_PATH_MAX]; /* outdir/.NAME.manifest.jsonl while running */
	int status;       /* refused when planned: ob_status */
	const char *error;
	char errbuf[OB_ERRMSG_MAX];
	bool done;        /* skip_done: its outputs are done; nothing runs (its entry says "skipped") */
	char done_head[OB_SHA256_HEX_LEN + 1]; /* then: the bundle's manifest head */
	char done_job[33];                    /* and its job id */
	char redo[OB_ERRMSG_MAX]; /* skip_done with force: why the existing outputs are not done */
};

/*
 * Plans items[0..inputs->n) (the caller's array): names every output, gives
 * duplicate stems -2, -3..., refuses an existing output without opts->force
 * and an output that is an input.  The one planning code path of run,
 * analyze, redact and submit.  Refusals are per item; returns 0.
 *
 * With opts->skip_done, an item whose bundle exists is *done* (item->done)
 * when the bundle verifies (OK with opts->key's public key; without a key,
 * OK with its own key or UNSIGNED), its manifest's input event records the
 * input's SHA-256, and the export and tracks file beside it are the members
 * it holds.  A bundle that exists and is not done is refused (OB_ERR_OUTPUT,
 * one line saying what does not hold) unless opts->force, which redoes the
 * input (item->redo says why).
 */
int ob_runner_plan(const struct ob_runner_opts *opts, const struct ob_input_list *inputs,
		   struct ob_plan_item *items);

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

/* ob_runner_run() on items planned by ob_runner_plan() (or read back from
 * a plan file by obscura task: one item). */
int ob_runner_run_items(const struct ob_runner_opts *opts, const struct ob_plan_item *items, size_t n,
			json_t **summary);

/* The batch summary of ob_runner_run() around jobs (its entries, in plan
 * order; the reference is taken): ok and failed counted, analytics summed. */
int ob_runner_summary(const struct ob_runner_opts *opts, json_t *jobs, bool interrupted, double elapsed,
		      json_t **summary);

/* The entry of a job that did not run or report (why: the error; kind: its
 * error_kind, NULL for "internal"), as the summary holds it; NULL if out of memory. */
json_t *ob_runner_failed_entry(const struct ob_plan_item *it, const char *why, const char *kind);

/* Appends entry's bundle (status "ok" only) to opts->ledger, setting its
 * ledger_seq; a failed append turns the entry failed (error_kind "output"). */
void ob_runner_ledger_entry(const struct ob_runner_opts *opts, json_t *entry, const struct ob_plan_item *it);

/* skip_done: a done item's bundle that opts->ledger_entries lacks is
 * appended to opts->ledger (a run killed between a job's last rename and its
 * ledger entry leaves one); ledger_seq set either way. */
void ob_runner_ledger_once(const struct ob_runner_opts *opts, json_t *entry, const struct ob_plan_item *it);

/* Export path for input under opts: outdir/STEM SUFFIX.container for a
 * video, outdir/STEM SUFFIX.jpg or .png for a photo (by its first bytes:
 * a photo's export keeps its format). */
int ob_runner_output_name(const struct ob_runner_opts *opts, const char *input, int dup,
			  char *buf, size_t size);

#endif

/* SPDX-License-Identifier: MIT */
/* run.c - `obscura run`, `analyze` and `redact`: one batch of jobs, three kinds of output. */
#include <errno.h>
#include <inttypes.h>
#include <libavutil/log.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "obscura/cli.h"
#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/parse.h"
#include "obscura/inputs.h"
#include "obscura/job.h"
#include "obscura/trackfile.h"
#include "obscura/ledger.h"
#include "obscura/minisign.h"
#include "obscura/model.h"
#include "obscura/recipe.h"
#include "obscura/runner.h"
#include "obscura/shard.h"
#include "obscura/banned.h"

#define DEFAULT_OUTDIR "obscura-out"
#define KEY_ENV "OBSCURA_KEY" /* secret key file when --key is not given */
#define MAX_KEEP 256          /* --keep track ids */
#define MAX_BOXES 256         /* --add-box boxes */

/* What `obscura redact` hides from: its --tracks, --keep and --add-box. */
struct redact_args {
	const char *tracks;
	uint64_t keep[MAX_KEEP];
	size_t n_keep;
	struct ob_manual_box boxes[MAX_BOXES];
	size_t n_boxes;
};

/*
 * Loads the signing key once, in the parent, before any job forks: the
 * children inherit it and never read the key file themselves.  Refused
 * (usage-class, exit 2): a key readable by group or others, a protected key
 * without its passphrase.
 */
static int load_key(const char *path, const char *passfile, struct ob_minisign_key **key)
{
	int ret = ob_minisign_load_secret_with(path, passfile, key);

	if (ret)
		return ob_cli_fail(ret == OB_ERR_NOMEM ? OB_EXIT_INTERNAL : OB_EXIT_USAGE);
	return 0;
}

/* Whether every failed job of the summary failed with status code. */
static bool all_failed_for(const json_t *summary, int code)
{
	const json_t *job;
	size_t i;

	json_array_foreach(json_object_get(summary, "jobs"), i, job)
		if (!strcmp(json_string_value(json_object_get(job, "status")) ?: "", "failed") &&
		    strcmp(json_string_value(json_object_get(job, "error_kind")) ?: "", ob_status_name(code)))
			return false;
	return true;
}

int ob_cli_batch_exit(const json_t *summary)
{
	json_int_t ok = json_integer_value(json_object_get(summary, "ok"));
	json_int_t skipped = json_integer_value(json_object_get(summary, "skipped"));
	json_int_t failed = json_integer_value(json_object_get(summary, "failed"));

	if (json_is_true(json_object_get(summary, "interrupted")))
		return OB_EXIT_INTERRUPTED;
	if (failed == 0)
		return OB_EXIT_OK; /* every input done now or before (--skip-done) */
	if (ok || skipped)
		return OB_EXIT_PARTIAL;
	return all_failed_for(summary, OB_ERR_MEMORY) ? OB_EXIT_MEMORY : OB_EXIT_FAILED;
}

/* --keep ID[,ID...] (repeatable). */
static bool parse_keep(struct redact_args *ra, const char *arg)
{
	char buf[1024], *save = NULL;

	if (snprintf(buf, sizeof(buf), "%s", arg) >= (int)sizeof(buf))
		return false;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		unsigned long long id;

		errno = 0;
		id = strtoull(tok, &end, 10);
		if (errno || end == tok || *end || id == 0 || tok[0] == '-' || ra->n_keep == MAX_KEEP)
			return false;
		ra->keep[ra->n_keep++] = id;
	}
	return true;
}

/* --add-box FRAME[-LAST]:X,Y,W,H (frame numbers from 0, pixels). */
static bool parse_box(struct redact_args *ra, const char *arg)
{
	long long first, last;
	double x, y, w, h;
	int used = 0;
	struct ob_manual_box *b;

	if (ra->n_boxes == MAX_BOXES)
		return false;
	if (sscanf(arg, "%lld-%lld:%lf,%lf,%lf,%lf%n", &first, &last, &x, &y, &w, &h, &used) != 6 || arg[used]) {
		used = 0;
		if (sscanf(arg, "%lld:%lf,%lf,%lf,%lf%n", &first, &x, &y, &w, &h, &used) != 5 || arg[used])
			return false;
		last = first;
	}
	if (first < 0 || last < first || !(w > 0) || !(h > 0) || !(x > -1e6 && x < 1e6) || !(y > -1e6 && y < 1e6) ||
	    w > 1e6 || h > 1e6)
		return false;
	b = &ra->boxes[ra->n_boxes++];
	*b = (struct ob_manual_box){ first, last, { x, y, w, h } };
	return true;
}

/*
 * Before any job: the tracks file must be readable, every --keep id one of
 * its tracks and every --add-box within its frames (exit 9, 2); without
 * --recipe, its recorded recipe is the one to use.
 */
static int redact_prepare(const struct ob_command *cmd, const struct redact_args *ra, bool want_recipe,
			  struct ob_recipe **recipe)
{
	struct ob_trackfile *f = NULL;
	const struct ob_track_summary *t;
	const struct ob_trackfile_meta *m;
	size_t n;
	int ret = ob_trackfile_open_guarded(ra->tracks, &f);

	if (!ret)
		ret = ob_trackfile_tracks(f, &t, &n);
	if (!ret)
		ret = ob_trackfile_check(f);
	if (ret) {
		ob_trackfile_close(&f);
		return ob_cli_fail(OB_EXIT_UNREADABLE);
	}
	m = ob_trackfile_meta(f);
	for (size_t i = 0; i < ra->n_keep && !ret; i++) {
		bool found = false;

		for (size_t j = 0; j < n && !found; j++)
			found = t[j].id == ra->keep[i];
		if (!found)
			ret = ob_cli_usage_error(cmd, "--keep %" PRIu64 ": %s has no such track (see obscura inspect)",
						 ra->keep[i], ra->tracks);
	}
	for (size_t i = 0; i < ra->n_boxes && !ret; i++)
		if (ra->boxes[i].first >= m->frames)
			ret = ob_cli_usage_error(cmd, "--add-box: frame %" PRId64 " is past the end (%s has %" PRId64
						      " frames)", ra->boxes[i].first, ra->tracks, m->frames);
	if (!ret && want_recipe && (ret = ob_replay_recipe(ra->tracks, m, recipe)))
		ret = ob_cli_fail(ob_exit_for_status(ret));
	ob_trackfile_close(&f);
	return ret;
}

/* One batch's command line, and what it opens before any job forks. */
struct batch_cmd {
	const char *name;          /* run, analyze or redact */
	const struct ob_command *cmd;
	struct ob_runner_opts o;
	const char *recipe_path, *key_path, *passfile, *ledger_path;
	bool json, no_progress, verbose, unsigned_ok, redact, strict;
	bool submit, dry_run;      /* obscura submit: plan here, run on Slurm */
	const char *resume;        /* submit --resume DIR */
	struct ob_shard_settings slurm; /* submit's --partition, --cpus-per-task, --max-parallel */
	struct redact_args ra;
	struct ob_replay replay;
	/* opened by batch_open(), released by batch_close() */
	struct ob_recipe *recipe;
	struct ob_minisign_key *key;
	struct ob_ledger *ledger;
	json_t *ledger_entries;    /* --skip-done: what the ledger holds when opened */
	int outdir_lock;           /* fd holding the flock of lock_path, or -1 */
	char lock_path[OB_PATH_MAX]; /* outdir/OB_OUTDIR_LOCK */
	struct ob_input_list inputs;
};

/* The options that contradict each other or are missing, once all are read
 * (the key may come from OBSCURA_KEY); false with *exit_code set. */
static bool check_options(struct batch_cmd *bc, int argc, int *exit_code)
{
	const struct ob_command *cmd = bc->cmd;

	if (!bc->key_path && !bc->unsigned_ok) {
		const char *env = getenv(KEY_ENV);

		bc->key_path = env && *env ? env : NULL;
	}
	if (bc->submit && !bc->redact && (bc->ra.tracks || bc->ra.n_keep || bc->ra.n_boxes))
		*exit_code = ob_cli_usage_error(cmd, "--tracks, --keep and --add-box need --redact");
	else if (bc->redact && bc->o.analyze)
		*exit_code = ob_cli_usage_error(cmd, "give either --analyze or --redact");
	else if (bc->resume && (bc->redact || bc->o.analyze))
		*exit_code = ob_cli_usage_error(cmd, "--resume DIR takes no --analyze or --redact: the plan in DIR "
						     "says what its tasks run");
	else if (bc->resume && optind < argc)
		*exit_code = ob_cli_usage_error(cmd, "--resume DIR takes no input: the plan in DIR names them");
	else if (bc->resume)
		return true;
	else if (optind >= argc)
		*exit_code = ob_cli_usage_error(cmd, "no input given");
	else if (bc->redact && !bc->ra.tracks)
		*exit_code = ob_cli_usage_error(cmd, "--tracks FILE is required (the tracks.h5 of an earlier run or analyze)");
	else if (bc->redact && argc - optind != 1)
		*exit_code = ob_cli_usage_error(cmd, "give exactly one input: the video the tracks file was made from");
	else if (bc->key_path && bc->unsigned_ok)
		*exit_code = ob_cli_usage_error(cmd, "give either --key or --unsigned");
	else if (bc->ledger_path && bc->unsigned_ok)
		*exit_code = ob_cli_usage_error(cmd, "--ledger needs a signing key: it cannot be used with --unsigned");
	else if (!bc->key_path && !bc->unsigned_ok)
		*exit_code = ob_cli_usage_error(cmd, "no signing key: give --key FILE (make one with `obscura keygen`) "
						     "or set " KEY_ENV ", or --unsigned to write unsigned bundles");
	else if (bc->passfile && !bc->key_path)
		*exit_code = ob_cli_usage_error(cmd, "--passphrase-file needs a key (--key or " KEY_ENV ")");
	else
		return true;
	return false;
}

/* Reads the command line into bc; false (with *exit_code) when the command
 * must end now: --help, or a usage error. */
static bool parse_options(struct batch_cmd *bc, int argc, char **argv, int *exit_code)
{
	struct ob_cli_parser opts;
	const struct ob_command *cmd;
	int c;

	ob_cli_parser_init(&opts, bc->name);
	cmd = bc->cmd = opts.cmd;
	while ((c = ob_cli_next(&opts, argc, argv, exit_code)) != OB_CLI_DONE) {
		switch (c) {
		case OB_CLI_RETURN:
			return false;
		case 'r': bc->recipe_path = optarg; break;
		case 'o': bc->o.outdir = optarg; break;
		case 'j':
			if (!ob_parse_int(optarg, 1, OB_JOBS_MAX, &bc->o.jobs)) {
				*exit_code = ob_cli_usage_error(cmd, "--jobs: expected a number from 1 to %d, got '%s'",
								OB_JOBS_MAX, optarg);
				return false;
			}
			break;
		case OB_OPT_THREADS:
			if (!ob_parse_int(optarg, 1, 256, &bc->o.threads)) {
				*exit_code = ob_cli_usage_error(cmd, "--threads: expected a number from 1 to 256, got '%s'",
								optarg);
				return false;
			}
			break;
		case OB_OPT_TRACKS: bc->ra.tracks = optarg; break;
		case OB_OPT_KEEP:
			if (!parse_keep(&bc->ra, optarg)) {
				*exit_code = ob_cli_usage_error(cmd, "--keep: expected track ids like 3,17 (at most %d), got '%s'",
								MAX_KEEP, optarg);
				return false;
			}
			break;
		case OB_OPT_ADD_BOX:
			if (!parse_box(&bc->ra, optarg)) {
				*exit_code = ob_cli_usage_error(cmd, "--add-box: expected FRAME[-LAST]:X,Y,W,H in pixels "
								     "(at most %d boxes), got '%s'", MAX_BOXES, optarg);
				return false;
			}
			break;
		case OB_OPT_FORCE: bc->o.force = true; break;
		case OB_OPT_SKIP_DONE: bc->o.skip_done = true; break;
		case OB_OPT_KEY: bc->key_path = optarg; break;
		case OB_OPT_PASSPHRASE_FILE: bc->passfile = optarg; break;
		case OB_OPT_UNSIGNED: bc->unsigned_ok = true; break;
		case OB_OPT_STRICT: bc->strict = true; break;
		case OB_OPT_LEDGER: bc->ledger_path = optarg; break;
		case OB_OPT_JSON: bc->json = true; break;
		case OB_OPT_NO_PROGRESS: bc->no_progress = true; break;
		case 'q': bc->o.quiet = true; break;
		case 'v': bc->verbose = true; break;
		case OB_OPT_ANALYZE: bc->o.analyze = true; break;
		case OB_OPT_REDACT: bc->redact = true; break;
		case OB_OPT_DRY_RUN: bc->dry_run = true; break;
		case OB_OPT_RESUME: bc->resume = optarg; break;
		case OB_OPT_PARTITION: bc->slurm.partition = optarg; break;
		case OB_OPT_CPUS_PER_TASK:
		case OB_OPT_MAX_PARALLEL:
			if (!ob_parse_int(optarg, 1, 100000, c == OB_OPT_MAX_PARALLEL ? &bc->slurm.max_parallel
											 : &bc->slurm.cpus_per_task)) {
				*exit_code = ob_cli_usage_error(cmd, "%s: expected a number from 1 to 100000, got '%s'",
								argv[optind - 1], optarg);
				return false;
			}
			break;
		}
	}
	return check_options(bc, argc, exit_code);
}
/*
 * The output directory is one run's at a time: its lock file is held for
 * the whole batch (and by its jobs, which inherit it) and removed at its
 * end, so a second run into it, from cron or a user, is refused (exit 10)
 * instead of replacing the first one's outputs.  Holding it, the
 * temporaries that killed runs left there are removed.  An exit code on
 * failure.
 */
static int claim_outdir(struct batch_cmd *bc)
{
	size_t removed = 0;
	int ret;

	if (ob_path_join(bc->lock_path, sizeof(bc->lock_path), bc->o.outdir, OB_OUTDIR_LOCK))
		return ob_cli_fail(OB_EXIT_OUTPUT);
	ret = ob_lock_file(bc->lock_path, &bc->outdir_lock);
	if (ret == OB_ERR_BUSY)
		return ob_cli_error(OB_EXIT_BUSY, "%s: another obscura run is writing in this directory (it holds "
				    "%s); wait for it to finish or choose another -o", bc->o.outdir, bc->lock_path);
	if (ret)
		return ob_cli_fail(ob_exit_for_status(ret));
	if ((ret = ob_remove_stale_tmp(bc->o.outdir, NULL, &removed)))
		return ob_cli_fail(ob_exit_for_status(ret));
	if (removed && !bc->o.quiet)
		fprintf(stderr, "obscura: removed %zu stale temporary file%s of killed runs from %s\n", removed,
			removed == 1 ? "" : "s", bc->o.outdir);
	return 0;
}

/* --skip-done with --ledger: the entries of the ledger (its chain checked
 * when it was opened), so that a done bundle it lacks is appended to it
 * (ob_runner_ledger_once).  An exit code on failure. */
static int ledger_entries(struct batch_cmd *bc)
{
	struct ob_minisign_pub pub;
	enum ob_verdict v;
	json_t *report = NULL;
	int ret;

	ob_minisign_key_public(bc->key, &pub);
	ret = ob_verify_ledger(bc->ledger_path, &pub, &report, &v, &bc->ledger_entries);
	json_decref(report);
	if (ret)
		return ob_cli_error(OB_EXIT_INTERNAL, "out of memory");
	return 0;
}

/*
 * What --strict refuses of a recipe (exit 2, before anything is opened or
 * written) and a batch otherwise runs with, after one warning once
 * everything else is in place (warn), so that a batch refused for another
 * reason still says only that: the recipe's shortcoming, `what`, and what
 * follows for the outputs, `so` (NULL: `what` says it).
 */
static int doubt(const struct batch_cmd *bc, bool warn, const char *what, const char *so)
{
	if (bc->strict && !warn)
		return ob_cli_error(OB_EXIT_USAGE, "%s: %s; --strict refuses it", bc->recipe->path, what);
	if (warn && !bc->strict && !bc->o.quiet)
		fprintf(stderr, "obscura: warning: %s: %s%s%s\n", bc->recipe->path, what, so ? ": " : "", so ? so : "");
	return 0;
}

/*
 * A disclosure (run, redact: an export leaves the building) should say why
 * and on which basis.  A recipe with no detector and no exclusion zone (the
 * built-in defaults: run without -r) hides nothing: its export is
 * re-encoded, stripped of metadata and labelled, but shows every face, and
 * nothing in the export or the "ok" line would tell (not analyze: no
 * export; not redact: the tracks file says what is hidden).
 */
static int check_disclosure(const struct batch_cmd *bc, bool warn)
{
	int ret = 0;

	if (!bc->o.analyze && !bc->redact && !ob_recipe_hides_anything(bc->recipe))
		ret = doubt(bc, warn, OB_RECIPE_HIDES_NOTHING,
			    "exports are re-encoded, not anonymized");
	if (!ret && !bc->o.analyze && !bc->submit && !ob_recipe_has_purpose(bc->recipe))
		ret = doubt(bc, warn, "states no purpose ([purpose] purpose and legal_basis_art6, see obscura-recipe(5))",
			    "its bundles carry no processing record");
	return ret;
}

/*
 * Every detector the recipe names must have its card, checked before any
 * job: a misspelt model name is the recipe's error (exit 3), said once,
 * not each job's.  Not for redact, whose recipe's [detect] has no effect.
 */
static int check_models(const struct batch_cmd *bc)
{
	const struct ob_detect_opts *d = &bc->recipe->detect;
	const char *const key[] = { "faces", "people", "text" };
	const char *const name[] = { d->faces, d->people, d->text };
	const char *dir = ob_model_dir(NULL, d->models);

	for (size_t i = 0; i < sizeof(key) / sizeof(key[0]) && !bc->redact; i++)
		if (*name[i] && !ob_model_exists(dir, name[i]))
			return ob_cli_error(OB_EXIT_RECIPE, "%s: [detect] %s = %s: no such model in %s "
					    "(see obscura models; make models builds them)",
					    bc->recipe->path, key[i], name[i], dir);
	return 0;
}

/*
 * Everything a batch needs before any job forks: the tracks file of a
 * redact, the recipe, the signing key, the ledger (locked for the whole
 * batch) and the output directory (locked too).  An exit code on failure.
 */
static int batch_open(struct batch_cmd *bc)
{
	int ret;

	if (bc->redact && (ret = redact_prepare(bc->cmd, &bc->ra, !bc->recipe_path, &bc->recipe)))
		return ret;
	if (!bc->recipe) {
		ret = bc->recipe_path ? ob_recipe_load(bc->recipe_path, &bc->recipe) : ob_recipe_default(&bc->recipe);
		if (ret)
			return ob_cli_fail(ob_exit_for_status(ret));
	}
	if ((ret = check_models(bc)) || (ret = check_disclosure(bc, false)))
		return ret;
	if (bc->key_path && (ret = load_key(bc->key_path, bc->passfile, &bc->key)))
		return ret;
	/* Locked for the whole batch, and its chain checked before any job runs:
	 * a broken ledger refuses the run instead of being appended to. */
	if (bc->ledger_path && (ret = ob_ledger_open(bc->ledger_path, bc->key, &bc->ledger)))
		return ob_cli_fail(ret == OB_ERR_BUSY ? OB_EXIT_BUSY : OB_EXIT_OUTPUT);
	if (bc->ledger && bc->o.skip_done && (ret = ledger_entries(bc)))
		return ret;
	if (ob_prepare_outdir(bc->o.outdir))
		return ob_cli_fail(OB_EXIT_OUTPUT);
	if ((ret = claim_outdir(bc)))
		return ret;
	return check_disclosure(bc, true);
}

/* The jobs' inputs, from the operands (directories walked, our own exports
 * skipped); redact takes exactly one file.  An exit code on failure. */
static int add_inputs(struct batch_cmd *bc, int argc, char **argv)
{
	char skip[64];

	snprintf(skip, sizeof(skip), "%s.", bc->recipe->output.suffix);
	for (int i = optind; i < argc; i++) {
		if (ob_inputs_add(&bc->inputs, argv[i], skip))
			return ob_cli_fail(OB_EXIT_INTERNAL);
	}
	if (bc->redact && bc->inputs.n != 1)
		return ob_cli_usage_error(bc->cmd, "give exactly one input file: the video the tracks file was made from");
	return 0;
}

/* Runs the jobs, then reports: one line on stderr, the summary on stdout
 * with --json.  The batch's exit code (batch_exit). */
static int batch_run(struct batch_cmd *bc, int argc, char **argv)
{
	json_t *summary = NULL;
	int ret;

	av_log_set_level(bc->verbose ? AV_LOG_WARNING : AV_LOG_QUIET);
	bc->o.recipe = bc->recipe;
	bc->o.key = bc->key;
	bc->o.ledger = bc->ledger;
	bc->o.ledger_entries = bc->ledger_entries;
	bc->o.argc = argc;
	bc->o.argv = argv;
	bc->o.progress = !bc->no_progress && !bc->o.quiet && isatty(STDERR_FILENO);
	if ((ret = ob_runner_run(&bc->o, &bc->inputs, &summary)))
		return ob_cli_fail(ret == OB_ERR_USAGE ? OB_EXIT_USAGE : OB_EXIT_INTERNAL);
	fprintf(stderr, "obscura: %zu job%s: %lld ok, %lld failed", bc->inputs.n, bc->inputs.n == 1 ? "" : "s",
		(long long)json_integer_value(json_object_get(summary, "ok")),
		(long long)json_integer_value(json_object_get(summary, "failed")));
	if (bc->o.skip_done)
		fprintf(stderr, ", %lld skipped (done before)",
			(long long)json_integer_value(json_object_get(summary, "skipped")));
	fputc('\n', stderr);
	if (bc->json) {
		ob_cli_print_json(summary, JSON_SORT_KEYS);
	}
	ret = ob_cli_finish_stdout(ob_cli_batch_exit(summary));
	json_decref(summary);
	return ret;
}

/*
 * obscura submit: the batch planned exactly as run plans it (one code path,
 * ob_runner_plan), then written down and handed to Slurm (submit.c).  The
 * ledger was opened only to check its chain: obscura collect appends.
 */
static int batch_submit(struct batch_cmd *bc, int argc, char **argv)
{
	struct ob_plan_item *items = calloc(bc->inputs.n ? bc->inputs.n : 1, sizeof(*items));
	char cwd[OB_PATH_MAX];
	int ret;

	if (!items)
		return ob_cli_error(OB_EXIT_INTERNAL, "out of memory");
	if (!getcwd(cwd, sizeof(cwd))) {
		free(items);
		return ob_cli_error(OB_EXIT_INTERNAL, "cannot read the working directory: %s", strerror(errno));
	}
	ob_ledger_free(&bc->ledger);
	bc->o.recipe = bc->recipe;
	bc->slurm.command = bc->redact ? "redact" : bc->o.analyze ? "analyze" : "run";
	bc->slurm.replay = bc->o.replay;
	bc->slurm.recipe_path = bc->recipe_path;
	bc->slurm.key_path = bc->key_path;
	bc->slurm.passphrase_file = bc->passfile;
	bc->slurm.ledger_path = bc->ledger_path;
	bc->slurm.force = bc->o.force;
	bc->slurm.threads = bc->o.threads;
	bc->slurm.cwd = cwd;
	bc->slurm.argc = argc;
	bc->slurm.argv = argv;
	if ((ret = ob_runner_plan(&bc->o, &bc->inputs, items))) { /* an input that is an output */
		free(items);
		return ob_cli_fail(ret == OB_ERR_USAGE ? OB_EXIT_USAGE : OB_EXIT_INTERNAL);
	}
	ret = ob_submit_planned(bc->o.outdir, &bc->slurm, bc->recipe, items, bc->inputs.n, bc->dry_run, bc->o.quiet);
	free(items);
	return ret;
}

/* Releases what batch_open() and add_inputs() made, however far they got. */
static void batch_close(struct batch_cmd *bc)
{
	json_decref(bc->ledger_entries);
	bc->ledger_entries = NULL;
	ob_ledger_free(&bc->ledger);
	ob_unlock_file(bc->lock_path, &bc->outdir_lock);
	ob_inputs_release(&bc->inputs);
	ob_recipe_free(&bc->recipe);
	ob_minisign_key_free(&bc->key);
}

/*
 * One batch: `run` (export, tracks.h5, bundle), `analyze` (tracks.h5 and an
 * analytics-only bundle, no video) or `redact` (one input, hidden from an
 * earlier job's tracks.h5 instead of detectors).
 */
static int batch(const char *name, int argc, char **argv)
{
	static struct batch_cmd bc; /* its redact_args are large */
	int ret;

	bc = (struct batch_cmd){ .name = name, .redact = !strcmp(name, "redact"), .outdir_lock = -1,
				 .o = { .outdir = DEFAULT_OUTDIR, .jobs = 1, .analyze = !strcmp(name, "analyze") } };
	bc.submit = !strcmp(name, "submit");
	if (!parse_options(&bc, argc, argv, &ret))
		return ret;
	if (bc.redact) {
		bc.replay = (struct ob_replay){ .tracks = bc.ra.tracks, .keep = bc.ra.keep, .n_keep = bc.ra.n_keep,
						.boxes = bc.ra.boxes, .n_boxes = bc.ra.n_boxes };
		bc.o.replay = &bc.replay;
	}
	if (bc.resume)
		return ob_submit_resume(bc.resume, &bc.slurm, bc.dry_run, bc.o.quiet);
	ret = batch_open(&bc);
	if (!ret)
		ret = add_inputs(&bc, argc, argv);
	if (!ret)
		ret = bc.submit ? batch_submit(&bc, argc, argv) : batch_run(&bc, argc, argv);
	batch_close(&bc);
	return ret;
}

int cmd_run(int argc, char **argv)
{
	return batch("run", argc, argv);
}

int cmd_analyze(int argc, char **argv)
{
	return batch("analyze", argc, argv);
}

int cmd_submit(int argc, char **argv)
{
	return batch("submit", argc, argv);
}

int cmd_redact(int argc, char **argv)
{
	return batch("redact", argc, argv);
}

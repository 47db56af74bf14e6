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
#include "obscura/recipe.h"
#include "obscura/runner.h"
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
	char *pass = NULL;
	size_t passlen = 0;
	int ret = 0;

	if (passfile)
		ret = ob_minisign_read_passphrase(passfile, &pass, &passlen);
	if (!ret)
		ret = ob_minisign_load_secret(path, pass, passlen, key);
	ob_minisign_passphrase_free(&pass, passlen);
	if (ret)
		return ob_cli_fail(ret == OB_ERR_NOMEM ? OB_EXIT_INTERNAL : OB_EXIT_USAGE);
	return 0;
}

/* Exit status of a finished batch: see EXIT STATUS in obscura(1). */
static int batch_exit(const json_t *summary)
{
	json_int_t ok = json_integer_value(json_object_get(summary, "ok"));
	json_int_t failed = json_integer_value(json_object_get(summary, "failed"));

	if (json_is_true(json_object_get(summary, "interrupted")))
		return OB_EXIT_INTERRUPTED;
	if (failed == 0)
		return OB_EXIT_OK;
	return ok ? OB_EXIT_PARTIAL : OB_EXIT_FAILED;
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
	char origin[4200];
	size_t n;
	int ret = ob_trackfile_open(ra->tracks, &f);

	if (!ret)
		ret = ob_trackfile_tracks(f, &t, &n);
	if (ret) {
		fprintf(stderr, "obscura %s: error: %s\n", cmd->name, ob_errmsg());
		ob_trackfile_close(&f);
		return OB_EXIT_UNREADABLE;
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
	if (!ret && want_recipe) {
		snprintf(origin, sizeof(origin), "%s (its recipe)", ra->tracks);
		ret = m->recipe_text && m->recipe_len ? ob_recipe_parse(origin, m->recipe_text, recipe)
						       : ob_recipe_default(recipe);
		if (ret) {
			fprintf(stderr, "obscura %s: error: %s\n", cmd->name, ob_errmsg());
			ret = ob_exit_for_status(ret);
		}
	}
	ob_trackfile_close(&f);
	return ret;
}

/*
 * One batch: `run` (export, tracks.h5, bundle), `analyze` (tracks.h5 and an
 * analytics-only bundle, no video) or `redact` (one input, hidden from an
 * earlier job's tracks.h5 instead of detectors).
 */
static int batch(const char *name, int argc, char **argv)
{
	struct ob_cli_parser opts;
	const struct ob_command *cmd;
	struct ob_runner_opts o = { .outdir = DEFAULT_OUTDIR, .jobs = 1 };
	struct ob_input_list inputs = { 0 };
	struct ob_recipe *recipe = NULL;
	const char *recipe_path = NULL, *key_path = NULL, *passfile = NULL, *ledger_path = NULL;
	struct ob_ledger *ledger = NULL;
	struct ob_minisign_key *key = NULL;
	bool json = false, no_progress = false, verbose = false, unsigned_ok = false;
	bool redact = !strcmp(name, "redact");
	static struct redact_args ra;
	struct ob_replay replay;
	json_t *summary = NULL;
	char skip[64];
	int c, ret;

	memset(&ra, 0, sizeof(ra));
	ob_cli_parser_init(&opts, name);
	cmd = opts.cmd;
	o.analyze = !strcmp(name, "analyze");
	while ((c = ob_cli_next(&opts, argc, argv, &ret)) != OB_CLI_DONE) {
		switch (c) {
		case OB_CLI_RETURN:
			return ret;
		case 'r': recipe_path = optarg; break;
		case 'o': o.outdir = optarg; break;
		case 'j':
			if (!ob_parse_int(optarg, 1, OB_JOBS_MAX, &o.jobs))
				return ob_cli_usage_error(cmd, "--jobs: expected a number from 1 to %d, got '%s'",
							  OB_JOBS_MAX, optarg);
			break;
		case OB_OPT_THREADS:
			if (!ob_parse_int(optarg, 1, 256, &o.threads))
				return ob_cli_usage_error(cmd, "--threads: expected a number from 1 to 256, got '%s'",
							  optarg);
			break;
		case OB_OPT_TRACKS: ra.tracks = optarg; break;
		case OB_OPT_KEEP:
			if (!parse_keep(&ra, optarg))
				return ob_cli_usage_error(cmd, "--keep: expected track ids like 3,17 (at most %d), got '%s'",
							  MAX_KEEP, optarg);
			break;
		case OB_OPT_ADD_BOX:
			if (!parse_box(&ra, optarg))
				return ob_cli_usage_error(cmd, "--add-box: expected FRAME[-LAST]:X,Y,W,H in pixels "
							       "(at most %d boxes), got '%s'", MAX_BOXES, optarg);
			break;
		case OB_OPT_FORCE: o.force = true; break;
		case OB_OPT_KEY: key_path = optarg; break;
		case OB_OPT_PASSPHRASE_FILE: passfile = optarg; break;
		case OB_OPT_UNSIGNED: unsigned_ok = true; break;
		case OB_OPT_LEDGER: ledger_path = optarg; break;
		case OB_OPT_JSON: json = true; break;
		case OB_OPT_NO_PROGRESS: no_progress = true; break;
		case 'q': o.quiet = true; break;
		case 'v': verbose = true; break;
		}
	}
	if (optind >= argc)
		return ob_cli_usage_error(cmd, "no input given");
	if (redact && !ra.tracks)
		return ob_cli_usage_error(cmd, "--tracks FILE is required (the tracks.h5 of an earlier run or analyze)");
	if (redact && argc - optind != 1)
		return ob_cli_usage_error(cmd, "give exactly one input: the video the tracks file was made from");
	if (key_path && unsigned_ok)
		return ob_cli_usage_error(cmd, "give either --key or --unsigned");
	if (ledger_path && unsigned_ok)
		return ob_cli_usage_error(cmd, "--ledger needs a signing key: it cannot be used with --unsigned");
	if (!key_path && !unsigned_ok) {
		const char *env = getenv(KEY_ENV);

		key_path = env && *env ? env : NULL;
	}
	if (!key_path && !unsigned_ok)
		return ob_cli_usage_error(cmd, "no signing key: give --key FILE (make one with `obscura keygen`) "
					       "or set " KEY_ENV ", or --unsigned to write unsigned bundles");
	if (passfile && !key_path)
		return ob_cli_usage_error(cmd, "--passphrase-file needs a key (--key or " KEY_ENV ")");

	if (redact && (ret = redact_prepare(cmd, &ra, !recipe_path, &recipe)))
		return ret;
	if (!recipe) {
		ret = recipe_path ? ob_recipe_load(recipe_path, &recipe) : ob_recipe_default(&recipe);
		if (ret)
			return ob_cli_fail(ob_exit_for_status(ret));
	}
	if (key_path && (ret = load_key(key_path, passfile, &key)))
		goto out;
	/* Locked for the whole batch, and its chain checked before any job runs:
	 * a broken ledger refuses the run instead of being appended to. */
	if (ledger_path && ob_ledger_open(ledger_path, key, &ledger)) {
		ret = ob_cli_fail(OB_EXIT_OUTPUT);
		goto out;
	}
	ret = ob_prepare_outdir(o.outdir);
	if (ret) {
		ret = ob_cli_fail(OB_EXIT_OUTPUT);
		goto out;
	}
	snprintf(skip, sizeof(skip), "%s.", recipe->output.suffix);
	for (int i = optind; i < argc; i++) {
		if (ob_inputs_add(&inputs, argv[i], skip)) {
			ret = ob_cli_fail(OB_EXIT_INTERNAL);
			goto out;
		}
	}
	if (redact && inputs.n != 1) {
		ret = ob_cli_usage_error(cmd, "give exactly one input file: the video the tracks file was made from");
		goto out;
	}
	if (redact) {
		replay = (struct ob_replay){ .tracks = ra.tracks, .keep = ra.keep, .n_keep = ra.n_keep,
					     .boxes = ra.boxes, .n_boxes = ra.n_boxes };
		o.replay = &replay;
	}
	av_log_set_level(verbose ? AV_LOG_WARNING : AV_LOG_QUIET);
	o.recipe = recipe;
	o.key = key;
	o.ledger = ledger;
	o.argc = argc;
	o.argv = argv;
	o.progress = !no_progress && !o.quiet && isatty(STDERR_FILENO);
	if (ob_runner_run(&o, &inputs, &summary)) {
		ret = ob_cli_fail(OB_EXIT_INTERNAL);
		goto out;
	}
	fprintf(stderr, "obscura: %zu job%s: %lld ok, %lld failed\n", inputs.n, inputs.n == 1 ? "" : "s",
		(long long)json_integer_value(json_object_get(summary, "ok")),
		(long long)json_integer_value(json_object_get(summary, "failed")));
	if (json) {
		json_dumpf(summary, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		fputc('\n', stdout);
	}
	ret = ob_cli_finish_stdout(batch_exit(summary));
out:
	json_decref(summary);
	ob_ledger_free(&ledger);
	ob_inputs_release(&inputs);
	ob_recipe_free(&recipe);
	ob_minisign_key_free(&key);
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

int cmd_redact(int argc, char **argv)
{
	return batch("redact", argc, argv);
}

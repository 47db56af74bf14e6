/* run.c - `obscura run`: anonymize a batch of inputs. */
#include <errno.h>
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
#include "obscura/ledger.h"
#include "obscura/minisign.h"
#include "obscura/recipe.h"
#include "obscura/runner.h"
#include "obscura/banned.h"

#define DEFAULT_OUTDIR "obscura-out"
#define KEY_ENV "OBSCURA_KEY" /* secret key file when --key is not given */

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
	if (ret) {
		fprintf(stderr, "obscura: error: %s\n", ob_errmsg());
		return ret == OB_ERR_NOMEM ? OB_EXIT_INTERNAL : OB_EXIT_USAGE;
	}
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

int cmd_run(int argc, char **argv)
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
	json_t *summary = NULL;
	char skip[64];
	int c, ret;

	ob_cli_parser_init(&opts, "run");
	cmd = opts.cmd;
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

	ret = recipe_path ? ob_recipe_load(recipe_path, &recipe) : ob_recipe_default(&recipe);
	if (ret) {
		fprintf(stderr, "obscura: error: %s\n", ob_errmsg());
		return ob_exit_for_status(ret);
	}
	if (key_path && (ret = load_key(key_path, passfile, &key)))
		goto out;
	/* Locked for the whole batch, and its chain checked before any job runs:
	 * a broken ledger refuses the run instead of being appended to. */
	if (ledger_path && ob_ledger_open(ledger_path, key, &ledger)) {
		fprintf(stderr, "obscura: error: %s\n", ob_errmsg());
		ret = OB_EXIT_OUTPUT;
		goto out;
	}
	ret = ob_prepare_outdir(o.outdir);
	if (ret) {
		fprintf(stderr, "obscura: error: %s\n", ob_errmsg());
		ret = OB_EXIT_OUTPUT;
		goto out;
	}
	snprintf(skip, sizeof(skip), "%s.", recipe->output.suffix);
	for (int i = optind; i < argc; i++) {
		if (ob_inputs_add(&inputs, argv[i], skip)) {
			fprintf(stderr, "obscura: error: %s\n", ob_errmsg());
			ret = OB_EXIT_INTERNAL;
			goto out;
		}
	}
	av_log_set_level(verbose ? AV_LOG_WARNING : AV_LOG_QUIET);
	o.recipe = recipe;
	o.key = key;
	o.ledger = ledger;
	o.argc = argc;
	o.argv = argv;
	o.progress = !no_progress && !o.quiet && isatty(STDERR_FILENO);
	if (ob_runner_run(&o, &inputs, &summary)) {
		fprintf(stderr, "obscura: error: %s\n", ob_errmsg());
		ret = OB_EXIT_INTERNAL;
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

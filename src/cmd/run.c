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
#include "obscura/inputs.h"
#include "obscura/recipe.h"
#include "obscura/runner.h"
#include "obscura/banned.h"

#define DEFAULT_OUTDIR "obscura-out"

static bool parse_count(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return false;
	*out = (int)v;
	return true;
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
	const struct ob_command *cmd = ob_command_find("run");
	struct option longopts[OB_CLI_MAX_OPTIONS + 1];
	char shortopts[2 * OB_CLI_MAX_OPTIONS + 2];
	struct ob_runner_opts o = { .outdir = DEFAULT_OUTDIR, .jobs = 1 };
	struct ob_input_list inputs = { 0 };
	struct ob_recipe *recipe = NULL;
	const char *recipe_path = NULL;
	bool json = false, no_progress = false, verbose = false;
	json_t *summary = NULL;
	char skip[64];
	int c, ret;

	ob_cli_getopt_table(cmd, longopts, shortopts, sizeof(shortopts));
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'r': recipe_path = optarg; break;
		case 'o': o.outdir = optarg; break;
		case 'j':
			if (!parse_count(optarg, 1, OB_JOBS_MAX, &o.jobs))
				return ob_cli_usage_error(cmd, "--jobs: expected a number from 1 to %d, got '%s'",
							  OB_JOBS_MAX, optarg);
			break;
		case OB_OPT_THREADS:
			if (!parse_count(optarg, 1, 256, &o.threads))
				return ob_cli_usage_error(cmd, "--threads: expected a number from 1 to 256, got '%s'",
							  optarg);
			break;
		case OB_OPT_FORCE: o.force = true; break;
		case OB_OPT_JSON: json = true; break;
		case OB_OPT_NO_PROGRESS: no_progress = true; break;
		case 'q': o.quiet = true; break;
		case 'v': verbose = true; break;
		case 'h':
			ob_cli_print_help(stdout, cmd);
			return ob_cli_finish_stdout(OB_EXIT_OK);
		case ':':
			return ob_cli_usage_error(cmd, "option '%s' needs an argument", argv[optind - 1]);
		default:
			return ob_cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return ob_cli_usage_error(cmd, "no input given");

	ret = recipe_path ? ob_recipe_load(recipe_path, &recipe) : ob_recipe_default(&recipe);
	if (ret) {
		fprintf(stderr, "obscura: error: %s\n", ob_errmsg());
		return ob_exit_for_status(ret);
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
	ob_inputs_release(&inputs);
	ob_recipe_free(&recipe);
	return ret;
}

/* SPDX-License-Identifier: MIT */
/* task.c - `obscura task DIR N`: one planned job of a submitted batch, run as `run` runs it. */
#include <libavutil/log.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/cli.h"
#include "obscura/error.h"
#include "obscura/inputs.h"
#include "obscura/minisign.h"
#include "obscura/parse.h"
#include "obscura/recipe.h"
#include "obscura/runner.h"
#include "obscura/shard.h"
#include "obscura/hash.h"
#include "obscura/banned.h"

/* Refuses the item (its result will say why), keeping the first reason. */
static void refuse(struct ob_plan_item *it, int status)
{
	if (it->status)
		return;
	it->status = status;
	snprintf(it->errbuf, sizeof(it->errbuf), "%s", ob_errmsg());
	it->error = it->errbuf;
}

/* The recipe the plan names, unchanged since submit (its SHA-256). */
static int load_recipe(const json_t *plan, const struct ob_shard_settings *s, struct ob_recipe **recipe)
{
	const char *want = json_string_value(json_object_get(json_object_get(plan, "recipe"), "sha256"));
	unsigned char digest[OB_SHA256_LEN];
	char hex[OB_SHA256_HEX_LEN + 1];
	int ret = s->recipe_path ? ob_recipe_load(s->recipe_path, recipe) : ob_recipe_default(recipe);

	if (!ret)
		ret = ob_sha256((*recipe)->text, (*recipe)->text_len, digest);
	if (ret)
		return ret;
	ob_hex_encode(digest, sizeof(digest), hex);
	if (!want || strcmp(hex, want))
		return ob_err(OB_ERR_RECIPE, "%s: changed since the batch was submitted (SHA-256 %s, planned %s)",
			      (*recipe)->path, hex, want ? want : "none");
	return 0;
}

int cmd_task(int argc, char **argv)
{
	struct ob_cli_parser opts;
	struct ob_shard_settings s = { 0 };
	struct ob_runner_opts o;
	struct ob_plan_item *items = NULL;
	struct ob_recipe *recipe = NULL;
	struct ob_minisign_key *key = NULL;
	json_t *plan = NULL, *summary = NULL, *entry;
	const char *dir, *arg;
	size_t n = 0;
	int c, ret, task;

	ob_cli_parser_init(&opts, "task");
	while ((c = ob_cli_next(&opts, argc, argv, &ret)) != OB_CLI_DONE)
		if (c == OB_CLI_RETURN)
			return ret;
	if (argc - optind < 1 || argc - optind > 2)
		return ob_cli_usage_error(opts.cmd, "give the batch's directory and, outside Slurm, the task number");
	dir = argv[optind];
	arg = argc - optind == 2 ? argv[optind + 1] : getenv("SLURM_ARRAY_TASK_ID");
	if (!arg || !ob_parse_int(arg, 0, OB_INPUTS_MAX - 1, &task))
		return ob_cli_usage_error(opts.cmd, "task number: expected a number from 0, got '%s'", arg ? arg : "");
	ret = ob_shard_plan_read(dir, &plan);
	if (!ret)
		ret = ob_shard_plan_settings(plan, &s);
	if (!ret)
		ret = ob_shard_plan_items(plan, &items, &n);
	if (ret) {
		ret = ob_cli_fail(ob_exit_for_status(ret));
		goto out;
	}
	if ((size_t)task >= n) {
		ret = ob_cli_usage_error(opts.cmd, "task %d: the plan in %s has %zu tasks", task, dir, n);
		goto out;
	}
	/* Whatever stops this task before its job runs is its result, as run reports a refused job. */
	if ((ret = load_recipe(plan, &s, &recipe))) {
		refuse(&items[task], ret);
		ob_recipe_free(&recipe);
		if (ob_recipe_default(&recipe)) {
			ret = ob_cli_fail(OB_EXIT_INTERNAL);
			goto out;
		}
	}
	if (s.key_path && (ret = ob_minisign_load_secret_with(s.key_path, s.passphrase_file, &key)))
		refuse(&items[task], ret);
	if ((ret = ob_shard_check_input(plan, (size_t)task)))
		refuse(&items[task], ret);
	av_log_set_level(AV_LOG_QUIET);
	o = (struct ob_runner_opts){ .recipe = recipe, .outdir = json_string_value(json_object_get(plan, "outdir")),
				     .jobs = 1, .threads = s.threads ? s.threads : s.cpus_per_task, .force = s.force,
				     .key = key, .analyze = !strcmp(s.command, "analyze"), .argc = s.argc,
				     .argv = s.argv };
	if (ob_runner_run_items(&o, &items[task], 1, &summary)) {
		ret = ob_cli_fail(OB_EXIT_INTERNAL);
		goto out;
	}
	entry = json_array_get(json_object_get(summary, "jobs"), 0);
	/* Stopped (scancel, preemption, a time limit): no result, so that
	 * submit --resume runs the task again; the job left no output. */
	if (json_is_true(json_object_get(summary, "interrupted"))) {
		ret = ob_cli_error(OB_EXIT_INTERRUPTED, "task %d stopped by a signal: no result written (obscura "
							"submit --resume %s runs it again)", task, dir);
		goto out;
	}
	if ((ret = ob_shard_result_write(dir, (size_t)task, entry))) {
		ret = ob_cli_fail(ob_exit_for_status(ret));
		goto out;
	}
	ret = ob_cli_batch_exit(summary);
out:
	json_decref(summary);
	ob_minisign_key_free(&key);
	ob_recipe_free(&recipe);
	free(items);
	free((void *)s.argv);
	json_decref(plan);
	return ret;
}

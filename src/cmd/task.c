/* SPDX-License-Identifier: MIT */
/* task.c - `obscura task DIR N`: one planned job of a submitted batch, run as `run` runs it. */
#include <libavutil/log.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/cli.h"
#include "obscura/error.h"
#include "obscura/inputs.h"
#include "obscura/job.h"
#include "obscura/minisign.h"
#include "obscura/parse.h"
#include "obscura/recipe.h"
#include "obscura/runner.h"
#include "obscura/shard.h"
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

int cmd_task(int argc, char **argv)
{
	struct ob_cli_parser opts;
	struct ob_shard_settings s = { 0 };
	struct ob_runner_opts o;
	struct ob_plan_item *items = NULL;
	struct ob_recipe *recipe = NULL;
	struct ob_minisign_key *key = NULL;
	struct ob_replay replay = { 0 };
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
	if (!arg)
		return ob_cli_usage_error(opts.cmd, "no task number: give N, or run it as a Slurm array task "
					  "(SLURM_ARRAY_TASK_ID)");
	if (!ob_parse_int(arg, 0, OB_INPUTS_MAX - 1, &task))
		return ob_cli_usage_error(opts.cmd, "task number: expected a number from 0, got '%s'", arg);
	ret = ob_shard_plan_read(dir, &plan);
	if (!ret)
		ret = ob_shard_plan_settings(plan, &s);
	if (!ret)
		ret = ob_shard_plan_items(plan, &items, &n);
	if (!ret)
		ret = ob_shard_plan_replay(plan, &replay);
	if (ret) {
		ret = ob_cli_fail(ob_exit_for_status(ret));
		goto out;
	}
	if ((size_t)task >= n) {
		ret = ob_cli_usage_error(opts.cmd, "task %d: the plan in %s has %zu tasks", task, dir, n);
		goto out;
	}
	/* Whatever stops this task before its job runs is its result, as run
	 * reports a refused job.  A redact's tracks file first: its recipe is
	 * the plan's when -r was not given. */
	if ((ret = ob_shard_check_tracks(plan)))
		refuse(&items[task], ret);
	if ((ret = ob_shard_plan_recipe(plan, &s, &recipe))) {
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
				     .key = key, .analyze = !strcmp(s.command, "analyze"),
				     .replay = replay.tracks ? &replay : NULL, .argc = s.argc, .argv = s.argv };
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
	ob_shard_replay_release(&replay);
	free(items);
	free((void *)s.argv);
	json_decref(plan);
	return ret;
}

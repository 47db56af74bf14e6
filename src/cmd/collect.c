/* SPDX-License-Identifier: MIT */
/* collect.c - `obscura collect DIR`: a submitted batch's results, checked, as one run --json summary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/bundle_verify.h"
#include "obscura/cli.h"
#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/hash.h"
#include "obscura/ledger.h"
#include "obscura/minisign.h"
#include "obscura/recipe.h"
#include "obscura/runner.h"
#include "obscura/shard.h"
#include "obscura/banned.h"

/* What collect opens once: the plan, its recipe, key and ledger. */
struct collect {
	const char *dir;
	json_t *plan;
	struct ob_shard_settings s;
	struct ob_plan_item *items;
	size_t n;
	struct ob_recipe *recipe;
	struct ob_minisign_key *key;
	struct ob_minisign_pub pub;
	struct ob_ledger *ledger;
	json_t *ledger_entries;    /* already in the ledger: a second collect appends nothing twice */
	struct ob_runner_opts o;
};

static int collect_open(struct collect *c)
{
	int ret = ob_shard_plan_read(c->dir, &c->plan);

	if (!ret)
		ret = ob_shard_plan_settings(c->plan, &c->s);
	if (!ret)
		ret = ob_shard_plan_items(c->plan, &c->items, &c->n);
	if (!ret)
		ret = ob_shard_plan_recipe(c->plan, &c->s, &c->recipe);
	if (!ret && c->s.key_path && !(ret = ob_minisign_load_secret_with(c->s.key_path, c->s.passphrase_file, &c->key)))
		ob_minisign_key_public(c->key, &c->pub);
	if (!ret && c->s.ledger_path) {
		enum ob_verdict v;
		json_t *report = NULL;

		if (!(ret = ob_ledger_open(c->s.ledger_path, c->key, &c->ledger)) &&
		    ob_verify_ledger(c->s.ledger_path, &c->pub, &report, &v, &c->ledger_entries))
			ret = ob_err(OB_ERR_NOMEM, "out of memory");
		json_decref(report);
	}
	c->o = (struct ob_runner_opts){ .recipe = c->recipe, .key = c->key, .ledger = c->ledger,
					.ledger_entries = c->ledger_entries,
					.outdir = json_string_value(json_object_get(c->plan, "outdir")),
					.analyze = c->s.command && !strcmp(c->s.command, "analyze") };
	return ret;
}

static void collect_close(struct collect *c)
{
	json_decref(c->ledger_entries);
	ob_ledger_free(&c->ledger);
	ob_minisign_key_free(&c->key);
	ob_recipe_free(&c->recipe);
	free(c->items);
	free((void *)c->s.argv);
	json_decref(c->plan);
}

/* Turns an ok entry failed: its bundle does not verify. */
static void fail_entry(json_t *entry, const char *kind, const char *msg)
{
	json_object_set_new(entry, "status", json_string("failed"));
	json_object_set_new(entry, "error_kind", json_string(kind));
	json_object_set_new(entry, "error", json_string(msg));
	json_object_set_new(entry, "output", json_null());
	json_object_set_new(entry, "tracks", json_null());
	json_object_set_new(entry, "bundle", json_null());
	json_object_set_new(entry, "manifest_head", json_null());
}

/* An ok task's bundle must be the planned one and verify (signed by the
 * plan's key, or unsigned when the plan has none). */
static int check_bundle(struct collect *c, const struct ob_plan_item *it, json_t *entry)
{
	const char *bundle = json_string_value(json_object_get(entry, "bundle"));
	enum ob_verdict v, want = c->key ? OB_VERDICT_OK : OB_VERDICT_UNSIGNED;
	json_t *report = NULL;
	char msg[3 * OB_PATH_MAX];

	if (!bundle || strcmp(bundle, it->bundle)) {
		snprintf(msg, sizeof(msg), "%s: the task reported bundle %s, the plan names %s", it->input,
			 bundle ? bundle : "none", it->bundle);
		fail_entry(entry, "verify", msg);
		return 0;
	}
	if (ob_verify_bundle(it->bundle, c->key ? &c->pub : NULL, &report, &v))
		return OB_ERR_NOMEM;
	if (v != want) {
		snprintf(msg, sizeof(msg), "%s: %s: %s", it->bundle, ob_verdict_name(v),
			 json_string_value(json_array_get(json_object_get(report, "problems"), 0)) ?: "not signed as planned");
		fail_entry(entry, "verify", msg);
	}
	json_decref(report);
	return 0;
}

/* Task i's entry: its result, or why there is none. */
static json_t *task_entry(struct collect *c, size_t i, bool *missing)
{
	const struct ob_plan_item *it = &c->items[i];
	char why[2 * OB_PATH_MAX + OB_ERRMSG_MAX];
	json_t *entry = NULL;
	int r = ob_shard_result_read(c->dir, i, &entry);

	*missing = r != 0;
	if (r == 1)
		snprintf(why, sizeof(why), "%s: task %zu left no result (it never ran, failed to start or was killed; "
					   "obscura submit --resume %s)", it->input, i, c->dir);
	else if (r)
		snprintf(why, sizeof(why), "%s: task %zu: %s", it->input, i, ob_errmsg());
	if (r)
		return ob_runner_failed_entry(it, why, r == 1 ? "missing" : NULL);
	if (!strcmp(json_string_value(json_object_get(entry, "status")), "ok") && check_bundle(c, it, entry)) {
		json_decref(entry);
		return NULL;
	}
	ob_runner_ledger_once(&c->o, entry, it); /* each verified bundle once, in plan order */
	return entry;
}

int cmd_collect(int argc, char **argv)
{
	struct ob_cli_parser opts;
	struct collect c = { 0 };
	json_t *jobs = NULL, *summary = NULL;
	char path[OB_PATH_MAX], *text = NULL;
	bool json = false, quiet = false;
	double elapsed = 0;
	size_t nmissing = 0;
	int ch, ret;

	ob_cli_parser_init(&opts, "collect");
	while ((ch = ob_cli_next(&opts, argc, argv, &ret)) != OB_CLI_DONE) {
		switch (ch) {
		case OB_CLI_RETURN: return ret;
		case OB_OPT_JSON: json = true; break;
		case 'q': quiet = true; break;
		}
	}
	if (argc - optind != 1)
		return ob_cli_usage_error(opts.cmd, "give the directory of one submitted batch");
	c.dir = argv[optind];
	if ((ret = collect_open(&c))) {
		ret = ob_cli_fail(ret == OB_ERR_NOMEM ? OB_EXIT_INTERNAL : ob_exit_for_status(ret));
		goto out;
	}
	if (!(jobs = json_array())) {
		ret = ob_cli_error(OB_EXIT_INTERNAL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < c.n; i++) {
		bool missing;
		json_t *entry = task_entry(&c, i, &missing);

		if (!entry) {
			ret = ob_cli_error(OB_EXIT_INTERNAL, "out of memory");
			goto out;
		}
		nmissing += missing;
		elapsed += json_real_value(json_object_get(entry, "elapsed_seconds"));
		if (strcmp(json_string_value(json_object_get(entry, "status")), "ok"))
			ob_cli_error(OB_EXIT_FAILED, "task %zu: %s", i, json_string_value(json_object_get(entry, "error")));
		json_array_append_new(jobs, entry);
	}
	/* elapsed: the tasks' seconds summed, the machines' time for the batch */
	ret = ob_runner_summary(&c.o, jobs, false, elapsed, &summary);
	jobs = NULL;
	if (!ret)
		ret = ob_path_join(path, sizeof(path), c.dir, OB_SHARD_SUMMARY);
	if (!ret && !(text = json_dumps(summary, JSON_INDENT(2) | JSON_SORT_KEYS)))
		ret = ob_err(OB_ERR_NOMEM, "out of memory");
	if (!ret) {
		size_t len = strlen(text);

		text[len] = '\n'; /* json_dumps left room for the NUL: the file ends as --json's output */
		ret = ob_write_file_atomic(path, text, len + 1, 0644);
	}
	if (ret) {
		ret = ob_cli_fail(ob_exit_for_status(ret));
		goto out;
	}
	if (!quiet || json_integer_value(json_object_get(summary, "failed")))
		fprintf(stderr, "obscura: %zu task%s: %lld ok, %lld failed (%zu without a result); summary in %s\n", c.n,
			c.n == 1 ? "" : "s", (long long)json_integer_value(json_object_get(summary, "ok")),
			(long long)json_integer_value(json_object_get(summary, "failed")), nmissing, path);
	if (json) {
		ob_cli_print_json(summary, JSON_SORT_KEYS);
	}
	ret = ob_cli_finish_stdout(ob_cli_batch_exit(summary));
out:
	free(text);
	json_decref(jobs);
	json_decref(summary);
	collect_close(&c);
	return ret;
}

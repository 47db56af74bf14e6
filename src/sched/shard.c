/* SPDX-License-Identifier: MIT */
/* shard.c - a batch planned once and run elsewhere: the plan file, one result file per task. */
#include "obscura/shard.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/hash.h"
#include "obscura/job.h"
#include "obscura/recipe.h"
#include "obscura/runner.h"
#include "obscura/trackfile.h"
#include "obscura/version.h"
#include "obscura/utf8.h"
#include "obscura/banned.h"

/* One item of the plan; the input hashed now (a failure refuses the item). */
static json_t *plan_task(struct ob_plan_item *it)
{
	char hex[OB_SHA256_HEX_LEN + 1] = "";
	uint64_t size = 0;
	json_t *t;

	if (!it->status && ob_sha256_file_hex(it->input, OB_HASH_FILE_MAX, hex, &size)) {
		it->status = OB_ERR_INPUT;
		snprintf(it->errbuf, sizeof(it->errbuf), "%s", ob_errmsg());
		it->error = it->errbuf;
	}
	t = json_pack("{s:s, s:s?, s:s, s:s, s:s, s:i}", "input", it->input, "output", *it->output ? it->output : NULL,
		      "tracks", it->tracks, "bundle", it->bundle, "manifest", it->manifest, "status_code", it->status);
	if (t && !it->status)
		json_object_update_new(t, json_pack("{s:I, s:s}", "size", (json_int_t)size, "sha256", hex));
	if (t && it->status)
		json_object_update_new(t, json_pack("{s:s, s:s}", "error_kind", ob_status_name(it->status),
						    "error", it->error ? it->error : ""));
	return t;
}

/* A redact's part of the plan: its tracks file as it is now, --keep, --add-box. */
static int plan_redact(const struct ob_replay *rp, json_t **out)
{
	char hex[OB_SHA256_HEX_LEN + 1];
	uint64_t size = 0;
	json_t *keep = json_array(), *boxes = json_array();
	int ret = ob_sha256_file_hex(rp->tracks, OB_HASH_FILE_MAX, hex, &size);

	*out = NULL;
	/* ids as planned: a uint64 id above INT64_MAX round-trips through json_int_t */
	for (size_t i = 0; keep && i < rp->n_keep; i++)
		json_array_append_new(keep, json_integer((json_int_t)rp->keep[i]));
	for (size_t i = 0; boxes && i < rp->n_boxes; i++) {
		const struct ob_manual_box *b = &rp->boxes[i];

		json_array_append_new(boxes, json_pack("{s:I, s:I, s:f, s:f, s:f, s:f}", "first", (json_int_t)b->first,
						       "last", (json_int_t)b->last, "x", b->box.x, "y", b->box.y,
						       "w", b->box.w, "h", b->box.h));
	}
	if (!ret && (!keep || !boxes || json_array_size(keep) != rp->n_keep || json_array_size(boxes) != rp->n_boxes ||
		     !(*out = json_pack("{s:s, s:I, s:s, s:O, s:O}", "tracks", rp->tracks, "size", (json_int_t)size,
					"sha256", hex, "keep", keep, "add_box", boxes))))
		ret = ob_err(OB_ERR_NOMEM, "out of memory");
	json_decref(keep);
	json_decref(boxes);
	return ret;
}

int ob_shard_plan_write(const char *dir, const struct ob_shard_settings *s, const struct ob_recipe *recipe,
			struct ob_plan_item *items, size_t n)
{
	char path[OB_PATH_MAX], hex[OB_SHA256_HEX_LEN + 1];
	unsigned char digest[OB_SHA256_LEN];
	json_t *plan = NULL, *tasks = json_array(), *argv = json_array(), *redact = NULL;
	struct stat st;
	char *text = NULL;
	int ret = 0;

	if ((ret = ob_path_join(path, sizeof(path), dir, OB_SHARD_PLAN)))
		goto out;
	if (stat(path, &st) == 0) {
		ret = ob_err(OB_ERR_OUTPUT, "%s: exists: this directory holds a submitted batch "
					    "(obscura submit --resume %s, or choose another -o)", path, dir);
		goto out;
	}
	/* The plan is JSON, read back by every task: a name it cannot hold
	 * exactly is refused now, not on the cluster.  (run takes such names.) */
	for (int i = 0; i < s->argc; i++)
		if (!ob_utf8_valid(s->argv[i])) {
			ret = ob_err(OB_ERR_USAGE, "argument %d is not UTF-8: obscura submit writes its plan as "
						   "JSON; rename the file or use obscura run", i);
			goto out;
		}
	if (s->replay && !ob_utf8_valid(s->replay->tracks)) {
		ret = ob_err(OB_ERR_USAGE, "%s: not a UTF-8 name: obscura submit writes its plan as JSON; "
					   "rename it or use obscura redact", s->replay->tracks);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const char *bad = !ob_utf8_valid(dir) ? dir : !ob_utf8_valid(items[i].input) ? items[i].input : NULL;

		if (bad) {
			ret = ob_err(OB_ERR_USAGE, "%s: not a UTF-8 name: obscura submit writes its plan as JSON; "
						   "rename it or use obscura run", bad);
			goto out;
		}
	}
	if (!tasks || !argv || (ret = ob_sha256(recipe->text, recipe->text_len, digest))) {
		ret = ret ? ret : ob_err(OB_ERR_NOMEM, "out of memory");
		goto out;
	}
	ob_hex_encode(digest, sizeof(digest), hex);
	if (s->replay && (ret = plan_redact(s->replay, &redact)))
		goto out;
	for (int i = 0; i < s->argc; i++)
		json_array_append_new(argv, json_string(s->argv[i]));
	for (size_t i = 0; i < n; i++)
		json_array_append_new(tasks, plan_task(&items[i]));
	plan = json_pack("{s:i, s:s, s:s, s:s, s:{s:s?, s:s, s:s}, s:s, s:s?, s:s?, s:s?, s:b, s:i, s:O, "
			 "s:{s:s?, s:i, s:i}, s:O*, s:O}",
			 "format", OB_SHARD_FORMAT, "version", OB_VERSION, "command", s->command, "cwd", s->cwd,
			 "recipe", "path", s->recipe_path, "name", recipe->path, "sha256", hex, "outdir", dir,
			 "key", s->key_path, "passphrase_file", s->passphrase_file, "ledger", s->ledger_path,
			 "force", s->force, "threads", s->threads, "argv", argv,
			 "slurm", "partition", s->partition, "cpus_per_task", s->cpus_per_task,
			 "max_parallel", s->max_parallel, "redact", redact, "tasks", tasks);
	if (!plan || json_array_size(tasks) != n || !(text = json_dumps(plan, JSON_INDENT(2) | JSON_PRESERVE_ORDER))) {
		ret = ob_err(OB_ERR_NOMEM, "out of memory");
		goto out;
	}
	ret = ob_write_file_atomic(path, text, strlen(text), 0644);
out:
	free(text);
	json_decref(plan);
	json_decref(tasks);
	json_decref(argv);
	json_decref(redact);
	return ret;
}

/* path's JSON object, at most OB_SHARD_FILE_MAX bytes. */
static int read_json(const char *path, json_t **out)
{
	json_error_t jerr;
	char *data = NULL;
	size_t len = 0;
	int ret = ob_read_file(path, OB_SHARD_FILE_MAX, &data, &len);

	*out = NULL;
	if (ret)
		return ret;
	*out = json_loadb(data, len, 0, &jerr);
	free(data);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return ob_err(OB_ERR_INPUT, "%s: not a JSON object (line %d: %s)", path, jerr.line, jerr.text);
	}
	return 0;
}

int ob_shard_plan_read(const char *dir, json_t **plan)
{
	char path[OB_PATH_MAX];
	json_t *tasks, *t;
	size_t i;
	int ret = ob_path_join(path, sizeof(path), dir, OB_SHARD_PLAN);

	*plan = NULL;
	if (!ret)
		ret = read_json(path, plan);
	if (ret)
		return ret;
	tasks = json_object_get(*plan, "tasks");
	if (json_integer_value(json_object_get(*plan, "format")) != OB_SHARD_FORMAT || !json_is_array(tasks) ||
	    !json_is_string(json_object_get(*plan, "command")) || !json_is_string(json_object_get(*plan, "outdir")) ||
	    !json_is_object(json_object_get(*plan, "recipe")) || !json_is_array(json_object_get(*plan, "argv")))
		goto bad;
	if (!strcmp(json_string_value(json_object_get(*plan, "command")), "redact") &&
	    (!json_is_string(json_object_get(json_object_get(*plan, "redact"), "tracks")) ||
	     !json_is_string(json_object_get(json_object_get(*plan, "redact"), "sha256"))))
		goto bad;
	json_array_foreach(tasks, i, t)
		if (!json_is_string(json_object_get(t, "input")) || !json_is_string(json_object_get(t, "tracks")) ||
		    !json_is_string(json_object_get(t, "bundle")) || !json_is_string(json_object_get(t, "manifest")) ||
		    !json_is_integer(json_object_get(t, "status_code")))
			goto bad;
	return 0;
bad:
	json_decref(*plan);
	*plan = NULL;
	return ob_err(OB_ERR_INPUT, "%s: not a plan of this obscura (format %d)", path, OB_SHARD_FORMAT);
}

/* dst: at most OB_PATH_MAX, checked when the plan was written. */
static void copy_name(char *dst, size_t size, const json_t *v)
{
	snprintf(dst, size, "%s", json_is_string(v) ? json_string_value(v) : "");
}

int ob_shard_plan_items(const json_t *plan, struct ob_plan_item **items, size_t *n)
{
	const json_t *tasks = json_object_get(plan, "tasks"), *t;
	size_t i;

	*n = json_array_size(tasks);
	*items = calloc(*n ? *n : 1, sizeof(**items));
	if (!*items)
		return ob_err(OB_ERR_NOMEM, "out of memory");
	json_array_foreach(tasks, i, t) {
		struct ob_plan_item *it = &(*items)[i];

		it->input = json_string_value(json_object_get(t, "input"));
		copy_name(it->output, sizeof(it->output), json_object_get(t, "output"));
		copy_name(it->tracks, sizeof(it->tracks), json_object_get(t, "tracks"));
		copy_name(it->bundle, sizeof(it->bundle), json_object_get(t, "bundle"));
		copy_name(it->manifest, sizeof(it->manifest), json_object_get(t, "manifest"));
		it->status = (int)json_integer_value(json_object_get(t, "status_code"));
		if (it->status) {
			copy_name(it->errbuf, sizeof(it->errbuf), json_object_get(t, "error"));
			it->error = it->errbuf;
		}
	}
	return 0;
}

int ob_shard_plan_settings(const json_t *plan, struct ob_shard_settings *s)
{
	const json_t *argv = json_object_get(plan, "argv"), *slurm = json_object_get(plan, "slurm");
	char **v = calloc(json_array_size(argv) + 1, sizeof(*v));

	if (!v)
		return ob_err(OB_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < json_array_size(argv); i++)
		v[i] = (char *)json_string_value(json_array_get(argv, i));
	*s = (struct ob_shard_settings){
		.command = json_string_value(json_object_get(plan, "command")),
		.recipe_path = json_string_value(json_object_get(json_object_get(plan, "recipe"), "path")),
		.key_path = json_string_value(json_object_get(plan, "key")),
		.passphrase_file = json_string_value(json_object_get(plan, "passphrase_file")),
		.ledger_path = json_string_value(json_object_get(plan, "ledger")),
		.force = json_is_true(json_object_get(plan, "force")),
		.threads = (int)json_integer_value(json_object_get(plan, "threads")),
		.cwd = json_string_value(json_object_get(plan, "cwd")),
		.argc = (int)json_array_size(argv),
		.argv = v,
		.partition = json_string_value(json_object_get(slurm, "partition")),
		.cpus_per_task = (int)json_integer_value(json_object_get(slurm, "cpus_per_task")),
		.max_parallel = (int)json_integer_value(json_object_get(slurm, "max_parallel")),
	};
	return 0;
}

/* path is still the file planned (want: its SHA-256 hex, size: its size). */
static int check_file(const char *path, const char *want, const json_t *size)
{
	char hex[OB_SHA256_HEX_LEN + 1];
	uint64_t now;
	int ret;

	if ((ret = ob_sha256_file_hex(path, OB_HASH_FILE_MAX, hex, &now)))
		return ret;
	if (now != (uint64_t)json_integer_value(size) || strcmp(hex, want))
		return ob_err(OB_ERR_INPUT, "%s: changed since it was submitted (SHA-256 %s, planned %s)", path, hex,
			      want);
	return 0;
}

int ob_shard_check_input(const json_t *plan, size_t i)
{
	const json_t *t = json_array_get(json_object_get(plan, "tasks"), i);
	const char *want = json_string_value(json_object_get(t, "sha256"));

	if (!want)
		return 0; /* refused when planned: the item says why */
	return check_file(json_string_value(json_object_get(t, "input")), want, json_object_get(t, "size"));
}

int ob_shard_check_tracks(const json_t *plan)
{
	const json_t *r = json_object_get(plan, "redact");

	if (!json_is_object(r))
		return 0;
	return check_file(json_string_value(json_object_get(r, "tracks")),
			  json_string_value(json_object_get(r, "sha256")), json_object_get(r, "size"));
}

int ob_shard_plan_replay(const json_t *plan, struct ob_replay *rp)
{
	const json_t *r = json_object_get(plan, "redact"), *keep = json_object_get(r, "keep"),
		     *boxes = json_object_get(r, "add_box"), *b;
	uint64_t *k;
	struct ob_manual_box *mb;
	size_t i;

	*rp = (struct ob_replay){ 0 };
	if (!json_is_object(r))
		return 0;
	k = calloc(json_array_size(keep) + 1, sizeof(*k));
	mb = calloc(json_array_size(boxes) + 1, sizeof(*mb));
	if (!k || !mb) {
		free(k);
		free(mb);
		return ob_err(OB_ERR_NOMEM, "out of memory");
	}
	for (i = 0; i < json_array_size(keep); i++)
		k[i] = (uint64_t)json_integer_value(json_array_get(keep, i));
	json_array_foreach(boxes, i, b)
		mb[i] = (struct ob_manual_box){
			json_integer_value(json_object_get(b, "first")), json_integer_value(json_object_get(b, "last")),
			{ json_number_value(json_object_get(b, "x")), json_number_value(json_object_get(b, "y")),
			  json_number_value(json_object_get(b, "w")), json_number_value(json_object_get(b, "h")) } };
	*rp = (struct ob_replay){ .tracks = json_string_value(json_object_get(r, "tracks")), .keep = k,
				  .n_keep = json_array_size(keep), .boxes = mb, .n_boxes = json_array_size(boxes) };
	return 0;
}

void ob_shard_replay_release(struct ob_replay *rp)
{
	free((void *)rp->keep);
	free((void *)rp->boxes);
	*rp = (struct ob_replay){ 0 };
}

/* The recipe a redact's tracks file recorded, as obscura redact reads it. */
static int tracks_recipe(const char *path, struct ob_recipe **recipe)
{
	struct ob_trackfile *f = NULL;
	int ret = ob_trackfile_open(path, &f);

	if (!ret)
		ret = ob_replay_recipe(path, ob_trackfile_meta(f), recipe);
	ob_trackfile_close(&f);
	return ret;
}

int ob_shard_plan_recipe(const json_t *plan, const struct ob_shard_settings *s, struct ob_recipe **recipe)
{
	const char *want = json_string_value(json_object_get(json_object_get(plan, "recipe"), "sha256"));
	const char *tracks = json_string_value(json_object_get(json_object_get(plan, "redact"), "tracks"));
	unsigned char digest[OB_SHA256_LEN];
	char hex[OB_SHA256_HEX_LEN + 1];
	int ret;

	*recipe = NULL;
	if (s->recipe_path)
		ret = ob_recipe_load(s->recipe_path, recipe);
	else if (tracks)
		ret = tracks_recipe(tracks, recipe);
	else
		ret = ob_recipe_default(recipe);
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

int ob_shard_result_path(const char *dir, size_t i, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/%s/%zu.json", dir, OB_SHARD_TASKS, i);

	if (n < 0 || (size_t)n >= size)
		return ob_err(OB_ERR_LIMIT, "%s: path too long", dir);
	return 0;
}

int ob_shard_result_write(const char *dir, size_t i, const json_t *entry)
{
	char path[OB_PATH_MAX], sub[OB_PATH_MAX];
	char *text = NULL;
	int ret = ob_path_join(sub, sizeof(sub), dir, OB_SHARD_TASKS);

	if (!ret)
		ret = ob_prepare_outdir(sub);
	if (!ret)
		ret = ob_shard_result_path(dir, i, path, sizeof(path));
	if (!ret && !(text = json_dumps(entry, JSON_INDENT(2) | JSON_SORT_KEYS)))
		ret = ob_err(OB_ERR_NOMEM, "out of memory");
	if (!ret)
		ret = ob_write_file_atomic(path, text, strlen(text), 0644);
	free(text);
	return ret;
}

int ob_shard_result_read(const char *dir, size_t i, json_t **entry)
{
	char path[OB_PATH_MAX];
	struct stat st;
	int ret = ob_shard_result_path(dir, i, path, sizeof(path));

	*entry = NULL;
	if (ret)
		return ret;
	if (stat(path, &st) < 0 && errno == ENOENT)
		return 1;
	if ((ret = read_json(path, entry)))
		return ret;
	if (!json_is_string(json_object_get(*entry, "status"))) {
		json_decref(*entry);
		*entry = NULL;
		return ob_err(OB_ERR_INPUT, "%s: a task result without a status", path);
	}
	return 0;
}

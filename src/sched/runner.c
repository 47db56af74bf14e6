/* SPDX-License-Identifier: MIT */
/* runner.c - the batch: plan outputs, fork one process per job, gather results. */
#include "obscura/runner.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "obscura/analytics_report.h"
#include "obscura/audit.h"
#include "obscura/bundle.h"
#include "obscura/bundle_verify.h"
#include "obscura/hash.h"
#include "obscura/cli.h"
#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/inputs.h"
#include "obscura/job.h"
#include "obscura/minisign.h"
#include "obscura/photo.h"
#include "obscura/ledger.h"
#include "obscura/progress.h"
#include "obscura/recipe.h"
#include "obscura/version.h"
#include "obscura/clock.h"
#include "obscura/sigclean.h"
#include "obscura/utf8.h"
/* Built with AddressSanitizer (gcc defines __SANITIZE_ADDRESS__, clang has
 * __has_feature): a job's process checks for leaks before it ends. */
#if defined(__SANITIZE_ADDRESS__)
#define OB_LEAK_CHECK 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OB_LEAK_CHECK 1
#endif
#endif
#ifdef OB_LEAK_CHECK
#include <sanitizer/lsan_interface.h>
#endif

#include "obscura/banned.h"

#define REPORT_LINE_MAX (1024 * 1024) /* a child's report line; longer is a protocol error */

struct slot {
	pid_t pid;
	int fd;           /* read end of the child's report pipe */
	size_t job;       /* index into the plan */
	char *buf;        /* partial report line: REPORT_LINE_MAX bytes */
	size_t len;
	int64_t done, total;
	double started;
	json_t *result;   /* the child's final report */
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
	ob_job_interrupt();
}

/* outdir/STEM[-DUP]SUFFIX.EXT */
static int stem_name(const struct ob_runner_opts *o, const char *input, int dup, const char *suffix,
		     const char *ext, char *buf, size_t size)
{
	const char *base = ob_path_base(input);
	const char *dot = strrchr(base, '.');
	int stem = dot && dot != base ? (int)(dot - base) : (int)strlen(base);
	char name[OB_PATH_MAX];
	int n;

	if (dup > 1)
		n = snprintf(name, sizeof(name), "%.*s-%d%s.%s", stem, base, dup, suffix, ext);
	else
		n = snprintf(name, sizeof(name), "%.*s%s.%s", stem, base, suffix, ext);
	if (n < 0 || (size_t)n >= sizeof(name))
		return ob_err(OB_ERR_LIMIT, "%s: name too long", input);
	return ob_path_join(buf, size, o->outdir, name);
}

int ob_runner_output_name(const struct ob_runner_opts *o, const char *input, int dup,
			  char *buf, size_t size)
{
	const char *ext = ob_photo_ext(ob_photo_kind_file(input));

	return stem_name(o, input, dup, o->recipe->output.suffix, ext ? ext : o->recipe->output.container, buf,
			 size);
}

/* The bundle and manifest names: NAME is the input's file name, with -DUP
 * before its extension for the second and later inputs of one stem. */
static int audit_names(const struct ob_runner_opts *o, const char *input, int dup,
		       struct ob_plan_item *it)
{
	const char *base = ob_path_base(input);
	const char *dot = strrchr(base, '.');
	int stem = dot && dot != base ? (int)(dot - base) : (int)strlen(base);
	char name[OB_PATH_MAX], file[OB_PATH_MAX];
	int n;

	if (dup > 1)
		n = snprintf(name, sizeof(name), "%.*s-%d%s", stem, base, dup, base + stem);
	else
		n = snprintf(name, sizeof(name), "%s", base);
	if (n < 0 || (size_t)n >= sizeof(name))
		return ob_err(OB_ERR_LIMIT, "%s: name too long", input);
	if (ob_bundle_path(it->bundle, sizeof(it->bundle), o->outdir, name))
		return OB_ERR_LIMIT;
	n = snprintf(file, sizeof(file), "%s%s", name, OB_AUDIT_MANIFEST_SUFFIX);
	if (n < 0 || (size_t)n >= sizeof(file))
		return ob_err(OB_ERR_LIMIT, "%s: name too long", input);
	return ob_path_join(it->manifest, sizeof(it->manifest), o->outdir, file);
}

static void fail_item(struct ob_plan_item *it, int status, const char *msg)
{
	it->status = status;
	snprintf(it->errbuf, sizeof(it->errbuf), "%s", msg);
	it->error = it->errbuf;
}

/* An output path is refused if it is the tracks file a redact reads, or
 * exists and --force was not given; false (and the item failed) when
 * refused.  One that is an input of the batch refuses the whole batch
 * (inputs_not_outputs). */
static bool target_ok(const struct ob_runner_opts *o, struct ob_plan_item *it, const char *path)
{
	struct stat st_out;
	char msg[OB_ERRMSG_MAX];

	if (!*path || it->status || stat(path, &st_out) != 0)
		return !it->status;
	if (o->replay && ob_same_file(path, o->replay->tracks))
		snprintf(msg, sizeof(msg), "%s: an output would replace the --tracks file; choose another -o",
			 o->replay->tracks);
	else if (!o->force)
		snprintf(msg, sizeof(msg), "%s: exists (use --force to replace it)", path);
	else
		return true;
	fail_item(it, OB_ERR_OUTPUT, msg);
	return false;
}

/* Every member name, escaped as the bundle writes it, must fit the bundle's
 * tar headers: refused now, not after hours of work. */
static bool member_ok(struct ob_plan_item *it, const char *path)
{
	char msg[OB_ERRMSG_MAX], name[OB_BUNDLE_NAME_MAX + 1];

	if (!*path || it->status || !ob_bundle_member_name(ob_path_base(path), name))
		return !it->status;
	snprintf(msg, sizeof(msg), "%s: output name longer than %d bytes (the bundle's limit); rename the input",
		 it->input, OB_BUNDLE_NAME_MAX);
	fail_item(it, OB_ERR_LIMIT, msg);
	return false;
}

/* Is the file at path (an export or tracks file beside its bundle) the
 * member of the bundle it was bundled as?  A reason in msg if not. */
static bool beside_ok(const json_t *report, const char *path, char *msg, size_t size)
{
	char name[OB_BUNDLE_NAME_MAX + 1], hex[OB_SHA256_HEX_LEN + 1];
	const json_t *m;
	size_t i;

	if (!*path)
		return true;
	if (ob_bundle_member_name(ob_path_base(path), name)) {
		snprintf(msg, size, "%s: name too long for a bundle", path);
		return false;
	}
	json_array_foreach(json_object_get(report, "members"), i, m) {
		if (strcmp(json_string_value(json_object_get(m, "name")) ?: "", name))
			continue;
		if (ob_sha256_file_hex(path, OB_HASH_FILE_MAX, hex, NULL))
			snprintf(msg, size, "%s", ob_errmsg());
		else if (strcmp(hex, json_string_value(json_object_get(m, "sha256")) ?: ""))
			snprintf(msg, size, "%s is not the copy the bundle holds (SHA-256 differs)", path);
		else
			return true;
		return false;
	}
	snprintf(msg, size, "the bundle holds no %s", name);
	return false;
}

/*
 * --skip-done: are the outputs of item it those of a finished job of this
 * very input?  The bundle is the record: it must verify (with the run's key
 * when it signs; an unsigned run takes an unsigned bundle, whose chain and
 * members still hold), its manifest must name the input's SHA-256 (a file
 * replaced under the same name is not done), and the export and tracks
 * file beside it must be the ones it holds.  1 done (head and job id kept);
 * 0 no bundle; -1 a bundle that is not done, why in msg.  This reads every
 * output once, far less than redoing the job.
 */
static int done_check(const struct ob_runner_opts *o, struct ob_plan_item *it, char *msg, size_t size)
{
	struct ob_minisign_pub pub;
	enum ob_verdict v;
	json_t *report = NULL, *entries = NULL;
	const json_t *input;
	char why[OB_ERRMSG_MAX], hex[OB_SHA256_HEX_LEN + 1];
	struct stat st;
	int ret = -1;

	if (lstat(it->bundle, &st) != 0 && errno == ENOENT)
		return 0;
	*why = '\0';
	if (o->key)
		ob_minisign_key_public(o->key, &pub);
	if (ob_verify_bundle_entries(it->bundle, o->key ? &pub : NULL, &report, &v, &entries)) {
		snprintf(why, sizeof(why), "%s", ob_errmsg());
		goto out;
	}
	input = ob_manifest_event(entries, "input");
	if (v == OB_VERDICT_UNSIGNED && o->key)
		snprintf(why, sizeof(why), "it is unsigned, and this run signs");
	else if (v != OB_VERDICT_OK && v != OB_VERDICT_UNSIGNED)
		snprintf(why, sizeof(why), "%s: %s", v == OB_VERDICT_UNREADABLE ? "UNREADABLE" : "TAMPERED",
			 json_string_value(json_array_get(json_object_get(report, "problems"), 0)) ?: "?");
	else if (ob_sha256_file_hex(it->input, OB_HASH_FILE_MAX, hex, NULL))
		snprintf(why, sizeof(why), "%s", ob_errmsg());
	else if (!input || strcmp(hex, json_string_value(json_object_get(input, "sha256")) ?: ""))
		snprintf(why, sizeof(why), "it was made from other content than %s (SHA-256 differs)", it->input);
	else if (beside_ok(report, it->output, why, sizeof(why)) && beside_ok(report, it->tracks, why, sizeof(why))) {
		snprintf(it->done_head, sizeof(it->done_head), "%s",
			 json_string_value(json_object_get(json_object_get(report, "manifest"), "head")) ?: "");
		snprintf(it->done_job, sizeof(it->done_job), "%s",
			 json_string_value(json_object_get(ob_manifest_event(entries, "start"), "job")) ?: "");
		ret = 1;
	}
out:
	if (ret < 0)
		snprintf(msg, size, "%.300s: exists but is not a finished job of %.300s: %.300s", it->bundle, it->input,
			 why);
	json_decref(report);
	json_decref(entries);
	return ret;
}

/* --skip-done, for a planned item: done is skipped; a bundle that is not
 * done is refused, or redone with --force (it->redo says why); false when
 * the item needs no more checks. */
static bool plan_done(const struct ob_runner_opts *o, struct ob_plan_item *it)
{
	char msg[OB_ERRMSG_MAX];
	int d;

	if (!o->skip_done || it->status)
		return false;
	d = done_check(o, it, msg, sizeof(msg));
	if (d > 0) {
		it->done = true;
		return true;
	}
	if (d == 0)
		return false;
	if (o->force) {
		snprintf(it->redo, sizeof(it->redo), "%s", msg);
		return false;
	}
	/* neither skipped nor replaced: said, and left for a person to look at */
	it->status = OB_ERR_OUTPUT;
	snprintf(it->errbuf, sizeof(it->errbuf), "%.900s; not skipped (--force redoes it)", msg);
	it->error = it->errbuf;
	return true;
}

/*
 * An input is never an output: if any output this batch would write (an
 * export, a tracks file, a bundle) is already the same file as any of its
 * inputs, under that name or another (a hard or symbolic link), the whole
 * batch is refused before anything runs, with or without --force: the
 * command line contradicts itself (OB_ERR_USAGE, one line naming both).  An
 * output that does not exist yet cannot be an input that does.
 */
static int inputs_not_outputs(const struct ob_input_list *in, const struct ob_plan_item *items)
{
	static const char *const what[] = { "export", "tracks file", "bundle" };
	/* each input's file, looked up once (a batch may hold many thousands) */
	struct stat *ist = calloc(in->n ? in->n : 1, sizeof(*ist));
	bool *iok = calloc(in->n ? in->n : 1, sizeof(*iok));
	int ret = 0;

	if (!ist || !iok) {
		ret = ob_err(OB_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t j = 0; j < in->n; j++)
		iok[j] = !in->items[j].status && in->items[j].path && stat(in->items[j].path, &ist[j]) == 0;
	for (size_t i = 0; i < in->n && !ret; i++) {
		const char *outs[] = { items[i].output, items[i].tracks, items[i].bundle };

		for (size_t k = 0; k < sizeof(outs) / sizeof(outs[0]) && !ret; k++) {
			struct stat st;

			if (!*outs[k] || stat(outs[k], &st) != 0)
				continue;
			for (size_t j = 0; j < in->n && !ret; j++) {
				const char *input = in->items[j].path;

				if (!iok[j] || ist[j].st_dev != st.st_dev || ist[j].st_ino != st.st_ino)
					continue;
				if (j == i)
					ret = ob_err(OB_ERR_USAGE, "%s: this input would be replaced by its own %s "
						     "%s; an input is never an output: choose another -o", input,
						     what[k], outs[k]);
				else if (!strcmp(input, outs[k]))
					ret = ob_err(OB_ERR_USAGE, "%s: this input would be replaced by the %s of "
						     "%s; an input is never an output: rename it or choose another -o",
						     input, what[k], items[i].input);
				else
					ret = ob_err(OB_ERR_USAGE, "%s: this input is also %s, which would be replaced "
						     "by the %s of %s; an input is never an output: rename it or choose "
						     "another -o", input, outs[k], what[k], items[i].input);
			}
		}
	}
out:
	free(ist);
	free(iok);
	return ret;
}

/* Decide every output's name before anything runs (runner.h): duplicates of
 * one stem in a batch get -2, -3...; an existing output is refused unless
 * forced; an input that *is* an output path refuses the batch (inputs_not_outputs),
 * so inputs are never replaced.  obscura submit plans through here too. */
int ob_runner_plan(const struct ob_runner_opts *o, const struct ob_input_list *in, struct ob_plan_item *items)
{
	for (size_t i = 0; i < in->n; i++) {
		struct ob_plan_item *it = &items[i];
		int ret;

		it->input = in->items[i].path;
		if (in->items[i].status) {
			fail_item(it, in->items[i].status, in->items[i].error);
			continue;
		}
		for (int dup = 1;; dup++) {
			bool taken = false;

			it->output[0] = '\0';
			ret = o->analyze ? 0 : ob_runner_output_name(o, it->input, dup, it->output, sizeof(it->output));
			if (!ret)
				ret = stem_name(o, it->input, dup, "", OB_TRACKS_EXT, it->tracks, sizeof(it->tracks));
			if (!ret)
				ret = audit_names(o, it->input, dup, it);
			if (ret)
				break;
			for (size_t j = 0; j < i && !taken; j++)
				taken = (*it->output && !strcmp(items[j].output, it->output)) ||
					!strcmp(items[j].tracks, it->tracks) || !strcmp(items[j].bundle, it->bundle);
			if (!taken)
				break;
		}
		if (ret) {
			fail_item(it, ret, ob_errmsg());
			continue;
		}
		(void)(member_ok(it, it->output) && member_ok(it, it->tracks) && !plan_done(o, it) &&
		       target_ok(o, it, it->output) && target_ok(o, it, it->tracks) && target_ok(o, it, it->bundle));
	}
	return inputs_not_outputs(in, items);
}

/* ---- child side ---- */

static int report_fd = -1;

static void write_line(json_t *obj)
{
	char *s = json_dumps(obj, JSON_COMPACT);
	size_t len;

	if (!s)
		return;
	len = strlen(s);
	s[len] = '\n'; /* json_dumps leaves room for the NUL: reuse it */
	/* Unchecked: a result that never arrives is "job ended without a report". */
	ob_write_full(report_fd, s, len + 1);
	free(s);
}

static void child_progress(void *opaque, int64_t done, int64_t total)
{
	json_t *o = json_pack("{s:s, s:I, s:I}", "type", "progress", "done", (json_int_t)done,
			      "total", (json_int_t)total);
	(void)opaque;
	write_line(o);
	json_decref(o);
}

static void __attribute__((noreturn)) run_child(const struct ob_runner_opts *o, const struct ob_plan_item *it,
						 int fd, int threads, int concurrent)
{
	struct ob_job_stats st = { 0 };
	char manifest[OB_PATH_MAX];
	struct ob_job job = { .input = it->input, .output = *it->output ? it->output : NULL,
			      .tracks = it->tracks, .bundle = it->bundle,
			      .manifest = manifest, .recipe = o->recipe, .key = o->key,
			      .argc = o->argc, .argv = o->argv, .threads = threads, .concurrent = concurrent,
			      .replay = o->replay };
	json_t *r;
	int ret;

	report_fd = fd;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (ob_hangup_stops())
		signal(SIGHUP, on_signal);
	signal(SIGPIPE, SIG_IGN);
	ob_err_clear();
	/* The manifest is hidden under a name carrying this process's pid, like
	 * every temporary: a later run can tell when it is stale. */
	ret = ob_atomic_tmpname(it->manifest, manifest, sizeof(manifest));
	if (!ret && o->key)
		ret = ob_minisign_key_protect(o->key);
	if (!ret)
		ret = ob_job_run(&job, &st, child_progress, NULL);
#ifdef OB_LEAK_CHECK
	/* _exit skips the atexit handlers, LeakSanitizer's among them: under
	 * ASan the job's memory is checked here, before its report, so that a
	 * leak (LSan prints it) fails the job and the run. */
	if (__lsan_do_recoverable_leak_check() && !ret)
		ret = ob_err(OB_ERR_INTERNAL, "%s: the job leaked memory (LeakSanitizer's report above)",
			     it->input);
#endif
	r = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:i, s:i, s:i, s:f, s:b, s:i, s:i, s:I}",
		      "type", "result", "status", ret ? "failed" : "ok",
		      "error_kind", ob_status_name(ret), "frames", (json_int_t)st.frames,
		      "decode_errors", (json_int_t)st.decode_errors, "frames_lost", (json_int_t)st.frames_lost,
		      "hidden_cells", (json_int_t)st.hidden_cells, "width", st.width,
		      "height", st.height, "rotation", st.rotation, "media_seconds", st.media_seconds,
		      "audio_kept", st.audio_kept, "streams_dropped", st.streams_dropped,
		      "tags_dropped", st.tags_dropped, "code", (json_int_t)ret);
	if (r && !ret)
		json_object_update_new(r, json_pack("{s:I, s:I, s:I, s:I}", "tracks_count", (json_int_t)st.tracks,
						    "tracks_confirmed", (json_int_t)st.tracks_confirmed,
						    "tracks_hidden", (json_int_t)st.tracks_hidden,
						    "track_rows", (json_int_t)st.rows));
	if (r && st.analytics)
		json_object_set_new(r, "analytics", st.analytics);
	else
		json_decref(st.analytics);
	if (r && st.timing)
		json_object_set_new(r, "timing", st.timing);
	else
		json_decref(st.timing);
	if (r && ret)
		json_object_set_new(r, "error", ob_json_bytes(ob_errmsg()));
	if (r && st.video_codec)
		json_object_set_new(r, "video_codec", json_string(st.video_codec));
	/* A photo has no duration: null, not a made-up one. */
	if (r && st.photo) {
		json_object_set_new(r, "media_seconds", json_null());
		json_object_set_new(r, "photo", json_string(st.photo));
	}
	if (r && st.video_codec)
		json_object_set_new(r, "media", json_string(st.photo ? "image" : "video"));
	if (r && st.job_id[0])
		json_object_set_new(r, "job_id", json_string(st.job_id));
	if (r) {
		json_object_set_new(r, "signed", json_boolean(o->key != NULL));
		json_object_set_new(r, "manifest_head",
				    ret ? json_null() : json_string(st.manifest_head));
	}
	if (r)
		write_line(r);
	json_decref(r);
	_exit(ret ? 1 : 0);
}

/* ---- parent side ---- */

static json_t *job_entry(const struct ob_plan_item *it)
{
	return json_pack("{s:o, s:o, s:o, s:o}", "input", ob_json_bytes(it->input), "output",
			 *it->output ? ob_json_bytes(it->output) : json_null(), "tracks",
			 ob_json_bytes(it->tracks), "bundle", ob_json_bytes(it->bundle));
}

static void finish_entry(json_t *entry, const struct ob_plan_item *it, json_t *result,
			 const char *fallback_error, double elapsed)
{
	if (result) {
		json_object_del(result, "type");
		json_object_update(entry, result);
	} else {
		json_object_set_new(entry, "status", json_string("failed"));
		json_object_set_new(entry, "error_kind", json_string("internal"));
		json_object_set_new(entry, "error", ob_json_bytes(fallback_error));
		json_object_set_new(entry, "frames", json_integer(0));
	}
	if (strcmp(json_string_value(json_object_get(entry, "status")), "ok")) {
		json_object_set_new(entry, "output", json_null());
		json_object_set_new(entry, "tracks", json_null());
		json_object_set_new(entry, "bundle", json_null());
		json_object_set_new(entry, "manifest_head", json_null());
	}
	json_object_set_new(entry, "elapsed_seconds", json_real(elapsed));
	(void)it;
}

json_t *ob_runner_failed_entry(const struct ob_plan_item *it, const char *why, const char *kind)
{
	json_t *entry = job_entry(it);

	if (!entry)
		return NULL;
	finish_entry(entry, it, NULL, why, 0);
	if (kind)
		json_object_set_new(entry, "error_kind", json_string(kind));
	return entry;
}

/* Records a finished bundle in the ledger; a failure fails the job (runner.h). */
void ob_runner_ledger_entry(const struct ob_runner_opts *o, json_t *entry, const struct ob_plan_item *it)
{
	long long seq;

	const char *status = json_string_value(json_object_get(entry, "status"));

	if (!o->ledger || (strcmp(status, "ok") && strcmp(status, "skipped")))
		return;
	if (ob_ledger_append_bundle(o->ledger, it->bundle, it->input,
				    json_string_value(json_object_get(entry, "job_id")),
				    json_string_value(json_object_get(entry, "manifest_head")), &seq)) {
		json_object_set_new(entry, "status", json_string("failed"));
		json_object_set_new(entry, "error_kind", json_string("output"));
		json_object_set_new(entry, "error", ob_json_bytes(ob_errmsg()));
		return;
	}
	json_object_set_new(entry, "ledger_seq", json_integer(seq));
}

void ob_runner_ledger_once(const struct ob_runner_opts *o, json_t *entry, const struct ob_plan_item *it)
{
	const char *status = json_string_value(json_object_get(entry, "status"));
	char hex[OB_SHA256_HEX_LEN + 1];
	long long seq;

	if (!o->ledger || (strcmp(status, "ok") && strcmp(status, "skipped")))
		return;
	if (!ob_sha256_file_hex(it->bundle, OB_HASH_FILE_MAX, hex, NULL) &&
	    (seq = ob_ledger_find(o->ledger_entries, hex)) >= 0) {
		json_object_set_new(entry, "ledger_seq", json_integer(seq));
		return;
	}
	ob_runner_ledger_entry(o, entry, it);
}

/* Removes the temporary file of final that process pid was writing. */
static void unlink_tmp(const char *final, pid_t pid)
{
	char tmp[OB_PATH_MAX];

	if (*final && !ob_atomic_tmpname_pid(final, (long)pid, tmp, sizeof(tmp)))
		unlink(tmp);
}

static void report_done(const struct ob_runner_opts *o, json_t *entry)
{
	const char *status = json_string_value(json_object_get(entry, "status"));

	ob_progress_clear();
	if (!strcmp(status, "skipped")) {
		if (!o->quiet)
			fprintf(stderr, "obscura: skipped: %s: done (%s verifies)\n",
				json_string_value(json_object_get(entry, "input")),
				ob_path_base(json_string_value(json_object_get(entry, "bundle"))));
	} else if (!strcmp(status, "ok")) {
		if (!o->quiet) {
			double el = json_real_value(json_object_get(entry, "elapsed_seconds"));
			json_int_t fr = json_integer_value(json_object_get(entry, "frames"));

			const char *out = json_string_value(json_object_get(entry, "output"));
			long long nt = (long long)json_integer_value(json_object_get(entry, "tracks_count"));

			if (json_object_get(entry, "photo"))
				fprintf(stderr, "obscura: ok: %s -> %s + %s (photo, %lld track%s, %.1f s)\n",
					json_string_value(json_object_get(entry, "input")),
					out ? out : json_string_value(json_object_get(entry, "tracks")),
					ob_path_base(json_string_value(json_object_get(entry, "bundle"))), nt,
					nt == 1 ? "" : "s", el);
			else
				fprintf(stderr, "obscura: ok: %s -> %s + %s (%lld frame%s, %lld track%s, %.1f s, %.0f fps)\n",
					json_string_value(json_object_get(entry, "input")),
					out ? out : json_string_value(json_object_get(entry, "tracks")),
					ob_path_base(json_string_value(json_object_get(entry, "bundle"))), (long long)fr,
					fr == 1 ? "" : "s", nt, nt == 1 ? "" : "s", el, el > 0 ? (double)fr / el : 0.0);
		}
		if (json_integer_value(json_object_get(entry, "frames_lost")) > 0 ||
		    json_integer_value(json_object_get(entry, "decode_errors")) > 0)
			fprintf(stderr, "obscura: warning: %s: %lld frames lost to corruption (%lld corrupt packets skipped)\n",
				json_string_value(json_object_get(entry, "input")),
				(long long)json_integer_value(json_object_get(entry, "frames_lost")),
				(long long)json_integer_value(json_object_get(entry, "decode_errors")));
	} else {
		/* The job's line; the batch goes on, and its exit code comes from the summary. */
		const char *error = json_string_value(json_object_get(entry, "error"));

		ob_cli_error(OB_EXIT_FAILED, "%s", error ? error : "job failed without a message");
	}
}

static int default_threads(int jobs)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int t = (int)(cores > 0 ? cores : 1) / (jobs > 0 ? jobs : 1);

	return t < 1 ? 1 : t;
}

/* The batch's analytics: every finished job's totals, summed by line and
 * zone name and by hour (ob_analytics_totals_add); null if out of memory. */
static json_t *batch_analytics(const json_t *jobs)
{
	json_t *acc = json_pack("{s:i}", "inputs", 0), *job;
	size_t i;

	json_array_foreach(jobs, i, job) {
		const json_t *t = json_object_get(json_object_get(job, "analytics"), "totals");

		if (acc && t && !strcmp(json_string_value(json_object_get(job, "status")), "ok") &&
		    ob_analytics_totals_add(acc, t)) {
			json_decref(acc);
			acc = NULL;
		}
	}
	if (acc && ob_analytics_totals_sort(acc)) {
		json_decref(acc);
		acc = NULL;
	}
	return acc ? acc : json_null();
}

/*
 * The batch in progress, kept the way git's run_processes_parallel() keeps
 * its children: the plan, the summary's entries, one slot per job that may
 * run at once, and how far the batch has got.  ob_runner_run() is a short
 * loop over the three concerns below: start jobs, collect what they report,
 * draw the progress line.
 */
struct batch {
	const struct ob_runner_opts *o;
	size_t n;                  /* items, one per input */
	const struct ob_plan_item *items; /* the caller's plan */
	json_t **entries;          /* the summary's job entries, in input order */
	struct slot slots[OB_JOBS_MAX];
	int nslots, threads;
	size_t next;               /* the first item not started */
	size_t finished, nok, nskipped;
	bool forwarded;            /* a stop signal was passed on to the jobs */
	struct sigaction old_int, old_term, old_hup;
	double t0, last_draw;
};

#define POLL_MS 250             /* longest wait for a report before the progress line is redrawn */
#define PROGRESS_INTERVAL 0.2   /* seconds between two progress lines */

/* Frees what batch_init() made; entries already moved into the summary are NULL. */
static void batch_release(struct batch *b)
{
	for (size_t i = 0; b->entries && i < b->n; i++)
		json_decref(b->entries[i]);
	free(b->entries);
	b->entries = NULL;
}

/* Makes each planned item's entry before any job starts. */
static int batch_init(struct batch *b, const struct ob_runner_opts *o, const struct ob_plan_item *items, size_t n)
{
	int ret = 0;

	*b = (struct batch){ .o = o, .n = n, .items = items, .t0 = ob_clock_seconds() };
	b->nslots = o->jobs < 1 ? 1 : o->jobs > OB_JOBS_MAX ? OB_JOBS_MAX : o->jobs;
	b->threads = o->threads > 0 ? o->threads : default_threads(b->nslots);
	b->entries = calloc(n ? n : 1, sizeof(*b->entries));
	if (!b->entries)
		ret = ob_err(OB_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < n && !ret; i++)
		if (!(b->entries[i] = job_entry(&b->items[i])))
			ret = ob_err(OB_ERR_NOMEM, "out of memory");
	if (ret)
		batch_release(b);
	return ret;
}

/* SIGINT, SIGTERM and SIGHUP stop the batch (on_signal) while it runs;
 * each job process gets the caller's handlers back. */
static void catch_signals(struct batch *b)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &b->old_int);
	sigaction(SIGTERM, &sa, &b->old_term);
	sigaction(SIGHUP, NULL, &b->old_hup);
	if (ob_hangup_stops())
		sigaction(SIGHUP, &sa, NULL);
}

/* The handlers obscura had before the batch: after it, and in each job process. */
static void restore_signals(const struct batch *b)
{
	sigaction(SIGINT, &b->old_int, NULL);
	sigaction(SIGTERM, &b->old_term, NULL);
	sigaction(SIGHUP, &b->old_hup, NULL);
}

/* A finished entry counts as ok only with status "ok" (a failed ledger append turns it). */
static bool entry_ok(const json_t *entry)
{
	return !strcmp(json_string_value(json_object_get(entry, "status")), "ok");
}

/* An item that never ran: its entry says why (kind: error_kind, or NULL for
 * "internal"), and it is done. */
static void finish_unstarted(struct batch *b, size_t j, const char *why, const char *kind)
{
	finish_entry(b->entries[j], &b->items[j], NULL, why, 0);
	if (kind)
		json_object_set_new(b->entries[j], "error_kind", json_string(kind));
	b->finished++;
}

/* --skip-done: item j is done; its entry says "skipped", with what its
 * bundle records, and the ledger gets the bundle if it lacks it. */
static void finish_skipped(struct batch *b, size_t j)
{
	const struct ob_plan_item *it = &b->items[j];
	json_t *entry = b->entries[j];

	json_object_set_new(entry, "status", json_string("skipped"));
	json_object_set_new(entry, "error_kind", json_string("ok"));
	json_object_set_new(entry, "frames", json_integer(0));
	json_object_set_new(entry, "manifest_head", json_string(it->done_head));
	json_object_set_new(entry, "job_id", json_string(it->done_job));
	json_object_set_new(entry, "elapsed_seconds", json_real(0));
	ob_runner_ledger_once(b->o, entry, it);
	if (strcmp(json_string_value(json_object_get(entry, "status")), "skipped")) {
		json_object_set_new(entry, "output", json_null());
		json_object_set_new(entry, "tracks", json_null());
		json_object_set_new(entry, "bundle", json_null());
		json_object_set_new(entry, "manifest_head", json_null());
	} else {
		b->nskipped++;
	}
	b->finished++;
	report_done(b->o, entry);
}

/* ---- starting jobs ---- */

/* Forks the job's process, which reports on fds[1]; the parent keeps fds[0]
 * (closed if the fork failed) and buf, the report buffer it reads into.
 * The child holds no other job's pipe or buffer (freed: LeakSanitizer
 * checks the job's memory) and has the caller's signal handlers back. */
static pid_t spawn(const struct batch *b, const struct ob_plan_item *it, const int fds[2], char *buf)
{
	pid_t parent = getpid(), pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		/* A job dies with its runner, even by SIGKILL (cron's timeout):
		 * unsupervised, it would finish outputs no ledger records.  A
		 * runner already gone before the request took effect is seen
		 * by getppid(). */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
			_exit(127);
		close(fds[0]);
		free(buf);
		for (int m = 0; m < b->nslots; m++)
			if (b->slots[m].pid) {
				close(b->slots[m].fd);
				free(b->slots[m].buf);
			}
		restore_signals(b);
		run_child(b->o, it, fds[1], b->threads, b->nslots);
	}
	close(fds[1]);
	if (pid < 0)
		close(fds[0]);
	return pid;
}

/* Starts item j in the free slot s.  An item that cannot run (refused when
 * planned, or no memory, pipe or process for it) is finished and reported
 * here, and the slot stays free. */
static void start_one(struct batch *b, struct slot *s, size_t j)
{
	const struct ob_plan_item *it = &b->items[j];
	const char *why = NULL, *kind = NULL;
	char *buf = NULL, msg[OB_ERRMSG_MAX];
	int fds[2];
	pid_t pid = -1;

	if (it->done) {
		finish_skipped(b, j);
		return;
	}
	if (it->status) {
		why = it->error;
		kind = ob_status_name(it->status);
	} else if (!(buf = malloc(REPORT_LINE_MAX))) {
		snprintf(msg, sizeof(msg), "%s: out of memory for the job's report", it->input);
		why = msg;
		kind = ob_status_name(OB_ERR_NOMEM);
	} else if (pipe(fds) < 0) {
		why = "cannot create pipe for job";
	} else if ((pid = spawn(b, it, fds, buf)) < 0) {
		why = "cannot start job process";
	}
	if (why) {
		free(buf);
		finish_unstarted(b, j, why, kind);
		report_done(b->o, b->entries[j]);
		return;
	}
	if (*it->redo) {
		ob_progress_clear();
		fprintf(stderr, "obscura: warning: %s; redoing it (--force)\n", it->redo);
		json_object_set_new(b->entries[j], "redone", ob_json_bytes(it->redo));
	}
	*s = (struct slot){ .pid = pid, .fd = fds[0], .job = j, .buf = buf, .total = -1, .started = ob_clock_seconds() };
}

/* Fills every free slot with the next item, unless a stop was asked. */
static void start_jobs(struct batch *b)
{
	for (int k = 0; k < b->nslots; k++)
		while (!b->slots[k].pid && b->next < b->n && !stop_requested)
			start_one(b, &b->slots[k], b->next++);
}

/* Jobs whose process has not been collected yet. */
static int running(const struct batch *b)
{
	int n = 0;

	for (int k = 0; k < b->nslots; k++)
		n += b->slots[k].pid != 0;
	return n;
}

/*
 * After SIGINT or SIGTERM: nothing left is started (those items are marked,
 * not reported one by one).  A signal sent to obscura alone (kill PID, a
 * service manager, a timeout) must stop the running jobs too, not only the
 * batch: it is passed on once; each child stops at its next frame.
 */
static void stop_jobs(struct batch *b)
{
	for (; b->next < b->n; b->next++)
		finish_unstarted(b, b->next, "interrupted before it started", "interrupted");
	if (b->forwarded || !running(b))
		return;
	for (int k = 0; k < b->nslots; k++)
		if (b->slots[k].pid)
			kill(b->slots[k].pid, SIGTERM);
	b->forwarded = true;
}

/* ---- collecting results ---- */

/* Reads what a child wrote; keeps its last result and progress. */
static void drain_child(struct slot *s)
{
	char chunk[4096];
	ssize_t n = read(s->fd, chunk, sizeof(chunk));

	if (n <= 0)
		return;
	if (s->len + (size_t)n > REPORT_LINE_MAX) {
		s->len = 0; /* garbage from a broken child: drop it */
		return;
	}
	memcpy(s->buf + s->len, chunk, (size_t)n);
	s->len += (size_t)n;
	for (;;) {
		char *nl = memchr(s->buf, '\n', s->len);
		json_t *obj;
		const char *type;

		if (!nl)
			break;
		*nl = '\0';
		obj = json_loads(s->buf, 0, NULL);
		type = obj ? json_string_value(json_object_get(obj, "type")) : NULL;
		if (type && !strcmp(type, "progress")) {
			s->done = json_integer_value(json_object_get(obj, "done"));
			s->total = json_integer_value(json_object_get(obj, "total"));
			json_decref(obj);
		} else if (type && !strcmp(type, "result")) {
			json_decref(s->result);
			s->result = obj;
		} else {
			json_decref(obj);
		}
		s->len -= (size_t)(nl + 1 - s->buf);
		memmove(s->buf, nl + 1, s->len);
	}
}

/* A job process killed by a signal leaves its temporary files, which carry
 * its pid in their names: its manifest and the manifest's own temporary. */
static void remove_leftovers(const struct ob_plan_item *it, pid_t pid)
{
	char manifest[OB_PATH_MAX];

	unlink_tmp(it->output, pid);
	unlink_tmp(it->tracks, pid);
	unlink_tmp(it->bundle, pid);
	if (!ob_atomic_tmpname_pid(it->manifest, (long)pid, manifest, sizeof(manifest))) {
		unlink_tmp(manifest, pid);
		unlink(manifest);
	}
}

/* The child closed its end of the pipe: it is done, one way or another.
 * Reaps it, fills its entry from its report (or from how it ended),
 * records it in the ledger, reports it and frees its slot. */
static void collect_finished(struct batch *b, struct slot *s)
{
	const struct ob_plan_item *it = &b->items[s->job];
	json_t *entry = b->entries[s->job];
	int wstatus = 0;
	char why[128];

	close(s->fd);
	while (waitpid(s->pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(wstatus)) {
		snprintf(why, sizeof(why), "%s: job process died (signal %d)", it->input, WTERMSIG(wstatus));
		remove_leftovers(it, s->pid);
	} else {
		snprintf(why, sizeof(why), "%s: job ended without a report", it->input);
	}
	finish_entry(entry, it, s->result, why, ob_clock_seconds() - s->started);
	ob_runner_ledger_entry(b->o, entry, it);
	b->nok += entry_ok(entry);
	report_done(b->o, entry);
	json_decref(s->result);
	free(s->buf);
	memset(s, 0, sizeof(*s));
	b->finished++;
}

/* Waits up to POLL_MS for the running jobs to write, reads what they wrote
 * and collects those that ended.  -1 if poll() itself failed. */
static int collect_reports(struct batch *b)
{
	struct pollfd pfd[OB_JOBS_MAX];
	int map[OB_JOBS_MAX], np = 0;

	for (int k = 0; k < b->nslots; k++) {
		if (!b->slots[k].pid)
			continue;
		pfd[np] = (struct pollfd){ .fd = b->slots[k].fd, .events = POLLIN };
		map[np++] = k;
	}
	if (poll(pfd, (nfds_t)np, POLL_MS) < 0 && errno != EINTR)
		return -1;
	for (int p = 0; p < np; p++) {
		struct slot *s = &b->slots[map[p]];
		short ev = pfd[p].revents;

		if (!(ev & (POLLIN | POLLHUP | POLLERR)))
			continue;
		drain_child(s);
		if ((ev & POLLHUP) && !(ev & POLLIN))
			collect_finished(b, s);
	}
	return 0;
}

/* ---- progress ---- */

/* The progress line, at most every PROGRESS_INTERVAL, when asked for. */
static void draw_progress(struct batch *b)
{
	int64_t done = 0, est = 0;

	if (!b->o->progress || ob_clock_seconds() - b->last_draw <= PROGRESS_INTERVAL)
		return;
	for (int k = 0; k < b->nslots; k++) {
		const struct slot *s = &b->slots[k];

		if (!s->pid)
			continue;
		done += s->done;
		est += s->total > 0 ? s->total : 0;
	}
	ob_progress_draw(b->finished, b->n, b->nskipped, running(b), done, est, ob_clock_seconds() - b->t0);
	b->last_draw = ob_clock_seconds();
}

/* The summary of ob_runner_run() (runner.h); the entries move into it. */
static int make_summary(struct batch *b, json_t **summary)
{
	json_t *jobs = json_array();

	if (!jobs)
		return ob_err(OB_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < b->n; i++) {
		json_array_append_new(jobs, b->entries[i]);
		b->entries[i] = NULL;
	}
	return ob_runner_summary(b->o, jobs, stop_requested, ob_clock_seconds() - b->t0, summary);
}

int ob_runner_summary(const struct ob_runner_opts *o, json_t *jobs, bool interrupted, double elapsed,
		      json_t **summary)
{
	json_int_t nok = 0, nskipped = 0;
	json_t *job, *sum;
	size_t i;

	json_array_foreach(jobs, i, job) {
		nok += entry_ok(job);
		nskipped += !strcmp(json_string_value(json_object_get(job, "status")), "skipped");
	}
	sum = json_pack("{s:s, s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:b, s:f, s:o}", "version", OB_VERSION,
			"recipe", ob_json_bytes(o->recipe->path), "purpose", ob_audit_purpose(o->recipe),
			"outdir", ob_json_bytes(o->outdir), "jobs", jobs,
			"ok", nok, "skipped", nskipped, "failed", (json_int_t)json_array_size(jobs) - nok - nskipped,
			"interrupted", (int)interrupted, "elapsed_seconds", elapsed,
			"analytics", batch_analytics(jobs));
	if (!sum)
		return ob_err(OB_ERR_NOMEM, "out of memory");
	*summary = sum;
	return 0;
}

int ob_runner_run_items(const struct ob_runner_opts *o, const struct ob_plan_item *items, size_t n,
			json_t **summary)
{
	struct batch b;
	int ret;

	*summary = NULL;
	if ((ret = batch_init(&b, o, items, n)))
		return ret;
	catch_signals(&b);
	while (b.finished < b.n) {
		start_jobs(&b);
		if (stop_requested)
			stop_jobs(&b);
		if (!running(&b))
			continue;
		if (collect_reports(&b))
			break;
		draw_progress(&b);
	}
	ob_progress_clear();
	restore_signals(&b);
	ret = make_summary(&b, summary);
	batch_release(&b);
	return ret;
}

int ob_runner_run(const struct ob_runner_opts *o, const struct ob_input_list *in, json_t **summary)
{
	struct ob_plan_item *items = calloc(in->n ? in->n : 1, sizeof(*items));
	int ret;

	*summary = NULL;
	if (!items)
		return ob_err(OB_ERR_NOMEM, "out of memory");
	ret = ob_runner_plan(o, in, items);
	if (!ret)
		ret = ob_runner_run_items(o, items, in->n, summary);
	free(items);
	return ret;
}

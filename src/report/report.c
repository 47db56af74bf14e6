/* SPDX-License-Identifier: MIT */
/* report.c - one bundle's review report: verify it, read its manifest, take out its export, draw the sheet. */
#include "obscura/report.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "obscura/array.h"
#include "obscura/bundle.h"
#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/manifest.h"
#include "obscura/sigclean.h"
#include "obscura/source.h"
#include "obscura/trackfile.h"
#include "obscura/utf8.h"
#include "report_int.h"
#include "obscura/banned.h"

#define AUDIT_README "README.txt"
#define AUDIT_SUMS "SHA256SUMS"
#define TRACKS_SUFFIX ".tracks.h5"

int ob_report_name(const char *bundle, char *name, size_t size)
{
	const char *base = ob_path_base(bundle);
	size_t n = strlen(base), sl = strlen(OB_BUNDLE_SUFFIX);

	if (n > sl && !strcmp(base + n - sl, OB_BUNDLE_SUFFIX))
		n -= sl;
	if (snprintf(name, size, "%.*s%s", (int)n, base, OB_REPORT_SUFFIX) >= (int)size)
		return ob_err(OB_ERR_LIMIT, "%s: name too long for its report", bundle);
	return 0;
}

/* The bundle's export and tracks file, copied out while the manifest is read. */
struct takeout {
	char export_tmp[OB_PATH_MAX], tracks_tmp[OB_PATH_MAX];
	int export_fd, tracks_fd;
	char export_name[OB_BUNDLE_NAME_MAX + 1], tracks_name[OB_BUNDLE_NAME_MAX + 1];
	char export_sha[OB_SHA256_HEX_LEN + 1], tracks_sha[OB_SHA256_HEX_LEN + 1];
	int error;
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

/* A member that is none of the audit's own files is the export (the first
 * one) or the tracks file; which is which the manifest confirms later. */
static int copy_fd(void *ctx, const char *name)
{
	struct takeout *t = ctx;
	bool tracks = ends_with(name, TRACKS_SUFFIX);
	int *fd = tracks ? &t->tracks_fd : &t->export_fd;
	const char *tmp = tracks ? t->tracks_tmp : t->export_tmp;
	char *taken = tracks ? t->tracks_name : t->export_name;

	if (!strcmp(name, OB_BUNDLE_MANIFEST) || !strcmp(name, OB_BUNDLE_SIGNATURE) ||
	    !strcmp(name, OB_BUNDLE_PUBKEY) || !strcmp(name, AUDIT_README) || !strcmp(name, AUDIT_SUMS) ||
	    taken[0] || t->error)
		return -1;
	*fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (*fd < 0) {
		t->error = ob_err(OB_ERR_OUTPUT, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	snprintf(taken, OB_BUNDLE_NAME_MAX + 1, "%s", name);
	return *fd;
}

static void takeout_close(struct takeout *t)
{
	if (t->export_fd >= 0)
		close(t->export_fd);
	if (t->tracks_fd >= 0)
		close(t->tracks_fd);
	t->export_fd = t->tracks_fd = -1;
}

/* One pass over the bundle: the manifest kept in memory, export and tracks file copied out. */
static int read_bundle(const char *bundle, struct takeout *t, char **manifest, size_t *len)
{
	static const char *const keep[] = { OB_BUNDLE_MANIFEST, NULL };
	struct ob_bundle_reader *r = NULL;
	struct ob_bundle_member m;
	int rc;

	*manifest = NULL;
	*len = 0;
	if ((rc = ob_bundle_open(bundle, keep, OB_MANIFEST_FILE_MAX, &r)))
		return rc;
	ob_bundle_set_copy(r, copy_fd, t);
	while ((rc = ob_bundle_next(r, &m)) == 1) {
		if (!strcmp(m.name, OB_BUNDLE_MANIFEST) && m.data && !*manifest) {
			*manifest = m.data;
			*len = (size_t)m.size;
			m.data = NULL;
		}
		if (!strcmp(m.name, t->export_name))
			snprintf(t->export_sha, sizeof(t->export_sha), "%s", m.sha256_hex);
		if (!strcmp(m.name, t->tracks_name))
			snprintf(t->tracks_sha, sizeof(t->tracks_sha), "%s", m.sha256_hex);
		ob_bundle_member_release(&m);
	}
	ob_bundle_reader_free(&r);
	takeout_close(t);
	if (rc == 0 && t->error)
		rc = t->error;
	if (rc == 0 && !*manifest)
		rc = ob_err(OB_ERR_INPUT, "%s: no readable %s", bundle, OB_BUNDLE_MANIFEST);
	return rc;
}

/* The entries: checked as verify checks them, else every line that parses
 * (a tampered manifest is still shown, and the page says it is tampered). */
static int parse_manifest(struct report_data *d, const char *buf, size_t len)
{
	struct ob_manifest_check chk;
	const char *p = buf, *end = buf + len;

	if (!ob_manifest_check_buf(buf, len, &d->entries, &chk)) {
		d->chain_ok = true;
		return 0;
	}
	d->entries = json_array();
	if (!d->entries)
		return ob_err(OB_ERR_NOMEM, "out of memory");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		json_t *e = json_loadb(p, n, JSON_REJECT_DUPLICATES, NULL);

		if (json_is_object(e))
			json_array_append(d->entries, e);
		json_decref(e);
		p += n + 1;
	}
	return 0;
}

static int cmp_track(const void *a, const void *b)
{
	const struct report_track *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Every track a redaction event names (hidden or kept), sorted by id. */
static int collect_tracks(struct report_data *d)
{
	size_t i = 0, cap = 0;
	const json_t *e;

	while ((e = ob_manifest_next_event(d->entries, "redaction", &i))) {
		const json_t *id = json_object_get(e, "track");
		int ret;

		if (!json_is_integer(id) || json_integer_value(id) < 1)
			continue;
		if ((ret = ob_grow(&d->tracks, &cap, d->n_tracks + 1, sizeof(*d->tracks), OB_TRACKFILE_MAX_TRACKS)))
			return ret;
		d->tracks[d->n_tracks++] = (struct report_track){ .id = (uint64_t)json_integer_value(id), .event = e };
	}
	if (d->n_tracks)
		qsort(d->tracks, d->n_tracks, sizeof(*d->tracks), cmp_track);
	return 0;
}

static struct report_track *find_track(struct report_data *d, uint64_t id)
{
	struct report_track key = { .id = id };

	return d->n_tracks ? bsearch(&key, d->tracks, d->n_tracks, sizeof(key), cmp_track) : NULL;
}

static int cmp_pic(const void *a, const void *b)
{
	const struct report_picture *x = a, *y = b;

	return x->t.frame < y->t.frame ? -1 : x->t.frame > y->t.frame;
}

static int add_picture(struct report_data *d, size_t *cap, int64_t frame, const char *why)
{
	int ret;

	for (size_t i = 0; i < d->n_pics; i++)
		if (d->pics[i].t.frame == frame) {
			size_t n = strlen(d->pics[i].why);

			snprintf(d->pics[i].why + n, sizeof(d->pics[i].why) - n, "; %s", why);
			return 0;
		}
	if ((ret = ob_grow(&d->pics, cap, d->n_pics + 1, sizeof(*d->pics),
			   OB_REPORT_MAX_PERIODIC + OB_REPORT_MAX_TRACK_PICTURES)))
		return ret;
	d->pics[d->n_pics] = (struct report_picture){ .t = { .frame = frame } };
	snprintf(d->pics[d->n_pics].why, sizeof(d->pics[0].why), "%s", why);
	d->n_pics++;
	return 0;
}

/* Which frames the sheet shows: one every o->every seconds, and each hidden
 * track's middle frame, within the export's frames. */
static int plan_pictures(struct report_data *d)
{
	int64_t frames = json_integer_value(json_object_get(d->end, "frames"));
	double step = d->o->every * d->fps;
	size_t cap = 0, tracks = 0;
	char why[128];
	int ret;

	if (frames <= 0)
		return 0;
	if (step < 1)
		step = 1;
	for (int k = 0; k < OB_REPORT_MAX_PERIODIC; k++) {
		int64_t f = (int64_t)llround(k * step);

		if (f >= frames)
			break;
		snprintf(why, sizeof(why), "every %g s", d->o->every);
		if ((ret = add_picture(d, &cap, f, why)))
			return ret;
	}
	for (size_t i = 0; i < d->n_tracks && tracks < OB_REPORT_MAX_TRACK_PICTURES; i++) {
		const json_t *e = d->tracks[i].event;
		json_int_t first = json_integer_value(json_object_get(e, "first"));
		json_int_t last = json_integer_value(json_object_get(e, "last"));
		const char *reason = json_string_value(json_object_get(e, "reason"));

		if (!reason || !strcmp(reason, "kept") || first < 0 || last < first || last >= frames)
			continue;
		snprintf(why, sizeof(why), "middle of track %llu", (unsigned long long)d->tracks[i].id);
		if ((ret = add_picture(d, &cap, first + (last - first) / 2, why)))
			return ret;
		tracks++;
	}
	if (d->n_pics)
		qsort(d->pics, d->n_pics, sizeof(*d->pics), cmp_pic);
	return 0;
}

static struct report_picture *find_picture(struct report_data *d, int64_t frame)
{
	struct report_picture key = { .t = { .frame = frame } };

	return d->n_pics ? bsearch(&key, d->pics, d->n_pics, sizeof(key), cmp_pic) : NULL;
}

/* The tracks file's rows, once: each track's hidden rows by kind, and the
 * boxes hidden on the pictures' frames. */
static int read_rows(struct report_data *d, struct ob_trackfile *f)
{
	struct ob_track_row *rows = malloc(OB_TRACKFILE_CHUNK_ROWS * sizeof(*rows));
	double margin = d->recipe ? d->recipe->pixelate.margin : 0;
	int64_t start = 0;
	size_t got;
	int ret = 0;

	if (!rows)
		return ob_err(OB_ERR_NOMEM, "out of memory");
	while (!(ret = ob_trackfile_read_rows(f, start, OB_TRACKFILE_CHUNK_ROWS, rows, &got)) && got) {
		for (size_t i = 0; i < got && !ret; i++) {
			const struct ob_track_row *row = &rows[i];
			struct report_track *t;
			struct report_picture *p;

			if (!row->hidden)
				continue;
			if ((t = find_track(d, row->track)) && row->kind <= OB_ROW_EXTRAPOLATED)
				t->rows[row->kind]++;
			if (!(p = find_picture(d, row->frame)))
				continue;
			ret = ob_grow(&p->boxes, &p->cap_boxes, p->n_boxes + 1, sizeof(*p->boxes), OB_FRAME_MAX_ROWS);
			if (!ret)
				p->boxes[p->n_boxes++] = (struct report_box){
					ob_box_grow((struct ob_box){ row->cover_x, row->cover_y, row->cover_w, row->cover_h },
						    margin), row->track };
		}
		start += (int64_t)got;
	}
	free(rows);
	for (size_t i = 0; i < d->n_tracks && !ret; i++)
		d->tracks[i].counted = true;
	return ret;
}

static int read_tracks(struct report_data *d, const char *path)
{
	struct ob_trackfile *f = NULL;
	const struct ob_trackfile_meta *m;
	int ret = ob_trackfile_open(path, &f);

	if (ret)
		return ret;
	m = ob_trackfile_meta(f);
	if (m->fps_num > 0 && m->fps_den > 0)
		d->fps = (double)m->fps_num / m->fps_den;
	ret = plan_pictures(d);
	if (!ret)
		ret = read_rows(d, f);
	ob_trackfile_close(&f);
	return ret;
}

/* The export member the manifest names: the first output event, when the
 * bundle has one (checkpoints), with the size and SHA-256 it records. */
static const json_t *export_event(const struct report_data *d)
{
	if (!ob_manifest_event(d->entries, "checkpoint"))
		return NULL;
	return ob_manifest_event(d->entries, "output");
}

static void gather_events(struct report_data *d)
{
	d->start = ob_manifest_event(d->entries, "start");
	d->input = ob_manifest_event(d->entries, "input");
	d->end = ob_manifest_event(d->entries, "end");
	d->replay = ob_manifest_event(d->entries, "replay");
	d->fps = OB_SOURCE_FPS_UNKNOWN;
	if (d->start) {
		const char *text = json_string_value(json_object_get(json_object_get(d->start, "recipe"), "text"));

		/* the recipe for its margin and zones; one that no longer parses is only shown */
		if (text && ob_recipe_parse("recipe", text, &d->recipe))
			d->recipe = NULL;
	}
}

/* Whether an output event records the member name with this SHA-256: what
 * the page draws from a member must be what the signed manifest vouches for. */
static bool recorded(const struct report_data *d, const char *name, const char *sha)
{
	const json_t *ev;
	size_t i = 0;

	while ((ev = ob_manifest_next_event(d->entries, "output", &i)))
		if (!strcmp(json_string_value(json_object_get(ev, "name")) ?: "", name) &&
		    !strcmp(json_string_value(json_object_get(ev, "sha256")) ?: "", sha))
			return true;
	return false;
}

/* Everything but the verification, which the caller has done. */
static int gather(struct report_data *d, struct takeout *t)
{
	const json_t *ev;
	char *manifest = NULL;
	size_t len;
	int ret;

	ret = read_bundle(d->bundle, t, &manifest, &len);
	if (!ret)
		ret = parse_manifest(d, manifest, len);
	free(manifest);
	if (ret)
		return ret;
	gather_events(d);
	if ((ret = collect_tracks(d)))
		return ret;
	ev = export_event(d);
	if (!ev) {
		snprintf(d->sheet_note, sizeof(d->sheet_note), "This bundle holds no export (analytics only): "
			 "there is nothing to show.");
	} else if (strcmp(json_string_value(json_object_get(ev, "name")) ?: "", t->export_name) ||
		   strcmp(json_string_value(json_object_get(ev, "sha256")) ?: "", t->export_sha)) {
		snprintf(d->sheet_note, sizeof(d->sheet_note), "The export the manifest names is not in the "
			 "bundle as recorded: no picture is shown.");
	} else {
		d->export_ok = true;
		snprintf(d->export_name, sizeof(d->export_name), "%s", t->export_name);
	}
	if (t->tracks_name[0] && recorded(d, t->tracks_name, t->tracks_sha) && !read_tracks(d, t->tracks_tmp))
		d->tracks_ok = true;
	else if (d->export_ok && !d->n_pics)
		ret = plan_pictures(d); /* no tracks file: the periodic pictures still */
	if (ret)
		return ret;
	if (d->export_ok && d->n_pics) {
		struct ob_thumb *th = calloc(d->n_pics, sizeof(*th));

		if (!th)
			return ob_err(OB_ERR_NOMEM, "out of memory");
		for (size_t i = 0; i < d->n_pics; i++)
			th[i].frame = d->pics[i].t.frame;
		ret = ob_contact_thumbs(t->export_tmp, th, d->n_pics, &d->width, &d->height);
		for (size_t i = 0; i < d->n_pics; i++)
			d->pics[i].t = th[i];
		free(th);
		if (ret) {
			snprintf(d->sheet_note, sizeof(d->sheet_note), "The export could not be decoded: %s",
				 ob_errmsg());
			ret = 0;
		}
	}
	return 0;
}

static void data_release(struct report_data *d)
{
	for (size_t i = 0; i < d->n_pics; i++) {
		free(d->pics[i].t.jpeg);
		free(d->pics[i].boxes);
	}
	free(d->pics);
	free(d->tracks);
	ob_recipe_free(&d->recipe);
	json_decref(d->entries);
	json_decref(d->verify);
}

/* The index's line of this bundle. */
static json_t *index_entry(const struct report_data *d)
{
	const json_t *purpose = json_object_get(d->start, "purpose");
	json_int_t hidden = 0, kept = 0;

	for (size_t i = 0; i < d->n_tracks; i++) {
		const char *reason = json_string_value(json_object_get(d->tracks[i].event, "reason"));

		if (reason && !strcmp(reason, "kept"))
			kept++;
		else
			hidden++;
	}
	return json_pack("{s:o, s:s, s:O, s:O, s:O, s:I, s:I}", "bundle", ob_json_bytes(d->bundle), "status",
			 ob_verdict_name(d->verdict), "input",
			 json_object_get(d->input, "path") ?: json_null(), "purpose",
			 json_object_get(purpose, "purpose") ?: json_null(), "request_ref",
			 json_object_get(purpose, "request_ref") ?: json_null(), "hidden", hidden, "kept", kept);
}

int ob_report_bundle(const struct ob_report_opts *o, const char *bundle, struct ob_report_result *r)
{
	struct report_data d = { .bundle = bundle, .o = o };
	struct takeout t = { .export_fd = -1, .tracks_fd = -1 };
	struct ob_html h = { 0 };
	char final[OB_PATH_MAX], part[OB_PATH_MAX];
	int ret, guard[2] = { -1, -1 };

	*r = (struct ob_report_result){ .verdict = OB_VERDICT_UNREADABLE };
	if ((ret = ob_report_name(bundle, r->name, sizeof(r->name))) ||
	    (ret = ob_path_join(final, sizeof(final), o->outdir, r->name)))
		return ret;
	if ((ret = ob_verify_bundle(bundle, o->key, &d.verify, &d.verdict)))
		return ret;
	r->verdict = d.verdict;
	if (d.verdict == OB_VERDICT_UNREADABLE) {
		ret = ob_err(OB_ERR_INPUT, "%s",
			     json_string_value(json_array_get(json_object_get(d.verify, "problems"), 0)) ?: bundle);
		goto out;
	}
	/* the temporaries carry the pid (fsutil.h): a killed report leaves nothing a later one keeps */
	if (snprintf(part, sizeof(part), "%s.export", final) >= (int)sizeof(part) ||
	    (ret = ob_atomic_tmpname(part, t.export_tmp, sizeof(t.export_tmp))) ||
	    snprintf(part, sizeof(part), "%s.tracks", final) >= (int)sizeof(part) ||
	    (ret = ob_atomic_tmpname(part, t.tracks_tmp, sizeof(t.tracks_tmp)))) {
		ret = ret ? ret : ob_err(OB_ERR_LIMIT, "%s: path too long", final);
		goto out;
	}
	/* a stop signal while they exist (the contact sheet's decoding takes
	 * seconds) removes them (sigclean.h) */
	guard[0] = ob_sigclean_add(t.export_tmp);
	guard[1] = ob_sigclean_add(t.tracks_tmp);
	ret = gather(&d, &t);
	if (ret == OB_ERR_INPUT)
		r->verdict = OB_VERDICT_UNREADABLE;
	if (ret)
		goto out;
	report_page(&d, &h);
	if ((ret = ob_html_status(&h)))
		goto out;
	if ((ret = ob_write_file_atomic(final, h.buf, h.len, 0644)))
		goto out;
	r->index = index_entry(&d);
	if (!r->index)
		ret = ob_err(OB_ERR_NOMEM, "out of memory");
out:
	takeout_close(&t);
	ob_atomic_abort(t.export_tmp);
	ob_atomic_abort(t.tracks_tmp);
	ob_sigclean_drop(guard[0]);
	ob_sigclean_drop(guard[1]);
	ob_html_release(&h);
	data_release(&d);
	return ret;
}

int ob_report_index(const struct ob_report_opts *o, const struct ob_report_result *r, size_t n)
{
	struct ob_html h = { 0 };
	char final[OB_PATH_MAX];
	int ret = ob_path_join(final, sizeof(final), o->outdir, OB_REPORT_INDEX);

	if (ret)
		return ret;
	report_index_page(r, n, &h);
	ret = ob_html_status(&h);
	if (!ret)
		ret = ob_write_file_atomic(final, h.buf, h.len, 0644);
	ob_html_release(&h);
	return ret;
}

void ob_report_result_release(struct ob_report_result *r)
{
	json_decref(r->index);
	r->index = NULL;
}

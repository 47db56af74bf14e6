/* SPDX-License-Identifier: MIT */
/* trackfile_read.c - tracks.h5's reader: the layout checked, then the rows by batch or by frame. */
#include "obscura/trackfile.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "obscura/array.h"
#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/h5.h"
#include "obscura/hash.h"
#include "trackfile_int.h"
#include "obscura/banned.h"

struct ob_trackfile {
	char *path;
	struct tf_h5 h5;
	struct ob_trackfile_meta meta;
	struct ob_track_summary *tracks;
	size_t ntracks;
	bool tracks_read;
	bool no_identity;           /* /tracks written before identities */
	/* rows_at(): a read buffer over /detections and the current frame's rows */
	struct ob_track_row *buf;
	size_t buf_n, buf_pos;
	int64_t next_row;            /* file index of the row after buf[buf_n - 1] */
	int64_t seen_frame;          /* frame of the last row looked at; -1 before */
	struct ob_track_row *cur;
	size_t cur_n, cur_cap;
	int64_t cur_frame;           /* -1 before the first call */
};

static int bad_file(const struct ob_trackfile *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* OB_ERR_INPUT: "path: cause". */
static int bad_file(const struct ob_trackfile *f, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ob_err(OB_ERR_INPUT, "%s: %s", f->path, msg);
}

/* A string from a file, fit to print in one line. */
static const char *printable(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return "(unprintable)";
	return s;
}

static int attr_problem(const struct ob_trackfile *f, const char *name, int r, const char *want)
{
	if (r == OB_H5_ATTR_MISSING)
		return bad_file(f, "no '%s' attribute", name);
	return bad_file(f, "attribute '%s' is not %s", name, want);
}

/* A string attribute copied into buf[size]. */
static int str_attr(struct ob_trackfile *f, const char *name, char *buf, size_t size)
{
	char *v = NULL;
	int r = ob_h5_get_str(f->h5.file, name, size - 1, &v);

	if (r)
		return attr_problem(f, name, r, "a string that fits");
	snprintf(buf, size, "%s", v);
	free(v);
	return 0;
}

static int int_attr(struct ob_trackfile *f, const char *name, int64_t lo, int64_t hi, int64_t *v)
{
	int r = ob_h5_get_i64(f->h5.file, name, v);

	if (r)
		return attr_problem(f, name, r, "an integer");
	if (*v < lo || *v > hi)
		return bad_file(f, "attribute '%s' is out of range (%lld)", name, (long long)*v);
	return 0;
}

static bool is_hex64(const char *s)
{
	if (strlen(s) != OB_SHA256_HEX_LEN)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

static int read_meta(struct ob_trackfile *f)
{
	struct ob_trackfile_meta *m = &f->meta;
	char *format = NULL;
	int64_t v, w, h, fn, fd;
	int r, ret;

	r = ob_h5_get_str(f->h5.file, "format", 64, &format);
	if (r == OB_H5_ATTR_MISSING)
		return bad_file(f, "not an Obscura tracks file (no 'format' attribute)");
	if (r || strcmp(format, OB_TRACKFILE_FORMAT)) {
		ret = bad_file(f, "not an Obscura tracks file (format is '%s')", format ? printable(format) : "?");
		free(format);
		return ret;
	}
	free(format);
	r = ob_h5_get_i64(f->h5.file, "format_version", &v);
	if (r)
		return attr_problem(f, "format_version", r, "an integer");
	if (v > OB_TRACKFILE_VERSION)
		return bad_file(f, "format version %lld is newer than this Obscura reads (%d)", (long long)v,
				OB_TRACKFILE_VERSION);
	if (v < 1)
		return bad_file(f, "invalid format version %lld", (long long)v);
	if ((ret = str_attr(f, "obscura_version", m->version, sizeof(m->version))) ||
	    (ret = str_attr(f, "job_id", m->job_id, sizeof(m->job_id))) ||
	    (ret = str_attr(f, "recipe_sha256", m->recipe_sha256, sizeof(m->recipe_sha256))) ||
	    (ret = str_attr(f, "input_sha256", m->input_sha256, sizeof(m->input_sha256))))
		return ret;
	if (!is_hex64(m->recipe_sha256) || !is_hex64(m->input_sha256))
		return bad_file(f, "attribute '%s' is not a SHA-256 in hex",
				is_hex64(m->recipe_sha256) ? "input_sha256" : "recipe_sha256");
	r = ob_h5_get_str(f->h5.file, "recipe", OB_TRACKFILE_RECIPE_MAX, &m->recipe_text);
	if (r)
		return attr_problem(f, "recipe", r, "a string of at most 1 MiB");
	m->recipe_len = strlen(m->recipe_text);
	if ((ret = int_attr(f, "input_size", 0, INT64_MAX, &m->input_size)) ||
	    (ret = int_attr(f, "width", 1, INT32_MAX, &w)) || (ret = int_attr(f, "height", 1, INT32_MAX, &h)) ||
	    (ret = int_attr(f, "fps_num", 0, INT32_MAX, &fn)) || (ret = int_attr(f, "fps_den", 1, INT32_MAX, &fd)))
		return ret;
	m->width = (int)w;
	m->height = (int)h;
	m->fps_num = (int)fn;
	m->fps_den = (int)fd;
	/* NAN unless read: a missing start_time is a file from before it existed. */
	r = ob_h5_get_f64(f->h5.file, "start_time", &m->start_time);
	if (r == OB_H5_ATTR_MISTYPED)
		return attr_problem(f, "start_time", r, "a float");
	if (isinf(m->start_time))
		return bad_file(f, "attribute 'start_time' is out of range");
	r = ob_h5_get_i64(f->h5.file, "frames", &m->frames);
	if (r == OB_H5_ATTR_MISSING)
		return bad_file(f, "incomplete: the writer did not finish (no 'frames' attribute)");
	return int_attr(f, "frames", 0, INT64_MAX, &m->frames);
}

/* Checks an enum member's names against ours, value by value (a newer file may add values). */
static int check_enum(const struct ob_trackfile *f, const char *ds, const struct ob_h5_member *m, hid_t t)
{
	int n = H5Tget_nmembers(t);

	if (H5Tget_size(t) != 1 || n < 0)
		return bad_file(f, "%s member '%s' is not an 8-bit enum", ds, m->name);
	for (int i = 0; i < n; i++) {
		char *name = H5Tget_member_name(t, (unsigned)i);
		uint8_t v = 0;
		const char *want = NULL;
		bool ok;

		if (!name || H5Tget_member_value(t, (unsigned)i, &v) < 0) {
			H5free_memory(name);
			return bad_file(f, "%s member '%s': unreadable enum", ds, m->name);
		}
		if (v < m->e->n)
			want = m->e->names[v];
		ok = !want || !strcmp(want, name);
		if (!ok) {
			int ret = bad_file(f, "%s member '%s': value %u is '%.32s', not '%s'", ds, m->name, v,
					   printable(name), want);

			H5free_memory(name);
			return ret;
		}
		H5free_memory(name);
	}
	return 0;
}

/* Opens tb's 1-D compound dataset, checks its members against its layout, builds its memory type. */
static int open_table(struct ob_trackfile *f, struct tf_table *tb)
{
	static const char *const class_words[] = { [H5T_INTEGER] = "an integer", [H5T_FLOAT] = "a float",
						   [H5T_ENUM] = "an enum" };
	const struct ob_h5_table *t = tb->layout;
	const char *ds = t->dataset;
	hid_t ft, s = -1;
	hsize_t dims = 0;
	int ret = 0;

	if (H5Lexists(f->h5.file, ds + 1, H5P_DEFAULT) <= 0)
		return bad_file(f, "no %s dataset", ds);
	tb->d = H5Dopen2(f->h5.file, ds, H5P_DEFAULT);
	if (tb->d < 0)
		return bad_file(f, "%s is not a dataset", ds);
	ft = tb->ftype = H5Dget_type(tb->d);
	s = H5Dget_space(tb->d);
	if (ft < 0 || s < 0 || H5Tget_class(ft) != H5T_COMPOUND) {
		ret = bad_file(f, "%s is not a compound dataset", ds);
		goto out;
	}
	if (H5Sget_simple_extent_ndims(s) != 1 || H5Sget_simple_extent_dims(s, &dims, NULL) != 1 ||
	    dims > INT64_MAX) {
		ret = bad_file(f, "%s is not one-dimensional", ds);
		goto out;
	}
	for (size_t i = 0; i < t->n; i++) {
		const struct ob_h5_member *m = &t->m[i];
		int idx = H5Tget_member_index(ft, m->name);
		H5T_class_t want = ob_h5_type_class(m->type);
		hid_t mt;

		if (idx < 0) {
			ret = bad_file(f, "%s has no member '%s'", ds, m->name);
			goto out;
		}
		if (H5Tget_member_class(ft, (unsigned)idx) != want) {
			ret = bad_file(f, "%s member '%s' is not %s", ds, m->name, class_words[want]);
			goto out;
		}
		if (want != H5T_ENUM)
			continue;
		mt = H5Tget_member_type(ft, (unsigned)idx);
		ret = mt < 0 ? bad_file(f, "%s member '%s': unreadable type", ds, m->name) : check_enum(f, ds, m, mt);
		ob_h5_close(&mt);
		if (ret)
			goto out;
	}
	tb->mtype = ob_h5_compound(t, false, ft);
	if (tb->mtype < 0) {
		ret = bad_file(f, "%s: cannot convert its type", ds);
		goto out;
	}
	tb->n = (int64_t)dims;
out:
	ob_h5_close(&s);
	return ret;
}

/* /tracks, with or without its identity column (files before it: each track its own). */
static int open_tracks(struct ob_trackfile *f)
{
	hid_t d = H5Lexists(f->h5.file, "tracks", H5P_DEFAULT) > 0 ? H5Dopen2(f->h5.file, "/tracks", H5P_DEFAULT) : -1;
	hid_t ft = d >= 0 ? H5Dget_type(d) : -1;

	if (ft >= 0 && H5Tget_class(ft) == H5T_COMPOUND && H5Tget_member_index(ft, "identity") < 0) {
		f->no_identity = true;
		tf_table_init(&f->h5.trk, &tracks_table_v1);
	}
	ob_h5_close(&ft);
	ob_h5_close(&d);
	return open_table(f, &f->h5.trk);
}

static int read_models(struct ob_trackfile *f)
{
	struct ob_trackfile_meta *m = &f->meta;
	hid_t d = -1, ft = -1, s = -1, mt = -1;
	hsize_t n = 0;
	int ret = 0;

	if (H5Lexists(f->h5.file, "models", H5P_DEFAULT) <= 0)
		return bad_file(f, "no /models dataset");
	d = H5Dopen2(f->h5.file, "/models", H5P_DEFAULT);
	ft = d >= 0 ? H5Dget_type(d) : -1;
	s = d >= 0 ? H5Dget_space(d) : -1;
	if (ft < 0 || s < 0 || H5Tget_class(ft) != H5T_COMPOUND || H5Sget_simple_extent_ndims(s) != 1 ||
	    H5Tget_member_index(ft, "name") < 0 || H5Tget_member_index(ft, "sha256") < 0 ||
	    H5Tget_member_class(ft, (unsigned)H5Tget_member_index(ft, "name")) != H5T_STRING ||
	    H5Tget_member_class(ft, (unsigned)H5Tget_member_index(ft, "sha256")) != H5T_STRING) {
		ret = bad_file(f, "/models is not a 1-D dataset of {name, sha256} strings");
		goto out;
	}
	H5Sget_simple_extent_dims(s, &n, NULL);
	if (n > OB_TRACKFILE_MAX_MODELS) {
		ret = bad_file(f, "/models has %llu entries (at most %d)", (unsigned long long)n,
			       OB_TRACKFILE_MAX_MODELS);
		goto out;
	}
	mt = models_type(false);
	if (mt < 0 || (n && H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, m->models) < 0)) {
		ret = bad_file(f, "/models cannot be read");
		goto out;
	}
	m->n_models = (size_t)n;
	for (size_t i = 0; i < m->n_models; i++) {
		m->models[i].name[sizeof(m->models[i].name) - 1] = '\0';
		m->models[i].sha256[sizeof(m->models[i].sha256) - 1] = '\0';
		if (!is_hex64(m->models[i].sha256)) {
			ret = bad_file(f, "/models entry %zu: sha256 is not a SHA-256 in hex", i);
			goto out;
		}
	}
out:
	ob_h5_close(&mt);
	ob_h5_close(&s);
	ob_h5_close(&ft);
	ob_h5_close(&d);
	return ret;
}

/* One column of /appearance: a dataset of `rank` dimensions, the first n
 * (found by the first column read: *n = -1 before), the second `cols`,
 * read into *buf (malloc'd) as memory type mt. */
static int read_column(struct ob_trackfile *f, hid_t g, const char *name, int rank, hsize_t cols, hid_t mt,
		       H5T_class_t cls, size_t elem, void **buf, int64_t *n)
{
	hid_t d = H5Lexists(g, name, H5P_DEFAULT) > 0 ? H5Dopen2(g, name, H5P_DEFAULT) : -1;
	hid_t ft = d >= 0 ? H5Dget_type(d) : -1, s = d >= 0 ? H5Dget_space(d) : -1;
	hsize_t dims[2] = { 0, 0 };
	int ret = 0;

	*buf = NULL;
	if (ft < 0 || s < 0 || H5Tget_class(ft) != cls || H5Sget_simple_extent_ndims(s) != rank ||
	    H5Sget_simple_extent_dims(s, dims, NULL) < 0 || (rank == 2 && dims[1] != cols) ||
	    (*n >= 0 && dims[0] != (hsize_t)*n)) {
		ret = bad_file(f, "%s/%s is missing or not the shape obscura-tracks(5) gives", OB_TRACKFILE_APPEARANCE,
			       name);
		goto out;
	}
	if (dims[0] > OB_TRACKFILE_MAX_TRACKS) {
		ret = bad_file(f, "%s/%s has %llu rows (at most %d)", OB_TRACKFILE_APPEARANCE, name,
			       (unsigned long long)dims[0], OB_TRACKFILE_MAX_TRACKS);
		goto out;
	}
	*n = (int64_t)dims[0];
	if (!(*buf = malloc((dims[0] ? dims[0] : 1) * (rank == 2 ? cols : 1) * elem))) {
		ret = ob_err(OB_ERR_NOMEM, "%s: out of memory", f->path);
		goto out;
	}
	if (dims[0] && H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, *buf) < 0)
		ret = bad_file(f, "%s/%s cannot be read", OB_TRACKFILE_APPEARANCE, name);
out:
	if (ret) {
		free(*buf);
		*buf = NULL;
	}
	ob_h5_close(&s);
	ob_h5_close(&ft);
	ob_h5_close(&d);
	return ret;
}

/* A stored descriptor as appearance.h defines it: finite, non-negative,
 * each part summing to 1 (float rounding allowed). */
static bool valid_descriptor(const float *h)
{
	for (int p = 0; p < OB_APPEARANCE_PARTS; p++) {
		double sum = 0;

		for (int i = p * OB_APPEARANCE_BINS; i < (p + 1) * OB_APPEARANCE_BINS; i++) {
			if (!isfinite(h[i]) || h[i] < 0)
				return false;
			sum += h[i];
		}
		if (fabs(sum - 1) > 1e-3)
			return false;
	}
	return true;
}

int ob_trackfile_descriptors(struct ob_trackfile *f, struct ob_track_descriptor **out, size_t *nout)
{
	hid_t g = -1;
	int64_t n = -1, version = 0, parts = 0, bins = 0;
	uint64_t *ids = NULL;
	int64_t *counts = NULL;
	float *h = NULL;
	struct ob_track_descriptor *d = NULL;
	int ret = 0;

	*out = NULL;
	*nout = 0;
	if (H5Lexists(f->h5.file, OB_TRACKFILE_APPEARANCE + 1, H5P_DEFAULT) <= 0 ||
	    (g = H5Gopen2(f->h5.file, OB_TRACKFILE_APPEARANCE, H5P_DEFAULT)) < 0)
		return bad_file(f, "no %s group: written only when the recipe says [analytics] descriptors = yes, "
			       "and never in a bundle", OB_TRACKFILE_APPEARANCE);
	if (ob_h5_get_i64(g, "version", &version) || ob_h5_get_i64(g, "parts", &parts) ||
	    ob_h5_get_i64(g, "bins", &bins)) {
		ret = bad_file(f, "%s: attribute version, parts or bins missing", OB_TRACKFILE_APPEARANCE);
		goto out;
	}
	if (version != OB_TRACKFILE_APPEARANCE_VERSION || parts != OB_APPEARANCE_PARTS || bins != OB_APPEARANCE_BINS) {
		ret = bad_file(f, "%s: descriptor version %" PRId64 " (%" PRId64 " x %" PRId64
			       " bins); this Obscura reads version %d", OB_TRACKFILE_APPEARANCE, version, parts, bins,
			       OB_TRACKFILE_APPEARANCE_VERSION);
		goto out;
	}
	if ((ret = read_column(f, g, "identity", 1, 0, H5T_NATIVE_UINT64, H5T_INTEGER, sizeof(*ids), (void **)&ids,
			       &n)) ||
	    (ret = read_column(f, g, "count", 1, 0, H5T_NATIVE_INT64, H5T_INTEGER, sizeof(*counts),
			       (void **)&counts, &n)) ||
	    (ret = read_column(f, g, "descriptor", 2, OB_APPEARANCE_DIM, H5T_NATIVE_FLOAT, H5T_FLOAT, sizeof(*h),
			       (void **)&h, &n)))
		goto out;
	if (!(d = malloc((n ? (size_t)n : 1) * sizeof(*d)))) {
		ret = ob_err(OB_ERR_NOMEM, "%s: out of memory", f->path);
		goto out;
	}
	for (int64_t i = 0; i < n; i++) {
		d[i].identity = ids[i];
		d[i].count = counts[i];
		memcpy(d[i].h, h + i * OB_APPEARANCE_DIM, sizeof(d[i].h));
		if (ids[i] == 0 || (i && ids[i] <= ids[i - 1]) || counts[i] < 1 || !valid_descriptor(d[i].h)) {
			ret = bad_file(f, "%s entry %" PRId64 " (identity %" PRIu64 ") is not a valid descriptor",
				       OB_TRACKFILE_APPEARANCE, i, ids[i]);
			goto out;
		}
	}
	*out = d;
	*nout = (size_t)n;
	d = NULL;
out:
	free(d);
	free(ids);
	free(counts);
	free(h);
	ob_h5_close(&g);
	return ret;
}

int ob_trackfile_open(const char *path, struct ob_trackfile **out)
{
	struct ob_trackfile *f;
	struct stat st;
	hid_t fapl = -1;
	htri_t is;
	int ret = 0;

	*out = NULL;
	ob_h5_quiet();
	ret = ob_stat_regular(path, &st);
	if (ret)
		return ret;
	if (access(path, R_OK) < 0)
		return ob_err(OB_ERR_INPUT, "%s: %s", path, strerror(errno));
	is = H5Fis_hdf5(path);
	if (is == 0)
		return ob_err(OB_ERR_INPUT, "%s: not an HDF5 file", path);
	if (is < 0)
		return ob_err(OB_ERR_INPUT, "%s: not a readable HDF5 file", path);
	f = calloc(1, sizeof(*f));
	if (!f)
		return ob_err(OB_ERR_NOMEM, "%s: out of memory", path);
	tf_h5_init(&f->h5);
	f->cur_frame = f->seen_frame = -1;
	f->path = strdup(path);
	if (!f->path) {
		ret = ob_err(OB_ERR_NOMEM, "%s: out of memory", path);
		goto out;
	}
	fapl = H5Pcreate(H5P_FILE_ACCESS);
	if (fapl >= 0)
		H5Pset_file_locking(fapl, 1, 1);
	f->h5.file = H5Fopen(path, H5F_ACC_RDONLY, fapl >= 0 ? fapl : H5P_DEFAULT);
	ob_h5_close(&fapl);
	if (f->h5.file < 0) {
		ret = bad_file(f, "not a readable HDF5 file (truncated or corrupt)");
		goto out;
	}
	if ((ret = read_meta(f)) || (ret = read_models(f)) ||
	    (ret = open_table(f, &f->h5.det)) || (ret = open_table(f, &f->h5.frm)) || (ret = open_tracks(f)))
		goto out;
	if (f->h5.trk.n > OB_TRACKFILE_MAX_TRACKS) {
		ret = bad_file(f, "more than %d tracks", OB_TRACKFILE_MAX_TRACKS);
		goto out;
	}
out:
	if (ret) {
		ob_trackfile_close(&f);
		return ret;
	}
	*out = f;
	return 0;
}

void ob_trackfile_close(struct ob_trackfile **fp)
{
	struct ob_trackfile *f = fp ? *fp : NULL;

	if (!f)
		return;
	tf_h5_close(&f->h5);
	free(f->meta.recipe_text);
	free(f->tracks);
	free(f->buf);
	free(f->cur);
	free(f->path);
	free(f);
	*fp = NULL;
}

const struct ob_track_summary *ob_track_summary_find(const struct ob_track_summary *t, size_t n, uint64_t id)
{
	bool found;
	size_t i = search_ids(t, n, sizeof(*t), id, &found);

	return found ? &t[i] : NULL;
}

const struct ob_trackfile_meta *ob_trackfile_meta(const struct ob_trackfile *f)
{
	return &f->meta;
}

int64_t ob_trackfile_row_count(const struct ob_trackfile *f)
{
	return f->h5.det.n;
}

int64_t ob_trackfile_frame_count(const struct ob_trackfile *f)
{
	return f->h5.frm.n;
}

/* Reads elements [start, start + *n) of tb into out; *n shrinks at the end. */
static int read_slab(struct ob_trackfile *f, const struct tf_table *tb, int64_t start, size_t *n, void *out)
{
	const char *ds = tb->layout->dataset;
	hsize_t off = (hsize_t)start, cnt;
	hid_t fs = -1, ms = -1;
	int ret = 0;

	if (start < 0)
		return ob_err(OB_ERR_INTERNAL, "%s: %s: negative start %lld", f->path, ds, (long long)start);
	if (start >= tb->n || *n == 0) {
		*n = 0;
		return 0;
	}
	if ((uint64_t)(tb->n - start) < *n)
		*n = (size_t)(tb->n - start);
	cnt = *n;
	fs = H5Dget_space(tb->d);
	ms = H5Screate_simple(1, &cnt, NULL);
	if (fs < 0 || ms < 0 || H5Sselect_hyperslab(fs, H5S_SELECT_SET, &off, NULL, &cnt, NULL) < 0 ||
	    H5Dread(tb->d, tb->mtype, ms, fs, H5P_DEFAULT, out) < 0)
		ret = bad_file(f, "%s: rows %lld to %lld cannot be read (corrupt?)", ds, (long long)start,
			       (long long)(start + (int64_t)cnt - 1));
	ob_h5_close(&fs);
	ob_h5_close(&ms);
	return ret;
}

/* read_slab(), then each element held to valid(): the first that fails is
 * named and the read gives nothing.  Rows and frames are read this way. */
static int read_valid(struct ob_trackfile *f, const struct tf_table *tb, int64_t start, size_t max, void *out,
		      bool (*valid)(const void *), size_t *got)
{
	int ret;

	*got = max;
	ret = read_slab(f, tb, start, got, out);
	for (size_t i = 0; !ret && i < *got; i++)
		if (!valid((const char *)out + i * tb->layout->size))
			ret = bad_file(f, "%s row %lld is invalid", tb->layout->dataset,
				       (long long)(start + (int64_t)i));
	if (ret)
		*got = 0;
	return ret;
}

static bool valid_row(const void *p)
{
	const struct ob_track_row *r = p;

	return r->frame >= 0 && r->track != 0 && r->kind < KIND_COUNT && r->hidden <= 1 && finite_row(r);
}

static bool valid_frame(const void *p)
{
	const struct ob_frame_summary *fs = p;

	return fs->frame >= 0 && isfinite(fs->pts);
}

int ob_trackfile_read_rows(struct ob_trackfile *f, int64_t start, size_t max, struct ob_track_row *out,
			   size_t *got)
{
	return read_valid(f, &f->h5.det, start, max, out, valid_row, got);
}

int ob_trackfile_read_frames(struct ob_trackfile *f, int64_t start, size_t max, struct ob_frame_summary *out,
			     size_t *got)
{
	return read_valid(f, &f->h5.frm, start, max, out, valid_frame, got);
}

int ob_trackfile_tracks(struct ob_trackfile *f, const struct ob_track_summary **tracks, size_t *n)
{
	size_t count = (size_t)f->h5.trk.n;
	int ret;

	if (!f->tracks_read) {
		free(f->tracks);
		f->tracks = malloc((count ? count : 1) * sizeof(*f->tracks));
		if (!f->tracks)
			return ob_err(OB_ERR_NOMEM, "%s: out of memory for %zu tracks", f->path, count);
		ret = read_slab(f, &f->h5.trk, 0, &count, f->tracks);
		if (ret)
			return ret;
		for (size_t i = 0; i < count; i++) {
			struct ob_track_summary *t = &f->tracks[i];

			if (f->no_identity)
				t->identity = t->id;
			if (t->id == 0 || (i > 0 && t->id <= t[-1].id))
				return bad_file(f, "/tracks row %zu: ids not increasing", i);
			if (t->rows < t->observed || t->observed < 0 || t->first_frame < 0 ||
			    t->last_frame < t->first_frame || !isfinite(t->mean_score) || !isfinite(t->first_pts) ||
			    !isfinite(t->last_pts) || t->identity == 0 || t->identity > t->id)
				return bad_file(f, "/tracks row %zu (track %" PRIu64 ") is invalid", i, t->id);
		}
		f->ntracks = count;
		f->tracks_read = true;
	}
	*tracks = f->tracks;
	*n = f->ntracks;
	return 0;
}

/* Makes buf hold the next batch of rows, if buf_pos reached its end; false at the end of the file. */
static int refill(struct ob_trackfile *f, bool *more)
{
	size_t got;
	int ret;

	*more = true;
	if (f->buf_pos < f->buf_n)
		return 0;
	if (!f->buf) {
		f->buf = malloc(OB_TRACKFILE_CHUNK_ROWS * sizeof(*f->buf));
		if (!f->buf)
			return ob_err(OB_ERR_NOMEM, "%s: out of memory", f->path);
	}
	ret = ob_trackfile_read_rows(f, f->next_row, OB_TRACKFILE_CHUNK_ROWS, f->buf, &got);
	if (ret)
		return ret;
	f->buf_n = got;
	f->buf_pos = 0;
	f->next_row += (int64_t)got;
	*more = got > 0;
	return 0;
}

int ob_trackfile_rows_at(struct ob_trackfile *f, int64_t frame, const struct ob_track_row **rows, size_t *n)
{
	bool more;
	int ret;

	*rows = NULL;
	*n = 0;
	if (frame < f->cur_frame)
		return ob_err(OB_ERR_INTERNAL, "%s: rows of frame %lld asked after frame %lld", f->path,
			      (long long)frame, (long long)f->cur_frame);
	if (frame > f->cur_frame) {
		f->cur_frame = frame;
		f->cur_n = 0;
		for (;;) {
			const struct ob_track_row *r;

			if ((ret = refill(f, &more)))
				goto fail;
			if (!more)
				break;
			r = &f->buf[f->buf_pos];
			if (r->frame < f->seen_frame) {
				ret = bad_file(f, "/detections row %lld: frame %lld after frame %lld (not in frame order)",
					       (long long)(f->next_row - (int64_t)f->buf_n + (int64_t)f->buf_pos),
					       (long long)r->frame, (long long)f->seen_frame);
				goto fail;
			}
			f->seen_frame = r->frame;
			if (r->frame > frame)
				break; /* the next frame's: stays in the buffer */
			if (r->frame == frame) {
				if (f->cur_n == OB_TRACKFILE_MAX_FRAME_ROWS) {
					ret = bad_file(f, "frame %lld has more than %d rows", (long long)frame,
						       OB_TRACKFILE_MAX_FRAME_ROWS);
					goto fail;
				}
				if ((ret = ob_grow(&f->cur, &f->cur_cap, f->cur_n + 1, sizeof(*f->cur),
						   OB_TRACKFILE_MAX_FRAME_ROWS))) {
					ret = ob_err(ret, "%s: %s", f->path, ob_errmsg());
					goto fail;
				}
				f->cur[f->cur_n++] = *r;
			}
			f->buf_pos++;
		}
	}
	*rows = f->cur;
	*n = f->cur_n;
	return 0;
fail:
	f->cur_n = 0;
	return ret;
}

bool ob_trackfile_recipe_ok(const struct ob_trackfile_meta *m)
{
	unsigned char digest[OB_SHA256_LEN];
	char hex[OB_SHA256_HEX_LEN + 1];

	if (ob_sha256(m->recipe_text ? m->recipe_text : "", m->recipe_len, digest))
		return false;
	ob_hex_encode(digest, sizeof(digest), hex);
	return !strcmp(hex, m->recipe_sha256);
}

/* Reads every row and frame once, through the reader a replay uses, then
 * rewinds: ob_trackfile_check and the guarded open's child. */
static int scan(struct ob_trackfile *f)
{
	struct ob_frame_summary *fb = NULL;
	size_t got;
	int ret;

	/* Every row through the same reader a replay uses: order, rows per frame, values. */
	for (;;) {
		const struct ob_track_row *r;
		size_t n;
		bool more;

		if ((ret = refill(f, &more)) || !more)
			break;
		/* Takes every row of that frame; a later row of an earlier frame fails there. */
		if ((ret = ob_trackfile_rows_at(f, f->buf[f->buf_pos].frame, &r, &n)))
			break;
	}
	if (!ret && !(fb = malloc(OB_TRACKFILE_CHUNK_ROWS * sizeof(*fb))))
		ret = ob_err(OB_ERR_NOMEM, "%s: out of memory", f->path);
	for (int64_t start = 0; !ret; start += (int64_t)got) {
		if ((ret = ob_trackfile_read_frames(f, start, OB_TRACKFILE_CHUNK_ROWS, fb, &got)) || !got)
			break;
	}
	free(fb);
	/* Back to the start, as ob_trackfile_open() leaves it. */
	f->buf_n = f->buf_pos = 0;
	f->next_row = 0;
	f->cur_n = 0;
	f->cur_frame = f->seen_frame = -1;
	return ret;
}

int ob_trackfile_check(struct ob_trackfile *f)
{
	/* An edited recipe must not be used, or recorded, as the one that ran. */
	if (!ob_trackfile_recipe_ok(&f->meta))
		return bad_file(f, "attribute 'recipe' does not match 'recipe_sha256' (edited?)");
	return scan(f);
}

/*
 * libhdf5 1.10.8 cannot be trusted with a damaged file: a global heap
 * object whose size wraps makes H5HG_read loop for ever under H5Aread of a
 * string attribute (the `format` one, read first), other sizes make it read
 * past its buffers and crash, and damaged object headers over-read in
 * H5Aexists (HACKING.md, "Sanitizers and fuzzing").  Obscura cannot fix
 * the library, so before a command opens a tracks file it does not trust,
 * a child process opens it and reads it once whole, under a CPU-time limit
 * (OB_TRACKFILE_PROBE_SECONDS, plus a second a MB), with no core dump and
 * dying with its parent.  The child's own result does not matter (the
 * parent's open says what is wrong, the same way); only whether it got to
 * the end: a child killed by a signal, or out of time, refuses the file.
 * 0, or OB_ERR_INPUT naming the file and what happened.
 */
static int probe(const char *path)
{
	struct stat st;
	rlim_t secs = OB_TRACKFILE_PROBE_SECONDS;
	pid_t parent = getpid(), pid;
	int wstatus = 0;

	if (stat(path, &st) == 0 && st.st_size > 0)
		secs += (rlim_t)(st.st_size >> 20);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return ob_err(OB_ERR_INTERNAL, "%s: cannot start a process to read it: %s", path, strerror(errno));
	if (pid == 0) {
		struct rlimit cpu = { secs, secs + 1 }, core = { 0, 0 };
		struct ob_trackfile *f = NULL;
		const struct ob_track_summary *t;
		size_t n;

		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent || setrlimit(RLIMIT_CPU, &cpu) ||
		    setrlimit(RLIMIT_CORE, &core))
			_exit(127);
		if (!ob_trackfile_open(path, &f) && !ob_trackfile_tracks(f, &t, &n))
			(void)scan(f);
		_exit(0); /* no atexit handlers: libhdf5's would close what a damaged file left half open */
	}
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(wstatus) && (WTERMSIG(wstatus) == SIGXCPU || WTERMSIG(wstatus) == SIGKILL))
		return ob_err(OB_ERR_INPUT, "%s: damaged: reading it did not finish within %lu s of CPU time "
			      "(libhdf5 loops on some damaged heaps)", path, (unsigned long)secs);
	if (WIFSIGNALED(wstatus))
		return ob_err(OB_ERR_INPUT, "%s: damaged: reading it crashed libhdf5 (signal %d, %s)", path,
			      WTERMSIG(wstatus), strsignal(WTERMSIG(wstatus)));
	if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 127)
		return ob_err(OB_ERR_INTERNAL, "%s: the process reading it failed to start", path);
	/* Under AddressSanitizer a crash is caught, reported and ends in exit 1. */
	if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0)
		return ob_err(OB_ERR_INPUT, "%s: damaged: reading it crashed libhdf5 (the process ended with "
			      "status %d)", path, WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
	return 0;
}

int ob_trackfile_open_guarded(const char *path, struct ob_trackfile **out)
{
	int ret = probe(path);

	*out = NULL;
	return ret ? ret : ob_trackfile_open(path, out);
}

/* trackfile.c - tracks.h5: a job's anonymous track metadata in HDF5 (obscura-tracks(5)). */
#include "obscura/trackfile.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "obscura/class.h"
#include "obscura/error.h"
#include "obscura/h5.h"
#include "obscura/banned.h"

/*
 * The layout is obscura-tracks(5); keep the two in step.  Every compound
 * dataset is described once, by a table of members (name, offset in the C
 * struct, type), from which the file type (packed, little-endian), the
 * memory type (the C struct) and the reader's checks are all derived.
 */

static const char *const kind_names[] = { "observed", "interpolated", "extrapolated" };
#define KIND_COUNT 3

static const struct ob_h5_enum class_enum = { ob_class_names, OB_CLASS_COUNT };
static const struct ob_h5_enum kind_enum = { kind_names, KIND_COUNT };

#define ROW(n, field, ...) { .name = (n), .offset = offsetof(struct ob_track_row, field), .type = __VA_ARGS__ }
static const struct ob_h5_member row_members[] = {
	ROW("frame", frame, OB_H5_I64),     ROW("pts", pts, OB_H5_F64),         ROW("track", track, OB_H5_U64),
	ROW("class", cls, OB_H5_ENUM, &class_enum),     ROW("kind", kind, OB_H5_ENUM, &kind_enum),      ROW("hidden", hidden, OB_H5_U8),
	ROW("score", score, OB_H5_F32),     ROW("x", x, OB_H5_F32),             ROW("y", y, OB_H5_F32),
	ROW("w", w, OB_H5_F32),             ROW("h", h, OB_H5_F32),             ROW("cover_x", cover_x, OB_H5_F32),
	ROW("cover_y", cover_y, OB_H5_F32), ROW("cover_w", cover_w, OB_H5_F32), ROW("cover_h", cover_h, OB_H5_F32),
};
#undef ROW

#define FRM(n, field, ...) { .name = (n), .offset = offsetof(struct ob_frame_summary, field), .type = __VA_ARGS__ }
static const struct ob_h5_member frame_members[] = {
	FRM("frame", frame, OB_H5_I64),
	FRM("pts", pts, OB_H5_F64),
	FRM("boxes", boxes, OB_H5_U32),
	FRM("hidden", hidden, OB_H5_U32),
};
#undef FRM

#define TRK(n, field, ...) { .name = (n), .offset = offsetof(struct ob_track_summary, field), .type = __VA_ARGS__ }
static const struct ob_h5_member track_members[] = {
	TRK("id", id, OB_H5_U64),
	TRK("class", cls, OB_H5_ENUM, &class_enum),
	TRK("confirmed", confirmed, OB_H5_U8),
	TRK("hidden", hidden, OB_H5_U8),
	TRK("first_frame", first_frame, OB_H5_I64),
	TRK("last_frame", last_frame, OB_H5_I64),
	TRK("first_pts", first_pts, OB_H5_F64),
	TRK("last_pts", last_pts, OB_H5_F64),
	TRK("observed", observed, OB_H5_I64),
	TRK("rows", rows, OB_H5_I64),
	TRK("mean_score", mean_score, OB_H5_F64),
};
#undef TRK

#define NMEMB(a) (sizeof(a) / sizeof((a)[0]))
static const struct ob_h5_table rows_table = { "/detections", row_members, NMEMB(row_members),
					 sizeof(struct ob_track_row) };
static const struct ob_h5_table frames_table = { "/frames", frame_members, NMEMB(frame_members),
					   sizeof(struct ob_frame_summary) };
static const struct ob_h5_table tracks_table = { "/tracks", track_members, NMEMB(track_members),
					   sizeof(struct ob_track_summary) };

/* ---- HDF5 plumbing ---- */

/* /models: {name, sha256}, fixed-length strings; file or memory (struct ob_trackfile_model). */
static hid_t models_type(bool file)
{
	hid_t c = H5Tcreate(H5T_COMPOUND, file ? 2 * OB_TRACKFILE_NAME_MAX : sizeof(struct ob_trackfile_model));
	hid_t name = ob_h5_str_type(OB_TRACKFILE_NAME_MAX, file ? H5T_STR_NULLPAD : H5T_STR_NULLTERM);
	hid_t sha = ob_h5_str_type(file ? OB_SHA256_HEX_LEN : OB_SHA256_HEX_LEN + 1,
			     file ? H5T_STR_NULLPAD : H5T_STR_NULLTERM);

	if (c < 0 || name < 0 || sha < 0 ||
	    H5Tinsert(c, "name", file ? 0 : offsetof(struct ob_trackfile_model, name), name) < 0 ||
	    H5Tinsert(c, "sha256", file ? OB_TRACKFILE_NAME_MAX : offsetof(struct ob_trackfile_model, sha256),
		      sha) < 0)
		ob_h5_close(&c);
	ob_h5_close(&name);
	ob_h5_close(&sha);
	return c;
}

/* ---- the writer ---- */

struct ob_trackfile_writer {
	char *path;
	hid_t file, det, frm;
	hid_t row_ftype, row_mtype, frame_ftype, frame_mtype, track_ftype, track_mtype;
	struct ob_track_row *rowbuf;      /* OB_TRACKFILE_CHUNK_ROWS, not yet written */
	size_t nrowbuf;
	struct ob_frame_summary *frmbuf;  /* likewise */
	size_t nfrmbuf;
	int64_t rows_written, frames_written;
	int64_t last_frame;               /* -1 before the first */
	struct ob_track_summary *tracks;  /* sorted by id */
	double *score_sum;                /* per track: sum of observed scores */
	size_t ntracks, tcap;
	uint64_t *pending;                /* confirmed before any row: sorted ids */
	size_t npending, pcap;
	bool failed, finished;
};

/* A failed HDF5 call of the writer: OB_ERR_OUTPUT naming the file, what and why. */
static int write_failed(struct ob_trackfile_writer *w, const char *what, int e)
{
	w->failed = true;
	return ob_err(OB_ERR_OUTPUT, "%s: %s: %s", w->path, what, ob_h5_io_cause(e));
}

static int bad_call(struct ob_trackfile_writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A caller's bug (rows out of order, ...): OB_ERR_INTERNAL naming the file, and the writer stops. */
static int bad_call(struct ob_trackfile_writer *w, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	w->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ob_err(OB_ERR_INTERNAL, "%s: %s", w->path, msg);
}

static bool bounded(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

int ob_trackfile_create(const char *path, const struct ob_trackfile_meta *meta,
			struct ob_trackfile_writer **out)
{
	struct ob_trackfile_writer *w;
	const char *recipe = meta->recipe_text ? meta->recipe_text : "";
	char *rtext = NULL;
	hid_t fcpl = -1, fapl = -1, root = -1, models = -1, mft = -1, mmt = -1, space = -1;
	int ret = 0, e;

	*out = NULL;
	ob_h5_quiet();
	if (!bounded(meta->version, sizeof(meta->version)) || !bounded(meta->job_id, sizeof(meta->job_id)) ||
	    !bounded(meta->recipe_sha256, sizeof(meta->recipe_sha256)) ||
	    !bounded(meta->input_sha256, sizeof(meta->input_sha256)) || meta->n_models > OB_TRACKFILE_MAX_MODELS ||
	    meta->recipe_len > OB_TRACKFILE_RECIPE_MAX || (!meta->recipe_text && meta->recipe_len))
		return ob_err(OB_ERR_INTERNAL, "%s: invalid track file metadata", path);
	if (memchr(recipe, '\0', meta->recipe_len))
		return ob_err(OB_ERR_INTERNAL, "%s: the recipe holds a NUL byte", path);
	for (size_t i = 0; i < meta->n_models; i++)
		if (!bounded(meta->models[i].name, sizeof(meta->models[i].name)) ||
		    !bounded(meta->models[i].sha256, sizeof(meta->models[i].sha256)))
			return ob_err(OB_ERR_INTERNAL, "%s: invalid model entry %zu", path, i);
	w = calloc(1, sizeof(*w));
	if (!w)
		return ob_err(OB_ERR_NOMEM, "%s: out of memory", path);
	w->file = w->det = w->frm = -1;
	w->row_ftype = w->row_mtype = w->frame_ftype = w->frame_mtype = w->track_ftype = w->track_mtype = -1;
	w->last_frame = -1;
	w->path = strdup(path);
	w->rowbuf = malloc(OB_TRACKFILE_CHUNK_ROWS * sizeof(*w->rowbuf));
	w->frmbuf = malloc(OB_TRACKFILE_CHUNK_ROWS * sizeof(*w->frmbuf));
	rtext = malloc(meta->recipe_len + 1);
	if (!w->path || !w->rowbuf || !w->frmbuf || !rtext) {
		ret = ob_err(OB_ERR_NOMEM, "%s: out of memory", path);
		goto out;
	}
	memcpy(rtext, recipe, meta->recipe_len);
	rtext[meta->recipe_len] = '\0';

	w->row_ftype = ob_h5_compound(&rows_table, true, -1);
	w->row_mtype = ob_h5_compound(&rows_table, false, -1);
	w->frame_ftype = ob_h5_compound(&frames_table, true, -1);
	w->frame_mtype = ob_h5_compound(&frames_table, false, -1);
	w->track_ftype = ob_h5_compound(&tracks_table, true, -1);
	w->track_mtype = ob_h5_compound(&tracks_table, false, -1);
	mft = models_type(true);
	mmt = models_type(false);
	if (w->row_ftype < 0 || w->row_mtype < 0 || w->frame_ftype < 0 || w->frame_mtype < 0 ||
	    w->track_ftype < 0 || w->track_mtype < 0 || mft < 0 || mmt < 0) {
		ret = ob_err(OB_ERR_INTERNAL, "%s: cannot build the HDF5 types", path);
		goto out;
	}

	/* No modification times in object headers: the same rows make the same bytes. */
	fcpl = H5Pcreate(H5P_FILE_CREATE);
	fapl = H5Pcreate(H5P_FILE_ACCESS);
	if (fcpl < 0 || fapl < 0 || H5Pset_obj_track_times(fcpl, 0) < 0 || H5Pset_file_locking(fapl, 1, 1) < 0) {
		ret = ob_err(OB_ERR_INTERNAL, "%s: cannot set up HDF5", path);
		goto out;
	}
	errno = 0;
	w->file = H5Fcreate(path, H5F_ACC_TRUNC, fcpl, fapl);
	e = errno;
	if (w->file < 0) {
		ret = ob_err(OB_ERR_OUTPUT, "%s: cannot create: %s", path, ob_h5_io_cause(e));
		goto out;
	}
	root = H5Gopen2(w->file, "/", H5P_DEFAULT);
	errno = 0;
	if (root < 0 || ob_h5_put_str(root, "format", OB_TRACKFILE_FORMAT) ||
	    ob_h5_put_i32(root, "format_version", OB_TRACKFILE_VERSION) || ob_h5_put_str(root, "obscura_version", meta->version) ||
	    ob_h5_put_str(root, "job_id", meta->job_id) || ob_h5_put_str(root, "recipe", rtext) ||
	    ob_h5_put_str(root, "recipe_sha256", meta->recipe_sha256) || ob_h5_put_str(root, "input_sha256", meta->input_sha256) ||
	    ob_h5_put_i64(root, "input_size", meta->input_size) || ob_h5_put_i32(root, "width", meta->width) ||
	    ob_h5_put_i32(root, "height", meta->height) || ob_h5_put_i32(root, "fps_num", meta->fps_num) ||
	    ob_h5_put_i32(root, "fps_den", meta->fps_den) || ob_h5_put_f64(root, "start_time", meta->start_time)) {
		ret = write_failed(w, "cannot write the attributes", errno);
		goto out;
	}

	{
		hsize_t n = meta->n_models;
		hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);

		space = H5Screate_simple(1, &n, NULL);
		errno = 0;
		if (dcpl >= 0 && H5Pset_obj_track_times(dcpl, 0) >= 0 && space >= 0)
			models = H5Dcreate2(w->file, "/models", mft, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
		ob_h5_close(&dcpl);
		if (models < 0 || (n && H5Dwrite(models, mmt, H5S_ALL, H5S_ALL, H5P_DEFAULT, meta->models) < 0)) {
			ret = write_failed(w, "cannot write /models", errno);
			goto out;
		}
	}
	errno = 0;
	w->det = ob_h5_extendible(w->file, "/detections", w->row_ftype, OB_TRACKFILE_CHUNK_ROWS);
	w->frm = ob_h5_extendible(w->file, "/frames", w->frame_ftype, OB_TRACKFILE_CHUNK_ROWS);
	if (w->det < 0 || w->frm < 0) {
		ret = write_failed(w, "cannot create the datasets", errno);
		goto out;
	}
out:
	free(rtext);
	ob_h5_close(&models);
	ob_h5_close(&space);
	ob_h5_close(&root);
	ob_h5_close(&mft);
	ob_h5_close(&mmt);
	ob_h5_close(&fcpl);
	ob_h5_close(&fapl);
	if (ret) {
		bool made = w->file >= 0;

		ob_trackfile_writer_free(&w);
		if (made)
			unlink(path); /* half a file is no file */
		return ret;
	}
	*out = w;
	return 0;
}

static int flush_rows(struct ob_trackfile_writer *w)
{
	errno = 0;
	if (ob_h5_append(w->det, w->row_mtype, w->rowbuf, w->nrowbuf, &w->rows_written))
		return write_failed(w, "cannot write /detections", errno);
	w->nrowbuf = 0;
	return 0;
}

static int flush_frames(struct ob_trackfile_writer *w)
{
	errno = 0;
	if (ob_h5_append(w->frm, w->frame_mtype, w->frmbuf, w->nfrmbuf, &w->frames_written))
		return write_failed(w, "cannot write /frames", errno);
	w->nfrmbuf = 0;
	return 0;
}

/* Index of id in the sorted ids (stride bytes apart), or where it would go; *found says which. */
static size_t search_ids(const void *base, size_t n, size_t stride, uint64_t id, bool *found)
{
	size_t lo = 0, hi = n;

	/* Ids mostly come in increasing order: try the end first. */
	if (n && *(const uint64_t *)((const char *)base + (n - 1) * stride) < id) {
		*found = false;
		return n;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t v = *(const uint64_t *)((const char *)base + mid * stride);

		if (v == id) {
			*found = true;
			return mid;
		}
		if (v < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

/* Takes id out of the pending confirmations; true if it was there. */
static bool take_pending(struct ob_trackfile_writer *w, uint64_t id)
{
	bool found;
	size_t i = search_ids(w->pending, w->npending, sizeof(*w->pending), id, &found);

	if (!found)
		return false;
	memmove(&w->pending[i], &w->pending[i + 1], (w->npending - i - 1) * sizeof(*w->pending));
	w->npending--;
	return true;
}

/* The summary of r's track, created (from r) if new. */
static int track_of(struct ob_trackfile_writer *w, const struct ob_track_row *r, struct ob_track_summary **out)
{
	bool found;
	size_t i = search_ids(w->tracks, w->ntracks, sizeof(*w->tracks), r->track, &found);

	if (!found) {
		if (w->ntracks >= OB_TRACKFILE_MAX_TRACKS) {
			w->failed = true;
			return ob_err(OB_ERR_LIMIT, "%s: more than %d tracks", w->path, OB_TRACKFILE_MAX_TRACKS);
		}
		if (w->ntracks == w->tcap) {
			size_t cap = w->tcap ? 2 * w->tcap : 64;
			struct ob_track_summary *t = realloc(w->tracks, cap * sizeof(*t));
			double *s = t ? realloc(w->score_sum, cap * sizeof(*s)) : NULL;

			if (t)
				w->tracks = t;
			if (s)
				w->score_sum = s;
			if (!t || !s) {
				w->failed = true;
				return ob_err(OB_ERR_NOMEM, "%s: out of memory", w->path);
			}
			w->tcap = cap;
		}
		memmove(&w->tracks[i + 1], &w->tracks[i], (w->ntracks - i) * sizeof(*w->tracks));
		memmove(&w->score_sum[i + 1], &w->score_sum[i], (w->ntracks - i) * sizeof(*w->score_sum));
		w->ntracks++;
		w->tracks[i] = (struct ob_track_summary){
			.id = r->track, .cls = r->cls, .confirmed = take_pending(w, r->track),
			.first_frame = r->frame, .last_frame = -1, .first_pts = r->pts,
		};
		w->score_sum[i] = 0;
	}
	*out = &w->tracks[i];
	return 0;
}

static bool finite_row(const struct ob_track_row *r)
{
	return isfinite(r->pts) && isfinite(r->score) && isfinite(r->x) && isfinite(r->y) && isfinite(r->w) &&
	       isfinite(r->h) && isfinite(r->cover_x) && isfinite(r->cover_y) && isfinite(r->cover_w) &&
	       isfinite(r->cover_h) && r->w >= 0 && r->h >= 0 && r->cover_w >= 0 && r->cover_h >= 0;
}

int ob_trackfile_add_frame(struct ob_trackfile_writer *w, const struct ob_frame_summary *f,
			   const struct ob_track_row *rows, size_t n)
{
	uint32_t hidden = 0;
	int ret;

	if (w->failed || w->finished)
		return ob_err(OB_ERR_INTERNAL, "%s: the track file writer is %s", w->path,
			      w->finished ? "finished" : "stopped by an earlier error");
	if (f->frame <= w->last_frame || f->frame < 0 || !isfinite(f->pts))
		return bad_call(w, "frame %lld after frame %lld", (long long)f->frame,
				(long long)w->last_frame);
	if (n > OB_TRACKFILE_MAX_FRAME_ROWS)
		return bad_call(w, "frame %lld: %lld rows", (long long)f->frame, (long long)n);
	for (size_t i = 0; i < n; i++) {
		const struct ob_track_row *r = &rows[i];
		struct ob_track_summary *t = NULL;

		if (r->frame != f->frame || r->pts != f->pts)
			return bad_call(w, "frame %lld: a row of frame %lld", (long long)f->frame,
					(long long)r->frame);
		if (r->track == 0 || r->cls >= OB_CLASS_COUNT || r->kind >= KIND_COUNT || r->hidden > 1 ||
		    !finite_row(r))
			return bad_call(w, "frame %lld: invalid row for track %lld", (long long)f->frame,
					(long long)r->track);
		ret = track_of(w, r, &t);
		if (ret)
			return ret;
		if (t->last_frame == r->frame)
			return bad_call(w, "frame %lld: track %lld twice", (long long)f->frame,
					(long long)r->track);
		if (t->cls != r->cls)
			return bad_call(w, "track %lld: class %s, then %s", (long long)r->track,
					ob_class_name(t->cls), ob_class_name(r->cls));
		t->rows++;
		t->last_frame = r->frame;
		t->last_pts = r->pts;
		if (r->kind == OB_ROW_OBSERVED) {
			t->observed++;
			w->score_sum[t - w->tracks] += r->score;
		}
		if (r->hidden) {
			t->hidden = 1;
			hidden++;
		}
		w->rowbuf[w->nrowbuf++] = *r;
		if (w->nrowbuf == OB_TRACKFILE_CHUNK_ROWS && (ret = flush_rows(w)))
			return ret;
	}
	if (f->boxes != n || f->hidden != hidden)
		return bad_call(w, "frame %lld: the summary does not count its %lld rows",
				(long long)f->frame, (long long)n);
	w->frmbuf[w->nfrmbuf++] = *f;
	w->last_frame = f->frame;
	if (w->nfrmbuf == OB_TRACKFILE_CHUNK_ROWS)
		return flush_frames(w);
	return 0;
}

int ob_trackfile_confirm(struct ob_trackfile_writer *w, uint64_t id)
{
	bool found;
	size_t i;

	if (w->failed || w->finished || id == 0)
		return ob_err(OB_ERR_INTERNAL, "%s: cannot confirm track %" PRIu64, w->path, id);
	i = search_ids(w->tracks, w->ntracks, sizeof(*w->tracks), id, &found);
	if (found) {
		w->tracks[i].confirmed = 1;
		return 0;
	}
	i = search_ids(w->pending, w->npending, sizeof(*w->pending), id, &found);
	if (found)
		return 0;
	if (w->npending >= OB_TRACKFILE_MAX_TRACKS) {
		w->failed = true;
		return ob_err(OB_ERR_LIMIT, "%s: more than %d tracks", w->path, OB_TRACKFILE_MAX_TRACKS);
	}
	if (w->npending == w->pcap) {
		size_t cap = w->pcap ? 2 * w->pcap : 64;
		uint64_t *p = realloc(w->pending, cap * sizeof(*p));

		if (!p) {
			w->failed = true;
			return ob_err(OB_ERR_NOMEM, "%s: out of memory", w->path);
		}
		w->pending = p;
		w->pcap = cap;
	}
	memmove(&w->pending[i + 1], &w->pending[i], (w->npending - i) * sizeof(*w->pending));
	w->pending[i] = id;
	w->npending++;
	return 0;
}

size_t ob_trackfile_writer_tracks(struct ob_trackfile_writer *w, const struct ob_track_summary **tracks)
{
	for (size_t i = 0; i < w->ntracks; i++)
		w->tracks[i].mean_score = w->tracks[i].observed ? w->score_sum[i] / (double)w->tracks[i].observed : 0;
	*tracks = w->tracks;
	return w->ntracks;
}

int ob_trackfile_finish(struct ob_trackfile_writer *w, int64_t frames, const struct ob_trackfile_group *extra)
{
	const struct ob_track_summary *tracks;
	size_t n = ob_trackfile_writer_tracks(w, &tracks);
	int64_t written = 0;
	hid_t trk = -1;
	int fd, e, ret;
	herr_t r;

	if (w->failed || w->finished)
		return ob_err(OB_ERR_INTERNAL, "%s: the track file writer is %s", w->path,
			      w->finished ? "finished" : "stopped by an earlier error");
	if (frames <= w->last_frame)
		return bad_call(w, "%lld frames, but a row of frame %lld", (long long)frames,
				(long long)w->last_frame);
	if ((ret = flush_rows(w)) || (ret = flush_frames(w)))
		return ret;
	errno = 0;
	trk = ob_h5_extendible(w->file, "/tracks", w->track_ftype, OB_TRACKFILE_CHUNK_ROWS);
	if (trk < 0 || ob_h5_append(trk, w->track_mtype, tracks, n, &written)) {
		ob_h5_close(&trk);
		return write_failed(w, "cannot write /tracks", errno);
	}
	ob_h5_close(&trk);
	errno = 0;
	if (extra && extra->write(w->file, extra->opaque))
		return write_failed(w, extra->name, errno);
	errno = 0;
	if (ob_h5_put_i64(w->file, "frames", frames))
		return write_failed(w, "cannot write the frames attribute", errno);
	ob_h5_close(&w->det);
	ob_h5_close(&w->frm);
	errno = 0;
	r = H5Fclose(w->file);
	e = errno;
	w->file = -1;
	if (r < 0)
		return write_failed(w, "cannot close", e);
	fd = open(w->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0) {
		e = errno;
		if (fd >= 0)
			close(fd);
		w->failed = true;
		return ob_err(OB_ERR_OUTPUT, "%s: fsync: %s", w->path, strerror(e));
	}
	close(fd);
	w->finished = true;
	return 0;
}

void ob_trackfile_writer_free(struct ob_trackfile_writer **wp)
{
	struct ob_trackfile_writer *w = wp ? *wp : NULL;

	if (!w)
		return;
	ob_h5_close(&w->det);
	ob_h5_close(&w->frm);
	ob_h5_close(&w->file);
	ob_h5_close(&w->row_ftype);
	ob_h5_close(&w->row_mtype);
	ob_h5_close(&w->frame_ftype);
	ob_h5_close(&w->frame_mtype);
	ob_h5_close(&w->track_ftype);
	ob_h5_close(&w->track_mtype);
	free(w->path);
	free(w->rowbuf);
	free(w->frmbuf);
	free(w->tracks);
	free(w->score_sum);
	free(w->pending);
	free(w);
	*wp = NULL;
}

/* ---- the reader ---- */

struct ob_trackfile {
	char *path;
	hid_t file, det, frm, trk;
	hid_t row_mtype, frame_mtype, track_mtype;
	struct ob_trackfile_meta meta;
	int64_t nrows, nframes, ntracks_file;
	struct ob_track_summary *tracks;
	size_t ntracks;
	bool tracks_read;
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

enum { ATTR_OK = 0, ATTR_MISSING = 1, ATTR_MISTYPED = 2 };

/* A scalar string attribute (variable- or fixed-length) into a malloc'd string of at most max bytes. */
static int get_str(hid_t loc, const char *name, size_t max, char **out)
{
	hid_t a = -1, t = -1, m = -1, s = -1;
	char *v = NULL;
	int ret = ATTR_MISTYPED;

	*out = NULL;
	if (H5Aexists(loc, name) <= 0)
		return ATTR_MISSING;
	a = H5Aopen(loc, name, H5P_DEFAULT);
	t = a >= 0 ? H5Aget_type(a) : -1;
	s = a >= 0 ? H5Aget_space(a) : -1;
	if (t < 0 || s < 0 || H5Tget_class(t) != H5T_STRING || H5Sget_simple_extent_npoints(s) != 1)
		goto out;
	if (H5Tis_variable_str(t) > 0) {
		char *p = NULL;

		m = H5Tcopy(H5T_C_S1);
		if (m < 0 || H5Tset_size(m, H5T_VARIABLE) < 0 || H5Tset_cset(m, H5Tget_cset(t)) < 0 ||
		    H5Aread(a, m, &p) < 0)
			goto out;
		if (p && strlen(p) <= max)
			v = strdup(p);
		else if (!p)
			v = strdup("");
		H5free_memory(p);
		if (!v)
			goto out;
	} else {
		size_t size = H5Tget_size(t);

		if (size == 0 || size > max)
			goto out;
		v = calloc(1, size + 1);
		m = H5Tcopy(t);
		if (!v || m < 0 || H5Aread(a, m, v) < 0)
			goto out;
		if (H5Tget_strpad(t) == H5T_STR_SPACEPAD)
			while (size > 0 && v[size - 1] == ' ')
				v[--size] = '\0';
	}
	*out = v;
	v = NULL;
	ret = ATTR_OK;
out:
	free(v);
	ob_h5_close(&m);
	ob_h5_close(&s);
	ob_h5_close(&t);
	ob_h5_close(&a);
	return ret;
}

/* A scalar attribute of HDF5 class want (integer or float), read as mem. */
static int get_scalar(hid_t loc, const char *name, H5T_class_t want, hid_t mem, void *out)
{
	hid_t a = -1, t = -1, s = -1;
	int ret = ATTR_MISTYPED;

	if (H5Aexists(loc, name) <= 0)
		return ATTR_MISSING;
	a = H5Aopen(loc, name, H5P_DEFAULT);
	t = a >= 0 ? H5Aget_type(a) : -1;
	s = a >= 0 ? H5Aget_space(a) : -1;
	if (t >= 0 && s >= 0 && H5Tget_class(t) == want && H5Sget_simple_extent_npoints(s) == 1 &&
	    H5Aread(a, mem, out) >= 0)
		ret = ATTR_OK;
	ob_h5_close(&s);
	ob_h5_close(&t);
	ob_h5_close(&a);
	return ret;
}

static int get_int(hid_t loc, const char *name, int64_t *out)
{
	return get_scalar(loc, name, H5T_INTEGER, H5T_NATIVE_INT64, out);
}

/* NAN unless read: a missing start_time is a file from before it existed. */
static int get_f64(hid_t loc, const char *name, double *out)
{
	*out = NAN;
	return get_scalar(loc, name, H5T_FLOAT, H5T_NATIVE_DOUBLE, out);
}

static int attr_problem(const struct ob_trackfile *f, const char *name, int r, const char *want)
{
	if (r == ATTR_MISSING)
		return bad_file(f, "no '%s' attribute", name);
	return bad_file(f, "attribute '%s' is not %s", name, want);
}

/* A string attribute copied into buf[size]. */
static int str_attr(struct ob_trackfile *f, const char *name, char *buf, size_t size)
{
	char *v = NULL;
	int r = get_str(f->file, name, size - 1, &v);

	if (r)
		return attr_problem(f, name, r, "a string that fits");
	snprintf(buf, size, "%s", v);
	free(v);
	return 0;
}

static int int_attr(struct ob_trackfile *f, const char *name, int64_t lo, int64_t hi, int64_t *v)
{
	int r = get_int(f->file, name, v);

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

	r = get_str(f->file, "format", 64, &format);
	if (r == ATTR_MISSING)
		return bad_file(f, "not an Obscura tracks file (no 'format' attribute)");
	if (r || strcmp(format, OB_TRACKFILE_FORMAT)) {
		ret = bad_file(f, "not an Obscura tracks file (format is '%s')", format ? printable(format) : "?");
		free(format);
		return ret;
	}
	free(format);
	r = get_int(f->file, "format_version", &v);
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
	r = get_str(f->file, "recipe", OB_TRACKFILE_RECIPE_MAX, &m->recipe_text);
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
	r = get_f64(f->file, "start_time", &m->start_time);
	if (r == ATTR_MISTYPED)
		return attr_problem(f, "start_time", r, "a float");
	if (isinf(m->start_time))
		return bad_file(f, "attribute 'start_time' is out of range");
	r = get_int(f->file, "frames", &m->frames);
	if (r == ATTR_MISSING)
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

/* Opens a 1-D compound dataset, checks its members against t, builds its memory type. */
static int open_table(struct ob_trackfile *f, const struct ob_h5_table *t, hid_t *d, hid_t *mtype, int64_t *count)
{
	static const char *const class_words[] = { [H5T_INTEGER] = "an integer", [H5T_FLOAT] = "a float",
						   [H5T_ENUM] = "an enum" };
	const char *ds = t->dataset;
	hid_t ft = -1, s = -1;
	hsize_t dims = 0;
	int ret = 0;

	if (H5Lexists(f->file, ds + 1, H5P_DEFAULT) <= 0)
		return bad_file(f, "no %s dataset", ds);
	*d = H5Dopen2(f->file, ds, H5P_DEFAULT);
	if (*d < 0)
		return bad_file(f, "%s is not a dataset", ds);
	ft = H5Dget_type(*d);
	s = H5Dget_space(*d);
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
	*mtype = ob_h5_compound(t, false, ft);
	if (*mtype < 0) {
		ret = bad_file(f, "%s: cannot convert its type", ds);
		goto out;
	}
	*count = (int64_t)dims;
out:
	ob_h5_close(&ft);
	ob_h5_close(&s);
	return ret;
}

static int read_models(struct ob_trackfile *f)
{
	struct ob_trackfile_meta *m = &f->meta;
	hid_t d = -1, ft = -1, s = -1, mt = -1;
	hsize_t n = 0;
	int ret = 0;

	if (H5Lexists(f->file, "models", H5P_DEFAULT) <= 0)
		return bad_file(f, "no /models dataset");
	d = H5Dopen2(f->file, "/models", H5P_DEFAULT);
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

int ob_trackfile_open(const char *path, struct ob_trackfile **out)
{
	struct ob_trackfile *f;
	struct stat st;
	hid_t fapl = -1;
	htri_t is;
	int ret = 0;

	*out = NULL;
	ob_h5_quiet();
	if (stat(path, &st) < 0)
		return ob_err(OB_ERR_INPUT, "%s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return ob_err(OB_ERR_INPUT, "%s: is a directory", path);
	if (!S_ISREG(st.st_mode))
		return ob_err(OB_ERR_INPUT, "%s: not a regular file", path);
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
	f->file = f->det = f->frm = f->trk = -1;
	f->row_mtype = f->frame_mtype = f->track_mtype = -1;
	f->cur_frame = f->seen_frame = -1;
	f->path = strdup(path);
	if (!f->path) {
		ret = ob_err(OB_ERR_NOMEM, "%s: out of memory", path);
		goto out;
	}
	fapl = H5Pcreate(H5P_FILE_ACCESS);
	if (fapl >= 0)
		H5Pset_file_locking(fapl, 1, 1);
	f->file = H5Fopen(path, H5F_ACC_RDONLY, fapl >= 0 ? fapl : H5P_DEFAULT);
	ob_h5_close(&fapl);
	if (f->file < 0) {
		ret = bad_file(f, "not a readable HDF5 file (truncated or corrupt)");
		goto out;
	}
	if ((ret = read_meta(f)) || (ret = read_models(f)) ||
	    (ret = open_table(f, &rows_table, &f->det, &f->row_mtype, &f->nrows)) ||
	    (ret = open_table(f, &frames_table, &f->frm, &f->frame_mtype, &f->nframes)) ||
	    (ret = open_table(f, &tracks_table, &f->trk, &f->track_mtype, &f->ntracks_file)))
		goto out;
	if (f->ntracks_file > OB_TRACKFILE_MAX_TRACKS) {
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
	ob_h5_close(&f->det);
	ob_h5_close(&f->frm);
	ob_h5_close(&f->trk);
	ob_h5_close(&f->row_mtype);
	ob_h5_close(&f->frame_mtype);
	ob_h5_close(&f->track_mtype);
	ob_h5_close(&f->file);
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
	return f->nrows;
}

int64_t ob_trackfile_frame_count(const struct ob_trackfile *f)
{
	return f->nframes;
}

/* Reads elements [start, start + *n) of d (holding count) into out; *n shrinks at the end. */
static int read_slab(struct ob_trackfile *f, hid_t d, hid_t mtype, int64_t count, int64_t start, size_t *n,
		     void *out, const char *ds)
{
	hsize_t off = (hsize_t)start, cnt;
	hid_t fs = -1, ms = -1;
	int ret = 0;

	if (start < 0)
		return ob_err(OB_ERR_INTERNAL, "%s: %s: negative start %lld", f->path, ds, (long long)start);
	if (start >= count || *n == 0) {
		*n = 0;
		return 0;
	}
	if ((uint64_t)(count - start) < *n)
		*n = (size_t)(count - start);
	cnt = *n;
	fs = H5Dget_space(d);
	ms = H5Screate_simple(1, &cnt, NULL);
	if (fs < 0 || ms < 0 || H5Sselect_hyperslab(fs, H5S_SELECT_SET, &off, NULL, &cnt, NULL) < 0 ||
	    H5Dread(d, mtype, ms, fs, H5P_DEFAULT, out) < 0)
		ret = bad_file(f, "%s: rows %lld to %lld cannot be read (corrupt?)", ds, (long long)start,
			       (long long)(start + (int64_t)cnt - 1));
	ob_h5_close(&fs);
	ob_h5_close(&ms);
	return ret;
}

int ob_trackfile_read_rows(struct ob_trackfile *f, int64_t start, size_t max, struct ob_track_row *out,
			   size_t *got)
{
	int ret;

	*got = max;
	ret = read_slab(f, f->det, f->row_mtype, f->nrows, start, got, out, "/detections");
	if (ret) {
		*got = 0;
		return ret;
	}
	for (size_t i = 0; i < *got; i++) {
		const struct ob_track_row *r = &out[i];

		if (r->frame < 0 || r->track == 0 || r->kind >= KIND_COUNT || r->hidden > 1 || !finite_row(r)) {
			*got = 0;
			return bad_file(f, "/detections row %lld is invalid", (long long)(start + (int64_t)i));
		}
	}
	return 0;
}

int ob_trackfile_read_frames(struct ob_trackfile *f, int64_t start, size_t max, struct ob_frame_summary *out,
			     size_t *got)
{
	int ret;

	*got = max;
	ret = read_slab(f, f->frm, f->frame_mtype, f->nframes, start, got, out, "/frames");
	if (ret) {
		*got = 0;
		return ret;
	}
	for (size_t i = 0; i < *got; i++)
		if (out[i].frame < 0 || !isfinite(out[i].pts)) {
			*got = 0;
			return bad_file(f, "/frames row %lld is invalid", (long long)(start + (int64_t)i));
		}
	return 0;
}

int ob_trackfile_tracks(struct ob_trackfile *f, const struct ob_track_summary **tracks, size_t *n)
{
	size_t count = (size_t)f->ntracks_file;
	int ret;

	if (!f->tracks_read) {
		free(f->tracks);
		f->tracks = malloc((count ? count : 1) * sizeof(*f->tracks));
		if (!f->tracks)
			return ob_err(OB_ERR_NOMEM, "%s: out of memory for %zu tracks", f->path, count);
		ret = read_slab(f, f->trk, f->track_mtype, f->ntracks_file, 0, &count, f->tracks, "/tracks");
		if (ret)
			return ret;
		for (size_t i = 0; i < count; i++) {
			const struct ob_track_summary *t = &f->tracks[i];

			if (t->id == 0 || (i > 0 && t->id <= t[-1].id))
				return bad_file(f, "/tracks row %zu: ids not increasing", i);
			if (t->rows < t->observed || t->observed < 0 || t->first_frame < 0 ||
			    t->last_frame < t->first_frame || !isfinite(t->mean_score) || !isfinite(t->first_pts) ||
			    !isfinite(t->last_pts))
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
				if (f->cur_n == f->cur_cap) {
					size_t cap = f->cur_cap ? 2 * f->cur_cap : 64;
					struct ob_track_row *c = realloc(f->cur, cap * sizeof(*c));

					if (!c) {
						ret = ob_err(OB_ERR_NOMEM, "%s: out of memory", f->path);
						goto fail;
					}
					f->cur = c;
					f->cur_cap = cap;
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

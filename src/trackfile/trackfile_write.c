/* SPDX-License-Identifier: MIT */
/* trackfile_write.c - tracks.h5's writer: a job's rows, frames and track summaries (obscura-tracks(5)). */
#include "obscura/trackfile.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "obscura/array.h"
#include "obscura/class.h"
#include "obscura/error.h"
#include "obscura/h5.h"
#include "trackfile_int.h"
#include "obscura/banned.h"

struct ob_trackfile_writer {
	char *path;
	struct tf_h5 h5;                  /* /tracks: made by finish */
	struct ob_track_row *rowbuf;      /* OB_TRACKFILE_CHUNK_ROWS, not yet written */
	size_t nrowbuf;
	struct ob_frame_summary *frmbuf;  /* likewise */
	size_t nfrmbuf;
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

/* The file and memory types of tb's layout; false if HDF5 cannot build them. */
static bool table_types(struct tf_table *tb)
{
	tb->ftype = ob_h5_compound(tb->layout, true, -1);
	tb->mtype = ob_h5_compound(tb->layout, false, -1);
	return tb->ftype >= 0 && tb->mtype >= 0;
}

/* tb's empty, extendible dataset. */
static int create_table(struct ob_trackfile_writer *w, struct tf_table *tb)
{
	char what[64];

	errno = 0;
	tb->d = ob_h5_extendible(w->h5.file, tb->layout->dataset, tb->ftype, OB_TRACKFILE_CHUNK_ROWS);
	if (tb->d >= 0)
		return 0;
	snprintf(what, sizeof(what), "cannot create %s", tb->layout->dataset);
	return write_failed(w, what, errno);
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
	tf_h5_init(&w->h5);
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

	mft = models_type(true);
	mmt = models_type(false);
	if (!table_types(&w->h5.det) || !table_types(&w->h5.frm) || !table_types(&w->h5.trk) || mft < 0 ||
	    mmt < 0) {
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
	w->h5.file = H5Fcreate(path, H5F_ACC_TRUNC, fcpl, fapl);
	e = errno;
	if (w->h5.file < 0) {
		ret = ob_err(OB_ERR_OUTPUT, "%s: cannot create: %s", path, ob_h5_io_cause(e));
		goto out;
	}
	root = H5Gopen2(w->h5.file, "/", H5P_DEFAULT);
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
			models = H5Dcreate2(w->h5.file, "/models", mft, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
		ob_h5_close(&dcpl);
		if (models < 0 || (n && H5Dwrite(models, mmt, H5S_ALL, H5S_ALL, H5P_DEFAULT, meta->models) < 0)) {
			ret = write_failed(w, "cannot write /models", errno);
			goto out;
		}
	}
	if ((ret = create_table(w, &w->h5.det)) || (ret = create_table(w, &w->h5.frm)))
		goto out;
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
		bool made = w->h5.file >= 0;

		ob_trackfile_writer_free(&w);
		if (made)
			unlink(path); /* half a file is no file */
		return ret;
	}
	*out = w;
	return 0;
}

/* Appends the n elements of buf to tb's dataset and empties the buffer: rows,
 * frames and the track summaries all leave the writer this way. */
static int flush(struct ob_trackfile_writer *w, struct tf_table *tb, const void *buf, size_t *n)
{
	char what[64];

	errno = 0;
	if (ob_h5_append(tb->d, tb->mtype, buf, *n, &tb->n)) {
		int e = errno;

		snprintf(what, sizeof(what), "cannot write %s", tb->layout->dataset);
		return write_failed(w, what, e);
	}
	*n = 0;
	return 0;
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
	size_t ct = w->tcap, cs = w->tcap; /* tracks and score_sum share one capacity */
	int ret;

	if (!found) {
		if (w->ntracks >= OB_TRACKFILE_MAX_TRACKS) {
			w->failed = true;
			return ob_err(OB_ERR_LIMIT, "%s: more than %d tracks", w->path, OB_TRACKFILE_MAX_TRACKS);
		}
		if ((ret = ob_grow(&w->tracks, &ct, w->ntracks + 1, sizeof(*w->tracks), OB_TRACKFILE_MAX_TRACKS)) ||
		    (ret = ob_grow(&w->score_sum, &cs, w->ntracks + 1, sizeof(*w->score_sum),
				   OB_TRACKFILE_MAX_TRACKS))) {
			w->failed = true;
			return ob_err(ret, "%s: %s", w->path, ob_errmsg());
		}
		w->tcap = ct;
		memmove(&w->tracks[i + 1], &w->tracks[i], (w->ntracks - i) * sizeof(*w->tracks));
		memmove(&w->score_sum[i + 1], &w->score_sum[i], (w->ntracks - i) * sizeof(*w->score_sum));
		w->ntracks++;
		w->tracks[i] = (struct ob_track_summary){
			.id = r->track, .cls = r->cls, .confirmed = take_pending(w, r->track),
			.first_frame = r->frame, .last_frame = -1, .first_pts = r->pts, .identity = r->track,
		};
		w->score_sum[i] = 0;
	}
	*out = &w->tracks[i];
	return 0;
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
		if (w->nrowbuf == OB_TRACKFILE_CHUNK_ROWS &&
		    (ret = flush(w, &w->h5.det, w->rowbuf, &w->nrowbuf)))
			return ret;
	}
	if (f->boxes != n || f->hidden != hidden)
		return bad_call(w, "frame %lld: the summary does not count its %lld rows",
				(long long)f->frame, (long long)n);
	w->frmbuf[w->nfrmbuf++] = *f;
	w->last_frame = f->frame;
	if (w->nfrmbuf == OB_TRACKFILE_CHUNK_ROWS)
		return flush(w, &w->h5.frm, w->frmbuf, &w->nfrmbuf);
	return 0;
}

int ob_trackfile_confirm(struct ob_trackfile_writer *w, uint64_t id)
{
	bool found;
	size_t i;
	int ret;

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
	if ((ret = ob_grow(&w->pending, &w->pcap, w->npending + 1, sizeof(*w->pending),
			   OB_TRACKFILE_MAX_TRACKS))) {
		w->failed = true;
		return ob_err(ret, "%s: %s", w->path, ob_errmsg());
	}
	memmove(&w->pending[i + 1], &w->pending[i], (w->npending - i) * sizeof(*w->pending));
	w->pending[i] = id;
	w->npending++;
	return 0;
}

int ob_trackfile_set_identity(struct ob_trackfile_writer *w, uint64_t id, uint64_t identity)
{
	bool found;
	size_t i;

	if (w->failed || w->finished || id == 0 || identity == 0 || identity > id)
		return ob_err(OB_ERR_INTERNAL, "%s: cannot give track %" PRIu64 " identity %" PRIu64, w->path, id,
			      identity);
	i = search_ids(w->tracks, w->ntracks, sizeof(*w->tracks), id, &found);
	if (found)
		w->tracks[i].identity = identity;
	return 0; /* a track without a row is not written */
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
	int fd, e, ret;
	herr_t r;

	if (w->failed || w->finished)
		return ob_err(OB_ERR_INTERNAL, "%s: the track file writer is %s", w->path,
			      w->finished ? "finished" : "stopped by an earlier error");
	if (frames <= w->last_frame)
		return bad_call(w, "%lld frames, but a row of frame %lld", (long long)frames,
				(long long)w->last_frame);
	if ((ret = flush(w, &w->h5.det, w->rowbuf, &w->nrowbuf)) ||
	    (ret = flush(w, &w->h5.frm, w->frmbuf, &w->nfrmbuf)) || (ret = create_table(w, &w->h5.trk)) ||
	    (ret = flush(w, &w->h5.trk, tracks, &n)))
		return ret;
	tf_table_close(&w->h5.trk);
	errno = 0;
	if (extra && extra->write(w->h5.file, extra->opaque))
		return write_failed(w, extra->name, errno);
	errno = 0;
	if (ob_h5_put_i64(w->h5.file, "frames", frames))
		return write_failed(w, "cannot write the frames attribute", errno);
	tf_table_close(&w->h5.det);
	tf_table_close(&w->h5.frm);
	errno = 0;
	r = H5Fclose(w->h5.file);
	e = errno;
	w->h5.file = -1;
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

int ob_trackfile_add_group(const char *path, const struct ob_trackfile_group *g)
{
	hid_t file;
	int fd, e = 0;

	errno = 0;
	file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
	if (file < 0)
		return ob_err(OB_ERR_OUTPUT, "%s: cannot open: %s", path, ob_h5_io_cause(errno));
	errno = 0;
	if (g->write(file, g->opaque))
		e = errno ? errno : EIO;
	if (H5Fclose(file) < 0 && !e)
		e = errno ? errno : EIO;
	if (e)
		return ob_err(OB_ERR_OUTPUT, "%s: %s: %s", path, g->name, ob_h5_io_cause(e));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0) {
		e = errno;
		if (fd >= 0)
			close(fd);
		return ob_err(OB_ERR_OUTPUT, "%s: fsync: %s", path, strerror(e));
	}
	close(fd);
	return 0;
}

/* /appearance: three columns of one row per identity, and the version of
 * the descriptor's definition (obscura-tracks(5), APPEARANCE). */
static int write_descriptors(int64_t file, const void *opaque)
{
	const struct ob_track_descriptors *ds = opaque;
	size_t n = ds->n;
	uint64_t *ids = malloc((n ? n : 1) * sizeof(*ids));
	int64_t *counts = malloc((n ? n : 1) * sizeof(*counts));
	float *h = malloc((n ? n : 1) * sizeof(ds->d[0].h));
	hsize_t d1[1] = { n }, d2[2] = { n, OB_APPEARANCE_DIM };
	hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE), g = -1, d = -1;
	int ret = -1;

	if (!ids || !counts || !h) {
		errno = ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		ids[i] = ds->d[i].identity;
		counts[i] = ds->d[i].count;
		memcpy(h + i * OB_APPEARANCE_DIM, ds->d[i].h, sizeof(ds->d[i].h));
	}
	if (gcpl < 0 || H5Pset_obj_track_times(gcpl, 0) < 0 ||
	    (g = H5Gcreate2(file, OB_TRACKFILE_APPEARANCE, H5P_DEFAULT, gcpl, H5P_DEFAULT)) < 0 ||
	    ob_h5_put_i32(g, "version", OB_TRACKFILE_APPEARANCE_VERSION) ||
	    ob_h5_put_i32(g, "parts", OB_APPEARANCE_PARTS) || ob_h5_put_i32(g, "bins", OB_APPEARANCE_BINS))
		goto out;
	if ((d = ob_h5_write(g, "identity", H5T_STD_U64LE, H5T_NATIVE_UINT64, 1, d1, ids)) < 0)
		goto out;
	ob_h5_close(&d);
	if ((d = ob_h5_write(g, "count", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, d1, counts)) < 0)
		goto out;
	ob_h5_close(&d);
	if ((d = ob_h5_write(g, "descriptor", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 2, d2, h)) < 0)
		goto out;
	ret = 0;
out:
	ob_h5_close(&d);
	ob_h5_close(&g);
	ob_h5_close(&gcpl);
	free(ids);
	free(counts);
	free(h);
	return ret;
}

struct ob_trackfile_group ob_trackfile_descriptor_group(const struct ob_track_descriptors *ds)
{
	return (struct ob_trackfile_group){ "cannot write " OB_TRACKFILE_APPEARANCE, write_descriptors, ds };
}

void ob_trackfile_writer_free(struct ob_trackfile_writer **wp)
{
	struct ob_trackfile_writer *w = wp ? *wp : NULL;

	if (!w)
		return;
	tf_h5_close(&w->h5);
	free(w->path);
	free(w->rowbuf);
	free(w->frmbuf);
	free(w->tracks);
	free(w->score_sum);
	free(w->pending);
	free(w);
	*wp = NULL;
}

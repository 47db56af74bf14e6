/* SPDX-License-Identifier: MIT */
/* trackfile_int.h - private to src/trackfile: tracks.h5's layout, shared by its writer and its reader. */
#ifndef OBSCURA_TRACKFILE_INT_H
#define OBSCURA_TRACKFILE_INT_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "obscura/class.h"
#include "obscura/h5.h"
#include "obscura/trackfile.h"

/*
 * The layout is obscura-tracks(5); keep the two in step.  Every compound
 * dataset is described once, by a table of members (name, offset in the C
 * struct, type), from which the file type (packed, little-endian), the
 * memory type (the C struct) and the reader's checks are all derived.
 */

static const char *const kind_names[] = { "observed", "interpolated", "extrapolated" };
#define KIND_COUNT 3

static const struct ob_h5_enum kind_enum = { kind_names, KIND_COUNT };

#define ROW(...) OB_H5_MEMBER(struct ob_track_row, __VA_ARGS__)
static const struct ob_h5_member row_members[] = {
	ROW("frame", frame, OB_H5_I64),     ROW("pts", pts, OB_H5_F64),         ROW("track", track, OB_H5_U64),
	ROW("class", cls, OB_H5_ENUM, &ob_h5_class_enum),     ROW("kind", kind, OB_H5_ENUM, &kind_enum),      ROW("hidden", hidden, OB_H5_U8),
	ROW("score", score, OB_H5_F32),     ROW("x", x, OB_H5_F32),             ROW("y", y, OB_H5_F32),
	ROW("w", w, OB_H5_F32),             ROW("h", h, OB_H5_F32),             ROW("cover_x", cover_x, OB_H5_F32),
	ROW("cover_y", cover_y, OB_H5_F32), ROW("cover_w", cover_w, OB_H5_F32), ROW("cover_h", cover_h, OB_H5_F32),
};
#undef ROW

#define FRM(...) OB_H5_MEMBER(struct ob_frame_summary, __VA_ARGS__)
static const struct ob_h5_member frame_members[] = {
	FRM("frame", frame, OB_H5_I64),
	FRM("pts", pts, OB_H5_F64),
	FRM("boxes", boxes, OB_H5_U32),
	FRM("hidden", hidden, OB_H5_U32),
};
#undef FRM

#define TRK(...) OB_H5_MEMBER(struct ob_track_summary, __VA_ARGS__)
static const struct ob_h5_member track_members[] = {
	TRK("id", id, OB_H5_U64),
	TRK("class", cls, OB_H5_ENUM, &ob_h5_class_enum),
	TRK("confirmed", confirmed, OB_H5_U8),
	TRK("hidden", hidden, OB_H5_U8),
	TRK("first_frame", first_frame, OB_H5_I64),
	TRK("last_frame", last_frame, OB_H5_I64),
	TRK("first_pts", first_pts, OB_H5_F64),
	TRK("last_pts", last_pts, OB_H5_F64),
	TRK("observed", observed, OB_H5_I64),
	TRK("rows", rows, OB_H5_I64),
	TRK("mean_score", mean_score, OB_H5_F64),
	TRK("identity", identity, OB_H5_U64), /* last: files before it have the others only */
};
#undef TRK

static const struct ob_h5_table rows_table = OB_H5_TABLE("/detections", row_members, struct ob_track_row);
static const struct ob_h5_table frames_table = OB_H5_TABLE("/frames", frame_members, struct ob_frame_summary);
static const struct ob_h5_table tracks_table = OB_H5_TABLE("/tracks", track_members, struct ob_track_summary);
/* /tracks as written before identities: every member but the last. */
static const struct ob_h5_table tracks_table_v1 = { "/tracks", track_members,
						    sizeof(track_members) / sizeof(track_members[0]) - 1,
						    sizeof(struct ob_track_summary) };

/* A compound dataset of tracks.h5 as the writer or the reader holds it: the
 * dataset, its file and memory types, and its length (written so far, or
 * found).  Both keep their three tables in these, and close them alike. */
struct tf_table {
	const struct ob_h5_table *layout;
	hid_t d, ftype, mtype;
	int64_t n;
};

static inline void tf_table_init(struct tf_table *t, const struct ob_h5_table *layout)
{
	*t = (struct tf_table){ .layout = layout, .d = -1, .ftype = -1, .mtype = -1 };
}

static inline void tf_table_close(struct tf_table *t)
{
	ob_h5_close(&t->d);
	ob_h5_close(&t->ftype);
	ob_h5_close(&t->mtype);
}

/* An open tracks.h5 and its three tables, as the writer and the reader both
 * hold it. */
struct tf_h5 {
	hid_t file;
	struct tf_table det, frm, trk; /* /detections, /frames, /tracks */
};

static inline void tf_h5_init(struct tf_h5 *h)
{
	h->file = -1;
	tf_table_init(&h->det, &rows_table);
	tf_table_init(&h->frm, &frames_table);
	tf_table_init(&h->trk, &tracks_table);
}

/* Closes the tables, then the file. */
static inline void tf_h5_close(struct tf_h5 *h)
{
	tf_table_close(&h->det);
	tf_table_close(&h->frm);
	tf_table_close(&h->trk);
	ob_h5_close(&h->file);
}

/* /models: {name, sha256}, fixed-length strings; file or memory (struct ob_trackfile_model). */
static inline hid_t models_type(bool file)
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

/* Index of id in the sorted ids (stride bytes apart), or where it would go; *found says which. */
static inline size_t search_ids(const void *base, size_t n, size_t stride, uint64_t id, bool *found)
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

/* True if every number of r is finite and no size negative: the writer
 * refuses any other row, and the reader any file holding one. */
static inline bool finite_row(const struct ob_track_row *r)
{
	return isfinite(r->pts) && isfinite(r->score) && isfinite(r->x) && isfinite(r->y) && isfinite(r->w) &&
	       isfinite(r->h) && isfinite(r->cover_x) && isfinite(r->cover_y) && isfinite(r->cover_w) &&
	       isfinite(r->cover_h) && r->w >= 0 && r->h >= 0 && r->cover_w >= 0 && r->cover_h >= 0;
}

#endif

/* SPDX-License-Identifier: MIT */
/* analytics_file.c - the /analytics group of tracks.h5 (obscura-tracks(5)). */
#include "obscura/analytics_file.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/class.h"
#include "obscura/error.h"
#include "obscura/h5.h"
#include "obscura/banned.h"

static const char *const dir_names[] = { "forward", "backward" };
static const struct ob_h5_enum dir_enum = { dir_names, 2 };

#define CRS(...) OB_H5_MEMBER(struct ob_analytics_crossing, __VA_ARGS__)
static const struct ob_h5_member crossing_members[] = {
	CRS("frame", frame, OB_H5_I64),   CRS("pts", pts, OB_H5_F64),
	CRS("track", track, OB_H5_U64),   CRS("line", line, OB_H5_U16),
	CRS("class", cls, OB_H5_ENUM, &ob_h5_class_enum), CRS("direction", dir, OB_H5_ENUM, &dir_enum),
};
#undef CRS

#define VIS(...) OB_H5_MEMBER(struct ob_analytics_visit, __VA_ARGS__)
static const struct ob_h5_member visit_members[] = {
	VIS("entry_frame", entry_frame, OB_H5_I64), VIS("exit_frame", exit_frame, OB_H5_I64),
	VIS("entry_pts", entry_pts, OB_H5_F64),     VIS("exit_pts", exit_pts, OB_H5_F64),
	VIS("dwell", dwell, OB_H5_F64),             VIS("track", track, OB_H5_U64),
	VIS("zone", zone, OB_H5_U16),               VIS("class", cls, OB_H5_ENUM, &ob_h5_class_enum),
	VIS("at_end", at_end, OB_H5_U8),
};
#undef VIS

#define INT(...) OB_H5_MEMBER(struct ob_analytics_intrusion, __VA_ARGS__)
static const struct ob_h5_member intrusion_members[] = {
	INT("frame", frame, OB_H5_I64), INT("pts", pts, OB_H5_F64), INT("track", track, OB_H5_U64),
	INT("zone", zone, OB_H5_U16),   INT("class", cls, OB_H5_ENUM, &ob_h5_class_enum),
};
#undef INT

#define DWL(...) OB_H5_MEMBER(struct ob_analytics_dwell, __VA_ARGS__)
static const struct ob_h5_member dwell_members[] = {
	DWL("count", count, OB_H5_I64), DWL("tracks", tracks, OB_H5_I64),
	DWL("mean", mean, OB_H5_F64),   DWL("median", median, OB_H5_F64),
	DWL("p90", p90, OB_H5_F64),     DWL("max", max, OB_H5_F64),
};
#undef DWL

static const struct ob_h5_table crossings_table =
	OB_H5_TABLE("crossings", crossing_members, struct ob_analytics_crossing);
static const struct ob_h5_table visits_table = OB_H5_TABLE("visits", visit_members, struct ob_analytics_visit);
static const struct ob_h5_table intrusions_table =
	OB_H5_TABLE("intrusions", intrusion_members, struct ob_analytics_intrusion);
static const struct ob_h5_table dwell_table = OB_H5_TABLE("dwell", dwell_members, struct ob_analytics_dwell);

/* Names given to a dataset's axes and its unit, for whoever opens the file with h5py. */
struct labels {
	const char *axes;  /* "line,direction,class" */
	const char *unit;  /* NULL: a count */
};

static int label(hid_t d, const struct labels *l)
{
	return ob_h5_put_str(d, "axes", l->axes) || (l->unit && ob_h5_put_str(d, "unit", l->unit));
}

/* A numeric array; 0 or -1. */
static int array(hid_t g, const char *name, hid_t ftype, hid_t mtype, int rank, const hsize_t *dims,
		 const void *buf, const struct labels *l)
{
	hid_t d = ob_h5_write(g, name, ftype, mtype, rank, dims, buf);
	int ret = d < 0 || label(d, l) ? -1 : 0;

	ob_h5_close(&d);
	return ret;
}

/* A table of events (1-D), or dwell (2-D), of C structs. */
static int table(hid_t g, const struct ob_h5_table *t, int rank, const hsize_t *dims, const void *buf,
		 const struct labels *l)
{
	hid_t ft = ob_h5_compound(t, true, -1), mt = ob_h5_compound(t, false, -1);
	int ret = ft < 0 || mt < 0 ? -1 : array(g, t->dataset, ft, mt, rank, dims, buf, l);

	ob_h5_close(&ft);
	ob_h5_close(&mt);
	return ret;
}

static int attrs(hid_t g, const struct ob_analytics_result *r)
{
	const char *classes[OB_CLASS_COUNT];

	for (size_t c = 0; c < r->n_classes; c++)
		classes[c] = ob_class_name(r->classes[c]);
	return ob_h5_put_strs(g, "classes", classes, r->n_classes) || ob_h5_put_i32(g, "width", r->width) ||
	       ob_h5_put_i32(g, "height", r->height) || ob_h5_put_f64(g, "fps", r->fps) ||
	       ob_h5_put_i64(g, "frames", r->frames) || ob_h5_put_f64(g, "duration", r->duration) ||
	       ob_h5_put_f64(g, "start_time", r->start_time) || ob_h5_put_f64(g, "bin", r->bin);
}

static int per_class(hid_t g, const struct ob_analytics_result *r)
{
	hsize_t n = r->n_classes;
	const struct labels l = { "class", NULL }, ls = { "class", "s" };

	return array(g, "tracks", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &n, r->tracks, &l) ||
	       array(g, "unconfirmed", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &n, r->unconfirmed, &l) ||
	       array(g, "track_seconds", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &n, r->track_seconds, &ls);
}

static int lines(hid_t g, const struct ob_analytics_result *r)
{
	const char **names = malloc((r->n_lines ? r->n_lines : 1) * sizeof(*names));
	double *pts = malloc((r->n_lines ? r->n_lines : 1) * 4 * sizeof(*pts));
	hsize_t dp[3] = { r->n_lines, 2, 2 }, dc[3] = { r->n_lines, 2, r->n_classes }, dn = r->n_crossings;
	const struct labels lp = { "line,end (a b),coordinate (x y)", "px" }, lc = { "line,direction,class", NULL },
			    le = { "crossing", NULL };
	hid_t d = -1;
	int ret = -1;

	if (!names || !pts)
		goto out;
	for (size_t i = 0; i < r->n_lines; i++) {
		names[i] = r->lines[i].name;
		pts[4 * i] = r->lines[i].a.x;
		pts[4 * i + 1] = r->lines[i].a.y;
		pts[4 * i + 2] = r->lines[i].b.x;
		pts[4 * i + 3] = r->lines[i].b.y;
	}
	d = ob_h5_write(g, "line_points", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 3, dp, pts);
	if (d < 0 || label(d, &lp) || ob_h5_put_strs(d, "names", names, r->n_lines))
		goto out;
	ob_h5_close(&d);
	d = ob_h5_write(g, "line_counts", H5T_STD_I64LE, H5T_NATIVE_INT64, 3, dc, r->line_counts);
	if (d < 0 || label(d, &lc) || ob_h5_put_strs(d, "names", names, r->n_lines) ||
	    ob_h5_put_strs(d, "directions", dir_names, 2))
		goto out;
	ret = table(g, &crossings_table, 1, &dn, r->crossings, &le);
out:
	ob_h5_close(&d);
	free(names);
	free(pts);
	return ret;
}

static int zones(hid_t g, const struct ob_analytics_result *r)
{
	size_t nz = r->n_zones ? r->n_zones : 1;
	const char **names = malloc(nz * sizeof(*names)), **kinds = malloc(nz * sizeof(*kinds));
	double *poly = malloc(nz * OB_POLYGON_MAX_POINTS * 2 * sizeof(*poly));
	hsize_t dp[3] = { r->n_zones, OB_POLYGON_MAX_POINTS, 2 }, dd[2] = { r->n_zones, r->n_classes };
	hsize_t dv = r->n_visits, di = r->n_intrusions;
	const struct labels lp = { "zone,point,coordinate (x y)", "px" }, ld = { "zone,class", "s" },
			    lv = { "visit", NULL }, li = { "intrusion", NULL };
	hid_t d = -1;
	int ret = -1;

	if (!names || !kinds || !poly)
		goto out;
	for (size_t z = 0; z < r->n_zones; z++) {
		names[z] = r->zones[z].name;
		kinds[z] = r->zones[z].kind == OB_AREA_RESTRICTED ? "restricted" : "analytics";
		/* Polygons differ in length: unused points are NaN. */
		for (size_t k = 0; k < OB_POLYGON_MAX_POINTS; k++) {
			bool used = k < r->zones[z].poly.n;

			poly[(z * OB_POLYGON_MAX_POINTS + k) * 2] = used ? r->zones[z].poly.pts[k].x : NAN;
			poly[(z * OB_POLYGON_MAX_POINTS + k) * 2 + 1] = used ? r->zones[z].poly.pts[k].y : NAN;
		}
	}
	d = ob_h5_write(g, "zone_polygons", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 3, dp, poly);
	if (d < 0 || label(d, &lp) || ob_h5_put_strs(d, "names", names, r->n_zones) ||
	    ob_h5_put_strs(d, "kinds", kinds, r->n_zones))
		goto out;
	ob_h5_close(&d);
	if (table(g, &dwell_table, 2, dd, r->dwell, &ld) || table(g, &visits_table, 1, &dv, r->visits, &lv) ||
	    table(g, &intrusions_table, 1, &di, r->intrusions, &li))
		goto out;
	ret = 0;
out:
	ob_h5_close(&d);
	free(names);
	free(kinds);
	free(poly);
	return ret;
}

static int occupancy(hid_t g, const struct ob_analytics_result *r)
{
	const char **areas = malloc((1 + r->n_zones) * sizeof(*areas));
	hsize_t db = r->n_bins, d3[3] = { r->n_bins, r->n_areas, r->n_classes }, d2[2] = { r->n_areas, r->n_classes };
	const struct labels lf = { "bin", NULL }, l3 = { "bin,area,class", NULL }, l2 = { "area,class", NULL };
	hid_t o = -1;
	int ret = -1;

	if (!areas)
		return -1;
	areas[0] = "frame";
	for (size_t z = 0; z < r->n_zones; z++)
		areas[1 + z] = r->zones[z].name;
	o = H5Gcreate2(g, "occupancy", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	if (o >= 0 && !ob_h5_put_f64(o, "bin", r->bin) && !ob_h5_put_strs(o, "areas", areas, r->n_areas) &&
	    !array(o, "frames", H5T_STD_U32LE, H5T_NATIVE_UINT32, 1, &db, r->bin_frames, &lf) &&
	    !array(o, "mean", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 3, d3, r->occ_mean, &l3) &&
	    !array(o, "max", H5T_STD_U32LE, H5T_NATIVE_UINT32, 3, d3, r->occ_max, &l3) &&
	    !array(o, "area_mean", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d2, r->area_mean, &l2) &&
	    !array(o, "area_max", H5T_STD_U32LE, H5T_NATIVE_UINT32, 2, d2, r->area_max, &l2))
		ret = 0;
	ob_h5_close(&o);
	free(areas);
	return ret;
}

static int heatmap(hid_t g, const struct ob_analytics_result *r)
{
	hsize_t dims[3] = { r->n_classes, (hsize_t)r->heat_rows, (hsize_t)r->heat_cols };
	const struct labels l = { "class,row,column", "track-seconds" };
	hid_t d = ob_h5_write(g, "heatmap", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 3, dims, r->heat);
	int ret = d < 0 || label(d, &l) || ob_h5_put_f64(d, "cell_width", (double)r->width / r->heat_cols) ||
			  ob_h5_put_f64(d, "cell_height", (double)r->height / r->heat_rows) ? -1 : 0;

	ob_h5_close(&d);
	return ret;
}

int ob_analytics_file_write(hid_t file, const struct ob_analytics_result *r)
{
	hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE), g = -1;
	int ret = -1;

	if (gcpl >= 0 && H5Pset_obj_track_times(gcpl, 0) >= 0)
		g = H5Gcreate2(file, OB_ANALYTICS_GROUP, H5P_DEFAULT, gcpl, H5P_DEFAULT);
	if (g >= 0 && !attrs(g, r) && !per_class(g, r) && !lines(g, r) && !zones(g, r) && !occupancy(g, r) &&
	    !heatmap(g, r))
		ret = 0;
	ob_h5_close(&g);
	ob_h5_close(&gcpl);
	return ret;
}

static int write_group(int64_t file, const void *r)
{
	return ob_analytics_file_write(file, r);
}

struct ob_trackfile_group ob_analytics_file_group(const struct ob_analytics_result *r)
{
	return (struct ob_trackfile_group){ "cannot write " OB_ANALYTICS_GROUP, write_group, r };
}

/* A row under its identity, and the track it came from. */
struct idrow {
	struct ob_track_row r;
	uint64_t own;
	bool confirmed; /* own is */
};

/* Rows by identity, then by track, the later first. */
static int cmp_identity_row(const void *x, const void *y)
{
	const struct idrow *a = x, *b = y;

	if (a->r.track != b->r.track)
		return a->r.track < b->r.track ? -1 : 1;
	return a->own < b->own ? 1 : a->own > b->own ? -1 : 0;
}

/*
 * A frame's rows as the analyzer counts them: each row under its track's
 * identity, one row an identity (a fragment's extrapolated tail may
 * overlap the next fragment's first rows): the best known (observed, then
 * interpolated, then extrapolated), of the later track on a tie.  Every
 * identity with a confirmed track among them is confirmed (conf[k]: one of
 * the rows out[k] stands for came from a confirmed track).  tmp, out and
 * conf have room for n rows.
 */
static int identity_rows(struct ob_analytics *a, const struct ob_track_summary *t, size_t nt,
			 const struct ob_track_row *rows, size_t n, struct idrow *tmp, struct ob_track_row *out,
			 bool *conf, size_t *nout)
{
	size_t k = 0;
	int ret = 0;

	for (size_t i = 0; i < n; i++) {
		const struct ob_track_summary *s = ob_track_summary_find(t, nt, rows[i].track);

		tmp[i] = (struct idrow){ rows[i], rows[i].track, s && s->confirmed };
		if (s)
			tmp[i].r.track = s->identity;
		if (s && s->confirmed && (ret = ob_analytics_confirm(a, tmp[i].r.track)))
			return ret;
	}
	if (n > 1)
		qsort(tmp, n, sizeof(*tmp), cmp_identity_row);
	for (size_t i = 0; i < n; i++) {
		if (i && tmp[i].own == tmp[i - 1].own) /* the file's fault: the analyzer's words */
			return ob_err(OB_ERR_INTERNAL, "analytics: frame %" PRId64 ": two rows of track %" PRIu64,
				      tmp[i].r.frame, tmp[i].own);
		if (!k || tmp[i].r.track != out[k - 1].track) {
			conf[k] = tmp[i].confirmed;
			out[k++] = tmp[i].r;
			continue;
		}
		conf[k - 1] = conf[k - 1] || tmp[i].confirmed;
		if (tmp[i].r.kind < out[k - 1].kind)
			out[k - 1] = tmp[i].r; /* better known; on a tie the later track stays */
	}
	*nout = k;
	return 0;
}

/* The gap between two consecutive tracks of one identity: its rows are
 * interpolated between the earlier track's last row and the later's first,
 * under the later track's id. */
struct bridge {
	uint64_t track;
	struct ob_track_row from, to;
};

static int cmp_bridge(const void *x, const void *y)
{
	const struct bridge *a = x, *b = y;

	if (a->from.frame != b->from.frame)
		return a->from.frame < b->from.frame ? -1 : 1;
	return a->track < b->track ? -1 : a->track > b->track;
}

/* Summary indices by identity, then first frame. */
static int cmp_member(const void *x, const void *y, void *ctx)
{
	const struct ob_track_summary *t = ctx, *a = &t[*(const size_t *)x], *b = &t[*(const size_t *)y];

	if (a->identity != b->identity)
		return a->identity < b->identity ? -1 : 1;
	if (a->first_frame != b->first_frame)
		return a->first_frame < b->first_frame ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/*
 * Every gap between consecutive tracks of one identity (the earlier's last
 * row before the later's first, with frames between), with the rows at its
 * two ends, read in one pass over /detections; sorted by the frame it opens.
 */
static int find_bridges(struct ob_trackfile *f, const struct ob_track_summary *t, size_t nt,
			struct bridge **out, size_t *nout)
{
	size_t *member = NULL, nm = 0, nb = 0, got;
	long *as_a = NULL, *as_b = NULL;
	struct ob_track_row *rows = NULL;
	struct bridge *b = NULL;
	int64_t at = 0;
	int ret = 0;

	*out = NULL;
	*nout = 0;
	for (size_t i = 0; i < nt; i++)
		nm += t[i].identity != t[i].id;
	if (!nm)
		return 0;
	member = malloc(nt * sizeof(*member));
	as_a = malloc(nt * sizeof(*as_a));
	as_b = malloc(nt * sizeof(*as_b));
	b = malloc(nm * sizeof(*b));
	rows = malloc(OB_TRACKFILE_CHUNK_ROWS * sizeof(*rows));
	if (!member || !as_a || !as_b || !b || !rows) {
		ret = ob_err(OB_ERR_NOMEM, "out of memory");
		goto out;
	}
	/* the tracks of identities of two tracks or more: the later ones and their heads */
	for (size_t i = 0; i < nt; i++)
		as_a[i] = as_b[i] = -1;
	for (size_t i = 0; i < nt; i++) {
		const struct ob_track_summary *head = ob_track_summary_find(t, nt, t[i].identity);

		if (t[i].identity != t[i].id) {
			as_a[i] = 0;
			if (head)
				as_a[head - t] = 0;
		}
	}
	nm = 0;
	for (size_t i = 0; i < nt; i++) {
		if (!as_a[i])
			member[nm++] = i;
		as_a[i] = -1;
	}
	qsort_r(member, nm, sizeof(*member), cmp_member, (void *)t);
	for (size_t k = 1; k < nm; k++) {
		const struct ob_track_summary *pa = &t[member[k - 1]], *pb = &t[member[k]];

		if (pa->identity != pb->identity || pa->last_frame + 1 >= pb->first_frame)
			continue;
		as_a[member[k - 1]] = (long)nb;
		as_b[member[k]] = (long)nb;
		b[nb++] = (struct bridge){ .track = pb->id, .from = { .frame = -1 }, .to = { .frame = -1 } };
	}
	while (nb && !(ret = ob_trackfile_read_rows(f, at, OB_TRACKFILE_CHUNK_ROWS, rows, &got)) && got) {
		for (size_t i = 0; i < got; i++) {
			const struct ob_track_summary *s = ob_track_summary_find(t, nt, rows[i].track);
			size_t k = s ? (size_t)(s - t) : 0;

			if (s && as_a[k] >= 0 && rows[i].frame == s->last_frame)
				b[as_a[k]].from = rows[i];
			if (s && as_b[k] >= 0 && rows[i].frame == s->first_frame)
				b[as_b[k]].to = rows[i];
		}
		at += (int64_t)got;
	}
	if (ret)
		goto out;
	for (size_t k = 0; k < nb; k++)
		if (b[k].from.frame < 0 || b[k].to.frame < 0) {
			ret = ob_err(OB_ERR_INPUT, "track %" PRIu64 ": no row where /tracks says it begins", b[k].track);
			goto out;
		}
	if (nb)
		qsort(b, nb, sizeof(*b), cmp_bridge);
	*out = b;
	*nout = nb;
	b = NULL;
out:
	free(member);
	free(as_a);
	free(as_b);
	free(rows);
	free(b);
	return ret;
}

/* The row of bridge b on frame n (b->from.frame < n < b->to.frame). */
static struct ob_track_row bridge_row(const struct bridge *b, int64_t n, double pts)
{
	double u = (double)(n - b->from.frame) / (double)(b->to.frame - b->from.frame);
	struct ob_track_row r = {
		.frame = n, .pts = pts, .track = b->track, .cls = b->to.cls, .kind = OB_ROW_INTERPOLATED,
		.x = (float)(b->from.x + u * (b->to.x - b->from.x)), .y = (float)(b->from.y + u * (b->to.y - b->from.y)),
		.w = (float)(b->from.w + u * (b->to.w - b->from.w)), .h = (float)(b->from.h + u * (b->to.h - b->from.h)),
	};

	r.cover_x = r.x, r.cover_y = r.y, r.cover_w = r.w, r.cover_h = r.h;
	return r;
}

int ob_analytics_file_replay(struct ob_trackfile *f, const struct ob_recipe *r, ob_analytics_frame_fn each_frame,
			     void *ctx, struct ob_analytics **out)
{
	const struct ob_trackfile_meta *m = ob_trackfile_meta(f);
	struct ob_frame_summary *frames = malloc(OB_TRACKFILE_CHUNK_ROWS * sizeof(*frames));
	struct ob_track_row *byid = NULL, *all = NULL;
	struct idrow *tmp = NULL;
	bool *conf = NULL;
	const struct ob_track_summary *t;
	struct ob_analytics_config c;
	struct ob_analytics *a = NULL;
	struct bridge *br = NULL;
	size_t nt, got, nbr = 0, next_br = 0, *active = NULL, nactive = 0, room;
	int64_t at = 0;
	int ret;

	*out = NULL;
	ob_analytics_config_init(&c, m->width, m->height,
				 m->fps_num > 0 ? (double)m->fps_num / m->fps_den : OB_DEFAULT_FPS);
	c.start_time = m->start_time;
	if ((ret = ob_trackfile_tracks(f, &t, &nt)) || (ret = find_bridges(f, t, nt, &br, &nbr)) ||
	    (ret = ob_analytics_new(r, &c, &a)))
		goto out;
	room = OB_TRACKFILE_MAX_FRAME_ROWS + nbr;
	byid = malloc(room * sizeof(*byid));
	all = malloc(room * sizeof(*all));
	tmp = malloc(room * sizeof(*tmp));
	conf = malloc(room * sizeof(*conf));
	active = malloc((nbr ? nbr : 1) * sizeof(*active));
	if (!frames || !byid || !all || !tmp || !conf || !active) {
		ret = ob_err(OB_ERR_NOMEM, "out of memory");
		goto out;
	}
	while (!(ret = ob_trackfile_read_frames(f, at, OB_TRACKFILE_CHUNK_ROWS, frames, &got)) && got) {
		for (size_t i = 0; i < got && !ret; i++) {
			int64_t fr = frames[i].frame;
			const struct ob_track_row *rows;
			size_t n, nid = 0, keep = 0;

			ret = ob_trackfile_rows_at(f, fr, &rows, &n);
			if (!ret && n > OB_TRACKFILE_MAX_FRAME_ROWS)
				ret = ob_err(OB_ERR_INPUT, "frame %" PRId64 ": %zu rows", fr, n);
			if (ret)
				break;
			/* the gaps of identities this frame falls in: a row each */
			if (n) /* rows may be NULL for a frame without any */
				memcpy(all, rows, n * sizeof(*rows));
			while (next_br < nbr && br[next_br].from.frame < fr)
				active[nactive++] = next_br++;
			for (size_t k = 0; k < nactive; k++)
				if (br[active[k]].to.frame > fr) {
					all[n++] = bridge_row(&br[active[k]], fr, frames[i].pts);
					active[keep++] = active[k];
				}
			nactive = keep;
			ret = identity_rows(a, t, nt, all, n, tmp, byid, conf, &nid);
			if (!ret && each_frame)
				ret = each_frame(ctx, byid, conf, nid);
			if (!ret)
				ret = ob_analytics_frame(a, frames[i].frame, frames[i].pts, byid, nid);
		}
		if (ret)
			goto out;
		at += (int64_t)got;
	}
	if (!ret)
		ret = ob_analytics_finish(a);
out:
	if (ret == OB_ERR_INTERNAL) {
		/* Every row and time the analyzer refused (a track twice on a frame or
		 * changing class, frames or times going back) came from the file. */
		char msg[OB_ERRMSG_MAX];

		snprintf(msg, sizeof(msg), "%s", ob_errmsg());
		ret = ob_err(OB_ERR_INPUT, "invalid rows in the track file: %s", msg);
	}
	free(frames);
	free(byid);
	free(all);
	free(tmp);
	free(conf);
	free(active);
	free(br);
	if (ret)
		ob_analytics_free(&a);
	*out = a;
	return ret;
}

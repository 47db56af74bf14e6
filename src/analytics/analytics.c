/* SPDX-License-Identifier: MIT */
/* analytics.c - counts, line crossings, zone visits, occupancy, intrusions and heat from tracks. */
#include "obscura/analytics.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/array.h"
#include "obscura/error.h"
#include "obscura/banned.h"

#define EPS 1e-9 /* seconds: pts sums are compared with this slack */

/* A track's side of one line. */
struct line_state {
	int8_t side;       /* committed: -1 left of a->b, +1 right, 0 not yet */
	int8_t raw;        /* sign of the last row's distance; 0 before any */
	bool have_cross;   /* the path changed sides since the last committed point */
	double prev_s, prev_t; /* last row: signed distance, position along a->b */
	double cross_t;    /* where along a->b it last changed sides (0..1 on the segment) */
	int64_t cross_frame; /* first frame on the side it changed to */
	double cross_pts;
};

/* A track in one zone. */
struct zone_state {
	bool inside;       /* committed */
	bool cand;         /* the point has been on the other side of the border since cand_* */
	int64_t cand_frame, entry_frame;
	double cand_pts, entry_pts;
};

/* A row of a track not yet confirmed: what it adds once it is. */
struct prow {
	int64_t frame;
	uint64_t areas; /* bit 0 the whole frame, bit 1 + z zone z */
	uint32_t cell;  /* heatmap cell */
};

enum ev_type { EV_CROSSING, EV_VISIT, EV_INTRUSION };

struct pevent {
	enum ev_type type;
	union {
		struct ob_analytics_crossing c;
		struct ob_analytics_visit v;
		struct ob_analytics_intrusion i;
	} u;
};

struct track {
	uint64_t id;
	int64_t seen;      /* frame of its last row */
	double last_pts;
	uint8_t cls;
	int ci;            /* class index, -1: not analysed */
	bool confirmed;
	struct line_state *ls; /* [n_lines], NULL if not analysed */
	struct zone_state *zs; /* [n_zones] */
	struct prow *prows;    /* while unconfirmed */
	size_t nprows, cprows;
	struct pevent *pev;    /* while unconfirmed */
	size_t npev, cpev;
};

struct ob_analytics {
	struct ob_analytics_config cfg;
	double dt;                 /* seconds a row stands for */
	int ci_of[OB_CLASS_COUNT]; /* class -> index, -1 not analysed */
	size_t ncls;
	uint8_t cls_of[OB_CLASS_COUNT];
	size_t n_lines, n_zones, n_areas, stride; /* stride = n_areas * ncls */
	struct ob_analytics_line *lines;
	struct ob_analytics_zone *zones;
	struct ob_box *zone_box;   /* bounds, for a quick reject */

	struct track **tracks;     /* live, increasing id */
	size_t ntracks, ctracks;
	uint64_t *early;           /* confirmed before their first row, increasing */
	size_t nearly, cearly;

	/* Frames not yet folded into the bins: their counts may still grow when
	 * a track with rows in them is confirmed. */
	int64_t *of_frame;
	double *of_pts;
	uint32_t *of_counts;       /* [of_cap][stride] */
	size_t of_head, of_n, of_cap;

	uint32_t *bin_frames;
	uint64_t *occ_sum;         /* [bins][stride] */
	uint32_t *occ_max;
	float *occ_mean;
	size_t n_bins, c_bins;
	uint64_t *area_sum;        /* [stride], over every frame */
	uint32_t *area_max;
	double *area_mean;

	double *heat;              /* [ncls][rows][cols] */
	int64_t *line_counts;      /* [n_lines][2][ncls] */
	struct ob_analytics_dwell *dwell;
	struct ob_analytics_crossing *crossings;
	size_t n_crossings, c_crossings;
	struct ob_analytics_visit *visits;
	size_t n_visits, c_visits;
	struct ob_analytics_intrusion *intrusions;
	size_t n_intrusions, c_intrusions;
	int64_t tracks_n[OB_CLASS_COUNT], unconfirmed[OB_CLASS_COUNT];
	double track_seconds[OB_CLASS_COUNT];

	int64_t frames, last_frame;
	double last_pts;
	bool failed, finished;
	struct ob_analytics_result res;
};

/* ob_grow(), its message naming the analyzer. */
static int grow(void *v, size_t *cap, size_t need, size_t size, size_t max)
{
	int ret = ob_grow(v, cap, need, size, max);

	return ret ? ob_err(ret, "analytics: %s", ob_errmsg()) : 0;
}

void ob_analytics_config_init(struct ob_analytics_config *c, int width, int height, double fps)
{
	*c = (struct ob_analytics_config){
		.width = width, .height = height, .fps = fps, .bin = OB_ANALYTICS_BIN,
		.zone_hold = OB_ANALYTICS_ZONE_HOLD, .line_band = OB_ANALYTICS_LINE_BAND,
		.track_gap = OB_ANALYTICS_TRACK_GAP, .heat_cols = OB_ANALYTICS_HEAT_COLS, .heat_rows = 0,
		.classes = OB_CLASS_BIT(OB_CLASS_PERSON) | OB_CLASS_BIT(OB_CLASS_VEHICLE),
		.start_time = NAN,
	};
}

static int check_config(const struct ob_analytics_config *c)
{
	if (c->width <= 0 || c->height <= 0)
		return ob_err(OB_ERR_INTERNAL, "analytics: frame size %dx%d", c->width, c->height);
	if (!(c->fps > 0 && isfinite(c->fps)))
		return ob_err(OB_ERR_INTERNAL, "analytics: frame rate %g", c->fps);
	if (!(c->bin > 0 && c->bin <= OB_ANALYTICS_MAX_BIN))
		return ob_err(OB_ERR_INTERNAL, "analytics: occupancy bin %g s", c->bin);
	if (!(c->zone_hold >= 0 && c->zone_hold <= OB_ANALYTICS_MAX_HOLD))
		return ob_err(OB_ERR_INTERNAL, "analytics: zone hold %g s", c->zone_hold);
	if (!(c->line_band >= 0 && c->line_band <= 2))
		return ob_err(OB_ERR_INTERNAL, "analytics: line band %g", c->line_band);
	if (!(c->track_gap > c->zone_hold && c->track_gap <= OB_ANALYTICS_MAX_BIN))
		return ob_err(OB_ERR_INTERNAL, "analytics: track gap %g s (must exceed the zone hold)", c->track_gap);
	if (c->heat_cols < 1 || c->heat_cols > OB_ANALYTICS_HEAT_MAX || c->heat_rows < 0 ||
	    c->heat_rows > OB_ANALYTICS_HEAT_MAX)
		return ob_err(OB_ERR_INTERNAL, "analytics: heatmap %dx%d", c->heat_cols, c->heat_rows);
	if (!c->classes || c->classes >= (1u << OB_CLASS_COUNT))
		return ob_err(OB_ERR_INTERNAL, "analytics: class mask %#x", c->classes);
	if (isinf(c->start_time))
		return ob_err(OB_ERR_INTERNAL, "analytics: start time %g", c->start_time);
	return 0;
}

int ob_analytics_new(const struct ob_recipe *r, const struct ob_analytics_config *c, struct ob_analytics **out)
{
	struct ob_analytics *a;
	size_t cells;
	int ret;

	*out = NULL;
	if ((ret = check_config(c)))
		return ret;
	a = calloc(1, sizeof(*a));
	if (!a)
		return ob_err(OB_ERR_NOMEM, "analytics: out of memory");
	a->cfg = *c;
	if (!a->cfg.heat_rows) {
		long rows = lround((double)c->heat_cols * c->height / c->width);
		a->cfg.heat_rows = rows < 1 ? 1 : rows > OB_ANALYTICS_HEAT_MAX ? OB_ANALYTICS_HEAT_MAX : (int)rows;
	}
	a->dt = 1.0 / c->fps;
	for (int k = 0; k < OB_CLASS_COUNT; k++) {
		a->ci_of[k] = -1;
		if (c->classes & OB_CLASS_BIT(k)) {
			a->ci_of[k] = (int)a->ncls;
			a->cls_of[a->ncls++] = (uint8_t)k;
		}
	}
	a->n_lines = r->n_lines;
	a->n_zones = r->n_areas;
	a->n_areas = 1 + a->n_zones;
	a->stride = a->n_areas * a->ncls;
	a->last_frame = -1;
	cells = (size_t)a->cfg.heat_cols * (size_t)a->cfg.heat_rows;
	a->lines = calloc(a->n_lines ? a->n_lines : 1, sizeof(*a->lines));
	a->zones = calloc(a->n_zones ? a->n_zones : 1, sizeof(*a->zones));
	a->zone_box = calloc(a->n_zones ? a->n_zones : 1, sizeof(*a->zone_box));
	a->line_counts = calloc(a->n_lines ? a->n_lines * 2 * a->ncls : 1, sizeof(*a->line_counts));
	a->dwell = calloc(a->n_zones ? a->n_zones * a->ncls : 1, sizeof(*a->dwell));
	a->heat = calloc(a->ncls * cells, sizeof(*a->heat));
	a->area_sum = calloc(a->stride, sizeof(*a->area_sum));
	a->area_max = calloc(a->stride, sizeof(*a->area_max));
	a->area_mean = calloc(a->stride, sizeof(*a->area_mean));
	if (!a->lines || !a->zones || !a->zone_box || !a->line_counts || !a->dwell || !a->heat ||
	    !a->area_sum || !a->area_max || !a->area_mean) {
		ob_analytics_free(&a);
		return ob_err(OB_ERR_NOMEM, "analytics: out of memory");
	}
	for (size_t i = 0; i < a->n_lines; i++) {
		const struct ob_count_line *l = &r->lines[i];
		struct ob_analytics_line *m = &a->lines[i];

		memcpy(m->name, l->name, sizeof(m->name));
		m->a = (struct ob_point){ l->pts[0].x * c->width, l->pts[0].y * c->height };
		m->b = (struct ob_point){ l->pts[1].x * c->width, l->pts[1].y * c->height };
		m->classes = l->classes & c->classes;
	}
	for (size_t i = 0; i < a->n_zones; i++) {
		const struct ob_area *z = &r->areas[i];
		struct ob_analytics_zone *m = &a->zones[i];

		memcpy(m->name, z->name, sizeof(m->name));
		m->poly = z->poly;
		ob_polygon_scale(&m->poly, c->width, c->height);
		m->kind = z->kind;
		m->classes = z->classes & c->classes;
		a->zone_box[i] = ob_polygon_bounds(&m->poly);
	}
	*out = a;
	return 0;
}

static void track_free(struct track *t)
{
	if (!t)
		return;
	free(t->ls);
	free(t->zs);
	free(t->prows);
	free(t->pev);
	free(t);
}

void ob_analytics_free(struct ob_analytics **pa)
{
	struct ob_analytics *a;

	if (!pa || !*pa)
		return;
	a = *pa;
	for (size_t i = 0; i < a->ntracks; i++)
		track_free(a->tracks[i]);
	free(a->tracks);
	free(a->early);
	free(a->lines);
	free(a->zones);
	free(a->zone_box);
	free(a->of_frame);
	free(a->of_pts);
	free(a->of_counts);
	free(a->bin_frames);
	free(a->occ_sum);
	free(a->occ_max);
	free(a->occ_mean);
	free(a->area_sum);
	free(a->area_max);
	free(a->area_mean);
	free(a->heat);
	free(a->line_counts);
	free(a->dwell);
	free(a->crossings);
	free(a->visits);
	free(a->intrusions);
	free(a);
	*pa = NULL;
}

/* --- tracks by id --- */

/* The live track `id`, or NULL with *pos where it would go. */
static struct track *find_track(const struct ob_analytics *a, uint64_t id, size_t *pos)
{
	size_t lo = 0, hi = a->ntracks;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->tracks[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (pos)
		*pos = lo;
	return lo < a->ntracks && a->tracks[lo]->id == id ? a->tracks[lo] : NULL;
}

static size_t find_early(const struct ob_analytics *a, uint64_t id)
{
	size_t lo = 0, hi = a->nearly;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->early[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* --- results --- */

/* Room for one more in an event list of n (capacity *cap), at most
 * OB_ANALYTICS_MAX_EVENTS: each kind's list and a track's held events. */
static int room_for_event(void *v, size_t *cap, size_t n, size_t size)
{
	if (n >= OB_ANALYTICS_MAX_EVENTS)
		return ob_err(OB_ERR_LIMIT, "analytics: more than %d events of one kind", OB_ANALYTICS_MAX_EVENTS);
	return grow(v, cap, n + 1, size, OB_ANALYTICS_MAX_EVENTS);
}

/* Counts one event of a confirmed track. */
static int commit(struct ob_analytics *a, const struct pevent *e)
{
	int ret;

	switch (e->type) {
	case EV_CROSSING:
		if ((ret = room_for_event(&a->crossings, &a->c_crossings, a->n_crossings, sizeof(*a->crossings))))
			return ret;
		a->crossings[a->n_crossings++] = e->u.c;
		a->line_counts[((size_t)e->u.c.line * 2 + e->u.c.dir) * a->ncls + (size_t)a->ci_of[e->u.c.cls]]++;
		return 0;
	case EV_VISIT:
		if ((ret = room_for_event(&a->visits, &a->c_visits, a->n_visits, sizeof(*a->visits))))
			return ret;
		a->visits[a->n_visits++] = e->u.v;
		return 0;
	case EV_INTRUSION:
		if ((ret = room_for_event(&a->intrusions, &a->c_intrusions, a->n_intrusions,
					  sizeof(*a->intrusions))))
			return ret;
		a->intrusions[a->n_intrusions++] = e->u.i;
		return 0;
	}
	return ob_err(OB_ERR_INTERNAL, "analytics: unknown event");
}

/* An event of track t: counted now if t is confirmed, else held with it. */
static int emit(struct ob_analytics *a, struct track *t, const struct pevent *e)
{
	int ret;

	if (t->confirmed)
		return commit(a, e);
	if ((ret = room_for_event(&t->pev, &t->cpev, t->npev, sizeof(*t->pev))))
		return ret;
	t->pev[t->npev++] = *e;
	return 0;
}

/* --- frames waiting for confirmations, and the occupancy bins --- */

static uint32_t *slot_counts(const struct ob_analytics *a, size_t i)
{
	return a->of_counts + (a->of_head + i) * a->stride;
}

/* Folds the oldest open frame into its bin. */
static int fold_oldest(struct ob_analytics *a)
{
	double pts = a->of_pts[a->of_head];
	double fb = pts > 0 ? floor(pts / a->cfg.bin + EPS) : 0;
	const uint32_t *cnt = slot_counts(a, 0);
	size_t b, cf = a->c_bins, cs = a->c_bins, cm = a->c_bins; /* one capacity, a copy per array */
	int ret;

	if (fb >= OB_ANALYTICS_MAX_BINS)
		return ob_err(OB_ERR_LIMIT, "analytics: frame at %.3f s needs more than %d occupancy bins",
			      pts, OB_ANALYTICS_MAX_BINS);
	b = (size_t)fb;
	if ((ret = grow(&a->bin_frames, &cf, b + 1, sizeof(*a->bin_frames), SIZE_MAX)) ||
	    (ret = grow(&a->occ_sum, &cs, b + 1, a->stride * sizeof(*a->occ_sum), SIZE_MAX)) ||
	    (ret = grow(&a->occ_max, &cm, b + 1, a->stride * sizeof(*a->occ_max), SIZE_MAX)))
		return ret;
	a->c_bins = cf;
	if (b >= a->n_bins) {
		memset(a->bin_frames + a->n_bins, 0, (b + 1 - a->n_bins) * sizeof(*a->bin_frames));
		memset(a->occ_sum + a->n_bins * a->stride, 0, (b + 1 - a->n_bins) * a->stride * sizeof(*a->occ_sum));
		memset(a->occ_max + a->n_bins * a->stride, 0, (b + 1 - a->n_bins) * a->stride * sizeof(*a->occ_max));
		a->n_bins = b + 1;
	}
	a->bin_frames[b]++;
	for (size_t k = 0; k < a->stride; k++) {
		uint64_t *s = &a->occ_sum[b * a->stride + k];
		uint32_t *m = &a->occ_max[b * a->stride + k];

		*s += cnt[k];
		if (cnt[k] > *m)
			*m = cnt[k];
		a->area_sum[k] += cnt[k];
		if (cnt[k] > a->area_max[k])
			a->area_max[k] = cnt[k];
	}
	a->of_head++;
	a->of_n--;
	if (!a->of_n)
		a->of_head = 0;
	return 0;
}

/* Unconfirmed tracks forget their rows on frames <= frame (folded already). */
static void trim_pending(struct ob_analytics *a, int64_t frame)
{
	for (size_t i = 0; i < a->ntracks; i++) {
		struct track *t = a->tracks[i];
		size_t k = 0;

		while (k < t->nprows && t->prows[k].frame <= frame)
			k++;
		if (k) {
			memmove(t->prows, t->prows + k, (t->nprows - k) * sizeof(*t->prows));
			t->nprows -= k;
		}
	}
}

/* Folds every open frame that no unconfirmed track has a row in (all: force). */
static int settle(struct ob_analytics *a, bool all)
{
	int64_t min = INT64_MAX;

	if (!all)
		for (size_t i = 0; i < a->ntracks; i++) {
			const struct track *t = a->tracks[i];

			if (!t->confirmed && t->nprows && t->prows[0].frame < min)
				min = t->prows[0].frame;
		}
	while (a->of_n && a->of_frame[a->of_head] < min) {
		int ret = fold_oldest(a);

		if (ret)
			return ret;
	}
	return 0;
}

/* A new open frame, all counts 0. */
static int open_frame(struct ob_analytics *a, int64_t frame, double pts)
{
	if (a->of_n == OB_ANALYTICS_MAX_OPEN_FRAMES) {
		int64_t f = a->of_frame[a->of_head];
		int ret;

		if ((ret = fold_oldest(a)))
			return ret;
		trim_pending(a, f);
	}
	if (a->of_head + a->of_n == a->of_cap) {
		if (a->of_head) {
			memmove(a->of_frame, a->of_frame + a->of_head, a->of_n * sizeof(*a->of_frame));
			memmove(a->of_pts, a->of_pts + a->of_head, a->of_n * sizeof(*a->of_pts));
			memmove(a->of_counts, slot_counts(a, 0), a->of_n * a->stride * sizeof(*a->of_counts));
			a->of_head = 0;
		} else {
			size_t cf = a->of_cap, cp = a->of_cap, cc = a->of_cap, need = a->of_n + 1;
			size_t max = OB_ANALYTICS_MAX_OPEN_FRAMES;
			int ret;

			if ((ret = grow(&a->of_frame, &cf, need, sizeof(*a->of_frame), max)) ||
			    (ret = grow(&a->of_pts, &cp, need, sizeof(*a->of_pts), max)) ||
			    (ret = grow(&a->of_counts, &cc, need, a->stride * sizeof(*a->of_counts), max)))
				return ret;
			a->of_cap = cf;
		}
	}
	a->of_frame[a->of_head + a->of_n] = frame;
	a->of_pts[a->of_head + a->of_n] = pts;
	a->of_n++;
	memset(slot_counts(a, a->of_n - 1), 0, a->stride * sizeof(*a->of_counts));
	return 0;
}

/* The open frame `frame`, or NULL (folded already). */
static uint32_t *find_slot(const struct ob_analytics *a, int64_t frame)
{
	size_t lo = 0, hi = a->of_n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->of_frame[a->of_head + mid] < frame)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < a->of_n && a->of_frame[a->of_head + lo] == frame ? slot_counts(a, lo) : NULL;
}

/* One row of a confirmed track, on an open frame. */
static void count_row(struct ob_analytics *a, int ci, uint32_t *slot, uint64_t areas, uint32_t cell)
{
	size_t cells = (size_t)a->cfg.heat_cols * (size_t)a->cfg.heat_rows;

	if (slot)
		for (size_t z = 0; z < a->n_areas; z++)
			if (areas & (1ull << z))
				slot[z * a->ncls + (size_t)ci]++;
	a->heat[(size_t)ci * cells + cell] += a->dt;
	a->track_seconds[ci] += a->dt;
}

/* t is confirmed: it counts, and so does all it held. */
static int confirm_track(struct ob_analytics *a, struct track *t)
{
	int ret = 0;

	t->confirmed = true;
	if (t->ci < 0)
		return 0;
	a->tracks_n[t->ci]++;
	for (size_t i = 0; i < t->nprows; i++)
		count_row(a, t->ci, find_slot(a, t->prows[i].frame), t->prows[i].areas, t->prows[i].cell);
	for (size_t i = 0; i < t->npev && !ret; i++)
		ret = commit(a, &t->pev[i]);
	free(t->prows);
	free(t->pev);
	t->prows = NULL;
	t->pev = NULL;
	t->nprows = t->cprows = t->npev = t->cpev = 0;
	return ret;
}

/* --- lines and zones --- */

static int line_step(struct ob_analytics *a, struct track *t, size_t li, const struct ob_point *p,
		     const struct ob_track_row *r, double pts)
{
	const struct ob_analytics_line *l = &a->lines[li];
	struct line_state *s = &t->ls[li];
	double dx = l->b.x - l->a.x, dy = l->b.y - l->a.y, len2 = dx * dx + dy * dy, len = sqrt(len2);
	double px = p->x - l->a.x, py = p->y - l->a.y;
	/* y grows downwards: positive is the right of a->b as seen on the picture */
	double sd = (dx * py - dy * px) / len, tt = (px * dx + py * dy) / len2;
	double band = fmax(a->cfg.line_band * (r->w + r->h) / 2, OB_ANALYTICS_LINE_BAND_MIN);
	int8_t raw = sd > 0 ? 1 : sd < 0 ? -1 : s->raw;

	if (s->raw && raw != s->raw) {
		/* the path changed sides between the last row and this one: where? */
		s->have_cross = true;
		s->cross_t = s->prev_t + (tt - s->prev_t) * s->prev_s / (s->prev_s - sd);
		s->cross_frame = r->frame;
		s->cross_pts = pts;
	}
	s->raw = raw;
	s->prev_s = sd;
	s->prev_t = tt;
	if (fabs(sd) < band)
		return 0;
	raw = sd > 0 ? 1 : -1;
	if (s->side && raw != s->side && s->have_cross && s->cross_t >= 0 && s->cross_t <= 1) {
		struct pevent e = { .type = EV_CROSSING };

		e.u.c = (struct ob_analytics_crossing){
			.frame = s->cross_frame, .pts = s->cross_pts, .track = t->id, .line = (uint16_t)li,
			.cls = t->cls, .dir = s->side < 0 ? OB_CROSS_FORWARD : OB_CROSS_BACKWARD,
		};
		s->side = raw;
		s->have_cross = false;
		return emit(a, t, &e);
	}
	s->side = raw;
	s->have_cross = false;
	return 0;
}

/* The visit of t to zone z ends at (frame, pts). */
static int end_visit(struct ob_analytics *a, struct track *t, size_t z, int64_t frame, double pts, bool at_end)
{
	struct zone_state *s = &t->zs[z];
	struct pevent e = { .type = EV_VISIT };

	e.u.v = (struct ob_analytics_visit){
		.entry_frame = s->entry_frame, .exit_frame = frame, .entry_pts = s->entry_pts, .exit_pts = pts,
		.dwell = pts - s->entry_pts, .track = t->id, .zone = (uint16_t)z, .cls = t->cls, .at_end = at_end,
	};
	s->inside = false;
	s->cand = false;
	return emit(a, t, &e);
}

/* Track t's point is (raw) or is not inside zone z on this frame. */
static int zone_step(struct ob_analytics *a, struct track *t, size_t z, bool raw, int64_t frame, double pts)
{
	struct zone_state *s = &t->zs[z];

	if (raw == s->inside) {
		s->cand = false;
		return 0;
	}
	if (!s->cand) {
		s->cand = true;
		s->cand_frame = frame;
		s->cand_pts = pts;
	}
	if (pts + a->dt - s->cand_pts < a->cfg.zone_hold - EPS)
		return 0;
	if (!raw)
		return end_visit(a, t, z, s->cand_frame, s->cand_pts, false);
	s->inside = true;
	s->cand = false;
	s->entry_frame = s->cand_frame;
	s->entry_pts = s->cand_pts;
	if (a->zones[z].kind == OB_AREA_RESTRICTED) {
		struct pevent e = { .type = EV_INTRUSION };

		e.u.i = (struct ob_analytics_intrusion){
			.frame = s->entry_frame, .pts = s->entry_pts, .track = t->id, .zone = (uint16_t)z, .cls = t->cls,
		};
		return emit(a, t, &e);
	}
	return 0;
}

/* --- frames --- */

static int new_track(struct ob_analytics *a, const struct ob_track_row *r, size_t pos, struct track **out)
{
	struct track *t = calloc(1, sizeof(*t));
	size_t e;
	int ret;

	if (!t)
		return ob_err(OB_ERR_NOMEM, "analytics: out of memory");
	t->id = r->track;
	t->cls = r->cls;
	t->ci = r->cls < OB_CLASS_COUNT ? a->ci_of[r->cls] : -1;
	if (t->ci >= 0) {
		t->ls = calloc(a->n_lines ? a->n_lines : 1, sizeof(*t->ls));
		t->zs = calloc(a->n_zones ? a->n_zones : 1, sizeof(*t->zs));
		if (!t->ls || !t->zs) {
			track_free(t);
			return ob_err(OB_ERR_NOMEM, "analytics: out of memory");
		}
	}
	if ((ret = grow(&a->tracks, &a->ctracks, a->ntracks + 1, sizeof(*a->tracks), SIZE_MAX))) {
		track_free(t);
		return ret;
	}
	memmove(a->tracks + pos + 1, a->tracks + pos, (a->ntracks - pos) * sizeof(*a->tracks));
	a->tracks[pos] = t;
	a->ntracks++;
	e = find_early(a, t->id);
	if (e < a->nearly && a->early[e] == t->id) {
		memmove(a->early + e, a->early + e + 1, (a->nearly - e - 1) * sizeof(*a->early));
		a->nearly--;
		t->confirmed = true;
		if (t->ci >= 0)
			a->tracks_n[t->ci]++;
	}
	*out = t;
	return 0;
}

static int do_row(struct ob_analytics *a, const struct ob_track_row *r, int64_t frame, double pts)
{
	struct track *t;
	struct ob_point p;
	uint64_t areas = 1;
	size_t pos;
	double col, row;
	uint32_t cell;
	int ret;

	if (r->frame != frame)
		return ob_err(OB_ERR_INTERNAL, "analytics: a row of frame %" PRId64 " given with frame %" PRId64,
			      r->frame, frame);
	if (!r->track || !isfinite(r->x) || !isfinite(r->y) || !isfinite(r->w) || !isfinite(r->h))
		return ob_err(OB_ERR_INTERNAL, "analytics: frame %" PRId64 ": invalid row of track %" PRIu64,
			      frame, r->track);
	t = find_track(a, r->track, &pos);
	if (!t) {
		if ((ret = new_track(a, r, pos, &t)))
			return ret;
	} else if (t->seen == frame) {
		return ob_err(OB_ERR_INTERNAL, "analytics: frame %" PRId64 ": two rows of track %" PRIu64,
			      frame, r->track);
	} else if (t->cls != r->cls) {
		return ob_err(OB_ERR_INTERNAL, "analytics: frame %" PRId64 ": track %" PRIu64 " changed class",
			      frame, r->track);
	}
	t->seen = frame;
	t->last_pts = pts;
	if (t->ci < 0)
		return 0;
	/* the bottom centre of the box: where the track stands */
	p = (struct ob_point){ r->x + r->w / 2.0, (double)r->y + r->h };
	for (size_t i = 0; i < a->n_lines; i++)
		if ((a->lines[i].classes & OB_CLASS_BIT(t->cls)) && (ret = line_step(a, t, i, &p, r, pts)))
			return ret;
	for (size_t z = 0; z < a->n_zones; z++) {
		const struct ob_box *b = &a->zone_box[z];
		bool in;

		if (!(a->zones[z].classes & OB_CLASS_BIT(t->cls)))
			continue;
		in = p.x >= b->x && p.x <= b->x + b->w && p.y >= b->y && p.y <= b->y + b->h &&
		     ob_polygon_contains(&a->zones[z].poly, p.x, p.y);
		if (in)
			areas |= 1ull << (z + 1);
		if ((ret = zone_step(a, t, z, in, frame, pts)))
			return ret;
	}
	/* the cell holding the point; outside the frame, the nearest one */
	col = fmin(fmax(floor(p.x * a->cfg.heat_cols / a->cfg.width), 0), a->cfg.heat_cols - 1);
	row = fmin(fmax(floor(p.y * a->cfg.heat_rows / a->cfg.height), 0), a->cfg.heat_rows - 1);
	cell = (uint32_t)row * (uint32_t)a->cfg.heat_cols + (uint32_t)col;
	if (t->confirmed) {
		count_row(a, t->ci, slot_counts(a, a->of_n - 1), areas, cell);
		return 0;
	}
	if ((ret = grow(&t->prows, &t->cprows, t->nprows + 1, sizeof(*t->prows), SIZE_MAX)))
		return ret;
	t->prows[t->nprows++] = (struct prow){ frame, areas, cell };
	return 0;
}

/* t ends: its open visits close at its first unseen frame (at_end: the end of
 * the footage); unconfirmed, it is dropped with all it held. */
static int end_track(struct ob_analytics *a, struct track *t, bool at_end)
{
	int ret;

	if (t->ci < 0)
		return 0;
	for (size_t z = 0; z < a->n_zones; z++) {
		const struct zone_state *s = &t->zs[z];

		if (!s->inside)
			continue;
		if (s->cand)
			ret = end_visit(a, t, z, s->cand_frame, s->cand_pts, at_end);
		else if (at_end)
			ret = end_visit(a, t, z, a->last_frame + 1, a->last_pts + a->dt, true);
		else
			ret = end_visit(a, t, z, t->seen + 1, t->last_pts + a->dt, false);
		if (ret)
			return ret;
	}
	if (!t->confirmed)
		a->unconfirmed[t->ci]++;
	return 0;
}

static int do_frame(struct ob_analytics *a, int64_t frame, double pts, const struct ob_track_row *rows, size_t n)
{
	size_t keep = 0;
	int ret;

	if (frame <= a->last_frame || frame < 0)
		return ob_err(OB_ERR_INTERNAL, "analytics: frame %" PRId64 " after frame %" PRId64, frame, a->last_frame);
	if (!isfinite(pts) || (a->frames && pts < a->last_pts))
		return ob_err(OB_ERR_INTERNAL, "analytics: frame %" PRId64 ": time %g s goes back", frame, pts);
	if (n > OB_FRAME_MAX_ROWS)
		return ob_err(OB_ERR_INTERNAL, "analytics: frame %" PRId64 ": %zu rows", frame, n);
	if ((ret = open_frame(a, frame, pts)))
		return ret;
	a->frames++;
	a->last_frame = frame;
	a->last_pts = pts;
	for (size_t i = 0; i < n; i++)
		if ((ret = do_row(a, &rows[i], frame, pts)))
			return ret;
	/* tracks without a row on this frame: outside every zone; gone for long, ended */
	for (size_t i = 0; i < a->ntracks; i++) {
		struct track *t = a->tracks[i];

		if (!ret && t->seen != frame && t->ci >= 0)
			for (size_t z = 0; z < a->n_zones && !ret; z++)
				if (t->zs[z].inside || t->zs[z].cand)
					ret = zone_step(a, t, z, false, frame, pts);
		if (!ret && t->seen != frame && pts - t->last_pts > a->cfg.track_gap) {
			ret = end_track(a, t, false);
			track_free(t);
			continue;
		}
		a->tracks[keep++] = t;
	}
	a->ntracks = keep;
	return ret ? ret : settle(a, false);
}

int ob_analytics_frame(struct ob_analytics *a, int64_t frame, double pts, const struct ob_track_row *rows, size_t n)
{
	int ret;

	if (a->failed || a->finished)
		return ob_err(OB_ERR_INTERNAL, "analytics: frame %" PRId64 " after %s", frame,
			      a->failed ? "an error" : "the end");
	ret = do_frame(a, frame, pts, rows, n);
	if (ret)
		a->failed = true;
	return ret;
}

int ob_analytics_confirm(struct ob_analytics *a, uint64_t id)
{
	struct track *t;
	size_t e;
	int ret;

	if (a->failed || a->finished)
		return ob_err(OB_ERR_INTERNAL, "analytics: track %" PRIu64 " confirmed after %s", id,
			      a->failed ? "an error" : "the end");
	t = find_track(a, id, NULL);
	if (t) {
		if (t->confirmed)
			return 0;
		ret = confirm_track(a, t);
		if (!ret)
			ret = settle(a, false);
		if (ret)
			a->failed = true;
		return ret;
	}
	e = find_early(a, id);
	if (e < a->nearly && a->early[e] == id)
		return 0;
	if (a->nearly >= OB_ANALYTICS_MAX_EARLY)
		return ob_err(OB_ERR_LIMIT, "analytics: more than %d tracks confirmed before their first row",
			      OB_ANALYTICS_MAX_EARLY);
	if ((ret = grow(&a->early, &a->cearly, a->nearly + 1, sizeof(*a->early), SIZE_MAX)))
		return ret;
	memmove(a->early + e + 1, a->early + e, (a->nearly - e) * sizeof(*a->early));
	a->early[e] = id;
	a->nearly++;
	return 0;
}

size_t ob_analytics_held(const struct ob_analytics *a)
{
	return a->ntracks;
}

/* --- the end --- */

/* Events in the order of the frame they happened on, then of the track, then
 * of the line or zone: crossings, visits and intrusions all sort so. */
static int cmp_event(int64_t fx, int64_t fy, uint64_t tx, uint64_t ty, unsigned ax, unsigned ay)
{
	if (fx != fy)
		return fx < fy ? -1 : 1;
	if (tx != ty)
		return tx < ty ? -1 : 1;
	return ax < ay ? -1 : ax > ay;
}

static int cmp_crossing(const void *pa, const void *pb)
{
	const struct ob_analytics_crossing *x = pa, *y = pb;

	return cmp_event(x->frame, y->frame, x->track, y->track, x->line, y->line);
}

static int cmp_visit(const void *pa, const void *pb)
{
	const struct ob_analytics_visit *x = pa, *y = pb;

	return cmp_event(x->entry_frame, y->entry_frame, x->track, y->track, x->zone, y->zone);
}

static int cmp_intrusion(const void *pa, const void *pb)
{
	const struct ob_analytics_intrusion *x = pa, *y = pb;

	return cmp_event(x->frame, y->frame, x->track, y->track, x->zone, y->zone);
}

static int cmp_double(const void *pa, const void *pb)
{
	double x = *(const double *)pa, y = *(const double *)pb;

	return x < y ? -1 : x > y;
}

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t x = *(const uint64_t *)pa, y = *(const uint64_t *)pb;

	return x < y ? -1 : x > y;
}

/* Count, distinct tracks, mean, median, p90 and max of each zone's and class's dwell. */
static int dwell_stats(struct ob_analytics *a)
{
	double *d = malloc((a->n_visits ? a->n_visits : 1) * sizeof(*d));
	uint64_t *ids = malloc((a->n_visits ? a->n_visits : 1) * sizeof(*ids));

	if (!d || !ids) {
		free(d);
		free(ids);
		return ob_err(OB_ERR_NOMEM, "analytics: out of memory");
	}
	for (size_t z = 0; z < a->n_zones; z++)
		for (size_t c = 0; c < a->ncls; c++) {
			struct ob_analytics_dwell *s = &a->dwell[z * a->ncls + c];
			size_t n = 0;
			double sum = 0;

			for (size_t i = 0; i < a->n_visits; i++)
				if (a->visits[i].zone == z && a->visits[i].cls == a->cls_of[c]) {
					ids[n] = a->visits[i].track;
					d[n++] = a->visits[i].dwell;
				}
			*s = (struct ob_analytics_dwell){ .count = (int64_t)n };
			if (!n)
				continue;
			qsort(d, n, sizeof(*d), cmp_double);
			qsort(ids, n, sizeof(*ids), cmp_u64);
			for (size_t i = 0; i < n; i++) {
				sum += d[i];
				s->tracks += !i || ids[i] != ids[i - 1];
			}
			s->mean = sum / (double)n;
			s->median = n % 2 ? d[n / 2] : (d[n / 2 - 1] + d[n / 2]) / 2;
			s->p90 = d[(size_t)ceil(0.9 * (double)n - EPS) - 1];
			s->max = d[n - 1];
		}
	free(d);
	free(ids);
	return 0;
}

int ob_analytics_finish(struct ob_analytics *a)
{
	struct ob_analytics_result *r = &a->res;
	int ret = 0;

	if (a->failed || a->finished)
		return ob_err(OB_ERR_INTERNAL, "analytics: finish after %s", a->failed ? "an error" : "the end");
	for (size_t i = 0; i < a->ntracks; i++) {
		if (!ret)
			ret = end_track(a, a->tracks[i], true);
		track_free(a->tracks[i]);
	}
	a->ntracks = 0;
	if (!ret)
		ret = settle(a, true);
	if (!ret && a->n_bins) {
		a->occ_mean = malloc(a->n_bins * a->stride * sizeof(*a->occ_mean));
		if (!a->occ_mean)
			ret = ob_err(OB_ERR_NOMEM, "analytics: out of memory");
		for (size_t b = 0; b < a->n_bins && !ret; b++)
			for (size_t k = 0; k < a->stride; k++)
				a->occ_mean[b * a->stride + k] =
					a->bin_frames[b] ? (float)((double)a->occ_sum[b * a->stride + k] / a->bin_frames[b]) : 0;
	}
	if (!ret)
		ret = dwell_stats(a);
	if (ret) {
		a->failed = true;
		return ret;
	}
	for (size_t k = 0; k < a->stride; k++)
		a->area_mean[k] = a->frames ? (double)a->area_sum[k] / (double)a->frames : 0;
	/* qsort's array must not be NULL, even when empty. */
	if (a->n_crossings)
		qsort(a->crossings, a->n_crossings, sizeof(*a->crossings), cmp_crossing);
	if (a->n_visits)
		qsort(a->visits, a->n_visits, sizeof(*a->visits), cmp_visit);
	if (a->n_intrusions)
		qsort(a->intrusions, a->n_intrusions, sizeof(*a->intrusions), cmp_intrusion);
	*r = (struct ob_analytics_result){
		.width = a->cfg.width, .height = a->cfg.height, .fps = a->cfg.fps, .frames = a->frames,
		.start_time = a->cfg.start_time,
		.duration = a->frames ? a->last_pts + a->dt : 0, .n_classes = a->ncls,
		.n_lines = a->n_lines, .lines = a->lines, .line_counts = a->line_counts,
		.n_crossings = a->n_crossings, .crossings = a->crossings,
		.n_zones = a->n_zones, .zones = a->zones, .n_visits = a->n_visits, .visits = a->visits,
		.dwell = a->dwell, .n_intrusions = a->n_intrusions, .intrusions = a->intrusions,
		.bin = a->cfg.bin, .n_bins = a->n_bins, .n_areas = a->n_areas, .bin_frames = a->bin_frames,
		.occ_mean = a->occ_mean, .occ_max = a->occ_max, .area_mean = a->area_mean, .area_max = a->area_max,
		.heat_cols = a->cfg.heat_cols, .heat_rows = a->cfg.heat_rows, .heat = a->heat,
	};
	memcpy(r->classes, a->cls_of, sizeof(r->classes));
	for (size_t c = 0; c < a->ncls; c++) {
		r->tracks[c] = a->tracks_n[c];
		r->unconfirmed[c] = a->unconfirmed[c];
		r->track_seconds[c] = a->track_seconds[c];
	}
	a->finished = true;
	return 0;
}

const struct ob_analytics_result *ob_analytics_result(const struct ob_analytics *a)
{
	return a->finished ? &a->res : NULL;
}

int ob_analytics_class_index(const struct ob_analytics_result *r, enum ob_class cls)
{
	for (size_t c = 0; c < r->n_classes; c++)
		if (r->classes[c] == cls)
			return (int)c;
	return -1;
}

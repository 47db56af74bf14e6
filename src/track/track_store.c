/* SPDX-License-Identifier: MIT */
/* track_store.c - the track store: trackers per lane, a bounded lookahead, and
 * the rows that say what covers each frame. */
#include "obscura/track_store.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/array.h"
#include "obscura/error.h"
#include "obscura/recipe.h"
#include "obscura/tracker.h"
#include "obscura/banned.h"

/* Observations a velocity is fitted on (least squares over frame number). */
#define VELOCITY_FIT 5
/* An extrapolated box is also grown, per frame away from its nearest
 * detection, by this share of its motion per frame (the motion is a guess)... */
#define EXTRAPOLATE_SLACK 0.5
/* ...and by this share of its size (acceleration, a turn, detector jitter). */
#define EXTRAPOLATE_DRIFT 0.02
/* A track seen once has no motion yet: its box grows by this share of its
 * size on every side per frame away from the detection. */
#define EXTRAPOLATE_UNKNOWN 0.1
/* Two detections of a track are of one face when the first, moved along the
 * track's motion, overlaps the second by this much (IoU). */
#define EDGE_SAME 0.3

/* What a second look (track_store.h) found where a face was seen once. */
enum look {
	LOOK_NONE,   /* not looked at (yet, or more than a look's worth of them) */
	LOOK_FOUND,
	LOOK_EMPTY,
};

struct obs {
	int64_t frame;
	struct ob_box box;
	float score;
};

/* What a track's detections over its whole life say (obs[] keeps only the
 * recent ones). */
struct evidence {
	int64_t n;                  /* detections */
	double score_sum, h_sum;
	double x0, x1, y0, y1;      /* range of the box's centre */
};

/* The store's view of one track: its recent detections, in frame order. */
struct strack {
	uint64_t id;
	int lane;
	bool alive;          /* still in its tracker */
	bool kept;           /* the tracker confirmed it (confirm detections matched) */
	bool confirmed;      /* ... and its evidence holds: it counts */
	bool confirm_sent;   /* ... and a retired frame reported it */
	enum look look;      /* seen once: what the detect stage's second look found */
	bool shadow;         /* its first detection is another track's face boxed again (shadow_of) */
	struct evidence ev;
	struct obs head[VELOCITY_FIT]; /* its first detections, for its fragment */
	size_t nhead;
	struct ob_appearance app_sum;  /* sum of its detections' descriptors */
	int64_t app_n;
	struct obs *obs;
	size_t n, cap;
};

struct lane {
	enum ob_class cls;
	double high;
	double hide;          /* top fraction of the cover hidden */
	bool person;          /* its tracks need evidence of a person to be confirmed */
	int wait;             /* frames between the passes of its detectors, at most */
	struct ob_tracker *tracker;
};

struct motion {
	double vx, vy, vw, vh; /* per frame: centre and size */
	bool known;            /* fitted on two detections or more */
};

struct ob_track_store {
	struct ob_track_params p;
	bool replay;
	struct lane lanes[OB_TRACK_MAX_LANES];
	int nlanes;
	uint64_t next_id;
	struct strack *tracks; /* increasing id: new ids are always the largest */
	size_t ntracks, tcap;
	int64_t current;       /* last frame begun, -1 none */
	int64_t next_retire;   /* first frame not retired */
	bool finished;
	double *pts;           /* ring: pts of frames next_retire..current */
	size_t pts_cap;
	int64_t rows_frame;    /* frame whose rows are in rows[], -1 none */
	struct ob_track_row *rows;
	size_t nrows;
	struct ob_track_row *pending; /* replay: rows put for the current frame */
	bool *pending_confirmed;
	size_t npending;
	uint64_t *ids;         /* scratch for ob_tracker_update */
	uint64_t *newly;       /* the last retired frame's newly confirmed tracks */
	struct ob_track_fragment *ended; /* the last retired frame's tracks that left */
	size_t nended, ended_cap;
	int64_t created, confirmed;
};

static int frames_of(double seconds, double fps)
{
	double f = ceil(seconds * fps - 1e-9);

	return f < 0 ? 0 : f > OB_TRACK_MAX_LOOKAHEAD ? OB_TRACK_MAX_LOOKAHEAD : (int)f;
}

void ob_track_params_from(const struct ob_track_opts *o, double fps, int width, int height,
			  struct ob_track_params *p)
{
	*p = (struct ob_track_params){
		.lookahead = frames_of(o->lookahead, fps),
		.extend_before = frames_of(o->extend_before, fps),
		.extend_after = frames_of(o->extend_after, fps),
		.max_lost = frames_of(o->max_lost, fps),
		.confirm = o->confirm,
		.confirm_motion = o->confirm_motion,
		.confirm_score = o->confirm_score,
		.iou = o->iou,
		.low = o->low,
		.motion_margin = o->motion_margin,
		.width = width,
		.height = height,
	};
}

void ob_track_params_still(struct ob_track_params *p)
{
	p->lookahead = p->extend_before = p->extend_after = p->max_lost = 0;
	p->confirm = 1;
	p->confirm_motion = 0;
	p->motion_margin = 0;
}

int ob_track_store_new(const struct ob_track_params *p, struct ob_track_store **out)
{
	struct ob_track_store *ts = calloc(1, sizeof(*ts));

	*out = NULL;
	if (!ts)
		return ob_err(OB_ERR_NOMEM, "out of memory for the track store");
	ts->replay = p == NULL;
	if (p) {
		ts->p = *p;
		if (ts->p.lookahead < 0 || ts->p.lookahead > OB_TRACK_MAX_LOOKAHEAD)
			ts->p.lookahead = OB_TRACK_MAX_LOOKAHEAD;
		if (ts->p.extend_before > ts->p.lookahead)
			ts->p.extend_before = ts->p.lookahead; /* cannot look further ahead */
	}
	ts->next_id = 1;
	ts->current = -1;
	ts->rows_frame = -1;
	ts->pts_cap = (size_t)ts->p.lookahead + 2;
	ts->pts = calloc(ts->pts_cap, sizeof(*ts->pts));
	ts->rows = malloc(OB_TRACK_MAX_BOXES * sizeof(*ts->rows));
	if (ts->replay) {
		ts->pending = malloc(OB_TRACK_MAX_BOXES * sizeof(*ts->pending));
		ts->pending_confirmed = malloc(OB_TRACK_MAX_BOXES * sizeof(*ts->pending_confirmed));
	}
	ts->ids = malloc(OB_TRACK_MAX_BOXES * sizeof(*ts->ids));
	ts->newly = malloc(OB_TRACK_MAX_BOXES * sizeof(*ts->newly));
	if (!ts->pts || !ts->rows || !ts->ids || !ts->newly || (ts->replay && (!ts->pending || !ts->pending_confirmed))) {
		ob_track_store_free(&ts);
		return ob_err(OB_ERR_NOMEM, "out of memory for the track store");
	}
	*out = ts;
	return 0;
}

void ob_track_store_free(struct ob_track_store **pts)
{
	struct ob_track_store *ts = pts ? *pts : NULL;

	if (!ts)
		return;
	for (int i = 0; i < ts->nlanes; i++)
		ob_tracker_free(&ts->lanes[i].tracker);
	for (size_t i = 0; i < ts->ntracks; i++)
		free(ts->tracks[i].obs);
	free(ts->tracks);
	free(ts->pts);
	free(ts->rows);
	free(ts->pending);
	free(ts->pending_confirmed);
	free(ts->ids);
	free(ts->newly);
	free(ts->ended);
	free(ts);
	*pts = NULL;
}

int ob_track_store_add_lane(struct ob_track_store *ts, enum ob_class cls, double high, double hide,
			    int wait, int *lane)
{
	struct ob_tracker_params tp;
	struct lane *l;
	int ret;

	if (ts->replay || ts->current >= 0)
		return ob_err(OB_ERR_INTERNAL, "track store: lane added to a replay store or after the first frame");
	if (ts->nlanes == OB_TRACK_MAX_LANES)
		return ob_err(OB_ERR_LIMIT, "more than %d detection lanes", OB_TRACK_MAX_LANES);
	ob_tracker_defaults(&tp);
	tp.high = high;
	tp.low = fmin(ts->p.low, high);
	tp.iou_gate = ts->p.iou;
	tp.confirm_hits = ts->p.confirm;
	tp.max_lost = ts->p.max_lost;
	tp.tentative_keep = wait > 0 ? wait : 0;
	if (cls == OB_CLASS_PERSON) {
		tp.app_weight = OB_TRACK_APP_WEIGHT;
		tp.app_gate = OB_TRACK_APP_GATE;
	}
	l = &ts->lanes[ts->nlanes];
	l->cls = cls;
	l->high = high;
	l->hide = hide < 0 ? 0 : hide > 1 ? 1 : hide;
	l->person = cls == OB_CLASS_PERSON;
	l->wait = wait > 0 ? wait : 0;
	ret = ob_tracker_new(&tp, &ts->next_id, &l->tracker);
	if (ret)
		return ret;
	*lane = ts->nlanes++;
	return 0;
}

double ob_track_store_lane_floor(const struct ob_track_store *ts, int lane)
{
	return fmin(ts->lanes[lane].high, ts->p.low);
}

static int cmp_id(const void *key, const void *elem)
{
	uint64_t a = *(const uint64_t *)key, b = ((const struct strack *)elem)->id;

	return a < b ? -1 : a > b;
}

static struct strack *find(struct ob_track_store *ts, uint64_t id)
{
	return ts->ntracks ? bsearch(&id, ts->tracks, ts->ntracks, sizeof(*ts->tracks), cmp_id) : NULL;
}

/* Whether track t counts (track_store.h, struct ob_retired): the one
 * place that decides it. */
static bool earns_confirmation(const struct ob_track_store *ts, const struct strack *t)
{
	const struct evidence *e = &t->ev;
	double moved = fmax(e->x1 - e->x0, e->y1 - e->y0);

	if (!t->kept)
		return false;
	if (!ts->lanes[t->lane].person)
		return true;
	return e->n > 0 && e->score_sum >= ts->p.confirm_score * (double)e->n &&
	       moved * (double)e->n >= ts->p.confirm_motion * e->h_sum;
}

/* Tracks leave their tracker (lost too long, or tentative and unmatched);
 * their detections stay until their last row is retired. */
static void sync_lane(struct ob_track_store *ts, int lane)
{
	const struct ob_track_info *live;
	size_t nlive = ob_tracker_tracks(ts->lanes[lane].tracker, &live), j = 0;

	/* both lists are in increasing id order */
	for (size_t i = 0; i < ts->ntracks; i++) {
		struct strack *t = &ts->tracks[i];

		if (t->lane != lane || !t->alive)
			continue;
		while (j < nlive && live[j].id < t->id)
			j++;
		if (j < nlive && live[j].id == t->id) {
			t->kept = t->kept || live[j].state != OB_TRACK_TENTATIVE;
			if (!t->confirmed && earns_confirmation(ts, t)) {
				t->confirmed = true;
				ts->confirmed++;
			}
		} else {
			t->alive = false;
		}
	}
}

int ob_track_store_begin_frame(struct ob_track_store *ts, int64_t frame, double pts)
{
	if (frame != ts->current + 1 || ts->finished)
		return ob_err(OB_ERR_INTERNAL, "track store: frame %lld after %lld", (long long)frame,
			      (long long)ts->current);
	if ((size_t)(frame - ts->next_retire) >= ts->pts_cap || (ts->replay && frame != ts->next_retire))
		return ob_err(OB_ERR_INTERNAL, "track store: frames not retired");
	ts->current = frame;
	ts->pts[frame % (int64_t)ts->pts_cap] = pts;
	ts->npending = 0;
	for (int i = 0; i < ts->nlanes; i++) {
		ob_tracker_step(ts->lanes[i].tracker);
		sync_lane(ts, i);
	}
	return 0;
}

static void add_evidence(struct evidence *e, const struct ob_box *b, float score)
{
	double cx = b->x + b->w / 2, cy = b->y + b->h / 2;

	if (!e->n) {
		e->x0 = e->x1 = cx;
		e->y0 = e->y1 = cy;
	}
	e->x0 = fmin(e->x0, cx), e->x1 = fmax(e->x1, cx);
	e->y0 = fmin(e->y0, cy), e->y1 = fmax(e->y1, cy);
	e->score_sum += score;
	e->h_sum += b->h;
	e->n++;
}

static int add_obs(struct ob_track_store *ts, uint64_t id, int lane, struct ob_box box, float score,
		   const struct ob_appearance *app)
{
	struct strack *t = find(ts, id);
	int ret;

	if (!t) {
		if (ts->ntracks && id < ts->tracks[ts->ntracks - 1].id)
			return ob_err(OB_ERR_INTERNAL, "track store: track %llu out of order", (unsigned long long)id);
		if ((ret = ob_grow(&ts->tracks, &ts->tcap, ts->ntracks + 1, sizeof(*ts->tracks), SIZE_MAX)))
			return ob_err(ret, "track store: %s", ob_errmsg());
		t = &ts->tracks[ts->ntracks++];
		*t = (struct strack){ .id = id, .lane = lane, .alive = true };
		ts->created++;
	}
	if ((ret = ob_grow(&t->obs, &t->cap, t->n + 1, sizeof(*t->obs), SIZE_MAX)))
		return ob_err(ret, "track store: %s", ob_errmsg());
	t->obs[t->n++] = (struct obs){ ts->current, box, score };
	if (t->nhead < VELOCITY_FIT)
		t->head[t->nhead++] = t->obs[t->n - 1];
	if (app && app->valid) {
		for (int k = 0; k < OB_APPEARANCE_DIM; k++)
			t->app_sum.h[k] += app->h[k];
		t->app_n++;
	}
	add_evidence(&t->ev, &box, score);
	return 0;
}

/*
 * A face found once where a track of its lane seen on OB_TRACK_SHADOW_SEEN
 * detection frames before has a detection on the same frame sharing
 * OB_TRACK_SHADOW_SHARE of the smaller box: the same face boxed again by
 * another pass, looser (face, neck and collar, scoring 0.84) or in part (an
 * eye and brow), or another face, smaller, over a corner of it.  A second
 * look (track_store.h) tells them apart: it is owed whatever the score, and
 * if it finds no face there but the frame's own, this box was the tracked
 * face's, which is hidden on every frame with its own track and moving with
 * it; this box, extended, would stand still where the face was for
 * extend_before and extend_after (on face-cover's moving clip one such box,
 * 119x239 px for 31 frames, was a fifth of what the export hid outside
 * faces), and is hidden as briefly as a weak one (brief).
 */
static bool shadow_of(const struct ob_track_store *ts, const struct strack *t)
{
	const struct obs *o = &t->obs[0];

	/* people overlap in a crowd, one in front of another: not for person lanes */
	if (t->ev.n != 1 || !t->n || ts->lanes[t->lane].person)
		return false;
	for (size_t i = 0; i < ts->ntracks; i++) {
		const struct strack *s = &ts->tracks[i];
		int64_t before = s->ev.n - (int64_t)s->n; /* those no longer kept in obs[] are older */
		const struct obs *same = NULL;

		if (s == t || s->lane != t->lane)
			continue;
		for (size_t k = 0; k < s->n && s->obs[k].frame <= o->frame; k++) {
			if (s->obs[k].frame == o->frame)
				same = &s->obs[k];
			else
				before++;
		}
		if (same && before >= OB_TRACK_SHADOW_SEEN &&
		    ob_box_overlap(same->box, o->box) >= OB_TRACK_SHADOW_SHARE)
			return true;
	}
	return false;
}

int ob_track_store_observe(struct ob_track_store *ts, int lane, const struct ob_box *boxes,
			   const float *scores, size_t n, const struct ob_appearance *app)
{
	int ret;

	if (lane < 0 || lane >= ts->nlanes || ts->current < 0)
		return ob_err(OB_ERR_INTERNAL, "track store: bad lane %d", lane);
	if (n > OB_TRACK_MAX_BOXES)
		return ob_err(OB_ERR_LIMIT, "frame %lld: more than %d detections", (long long)ts->current,
			      OB_TRACK_MAX_BOXES);
	ret = ob_tracker_update(ts->lanes[lane].tracker, boxes, scores, n, app, ts->ids);
	if (ret)
		return ret;
	for (size_t i = 0; i < n; i++)
		if (ts->ids[i] && (ret = add_obs(ts, ts->ids[i], lane, boxes[i], scores[i], app ? &app[i] : NULL)))
			return ret;
	/* with the frame's every detection of the lane in: is a new track a shadow? */
	for (size_t i = 0; i < ts->ntracks; i++) {
		struct strack *t = &ts->tracks[i];

		if (t->lane == lane && t->ev.n == 1 && t->n && t->obs[0].frame == ts->current)
			t->shadow = shadow_of(ts, t);
	}
	sync_lane(ts, lane);
	return 0;
}

int ob_track_store_put_row(struct ob_track_store *ts, const struct ob_track_row *row, bool confirmed)
{
	if (!ts->replay || ts->current < 0)
		return ob_err(OB_ERR_INTERNAL, "track store: rows put outside a replay");
	if (ts->npending == OB_TRACK_MAX_BOXES)
		return ob_err(OB_ERR_LIMIT, "frame %lld: more than %d boxes", (long long)ts->current,
			      OB_TRACK_MAX_BOXES);
	ts->pending[ts->npending] = *row;
	ts->pending[ts->npending].frame = ts->current;
	ts->pending[ts->npending].pts = ts->pts[ts->current % (int64_t)ts->pts_cap];
	ts->pending_confirmed[ts->npending] = confirmed;
	ts->npending++;
	return 0;
}

int64_t ob_track_store_ready(const struct ob_track_store *ts)
{
	if (ts->finished || ts->replay)
		return ts->current + 1;
	return ts->current - ts->p.lookahead + 1 > 0 ? ts->current - ts->p.lookahead + 1 : 0;
}

void ob_track_store_finish(struct ob_track_store *ts)
{
	ts->finished = true;
}

/* Component axis of a box: centre x, centre y, width, height. */
static double component(const struct ob_box *b, int axis)
{
	return axis == 0 ? b->x + b->w / 2 : axis == 1 ? b->y + b->h / 2 : axis == 2 ? b->w : b->h;
}

/* Least-squares slope of a component over frame number (0 when the frames do not spread). */
static double slope(const struct obs *o, size_t n, int axis)
{
	double mf = 0, mv = 0, sff = 0, sfv = 0;

	for (size_t i = 0; i < n; i++) {
		mf += (double)o[i].frame / n;
		mv += component(&o[i].box, axis) / n;
	}
	for (size_t i = 0; i < n; i++) {
		double df = (double)o[i].frame - mf;

		sff += df * df;
		sfv += df * (component(&o[i].box, axis) - mv);
	}
	return sff > 0 ? sfv / sff : 0;
}

static struct motion fit(const struct obs *o, size_t n)
{
	struct motion m = { 0 };

	if (n < 2)
		return m;
	m.vx = slope(o, n, 0);
	m.vy = slope(o, n, 1);
	m.vw = slope(o, n, 2);
	m.vh = slope(o, n, 3);
	m.known = true;
	return m;
}

/* b moved k frames along m (k < 0: backwards), its size kept positive. */
static struct ob_box move(struct ob_box b, const struct motion *m, double k)
{
	double w = fmax(1, b.w + m->vw * k), h = fmax(1, b.h + m->vh * k);
	double cx = b.x + b.w / 2 + m->vx * k, cy = b.y + b.h / 2 + m->vy * k;

	return (struct ob_box){ cx - w / 2, cy - h / 2, w, h };
}

static struct ob_box grow(struct ob_box b, double mx, double my)
{
	return (struct ob_box){ b.x - mx, b.y - my, b.w + 2 * mx, b.h + 2 * my };
}

static struct ob_box box_union(struct ob_box a, struct ob_box b)
{
	double x0 = fmin(a.x, b.x), y0 = fmin(a.y, b.y);
	double x1 = fmax(a.x + a.w, b.x + b.w), y1 = fmax(a.y + a.h, b.y + b.h);

	return (struct ob_box){ x0, y0, x1 - x0, y1 - y0 };
}

/* What is hidden for a box known to within its motion: the box grown by
 * motion_margin frames of that motion on every side. */
static struct ob_box cover_for(const struct ob_track_store *ts, struct ob_box b, const struct motion *m)
{
	double k = ts->p.motion_margin;

	return grow(b, k * (fabs(m->vx) + fabs(m->vw) / 2), k * (fabs(m->vy) + fabs(m->vh) / 2));
}

static double clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* The detected box b moved k frames along m (k < 0: backwards), within the
 * OB_EXTRAPOLATE_ limits: a motion fitted on a few detections, or on two
 * that were not the same face, says little about where it is a second on. */
static struct ob_box extrapolate(struct ob_box b, const struct motion *m, double k)
{
	struct ob_box p = move(b, m, k);
	double s = OB_EXTRAPOLATE_MAX_SCALE, t = OB_EXTRAPOLATE_MAX_TRAVEL;
	double w = clamp(p.w, b.w / s, b.w * s), h = clamp(p.h, b.h / s, b.h * s);
	double cx = b.x + b.w / 2 + clamp(p.x + p.w / 2 - (b.x + b.w / 2), -t * b.w, t * b.w);
	double cy = b.y + b.h / 2 + clamp(p.y + p.h / 2 - (b.y + b.h / 2), -t * b.h, t * b.h);

	return (struct ob_box){ cx - w / 2, cy - h / 2, w, h };
}

/* Extrapolated d frames from the detection `from`: the predicted box, grown
 * by its motion margin and for the guess (together at most
 * OB_EXTRAPOLATE_MAX_GROWTH of the detected box a side), joined with the
 * detected box itself (if the motion guess is wrong, the face is still
 * somewhere between). */
static struct ob_box cover_extrapolated(const struct ob_track_store *ts, struct ob_box pred,
					struct ob_box from, const struct motion *m, double d)
{
	double k = ts->p.motion_margin, sx, sy;

	if (m->known) {
		sx = d * (EXTRAPOLATE_SLACK * (fabs(m->vx) + fabs(m->vw) / 2) + EXTRAPOLATE_DRIFT * pred.w);
		sy = d * (EXTRAPOLATE_SLACK * (fabs(m->vy) + fabs(m->vh) / 2) + EXTRAPOLATE_DRIFT * pred.h);
	} else {
		sx = d * EXTRAPOLATE_UNKNOWN * pred.w;
		sy = d * EXTRAPOLATE_UNKNOWN * pred.h;
	}
	sx = fmin(sx + k * (fabs(m->vx) + fabs(m->vw) / 2), OB_EXTRAPOLATE_MAX_GROWTH * from.w);
	sy = fmin(sy + k * (fabs(m->vy) + fabs(m->vh) / 2), OB_EXTRAPOLATE_MAX_GROWTH * from.h);
	return box_union(grow(pred, sx, sy), from);
}

/* Which edges of the frame box b lies within OB_TRACK_EDGE_REACH of its
 * smaller side of (a text line's height, not its length): EDGE_ bits. */
enum { EDGE_LEFT = 1, EDGE_RIGHT = 2, EDGE_TOP = 4, EDGE_BOTTOM = 8 };

static unsigned edges_near(const struct ob_track_store *ts, struct ob_box b)
{
	double r = OB_TRACK_EDGE_REACH * fmin(b.w, b.h);
	double W = ts->p.width, H = ts->p.height;

	if (W <= 0 || H <= 0)
		return 0;
	return (b.x <= r ? EDGE_LEFT : 0) | (W - (b.x + b.w) <= r ? EDGE_RIGHT : 0) |
	       (b.y <= r ? EDGE_TOP : 0) | (H - (b.y + b.h) <= r ? EDGE_BOTTOM : 0);
}

/* c joined with the strip between box b and each edge of the frame it is near (edges_near). */
static struct ob_box join_edges(const struct ob_track_store *ts, struct ob_box c, struct ob_box b)
{
	double W = ts->p.width, H = ts->p.height;
	unsigned e = edges_near(ts, b);

	if (e & EDGE_LEFT)
		c = box_union(c, (struct ob_box){ 0, b.y, b.x + b.w, b.h });
	if (e & EDGE_RIGHT)
		c = box_union(c, (struct ob_box){ b.x, b.y, W - b.x, b.h });
	if (e & EDGE_TOP)
		c = box_union(c, (struct ob_box){ b.x, 0, b.w, b.y + b.h });
	if (e & EDGE_BOTTOM)
		c = box_union(c, (struct ob_box){ b.x, b.y, b.w, H - b.y });
	return c;
}

/*
 * A face the detector found once, not clearly (below OB_TRACK_BRIEF_SCORE:
 * a clear face that then turned away keeps its extensions) or as the
 * shadow of a tracked face (shadow_of), away from the frame's edges, whose
 * second look found nothing (track_store.h): hidden only up to the lane's
 * wait either side, not extend_before / extend_after.  Near an edge it may
 * be coming in or going out, cut by the edge; a track its tracker kept
 * (confirm = 1) may be matched again later than the lookahead reaches: both
 * keep the whole extension.  A second detection ends it (ev.n).
 */
static bool brief(const struct ob_track_store *ts, const struct strack *t)
{
	return t->look == LOOK_EMPTY && t->ev.n == 1 && !t->kept && !edges_near(ts, t->obs[0].box) &&
	       (t->obs[0].score < OB_TRACK_BRIEF_SCORE || t->shadow);
}

/* Frames before its first detection, and after its last, track t is hidden for. */
static int64_t reach_before(const struct ob_track_store *ts, const struct strack *t)
{
	return brief(ts, t) && ts->lanes[t->lane].wait < ts->p.extend_before ? ts->lanes[t->lane].wait
									       : ts->p.extend_before;
}

static int64_t reach_after(const struct ob_track_store *ts, const struct strack *t)
{
	return brief(ts, t) && ts->lanes[t->lane].wait < ts->p.extend_after ? ts->lanes[t->lane].wait
									      : ts->p.extend_after;
}

size_t ob_track_store_unsure(const struct ob_track_store *ts, int lane, struct ob_box *boxes, uint64_t *ids,
			     size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < ts->ntracks && n < max; i++) {
		const struct strack *t = &ts->tracks[i];

		if (t->lane == lane && t->alive && t->look == LOOK_NONE && t->ev.n == 1 &&
		    t->obs[0].frame < ts->current && (t->obs[0].score < OB_TRACK_BRIEF_SCORE || t->shadow) &&
		    !edges_near(ts, t->obs[0].box)) {
			boxes[n] = t->obs[0].box;
			ids[n++] = t->id;
		}
	}
	return n;
}

void ob_track_store_looked(struct ob_track_store *ts, uint64_t id, bool found)
{
	struct strack *t = find(ts, id);

	if (t && t->look == LOOK_NONE)
		t->look = found ? LOOK_FOUND : LOOK_EMPTY;
}

/* Did detection q follow from p (q the track's next detection after p): p's
 * box moved along the track's motion up to p to q's frame overlaps q's by
 * EDGE_SAME?  Not when the tracker joined two faces into one track. */
static bool follows(const struct strack *t, size_t p, size_t q)
{
	size_t k = p + 1 < VELOCITY_FIT ? p + 1 : VELOCITY_FIT;
	struct motion m = fit(&t->obs[p + 1 - k], k);
	struct ob_box pred = extrapolate(t->obs[p].box, &m, (double)(t->obs[q].frame - t->obs[p].frame));

	return ob_box_iou(pred, t->obs[q].box) >= EDGE_SAME;
}

/*
 * A face comes in across the frame's edge, cut by it, before it is found,
 * and leaves across it after it is lost; and which track it then belongs to
 * is not sure (two faces crossing the edge one after the other may share a
 * track).  The cover c of track t on frame n, between its detections
 * obs[ib - 1] (at or before n) and obs[ib] (after n), joined with the edge
 * strips (join_edges) of
 *  - before its first detection: that one's, and those of its detections in
 *    the extend_before frames ahead that do not follow from the one before;
 *  - after its last: that one, for extend_after frames;
 *  - between two detections that do not follow one from the other: the
 *    next one's (where the second face came from) and, after the first
 *    one's frame, the first one's (where the first face went).
 */
static struct ob_box cover_edges(const struct ob_track_store *ts, const struct strack *t, int64_t n,
				 size_t ib, struct ob_box c)
{
	if (ib == 0) {
		for (size_t i = 0; i < t->n && t->obs[i].frame - n <= reach_before(ts, t); i++)
			if (i == 0 || !follows(t, i - 1, i))
				c = join_edges(ts, c, t->obs[i].box);
	} else if (ib == t->n) {
		if (n - t->obs[ib - 1].frame <= reach_after(ts, t))
			c = join_edges(ts, c, t->obs[ib - 1].box);
	} else if (!follows(t, ib - 1, ib)) {
		c = join_edges(ts, c, t->obs[ib].box);
		if (n > t->obs[ib - 1].frame)
			c = join_edges(ts, c, t->obs[ib - 1].box);
	}
	return c;
}

/* Edge strips are for what is hidden whole (faces, text): a person's head
 * region is the top of its own box. */
static struct ob_box edged(const struct ob_track_store *ts, const struct strack *t, int64_t n, size_t ib,
			   struct ob_box c)
{
	return ts->lanes[t->lane].hide >= 1 ? cover_edges(ts, t, n, ib, c) : c;
}

/* The row's box and what is hidden for it: the top `hide` of the cover. */
static void set_boxes(struct ob_track_row *r, struct ob_box b, struct ob_box c, double hide)
{
	if (hide < 1)
		c.h *= hide;
	r->x = (float)b.x, r->y = (float)b.y, r->w = (float)b.w, r->h = (float)b.h;
	r->cover_x = (float)c.x, r->cover_y = (float)c.y, r->cover_w = (float)c.w, r->cover_h = (float)c.h;
}

/* The row of track t on frame n, if it has one there. */
static bool track_row(const struct ob_track_store *ts, const struct strack *t, int64_t n,
		      struct ob_track_row *r)
{
	size_t ia = 0, ib;      /* obs[ia - 1] = last at or before n; obs[ib] = first after */
	const struct obs *a, *b;
	struct motion m;
	double hide = ts->lanes[t->lane].hide;

	while (ia < t->n && t->obs[ia].frame <= n)
		ia++;
	ib = ia;
	a = ia ? &t->obs[ia - 1] : NULL;
	b = ib < t->n ? &t->obs[ib] : NULL;
	r->track = t->id;
	r->cls = (uint8_t)ts->lanes[t->lane].cls;
	r->hidden = ts->lanes[t->lane].hide > 0;
	if (a && a->frame == n) {
		/* motion from the neighbours on both sides when there are */
		size_t lo = ia >= 2 ? ia - 2 : ia - 1, hi = ib < t->n ? ib : ia - 1;

		m = fit(&t->obs[lo], hi - lo + 1);
		r->kind = OB_ROW_OBSERVED;
		r->score = a->score;
		set_boxes(r, a->box, edged(ts, t, n, ib, cover_for(ts, a->box, &m)), hide);
		return true;
	}
	if (a && b) {
		double f = (double)(n - a->frame) / (double)(b->frame - a->frame);
		struct ob_box box = {
			a->box.x + f * (b->box.x - a->box.x), a->box.y + f * (b->box.y - a->box.y),
			a->box.w + f * (b->box.w - a->box.w), a->box.h + f * (b->box.h - a->box.h),
		};

		m = fit(&t->obs[ia - 1], 2);
		r->kind = OB_ROW_INTERPOLATED;
		r->score = (float)(a->score + f * (b->score - a->score));
		set_boxes(r, box, edged(ts, t, n, ib, cover_for(ts, box, &m)), hide);
		return true;
	}
	if (b && b->frame - n <= reach_before(ts, t)) {
		/* before the first detection: every detection is still ahead */
		double d = (double)(b->frame - n);
		struct ob_box pred;

		m = fit(b, t->n - ib < VELOCITY_FIT ? t->n - ib : VELOCITY_FIT);
		pred = extrapolate(b->box, &m, -d);
		r->kind = OB_ROW_EXTRAPOLATED;
		r->score = 0;
		set_boxes(r, pred, edged(ts, t, n, ib, cover_extrapolated(ts, pred, b->box, &m, d)), hide);
		return true;
	}
	/* after the last detection: for extend_after frames, and for as long as
	 * the tracker still expects it back (it may be occluded, or detected
	 * only every few frames further than the lookahead reaches); a brief one
	 * is not expected back */
	if (a && !b && (n - a->frame <= reach_after(ts, t) || (t->alive && !brief(ts, t)))) {
		double d = (double)(n - a->frame);
		size_t k = ia < VELOCITY_FIT ? ia : VELOCITY_FIT;
		struct ob_box pred;

		m = fit(&t->obs[ia - k], k);
		pred = extrapolate(a->box, &m, d);
		r->kind = OB_ROW_EXTRAPOLATED;
		r->score = 0;
		set_boxes(r, pred, edged(ts, t, n, ib, cover_extrapolated(ts, pred, a->box, &m, d)), hide);
		return true;
	}
	return false;
}

int ob_track_store_rows(struct ob_track_store *ts, int64_t n, const struct ob_track_row **rows,
			size_t *count)
{
	double pts;

	if (n < ts->next_retire || n >= ob_track_store_ready(ts))
		return ob_err(OB_ERR_INTERNAL, "track store: frame %lld is not final", (long long)n);
	*rows = ts->rows;
	if (n == ts->rows_frame) {
		*count = ts->nrows;
		return 0;
	}
	pts = ts->pts[n % (int64_t)ts->pts_cap];
	ts->nrows = 0;
	if (ts->replay) {
		memcpy(ts->rows, ts->pending, ts->npending * sizeof(*ts->rows));
		ts->nrows = ts->npending;
	}
	for (size_t i = 0; i < ts->ntracks; i++) {
		struct ob_track_row r = { .frame = n, .pts = pts };

		if (!track_row(ts, &ts->tracks[i], n, &r))
			continue;
		if (ts->nrows == OB_TRACK_MAX_BOXES)
			return ob_err(OB_ERR_LIMIT, "frame %lld: more than %d tracked boxes", (long long)n,
				      OB_TRACK_MAX_BOXES);
		ts->rows[ts->nrows++] = r;
	}
	ts->rows_frame = n;
	*count = ts->nrows;
	return 0;
}

/* Track t as a fragment (track_store.h); its obs[] still hold its last detections. */
static struct ob_track_fragment fragment_of(const struct ob_track_store *ts, const struct strack *t)
{
	struct ob_track_fragment f = {
		.id = t->id, .cls = (uint8_t)ts->lanes[t->lane].cls, .confirmed = t->confirmed,
		.first = t->head[0].frame, .last = t->obs[t->n - 1].frame,
		.first_box = t->head[0].box, .last_box = t->obs[t->n - 1].box, .app_n = t->app_n,
	};
	size_t k = t->n < VELOCITY_FIT ? t->n : VELOCITY_FIT;
	struct motion m0 = fit(t->head, t->nhead), m1 = fit(t->obs + t->n - k, k);

	f.vx0 = m0.vx, f.vy0 = m0.vy, f.vx1 = m1.vx, f.vy1 = m1.vy;
	if (t->app_n) {
		for (int i = 0; i < OB_APPEARANCE_DIM; i++)
			f.app.h[i] = (float)(t->app_sum.h[i] / (double)t->app_n);
		f.app.valid = 1;
	}
	return f;
}

/* After frame n: a track's detections before the last VELOCITY_FIT at or
 * before n are no longer needed; a track out of its tracker whose rows are
 * all retired goes, and so does every track after the last frame (all), each
 * leaving its fragment in ended[]. */
static int prune(struct ob_track_store *ts, int64_t n, bool all)
{
	size_t keep = 0;
	int ret;

	for (size_t i = 0; i < ts->ntracks; i++) {
		struct strack *t = &ts->tracks[i];
		size_t upto = 0;

		while (upto < t->n && t->obs[upto].frame <= n)
			upto++;
		if (upto > VELOCITY_FIT) {
			size_t drop = upto - VELOCITY_FIT;

			memmove(t->obs, t->obs + drop, (t->n - drop) * sizeof(*t->obs));
			t->n -= drop;
		}
		if (all || (!t->alive && (!t->n || (t->obs[t->n - 1].frame <= n &&
						    n - t->obs[t->n - 1].frame >= ts->p.extend_after)))) {
			if (t->n && t->nhead) {
				if ((ret = ob_grow(&ts->ended, &ts->ended_cap, ts->nended + 1, sizeof(*ts->ended),
						   SIZE_MAX)))
					return ob_err(ret, "track store: %s", ob_errmsg());
				ts->ended[ts->nended++] = fragment_of(ts, t);
			}
			free(t->obs);
			continue;
		}
		ts->tracks[keep++] = *t;
	}
	ts->ntracks = keep;
	return 0;
}

int ob_track_store_retire(struct ob_track_store *ts, int64_t n, struct ob_retired *out)
{
	const struct ob_track_row *rows;
	size_t count, nnew = 0;
	int ret;

	if (n != ts->next_retire)
		return ob_err(OB_ERR_INTERNAL, "track store: frame %lld retired out of order", (long long)n);
	ret = ob_track_store_rows(ts, n, &rows, &count);
	if (ret)
		return ret;
	*out = (struct ob_retired){
		.frame = { .frame = n, .pts = ts->pts[n % (int64_t)ts->pts_cap], .boxes = (uint32_t)count },
		.rows = rows,
		.n = count,
		.confirmed = ts->newly,
	};
	for (size_t i = 0; i < count; i++) {
		struct strack *t = ts->replay ? NULL : find(ts, rows[i].track);

		out->frame.hidden += rows[i].hidden;
		/* A replayed file says per row whether its track was confirmed;
		 * repeating an id is harmless (confirming is idempotent). */
		if (ts->replay && ts->pending_confirmed[i])
			ts->newly[nnew++] = rows[i].track;
		if (t && t->confirmed && !t->confirm_sent) {
			ts->newly[nnew++] = t->id;
			t->confirm_sent = true;
		}
	}
	out->nconfirmed = nnew;
	ts->next_retire = n + 1;
	ts->rows_frame = -1;
	ts->nended = 0;
	if (!ts->replay && (ret = prune(ts, n, ts->finished && n == ts->current)))
		return ret;
	out->ended = ts->ended;
	out->nended = ts->nended;
	return 0;
}

size_t ob_track_store_held(const struct ob_track_store *ts)
{
	return ts->ntracks;
}

void ob_track_store_counts(const struct ob_track_store *ts, int64_t *tracks, int64_t *confirmed)
{
	*tracks = ts->created;
	*confirmed = ts->confirmed;
}

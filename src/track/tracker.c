/* SPDX-License-Identifier: MIT */
/* tracker.c - multi-object tracking of one class: Kalman prediction, ByteTrack association. */
#include "obscura/tracker.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/array.h"
#include "obscura/assign.h"
#include "obscura/error.h"
#include "obscura/banned.h"

/*
 * The motion model is ByteTrack's constant-velocity Kalman filter, on
 * (cx, cy, w, h) and their velocities, with its noise scheme: standard
 * deviations proportional to the box size (w for cx and w, h for cy and h),
 * STD_POS for positions and STD_VEL for velocities.
 *
 * Every matrix of that 8-D filter is block diagonal over the four
 * (position, velocity) pairs: the transition moves each position by its own
 * velocity, the measurement picks the four positions, and the process and
 * measurement noises and the initial covariance are diagonal.  A block
 * diagonal covariance stays so through predict and update, so the 8-D
 * filter is exactly four independent 2-state filters, each with a 2x2
 * covariance: that is what struct kf1 is.  (The noise scales read w and h
 * from the state, as ByteTrack does; that couples the noise magnitudes, not
 * the covariances.)
 */
#define STD_POS (1.0 / 20)
#define STD_VEL (1.0 / 160)
/* ByteTrack's initial uncertainty: 2 x STD_POS, 10 x STD_VEL. */
#define INIT_POS 2.0
#define INIT_VEL 10.0
/* A predicted width or height never falls below this (pixels). */
#define MIN_SIZE 1.0
/* Centre rule: only boxes whose areas are within this ratio of each other. */
#define CENTRE_AREA_RATIO 4.0
/* Appearance distance assumed when the track or the detection has no
 * descriptor: about one person's own from detection to detection. */
#define APP_UNKNOWN 0.25
/* A track's descriptor is the mean of its first APP_MEAN_OF, then moves
 * towards each new one at 1 / APP_MEAN_OF. */
#define APP_MEAN_OF 10

enum { KF_CX, KF_CY, KF_W, KF_H, KF_N };

/* One (position, velocity) filter: mean and the 2x2 covariance [p00 p01; p01 p11]. */
struct kf1 {
	double x, v;
	double p00, p01, p11;
};

struct kalman {
	struct kf1 c[KF_N];
};

struct ob_tracker {
	struct ob_tracker_params p;
	uint64_t *next_id;
	int64_t frame;   /* -1 before the first step */
	int64_t updated; /* frame of the last update, -1 none */
	/* Live tracks in increasing id order: what ob_tracker_tracks() lends,
	 * and each one's filter at the same index. */
	struct ob_track_info *info;
	struct kalman *kf;
	struct ob_appearance *app; /* running mean of its detections' descriptors */
	int *app_n;                /* descriptors in that mean */
	size_t n, cap;
};

void ob_tracker_defaults(struct ob_tracker_params *p)
{
	*p = (struct ob_tracker_params){
		.high = 0.5,
		.low = 0.1,
		.iou_gate = 0.2,
		.low_iou_gate = 0.5,
		.centre_gate = 1.5,
		.confirm_hits = 2,
		.max_lost = 30,
		.app_gate = 1,
	};
}

/* The size that scales component k's noise: w for cx and w, h for cy and h. */
static double noise_scale(const struct kalman *k, int comp)
{
	double s = (comp == KF_CX || comp == KF_W) ? k->c[KF_W].x : k->c[KF_H].x;

	return s > MIN_SIZE ? s : MIN_SIZE;
}

static void clamp_size(struct kalman *k)
{
	if (k->c[KF_W].x < MIN_SIZE)
		k->c[KF_W].x = MIN_SIZE;
	if (k->c[KF_H].x < MIN_SIZE)
		k->c[KF_H].x = MIN_SIZE;
}

static void kalman_init(struct kalman *k, struct ob_box b)
{
	const double z[KF_N] = { b.x + b.w / 2, b.y + b.h / 2, b.w, b.h };

	for (int i = 0; i < KF_N; i++)
		k->c[i] = (struct kf1){ .x = z[i] };
	clamp_size(k);
	for (int i = 0; i < KF_N; i++) {
		double s = noise_scale(k, i);
		double sp = INIT_POS * STD_POS * s, sv = INIT_VEL * STD_VEL * s;

		k->c[i].p00 = sp * sp;
		k->c[i].p11 = sv * sv;
	}
}

/* One frame on: x += v, P = F P F' + Q, Q = diag(qp, qv).  A lost track
 * stops changing size (ByteTrack zeroes its height velocity; we have two). */
static void kalman_predict(struct kalman *k, bool lost)
{
	double s[KF_N];

	if (lost) {
		k->c[KF_W].v = 0;
		k->c[KF_H].v = 0;
	}
	for (int i = 0; i < KF_N; i++)
		s[i] = noise_scale(k, i); /* from the state before the move, as ByteTrack */
	for (int i = 0; i < KF_N; i++) {
		struct kf1 *f = &k->c[i];
		double qp = STD_POS * s[i], qv = STD_VEL * s[i];

		f->x += f->v;
		f->p00 += 2 * f->p01 + f->p11 + qp * qp;
		f->p01 += f->p11;
		f->p11 += qv * qv;
	}
	clamp_size(k);
}

/* Measurement of the positions with noise r = (STD_POS * size)^2 each. */
static void kalman_update(struct kalman *k, struct ob_box b)
{
	const double z[KF_N] = { b.x + b.w / 2, b.y + b.h / 2, b.w, b.h };
	double s[KF_N];

	for (int i = 0; i < KF_N; i++)
		s[i] = noise_scale(k, i); /* from the predicted state, as ByteTrack */
	for (int i = 0; i < KF_N; i++) {
		struct kf1 *f = &k->c[i];
		double r = STD_POS * s[i], S = f->p00 + r * r;
		double k0 = f->p00 / S, k1 = f->p01 / S, y = z[i] - f->x;

		f->x += k0 * y;
		f->v += k1 * y;
		f->p11 -= k1 * f->p01;
		f->p00 *= 1 - k0;
		f->p01 *= 1 - k0;
	}
	clamp_size(k);
}

static void refresh(struct ob_track_info *ti, const struct kalman *k)
{
	double w = k->c[KF_W].x, h = k->c[KF_H].x;

	ti->box = (struct ob_box){ k->c[KF_CX].x - w / 2, k->c[KF_CY].x - h / 2, w, h };
	ti->vx = k->c[KF_CX].v;
	ti->vy = k->c[KF_CY].v;
	ti->vw = k->c[KF_W].v;
	ti->vh = k->c[KF_H].v;
}

static bool box_valid(struct ob_box b)
{
	return isfinite(b.x) && isfinite(b.y) && isfinite(b.w) && isfinite(b.h) && b.w > 0 &&
	       b.h > 0;
}

/*
 * First round: 1 - IoU when IoU >= iou_gate.  Otherwise the centre rule,
 * for boxes of similar area whose centres are at most centre_gate times the
 * root of their mean area apart, at a cost in [1 - iou_gate/2, 1 - iou_gate/4]
 * (nearer is cheaper): above every IoU pair, so such a pair is only taken
 * when nothing overlaps enough, and below the limit of 1.  Else infeasible.
 */
static double first_cost(const struct ob_tracker_params *p, struct ob_box t, struct ob_box d)
{
	double o = ob_box_iou(t, d), at = t.w * t.h, ad = d.w * d.h, dx, dy, dn;

	if (o >= p->iou_gate)
		return 1 - o;
	if (!(p->centre_gate > 0) || at > CENTRE_AREA_RATIO * ad || ad > CENTRE_AREA_RATIO * at)
		return INFINITY;
	dx = (t.x + t.w / 2) - (d.x + d.w / 2);
	dy = (t.y + t.h / 2) - (d.y + d.h / 2);
	dn = hypot(dx, dy) / sqrt((at + ad) / 2);
	if (!(dn <= p->centre_gate))
		return INFINITY;
	return 1 - 0.5 * p->iou_gate * (1 - 0.5 * dn / p->centre_gate);
}

static int check_params(const struct ob_tracker_params *p)
{
	if (!(p->low >= 0 && p->low <= p->high && p->high <= 1))
		return ob_err(OB_ERR_RECIPE, "tracker: need 0 <= low (%g) <= high (%g) <= 1",
			      p->low, p->high);
	if (!(p->iou_gate > 0 && p->iou_gate <= 1) ||
	    !(p->low_iou_gate > 0 && p->low_iou_gate <= 1))
		return ob_err(OB_ERR_RECIPE, "tracker: IoU gates %g and %g must be in (0, 1]",
			      p->iou_gate, p->low_iou_gate);
	if (!(p->centre_gate >= 0 && isfinite(p->centre_gate)))
		return ob_err(OB_ERR_RECIPE, "tracker: centre gate %g must be 0 (off) or more",
			      p->centre_gate);
	if (!(p->app_weight >= 0 && isfinite(p->app_weight)) || !(p->app_gate >= 0 && p->app_gate <= 1))
		return ob_err(OB_ERR_RECIPE, "tracker: appearance weight %g must be 0 or more, gate %g in [0, 1]",
			      p->app_weight, p->app_gate);
	if (p->confirm_hits < 1 || p->max_lost < 0)
		return ob_err(OB_ERR_RECIPE,
			      "tracker: confirm_hits %d must be 1 or more, max_lost %d 0 or more",
			      p->confirm_hits, p->max_lost);
	return 0;
}

int ob_tracker_new(const struct ob_tracker_params *p, uint64_t *next_id, struct ob_tracker **out)
{
	struct ob_tracker *t;
	int ret;

	*out = NULL;
	if (!next_id)
		return ob_err(OB_ERR_INTERNAL, "tracker: no id counter");
	if (p && (ret = check_params(p)))
		return ret;
	t = calloc(1, sizeof(*t));
	if (!t)
		return ob_err(OB_ERR_NOMEM, "tracker: out of memory");
	if (p)
		t->p = *p;
	else
		ob_tracker_defaults(&t->p);
	t->next_id = next_id;
	t->frame = -1;
	t->updated = -1;
	*out = t;
	return 0;
}

void ob_tracker_free(struct ob_tracker **t)
{
	if (!t || !*t)
		return;
	free((*t)->info);
	free((*t)->kf);
	free((*t)->app);
	free((*t)->app_n);
	free(*t);
	*t = NULL;
}

int64_t ob_tracker_frame(const struct ob_tracker *t)
{
	return t->frame;
}

size_t ob_tracker_tracks(const struct ob_tracker *t, const struct ob_track_info **tracks)
{
	*tracks = t->info;
	return t->n;
}

void ob_tracker_step(struct ob_tracker *t)
{
	size_t keep = 0;

	t->frame++;
	for (size_t i = 0; i < t->n; i++) {
		struct ob_track_info ti = t->info[i];

		if (ti.state == OB_TRACK_LOST && t->frame - ti.last_frame > t->p.max_lost)
			continue;
		t->kf[keep] = t->kf[i];
		t->app[keep] = t->app[i];
		t->app_n[keep] = t->app_n[i];
		kalman_predict(&t->kf[keep], ti.state == OB_TRACK_LOST);
		refresh(&ti, &t->kf[keep]);
		t->info[keep++] = ti;
	}
	t->n = keep;
}

/* Room for n live tracks (n <= OB_TRACKER_MAX_TRACKS). */
static int reserve(struct ob_tracker *t, size_t n)
{
	size_t ci = t->cap, ck = t->cap, ca = t->cap, cn = t->cap; /* one capacity for all four */
	int ret;

	if ((ret = ob_grow(&t->info, &ci, n, sizeof(*t->info), OB_TRACKER_MAX_TRACKS)) ||
	    (ret = ob_grow(&t->kf, &ck, n, sizeof(*t->kf), OB_TRACKER_MAX_TRACKS)) ||
	    (ret = ob_grow(&t->app, &ca, n, sizeof(*t->app), OB_TRACKER_MAX_TRACKS)) ||
	    (ret = ob_grow(&t->app_n, &cn, n, sizeof(*t->app_n), OB_TRACKER_MAX_TRACKS)))
		return ob_err(ret, "tracker: %zu tracks: %s", n, ob_errmsg());
	t->cap = ci;
	return 0;
}

/* A first-round cost (finite) with the appearance of track i and detection d
 * (tracker.h, ob_tracker_update). */
static double with_appearance(const struct ob_tracker *t, size_t i, const struct ob_appearance *d, double cost)
{
	const struct ob_appearance *a = &t->app[i];
	double dist;

	if (!a->valid || !d->valid)
		return cost + t->p.app_weight * APP_UNKNOWN;
	dist = ob_appearance_distance(a, d);
	if (dist > t->p.app_gate && (t->info[i].state == OB_TRACK_LOST || cost > 1 - t->p.iou_gate))
		return INFINITY;
	return cost + t->p.app_weight * dist;
}

/*
 * One round of association: the tracks tk[0..nt) against the detections
 * dk[0..nd), pairs priced by first_cost() and the appearance (first round)
 * or 1 - IoU gated at low_iou_gate (second round).  Sets match[track] =
 * detection index.
 */
static int associate(const struct ob_tracker *t, const struct ob_box *boxes,
		     const struct ob_appearance *app, const size_t *tk, size_t nt, const size_t *dk,
		     size_t nd, bool first, double *cost, long *r2c, long *match)
{
	double limit = 1 - t->p.low_iou_gate;
	bool use_app = first && app && t->p.app_weight > 0;
	int ret;

	if (first)
		limit = (t->p.centre_gate > 0 ? 1 : 1 - t->p.iou_gate) + (use_app ? t->p.app_weight : 0);
	if (!nt || !nd)
		return 0;
	for (size_t i = 0; i < nt; i++) {
		struct ob_box tb = t->info[tk[i]].box;

		for (size_t j = 0; j < nd; j++) {
			struct ob_box db = boxes[dk[j]];
			double o;

			if (first) {
				double c = first_cost(&t->p, tb, db);

				cost[i * nd + j] = use_app && isfinite(c) ? with_appearance(t, tk[i], &app[dk[j]], c) : c;
				continue;
			}
			o = ob_box_iou(tb, db);
			cost[i * nd + j] = o >= t->p.low_iou_gate ? 1 - o : INFINITY;
		}
	}
	ret = ob_assign(cost, nt, nd, limit, r2c, NULL);
	if (ret)
		return ret;
	for (size_t i = 0; i < nt; i++)
		if (r2c[i] >= 0)
			match[tk[i]] = (long)dk[r2c[i]];
	return 0;
}

int ob_tracker_update(struct ob_tracker *t, const struct ob_box *boxes, const float *scores,
		      size_t n, const struct ob_appearance *app, uint64_t *ids)
{
	size_t *hi = NULL, *lo = NULL, *tk = NULL, nhi = 0, nlo = 0, ntk = 0, keep = 0, fresh = 0;
	size_t nt = t->n, live = 0;
	long *match = NULL, *r2c = NULL;
	unsigned char *used = NULL;
	double *cost = NULL;
	int ret = 0;

	if (t->frame < 0 || t->updated == t->frame)
		return ob_err(OB_ERR_INTERNAL, "tracker: update at frame %lld without a step first",
			      (long long)t->frame);
	if (n > OB_ASSIGN_MAX)
		return ob_err(OB_ERR_LIMIT, "frame %lld: %zu detections, past the limit of %d",
			      (long long)t->frame, n, OB_ASSIGN_MAX);
	for (size_t i = 0; ids && i < n; i++)
		ids[i] = 0;
	if (n) {
		hi = malloc(n * sizeof(*hi));
		lo = malloc(n * sizeof(*lo));
		used = calloc(n, 1);
	}
	if (nt) {
		tk = malloc(nt * sizeof(*tk));
		match = malloc(nt * sizeof(*match));
		r2c = malloc(nt * sizeof(*r2c));
	}
	if (n && nt)
		cost = malloc(nt * n * sizeof(*cost));
	if ((n && (!hi || !lo || !used)) || (nt && (!tk || !match || !r2c)) || (n && nt && !cost)) {
		ret = ob_err(OB_ERR_NOMEM, "tracker: out of memory for %zu tracks x %zu detections",
			     nt, n);
		goto out;
	}

	/* Detections by score; NaN scores and empty or non-finite boxes are neither. */
	for (size_t i = 0; i < n; i++) {
		if (!box_valid(boxes[i]))
			continue;
		if (scores[i] >= t->p.high)
			hi[nhi++] = i;
		else if (scores[i] >= t->p.low)
			lo[nlo++] = i;
	}
	for (size_t i = 0; i < nt; i++) {
		match[i] = -1;
		tk[i] = i;
	}

	/* First round: high detections against every track. */
	ret = associate(t, boxes, app, tk, nt, hi, nhi, true, cost, r2c, match);
	if (ret)
		goto out;
	/* Second round: low detections against confirmed tracks still unmatched. */
	for (size_t i = 0; i < nt; i++)
		if (match[i] < 0 && t->info[i].state == OB_TRACK_CONFIRMED)
			tk[ntk++] = i;
	ret = associate(t, boxes, app, tk, ntk, lo, nlo, false, cost, r2c, match);
	if (ret)
		goto out;

	/* Room first, so that a failure leaves the tracker as it was. */
	for (size_t i = 0; i < nt; i++) {
		if (match[i] >= 0)
			used[match[i]] = 1;
		live += match[i] >= 0 || t->info[i].state != OB_TRACK_TENTATIVE ||
			t->frame - t->info[i].last_frame <= t->p.tentative_keep;
	}
	for (size_t j = 0; j < nhi; j++)
		fresh += !used[hi[j]];
	if (live + fresh > OB_TRACKER_MAX_TRACKS) {
		ret = ob_err(OB_ERR_LIMIT, "frame %lld: more than %d live tracks",
			     (long long)t->frame, OB_TRACKER_MAX_TRACKS);
		goto out;
	}
	ret = reserve(t, live + fresh);
	if (ret)
		goto out;

	/* Matched tracks take their detection; the others age or go. */
	for (size_t i = 0; i < nt; i++) {
		struct ob_track_info ti = t->info[i];

		if (match[i] >= 0) {
			kalman_update(&t->kf[i], boxes[match[i]]);
			if (app && app[match[i]].valid && scores[match[i]] >= t->p.high) {
				t->app_n[i] += t->app_n[i] < APP_MEAN_OF;
				ob_appearance_blend(&t->app[i], &app[match[i]], 1.0 / t->app_n[i]);
			}
			ti.hits++;
			ti.last_frame = t->frame;
			if (ti.state == OB_TRACK_LOST ||
			    (ti.state == OB_TRACK_TENTATIVE && ti.hits >= t->p.confirm_hits))
				ti.state = OB_TRACK_CONFIRMED;
			if (ids)
				ids[match[i]] = ti.id;
		} else if (ti.state == OB_TRACK_TENTATIVE) {
			if (t->frame - ti.last_frame > t->p.tentative_keep)
				continue;
		} else {
			ti.state = OB_TRACK_LOST;
		}
		refresh(&ti, &t->kf[i]);
		t->kf[keep] = t->kf[i];
		t->app[keep] = t->app[i];
		t->app_n[keep] = t->app_n[i];
		t->info[keep++] = ti;
	}
	/* High detections left over start tracks, in detection order, so that
	 * ids (always the largest yet) keep the list in increasing id order. */
	for (size_t j = 0; j < nhi; j++) {
		struct ob_track_info *ti = &t->info[keep];
		size_t d = hi[j];

		if (used[d])
			continue;
		kalman_init(&t->kf[keep], boxes[d]);
		memset(&t->app[keep], 0, sizeof(t->app[keep]));
		t->app_n[keep] = 0;
		if (app && app[d].valid) {
			t->app[keep] = app[d];
			t->app_n[keep] = 1;
		}
		*ti = (struct ob_track_info){
			.id = (*t->next_id)++,
			.state = t->p.confirm_hits <= 1 ? OB_TRACK_CONFIRMED : OB_TRACK_TENTATIVE,
			.hits = 1,
			.first_frame = t->frame,
			.last_frame = t->frame,
		};
		refresh(ti, &t->kf[keep]);
		if (ids)
			ids[d] = ti->id;
		keep++;
	}
	t->n = keep;
	t->updated = t->frame;
out:
	free(hi);
	free(lo);
	free(tk);
	free(used);
	free(match);
	free(r2c);
	free(cost);
	return ret;
}

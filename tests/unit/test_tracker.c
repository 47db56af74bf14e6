/* SPDX-License-Identifier: MIT */
/* test_tracker.c - synthetic trajectories of known truth keep their ids through the hard cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <stdbool.h>
#include <cmocka.h>

#include "obscura/assign.h"
#include "obscura/error.h"
#include "obscura/geom.h"
#include "obscura/tracker.h"

#define MAX_OBJ 16

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL); /* splitmix64 */

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double rng_unit(void)
{
	return (double)(rng_next() >> 11) / 9007199254740992.0;
}

static double rng_gauss(void)
{
	double u = rng_unit(), v = rng_unit();

	return sqrt(-2 * log(u + 1e-300)) * cos(2 * M_PI * v);
}

static struct ob_tracker *make(const struct ob_tracker_params *p, uint64_t *next_id)
{
	struct ob_tracker *t = NULL;

	assert_int_equal(ob_tracker_new(p, next_id, &t), 0);
	assert_non_null(t);
	return t;
}

/* One frame with detections: step, then update. */
static void frame(struct ob_tracker *t, const struct ob_box *b, const float *s, size_t n,
		  uint64_t *ids)
{
	ob_tracker_step(t);
	assert_int_equal(ob_tracker_update(t, b, s, n, NULL, ids), 0);
}

/* The live track with this id, or NULL. */
static const struct ob_track_info *track(const struct ob_tracker *t, uint64_t id)
{
	const struct ob_track_info *tr;
	size_t n = ob_tracker_tracks(t, &tr);

	for (size_t i = 0; i < n; i++)
		if (tr[i].id == id)
			return &tr[i];
	return NULL;
}

static size_t ntracks(const struct ob_tracker *t)
{
	const struct ob_track_info *tr;

	return ob_tracker_tracks(t, &tr);
}

/* Two people on an X: their boxes overlap almost entirely at the crossing. */
static void test_crossing_keeps_ids(void **state)
{
	struct ob_tracker_params p;
	uint64_t next_id = 1, first[2] = { 0, 0 }, ids[2];
	struct ob_tracker *t;
	double max_overlap = 0;

	(void)state;
	ob_tracker_defaults(&p);
	t = make(&p, &next_id);
	for (int f = 0; f < 100; f++) {
		struct ob_box b[2] = { { 100 + 5.0 * f, 200 + 0.5 * f, 40, 80 },
				       { 600 - 5.0 * f, 240 - 0.5 * f, 40, 80 } };
		const float s[2] = { 0.9f, 0.8f };

		frame(t, b, s, 2, ids);
		max_overlap = fmax(max_overlap, ob_box_iou(b[0], b[1]));
		if (f == 0) {
			first[0] = ids[0];
			first[1] = ids[1];
			assert_true(first[0] && first[1] && first[0] != first[1]);
		}
		assert_int_equal(ids[0], first[0]);
		assert_int_equal(ids[1], first[1]);
	}
	assert_true(max_overlap > 0.7); /* the crossing is a real one */
	assert_int_equal(ntracks(t), 2);
	assert_int_equal(next_id, 3);
	ob_tracker_free(&t);
	assert_null(t);
	ob_tracker_free(&t);
	ob_tracker_free(NULL);
}

/* A walker hidden for 20 frames (< max_lost 30) comes back as the same track. */
static void test_short_occlusion_same_track(void **state)
{
	struct ob_tracker_params p;
	uint64_t next_id = 1, id = 0, got;
	struct ob_tracker *t;
	const float s = 0.9f;

	(void)state;
	ob_tracker_defaults(&p);
	t = make(&p, &next_id);
	for (int f = 0; f < 80; f++) {
		struct ob_box b = { 50 + 3.0 * f, 300, 50, 120 };

		if (f >= 20 && f < 40) {
			frame(t, NULL, NULL, 0, NULL);
			assert_int_equal(ntracks(t), 1);
			assert_int_equal(track(t, id)->state, OB_TRACK_LOST);
			/* The filter keeps it walking while hidden. */
			assert_true(ob_box_iou(track(t, id)->box, b) > 0.7);
			continue;
		}
		frame(t, &b, &s, 1, &got);
		if (!id)
			id = got;
		assert_int_equal(got, id);
	}
	assert_int_equal(track(t, id)->state, OB_TRACK_CONFIRMED);
	assert_int_equal(track(t, id)->first_frame, 0);
	assert_int_equal(track(t, id)->last_frame, 79);
	assert_int_equal(track(t, id)->hits, 60);
	assert_int_equal(next_id, 2);
	ob_tracker_free(&t);
}

/* Lost for longer than max_lost: removed, and what comes back is new. */
static void test_long_loss_new_id(void **state)
{
	struct ob_tracker_params p;
	uint64_t next_id = 1, id = 0, got;
	struct ob_tracker *t;
	struct ob_box b = { 400, 300, 60, 60 };
	const float s = 0.9f;

	(void)state;
	ob_tracker_defaults(&p);
	p.max_lost = 30;
	t = make(&p, &next_id);
	for (int f = 0; f < 10; f++) {
		frame(t, &b, &s, 1, &got);
		id = id ? id : got;
		assert_int_equal(got, id);
	}
	/* Last seen at frame 9: still there (lost) through frame 39, gone at 40. */
	for (int f = 10; f <= 39; f++) {
		frame(t, NULL, NULL, 0, NULL);
		assert_non_null(track(t, id));
		assert_int_equal(track(t, id)->state, OB_TRACK_LOST);
	}
	ob_tracker_step(t);
	assert_int_equal(ob_tracker_frame(t), 40);
	assert_null(track(t, id));
	assert_int_equal(ob_tracker_update(t, NULL, NULL, 0, NULL, NULL), 0);
	frame(t, &b, &s, 1, &got);
	assert_true(got > id);
	assert_int_equal(ntracks(t), 1);
	ob_tracker_free(&t);
}

/*
 * ByteTrack's second round: a person half hidden behind a parked car scores
 * low, yet stays tracked (not lost) and keeps the id; a low detection with
 * no track never starts one, and does not revive a lost track either.
 */
static void run_low_scores(const struct ob_tracker_params *p, uint64_t *id_out,
			   enum ob_track_state *during, uint64_t *ghost_ids)
{
	uint64_t next_id = 1, id = 0, ids[2];
	struct ob_tracker *t = make(p, &next_id);

	*ghost_ids = 0;
	for (int f = 0; f < 60; f++) {
		bool hidden = f >= 20 && f < 40;
		struct ob_box b[2] = { { 100 + 4.0 * f, 300, 50, hidden ? 90 : 120 },
				       { 900, 100, 40, 40 } }; /* the ghost, always low */
		const float s[2] = { hidden ? 0.3f : 0.9f, 0.3f };

		frame(t, b, s, 2, ids);
		*ghost_ids |= ids[1];
		if (!id)
			id = ids[0];
		if (hidden)
			*during = track(t, id)->state;
		if (!hidden || p->low < p->high)
			assert_int_equal(ids[0], id);
	}
	assert_int_equal(ntracks(t), 1);
	*id_out = id;
	ob_tracker_free(&t);
}

static void test_low_scores_second_round(void **state)
{
	struct ob_tracker_params p;
	enum ob_track_state during;
	uint64_t id, ghost, next_id = 1, got;
	struct ob_tracker *t;
	struct ob_box b = { 200, 200, 50, 120 };
	float s = 0.9f;

	(void)state;
	ob_tracker_defaults(&p);
	run_low_scores(&p, &id, &during, &ghost);
	assert_int_equal(id, 1);
	assert_int_equal(during, OB_TRACK_CONFIRMED);
	assert_int_equal(ghost, 0);
	/* Without the second round (no low band) the same person is lost meanwhile. */
	p.low = p.high;
	run_low_scores(&p, &id, &during, &ghost);
	assert_int_equal(during, OB_TRACK_LOST);

	/* A lost track is not revived by a low detection. */
	ob_tracker_defaults(&p);
	t = make(&p, &next_id);
	frame(t, &b, &s, 1, &got);
	frame(t, &b, &s, 1, &got);
	frame(t, NULL, NULL, 0, NULL);
	assert_int_equal(track(t, got)->state, OB_TRACK_LOST);
	s = 0.3f;
	frame(t, &b, &s, 1, &id);
	assert_int_equal(id, 0);
	assert_int_equal(track(t, got)->state, OB_TRACK_LOST);
	s = 0.9f;
	frame(t, &b, &s, 1, &id);
	assert_int_equal(id, got);
	assert_int_equal(track(t, got)->state, OB_TRACK_CONFIRMED);
	ob_tracker_free(&t);
}

static void test_tentative_tracks(void **state)
{
	struct ob_tracker_params p;
	uint64_t next_id = 1, id, got;
	struct ob_tracker *t;
	struct ob_box b = { 10, 10, 30, 30 };
	const float s = 0.95f;

	(void)state;
	ob_tracker_defaults(&p);
	p.confirm_hits = 3;
	t = make(&p, &next_id);
	/* A one-frame false alarm dies at the next detection frame... */
	frame(t, &b, &s, 1, &id);
	assert_int_equal(track(t, id)->state, OB_TRACK_TENTATIVE);
	/* ...not on frames detection skipped... */
	ob_tracker_step(t);
	assert_non_null(track(t, id));
	/* ...but when detection ran and did not see it. */
	assert_int_equal(ob_tracker_update(t, NULL, NULL, 0, NULL, NULL), 0);
	assert_int_equal(ntracks(t), 0);

	/* Three hits confirm. */
	frame(t, &b, &s, 1, &id);
	frame(t, &b, &s, 1, &got);
	assert_int_equal(got, id);
	assert_int_equal(track(t, id)->state, OB_TRACK_TENTATIVE);
	assert_int_equal(track(t, id)->hits, 2);
	frame(t, &b, &s, 1, &got);
	assert_int_equal(got, id);
	assert_int_equal(track(t, id)->state, OB_TRACK_CONFIRMED);
	/* Confirmed, then unmatched: lost, not removed. */
	frame(t, NULL, NULL, 0, NULL);
	assert_int_equal(track(t, id)->state, OB_TRACK_LOST);
	ob_tracker_free(&t);

	/* confirm_hits = 1: confirmed at once. */
	p.confirm_hits = 1;
	t = make(&p, &next_id);
	frame(t, &b, &s, 1, &id);
	assert_int_equal(track(t, id)->state, OB_TRACK_CONFIRMED);
	ob_tracker_free(&t);
}

/* Detection every 3rd frame, tracker stepped on every frame. */
static void test_stride_keeps_ids(void **state)
{
	struct ob_tracker_params p;
	uint64_t next_id = 1, first[3] = { 0, 0, 0 }, ids[3];
	struct ob_tracker *t;

	(void)state;
	ob_tracker_defaults(&p);
	t = make(&p, &next_id);
	for (int f = 0; f < 150; f++) {
		struct ob_box b[3] = { { 50 + 6.0 * f, 100 + 1.0 * f, 60, 140 },
				       { 1000 - 5.0 * f, 150, 60, 140 },
				       { 500, 600 - 2.0 * f, 80, 80 } };
		const float s[3] = { 0.9f, 0.7f, 0.6f };

		ob_tracker_step(t);
		if (f % 3) {
			/* Between detections the prediction follows the motion. */
			if (f > 30)
				for (int k = 0; k < 3; k++)
					assert_true(ob_box_iou(track(t, first[k])->box, b[k]) > 0.8);
			continue;
		}
		assert_int_equal(ob_tracker_update(t, b, s, 3, NULL, ids), 0);
		for (int k = 0; k < 3; k++) {
			if (!first[k])
				first[k] = ids[k];
			assert_int_equal(ids[k], first[k]);
		}
	}
	/* The filter's velocity is the truth's, per frame (not per detection). */
	assert_float_equal(track(t, first[0])->vx, 6.0, 0.1);
	assert_float_equal(track(t, first[0])->vy, 1.0, 0.1);
	assert_float_equal(track(t, first[1])->vx, -5.0, 0.1);
	assert_float_equal(track(t, first[2])->vy, -2.0, 0.1);
	assert_int_equal(next_id, 4);
	ob_tracker_free(&t);
}

/* A small face crossing the frame faster than its own width per detection. */
static uint64_t run_fast_face(double centre_gate, int every, double speed, uint64_t *distinct)
{
	struct ob_tracker_params p;
	uint64_t next_id = 1, first = 0, prev = 0, got;
	struct ob_tracker *t;
	struct ob_box last = { 0, 0, 0, 0 };
	int changes = 0;
	const float s = 0.9f;

	ob_tracker_defaults(&p);
	p.centre_gate = centre_gate;
	t = make(&p, &next_id);
	for (int f = 0; f < 60; f++) {
		struct ob_box b = { 10 + speed * f, 200 + 0.2 * speed * f, 20, 20 };

		ob_tracker_step(t);
		if (f % every)
			continue;
		if (f)
			assert_true(ob_box_iou(last, b) == 0); /* nothing to overlap */
		last = b;
		assert_int_equal(ob_tracker_update(t, &b, &s, 1, NULL, &got), 0);
		first = first ? first : got;
		changes += prev && got != prev;
		prev = got;
	}
	*distinct = next_id - 1;
	ob_tracker_free(&t);
	return (uint64_t)changes;
}

static void test_small_fast_face_centre_rule(void **state)
{
	uint64_t distinct;

	(void)state;
	/* 25 px per frame for a 20 px face, detected every frame. */
	assert_int_equal(run_fast_face(1.5, 1, 25, &distinct), 0);
	assert_int_equal(distinct, 1);
	/* 12 px per frame, detected every 2nd frame: 24 px apart. */
	assert_int_equal(run_fast_face(1.5, 2, 12, &distinct), 0);
	assert_int_equal(distinct, 1);
	/* Without the centre rule, every detection would be a new face. */
	assert_true(run_fast_face(0, 1, 25, &distinct) > 0);
	assert_int_equal(distinct, 60);
}

/*
 * Ten random walkers: boxes of people of random sizes (depths), smooth
 * random velocities, bouncing off the frame's edges, with detector jitter
 * (1.5 px) and 5% of detections dropped.  Walkers of a similar size (the
 * same depth) do not walk through each other (IoU stays <= 0.5): two people
 * cannot stand in one place, and the detector would not see both if they
 * did.  Walkers of different sizes do pass in front of one another.  No
 * confirmed track may change hands.
 */
#define WALKERS 10
#define WALK_W 1280
#define WALK_H 720

struct walker {
	struct ob_box b;
	double vx, vy;
	uint64_t id;
};

static bool similar(const struct walker *a, const struct walker *b)
{
	double r = (a->b.w * a->b.h) / (b->b.w * b->b.h);

	return r < 1.5 && r > 1 / 1.5;
}

/* Similar walkers that come too close are pushed apart and stop closing in. */
static void keep_apart(struct walker *a, struct walker *b)
{
	double dx = (a->b.x + a->b.w / 2) - (b->b.x + b->b.w / 2);
	double dy = (a->b.y + a->b.h / 2) - (b->b.y + b->b.h / 2);
	double d = hypot(dx, dy) + 1e-9, closing;

	if (!similar(a, b) || ob_box_iou(a->b, b->b) <= 0.5)
		return;
	dx /= d;
	dy /= d;
	a->b.x += dx;
	a->b.y += dy;
	b->b.x -= dx;
	b->b.y -= dy;
	closing = (a->vx - b->vx) * dx + (a->vy - b->vy) * dy;
	if (closing < 0) {
		a->vx -= closing * dx / 2;
		a->vy -= closing * dy / 2;
		b->vx += closing * dx / 2;
		b->vy += closing * dy / 2;
	}
}

static int walk(uint64_t seed, int *passes)
{
	struct walker wk[WALKERS];
	struct ob_tracker_params p;
	uint64_t next_id = 1, ids[WALKERS];
	struct ob_tracker *t;
	int switches = 0, dropped = 0;

	rng_state = seed;
	ob_tracker_defaults(&p);
	t = make(&p, &next_id);
	*passes = 0;
	for (int k = 0; k < WALKERS; k++) {
		struct walker *w = &wk[k];
		bool clear;

		do { /* start apart */
			w->b.w = 25 + 40 * rng_unit();
			w->b.h = 2.5 * w->b.w;
			w->b.x = rng_unit() * (WALK_W - w->b.w);
			w->b.y = rng_unit() * (WALK_H - w->b.h);
			clear = true;
			for (int j = 0; j < k; j++)
				clear = clear && ob_box_iou(w->b, wk[j].b) == 0;
		} while (!clear);
		w->vx = 4 * (rng_unit() - 0.5);
		w->vy = 2 * (rng_unit() - 0.5);
		w->id = 0;
	}
	for (int f = 0; f < 500; f++) {
		struct ob_box b[WALKERS];
		float s[WALKERS];
		int who[WALKERS];
		size_t n = 0;

		for (int k = 0; k < WALKERS; k++) {
			struct walker *w = &wk[k];

			w->vx = fmax(-3, fmin(3, w->vx + 0.15 * rng_gauss()));
			w->vy = fmax(-1.5, fmin(1.5, w->vy + 0.1 * rng_gauss()));
			w->b.x += w->vx;
			w->b.y += w->vy;
			if ((w->b.x < 0 && w->vx < 0) || (w->b.x + w->b.w > WALK_W && w->vx > 0))
				w->vx = -w->vx;
			if ((w->b.y < 0 && w->vy < 0) || (w->b.y + w->b.h > WALK_H && w->vy > 0))
				w->vy = -w->vy;
		}
		for (int k = 0; k < WALKERS; k++)
			for (int j = 0; j < k; j++) {
				keep_apart(&wk[k], &wk[j]);
				*passes += ob_box_iou(wk[k].b, wk[j].b) > 0.3;
			}
		for (int k = 0; k < WALKERS; k++) {
			struct ob_box tb = wk[k].b;

			if (rng_unit() < 0.05) {
				dropped++;
				continue;
			}
			b[n] = (struct ob_box){ tb.x + 1.5 * rng_gauss(), tb.y + 1.5 * rng_gauss(),
						tb.w + rng_gauss(), tb.h + 2 * rng_gauss() };
			s[n] = (float)(0.6 + 0.35 * rng_unit());
			who[n++] = k;
		}
		frame(t, b, s, n, ids);
		for (size_t i = 0; i < n; i++) {
			struct walker *w = &wk[who[i]];

			assert_true(ids[i] != 0);
			if (track(t, ids[i])->state != OB_TRACK_CONFIRMED)
				continue; /* a false start that may yet die */
			switches += w->id && ids[i] != w->id;
			w->id = ids[i];
		}
	}
	assert_true(dropped > 500 * WALKERS / 40); /* about 5% */
	for (int k = 0; k < WALKERS; k++)
		for (int j = 0; j < k; j++)
			assert_true(wk[k].id != wk[j].id);
	ob_tracker_free(&t);
	return switches;
}

static void test_random_walkers(void **state)
{
	int passes, all = 0;

	(void)state;
	for (uint64_t seed = 1; seed <= 10; seed++) {
		int sw = walk(seed, &passes);

		if (sw)
			fail_msg("seed %llu: %d identity switches", (unsigned long long)seed, sw);
		all += passes;
	}
	assert_true(all > 500); /* frames x pairs of walkers overlapping by IoU > 0.3 */
}

/* Two trackers of one job (faces and plates) draw ids from one counter. */
static void test_shared_ids(void **state)
{
	struct ob_tracker_params p;
	uint64_t next_id = 1, ids[3], seen[2][3] = { { 0 } };
	struct ob_tracker *tk[2];
	struct ob_box boxes[3] = { { 0, 0, 10, 10 }, { 100, 0, 10, 10 }, { 200, 0, 10, 10 } };
	const float s[3] = { 0.9f, 0.9f, 0.9f };

	(void)state;
	ob_tracker_defaults(&p);
	tk[0] = make(&p, &next_id);
	tk[1] = make(NULL, &next_id); /* NULL: the defaults */
	/* Each frame each tracker sees one more object, the others again. */
	for (int f = 0; f < 3; f++) {
		for (int k = 0; k < 2; k++) {
			frame(tk[k], boxes, s, (size_t)f + 1, ids);
			for (int i = 0; i <= f; i++) {
				if (i == f)
					seen[k][i] = ids[i];
				assert_int_equal(ids[i], seen[k][i]);
			}
		}
	}
	assert_int_equal(next_id, 7);
	/* Six objects, six ids 1..6, none shared. */
	for (int a = 0; a < 6; a++) {
		assert_true(seen[a / 3][a % 3] >= 1 && seen[a / 3][a % 3] <= 6);
		for (int b = 0; b < a; b++)
			assert_true(seen[a / 3][a % 3] != seen[b / 3][b % 3]);
	}
	/* Each tracker lists its tracks in increasing id order. */
	for (int k = 0; k < 2; k++) {
		const struct ob_track_info *tr;
		size_t n = ob_tracker_tracks(tk[k], &tr);

		assert_int_equal(n, 3);
		for (size_t i = 1; i < n; i++)
			assert_true(tr[i].id > tr[i - 1].id);
		ob_tracker_free(&tk[k]);
	}
}

static void test_limits_and_misuse(void **state)
{
	enum { MANY = OB_TRACKER_MAX_TRACKS + 1 };
	struct ob_tracker_params p;
	uint64_t next_id = 1;
	struct ob_tracker *t = NULL;
	struct ob_box *b = malloc((OB_ASSIGN_MAX + 1) * sizeof(*b));
	float *s = malloc((OB_ASSIGN_MAX + 1) * sizeof(*s));
	uint64_t *ids = malloc((OB_ASSIGN_MAX + 1) * sizeof(*ids));

	(void)state;
	assert_non_null(b);
	assert_non_null(s);
	assert_non_null(ids);
	/* Parameters that make no sense are refused. */
	ob_tracker_defaults(&p);
	p.low = 0.7;
	assert_int_equal(ob_tracker_new(&p, &next_id, &t), OB_ERR_RECIPE);
	assert_null(t);
	ob_tracker_defaults(&p);
	p.iou_gate = 0;
	assert_int_equal(ob_tracker_new(&p, &next_id, &t), OB_ERR_RECIPE);
	ob_tracker_defaults(&p);
	p.confirm_hits = 0;
	assert_int_equal(ob_tracker_new(&p, &next_id, &t), OB_ERR_RECIPE);
	ob_tracker_defaults(&p);
	p.centre_gate = NAN;
	assert_int_equal(ob_tracker_new(&p, &next_id, &t), OB_ERR_RECIPE);

	ob_tracker_defaults(&p);
	t = make(&p, &next_id);
	assert_int_equal(ob_tracker_frame(t), -1);
	/* Update before a step, or twice on one frame: a caller's bug. */
	assert_int_equal(ob_tracker_update(t, NULL, NULL, 0, NULL, NULL), OB_ERR_INTERNAL);
	ob_tracker_step(t);
	assert_int_equal(ob_tracker_frame(t), 0);
	assert_int_equal(ob_tracker_update(t, NULL, NULL, 0, NULL, NULL), 0);
	assert_int_equal(ob_tracker_update(t, NULL, NULL, 0, NULL, NULL), OB_ERR_INTERNAL);

	/* Empty, non-finite boxes and NaN scores are ignored. */
	b[0] = (struct ob_box){ 10, 10, 0, 10 };
	b[1] = (struct ob_box){ NAN, 10, 10, 10 };
	b[2] = (struct ob_box){ 10, 10, 10, 10 };
	s[0] = s[1] = 0.9f;
	s[2] = NAN;
	ids[0] = ids[1] = ids[2] = 99;
	frame(t, b, s, 3, ids);
	assert_int_equal(ids[0] | ids[1] | ids[2], 0);
	assert_int_equal(ntracks(t), 0);

	/* More live tracks than the limit: refused, nothing changed. */
	for (int i = 0; i <= OB_ASSIGN_MAX; i++) {
		b[i] = (struct ob_box){ (i % 64) * 20.0, (i / 64) * 20.0, 10, 10 };
		s[i] = 0.9f;
	}
	ob_tracker_step(t);
	assert_int_equal(ob_tracker_update(t, b, s, MANY, NULL, ids), OB_ERR_LIMIT);
	assert_int_equal(ntracks(t), 0);
	assert_int_equal(next_id, 1);
	frame(t, b, s, MANY - 1, ids);
	assert_int_equal(ntracks(t), OB_TRACKER_MAX_TRACKS);
	ob_tracker_step(t);
	assert_int_equal(ob_tracker_update(t, b, s, MANY, NULL, ids), OB_ERR_LIMIT);
	assert_int_equal(ntracks(t), OB_TRACKER_MAX_TRACKS);
	/* The same boxes again continue every track. */
	assert_int_equal(ob_tracker_update(t, b, s, MANY - 1, NULL, ids), 0);
	for (int i = 0; i < MANY - 1; i++)
		assert_int_equal(ids[i], (uint64_t)i + 1);
	ob_tracker_step(t);
	assert_int_equal(ob_tracker_update(t, b, s, OB_ASSIGN_MAX + 1, NULL, ids), OB_ERR_LIMIT);
	ob_tracker_free(&t);
	free(b);
	free(s);
	free(ids);
}

/* One colour: all of each part's mass in one bin (distance 1 between two colours). */
static struct ob_appearance colour(int bin)
{
	struct ob_appearance a = { .valid = 1 };

	a.h[bin] = 1;
	a.h[OB_APPEARANCE_BINS + bin] = 1;
	return a;
}

/*
 * A walks right and is lost (behind something) at frame 10; at frame 14 B,
 * dressed otherwise, stands where A was predicted to be.  By position alone
 * B continues A's track; with appearance, B starts its own, and A, coming
 * back in its own clothes at frame 16, takes its track up again.
 */
static void test_appearance_lost_track_not_handed_on(void **state)
{
	(void)state;
	for (int use = 0; use < 2; use++) {
		struct ob_tracker_params p;
		struct ob_tracker *t;
		uint64_t next = 1, id_a = 0, got = 0;
		struct ob_appearance red = colour(12), blue = colour(20);
		float s = 0.9f;

		ob_tracker_defaults(&p);
		if (use) {
			p.app_weight = 0.5;
			p.app_gate = 0.45;
		}
		t = make(&p, &next);
		for (int f = 0; f < 17; f++) {
			struct ob_box a = { 100 + 2.0 * f, 100, 30, 80 };
			struct ob_box b = { 100 + 2.0 * 14, 100, 30, 80 };

			ob_tracker_step(t);
			if (f < 10) {
				assert_int_equal(ob_tracker_update(t, &a, &s, 1, &red, &got), 0);
				id_a = got;
			} else if (f == 14) {
				assert_int_equal(ob_tracker_update(t, &b, &s, 1, &blue, &got), 0);
				if (use)
					assert_int_not_equal(got, id_a);
				else
					assert_int_equal(got, id_a);
			} else if (f == 16 && use) {
				assert_int_equal(ob_tracker_update(t, &a, &s, 1, &red, &got), 0);
				assert_int_equal(got, id_a);
			} else {
				assert_int_equal(ob_tracker_update(t, NULL, NULL, 0, NULL, NULL), 0);
			}
		}
		ob_tracker_free(&t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crossing_keeps_ids),
		cmocka_unit_test(test_short_occlusion_same_track),
		cmocka_unit_test(test_long_loss_new_id),
		cmocka_unit_test(test_low_scores_second_round),
		cmocka_unit_test(test_tentative_tracks),
		cmocka_unit_test(test_stride_keeps_ids),
		cmocka_unit_test(test_small_fast_face_centre_rule),
		cmocka_unit_test(test_random_walkers),
		cmocka_unit_test(test_shared_ids),
		cmocka_unit_test(test_limits_and_misuse),
		cmocka_unit_test(test_appearance_lost_track_not_handed_on),
	};
	return cmocka_run_group_tests_name("tracker", tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* test_track_store.c - the track store on synthetic trajectories of known truth:
 * every frame of a detected track is covered, whatever the gaps and strides. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "obscura/recipe.h"
#include "obscura/track_store.h"

#define FRAMES_MAX 2000
#define OBJ_MAX 4

/* One synthetic object: a box moving at constant velocity. */
struct object {
	double x0, y0, w, h, vx, vy;
};

static struct ob_box truth(const struct object *o, int64_t f)
{
	return (struct ob_box){ o->x0 + o->vx * (double)f, o->y0 + o->vy * (double)f, o->w, o->h };
}

/* What a frame's rows said, as the redactor would see them. */
struct seen {
	size_t n;
	struct ob_track_row rows[OBJ_MAX * 4];
};

static struct seen *seen;
static int64_t detector_every = 3; /* frames between the detector's passes (found or not) */

static void params(struct ob_track_params *p)
{
	struct ob_recipe *r = NULL;

	/* the shipped defaults at 25 frames per second */
	assert_int_equal(ob_recipe_default(&r), 0);
	ob_track_params_from(&r->track, 25, 640, 480, p);
	ob_recipe_free(&r);
}

static void retire_ready(struct ob_track_store *ts, int64_t *next)
{
	while (*next < ob_track_store_ready(ts)) {
		struct ob_retired retired;
		const struct ob_track_row *rows;
		size_t n;

		assert_int_equal(ob_track_store_rows(ts, *next, &rows, &n), 0);
		assert_true(n <= OBJ_MAX * 4);
		seen[*next].n = n;
		memcpy(seen[*next].rows, rows, n * sizeof(*rows));
		assert_int_equal(ob_track_store_retire(ts, *next, &retired), 0);
		assert_int_equal(retired.n, n); /* what the scheduler passes on is what the redactor saw */
		(*next)++;
	}
}

/*
 * Runs frames 0..frames-1; object k is detected on frame f when
 * detected(k, f) says so (score 0.9), on one face lane.  Fills seen[].
 */
static void run(const struct ob_track_params *p, const struct object *objs, size_t nobj, int64_t frames,
		bool (*detected)(size_t k, int64_t f))
{
	struct ob_track_store *ts;
	int lane;
	int64_t next = 0;

	assert_true(frames <= FRAMES_MAX);
	memset(seen, 0, FRAMES_MAX * sizeof(*seen));
	assert_int_equal(ob_track_store_new(p, &ts), 0);
	assert_int_equal(ob_track_store_add_lane(ts, OB_CLASS_FACE, 0.5, 1, 0, &lane), 0);
	for (int64_t f = 0; f < frames; f++) {
		struct ob_box boxes[OBJ_MAX];
		float scores[OBJ_MAX];
		size_t n = 0;
		bool ran = false;

		assert_int_equal(ob_track_store_begin_frame(ts, f, (double)f / 25), 0);
		for (size_t k = 0; k < nobj; k++)
			if (detected(k, f)) {
				boxes[n] = truth(&objs[k], f);
				scores[n++] = 0.9f;
				ran = true;
			}
		if (ran || f % detector_every == 0)
			assert_int_equal(ob_track_store_observe(ts, lane, boxes, scores, n, NULL), 0);
		retire_ready(ts, &next);
		/* nothing is final before the lookahead has passed */
		assert_true(next == (f - p->lookahead + 1 > 0 ? f - p->lookahead + 1 : 0));
	}
	ob_track_store_finish(ts);
	retire_ready(ts, &next);
	assert_int_equal(next, frames);
	ob_track_store_free(&ts);
}

static bool inside(struct ob_box in, struct ob_box out)
{
	return in.x >= out.x - 1e-3 && in.y >= out.y - 1e-3 && in.x + in.w <= out.x + out.w + 1e-3 &&
	       in.y + in.h <= out.y + out.h + 1e-3;
}

static struct ob_box cover(const struct ob_track_row *r)
{
	return (struct ob_box){ r->cover_x, r->cover_y, r->cover_w, r->cover_h };
}

/* Whether some hidden row of frame f covers box b entirely. */
static bool covered(int64_t f, struct ob_box b)
{
	for (size_t i = 0; i < seen[f].n; i++)
		if (seen[f].rows[i].hidden && inside(b, cover(&seen[f].rows[i])))
			return true;
	return false;
}

static const struct object walker = { 100, 80, 40, 50, 3, 1 };

static bool occluded_10_to_14(size_t k, int64_t f)
{
	(void)k;
	return f < 10 || f > 14;
}

static void test_gap_is_interpolated(void **state)
{
	struct ob_track_params p;

	(void)state;
	params(&p);
	run(&p, &walker, 1, 60, occluded_10_to_14);
	for (int64_t f = 0; f < 60; f++) {
		assert_int_equal(seen[f].n, 1);
		assert_true(covered(f, truth(&walker, f)));
		assert_int_equal(seen[f].rows[0].track, seen[0].rows[0].track); /* one track throughout */
		assert_int_equal(seen[f].rows[0].kind, f >= 10 && f <= 14 ? OB_ROW_INTERPOLATED : OB_ROW_OBSERVED);
	}
	/* interpolated exactly on a straight path */
	assert_true(fabs(seen[12].rows[0].x - truth(&walker, 12).x) < 1e-3);
}

static bool every_third(size_t k, int64_t f)
{
	(void)k;
	return f % 3 == 0;
}

static void test_stride_three_covers_every_frame(void **state)
{
	static const struct object fast[2] = { { 10, 10, 30, 30, 6, 2 }, { 400, 300, 60, 60, -5, -1 } };
	struct ob_track_params p;

	(void)state;
	params(&p);
	run(&p, fast, 2, 70, every_third);
	for (int64_t f = 0; f < 70; f++) {
		assert_true(covered(f, truth(&fast[0], f)));
		assert_true(covered(f, truth(&fast[1], f)));
	}
}

/* A face entering from the left edge is found only once wholly inside. */
static const struct object entering = { -60, 100, 48, 60, 4, 0 };

static bool whole_in_frame(size_t k, int64_t f)
{
	(void)k;
	return truth(&entering, f).x >= 0;
}

/* Two faces coming in across the right edge of a 640x480 frame (test_edge_entry). */
static const struct object entering_pair[2] = { { 700, 200, 40, 50, -15, 0 }, { 790, 200, 40, 50, -15, 0 } };

/* Found on even frames once wholly inside. */
static bool entered_even(size_t k, int64_t f)
{
	struct ob_box b = truth(&entering_pair[k], f);

	return f % 2 == 0 && b.x >= 0 && b.x + b.w <= 640;
}

/* ... and only there: the next even frame it turned away. */
static bool entered_once(size_t k, int64_t f)
{
	return entered_even(k, f) && !entered_even(k, f - 2);
}

static bool even(size_t k, int64_t f)
{
	(void)k;
	return f % 2 == 0;
}

static void test_entry_is_backfilled(void **state)
{
	struct ob_track_params p;
	int64_t first = -1;

	(void)state;
	params(&p);
	run(&p, &entering, 1, 60, whole_in_frame);
	for (int64_t f = 0; f < 60 && first < 0; f++)
		if (whole_in_frame(0, f))
			first = f;
	assert_int_equal(first, 15);
	/* every frame of the extension before the first detection is covered;
	 * those are the frames the face showed, cut by the edge */
	for (int64_t f = first - p.extend_before; f < first; f++) {
		assert_int_equal(seen[f].n, 1);
		assert_int_equal(seen[f].rows[0].kind, OB_ROW_EXTRAPOLATED);
		assert_true(covered(f, truth(&entering, f)));
	}
	assert_int_equal(seen[first - p.extend_before - 1].n, 0);
}

static bool stops_at_30(size_t k, int64_t f)
{
	(void)k;
	return f <= 30;
}

static void test_extended_after_last_detection(void **state)
{
	struct ob_track_params p;

	(void)state;
	params(&p);
	run(&p, &walker, 1, 80, stops_at_30);
	for (int64_t f = 31; f <= 30 + p.extend_after; f++) {
		assert_int_equal(seen[f].n, 1);
		assert_int_equal(seen[f].rows[0].kind, OB_ROW_EXTRAPOLATED);
		assert_true(covered(f, truth(&walker, f))); /* it kept walking, unseen */
	}
	assert_int_equal(seen[31 + p.extend_after].n, 0);
}

static bool every_20th(size_t k, int64_t f)
{
	(void)k;
	return f % 20 == 0 || f == 2; /* two passes to learn its motion, then every 20th */
}

/* Detections further apart than the lookahead reaches: the tracker still
 * expects the track back, so the frames between stay covered. */
static void test_sparse_detections_beyond_lookahead(void **state)
{
	struct ob_track_params p;

	(void)state;
	params(&p);
	p.lookahead = 10;
	p.extend_before = 5;
	p.extend_after = 5;
	p.max_lost = 40;
	detector_every = 20; /* stride 20: the detector runs when it finds */
	run(&p, &walker, 1, 101, every_20th);
	detector_every = 3;
	for (int64_t f = 0; f <= 100; f++) {
		if (!covered(f, truth(&walker, f)))
			print_message("frame %lld: %zu rows, first track %llu kind %d\n", (long long)f, seen[f].n,
				      seen[f].n ? (unsigned long long)seen[f].rows[0].track : 0ULL,
				      seen[f].n ? seen[f].rows[0].kind : -1);
		assert_true(covered(f, truth(&walker, f)));
	}
}

static bool once_at_20(size_t k, int64_t f)
{
	(void)k;
	return f == 20;
}

/* A face detected once: no motion known, covered around the detection anyway. */
static void test_single_detection(void **state)
{
	static const struct object still = { 200, 200, 40, 40, 0, 0 };
	struct ob_track_params p;

	(void)state;
	params(&p);
	run(&p, &still, 1, 60, once_at_20);
	for (int64_t f = 20 - p.extend_before; f <= 20 + p.extend_after; f++)
		assert_true(covered(f, truth(&still, f)));
	assert_int_equal(seen[20 - p.extend_before - 1].n, 0);
	assert_int_equal(seen[21 + p.extend_after].n, 0);
}

/*
 * A face detected at frame 20 with score `score` (and again at frame
 * `again`, if > 0), on a lane whose detector runs every other frame and
 * whose new tracks wait two passes for a match (wait 4); on the next pass (22) it is not found again, and if the store lists
 * it as unsure, the detect stage's second look there finds it (look 1) or
 * not (0).  Returns the first and last frames with a row.
 */
static void second_look(struct ob_box box, float score, int look, int64_t again, int64_t *first, int64_t *last)
{
	struct ob_track_params p;
	struct ob_track_store *ts;
	int lane;
	int64_t next = 0;
	bool unsure = score < OB_TRACK_BRIEF_SCORE && box.x > box.h && box.x + 2 * box.w < 640;

	params(&p);
	memset(seen, 0, FRAMES_MAX * sizeof(*seen));
	assert_int_equal(ob_track_store_new(&p, &ts), 0);
	assert_int_equal(ob_track_store_add_lane(ts, OB_CLASS_FACE, 0.5, 1, 4, &lane), 0);
	for (int64_t f = 0; f < 60; f++) {
		assert_int_equal(ob_track_store_begin_frame(ts, f, (double)f / 25), 0);
		if (f % 2 == 0) {
			struct ob_box b[4];
			uint64_t id[4];
			size_t n;

			bool found = f == 20 || (again > 0 && f == again);

			assert_int_equal(ob_track_store_observe(ts, lane, &box, &score, found, NULL), 0);
			/* unsure on the pass after its only detection, if weak and away from
			 * the edges; looked at, no more */
			n = ob_track_store_unsure(ts, lane, b, id, 4);
			assert_int_equal(n, f == 22 && unsure);
			if (n) {
				assert_true(inside(b[0], box) && inside(box, b[0]));
				ob_track_store_looked(ts, id[0], look);
			}
		}
		retire_ready(ts, &next);
	}
	ob_track_store_finish(ts);
	retire_ready(ts, &next);
	ob_track_store_free(&ts);
	*first = *last = -1;
	for (int64_t f = 0; f < 60; f++)
		if (seen[f].n) {
			assert_true(covered(f, box));
			*first = *first < 0 ? f : *first;
			*last = f;
		}
}

/* Second looks (track_store.h): a weak face seen once that a second look
 * did not find again is hidden only for the lane's wait either side; found
 * again, clear (score 0.8 or more), near the frame's edge, or matched again
 * after the look, it keeps the extensions. */
static void test_second_look(void **state)
{
	const struct ob_box mid = { 300, 200, 30, 40 }, edge = { 610, 200, 30, 40 };
	struct ob_track_params p;
	struct {
		struct ob_box box;
		float score;
		int look;
		int64_t again, first, last; /* first, last: 0 = 20 -/+ the extensions */
	} cases[] = {
		{ mid, 0.6f, 0, 0, 16, 24 }, /* not found again: the lane's wait either side */
		{ mid, 0.6f, 1, 0, 0, 0 },   /* found again */
		{ mid, 0.9f, 0, 0, 0, 0 },   /* clear: not looked at */
		{ edge, 0.6f, 0, 0, 0, 0 },  /* near the edge: not looked at */
		{ mid, 0.6f, 0, 24, 0, 0 },  /* matched again at 24, after the look at 22 */
	};

	(void)state;
	params(&p);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t first, last, after = cases[i].again ? cases[i].again : 20;

		second_look(cases[i].box, cases[i].score, cases[i].look, cases[i].again, &first, &last);
		assert_int_equal(first, cases[i].first ? cases[i].first : 20 - p.extend_before);
		assert_int_equal(last, cases[i].last ? cases[i].last : after + p.extend_after);
	}
}

/*
 * A face tracked from frame `from` on every detection frame (every other
 * frame, wait 4), walking right from x = face_x; on frame 20 another box, scoring `score`,
 * is found once besides it (`with` false: alone, the face absent).  When
 * the store lists it as unsure, the second look finds a face there (`look`
 * 1) or not (0).  Returns the first and last frames with a row of the
 * second box's track, and whether it was listed.
 */
static void shadow_case(enum ob_class cls, double face_x, struct ob_box other, float score, int64_t from, bool with,
			int look, int64_t *first, int64_t *last, bool *unsure)
{
	struct ob_track_params p;
	struct ob_track_store *ts;
	int lane;
	int64_t next = 0;
	uint64_t other_track = 0;

	params(&p);
	memset(seen, 0, FRAMES_MAX * sizeof(*seen));
	*unsure = false;
	assert_int_equal(ob_track_store_new(&p, &ts), 0);
	assert_int_equal(ob_track_store_add_lane(ts, cls, 0.5, 1, 4, &lane), 0);
	for (int64_t f = 0; f < 60; f++) {
		assert_int_equal(ob_track_store_begin_frame(ts, f, (double)f / 25), 0);
		if (f % 2 == 0) {
			struct ob_box b[2] = { { face_x + (double)f, 200, 40, 50 }, other }, where[4];
			float s[2] = { 0.9f, score };
			uint64_t id[4];
			size_t n = 0, first_box = with && f >= from ? 0 : 1;

			n = (with && f >= from) + (f == 20);
			assert_int_equal(ob_track_store_observe(ts, lane, &b[first_box], &s[first_box], n, NULL), 0);
			n = ob_track_store_unsure(ts, lane, where, id, 4);
			for (size_t i = 0; i < n; i++)
				ob_track_store_looked(ts, id[i], look);
			*unsure |= n > 0;
		}
		retire_ready(ts, &next);
	}
	ob_track_store_finish(ts);
	retire_ready(ts, &next);
	ob_track_store_free(&ts);
	/* the second box's track: its row on frame 20 is that box, detected */
	for (size_t i = 0; i < seen[20].n; i++)
		if (seen[20].rows[i].kind == OB_ROW_OBSERVED && seen[20].rows[i].x == (float)other.x &&
		    seen[20].rows[i].w == (float)other.w)
			other_track = seen[20].rows[i].track;
	assert_int_not_equal(other_track, 0);
	*first = *last = -1;
	for (int64_t f = 0; f < 60; f++)
		for (size_t i = 0; i < seen[f].n; i++)
			if (seen[f].rows[i].track == other_track) {
				*first = *first < 0 ? f : *first;
				*last = f;
			}
}

/* A second box found once on a tracked face, whatever its score, is looked
 * at again; if the look finds nothing but the frame's faces it was that
 * face boxed again (looser, or a part), hidden only for the lane's wait
 * either side; a look that finds a face (a smaller one over its corner), a
 * box at the frame's edge, alone and clear, beside a face seen only once
 * before, or on a person lane keeps its extensions. */
static void test_shadow_of_a_tracked_face(void **state)
{
	/* at frame 20 the face is at (320, 200) 40x50 */
	const struct ob_box loose = { 310, 190, 60, 110 }, part = { 325, 205, 20, 20 }, beside = { 340, 200, 40, 50 },
			    edge = { 0, 190, 60, 110 };
	const double mid = 300, at_edge = -16; /* where the tracked face starts: at frame 20, x 320 or 4 */
	struct ob_track_params p;
	struct {
		double face_x;
		struct ob_box box;
		float score;
		int64_t from;
		bool with;
		int look;
		bool unsure, brief;
		enum ob_class cls;
	} cases[] = {
		/* holds the face, look empty: its shadow; inside it, look empty: a part of it */
		{ mid, loose, 0.85f, 0, true, 0, true, true, OB_CLASS_FACE },
		{ mid, part, 0.85f, 0, true, 0, true, true, OB_CLASS_FACE },
		/* the look found a face: another one */
		{ mid, part, 0.85f, 0, true, 1, true, false, OB_CLASS_FACE },
		/* alone and clear: a face, not looked at; alone and weak, look empty */
		{ mid, loose, 0.85f, 0, false, 0, false, false, OB_CLASS_FACE },
		{ mid, loose, 0.6f, 0, false, 0, true, true, OB_CLASS_FACE },
		/* half over it: another face; the face seen once before */
		{ mid, beside, 0.85f, 0, true, 0, false, false, OB_CLASS_FACE },
		{ mid, loose, 0.85f, 18, true, 0, false, false, OB_CLASS_FACE },
		/* people: one before another; at the edge: may come in cut */
		{ mid, part, 0.85f, 0, true, 0, false, false, OB_CLASS_PERSON },
		{ at_edge, edge, 0.85f, 0, true, 0, false, false, OB_CLASS_FACE },
	};

	(void)state;
	params(&p);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t first, last;
		bool unsure;

		shadow_case(cases[i].cls, cases[i].face_x, cases[i].box, cases[i].score, cases[i].from, cases[i].with,
			    cases[i].look, &first, &last, &unsure);
		if (cases[i].brief) {
			assert_int_equal(first, 16);
			assert_int_equal(last, 24);
		} else {
			assert_int_equal(first, 20 - p.extend_before);
			assert_true(last >= 20 + p.extend_after);
		}
		if (cases[i].cls == OB_CLASS_FACE)
			assert_int_equal(unsure, cases[i].unsure);
	}
}

/* One track of two detections that are not one face (a hand, then a sleeve
 * 40 px away): its motion is a guess, and what is hidden before and after
 * them stays within the OB_EXTRAPOLATE_ limits of the detected box, however
 * fast the guess (it used to run with it: 20 px a frame, for 15 frames). */
static void test_extrapolation_bounded(void **state)
{
	static const struct ob_box det[2] = { { 200, 200, 40, 50 }, { 240, 220, 40, 60 } };
	struct ob_track_params p;
	struct ob_track_store *ts;
	int lane;
	int64_t next = 0, rows = 0;

	(void)state;
	params(&p);
	memset(seen, 0, FRAMES_MAX * sizeof(*seen));
	assert_int_equal(ob_track_store_new(&p, &ts), 0);
	assert_int_equal(ob_track_store_add_lane(ts, OB_CLASS_FACE, 0.5, 1, 0, &lane), 0);
	for (int64_t f = 0; f < 60; f++) {
		float s = 0.9f;

		assert_int_equal(ob_track_store_begin_frame(ts, f, (double)f / 25), 0);
		if (f == 20 || f == 22)
			assert_int_equal(ob_track_store_observe(ts, lane, &det[(f - 20) / 2], &s, 1, NULL), 0);
		else if (f % 2 == 0)
			assert_int_equal(ob_track_store_observe(ts, lane, NULL, NULL, 0, NULL), 0);
		retire_ready(ts, &next);
	}
	ob_track_store_finish(ts);
	retire_ready(ts, &next);
	ob_track_store_free(&ts);
	for (int64_t f = 0; f < 60; f++)
		for (size_t i = 0; i < seen[f].n; i++) {
			const struct ob_box *b = &det[f < 20 ? 0 : 1];
			double ex = OB_EXTRAPOLATE_MAX_TRAVEL + OB_EXTRAPOLATE_MAX_SCALE / 2 + OB_EXTRAPOLATE_MAX_GROWTH;
			struct ob_box lim = { b->x + b->w / 2 - ex * b->w, b->y + b->h / 2 - ex * b->h, 2 * ex * b->w,
					      2 * ex * b->h };

			if (seen[f].rows[i].kind != OB_ROW_EXTRAPOLATED)
				continue;
			assert_int_equal(seen[f].rows[i].track, seen[20].rows[0].track); /* one track */
			rows++;
			assert_true(inside(cover(&seen[f].rows[i]), lim));
		}
	assert_int_equal(rows, 2 * p.extend_before); /* extend_before = extend_after */
}

/* Whether every frame on which one of the faces shows cut by the right edge
 * of a 640x480 frame is covered; their number in *cut. */
static bool cut_faces_covered(const struct object *objs, size_t nobj, int64_t frames, int *cut)
{
	*cut = 0;
	for (int64_t f = 0; f < frames; f++)
		for (size_t k = 0; k < nobj; k++) {
			struct ob_box b = truth(&objs[k], f);

			if (b.x >= 640 || b.x + b.w <= 640)
				continue;
			b.w = 640 - b.x; /* the part inside the frame */
			(*cut)++;
			if (!covered(f, b)) {
				print_message("frame %lld: face %zu (%.0f..640) showing\n", (long long)f, k, b.x);
				return false;
			}
		}
	return true;
}

/* Faces come in across the right edge, 15 px a frame, found only once wholly
 * inside, on even frames: every frame on which one shows, cut by the edge,
 * is covered, even when its track's motion says nothing of where it came
 * from -- one found once (then turned away), two one after the other whose
 * tracks the tracker may mix up (the edge strip) -- and a face that stays
 * near the edge does not hide the strip to it on every frame.  (Not
 * covered: faces exactly as far apart as they move between two detections,
 * which no tracker tells apart from one face standing still.) */
static void test_edge_entry(void **state)
{
	static const struct object still = { 590, 100, 40, 50, 0, 0 };
	struct ob_track_params p;
	int cut;

	(void)state;
	params(&p); /* a 640x480 frame */
	detector_every = 2;
	run(&p, entering_pair, 1, 40, entered_once);
	assert_true(cut_faces_covered(entering_pair, 1, 40, &cut));
	assert_true(cut >= 2);
	run(&p, entering_pair, 2, 40, entered_even);
	assert_true(cut_faces_covered(entering_pair, 2, 40, &cut));
	assert_true(cut >= 4);
	run(&p, &still, 1, 60, even);
	detector_every = 3;
	for (int64_t f = p.extend_before + 1; f < 59 - p.extend_after; f++)
		assert_true(seen[f].n == 1 && seen[f].rows[0].cover_x + seen[f].rows[0].cover_w < 639);
}

/* Memory is bounded by the lookahead: 2000 frames of short-lived tracks. */
static void test_memory_bounded(void **state)
{
	struct ob_track_params p;
	struct ob_track_store *ts;
	int lane;
	int64_t next = 0;
	size_t most = 0;

	(void)state;
	params(&p);
	assert_int_equal(ob_track_store_new(&p, &ts), 0);
	assert_int_equal(ob_track_store_add_lane(ts, OB_CLASS_PERSON, 0.5, 0.3, 0, &lane), 0);
	for (int64_t f = 0; f < FRAMES_MAX; f++) {
		/* a new person every 10 frames, seen for 8 frames, somewhere else each time */
		struct ob_box b = { (double)((f / 10) % 20) * 30, (double)((f / 10) % 7) * 40, 25, 60 };
		float s = 0.8f;

		assert_int_equal(ob_track_store_begin_frame(ts, f, (double)f / 25), 0);
		assert_int_equal(ob_track_store_observe(ts, lane, &b, &s, f % 10 < 8, NULL), 0);
		retire_ready(ts, &next);
		if (ob_track_store_held(ts) > most)
			most = ob_track_store_held(ts);
	}
	/* lookahead + extension + max_lost is about 2.5 s: a handful of tracks */
	assert_true(most <= 8);
	/* the person rows hide the head: the top 30% of the grown box */
	assert_true(seen[next - 1].n >= 1);
	assert_true(seen[next - 1].rows[0].hidden);
	assert_true(fabs(seen[next - 1].rows[0].cover_h - 0.3 * 60) < 0.5 * 60 * 0.3);
	ob_track_store_free(&ts);
}

static void test_replay_rows(void **state)
{
	struct ob_track_store *ts;
	struct ob_track_row r = { .track = 7, .cls = OB_CLASS_FACE, .hidden = 1, .x = 1, .y = 2, .w = 3, .h = 4 };
	const struct ob_track_row *rows;
	struct ob_retired retired;
	size_t n;

	(void)state;
	assert_int_equal(ob_track_store_new(NULL, &ts), 0);
	assert_int_equal(ob_track_store_begin_frame(ts, 0, 0.0), 0);
	assert_int_equal(ob_track_store_put_row(ts, &r, true), 0);
	assert_int_equal(ob_track_store_ready(ts), 1); /* no lookahead in a replay */
	assert_int_equal(ob_track_store_rows(ts, 0, &rows, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].track, 7);
	assert_int_equal(rows[0].frame, 0);
	/* a frame not retired before the next one begins is a bug */
	assert_int_not_equal(ob_track_store_begin_frame(ts, 1, 0.04), 0);
	assert_int_equal(ob_track_store_retire(ts, 0, &retired), 0);
	assert_int_equal(ob_track_store_begin_frame(ts, 1, 0.04), 0);
	assert_int_equal(ob_track_store_rows(ts, 1, &rows, &n), 0);
	assert_int_equal(n, 0);
	/* frames not final are refused */
	assert_int_not_equal(ob_track_store_rows(ts, 2, &rows, &n), 0);
	ob_track_store_free(&ts);
}

/*
 * Confirmed (counted) is not hidden: on a person lane, a box that never
 * moves (a cone, a sign) is hidden on every frame and never confirmed; a
 * person who stands for 4 s and then walks is confirmed once the walk shows,
 * the confirmation reported with a retired frame after which every row of
 * the track counts; one who walks but scores below confirm_score is not.
 * On a vehicle lane a parked car is confirmed by its detections alone.
 */
static void test_confirmed_needs_evidence(void **state)
{
	enum { FRAMES = 300, CLUTTER = 0, STANDER, FAINT, CAR, N };
	static const struct object objs[N] = {
		[CLUTTER] = { 100, 100, 20, 60, 0, 0 },
		[STANDER] = { 400, 100, 30, 90, 0, 0 },      /* walks from frame 100, below */
		[FAINT] = { 100, 400, 30, 90, 1, 0 },
		[CAR] = { 600, 400, 120, 60, 0, 0 },
	};
	struct ob_track_params p;
	struct ob_track_store *ts;
	int person, vehicle;
	int64_t next = 0, confirmed_at[N];
	uint64_t id[N] = { 0 };
	bool hidden_all[N];
	int64_t tracks, nconfirmed;

	(void)state;
	params(&p);
	for (int k = 0; k < N; k++) {
		confirmed_at[k] = -1;
		hidden_all[k] = true;
	}
	assert_int_equal(ob_track_store_new(&p, &ts), 0);
	assert_int_equal(ob_track_store_add_lane(ts, OB_CLASS_PERSON, 0.3, 0.3, 0, &person), 0);
	assert_int_equal(ob_track_store_add_lane(ts, OB_CLASS_VEHICLE, 0.3, 0, 0, &vehicle), 0);
	for (int64_t f = 0; f <= FRAMES; f++) {
		if (f < FRAMES) {
			struct ob_box b[3] = { truth(&objs[CLUTTER], f), truth(&objs[STANDER], f), truth(&objs[FAINT], f) };
			float sc[3] = { 0.9f, 0.6f, 0.32f };
			struct ob_box car = truth(&objs[CAR], f);
			float car_score = 0.9f;

			if (f > 100)
				b[1].x += 2.0 * (double)(f - 100);
			assert_int_equal(ob_track_store_begin_frame(ts, f, (double)f / 25), 0);
			assert_int_equal(ob_track_store_observe(ts, person, b, sc, 3, NULL), 0);
			assert_int_equal(ob_track_store_observe(ts, vehicle, &car, &car_score, 1, NULL), 0);
		} else {
			ob_track_store_finish(ts);
		}
		while (next < ob_track_store_ready(ts)) {
			struct ob_retired r;

			assert_int_equal(ob_track_store_retire(ts, next, &r), 0);
			for (size_t i = 0; i < r.n; i++) {
				/* objects apart: each row's track is the object it lies on */
				int k = r.rows[i].y < 300 ? (r.rows[i].x < 300 ? CLUTTER : STANDER)
							  : (r.rows[i].x < 550 ? FAINT : CAR);

				if (!id[k])
					id[k] = r.rows[i].track;
				assert_int_equal(r.rows[i].track, id[k]); /* one track each */
				hidden_all[k] = hidden_all[k] && r.rows[i].hidden;
			}
			for (size_t i = 0; i < r.nconfirmed; i++)
				for (int k = 0; k < N; k++)
					if (r.confirmed[i] == id[k]) {
						assert_int_equal(confirmed_at[k], -1); /* reported once */
						confirmed_at[k] = next;
					}
			next++;
		}
	}
	assert_int_equal(next, FRAMES);
	assert_int_equal(confirmed_at[CLUTTER], -1);
	assert_int_equal(confirmed_at[FAINT], -1);
	/* 0.5 heights = 45 px of walking at 2 px a frame: seen on frame 123,
	 * reported with the frame retired then, a lookahead earlier */
	assert_in_range(confirmed_at[STANDER], 123 - p.lookahead - 1, 123 - p.lookahead + 1);
	assert_in_range(confirmed_at[CAR], 0, 1);
	assert_true(hidden_all[CLUTTER] && hidden_all[STANDER] && hidden_all[FAINT]);
	assert_false(hidden_all[CAR]); /* vehicles are tracked, not hidden */
	ob_track_store_counts(ts, &tracks, &nconfirmed);
	assert_int_equal(tracks, 4);
	assert_int_equal(nconfirmed, 2);
	ob_track_store_free(&ts);
}

/*
 * Every track leaves its fragment once: a person walking right at 2 px a
 * frame, detected on frames 0..59 in red then gone, and one standing still
 * until the end.  The walker's fragment says where and when it began and
 * ended, its motion at both ends and its mean descriptor; the stander's
 * comes with the last frame.
 */
static void test_fragments(void **state)
{
	struct ob_track_params p;
	struct ob_track_store *ts;
	struct ob_appearance app[2] = { { .valid = 1 }, { .valid = 0 } };
	struct ob_track_fragment got[4];
	size_t ngot = 0;
	int lane;
	int64_t next = 0;

	(void)state;
	params(&p);
	app[0].h[9] = 1;
	app[0].h[OB_APPEARANCE_BINS + 9] = 1;
	assert_int_equal(ob_track_store_new(&p, &ts), 0);
	assert_int_equal(ob_track_store_add_lane(ts, OB_CLASS_PERSON, 0.3, 0.3, 0, &lane), 0);
	for (int64_t f = 0; f <= 120; f++) {
		if (f < 120) {
			struct ob_box b[2] = { { 100 + 2.0 * (double)f, 100, 30, 90 }, { 500, 300, 30, 90 } };
			float sc[2] = { 0.9f, 0.9f };
			size_t first = f < 60 ? 0 : 1;

			assert_int_equal(ob_track_store_begin_frame(ts, f, (double)f / 25), 0);
			assert_int_equal(ob_track_store_observe(ts, lane, b + first, sc, 2 - first, app + first), 0);
		} else {
			ob_track_store_finish(ts);
		}
		while (next < ob_track_store_ready(ts)) {
			struct ob_retired r;

			assert_int_equal(ob_track_store_retire(ts, next, &r), 0);
			for (size_t i = 0; i < r.nended; i++) {
				assert_true(ngot < 4);
				got[ngot++] = r.ended[i];
			}
			next++;
		}
	}
	assert_int_equal(ngot, 2);
	assert_int_equal(got[0].id, 1); /* the walker left first */
	assert_int_equal(got[0].cls, OB_CLASS_PERSON);
	assert_true(got[0].confirmed);
	assert_int_equal(got[0].first, 0);
	assert_int_equal(got[0].last, 59);
	assert_true(fabs(got[0].first_box.x - 100) < 1e-9 && fabs(got[0].last_box.x - 218) < 1e-9);
	assert_true(fabs(got[0].vx0 - 2) < 1e-9 && fabs(got[0].vx1 - 2) < 1e-9 && fabs(got[0].vy1) < 1e-9);
	assert_int_equal(got[0].app_n, 60);
	assert_true(got[0].app.valid && fabs(got[0].app.h[9] - 1) < 1e-6);
	assert_int_equal(got[1].id, 2); /* the stander, never described, at the end */
	assert_false(got[1].confirmed); /* never moved */
	assert_int_equal(got[1].last, 119);
	assert_false(got[1].app.valid);
	ob_track_store_free(&ts);
}

static void test_params_from_seconds(void **state)
{
	struct ob_track_opts o = { .lookahead = 1.0, .extend_before = 0.5, .extend_after = 0.2, .max_lost = 1,
				   .confirm = 2, .confirm_motion = 0.5, .confirm_score = 0.35, .iou = 0.3, .low = 0.1,
				   .motion_margin = 1 };
	struct ob_track_params p;

	(void)state;
	ob_track_params_from(&o, 29.97, 640, 480, &p);
	assert_int_equal(p.lookahead, 30);
	assert_int_equal(p.extend_before, 15);
	assert_int_equal(p.extend_after, 6);
	o.lookahead = 10;
	ob_track_params_from(&o, 240, 640, 480, &p);
	assert_int_equal(p.lookahead, OB_TRACK_MAX_LOOKAHEAD); /* capped: memory stays bounded */
}

/* A photo: one frame, then the end.  Nothing waits for the lookahead (the
 * frame's rows are final as soon as it is seen), each detection is a hidden
 * row covering exactly its box (no extension, no motion growth), and every
 * track is confirmed on that one frame, a person by its score alone. */
static void test_photo(void **state)
{
	struct ob_track_params p;
	struct ob_track_store *ts = NULL;
	struct ob_retired r;
	const struct ob_box faces[2] = { { 100, 80, 40, 50 }, { 300, 90, 44, 52 } };
	const struct ob_box people[2] = { { 400, 100, 80, 200 }, { 520, 100, 80, 200 } };
	const float fs[2] = { 0.9f, 0.8f }, ps[2] = { 0.9f, 0.1f };
	int face, person;

	params(&p);
	ob_track_params_still(&p);
	assert_int_equal(p.lookahead, 0);
	assert_int_equal(ob_track_store_new(&p, &ts), 0);
	assert_int_equal(ob_track_store_add_lane(ts, OB_CLASS_FACE, 0.5, 1, 0, &face), 0);
	assert_int_equal(ob_track_store_add_lane(ts, OB_CLASS_PERSON, 0.05, 0.3, 0, &person), 0);
	assert_int_equal(ob_track_store_begin_frame(ts, 0, 0), 0);
	assert_int_equal(ob_track_store_observe(ts, face, faces, fs, 2, NULL), 0);
	assert_int_equal(ob_track_store_observe(ts, person, people, ps, 2, NULL), 0);
	assert_int_equal(ob_track_store_ready(ts), 1); /* final at once: no later frame is awaited */
	assert_int_equal(ob_track_store_retire(ts, 0, &r), 0);
	assert_int_equal(r.n, 4);
	for (size_t i = 0; i < r.n; i++) {
		const struct ob_box *b = r.rows[i].cls == OB_CLASS_FACE ? faces : people;
		bool match = false;

		assert_true(r.rows[i].hidden);
		for (int k = 0; k < 2; k++)
			match |= fabs(r.rows[i].cover_x - b[k].x) < 1e-3 && fabs(r.rows[i].cover_w - b[k].w) < 1e-3;
		assert_true(match);
	}
	/* both faces and the confident person; the person at 0.1 is hidden, not counted */
	assert_int_equal(r.nconfirmed, 3);
	ob_track_store_finish(ts);
	ob_track_store_free(&ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gap_is_interpolated),
		cmocka_unit_test(test_stride_three_covers_every_frame),
		cmocka_unit_test(test_entry_is_backfilled),
		cmocka_unit_test(test_extended_after_last_detection),
		cmocka_unit_test(test_single_detection),
		cmocka_unit_test(test_sparse_detections_beyond_lookahead),
		cmocka_unit_test(test_extrapolation_bounded),
		cmocka_unit_test(test_edge_entry),
		cmocka_unit_test(test_memory_bounded),
		cmocka_unit_test(test_photo),
		cmocka_unit_test(test_replay_rows),
		cmocka_unit_test(test_confirmed_needs_evidence),
		cmocka_unit_test(test_params_from_seconds),
		cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_second_look),
		cmocka_unit_test(test_shadow_of_a_tracked_face),
	};
	int ret;

	seen = calloc(FRAMES_MAX, sizeof(*seen));
	if (!seen)
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	free(seen);
	return ret;
}

/* SPDX-License-Identifier: MIT */
/* test_analytics.c - analytics on synthetic tracks whose every count, crossing,
 * dwell time, intrusion and occupancy is known exactly. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "obscura/analytics.h"
#include "obscura/analytics_report.h"
#include "obscura/error.h"
#include "obscura/recipe.h"

/* 640x360 at 8 frames a second: every pts and dwell is exact in binary. */
#define W 640
#define H 360
#define FPS 8.0
#define MAXK 32
#define EARLY (-1)         /* confirmed before the first frame */
#define NEVER INT64_MAX    /* never confirmed */
#define NOWHERE NAN

/* Walker k's feet (bottom centre of its box) on frame f; false: no row. */
typedef bool (*where_fn)(size_t k, int64_t f, double *x, double *y);

struct scene {
	size_t n;
	uint64_t id[MAXK];
	uint8_t cls[MAXK];
	int64_t confirm_after[MAXK]; /* frame after which it is confirmed, EARLY or NEVER */
	where_fn where;
};

/* A box whose bottom centre is (x, y): people 20x60, vehicles 80x40. */
static struct ob_track_row row_at(uint64_t id, uint8_t cls, int64_t f, double x, double y)
{
	double w = cls == OB_CLASS_VEHICLE ? 80 : 20, h = cls == OB_CLASS_VEHICLE ? 40 : 60;

	return (struct ob_track_row){ .frame = f, .pts = (double)f / FPS, .track = id, .cls = cls,
				      .x = (float)(x - w / 2), .y = (float)(y - h), .w = (float)w, .h = (float)h };
}

static struct ob_analytics *analyzer_with(const char *text, const struct ob_analytics_config *c)
{
	struct ob_recipe *r;
	struct ob_analytics *a;

	if (ob_recipe_parse("t.ini", text, &r))
		fail_msg("%s", ob_errmsg());
	assert_int_equal(ob_analytics_new(r, c, &a), 0);
	ob_recipe_free(&r);
	return a;
}

static struct ob_analytics *analyzer(const char *text)
{
	struct ob_analytics_config c;

	ob_analytics_config_init(&c, W, H, FPS);
	return analyzer_with(text, &c);
}

/* Feeds frames 0..frames-1 of the scene and finishes. */
static const struct ob_analytics_result *play(struct ob_analytics *a, const struct scene *s, int64_t frames)
{
	const struct ob_analytics_result *r;

	for (size_t k = 0; k < s->n; k++)
		if (s->confirm_after[k] == EARLY)
			assert_int_equal(ob_analytics_confirm(a, s->id[k]), 0);
	for (int64_t f = 0; f < frames; f++) {
		struct ob_track_row rows[MAXK];
		size_t n = 0;

		for (size_t k = 0; k < s->n; k++) {
			double x, y;

			if (s->where(k, f, &x, &y))
				rows[n++] = row_at(s->id[k], s->cls[k], f, x, y);
		}
		if (ob_analytics_frame(a, f, (double)f / FPS, rows, n))
			fail_msg("%s", ob_errmsg());
		for (size_t k = 0; k < s->n; k++)
			if (s->confirm_after[k] == f)
				assert_int_equal(ob_analytics_confirm(a, s->id[k]), 0);
	}
	assert_null(ob_analytics_result(a));
	if (ob_analytics_finish(a))
		fail_msg("%s", ob_errmsg());
	r = ob_analytics_result(a);
	assert_non_null(r);
	return r;
}

static int64_t line_count(const struct ob_analytics_result *r, size_t line, int dir, enum ob_class cls)
{
	int c = ob_analytics_class_index(r, cls);

	assert_true(c >= 0);
	return r->line_counts[(line * 2 + (size_t)dir) * r->n_classes + (size_t)c];
}

/* Occupancy of area on bin b for cls. */
static double occ_mean(const struct ob_analytics_result *r, size_t b, size_t area, enum ob_class cls)
{
	return r->occ_mean[(b * r->n_areas + area) * r->n_classes + (size_t)ob_analytics_class_index(r, cls)];
}

static uint32_t occ_max(const struct ob_analytics_result *r, size_t b, size_t area, enum ob_class cls)
{
	return r->occ_max[(b * r->n_areas + area) * r->n_classes + (size_t)ob_analytics_class_index(r, cls)];
}

static double heat_mass(const struct ob_analytics_result *r, enum ob_class cls)
{
	size_t cells = (size_t)r->heat_cols * (size_t)r->heat_rows;
	const double *h = r->heat + (size_t)ob_analytics_class_index(r, cls) * cells;
	double sum = 0;

	for (size_t i = 0; i < cells; i++)
		sum += h[i];
	return sum;
}

#define DOOR "[line \"door\"]\npoints = 0.25,0.5 0.75,0.5\n" /* (160,180) -> (480,180) */
#define HALL "[zone \"hall\"]\npolygon = 0.25,0.25 0.75,0.25 0.75,0.75 0.25,0.75\n" /* x 160..480, y 90..270 */

/* --- lines --- */

/* Down through the door's middle (frames 0..16, y 100..260), then back up. */
static bool down_and_up(size_t k, int64_t f, double *x, double *y)
{
	*x = 320;
	*y = f <= 16 ? 100 + 10.0 * (double)f : 260 - 10.0 * (double)(f - 16);
	return f <= 32;
}

static void test_line_once_each_way(void **state)
{
	struct ob_analytics *a = analyzer(DOOR);
	struct scene s = { .n = 1, .id = { 7 }, .cls = { OB_CLASS_PERSON }, .confirm_after = { EARLY },
			   .where = down_and_up };
	const struct ob_analytics_result *r = play(a, &s, 40);

	(void)state;
	assert_int_equal(r->n_crossings, 2);
	/* left of door (above it, as door runs left to right) to right (below): forward */
	assert_int_equal(r->crossings[0].frame, 9); /* y 180 on frame 8 is on the line; 190 below */
	assert_true(r->crossings[0].pts == 9 / FPS);
	assert_int_equal(r->crossings[0].dir, OB_CROSS_FORWARD);
	assert_int_equal(r->crossings[0].track, 7);
	assert_int_equal(r->crossings[0].cls, OB_CLASS_PERSON);
	assert_int_equal(r->crossings[0].line, 0);
	assert_int_equal(r->crossings[1].frame, 25);
	assert_int_equal(r->crossings[1].dir, OB_CROSS_BACKWARD);
	assert_int_equal(line_count(r, 0, OB_CROSS_FORWARD, OB_CLASS_PERSON), 1);
	assert_int_equal(line_count(r, 0, OB_CROSS_BACKWARD, OB_CLASS_PERSON), 1);
	assert_int_equal(line_count(r, 0, OB_CROSS_FORWARD, OB_CLASS_VEHICLE), 0);
	assert_int_equal(r->tracks[ob_analytics_class_index(r, OB_CLASS_PERSON)], 1);
	assert_true(r->lines[0].a.x == 160 && r->lines[0].b.y == 180);
	ob_analytics_free(&a);
	assert_null(a);
	ob_analytics_free(NULL);
}

/* Walker 1 wobbles on the door (within 8 px = 0.2 of its 20x60 box's mean
 * side) and goes back; walker 2 wobbles the same, then goes through. */
static const double wobble[2][13] = {
	{ 120, 140, 160, 176, 184, 177, 185, 178, 183, 176, 160, 140, 120 },
	{ 120, 140, 160, 176, 184, 177, 185, 178, 183, 192, 210, 230, 250 },
};

static bool wobbling(size_t k, int64_t f, double *x, double *y)
{
	*x = 300 + 40.0 * (double)k;
	*y = f < 13 ? wobble[k][f] : NOWHERE;
	return f < 13;
}

static void test_line_jitter_counts_once(void **state)
{
	struct ob_analytics *a = analyzer(DOOR);
	struct scene s = { .n = 2, .id = { 1, 2 }, .cls = { OB_CLASS_PERSON, OB_CLASS_PERSON },
			   .confirm_after = { EARLY, EARLY }, .where = wobbling };
	const struct ob_analytics_result *r = play(a, &s, 16);

	(void)state;
	/* walker 1: six sign changes inside the band, none counts */
	assert_int_equal(r->n_crossings, 1);
	assert_int_equal(r->crossings[0].track, 2);
	/* where its path last changed sides: 178 -> 183, frame 8 */
	assert_int_equal(r->crossings[0].frame, 8);
	assert_int_equal(r->crossings[0].dir, OB_CROSS_FORWARD);
	assert_int_equal(line_count(r, 0, OB_CROSS_FORWARD, OB_CLASS_PERSON), 1);
	assert_int_equal(line_count(r, 0, OB_CROSS_BACKWARD, OB_CLASS_PERSON), 0);
	ob_analytics_free(&a);
}

/* Walker 1 crosses the line's extension at x 560; walker 2 crosses it at
 * x 600, walks left below the line, and goes up through the door. */
static bool beside(size_t k, int64_t f, double *x, double *y)
{
	if (k == 0) {
		*x = 560;
		*y = 100 + 10.0 * (double)f;
		return f <= 16;
	}
	if (f <= 16) {
		*x = 600;
		*y = 100 + 10.0 * (double)f;
	} else if (f <= 44) {
		*x = 600 - 10.0 * (double)(f - 16);
		*y = 260;
	} else {
		*x = 320;
		*y = 260 - 10.0 * (double)(f - 44);
	}
	return f <= 60;
}

static void test_line_beside_segment(void **state)
{
	struct ob_analytics *a = analyzer(DOOR);
	struct scene s = { .n = 2, .id = { 1, 2 }, .cls = { OB_CLASS_PERSON, OB_CLASS_PERSON },
			   .confirm_after = { EARLY, EARLY }, .where = beside };
	const struct ob_analytics_result *r = play(a, &s, 64);

	(void)state;
	assert_int_equal(r->n_crossings, 1);
	assert_int_equal(r->crossings[0].track, 2);
	assert_int_equal(r->crossings[0].frame, 53);
	assert_int_equal(r->crossings[0].dir, OB_CROSS_BACKWARD);
	assert_int_equal(line_count(r, 0, OB_CROSS_FORWARD, OB_CLASS_PERSON), 0);
	ob_analytics_free(&a);
}

/* --- zones --- */

/* Along y 200 from x 105, 10 px a frame: in the hall (x 160..480) on frames 6..37. */
static bool through_hall(size_t k, int64_t f, double *x, double *y)
{
	*x = 105 + 10.0 * (double)f;
	*y = 200;
	return f <= 45;
}

static void test_zone_dwell_exact(void **state)
{
	struct ob_analytics *a = analyzer(HALL);
	struct scene s = { .n = 1, .id = { 3 }, .cls = { OB_CLASS_PERSON }, .confirm_after = { EARLY },
			   .where = through_hall };
	const struct ob_analytics_result *r = play(a, &s, 48);
	const struct ob_analytics_visit *v = &r->visits[0];
	const struct ob_analytics_dwell *d = &r->dwell[ob_analytics_class_index(r, OB_CLASS_PERSON)];
	double inside = 0;

	(void)state;
	assert_int_equal(r->n_visits, 1);
	assert_int_equal(v->entry_frame, 6);
	assert_true(v->entry_pts == 0.75);
	assert_int_equal(v->exit_frame, 38);
	assert_true(v->exit_pts == 4.75);
	assert_true(v->dwell == 4.0);
	assert_int_equal(v->at_end, 0);
	assert_int_equal(v->track, 3);
	assert_int_equal(v->zone, 0);
	assert_int_equal(d->count, 1);
	assert_int_equal(d->tracks, 1);
	assert_true(d->mean == 4.0 && d->median == 4.0 && d->p90 == 4.0 && d->max == 4.0);
	assert_int_equal(r->n_intrusions, 0); /* an analytics zone */
	/* occupancy: 32 frames inside, as the dwell says */
	assert_int_equal(r->n_areas, 2);
	for (size_t b = 0; b < r->n_bins; b++)
		inside += occ_mean(r, b, 1, OB_CLASS_PERSON) * r->bin_frames[b];
	assert_true(fabs(inside - 32) < 1e-4);
	assert_true(occ_mean(r, 0, 1, OB_CLASS_PERSON) == 0.25); /* frames 6 and 7 of 0..7 */
	assert_int_equal(occ_max(r, 0, 1, OB_CLASS_PERSON), 1);
	ob_analytics_free(&a);
}

/* Feet on y 200; x 100 is outside the hall, x 200 inside, x 150 just outside. */
static bool flicker(size_t k, int64_t f, double *x, double *y)
{
	*y = 200;
	if (f < 10)
		*x = 100;
	else if (f < 12)
		*x = 200;  /* a touch of 2 frames: shorter than the hold, no visit */
	else if (f < 20)
		*x = 100;
	else if (f < 40)
		*x = 200;  /* enters on frame 20 */
	else if (f < 42)
		*x = 150;  /* out 2 frames */
	else if (f < 45)
		*x = 200;
	else if (f < 46)
		*x = 150;  /* out 1 frame */
	else if (f < 56)
		*x = 200;
	else
		*x = 100;  /* leaves on frame 56 */
	return true;
}

static void test_zone_flicker_one_visit(void **state)
{
	struct scene s = { .n = 1, .id = { 1 }, .cls = { OB_CLASS_PERSON }, .confirm_after = { EARLY },
			   .where = flicker };
	struct ob_analytics_config c;
	struct ob_analytics *a = analyzer(HALL);
	const struct ob_analytics_result *r = play(a, &s, 66);
	static const int64_t entry[4] = { 10, 20, 42, 46 }, exit_[4] = { 12, 40, 45, 56 };

	(void)state;
	assert_int_equal(r->n_visits, 1);
	assert_int_equal(r->visits[0].entry_frame, 20);
	assert_int_equal(r->visits[0].exit_frame, 56);
	assert_true(r->visits[0].dwell == 4.5);
	ob_analytics_free(&a);

	/* without the hold, the same walk is four visits */
	ob_analytics_config_init(&c, W, H, FPS);
	c.zone_hold = 0;
	a = analyzer_with(HALL, &c);
	r = play(a, &s, 66);
	assert_int_equal(r->n_visits, 4);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(r->visits[i].entry_frame, entry[i]);
		assert_int_equal(r->visits[i].exit_frame, exit_[i]);
		assert_true(r->visits[i].dwell == (double)(exit_[i] - entry[i]) / FPS);
	}
	ob_analytics_free(&a);
}

/* A person and a vehicle walk right along y 200, 20 px a frame, from x 105. */
static bool rightwards(size_t k, int64_t f, double *x, double *y)
{
	*x = 105 + 20.0 * (double)f;
	*y = 200;
	return f <= 25;
}

static void test_restricted_intrusion(void **state)
{
	struct ob_analytics *a = analyzer("[zone \"staff\"]\nkind = restricted\nclasses = person\n"
					  "polygon = 0.5,0 1,0 1,1 0.5,1\n"
					  "[zone \"lobby\"]\npolygon = 0,0 0.5,0 0.5,1 0,1\n");
	struct scene s = { .n = 2, .id = { 4, 5 }, .cls = { OB_CLASS_PERSON, OB_CLASS_VEHICLE },
			   .confirm_after = { EARLY, EARLY }, .where = rightwards };
	const struct ob_analytics_result *r = play(a, &s, 26);
	const struct ob_analytics_intrusion *e = &r->intrusions[0];

	(void)state;
	assert_int_equal(r->n_zones, 2);
	assert_int_equal(r->zones[0].kind, OB_AREA_RESTRICTED);
	/* the person only: the vehicle is not a class of "staff" */
	assert_int_equal(r->n_intrusions, 1);
	assert_int_equal(e->frame, 11); /* x 325, first past 320 */
	assert_true(e->pts == 1.375);
	assert_int_equal(e->track, 4);
	assert_int_equal(e->cls, OB_CLASS_PERSON);
	assert_int_equal(e->zone, 0);
	/* lobby: both, frames 0..10; staff: the person from 11 to the end */
	assert_int_equal(r->n_visits, 3);
	assert_int_equal(r->visits[0].zone, 1);
	assert_int_equal(r->visits[0].track, 4);
	assert_int_equal(r->visits[1].zone, 1);
	assert_int_equal(r->visits[1].track, 5);
	assert_true(r->visits[1].dwell == 1.375);
	assert_int_equal(r->visits[2].zone, 0);
	assert_int_equal(r->visits[2].entry_frame, 11);
	assert_int_equal(r->visits[2].exit_frame, 26);
	assert_true(r->visits[2].exit_pts == r->duration);
	assert_int_equal(r->visits[2].at_end, 1);
	assert_true(r->visits[2].dwell == 1.875);
	ob_analytics_free(&a);
}

/* --- occupancy --- */

/* A (in the left half) and B (right) on frames 0..15, C (left) on 12..15, then nobody. */
static bool three(size_t k, int64_t f, double *x, double *y)
{
	static const double xs[3] = { 100, 500, 200 };

	*x = xs[k];
	*y = 200;
	return f <= 15 && (k < 2 || f >= 12);
}

static void test_occupancy_bins(void **state)
{
	struct ob_analytics *a = analyzer("[zone \"left\"]\npolygon = 0,0 0.5,0 0.5,1 0,1\n");
	struct scene s = { .n = 3, .id = { 1, 2, 3 },
			   .cls = { OB_CLASS_PERSON, OB_CLASS_PERSON, OB_CLASS_PERSON },
			   .confirm_after = { EARLY, EARLY, EARLY }, .where = three };
	const struct ob_analytics_result *r = play(a, &s, 24);
	int p = ob_analytics_class_index(r, OB_CLASS_PERSON);

	(void)state;
	assert_true(r->bin == 1.0);
	assert_int_equal(r->n_bins, 3);
	for (size_t b = 0; b < 3; b++)
		assert_int_equal(r->bin_frames[b], 8);
	/* whole frame: 2 people, then 2 for 4 frames and 3 for 4, then none */
	assert_true(occ_mean(r, 0, 0, OB_CLASS_PERSON) == 2.0);
	assert_int_equal(occ_max(r, 0, 0, OB_CLASS_PERSON), 2);
	assert_true(occ_mean(r, 1, 0, OB_CLASS_PERSON) == 2.5);
	assert_int_equal(occ_max(r, 1, 0, OB_CLASS_PERSON), 3);
	assert_true(occ_mean(r, 2, 0, OB_CLASS_PERSON) == 0);
	assert_int_equal(occ_max(r, 2, 0, OB_CLASS_PERSON), 0);
	/* the left zone: A, then A and C */
	assert_true(occ_mean(r, 0, 1, OB_CLASS_PERSON) == 1.0);
	assert_true(occ_mean(r, 1, 1, OB_CLASS_PERSON) == 1.5);
	assert_int_equal(occ_max(r, 1, 1, OB_CLASS_PERSON), 2);
	assert_true(occ_mean(r, 1, 0, OB_CLASS_VEHICLE) == 0);
	/* over the footage: 36 person-frames in 24 frames */
	assert_true(r->area_mean[p] == 1.5);
	assert_int_equal(r->area_max[p], 3);
	assert_int_equal(r->tracks[p], 3);
	assert_true(r->track_seconds[p] == 36 / FPS);
	assert_true(r->duration == 3.0);
	ob_analytics_free(&a);
}

/* --- confirmation --- */

/* A (1), B (2), C (3) walk down through the door and into the restricted
 * lower half at x 320, 300 and 340, frames 0..16: y 175 on frame 7, 185 on 8. */
static bool down3(size_t k, int64_t f, double *x, double *y)
{
	*x = 320 + (k == 1 ? -20 : k == 2 ? 20 : 0);
	*y = 105 + 10.0 * (double)f;
	return f <= 16;
}

static void test_unconfirmed_not_counted(void **state)
{
	struct ob_analytics *a = analyzer(DOOR "[zone \"yard\"]\nkind = restricted\n"
					       "polygon = 0.25,0.5 0.75,0.5 0.75,1 0.25,1\n");
	/* A confirmed before its first row; B after frame 12 (it crossed on
	 * frame 8 and entered the yard on 8); C never */
	struct scene s = { .n = 3, .id = { 1, 2, 3 },
			   .cls = { OB_CLASS_PERSON, OB_CLASS_PERSON, OB_CLASS_PERSON },
			   .confirm_after = { EARLY, 12, NEVER }, .where = down3 };
	const struct ob_analytics_result *r = play(a, &s, 17);
	int p = ob_analytics_class_index(r, OB_CLASS_PERSON);

	(void)state;
	assert_int_equal(r->tracks[p], 2);
	assert_int_equal(r->unconfirmed[p], 1);
	assert_int_equal(r->n_crossings, 2);
	assert_int_equal(r->crossings[0].track, 1);
	assert_int_equal(r->crossings[1].track, 2);
	assert_int_equal(r->crossings[1].frame, 8);
	assert_int_equal(line_count(r, 0, OB_CROSS_FORWARD, OB_CLASS_PERSON), 2);
	assert_int_equal(r->n_intrusions, 2);
	assert_int_equal(r->intrusions[1].track, 2);
	assert_int_equal(r->intrusions[1].frame, 8);
	assert_int_equal(r->n_visits, 2);
	/* B's rows before its confirmation count too; C's never */
	assert_true(occ_mean(r, 0, 0, OB_CLASS_PERSON) == 2.0);
	assert_true(occ_mean(r, 1, 0, OB_CLASS_PERSON) == 2.0);
	assert_true(occ_mean(r, 2, 0, OB_CLASS_PERSON) == 2.0);
	assert_int_equal(occ_max(r, 1, 0, OB_CLASS_PERSON), 2);
	assert_true(r->track_seconds[p] == 2 * 17 / FPS);
	assert_true(heat_mass(r, OB_CLASS_PERSON) == r->track_seconds[p]);
	ob_analytics_free(&a);
}

/* One person stands still from frame 0 and crosses nothing... until it is
 * confirmed far later than the frames analytics keep waiting. */
static bool stand(size_t k, int64_t f, double *x, double *y)
{
	*x = 330;
	*y = 200;
	return true;
}

static void test_late_confirmation(void **state)
{
	int64_t frames = OB_ANALYTICS_MAX_OPEN_FRAMES + 904;
	struct ob_analytics *a = analyzer(HALL);
	struct scene s = { .n = 1, .id = { 9 }, .cls = { OB_CLASS_PERSON }, .confirm_after = { frames - 1 },
			   .where = stand };
	const struct ob_analytics_result *r = play(a, &s, frames);
	int p = ob_analytics_class_index(r, OB_CLASS_PERSON);
	double whole = 0;

	(void)state;
	/* counted, with its whole visit; occupancy and heat miss all but the
	 * last OB_ANALYTICS_MAX_OPEN_FRAMES frames */
	assert_int_equal(r->tracks[p], 1);
	assert_int_equal(r->n_visits, 1);
	assert_int_equal(r->visits[0].entry_frame, 0);
	assert_true(r->visits[0].dwell == (double)frames / FPS);
	for (size_t b = 0; b < r->n_bins; b++)
		whole += occ_mean(r, b, 0, OB_CLASS_PERSON) * r->bin_frames[b];
	assert_true(fabs(whole - OB_ANALYTICS_MAX_OPEN_FRAMES) < 1e-3);
	assert_true(r->track_seconds[p] == OB_ANALYTICS_MAX_OPEN_FRAMES / FPS);
	ob_analytics_free(&a);
}

/* --- heat --- */

static uint32_t lcg = 12345;

static double rnd(double lo, double hi)
{
	lcg = lcg * 1103515245u + 12345u;
	return lo + (hi - lo) * (double)((lcg >> 8) & 0xffff) / 65535.0;
}

static double wx[MAXK][2], wy[MAXK][2]; /* start and velocity */
static int64_t wfirst[MAXK], wlast[MAXK];

static bool random_walk(size_t k, int64_t f, double *x, double *y)
{
	*x = wx[k][0] + wx[k][1] * (double)(f - wfirst[k]);
	*y = wy[k][0] + wy[k][1] * (double)(f - wfirst[k]);
	return f >= wfirst[k] && f <= wlast[k];
}

static void test_heat_mass(void **state)
{
	struct ob_analytics *a = analyzer(DOOR HALL);
	struct scene s = { .n = 20, .where = random_walk };
	const struct ob_analytics_result *r;
	int64_t rows[2] = { 0, 0 };

	(void)state;
	for (size_t k = 0; k < s.n; k++) {
		s.id[k] = k + 1;
		s.cls[k] = k % 3 ? OB_CLASS_PERSON : OB_CLASS_VEHICLE;
		s.confirm_after[k] = EARLY;
		wfirst[k] = (int64_t)rnd(0, 100);
		wlast[k] = wfirst[k] + (int64_t)rnd(0, 150);
		/* some start or end outside the frame: their heat lands on the border */
		wx[k][0] = rnd(-100, 740);
		wy[k][0] = rnd(-50, 420);
		wx[k][1] = rnd(-6, 6);
		wy[k][1] = rnd(-4, 4);
		rows[s.cls[k] == OB_CLASS_VEHICLE] += wlast[k] - wfirst[k] + 1;
	}
	r = play(a, &s, 260);
	assert_int_equal(r->heat_cols, 64);
	assert_int_equal(r->heat_rows, 36);
	assert_true(fabs(heat_mass(r, OB_CLASS_PERSON) - (double)rows[0] / FPS) < 1e-9);
	assert_true(fabs(heat_mass(r, OB_CLASS_VEHICLE) - (double)rows[1] / FPS) < 1e-9);
	assert_true(fabs(r->track_seconds[ob_analytics_class_index(r, OB_CLASS_PERSON)] - (double)rows[0] / FPS) < 1e-9);
	ob_analytics_free(&a);

	/* one person standing at (330, 200) for 2 s: all in cell (33, 20) */
	a = analyzer("");
	s = (struct scene){ .n = 1, .id = { 1 }, .cls = { OB_CLASS_PERSON }, .confirm_after = { EARLY },
			    .where = stand };
	r = play(a, &s, 16);
	assert_true(r->heat[20 * 64 + 33] == 2.0);
	assert_true(heat_mass(r, OB_CLASS_PERSON) == 2.0);
	assert_true(heat_mass(r, OB_CLASS_VEHICLE) == 0);
	ob_analytics_free(&a);
}

/* --- class filters --- */

static bool down2(size_t k, int64_t f, double *x, double *y)
{
	*x = 250 + 100.0 * (double)k;
	*y = 100 + 10.0 * (double)f;
	return f <= 16;
}

static void test_class_filters(void **state)
{
	struct ob_analytics *a = analyzer("[line \"road\"]\npoints = 0.25,0.5 0.75,0.5\nclasses = vehicle\n"
					  "[zone \"path\"]\nclasses = person\n"
					  "polygon = 0.25,0.5 0.75,0.5 0.75,1 0.25,1\n");
	struct scene s = { .n = 2, .id = { 1, 2 }, .cls = { OB_CLASS_PERSON, OB_CLASS_VEHICLE },
			   .confirm_after = { EARLY, EARLY }, .where = down2 };
	const struct ob_analytics_result *r = play(a, &s, 20);

	(void)state;
	assert_int_equal(r->n_crossings, 1);
	assert_int_equal(r->crossings[0].track, 2);
	assert_int_equal(r->crossings[0].cls, OB_CLASS_VEHICLE);
	assert_int_equal(line_count(r, 0, OB_CROSS_FORWARD, OB_CLASS_VEHICLE), 1);
	assert_int_equal(line_count(r, 0, OB_CROSS_FORWARD, OB_CLASS_PERSON), 0);
	assert_int_equal(r->n_visits, 1);
	assert_int_equal(r->visits[0].track, 1);
	assert_int_equal(r->dwell[ob_analytics_class_index(r, OB_CLASS_VEHICLE)].count, 0);
	/* whole frame: each class; the zone: people only */
	assert_int_equal(occ_max(r, 1, 0, OB_CLASS_VEHICLE), 1);
	assert_int_equal(occ_max(r, 1, 1, OB_CLASS_PERSON), 1);
	assert_int_equal(occ_max(r, 1, 1, OB_CLASS_VEHICLE), 0);
	ob_analytics_free(&a);
}

/* --- ends, memory, statistics --- */

/* 200 people, each on 16 frames, one starting every 8 frames; number 0 also
 * stands in the hall on frames 0..9 and vanishes there. */
static bool procession(size_t k, int64_t f, double *x, double *y)
{
	*x = 200;
	*y = 200;
	return f >= 8 * (int64_t)k && f < 8 * (int64_t)k + (k ? 16 : 10);
}

static void test_tracks_end_memory_bounded(void **state)
{
	struct ob_analytics *a = analyzer(HALL);
	size_t most = 0;

	(void)state;
	assert_int_equal(ob_analytics_confirm(a, 1), 0);
	for (int64_t f = 0; f < 8 * 200 + 16; f++) {
		struct ob_track_row rows[4];
		size_t n = 0;

		for (size_t k = (size_t)(f / 8 > 2 ? f / 8 - 2 : 0); k < 200 && k <= (size_t)(f / 8); k++) {
			double x, y;

			if (procession(k, f, &x, &y))
				rows[n++] = row_at(k + 1, OB_CLASS_PERSON, f, x, y);
		}
		assert_int_equal(ob_analytics_frame(a, f, (double)f / FPS, rows, n), 0);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(ob_analytics_confirm(a, rows[i].track), 0);
		if (ob_analytics_held(a) > most)
			most = ob_analytics_held(a);
	}
	/* a track is let go 15 s (120 frames) after its last row */
	assert_true(most <= 120 / 8 + 3);
	assert_int_equal(ob_analytics_finish(a), 0);
	assert_int_equal(ob_analytics_held(a), 0);
	{
		const struct ob_analytics_result *r = ob_analytics_result(a);

		assert_int_equal(r->tracks[ob_analytics_class_index(r, OB_CLASS_PERSON)], 200);
		assert_int_equal(r->n_visits, 200);
		/* number 0 vanished inside: its visit ends on its first unseen frame */
		assert_int_equal(r->visits[0].track, 1);
		assert_int_equal(r->visits[0].exit_frame, 10);
		assert_true(r->visits[0].dwell == 1.25);
		assert_int_equal(r->visits[0].at_end, 0);
	}
	ob_analytics_free(&a);
}

/* Visits of 1 s and 2 s (track 1), 3 s (track 2), 10 s (track 3). */
static bool visitors(size_t k, int64_t f, double *x, double *y)
{
	bool in;

	*y = 200;
	if (k == 0)
		in = f < 8 || (f >= 16 && f < 32);
	else if (k == 1)
		in = f < 24;
	else
		in = f < 80;
	*x = in ? 300 : 100;
	return f < 90;
}

static void test_dwell_distribution(void **state)
{
	struct ob_analytics *a = analyzer(HALL);
	struct scene s = { .n = 3, .id = { 1, 2, 3 },
			   .cls = { OB_CLASS_PERSON, OB_CLASS_PERSON, OB_CLASS_PERSON },
			   .confirm_after = { EARLY, EARLY, EARLY }, .where = visitors };
	const struct ob_analytics_result *r = play(a, &s, 90);
	const struct ob_analytics_dwell *d = &r->dwell[ob_analytics_class_index(r, OB_CLASS_PERSON)];

	(void)state;
	assert_int_equal(d->count, 4);
	assert_int_equal(d->tracks, 3);
	assert_true(d->mean == 4.0);
	assert_true(d->median == 2.5);
	assert_true(d->p90 == 10.0); /* ceil(0.9 * 4) = 4th of 1, 2, 3, 10 */
	assert_true(d->max == 10.0);
	ob_analytics_free(&a);
}

/* --- JSON --- */

static void test_json(void **state)
{
	struct ob_analytics *a = analyzer(DOOR "[zone \"yard\"]\nkind = restricted\n"
					       "polygon = 0.25,0.55 0.75,0.55 0.75,1 0.25,1\n");
	struct scene s = { .n = 1, .id = { 7 }, .cls = { OB_CLASS_PERSON }, .confirm_after = { EARLY },
			   .where = down_and_up };
	const struct ob_analytics_result *r = play(a, &s, 40);
	json_t *j = ob_analytics_json(r), *line, *zone, *e;
	char *text;

	(void)state;
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "tracks"), "person")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "tracks"), "vehicle")), 0);
	line = json_array_get(json_object_get(j, "lines"), 0);
	assert_string_equal(json_string_value(json_object_get(line, "name")), "door");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(line, "forward"), "total")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(line, "backward"), "person")), 1);
	zone = json_array_get(json_object_get(j, "zones"), 0);
	assert_string_equal(json_string_value(json_object_get(zone, "kind")), "restricted");
	assert_int_equal(json_integer_value(json_object_get(zone, "intrusions")), 1);
	/* in the yard (y > 198) on frames 10..22: 13 frames */
	assert_true(json_real_value(json_object_get(json_object_get(json_object_get(zone, "visits"), "person"),
						    "dwell_max")) == 13 / FPS);
	e = json_array_get(json_object_get(j, "intrusions"), 0);
	assert_string_equal(json_string_value(json_object_get(e, "zone")), "yard");
	assert_int_equal(json_integer_value(json_object_get(e, "track")), 7);
	assert_int_equal(json_integer_value(json_object_get(e, "frame")), 10);
	assert_true(json_real_value(json_object_get(e, "time")) == 10 / FPS);
	assert_int_equal(json_integer_value(json_object_get(j, "intrusions_total")), 1);
	text = json_dumps(j, JSON_COMPACT);
	assert_non_null(text);
	free(text);
	json_decref(j);
	ob_analytics_free(&a);
}

/* --- misuse --- */

static void test_errors(void **state)
{
	struct ob_analytics *a = analyzer(DOOR);
	struct ob_analytics_config c;
	struct ob_recipe *r;
	struct ob_track_row rows[2] = { row_at(1, OB_CLASS_PERSON, 0, 100, 100),
					row_at(1, OB_CLASS_PERSON, 0, 200, 100) };

	(void)state;
	assert_int_equal(ob_analytics_frame(a, 0, 0, rows, 2), OB_ERR_INTERNAL);
	assert_non_null(strstr(ob_errmsg(), "two rows of track 1"));
	assert_int_equal(ob_analytics_frame(a, 1, 0.125, NULL, 0), OB_ERR_INTERNAL); /* refused after an error */
	ob_analytics_free(&a);

	a = analyzer(DOOR);
	assert_int_equal(ob_analytics_frame(a, 5, 0.625, NULL, 0), 0);
	assert_int_equal(ob_analytics_frame(a, 5, 0.625, NULL, 0), OB_ERR_INTERNAL);
	ob_analytics_free(&a);

	a = analyzer(DOOR);
	assert_int_equal(ob_analytics_frame(a, 3, 0.375, rows, 1), OB_ERR_INTERNAL); /* row of frame 0 */
	ob_analytics_free(&a);

	a = analyzer(DOOR);
	assert_int_equal(ob_analytics_finish(a), 0);
	assert_int_equal(ob_analytics_result(a)->frames, 0);
	assert_int_equal(ob_analytics_finish(a), OB_ERR_INTERNAL);
	ob_analytics_free(&a);

	assert_int_equal(ob_recipe_default(&r), 0);
	ob_analytics_config_init(&c, W, H, 0);
	assert_int_equal(ob_analytics_new(r, &c, &a), OB_ERR_INTERNAL);
	ob_analytics_config_init(&c, W, H, FPS);
	c.track_gap = c.zone_hold;
	assert_int_equal(ob_analytics_new(r, &c, &a), OB_ERR_INTERNAL);
	assert_null(a);
	ob_recipe_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_once_each_way),
		cmocka_unit_test(test_line_jitter_counts_once),
		cmocka_unit_test(test_line_beside_segment),
		cmocka_unit_test(test_zone_dwell_exact),
		cmocka_unit_test(test_zone_flicker_one_visit),
		cmocka_unit_test(test_restricted_intrusion),
		cmocka_unit_test(test_occupancy_bins),
		cmocka_unit_test(test_unconfirmed_not_counted),
		cmocka_unit_test(test_late_confirmation),
		cmocka_unit_test(test_heat_mass),
		cmocka_unit_test(test_class_filters),
		cmocka_unit_test(test_tracks_end_memory_bounded),
		cmocka_unit_test(test_dwell_distribution),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests_name("analytics", tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* test_reid.c - identities of several files linked by their clothes: the
 * same clothes link, other clothes do not, the assignment is exact; and the
 * descriptors a job pools per identity. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "obscura/class.h"
#include "obscura/error.h"
#include "obscura/identity.h"
#include "obscura/reid.h"

/* Clothes of two colours, torso bin `top` and legs bin `legs`, with a share
 * `noise` of each part in the next bin (another view of the same clothes). */
static struct ob_track_descriptor clothes(uint64_t identity, int top, int legs, double noise)
{
	struct ob_track_descriptor d = { .identity = identity, .count = 20 };

	d.h[top] = (float)(1 - noise);
	d.h[(top + 1) % OB_APPEARANCE_BINS] += (float)noise;
	d.h[OB_APPEARANCE_BINS + legs] = (float)(1 - noise);
	d.h[OB_APPEARANCE_BINS + (legs + 1) % OB_APPEARANCE_BINS] += (float)noise;
	return d;
}

/* Both parts a mixture of bins 0 and 1, a share a in bin 1: on a line. */
static struct ob_track_descriptor mixture(uint64_t identity, double a)
{
	struct ob_track_descriptor d = { .identity = identity, .count = 20 };

	d.h[0] = d.h[OB_APPEARANCE_BINS] = (float)(1 - a);
	d.h[1] = d.h[OB_APPEARANCE_BINS + 1] = (float)a;
	return d;
}

enum { RED = 12, JEANS = 18, BLACK = 0, WHITE = 7, GREEN = 15 };

static void test_distance(void **state)
{
	struct ob_track_descriptor a = clothes(1, RED, JEANS, 0), b = clothes(2, RED, JEANS, 0.04);
	struct ob_track_descriptor c = clothes(3, GREEN, BLACK, 0);

	(void)state;
	assert_true(ob_reid_distance(&a, &a) < 1e-6);
	assert_true(fabs(ob_reid_distance(&a, &b) - ob_reid_distance(&b, &a)) < 1e-12);
	assert_true(ob_reid_distance(&a, &b) < 0.2);
	assert_true(fabs(ob_reid_distance(&a, &c) - 1) < 1e-6); /* no bin in common */
}

/* The same clothes in two files link, pair by pair; another person's do not. */
static void test_same_clothes_link(void **state)
{
	struct ob_track_descriptor a[] = { clothes(1, RED, JEANS, 0), clothes(4, BLACK, BLACK, 0.02),
					   clothes(6, WHITE, JEANS, 0) };
	struct ob_track_descriptor b[] = { clothes(2, BLACK, BLACK, 0.04), clothes(3, GREEN, BLACK, 0),
					   clothes(9, RED, JEANS, 0.04) };
	struct ob_reid_set sets[] = { { a, 3 }, { b, 3 } };
	struct ob_reid_link *l = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(ob_reid_link(sets, 2, OB_REID_THRESHOLD, &l, &n), 0);
	assert_int_equal(n, 2);
	/* both pairs, by distance */
	for (size_t k = 0; k < n; k++) {
		assert_int_equal(l[k].a_set, 0);
		assert_int_equal(l[k].b_set, 1);
		assert_true(l[k].distance <= OB_REID_THRESHOLD);
		assert_true(fabs(l[k].distance - ob_reid_distance(&a[l[k].a], &b[l[k].b])) < 1e-12);
		if (k)
			assert_true(l[k - 1].distance <= l[k].distance);
	}
	assert_true((a[l[0].a].identity == 1 && b[l[0].b].identity == 9) ||
		    (a[l[0].a].identity == 4 && b[l[0].b].identity == 2));
	assert_true((a[l[1].a].identity == 1 && b[l[1].b].identity == 9) ||
		    (a[l[1].a].identity == 4 && b[l[1].b].identity == 2));
	assert_true(l[0].a != l[1].a && l[0].b != l[1].b);
	free(l);
}

/* A differently dressed person is not linked, even when nobody else is there. */
static void test_other_clothes_alone(void **state)
{
	struct ob_track_descriptor a[] = { clothes(1, RED, JEANS, 0) };
	struct ob_track_descriptor b[] = { clothes(2, RED, BLACK, 0), clothes(3, WHITE, JEANS, 0.2) };
	struct ob_reid_set sets[] = { { a, 1 }, { b, 2 } };
	struct ob_reid_link *l = NULL;
	size_t n = 1;

	(void)state;
	assert_true(ob_reid_distance(&a[0], &b[0]) > OB_REID_THRESHOLD); /* same jacket, other trousers */
	assert_int_equal(ob_reid_link(sets, 2, OB_REID_THRESHOLD, &l, &n), 0);
	assert_int_equal(n, 0);
	assert_null(l);
	/* a looser threshold links the nearer one only, once */
	assert_int_equal(ob_reid_link(sets, 2, 1, &l, &n), 0);
	assert_int_equal(n, 1);
	free(l);
}

/*
 * x is nearest u, but taking that pair leaves y and v, too far apart, both
 * unlinked; x~v and y~u together cost less (0.08 + 0.12 < 0.05 + 2 x 0.1):
 * the exact assignment finds both, a greedy one would not.
 */
static void test_exact_assignment(void **state)
{
	struct ob_track_descriptor a[] = { mixture(10, 0.2), mixture(11, 0.05) }; /* x, y */
	struct ob_track_descriptor b[] = { mixture(20, 0.15), mixture(21, 0.3) }; /* u, v */
	struct ob_reid_set sets[] = { { a, 2 }, { b, 2 } };
	struct ob_reid_link *l = NULL;
	size_t n = 0;

	(void)state;
	assert_true(ob_reid_distance(&a[0], &b[0]) < ob_reid_distance(&a[0], &b[1]));
	assert_true(ob_reid_distance(&a[1], &b[1]) > 0.2);
	assert_int_equal(ob_reid_link(sets, 2, 0.2, &l, &n), 0);
	assert_int_equal(n, 2);
	for (size_t k = 0; k < n; k++) /* x~v, y~u */
		assert_int_equal(b[l[k].b].identity, a[l[k].a].identity == 10 ? 21 : 20);
	free(l);
}

/* Three files: every pair is compared, nothing within one file; too few
 * pooled detections link nothing. */
static void test_files_and_counts(void **state)
{
	struct ob_track_descriptor a[] = { clothes(1, RED, JEANS, 0), clothes(2, RED, JEANS, 0.02) };
	struct ob_track_descriptor b[] = { clothes(5, WHITE, BLACK, 0) };
	struct ob_track_descriptor c[] = { clothes(7, RED, JEANS, 0.04), clothes(8, WHITE, BLACK, 0.04) };
	struct ob_reid_set sets[] = { { a, 2 }, { b, 1 }, { c, 2 } };
	struct ob_reid_link *l = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(ob_reid_link(sets, 3, OB_REID_THRESHOLD, &l, &n), 0);
	assert_int_equal(n, 2); /* a~c (one of a's two reds) and b~c */
	assert_int_equal(l[0].a_set, 0);
	assert_int_equal(l[0].b_set, 2);
	assert_int_equal(c[l[0].b].identity, 7);
	assert_int_equal(l[1].a_set, 1);
	assert_int_equal(l[1].b_set, 2);
	assert_int_equal(c[l[1].b].identity, 8);
	free(l);
	c[1].count = OB_REID_MIN_COUNT - 1;
	assert_int_equal(ob_reid_link(sets, 3, OB_REID_THRESHOLD, &l, &n), 0);
	assert_int_equal(n, 1);
	free(l);
}

static void test_errors(void **state)
{
	struct ob_reid_set sets[OB_REID_MAX_FILES + 1] = { { 0 } };
	struct ob_reid_link *l = (struct ob_reid_link *)1;
	size_t n = 1;

	(void)state;
	assert_int_equal(ob_reid_link(sets, 2, 0, &l, &n), OB_ERR_INTERNAL);
	assert_null(l);
	assert_int_equal(n, 0);
	assert_int_equal(ob_reid_link(sets, 2, 1.5, &l, &n), OB_ERR_INTERNAL);
	assert_int_equal(ob_reid_link(sets, 2, NAN, &l, &n), OB_ERR_INTERNAL);
	assert_int_equal(ob_reid_link(sets, OB_REID_MAX_FILES + 1, 0.2, &l, &n), OB_ERR_LIMIT);
	assert_int_equal(ob_reid_link(sets, 2, 0.2, &l, &n), 0); /* empty files: nothing */
	assert_int_equal(n, 0);
}

/* A confirmed person fragment standing at x, its mean descriptor a share
 * `mix` of bin b + 1 and the rest bin b (both parts), pooled from n
 * detections (none: 0). */
static struct ob_track_fragment fragment(uint64_t id, int64_t first, int64_t last, double x, int b, double mix,
					 int64_t n)
{
	struct ob_track_fragment f = {
		.id = id, .cls = OB_CLASS_PERSON, .confirmed = true, .first = first, .last = last,
		.first_box = { x, 200, 30, 80 }, .last_box = { x, 200, 30, 80 }, .app = { .valid = n > 0 },
		.app_n = n,
	};

	for (int p = 0; n && p < OB_APPEARANCE_PARTS; p++) {
		f.app.h[p * OB_APPEARANCE_BINS + b] = (float)(1 - mix);
		f.app.h[p * OB_APPEARANCE_BINS + b + 1] = (float)mix;
	}
	return f;
}

/* A job's descriptors: one per identity, its fragments' means weighted by
 * their counts; an identity without any described detection has none. */
static void test_identity_descriptors(void **state)
{
	struct ob_identity *id = NULL;
	struct ob_track_fragment f[] = {
		fragment(1, 0, 40, 100, 3, 0, 30),    /* one person, broken at 40 ... */
		fragment(4, 45, 90, 100, 3, 0.2, 10), /* ... goes on, seen a little otherwise */
		fragment(2, 0, 90, 500, 9, 0, 8),     /* someone else */
		fragment(3, 0, 90, 300, 0, 0, 0),     /* never described */
	};
	struct ob_track_descriptor *d = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(ob_identity_new(640, 480, 10, &id), 0);
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		assert_int_equal(ob_identity_add(id, &f[i]), 0);
	assert_int_equal(ob_identity_solve(id), 0);
	assert_int_equal(ob_identity_of(id, 4), 1);
	assert_int_equal(ob_identity_descriptors(id, &d, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(d[0].identity, 1);
	assert_int_equal(d[0].count, 40);
	for (int p = 0; p < OB_APPEARANCE_PARTS; p++) {
		assert_true(fabs(d[0].h[p * OB_APPEARANCE_BINS + 3] - (30 * 1.0 + 10 * 0.8) / 40) < 1e-6);
		assert_true(fabs(d[0].h[p * OB_APPEARANCE_BINS + 4] - (10 * 0.2) / 40) < 1e-6);
	}
	assert_int_equal(d[1].identity, 2);
	assert_int_equal(d[1].count, 8);
	assert_true(d[1].h[9] == 1);
	free(d);
	ob_identity_free(&id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_same_clothes_link),
		cmocka_unit_test(test_other_clothes_alone),
		cmocka_unit_test(test_exact_assignment),
		cmocka_unit_test(test_files_and_counts),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_identity_descriptors),
	};
	return cmocka_run_group_tests_name("reid", tests, NULL, NULL);
}

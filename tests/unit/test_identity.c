/* SPDX-License-Identifier: MIT */
/* test_identity.c - broken tracks of one person are joined, other people's are not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "obscura/class.h"
#include "obscura/identity.h"

static struct ob_appearance colour(int bin)
{
	struct ob_appearance a = { .valid = 1 };

	a.h[bin] = 1;
	a.h[OB_APPEARANCE_BINS + bin] = 1;
	return a;
}

/* A person walking right at vx px a frame, detected from frame `first` to `last`. */
static struct ob_track_fragment walker(uint64_t id, int64_t first, int64_t last, double x0, double vx, int bin)
{
	return (struct ob_track_fragment){
		.id = id, .cls = OB_CLASS_PERSON, .confirmed = true, .first = first, .last = last,
		.first_box = { x0 + vx * (double)first, 200, 30, 80 },
		.last_box = { x0 + vx * (double)last, 200, 30, 80 },
		.vx0 = vx, .vx1 = vx, .app = colour(bin), .app_n = 5,
	};
}

static void test_joins(void **state)
{
	struct ob_identity *id = NULL;
	struct ob_track_fragment f[] = {
		walker(1, 0, 40, 0, 3, 10),    /* red, broken at 40 ... */
		walker(5, 55, 120, 0, 3, 10),  /* ... continues 1.5 s later where expected */
		walker(2, 0, 40, 0, -3, 20),   /* blue, further right, walks the other way */
		walker(7, 60, 100, 0, 3, 20),  /* blue clothes where red was going: not red */
		walker(8, 200, 260, 0, 3, 10), /* red again, 16 s later: too long a gap */
		walker(9, 130, 150, 600, 3, 10), /* red, far from where 5 went */
		walker(10, 300, 340, -900, 3, 10), /* red, lost at 340 ... */
		walker(11, 355, 400, -900, 3, 20), /* ... and blue walks on where red would be */
	};

	(void)state;
	f[2].first_box.x = f[2].last_box.x = 450;
	f[3].first_box.x = 0 + 3 * 60.0;
	f[3].app = colour(20);
	for (int k = 6; k < 8; k++)
		f[k].first_box.y = f[k].last_box.y = 350;
	assert_int_equal(ob_identity_new(640, 480, 10, &id), 0);
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		assert_int_equal(ob_identity_add(id, &f[i]), 0);
	assert_int_equal(ob_identity_solve(id), 0);
	assert_int_equal(ob_identity_of(id, 1), 1);
	assert_int_equal(ob_identity_of(id, 5), 1);
	assert_int_equal(ob_identity_of(id, 2), 2);
	assert_int_equal(ob_identity_of(id, 7), 7);
	assert_int_equal(ob_identity_of(id, 8), 8);
	assert_int_equal(ob_identity_of(id, 9), 9);
	assert_int_equal(ob_identity_of(id, 11), 11);
	assert_int_equal(ob_identity_of(id, 99), 99);
	assert_int_equal(ob_identity_joined(id), 1);
	ob_identity_free(&id);
}

/* Two ends, two starts: the exact assignment, not the first come. */
static void test_global(void **state)
{
	struct ob_identity *id = NULL;
	struct ob_track_fragment a = walker(1, 0, 50, 0, 2, 10), b = walker(2, 0, 50, 100, 2, 10);
	struct ob_track_fragment c = walker(3, 60, 90, 0, 2, 10), d = walker(4, 60, 90, 100, 2, 10);

	(void)state;
	assert_int_equal(ob_identity_new(640, 480, 10, &id), 0);
	assert_int_equal(ob_identity_add(id, &d), 0);
	assert_int_equal(ob_identity_add(id, &c), 0);
	assert_int_equal(ob_identity_add(id, &b), 0);
	assert_int_equal(ob_identity_add(id, &a), 0);
	assert_int_equal(ob_identity_solve(id), 0);
	assert_int_equal(ob_identity_of(id, 3), 1);
	assert_int_equal(ob_identity_of(id, 4), 2);
	/* an unconfirmed end joins nothing */
	ob_identity_free(&id);
	a.confirmed = false;
	assert_int_equal(ob_identity_new(640, 480, 10, &id), 0);
	assert_int_equal(ob_identity_add(id, &a), 0);
	assert_int_equal(ob_identity_add(id, &c), 0);
	assert_int_equal(ob_identity_solve(id), 0);
	assert_int_equal(ob_identity_of(id, 3), 3);
	ob_identity_free(&id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_joins),
		cmocka_unit_test(test_global),
	};
	return cmocka_run_group_tests_name("identity", tests, NULL, NULL);
}

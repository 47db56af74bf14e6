/* SPDX-License-Identifier: MIT */
/* test_mask.c - boxes and polygons land on exactly the cells they touch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "obscura/geom.h"
#include "obscura/mask.h"

static void test_box_cells(void **state)
{
	struct ob_mask m;

	(void)state;
	assert_int_equal(ob_mask_init(&m, 100, 60, 10), 0);
	assert_int_equal(m.cols, 10);
	assert_int_equal(m.rows, 6);
	ob_mask_add_box(&m, (struct ob_box){ 15, 5, 10, 10 }); /* x 15..25, y 5..15 */
	assert_int_equal(ob_mask_count(&m), 4);               /* cols 1-2, rows 0-1 */
	assert_true(ob_mask_get(&m, 1, 0) && ob_mask_get(&m, 2, 1));
	assert_false(ob_mask_get(&m, 3, 0));
	ob_mask_clear(&m);
	/* Exactly on cell boundaries: no spill into neighbours. */
	ob_mask_add_box(&m, (struct ob_box){ 20, 20, 10, 10 });
	assert_int_equal(ob_mask_count(&m), 1);
	/* Partly outside the frame: clipped, no crash. */
	ob_mask_clear(&m);
	ob_mask_add_box(&m, (struct ob_box){ -50, -50, 60, 60 });
	assert_int_equal(ob_mask_count(&m), 1);
	ob_mask_add_box(&m, (struct ob_box){ 95, 55, 100, 100 });
	assert_true(ob_mask_get(&m, 9, 5));
	ob_mask_release(&m);
}

static void test_polygon_half_frame(void **state)
{
	struct ob_mask m;
	struct ob_polygon p = { 4, { { 0, 0 }, { 0.5, 0 }, { 0.5, 0.5 }, { 0, 0.5 } } };

	(void)state;
	ob_polygon_scale(&p, 100, 60);
	assert_int_equal(ob_mask_init(&m, 100, 60, 10), 0);
	ob_mask_add_polygon(&m, &p);
	/* x 0..50, y 0..30 = 5 cols × 3 rows exactly. */
	assert_int_equal(ob_mask_count(&m), 15);
	assert_false(ob_mask_get(&m, 5, 0));
	assert_false(ob_mask_get(&m, 0, 3));
	ob_mask_release(&m);
}

static void test_polygon_thin_sliver_and_triangle(void **state)
{
	struct ob_mask m;
	/* A diagonal sliver thinner than a pixel still hides the cells it crosses. */
	struct ob_polygon sliver = { 3, { { 0, 0 }, { 100, 59.9 }, { 100, 60 } } };
	struct ob_polygon tri = { 3, { { 0, 0 }, { 40, 0 }, { 0, 40 } } };

	(void)state;
	assert_int_equal(ob_mask_init(&m, 100, 60, 10), 0);
	ob_mask_add_polygon(&m, &sliver);
	for (int c = 0; c < 10; c++)
		assert_true(ob_mask_get(&m, c, (int)(c * 0.6)));
	ob_mask_clear(&m);
	ob_mask_add_polygon(&m, &tri);
	assert_true(ob_mask_get(&m, 0, 0));
	assert_true(ob_mask_get(&m, 3, 0));
	assert_true(ob_mask_get(&m, 0, 3));
	assert_false(ob_mask_get(&m, 3, 3)); /* beyond the hypotenuse */
	ob_mask_release(&m);
}

static void test_point_in_polygon(void **state)
{
	struct ob_polygon l = { 6, { { 0, 0 }, { 2, 0 }, { 2, 1 }, { 1, 1 }, { 1, 2 }, { 0, 2 } } };

	(void)state;
	assert_true(ob_polygon_contains(&l, 0.5, 0.5));
	assert_true(ob_polygon_contains(&l, 0.5, 1.5));
	assert_false(ob_polygon_contains(&l, 1.5, 1.5)); /* the notch of the L */
	assert_false(ob_polygon_contains(&l, -0.1, 0.5));
	assert_true(ob_polygon_area2(&l) != 0);
}

static void test_limits(void **state)
{
	struct ob_mask m;

	(void)state;
	assert_int_not_equal(ob_mask_init(&m, 0, 10, 8), 0);
	assert_int_not_equal(ob_mask_init(&m, OB_FRAME_MAX_DIM + 1, 10, 8), 0);
	ob_mask_release(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_box_cells),
		cmocka_unit_test(test_polygon_half_frame),
		cmocka_unit_test(test_polygon_thin_sliver_and_triangle),
		cmocka_unit_test(test_point_in_polygon),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests_name("mask", tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* test_appearance.c - the clothes descriptor reads torso and legs, never the head. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "obscura/appearance.h"

#define W 320
#define H 240

struct yuv {
	uint8_t y[W * H], u[W * H / 4], v[W * H / 4];
};

static void fill(struct yuv *f, int x0, int y0, int x1, int y1, uint8_t y, uint8_t u, uint8_t v)
{
	for (int r = y0; r < y1; r++)
		for (int c = x0; c < x1; c++) {
			f->y[r * W + c] = y;
			f->u[(r / 2) * (W / 2) + c / 2] = u;
			f->v[(r / 2) * (W / 2) + c / 2] = v;
		}
}

/* A plain grey frame (freed by the caller). */
static struct yuv *grey(void)
{
	struct yuv *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	memset(f->y, 150, sizeof(f->y));
	memset(f->u, 128, sizeof(f->u));
	memset(f->v, 128, sizeof(f->v));
	return f;
}

static struct ob_yuv_view view(const struct yuv *f)
{
	return (struct ob_yuv_view){ f->y, f->u, f->v, W, W / 2, W / 2, W, H };
}

/* A person at (x, 40), 40 x 160: head (top quarter) in `head`, a red torso, blue or grey legs. */
static void person(struct yuv *f, int x, uint8_t head, int blue_legs)
{
	fill(f, x, 40, x + 40, 80, head, 128, 128);
	fill(f, x, 80, x + 40, 128, 90, 100, 200);                 /* red: Cr high */
	if (blue_legs)
		fill(f, x, 128, x + 40, 200, 70, 190, 110);
	else
		fill(f, x, 128, x + 40, 200, 120, 128, 128);
}

static void test_descriptor(void **state)
{
	struct yuv *f = grey();
	struct ob_appearance a, b, c, d;
	struct ob_box box = { 20, 40, 40, 160 };
	struct ob_yuv_view v;

	(void)state;
	v = view(f);
	person(f, 20, 200, 1);
	ob_appearance_of(&v, box, &a);
	assert_true(a.valid);
	for (int p = 0; p < OB_APPEARANCE_PARTS; p++) {
		double sum = 0;

		for (int i = 0; i < OB_APPEARANCE_BINS; i++)
			sum += a.h[p * OB_APPEARANCE_BINS + i];
		assert_true(fabs(sum - 1) < 1e-5);
	}
	/* another face, hair or hat: the same descriptor */
	person(f, 20, 30, 1);
	ob_appearance_of(&v, box, &b);
	assert_memory_equal(a.h, b.h, sizeof(a.h));
	assert_true(ob_appearance_distance(&a, &b) < 1e-6);
	/* the same clothes elsewhere, the box a little off: close */
	person(f, 200, 120, 1);
	ob_appearance_of(&v, (struct ob_box){ 203, 44, 40, 156 }, &c);
	assert_true(ob_appearance_distance(&a, &c) < 0.1);
	/* grey trousers instead of blue: far */
	person(f, 200, 120, 0);
	ob_appearance_of(&v, (struct ob_box){ 200, 40, 40, 160 }, &d);
	assert_true(ob_appearance_distance(&a, &d) > 0.4);
	/* too small, or outside the frame: no descriptor */
	ob_appearance_of(&v, (struct ob_box){ 20, 40, 10, 15 }, &d);
	assert_false(d.valid);
	ob_appearance_of(&v, (struct ob_box){ 400, 40, 40, 160 }, &d);
	assert_false(d.valid);
	free(f);
}

static void test_batch_and_blend(void **state)
{
	struct yuv *f = grey();
	struct ob_box boxes[3] = { { 20, 40, 40, 160 }, { 30, 40, 40, 160 }, { 200, 40, 40, 160 } };
	struct ob_appearance out[3], m;
	struct ob_yuv_view v;

	(void)state;
	v = view(f);
	person(f, 200, 200, 1);
	ob_appearance_batch(&v, boxes, 3, out);
	assert_false(out[0].valid); /* 0 and 1 cover each other: neither is one person's */
	assert_false(out[1].valid);
	assert_true(out[2].valid);
	memset(&m, 0, sizeof(m));
	ob_appearance_blend(&m, &out[2], 0.1);
	assert_memory_equal(m.h, out[2].h, sizeof(m.h)); /* an empty mean takes the first */
	ob_appearance_blend(&m, &out[0], 0.5);           /* an invalid one changes nothing */
	assert_memory_equal(m.h, out[2].h, sizeof(m.h));
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptor),
		cmocka_unit_test(test_batch_and_blend),
	};
	return cmocka_run_group_tests_name("appearance", tests, NULL, NULL);
}

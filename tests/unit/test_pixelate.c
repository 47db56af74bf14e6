/* SPDX-License-Identifier: MIT */
/* test_pixelate.c - pixelation hides detail irreversibly and touches nothing else. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <libavutil/frame.h>

#include "obscura/mask.h"
#include "obscura/pixelate.h"
#include "obscura/recipe.h"

#define W 70 /* not a multiple of the block: edge cells are partial */
#define H 50
#define B 16

static AVFrame *make_frame(unsigned seed)
{
	AVFrame *f = av_frame_alloc();

	assert_non_null(f);
	f->format = AV_PIX_FMT_YUV420P;
	f->width = W;
	f->height = H;
	assert_int_equal(av_frame_get_buffer(f, 0), 0);
	srand(seed);
	for (int p = 0; p < 3; p++) {
		int pw = p ? (W + 1) / 2 : W, ph = p ? (H + 1) / 2 : H;
		for (int y = 0; y < ph; y++)
			for (int x = 0; x < pw; x++)
				f->data[p][y * f->linesize[p] + x] = (uint8_t)(rand() & 0xff);
	}
	return f;
}

static struct ob_pixelate_opts opts(enum ob_style style, int noise)
{
	return (struct ob_pixelate_opts){ .style = style, .block = B, .noise = noise,
					  .fill = OB_FILL_BLACK };
}

/* Every pixel of a masked cell has one value, in every plane. */
static void assert_cells_uniform(const AVFrame *f, const struct ob_mask *m)
{
	for (int p = 0; p < 3; p++) {
		int s = p ? 1 : 0, pw = p ? (W + 1) / 2 : W, ph = p ? (H + 1) / 2 : H;
		for (int r = 0; r < m->rows; r++)
			for (int c = 0; c < m->cols; c++) {
				int x0 = (c * B) >> s, y0 = (r * B) >> s;
				int x1 = ((c + 1) * B) >> s, y1 = ((r + 1) * B) >> s;
				uint8_t v = f->data[p][y0 * f->linesize[p] + x0];

				if (!ob_mask_get(m, c, r))
					continue;
				for (int y = y0; y < y1 && y < ph; y++)
					for (int x = x0; x < x1 && x < pw; x++)
						assert_int_equal(f->data[p][y * f->linesize[p] + x], v);
			}
	}
}

static void test_masked_cells_uniform_others_untouched(void **state)
{
	AVFrame *f = make_frame(1), *orig = make_frame(1);
	struct ob_mask m;
	struct ob_pixelate_opts o = opts(OB_STYLE_PIXELATE, 8);

	(void)state;
	assert_int_equal(ob_mask_init(&m, W, H, B), 0);
	ob_mask_add_box(&m, (struct ob_box){ 20, 10, 40, 40 }); /* reaches the partial edge cells */
	assert_int_equal(ob_pixelate_frame(f, &m, &o, 42), 0);
	assert_cells_uniform(f, &m);
	/* Luma outside masked cells is bit-identical. */
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			if (!ob_mask_get(&m, x / B, y / B))
				assert_int_equal(f->data[0][y * f->linesize[0] + x],
						 orig->data[0][y * orig->linesize[0] + x]);
	ob_mask_release(&m);
	av_frame_free(&f);
	av_frame_free(&orig);
}

/* The output depends on a cell's content only through its mean: two frames
 * whose cells differ in every pixel but share the means come out the same. */
static void test_detail_does_not_survive(void **state)
{
	AVFrame *a = make_frame(3), *b = make_frame(3);
	struct ob_mask m;
	struct ob_pixelate_opts o = opts(OB_STYLE_PIXELATE, 10);

	(void)state;
	/* In b, swap pixel pairs inside cell (0,0) of luma: same mean, other detail. */
	for (int y = 0; y < B; y++)
		for (int x = 0; x < B; x += 2) {
			uint8_t *row = b->data[0] + y * b->linesize[0];
			uint8_t t = row[x];
			row[x] = row[x + 1];
			row[x + 1] = t;
		}
	assert_memory_not_equal(a->data[0], b->data[0], B);
	assert_int_equal(ob_mask_init(&m, W, H, B), 0);
	ob_mask_add_box(&m, (struct ob_box){ 0, 0, B, B });
	assert_int_equal(ob_pixelate_frame(a, &m, &o, 7), 0);
	assert_int_equal(ob_pixelate_frame(b, &m, &o, 7), 0);
	for (int y = 0; y < B; y++)
		assert_memory_equal(a->data[0] + y * a->linesize[0], b->data[0] + y * b->linesize[0], B);
	ob_mask_release(&m);
	av_frame_free(&a);
	av_frame_free(&b);
}

static void test_solid_fill(void **state)
{
	AVFrame *f = make_frame(5);
	struct ob_mask m;
	struct ob_pixelate_opts o = opts(OB_STYLE_SOLID, 0);

	(void)state;
	assert_int_equal(ob_mask_init(&m, W, H, B), 0);
	ob_mask_add_box(&m, (struct ob_box){ 16, 16, 16, 16 });
	assert_int_equal(ob_pixelate_frame(f, &m, &o, 0), 0);
	assert_int_equal(f->data[0][20 * f->linesize[0] + 20], 16);
	assert_int_equal(f->data[1][10 * f->linesize[1] + 10], 128);
	assert_int_equal(f->data[2][10 * f->linesize[2] + 10], 128);
	ob_mask_release(&m);
	av_frame_free(&f);
}

static void test_noise_seeded_bounded_fixed_per_cell(void **state)
{
	int differ = 0;

	(void)state;
	for (int c = 0; c < 50; c++) {
		int n = ob_pixelate_noise(99, 0, c, 3, 12);
		assert_true(n >= -12 && n <= 12);
		assert_int_equal(n, ob_pixelate_noise(99, 0, c, 3, 12)); /* deterministic */
		differ += n != ob_pixelate_noise(100, 0, c, 3, 12);
	}
	assert_true(differ > 40); /* another seed gives other offsets */
	assert_int_equal(ob_pixelate_noise(99, 0, 1, 1, 0), 0);
}

static void test_rejects_unsupported_format(void **state)
{
	AVFrame *f = av_frame_alloc();
	struct ob_mask m;
	struct ob_pixelate_opts o = opts(OB_STYLE_PIXELATE, 0);

	(void)state;
	f->format = AV_PIX_FMT_RGB24;
	f->width = W;
	f->height = H;
	assert_int_equal(av_frame_get_buffer(f, 0), 0);
	assert_int_equal(ob_mask_init(&m, W, H, B), 0);
	assert_int_not_equal(ob_pixelate_frame(f, &m, &o, 0), 0);
	ob_mask_release(&m);
	av_frame_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_masked_cells_uniform_others_untouched),
		cmocka_unit_test(test_detail_does_not_survive),
		cmocka_unit_test(test_solid_fill),
		cmocka_unit_test(test_noise_seeded_bounded_fixed_per_cell),
		cmocka_unit_test(test_rejects_unsupported_format),
	};
	return cmocka_run_group_tests_name("pixelate", tests, NULL, NULL);
}

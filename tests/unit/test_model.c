/* SPDX-License-Identifier: MIT */
/* test_model.c - model cards: the numeric [decoder] keys' defaults, values
 * and ranges, which one table in model.c gives both the defaults and the
 * parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/model.h"
#include "obscura/banned.h"

#define HEAD                                                                           \
	"[model]\nname = t\ntask = face\nfile = t.onnx\n"                              \
	"sha256 = 0000000000000000000000000000000000000000000000000000000000000000\n" \
	"[input]\nwidth = 64\nheight = 64\n[output]\nnames = out\n[decoder]\ntype = yolov5\n"

/* Loads HEAD followed by decoder lines from a card written to /tmp. */
static int load(const char *decoder, struct ob_model_card *card)
{
	char path[] = "/tmp/obscura-card-XXXXXX", text[4096];
	int fd = mkstemp(path), ret;

	assert_true(fd >= 0);
	close(fd);
	snprintf(text, sizeof(text), "%s%s", HEAD, decoder);
	assert_int_equal(ob_write_file_atomic(path, text, strlen(text), 0600), 0);
	ret = ob_model_card_load(path, card);
	unlink(path);
	return ret;
}

/* The sixteen numeric [decoder] fields of d are those of want. */
static void expect_numbers(const struct ob_decoder_params *d, const struct ob_decoder_params *want)
{
	assert_true(d->score_threshold == want->score_threshold && d->nms_iou == want->nms_iou);
	assert_int_equal(d->max_detections, want->max_detections);
	assert_true(d->logit_clamp == want->logit_clamp && d->anchor_offset == want->anchor_offset);
	assert_int_equal(d->keypoints, want->keypoints);
	assert_int_equal(d->stride, want->stride);
	assert_int_equal(d->peak_kernel, want->peak_kernel);
	assert_int_equal(d->num_classes, want->num_classes);
	assert_true(d->binary_threshold == want->binary_threshold && d->unclip_ratio == want->unclip_ratio);
	assert_int_equal(d->min_size, want->min_size);
	assert_int_equal(d->score_class, want->score_class);
	assert_true(d->anchor_min_scale == want->anchor_min_scale &&
		    d->anchor_max_scale == want->anchor_max_scale);
	assert_int_equal(d->anchor_count, want->anchor_count);
}

/* A key the card leaves out takes its default. */
static void test_defaults(void **state)
{
	static const struct ob_decoder_params want = {
		.score_threshold = 0.5, .nms_iou = 0.5, .max_detections = 100, .logit_clamp = 80,
		.anchor_offset = 0.5, .keypoints = 0, .stride = 4, .peak_kernel = 3, .num_classes = 1,
		.binary_threshold = 0.3, .unclip_ratio = 1.5, .min_size = 3, .score_class = 1,
		.anchor_min_scale = 0.2, .anchor_max_scale = 0.95, .anchor_count = 0,
	};
	struct ob_model_card *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	assert_int_equal(load("", c), 0);
	expect_numbers(&c->dec, &want);
	assert_true(c->dec.variances[0] == 10 && c->dec.variances[3] == 5 && c->scale == 1.0);
	free(c);
}

/* Every numeric key lands in its own field, as an int or a double. */
static void test_values(void **state)
{
	static const struct ob_decoder_params want = {
		.score_threshold = 0.25, .nms_iou = 0.45, .max_detections = 300, .logit_clamp = 50,
		.anchor_offset = 0.25, .keypoints = 5, .stride = 8, .peak_kernel = 5, .num_classes = 80,
		.binary_threshold = 0.6, .unclip_ratio = 2, .min_size = 7, .score_class = 0,
		.anchor_min_scale = 0.1, .anchor_max_scale = 0.9, .anchor_count = 1234,
	};
	struct ob_model_card *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	assert_int_equal(load("score_threshold = 0.25\nnms_iou = 0.45\nmax_detections = 300\n"
			      "logit_clamp = 50\nanchor_offset = 0.25\nkeypoints = 5\nstride = 8\n"
			      "peak_kernel = 5\nnum_classes = 80\nbinary_threshold = 0.6\n"
			      "unclip_ratio = 2\nmin_size = 7\nscore_class = 0\nanchor_min_scale = 0.1\n"
			      "anchor_max_scale = 0.9\nanchor_count = 1234\n",
			      c),
			 0);
	expect_numbers(&c->dec, &want);
	free(c);
}

/* Out of range or not a number: refused, the line and the range named. */
static void test_ranges(void **state)
{
	static const struct {
		const char *line, *says;
	} bad[] = {
		{ "score_threshold = 2\n", ":13: must be a number from 0 to 1" },
		{ "unclip_ratio = -1\n", ":13: must be a number from 0 to 10" },
		{ "max_detections = 0\n", ":13: must be a whole number from 1 to 10000" },
		{ "stride = 2.5\n", ":13: must be a whole number from 1 to 64" },
		{ "min_size = x\n", ":13: must be a whole number from 0 to 1000" },
	};
	struct ob_model_card *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(load(bad[i].line, c), OB_ERR_MODEL);
		if (!strstr(ob_errmsg(), bad[i].says))
			fail_msg("%s: expected '%s' in '%s'", bad[i].line, bad[i].says, ob_errmsg());
	}
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_ranges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* test_detect.c - the real detectors on real photos: recall, no false positives,
 * C decoders equal to tests/models/decoders.py, synthetic YOLO and UltraFace
 * tensors, tiles shaped like the input, NMS, cards. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <libavutil/frame.h>
#include <libswscale/swscale.h>
#include <libavutil/pixfmt.h>
#include <math.h>

#include "obscura/ahead.h"
#include "obscura/detect.h"
#include "obscura/look.h"
#include "obscura/dnn.h"
#include "obscura/error.h"
#include "obscura/model.h"
#include "obscura/tiling.h"
#include "../support/image.h"

#define SAMPLES "build/npm/src/face-api-1.7.15/package/demo"
#define CLIP "/usr/share/forensics-samples/original-files/movie2/movie-hello.mp4"
#define RECIPE_FACE_THRESHOLD 0.4 /* the recipe's default [detect] face_threshold */

static const char *model_dir(void)
{
	const char *d = getenv("OBSCURA_MODEL_DIR");
	return d && *d ? d : "build/models";
}

static size_t load_truth(int n, struct ob_box *gt, size_t max)
{
	char path[128], line[256];
	size_t k = 0;
	FILE *f;

	snprintf(path, sizeof(path), "tests/data/faces/sample%d.txt", n);
	f = fopen(path, "r");
	assert_non_null(f);
	while (k < max && fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		assert_int_equal(sscanf(line, "%lf %lf %lf %lf", &gt[k].x, &gt[k].y, &gt[k].w, &gt[k].h), 4);
		k++;
	}
	fclose(f);
	return k;
}

/* One-to-one greedy matching at IoU >= 0.4; returns matched faces, *fp the rest. */
static size_t match(const struct ob_box *gt, size_t ngt, const struct ob_detections *d, size_t *fp)
{
	bool used[64] = { 0 };
	size_t hit = 0;

	*fp = 0;
	for (size_t i = 0; i < d->n; i++) {
		double best = 0;
		size_t bi = 0;

		for (size_t g = 0; g < ngt; g++) {
			double iou = ob_box_iou(d->v[i].box, gt[g]);
			if (!used[g] && iou > best)
				best = iou, bi = g;
		}
		if (best >= 0.4) {
			used[bi] = true;
			hit++;
		} else {
			(*fp)++;
		}
	}
	return hit;
}

static void face_recall(const char *model, double thr, size_t *found, size_t *total, size_t *fps,
			double *ms_per_pass)
{
	struct ob_detector *d = NULL;
	int64_t passes;
	double ms;

	assert_int_equal(ob_detector_open(model_dir(), model, 0, 0, 0, &d), 0);
	*found = *total = *fps = 0;
	for (int n = 1; n <= 6; n++) {
		struct ob_box gt[64];
		struct ob_detections dets = { 0 };
		AVFrame *f = NULL;
		char path[128];
		size_t ngt = load_truth(n, gt, 64), fp;

		snprintf(path, sizeof(path), SAMPLES "/sample%d.jpg", n);
		assert_int_equal(ob_image_load(path, &f), 0);
		assert_int_equal(ob_detector_run(d, f, NULL, thr, &dets), 0);
		*found += match(gt, ngt, &dets, &fp);
		*fps += fp;
		*total += ngt;
		for (size_t i = 0; i < dets.n; i++)
			assert_int_equal(dets.v[i].cls, OB_CLASS_FACE);
		ob_detections_release(&dets);
		av_frame_free(&f);
	}
	ob_detector_stats(d, &passes, &ms);
	*ms_per_pass = ms / (double)passes;
	ob_detector_free(&d);
}

static void test_blazeface_photos(void **state)
{
	size_t found, total, fp;
	double ms;

	(void)state;
	face_recall("blazeface", -1, &found, &total, &fp, &ms);
	printf("blazeface @card 0.5: %zu/%zu faces, %zu false positives, %.1f ms/pass\n", found, total, fp, ms);
	assert_int_equal(total, 22);
	assert_true(found >= 21); /* one face scores 0.45 (models/README.md) */
	assert_int_equal(fp, 0);
	face_recall("blazeface", RECIPE_FACE_THRESHOLD, &found, &total, &fp, &ms);
	printf("blazeface @recipe %.2f: %zu/%zu faces, %zu false positives\n", RECIPE_FACE_THRESHOLD, found,
	       total, fp);
	assert_int_equal(found, 22);
	assert_int_equal(fp, 0);
}

static void test_ultraface_photos(void **state)
{
	size_t found, total, fp;
	double ms;

	(void)state;
	face_recall("ultraface", -1, &found, &total, &fp, &ms);
	printf("ultraface @card 0.7: %zu/%zu faces, %zu false positives, %.1f ms/pass\n", found, total,
	       fp, ms);
	assert_int_equal(total, 22);
	assert_int_equal(found, 22);
	assert_int_equal(fp, 0);
	face_recall("ultraface", RECIPE_FACE_THRESHOLD, &found, &total, &fp, &ms);
	printf("ultraface @recipe %.2f: %zu/%zu faces, %zu false positives\n", RECIPE_FACE_THRESHOLD, found,
	       total, fp);
	assert_int_equal(found, 22);
	assert_int_equal(fp, 0);
}

static void test_ssd_face_photos(void **state)
{
	size_t found, total, fp;
	double ms;

	(void)state;
	face_recall("ssd_face", -1, &found, &total, &fp, &ms);
	printf("ssd_face @card 0.5: %zu/%zu faces, %zu false positives, %.1f ms/pass\n", found, total, fp, ms);
	assert_int_equal(found, 22);
	assert_int_equal(fp, 0);
}

/*
 * Same tensors through the C decoder and the Python reference: every box
 * of one is in the other within 0.05 px and 1e-4 in score.
 */
static void compare_with_python(const char *model, const char *image, size_t min_boxes)
{
	struct ob_detector *d = NULL;
	struct ob_dnn *dnn = NULL;
	const struct ob_model_card *card;
	struct ob_detections mine = { 0 };
	struct ob_tensor outs[OB_MODEL_MAX_OUTPUTS];
	const char *names[OB_MODEL_MAX_OUTPUTS];
	struct ob_letterbox lb;
	AVFrame *f = NULL;
	float *blob;
	char dir[] = "/tmp/obscura-dec-XXXXXX", cmd[1024], line[256];
	size_t ref = 0;
	FILE *p;

	assert_int_equal(ob_detector_open(model_dir(), model, 0, 0, 0, &d), 0);
	card = ob_detector_card(d);
	assert_int_equal(ob_dnn_open(card->onnx_path, 0, &dnn), 0);
	assert_int_equal(ob_image_load(image, &f), 0);
	blob = malloc(sizeof(float) * 3 * (size_t)card->width * (size_t)card->height);
	assert_non_null(blob);
	assert_int_equal(ob_detector_preprocess(d, f, NULL, blob, &lb), 0);
	for (int i = 0; i < card->n_outputs; i++)
		names[i] = card->outputs[i];
	assert_int_equal(ob_dnn_infer(dnn, blob, 1, 3, card->height, card->width, names,
				      (size_t)card->n_outputs, outs), 0);
	assert_non_null(mkdtemp(dir));
	for (int i = 0; i < card->n_outputs; i++) {
		char path[256];
		FILE *o;

		snprintf(path, sizeof(path), "%s/out%d.f32", dir, i);
		o = fopen(path, "wb");
		assert_non_null(o);
		assert_int_equal(fwrite(outs[i].data, sizeof(float), outs[i].count, o), outs[i].count);
		fclose(o);
	}
	assert_int_equal(ob_decode(card, outs, &lb, -1, &mine), 0);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 tests/models/compare_decoders.py %s %s %.17g %.17g %.17g %.17g %.17g",
		 model, dir, lb.ox, lb.oy, lb.sx, lb.sy, card->dec.score_threshold);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		double x1, y1, x2, y2, s;
		int c;
		bool found = false;

		assert_int_equal(sscanf(line, "%lf %lf %lf %lf %lf %d", &x1, &y1, &x2, &y2, &s, &c), 6);
		ref++;
		for (size_t i = 0; i < mine.n && !found; i++) {
			const struct ob_detection *m = &mine.v[i];

			found = m->label == c && fabs(m->box.x - x1) < 0.05 && fabs(m->box.y - y1) < 0.05 &&
				fabs(m->box.x + m->box.w - x2) < 0.05 && fabs(m->box.y + m->box.h - y2) < 0.05 &&
				fabs(m->score - s) < 1e-4;
		}
		if (!found)
			fail_msg("%s: reference box %s not produced by the C decoder", model, line);
	}
	assert_int_equal(pclose(p), 0);
	printf("%s: C and Python decoders agree on %zu boxes\n", model, ref);
	assert_int_equal(ref, mine.n);
	assert_true(ref >= min_boxes);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	free(blob);
	ob_detections_release(&mine);
	av_frame_free(&f);
	ob_dnn_free(&dnn);
	ob_detector_free(&d);
}

static void test_decoders_match_reference(void **state)
{
	(void)state;
	compare_with_python("blazeface", SAMPLES "/sample1.jpg", 3);
	compare_with_python("ssd_face", SAMPLES "/sample5.jpg", 5);
	compare_with_python("ultraface", SAMPLES "/sample6.jpg", 4);
	compare_with_python("centernet", SAMPLES "/sample4.jpg", 2);
	/* non-square heads: 128x72 and 96x72 cells, real people in a 16:9 and a 4:3 picture */
	compare_with_python("centernet_512x288", CLIP, 1);
	compare_with_python("centernet_512x384", SAMPLES "/sample4.jpg", 2);
	compare_with_python("centernet_384x288", SAMPLES "/sample4.jpg", 2);
	compare_with_python("ppocr_det", CLIP, 1);
	/* a 640x384 probability map (the 16:9 text variant): rows of 640, not a square */
	compare_with_python("ppocr_det_640x384", CLIP, 1);
}

/* A CenterNet card for synthetic tensors: a 64x32 input, stride 4, so 16x8 cells. */
static void centernet_card(struct ob_model_card *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "cn");
	snprintf(c->task, sizeof(c->task), "multi");
	c->width = 64;
	c->height = 32;
	c->n_outputs = 2;
	c->dec.type = OB_DECODER_CENTERNET;
	c->dec.stride = 4;
	c->dec.peak_kernel = 3;
	c->dec.num_classes = 2;
	c->dec.score_threshold = 0.3;
	c->dec.nms_iou = 0.5;
	c->dec.max_detections = 100;
	snprintf(c->labels[0], OB_MODEL_MAX_LABEL, "person");
	snprintf(c->labels[1], OB_MODEL_MAX_LABEL, "car");
}

/*
 * The CenterNet decoder on a heatmap wider than tall (W/4 x H/4 = 16 x 8):
 * peaks where a row-for-column mix-up would read other cells, boxes mapped
 * to the frame through a letterbox whose x and y scales differ (rounding of
 * the used part), exactly: x = ox + x_in / sx, y = oy + y_in / sy.
 */
static void test_centernet_non_square(void **state)
{
	enum { GW = 16, GH = 8, PLANE = GW * GH };
	static float heat[2 * PLANE], wh[4 * PLANE];
	/* a 1000x563 region at (100, 20) letterboxed into 64x32: 57x32 of it used */
	const struct ob_letterbox lb = { .ox = 100, .oy = 20, .sx = 57.0 / 1000, .sy = 32.0 / 563,
					 .in_w = 64, .in_h = 32, .used_w = 57, .used_h = 32 };
	struct ob_model_card card;
	struct ob_tensor t[2];
	struct ob_detections d = { 0 };

	(void)state;
	centernet_card(&card);
	memset(heat, 0, sizeof(heat));
	memset(wh, 0, sizeof(wh));
	heat[0 * PLANE + 6 * GW + 13] = 0.9f;  /* person centred on cell (13, 6): input (52, 24) */
	heat[0 * PLANE + 6 * GW + 12] = 0.5f;  /* its neighbour: not a peak */
	heat[0 * PLANE + 5 * GW + 5] = 0.2f;   /* below the threshold */
	heat[1 * PLANE + 1 * GW + 2] = 0.6f;   /* car on cell (2, 1): input (8, 4) */
	wh[0 * PLANE + 6 * GW + 13] = 6;       /* left, top, right, bottom in input pixels */
	wh[1 * PLANE + 6 * GW + 13] = 10;
	wh[2 * PLANE + 6 * GW + 13] = 2;
	wh[3 * PLANE + 6 * GW + 13] = 4;
	for (int k = 0; k < 4; k++)
		wh[k * PLANE + 1 * GW + 2] = 3;
	t[0] = (struct ob_tensor){ .data = heat, .ndim = 4, .shape = { 1, 2, GH, GW }, .count = 2 * PLANE };
	t[1] = (struct ob_tensor){ .data = wh, .ndim = 4, .shape = { 1, 4, GH, GW }, .count = 4 * PLANE };
	assert_int_equal(ob_decode(&card, t, &lb, -1, &d), 0);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.v[0].cls, OB_CLASS_PERSON);
	assert_float_equal(d.v[0].score, 0.9, 1e-6);
	/* input box (46, 14)-(54, 28) */
	assert_float_equal(d.v[0].box.x, 100 + 46 / (57.0 / 1000), 1e-9);
	assert_float_equal(d.v[0].box.y, 20 + 14 / (32.0 / 563), 1e-9);
	assert_float_equal(d.v[0].box.w, 8 / (57.0 / 1000), 1e-9);
	assert_float_equal(d.v[0].box.h, 14 / (32.0 / 563), 1e-9);
	assert_int_equal(d.v[1].cls, OB_CLASS_VEHICLE);
	assert_float_equal(d.v[1].box.x, 100 + 5 / (57.0 / 1000), 1e-9); /* input (5, 1)-(11, 7) */
	assert_float_equal(d.v[1].box.y, 20 + 1 / (32.0 / 563), 1e-9);
	ob_detections_clear(&d);

	/* A square card reading the same tensors is told their size is wrong. */
	card.height = 64;
	assert_int_equal(ob_decode(&card, t, &lb, -1, &d), OB_ERR_MODEL);
	assert_non_null(strstr(ob_errmsg(), "expects"));
	ob_detections_release(&d);
}

/*
 * The CenterNet decoder skips blocks of cells below the threshold at once
 * (decoders.c, PEAK_BLOCK): a lone peak in any cell -- first, last or
 * middle of a block, in the short block at a row's end, in either class --
 * is found all the same, and exactly at the threshold: the smallest float
 * at or above it is a peak, the float below it is not.  Thresholds 0.3 and
 * 0.1 round up to float, 0.7 down.
 */
static void test_centernet_peak_in_every_cell(void **state)
{
	enum { GW = 40, GH = 3, PLANE = GW * GH }; /* 40 = two blocks of 16 and one of 8 */
	static float heat[2 * PLANE], wh[4 * PLANE];
	const struct ob_letterbox lb = { .sx = 1, .sy = 1, .in_w = 4 * GW, .in_h = 4 * GH,
					 .used_w = 4 * GW, .used_h = 4 * GH };
	const double thrs[] = { 0.3, 0.1, 0.7 };
	struct ob_model_card card;
	struct ob_tensor t[2];
	struct ob_detections d = { 0 };

	(void)state;
	centernet_card(&card);
	card.width = 4 * GW;
	card.height = 4 * GH;
	for (int k = 0; k < 4 * PLANE; k++)
		wh[k] = 1;
	t[0] = (struct ob_tensor){ .data = heat, .ndim = 4, .shape = { 1, 2, GH, GW }, .count = 2 * PLANE };
	t[1] = (struct ob_tensor){ .data = wh, .ndim = 4, .shape = { 1, 4, GH, GW }, .count = 4 * PLANE };
	for (size_t k = 0; k < sizeof(thrs) / sizeof(thrs[0]); k++) {
		float at = (float)thrs[k];

		if ((double)at < thrs[k])
			at = nextafterf(at, 1);
		assert_true((double)nextafterf(at, 0) < thrs[k]);
		for (int i = 0; i < 2 * PLANE; i++) {
			int x = i % GW, y = i % PLANE / GW;

			memset(heat, 0, sizeof(heat));
			heat[i] = nextafterf(at, 0);
			ob_detections_clear(&d);
			assert_int_equal(ob_decode(&card, t, &lb, thrs[k], &d), 0);
			assert_int_equal(d.n, 0);
			heat[i] = at;
			assert_int_equal(ob_decode(&card, t, &lb, thrs[k], &d), 0);
			if (d.n != 1)
				fail_msg("threshold %g: peak in cell %d (%d, %d) of class %d: %zu boxes", thrs[k], i, x, y,
					 i / PLANE, d.n);
			assert_float_equal(d.v[0].score, at, 0);
			assert_int_equal(d.v[0].cls, i < PLANE ? OB_CLASS_PERSON : OB_CLASS_VEHICLE);
			assert_float_equal(d.v[0].box.x, 4 * x - 1, 1e-9);
			assert_float_equal(d.v[0].box.y, 4 * y - 1, 1e-9);
		}
	}
	ob_detections_release(&d);
}

/*
 * Preprocessing for a 16:9 variant: a 1280x720 frame fills the 512x288 input
 * with no padding, and the letterbox maps back with the exact scale.
 */
static void test_centernet_variant_letterbox(void **state)
{
	struct ob_detector *d = NULL;
	struct ob_letterbox lb;
	AVFrame *f = av_frame_alloc();
	float *blob = malloc(sizeof(float) * 3 * 512 * 288);

	(void)state;
	assert_non_null(f);
	assert_non_null(blob);
	f->format = AV_PIX_FMT_YUV420P;
	f->width = 1280;
	f->height = 720;
	assert_int_equal(av_frame_get_buffer(f, 0), 0);
	memset(f->data[0], 200, (size_t)f->linesize[0] * 720);
	memset(f->data[1], 128, (size_t)f->linesize[1] * 360);
	memset(f->data[2], 128, (size_t)f->linesize[2] * 360);
	assert_int_equal(ob_detector_open(model_dir(), "centernet", 1280, 720, 0, &d), 0);
	assert_string_equal(ob_detector_card(d)->name, "centernet_512x288");
	assert_int_equal(ob_detector_preprocess(d, f, NULL, blob, &lb), 0);
	assert_int_equal(lb.in_w, 512);
	assert_int_equal(lb.in_h, 288);
	assert_int_equal(lb.used_w, 512);
	assert_int_equal(lb.used_h, 288);
	assert_float_equal(lb.sx, 0.4, 0);
	assert_float_equal(lb.sy, 0.4, 0);
	/* no letterbox fill: the last input row is the picture (grey 200 in limited range), not 0 */
	assert_true(blob[288 * 512 - 1] > 150);
	ob_detector_free(&d);
	free(blob);
	av_frame_free(&f);
}

/* Writes DIR/NAME.card: a copy of the built centernet card with name, file and variants replaced. */
static void write_variant_card(const char *dir, const char *name, const char *file, int w, int h,
			       const char *variants, const char *decoder)
{
	char path[512];
	FILE *o;

	snprintf(path, sizeof(path), "%s/%s.card", dir, name);
	o = fopen(path, "w");
	assert_non_null(o);
	fprintf(o, "[model]\nname = %s\ntask = multi\nfile = %s\nsha256 = %064d\n", name, file, 0);
	if (variants)
		fprintf(o, "variants = %s\n", variants);
	fprintf(o, "[input]\nwidth = %d\nheight = %d\n[output]\nnames = %s\n[decoder]\ntype = %s\n", w, h,
		decoder[0] == 'd' ? "p" : "heatmap,wh", decoder);
	fclose(o);
}

/* Which card a family runs on which frame, and families that do not hold together. */
static void test_model_pick(void **state)
{
	static const struct {
		const char *family;
		int w, h;
		const char *want;
	} frames[] = {
		{ "centernet", 1280, 720, "centernet_512x288" },  { "centernet", 1920, 1080, "centernet_512x288" },
		{ "centernet", 3840, 1600, "centernet_512x288" }, { "centernet", 768, 576, "centernet_512x384" },
		{ "centernet", 640, 480, "centernet_512x384" },   { "centernet", 720, 576, "centernet_512x384" },
		{ "centernet", 640, 640, "centernet" },
		{ "centernet", 1080, 1920, "centernet" }, /* portrait phone video */
		{ "centernet", 0, 0, "centernet" },
		{ "ppocr_det", 1280, 720, "ppocr_det_640x384" },  { "ppocr_det", 1920, 1080, "ppocr_det_640x384" },
		{ "ppocr_det", 768, 576, "ppocr_det_640x480" },   { "ppocr_det", 720, 576, "ppocr_det_640x480" },
		{ "ppocr_det", 1080, 1920, "ppocr_det" },         { "ppocr_det", 0, 0, "ppocr_det" },
	};
	struct ob_model_card card;
	char dir[] = "/tmp/obscura-pick-XXXXXX", cmd[512];

	(void)state;
	for (size_t i = 0; i < sizeof(frames) / sizeof(frames[0]); i++) {
		assert_int_equal(ob_model_pick(model_dir(), frames[i].family, frames[i].w, frames[i].h, &card), 0);
		if (strcmp(card.name, frames[i].want))
			fail_msg("%s, %dx%d frame: %s, not %s", frames[i].family, frames[i].w, frames[i].h, card.name,
				 frames[i].want);
	}
	assert_int_equal(ob_model_pick(model_dir(), "centernet", 1280, 720, &card), 0);
	assert_float_equal(ob_model_padding(&card, 1280, 720), 0, 0);
	assert_int_equal(ob_model_find(model_dir(), "centernet", &card), 0);
	assert_int_equal(card.n_variants, 2);
	assert_float_equal(ob_model_padding(&card, 1280, 720), 1 - 288.0 / 512, 1e-12);
	/* a card named by the recipe runs as named: one outside the family, the square one by its size */
	assert_int_equal(ob_model_pick(model_dir(), "centernet_384x288", 1280, 720, &card), 0);
	assert_string_equal(card.name, "centernet_384x288");
	assert_int_equal(ob_model_pick(model_dir(), "centernet_512x512", 1280, 720, &card), 0);
	assert_string_equal(card.name, "centernet_512x512");
	assert_string_equal(card.file, "centernet.onnx");
	assert_int_equal(ob_model_verify(&card), 0);
	assert_int_equal(ob_model_pick(model_dir(), "ppocr_det_640x640", 1280, 720, &card), 0);
	assert_string_equal(card.name, "ppocr_det_640x640");
	assert_string_equal(card.file, "ppocr_det.onnx");
	assert_int_equal(ob_model_verify(&card), 0);
	assert_int_equal(ob_model_pick(model_dir(), "blazeface", 1280, 720, &card), 0);
	assert_string_equal(card.name, "blazeface");

	assert_non_null(mkdtemp(dir));
	/* a variant of another decoder, a missing one, one with variants of its own */
	write_variant_card(dir, "fam", "fam.onnx", 512, 512, "fam_wide", "centernet");
	write_variant_card(dir, "fam_wide", "w.onnx", 512, 288, NULL, "db");
	assert_int_equal(ob_model_pick(dir, "fam", 1280, 720, &card), OB_ERR_MODEL);
	assert_non_null(strstr(ob_errmsg(), "decoder db, not multi and centernet"));
	assert_int_equal(ob_model_pick(dir, "fam", 0, 0, &card), 0); /* no frame: the family card alone */
	write_variant_card(dir, "fam_wide", "w.onnx", 512, 288, "fam", "centernet");
	assert_int_equal(ob_model_pick(dir, "fam", 1280, 720, &card), OB_ERR_MODEL);
	assert_non_null(strstr(ob_errmsg(), "lists variants of its own"));
	write_variant_card(dir, "fam", "fam.onnx", 512, 512, "fam_wide,fam_gone", "centernet");
	write_variant_card(dir, "fam_wide", "w.onnx", 512, 288, NULL, "centernet");
	assert_int_equal(ob_model_pick(dir, "fam", 1280, 720, &card), OB_ERR_MODEL);
	assert_non_null(strstr(ob_errmsg(), "model 'fam_gone' not found"));
	/* malformed lists name the line; a centernet input off the stride grid is refused */
	write_variant_card(dir, "fam", "fam.onnx", 512, 512, "fam_wide, fam_tall", "centernet");
	assert_int_equal(ob_model_find(dir, "fam", &card), OB_ERR_MODEL);
	assert_non_null(strstr(ob_errmsg(), "fam.card:6: must be card names"));
	write_variant_card(dir, "fam", "fam.onnx", 512, 512, "fam_wide,", "centernet");
	assert_int_equal(ob_model_find(dir, "fam", &card), OB_ERR_MODEL);
	assert_non_null(strstr(ob_errmsg(), "fam.card:6: ends with a comma"));
	write_variant_card(dir, "fam", "fam.onnx", 512, 510, NULL, "centernet");
	assert_int_equal(ob_model_find(dir, "fam", &card), OB_ERR_MODEL);
	assert_non_null(strstr(ob_errmsg(), "not a multiple of the centernet stride 4"));
	/* ties go to the earlier card: two 16:9 variants, the first listed wins */
	write_variant_card(dir, "fam", "fam.onnx", 512, 512, "fam_wide,fam_wide2", "centernet");
	write_variant_card(dir, "fam_wide2", "w2.onnx", 1024, 576, NULL, "centernet");
	assert_int_equal(ob_model_pick(dir, "fam", 1920, 1080, &card), 0);
	assert_string_equal(card.name, "fam_wide");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* People on the photos: CenterNet finds a person around every annotated face. */
static void test_centernet_people(void **state)
{
	struct ob_detector *d = NULL;
	size_t faces = 0, covered = 0;

	(void)state;
	assert_int_equal(ob_detector_open(model_dir(), "centernet", 0, 0, 0, &d), 0);
	for (int n = 4; n <= 6; n++) {
		struct ob_box gt[64];
		struct ob_detections dets = { 0 };
		AVFrame *f = NULL;
		char path[128];
		size_t ngt = load_truth(n, gt, 64);

		snprintf(path, sizeof(path), SAMPLES "/sample%d.jpg", n);
		assert_int_equal(ob_image_load(path, &f), 0);
		assert_int_equal(ob_detector_run(d, f, NULL, -1, &dets), 0);
		for (size_t g = 0; g < ngt; g++) {
			double cx = gt[g].x + gt[g].w / 2, cy = gt[g].y + gt[g].h / 2;

			faces++;
			for (size_t i = 0; i < dets.n; i++) {
				const struct ob_box *b = &dets.v[i].box;
				if (dets.v[i].cls == OB_CLASS_PERSON && cx > b->x && cx < b->x + b->w &&
				    cy > b->y && cy < b->y + b->h) {
					covered++;
					break;
				}
			}
		}
		ob_detections_release(&dets);
		av_frame_free(&f);
	}
	printf("centernet: %zu/%zu faces inside a person box\n", covered, faces);
	assert_true(covered * 10 >= faces * 8);
	ob_detector_free(&d);
}

/* A card for synthetic YOLO tensors: 64x64 input, 3 classes. */
static void yolo_card(struct ob_model_card *c, enum ob_decoder_type t)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "yolo");
	snprintf(c->task, sizeof(c->task), "multi");
	c->width = c->height = 64;
	c->n_outputs = 1;
	c->dec.type = t;
	c->dec.num_classes = 3;
	c->dec.score_threshold = 0.5;
	c->dec.nms_iou = 0.45;
	c->dec.max_detections = 100;
	snprintf(c->labels[0], OB_MODEL_MAX_LABEL, "person");
	snprintf(c->labels[1], OB_MODEL_MAX_LABEL, "car");
	snprintf(c->labels[2], OB_MODEL_MAX_LABEL, "license_plate");
}

static void test_yolo_synthetic(void **state)
{
	/* rows: cx cy w h obj c0 c1 c2 */
	static const float rows[4][8] = {
		{ 16, 16, 8, 16, 0.9f, 0.9f, 0.1f, 0.0f }, /* person, score 0.81 */
		{ 17, 16, 8, 16, 0.8f, 0.9f, 0.1f, 0.0f }, /* same person, suppressed */
		{ 17, 16, 8, 16, 0.8f, 0.1f, 0.0f, 0.9f }, /* plate at the same place: other class, kept */
		{ 40, 40, 10, 4, 0.3f, 0.0f, 0.9f, 0.0f }, /* car below threshold (0.27) */
	};
	struct ob_letterbox lb = { .ox = 100, .oy = 50, .sx = 0.5, .sy = 0.5, .in_w = 64, .in_h = 64 };
	struct ob_model_card card;
	float v8[7 * 4];
	struct ob_tensor t = { .data = &rows[0][0], .ndim = 3, .shape = { 1, 4, 8 }, .count = 32 };
	struct ob_detections d = { 0 };

	(void)state;
	yolo_card(&card, OB_DECODER_YOLOV5);
	assert_int_equal(ob_decode(&card, &t, &lb, -1, &d), 0);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.v[0].cls, OB_CLASS_PERSON);
	assert_float_equal(d.v[0].score, 0.81, 1e-5);
	assert_float_equal(d.v[0].box.x, 100 + 12 / 0.5, 1e-9); /* input 12..20 -> frame 124..140 */
	assert_float_equal(d.v[0].box.w, 16, 1e-9);
	assert_float_equal(d.v[0].box.y, 50 + 8 / 0.5, 1e-9);
	assert_int_equal(d.v[1].cls, OB_CLASS_TEXT);
	ob_detections_clear(&d);

	/* YOLOv8: [1, 4+C, N], no objectness. */
	yolo_card(&card, OB_DECODER_YOLOV8);
	for (int i = 0; i < 4; i++)
		for (int k = 0; k < 7; k++)
			v8[k * 4 + i] = rows[i][k < 4 ? k : k + 1];
	t = (struct ob_tensor){ .data = v8, .ndim = 3, .shape = { 1, 7, 4 }, .count = 28 };
	assert_int_equal(ob_decode(&card, &t, &lb, -1, &d), 0);
	assert_int_equal(d.n, 3); /* person (one of two), plate, car at 0.9 */
	assert_int_equal(d.v[0].cls, OB_CLASS_PERSON);
	assert_float_equal(d.v[0].score, 0.9, 1e-6);
	ob_detections_clear(&d);

	/* A tensor whose size does not fit the card is an error, not garbage. */
	t.count = 27;
	assert_int_equal(ob_decode(&card, &t, &lb, -1, &d), OB_ERR_MODEL);
	ob_detections_release(&d);
}

/*
 * UltraFace: softmax scores [1,N,2] (1 = face) and corner boxes in fractions
 * of the 320x240 input, mapped back through the letterbox, then NMS.
 */
static void test_ultraface_synthetic(void **state)
{
	static const float scores[5][2] = {
		{ 0.1f, 0.9f },   /* face */
		{ 0.2f, 0.8f },   /* the same face a little lower: suppressed (IoU 0.6 > 0.3) */
		{ 0.7f, 0.3f },   /* below the threshold */
		{ 0.4f, 0.6f },   /* another face */
		{ 0.05f, 0.95f }, /* a box of no area: dropped */
	};
	static const float boxes[5][4] = {
		{ 0.1f, 0.2f, 0.2f, 0.4f },
		{ 0.1f, 0.25f, 0.2f, 0.45f },
		{ 0.5f, 0.5f, 0.6f, 0.7f },
		{ 0.75f, 0.5f, 0.8f, 0.6f },
		{ 0.3f, 0.3f, 0.3f, 0.4f },
	};
	/* a 1280x720 region letterboxed into 320x240: s = 0.25, picture in the top 180 rows */
	struct ob_letterbox lb = { .ox = 100, .oy = 50, .sx = 0.25, .sy = 0.25, .in_w = 320, .in_h = 240,
				   .used_w = 320, .used_h = 180 };
	struct ob_tensor t[2] = {
		{ .data = &scores[0][0], .ndim = 3, .shape = { 1, 5, 2 }, .count = 10 },
		{ .data = &boxes[0][0], .ndim = 3, .shape = { 1, 5, 4 }, .count = 20 },
	};
	struct ob_model_card card;
	struct ob_detections d = { 0 };

	(void)state;
	memset(&card, 0, sizeof(card));
	snprintf(card.name, sizeof(card.name), "ultraface");
	snprintf(card.task, sizeof(card.task), "face");
	snprintf(card.labels[0], OB_MODEL_MAX_LABEL, "face");
	card.width = 320;
	card.height = 240;
	card.n_outputs = 2;
	card.dec.type = OB_DECODER_ULTRAFACE;
	card.dec.score_threshold = 0.5;
	card.dec.nms_iou = 0.3;
	card.dec.max_detections = 100;
	card.dec.score_class = 1;
	assert_int_equal(ob_decode(&card, t, &lb, -1, &d), 0);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.v[0].cls, OB_CLASS_FACE);
	assert_float_equal(d.v[0].score, 0.9, 1e-6);
	/* x: 0.1 * 320 = 32 input px -> 100 + 32 / 0.25 = 228; y: 0.2 * 240 = 48 -> 50 + 192 = 242 */
	assert_float_equal(d.v[0].box.x, 228, 1e-4);
	assert_float_equal(d.v[0].box.y, 242, 1e-4);
	assert_float_equal(d.v[0].box.w, 128, 1e-4);
	assert_float_equal(d.v[0].box.h, 192, 1e-4);
	assert_float_equal(d.v[1].score, 0.6, 1e-6);
	assert_float_equal(d.v[1].box.x, 100 + 0.75 * 320 / 0.25, 1e-3);
	ob_detections_clear(&d);

	/* the caller's threshold overrides the card's */
	assert_int_equal(ob_decode(&card, t, &lb, 0.25, &d), 0);
	assert_int_equal(d.n, 3);
	ob_detections_clear(&d);

	/* tensors that do not fit the card are errors, not garbage */
	card.dec.anchor_count = 4420;
	assert_int_equal(ob_decode(&card, t, &lb, -1, &d), OB_ERR_MODEL);
	card.dec.anchor_count = 0;
	t[0].count = 9;
	assert_int_equal(ob_decode(&card, t, &lb, -1, &d), OB_ERR_MODEL);
	t[0].count = 10;
	card.dec.score_class = 2;
	assert_int_equal(ob_decode(&card, t, &lb, -1, &d), OB_ERR_MODEL);
	assert_int_equal(d.n, 0);
	ob_detections_release(&d);
}

/* A grey yuv420p frame. */
static AVFrame *grey_frame(int w, int h)
{
	AVFrame *f = av_frame_alloc();

	assert_non_null(f);
	f->format = AV_PIX_FMT_YUV420P;
	f->width = w;
	f->height = h;
	assert_int_equal(av_frame_get_buffer(f, 0), 0);
	for (int p = 0; p < 3; p++)
		memset(f->data[p], 128, (size_t)f->linesize[p] * (size_t)(p ? h / 2 : h));
	return f;
}

/*
 * Tiles take the input's shape: on a 1280x720 frame BlazeFace (256x256)
 * runs 5x3 square tiles of 320, UltraFace (320x240) 5x4 tiles of 320x240,
 * each plus the whole-frame pass; nothing is found on a plain grey frame.
 */
static void test_tiles_follow_input_shape(void **state)
{
	static const struct {
		const char *model;
		int tile;
		int64_t passes;
	} want[] = { { "blazeface", 320, 16 }, { "ultraface", 320, 21 } };
	AVFrame *f = grey_frame(1280, 720);

	(void)state;
	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
		struct ob_detector *d = NULL;
		struct ob_detections dets = { 0 };
		int64_t passes;
		double ms;
		int tile;

		assert_int_equal(ob_detector_open(model_dir(), want[k].model, 0, 0, 0, &d), 0);
		tile = ob_detect_face_tile(ob_detector_card(d), f->width, f->height);
		assert_int_equal(tile, want[k].tile);
		/* no tiles while one pass sees faces from 38.4 px: for both, landscape
		 * frames up to 768 px wide (PAL 768x576 included) */
		assert_int_equal(ob_detect_face_tile(ob_detector_card(d), 768, 576), 0);
		assert_true(ob_detect_face_tile(ob_detector_card(d), 960, 540) > 0);
		assert_true(ob_detect_face_tile(ob_detector_card(d), 770, 578) > 0);
		assert_int_equal(ob_detector_run_tiled(d, f, tile, RECIPE_FACE_THRESHOLD, &dets), 0);
		ob_detector_stats(d, &passes, &ms);
		printf("%s on 1280x720: tile %d, %lld passes, %.1f ms forward\n", want[k].model, tile,
		       (long long)passes, ms);
		assert_int_equal(passes, want[k].passes);
		assert_int_equal(dets.n, 0);
		ob_detections_release(&dets);
		ob_detector_free(&d);
	}
	av_frame_free(&f);
}

/* Pastes face-api sampleN at scale into f at dx,dy (even); its annotated faces go to gt. */
static size_t paste_photo(AVFrame *f, int n, double scale, int dx, int dy, struct ob_box *gt, size_t max)
{
	AVFrame *ph = NULL;
	struct SwsContext *sws;
	char path[128];
	size_t ngt = load_truth(n, gt, max);
	int dw, dh;

	snprintf(path, sizeof(path), SAMPLES "/sample%d.jpg", n);
	assert_int_equal(ob_image_load(path, &ph), 0);
	dw = (int)(ph->width * scale) & ~1;
	dh = (int)(ph->height * scale) & ~1;
	assert_true(dx + dw <= f->width && dy + dh <= f->height);
	sws = sws_getContext(ph->width, ph->height, AV_PIX_FMT_YUV420P, dw, dh, AV_PIX_FMT_YUV420P, SWS_AREA, NULL,
			     NULL, NULL);
	assert_non_null(sws);
	{
		uint8_t *dst[4] = { f->data[0] + (size_t)dy * f->linesize[0] + dx,
				    f->data[1] + (size_t)(dy / 2) * f->linesize[1] + dx / 2,
				    f->data[2] + (size_t)(dy / 2) * f->linesize[2] + dx / 2, NULL };

		sws_scale(sws, (const uint8_t *const *)ph->data, ph->linesize, 0, ph->height, dst, f->linesize);
	}
	sws_freeContext(sws);
	for (size_t g = 0; g < ngt; g++)
		gt[g] = (struct ob_box){ dx + gt[g].x * dw / ph->width, dy + gt[g].y * dh / ph->height,
					 gt[g].w * dw / ph->width, gt[g].h * dh / ph->height };
	av_frame_free(&ph);
	return ngt;
}

/*
 * Mid-size faces on a 1080p frame, between what tiles add and what the
 * whole-frame pass sees: each face-api photo at 0.35 (faces 52-88 px wide,
 * UltraFace's boxes a third taller) on grey.  A tile adds boxes up to a
 * third of its width whatever their height: judged by a 320x240 tile's
 * height (80 px), UltraFace's taller boxes were dropped from the tiles and
 * the whole-frame pass, at 1/6 scale, missed one of the 22 faces.
 */
static void test_tiles_keep_mid_faces(void **state)
{
	static const char *const models[] = { "ultraface", "blazeface" };

	(void)state;
	for (size_t m = 0; m < sizeof(models) / sizeof(models[0]); m++) {
		struct ob_detector *d = NULL;
		size_t found = 0, total = 0;

		assert_int_equal(ob_detector_open(model_dir(), models[m], 0, 0, 0, &d), 0);
		for (int n = 1; n <= 6; n++) {
			struct ob_box gt[64];
			struct ob_detections dets = { 0 };
			AVFrame *f = grey_frame(1920, 1080);
			size_t ngt = paste_photo(f, n, 0.35, 480, 200, gt, 64), fp;
			int tile;

			tile = ob_detect_face_tile(ob_detector_card(d), f->width, f->height);
			assert_true(tile > 0);
			assert_int_equal(ob_detector_run_tiled(d, f, tile, RECIPE_FACE_THRESHOLD, &dets), 0);
			found += match(gt, ngt, &dets, &fp);
			total += ngt;
			ob_detections_release(&dets);
			av_frame_free(&f);
		}
		printf("%s tiled on 1920x1080, face-api photos at 0.35 (faces 52-88 px): %zu/%zu\n",
		       models[m], found, total);
		assert_int_equal(total, 22);
		assert_int_equal(found, 22);
		ob_detector_free(&d);
	}
}

/*
 * A search with memory (ob_tiling, refresh 4) on a 1280x720 frame with
 * sample1's three faces at 24-26 px: the first call searches all 21
 * regions; the same picture again costs only the refresh share (21/4 a call:
 * 5 regions) and gives the same faces; sample4's faces pasted into one
 * corner are found on the very next call, which searches the regions they
 * changed; and a new threshold, a new answer, searches every region afresh.
 */
static void test_tiling_looks_where_changed(void **state)
{
	AVFrame *f = grey_frame(1280, 720);
	struct ob_detector *d = NULL;
	struct ob_tiling *t = NULL;
	struct ob_tiling_stats st;
	struct ob_detections a = { 0 }, b = { 0 };
	struct ob_box gt1[16], gt4[16];
	size_t n1, n4, fp;
	int64_t searched;
	int tile;

	(void)state;
	assert_int_equal(ob_detector_open(model_dir(), "ultraface", 0, 0, 0, &d), 0);
	n1 = paste_photo(f, 1, 0.12, 600, 300, gt1, 16);
	tile = ob_detect_face_tile(ob_detector_card(d), f->width, f->height);
	assert_int_equal(ob_tiling_open(d, f->width, f->height, tile, 4, &t), 0);
	assert_int_equal(ob_tiling_run(t, d, f, RECIPE_FACE_THRESHOLD, &a), 0);
	ob_tiling_stats(t, &st);
	assert_int_equal(st.regions, 21);
	assert_int_equal(st.searched, 21);
	assert_int_equal(match(gt1, n1, &a, &fp), n1);
	for (size_t i = 0; i < a.n; i++) /* found by this call's passes */
		assert_int_equal(a.v[i].stale, 0);
	/* the same picture: no pass; the refresh share (5 regions) is not owed,
	 * no sample having moved; the same faces, found before (stale) */
	assert_int_equal(ob_tiling_run(t, d, f, RECIPE_FACE_THRESHOLD, &b), 0);
	ob_tiling_stats(t, &st);
	assert_int_equal(st.searched, 21);
	assert_int_equal(st.reused, 21);
	assert_int_equal(st.still, 5);
	assert_int_equal(b.n, a.n);
	for (size_t i = 0; i < a.n; i++) {
		assert_memory_equal(&a.v[i].box, &b.v[i].box, sizeof(a.v[i].box));
		assert_int_equal(b.v[i].stale, 1);
	}
	/* a change that every cell's mean hides (+-12 in a checkerboard of
	 * pixels): nothing searched at once, but the refresh share is */
	for (int y = 0; y < f->height; y++)
		for (int x = 0; x < f->width; x++) {
			uint8_t *p = f->data[0] + (size_t)y * f->linesize[0] + x;
			int v = *p + ((x + y) % 2 ? 12 : -12);

			*p = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
		}
	ob_detections_clear(&b);
	assert_int_equal(ob_tiling_run(t, d, f, RECIPE_FACE_THRESHOLD, &b), 0);
	ob_tiling_stats(t, &st);
	printf("ultraface, memory: a change hidden in every cell's mean: %lld of 21 regions searched\n",
	       (long long)(st.searched - 21));
	assert_true(st.searched - 21 >= 5 && st.searched - 21 < 21);
	/* new faces in a corner no refresh would reach yet: found at once */
	n4 = paste_photo(f, 4, 0.1, 1080, 570, gt4, 16);
	ob_detections_clear(&b);
	assert_int_equal(ob_tiling_run(t, d, f, RECIPE_FACE_THRESHOLD, &b), 0);
	printf("ultraface, memory: sample4's %zu faces found %zu, sample1's %zu still %zu\n", n4,
	       match(gt4, n4, &b, &fp), n1, match(gt1, n1, &b, &fp));
	assert_int_equal(match(gt4, n4, &b, &fp), n4);
	assert_int_equal(match(gt1, n1, &b, &fp), n1);
	for (size_t i = 0; i < b.n; i++) /* the new faces, searched now: not stale */
		if (b.v[i].box.x > 1000 && b.v[i].box.y > 500)
			assert_int_equal(b.v[i].stale, 0);
	ob_tiling_stats(t, &st);
	assert_true(st.searched < 21 * 3);
	/* a different threshold is a different answer: everything afresh */
	searched = st.searched;
	assert_int_equal(ob_tiling_run(t, d, f, RECIPE_FACE_THRESHOLD + 0.1, &b), 0);
	ob_tiling_stats(t, &st);
	assert_int_equal(st.searched - searched, 21);
	assert_int_equal(st.rested, 0); /* a still camera's tiles never rest */
	ob_detections_release(&a);
	ob_detections_release(&b);
	ob_tiling_free(&t);
	ob_detector_free(&d);
	av_frame_free(&f);
}

/* A 1280x720 picture panned by `pan` px: a luma ramp (every cell's mean
 * moves by 3 levels a px of pan) with sample1's three faces (23-24 px)
 * riding on it, two of them inside one tile only (x 560-720, y 400-480),
 * and sample4's (about 20 px) in the lower right corner when `corner`; the
 * true boxes in gt1 and gt4. */
static AVFrame *panned_frame(int pan, bool corner, struct ob_box *gt1, size_t *n1, struct ob_box *gt4, size_t *n4)
{
	AVFrame *f = grey_frame(1280, 720);

	for (int y = 0; y < f->height; y++)
		for (int x = 0; x < f->width; x++)
			f->data[0][(size_t)y * f->linesize[0] + x] = (uint8_t)(64 + (3 * (x + pan) + y / 4) % 128);
	*n1 = paste_photo(f, 1, 0.12, 600 - pan, 360, gt1, 16);
	*n4 = corner ? paste_photo(f, 4, 0.1, 1080 - pan, 570, gt4, 16) : 0;
	return f;
}

/* match() of the boxes scoring at least thr. */
static size_t match_from(const struct ob_box *gt, size_t ngt, const struct ob_detections *d, double thr)
{
	struct ob_detections above = { 0 };
	size_t hit, fp;

	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].score >= thr)
			assert_int_equal(ob_detections_push(&above, &d->v[i]), 0);
	hit = match(gt, ngt, &above, &fp);
	ob_detections_release(&above);
	return hit;
}

/* Pastes face `face` of face-api sampleN alone, `w` px wide, at x,y (even); its box in *gt. */
static void paste_face(AVFrame *f, int n, size_t face, int w, int x, int y, struct ob_box *gt)
{
	AVFrame *ph = NULL;
	struct SwsContext *sws;
	struct ob_box all[16];
	char path[128];
	int sx, sy, sw, sh, h;

	assert_true(load_truth(n, all, 16) > face);
	snprintf(path, sizeof(path), SAMPLES "/sample%d.jpg", n);
	assert_int_equal(ob_image_load(path, &ph), 0);
	sx = (int)all[face].x & ~1;
	sy = (int)all[face].y & ~1;
	sw = (int)all[face].w & ~1;
	sh = (int)all[face].h & ~1;
	h = (int)((double)w * sh / sw) & ~1;
	sws = sws_getContext(sw, sh, AV_PIX_FMT_YUV420P, w, h, AV_PIX_FMT_YUV420P, SWS_AREA, NULL, NULL, NULL);
	assert_non_null(sws);
	{
		const uint8_t *src[4] = { ph->data[0] + (size_t)sy * ph->linesize[0] + sx,
					  ph->data[1] + (size_t)(sy / 2) * ph->linesize[1] + sx / 2,
					  ph->data[2] + (size_t)(sy / 2) * ph->linesize[2] + sx / 2, NULL };
		uint8_t *dst[4] = { f->data[0] + (size_t)y * f->linesize[0] + x,
				    f->data[1] + (size_t)(y / 2) * f->linesize[1] + x / 2,
				    f->data[2] + (size_t)(y / 2) * f->linesize[2] + x / 2, NULL };

		sws_scale(sws, src, ph->linesize, 0, sh, dst, f->linesize);
	}
	sws_freeContext(sws);
	*gt = (struct ob_box){ x, y, w, h };
	av_frame_free(&ph);
}

/* Paints box b (even) grey again. */
static void unpaint(AVFrame *f, struct ob_box b)
{
	for (int y = (int)b.y; y < (int)(b.y + b.h); y++) {
		memset(f->data[0] + (size_t)y * f->linesize[0] + (int)b.x, 128, (size_t)b.w);
		if (y % 2 == 0) {
			memset(f->data[1] + (size_t)(y / 2) * f->linesize[1] + (int)b.x / 2, 128, (size_t)b.w / 2);
			memset(f->data[2] + (size_t)(y / 2) * f->linesize[2] + (int)b.x / 2, 128, (size_t)b.w / 2);
		}
	}
}

/* match() of the boxes scoring at least thr, counting only those found on this call (fresh). */
static size_t match_fresh(const struct ob_box *gt, size_t ngt, const struct ob_detections *d, double thr)
{
	struct ob_detections fresh = { 0 };
	size_t hit, fp;

	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].score >= thr && !d->v[i].stale)
			assert_int_equal(ob_detections_push(&fresh, &d->v[i]), 0);
	hit = match(gt, ngt, &fresh, &fp);
	ob_detections_release(&fresh);
	return hit;
}

/*
 * A fixed camera: one face of sample1 on a grey 1280x720 frame, which the
 * whole-frame pass finds clearly, moves right on every call.  Alone (56 px,
 * 12 px a call; the whole-frame pass scores it lower than a tile, so a
 * tile's box of it where it was would win the merge): the tiles over it are
 * left to the whole-frame pass (followed), which finds it where it is now,
 * and nothing a tile found where it was stands; a change away from it in
 * the tile over it has that tile searched.  80 px, 16 px a call, with a
 * 22 px face moving along under its chin (found by tiles alone): those
 * tiles are searched, the small face found afresh on every call.  With a
 * 14 px face standing still under its chin, which tiles score 0.15-0.4: its
 * box stands on every call (its picture did not change).
 */
static void test_tiling_follows_a_face_the_whole_frame_sees(void **state)
{
	enum { ALONE, MOVING, STILL };
	static const struct {
		int small; /* what is under its chin */
		int face_w, step;
	} cases[] = { { ALONE, 56, 12 }, { MOVING, 80, 16 }, { STILL, 80, 16 } };
	struct ob_detector *d = NULL;

	(void)state;
	assert_int_equal(ob_detector_open(model_dir(), "ultraface", 0, 0, 0, &d), 0);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		int small_kind = cases[c].small, face_w = cases[c].face_w, step = cases[c].step;
		AVFrame *f = grey_frame(1280, 720);
		struct ob_tiling *t = NULL;
		struct ob_tiling_stats st;
		struct ob_box face, was = { 0, 0, 0, 0 }, small = { 0, 0, 0, 0 };
		int64_t searched = 0, followed = 0;
		int tile = ob_detect_face_tile(ob_detector_card(d), f->width, f->height);

		assert_int_equal(ob_tiling_open(d, f->width, f->height, tile, 8, &t), 0);
		paste_face(f, 1, 0, face_w, 380, 250, &face);
		if (small_kind == STILL) /* below where the face will be, within its reach */
			paste_face(f, 1, 2, 14, 420, ((int)(face.y + face.h) + 6) & ~1, &small);
		for (int call = 0; call < 3; call++) {
			struct ob_detections b = { 0 };
			size_t fp;

			if (call > 0) { /* the face (and the small one with it) moves right */
				was = face;
				unpaint(f, face);
				if (small_kind == MOVING)
					unpaint(f, small);
				paste_face(f, 1, 0, face_w, (int)face.x + step, (int)face.y, &face);
			}
			if (small_kind == MOVING)
				paste_face(f, 4, 0, 22, ((int)face.x + 20) & ~1, ((int)(face.y + face.h) + 6) & ~1,
					   &small);
			if (call == 2) /* and a change away from it, in a tile over it (x 240-560, y 160-400) */
				for (int y = 170; y < 200; y++)
					memset(f->data[0] + (size_t)y * f->linesize[0] + 250, 250, 30);
			assert_int_equal(ob_tiling_run(t, d, f, 0.1, &b), 0);
			ob_tiling_stats(t, &st);
			printf("ultraface, a face moving%s: call %d searched %lld of 21 regions, %lld followed; "
			       "face found %zu, small %zu (fresh %zu)\n",
			       small_kind == MOVING ? " with a small one" : small_kind == STILL ? " by a weak one" : "",
			       call, (long long)(st.searched - searched), (long long)(st.followed - followed),
			       match_from(&face, 1, &b, RECIPE_FACE_THRESHOLD),
			       small_kind ? match_from(&small, 1, &b, OB_TILING_HELD) : 0,
			       small_kind ? match_fresh(&small, 1, &b, OB_TILING_HELD) : 0);
			assert_int_equal(match_from(&face, 1, &b, RECIPE_FACE_THRESHOLD), 1);
			if (small_kind == MOVING) /* searched where it moved */
				assert_int_equal(match_fresh(&small, 1, &b, RECIPE_FACE_THRESHOLD), 1);
			if (small_kind == STILL) /* what the tiles saw of it stands */
				assert_int_equal(match_from(&small, 1, &b, OB_TILING_HELD), 1);
			for (size_t i = 0; i < b.n; i++) { /* nothing of where the face was */
				struct ob_detections one = { &b.v[i], 1, 1 };

				if (b.v[i].score >= RECIPE_FACE_THRESHOLD && b.v[i].box.w > 40)
					assert_int_equal(match(&face, 1, &one, &fp), 1);
				if (call > 0 && ob_box_inter(b.v[i].box, was) > 0 &&
				    ob_box_iou(b.v[i].box, small) < 0.4)
					assert_int_equal(b.v[i].stale, 0);
			}
			if (call == 0)
				assert_int_equal(st.searched, 21);
			if (call == 1 && small_kind != MOVING)
				assert_true(st.followed - followed >= 1);
			if (call == 2 && small_kind == ALONE) /* the one tile over it changed there too: searched */
				assert_int_equal(st.followed - followed, 0);
			searched = st.searched;
			followed = st.followed;
			ob_detections_release(&b);
		}
		ob_tiling_free(&t);
		av_frame_free(&f);
	}
	ob_detector_free(&d);
}

/*
 * A moving picture (every tile changed), searched down to 0.1 as the face
 * lane is (its track's low): a tile whose last search found nothing there
 * from OB_TILING_HELD rests on every other call, in a checkerboard, and
 * gives nothing while it rests (its old answer, weak boxes included, was of
 * a picture that moved); the tile holding two of sample1's faces alone is
 * searched on every call, so every face is found on every call; faces that
 * come into the corner are found on that call or the next.
 */
static void test_tiling_rests_empty_tiles_of_a_moving_picture(void **state)
{
	struct ob_detector *d = NULL;
	struct ob_tiling *t = NULL;
	struct ob_tiling_stats st;
	struct ob_box gt1[16], gt4[16];
	size_t n1, n4;
	int64_t searched = 0;
	int tile;
	static const int pan[] = { 0, 12, 0, 24 }; /* back to the first picture on call 2 */
	int64_t rested = 0;

	(void)state;
	/* a tile holding a box a closer look is owed (look.h) is searched every call */
	assert_true(OB_TILING_HELD <= OB_LOOK_CLOSE_SCORE);
	assert_int_equal(ob_detector_open(model_dir(), "ultraface", 0, 0, 0, &d), 0);
	tile = ob_detect_face_tile(ob_detector_card(d), 1280, 720);
	assert_int_equal(ob_tiling_open(d, 1280, 720, tile, 8, &t), 0);
	for (int call = 0; call < 4; call++) {
		AVFrame *f = panned_frame(pan[call], call >= 2, gt1, &n1, gt4, &n4);
		struct ob_detections b = { 0 };

		assert_int_equal(ob_tiling_run(t, d, f, 0.1, &b), 0);
		ob_tiling_stats(t, &st);
		printf("ultraface, panning: call %d searched %lld of 21 regions (%lld rested in all), "
		       "sample1 %zu/%zu, sample4 %zu/%zu\n",
		       call, (long long)(st.searched - searched), (long long)st.rested,
		       match_from(gt1, n1, &b, RECIPE_FACE_THRESHOLD), n1, match_from(gt4, n4, &b, RECIPE_FACE_THRESHOLD),
		       n4);
		assert_int_equal(n1, 3);
		assert_int_equal(match_from(gt1, n1, &b, RECIPE_FACE_THRESHOLD), n1);
		for (size_t i = 0; i < b.n; i++) /* nothing of a moved picture's old answers */
			assert_int_equal(b.v[i].stale, 0);
		if (call == 0)
			assert_int_equal(st.searched, 21);
		else /* about half the tiles rest: those with nothing in them */
			assert_true(st.searched - searched >= 8 && st.searched - searched <= 16);
		if (call == 2) /* a tile that rested is searched next, even on the picture it saw last */
			assert_true(st.searched - searched >= st.rested - rested);
		if (call == 3) /* came in on call 2: found by call 3 */
			assert_int_equal(match_from(gt4, n4, &b, RECIPE_FACE_THRESHOLD), n4);
		searched = st.searched;
		rested = st.rested;
		ob_detections_release(&b);
		av_frame_free(&f);
	}
	assert_true(st.rested >= 12);
	ob_tiling_free(&t);
	ob_detector_free(&d);
}

/*
 * A mosaic pass (ob_detector_run_mosaic): a small face (21-30 px) of each
 * of samples 1-4, far apart on a grey 1280x720 frame, each in a closer
 * look's crop at a quarter input's shape, searched in one UltraFace pass:
 * each quarter's answer holds its own face, in frame pixels, and nothing
 * outside its crop, with two, three or four regions (one pass each), or
 * with the first quarter left empty; a mosaic of none, of empty quarters
 * only or of more than four is refused.
 */
static void test_mosaic_pass(void **state)
{
	AVFrame *f = grey_frame(1280, 720);
	struct ob_detector *d = NULL;
	struct ob_detections out[OB_DETECT_MOSAIC] = { { 0 } };
	struct ob_box want[OB_DETECT_MOSAIC], rois[OB_DETECT_MOSAIC + 1];
	int64_t passes;
	double ms;

	(void)state;
	assert_int_equal(ob_detector_open(model_dir(), "ultraface", 0, 0, 0, &d), 0);
	for (int k = 0; k < OB_DETECT_MOSAIC; k++) { /* a face of each of four photos, far apart */
		struct ob_box gt[16];

		assert_true(paste_photo(f, k + 1, 0.12, 100 + 300 * k, k % 2 ? 450 : 100, gt, 16) >= 1);
		want[k] = gt[0];
	}
	for (int k = 0; k < OB_DETECT_MOSAIC; k++) { /* each face off its crop's centre its own way */
		rois[k] = ob_look_crop(want[k], f->width, f->height, 160, 120);
		rois[k].x += 12 * (k - 1.5);
		rois[k].y += k % 2 ? 10 : -10;
	}
	for (size_t n = 2; n <= OB_DETECT_MOSAIC; n++) {
		assert_int_equal(ob_detector_run_mosaic(d, f, rois, n, RECIPE_FACE_THRESHOLD, out), 0);
		for (size_t k = 0; k < n; k++) {
			size_t fp;

			assert_int_equal(match(&want[k], 1, &out[k], &fp), 1);
			ob_detections_clear(&out[k]);
		}
	}
	assert_int_equal(ob_detector_run_mosaic(d, f, rois, OB_DETECT_MOSAIC, RECIPE_FACE_THRESHOLD, out), 0);
	ob_detector_stats(d, &passes, &ms);
	assert_int_equal(passes, OB_DETECT_MOSAIC);
	for (int k = 0; k < OB_DETECT_MOSAIC; k++) {
		size_t fp;

		printf("mosaic quarter %d: face %.0f,%.0f %.0fx%.0f, %zu boxes", k, want[k].x, want[k].y, want[k].w,
		       want[k].h, out[k].n);
		for (size_t i = 0; i < out[k].n; i++)
			printf(" [%.0f,%.0f %.0fx%.0f %.2f]", out[k].v[i].box.x, out[k].v[i].box.y, out[k].v[i].box.w,
			       out[k].v[i].box.h, out[k].v[i].score);
		printf("\n");
		assert_int_equal(match(&want[k], 1, &out[k], &fp), 1);
		for (size_t i = 0; i < out[k].n; i++) { /* inside its own crop (read from even pixels) */
			struct ob_box r = { rois[k].x - 2, rois[k].y - 2, rois[k].w + 4, rois[k].h + 4 };

			assert_true(ob_box_inter(out[k].v[i].box, r) >= 0.999 * out[k].v[i].box.w * out[k].v[i].box.h);
		}
		ob_detections_release(&out[k]);
	}
	/* an empty quarter (no width) is left black: a region in the next one alone */
	{
		struct ob_box two[2] = { { 0, 0, 0, 0 }, rois[1] };
		size_t fp;

		assert_int_equal(ob_detector_run_mosaic(d, f, two, 2, RECIPE_FACE_THRESHOLD, out), 0);
		assert_int_equal(out[0].n, 0);
		assert_int_equal(match(&want[1], 1, &out[1], &fp), 1);
		ob_detections_clear(&out[1]);
		two[1].w = 0;
		assert_int_equal(ob_detector_run_mosaic(d, f, two, 2, RECIPE_FACE_THRESHOLD, out), OB_ERR_INTERNAL);
	}
	assert_int_equal(ob_detector_run_mosaic(d, f, rois, 0, RECIPE_FACE_THRESHOLD, out), OB_ERR_INTERNAL);
	assert_int_equal(ob_detector_run_mosaic(d, f, rois, OB_DETECT_MOSAIC + 1, RECIPE_FACE_THRESHOLD, out),
			 OB_ERR_INTERNAL);
	for (int k = 0; k < OB_DETECT_MOSAIC; k++)
		ob_detections_release(&out[k]);
	ob_detector_free(&d);
	av_frame_free(&f);
}

/* How many of want's boxes (persons from 0.3) have a box of got at IoU >= 0.5. */
static size_t same_people(const struct ob_detections *want, const struct ob_detections *got, size_t *of)
{
	size_t n = 0;

	*of = 0;
	for (size_t i = 0; i < want->n; i++) {
		bool hit = false;

		if (want->v[i].cls != OB_CLASS_PERSON || want->v[i].score < 0.3)
			continue;
		++*of;
		for (size_t k = 0; k < got->n && !hit; k++)
			hit = got->v[k].cls == OB_CLASS_PERSON && ob_box_iou(want->v[i].box, got->v[k].box) >= 0.5;
		n += hit;
	}
	return n;
}

/*
 * A whole-frame search of a network that runs at any input size
 * (CenterNet) searches a change alone: sample1 on the left of a grey
 * 1280x720 frame is found by a whole-frame pass; sample4 pasted on the
 * right the next call is searched in a crop (no whole-frame pass) and the
 * people of both are the ones a whole-frame pass of that frame finds; the
 * whole frame is searched again once `refresh` calls have passed.
 */
static void test_tiling_crops_where_changed(void **state)
{
	AVFrame *f = grey_frame(1280, 720);
	struct ob_detector *d = NULL;
	struct ob_tiling *t = NULL;
	struct ob_tiling_stats st;
	struct ob_detections a = { 0 }, b = { 0 }, whole = { 0 };
	struct ob_box gt[16];
	size_t of, same;

	(void)state;
	assert_int_equal(ob_detector_open(model_dir(), "centernet", f->width, f->height, 0, &d), 0);
	assert_true(ob_detector_any_size(d));
	paste_photo(f, 1, 0.3, 40, 120, gt, 16);
	assert_int_equal(ob_tiling_open(d, f->width, f->height, 0, 3, &t), 0);
	assert_int_equal(ob_tiling_run(t, d, f, 0.3, &a), 0);
	ob_tiling_stats(t, &st);
	assert_int_equal(st.searched, 1);
	assert_int_equal(st.cropped, 0);
	assert_true(a.n > 0);
	paste_photo(f, 4, 0.22, 820, 360, gt, 16);
	assert_int_equal(ob_tiling_run(t, d, f, 0.3, &b), 0);
	ob_tiling_stats(t, &st);
	assert_int_equal(st.searched, 1); /* no whole-frame pass */
	assert_int_equal(st.cropped, 1);
	assert_int_equal(ob_detector_run(d, f, NULL, 0.3, &whole), 0);
	same = same_people(&whole, &b, &of);
	printf("centernet, crops: a whole-frame pass finds %zu people, the crop search %zu of them (%zu boxes)\n",
	       of, same, b.n);
	assert_true(of > a.n);
	assert_int_equal(same, of);
	/* the crop's picture is remembered: the same frame again is no pass;
	 * refresh 3: the third call after the whole-frame pass searches it whole */
	ob_detections_clear(&b);
	assert_int_equal(ob_tiling_run(t, d, f, 0.3, &b), 0);
	ob_tiling_stats(t, &st);
	assert_int_equal(st.searched, 1);
	assert_int_equal(st.cropped, 1);
	assert_int_equal(same_people(&whole, &b, &of), of);
	ob_detections_clear(&b);
	assert_int_equal(ob_tiling_run(t, d, f, 0.3, &b), 0);
	ob_tiling_stats(t, &st);
	assert_int_equal(st.searched, 2);
	assert_int_equal(st.cropped, 1);
	ob_detections_release(&a);
	ob_detections_release(&b);
	ob_detections_release(&whole);
	ob_tiling_free(&t);
	ob_detector_free(&d);
	av_frame_free(&f);
}

/*
 * A crop holds whole every box of the last searches it meets, also once it
 * has grown to its input's size: sample4's three people on the left of a
 * grey 1280x720 frame, then a 16 px change right of the rightmost one, so
 * far that the change with its margin (96 px) does not reach that person's
 * box but the crop sized to its input (320 px square at CenterNet's 0.4)
 * does.  A crop that took that box away and saw only a strip of the person
 * found nothing there, and the person was gone from the answer until the
 * refresh (sample3 at 0.2: a 188x238 person became a 54x136 box).
 */
static void test_tiling_crops_hold_what_they_grow_onto(void **state)
{
	AVFrame *f = grey_frame(1280, 720);
	struct ob_detector *d = NULL;
	struct ob_tiling *t = NULL;
	struct ob_tiling_stats st;
	struct ob_detections a = { 0 }, b = { 0 }, whole = { 0 };
	struct ob_box gt[16], right = { 0 };
	size_t of, same;
	int x, y;

	(void)state;
	assert_int_equal(ob_detector_open(model_dir(), "centernet", f->width, f->height, 0, &d), 0);
	paste_photo(f, 4, 0.2, 40, 120, gt, 16);
	assert_int_equal(ob_tiling_open(d, f->width, f->height, 0, 3, &t), 0);
	assert_int_equal(ob_tiling_run(t, d, f, 0.3, &a), 0);
	for (size_t i = 0; i < a.n; i++)
		if (a.v[i].cls == OB_CLASS_PERSON && a.v[i].box.x + a.v[i].box.w > right.x + right.w)
			right = a.v[i].box;
	assert_true(right.w > 0);
	/* the change's cells, grown by the margin (12 cells), end where that box does */
	x = ((int)ceil(right.x + right.w) + 7) / 8 * 8 + 96;
	y = ((int)(right.y + right.h / 2)) / 8 * 8;
	assert_true(x + 16 + 96 <= f->width);
	for (int r = y; r < y + 16; r++)
		memset(f->data[0] + (size_t)r * f->linesize[0] + x, 235, 16);
	assert_int_equal(ob_tiling_run(t, d, f, 0.3, &b), 0);
	ob_tiling_stats(t, &st);
	assert_int_equal(st.searched, 1); /* no whole-frame pass: a crop */
	assert_int_equal(st.cropped, 1);
	assert_int_equal(ob_detector_run(d, f, NULL, 0.3, &whole), 0);
	same = same_people(&whole, &b, &of);
	printf("centernet, a crop beside a person: a whole-frame pass finds %zu people, the crop search %zu of them\n",
	       of, same);
	assert_int_equal(same, of);
	ob_detections_release(&a);
	ob_detections_release(&b);
	ob_detections_release(&whole);
	ob_tiling_free(&t);
	ob_detector_free(&d);
	av_frame_free(&f);
}

/*
 * OpenCV 4.6 sets PP-OCR DB up for the first input shape it sees (fed
 * another it answers zeros): passes at other sizes run networks of their
 * own, and the card-size pass after them finds what it found before.
 */
static void test_sized_passes_keep_whole_pass(void **state)
{
	AVFrame *f = NULL;
	struct ob_detector *d = NULL;
	struct ob_detections a = { 0 }, b = { 0 }, c = { 0 };
	struct ob_box roi = { 0, 0, 640, 360 };

	(void)state;
	assert_int_equal(ob_image_load(CLIP, &f), 0);
	assert_int_equal(ob_detector_open(model_dir(), "ppocr_det", f->width, f->height, 0, &d), 0);
	assert_int_equal(ob_detector_run(d, f, NULL, -1, &a), 0);
	assert_int_equal(ob_detector_run_sized(d, f, &roi, 320, 192, -1, &b), 0);
	assert_int_equal(ob_detector_run_sized(d, f, &roi, 256, 128, -1, &b), 0);
	assert_int_equal(ob_detector_run_sized(d, f, &roi, 320, 190, -1, &b), OB_ERR_INTERNAL);
	assert_int_equal(ob_detector_run(d, f, NULL, -1, &c), 0);
	printf("ppocr_det on movie-hello frame 0: %zu boxes, again after sized passes %zu\n", a.n, c.n);
	assert_true(a.n >= 5);
	assert_int_equal(c.n, a.n);
	for (size_t i = 0; i < a.n; i++)
		assert_memory_equal(&a.v[i].box, &c.v[i].box, sizeof(a.v[i].box));
	assert_true(b.n > 0);
	ob_detections_release(&a);
	ob_detections_release(&b);
	ob_detections_release(&c);
	ob_detector_free(&d);
	av_frame_free(&f);
}

/*
 * Passes run ahead (ahead.h) find, box for box, what the same network finds
 * in the caller's thread; a frame not offered, or declined because every
 * slot is taken, is not taken; a failure comes back with its message; a
 * handle freed with passes waiting frees them.
 */
static void test_ahead_same_boxes(void **state)
{
	AVFrame *f[OB_AHEAD_SLOTS + 1], *rgb = av_frame_alloc();
	struct ob_detector *d = NULL, *d2 = NULL;
	struct ob_ahead *a = NULL;
	struct ob_detections want = { 0 }, got = { 0 };
	struct ob_box gt[16];
	bool taken;

	(void)state;
	assert_int_equal(ob_detector_open(model_dir(), "centernet", 1280, 720, 0, &d), 0);
	assert_int_equal(ob_detector_clone(d, 0, &d2), 0);
	assert_int_equal(ob_ahead_open(d2, 0.3, &a), 0);
	for (int i = 0; i <= OB_AHEAD_SLOTS; i++) {
		f[i] = grey_frame(1280, 720);
		paste_photo(f[i], 1 + i, 0.3, 40 + 100 * i, 100 + 20 * i, gt, 16);
		ob_ahead_offer(a, f[i], 10 * i); /* the last is declined: every slot taken */
	}
	for (int i = 0; i < OB_AHEAD_SLOTS; i++) {
		assert_true(ob_ahead_offered(a, 10 * i));
		ob_detections_clear(&want);
		ob_detections_clear(&got);
		assert_int_equal(ob_detector_run(d, f[i], NULL, 0.3, &want), 0);
		assert_int_equal(ob_ahead_take(a, 10 * i, &got, &taken), 0);
		assert_true(taken);
		printf("ahead: frame %d, %zu boxes, %zu in the caller's thread\n", i, got.n, want.n);
		assert_true(want.n > 0);
		assert_int_equal(got.n, want.n);
		for (size_t k = 0; k < want.n; k++) {
			assert_memory_equal(&got.v[k].box, &want.v[k].box, sizeof(want.v[k].box));
			assert_true(got.v[k].score == want.v[k].score);
			assert_int_equal(got.v[k].label, want.v[k].label);
		}
		assert_false(ob_ahead_offered(a, 10 * i));
	}
	assert_false(ob_ahead_offered(a, 10 * OB_AHEAD_SLOTS));
	assert_int_equal(ob_ahead_take(a, 10 * OB_AHEAD_SLOTS, &got, &taken), 0);
	assert_false(taken);
	/* a frame the network cannot take: its failure, with the message */
	rgb->format = AV_PIX_FMT_RGB24;
	rgb->width = 64;
	rgb->height = 64;
	assert_int_equal(av_frame_get_buffer(rgb, 0), 0);
	ob_ahead_offer(a, rgb, 99);
	assert_int_equal(ob_ahead_take(a, 99, &got, &taken), OB_ERR_INTERNAL);
	assert_true(taken);
	assert_non_null(strstr(ob_errmsg(), "rgb24"));
	/* freed with passes waiting */
	ob_ahead_offer(a, f[0], 100);
	ob_ahead_offer(a, f[1], 101);
	ob_ahead_free(&a);
	assert_null(a);
	for (int i = 0; i <= OB_AHEAD_SLOTS; i++)
		av_frame_free(&f[i]);
	av_frame_free(&rgb);
	ob_detections_release(&want);
	ob_detections_release(&got);
	ob_detector_free(&d);
}

/*
 * The same search split among threads (ob_tiling_plan, _search, _finish),
 * the regions shared by two instances of the network (ob_detector_clone),
 * gives what one ob_tiling_run gives, box for box: the detect stage runs a
 * frame's passes side by side (workers.h) and must not change the answer.
 */
static void test_tiling_split_among_instances(void **state)
{
	AVFrame *f = grey_frame(1280, 720);
	struct ob_detector *d = NULL, *d2 = NULL;
	struct ob_tiling *t1 = NULL, *t2 = NULL;
	struct ob_detections a = { 0 }, b = { 0 };
	struct ob_box gt[16];
	int regions[1 + OB_DETECT_MAX_TILES], n, tile;

	(void)state;
	assert_int_equal(ob_detector_open(model_dir(), "ultraface", 0, 0, 1, &d), 0);
	assert_int_equal(ob_detector_clone(d, 1, &d2), 0);
	assert_string_equal(ob_detector_card(d2)->sha256, ob_detector_card(d)->sha256);
	paste_photo(f, 1, 0.12, 600, 300, gt, 16);
	paste_photo(f, 4, 0.1, 60, 40, gt, 16);
	tile = ob_detect_face_tile(ob_detector_card(d), f->width, f->height);
	assert_int_equal(ob_tiling_open(d, f->width, f->height, tile, 1, &t1), 0);
	assert_int_equal(ob_tiling_open(d, f->width, f->height, tile, 1, &t2), 0);
	assert_int_equal(ob_tiling_run(t1, d, f, RECIPE_FACE_THRESHOLD, &a), 0);
	assert_int_equal(ob_tiling_plan(t2, f, RECIPE_FACE_THRESHOLD, regions, &n), 0);
	assert_int_equal(n, ob_tiling_regions(t2));
	for (int i = n - 1; i >= 0; i--) /* any order, either instance */
		assert_int_equal(ob_tiling_search(t2, regions[i], i % 2 ? d2 : d, f), 0);
	assert_int_equal(ob_tiling_finish(t2, ob_detector_card(d), 0, &b), 0);
	assert_true(a.n >= 3);
	assert_int_equal(b.n, a.n);
	for (size_t i = 0; i < a.n; i++) {
		assert_memory_equal(&a.v[i].box, &b.v[i].box, sizeof(a.v[i].box));
		assert_true(a.v[i].score == b.v[i].score);
	}
	/* a failed search: finish hands back its status and keeps nothing */
	ob_detections_clear(&b);
	assert_int_equal(ob_tiling_plan(t2, f, RECIPE_FACE_THRESHOLD, regions, &n), 0);
	assert_int_equal(ob_tiling_finish(t2, ob_detector_card(d), OB_ERR_MODEL, &b), OB_ERR_MODEL);
	assert_int_equal(b.n, 0);
	ob_detections_release(&a);
	ob_detections_release(&b);
	ob_tiling_free(&t1);
	ob_tiling_free(&t2);
	ob_detector_free(&d);
	ob_detector_free(&d2);
	av_frame_free(&f);
}

/*
 * Hands, knees and badges seen by a tile at full resolution score like
 * faces (0.5-0.9): each face-api photo at 0.4 (faces 60-100 px) on a grey
 * 1280x720 frame.  A tile box the whole-frame pass could judge but does not
 * see is dropped: UltraFace tiled found 6 such boxes besides the 22 faces
 * before, 2 now, and every face still.
 */
static void test_tiles_need_support(void **state)
{
	struct ob_detector *d = NULL;
	size_t found = 0, total = 0, fps = 0;

	(void)state;
	assert_int_equal(ob_detector_open(model_dir(), "ultraface", 0, 0, 0, &d), 0);
	for (int n = 1; n <= 6; n++) {
		struct ob_box gt[64];
		struct ob_detections dets = { 0 };
		AVFrame *f = grey_frame(1280, 720);
		size_t ngt = paste_photo(f, n, 0.4, 208, 14, gt, 64), fp;

		assert_int_equal(ob_detector_run_tiled(d, f, ob_detect_face_tile(ob_detector_card(d), 1280, 720),
						       RECIPE_FACE_THRESHOLD, &dets), 0);
		found += match(gt, ngt, &dets, &fp);
		total += ngt;
		fps += fp;
		ob_detections_release(&dets);
		av_frame_free(&f);
	}
	printf("ultraface tiled on 1280x720, face-api photos at 0.4: %zu/%zu faces, %zu other boxes\n", found, total,
	       fps);
	assert_int_equal(total, 22);
	assert_int_equal(found, 22);
	assert_true(fps <= 2);
	ob_detector_free(&d);
}

/*
 * A crowd: 250 faces 52 px wide (face-api's 22, each with some of its
 * photo around it, over and over) on a grey 1920x1080 frame.  They are
 * wider than half the whole-frame pass's smallest face (48 px), so a tile's
 * box of one stands only with that pass's support; that pass, run down to
 * 0.1 for it, keeps its card's max_detections (200) best boxes, and every
 * face past them lost its support: 234 of the 250 faces had a box from
 * the face threshold (248 with the cap raised to 4000).  A pass that kept
 * its max_detections supports every tile box: 249.
 */
static void test_tiles_support_in_a_crowd(void **state)
{
	AVFrame *f = grey_frame(1920, 1080), *photo[7] = { NULL };
	struct ob_box faces[7][64], gt[300];
	size_t nfaces[7], ngt = 0, covered = 0;
	struct ob_detections dets = { 0 };
	struct ob_detector *d = NULL;

	(void)state;
	for (int n = 1; n <= 6; n++) {
		char path[128];

		snprintf(path, sizeof(path), SAMPLES "/sample%d.jpg", n);
		assert_int_equal(ob_image_load(path, &photo[n]), 0);
		nfaces[n] = load_truth(n, faces[n], 64);
	}
	for (int y = 4, k = 0; y + 104 < f->height; y += 100)
		for (int x = 4; x + 88 < f->width; x += 76, k++) {
			int n = 1 + k % 6, sx, sy, sw, sh, w = 82, h;
			struct ob_box b = faces[n][(size_t)(k / 6) % nfaces[n]];
			struct SwsContext *sws;

			/* the face and 0.3 of its size around it, 82 px wide: the face 52 */
			sx = (int)fmax(0, b.x - 0.3 * b.w) & ~1;
			sy = (int)fmax(0, b.y - 0.3 * b.h) & ~1;
			sw = (int)(1.6 * b.w) & ~1;
			sh = (int)(1.6 * b.h) & ~1;
			if (sx + sw > photo[n]->width || sy + sh > photo[n]->height)
				continue;
			h = (int)((double)w * sh / sw) & ~1;
			sws = sws_getContext(sw, sh, AV_PIX_FMT_YUV420P, w, h, AV_PIX_FMT_YUV420P, SWS_AREA, NULL, NULL,
					     NULL);
			assert_non_null(sws);
			{
				const uint8_t *src[4] = {
					photo[n]->data[0] + (size_t)sy * photo[n]->linesize[0] + sx,
					photo[n]->data[1] + (size_t)(sy / 2) * photo[n]->linesize[1] + sx / 2,
					photo[n]->data[2] + (size_t)(sy / 2) * photo[n]->linesize[2] + sx / 2, NULL
				};
				uint8_t *dst[4] = { f->data[0] + (size_t)y * f->linesize[0] + x,
						    f->data[1] + (size_t)(y / 2) * f->linesize[1] + x / 2,
						    f->data[2] + (size_t)(y / 2) * f->linesize[2] + x / 2, NULL };

				sws_scale(sws, src, photo[n]->linesize, 0, sh, dst, f->linesize);
			}
			sws_freeContext(sws);
			assert_true(ngt < 300);
			gt[ngt++] = (struct ob_box){ x + w * 0.3 / 1.6, y + h * 0.3 / 1.6, w / 1.6, h / 1.6 };
		}
	assert_int_equal(ob_detector_open(model_dir(), "ultraface", 0, 0, 0, &d), 0);
	/* the face lane's floor, [track] low; its tracks start from the threshold */
	assert_int_equal(ob_detector_run_tiled(d, f, ob_detect_face_tile(ob_detector_card(d), f->width, f->height), 0.1,
					       &dets),
			 0);
	for (size_t g = 0; g < ngt; g++) {
		bool hit = false;

		for (size_t i = 0; i < dets.n && !hit; i++)
			hit = dets.v[i].score >= RECIPE_FACE_THRESHOLD && ob_box_overlap(dets.v[i].box, gt[g]) >= 0.5;
		covered += hit;
	}
	printf("ultraface tiled on a 1920x1080 crowd: %zu of %zu faces of 52 px boxed from %.1f\n", covered, ngt,
	       RECIPE_FACE_THRESHOLD);
	assert_int_equal(ngt, 250);
	assert_true(covered >= 248);
	ob_detections_release(&dets);
	ob_detector_free(&d);
	for (int n = 1; n <= 6; n++)
		av_frame_free(&photo[n]);
	av_frame_free(&f);
}

static void test_nms_class_aware_and_seams(void **state)
{
	struct ob_detections d = { 0 };
	struct ob_detection a = { .box = { 0, 0, 10, 10 }, .score = 0.9f, .label = 0, .cls = OB_CLASS_FACE };
	struct ob_detection b = a, c = a, half = a;

	(void)state;
	b.box.x = 1, b.score = 0.8f;              /* same class, IoU 0.82: dropped */
	c.label = 1, c.cls = OB_CLASS_PERSON;     /* other class: kept */
	assert_int_equal(ob_detections_push(&d, &b), 0);
	assert_int_equal(ob_detections_push(&d, &a), 0);
	assert_int_equal(ob_detections_push(&d, &c), 0);
	ob_nms(&d, 0.5, 0);
	assert_int_equal(d.n, 2);
	assert_float_equal(d.v[0].score, 0.9, 1e-6);
	ob_detections_clear(&d);
	/* A half face cut by a tile seam, next to the whole one: IoU 0.5 but inside it. */
	half.box.w = 5, half.score = 0.95f, half.cut = 1;
	assert_int_equal(ob_detections_push(&d, &half), 0);
	assert_int_equal(ob_detections_push(&d, &a), 0);
	ob_nms_seams(&d, 0.5);
	assert_int_equal(d.n, 1);
	assert_float_equal(d.v[0].box.w, 10, 1e-9);
	ob_detections_release(&d);
}

/* ob_drop_face_parts: a face's mouth and chin found as a face of their
 * own, with a higher score, inside a face at the threshold: dropped (IoU
 * 0.36: NMS keeps both); inside a loose box below the threshold (which
 * could not hide it): kept; a person inside a person: kept. */
static void test_drop_face_parts(void **state)
{
	struct ob_detections d = { 0 };
	struct ob_detection face = { .box = { 0, 0, 10, 10 }, .score = 0.5f, .cls = OB_CLASS_FACE };
	struct ob_detection part = face, child = face, adult = face;

	(void)state;
	part.box = (struct ob_box){ 2, 5, 6, 6 }, part.score = 0.95f;
	child.cls = adult.cls = OB_CLASS_PERSON, child.label = adult.label = 1;
	child.box = (struct ob_box){ 2, 2, 4, 8 };
	assert_int_equal(ob_detections_push(&d, &part), 0);
	assert_int_equal(ob_detections_push(&d, &face), 0);
	assert_int_equal(ob_detections_push(&d, &child), 0);
	assert_int_equal(ob_detections_push(&d, &adult), 0);
	ob_nms_seams(&d, 0.5);
	assert_int_equal(d.n, 4);
	ob_drop_face_parts(&d, 0.4);
	assert_int_equal(d.n, 3);
	assert_true(d.v[0].cls == OB_CLASS_FACE && d.v[0].box.w == 10);
	assert_true(d.v[1].cls == OB_CLASS_PERSON && d.v[2].cls == OB_CLASS_PERSON);
	ob_detections_clear(&d);
	face.score = 0.15f; /* a loose box at the [track] low */
	assert_int_equal(ob_detections_push(&d, &face), 0);
	assert_int_equal(ob_detections_push(&d, &part), 0);
	ob_drop_face_parts(&d, 0.4);
	assert_int_equal(d.n, 2);
	ob_detections_release(&d);
}

/* ob_look_crop: 3 face boxes a side at the input's shape, zoomed in at most
 * 3 times, inside the frame; ob_look_quarters: where such a crop against
 * the frame's border keeps it in a mosaic; ob_look_found: a face of the size found again
 * where it was, even moved by most of its size, and not one the frame's own
 * search found, nor a face around it or beside it. */
static void test_second_look_geometry(void **state)
{
	struct ob_box b = { 600, 300, 40, 60 }, c;
	struct ob_detections found = { 0 }, seen = { 0 };
	struct ob_detection f = { .box = { 630, 320, 38, 56 }, .score = 0.3f, .cls = OB_CLASS_FACE };
	struct ob_detection big = { .box = { 560, 250, 130, 170 }, .score = 0.9f, .cls = OB_CLASS_FACE };
	struct ob_detection beside = f;

	(void)state;
	c = ob_look_crop(b, 1280, 720, 320, 240);
	assert_float_equal(c.h, 180, 1e-9);
	assert_float_equal(c.w, 240, 1e-9);
	assert_float_equal(c.x + c.w / 2, 620, 1e-9);
	assert_float_equal(c.y + c.h / 2, 330, 1e-9);
	c = ob_look_crop((struct ob_box){ 2, 700, 10, 14 }, 1280, 720, 320, 240);
	assert_float_equal(c.w, 320 / 3.0, 1e-9); /* zoomed in 3 times, no more */
	assert_float_equal(c.h, 80, 1e-9);
	assert_true(c.x == 0 && c.y == 640);      /* shifted inside the frame */
	c = ob_look_crop(b, 100, 60, 320, 240);
	assert_true(c.x == 0 && c.y == 0 && c.w == 100 && c.h == 60);
	/* the quarters of a mosaic that keep a crop's border sides the input's own */
	assert_int_equal(ob_look_quarters(ob_look_crop(b, 1280, 720, 160, 120), 1280, 720), 0xf);
	c = ob_look_crop((struct ob_box){ 2, 300, 10, 14 }, 1280, 720, 160, 120); /* left */
	assert_int_equal(ob_look_quarters(c, 1280, 720), 0x5);
	c = ob_look_crop((struct ob_box){ 1270, 300, 10, 14 }, 1280, 720, 160, 120); /* right */
	assert_int_equal(ob_look_quarters(c, 1280, 720), 0xa);
	c = ob_look_crop((struct ob_box){ 600, 2, 10, 14 }, 1280, 720, 160, 120); /* top */
	assert_int_equal(ob_look_quarters(c, 1280, 720), 0x3);
	c = ob_look_crop((struct ob_box){ 1270, 700, 10, 14 }, 1280, 720, 160, 120); /* bottom right */
	assert_int_equal(ob_look_quarters(c, 1280, 720), 0x8);
	assert_int_equal(ob_look_quarters((struct ob_box){ 0, 0, 100, 60 }, 100, 60), 0);

	assert_false(ob_look_found(&found, b, &seen, 0.4));
	assert_int_equal(ob_detections_push(&found, &big), 0); /* b was a part of it */
	assert_false(ob_look_found(&found, b, &seen, 0.4));
	beside.box.x = 700;                                      /* beyond b's context */
	assert_int_equal(ob_detections_push(&found, &beside), 0);
	assert_false(ob_look_found(&found, b, &seen, 0.4));
	assert_int_equal(ob_detections_push(&found, &f), 0);    /* moved 29 px: found */
	assert_true(ob_look_found(&found, b, &seen, 0.4));
	f.cls = OB_CLASS_PERSON;                                 /* other classes do not count */
	assert_int_equal(ob_detections_push(&seen, &f), 0);
	assert_true(ob_look_found(&found, b, &seen, 0.4));
	f.cls = OB_CLASS_FACE;                                   /* the frame's search has it, weakly: */
	assert_int_equal(ob_detections_push(&seen, &f), 0);     /* no track of its own, b's face still */
	assert_true(ob_look_found(&found, b, &seen, 0.4));
	seen.v[seen.n - 1].score = 0.4f;                         /* from the threshold: another face's */
	assert_false(ob_look_found(&found, b, &seen, 0.4));
	ob_detections_release(&found);
	ob_detections_release(&seen);
}

/*
 * ob_look_close_candidates: faces the search found just now from 0.15 up to
 * the threshold, 8-32 px wide, not within a face at the threshold, best first,
 * as many as asked, none on a box looked at lately, and a box merged
 * across tile seams is fresh if either was; ob_look_close_found: the best scored face of a look on the
 * candidate (IoU >= 0.4), not a looser box around it.
 */
static void test_closer_look_choice(void **state)
{
	struct ob_detections dets = { 0 }, found = { 0 };
	struct ob_detection face = { .box = { 100, 100, 20, 24 }, .score = 0.9f, .cls = OB_CLASS_FACE };
	struct ob_detection c = { .box = { 400, 300, 12, 14 }, .cls = OB_CLASS_FACE }, x;
	const float scores[] = { 0.1f, 0.35f, 0.2f, 0.3f, 0.25f };
	size_t idx[5];

	(void)state;
	assert_int_equal(ob_detections_push(&dets, &face), 0);
	for (int i = 0; i < 5; i++) { /* candidates 1..5 */
		c.box.x = 400 + 40 * i, c.score = scores[i];
		assert_int_equal(ob_detections_push(&dets, &c), 0);
	}
	x = c, x.box = (struct ob_box){ 104, 104, 10, 12 }, x.score = 0.39f; /* part of the face */
	assert_int_equal(ob_detections_push(&dets, &x), 0);
	x = c, x.box.y = 500, x.score = 0.39f, x.stale = 1; /* kept from an earlier search */
	assert_int_equal(ob_detections_push(&dets, &x), 0);
	x = c, x.box = (struct ob_box){ 50, 600, 6, 7 }, x.score = 0.39f; /* noise */
	assert_int_equal(ob_detections_push(&dets, &x), 0);
	x = c, x.box = (struct ob_box){ 50, 500, 40, 48 }, x.score = 0.39f; /* seen at its scale */
	assert_int_equal(ob_detections_push(&dets, &x), 0);
	x = c, x.box.y = 600, x.score = 0.39f, x.cls = OB_CLASS_PERSON;
	assert_int_equal(ob_detections_push(&dets, &x), 0);
	x = c, x.box.y = 650, x.score = 0.4f; /* at the threshold: no look needed */
	assert_int_equal(ob_detections_push(&dets, &x), 0);

	assert_int_equal(ob_look_close_candidates(&dets, 0.4, NULL, 0, idx, 4), 4);
	assert_int_equal(idx[0], 2);
	assert_int_equal(idx[1], 4);
	assert_int_equal(idx[2], 5);
	assert_int_equal(idx[3], 3);
	assert_int_equal(ob_look_close_candidates(&dets, 0.4, NULL, 0, idx, 5), 4); /* not the one at 0.1 */
	assert_int_equal(ob_look_close_candidates(&dets, 0.4, NULL, 0, idx, 2), 2);
	assert_int_equal(idx[0], 2);
	assert_int_equal(idx[1], 4);
	assert_int_equal(ob_look_close_candidates(&dets, 0.4, NULL, 0, idx, 0), 0);
	/* the best one looked at lately, no face found there: the next four */
	x = dets.v[2], x.box.x += 1;
	assert_int_equal(ob_look_close_candidates(&dets, 0.4, &x.box, 1, idx, 4), 3);
	assert_int_equal(idx[0], 4);
	x.box.x += 4; /* moved on by a third of its width: looked at again */
	assert_int_equal(ob_look_close_candidates(&dets, 0.4, &x.box, 1, idx, 4), 4);

	c.box = (struct ob_box){ 400, 300, 12, 14 };
	assert_int_equal(ob_look_close_found(&found, c.box), -1);
	x = c, x.box = (struct ob_box){ 380, 280, 40, 46 }, x.score = 0.99f; /* around it, loose */
	assert_int_equal(ob_detections_push(&found, &x), 0);
	x = c, x.box.x = 460, x.score = 0.98f; /* beside it */
	assert_int_equal(ob_detections_push(&found, &x), 0);
	assert_int_equal(ob_look_close_found(&found, c.box), -1);
	x = c, x.box = (struct ob_box){ 401, 299, 13, 15 }, x.score = 0.6f;
	assert_int_equal(ob_detections_push(&found, &x), 0);
	x = c, x.box = (struct ob_box){ 399, 301, 12, 15 }, x.score = 0.8f;
	assert_int_equal(ob_detections_push(&found, &x), 0);
	assert_int_equal(ob_look_close_found(&found, c.box), 3);

	/* one face seen by two tiles, one searched now (0.25), one kept (0.3):
	 * the box kept for both was seen just now */
	ob_detections_clear(&dets);
	x = c, x.score = 0.3f, x.stale = 1;
	assert_int_equal(ob_detections_push(&dets, &x), 0);
	x = c, x.box.x += 1, x.score = 0.25f;
	assert_int_equal(ob_detections_push(&dets, &x), 0);
	ob_nms_seams(&dets, 0.3);
	assert_int_equal(dets.n, 1);
	assert_int_equal(dets.v[0].stale, 0);
	assert_int_equal(ob_look_close_candidates(&dets, 0.4, NULL, 0, idx, 4), 1);
	ob_detections_release(&dets);
	ob_detections_release(&found);
}

static void test_card_and_checksum(void **state)
{
	struct ob_model_card card;
	char dir[] = "/tmp/obscura-card-XXXXXX", path[256], cmd[512];
	FILE *f;

	(void)state;
	assert_int_equal(ob_model_find(model_dir(), "ssd_face", &card), 0);
	assert_int_equal(card.dec.type, OB_DECODER_SSD);
	assert_int_equal(card.dec.anchor_count, 5118);
	assert_float_equal(card.dec.variances[2], 5, 0);
	assert_int_equal(ob_model_verify(&card), 0);
	assert_int_equal(ob_model_find(model_dir(), "ultraface", &card), 0);
	assert_int_equal(card.dec.type, OB_DECODER_ULTRAFACE);
	assert_int_equal(card.width, 320);
	assert_int_equal(card.height, 240);
	assert_int_equal(card.dec.anchor_count, 4420);
	assert_int_equal(card.dec.score_class, 1);
	assert_int_equal(ob_model_verify(&card), 0);
	assert_int_equal(ob_model_find(model_dir(), "centernet", &card), 0);
	assert_true(card.dec.keep[7] && !card.dec.keep[40]);
	assert_string_equal(card.labels[2], "car");

	/* A copied card whose model file was altered by one byte. */
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "cp %s/blazeface.card %s/ && cp %s/blazeface.onnx %s/ && printf x >> %s/blazeface.onnx",
		 model_dir(), dir, model_dir(), dir, dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(ob_model_find(dir, "blazeface", &card), 0);
	assert_int_equal(ob_model_verify(&card), OB_ERR_MODEL);
	assert_non_null(strstr(ob_errmsg(), "blazeface.onnx: SHA-256 mismatch"));

	/* A card with a bad key names file and line. */
	snprintf(path, sizeof(path), "%s/bad.card", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[model]\nname = bad\ntask = face\nfile = x.onnx\nsha256 = 00\n", f);
	fclose(f);
	assert_int_equal(ob_model_find(dir, "bad", &card), OB_ERR_MODEL);
	assert_non_null(strstr(ob_errmsg(), "bad.card:5:"));
	assert_int_equal(ob_model_find(dir, "../etc", &card), OB_ERR_MODEL);

	/* OpenCV's exceptions come back as error codes with its message. */
	{
		struct ob_dnn *dnn = NULL;
		struct ob_tensor t[1];
		const char *name = "scores";
		float z[3 * 8 * 8] = { 0 };

		assert_int_equal(ob_dnn_open(path, 1, &dnn), OB_ERR_MODEL);
		assert_null(dnn);
		assert_non_null(strstr(ob_errmsg(), "bad.card"));
		snprintf(path, sizeof(path), "%s/blazeface.onnx", model_dir());
		assert_int_equal(ob_dnn_open(path, 0, &dnn), 0);
		assert_int_equal(ob_dnn_infer(dnn, z, 1, 3, 8, 8, &name, 1, t), OB_ERR_MODEL);
		ob_dnn_free(&dnn);
		assert_null(dnn);
		ob_dnn_free(&dnn);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_model_dir_precedence(void **state)
{
	char *old = getenv(OB_MODEL_DIR_ENV) ? strdup(getenv(OB_MODEL_DIR_ENV)) : NULL;

	(void)state;
	setenv(OB_MODEL_DIR_ENV, "/env", 1);
	assert_string_equal(ob_model_dir("/cli", "/recipe"), "/cli");
	assert_string_equal(ob_model_dir(NULL, "/recipe"), "/env");
	unsetenv(OB_MODEL_DIR_ENV);
	assert_string_equal(ob_model_dir("", "/recipe"), "/recipe");
	assert_true(!strcmp(ob_model_dir(NULL, NULL), OB_MODEL_DIR) ||
		    !strcmp(ob_model_dir(NULL, NULL), OB_MODEL_DIR_BUILD));
	if (old)
		setenv(OB_MODEL_DIR_ENV, old, 1);
	free(old);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tiling_looks_where_changed),
		cmocka_unit_test(test_tiling_rests_empty_tiles_of_a_moving_picture),
		cmocka_unit_test(test_tiling_follows_a_face_the_whole_frame_sees),
		cmocka_unit_test(test_mosaic_pass),
		cmocka_unit_test(test_tiling_split_among_instances),
		cmocka_unit_test(test_nms_class_aware_and_seams),
		cmocka_unit_test(test_drop_face_parts),
		cmocka_unit_test(test_second_look_geometry),
		cmocka_unit_test(test_closer_look_choice),
		cmocka_unit_test(test_yolo_synthetic),
		cmocka_unit_test(test_ultraface_synthetic),
		cmocka_unit_test(test_tiles_follow_input_shape),
		cmocka_unit_test(test_tiles_keep_mid_faces),
		cmocka_unit_test(test_tiles_need_support),
		cmocka_unit_test(test_tiles_support_in_a_crowd),
		cmocka_unit_test(test_centernet_non_square),
		cmocka_unit_test(test_centernet_peak_in_every_cell),
		cmocka_unit_test(test_model_pick),
		cmocka_unit_test(test_centernet_variant_letterbox),
		cmocka_unit_test(test_model_dir_precedence),
		cmocka_unit_test(test_card_and_checksum),
		cmocka_unit_test(test_blazeface_photos),
		cmocka_unit_test(test_ssd_face_photos),
		cmocka_unit_test(test_ultraface_photos),
		cmocka_unit_test(test_centernet_people),
		cmocka_unit_test(test_tiling_crops_where_changed),
		cmocka_unit_test(test_tiling_crops_hold_what_they_grow_onto),
		cmocka_unit_test(test_ahead_same_boxes),
		cmocka_unit_test(test_sized_passes_keep_whole_pass),
		cmocka_unit_test(test_decoders_match_reference),
	};
	return cmocka_run_group_tests_name("detect", tests, NULL, NULL);
}

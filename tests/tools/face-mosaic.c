/* SPDX-License-Identifier: MIT */
/* face-mosaic.c - small-face recall by size bucket, tiled vs untiled.
 *
 * usage: face-mosaic MODEL_DIR MODEL SAMPLES_DIR TRUTH_DIR [THRESHOLD [TILE [OUT.yuv]]]
 *
 * Builds a 1920x1080 mid-grey frame holding the annotated faces of
 * SAMPLES_DIR/sample1..6.jpg (ground truth TRUTH_DIR/sampleN.txt, "x y w h"
 * lines), each cropped with context and scaled so that the face box is S px
 * wide, S spread evenly over each bucket 12-16, 16-24, 24-32, 32-40 px.  Crops
 * sit on a grid of 120x135 cells, shuffled and jittered with a fixed seed, so
 * the ground truth is known exactly.  The detector then runs once on the whole
 * frame and once tiled as the detect stage would (ob_detect_face_tile; TILE >
 * 0 overrides), at THRESHOLD (default 0.4, the recipes' face_threshold).
 *
 * A face is found when a face detection overlaps its box at IoU >= 0.3
 * (one-to-one, greedy, best score first).  Prints a table, then one line per
 * bucket and mode for scripts:
 *   recall MODE LO HI FOUND TOTAL
 *   fp MODE BACKGROUND OTHER
 * (background: detections touching no crop, only grey; other: unmatched
 * detections touching a crop, e.g. a neighbour's ear in the context).
 * OUT.yuv: the mosaic as raw yuv420p, for looking at it.
 */
#include <libavutil/frame.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/detect.h"
#include "obscura/error.h"
#include "obscura/tiling.h"
#include "../support/image.h"

#define W 1920
#define H 1080
#define CELL_W 120
#define CELL_H 135
#define MAX_FACES 64
#define NBUCKETS 4
#define MATCH_IOU 0.3

static const int bucket_lo[NBUCKETS] = { 12, 16, 24, 32 };
static const int bucket_hi[NBUCKETS] = { 16, 24, 32, 40 };

struct face {
	int sample;
	struct ob_box box; /* in the photo */
};

struct placed {
	int bucket;
	struct ob_box face; /* in the mosaic */
	struct ob_box crop;
};

static uint32_t rng = 12345;

static uint32_t next_rand(void)
{
	rng = rng * 1103515245u + 12345u;
	return (rng >> 8) & 0xffffff;
}

static int load_truth(const char *dir, struct face *faces, int max)
{
	int n = 0;

	for (int s = 1; s <= 6; s++) {
		char path[4096], line[256];
		FILE *f;

		snprintf(path, sizeof(path), "%s/sample%d.txt", dir, s);
		f = fopen(path, "r");
		if (!f) {
			perror(path);
			exit(1);
		}
		while (n < max && fgets(line, sizeof(line), f)) {
			struct ob_box b;

			if (line[0] == '#')
				continue;
			if (sscanf(line, "%lf %lf %lf %lf", &b.x, &b.y, &b.w, &b.h) != 4) {
				fprintf(stderr, "%s: bad line %s", path, line);
				exit(1);
			}
			faces[n].sample = s;
			faces[n].box = b;
			n++;
		}
		fclose(f);
	}
	return n;
}

static int even(double v)
{
	return ((int)lround(v)) & ~1;
}

/* Scales region (x0,y0,w,h) of src into dst at (dx,dy), size dw x dh (all even). */
static void paste(const AVFrame *src, int x0, int y0, int w, int h, AVFrame *dst, int dx, int dy, int dw, int dh)
{
	struct SwsContext *sws = sws_getContext(w, h, AV_PIX_FMT_YUV420P, dw, dh, AV_PIX_FMT_YUV420P,
						SWS_AREA | SWS_ACCURATE_RND, NULL, NULL, NULL);
	const uint8_t *sp[4] = { src->data[0] + (size_t)y0 * src->linesize[0] + x0,
				 src->data[1] + (size_t)(y0 / 2) * src->linesize[1] + x0 / 2,
				 src->data[2] + (size_t)(y0 / 2) * src->linesize[2] + x0 / 2, NULL };
	uint8_t *dp[4] = { dst->data[0] + (size_t)dy * dst->linesize[0] + dx,
			   dst->data[1] + (size_t)(dy / 2) * dst->linesize[1] + dx / 2,
			   dst->data[2] + (size_t)(dy / 2) * dst->linesize[2] + dx / 2, NULL };

	if (!sws) {
		fprintf(stderr, "face-mosaic: no scaler\n");
		exit(1);
	}
	sws_scale(sws, sp, src->linesize, 0, h, dp, dst->linesize);
	sws_freeContext(sws);
}

static void score(const char *mode, const struct ob_detections *d, const struct placed *p, int np,
		  int found[NBUCKETS], int *fp_bg, int *fp_other)
{
	bool used[NBUCKETS * MAX_FACES] = { 0 };

	memset(found, 0, NBUCKETS * sizeof(int));
	*fp_bg = *fp_other = 0;
	/* ob_nms leaves detections best first */
	for (size_t i = 0; i < d->n; i++) {
		double best = 0;
		int bi = -1;
		bool on_crop = false;

		if (d->v[i].cls != OB_CLASS_FACE)
			continue;
		for (int k = 0; k < np; k++) {
			double iou = ob_box_iou(d->v[i].box, p[k].face);

			if (!used[k] && iou > best)
				best = iou, bi = k;
			on_crop |= ob_box_iou(d->v[i].box, p[k].crop) > 0;
		}
		if (bi >= 0 && best >= MATCH_IOU) {
			used[bi] = true;
			found[p[bi].bucket]++;
		} else if (on_crop) {
			(*fp_other)++;
		} else {
			(*fp_bg)++;
			fprintf(stderr, "%s: background detection %.0f %.0f %.0f %.0f score %.2f\n", mode,
				d->v[i].box.x, d->v[i].box.y, d->v[i].box.w, d->v[i].box.h, d->v[i].score);
		}
	}
}

int main(int argc, char **argv)
{
	struct face faces[MAX_FACES];
	struct placed p[NBUCKETS * MAX_FACES];
	int cells[(W / CELL_W) * (H / CELL_H)], ncells = (W / CELL_W) * (H / CELL_H);
	AVFrame *photos[7] = { 0 }, *m = av_frame_alloc();
	struct ob_detector *d = NULL;
	struct ob_detections full = { 0 }, tiled = { 0 };
	double thr = argc > 5 ? strtod(argv[5], NULL) : 0.4;
	int tile_arg = argc > 6 ? (int)strtol(argv[6], NULL, 10) : 0, tile, nf, np = 0;
	int found_full[NBUCKETS], found_tiled[NBUCKETS], total[NBUCKETS] = { 0 };
	int bg_full, other_full, bg_tiled, other_tiled;
	int64_t passes;
	double ms;

	if (argc < 5) {
		fprintf(stderr, "usage: face-mosaic MODEL_DIR MODEL SAMPLES_DIR TRUTH_DIR [THRESHOLD [TILE [OUT.yuv]]]\n");
		return 2;
	}
	nf = load_truth(argv[4], faces, MAX_FACES);
	for (int s = 1; s <= 6; s++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/sample%d.jpg", argv[3], s);
		if (ob_image_load(path, &photos[s])) {
			fprintf(stderr, "face-mosaic: %s\n", ob_errmsg());
			return 1;
		}
	}
	m->format = AV_PIX_FMT_YUV420P;
	m->width = W;
	m->height = H;
	m->color_range = AVCOL_RANGE_JPEG;
	m->colorspace = AVCOL_SPC_BT470BG;
	if (av_frame_get_buffer(m, 0) < 0)
		return 1;
	for (int y = 0; y < H; y++)
		memset(m->data[0] + (size_t)y * m->linesize[0], 128, W);
	for (int y = 0; y < H / 2; y++) {
		memset(m->data[1] + (size_t)y * m->linesize[1], 128, W / 2);
		memset(m->data[2] + (size_t)y * m->linesize[2], 128, W / 2);
	}
	/* cells in a fixed shuffled order */
	for (int i = 0; i < ncells; i++)
		cells[i] = i;
	for (int i = ncells - 1; i > 0; i--) {
		int j = (int)(next_rand() % (uint32_t)(i + 1)), t = cells[i];

		cells[i] = cells[j];
		cells[j] = t;
	}
	if (NBUCKETS * nf > ncells) {
		fprintf(stderr, "face-mosaic: %d faces, %d cells\n", NBUCKETS * nf, ncells);
		return 1;
	}
	for (int b = 0; b < NBUCKETS; b++)
		for (int i = 0; i < nf; i++) {
			const AVFrame *ph = photos[faces[i].sample];
			struct ob_box fb = faces[i].box;
			/* face width spread evenly over [lo, hi) */
			double size = bucket_lo[b] + (bucket_hi[b] - bucket_lo[b]) * (i + 0.5) / nf;
			double s = size / fb.w;
			int x0 = even(fmax(0, fb.x - 0.6 * fb.w)), y0 = even(fmax(0, fb.y - 0.35 * fb.h));
			int x1 = even(fmin(ph->width, fb.x + 1.6 * fb.w)), y1 = even(fmin(ph->height, fb.y + 1.35 * fb.h));
			int dw = even((x1 - x0) * s), dh = even((y1 - y0) * s);
			int cell = cells[np], cx = (cell % (W / CELL_W)) * CELL_W, cy = (cell / (W / CELL_W)) * CELL_H;
			int dx = cx + even((CELL_W - dw) * (next_rand() % 1000) / 1000.0);
			int dy = cy + even((CELL_H - dh) * (next_rand() % 1000) / 1000.0);
			double sx = (double)dw / (x1 - x0), sy = (double)dh / (y1 - y0);

			if (dw > CELL_W || dh > CELL_H || dw < 2 || dh < 2) {
				fprintf(stderr, "face-mosaic: crop %dx%d does not fit a cell\n", dw, dh);
				return 1;
			}
			paste(ph, x0, y0, x1 - x0, y1 - y0, m, dx, dy, dw, dh);
			p[np].bucket = b;
			p[np].face = (struct ob_box){ dx + (fb.x - x0) * sx, dy + (fb.y - y0) * sy, fb.w * sx, fb.h * sy };
			p[np].crop = (struct ob_box){ dx, dy, dw, dh };
			total[b]++;
			np++;
		}
	if (argc > 7) {
		FILE *o = fopen(argv[7], "wb");

		if (!o) {
			perror(argv[7]);
			return 1;
		}
		for (int y = 0; y < H; y++)
			fwrite(m->data[0] + (size_t)y * m->linesize[0], 1, W, o);
		for (int c = 1; c <= 2; c++)
			for (int y = 0; y < H / 2; y++)
				fwrite(m->data[c] + (size_t)y * m->linesize[c], 1, W / 2, o);
		fclose(o);
	}
	if (ob_detector_open(argv[1], argv[2], W, H, 0, &d)) {
		fprintf(stderr, "face-mosaic: %s\n", ob_errmsg());
		return 1;
	}
	tile = tile_arg > 0 ? tile_arg : ob_detect_face_tile(ob_detector_card(d), W, H);
	if (tile <= 0) {
		fprintf(stderr, "face-mosaic: the detect stage would not tile a %dx%d frame\n", W, H);
		return 1;
	}
	if (ob_detector_run(d, m, NULL, thr, &full) || ob_detector_run_tiled(d, m, tile, thr, &tiled)) {
		fprintf(stderr, "face-mosaic: %s\n", ob_errmsg());
		return 1;
	}
	ob_detector_stats(d, &passes, &ms);
	score("untiled", &full, p, np, found_full, &bg_full, &other_full);
	score("tiled", &tiled, p, np, found_tiled, &bg_tiled, &other_tiled);
	printf("# %s on a %dx%d mosaic of %d faces, threshold %.2f, tile %d px; %lld passes, %.0f ms forward\n",
	       argv[2], W, H, np, thr, tile, (long long)passes, ms);
	printf("# %-10s %10s %10s\n", "face px", "untiled", "tiled");
	for (int b = 0; b < NBUCKETS; b++)
		printf("# %2d-%-7d %5d/%-4d %5d/%-4d\n", bucket_lo[b], bucket_hi[b], found_full[b], total[b],
		       found_tiled[b], total[b]);
	printf("# false positives on the background: untiled %d, tiled %d (elsewhere on crops: %d, %d)\n",
	       bg_full, bg_tiled, other_full, other_tiled);
	for (int b = 0; b < NBUCKETS; b++) {
		printf("recall untiled %d %d %d %d\n", bucket_lo[b], bucket_hi[b], found_full[b], total[b]);
		printf("recall tiled %d %d %d %d\n", bucket_lo[b], bucket_hi[b], found_tiled[b], total[b]);
	}
	printf("fp untiled %d %d\n", bg_full, other_full);
	printf("fp tiled %d %d\n", bg_tiled, other_tiled);
	ob_detections_release(&full);
	ob_detections_release(&tiled);
	ob_detector_free(&d);
	for (int s = 1; s <= 6; s++)
		av_frame_free(&photos[s]);
	av_frame_free(&m);
	return 0;
}

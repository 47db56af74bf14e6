/* SPDX-License-Identifier: MIT */
/* face-cover.c - are the faces of a moving clip pixelated in the export?
 *
 *   face-cover make SAMPLES_DIR TRUTH_DIR FRAMES OUT.yuv BOXES.txt
 *       Writes FRAMES raw yuv420p 1280x720 frames: face-api sample1, sample4
 *       and sample6 side by side on mid grey, zooming out (face width from
 *       about 110 px down to about 14 px) while panning right 6 px a frame.
 *       Every transform is an exact even-pixel scale + offset, so the
 *       annotated face boxes map exactly; BOXES.txt gets one line per visible
 *       face and frame: "FRAME x y w h full" (box clipped to the frame;
 *       full = 1 when the whole face is inside the frame).
 *
 *   face-cover still SAMPLES_DIR TRUTH_DIR FRAMES OUT.yuv BOXES.txt SCENE.jpg [WIDTH STEP]
 *       The same faces, 16-24 px wide (WIDTH, WIDTH + STEP, ... up to
 *       WIDTH + 4 STEP), on the picture SCENE.jpg stretched to 1280x720 and
 *       never moving, as a fixed camera sees it: some there from the first
 *       frame, some appearing later, some creeping in at 1 px a frame, some
 *       crossing at 4 px a frame (see still()); BOXES.txt as above.
 *
 *   face-cover check RECIPE EXPORT.yuv BOXES.txt
 *       EXPORT.yuv: the export decoded to raw yuv420p 1280x720.  The
 *       pixelation grid is fixed to the frame with the recipe's block size
 *       (block = auto resolved as the job does).  A cell counts as
 *       pixelated when its luma, away from its one-pixel rim (where the
 *       encoder's deblocking blends neighbours), spans at most UNIFORM_RANGE
 *       levels.  For each face, the face pixels outside pixelated cells are
 *       "left"; prints, by face width, faces, face pixels and the fraction
 *       left, for whole faces and for faces cut by the frame edge, then
 *       machine lines "left KIND LO HI FACES PIXELS LEFT" and the worst
 *       faces on stderr.
 *
 *   face-cover scene SAMPLES_DIR TRUTH_DIR FRAMES OUT.yuv BOXES.txt
 *       Like make, but the six face-api photos hang side by side on one
 *       wall (3x2, each centred in a cell of the largest photo's size, on
 *       mid grey) and the camera glides over it: from the middle of sample1
 *       at 0.75 frame px per wall px (faces ~150 px) to the middle of the
 *       wall at 0.22 (faces ~45 px), zooming out geometrically.  The frame
 *       is filled with the photos' own backgrounds, hands, clothes, badges
 *       and screens, faces come in across every edge: a clip on which to
 *       measure what an export hides besides the faces.  BOXES.txt as make.
 *
 *   face-cover photo RECIPE EXPORT TRUTH_DIR N
 *       EXPORT: a photo export of face-api's sampleN.jpg (upright, same
 *       size).  Every annotated face of TRUTH_DIR/sampleN.txt is checked as
 *       check does (cells of the recipe's grid, block = auto resolved at the
 *       height the job used: odd heights are padded by one row); prints
 *       "photo N FACES PIXELS LEFT" and, on stderr, each face with pixels left.
 *
 *   face-cover over RECIPE INPUT EXPORT BOXES.txt
 *       Over-redaction: of the picture outside the faces, the share the
 *       export changed.  INPUT and EXPORT are decoded as a job decodes them
 *       (same frame count and size required).  Left out on each frame, as
 *       what a perfect detector would hide: every true face box of
 *       BOXES.txt grown upward by the recipe's [detect] forehead (a share
 *       of its height), then by its [pixelate] margin on every side (as the
 *       redact stage grows a box), every pixelation cell (block = auto
 *       resolved as the job does) that touches it.  The rest is cut into
 *       8x8 blocks (a block touching a left-out cell is left out); a block
 *       is changed when its mean |export - input| luma exceeds CHANGED_MAD
 *       (a plain x264 transcode at CRF 20 changes 0.07 % of the blocks of
 *       the scene clip; pixelating the whole frame changes 73 %: smooth
 *       areas stay unchanged under pixelation).  "far": changed blocks not
 *       touching any true box grown by its own size on every side.  One
 *       line per frame on stderr; on stdout comment lines, then
 *       "over FRAMES MEAN WORST WORST_FRAME FAR_MEAN FAR_WORST" (percent of
 *       the frame's blocks outside the faces).
 */
#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/array.h"
#include "obscura/detect.h"
#include "obscura/error.h"
#include "obscura/mask.h"
#include "obscura/recipe.h"
#include "obscura/source.h"
#include "../support/image.h"
#include "../support/video.h"

#define W 1280
#define H 720
#define NPHOTOS 3
#define MAX_FACES 16
#define UNIFORM_RANGE 12
#define NB 6

static const int photo_ids[NPHOTOS] = { 1, 4, 6 };
static const int blo[NB] = { 0, 16, 24, 32, 48, 96 };
static const int bhi[NB] = { 16, 24, 32, 48, 96, 100000 };

static int even(double v)
{
	return ((int)lround(v)) & ~1;
}

static int load_truth(const char *dir, int s, struct ob_box *b, int max)
{
	char path[4096], line[256];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/sample%d.txt", dir, s);
	if (!(f = fopen(path, "r"))) {
		perror(path);
		exit(1);
	}
	while (n < max && fgets(line, sizeof(line), f))
		if (line[0] != '#' && sscanf(line, "%lf %lf %lf %lf", &b[n].x, &b[n].y, &b[n].w, &b[n].h) == 4)
			n++;
	fclose(f);
	return n;
}

/* Scales the (even) region cx,cy cw x ch of photo ph to dw x dh at dx,dy (even) of the yuv420p frame y. */
static int paste(const AVFrame *ph, int cx, int cy, int cw, int ch, int dx, int dy, int dw, int dh, uint8_t *y)
{
	uint8_t *u = y + W * H, *v = u + W * H / 4;
	const uint8_t *src[4] = { ph->data[0] + (size_t)cy * ph->linesize[0] + cx,
				  ph->data[1] + (size_t)(cy / 2) * ph->linesize[1] + cx / 2,
				  ph->data[2] + (size_t)(cy / 2) * ph->linesize[2] + cx / 2, NULL };
	AVFrame *tmp = av_frame_alloc();
	struct SwsContext *sws = sws_getContext(cw, ch, AV_PIX_FMT_YUV420P, dw, dh, AV_PIX_FMT_YUV420P,
						SWS_AREA | SWS_ACCURATE_RND, NULL, NULL, NULL);

	if (!tmp || !sws)
		return 1;
	tmp->format = AV_PIX_FMT_YUV420P;
	tmp->width = dw;
	tmp->height = dh;
	if (av_frame_get_buffer(tmp, 0) < 0)
		return 1;
	sws_scale(sws, src, ph->linesize, 0, ch, tmp->data, tmp->linesize);
	sws_freeContext(sws);
	for (int r = 0; r < dh; r++) {
		int yy = dy + r;

		if (yy < 0 || yy >= H)
			continue;
		for (int c = 0; c < dw; c++) {
			int xx = dx + c;

			if (xx < 0 || xx >= W)
				continue;
			y[(size_t)yy * W + xx] = tmp->data[0][(size_t)r * tmp->linesize[0] + c];
			if (!(r & 1) && !(c & 1) && !(yy & 1) && !(xx & 1)) {
				u[(size_t)(yy / 2) * (W / 2) + xx / 2] = tmp->data[1][(size_t)(r / 2) * tmp->linesize[1] + c / 2];
				v[(size_t)(yy / 2) * (W / 2) + xx / 2] = tmp->data[2][(size_t)(r / 2) * tmp->linesize[2] + c / 2];
			}
		}
	}
	av_frame_free(&tmp);
	return 0;
}


/* Photos sample<ids[i]>.jpg of samples and their annotated faces; exits on error. */
static void load_photos(const char *samples, const char *truth, const int *ids, int n, AVFrame **ph,
			struct ob_box (*gt)[MAX_FACES], int *ngt)
{
	for (int i = 0; i < n; i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/sample%d.jpg", samples, ids[i]);
		if (ob_image_load(path, &ph[i])) {
			fprintf(stderr, "face-cover: %s\n", ob_errmsg());
			exit(1);
		}
		ngt[i] = load_truth(truth, ids[i], gt[i], MAX_FACES);
	}
}

/* One BOXES.txt line for a face box of frame t mapped to (bx, by, bw, bh). */
static void put_box(FILE *boxes, int t, double bx, double by, double bw, double bh)
{
	double x0 = fmax(0, bx), y0 = fmax(0, by), x1 = fmin(W, bx + bw), y1 = fmin(H, by + bh);
	int full = x0 == bx && y0 == by && x1 == bx + bw && y1 == by + bh;

	if (x1 - x0 >= 2 && y1 - y0 >= 2)
		fprintf(boxes, "%d %.2f %.2f %.2f %.2f %d\n", t, x0, y0, x1 - x0, y1 - y0, full);
}

/* OUT.yuv and BOXES.txt; 1 (and why on stderr) if either cannot be made. */
static int open_outputs(const char *yuv, const char *txt, FILE **out, FILE **boxes)
{
	*out = fopen(yuv, "wb");
	*boxes = fopen(txt, "w");
	if (!*out || !*boxes) {
		perror("face-cover");
		return 1;
	}
	return 0;
}

static int make(int argc, char **argv)
{
	AVFrame *ph[NPHOTOS];
	struct ob_box gt[NPHOTOS][MAX_FACES];
	int ngt[NPHOTOS], frames;
	uint8_t *y = malloc((size_t)W * H * 3 / 2);
	FILE *out, *boxes;

	if (argc != 7)
		return 2;
	frames = (int)strtol(argv[4], NULL, 10);
	load_photos(argv[2], argv[3], photo_ids, NPHOTOS, ph, gt, ngt);
	if (!y || open_outputs(argv[5], argv[6], &out, &boxes))
		return 1;
	for (int t = 0; t < frames; t++) {
		double s = 0.55 * pow(0.07 / 0.55, frames > 1 ? (double)t / (frames - 1) : 0);
		int x = even(16 + 6 * t);

		memset(y, 128, (size_t)W * H * 3 / 2);
		for (int i = 0; i < NPHOTOS; i++) {
			int dw = even(ph[i]->width * s), dh = even(ph[i]->height * s), yo = even((H - dh) / 2.0);
			double sx = (double)dw / ph[i]->width, sy = (double)dh / ph[i]->height;
			if (paste(ph[i], 0, 0, ph[i]->width, ph[i]->height, x, yo, dw, dh, y))
				return 1;
			for (int k = 0; k < ngt[i]; k++)
				put_box(boxes, t, x + gt[i][k].x * sx, yo + gt[i][k].y * sy, gt[i][k].w * sx,
					gt[i][k].h * sy);
			x += dw;
		}
		fwrite(y, 1, (size_t)W * H * 3 / 2, out);
	}
	fclose(out);
	fclose(boxes);
	free(y);
	for (int i = 0; i < NPHOTOS; i++)
		av_frame_free(&ph[i]);
	return 0;
}

/*
 * A fixed camera: a still textured scene, and small faces (crops of the
 * annotated faces with their hair and shoulders, 16-24 px face width unless
 * told otherwise) that stand still from the first frame, appear from
 * nowhere later and stay still, creep in at 1 px a frame, or cross at 4 px
 * a frame: what a search that looks again only where the picture changed
 * must not miss.
 */
#define STILL_FACES 12

static int still(int argc, char **argv)
{
	AVFrame *ph[NPHOTOS];
	struct ob_box gt[NPHOTOS][MAX_FACES];
	int ngt[NPHOTOS], frames, n = 0;
	uint8_t *y = malloc((size_t)W * H * 3 / 2);
	struct still_face { int photo, face, w, kind; } f[STILL_FACES];
	AVFrame *scene;
	FILE *out, *boxes;
	int width = 16, step = 2;

	if (argc != 8 && argc != 10)
		return 2;
	if (argc == 10) {
		width = (int)strtol(argv[8], NULL, 10);
		step = (int)strtol(argv[9], NULL, 10);
		if (width < 4 || step < 0 || width + 4 * step > 64) {
			fprintf(stderr, "face-cover: face widths %s + 4 x %s: want 4 to 64 px\n", argv[8], argv[9]);
			return 2;
		}
	}
	if (ob_image_load(argv[7], &scene)) {
		fprintf(stderr, "face-cover: %s\n", ob_errmsg());
		return 1;
	}
	frames = (int)strtol(argv[4], NULL, 10);
	load_photos(argv[2], argv[3], photo_ids, NPHOTOS, ph, gt, ngt);
	for (int i = 0; i < NPHOTOS; i++) {
		for (int k = 0; k < ngt[i] && n < STILL_FACES; k++, n++)
			f[n] = (struct still_face){ i, k, width + step * (n % 5), n % 4 };
	}
	if (!y || open_outputs(argv[5], argv[6], &out, &boxes))
		return 1;
	for (int t = 0; t < frames; t++) {
		/* the scene, never moving */
		if (paste(scene, 0, 0, scene->width & ~1, scene->height & ~1, 0, 0, W, H, y))
			return 1;
		for (int i = 0; i < n; i++) {
			const struct ob_box *g = &gt[f[i].photo][f[i].face];
			const AVFrame *p = ph[f[i].photo];
			/* the face and as much again around it, on even pixels */
			int cx = even(fmax(0, g->x - g->w * 0.5)), cy = even(fmax(0, g->y - g->h * 0.5));
			int cw = even(fmin(p->width - cx, g->w * 2)), ch = even(fmin(p->height - cy, g->h * 2));
			double sc = (double)f[i].w / g->w;
			int dw = even(cw * sc), dh = even(ch * sc);
			int dx = 80 + (i % 6) * 200, dy = 120 + (i / 6) * 300, start = 0;

			switch (f[i].kind) {
			case 0: /* still from the first frame */
				break;
			case 1: /* appears at once, later, and stays */
				start = 10 + 3 * i;
				break;
			case 2: /* creeps in, 1 px a frame, from behind nothing */
				dx = even(dx - 40 + t);
				break;
			default: /* crosses, 4 px a frame */
				dx = even(dx - 100 + 4 * t);
				break;
			}
			if (t < start)
				continue;
			if (paste(p, cx, cy, cw, ch, dx, dy, dw, dh, y))
				return 1;
			put_box(boxes, t, dx + (g->x - cx) * dw / cw, dy + (g->y - cy) * dh / ch, g->w * dw / cw,
				g->h * dh / ch);
		}
		fwrite(y, 1, (size_t)W * H * 3 / 2, out);
	}
	fclose(out);
	fclose(boxes);
	free(y);
	av_frame_free(&scene);
	for (int i = 0; i < NPHOTOS; i++)
		av_frame_free(&ph[i]);
	return 0;
}

/* The scene: every photo on one wall, the camera gliding over it. */
#define SCENE_PHOTOS 6
#define SCENE_COLS 3
#define SCENE_PAD 240       /* grey around the wall, so the widest view stays on the canvas */
#define SCENE_ZOOM_IN 0.75  /* first frame: wall pixels to frame pixels (faces ~150 px) */
#define SCENE_ZOOM_OUT 0.22 /* last frame (faces ~45 px) */

static const int scene_ids[SCENE_PHOTOS] = { 1, 2, 3, 4, 5, 6 };

static int scene(int argc, char **argv)
{
	AVFrame *ph[SCENE_PHOTOS], *wall = av_frame_alloc(), *view = av_frame_alloc();
	struct ob_box gt[SCENE_PHOTOS][MAX_FACES];
	int ngt[SCENE_PHOTOS], px[SCENE_PHOTOS], py[SCENE_PHOTOS], frames, cell_w = 0, cell_h = 0;
	FILE *out, *boxes;

	if (argc != 7)
		return 2;
	frames = (int)strtol(argv[4], NULL, 10);
	load_photos(argv[2], argv[3], scene_ids, SCENE_PHOTOS, ph, gt, ngt);
	for (int i = 0; i < SCENE_PHOTOS; i++) {
		cell_w = ph[i]->width > cell_w ? ph[i]->width : cell_w;
		cell_h = ph[i]->height > cell_h ? ph[i]->height : cell_h;
	}
	cell_w += cell_w & 1;
	cell_h += cell_h & 1;
	wall->format = view->format = AV_PIX_FMT_YUV420P;
	wall->width = 2 * SCENE_PAD + SCENE_COLS * cell_w;
	wall->height = 2 * SCENE_PAD + (SCENE_PHOTOS + SCENE_COLS - 1) / SCENE_COLS * cell_h;
	view->width = W;
	view->height = H;
	out = fopen(argv[5], "wb");
	boxes = fopen(argv[6], "w");
	if (av_frame_get_buffer(wall, 0) < 0 || av_frame_get_buffer(view, 0) < 0 || !out || !boxes) {
		perror("face-cover");
		return 1;
	}
	for (int p = 0; p < 3; p++)
		for (int r = 0; r < (p ? wall->height / 2 : wall->height); r++)
			memset(wall->data[p] + (size_t)r * wall->linesize[p], 128, p ? wall->width / 2 : wall->width);
	/* each photo centred in its cell, on even coordinates */
	for (int i = 0; i < SCENE_PHOTOS; i++) {
		px[i] = SCENE_PAD + i % SCENE_COLS * cell_w + ((cell_w - ph[i]->width) / 2 & ~1);
		py[i] = SCENE_PAD + i / SCENE_COLS * cell_h + ((cell_h - ph[i]->height) / 2 & ~1);
		for (int p = 0; p < 3; p++) {
			int sh = p ? 1 : 0, w = ph[i]->width >> sh, h = ph[i]->height >> sh;

			for (int r = 0; r < h; r++)
				memcpy(wall->data[p] + (size_t)((py[i] >> sh) + r) * wall->linesize[p] + (px[i] >> sh),
				       ph[i]->data[p] + (size_t)r * ph[i]->linesize[p], w);
		}
	}
	for (int t = 0; t < frames; t++) {
		double f = frames > 1 ? (double)t / (frames - 1) : 0;
		double s = SCENE_ZOOM_IN * pow(SCENE_ZOOM_OUT / SCENE_ZOOM_IN, f);
		/* from the first photo's middle to the wall's, zooming out */
		double cx = (1 - f) * (px[0] + ph[0]->width / 2.0) + f * wall->width / 2.0;
		double cy = (1 - f) * (py[0] + ph[0]->height / 2.0) + f * wall->height / 2.0;
		int ww = even(W / s), wh = even(H / s), wx, wy;
		const uint8_t *src[3];
		struct SwsContext *sws;

		ww = ww > wall->width ? wall->width & ~1 : ww;
		wh = wh > wall->height ? wall->height & ~1 : wh;
		wx = even(cx - ww / 2.0);
		wy = even(cy - wh / 2.0);
		wx = wx < 0 ? 0 : wx + ww > wall->width ? (wall->width - ww) & ~1 : wx;
		wy = wy < 0 ? 0 : wy + wh > wall->height ? (wall->height - wh) & ~1 : wy;
		for (int p = 0; p < 3; p++)
			src[p] = wall->data[p] + (size_t)(wy >> !!p) * wall->linesize[p] + (wx >> !!p);
		sws = sws_getContext(ww, wh, AV_PIX_FMT_YUV420P, W, H, AV_PIX_FMT_YUV420P,
				     SWS_AREA | SWS_ACCURATE_RND, NULL, NULL, NULL);
		if (!sws || av_frame_make_writable(view) < 0)
			return 1;
		sws_scale(sws, src, wall->linesize, 0, wh, view->data, view->linesize);
		sws_freeContext(sws);
		for (int p = 0; p < 3; p++)
			for (int r = 0; r < (p ? H / 2 : H); r++)
				fwrite(view->data[p] + (size_t)r * view->linesize[p], 1, p ? W / 2 : W, out);
		for (int i = 0; i < SCENE_PHOTOS; i++)
			for (int k = 0; k < ngt[i]; k++) {
				double sx = (double)W / ww, sy = (double)H / wh;

				put_box(boxes, t, (px[i] + gt[i][k].x - wx) * sx, (py[i] + gt[i][k].y - wy) * sy,
					gt[i][k].w * sx, gt[i][k].h * sy);
			}
	}
	fclose(out);
	fclose(boxes);
	for (int i = 0; i < SCENE_PHOTOS; i++)
		av_frame_free(&ph[i]);
	av_frame_free(&wall);
	av_frame_free(&view);
	return 0;
}

static int check(int argc, char **argv)
{
	struct ob_recipe *r = NULL;
	uint8_t *y = malloc((size_t)W * H * 3 / 2);
	uint8_t *uni = NULL;
	FILE *in, *bf;
	int block, cw, ch, cur = -1;
	long long faces[2][NB] = { { 0 } }, px[2][NB] = { { 0 } }, left[2][NB] = { { 0 } };
	char line[256];

	if (argc != 5)
		return 2;
	if (ob_recipe_load(argv[2], &r)) {
		fprintf(stderr, "face-cover: %s\n", ob_errmsg());
		return 1;
	}
	block = ob_recipe_block_size(&r->pixelate, H);
	ob_recipe_free(&r);
	cw = (W + block - 1) / block;
	ch = (H + block - 1) / block;
	uni = malloc((size_t)cw * ch);
	in = fopen(argv[3], "rb");
	bf = fopen(argv[4], "r");
	if (!y || !uni || !in || !bf) {
		perror("face-cover");
		return 1;
	}
	while (fgets(line, sizeof(line), bf)) {
		int t, full, b, fw;
		double bx, by, bw, bh;
		long long n = 0, l = 0;

		if (sscanf(line, "%d %lf %lf %lf %lf %d", &t, &bx, &by, &bw, &bh, &full) != 6)
			continue;
		while (cur < t) {
			if (fread(y, 1, (size_t)W * H * 3 / 2, in) != (size_t)W * H * 3 / 2) {
				fprintf(stderr, "face-cover: %s: frame %d missing\n", argv[3], cur + 1);
				return 1;
			}
			cur++;
			for (int cy = 0; cy < ch; cy++)
				for (int cx = 0; cx < cw; cx++) {
					int lo = 255, hi = 0;
					int x0 = cx * block + 1, y0 = cy * block + 1;
					int x1 = (cx + 1) * block - 1, y1 = (cy + 1) * block - 1;

					x1 = x1 > W - 1 ? W - 1 : x1;
					y1 = y1 > H - 1 ? H - 1 : y1;
					for (int yy = y0; yy < y1; yy++)
						for (int xx = x0; xx < x1; xx++) {
							int p = y[(size_t)yy * W + xx];
							lo = p < lo ? p : lo;
							hi = p > hi ? p : hi;
						}
					uni[cy * cw + cx] = hi - lo <= UNIFORM_RANGE;
				}
		}
		for (int yy = (int)ceil(by); yy < (int)ceil(by + bh) && yy < H; yy++)
			for (int xx = (int)ceil(bx); xx < (int)ceil(bx + bw) && xx < W; xx++) {
				n++;
				l += !uni[(yy / block) * cw + xx / block];
			}
		fw = (int)lround(bw);
		for (b = 0; b < NB - 1 && fw >= bhi[b]; b++)
			;
		faces[!full][b]++;
		px[!full][b] += n;
		left[!full][b] += l;
		if (l)
			fprintf(stderr, "frame %d face %.0f,%.0f %.0fx%.0f%s: %lld of %lld px left\n", t, bx, by, bw,
				bh, full ? "" : " (cut by the edge)", l, n);
	}
	printf("# block %d px; a cell is pixelated when its inner luma spans <= %d levels\n", block,
	       UNIFORM_RANGE);
	printf("# %-12s %-6s %8s %10s %10s %8s\n", "face width", "kind", "faces", "face px", "left px", "left %");
	for (int k = 0; k < 2; k++)
		for (int b = 0; b < NB; b++) {
			if (!faces[k][b])
				continue;
			printf("# %4d-%-7d %-6s %8lld %10lld %10lld %8.3f\n", blo[b], bhi[b] > 9999 ? 9999 : bhi[b],
			       k ? "cut" : "whole", faces[k][b], px[k][b], left[k][b],
			       px[k][b] ? 100.0 * left[k][b] / px[k][b] : 0.0);
		}
	for (int k = 0; k < 2; k++)
		for (int b = 0; b < NB; b++)
			printf("left %s %d %d %lld %lld %lld\n", k ? "cut" : "whole", blo[b], bhi[b], faces[k][b],
			       px[k][b], left[k][b]);
	fclose(in);
	fclose(bf);
	free(y);
	free(uni);
	return 0;
}

static int photo(int argc, char **argv)
{
	struct ob_recipe *r = NULL;
	struct ob_box b[MAX_FACES];
	AVFrame *f = NULL;
	int n, block, faces = 0;
	long long px = 0, left = 0;

	if (argc != 6)
		return 2;
	if (ob_recipe_load(argv[2], &r) || ob_image_load(argv[3], &f)) {
		fprintf(stderr, "face-cover: %s\n", ob_errmsg());
		return 1;
	}
	block = ob_recipe_block_size(&r->pixelate, f->height + (f->height & 1));
	ob_recipe_free(&r);
	n = load_truth(argv[4], atoi(argv[5]), b, MAX_FACES);
	for (int i = 0; i < n; i++) {
		long long l = 0, m = 0;

		for (int yy = (int)b[i].y; yy < (int)ceil(b[i].y + b[i].h) && yy < f->height; yy++)
			for (int xx = (int)b[i].x; xx < (int)ceil(b[i].x + b[i].w) && xx < f->width; xx++) {
				int cx = xx / block, cy = yy / block, lo = 255, hi = 0;
				int x1 = (cx + 1) * block - 1, y1 = (cy + 1) * block - 1;

				x1 = x1 > f->width - 1 ? f->width - 1 : x1;
				y1 = y1 > f->height - 1 ? f->height - 1 : y1;
				for (int y = cy * block + 1; y < y1; y++)
					for (int x = cx * block + 1; x < x1; x++) {
						int v = f->data[0][(size_t)y * f->linesize[0] + x];
						lo = v < lo ? v : lo;
						hi = v > hi ? v : hi;
					}
				m++;
				l += hi - lo > UNIFORM_RANGE;
			}
		faces++;
		px += m;
		left += l;
		if (l)
			fprintf(stderr, "face %.0f,%.0f %.0fx%.0f: %lld of %lld px left\n", b[i].x, b[i].y, b[i].w,
				b[i].h, l, m);
	}
	printf("photo %s %d %lld %lld\n", argv[5], faces, px, left);
	av_frame_free(&f);
	return 0;
}

/* A block of over's grid is changed when export and input differ by more
 * than this mean absolute luma difference (see over()). */
#define OVER_BLOCK 8
#define CHANGED_MAD 6.0

struct truth {
	int frame;
	struct ob_box box;
};

/* Every line of BOXES.txt, in file (frame) order; exits on error. */
static struct truth *read_boxes(const char *path, size_t *n)
{
	struct truth *v = NULL;
	size_t cap = 0;
	char line[256];
	FILE *f = fopen(path, "r");

	*n = 0;
	if (!f) {
		perror(path);
		exit(1);
	}
	while (fgets(line, sizeof(line), f)) {
		struct truth t;
		int full;

		if (sscanf(line, "%d %lf %lf %lf %lf %d", &t.frame, &t.box.x, &t.box.y, &t.box.w, &t.box.h, &full) != 6)
			continue;
		if (ob_grow(&v, &cap, *n + 1, sizeof(*v), SIZE_MAX)) {
			fprintf(stderr, "face-cover: %s\n", ob_errmsg());
			exit(1);
		}
		v[(*n)++] = t;
	}
	fclose(f);
	return v;
}

/* Does the OVER_BLOCK block at (x, y) touch a marked cell of m? */
static bool block_touches(const struct ob_mask *m, int x, int y)
{
	int c1 = (x + OVER_BLOCK - 1) / m->block, r1 = (y + OVER_BLOCK - 1) / m->block;

	for (int r = y / m->block; r <= r1 && r < m->rows; r++)
		for (int c = x / m->block; c <= c1 && c < m->cols; c++)
			if (ob_mask_get(m, c, r))
				return true;
	return false;
}

static int over(int argc, char **argv)
{
	struct ob_recipe *r = NULL;
	struct ob_source *in = NULL, *ex = NULL;
	AVFrame *fi = av_frame_alloc(), *fe = av_frame_alloc();
	AVPacket *pkt = av_packet_alloc();
	struct ob_mask allow = { 0 }, near = { 0 };
	struct truth *gt;
	size_t ngt, k = 0;
	double margin, forehead, sum = 0, sum_far = 0, worst = 0, worst_far = 0;
	int frames = 0, worst_frame = -1, block = 0;

	if (argc != 6)
		return 2;
	if (ob_recipe_load(argv[2], &r) || ob_source_open(&in, argv[3], false, 1) ||
	    ob_source_open(&ex, argv[4], false, 1)) {
		fprintf(stderr, "face-cover: %s\n", ob_errmsg());
		return 1;
	}
	margin = r->pixelate.margin;
	forehead = r->detect.forehead;
	gt = read_boxes(argv[5], &ngt);
	for (;;) {
		int gi = ob_video_next(in, fi, pkt), ge = ob_video_next(ex, fe, pkt);
		long blocks = 0, changed = 0, far = 0;
		int w = fi->width, h = fi->height;

		if (gi < 0 || ge < 0) {
			fprintf(stderr, "face-cover: %s: %s\n", gi < 0 ? argv[3] : argv[4], ob_errmsg());
			return 1;
		}
		if (!gi || !ge) {
			if (gi || ge) {
				fprintf(stderr, "face-cover: %s ends before %s\n", gi ? argv[4] : argv[3],
					gi ? argv[3] : argv[4]);
				return 1;
			}
			break;
		}
		if (w != fe->width || h != fe->height) {
			fprintf(stderr, "face-cover: frame %d: %dx%d in the input, %dx%d in the export\n", frames,
				w, h, fe->width, fe->height);
			return 1;
		}
		if (!block) {
			block = ob_recipe_block_size(&r->pixelate, h);
			if (ob_mask_init(&allow, w, h, block) || ob_mask_init(&near, w, h, block)) {
				fprintf(stderr, "face-cover: %s\n", ob_errmsg());
				return 1;
			}
		}
		ob_mask_clear(&allow);
		ob_mask_clear(&near);
		/* what a perfect detector hides: the true box, its forehead, the margin */
		for (; k < ngt && gt[k].frame <= frames; k++) {
			struct ob_box b = gt[k].box;

			if (gt[k].frame < frames)
				continue;
			ob_mask_add_box(&near, (struct ob_box){ b.x - b.w, b.y - b.h, 3 * b.w, 3 * b.h });
			b.y -= b.h * forehead;
			b.h += b.h * forehead;
			ob_mask_add_box(&allow, (struct ob_box){ b.x - b.w * margin, b.y - b.h * margin,
								 b.w * (1 + 2 * margin), b.h * (1 + 2 * margin) });
		}
		for (int y = 0; y + OVER_BLOCK <= h; y += OVER_BLOCK)
			for (int x = 0; x + OVER_BLOCK <= w; x += OVER_BLOCK) {
				long d = 0;

				if (block_touches(&allow, x, y))
					continue;
				for (int yy = y; yy < y + OVER_BLOCK; yy++)
					for (int xx = x; xx < x + OVER_BLOCK; xx++)
						d += abs(fi->data[0][(size_t)yy * fi->linesize[0] + xx] -
							 fe->data[0][(size_t)yy * fe->linesize[0] + xx]);
				blocks++;
				if ((double)d / (OVER_BLOCK * OVER_BLOCK) > CHANGED_MAD) {
					changed++;
					far += !block_touches(&near, x, y);
				}
			}
		{
			double pc = blocks ? 100.0 * changed / blocks : 0, pf = blocks ? 100.0 * far / blocks : 0;

			fprintf(stderr, "frame %d: %.2f %% of %ld blocks outside the faces changed, %.2f %% far from them\n",
				frames, pc, blocks, pf);
			sum += pc;
			sum_far += pf;
			if (pc > worst || worst_frame < 0) {
				worst = pc;
				worst_frame = frames;
			}
			worst_far = pf > worst_far ? pf : worst_far;
		}
		frames++;
		av_frame_unref(fi);
		av_frame_unref(fe);
	}
	if (!frames) {
		fprintf(stderr, "face-cover: %s: no frames\n", argv[3]);
		return 1;
	}
	printf("# %d frames; %dx%d blocks changed when their mean |export - input| luma > %.0f; faces: true box,\n"
	       "# forehead %.2f and margin %.2f, every %d px cell that touches them left out; far: > 1 face size away\n",
	       frames, OVER_BLOCK, OVER_BLOCK, CHANGED_MAD, forehead, margin, block);
	printf("# over-redaction: mean %.2f %%, worst %.2f %% (frame %d); far from faces: mean %.2f %%, worst %.2f %%\n",
	       sum / frames, worst, worst_frame, sum_far / frames, worst_far);
	printf("over %d %.3f %.3f %d %.3f %.3f\n", frames, sum / frames, worst, worst_frame, sum_far / frames,
	       worst_far);
	free(gt);
	ob_mask_release(&allow);
	ob_mask_release(&near);
	ob_recipe_free(&r);
	ob_source_free(&in);
	ob_source_free(&ex);
	av_frame_free(&fi);
	av_frame_free(&fe);
	av_packet_free(&pkt);
	return 0;
}

int main(int argc, char **argv)
{
	int ret = 2;

	if (argc > 1 && !strcmp(argv[1], "make"))
		ret = make(argc, argv);
	else if (argc > 1 && !strcmp(argv[1], "still"))
		ret = still(argc, argv);
	else if (argc > 1 && !strcmp(argv[1], "scene"))
		ret = scene(argc, argv);
	else if (argc > 1 && !strcmp(argv[1], "check"))
		ret = check(argc, argv);
	else if (argc > 1 && !strcmp(argv[1], "over"))
		ret = over(argc, argv);
	else if (argc > 1 && !strcmp(argv[1], "photo"))
		ret = photo(argc, argv);
	if (ret == 2)
		fprintf(stderr, "usage: face-cover make SAMPLES_DIR TRUTH_DIR FRAMES OUT.yuv BOXES.txt\n"
				"       face-cover still SAMPLES_DIR TRUTH_DIR FRAMES OUT.yuv BOXES.txt SCENE.jpg [WIDTH STEP]\n"
				"       face-cover scene SAMPLES_DIR TRUTH_DIR FRAMES OUT.yuv BOXES.txt\n"
				"       face-cover check RECIPE EXPORT.yuv BOXES.txt\n"
				"       face-cover over RECIPE INPUT EXPORT BOXES.txt\n"
				"       face-cover photo RECIPE EXPORT TRUTH_DIR N\n");
	return ret;
}

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
 *   face-cover still SAMPLES_DIR TRUTH_DIR FRAMES OUT.yuv BOXES.txt SCENE.jpg
 *       The same faces, 16-24 px wide, on the picture SCENE.jpg stretched to
 *       1280x720 and never moving, as a fixed camera sees it: some there from the first frame, some appearing
 *       later, some creeping in at 1 px a frame, some crossing at 4 px a
 *       frame (see still()); BOXES.txt as above.
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
 */
#include <libavutil/frame.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/detect.h"
#include "obscura/error.h"
#include "obscura/recipe.h"
#include "../support/image.h"

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

/* One face box line of BOXES.txt: the box clipped to the frame, whole or cut. */
static void put_box(FILE *boxes, int t, double bx, double by, double bw, double bh)
{
	double x0 = fmax(0, bx), y0 = fmax(0, by), x1 = fmin(W, bx + bw), y1 = fmin(H, by + bh);
	int full = x0 == bx && y0 == by && x1 == bx + bw && y1 == by + bh;

	if (x1 - x0 >= 2 && y1 - y0 >= 2)
		fprintf(boxes, "%d %.2f %.2f %.2f %.2f %d\n", t, x0, y0, x1 - x0, y1 - y0, full);
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
	for (int i = 0; i < NPHOTOS; i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/sample%d.jpg", argv[2], photo_ids[i]);
		if (ob_image_load(path, &ph[i])) {
			fprintf(stderr, "face-cover: %s\n", ob_errmsg());
			return 1;
		}
		ngt[i] = load_truth(argv[3], photo_ids[i], gt[i], MAX_FACES);
	}
	out = fopen(argv[5], "wb");
	boxes = fopen(argv[6], "w");
	if (!y || !out || !boxes) {
		perror("face-cover");
		return 1;
	}
	for (int t = 0; t < frames; t++) {
		double s = 0.55 * pow(0.07 / 0.55, frames > 1 ? (double)t / (frames - 1) : 0);
		int x = even(16 + 6 * t);

		memset(y, 128, (size_t)W * H * 3 / 2);
		for (int i = 0; i < NPHOTOS; i++) {
			int dw = even(ph[i]->width * s), dh = even(ph[i]->height * s), yo = even((H - dh) / 2.0);
			double sx = (double)dw / ph[i]->width, sy = (double)dh / ph[i]->height;
			if (paste(ph[i], 0, 0, ph[i]->width, ph[i]->height, x, yo, dw, dh, y))
				return 1;
			for (int k = 0; k < ngt[i]; k++) {
				double bx = x + gt[i][k].x * sx, by = yo + gt[i][k].y * sy;

				put_box(boxes, t, bx, by, gt[i][k].w * sx, gt[i][k].h * sy);
			}
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
 * annotated faces with their hair and shoulders, 16-24 px face width) that
 * stand still from the first frame, appear from nowhere later and stay
 * still, creep in at 1 px a frame, or cross at 4 px a frame: what a search
 * that looks again only where the picture changed must not miss.
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

	if (argc != 8)
		return 2;
	if (ob_image_load(argv[7], &scene)) {
		fprintf(stderr, "face-cover: %s\n", ob_errmsg());
		return 1;
	}
	frames = (int)strtol(argv[4], NULL, 10);
	for (int i = 0; i < NPHOTOS; i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/sample%d.jpg", argv[2], photo_ids[i]);
		if (ob_image_load(path, &ph[i])) {
			fprintf(stderr, "face-cover: %s\n", ob_errmsg());
			return 1;
		}
		ngt[i] = load_truth(argv[3], photo_ids[i], gt[i], MAX_FACES);
		for (int k = 0; k < ngt[i] && n < STILL_FACES; k++, n++)
			f[n] = (struct still_face){ i, k, 16 + 2 * (n % 5), n % 4 };
	}
	out = fopen(argv[5], "wb");
	boxes = fopen(argv[6], "w");
	if (!y || !out || !boxes) {
		perror("face-cover");
		return 1;
	}
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

int main(int argc, char **argv)
{
	int ret = 2;

	if (argc > 1 && !strcmp(argv[1], "make"))
		ret = make(argc, argv);
	else if (argc > 1 && !strcmp(argv[1], "still"))
		ret = still(argc, argv);
	else if (argc > 1 && !strcmp(argv[1], "check"))
		ret = check(argc, argv);
	if (ret == 2)
		fprintf(stderr, "usage: face-cover make SAMPLES_DIR TRUTH_DIR FRAMES OUT.yuv BOXES.txt\n"
				"       face-cover still SAMPLES_DIR TRUTH_DIR FRAMES OUT.yuv BOXES.txt SCENE.jpg\n"
				"       face-cover check RECIPE EXPORT.yuv BOXES.txt\n");
	return ret;
}

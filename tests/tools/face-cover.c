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

static int make(int argc, char **argv)
{
	AVFrame *ph[NPHOTOS];
	struct ob_box gt[NPHOTOS][MAX_FACES];
	int ngt[NPHOTOS], frames;
	uint8_t *y = malloc((size_t)W * H * 3 / 2), *u = y + W * H, *v = u + W * H / 4;
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
			AVFrame *tmp = av_frame_alloc();
			struct SwsContext *sws = sws_getContext(ph[i]->width, ph[i]->height, AV_PIX_FMT_YUV420P, dw,
								dh, AV_PIX_FMT_YUV420P, SWS_AREA | SWS_ACCURATE_RND,
								NULL, NULL, NULL);

			tmp->format = AV_PIX_FMT_YUV420P;
			tmp->width = dw;
			tmp->height = dh;
			if (!sws || av_frame_get_buffer(tmp, 0) < 0)
				return 1;
			sws_scale(sws, (const uint8_t *const *)ph[i]->data, ph[i]->linesize, 0, ph[i]->height,
				  tmp->data, tmp->linesize);
			sws_freeContext(sws);
			for (int r = 0; r < dh; r++) {
				int yy = yo + r;

				if (yy < 0 || yy >= H)
					continue;
				for (int c = 0; c < dw; c++) {
					int xx = x + c;

					if (xx < 0 || xx >= W)
						continue;
					y[(size_t)yy * W + xx] = tmp->data[0][(size_t)r * tmp->linesize[0] + c];
					if (!(r & 1) && !(c & 1) && !(yy & 1) && !(xx & 1)) {
						u[(size_t)(yy / 2) * (W / 2) + xx / 2] =
							tmp->data[1][(size_t)(r / 2) * tmp->linesize[1] + c / 2];
						v[(size_t)(yy / 2) * (W / 2) + xx / 2] =
							tmp->data[2][(size_t)(r / 2) * tmp->linesize[2] + c / 2];
					}
				}
			}
			av_frame_free(&tmp);
			for (int k = 0; k < ngt[i]; k++) {
				double bx = x + gt[i][k].x * sx, by = yo + gt[i][k].y * sy;
				double bw = gt[i][k].w * sx, bh = gt[i][k].h * sy;
				double x0 = fmax(0, bx), y0 = fmax(0, by), x1 = fmin(W, bx + bw), y1 = fmin(H, by + bh);
				int full = x0 == bx && y0 == by && x1 == bx + bw && y1 == by + bh;

				if (x1 - x0 >= 2 && y1 - y0 >= 2)
					fprintf(boxes, "%d %.2f %.2f %.2f %.2f %d\n", t, x0, y0, x1 - x0, y1 - y0, full);
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
	else if (argc > 1 && !strcmp(argv[1], "check"))
		ret = check(argc, argv);
	if (ret == 2)
		fprintf(stderr, "usage: face-cover make SAMPLES_DIR TRUTH_DIR FRAMES OUT.yuv BOXES.txt\n"
				"       face-cover check RECIPE EXPORT.yuv BOXES.txt\n");
	return ret;
}

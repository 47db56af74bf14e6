/* SPDX-License-Identifier: MIT */
/*
 * framecmp - compare an input and its Obscura export frame by frame.
 *
 *   framecmp [options] INPUT EXPORT
 *     -z, --zone X0,Y0,X1,Y1   zone rectangle in fractions of the (upright) frame
 *                              (repeatable)
 *     -i, --ignore X0,Y0,X1,Y1 a rectangle judged by neither test (e.g. the
 *                              bounding box of a non-rectangular zone; repeatable)
 *     -b, --block N            pixelation block edge in pixels (default 16)
 *     -s, --max-stddev S       fail if a zone cell's luma stddev exceeds S
 *     -p, --min-psnr P         fail if a frame's luma PSNR outside the zone is below P dB
 *     -f, --fill Y             fail if a zone cell's mean luma is not within 2 of Y
 *     -v, --verbose            one line per frame
 *
 * Both files are decoded with the project's own source module, so rotation
 * is handled identically: the input is turned upright exactly as a job turns
 * it, the export (which has no display matrix) is read as it is.
 *
 * "Zone cells" are the cells of the block grid anchored at (0,0) that lie
 * entirely inside the rectangle: they must be uniform (pixelated).  "Outside"
 * is every pixel of the cells that do not touch the rectangle at all; cells
 * on its border are judged by neither test, so the checker does not depend on
 * how the mask rasterizes edges.
 *
 * Prints "frames INPUT_COUNT EXPORT_COUNT", the worst values, and exits 1 if
 * the frame counts or sizes differ or a threshold is violated, 2 on a usage
 * or decoding error.
 */
#include <getopt.h>
#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/error.h"
#include "obscura/source.h"
#include "../support/video.h"

#define MAX_RECTS 16

struct rect {
	double x0, y0, x1, y1;
	bool zone; /* false: ignored area */
};

struct opts {
	struct rect r[MAX_RECTS];
	int n, nzones;
	int block;
	double max_stddev, min_psnr, fill;
	bool verbose;
};

static void usage(void)
{
	fputs("usage: framecmp [-z X0,Y0,X1,Y1]... [-i X0,Y0,X1,Y1]... [-b BLOCK] [-s MAX_STDDEV] [-p MIN_PSNR] [-f FILL] [-v] INPUT EXPORT\n",
	      stderr);
	exit(2);
}

/* Next video frame of src into frame; 1 = frame, 0 = end, exits on error. */
static int next_frame(struct ob_source *src, AVFrame *frame, AVPacket *pkt, const char *path)
{
	int r = ob_video_next(src, frame, pkt);

	if (r < 0) {
		fprintf(stderr, "framecmp: %s: %s\n", path, ob_errmsg());
		exit(2);
	}
	return r;
}

struct frame_result {
	double zone_stddev;  /* max over zone cells */
	double zone_fill_dev; /* max |cell mean - fill| */
	int zone_cells;
	double psnr;         /* outside; INFINITY if identical */
	long outside_px;
};

static void compare(const struct opts *o, const AVFrame *in, const AVFrame *ex, struct frame_result *res)
{
	int w = ex->width, h = ex->height, b = o->block;
	double sse = 0;

	memset(res, 0, sizeof(*res));
	for (int cy = 0; cy * b < h; cy++) {
		for (int cx = 0; cx * b < w; cx++) {
			int px0 = cx * b, py0 = cy * b;
			int px1 = px0 + b < w ? px0 + b : w, py1 = py0 + b < h ? py0 + b : h;
			bool inside = false, touches = false;

			for (int i = 0; i < o->n; i++) {
				double zx0 = o->r[i].x0 * w, zy0 = o->r[i].y0 * h;
				double zx1 = o->r[i].x1 * w, zy1 = o->r[i].y1 * h;

				if (o->r[i].zone && px0 >= zx0 && px1 <= zx1 && py0 >= zy0 && py1 <= zy1)
					inside = true;
				if (px0 < zx1 && px1 > zx0 && py0 < zy1 && py1 > zy0)
					touches = true;
			}

			if (inside) {
				double sum = 0, sum2 = 0, n = (double)(px1 - px0) * (py1 - py0), mean, sd;

				for (int y = py0; y < py1; y++)
					for (int x = px0; x < px1; x++) {
						double v = ex->data[0][(size_t)y * ex->linesize[0] + x];
						sum += v;
						sum2 += v * v;
					}
				mean = sum / n;
				sd = sqrt(fmax(0, sum2 / n - mean * mean));
				if (sd > res->zone_stddev)
					res->zone_stddev = sd;
				if (o->fill >= 0 && fabs(mean - o->fill) > res->zone_fill_dev)
					res->zone_fill_dev = fabs(mean - o->fill);
				res->zone_cells++;
			} else if (!touches) {
				for (int y = py0; y < py1; y++)
					for (int x = px0; x < px1; x++) {
						double d = (double)in->data[0][(size_t)y * in->linesize[0] + x] -
							   ex->data[0][(size_t)y * ex->linesize[0] + x];
						sse += d * d;
					}
				res->outside_px += (long)(px1 - px0) * (py1 - py0);
			}
		}
	}
	res->psnr = res->outside_px && sse > 0 ? 10 * log10(255.0 * 255.0 / (sse / (double)res->outside_px))
					      : INFINITY;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "zone", required_argument, NULL, 'z' },
		{ "ignore", required_argument, NULL, 'i' },
		{ "block", required_argument, NULL, 'b' },
		{ "max-stddev", required_argument, NULL, 's' },
		{ "min-psnr", required_argument, NULL, 'p' },
		{ "fill", required_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ 0 },
	};
	struct opts o = { .block = 16, .max_stddev = -1, .min_psnr = -1, .fill = -1 };
	struct ob_source *a = NULL, *e = NULL;
	AVFrame *fa = av_frame_alloc(), *fe = av_frame_alloc();
	AVPacket *pkt = av_packet_alloc();
	long na = 0, ne = 0, bad = 0, zone_cells_min = -1;
	double worst_sd = 0, worst_fill = 0, worst_psnr = INFINITY, psnr_sum = 0;
	int c;

	while ((c = getopt_long(argc, argv, "z:i:b:s:p:f:v", lo, NULL)) != -1) {
		switch (c) {
		case 'z':
		case 'i': {
			struct rect *r = &o.r[o.n];

			if (o.n == MAX_RECTS ||
			    sscanf(optarg, "%lf,%lf,%lf,%lf", &r->x0, &r->y0, &r->x1, &r->y1) != 4 ||
			    r->x0 >= r->x1 || r->y0 >= r->y1)
				usage();
			r->zone = c == 'z';
			o.nzones += c == 'z';
			o.n++;
			break;
		}
		case 'b': o.block = (int)strtol(optarg, NULL, 10); break;
		case 's': o.max_stddev = strtod(optarg, NULL); break;
		case 'p': o.min_psnr = strtod(optarg, NULL); break;
		case 'f': o.fill = strtod(optarg, NULL); break;
		case 'v': o.verbose = true; break;
		default: usage();
		}
	}
	if (argc - optind != 2 || o.block < 2 || !fa || !fe || !pkt)
		usage();
	if (ob_source_open(&a, argv[optind], false, 1) || ob_source_open(&e, argv[optind + 1], false, 1)) {
		fprintf(stderr, "framecmp: %s\n", ob_errmsg());
		ob_source_free(&a);
		return 2;
	}
	for (;;) {
		int ga = next_frame(a, fa, pkt, argv[optind]);
		int ge = next_frame(e, fe, pkt, argv[optind + 1]);
		struct frame_result r;

		na += ga;
		ne += ge;
		if (!ga || !ge) {
			av_frame_unref(fa);
			av_frame_unref(fe);
			/* Count the rest of the longer one. */
			while (ga && (ga = next_frame(a, fa, pkt, argv[optind])))
				na++, av_frame_unref(fa);
			while (ge && (ge = next_frame(e, fe, pkt, argv[optind + 1])))
				ne++, av_frame_unref(fe);
			break;
		}
		if (fa->width != fe->width || fa->height != fe->height) {
			printf("frame %ld: size %dx%d in input, %dx%d in export\n", ne - 1, fa->width,
			       fa->height, fe->width, fe->height);
			return 1;
		}
		compare(&o, fa, fe, &r);
		if (o.verbose)
			printf("frame %ld zone_cells %d zone_max_stddev %.2f fill_dev %.2f psnr_outside %.2f\n",
			       ne - 1, r.zone_cells, r.zone_stddev, r.zone_fill_dev, r.psnr);
		if (o.max_stddev >= 0 && r.zone_stddev > o.max_stddev) {
			if (bad++ < 5)
				printf("frame %ld: zone cell stddev %.2f > %.2f\n", ne - 1, r.zone_stddev, o.max_stddev);
		}
		if (o.fill >= 0 && r.zone_fill_dev > 2) {
			if (bad++ < 5)
				printf("frame %ld: zone cell mean off fill %.0f by %.2f\n", ne - 1, o.fill, r.zone_fill_dev);
		}
		if (o.min_psnr >= 0 && r.psnr < o.min_psnr) {
			if (bad++ < 5)
				printf("frame %ld: PSNR outside zone %.2f dB < %.2f\n", ne - 1, r.psnr, o.min_psnr);
		}
		if (r.zone_stddev > worst_sd)
			worst_sd = r.zone_stddev;
		if (r.zone_fill_dev > worst_fill)
			worst_fill = r.zone_fill_dev;
		if (r.psnr < worst_psnr)
			worst_psnr = r.psnr;
		psnr_sum += isinf(r.psnr) ? 99 : r.psnr;
		if (zone_cells_min < 0 || r.zone_cells < zone_cells_min)
			zone_cells_min = r.zone_cells;
		av_frame_unref(fa);
		av_frame_unref(fe);
	}
	printf("frames %ld %ld\n", na, ne);
	printf("zone_cells %ld\nzone_max_stddev %.2f\nzone_max_fill_dev %.2f\n", zone_cells_min < 0 ? 0 : zone_cells_min,
	       worst_sd, worst_fill);
	printf("psnr_outside_min %.2f\npsnr_outside_mean %.2f\n", worst_psnr, ne ? psnr_sum / (double)ne : 0);
	if (o.nzones && zone_cells_min <= 0) {
		printf("the zone holds no whole cell: nothing to check\n");
		bad++;
	}
	if (na != ne) {
		printf("frame count differs: input %ld, export %ld\n", na, ne);
		bad++;
	}
	if (na == 0) {
		printf("no frames\n");
		bad++;
	}
	ob_source_free(&a);
	ob_source_free(&e);
	av_frame_free(&fa);
	av_frame_free(&fe);
	av_packet_free(&pkt);
	return bad ? 1 : 0;
}

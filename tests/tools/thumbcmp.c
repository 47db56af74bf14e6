/* SPDX-License-Identifier: MIT */
/*
 * thumbcmp - was a report's picture taken from the export, and not from the input?
 *
 *   thumbcmp PICTURE EXPORT INPUT FRAME X,Y,W,H...
 *
 * Decodes PICTURE (a contact sheet's JPEG), frame FRAME (from 0, decode
 * order as a job counts frames) of EXPORT and of INPUT with the project's
 * source module, scales both frames to the picture's size and full range
 * (libswscale, area; the range ob_image_load() gives the picture) and measures the mean absolute luma difference between the picture
 * and each, over the whole picture and over the boxes given (frame pixels:
 * the regions the export hid).  Prints
 *   export WHOLE BOXES input WHOLE BOXES
 * and exits 0 when the picture matches the export (whole <= 3, boxes <= 4:
 * JPEG's loss) and, in the boxes, differs from the input by more than twice
 * as much and at least 6 levels; 1 otherwise; 2 on a usage or decoding error.
 */
#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/error.h"
#include "obscura/geom.h"
#include "obscura/source.h"
#include "../support/image.h"
#include "../support/video.h"

#define MAX_BOXES 256

/* Frame `index` of path, scaled to w x h luma (plane returned, malloc'd). */
static unsigned char *frame_luma(const char *path, long index, int w, int h)
{
	struct ob_source *src = NULL;
	AVFrame *f = av_frame_alloc(), *small = av_frame_alloc();
	AVPacket *pkt = av_packet_alloc();
	unsigned char *out = NULL;
	long n = 0;
	int r;

	if (ob_source_open(&src, path, false, 1)) {
		fprintf(stderr, "thumbcmp: %s\n", ob_errmsg());
		goto done;
	}
	while ((r = ob_video_next(src, f, pkt)) == 1) {
		if (n++ == index)
			break;
		av_frame_unref(f);
	}
	if (r != 1) {
		fprintf(stderr, "thumbcmp: %s: no frame %ld\n", path, index);
		goto done;
	}
	small->width = w;
	small->height = h;
	small->format = AV_PIX_FMT_YUV420P;
	if (av_frame_get_buffer(small, 0) == 0) {
		struct SwsContext *sws = sws_getContext(f->width, f->height, f->format, w, h, AV_PIX_FMT_YUV420P,
							SWS_AREA, NULL, NULL, NULL);

		if (sws) {
			/* the picture as ob_image_load() gives it is full range; video frames are not */
			sws_setColorspaceDetails(sws, sws_getCoefficients(SWS_CS_DEFAULT), 0,
						 sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16);
			sws_scale(sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, small->data,
				  small->linesize);
			out = malloc((size_t)w * h);
			for (int y = 0; out && y < h; y++)
				memcpy(out + (size_t)y * w, small->data[0] + (size_t)y * small->linesize[0], (size_t)w);
			sws_freeContext(sws);
		}
	}
done:
	av_frame_free(&f);
	av_frame_free(&small);
	av_packet_free(&pkt);
	ob_source_free(&src);
	return out;
}

/* Mean |a - b| over the picture, or over the boxes (scaled by sx, sy) when n > 0. */
static double mad(const AVFrame *pic, const unsigned char *b, const struct ob_box *boxes, size_t n, double sx,
		  double sy)
{
	double sum = 0;
	long count = 0;

	for (int y = 0; y < pic->height; y++)
		for (int x = 0; x < pic->width; x++) {
			bool in = n == 0;

			for (size_t i = 0; i < n && !in; i++)
				in = x + 0.5 >= boxes[i].x * sx && x + 0.5 < (boxes[i].x + boxes[i].w) * sx &&
				     y + 0.5 >= boxes[i].y * sy && y + 0.5 < (boxes[i].y + boxes[i].h) * sy;
			if (!in)
				continue;
			sum += fabs((double)pic->data[0][(size_t)y * pic->linesize[0] + x] - b[(size_t)y * pic->width + x]);
			count++;
		}
	return count ? sum / count : 0;
}

int main(int argc, char **argv)
{
	struct ob_box boxes[MAX_BOXES];
	size_t n = 0;
	AVFrame *pic = NULL;
	unsigned char *e, *in;
	double sx, sy, ew, eb, iw, ib;
	long frame;
	int src_w, src_h;

	if (argc < 6) {
		fputs("usage: thumbcmp PICTURE EXPORT INPUT FRAME X,Y,W,H...\n", stderr);
		return 2;
	}
	frame = strtol(argv[4], NULL, 10);
	for (int i = 5; i < argc && n < MAX_BOXES; i++, n++)
		if (sscanf(argv[i], "%lf,%lf,%lf,%lf", &boxes[n].x, &boxes[n].y, &boxes[n].w, &boxes[n].h) != 4) {
			fprintf(stderr, "thumbcmp: bad box '%s'\n", argv[i]);
			return 2;
		}
	if (ob_image_load(argv[1], &pic)) {
		fprintf(stderr, "thumbcmp: %s\n", ob_errmsg());
		return 2;
	}
	/* the export's frame size, to scale the boxes */
	{
		struct ob_source *s = NULL;

		if (ob_source_open(&s, argv[2], false, 1)) {
			fprintf(stderr, "thumbcmp: %s\n", ob_errmsg());
			return 2;
		}
		src_w = ob_source_info(s)->width;
		src_h = ob_source_info(s)->height;
		ob_source_free(&s);
	}
	e = frame_luma(argv[2], frame, pic->width, pic->height);
	in = frame_luma(argv[3], frame, pic->width, pic->height);
	if (!e || !in)
		return 2;
	sx = (double)pic->width / src_w;
	sy = (double)pic->height / src_h;
	ew = mad(pic, e, NULL, 0, sx, sy);
	eb = mad(pic, e, boxes, n, sx, sy);
	iw = mad(pic, in, NULL, 0, sx, sy);
	ib = mad(pic, in, boxes, n, sx, sy);
	printf("export %.2f %.2f input %.2f %.2f\n", ew, eb, iw, ib);
	free(e);
	free(in);
	av_frame_free(&pic);
	return ew <= 3 && eb <= 4 && ib > 2 * eb && ib >= 6 ? 0 : 1;
}

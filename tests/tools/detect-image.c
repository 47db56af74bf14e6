/* SPDX-License-Identifier: MIT */
/* detect-image.c - run one detector on an image file, print boxes (frame pixels).
 * usage: detect-image MODEL_DIR MODEL IMAGE [THRESHOLD] [TILE]
 * One line per detection: "x y w h score class label"; TILE > 0 runs tiled.
 * MODEL is picked as in a job: a family runs its variant that fits the image. */
#include <libavutil/frame.h>
#include <stdio.h>
#include <stdlib.h>

#include "obscura/detect.h"
#include "obscura/error.h"
#include "obscura/tiling.h"
#include "../support/image.h"

int main(int argc, char **argv)
{
	struct ob_detector *d = NULL;
	struct ob_detections dets = { 0 };
	AVFrame *f = NULL;
	double thr = argc > 4 ? strtod(argv[4], NULL) : -1;
	int tile = argc > 5 ? (int)strtol(argv[5], NULL, 10) : 0;
	int64_t passes;
	double ms;
	int ret;

	if (argc < 4) {
		fprintf(stderr, "usage: detect-image MODEL_DIR MODEL IMAGE [THRESHOLD] [TILE]\n");
		return 2;
	}
	/* the image's shape picks the model variant, as a video frame's does in a job */
	ret = ob_image_load(argv[3], &f);
	if (!ret)
		ret = ob_detector_open(argv[1], argv[2], f->width, f->height, 0, &d);
	if (!ret)
		ret = tile > 0 ? ob_detector_run_tiled(d, f, tile, thr, &dets)
			       : ob_detector_run(d, f, NULL, thr, &dets);
	if (ret) {
		fprintf(stderr, "detect-image: %s\n", ob_errmsg());
		goto out;
	}
	for (size_t i = 0; i < dets.n; i++)
		printf("%.1f %.1f %.1f %.1f %.4f %s %d\n", dets.v[i].box.x, dets.v[i].box.y, dets.v[i].box.w,
		       dets.v[i].box.h, dets.v[i].score, ob_class_name(dets.v[i].cls), dets.v[i].label);
	ob_detector_stats(d, &passes, &ms);
	fprintf(stderr, "%s: %lld passes, %.1f ms forward\n", ob_detector_card(d)->name, (long long)passes, ms);
out:
	ob_detections_release(&dets);
	av_frame_free(&f);
	ob_detector_free(&d);
	return ret ? 1 : 0;
}

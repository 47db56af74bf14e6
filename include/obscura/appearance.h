/* SPDX-License-Identifier: MIT */
/* appearance.h - what a person's clothes look like on this day: a colour histogram
 * of the torso and legs of a person box, never of the head (obscura-tracks(5),
 * APPEARANCE). */
#ifndef OBSCURA_APPEARANCE_H
#define OBSCURA_APPEARANCE_H

#include <stddef.h>
#include <stdint.h>

#include "obscura/geom.h"

#define OB_APPEARANCE_PARTS 2      /* torso, legs */
#define OB_APPEARANCE_BINS 24      /* per part: 8 grey levels, 8 hues x 2 saturations */
#define OB_APPEARANCE_DIM (OB_APPEARANCE_PARTS * OB_APPEARANCE_BINS)
#define OB_APPEARANCE_MIN_HEIGHT 20.0 /* px: smaller person boxes get no descriptor */
#define OB_APPEARANCE_OCCLUDED 0.3 /* share of a box another detection covers that voids it */

/*
 * The descriptor, version 1: a fixed-length vector of OB_APPEARANCE_DIM
 * floats, OB_APPEARANCE_PARTS histograms of OB_APPEARANCE_BINS bins, each
 * summing to 1.  Part 0 is the torso, rows 0.25 to 0.55 of the box's height
 * from its top; part 1 the legs, rows 0.55 to 0.90; both over the middle
 * half of its width (0.25 to 0.75), so the head (the top quarter) and most
 * of the background beside the body are never read.  Each part is sampled
 * on a grid of at most 12 x 16 points of the YUV 4:2:0 frame (Cb and Cr at
 * the sample's 2x2 block).  A sample whose chroma (Cb - 128, Cr - 128) has
 * a magnitude of at least 10 and whose luma is at least 48 is coloured:
 * bin 8 + 2 hue + sat, hue = floor(8 (atan2(Cr, Cb) + pi) / 2 pi) (mod 8),
 * sat = 1 when the magnitude is 25 or more.  Any other sample is grey: its
 * luma Y counts in bins 0..7 split linearly between the two nearest of the
 * centres 32 k + 16 (clamped at the ends).  valid is 0 when a part has fewer
 * than 8 samples in the frame, or the box is shorter than
 * OB_APPEARANCE_MIN_HEIGHT; it is the same descriptor whatever the
 * detector, a function of the pixels under the box only.
 */
struct ob_appearance {
	float h[OB_APPEARANCE_DIM];
	int valid;
};

/* A frame's planes as the descriptor reads them: 8-bit YUV 4:2:0. */
struct ob_yuv_view {
	const uint8_t *y, *u, *v;
	int y_stride, u_stride, v_stride;
	int width, height;
};

/* The descriptor of the person in box b (frame pixels) of frame f. */
void ob_appearance_of(const struct ob_yuv_view *f, struct ob_box b, struct ob_appearance *out);

/*
 * The descriptors of n person boxes of one frame; a box of which another of
 * the boxes covers more than OB_APPEARANCE_OCCLUDED of the area is not
 * described (valid 0): its pixels are partly someone else's.
 */
void ob_appearance_batch(const struct ob_yuv_view *f, const struct ob_box *boxes, size_t n,
			 struct ob_appearance *out);

/*
 * Distance between two valid descriptors, in [0, 1]: the mean over the parts
 * of the Hellinger distance sqrt(1 - sum_i sqrt(a_i b_i)).  0 for the same
 * clothes, 1 for histograms with no bin in common.  On vtest.avi, one
 * person's detections three frames apart: median 0.20 (95% below 0.45);
 * two people near each other: median 0.42 (5% below 0.25).
 */
double ob_appearance_distance(const struct ob_appearance *a, const struct ob_appearance *b);

/*
 * a moves towards b: a = (1 - rate) a + rate b, part by part (each part
 * still sums to 1).  An invalid a becomes b; an invalid b leaves a.
 */
void ob_appearance_blend(struct ob_appearance *a, const struct ob_appearance *b, double rate);

#endif

/* SPDX-License-Identifier: MIT */
/* look.h - looks again, zoomed in: where a face was found once, is it
 * still there?  Is what the search saw too weakly a small face?
 *
 * Second looks.  A face found on one detection frame and not on the next
 * is either at the edge of the detector's reach (small, turned, blurred)
 * or no face at all (a hand, a fold of clothes, a part of a face).  On the
 * next detection frame the detect stage searches a crop around it again,
 * zoomed in, at half the face threshold (ob_look_crop), and the track
 * store is told whether a face was found there (ob_look_found;
 * track_store.h, ob_track_store_looked).  Closer looks: below.  Pure
 * geometry: no network here.
 */
#ifndef OBSCURA_LOOK_H
#define OBSCURA_LOOK_H

#include <stdbool.h>

#include "obscura/detect.h"
#include "obscura/geom.h"

/* Score of a second look's search, as a share of the face threshold: a
 * face found on one pass is still one on the next, if maybe a weaker one. */
#define OB_LOOK_THRESHOLD 0.5

/*
 * The crop a second look searches around face box b on a frame_w x
 * frame_h frame, for a detector whose input is in_w x in_h: 3 times b a
 * side (b's own size of context on every side: as far as a face moves
 * between detection frames), at least the input over 3 (zoomed in at most
 * 3 times: further, a small face is a blur), at the input's shape, shifted
 * inside the frame, and no larger than it.
 */
struct ob_box ob_look_crop(struct ob_box b, int frame_w, int frame_h, int in_w, int in_h);

/*
 * Did the look at face box b find that face: is one of found a face of
 * about b's size (half to twice its height) whose centre lies in b's
 * context (b grown by its own size on every side), and not a face the
 * frame's own search found too from threshold, the face threshold (IoU >=
 * 0.3 with such a face of seen, or its centre inside one: that is another
 * face, tracked already; b was often a part of it)?  A weaker box of the
 * frame's search is no track of its own (it only continues a confirmed
 * one, and b's track, seen once, is not): the face the look finds there
 * is b's, still there and still weak, and it is found.  Boxes of seen of
 * another class are ignored.
 */
bool ob_look_found(const struct ob_detections *found, struct ob_box b, const struct ob_detections *seen,
		   double threshold);

/*
 * Closer looks.  A face of 12-16 px is at the edge of what the face
 * search sees even in tiles at the frame's own scale: UltraFace scores
 * such a face 0.15 on one frame and 0.6 on the next, or never reaches the
 * threshold for one turned a little; zoomed in three times (ob_look_crop)
 * the same faces score 0.95.  So, on a detection frame, a box the face
 * search found just now (not one a region kept from an earlier search),
 * scoring from OB_LOOK_CLOSE_SCORE up to the face threshold (lower, 8 % of
 * the looks found a face on vtest.avi and none on movie-hello, for two
 * thirds of the passes; the search reports nothing below the lane's floor,
 * [track] low), OB_LOOK_CLOSE_MIN to OB_LOOK_CLOSE_MAX px wide (larger
 * faces are seen at their scale; smaller boxes are noise), not part of a
 * face found at the threshold, is searched again in its crop at the face
 * threshold, the OB_LOOK_CLOSE_PER_FRAME best scores first; two or more
 * share one pass (ob_detector_run_mosaic: each crop, taken at a quarter
 * input's shape, in its own quarter of the input, one against the frame's
 * border in a quarter that keeps that border the input's: ob_look_quarters;
 * the same zoom for boxes up to 16 px, a face of about 40-50 px for larger
 * ones); a face found there on it (IoU >= OB_LOOK_CLOSE_IOU) takes its
 * place, with its score.
 * A looser answer is not taken: a face boxed twice its size around a small
 * one took the small face's track away from it (a still 18 px face then
 * showed for 11 frames), and zoomed-in clothes and badges answer "face" at
 * any size around a small box.
 */
#define OB_LOOK_CLOSE_SCORE 0.15
#define OB_LOOK_CLOSE_MIN 8.0
#define OB_LOOK_CLOSE_MAX 32.0
#define OB_LOOK_CLOSE_PER_FRAME 4
#define OB_LOOK_CLOSE_IOU 0.4

/*
 * A box a closer look found no face on is not looked at again for the
 * next OB_LOOK_CLOSE_RETRY detection frames while a weak box lies on it
 * (IoU >= OB_LOOK_CLOSE_SAME): on a fixed camera the same patch of wall or
 * clothes comes back on every frame whose region changed elsewhere, and
 * the looks are better spent on other boxes (on t0047's clip, 114 looks in
 * 30 frames, every one on the building, became 71); a face that moves is
 * soon off the box it was missed on (a 14 px face creeping 2 px a
 * detection frame is looked at every third).
 */
#define OB_LOOK_CLOSE_RETRY 4
#define OB_LOOK_CLOSE_SAME 0.5

/* Indices into dets of the faces a closer look is for (above), none on a
 * box of skip[0..nskip) (looked at lately, no face), at most max, best
 * score first; how many. */
size_t ob_look_close_candidates(const struct ob_detections *dets, double threshold, const struct ob_box *skip,
				size_t nskip, size_t *idx, size_t max);

/*
 * The quarters of a mosaic pass (detect.h, ob_detector_run_mosaic; bit q:
 * quarter q, left or right by q % 2, top or bottom by q / 2) in which a
 * crop (ob_look_crop, on a frame_w x frame_h frame) keeps the frame's
 * border where it lies against it: a face coming in there, cut, is boxed
 * past the crop's edge, and only the input's own border leaves such a box
 * whole.  0xf for a crop away from the border; 0 for one against both the
 * left and right sides, or the top and bottom.
 */
unsigned ob_look_quarters(struct ob_box crop, int frame_w, int frame_h);

/* Which face of found (a closer look's answer, at the face threshold) is
 * candidate b: the best scored of those overlapping it by
 * OB_LOOK_CLOSE_IOU; -1: none. */
int ob_look_close_found(const struct ob_detections *found, struct ob_box b);

#endif

/* SPDX-License-Identifier: MIT */
/* decoders.h - detections, non-maximum suppression, and the decoders that turn a
 * model's output tensors into boxes (BlazeFace, SSD, UltraFace, CenterNet, DB, YOLOv5/v8). */
#ifndef OBSCURA_DECODERS_H
#define OBSCURA_DECODERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "obscura/class.h"
#include "obscura/dnn.h"
#include "obscura/geom.h"
#include "obscura/model.h"

#define OB_DETECT_MAX 4096        /* detections kept per frame, all detectors together */

struct ob_detection {
	struct ob_box box; /* frame pixels */
	float score;
	int label;         /* the model's class index */
	enum ob_class cls;
	uint8_t cut;       /* touches an inner tile seam (tiling only) */
	uint8_t stale;     /* found by an earlier search of a region not searched again (tiling only) */
};

/* A growable list, capped at OB_DETECT_MAX. */
struct ob_detections {
	struct ob_detection *v;
	size_t n, cap;
};

/* Appends; OB_ERR_LIMIT past OB_DETECT_MAX, OB_ERR_NOMEM. */
int ob_detections_push(struct ob_detections *d, const struct ob_detection *det);
void ob_detections_clear(struct ob_detections *d);
void ob_detections_release(struct ob_detections *d);

/*
 * Greedy class-aware NMS in place: highest score first (ties: earlier
 * first), a box is dropped if its IoU with a kept box of the same label is
 * > iou.  Then keeps at most max (0 = no cap) best.
 */
void ob_nms(struct ob_detections *d, double iou, size_t max);

/*
 * Merges detections from overlapping tiles: a box cut by a tile seam is
 * dropped when a box of the same class covers at least half of it; the rest
 * go through NMS at iou where overlap is also measured as intersection over
 * the smaller box (a whole face and a half face from the next tile).
 */
void ob_nms_seams(struct ob_detections *d, double iou);

/*
 * Drops, in place and keeping the order of the rest, every face of d that
 * lies mostly (80 % of its box) inside a larger face scoring at least high
 * (the face threshold): a part of that face (a mouth and chin, an eye and a
 * cheek) that anchors of its size found as a face of its own, whatever its
 * score.  The larger face starts or continues a track that hides the part;
 * a weaker one (a loose box down to the [track] low) could not, and drops
 * nothing.  Faces only: a child in front of an adult is a person inside a
 * person.
 */
void ob_drop_face_parts(struct ob_detections *d, double high);

/*
 * Whether the card's network is fully convolutional and its decoder reads
 * the output grid from the card's input size (CenterNet, DB), so that it
 * can run at a smaller input of a multiple of ob_decoder_input_step (its
 * coarsest feature map's stride: 32); other decoders' anchors are fixed to
 * the card's input.
 */
bool ob_decoder_any_input(const struct ob_model_card *card);
int ob_decoder_input_step(const struct ob_model_card *card);

/*
 * Where a model's input came from: input pixel (xi, yi) is frame pixel
 * (ox + xi / sx, oy + yi / sy).  sx, sy are the scales actually used
 * (resized width / region width), so the mapping is exact.
 */
struct ob_letterbox {
	double ox, oy, sx, sy;
	int in_w, in_h;    /* model input */
	int used_w, used_h; /* part of the input the picture covers (top-left) */
};

/*
 * Decodes one forward pass's outputs (card order) into frame-pixel
 * detections appended to out, with per-label NMS applied.  threshold < 0
 * uses the card's score_threshold.  Pure: no model needed (tests feed
 * synthetic tensors).
 */
int ob_decode(const struct ob_model_card *card, const struct ob_tensor *outs,
	      const struct ob_letterbox *lb, double threshold, struct ob_detections *out);

#endif

/* detect.h - detectors: model card + OpenCV DNN + preprocessing + decoders + NMS. */
#ifndef OBSCURA_DETECT_H
#define OBSCURA_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "obscura/class.h"
#include "obscura/dnn.h"
#include "obscura/geom.h"
#include "obscura/model.h"

struct AVFrame;

#define OB_DETECT_MAX 4096        /* detections kept per frame, all detectors together */
#define OB_DETECT_MAX_TILES 64    /* tiles per frame */
#define OB_DETECT_MAX_PIXELS (16384LL * 16384LL)

struct ob_detection {
	struct ob_box box; /* frame pixels */
	float score;
	int label;         /* the model's class index */
	enum ob_class cls;
	uint8_t cut;       /* touches an inner tile seam (tiling only) */
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

/* Intersection over union; 0 for empty boxes. */
double ob_box_iou(struct ob_box a, struct ob_box b);

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

struct ob_detector;

/*
 * Loads DIR/NAME.card, checks the ONNX file's SHA-256 against it, and loads
 * the network (threads as ob_dnn_open).  Errors: OB_ERR_MODEL naming the file.
 */
int ob_detector_open(const char *dir, const char *name, int threads, struct ob_detector **out);
void ob_detector_free(struct ob_detector **d);
const struct ob_model_card *ob_detector_card(const struct ob_detector *d);

/*
 * One pass on region roi of frame (NULL = whole frame): the region is
 * scaled into the model input (letterbox: top-left, rest 0), run, decoded
 * and appended to out in frame pixels.  frame: 8-bit YUV 4:2:0 (yuv420p or
 * yuvj420p; color_range honoured).  threshold < 0: the card's.
 */
int ob_detector_run(struct ob_detector *d, const struct AVFrame *frame, const struct ob_box *roi,
		    double threshold, struct ob_detections *out);

/*
 * Tiled pass: the frame is cut into overlapping square tiles of `tile`
 * frame pixels (overlap = tile/4), plus the whole-frame pass; results are
 * merged with ob_nms_seams().  tile <= 0 picks 4x the model input's
 * smallest-object size (tile = input side * 1.5, see obscura-recipe(5)).
 */
int ob_detector_run_tiled(struct ob_detector *d, const struct AVFrame *frame, int tile,
			  double threshold, struct ob_detections *out);

/*
 * The tile side the detect stage uses for a face model on a width x height
 * frame when the recipe says tiles = auto; 0 when the frame is small enough
 * for one full-frame pass (see obscura-recipe(5)).  Tests and the stage
 * share it, so what is measured is what runs.
 */
int ob_detect_face_tile(const struct ob_model_card *card, int width, int height);

/* Forward passes run and their total time, for `make bench` and summaries. */
void ob_detector_stats(const struct ob_detector *d, int64_t *passes, double *forward_ms);

/*
 * Preprocessing alone, exposed for tests: fills blob (3*in_h*in_w floats,
 * NCHW, normalised per the card) from region roi of frame; *lb receives
 * the mapping.
 */
int ob_detector_preprocess(struct ob_detector *d, const struct AVFrame *frame, const struct ob_box *roi,
			   float *blob, struct ob_letterbox *lb);

/* Decodes an image file (JPEG, PNG, ...) with libavformat/libavcodec into a
 * new yuv420p frame, as the pipeline would carry it (*out: av_frame_free). */
int ob_image_load(const char *path, struct AVFrame **out);

#endif

/* SPDX-License-Identifier: MIT */
/* detect.h - a detector: model card + OpenCV DNN + preprocessing from YUV frames. */
#ifndef OBSCURA_DETECT_H
#define OBSCURA_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "obscura/class.h"
#include "obscura/decoders.h"
#include "obscura/dnn.h"
#include "obscura/geom.h"
#include "obscura/model.h"

struct AVFrame;

#define OB_DETECT_MAX_TILES 64    /* tiles per frame */
#define OB_DETECT_SMALL_FACE 16   /* face width, frame px, that tiles = auto sizes tiles for */
#define OB_DETECT_FULL_PASS_FACE 38.4 /* tiles = auto when a whole-frame pass misses faces this wide */
#define OB_DETECT_MAX_PIXELS (16384LL * 16384LL)

struct ob_detector;

/*
 * Loads the card NAME runs as on frames of width x height (ob_model_pick:
 * DIR/NAME.card, or the variant it lists whose input fits the frame's aspect
 * best; width or height <= 0: NAME itself), checks the ONNX file's SHA-256
 * against it, and loads the network (threads as ob_dnn_open).
 * ob_detector_card() says which card that is.  Errors: OB_ERR_MODEL naming the file.
 */
int ob_detector_open(const char *dir, const char *name, int width, int height, int threads,
		     struct ob_detector **out);
void ob_detector_free(struct ob_detector **d);

/*
 * A second instance of d's network (same card, loaded again from its
 * verified file) for another thread: one cv::dnn::Net runs one pass at a
 * time.  Its pass counts start at zero.  threads as ob_dnn_open (0: leave
 * OpenCV's process-wide setting as it is).
 */
int ob_detector_clone(const struct ob_detector *d, int threads, struct ob_detector **out);
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
 * Whether d's network runs at other input sizes than its card's
 * (ob_decoder_any_input), and one such pass: roi scaled into an in_w x in_h
 * input (multiples of ob_decoder_input_step, at most the card's size),
 * letterboxed as ob_detector_run does, decoded at that size.  A smaller
 * input costs less: the detect stage searches only the part of a frame that
 * changed at the whole-frame pass's scale (tiling.h).  A new size makes
 * OpenCV set the network up again (about a tenth of a pass).
 * Errors: OB_ERR_INTERNAL for a size the network cannot take.
 */
bool ob_detector_any_size(const struct ob_detector *d);
int ob_detector_run_sized(struct ob_detector *d, const struct AVFrame *frame, const struct ob_box *roi, int in_w,
			  int in_h, double threshold, struct ob_detections *out);

/*
 * One pass on up to OB_DETECT_MOSAIC small regions of frame at once: each
 * scaled, as ob_detector_run scales a region (letterbox or stretch, as the
 * card says), into its own quarter of the model input (rois[k]: left or
 * right by k % 2, top or bottom by k / 2; a region of no width, and
 * quarters from n on, are left empty, 0), run once, and the boxes whose
 * centre is in quarter k, each quarter's with their own NMS, appended to
 * out[k] in frame pixels.  A box with more than a fifth of its area in
 * another region's quarter is of two pictures and dropped; the rest are
 * cut where another region's quarter begins, and not elsewhere: a face cut
 * by its region's edge is boxed past it, as a pass of its own would box
 * it, where that edge is the input's or an empty quarter's (so a region
 * against the frame's border is best given the quarter whose outer sides
 * are that border's).  For a network of a fixed input size that sees small
 * faces at a few regions' scale (closer looks, look.h): one pass where
 * four would cost four.
 */
#define OB_DETECT_MOSAIC 4
int ob_detector_run_mosaic(struct ob_detector *d, const struct AVFrame *frame, const struct ob_box *rois,
			   size_t n, double threshold, struct ob_detections *out);

/*
 * The tile size (along the input's longer side, as ob_tiling_open takes it) the detect stage uses for a face model on a width x height
 * frame when the recipe says tiles = auto: sized so that a face of
 * OB_DETECT_SMALL_FACE frame px is the card's min_face in the input.  0
 * when one whole-frame pass finds faces from OB_DETECT_FULL_PASS_FACE frame
 * px (BlazeFace and UltraFace: landscape frames up to 768 px wide): no
 * tiles (see obscura-recipe(5)).
 * Tests and the stage share it, so what is measured is what runs.
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

#endif

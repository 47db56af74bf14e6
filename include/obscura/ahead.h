/* SPDX-License-Identifier: MIT */
/* ahead.h - a detector's whole-frame passes started as frames are decoded, ahead of the seeing thread. */
#ifndef OBSCURA_AHEAD_H
#define OBSCURA_AHEAD_H

#include <stdbool.h>
#include <stdint.h>

#include "obscura/decoders.h"

struct AVFrame;
struct ob_detector;

/*
 * Why: a recipe whose detection frames hold one pass (analyze's: people on
 * the whole frame, searched afresh every time) gives OpenCV one pass to
 * split over the cores, which it does at 77 % (CenterNet 512x384: 80 ms on
 * two threads, 124 ms on one).  Such a pass is a function of the frame's
 * pixels alone, so it can start as soon as the frame is decoded, on a
 * thread of its own, while the seeing thread runs the pass of an earlier
 * frame: two passes side by side, a core each.
 *
 * ob_ahead_open takes det (its own instance of the network: a
 * cv::dnn::Net runs one pass at a time) and the score it runs at, and
 * starts one thread.  ob_ahead_offer (the decode thread) hands it a frame;
 * it never waits: with OB_AHEAD_SLOTS frames already waiting or being
 * searched the offer is declined, and the seeing thread searches that
 * frame itself.  ob_ahead_take (the seeing thread) waits for the pass of
 * frame index if it was offered and taken, appends its detections to out
 * and sets *taken; else sets *taken = false.  What is found is what
 * ob_detector_run(det, frame, NULL, threshold) finds in the seeing thread.
 */
#define OB_AHEAD_SLOTS 3

struct ob_ahead;

int ob_ahead_open(struct ob_detector *det, double threshold, struct ob_ahead **out);
void ob_ahead_offer(struct ob_ahead *a, const struct AVFrame *frame, int64_t index);
int ob_ahead_take(struct ob_ahead *a, int64_t index, struct ob_detections *out, bool *taken);
/* Was frame index offered and taken (its pass waiting, running or done)?  The seeing thread's question. */
bool ob_ahead_offered(struct ob_ahead *a, int64_t index);
/* Passes run ahead and the seconds they took. */
void ob_ahead_stats(const struct ob_ahead *a, int64_t *passes, double *busy);
/* Stops the thread (a running pass ends first), frees det and the frames offered. */
void ob_ahead_free(struct ob_ahead **a);

#endif

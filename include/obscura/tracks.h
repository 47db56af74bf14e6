/* tracks.h - the track store: the seam between seeing (detect) and hiding (redact). */
#ifndef OBSCURA_TRACKS_H
#define OBSCURA_TRACKS_H

#include <stddef.h>
#include <stdint.h>

#include "obscura/geom.h"

#define OB_TRACK_MAX_BOXES 4096 /* boxes one frame may hide */

/*
 * The redactor only ever asks "which boxes cover frame n?".  Today the store
 * holds the boxes of the latest detected frame and answers with them for
 * every later frame until the next detection (hold between strided
 * detections), each grown along its motion: matched to the previous
 * detection's boxes (overlap, else nearest centre of a similar size) for a
 * velocity, or, seen for the first time, moving with a pan + zoom model fitted
 * to the matched ones (see obscura-recipe(5), stride).  The tracker with lookahead (later) fills it per track, and a
 * second pass may fill it from an edited tracks.h5; the question stays the same.
 */
struct ob_track_store;

int ob_track_store_new(struct ob_track_store **out);
void ob_track_store_free(struct ob_track_store **ts);

/* Boxes (frame pixels, already the region to hide) detected on frame n; replaces
 * what an earlier frame left.  Frames must come in increasing order.
 * Errors: OB_ERR_LIMIT past OB_TRACK_MAX_BOXES, OB_ERR_NOMEM. */
int ob_track_store_put(struct ob_track_store *ts, int64_t frame, const struct ob_box *boxes, size_t n);

/* The boxes covering frame n (borrowed until the next put); returns their count. */
size_t ob_track_store_boxes(const struct ob_track_store *ts, int64_t frame, const struct ob_box **boxes);

#endif

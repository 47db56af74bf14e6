/* SPDX-License-Identifier: MIT */
/* tiling.h - a tiled search that looks again only where the picture changed. */
#ifndef OBSCURA_TILING_H
#define OBSCURA_TILING_H

#include <stdint.h>

#include "obscura/decoders.h"
#include "obscura/model.h"

struct AVFrame;
struct ob_detector;

#define OB_TILING_CELL 8   /* change is judged on the mean luma of cells this many px square */
#define OB_TILING_DELTA 4  /* a cell whose mean luma moved by more than this (0-255) has changed */
#define OB_TILING_STILL 2  /* a region none of whose samples moved by more than this owes no refresh */
#define OB_TILING_HELD 0.15 /* a box from this score holds a moving picture's tile: searched every call */
/* a change within this share of its size, a side, of a face the whole-frame pass found is that face's */
#define OB_TILING_FOLLOW_REACH 0.5

/*
 * A detector's search of a width x height frame, region by region: the
 * whole-frame pass, plus -- when tile > 0 -- overlapping tiles of the
 * model input's shape, `tile` frame pixels along the input's longer side,
 * overlapping by a quarter of a tile (ob_detector_run_tiled's grid).  A
 * tile adds only boxes narrower than a third of its width; the regions'
 * boxes are merged with ob_nms_seams().
 *
 * With refresh > 1 the search remembers: a region whose picture has not
 * changed since it was last searched (no OB_TILING_CELL cell's mean luma
 * moved by more than OB_TILING_DELTA) gives that search's detections
 * again instead of running the model -- a detector is a function of the
 * pixels, so unchanged pixels have the same answer -- and every region is
 * searched afresh at least every `refresh` calls (the oldest first), which
 * bounds what a change under the threshold could hide.  When more than
 * half the tiles changed (a camera that pans or zooms), a changed tile
 * whose last search, on the previous call, found no box from
 * OB_TILING_HELD rests on every other call, in a checkerboard, its old
 * answer dropped, and is searched on the next (tiling.c,
 * rest_empty_tiles).  A tile that changed only within OB_TILING_FOLLOW_REACH
 * of a face the whole-frame pass found clearly on the previous call, and
 * found nothing where it changed but that face, is left to that pass and
 * the refresh, its boxes where it changed dropped (tiling.c,
 * left_to_whole_frame).  refresh <= 1: every region on every call.
 *
 * Without tiles, a network that runs at any input size
 * (ob_detector_any_size) searches a whole frame that changed in part only
 * where it changed: crops of the change, at the whole-frame pass's scale,
 * each holding whole every box of the last searches it touches; the boxes
 * elsewhere stand (see tiling.c, "Crops").
 */
struct ob_tiling;

int ob_tiling_open(const struct ob_detector *d, int width, int height, int tile, int refresh,
		   struct ob_tiling **out);
void ob_tiling_free(struct ob_tiling **t);

/* One search of frame (its size must be the one opened with); appends to out. */
int ob_tiling_run(struct ob_tiling *t, struct ob_detector *d, const struct AVFrame *frame, double threshold,
		  struct ob_detections *out);

/*
 * The same search in three steps, for passes shared among threads
 * (workers.h): ob_tiling_plan measures the frame and chooses the regions
 * this call searches (regions[] needs room for ob_tiling_regions(), the
 * most one call searches: every region, or crops of the whole frame; never
 * more than 1 + OB_DETECT_MAX_TILES); each
 * is searched by ob_tiling_search -- distinct regions may be searched at
 * once, each thread with its own instance of the detector
 * (ob_detector_clone) -- and ob_tiling_finish merges every region's answer
 * into out.  status: the first failure of the searches (0: none), which
 * finish returns after forgetting every region's answer.  A region not
 * searched on this call answers what it found before, marked stale.
 */
int ob_tiling_regions(const struct ob_tiling *t);
/* The refresh it was opened with (<= 1: every region searched on every call, no memory). */
int ob_tiling_refresh(const struct ob_tiling *t);
int ob_tiling_plan(struct ob_tiling *t, const struct AVFrame *frame, double threshold, int *regions, int *n);
int ob_tiling_search(struct ob_tiling *t, int region, struct ob_detector *d, const struct AVFrame *frame);
int ob_tiling_finish(struct ob_tiling *t, const struct ob_model_card *card, int status,
		     struct ob_detections *out);

/* One search with no memory: ob_tiling_open with refresh 1, run, free.  tile <= 0: tiles of the input's size. */
int ob_detector_run_tiled(struct ob_detector *d, const struct AVFrame *frame, int tile, double threshold,
			  struct ob_detections *out);

/* Regions in the grid (whole frame included), regions searched / reused so far, crops searched,
 * refreshes not owed (no sample of the region moved by more than OB_TILING_STILL), and changed
 * tiles of a moving picture left to the next call (rested, counted in reused), and tiles whose
 * only change was a face the whole-frame pass follows (followed, counted in reused). */
struct ob_tiling_stats {
	int regions;
	int64_t searched, reused, cropped, still, rested, followed;
};
void ob_tiling_stats(const struct ob_tiling *t, struct ob_tiling_stats *st);

#endif

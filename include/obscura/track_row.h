/* SPDX-License-Identifier: MIT */
/* track_row.h - one box of one track on one frame: the vocabulary the track store,
 * the tracks file and analytics share (and the only thing they pass each other). */
#ifndef OBSCURA_TRACK_ROW_H
#define OBSCURA_TRACK_ROW_H

#include <stdint.h>

#define OB_FRAME_MAX_ROWS 65536 /* rows on one frame, whoever holds them */

/* How a row's box was known (the "kind" column). */
enum ob_row_kind {
	OB_ROW_OBSERVED = 0,     /* a detection on this frame */
	OB_ROW_INTERPOLATED = 1, /* between two detections of the track */
	OB_ROW_EXTRAPOLATED = 2, /* before the first or after the last detection (lookahead) */
};

/* One box of one track on one frame: where the track is, and what the export hid for it. */
struct ob_track_row {
	int64_t frame;    /* 0-based index of the frame in the input's video stream */
	double pts;       /* presentation time of the frame, seconds from the first frame */
	uint64_t track;   /* track id, >= 1, unique in the file */
	uint8_t cls;      /* enum ob_class (class.h) */
	uint8_t kind;     /* enum ob_row_kind */
	uint8_t hidden;   /* 1: the export hides cover_* on this frame */
	float score;      /* detection score; interpolated between detections; 0 extrapolated */
	float x, y, w, h; /* the track's box, frame pixels (top-left, size) */
	float cover_x, cover_y, cover_w, cover_h; /* the region hidden for it, before the recipe's margin */
};

/* One frame: how many rows it has and how many of them were hidden. */
struct ob_frame_summary {
	int64_t frame;
	double pts;
	uint32_t boxes;
	uint32_t hidden;
};

#endif

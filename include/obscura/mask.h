/* SPDX-License-Identifier: MIT */
/* mask.h - which blocks of a frame must be hidden, on a fixed block grid. */
#ifndef OBSCURA_MASK_H
#define OBSCURA_MASK_H

#include <stddef.h>
#include <stdint.h>

#include "obscura/geom.h"

/*
 * The frame is cut into block×block cells on a grid anchored at (0,0) that
 * never moves between frames: a moving grid would let an attacker combine
 * differently aligned pixelations of the same face.  A cell is either hidden
 * as a whole or not at all, so anything that touches a cell hides all of it.
 */
struct ob_mask {
	int width, height; /* frame size in pixels */
	int block;         /* cell edge in pixels (even) */
	int cols, rows;
	uint8_t *cells;    /* rows*cols, nonzero = hide */
};

#define OB_FRAME_MAX_DIM 16384

int ob_mask_init(struct ob_mask *m, int width, int height, int block);
void ob_mask_release(struct ob_mask *m);
void ob_mask_clear(struct ob_mask *m);

/* Marks every cell the box overlaps (box in pixels; clipped to the frame). */
void ob_mask_add_box(struct ob_mask *m, struct ob_box box);

/* Marks every cell whose interior meets the polygon's (polygon in pixels). */
void ob_mask_add_polygon(struct ob_mask *m, const struct ob_polygon *poly);

/* dst |= src; both must have the same geometry. */
void ob_mask_or(struct ob_mask *dst, const struct ob_mask *src);

size_t ob_mask_count(const struct ob_mask *m);

static inline int ob_mask_get(const struct ob_mask *m, int col, int row)
{
	return m->cells[(size_t)row * (size_t)m->cols + (size_t)col];
}

#endif

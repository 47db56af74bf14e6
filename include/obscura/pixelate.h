/* SPDX-License-Identifier: MIT */
/* pixelate.h - irreversible pixelation of masked cells, in place, in YUV. */
#ifndef OBSCURA_PIXELATE_H
#define OBSCURA_PIXELATE_H

#include <stdint.h>

#include "obscura/mask.h"
#include "obscura/recipe.h"

struct AVFrame;

/*
 * Replaces every pixel of every masked cell, in every plane, by one value
 * that depends on the cell only through its mean: the cell mean plus a
 * noise offset drawn from (seed, plane, cell) - or, for the solid style, a
 * fixed colour.  Nothing of the detail inside a cell survives, unlike blur.
 *
 * The noise offset is fixed per cell for the whole job (not per frame), so
 * averaging many frames of a still subject converges to mean + unknown
 * offset, never to the true mean.
 *
 * The frame must be 8-bit planar YUV (or grey) on the mask's geometry, with
 * the mask's block a multiple of the chroma subsampling.
 * Returns 0, or OB_ERR_INTERNAL for an unsupported frame.
 */
int ob_pixelate_frame(struct AVFrame *frame, const struct ob_mask *mask,
		      const struct ob_pixelate_opts *opts, uint64_t seed);

/* The offset added to a cell's mean; exposed for the tests. */
int ob_pixelate_noise(uint64_t seed, int plane, int col, int row, int amplitude);

#endif

/* SPDX-License-Identifier: MIT */
/* pixelate.c - irreversible block pixelation on decoded YUV planes. */
#include "obscura/pixelate.h"

#include <libavutil/frame.h>
#include <libavutil/pixdesc.h>
#include <string.h>

#include "obscura/error.h"
#include "obscura/banned.h"

/* SplitMix64 finalizer: a well-mixed hash of the cell coordinates. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int ob_pixelate_noise(uint64_t seed, int plane, int col, int row, int amplitude)
{
	uint64_t h;

	if (amplitude <= 0)
		return 0;
	h = mix64(seed ^ mix64(((uint64_t)(uint32_t)plane << 56) ^ ((uint64_t)(uint32_t)row << 28) ^
			       (uint64_t)(uint32_t)col));
	return (int)(h % (uint64_t)(2 * amplitude + 1)) - amplitude;
}

static uint8_t clip8(int v)
{
	return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* Solid fill colour for plane p (limited-range YUV; chroma neutral). */
static uint8_t fill_value(enum ob_fill fill, int plane, int is_chroma)
{
	(void)plane;
	if (is_chroma)
		return 128;
	switch (fill) {
	case OB_FILL_WHITE: return 235;
	case OB_FILL_GREY: return 126;
	default: return 16;
	}
}

static void hide_cell(uint8_t *data, int linesize, int x0, int y0, int x1, int y1,
		      const struct ob_pixelate_opts *opts, int value_offset, uint8_t solid)
{
	uint8_t v;

	if (opts->style == OB_STYLE_SOLID) {
		v = solid;
	} else {
		uint64_t sum = 0;
		int n = (x1 - x0) * (y1 - y0);

		for (int y = y0; y < y1; y++)
			for (int x = x0; x < x1; x++)
				sum += data[(ptrdiff_t)y * linesize + x];
		v = clip8((int)((sum + (uint64_t)n / 2) / (uint64_t)n) + value_offset);
	}
	for (int y = y0; y < y1; y++)
		memset(data + (ptrdiff_t)y * linesize + x0, v, (size_t)(x1 - x0));
}

int ob_pixelate_frame(AVFrame *frame, const struct ob_mask *mask,
		      const struct ob_pixelate_opts *opts, uint64_t seed)
{
	const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(frame->format);
	int nplanes;

	if (!desc || (desc->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL | AV_PIX_FMT_FLAG_BITSTREAM)) ||
	    desc->comp[0].depth != 8 || !(desc->flags & AV_PIX_FMT_FLAG_PLANAR || desc->nb_components == 1))
		return ob_err(OB_ERR_INTERNAL, "pixelate: unsupported pixel format %s",
			      desc ? desc->name : "?");
	if (frame->width != mask->width || frame->height != mask->height)
		return ob_err(OB_ERR_INTERNAL, "pixelate: frame %dx%d, mask %dx%d", frame->width,
			      frame->height, mask->width, mask->height);
	if (mask->block % (1 << desc->log2_chroma_w) || mask->block % (1 << desc->log2_chroma_h))
		return ob_err(OB_ERR_INTERNAL, "pixelate: block %d not a multiple of chroma subsampling",
			      mask->block);
	nplanes = av_pix_fmt_count_planes(frame->format);

	for (int p = 0; p < nplanes; p++) {
		int is_chroma = (p == 1 || p == 2) && desc->nb_components >= 3;
		int sx = is_chroma ? desc->log2_chroma_w : 0;
		int sy = is_chroma ? desc->log2_chroma_h : 0;
		int pw = AV_CEIL_RSHIFT(frame->width, sx), ph = AV_CEIL_RSHIFT(frame->height, sy);
		uint8_t solid = fill_value(opts->fill, p, is_chroma);

		for (int r = 0; r < mask->rows; r++) {
			for (int c = 0; c < mask->cols; c++) {
				int x0, y0, x1, y1;

				if (!ob_mask_get(mask, c, r))
					continue;
				x0 = (c * mask->block) >> sx;
				y0 = (r * mask->block) >> sy;
				x1 = FFMIN(((c + 1) * mask->block) >> sx, pw);
				y1 = FFMIN(((r + 1) * mask->block) >> sy, ph);
				hide_cell(frame->data[p], frame->linesize[p], x0, y0, x1, y1, opts,
					  ob_pixelate_noise(seed, p, c, r, opts->noise), solid);
			}
		}
	}
	return 0;
}

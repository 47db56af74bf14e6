/* SPDX-License-Identifier: MIT */
/* mask.c - rasterize boxes and polygons onto the block grid. */
#include "obscura/mask.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/error.h"
#include "obscura/banned.h"

int ob_mask_init(struct ob_mask *m, int width, int height, int block)
{
	memset(m, 0, sizeof(*m));
	if (width <= 0 || height <= 0 || width > OB_FRAME_MAX_DIM || height > OB_FRAME_MAX_DIM)
		return ob_err(OB_ERR_LIMIT, "frame size %dx%d outside 1..%d", width, height,
			      OB_FRAME_MAX_DIM);
	if (block <= 0)
		return ob_err(OB_ERR_INTERNAL, "mask: block size %d", block);
	m->width = width;
	m->height = height;
	m->block = block;
	m->cols = (width + block - 1) / block;
	m->rows = (height + block - 1) / block;
	m->cells = calloc((size_t)m->cols * (size_t)m->rows, 1);
	if (!m->cells)
		return ob_err(OB_ERR_NOMEM, "mask: out of memory");
	return 0;
}

void ob_mask_release(struct ob_mask *m)
{
	if (!m)
		return;
	free(m->cells);
	memset(m, 0, sizeof(*m));
}

void ob_mask_clear(struct ob_mask *m)
{
	memset(m->cells, 0, (size_t)m->cols * (size_t)m->rows);
}

void ob_mask_add_box(struct ob_mask *m, struct ob_box b)
{
	double x1 = fmin(b.x + b.w, m->width), y1 = fmin(b.y + b.h, m->height);
	double x0 = fmax(b.x, 0), y0 = fmax(b.y, 0);
	int c0, c1, r0, r1;

	if (!(x1 > x0 && y1 > y0))
		return;
	/* Cells [c0, c1] overlap the open interval (x0, x1). */
	c0 = (int)floor(x0 / m->block);
	r0 = (int)floor(y0 / m->block);
	c1 = (int)ceil(x1 / m->block) - 1;
	r1 = (int)ceil(y1 / m->block) - 1;
	if (c1 >= m->cols)
		c1 = m->cols - 1;
	if (r1 >= m->rows)
		r1 = m->rows - 1;
	for (int r = r0; r <= r1; r++)
		memset(&m->cells[(size_t)r * (size_t)m->cols + (size_t)c0], 1, (size_t)(c1 - c0 + 1));
}

/*
 * Liang-Barsky: does segment a-b pass through the open rectangle
 * (x0,x1)×(y0,y1) for a stretch of positive length?  Touching an edge or a
 * corner does not count, so a zone that ends on a cell boundary does not
 * spill into the neighbouring cell.
 */
static int segment_meets_cell(struct ob_point a, struct ob_point b, double x0, double y0, double x1,
			      double y1)
{
	double dx = b.x - a.x, dy = b.y - a.y;
	double p[4] = { -dx, dx, -dy, dy };
	double q[4] = { a.x - x0, x1 - a.x, a.y - y0, y1 - a.y };
	double t0 = 0, t1 = 1;

	for (int i = 0; i < 4; i++) {
		if (p[i] == 0) {
			if (q[i] <= 0)
				return 0;
			continue;
		}
		double t = q[i] / p[i];
		if (p[i] < 0)
			t0 = fmax(t0, t);
		else
			t1 = fmin(t1, t);
	}
	return t0 < t1;
}

void ob_mask_add_polygon(struct ob_mask *m, const struct ob_polygon *poly)
{
	struct ob_box bb = ob_polygon_bounds(poly);
	int c0 = (int)fmax(0, floor(bb.x / m->block));
	int r0 = (int)fmax(0, floor(bb.y / m->block));
	int c1 = (int)fmin(m->cols - 1, floor((bb.x + bb.w) / m->block));
	int r1 = (int)fmin(m->rows - 1, floor((bb.y + bb.h) / m->block));

	if (poly->n < 3)
		return;
	for (int r = r0; r <= r1; r++) {
		for (int c = c0; c <= c1; c++) {
			double x0 = (double)c * m->block, y0 = (double)r * m->block;
			double x1 = x0 + m->block, y1 = y0 + m->block;
			int hit = ob_polygon_contains(poly, (x0 + x1) / 2, (y0 + y1) / 2);

			/* A cell the polygon only partly covers: some edge enters it. */
			for (size_t i = 0, j = poly->n - 1; !hit && i < poly->n; j = i++)
				hit = segment_meets_cell(poly->pts[j], poly->pts[i], x0, y0, x1, y1);
			if (hit)
				m->cells[(size_t)r * (size_t)m->cols + (size_t)c] = 1;
		}
	}
}

void ob_mask_or(struct ob_mask *dst, const struct ob_mask *src)
{
	size_t n = (size_t)dst->cols * (size_t)dst->rows;

	for (size_t i = 0; i < n; i++)
		dst->cells[i] |= src->cells[i];
}

size_t ob_mask_count(const struct ob_mask *m)
{
	size_t n = (size_t)m->cols * (size_t)m->rows, count = 0;

	for (size_t i = 0; i < n; i++)
		count += m->cells[i] != 0;
	return count;
}

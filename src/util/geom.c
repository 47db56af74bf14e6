/* SPDX-License-Identifier: MIT */
/* geom.c - polygon and box arithmetic shared by masks, detection, tracking and analytics. */
#include "obscura/geom.h"

#include <math.h>

#include "obscura/banned.h"

bool ob_polygon_contains(const struct ob_polygon *poly, double x, double y)
{
	bool inside = false;

	for (size_t i = 0, j = poly->n - 1; i < poly->n; j = i++) {
		const struct ob_point *a = &poly->pts[i], *b = &poly->pts[j];

		/* Half-open in y, so a vertex on the ray is counted once. */
		if ((a->y > y) != (b->y > y)) {
			double xc = a->x + (y - a->y) * (b->x - a->x) / (b->y - a->y);
			if (x < xc)
				inside = !inside;
		}
	}
	return inside;
}

void ob_polygon_scale(struct ob_polygon *poly, double sx, double sy)
{
	for (size_t i = 0; i < poly->n; i++) {
		poly->pts[i].x *= sx;
		poly->pts[i].y *= sy;
	}
}

struct ob_box ob_polygon_bounds(const struct ob_polygon *poly)
{
	double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;

	for (size_t i = 0; i < poly->n; i++) {
		x0 = fmin(x0, poly->pts[i].x);
		y0 = fmin(y0, poly->pts[i].y);
		x1 = fmax(x1, poly->pts[i].x);
		y1 = fmax(y1, poly->pts[i].y);
	}
	if (poly->n == 0)
		return (struct ob_box){ 0, 0, 0, 0 };
	return (struct ob_box){ x0, y0, x1 - x0, y1 - y0 };
}

double ob_polygon_area2(const struct ob_polygon *poly)
{
	double a = 0;

	for (size_t i = 0, j = poly->n - 1; i < poly->n; j = i++)
		a += poly->pts[j].x * poly->pts[i].y - poly->pts[i].x * poly->pts[j].y;
	return a;
}

double ob_box_inter(struct ob_box a, struct ob_box b)
{
	double ix = fmin(a.x + a.w, b.x + b.w) - fmax(a.x, b.x);
	double iy = fmin(a.y + a.h, b.y + b.h) - fmax(a.y, b.y);

	return ix > 0 && iy > 0 ? ix * iy : 0;
}

struct ob_box ob_box_grow(struct ob_box b, double m)
{
	return (struct ob_box){ b.x - b.w * m, b.y - b.h * m, b.w + 2 * b.w * m, b.h + 2 * b.h * m };
}

double ob_box_overlap(struct ob_box a, struct ob_box b)
{
	double small = fmin(a.w * a.h, b.w * b.h);

	return small > 0 ? ob_box_inter(a, b) / small : 0;
}

double ob_box_iou(struct ob_box a, struct ob_box b)
{
	double inter = ob_box_inter(a, b);
	double uni = a.w * a.h + b.w * b.h - inter;

	return uni > 0 ? inter / uni : 0;
}

/* SPDX-License-Identifier: MIT */
/* geom.h - points, boxes and polygons in frame coordinates. */
#ifndef OBSCURA_GEOM_H
#define OBSCURA_GEOM_H

#include <stdbool.h>
#include <stddef.h>

/* A point; recipes give them as fractions of the frame (0..1), the pipeline
 * works in pixels after ob_polygon_scale(). */
struct ob_point {
	double x, y;
};

/* An axis-aligned box: top-left corner, width and height, in pixels. */
struct ob_box {
	double x, y, w, h;
};

#define OB_POLYGON_MAX_POINTS 64

struct ob_polygon {
	size_t n;
	struct ob_point pts[OB_POLYGON_MAX_POINTS];
};

/* Even-odd point-in-polygon test. */
bool ob_polygon_contains(const struct ob_polygon *poly, double x, double y);

/* Multiplies every point by (sx, sy): fractions of the frame -> pixels. */
void ob_polygon_scale(struct ob_polygon *poly, double sx, double sy);

/* Smallest box holding every point of poly. */
struct ob_box ob_polygon_bounds(const struct ob_polygon *poly);

/* Twice the signed area; zero for degenerate (collinear) polygons. */
double ob_polygon_area2(const struct ob_polygon *poly);

/* Area of the intersection of two boxes; 0 when they do not overlap. */
double ob_box_inter(struct ob_box a, struct ob_box b);

/* b grown by the fraction m of its width and height on every side: the
 * margin the recipe adds to every hidden box (stage_redact, obscura report). */
struct ob_box ob_box_grow(struct ob_box b, double m);

/* Intersection over the smaller box's area (1: one lies inside the other); 0 for empty boxes. */
double ob_box_overlap(struct ob_box a, struct ob_box b);

/* Intersection over union; 0 for empty boxes. */
double ob_box_iou(struct ob_box a, struct ob_box b);

#endif

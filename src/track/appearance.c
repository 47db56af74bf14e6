/* SPDX-License-Identifier: MIT */
/* appearance.c - a colour histogram of a person's torso and legs (appearance.h). */
#include "obscura/appearance.h"

#include <math.h>
#include <string.h>

#include "obscura/banned.h"

#define GRID_COLS 12
#define GRID_ROWS 16
#define MIN_SAMPLES 8
#define CHROMA_MIN 10.0  /* chroma magnitude from which a sample is coloured */
#define CHROMA_HIGH 25.0 /* ... and from which it is saturated */
#define LUMA_MIN 48      /* darker samples are grey whatever their chroma (noise) */
#define GREY_BINS 8
#define HUES 8

static const double part_rows[OB_APPEARANCE_PARTS][2] = { { 0.25, 0.55 }, { 0.55, 0.90 } };
static const double part_cols[2] = { 0.25, 0.75 };

/* One sample into histogram h (OB_APPEARANCE_BINS bins). */
static void add_sample(float *h, int y, int u, int v)
{
	double cb = u - 128, cr = v - 128, c = hypot(cb, cr);

	if (c >= CHROMA_MIN && y >= LUMA_MIN) {
		int hue = (int)floor(HUES * (atan2(cr, cb) + M_PI) / (2 * M_PI)) % HUES;

		h[GREY_BINS + 2 * hue + (c >= CHROMA_HIGH)] += 1;
	} else {
		double p = y / 32.0 - 0.5, f;
		int i = (int)floor(p);

		f = p - i;
		h[i < 0 ? 0 : i > GREY_BINS - 1 ? GREY_BINS - 1 : i] += (float)(1 - f);
		i++;
		h[i < 0 ? 0 : i > GREY_BINS - 1 ? GREY_BINS - 1 : i] += (float)f;
	}
}

void ob_appearance_of(const struct ob_yuv_view *f, struct ob_box b, struct ob_appearance *out)
{
	memset(out, 0, sizeof(*out));
	if (!(b.h >= OB_APPEARANCE_MIN_HEIGHT) || !(b.w > 0) || !isfinite(b.x) || !isfinite(b.y))
		return;
	for (int p = 0; p < OB_APPEARANCE_PARTS; p++) {
		float *h = out->h + p * OB_APPEARANCE_BINS;
		double x0 = b.x + part_cols[0] * b.w, x1 = b.x + part_cols[1] * b.w;
		double y0 = b.y + part_rows[p][0] * b.h, y1 = b.y + part_rows[p][1] * b.h;
		int n = 0;

		for (int r = 0; r < GRID_ROWS; r++) {
			int y = (int)floor(y0 + (r + 0.5) * (y1 - y0) / GRID_ROWS);

			if (y < 0 || y >= f->height)
				continue;
			for (int c = 0; c < GRID_COLS; c++) {
				int x = (int)floor(x0 + (c + 0.5) * (x1 - x0) / GRID_COLS);

				if (x < 0 || x >= f->width)
					continue;
				add_sample(h, f->y[(size_t)y * f->y_stride + x], f->u[(size_t)(y / 2) * f->u_stride + x / 2],
					   f->v[(size_t)(y / 2) * f->v_stride + x / 2]);
				n++;
			}
		}
		if (n < MIN_SAMPLES) {
			memset(out, 0, sizeof(*out));
			return;
		}
		for (int i = 0; i < OB_APPEARANCE_BINS; i++)
			h[i] /= (float)n;
	}
	out->valid = 1;
}

void ob_appearance_batch(const struct ob_yuv_view *f, const struct ob_box *boxes, size_t n,
			 struct ob_appearance *out)
{
	for (size_t i = 0; i < n; i++) {
		double area = boxes[i].w * boxes[i].h, covered = 0;

		for (size_t j = 0; j < n; j++)
			if (j != i)
				covered = fmax(covered, ob_box_inter(boxes[i], boxes[j]));
		if (!(area > 0) || covered > OB_APPEARANCE_OCCLUDED * area) {
			memset(&out[i], 0, sizeof(out[i]));
			continue;
		}
		ob_appearance_of(f, boxes[i], &out[i]);
	}
}

double ob_appearance_distance(const struct ob_appearance *a, const struct ob_appearance *b)
{
	double d = 0;

	for (int p = 0; p < OB_APPEARANCE_PARTS; p++) {
		double bc = 0;

		for (int i = p * OB_APPEARANCE_BINS; i < (p + 1) * OB_APPEARANCE_BINS; i++)
			bc += sqrt((double)a->h[i] * b->h[i]);
		d += sqrt(fmax(0, 1 - bc));
	}
	return d / OB_APPEARANCE_PARTS;
}

void ob_appearance_blend(struct ob_appearance *a, const struct ob_appearance *b, double rate)
{
	if (!b->valid)
		return;
	if (!a->valid) {
		*a = *b;
		return;
	}
	for (int i = 0; i < OB_APPEARANCE_DIM; i++)
		a->h[i] = (float)((1 - rate) * a->h[i] + rate * b->h[i]);
}

/* SPDX-License-Identifier: MIT */
/* look.c - looks again, zoomed in: the crop, which boxes get one, and what a look found. */
#include "obscura/look.h"

#include <math.h>

#include "obscura/class.h"
#include "obscura/banned.h"

#define LOOK_CONTEXT 3.0 /* the crop, in face boxes a side */
#define LOOK_ZOOM 3.0    /* at most this many input pixels a frame pixel */

struct ob_box ob_look_crop(struct ob_box b, int frame_w, int frame_h, int in_w, int in_h)
{
	double aspect = (double)in_w / in_h, W = frame_w, H = frame_h;
	double w = fmax(LOOK_CONTEXT * b.w, in_w / LOOK_ZOOM), h = fmax(LOOK_CONTEXT * b.h, in_h / LOOK_ZOOM);
	double x, y;

	if (w < h * aspect)
		w = h * aspect;
	else
		h = w / aspect;
	x = fmax(0, fmin(b.x + b.w / 2 - w / 2, W - w));
	y = fmax(0, fmin(b.y + b.h / 2 - h / 2, H - h));
	return (struct ob_box){ x, y, fmin(w, W - x), fmin(h, H - y) };
}

static bool centre_in(struct ob_box f, struct ob_box r)
{
	double cx = f.x + f.w / 2, cy = f.y + f.h / 2;

	return cx >= r.x && cx <= r.x + r.w && cy >= r.y && cy <= r.y + r.h;
}

/* Whether f is a face of seen scoring at least from (the frame's own search found it). */
static bool seen_already(struct ob_box f, const struct ob_detections *seen, double from)
{
	for (size_t i = 0; i < seen->n; i++)
		if (seen->v[i].cls == OB_CLASS_FACE && seen->v[i].score >= from &&
		    (ob_box_iou(f, seen->v[i].box) >= 0.3 || centre_in(f, seen->v[i].box)))
			return true;
	return false;
}

bool ob_look_found(const struct ob_detections *found, struct ob_box b, const struct ob_detections *seen,
		   double threshold)
{
	struct ob_box context = { b.x - b.w, b.y - b.h, 3 * b.w, 3 * b.h };

	for (size_t i = 0; i < found->n; i++) {
		struct ob_box f = found->v[i].box;

		if (f.h >= b.h / 2 && f.h <= 2 * b.h && centre_in(f, context) && !seen_already(f, seen, threshold))
			return true;
	}
	return false;
}

/* Whether b lies on a box of skip[0..n). */
static bool looked_lately(struct ob_box b, const struct ob_box *skip, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ob_box_iou(b, skip[i]) >= OB_LOOK_CLOSE_SAME)
			return true;
	return false;
}

size_t ob_look_close_candidates(const struct ob_detections *dets, double threshold, const struct ob_box *skip,
				size_t nskip, size_t *idx, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < dets->n; i++) {
		const struct ob_detection *c = &dets->v[i];
		size_t k;

		if (c->cls != OB_CLASS_FACE || c->stale || c->score < OB_LOOK_CLOSE_SCORE || c->score >= threshold ||
		    c->box.w < OB_LOOK_CLOSE_MIN || c->box.w > OB_LOOK_CLOSE_MAX || seen_already(c->box, dets, threshold) ||
		    looked_lately(c->box, skip, nskip))
			continue;
		if (n == max && (max == 0 || dets->v[idx[max - 1]].score >= c->score))
			continue; /* as many as wanted, all scoring higher */
		k = n < max ? n++ : max - 1;
		for (; k > 0 && dets->v[idx[k - 1]].score < c->score; k--)
			idx[k] = idx[k - 1];
		idx[k] = i;
	}
	return n;
}

int ob_look_close_found(const struct ob_detections *found, struct ob_box b)
{
	int best = -1;

	for (size_t i = 0; i < found->n; i++) {
		if (found->v[i].cls == OB_CLASS_FACE && ob_box_iou(found->v[i].box, b) >= OB_LOOK_CLOSE_IOU &&
		    (best < 0 || found->v[i].score > found->v[best].score))
			best = (int)i;
	}
	return best;
}

unsigned ob_look_quarters(struct ob_box c, int frame_w, int frame_h)
{
	bool left = c.x <= 1, right = c.x + c.w >= frame_w - 1, top = c.y <= 1, bottom = c.y + c.h >= frame_h - 1;
	unsigned fit = 0;

	for (unsigned q = 0; q < OB_DETECT_MOSAIC; q++)
		if (!(left && q % 2) && !(right && !(q % 2)) && !(top && q / 2) && !(bottom && !(q / 2)))
			fit |= 1u << q;
	return fit;
}

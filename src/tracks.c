/* tracks.c - a minimal track store: hold the latest detection until the next
 * one, grown along each box's observed motion. */
#include "obscura/tracks.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/error.h"
#include "obscura/banned.h"

/* Motion is estimated between two detections at most this many frames apart. */
#define TRACK_MAX_GAP 30
/* A box held k frames after its detection also covers k frames of its motion,
 * plus this share of that motion on every side (acceleration, noise). */
#define TRACK_SLACK 0.5
/* A box seen for the first time (no motion yet) is grown by this share of
 * its size on every side per held frame. */
#define TRACK_NEW_SLACK 0.1

struct motion {
	double vx, vy, vw, vh; /* per frame: centre, size */
	int known;             /* matched to the previous detection */
};

struct ob_track_store {
	int64_t frame;   /* frame the boxes were detected on, -1 none yet */
	struct ob_box *boxes, *prev, *held;
	struct motion *mv;
	size_t n, nprev, cap;
	int64_t prev_frame;
};

int ob_track_store_new(struct ob_track_store **out)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return ob_err(OB_ERR_NOMEM, "out of memory for the track store");
	(*out)->frame = -1;
	(*out)->prev_frame = -1;
	return 0;
}

void ob_track_store_free(struct ob_track_store **ts)
{
	if (!ts || !*ts)
		return;
	free((*ts)->boxes);
	free((*ts)->prev);
	free((*ts)->held);
	free((*ts)->mv);
	free(*ts);
	*ts = NULL;
}

static double overlap(struct ob_box a, struct ob_box b)
{
	double x0 = fmax(a.x, b.x), y0 = fmax(a.y, b.y);
	double x1 = fmin(a.x + a.w, b.x + b.w), y1 = fmin(a.y + a.h, b.y + b.h);
	double i = x1 > x0 && y1 > y0 ? (x1 - x0) * (y1 - y0) : 0, u = a.w * a.h + b.w * b.h - i;

	return u > 0 ? i / u : 0;
}

/*
 * The previous detection's box that box b most likely is: the best overlap,
 * else the nearest centre within one box size, of a similar size; -1 none.
 */
static long match(const struct ob_track_store *ts, struct ob_box b)
{
	double best = 0, bestd = HUGE_VAL;
	long bi = -1, di = -1;

	for (size_t j = 0; j < ts->nprev; j++) {
		struct ob_box p = ts->prev[j];
		double o = overlap(b, p), r = p.w * p.h > 0 ? b.w * b.h / (p.w * p.h) : 0;
		double dx = (b.x + b.w / 2) - (p.x + p.w / 2), dy = (b.y + b.h / 2) - (p.y + p.h / 2);
		double d = sqrt(dx * dx + dy * dy);

		if (r < 0.5 || r > 2)
			continue;
		if (o > best)
			best = o, bi = (long)j;
		if (d < bestd && d <= fmax(b.w, b.h))
			bestd = d, di = (long)j;
	}
	return bi >= 0 ? bi : di;
}

static int reserve(struct ob_box **b, size_t n)
{
	struct ob_box *p = realloc(*b, n * sizeof(*p));

	if (!p)
		return ob_err(OB_ERR_NOMEM, "out of memory for the track store");
	*b = p;
	return 0;
}

/* Least-squares v = a + b*c over the known boxes (one axis); b = 0 when the
 * centres do not spread. */
static void fit(const double *c, const double *v, size_t n, double *a, double *b)
{
	double mc = 0, mv = 0, scc = 0, scv = 0;

	for (size_t i = 0; i < n; i++)
		mc += c[i] / n, mv += v[i] / n;
	for (size_t i = 0; i < n; i++)
		scc += (c[i] - mc) * (c[i] - mc), scv += (c[i] - mc) * (v[i] - mv);
	*b = n >= 3 && scc > 1 ? scv / scc : 0;
	*a = mv - *b * mc;
}

/*
 * Boxes seen for the first time move with the camera: their motion is taken
 * from a pan + zoom model (velocity linear in position, per axis) fitted to
 * the boxes whose motion is known.
 */
static int camera_motion(struct ob_track_store *ts)
{
	size_t n = ts->n, k = 0;
	double *buf = malloc(4 * (n ? n : 1) * sizeof(double)), ax, bx, ay, by;

	if (!buf)
		return ob_err(OB_ERR_NOMEM, "out of memory for the track store");
	for (size_t i = 0; i < n; i++)
		if (ts->mv[i].known) {
			struct ob_box b = ts->boxes[i];

			buf[k] = b.x + b.w / 2;
			buf[n + k] = ts->mv[i].vx;
			buf[2 * n + k] = b.y + b.h / 2;
			buf[3 * n + k] = ts->mv[i].vy;
			k++;
		}
	if (k) {
		fit(buf, buf + n, k, &ax, &bx);
		fit(buf + 2 * n, buf + 3 * n, k, &ay, &by);
		for (size_t i = 0; i < n; i++)
			if (!ts->mv[i].known) {
				struct ob_box b = ts->boxes[i];

				ts->mv[i].vx = ax + bx * (b.x + b.w / 2);
				ts->mv[i].vy = ay + by * (b.y + b.h / 2);
			}
	}
	free(buf);
	return 0;
}

int ob_track_store_put(struct ob_track_store *ts, int64_t frame, const struct ob_box *boxes, size_t n)
{
	int64_t gap;

	if (n > OB_TRACK_MAX_BOXES)
		return ob_err(OB_ERR_LIMIT, "frame %lld: more than %d boxes to hide", (long long)frame,
			      OB_TRACK_MAX_BOXES);
	if (frame < ts->frame)
		return ob_err(OB_ERR_INTERNAL, "track store: frame %lld after %lld", (long long)frame,
			      (long long)ts->frame);
	if (n > ts->cap) {
		struct motion *m;

		if (reserve(&ts->boxes, n) || reserve(&ts->prev, n) || reserve(&ts->held, n))
			return OB_ERR_NOMEM;
		m = realloc(ts->mv, n * sizeof(*m));
		if (!m)
			return ob_err(OB_ERR_NOMEM, "out of memory for the track store");
		ts->mv = m;
		ts->cap = n;
	}
	/* what the last detection saw becomes the reference for motion */
	if (ts->n > ts->cap)
		return ob_err(OB_ERR_INTERNAL, "track store: bad count");
	if (ts->n)
		memcpy(ts->prev, ts->boxes, ts->n * sizeof(*ts->boxes));
	ts->nprev = ts->n;
	ts->prev_frame = ts->frame;
	if (n)
		memcpy(ts->boxes, boxes, n * sizeof(*boxes));
	ts->n = n;
	ts->frame = frame;
	gap = ts->prev_frame >= 0 ? frame - ts->prev_frame : 0;
	for (size_t i = 0; i < n; i++) {
		long j = gap > 0 && gap <= TRACK_MAX_GAP ? match(ts, boxes[i]) : -1;
		struct ob_box b = boxes[i];

		ts->mv[i] = (struct motion){ 0 };
		if (j >= 0) {
			struct ob_box p = ts->prev[j];

			ts->mv[i].known = 1;
			ts->mv[i].vx = ((b.x + b.w / 2) - (p.x + p.w / 2)) / (double)gap;
			ts->mv[i].vy = ((b.y + b.h / 2) - (p.y + p.h / 2)) / (double)gap;
			ts->mv[i].vw = (b.w - p.w) / (double)gap;
			ts->mv[i].vh = (b.h - p.h) / (double)gap;
		}
	}
	return camera_motion(ts);
}

size_t ob_track_store_boxes(const struct ob_track_store *ts, int64_t frame, const struct ob_box **boxes)
{
	double k;

	*boxes = ts->boxes;
	if (ts->frame < 0 || frame < ts->frame)
		return 0;
	if (frame == ts->frame)
		return ts->n;
	/* Held: the detected box, its predicted place k frames on, and slack. */
	k = (double)(frame - ts->frame);
	for (size_t i = 0; i < ts->n; i++) {
		struct ob_box b = ts->boxes[i];
		const struct motion *m = &ts->mv[i];
		double pw = fmax(1, b.w + m->vw * k), ph = fmax(1, b.h + m->vh * k);
		double pcx = b.x + b.w / 2 + m->vx * k, pcy = b.y + b.h / 2 + m->vy * k;
		double sx = TRACK_SLACK * (fabs(m->vx) + fabs(m->vw)) * k;
		double sy = TRACK_SLACK * (fabs(m->vy) + fabs(m->vh)) * k;

		if (!m->known) {
			sx += TRACK_NEW_SLACK * b.w * k;
			sy += TRACK_NEW_SLACK * b.h * k;
		}
		double x0 = fmin(b.x, pcx - pw / 2) - sx, y0 = fmin(b.y, pcy - ph / 2) - sy;
		double x1 = fmax(b.x + b.w, pcx + pw / 2) + sx, y1 = fmax(b.y + b.h, pcy + ph / 2) + sy;

		ts->held[i] = (struct ob_box){ x0, y0, x1 - x0, y1 - y0 };
	}
	*boxes = ts->held;
	return ts->n;
}

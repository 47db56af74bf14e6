/* SPDX-License-Identifier: MIT */
/* tiling.c - a detector's search in tiles, looking again only where the picture changed. */
#include "obscura/tiling.h"

#include <libavutil/frame.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/detect.h"
#include "obscura/error.h"
#include "obscura/banned.h"

#define SEAM_PX 2.0 /* a box this close to an inner tile edge is "cut" (frame px) */
#define TILE_MAX_OBJECT (1.0 / 3) /* largest box a tile pass may add, in tile sides */
/*
 * A tile sees a face at the frame's full resolution, but so it sees hands,
 * knees and badges, which at a few tiles' scale score like faces.  A box
 * that the whole-frame pass could judge too -- at least TILE_SUPPORT_FROM
 * of the smallest face it finds (the card's min_face at its scale) -- is
 * kept from a tile only if that pass, down to TILE_SUPPORT_SCORE, has a box
 * covering TILE_SUPPORT_OVERLAP of the smaller of the two, or if it is cut
 * by the frame's edge (within SEAM_PX or FRAME_EDGE_SHARE of its size of
 * the border), where the whole-frame pass misses faces.
 */
#define TILE_SUPPORT_FROM 0.5
#define TILE_SUPPORT_SCORE 0.1
#define TILE_SUPPORT_OVERLAP 0.3
#define FRAME_EDGE_SHARE 0.1

/* A fixed camera's tiles over a face the whole-frame pass finds (left_to_whole_frame) */
#define FOLLOW_SCORE 0.5 /* a face that pass found this clearly */
#define FOLLOW_IOU 0.3   /* a tile's box of that face */

/*
 * Crops (a whole-frame search only, of a network that runs at any input
 * size: ob_detector_any_size): when the picture changed since the last
 * whole-frame pass in only part of the frame, the network looks at that
 * part alone, at the whole-frame pass's scale, in a smaller input (a pass
 * costs about its input's area: CenterNet 512x288 86 ms, 256x160 27 ms, one
 * core); what the last passes found elsewhere stands, the picture there
 * being unchanged.  Each change is searched with CROP_MARGIN of the frame's
 * shorter side of unchanged picture around it (context, and the rest of a
 * person whose arm moved), and every box found before that the crop
 * touches is taken into the crop whole, so no object is judged from a part
 * of it.  A box the crop finds touching the crop's inner edge may be a part:
 * the next call searches the whole frame.  When the crops would cost more
 * than CROP_MAX_SHARE of a whole pass, or there are more than CROP_MAX
 * separate changes, the whole frame is searched.
 */
#define CROP_MAX 4
#define CROP_MARGIN (1.0 / 8)
#define CROP_MIN_MARGIN 32.0 /* frame px */
#define CROP_MAX_SHARE 0.5

struct crop {
	struct ob_box roi;          /* frame px */
	int in_w, in_h;             /* the network's input for it */
	struct ob_detections found;
};

/* One region searched by one model pass, and what that pass found. */
struct region {
	struct ob_box roi;          /* frame px; region 0 is the whole frame */
	bool whole;
	int cx0, cy0, cx1, cy1;     /* the cells it covers, [cx0, cx1) x [cy0, cy1) */
	uint8_t *ref;               /* their mean luma when it was last searched */
	uint8_t *pix;               /* its pixels then (Y, U, V), when the search has memory and no crops */
	int px0, py0, pw, ph;       /* the pixels a pass over it reads */
	struct ob_detections found; /* what that search found */
	bool full;                  /* it found as many boxes as the card's max_detections: maybe more */
	int64_t last;               /* call number of that search; -1: never */
	bool moved;                 /* this call: its picture changed since that search */
	bool rested;                /* a moving picture's tile left unsearched (its answer dropped) since */
	bool followed;              /* this call: left to the whole-frame pass (left_to_whole_frame) */
};

struct ob_tiling {
	int width, height, tile_w, tile_h;
	int refresh;
	double support_w;           /* tile boxes this wide need the whole-frame pass's support */
	int gw, gh;                 /* the cell grid */
	uint8_t *cells;             /* this call's mean luma per cell */
	uint32_t *rowsum;           /* one cell row's luma sums, while measuring */
	struct region *r;
	bool *want;                 /* regions this call searches */
	int n, nx;                  /* regions; tiles across (region 1 + tx + ty * nx) */
	int64_t calls, searched, reused, cropped, still, rested, followed;
	double credit;              /* regions the refresh may still search, n / refresh a call */
	double threshold;
	struct ob_detections all;
	/* crops: the whole-frame pass's scale, the network's largest input and its step */
	bool can_crop;
	double scale, margin;
	int in_w, in_h, in_step;
	uint8_t *mask;              /* changed cells (crop planning) */
	int *queue;                 /* cells of one change being gathered */
	struct crop crop[CROP_MAX];
	int ncrops;                 /* this call's */
};

/* n tiles of size t covering len with overlap, evenly spread; start of tile i. */
static int tile_start(int len, int t, int n, int i)
{
	if (n <= 1)
		return 0;
	return (int)lround((double)(len - t) * i / (n - 1));
}

static int tile_count(int len, int t, int overlap)
{
	if (len <= t)
		return 1;
	return (int)ceil((double)(len - overlap) / (t - overlap));
}

/* Bytes of a region's pixels: its luma, and its 4:2:0 chroma twice. */
static size_t pixels_size(const struct region *g)
{
	return (size_t)g->pw * (size_t)g->ph + 2 * (size_t)((g->pw + 1) / 2) * (size_t)((g->ph + 1) / 2);
}

/* Is no byte of a within OB_TILING_STILL of b's? */
static bool moved(const uint8_t *a, const uint8_t *b, size_t n)
{
	int worst = 0;

	if (!memcmp(a, b, n))
		return false;
	for (size_t i = 0; i < n; i++) {
		int d = abs((int)a[i] - (int)b[i]);

		worst = d > worst ? d : worst;
	}
	return worst > OB_TILING_STILL;
}

/* Copies g's pixels of f into g->pix (save), or says whether they are still what it holds (no
 * sample moved by more than OB_TILING_STILL). */
static bool pixels(struct region *g, const AVFrame *f, bool save)
{
	uint8_t *p = g->pix;

	for (int plane = 0; plane < 3; plane++) {
		int sub = plane ? 1 : 0;
		int x0 = g->px0 >> sub, y0 = g->py0 >> sub;
		size_t w = (size_t)(plane ? (g->pw + 1) / 2 : g->pw);
		int h = plane ? (g->ph + 1) / 2 : g->ph;

		for (int y = 0; y < h; y++, p += w) {
			const uint8_t *src = f->data[plane] + (size_t)(y0 + y) * (size_t)f->linesize[plane] + x0;

			if (save)
				memcpy(p, src, w);
			else if (moved(p, src, w))
				return false;
		}
	}
	return true;
}

static int add_region(struct ob_tiling *t, struct ob_box roi, bool whole)
{
	struct region *g = &t->r[t->n++];

	g->roi = roi;
	g->whole = whole;
	g->cx0 = (int)floor(roi.x / OB_TILING_CELL);
	g->cy0 = (int)floor(roi.y / OB_TILING_CELL);
	g->cx1 = (int)ceil((roi.x + roi.w) / OB_TILING_CELL);
	g->cy1 = (int)ceil((roi.y + roi.h) / OB_TILING_CELL);
	g->cx1 = g->cx1 > t->gw ? t->gw : g->cx1;
	g->cy1 = g->cy1 > t->gh ? t->gh : g->cy1;
	g->last = -1;
	/* as ob_detector_preprocess reads it: from an even pixel */
	g->px0 = (int)floor(roi.x) & ~1;
	g->py0 = (int)floor(roi.y) & ~1;
	g->pw = (int)ceil(roi.x + roi.w) - g->px0;
	g->ph = (int)ceil(roi.y + roi.h) - g->py0;
	if (t->refresh > 1) {
		g->ref = malloc((size_t)(g->cx1 - g->cx0) * (size_t)(g->cy1 - g->cy0));
		if (!g->ref)
			return ob_err(OB_ERR_NOMEM, "out of memory");
		if (!t->can_crop && !(g->pix = malloc(pixels_size(g))))
			return ob_err(OB_ERR_NOMEM, "out of memory");
	}
	return 0;
}

int ob_tiling_open(const struct ob_detector *d, int width, int height, int tile, int refresh,
		   struct ob_tiling **out)
{
	const struct ob_model_card *c = ob_detector_card(d);
	struct ob_tiling *t;
	int nx = 1, ny = 1, ret = 0;

	*out = NULL;
	if (width < 2 || height < 2 || (int64_t)width * height > OB_DETECT_MAX_PIXELS)
		return ob_err(OB_ERR_LIMIT, "detector %s: frame %dx%d", c->name, width, height);
	t = calloc(1, sizeof(*t));
	if (!t)
		return ob_err(OB_ERR_NOMEM, "out of memory");
	t->width = width;
	t->height = height;
	t->refresh = refresh;
	t->threshold = NAN;
	t->support_w = c->dec.min_face / fmin((double)c->width / width, (double)c->height / height) *
		       TILE_SUPPORT_FROM;
	t->gw = (width + OB_TILING_CELL - 1) / OB_TILING_CELL;
	t->gh = (height + OB_TILING_CELL - 1) / OB_TILING_CELL;
	if (tile > 0) {
		if (tile < 32)
			tile = 32;
		for (;;) {
			/* Tiles have the input's shape, so a tile fills the input with no
			 * letterbox bands (a 4:3 input gets 4:3 tiles). */
			t->tile_w = c->width >= c->height ? tile : (int)lround((double)tile * c->width / c->height);
			t->tile_h = c->width >= c->height ? (int)lround((double)tile * c->height / c->width) : tile;
			nx = tile_count(width, t->tile_w, t->tile_w / 4);
			ny = tile_count(height, t->tile_h, t->tile_h / 4);
			if (nx * ny <= OB_DETECT_MAX_TILES)
				break;
			tile += tile / 4; /* too many tiles: larger ones, fewer of them */
		}
		if (nx * ny == 1)
			nx = ny = 0; /* one tile would be the whole frame again */
	} else {
		nx = ny = 0;
	}
	t->r = calloc((size_t)(1 + nx * ny), sizeof(*t->r));
	t->want = calloc((size_t)(1 + nx * ny), sizeof(*t->want));
	t->cells = refresh > 1 ? malloc((size_t)t->gw * (size_t)t->gh) : NULL;
	t->rowsum = refresh > 1 ? malloc((size_t)t->gw * sizeof(*t->rowsum)) : NULL;
	t->can_crop = refresh > 1 && nx * ny == 0 && ob_detector_any_size(d);
	if (t->can_crop) {
		t->scale = fmin((double)c->width / width, (double)c->height / height);
		t->margin = fmax(CROP_MIN_MARGIN, CROP_MARGIN * (width < height ? width : height));
		t->in_w = c->width;
		t->in_h = c->height;
		t->in_step = ob_decoder_input_step(c);
		t->mask = malloc((size_t)t->gw * (size_t)t->gh * 3); /* changed, near a change, scratch */
		t->queue = malloc((size_t)t->gw * (size_t)t->gh * sizeof(*t->queue));
	}
	if (!t->r || !t->want || (refresh > 1 && (!t->cells || !t->rowsum)) ||
	    (t->can_crop && (!t->mask || !t->queue))) {
		ret = ob_err(OB_ERR_NOMEM, "out of memory");
		goto out;
	}
	t->nx = nx;
	ret = add_region(t, (struct ob_box){ 0, 0, width, height }, true);
	for (int ty = 0; ty < ny && !ret; ty++)
		for (int tx = 0; tx < nx && !ret; tx++) {
			int tw = t->tile_w < width ? t->tile_w : width;
			int th = t->tile_h < height ? t->tile_h : height;

			ret = add_region(t, (struct ob_box){ tile_start(width, tw, nx, tx),
							     tile_start(height, th, ny, ty), tw, th }, false);
		}
out:
	if (ret)
		ob_tiling_free(&t);
	*out = t;
	return ret;
}

void ob_tiling_free(struct ob_tiling **pt)
{
	struct ob_tiling *t;

	if (!pt || !*pt)
		return;
	t = *pt;
	for (int i = 0; t->r && i < t->n; i++) {
		free(t->r[i].ref);
		free(t->r[i].pix);
		ob_detections_release(&t->r[i].found);
	}
	free(t->r);
	free(t->want);
	free(t->cells);
	free(t->rowsum);
	free(t->mask);
	free(t->queue);
	for (int i = 0; i < CROP_MAX; i++)
		ob_detections_release(&t->crop[i].found);
	ob_detections_release(&t->all);
	free(t);
	*pt = NULL;
}

void ob_tiling_stats(const struct ob_tiling *t, struct ob_tiling_stats *st)
{
	*st = (struct ob_tiling_stats){ .regions = t->n, .searched = t->searched, .reused = t->reused,
					.cropped = t->cropped, .still = t->still, .rested = t->rested,
					.followed = t->followed };
}

/* The mean luma of every cell of the frame (cells at the right and bottom edge may be partial). */
static void measure_cells(struct ob_tiling *t, const AVFrame *f)
{
	uint32_t *sum = t->rowsum;

	for (int cy = 0; cy < t->gh; cy++) {
		int y0 = cy * OB_TILING_CELL, y1 = y0 + OB_TILING_CELL > t->height ? t->height : y0 + OB_TILING_CELL;

		memset(sum, 0, (size_t)t->gw * sizeof(*sum));
		for (int y = y0; y < y1; y++) {
			const uint8_t *p = f->data[0] + (size_t)y * (size_t)f->linesize[0];

			for (int x = 0; x < t->width; x++)
				sum[x / OB_TILING_CELL] += p[x];
		}
		for (int cx = 0; cx < t->gw; cx++) {
			int w = (cx + 1) * OB_TILING_CELL > t->width ? t->width - cx * OB_TILING_CELL : OB_TILING_CELL;

			t->cells[(size_t)cy * t->gw + cx] = (uint8_t)((sum[cx] + (uint32_t)(w * (y1 - y0)) / 2) /
								     (uint32_t)(w * (y1 - y0)));
		}
	}
}

/* Has a cell's mean luma moved from ref by more than OB_TILING_DELTA? */
static bool cell_changed(uint8_t now, uint8_t ref)
{
	return abs((int)now - (int)ref) > OB_TILING_DELTA;
}

/* Does b cover a cell of region g whose picture changed since g was searched? */
static bool on_changed_cells(const struct ob_tiling *t, const struct region *g, struct ob_box b)
{
	int w = g->cx1 - g->cx0;
	int cx0 = (int)floor(b.x / OB_TILING_CELL), cy0 = (int)floor(b.y / OB_TILING_CELL);
	int cx1 = (int)ceil((b.x + b.w) / OB_TILING_CELL), cy1 = (int)ceil((b.y + b.h) / OB_TILING_CELL);

	for (int cy = cy0 > g->cy0 ? cy0 : g->cy0; cy < (cy1 < g->cy1 ? cy1 : g->cy1); cy++)
		for (int cx = cx0 > g->cx0 ? cx0 : g->cx0; cx < (cx1 < g->cx1 ? cx1 : g->cx1); cx++)
			if (cell_changed(t->cells[(size_t)cy * t->gw + cx], g->ref[(cy - g->cy0) * w + cx - g->cx0]))
				return true;
	return false;
}

/* Did region g's picture change since it was searched? */
static bool changed(const struct ob_tiling *t, const struct region *g)
{
	return on_changed_cells(t, g, g->roi);
}

static void remember(struct ob_tiling *t, struct region *g)
{
	uint8_t *ref = g->ref;

	for (int cy = g->cy0; cy < g->cy1; cy++) {
		memcpy(ref, t->cells + (size_t)cy * t->gw + g->cx0, (size_t)(g->cx1 - g->cx0));
		ref += g->cx1 - g->cx0;
	}
}

static bool meet(struct ob_box a, struct ob_box b)
{
	return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

static bool holds(struct ob_box a, struct ob_box b)
{
	return b.x >= a.x && b.y >= a.y && b.x + b.w <= a.x + a.w && b.y + b.h <= a.y + a.h;
}

static struct ob_box join(struct ob_box a, struct ob_box b)
{
	double x0 = fmin(a.x, b.x), y0 = fmin(a.y, b.y);

	return (struct ob_box){ x0, y0, fmax(a.x + a.w, b.x + b.w) - x0, fmax(a.y + a.h, b.y + b.h) - y0 };
}

/* b grown by m on every side, within the frame. */
static struct ob_box grow(const struct ob_tiling *t, struct ob_box b, double m)
{
	double x0 = fmax(0, b.x - m), y0 = fmax(0, b.y - m);

	return (struct ob_box){ x0, y0, fmin(t->width, b.x + b.w + m) - x0, fmin(t->height, b.y + b.h + m) - y0 };
}

/* A side of a crop's input: the region's side at the whole-frame pass's scale, up to the next of
 * CROP_STEPS network steps (each input size loads a network: few sizes, ob_detector_run_sized). */
#define CROP_STEPS 2

static int crop_side(const struct ob_tiling *t, double frame_px, int most)
{
	int step = CROP_STEPS * t->in_step, n = (int)ceil(frame_px * t->scale / step - 1e-6) * step;

	return n > most ? most : n;
}

/* Crop c's input size, and its region grown about its centre (within the frame) to fill that input. */
static void size_crop(const struct ob_tiling *t, struct crop *c)
{
	double w, h, x, y;

	c->in_w = crop_side(t, c->roi.w, t->in_w);
	c->in_h = crop_side(t, c->roi.h, t->in_h);
	w = fmin(c->in_w / t->scale, t->width);
	h = fmin(c->in_h / t->scale, t->height);
	x = fmax(0, fmin(c->roi.x + (c->roi.w - w) / 2, t->width - w));
	y = fmax(0, fmin(c->roi.y + (c->roi.h - h) / 2, t->height - h));
	c->roi = (struct ob_box){ x, y, w, h };
}

/* Cells within m of a set cell of src (a square of side 2m + 1), into dst; gw x gh grids. */
static void dilate(const struct ob_tiling *t, const uint8_t *src, uint8_t *tmp, uint8_t *dst, int m)
{
	int gw = t->gw, gh = t->gh;

	for (int y = 0; y < gh; y++) /* along rows, a window count */
		for (int x = 0, run = 0; x < gw + m; x++) {
			if (x < gw)
				run += src[(size_t)y * gw + x];
			if (x - 2 * m - 1 >= 0)
				run -= src[(size_t)y * gw + x - 2 * m - 1];
			if (x - m >= 0)
				tmp[(size_t)y * gw + x - m] = run > 0;
		}
	for (int x = 0; x < gw; x++) /* then along columns */
		for (int y = 0, run = 0; y < gh + m; y++) {
			if (y < gh)
				run += tmp[(size_t)y * gw + x];
			if (y - 2 * m - 1 >= 0)
				run -= tmp[(size_t)(y - 2 * m - 1) * gw + x];
			if (y - m >= 0)
				dst[(size_t)(y - m) * gw + x] = run > 0;
		}
}

/*
 * The crops that search what changed since the whole frame was last
 * searched (every cell's picture against the one its last search saw),
 * each change with its margin and every box found before that it touches;
 * false when the whole frame should be searched instead.
 */
static bool plan_crops(struct ob_tiling *t)
{
	const struct region *g = &t->r[0];
	size_t cells = (size_t)t->gw * (size_t)t->gh;
	uint8_t *mask = t->mask, *near = t->mask + cells, *tmp = t->mask + 2 * cells;
	int n = 0, m = (int)ceil(t->margin / OB_TILING_CELL);
	double area = 0;
	bool again = true;

	for (size_t i = 0; i < cells; i++)
		mask[i] = cell_changed(t->cells[i], g->ref[i]);
	dilate(t, mask, tmp, near, m);
	/* each 4-connected patch of changed-and-margin cells: one crop */
	for (size_t i = 0; i < cells; i++) {
		size_t top = 0;
		int x0 = t->gw, y0 = t->gh, x1 = 0, y1 = 0;

		if (near[i] != 1)
			continue;
		if (n == CROP_MAX)
			return false;
		near[i] = 2;
		t->queue[top++] = (int)i;
		while (top) {
			int q = t->queue[--top], qx = q % t->gw, qy = q / t->gw;
			const int nb[4][2] = { { 1, 0 }, { -1, 0 }, { 0, 1 }, { 0, -1 } };

			x0 = qx < x0 ? qx : x0, x1 = qx + 1 > x1 ? qx + 1 : x1;
			y0 = qy < y0 ? qy : y0, y1 = qy + 1 > y1 ? qy + 1 : y1;
			for (int k = 0; k < 4; k++) {
				int nx = qx + nb[k][0], ny = qy + nb[k][1];
				size_t at = (size_t)ny * t->gw + nx;

				if (nx >= 0 && ny >= 0 && nx < t->gw && ny < t->gh && near[at] == 1) {
					near[at] = 2;
					t->queue[top++] = (int)at;
				}
			}
		}
		t->crop[n++].roi = grow(t, (struct ob_box){ x0 * OB_TILING_CELL, y0 * OB_TILING_CELL,
							    (x1 - x0) * OB_TILING_CELL, (y1 - y0) * OB_TILING_CELL }, 0);
	}
	/* crops are sized to their inputs; boxes found before that a crop
	 * touches come in whole, with the margin (the crop as sized: growing to
	 * its input's size may reach a box); crops that meet become one */
	for (int round = 0; again; round++) {
		if (round == 4 * CROP_MAX + 4)
			return false; /* cannot happen: each round grows or joins crops */
		again = false;
		for (int k = 0; k < n; k++) {
			size_crop(t, &t->crop[k]);
			for (size_t i = 0; i < g->found.n; i++) {
				struct ob_box b = grow(t, g->found.v[i].box, t->margin);

				if (meet(t->crop[k].roi, g->found.v[i].box) && !holds(t->crop[k].roi, b)) {
					t->crop[k].roi = join(t->crop[k].roi, b);
					again = true;
				}
			}
		}
		for (int a = 0; a < n; a++)
			for (int b = a + 1; b < n; b++)
				if (meet(t->crop[a].roi, t->crop[b].roi)) {
					t->crop[a].roi = join(t->crop[a].roi, t->crop[b].roi);
					t->crop[b].roi = t->crop[n - 1].roi; /* its found list stays its slot's */
					n--;
					b--;
					again = true;
				}
	}
	for (int k = 0; k < n; k++)
		area += (double)t->crop[k].in_w * t->crop[k].in_h;
	if (area > CROP_MAX_SHARE * t->in_w * t->in_h)
		return false;
	t->ncrops = n;
	return true;
}

/*
 * A region owed its refresh whose samples all stayed within
 * OB_TILING_STILL of those it was searched on (a screen recording's or an
 * overlay's still parts, a still picture): the refresh is for changes that
 * average out in a cell's mean luma, and none happened, so it counts as
 * refreshed with no pass.
 */
static bool still(struct ob_tiling *t, struct region *g, const AVFrame *f)
{
	if (!g->pix || !pixels(g, f, false))
		return false;
	g->last = t->calls;
	t->still++;
	return true;
}

/* Did a search find something there, a face or what may be one (OB_TILING_HELD)? */
static bool held(const struct ob_detections *found)
{
	for (size_t i = 0; i < found->n; i++)
		if (found->v[i].score >= OB_TILING_HELD)
			return true;
	return false;
}

/*
 * A moving picture (the camera pans or zooms: more than half the tiles
 * changed) would have every tile searched on every call.  A tile whose
 * picture changed, searched on the previous call, that found nothing there
 * from OB_TILING_HELD (what a closer look would be owed, look.h) is
 * searched on every other call instead, in a checkerboard (its neighbours,
 * which overlap it by a quarter, are searched when it rests), and what it
 * found before is dropped, the picture having moved; it is searched on the
 * next call whatever its picture then.  A face coming into it is found one
 * call later at most, and the track store hides it from before that
 * (extend_before, when it spans two detection frames: it does at the
 * shipped recipes' stride of 2).  Tiles that saw a face, or a weak box that
 * may be one, are searched on every call, so a face's track is fed on every
 * detection frame unless it moves from such a tile into the inside of a
 * resting one between two calls.  Measured on face-cover's moving clips
 * (720p): UltraFace passes 1008 -> 877 on 100 frames, no face pixel left;
 * resting tiles that saw only boxes under 0.4, or resting every tile, left
 * faces of 48-96 px showing on the frames between two searches.
 */
static void rest_empty_tiles(struct ob_tiling *t, bool *want)
{
	for (int i = 1; i < t->n; i++) {
		int tx = (i - 1) % t->nx, ty = (i - 1) / t->nx;
		struct region *g = &t->r[i];

		if (want[i] && g->moved && g->last == t->calls - 1 && (tx + ty + t->calls) % 2 && !held(&g->found)) {
			want[i] = false;
			g->rested = true;
			ob_detections_clear(&g->found);
			t->rested++;
		}
	}
}

/* Does b lie inside the reach of a face the whole-frame pass found clearly? */
static bool near_clear_face(const struct ob_tiling *t, struct ob_box b)
{
	const struct ob_detections *full = &t->r[0].found;

	for (size_t i = 0; i < full->n; i++)
		if (full->v[i].score >= FOLLOW_SCORE && holds(ob_box_grow(full->v[i].box, OB_TILING_FOLLOW_REACH), b))
			return true;
	return false;
}

/* Is b a tile's box of a face the whole-frame pass found clearly? */
static bool is_clear_face(const struct ob_tiling *t, struct ob_box b)
{
	const struct ob_detections *full = &t->r[0].found;

	for (size_t i = 0; i < full->n; i++)
		if (full->v[i].score >= FOLLOW_SCORE && ob_box_iou(full->v[i].box, b) >= FOLLOW_IOU)
			return true;
	return false;
}

/*
 * A fixed camera's tile whose picture changed only around a face that the
 * whole-frame pass found clearly on the previous call (a webcam inset's
 * speaker, a passer-by close to the camera): every changed cell lies within
 * OB_TILING_FOLLOW_REACH of its box's size of such a face, and every box the
 * tile found from OB_TILING_HELD on a changed cell is such a face.  The
 * whole-frame pass, searched again on this call, finds that face where it
 * is now; the tile is there for faces too small for that pass, and its
 * picture changed only where that face moved.  It is left to the
 * whole-frame pass and to the refresh (a face coming in beside a larger one
 * is found within `refresh` calls, as a change too faint to count is).  A
 * tile that found anything else on a changed cell -- a smaller face, a weak
 * box that may be one, hair that moved with the face -- is searched.
 */
static bool left_to_whole_frame(const struct ob_tiling *t, const struct region *g, bool whole_searched)
{
	const uint8_t *ref = g->ref;

	if (!whole_searched || t->r[0].last != t->calls - 1 || g->rested)
		return false;
	for (int cy = g->cy0; cy < g->cy1; cy++)
		for (int cx = g->cx0; cx < g->cx1; cx++, ref++) {
			struct ob_box cell = { cx * OB_TILING_CELL, cy * OB_TILING_CELL, OB_TILING_CELL,
					       OB_TILING_CELL };

			if (cell_changed(t->cells[(size_t)cy * t->gw + cx], *ref) && !near_clear_face(t, cell))
				return false;
		}
	for (size_t k = 0; k < g->found.n; k++) {
		struct ob_box b = g->found.v[k].box;

		if (g->found.v[k].score >= OB_TILING_HELD && on_changed_cells(t, g, b) && !is_clear_face(t, b))
			return false;
	}
	return true;
}

/* What tile g found on cells that changed is of a picture gone (the face
 * where it was: scoring higher than the whole-frame pass's box of it, it
 * would win the merge there); what it found on the others stands. */
static void drop_changed(struct ob_tiling *t, struct region *g)
{
	size_t keep = 0;

	for (size_t k = 0; k < g->found.n; k++)
		if (!on_changed_cells(t, g, g->found.v[k].box))
			g->found.v[keep++] = g->found.v[k];
	g->found.n = keep;
}

/* Which regions this call searches: want[i] set. */
static void choose(struct ob_tiling *t, const AVFrame *f, bool *want)
{
	int stale = 0, moving = 0; /* tiles whose picture changed */

	for (int i = 0; i < t->n; i++)
		t->r[i].followed = false;
	if (t->refresh <= 1) {
		for (int i = 0; i < t->n; i++)
			want[i] = true;
		return;
	}
	/* the whole frame, searched lately, changed in part: crops of the change */
	if (t->can_crop && t->r[0].last >= 0 && t->calls - t->r[0].last < t->refresh && changed(t, &t->r[0]) &&
	    plan_crops(t)) {
		want[0] = false;
		return;
	}
	for (int i = 0; i < t->n; i++) {
		struct region *g = &t->r[i];
		bool due = g->last >= 0 && t->calls - g->last >= t->refresh;

		/* a rested tile has no answer to keep: searched, whatever its picture */
		g->moved = g->last >= 0 && changed(t, g);
		want[i] = g->last < 0 || g->moved || g->rested || (due && !still(t, g, f));
		moving += i > 0 && (g->moved || g->rested);
		g->followed = i > 0 && g->moved && !due && left_to_whole_frame(t, g, want[0]);
		if (g->followed) {
			want[i] = false;
			drop_changed(t, g);
		}
	}
	/* and a share of the rest, the longest unsearched first, n / refresh a
	 * call on average, so that the refresh is spread over the calls */
	for (int i = 0; i < t->n; i++)
		stale += !want[i] && t->r[i].last != t->calls;
	t->credit += (double)t->n / t->refresh;
	for (; t->credit >= 1 && stale > 0; t->credit -= 1) {
		int oldest = -1;

		for (int i = 0; i < t->n; i++)
			if (!want[i] && t->r[i].last != t->calls && (oldest < 0 || t->r[i].last < t->r[oldest].last))
				oldest = i;
		want[oldest] = !still(t, &t->r[oldest], f);
		stale--;
	}
	if (!stale) /* everything is searched anyway: no refresh is owed */
		t->credit = 0;
	if (moving * 2 > t->n - 1)
		rest_empty_tiles(t, want);
}

/* Is b within SEAM_PX, or FRAME_EDGE_SHARE of its size, of the frame's border? */
static bool at_frame_edge(const struct ob_tiling *t, struct ob_box b)
{
	double mx = fmax(SEAM_PX, b.w * FRAME_EDGE_SHARE), my = fmax(SEAM_PX, b.h * FRAME_EDGE_SHARE);

	return b.x <= mx || b.y <= my || b.x + b.w >= t->width - mx || b.y + b.h >= t->height - my;
}

/* May tile box b stand?  Small ones, or those the whole-frame pass sees too, or cut by the frame's edge;
 * any, when that pass kept its card's max_detections best boxes: past them, it says nothing (a crowd). */
static bool supported(const struct ob_tiling *t, struct ob_box b)
{
	const struct ob_detections *full = &t->r[0].found;

	if (b.w < t->support_w || t->r[0].full || at_frame_edge(t, b))
		return true;
	for (size_t i = 0; i < full->n; i++) {
		struct ob_box a = full->v[i].box;

		if (ob_box_overlap(a, b) >= TILE_SUPPORT_OVERLAP)
			return true;
	}
	return false;
}

/* One pass over region g; its boxes replace what it found before.  With
 * tiles, the whole frame is searched down to the score at which it supports
 * tile boxes. */
static int search(struct ob_tiling *t, struct ob_detector *d, const AVFrame *f, struct region *g, double threshold)
{
	struct ob_box r = g->roi;
	int ret;

	ob_detections_clear(&g->found);
	ret = ob_detector_run(d, f, g->whole ? NULL : &r,
			      g->whole && t->n > 1 ? fmin(threshold, TILE_SUPPORT_SCORE) : threshold, &g->found);
	if (ret)
		return ret;
	g->full = g->found.n >= (size_t)ob_detector_card(d)->dec.max_detections;
	if (!g->whole)
		for (size_t i = 0; i < g->found.n; i++) {
			struct ob_box b = g->found.v[i].box;

			/* Tiles are for small things: anything wider than a third of
			 * a tile is within the full-frame pass's reach, and a tile
			 * seeing it alone is a false alarm (a 213 px "face" in a
			 * black terminal, score 0.53).  Width only: face models'
			 * min_face is a width, and UltraFace boxes a face a third
			 * taller than wide (judged by a 4:3 tile's height, 84x114 px
			 * faces on a 1080p frame fell between tiles and full pass). */
			if (b.w > t->tile_w * TILE_MAX_OBJECT) {
				g->found.v[i] = g->found.v[--g->found.n];
				i--;
				continue;
			}
			g->found.v[i].cut = (r.x > 0 && b.x <= r.x + SEAM_PX) || (r.y > 0 && b.y <= r.y + SEAM_PX) ||
					    (r.x + r.w < t->width && b.x + b.w >= r.x + r.w - SEAM_PX) ||
					    (r.y + r.h < t->height && b.y + b.h >= r.y + r.h - SEAM_PX);
		}
	if (g->ref)
		remember(t, g);
	if (g->pix)
		pixels(g, f, true);
	g->last = t->calls;
	g->rested = false;
	return 0;
}

int ob_tiling_refresh(const struct ob_tiling *t)
{
	return t->refresh;
}

int ob_tiling_regions(const struct ob_tiling *t)
{
	return t->n + (t->can_crop ? CROP_MAX : 0);
}

int ob_tiling_plan(struct ob_tiling *t, const AVFrame *f, double threshold, int *regions, int *n)
{
	*n = 0;
	t->ncrops = 0;
	if (f->width != t->width || f->height != t->height)
		return ob_err(OB_ERR_INTERNAL, "frame %dx%d in a search of %dx%d frames", f->width, f->height,
			      t->width, t->height);
	if (threshold != t->threshold) { /* what was found at another threshold is not this answer */
		for (int i = 0; i < t->n; i++)
			t->r[i].last = -1;
		t->threshold = threshold;
	}
	if (t->cells)
		measure_cells(t, f);
	choose(t, f, t->want);
	for (int i = 0; i < t->n; i++)
		if (t->want[i]) {
			regions[(*n)++] = i;
			t->searched++;
		} else {
			t->reused++;
			t->followed += t->r[i].followed;
		}
	for (int k = 0; k < t->ncrops; k++) /* after the regions: region numbers t->n + k */
		regions[(*n)++] = t->n + k;
	return 0;
}

int ob_tiling_search(struct ob_tiling *t, int region, struct ob_detector *d, const AVFrame *f)
{
	if (region >= t->n && region < t->n + t->ncrops) {
		struct crop *c = &t->crop[region - t->n];

		ob_detections_clear(&c->found);
		return ob_detector_run_sized(d, f, &c->roi, c->in_w, c->in_h, t->threshold, &c->found);
	}
	if (region < 0 || region >= t->n || !t->want[region])
		return ob_err(OB_ERR_INTERNAL, "detector %s: region %d was not planned", ob_detector_card(d)->name,
			      region);
	return search(t, d, f, &t->r[region], t->threshold);
}

/* Does b touch an edge of crop c that is not the frame's? */
static bool at_crop_edge(const struct ob_tiling *t, const struct crop *c, struct ob_box b)
{
	struct ob_box r = c->roi;

	return (r.x > 0 && b.x <= r.x + SEAM_PX) || (r.y > 0 && b.y <= r.y + SEAM_PX) ||
	       (r.x + r.w < t->width && b.x + b.w >= r.x + r.w - SEAM_PX) ||
	       (r.y + r.h < t->height && b.y + b.h >= r.y + r.h - SEAM_PX);
}

/*
 * The crops' answers become the whole frame's where they looked: boxes of
 * the last searches that a crop touches (it held them whole) give way to
 * what the crop found, and the crop's cells remember the picture it saw.
 */
static int take_crops(struct ob_tiling *t)
{
	struct region *g = &t->r[0];
	size_t keep = 0;
	bool part = false;
	int ret = 0;

	for (size_t i = 0; i < g->found.n; i++) {
		bool looked = false;

		for (int k = 0; k < t->ncrops && !looked; k++)
			looked = meet(t->crop[k].roi, g->found.v[i].box);
		if (!looked)
			g->found.v[keep++] = g->found.v[i];
	}
	g->found.n = keep;
	for (int k = 0; k < t->ncrops && !ret; k++) {
		const struct crop *c = &t->crop[k];
		int cx0 = (int)ceil(c->roi.x / OB_TILING_CELL), cy0 = (int)ceil(c->roi.y / OB_TILING_CELL);
		int cx1 = c->roi.x + c->roi.w >= t->width ? t->gw : (int)floor((c->roi.x + c->roi.w) / OB_TILING_CELL);
		int cy1 = c->roi.y + c->roi.h >= t->height ? t->gh : (int)floor((c->roi.y + c->roi.h) / OB_TILING_CELL);

		for (size_t i = 0; i < c->found.n && !ret; i++) {
			part = part || at_crop_edge(t, c, c->found.v[i].box);
			ret = ob_detections_push(&g->found, &c->found.v[i]);
		}
		for (int cy = cy0; cy < cy1; cy++) /* cells wholly inside the crop */
			for (int cx = cx0; cx < cx1; cx++)
				g->ref[(size_t)cy * t->gw + cx] = t->cells[(size_t)cy * t->gw + cx];
	}
	t->cropped += t->ncrops;
	if (part) /* something may reach beyond the crop: the whole frame next time */
		g->last = -1;
	return ret;
}

int ob_tiling_finish(struct ob_tiling *t, const struct ob_model_card *card, int status, struct ob_detections *out)
{
	int ret = status;

	if (!ret && t->ncrops)
		ret = take_crops(t);
	ob_detections_clear(&t->all);
	for (int i = 0; i < t->n && !ret; i++)
		for (size_t k = 0; k < t->r[i].found.n && !ret; k++) {
			const struct ob_detection *det = &t->r[i].found.v[k];

			if (t->r[i].whole ? det->score >= t->threshold : supported(t, det->box))
				ret = ob_detections_push(&t->all, det);
		}
	t->calls++;
	if (ret) {
		for (int i = 0; i < t->n; i++) /* a search cut short leaves nothing to trust */
			t->r[i].last = -1;
		return ret;
	}
	if (t->n > 1) /* one region is one pass, already decoded as the model's card says */
		ob_nms_seams(&t->all, card->dec.nms_iou);
	for (size_t i = 0; i < t->all.n && !ret; i++)
		ret = ob_detections_push(out, &t->all.v[i]);
	/* what a region keeps is, on the next call, found before unless searched again */
	for (int i = 0; i < t->n; i++)
		for (size_t k = 0; k < t->r[i].found.n; k++)
			t->r[i].found.v[k].stale = 1;
	return ret;
}

int ob_tiling_run(struct ob_tiling *t, struct ob_detector *d, const AVFrame *f, double threshold,
		  struct ob_detections *out)
{
	int regions[1 + OB_DETECT_MAX_TILES], n, ret;

	ret = ob_tiling_plan(t, f, threshold, regions, &n);
	if (ret)
		return ob_err(ret, "detector %s: %s", ob_detector_card(d)->name, ob_errmsg());
	for (int i = 0; i < n && !ret; i++)
		ret = ob_tiling_search(t, regions[i], d, f);
	return ob_tiling_finish(t, ob_detector_card(d), ret, out);
}

int ob_detector_run_tiled(struct ob_detector *d, const AVFrame *f, int tile, double threshold,
			  struct ob_detections *out)
{
	struct ob_tiling *t;
	int ret;

	if (tile <= 0) {
		const struct ob_model_card *c = ob_detector_card(d);

		tile = c->width > c->height ? c->width : c->height;
	}
	ret = ob_tiling_open(d, f->width, f->height, tile, 1, &t);
	if (ret)
		return ret;
	ret = ob_tiling_run(t, d, f, threshold, out);
	ob_tiling_free(&t);
	return ret;
}

/* SPDX-License-Identifier: MIT */
/* decoders.c - detector output decoders (BlazeFace, SSD, UltraFace, CenterNet, DB, YOLOv5/v8) and NMS. */
#include "obscura/decoders.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/array.h"
#include "obscura/error.h"
#include "obscura/banned.h"

int ob_detections_push(struct ob_detections *d, const struct ob_detection *det)
{
	int ret;

	if (d->n >= OB_DETECT_MAX)
		return ob_err(OB_ERR_LIMIT, "more than %d detections in one frame", OB_DETECT_MAX);
	if ((ret = ob_grow(&d->v, &d->cap, d->n + 1, sizeof(*d->v), OB_DETECT_MAX)))
		return ob_err(ret, "detections: %s", ob_errmsg());
	d->v[d->n++] = *det;
	return 0;
}

void ob_detections_clear(struct ob_detections *d)
{
	d->n = 0;
}

void ob_detections_release(struct ob_detections *d)
{
	if (!d)
		return;
	free(d->v);
	memset(d, 0, sizeof(*d));
}

/* qsort is not stable: carry the original index as the tie-break. */
struct ranked {
	struct ob_detection d;
	size_t idx;
};

static int by_score(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;

	if (a->d.score != b->d.score)
		return a->d.score > b->d.score ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static int sort_by_score(struct ob_detections *d)
{
	struct ranked *r;

	if (d->n < 2)
		return 0;
	r = malloc(d->n * sizeof(*r));
	if (!r)
		return -1;
	for (size_t i = 0; i < d->n; i++)
		r[i] = (struct ranked){ d->v[i], i };
	qsort(r, d->n, sizeof(*r), by_score);
	for (size_t i = 0; i < d->n; i++)
		d->v[i] = r[i].d;
	free(r);
	return 0;
}

static void nms_impl(struct ob_detections *d, double iou, size_t max, bool seams)
{
	size_t kept = 0;

	if (sort_by_score(d) < 0)
		return; /* out of memory: keep everything (errs on the side of hiding) */
	for (size_t i = 0; i < d->n; i++) {
		const struct ob_detection *b = &d->v[i];
		bool ok = true;

		for (size_t k = 0; k < kept && ok; k++) {
			struct ob_detection *a = &d->v[k];

			if (seams ? a->cls != b->cls : a->label != b->label)
				continue;
			if (ob_box_iou(a->box, b->box) > iou) {
				ok = false;
			} else if (seams) {
				/* A half face cut by a seam next to the whole one. */
				ok = !(ob_box_overlap(a->box, b->box) > 0.5 && (b->cut || a->cut));
			}
			/* the box kept for both was seen just now if either was */
			if (!ok)
				a->stale &= b->stale;
		}
		if (ok)
			d->v[kept++] = *b;
		if (max && kept == max)
			break;
	}
	d->n = kept;
}

void ob_nms(struct ob_detections *d, double iou, size_t max)
{
	nms_impl(d, iou, max, false);
}

/* A face box at least this share of which lies inside a larger face box is
 * a part of that face (ob_drop_face_parts). */
#define FACE_PART 0.8

void ob_drop_face_parts(struct ob_detections *d, double high)
{
	size_t kept = 0;

	for (size_t i = 0; i < d->n; i++) {
		const struct ob_box *b = &d->v[i].box;
		bool part = false;

		for (size_t k = 0; k < d->n && !part; k++) {
			const struct ob_box *a = &d->v[k].box;

			part = k != i && d->v[i].cls == OB_CLASS_FACE && d->v[k].cls == OB_CLASS_FACE &&
			       d->v[k].score >= high && a->w * a->h > b->w * b->h &&
			       ob_box_inter(*a, *b) >= FACE_PART * b->w * b->h;
		}
		if (!part)
			d->v[kept++] = d->v[i];
	}
	d->n = kept;
}

void ob_nms_seams(struct ob_detections *d, double iou)
{
	/* Whole boxes first: a box cut by a seam never suppresses an uncut one.
	 * Scores are in 0..1, so shifting cut ones by -2 ranks them last. */
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].cut)
			d->v[i].score -= 2.0f;
	nms_impl(d, iou, 0, true);
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].cut)
			d->v[i].score += 2.0f;
}

static double sigmoid_clamped(double x, double clamp)
{
	if (x > clamp)
		x = clamp;
	if (x < -clamp)
		x = -clamp;
	return 1.0 / (1.0 + exp(-x));
}

/* Input pixels (x1,y1,x2,y2) -> frame-pixel detection appended to out. */
static int emit(const struct ob_model_card *card, const struct ob_letterbox *lb, double x1, double y1,
		double x2, double y2, double score, int label, struct ob_detections *out)
{
	struct ob_detection det = { 0 };
	const char *name = label >= 0 && label < OB_MODEL_MAX_LABELS ? card->labels[label] : "";

	det.box.x = lb->ox + x1 / lb->sx;
	det.box.y = lb->oy + y1 / lb->sy;
	det.box.w = (x2 - x1) / lb->sx;
	det.box.h = (y2 - y1) / lb->sy;
	det.score = (float)score;
	det.label = label;
	det.cls = ob_class_of_label(name, card->task);
	if (!(det.box.w > 0 && det.box.h > 0) || !isfinite(det.box.x) || !isfinite(det.box.y))
		return 0;
	return ob_detections_push(out, &det);
}

/* A box given by its centre and size, in units of (ux, uy) input pixels
 * (SSD's are fractions of the input, the others' pixels): the corners emit()
 * takes, computed one way for every decoder that predicts centres. */
static int emit_center(const struct ob_model_card *card, const struct ob_letterbox *lb, double cx, double cy,
		       double w, double h, double ux, double uy, double score, int label, struct ob_detections *out)
{
	return emit(card, lb, (cx - w / 2) * ux, (cy - h / 2) * uy, (cx + w / 2) * ux, (cy + h / 2) * uy, score,
		    label, out);
}

static int check_count(const struct ob_model_card *card, const struct ob_tensor *t, size_t want,
		       const char *what)
{
	if (t->count != want)
		return ob_err(OB_ERR_MODEL, "%s: output %s has %zu values, decoder %s expects %zu",
			      card->onnx_path[0] ? card->onnx_path : card->name, what, t->count,
			      ob_decoder_name(card->dec.type), want);
	return 0;
}

static int decode_blazeface(const struct ob_model_card *card, const struct ob_tensor *outs,
			    const struct ob_letterbox *lb, double thr, struct ob_detections *out)
{
	const struct ob_decoder_params *p = &card->dec;
	size_t n = 0, i = 0, per = 4 + 2 * (size_t)p->keypoints;
	int ret;

	for (int s = 0; s < p->n_strides; s++) {
		size_t g = (size_t)(card->width / p->anchor_strides[s]);
		n += g * g * (size_t)p->anchors_per_cell[s];
	}
	if ((ret = check_count(card, &outs[0], n, card->outputs[0])) ||
	    (ret = check_count(card, &outs[1], n * per, card->outputs[1])))
		return ret;
	for (int s = 0; s < p->n_strides; s++) {
		int stride = p->anchor_strides[s];
		int gw = card->width / stride, gh = card->height / stride;

		for (int gy = 0; gy < gh; gy++)
			for (int gx = 0; gx < gw; gx++)
				for (int k = 0; k < p->anchors_per_cell[s]; k++, i++) {
					double score = sigmoid_clamped(outs[0].data[i], p->logit_clamp);
					const float *r = outs[1].data + i * per;
					double ax = (gx + p->anchor_offset) * stride;
					double ay = (gy + p->anchor_offset) * stride;
					double cx, cy;

					if (score < thr)
						continue;
					cx = r[0] + ax;
					cy = r[1] + ay;
					ret = emit_center(card, lb, cx, cy, r[2], r[3], 1, 1, score, 0, out);
					if (ret)
						return ret;
				}
	}
	return 0;
}

static int decode_ssd(const struct ob_model_card *card, const struct ob_tensor *outs,
		      const struct ob_letterbox *lb, double thr, struct ob_detections *out)
{
	const struct ob_decoder_params *p = &card->dec;
	double scales[OB_MODEL_MAX_LIST + 1];
	size_t n = 0, i = 0;
	int ncls, ret;

	for (int l = 0; l < p->n_grids; l++)
		n += (size_t)p->anchor_grids[l] * (size_t)p->anchor_grids[l] *
		     (size_t)(l == 0 && p->anchor_reduce_lowest ? 3 : p->n_ratios + 1);
	if (p->anchor_count && (size_t)p->anchor_count != n)
		return ob_err(OB_ERR_MODEL, "%s: anchor generator gives %zu anchors, card says %d",
			      card->card_path, n, p->anchor_count);
	if ((ret = check_count(card, &outs[0], n * 4, card->outputs[0])))
		return ret;
	if (n == 0 || outs[1].count % n)
		return check_count(card, &outs[1], n * 2, card->outputs[1]);
	ncls = (int)(outs[1].count / n);
	if (p->score_class >= ncls)
		return ob_err(OB_ERR_MODEL, "%s: score_class %d but %d logits per anchor", card->card_path,
			      p->score_class, ncls);
	for (int l = 0; l < p->n_grids; l++)
		scales[l] = p->anchor_min_scale +
			    (p->anchor_max_scale - p->anchor_min_scale) * l / (p->n_grids - 1);
	scales[p->n_grids] = 1.0;
	for (int l = 0; l < p->n_grids; l++) {
		int g = p->anchor_grids[l];
		double spec_s[OB_MODEL_MAX_LIST + 2], spec_r[OB_MODEL_MAX_LIST + 2];
		int ns = 0;

		if (l == 0 && p->anchor_reduce_lowest) {
			spec_s[0] = 0.1, spec_r[0] = 1.0;
			spec_s[1] = p->anchor_min_scale, spec_r[1] = 2.0;
			spec_s[2] = p->anchor_min_scale, spec_r[2] = 0.5;
			ns = 3;
		} else {
			double s = scales[l];

			spec_s[ns] = s, spec_r[ns++] = 1.0;
			spec_s[ns] = sqrt(s * scales[l + 1]), spec_r[ns++] = 1.0;
			for (int r = 1; r < p->n_ratios; r++)
				spec_s[ns] = s, spec_r[ns++] = p->anchor_aspect_ratios[r];
		}
		for (int gy = 0; gy < g; gy++)
			for (int gx = 0; gx < g; gx++)
				for (int k = 0; k < ns; k++, i++) {
					const float *e = outs[0].data + i * 4;
					double lg = outs[1].data[i * (size_t)ncls + (size_t)p->score_class];
					double score = sigmoid_clamped(lg, 80);
					double ha, wa, cya, cxa, cy, cx, h, w;

					if (score < thr)
						continue;
					ha = spec_s[k] / sqrt(spec_r[k]);
					wa = spec_s[k] * sqrt(spec_r[k]);
					cya = (gy + 0.5) / g;
					cxa = (gx + 0.5) / g;
					cy = e[0] / p->variances[0] * ha + cya;
					cx = e[1] / p->variances[1] * wa + cxa;
					h = exp(e[2] / p->variances[2]) * ha;
					w = exp(e[3] / p->variances[3]) * wa;
					ret = emit_center(card, lb, cx, cy, w, h, card->width, card->height, score,
							  0, out);
					if (ret)
						return ret;
				}
	}
	return 0;
}

/* UltraFace: the priors are decoded inside the graph; what comes out is a
 * softmax per prior ([1,N,C], class score_class is the face) and its box as
 * corners in fractions of the input ([1,N,4]: x1, y1, x2, y2). */
static int decode_ultraface(const struct ob_model_card *card, const struct ob_tensor *outs,
			    const struct ob_letterbox *lb, double thr, struct ob_detections *out)
{
	const struct ob_decoder_params *p = &card->dec;
	size_t n = outs[1].count / 4, ncls;
	int ret;

	if (p->anchor_count &&
	    (ret = check_count(card, &outs[1], (size_t)p->anchor_count * 4, card->outputs[1])))
		return ret;
	if (n == 0 || outs[1].count % 4 || outs[0].count % n)
		return ob_err(OB_ERR_MODEL,
			      "%s: outputs %s (%zu values) and %s (%zu values) are not [1,N,C], [1,N,4]",
			      card->onnx_path[0] ? card->onnx_path : card->name, card->outputs[0],
			      outs[0].count, card->outputs[1], outs[1].count);
	ncls = outs[0].count / n;
	if ((size_t)p->score_class >= ncls)
		return ob_err(OB_ERR_MODEL, "%s: score_class %d but %zu scores per prior", card->card_path,
			      p->score_class, ncls);
	for (size_t i = 0; i < n; i++) {
		double score = outs[0].data[i * ncls + (size_t)p->score_class];
		const float *b = outs[1].data + i * 4;

		if (!(score >= thr))
			continue;
		ret = emit(card, lb, b[0] * card->width, b[1] * card->height, b[2] * card->width,
			   b[3] * card->height, score, 0, out);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * CenterNet's heatmap holds 80 classes of 96x128 cells on a 512x384 input
 * (a million values a pass), and a peak is a rare cell at or above the
 * threshold: looking at PEAK_BLOCK cells at once (a loop the compiler
 * vectorises) cut the decoder from 1.15 to 0.28 ms a pass on vtest.avi.  A
 * block with no cell at or above `below` (the threshold rounded to float)
 * has no cell at or above the threshold either; the cells of the other
 * blocks are judged exactly as before (test_detect: a peak in every cell).
 */
#define PEAK_BLOCK 16

static bool any_at_least(const float *v, float below)
{
	int any = 0;

	for (int i = 0; i < PEAK_BLOCK; i++)
		any |= v[i] >= below;
	return any;
}

static int decode_centernet(const struct ob_model_card *card, const struct ob_tensor *outs,
			    const struct ob_letterbox *lb, double thr, struct ob_detections *out)
{
	const struct ob_decoder_params *p = &card->dec;
	int st = p->stride, gw = card->width / st, gh = card->height / st, nc = p->num_classes;
	int half = p->peak_kernel / 2;
	size_t plane = (size_t)gw * (size_t)gh;
	struct ob_detections peaks = { 0 };
	/* rounding is monotonic: a cell v >= thr has v >= (float)thr */
	float below = (float)thr;
	int ret = 0;

	if ((ret = check_count(card, &outs[0], plane * (size_t)nc, card->outputs[0])) ||
	    (ret = check_count(card, &outs[1], plane * 4, card->outputs[1])))
		return ret;
	for (int c = 0; c < nc; c++) {
		const float *h = outs[0].data + (size_t)c * plane;

		for (int y = 0; y < gh; y++)
			for (int x = 0; x < gw; x++) {
				float v = h[(size_t)y * gw + x];
				bool peak;

				/* nearly every cell is far below thr: skip a block of them at once */
				if (x % PEAK_BLOCK == 0 && x + PEAK_BLOCK <= gw &&
				    !any_at_least(h + (size_t)y * gw + x, below)) {
					x += PEAK_BLOCK - 1;
					continue;
				}
				peak = v >= thr;

				for (int dy = -half; dy <= half && peak; dy++)
					for (int dx = -half; dx <= half && peak; dx++) {
						int yy = y + dy, xx = x + dx;

						if (yy >= 0 && yy < gh && xx >= 0 && xx < gw &&
						    h[(size_t)yy * gw + xx] > v)
							peak = false;
					}
				if (peak) {
					struct ob_detection d = { .score = v, .label = c };

					d.box.x = x, d.box.y = y; /* cell, decoded below */
					if ((ret = ob_detections_push(&peaks, &d)))
						goto out;
				}
			}
	}
	/* README order: the max_detections best peaks, then drop unkept classes, then NMS. */
	if (sort_by_score(&peaks) < 0) {
		ret = ob_err(OB_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (peaks.n > (size_t)p->max_detections)
		peaks.n = (size_t)p->max_detections;
	for (size_t i = 0; i < peaks.n; i++) {
		int x = (int)peaks.v[i].box.x, y = (int)peaks.v[i].box.y, c = peaks.v[i].label;
		const float *wh = outs[1].data + (size_t)y * gw + x;

		if (p->keep_set && !p->keep[c])
			continue;
		ret = emit(card, lb, st * x - wh[0], st * y - wh[plane], st * x + wh[2 * plane],
			   st * y + wh[3 * plane], peaks.v[i].score, c, out);
		if (ret)
			goto out;
	}
out:
	ob_detections_release(&peaks);
	return ret;
}

/* DB: threshold, 4-connected components, mean probability, axis box grown by area*r/perimeter. */
static int decode_db(const struct ob_model_card *card, const struct ob_tensor *outs,
		     const struct ob_letterbox *lb, double thr, struct ob_detections *out)
{
	const struct ob_decoder_params *p = &card->dec;
	int w = card->width, h = card->height;
	size_t n = (size_t)w * (size_t)h;
	const float *prob = outs[0].data;
	uint8_t *seen = NULL;
	int32_t *stack = NULL;
	int ret;

	if ((ret = check_count(card, &outs[0], n, card->outputs[0])))
		return ret;
	seen = calloc(n, 1);
	stack = malloc(n * sizeof(*stack));
	if (!seen || !stack) {
		ret = ob_err(OB_ERR_NOMEM, "out of memory");
		goto out;
	}
	/* Only the part of the input the picture covers can hold text. */
	for (int y0 = 0; y0 < h; y0++)
		for (int x0 = 0; x0 < w; x0++) {
			size_t at = (size_t)y0 * w + x0, top = 0;
			int minx = x0, maxx = x0, miny = y0, maxy = y0;
			double sum = 0, area = 0, bw, bh, score, d;

			if (seen[at] || !(prob[at] > p->binary_threshold))
				continue;
			seen[at] = 1;
			stack[top++] = (int32_t)at;
			while (top) {
				int32_t q = stack[--top];
				int qx = q % w, qy = q / w;
				const int nb[4][2] = { { 1, 0 }, { -1, 0 }, { 0, 1 }, { 0, -1 } };

				sum += prob[q];
				area += 1;
				minx = qx < minx ? qx : minx, maxx = qx > maxx ? qx : maxx;
				miny = qy < miny ? qy : miny, maxy = qy > maxy ? qy : maxy;
				for (int k = 0; k < 4; k++) {
					int nx = qx + nb[k][0], ny = qy + nb[k][1];
					size_t na;

					if (nx < 0 || ny < 0 || nx >= w || ny >= h)
						continue;
					na = (size_t)ny * w + nx;
					if (!seen[na] && prob[na] > p->binary_threshold) {
						seen[na] = 1;
						stack[top++] = (int32_t)na;
					}
				}
			}
			bw = maxx - minx + 1;
			bh = maxy - miny + 1;
			if (fmin(bw, bh) < p->min_size)
				continue;
			score = sum / area;
			if (score < thr)
				continue;
			d = area * p->unclip_ratio / (2.0 * (bw + bh));
			ret = emit(card, lb, minx - d, miny - d, minx + bw + d, miny + bh + d, score, 0, out);
			if (ret)
				goto out;
		}
	ret = 0;
out:
	free(seen);
	free(stack);
	return ret;
}

/* YOLOv5: [1,N,5+C] rows (cx,cy,w,h,obj,cls...); YOLOv8: [1,4+C,N] columns (cx,cy,w,h,cls...).
 * Values are those of the usual exports: input pixels, sigmoid already applied. */
static int decode_yolo(const struct ob_model_card *card, const struct ob_tensor *outs,
		       const struct ob_letterbox *lb, double thr, struct ob_detections *out)
{
	const struct ob_tensor *t = &outs[0];
	bool v8 = card->dec.type == OB_DECODER_YOLOV8;
	int nc = card->dec.num_classes, attrs = (v8 ? 4 : 5) + nc;
	size_t n;
	int ret;

	if (t->count % (size_t)attrs)
		return ob_err(OB_ERR_MODEL, "%s: output %s has %zu values, not a multiple of %d (%s, %d classes)",
			      card->onnx_path, card->outputs[0], t->count, attrs, ob_decoder_name(card->dec.type), nc);
	n = t->count / (size_t)attrs;
	for (size_t i = 0; i < n; i++) {
#define AT(k) (v8 ? t->data[(size_t)(k) * n + i] : t->data[i * (size_t)attrs + (size_t)(k)])
		double obj = v8 ? 1.0 : AT(4), best = -1, cx, cy, w, h;
		int cls = 0, first = v8 ? 4 : 5;

		if (obj < thr)
			continue;
		for (int c = 0; c < nc; c++) {
			double s = AT(first + c);

			if (s > best)
				best = s, cls = c;
		}
		best *= obj;
		if (best < thr || (card->dec.keep_set && !card->dec.keep[cls]))
			continue;
		cx = AT(0), cy = AT(1), w = AT(2), h = AT(3);
#undef AT
		ret = emit_center(card, lb, cx, cy, w, h, 1, 1, best, cls, out);
		if (ret)
			return ret;
	}
	return 0;
}

bool ob_decoder_any_input(const struct ob_model_card *card)
{
	return (card->dec.type == OB_DECODER_CENTERNET || card->dec.type == OB_DECODER_DB) && !card->stretch;
}

/* CenterNet (MobileNetV3) and PP-OCR DB both downsample 32x and upsample back. */
#define FCN_INPUT_STEP 32

int ob_decoder_input_step(const struct ob_model_card *card)
{
	return ob_decoder_any_input(card) ? FCN_INPUT_STEP : 0;
}

int ob_decode(const struct ob_model_card *card, const struct ob_tensor *outs,
	      const struct ob_letterbox *lb, double threshold, struct ob_detections *out)
{
	struct ob_detections mine = { 0 };
	double thr = threshold >= 0 ? threshold : card->dec.score_threshold;
	int ret;

	switch (card->dec.type) {
	case OB_DECODER_BLAZEFACE: ret = decode_blazeface(card, outs, lb, thr, &mine); break;
	case OB_DECODER_SSD: ret = decode_ssd(card, outs, lb, thr, &mine); break;
	case OB_DECODER_ULTRAFACE: ret = decode_ultraface(card, outs, lb, thr, &mine); break;
	case OB_DECODER_CENTERNET: ret = decode_centernet(card, outs, lb, thr, &mine); break;
	case OB_DECODER_DB: ret = decode_db(card, outs, lb, thr, &mine); break;
	case OB_DECODER_YOLOV5:
	case OB_DECODER_YOLOV8: ret = decode_yolo(card, outs, lb, thr, &mine); break;
	default: ret = ob_err(OB_ERR_INTERNAL, "%s: decoder %d", card->card_path, card->dec.type);
	}
	if (ret)
		goto out;
	/* DB regions are disjoint by construction: no NMS, only the cap. */
	if (card->dec.type == OB_DECODER_DB) {
		if (sort_by_score(&mine) < 0) {
			ret = ob_err(OB_ERR_NOMEM, "out of memory");
			goto out;
		}
		if (mine.n > (size_t)card->dec.max_detections)
			mine.n = (size_t)card->dec.max_detections;
	} else {
		ob_nms(&mine, card->dec.nms_iou, (size_t)card->dec.max_detections);
	}
	for (size_t i = 0; i < mine.n && !ret; i++)
		ret = ob_detections_push(out, &mine.v[i]);
out:
	ob_detections_release(&mine);
	return ret;
}

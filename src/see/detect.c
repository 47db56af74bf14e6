/* SPDX-License-Identifier: MIT */
/* detect.c - a detector: card + verified ONNX + preprocessing from YUV frames. */
#include "obscura/detect.h"

#include <libavutil/frame.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/error.h"
#include "obscura/clock.h"
#include "obscura/banned.h"

/*
 * OpenCV 4.6 sets a network up for the first input shape it sees: fed
 * another, CenterNet gives the right answer but PP-OCR DB gives zeros.  So
 * each input size other than the card's has a network of its own, loaded
 * on first use (about 40 ms), the least lately used of SIZED_NETS given up
 * for a new size.
 */
#define SIZED_NETS 2

struct sized_net {
	int w, h;
	struct ob_dnn *dnn;
	int64_t used;      /* pass number it last ran */
};

struct ob_detector {
	struct ob_model_card card;
	struct ob_model_card sized; /* the card with the input of the last sized pass, for its decoder */
	struct ob_model_card mosaic; /* the card decoding a mosaic pass: no NMS across its quarters */
	struct sized_net nets[SIZED_NETS];
	struct ob_dnn *dnn;
	struct SwsContext *sws;
	uint8_t *canvas;   /* in_w*in_h*3 packed RGB or BGR */
	float *blob;       /* 3*in_w*in_h NCHW */
	int64_t passes;
	double forward_ms;
};

/* A detector for card: its network and buffers (the card is checked by the caller). */
static int load(const struct ob_model_card *card, int threads, struct ob_detector **out)
{
	struct ob_detector *d;
	size_t px;
	int ret;

	*out = NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return ob_err(OB_ERR_NOMEM, "out of memory");
	d->card = *card;
	d->sized = *card;
	/* a box across two quarters, dropped later, must not suppress a face
	 * of either: a mosaic pass is decoded whole with no NMS, and each
	 * quarter's boxes get it alone (ob_detector_run_mosaic) */
	d->mosaic = *card;
	d->mosaic.dec.nms_iou = 1;
	d->mosaic.dec.max_detections = OB_DETECT_MOSAIC * card->dec.max_detections;
	ret = ob_dnn_open(d->card.onnx_path, threads, &d->dnn);
	if (!ret) {
		px = (size_t)d->card.width * (size_t)d->card.height;
		d->canvas = malloc(px * 3);
		d->blob = malloc(px * 3 * sizeof(float));
		if (!d->canvas || !d->blob)
			ret = ob_err(OB_ERR_NOMEM, "%s: out of memory", d->card.card_path);
	}
	if (ret)
		ob_detector_free(&d);
	*out = d;
	return ret;
}

/* The frame size picks, of a model family, the input shape that wastes least of each pass. */
int ob_detector_open(const char *dir, const char *name, int width, int height, int threads,
		     struct ob_detector **out)
{
	struct ob_model_card card;
	int ret;

	*out = NULL;
	ret = ob_model_pick(dir, name, width, height, &card);
	if (!ret)
		ret = ob_model_verify(&card);
	return ret ? ret : load(&card, threads, out);
}

int ob_detector_clone(const struct ob_detector *d, int threads, struct ob_detector **out)
{
	return load(&d->card, threads, out);
}

void ob_detector_free(struct ob_detector **pd)
{
	struct ob_detector *d;

	if (!pd || !*pd)
		return;
	d = *pd;
	ob_dnn_free(&d->dnn);
	for (int i = 0; i < SIZED_NETS; i++)
		ob_dnn_free(&d->nets[i].dnn);
	sws_freeContext(d->sws);
	free(d->canvas);
	free(d->blob);
	free(d);
	*pd = NULL;
}

const struct ob_model_card *ob_detector_card(const struct ob_detector *d)
{
	return &d->card;
}

void ob_detector_stats(const struct ob_detector *d, int64_t *passes, double *forward_ms)
{
	*passes = d->passes;
	*forward_ms = d->forward_ms;
}

static bool is_yuv420(int fmt)
{
	return fmt == AV_PIX_FMT_YUV420P || fmt == AV_PIX_FMT_YUVJ420P;
}

/* Whether d can read frame f: 8-bit YUV 4:2:0 of a size it takes. */
static int check_frame(const struct ob_detector *d, const AVFrame *f)
{
	const struct ob_model_card *c = &d->card;

	if (!is_yuv420(f->format))
		return ob_err(OB_ERR_INTERNAL, "detector %s: frame is %s, not yuv420p", c->name,
			      av_get_pix_fmt_name(f->format) ? av_get_pix_fmt_name(f->format) : "?");
	if (f->width < 2 || f->height < 2 || (int64_t)f->width * f->height > OB_DETECT_MAX_PIXELS)
		return ob_err(OB_ERR_LIMIT, "detector %s: frame %dx%d", c->name, f->width, f->height);
	return 0;
}

/*
 * Region roi of f (NULL: the whole frame) scaled into the W x H rectangle
 * of the canvas (canvas_w px a row) whose top-left corner is (dx, dy): at
 * its shape, in the rectangle's top-left (letterbox), or filling it
 * (stretch); lb maps the rectangle's pixels, from (dx, dy), back to the
 * frame's.
 */
static int scale_into(struct ob_detector *d, const AVFrame *f, const struct ob_box *roi, int dx, int dy, int W,
		      int H, int canvas_w, struct ob_letterbox *lb)
{
	const struct ob_model_card *c = &d->card;
	int x0, y0, x1, y1, rw, rh, nw, nh;
	const uint8_t *src[4];
	int src_ls[4], dst_ls[4] = { canvas_w * 3, 0, 0, 0 };
	uint8_t *dst[4] = { d->canvas + ((size_t)dy * (size_t)canvas_w + (size_t)dx) * 3, NULL, NULL, NULL };
	int full_range, cs, flags;

	if (roi) {
		x0 = (int)floor(fmax(0, roi->x));
		y0 = (int)floor(fmax(0, roi->y));
		x1 = (int)ceil(fmin(f->width, roi->x + roi->w));
		y1 = (int)ceil(fmin(f->height, roi->y + roi->h));
	} else {
		x0 = y0 = 0;
		x1 = f->width;
		y1 = f->height;
	}
	x0 &= ~1; /* chroma is subsampled 2x2: start on an even pixel */
	y0 &= ~1;
	rw = x1 - x0;
	rh = y1 - y0;
	if (rw < 2 || rh < 2)
		return ob_err(OB_ERR_INTERNAL, "detector %s: empty region", c->name);
	if (c->stretch) {
		nw = W;
		nh = H;
	} else {
		double s = fmin((double)W / rw, (double)H / rh);

		nw = (int)lround(rw * s);
		nh = (int)lround(rh * s);
		nw = nw < 1 ? 1 : nw > W ? W : nw;
		nh = nh < 1 ? 1 : nh > H ? H : nh;
	}
	flags = (nw < rw ? SWS_AREA : SWS_BILINEAR) | SWS_ACCURATE_RND;
	d->sws = sws_getCachedContext(d->sws, rw, rh, AV_PIX_FMT_YUV420P, nw, nh,
				      c->bgr ? AV_PIX_FMT_BGR24 : AV_PIX_FMT_RGB24, flags, NULL, NULL, NULL);
	if (!d->sws)
		return ob_err(OB_ERR_INTERNAL, "detector %s: no scaler for %dx%d -> %dx%d", c->name, rw, rh,
			      nw, nh);
	full_range = f->format == AV_PIX_FMT_YUVJ420P || f->color_range == AVCOL_RANGE_JPEG;
	cs = f->colorspace == AVCOL_SPC_BT709 ? SWS_CS_ITU709 : SWS_CS_DEFAULT;
	sws_setColorspaceDetails(d->sws, sws_getCoefficients(cs), full_range, sws_getCoefficients(cs), 1,
				 0, 1 << 16, 1 << 16);
	src[0] = f->data[0] + (size_t)y0 * f->linesize[0] + x0;
	src[1] = f->data[1] + (size_t)(y0 / 2) * f->linesize[1] + x0 / 2;
	src[2] = f->data[2] + (size_t)(y0 / 2) * f->linesize[2] + x0 / 2;
	src[3] = NULL;
	src_ls[0] = f->linesize[0];
	src_ls[1] = f->linesize[1];
	src_ls[2] = f->linesize[2];
	src_ls[3] = 0;
	sws_scale(d->sws, src, src_ls, 0, rh, dst, dst_ls);
	*lb = (struct ob_letterbox){ .ox = x0, .oy = y0, .sx = (double)nw / rw, .sy = (double)nh / rh,
				     .in_w = W, .in_h = H, .used_w = nw, .used_h = nh };
	return 0;
}

/* The canvas's first `plane` pixels, normalized as the card says, into blob (NCHW). */
static void canvas_to_blob(const struct ob_detector *d, size_t plane, float *blob)
{
	float m = (float)d->card.mean, k = (float)d->card.scale;
	float lut[256];

	for (int v = 0; v < 256; v++)
		lut[v] = ((float)v - m) * k;
	for (size_t i = 0; i < plane; i++) {
		const uint8_t *p = d->canvas + i * 3;

		blob[i] = lut[p[0]];
		blob[plane + i] = lut[p[1]];
		blob[2 * plane + i] = lut[p[2]];
	}
}

/* Region roi of f into a W x H input (at most the card's): blob and mapping. */
static int preprocess(struct ob_detector *d, const AVFrame *f, const struct ob_box *roi, int W, int H,
		      float *blob, struct ob_letterbox *lb)
{
	size_t plane = (size_t)W * (size_t)H;
	int ret = check_frame(d, f);

	if (ret)
		return ret;
	memset(d->canvas, 0, plane * 3); /* letterbox fill: pixel value 0 */
	if ((ret = scale_into(d, f, roi, 0, 0, W, H, W, lb)))
		return ret;
	canvas_to_blob(d, plane, blob);
	return 0;
}

int ob_detector_preprocess(struct ob_detector *d, const AVFrame *f, const struct ob_box *roi,
			   float *blob, struct ob_letterbox *lb)
{
	return preprocess(d, f, roi, d->card.width, d->card.height, blob, lb);
}

/* The forward pass of network dnn on d->blob (c: the card of its input size), decoded through lb. */
static int forward(struct ob_detector *d, struct ob_dnn *dnn, const struct ob_model_card *c,
		   const struct ob_letterbox *lb, double threshold, struct ob_detections *out)
{
	struct ob_tensor outs[OB_MODEL_MAX_OUTPUTS];
	const char *names[OB_MODEL_MAX_OUTPUTS];
	double t0;
	int ret;

	for (int i = 0; i < c->n_outputs; i++)
		names[i] = c->outputs[i];
	t0 = ob_clock_seconds() * 1e3;
	ret = ob_dnn_infer(dnn, d->blob, 1, 3, c->height, c->width, names, (size_t)c->n_outputs, outs);
	d->forward_ms += ob_clock_seconds() * 1e3 - t0;
	d->passes++;
	if (ret)
		return ret;
	return ob_decode(c, outs, lb, threshold, out);
}

/* One pass of network dnn; c: the card its input size and decoder are read from. */
static int run_at(struct ob_detector *d, struct ob_dnn *dnn, const struct ob_model_card *c, const AVFrame *f,
		  const struct ob_box *roi, double threshold, struct ob_detections *out)
{
	struct ob_letterbox lb;
	int ret = preprocess(d, f, roi, c->width, c->height, d->blob, &lb);

	return ret ? ret : forward(d, dnn, c, &lb, threshold, out);
}

int ob_detector_run(struct ob_detector *d, const AVFrame *f, const struct ob_box *roi, double threshold,
		    struct ob_detections *out)
{
	return run_at(d, d->dnn, &d->card, f, roi, threshold, out);
}

/* Share of a box's area that may lie in other regions' quarters: more,
 * it is of two pictures at once. */
#define MOSAIC_ACROSS 0.2

static bool mosaic_used(const struct ob_box *rois, size_t n, size_t k)
{
	return k < n && rois[k].w > 0 && rois[k].h > 0;
}

/* Quarter k of a W x H input, in input pixels. */
static struct ob_box quarter(size_t k, int W, int H)
{
	return (struct ob_box){ (double)(k % 2) * (W / 2), (double)(k / 2) * (H / 2), W / 2, H / 2 };
}

int ob_detector_run_mosaic(struct ob_detector *d, const AVFrame *f, const struct ob_box *rois, size_t n,
			   double threshold, struct ob_detections *out)
{
	const struct ob_model_card *c = &d->card;
	int W = c->width, H = c->height;
	struct ob_letterbox cell[OB_DETECT_MOSAIC];
	struct ob_letterbox whole = { .sx = 1, .sy = 1, .in_w = W, .in_h = H, .used_w = W, .used_h = H };
	struct ob_detections all = { 0 }, mine[OB_DETECT_MOSAIC] = { { 0 } };
	size_t used = 0;
	int ret;

	for (size_t k = 0; k < n && n <= OB_DETECT_MOSAIC; k++)
		used += mosaic_used(rois, n, k);
	if (n > OB_DETECT_MOSAIC || !used)
		return ob_err(OB_ERR_INTERNAL, "detector %s: a mosaic of %zu regions, %zu used", c->name, n, used);
	if ((ret = check_frame(d, f)))
		return ret;
	memset(d->canvas, 0, (size_t)W * (size_t)H * 3);
	for (size_t k = 0; k < n && !ret; k++)
		if (mosaic_used(rois, n, k)) {
			struct ob_box q = quarter(k, W, H);

			ret = scale_into(d, f, &rois[k], (int)q.x, (int)q.y, (int)q.w, (int)q.h, W, &cell[k]);
		}
	if (ret)
		return ret;
	canvas_to_blob(d, (size_t)W * (size_t)H, d->blob);
	ret = forward(d, d->dnn, &d->mosaic, &whole, threshold, &all);
	for (size_t i = 0; i < all.n && !ret; i++) {
		struct ob_detection det = all.v[i];
		struct ob_box b = det.box, q;
		double cx = b.x + b.w / 2, cy = b.y + b.h / 2, across = 0, x1, y1;
		size_t k = (size_t)(cx >= W / 2) + 2 * (size_t)(cy >= H / 2);

		if (!mosaic_used(rois, n, k))
			continue;
		for (size_t j = 0; j < n; j++)
			if (j != k && mosaic_used(rois, n, j))
				across += ob_box_inter(b, quarter(j, W, H));
		if (across > MOSAIC_ACROSS * b.w * b.h)
			continue;
		/* cut where another region's quarter begins; beyond the input's
		 * border or into an empty quarter, a face cut by its region's
		 * edge is boxed whole, as a pass of its own would box it */
		q = quarter(k, W, H);
		x1 = b.x + b.w;
		y1 = b.y + b.h;
		if (k % 2 == 1 && mosaic_used(rois, n, k - 1))
			b.x = fmax(b.x, q.x);
		if (k % 2 == 0 && mosaic_used(rois, n, k + 1))
			x1 = fmin(x1, q.x + q.w);
		if (k / 2 == 1 && mosaic_used(rois, n, k - 2))
			b.y = fmax(b.y, q.y);
		if (k / 2 == 0 && mosaic_used(rois, n, k + 2))
			y1 = fmin(y1, q.y + q.h);
		det.box = (struct ob_box){ cell[k].ox + (b.x - q.x) / cell[k].sx, cell[k].oy + (b.y - q.y) / cell[k].sy,
					   (x1 - b.x) / cell[k].sx, (y1 - b.y) / cell[k].sy };
		ret = ob_detections_push(&mine[k], &det);
	}
	for (size_t k = 0; k < n; k++) {
		ob_nms(&mine[k], c->dec.nms_iou, (size_t)c->dec.max_detections);
		for (size_t i = 0; i < mine[k].n && !ret; i++)
			ret = ob_detections_push(&out[k], &mine[k].v[i]);
		ob_detections_release(&mine[k]);
	}
	ob_detections_release(&all);
	return ret;
}

bool ob_detector_any_size(const struct ob_detector *d)
{
	return ob_decoder_any_input(&d->card);
}

int ob_detector_run_sized(struct ob_detector *d, const AVFrame *f, const struct ob_box *roi, int in_w, int in_h,
			  double threshold, struct ob_detections *out)
{
	const struct ob_model_card *c = &d->card;
	int step = ob_decoder_input_step(c), ret;
	struct sized_net *net = NULL, *victim = &d->nets[0];

	if (!ob_detector_any_size(d) || in_w < step || in_h < step || in_w > c->width || in_h > c->height ||
	    in_w % step || in_h % step)
		return ob_err(OB_ERR_INTERNAL, "detector %s: no %dx%d input (card %dx%d)", c->name, in_w, in_h,
			      c->width, c->height);
	if (in_w == c->width && in_h == c->height)
		return run_at(d, d->dnn, c, f, roi, threshold, out);
	for (int i = 0; i < SIZED_NETS && !net; i++) {
		struct sized_net *n = &d->nets[i];

		if (n->dnn && n->w == in_w && n->h == in_h)
			net = n;
		else if (victim->dnn && (!n->dnn || n->used < victim->used))
			victim = n; /* an empty slot, else the least lately used */
	}
	if (!net) {
		net = victim;
		ob_dnn_free(&net->dnn);
		if ((ret = ob_dnn_open(c->onnx_path, 0, &net->dnn)))
			return ret;
		net->w = in_w;
		net->h = in_h;
	}
	net->used = d->passes;
	d->sized.width = in_w;
	d->sized.height = in_h;
	return run_at(d, net->dnn, &d->sized, f, roi, threshold, out);
}

int ob_detect_face_tile(const struct ob_model_card *c, int width, int height)
{
	int side = c->width > c->height ? c->width : c->height;
	double s = fmin((double)c->width / width, (double)c->height / height);

	/* A model finds faces from its card's min_face up (input px): the
	 * whole-frame pass, scaled by s, from min_face / s frame px.  When that
	 * is more than OB_DETECT_FULL_PASS_FACE, tiles scale a 16 px face to
	 * min_face.  BlazeFace (12.8 px in its 256 input) and UltraFace (16 px
	 * in its 320x240) both tile landscape frames over 768 px wide.
	 * BlazeFace's tiles of 320 find faces from ~13 px up (face-mosaic:
	 * 83/88 faces of 12-40 px on a 1080p frame, vs 59/88 with 2x tiles,
	 * half the passes); UltraFace's are of its own size and shape, 320x240
	 * (ob_detector_run_tiled; 84/88, see models/README.md). */
	if (c->dec.min_face / s > OB_DETECT_FULL_PASS_FACE * (1 + 1e-9))
		return (int)lround(side * OB_DETECT_SMALL_FACE / c->dec.min_face);
	return 0;
}

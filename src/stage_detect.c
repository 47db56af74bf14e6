/* stage_detect.c - the detect stage: run the recipe's detectors, hand boxes to the track store. */
#include <libavutil/frame.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/detect.h"
#include "obscura/error.h"
#include "obscura/recipe.h"
#include "obscura/source.h"
#include "obscura/stage.h"
#include "obscura/tracks.h"
#include "obscura/banned.h"

#define GUIDED_MAX_PEOPLE 8   /* person crops searched for faces per frame */
#define GUIDED_MIN_HEIGHT 48  /* person boxes shorter than this get the head box only */

struct detect {
	const struct ob_detect_opts *o;
	struct ob_track_store *tracks;
	struct ob_detector *faces, *people, *text;
	struct ob_detections dets, guided;
	struct ob_box *hide;
	int face_tile;            /* > 0: tiled face passes of this size */
	int64_t passes;           /* detection frames so far */
	/* What the people and text detectors hid on their last pass, held
	 * when they skip a detection frame (people_stride, text_stride). */
	struct ob_box *held_people, *held_text;
	size_t n_people, n_text;
};

/* Face detectors box eyes to chin; hair and forehead identify too. */
static void add_forehead(struct ob_detections *dets, size_t from, double f)
{
	for (size_t i = from; i < dets->n; i++)
		if (dets->v[i].cls == OB_CLASS_FACE) {
			dets->v[i].box.y -= dets->v[i].box.h * f;
			dets->v[i].box.h += dets->v[i].box.h * f;
		}
}

static int open_one(const char *dir, const char *name, int threads, struct ob_detector **out)
{
	if (!name[0])
		return 0;
	return ob_detector_open(dir, name, threads, out);
}

static int detect_init(void *priv, const struct ob_stage_ctx *ctx)
{
	struct detect *d = priv;
	const struct ob_detect_opts *o = &ctx->recipe->detect;
	const char *dir = ob_model_dir(NULL, o->models);
	int ret;

	d->o = o;
	d->tracks = ctx->tracks;
	if ((ret = open_one(dir, o->faces, ctx->threads, &d->faces)) ||
	    (ret = open_one(dir, o->people, ctx->threads, &d->people)) ||
	    (ret = open_one(dir, o->text, ctx->threads, &d->text)))
		return ret;
	if (d->faces && o->tiles)
		d->face_tile = ob_detect_face_tile(ob_detector_card(d->faces), ctx->video->width,
						   ctx->video->height);
	d->hide = malloc(OB_TRACK_MAX_BOXES * sizeof(*d->hide));
	d->held_people = malloc(OB_TRACK_MAX_BOXES * sizeof(*d->held_people));
	d->held_text = malloc(OB_TRACK_MAX_BOXES * sizeof(*d->held_text));
	return d->hide && d->held_people && d->held_text ? 0 : ob_err(OB_ERR_NOMEM, "out of memory");
}

static bool face_inside(const struct ob_detections *dets, size_t upto, struct ob_box p, double frac)
{
	for (size_t i = 0; i < upto; i++) {
		const struct ob_box *f = &dets->v[i].box;
		double cx = f->x + f->w / 2, cy = f->y + f->h / 2;

		if (dets->v[i].cls == OB_CLASS_FACE && cx >= p.x && cx <= p.x + p.w && cy >= p.y &&
		    cy <= p.y + p.h * frac)
			return true;
	}
	return false;
}

/*
 * For each person: a face already inside the upper body is enough; else the
 * face detector searches an upscaled crop of the upper body; else the head
 * region (top head_fraction of the box) is hidden anyway.
 */
static int people_heads(struct detect *d, const AVFrame *frame)
{
	size_t nfaces = d->dets.n, searched = 0;
	int ret = 0;

	for (size_t i = 0; i < nfaces; i++) {
		struct ob_box p = d->dets.v[i].box, upper;
		struct ob_detection head = { 0 };

		if (d->dets.v[i].cls != OB_CLASS_PERSON || face_inside(&d->dets, d->dets.n, p, 0.5))
			continue;
		upper = (struct ob_box){ p.x, p.y, p.w, p.h * 0.5 < p.w * 1.2 ? p.h * 0.5 : p.w * 1.2 };
		if (d->faces && p.h >= GUIDED_MIN_HEIGHT && searched < GUIDED_MAX_PEOPLE) {
			searched++;
			ob_detections_clear(&d->guided);
			ret = ob_detector_run(d->faces, frame, &upper, d->o->face_threshold, &d->guided);
			if (ret)
				return ret;
			add_forehead(&d->guided, 0, d->o->forehead);
			for (size_t k = 0; k < d->guided.n; k++)
				if ((ret = ob_detections_push(&d->dets, &d->guided.v[k])))
					return ret;
			if (d->guided.n)
				continue;
		}
		if (d->o->head_fraction <= 0)
			continue;
		head.box = (struct ob_box){ p.x, p.y, p.w, p.h * d->o->head_fraction };
		head.score = d->dets.v[i].score;
		head.label = -1;
		head.cls = OB_CLASS_FACE;
		if ((ret = ob_detections_push(&d->dets, &head)))
			return ret;
	}
	return 0;
}

/* Copies the hidden classes (faces, found or head regions, and text) of dets[from..] to out. */
static size_t hidden(const struct ob_detections *dets, size_t from, struct ob_box *out, size_t max)
{
	size_t n = 0;

	for (size_t i = from; i < dets->n && n < max; i++)
		if (dets->v[i].cls == OB_CLASS_FACE || dets->v[i].cls == OB_CLASS_TEXT)
			out[n++] = dets->v[i].box;
	return n;
}

static int detect_process(void *priv, AVFrame *frame, int64_t index)
{
	struct detect *d = priv;
	size_t n = 0, from;
	bool run_people, run_text;
	int ret = 0;

	if (!d->faces && !d->people && !d->text)
		return 0;
	if (index % d->o->stride)
		return 0; /* the track store holds the last detection */
	run_people = d->people && d->passes % d->o->people_stride == 0;
	run_text = d->text && d->passes % d->o->text_stride == 0;
	d->passes++;
	ob_detections_clear(&d->dets);
	if (d->faces)
		ret = d->face_tile ? ob_detector_run_tiled(d->faces, frame, d->face_tile, d->o->face_threshold, &d->dets)
				   : ob_detector_run(d->faces, frame, NULL, d->o->face_threshold, &d->dets);
	if (ret)
		return ret;
	add_forehead(&d->dets, 0, d->o->forehead);
	n = hidden(&d->dets, 0, d->hide, OB_TRACK_MAX_BOXES);
	from = d->dets.n;
	if (run_people) {
		ret = ob_detector_run(d->people, frame, NULL, d->o->person_threshold, &d->dets);
		if (!ret)
			ret = people_heads(d, frame);
		if (ret)
			return ret;
		/* people and vehicles only guide the search: what they add is
		 * faces found in upper bodies and head regions */
		d->n_people = hidden(&d->dets, from, d->held_people, OB_TRACK_MAX_BOXES);
	}
	from = d->dets.n;
	if (run_text) {
		if ((ret = ob_detector_run(d->text, frame, NULL, d->o->text_threshold, &d->dets)))
			return ret;
		d->n_text = hidden(&d->dets, from, d->held_text, OB_TRACK_MAX_BOXES);
	}
	for (size_t i = 0; i < d->n_people && n < OB_TRACK_MAX_BOXES; i++)
		d->hide[n++] = d->held_people[i];
	for (size_t i = 0; i < d->n_text && n < OB_TRACK_MAX_BOXES; i++)
		d->hide[n++] = d->held_text[i];
	return ob_track_store_put(d->tracks, index, d->hide, n);
}

static void detect_close(void *priv)
{
	struct detect *d = priv;

	ob_detector_free(&d->faces);
	ob_detector_free(&d->people);
	ob_detector_free(&d->text);
	ob_detections_release(&d->dets);
	ob_detections_release(&d->guided);
	free(d->hide);
	free(d->held_people);
	free(d->held_text);
	d->hide = d->held_people = d->held_text = NULL;
}

const struct ob_stage ob_stage_detect = {
	.name = "detect",
	.priv_size = sizeof(struct detect),
	.init = detect_init,
	.process = detect_process,
	.close = detect_close,
	.hidden_cells = NULL,
};

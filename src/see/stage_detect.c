/* SPDX-License-Identifier: MIT */
/* stage_detect.c - the detect stage: run the recipe's detectors, hand boxes to the track store. */
#include <libavutil/frame.h>
#include <libavutil/rational.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "obscura/ahead.h"
#include "obscura/appearance.h"
#include "obscura/detect.h"
#include "obscura/error.h"
#include "obscura/look.h"
#include "obscura/recipe.h"
#include "obscura/source.h"
#include "obscura/stage.h"
#include "obscura/track_store.h"
#include "obscura/clock.h"
#include "obscura/tiling.h"
#include "obscura/workers.h"
#include "obscura/banned.h"

#define GUIDED_MAX_PEOPLE 8   /* person crops searched for faces per frame */
#define GUIDED_MIN_HEIGHT 48  /* person boxes shorter than this get the head box only */
/* Second looks (look.h) at most a frame: the faces found once beyond them
 * keep their whole cover. */
#define LOOK_MAX 8

/* The lanes of the track store this stage feeds: one tracker each. */
enum lane {
	LANE_FACES,    /* the face detector's pass, and faces it found inside people */
	LANE_PEOPLE,   /* their head region (top `head` of the box) is hidden */
	LANE_VEHICLES, /* from the people detector (COCO) */
	LANE_TEXT,
	LANE_COUNT
};

/* One forward pass of a detection frame: a region of one lane's search, or
 * a crop searched for faces (a person's upper body, a second look). */
struct pass {
	enum lane lane;
	int region;         /* of the lane's search; -1: face search of crop number `guided` */
	int guided;
	double threshold;   /* of that face search */
	int mosaic;         /* > 0: crops guided.. guided + mosaic - 1 in one pass (ob_detector_run_mosaic) */
};

#define MAX_PASSES (3 * (1 + OB_DETECT_MAX_TILES))
#define CROPS_MAX (GUIDED_MAX_PEOPLE > LOOK_MAX ? GUIDED_MAX_PEOPLE : LOOK_MAX)
_Static_assert(OB_DETECT_MOSAIC + OB_LOOK_CLOSE_PER_FRAME <= CROPS_MAX, "a frame's closer looks: a mosaic, and crops alone");
_Static_assert(OB_LOOK_CLOSE_PER_FRAME <= OB_DETECT_MOSAIC, "a frame's closer looks fit one mosaic");
/* those of the last OB_LOOK_CLOSE_RETRY detection frames and this one */
#define CLOSE_MEMORY ((OB_LOOK_CLOSE_RETRY + 1) * OB_LOOK_CLOSE_PER_FRAME)

struct detect {
	const struct ob_detect_opts *o;
	struct ob_track_store *tracks;
	struct ob_detector *faces, *people, *text; /* = inst[lane][0] */
	/* Passes of one frame run side by side (workers.h), worker w with its own
	 * instance inst[lane][w] of each network. */
	struct ob_workers *crew;
	struct ob_detector *inst[LANE_COUNT][OB_WORKERS_MAX];
	struct pass passes_now[MAX_PASSES];
	const AVFrame *frame;     /* the frame being searched, during a batch */
	/* crops searched for faces (closer looks, people's upper bodies, second looks) and what each search found */
	struct ob_box upper[CROPS_MAX];
	struct ob_detections found[CROPS_MAX];
	double busy[OB_WORKERS_MAX][LANE_COUNT];          /* seconds each worker spent on each lane */
	struct ob_detections dets;
	int lane[LANE_COUNT];
	double high[LANE_COUNT];  /* a detection's score from which it may start a track */
	double floor[LANE_COUNT]; /* the score detectors run at: lower ones continue tracks */
	struct ob_box *boxes;     /* one lane's detections, for the store */
	float *scores;
	struct ob_appearance *app; /* their descriptors (the people lane's) */
	struct ob_tiling *search[LANE_COUNT]; /* each detector's regions (faces: tiles too), by lane */
	struct ob_ahead *ahead;   /* the person passes, run ahead of this thread (analyze), or NULL */
	int64_t passes;           /* detection frames so far */
	int64_t looks;            /* second and closer looks so far (look.h) */
	/* boxes closer looks found no face on lately, and on which detection frame (d->passes) */
	struct ob_box no_face[CLOSE_MEMORY];
	int64_t no_face_at[CLOSE_MEMORY];
	size_t n_no_face;
	double tracking;          /* seconds spent feeding the trackers */
};

/* A face is at least this much as wide as it is tall, eyes to chin (the
 * annotated faces of tests/data/faces: 0.70 at the 10th percentile, median
 * 0.78). */
#define FACE_MIN_ASPECT 0.7

/*
 * What of a face detector's box is the face: face detectors box eyes to
 * chin, and hair and forehead identify too (forehead f of the height is
 * added above); and UltraFace boxes small faces narrow (a tenth of its
 * boxes under 0.6 as wide as tall, missing a cheek or an ear that the
 * margin did not always reach): a box narrower than FACE_MIN_ASPECT is
 * widened to it about its centre.
 */
static void add_forehead(struct ob_detections *dets, size_t from, double f)
{
	for (size_t i = from; i < dets->n; i++)
		if (dets->v[i].cls == OB_CLASS_FACE) {
			struct ob_box *b = &dets->v[i].box;

			if (b->w < FACE_MIN_ASPECT * b->h) {
				b->x -= (FACE_MIN_ASPECT * b->h - b->w) / 2;
				b->w = FACE_MIN_ASPECT * b->h;
			}
			b->y -= b->h * f;
			b->h += b->h * f;
		}
}

static int open_one(const char *dir, const char *name, const struct ob_source_info *v, int threads,
		    struct ob_detector **out)
{
	if (!name[0])
		return 0;
	/* more threads than OpenCV takes bring nothing; the frame's shape picks a model variant */
	return ob_detector_open(dir, name, v->width, v->height,
				threads > OB_DNN_MAX_THREADS ? OB_DNN_MAX_THREADS : threads, out);
}

/*
 * The detectors, and the crew that runs a frame's passes side by side: as
 * many workers as the job has threads when a frame can hold more than one
 * pass (two detectors, or face tiles), else one.  OpenCV keeps the job's
 * threads inside each pass: it runs one parallel loop at a time in the
 * whole process and a loop that finds it busy runs in its caller's thread,
 * so two passes side by side use a core each, and a pass left alone (a
 * person pass while the faces are done) still gets both.  Measured on two
 * cores, quiet: vtest.avi through disclosure.ini 40.7 s serial, 45.6 s side
 * by side with OpenCV single-threaded (the lone person passes lost their
 * second core), 38.0 s side by side with OpenCV's threads; movie-hello 13.9,
 * 12.1 and 11.6 s.
 */
static int open_crew(struct detect *d, const struct ob_stage_ctx *ctx, const char *dir)
{
	const struct ob_detect_opts *o = d->o;
	const char *names[LANE_COUNT] = { o->faces, o->people, "", o->text };
	int threads = ctx->threads > 0 ? ctx->threads : 1, nets = 0, workers = 1, ret;
	bool tiles;

	/* each network once, then -- knowing whether faces get tiles at this
	 * frame size -- its copies for the other workers */
	for (int l = 0; l < LANE_COUNT; l++)
		if (names[l][0]) {
			if ((ret = open_one(dir, names[l], ctx->video, ctx->threads, &d->inst[l][0])))
				return ret;
			nets++;
		}
	tiles = d->inst[LANE_FACES][0] && o->tiles &&
		ob_detect_face_tile(ob_detector_card(d->inst[LANE_FACES][0]), ctx->video->width,
				    ctx->video->height) > 0;
	if (nets > 1 || tiles)
		workers = threads > OB_WORKERS_MAX ? OB_WORKERS_MAX : threads;
	for (int l = 0; l < LANE_COUNT; l++)
		for (int w = 1; w < workers && d->inst[l][0]; w++)
			if ((ret = ob_detector_clone(d->inst[l][0], 0, &d->inst[l][w])))
				return ret;
	d->faces = d->inst[LANE_FACES][0];
	d->people = d->inst[LANE_PEOPLE][0];
	d->text = d->inst[LANE_TEXT][0];
	return ob_workers_open(workers, &d->crew);
}

/*
 * A track must survive the longest wait between two passes of its detector,
 * or it would end (and stop being hidden) between them: refused up front.
 */
static int check_cadence(const struct ob_recipe *r, const struct ob_source_info *v, bool people, bool text)
{
	const struct ob_detect_opts *o = &r->detect;
	int k = 1, every;
	double fps = ob_source_fps(v);

	if (people && o->people_stride > k)
		k = o->people_stride;
	if (text && o->text_stride > k)
		k = o->text_stride;
	every = o->stride * k;
	if (every / fps > r->track.max_lost + 1e-9)
		return ob_err(OB_ERR_RECIPE,
			      "%s: [detect] runs a detector only every %d frames (%.2f s at %.4g fps), longer than "
			      "[track] max_lost (%g s): tracks would end between detections",
			      r->path ? r->path : "recipe", every, every / fps, fps, r->track.max_lost);
	return 0;
}

/*
 * The regions detector det searches for lane l: the whole frame, and for
 * faces the tiles (tiles = auto); and for how many of its passes (one every
 * `every` frames) an unchanged region may keep its last answer (refresh).
 */
static int open_search(struct detect *d, const struct ob_stage_ctx *ctx, enum lane l, struct ob_detector *det,
		       int every)
{
	const struct ob_source_info *v = ctx->video;
	double fps = ob_source_fps(v);
	double calls = floor(d->o->refresh * fps / every + 1e-9);
	int tile;

	if (!det)
		return 0;
	tile = l == LANE_FACES && d->o->tiles ? ob_detect_face_tile(ob_detector_card(det), v->width, v->height) : 0;
	return ob_tiling_open(det, v->width, v->height, tile, calls > 1 ? (int)fmin(calls, INT_MAX) : 1,
			      &d->search[l]);
}

static double threshold(double recipe, const struct ob_detector *d)
{
	return recipe >= 0 ? recipe : ob_detector_card(d)->dec.score_threshold;
}

static int add_lane(struct detect *d, enum lane l, enum ob_class cls, double high, double hide, int wait)
{
	int ret = ob_track_store_add_lane(d->tracks, cls, high, hide, wait, &d->lane[l]);

	d->high[l] = high;
	if (!ret)
		d->floor[l] = ob_track_store_lane_floor(d->tracks, d->lane[l]);
	return ret;
}

/*
 * A recipe whose detection frames hold the person pass alone, on the whole
 * frame searched afresh every time (analyze's: no faces, no text, no
 * refresh, no tiles), runs that pass ahead (ahead.h): as a frame is
 * decoded, on a thread and network instance of its own, beside the pass
 * this thread is running.  Anything else keeps the crew.
 */
static int open_ahead(struct detect *d, const struct ob_stage_ctx *ctx)
{
	struct ob_detector *det;
	int ret;

	if (!d->people || d->faces || d->text || ctx->threads < 2 || ob_tiling_regions(d->search[LANE_PEOPLE]) != 1 ||
	    ob_tiling_refresh(d->search[LANE_PEOPLE]) > 1)
		return 0;
	/* two passes side by side, OpenCV's threads shared between them (its
	 * setting is process-wide): on two cores a pass each, 17.2 s for
	 * vtest.avi against 18.5 s with both passes offered both threads */
	if ((ret = ob_detector_clone(d->people, ctx->threads / 2, &det)))
		return ret;
	return ob_ahead_open(det, d->floor[LANE_PEOPLE], &d->ahead);
}

/* Does frame index get a person pass?  Every people_stride-th detection frame. */
static bool people_pass(const struct detect *d, int64_t index)
{
	return d->people && index % d->o->stride == 0 && (index / d->o->stride) % d->o->people_stride == 0;
}

/* The decode thread's frame: a person pass this stage will owe, started now,
 * every other one (this thread runs the others meanwhile). */
static void detect_ahead(void *priv, const AVFrame *frame, int64_t index)
{
	struct detect *d = priv;

	if (d->ahead && people_pass(d, index) && (index / d->o->stride / d->o->people_stride) % 2)
		ob_ahead_offer(d->ahead, frame, index);
}

static int detect_init(void *priv, const struct ob_stage_ctx *ctx)
{
	struct detect *d = priv;
	const struct ob_detect_opts *o = &ctx->recipe->detect;
	const char *dir = ob_model_dir(NULL, o->models);
	int ret;

	d->o = o;
	d->tracks = ctx->tracks;
	if (ctx->replay)
		return 0; /* a second pass: the boxes come from a tracks file */
	if ((ret = open_crew(d, ctx, dir)))
		return ret;
	if ((d->faces || d->people || d->text) &&
	    (ret = check_cadence(ctx->recipe, ctx->video, d->people != NULL, d->text != NULL)))
		return ret;
	if ((ret = open_search(d, ctx, LANE_FACES, d->faces, o->stride)) ||
	    (ret = open_search(d, ctx, LANE_PEOPLE, d->people, o->stride * o->people_stride)) ||
	    (ret = open_search(d, ctx, LANE_TEXT, d->text, o->stride * o->text_stride)))
		return ret;
	/* Faces and text are hidden whole, people's heads (every person track,
	 * whether or not a face was found in it), vehicles not at all: their
	 * plates are text. */
	/* Faces found inside people arrive only on people passes. */
	if (d->faces &&
	    (ret = add_lane(d, LANE_FACES, OB_CLASS_FACE, threshold(o->face_threshold, d->faces), 1,
			    o->stride * (d->people ? o->people_stride : 1))))
		return ret;
	if (d->people &&
	    ((ret = add_lane(d, LANE_PEOPLE, OB_CLASS_PERSON, threshold(o->person_threshold, d->people),
			     o->head_fraction, 0)) ||
	     (ret = add_lane(d, LANE_VEHICLES, OB_CLASS_VEHICLE, threshold(o->person_threshold, d->people), 0, 0))))
		return ret;
	if (d->text && (ret = add_lane(d, LANE_TEXT, OB_CLASS_TEXT, threshold(o->text_threshold, d->text), 1, 0)))
		return ret;
	if ((ret = open_ahead(d, ctx)))
		return ret;
	d->boxes = malloc(OB_TRACK_MAX_BOXES * sizeof(*d->boxes));
	d->scores = malloc(OB_TRACK_MAX_BOXES * sizeof(*d->scores));
	d->app = malloc(OB_TRACK_MAX_BOXES * sizeof(*d->app));
	return d->boxes && d->scores && d->app ? 0 : ob_err(OB_ERR_NOMEM, "out of memory");
}

/* A confident face of dets whose centre lies in the top frac of box p. */
static bool face_inside(const struct detect *d, struct ob_box p, double frac)
{
	for (size_t i = 0; i < d->dets.n; i++) {
		const struct ob_box *f = &d->dets.v[i].box;
		double cx = f->x + f->w / 2, cy = f->y + f->h / 2;

		if (d->dets.v[i].cls == OB_CLASS_FACE && d->dets.v[i].score >= d->high[LANE_FACES] &&
		    cx >= p.x && cx <= p.x + p.w && cy >= p.y && cy <= p.y + p.h * frac)
			return true;
	}
	return false;
}

/*
 * Faces too small or turned for the full-frame pass are often found when the
 * face detector searches an upscaled crop of a person's upper body: for each
 * confident person of dets[from..] with no face inside already, up to
 * GUIDED_MAX_PEOPLE per frame.  Returns how many crops (d->upper[]).
 */
static int plan_people_faces(struct detect *d, size_t from)
{
	int n = 0;

	for (size_t i = from; i < d->dets.n && n < GUIDED_MAX_PEOPLE; i++) {
		struct ob_box p = d->dets.v[i].box;

		if (d->dets.v[i].cls != OB_CLASS_PERSON || d->dets.v[i].score < d->high[LANE_PEOPLE] ||
		    p.h < GUIDED_MIN_HEIGHT || face_inside(d, p, 0.5))
			continue;
		d->upper[n++] = (struct ob_box){ p.x, p.y, p.w, p.h * 0.5 < p.w * 1.2 ? p.h * 0.5 : p.w * 1.2 };
	}
	return n;
}

/* One pass of a batch, by worker w with its own instance of the lane's network. */
static int run_pass(void *arg, size_t i, int w)
{
	struct detect *d = arg;
	const struct pass *p = &d->passes_now[i];
	double t0 = ob_clock_seconds();
	int ret;

	if (p->region >= 0) {
		ret = ob_tiling_search(d->search[p->lane], p->region, d->inst[p->lane][w], d->frame);
	} else if (p->mosaic > 0) {
		for (int k = 0; k < p->mosaic; k++)
			ob_detections_clear(&d->found[p->guided + k]);
		ret = ob_detector_run_mosaic(d->inst[LANE_FACES][w], d->frame, &d->upper[p->guided], (size_t)p->mosaic,
					     p->threshold, &d->found[p->guided]);
	} else {
		ob_detections_clear(&d->found[p->guided]);
		ret = ob_detector_run(d->inst[LANE_FACES][w], d->frame, &d->upper[p->guided], p->threshold,
				      &d->found[p->guided]);
	}
	d->busy[w][p->lane] += ob_clock_seconds() - t0;
	return ret;
}

/* Adds the regions lane l searches on this frame to the batch. */
static int plan_lane(struct detect *d, enum lane l, const AVFrame *frame, size_t *n)
{
	int regions[1 + OB_DETECT_MAX_TILES], k, ret;

	ret = ob_tiling_plan(d->search[l], frame, d->floor[l], regions, &k);
	if (ret)
		return ob_err(ret, "detector %s: %s", ob_detector_card(d->inst[l][0])->name, ob_errmsg());
	for (int i = 0; i < k; i++)
		d->passes_now[(*n)++] = (struct pass){ l, regions[i], -1, 0, 0 };
	return 0;
}

/* Hands the detections of class cls in dets[from..] to the lane's tracker,
 * people with what their clothes look like (appearance.h). */
static int feed(struct detect *d, enum lane l, enum ob_class cls, const struct ob_detections *dets, size_t from,
		const AVFrame *frame)
{
	double t0 = ob_clock_seconds();
	size_t n = 0;
	int ret;

	for (size_t i = from; i < dets->n && n < OB_TRACK_MAX_BOXES; i++)
		if (dets->v[i].cls == cls) {
			d->boxes[n] = dets->v[i].box;
			d->scores[n++] = dets->v[i].score;
		}
	if (cls == OB_CLASS_PERSON && frame) {
		struct ob_yuv_view v = {
			frame->data[0], frame->data[1], frame->data[2], frame->linesize[0], frame->linesize[1],
			frame->linesize[2], frame->width, frame->height,
		};

		ob_appearance_batch(&v, d->boxes, n, d->app);
	}
	ret = ob_track_store_observe(d->tracks, d->lane[l], d->boxes, d->scores, n,
				     cls == OB_CLASS_PERSON && frame ? d->app : NULL);
	d->tracking += ob_clock_seconds() - t0;
	return ret;
}

/* The first quarter of fit (ob_look_quarters) still empty in the mosaic
 * d->upper[0..OB_DETECT_MOSAIC), which crop takes; SIZE_MAX: none. */
static size_t take_quarter(struct detect *d, struct ob_box crop, unsigned fit)
{
	for (size_t q = 0; q < OB_DETECT_MOSAIC; q++)
		if ((fit >> q & 1) && d->upper[q].w <= 0) {
			d->upper[q] = crop;
			return q;
		}
	return SIZE_MAX;
}

/* Closer looks (look.h) at what the face search saw too weakly: a face the
 * look finds takes the place of the weak box, with the look's score. */
static int closer_looks(struct detect *d)
{
	size_t idx[OB_LOOK_CLOSE_PER_FRAME], slot[OB_LOOK_CLOSE_PER_FRAME], n, kept = 0, nmosaic = 0, npass = 0,
	       placed = 0;
	struct ob_box crop[OB_LOOK_CLOSE_PER_FRAME]; /* at a quarter input's shape */
	unsigned fit[OB_LOOK_CLOSE_PER_FRAME];       /* the quarters that keep its border (ob_look_quarters) */
	int W = d->frame->width, H = d->frame->height;
	bool replaced[OB_LOOK_CLOSE_PER_FRAME], any = false;
	const struct ob_model_card *c = ob_detector_card(d->faces);
	int ret;

	for (size_t i = 0; i < d->n_no_face; i++) /* forget looks older than the retry */
		if (d->passes - d->no_face_at[i] <= OB_LOOK_CLOSE_RETRY) {
			d->no_face[kept] = d->no_face[i];
			d->no_face_at[kept++] = d->no_face_at[i];
		}
	d->n_no_face = kept;
	n = ob_look_close_candidates(&d->dets, d->high[LANE_FACES], d->no_face, d->n_no_face, idx,
				     OB_LOOK_CLOSE_PER_FRAME);
	if (!n) /* most detection frames of most footage */
		return 0;
	/* Two or more: each crop at a quarter input's shape, in a quarter of
	 * the input, all in one pass (ob_detector_run_mosaic); a crop against
	 * the frame's border, where a face may come in cut and be boxed past
	 * the crop's edge, in a quarter whose outer sides are that border's (a
	 * neighbour's picture would cut the box), else in a pass of its own, as
	 * a lone crop is (the whole input: a box of 17-32 px zoomed further).
	 * In a quarter the zoom is that of a whole input for boxes up to 16 px,
	 * lower for larger ones, a face about 40-50 px. */
	for (size_t q = 0; q < OB_DETECT_MOSAIC; q++)
		d->upper[q] = (struct ob_box){ 0, 0, 0, 0 };
	for (size_t i = 0; i < n; i++) {
		crop[i] = ob_look_crop(d->dets.v[idx[i]].box, W, H, c->width / 2, c->height / 2);
		fit[i] = ob_look_quarters(crop[i], W, H);
		slot[i] = SIZE_MAX;
	}
	for (int border = 1; border >= 0; border--) /* those with a side to keep first */
		for (size_t i = 0; i < n; i++)
			if ((fit[i] != 0xf) == (bool)border && (slot[i] = take_quarter(d, crop[i], fit[i])) != SIZE_MAX) {
				nmosaic = slot[i] + 1 > nmosaic ? slot[i] + 1 : nmosaic;
				placed++;
			}
	for (size_t i = 0; i < n && placed == 1; i++) /* a mosaic of one: a pass of its own */
		if (slot[i] != SIZE_MAX) {
			slot[i] = SIZE_MAX;
			nmosaic = 0;
		}
	if (nmosaic)
		d->passes_now[npass++] = (struct pass){ LANE_FACES, -1, 0, d->high[LANE_FACES], (int)nmosaic };
	for (size_t i = 0, next = OB_DETECT_MOSAIC; i < n; i++)
		if (slot[i] == SIZE_MAX) { /* alone, or no quarter left that keeps its border */
			slot[i] = next;
			d->upper[next] = ob_look_crop(d->dets.v[idx[i]].box, W, H, c->width, c->height);
			d->passes_now[npass++] = (struct pass){ LANE_FACES, -1, (int)next++, d->high[LANE_FACES], 0 };
		}
	ret = ob_workers_run(d->crew, npass, run_pass, d);
	for (size_t i = 0; i < n && !ret; i++) {
		int k = ob_look_close_found(&d->found[slot[i]], d->dets.v[idx[i]].box);
		bool again = false;

		/* two weak boxes of one face, both on the face the looks found:
		 * the second stays weak (one face, one track) */
		for (size_t j = 0; j < i && k >= 0 && !again; j++)
			again = replaced[j] && ob_box_iou(d->dets.v[idx[j]].box, d->found[slot[i]].v[k].box) > c->dec.nms_iou;
		replaced[i] = k >= 0 && !again;
		any = any || replaced[i];
		if (replaced[i]) {
			d->dets.v[idx[i]].box = d->found[slot[i]].v[k].box;
			d->dets.v[idx[i]].score = d->found[slot[i]].v[k].score;
		} else if (k < 0 && d->n_no_face < CLOSE_MEMORY) {
			d->no_face[d->n_no_face] = d->dets.v[idx[i]].box;
			d->no_face_at[d->n_no_face++] = d->passes;
		}
	}
	d->looks += (int64_t)npass;
	if (any) /* a weak box inside the face a look found is a part of it */
		ob_drop_face_parts(&d->dets, d->high[LANE_FACES]);
	return ret;
}

/* Second looks (look.h) where faces were found once, on an earlier detection frame. */
static int second_looks(struct detect *d)
{
	struct ob_box boxes[LOOK_MAX];
	uint64_t ids[LOOK_MAX];
	size_t n = ob_track_store_unsure(d->tracks, d->lane[LANE_FACES], boxes, ids, LOOK_MAX);
	int ret;

	for (size_t i = 0; i < n; i++) {
		const struct ob_model_card *c = ob_detector_card(d->faces);

		d->upper[i] = ob_look_crop(boxes[i], d->frame->width, d->frame->height, c->width, c->height);
		d->passes_now[i] = (struct pass){ LANE_FACES, -1, (int)i, OB_LOOK_THRESHOLD * d->high[LANE_FACES], 0 };
	}
	ret = ob_workers_run(d->crew, n, run_pass, d);
	for (size_t i = 0; i < n && !ret; i++) {
		add_forehead(&d->found[i], 0, d->o->forehead);
		ob_track_store_looked(d->tracks, ids[i],
				      ob_look_found(&d->found[i], boxes[i], &d->dets, d->high[LANE_FACES]));
	}
	d->looks += (int64_t)n;
	return ret;
}

/*
 * A detection frame: every pass its detectors owe (text and people first,
 * the longest, then the face regions that changed) in one batch on the
 * crew, then the faces searched for in people's upper bodies in a second;
 * the answers are merged and handed to the trackers in a fixed order, so
 * the result does not depend on which worker ran what.
 */
static int detect_process(void *priv, AVFrame *frame, int64_t index, const struct ob_track_row *rows, size_t nrows)
{
	struct detect *d = priv;
	size_t from, n = 0;
	bool run_people, run_text, people_ahead;
	int ret = 0, guided = 0;

	if (!d->faces && !d->people && !d->text)
		return 0;
	if (index % d->o->stride)
		return 0; /* the trackers predict; the store interpolates */
	run_people = people_pass(d, index); /* d->passes == index / stride */
	run_text = d->text && d->passes % d->o->text_stride == 0;
	d->passes++;
	ob_detections_clear(&d->dets);
	d->frame = frame;
	/* a person pass run ahead: taken where its boxes go, below */
	people_ahead = run_people && d->ahead && ob_ahead_offered(d->ahead, index);
	if ((run_text && (ret = plan_lane(d, LANE_TEXT, frame, &n))) ||
	    (run_people && !people_ahead && (ret = plan_lane(d, LANE_PEOPLE, frame, &n))) ||
	    (d->faces && (ret = plan_lane(d, LANE_FACES, frame, &n))))
		return ret;
	ret = ob_workers_run(d->crew, n, run_pass, d);
	if (d->faces) {
		ret = ob_tiling_finish(d->search[LANE_FACES], ob_detector_card(d->faces), ret, &d->dets);
		if (!ret) {
			ob_drop_face_parts(&d->dets, d->high[LANE_FACES]);
			ret = closer_looks(d);
			add_forehead(&d->dets, 0, d->o->forehead);
		}
	}
	from = d->dets.n;
	if (run_people) {
		if (!people_ahead) {
			ret = ob_tiling_finish(d->search[LANE_PEOPLE], ob_detector_card(d->people), ret, &d->dets);
		} else if (!ret) {
			bool taken;

			ret = ob_ahead_take(d->ahead, index, &d->dets, &taken);
		}
		if (!ret && d->faces) {
			guided = plan_people_faces(d, from);
			for (int i = 0; i < guided; i++)
				d->passes_now[i] = (struct pass){ LANE_FACES, -1, i, d->high[LANE_FACES], 0 };
			ret = ob_workers_run(d->crew, (size_t)guided, run_pass, d);
			/* after the frame's people: feed() takes each lane's class, so the
			 * face tracker gets the frame's faces and these in one update */
			for (int i = 0; i < guided && !ret; i++) {
				size_t before = d->dets.n;

				for (size_t k = 0; k < d->found[i].n && !ret; k++)
					ret = ob_detections_push(&d->dets, &d->found[i].v[k]);
				add_forehead(&d->dets, before, d->o->forehead);
			}
		}
		if (ret ||
		    (ret = feed(d, LANE_PEOPLE, OB_CLASS_PERSON, &d->dets, from, frame)) ||
		    (ret = feed(d, LANE_VEHICLES, OB_CLASS_VEHICLE, &d->dets, from, NULL)))
			goto text;
	}
	/* one update of the face tracker: the frame's faces and those found in
	 * people; then a second look where a face was found once, before */
	if (d->faces && !ret && !(ret = feed(d, LANE_FACES, OB_CLASS_FACE, &d->dets, 0, NULL)))
		ret = second_looks(d);
text:
	from = d->dets.n;
	if (run_text) {
		ret = ob_tiling_finish(d->search[LANE_TEXT], ob_detector_card(d->text), ret, &d->dets);
		if (!ret)
			ret = feed(d, LANE_TEXT, OB_CLASS_TEXT, &d->dets, from, NULL);
	}
	d->frame = NULL;
	return ret;
}

/* timing's "what.model": n, if not 0. */
static void count_if_any(json_t *timing, const char *what, const char *model, int64_t n)
{
	char key[96];

	if (!n)
		return;
	snprintf(key, sizeof(key), "%s.%s", what, model);
	json_object_set_new(timing, key, json_integer(n));
}

/* Each detector's wall time and forward passes under its model's name, and the trackers' time. */
static void detect_timing(const void *priv, json_t *timing)
{
	const struct detect *d = priv;
	const struct ob_detector *by_lane[LANE_COUNT] = { d->faces, d->people, NULL, d->text };
	char key[96];

	for (int l = 0; l < LANE_COUNT; l++)
		if (by_lane[l]) {
			int64_t passes = 0, p;
			double busy = 0, ms;

			/* summed over the workers: with passes side by side, shares overlap */
			for (int w = 0; w < OB_WORKERS_MAX && d->inst[l][w]; w++) {
				ob_detector_stats(d->inst[l][w], &p, &ms);
				passes += p;
				busy += d->busy[w][l];
			}
			if (l == LANE_PEOPLE && d->ahead) {
				double b;

				ob_ahead_stats(d->ahead, &p, &b);
				passes += p;
				busy += b;
			}
			snprintf(key, sizeof(key), "detect.%s", ob_detector_card(by_lane[l])->name);
			json_object_set_new(timing, key, json_real(busy));
			snprintf(key, sizeof(key), "passes.%s", ob_detector_card(by_lane[l])->name);
			json_object_set_new(timing, key, json_integer(passes));
			if (l == LANE_FACES) /* of those passes, second and closer looks (look.h) */
				json_object_set_new(timing, "looks", json_integer(d->looks));
			if (d->search[l]) { /* what the search spared (tiling.h) */
				struct ob_tiling_stats st;
				const char *name = ob_detector_card(by_lane[l])->name;

				ob_tiling_stats(d->search[l], &st);
				count_if_any(timing, "crops", name, st.cropped);
				count_if_any(timing, "rested", name, st.rested);
				count_if_any(timing, "followed", name, st.followed);
			}
		}
	if (d->faces || d->people || d->text) {
		json_object_set_new(timing, "track", json_real(d->tracking));
		/* the crew, and the thread that runs person passes ahead */
		json_object_set_new(timing, "workers",
				    json_integer((d->crew ? ob_workers_count(d->crew) : 1) + (d->ahead != NULL)));
	}
}

static void detect_close(void *priv)
{
	struct detect *d = priv;

	ob_workers_free(&d->crew); /* first: no pass may still be running */
	ob_ahead_free(&d->ahead);
	for (int l = 0; l < LANE_COUNT; l++) {
		ob_tiling_free(&d->search[l]);
		for (int w = 0; w < OB_WORKERS_MAX; w++)
			ob_detector_free(&d->inst[l][w]);
	}
	d->faces = d->people = d->text = NULL;
	for (int i = 0; i < CROPS_MAX; i++)
		ob_detections_release(&d->found[i]);
	ob_detections_release(&d->dets);
	free(d->boxes);
	free(d->scores);
	free(d->app);
	d->boxes = NULL;
	d->scores = NULL;
	d->app = NULL;
}

const struct ob_stage ob_stage_detect = {
	.name = "detect",
	.priv_size = sizeof(struct detect),
	.init = detect_init,
	.process = detect_process,
	.ahead = detect_ahead,
	.close = detect_close,
	.hidden_cells = NULL,
	.timing = detect_timing,
};

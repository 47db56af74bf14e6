/* SPDX-License-Identifier: MIT */
/* track_store.h - the track store: the seam between seeing (detect) and hiding (redact). */
#ifndef OBSCURA_TRACK_STORE_H
#define OBSCURA_TRACK_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "obscura/appearance.h"
#include "obscura/class.h"
#include "obscura/geom.h"
#include "obscura/track_row.h"

#define OB_TRACK_MAX_BOXES 4096   /* rows one frame may have */
#define OB_TRACK_MAX_LANES 8      /* detection lanes (one tracker each) */
#define OB_TRACK_MAX_LOOKAHEAD 600 /* frames */
/* Person lanes given descriptors: the tracker's appearance weight and gate
 * (tracker.h app_weight, app_gate; obscura-tracks(5), APPEARANCE). */
#define OB_TRACK_APP_WEIGHT 0.5
#define OB_TRACK_APP_GATE 0.55

/* Limits of an extrapolated box (before a track's first detection, after its
 * last), in shares of the detected box it is extrapolated from: its centre
 * moves at most OB_EXTRAPOLATE_MAX_TRAVEL of that box's width (height) from
 * the detection's, its size changes by at most OB_EXTRAPOLATE_MAX_SCALE
 * either way, and its motion margin and the growth for the guess together
 * add at most OB_EXTRAPOLATE_MAX_GROWTH of its width (height) on each side. */
#define OB_EXTRAPOLATE_MAX_TRAVEL 1.0
#define OB_EXTRAPOLATE_MAX_SCALE 1.5
#define OB_EXTRAPOLATE_MAX_GROWTH 0.25
/* A hidden-whole detection (face, text) within this many times its smaller
 * side of an edge of the frame may have come in or gone out across it: the
 * strip between its box and that edge is hidden too, before a track's first
 * detection, after its last, and between two detections of a track that do
 * not follow one from the other (two faces in one track). */
#define OB_TRACK_EDGE_REACH 1.0

/* A face found once scoring this or more is a clear face (that may then
 * have turned away): it keeps its extensions without a second look. */
#define OB_TRACK_BRIEF_SCORE 0.8

/* A face found once, on a frame where a track of its lane seen on
 * OB_TRACK_SHADOW_SEEN detection frames before was detected too, the two
 * boxes sharing this much of the smaller one, may be that face boxed again:
 * it gets a second look whatever its score, and is hidden as a weak one is
 * if that look finds nothing. */
#define OB_TRACK_SHADOW_SHARE 0.65
#define OB_TRACK_SHADOW_SEEN 2

/* [track] of a recipe, in frames (obscura-recipe(5)). */
struct ob_track_params {
	int lookahead;       /* frames the answer for frame n waits for; 0 = none */
	int extend_before;   /* frames a track is extended before its first detection (<= lookahead) */
	int extend_after;    /* frames after its last detection */
	int max_lost;        /* frames a track may go undetected and still continue */
	int confirm;         /* detections after which the tracker keeps a track (and may confirm it) */
	double confirm_motion; /* person tracks: box heights the centre must move to be confirmed */
	double confirm_score; /* person tracks: mean detection score needed to be confirmed */
	double iou;          /* association gate (tracker.h iou_gate) */
	double low;          /* second-round score floor (tracker.h low) */
	double motion_margin; /* cover = box grown by this many frames of its motion, every side */
	int width, height;   /* frame size in pixels (0: unknown, no edge strips) */
};

struct ob_track_opts;

/*
 * The parameters for a photo: one frame, no time.  Nothing to wait for
 * (lookahead 0), no frame to extend a track into, no motion to grow a box
 * by; the detection that starts a track is all the evidence a photo can
 * give, so the tracker keeps it at once (confirm 1) and it is confirmed on
 * its one frame: faces, vehicles and text as on video, a person by its
 * score alone (confirm_motion 0: a photo cannot show motion).
 */
void ob_track_params_still(struct ob_track_params *p);

/* The [track] options (seconds) for footage at fps frames per second, of
 * width x height pixels. */
void ob_track_params_from(const struct ob_track_opts *o, double fps, int width, int height,
			  struct ob_track_params *p);

/*
 * The redactor only ever asks "which boxes cover frame n?" (ob_track_store_rows).
 * Frames enter in order (ob_track_store_begin_frame); the detect stage hands
 * each lane's detections to the store, one tracker per lane; the answer for
 * frame n is final once the store has seen frame n + lookahead (or the end):
 * by then gaps inside a track are interpolated, a track is extended a few
 * frames before its first detection (a face entering the frame was visible,
 * cut, before it was found) and after its last, and every box has grown by
 * its motion.  An extended box follows the track's motion, but never moves
 * further, changes size more, or is grown for the guess more than a fixed
 * share of the detected box it starts from (the OB_EXTRAPOLATE_ limits);
 * faces near the frame's edge also hide the strip to it
 * (OB_TRACK_EDGE_REACH).  Memory is bounded by the lookahead, whatever the
 * footage's length.  A second pass fills the store from an edited tracks.h5 instead
 * (ob_track_store_put_row), with no lookahead; the question stays the same.
 */
struct ob_track_store;

/* p == NULL: a replay store (rows only, no trackers, no lookahead). */
int ob_track_store_new(const struct ob_track_params *p, struct ob_track_store **out);
void ob_track_store_free(struct ob_track_store **ts);

/*
 * Adds a lane: detections of one class from one detector, tracked together.
 * high: score from which a detection starts a track (the detector's
 * threshold); detections down to the [track] low continue tracks only.
 * hide: the top fraction of each box that is hidden (1 the whole box, a
 * person's head region 0.3, 0 nothing: tracked for analytics only).
 * wait: frames a new track may go unmatched and still be confirmed later
 * (the longest gap between passes of the detectors feeding the lane).
 * Returns the lane number in *lane.  Before the first frame only.
 */
int ob_track_store_add_lane(struct ob_track_store *ts, enum ob_class cls, double high, double hide,
			    int wait, int *lane);

/* The score a lane's detector must be run at (min of high and low). */
double ob_track_store_lane_floor(const struct ob_track_store *ts, int lane);

/* Frame `frame` (0, 1, 2, ... every frame of the footage) arrives; pts in seconds. */
int ob_track_store_begin_frame(struct ob_track_store *ts, int64_t frame, double pts);

/*
 * The detections of one lane on the current frame (its detector ran on it;
 * lanes that did not run are predicted); app (NULL: none) their appearance
 * descriptors, which a person lane's tracker weighs in (OB_TRACK_APP_*) and
 * the store averages per track for its fragments.  Errors: OB_ERR_LIMIT,
 * OB_ERR_NOMEM.
 */
int ob_track_store_observe(struct ob_track_store *ts, int lane, const struct ob_box *boxes,
			   const float *scores, size_t n, const struct ob_appearance *app);

/*
 * Second looks (look.h).  A face found on one detection frame and not on
 * the next is either at the edge of the detector's reach (small, turned,
 * blurred) or no face at all (a hand, a fold of clothes, a part of a face).
 * The detect stage searches again, zoomed in, where each such track was:
 * ob_track_store_unsure gives up to max of the lane's live tracks with
 * exactly one detection, made before the current frame, scoring below
 * OB_TRACK_BRIEF_SCORE, away from the frame's edges (within
 * OB_TRACK_EDGE_REACH: where a face comes in or goes out cut by the edge),
 * and not looked at yet (their boxes and ids, increasing);
 * ob_track_store_looked records whether the look found a face there.  A
 * track whose look found nothing, and that its tracker did not keep, is
 * hidden only up to the lane's wait (the frames to the next detection frame
 * of its detectors) on either side of its detection instead of
 * extend_before and extend_after; every other track keeps them, and gets
 * them back with a second detection.  A shadow (OB_TRACK_SHADOW_SHARE: a
 * tracked face boxed again, maybe) is listed whatever its score.
 */
size_t ob_track_store_unsure(const struct ob_track_store *ts, int lane, struct ob_box *boxes, uint64_t *ids,
			     size_t max);
void ob_track_store_looked(struct ob_track_store *ts, uint64_t id, bool found);

/* Replay: one finished row for the current frame (frame and pts are set by
 * the store); confirmed: its track was confirmed in the file replayed. */
int ob_track_store_put_row(struct ob_track_store *ts, const struct ob_track_row *row, bool confirmed);

/* Frames below this are final: their rows will not change. */
int64_t ob_track_store_ready(const struct ob_track_store *ts);

/* End of footage: every frame seen is final. */
void ob_track_store_finish(struct ob_track_store *ts);

/*
 * The rows of final frame n (every class; row.hidden says which to hide):
 * borrowed until the next call.  Frames are asked in increasing order, each
 * any number of times.  Errors: OB_ERR_INTERNAL if n is not final or was retired.
 */
int ob_track_store_rows(struct ob_track_store *ts, int64_t n, const struct ob_track_row **rows,
			size_t *count);

/*
 * A track as a fragment of someone's path, for joining fragments into
 * identities after the fact (identity.h): where and when its detections
 * began and ended, and what it looked like.  Handed over once per track
 * (struct ob_retired), when the track leaves the store; replayed tracks
 * have none.
 */
struct ob_track_fragment {
	uint64_t id;
	uint8_t cls;                  /* enum ob_class */
	bool confirmed;               /* as reported with the retired frames */
	int64_t first, last;          /* frames of its first and last detection */
	struct ob_box first_box, last_box;
	double vx0, vy0, vx1, vy1;    /* centre velocity, px a frame, fitted on the first and
				       * the last few detections (0: one detection) */
	struct ob_appearance app;     /* mean descriptor of its described detections */
	int64_t app_n;                /* how many (0: app not valid) */
};

/*
 * What retiring a frame hands the scheduler, which passes it on to the tracks
 * file and the analyzer (the store knows neither): the frame's final rows,
 * and the tracks confirmed since the last retired frame, to be recorded after
 * the rows.  Everything is borrowed until the next call on the store.
 *
 * Confirmed answers "is this track counted?" (analytics, the MOTChallenge
 * export, tracks.h5's confirmed flag), and the store is the one place that
 * decides it; it never changes what is hidden (every track's rows are,
 * confirmed or not).  A track is confirmed once its tracker has kept it
 * (`confirm` matched detections) and, for a person track, once its
 * detections so far show a person rather than clutter: the centre of its
 * detected box has moved over its life (the larger of its horizontal and
 * vertical ranges) by at least confirm_motion times its mean detected
 * height, and its detections' mean score is at least confirm_score.  It is
 * decided on the detections of the track's whole life up to the frame being
 * detected, lookahead frames before the rows are retired, so a person who
 * stands still for a while and then walks is confirmed when the walk shows,
 * and its earlier rows count too (the analyzer holds them); a track that
 * never moves is never confirmed.  Confirmation is never withdrawn.
 */
struct ob_retired {
	struct ob_frame_summary frame;
	const struct ob_track_row *rows;
	size_t n;
	const uint64_t *confirmed;
	size_t nconfirmed;
	const struct ob_track_fragment *ended; /* tracks that left the store (all at the last frame) */
	size_t nended;
};

/*
 * Done with frame n: its rows are returned in *out and its memory is
 * released.  Frames are retired in order, each exactly once.
 */
int ob_track_store_retire(struct ob_track_store *ts, int64_t n, struct ob_retired *out);

/* Tracks the store holds in memory now (bounded by the lookahead, not by
 * the footage's length). */
size_t ob_track_store_held(const struct ob_track_store *ts);

/* Tracks confirmed / created so far, over every lane (for summaries). */
void ob_track_store_counts(const struct ob_track_store *ts, int64_t *tracks, int64_t *confirmed);

#endif

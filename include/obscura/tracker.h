/* SPDX-License-Identifier: MIT */
/* tracker.h - multi-object tracking of one class: Kalman prediction, ByteTrack association. */
#ifndef OBSCURA_TRACKER_H
#define OBSCURA_TRACKER_H

#include <stddef.h>
#include <stdint.h>

#include "obscura/appearance.h"
#include "obscura/geom.h"

#define OB_TRACKER_MAX_TRACKS 2048 /* live tracks of one tracker */

/* Everything the association needs; defaults in ob_tracker_defaults(). */
struct ob_tracker_params {
	double high;         /* detections scoring >= high may start tracks and match any track */
	double low;          /* detections in [low, high) only continue tracked (not lost) tracks */
	double iou_gate;     /* first round: a pair needs IoU >= iou_gate, or the centre rule */
	double low_iou_gate; /* second round (low detections): IoU >= low_iou_gate */
	double centre_gate;  /* centre rule: distance / sqrt(mean area of the two boxes) <= this,
			      * for pairs of similar size (ratio of areas within 1/4..4); keeps
			      * small fast boxes (a face crossing the frame) whose boxes stop
			      * overlapping between detections */
	int confirm_hits;    /* matched detections that confirm a track (1 = at once) */
	int max_lost;        /* frames a track lives without a match, then it is removed */
	int tentative_keep;  /* frames an unmatched tentative track waits for its next match
			      * (0: removed at its first miss, as ByteTrack); for lanes fed
			      * by a detector that runs less often than the lane is updated */
	double app_weight;   /* first round: cost += app_weight x appearance distance (0: off) */
	double app_gate;     /* first round: a lost track, or a pair by the centre rule only,
			      * needs an appearance distance <= app_gate */
};

/* high 0.5, low 0.1, iou_gate 0.2, low_iou_gate 0.5, centre_gate 1.5, confirm_hits 2, max_lost 30,
 * appearance off (app_weight 0, app_gate 1). */
void ob_tracker_defaults(struct ob_tracker_params *p);

enum ob_track_state {
	OB_TRACK_TENTATIVE, /* fewer than confirm_hits matches yet */
	OB_TRACK_CONFIRMED, /* matched on its last detection frame */
	OB_TRACK_LOST,      /* confirmed, unmatched since last_frame; may come back */
};

/* What the tracker knows of one live track (borrowed from the tracker). */
struct ob_track_info {
	uint64_t id;              /* stable, unique across every tracker sharing next_id */
	enum ob_track_state state;
	int hits;                 /* detections matched so far */
	int64_t first_frame;      /* frame of its first detection */
	int64_t last_frame;       /* frame of its latest detection */
	struct ob_box box;        /* Kalman estimate at the current frame */
	double vx, vy, vw, vh;    /* Kalman velocity, pixels per frame (centre and size) */
};

struct ob_tracker;

/*
 * A tracker for one kind of detection.  next_id is shared by every tracker
 * of a job (ids are unique per job and start at *next_id, normally 1); it
 * must outlive the tracker.  p NULL: the defaults.
 * Errors: OB_ERR_RECIPE for parameters out of range (need 0 <= low <= high
 * <= 1, both IoU gates in (0, 1], centre_gate >= 0 (0: no centre rule),
 * confirm_hits >= 1, max_lost >= 0), OB_ERR_NOMEM.
 */
int ob_tracker_new(const struct ob_tracker_params *p, uint64_t *next_id, struct ob_tracker **out);
void ob_tracker_free(struct ob_tracker **t);

/*
 * Moves to the next frame: every track's Kalman state is predicted one frame
 * on (constant velocity; a lost track keeps its size), and lost tracks not
 * matched for more than max_lost frames are removed.  A tentative track is
 * only removed by an update that does not match it.  Called once
 * per frame of the footage, whether or not detection ran on it (detection
 * may run on a stride).  The first call moves to frame 0.
 */
void ob_tracker_step(struct ob_tracker *t);

/* The frame the tracker is at (-1 before the first step). */
int64_t ob_tracker_frame(const struct ob_tracker *t);

/*
 * The detections of the current frame (boxes in frame pixels, scores in
 * 0..1), ByteTrack style: high detections are matched first against every
 * track (confirmed, lost and tentative) on predicted boxes; low ones then
 * against the confirmed tracks still unmatched; unmatched tentative tracks
 * are removed, unmatched confirmed ones become lost; each high detection
 * left over starts a tentative track (a track with confirm_hits = 1 is
 * confirmed at once).  Pairs are chosen by ob_assign() on
 * cost = 1 - IoU (+ centre-rule pairs at a cost in [1 - iou_gate/2,
 * 1 - iou_gate/4], nearer cheaper, so always after any IoU pair), gated
 * pairs infeasible; first round limit 1 (1 - iou_gate without the centre
 * rule), second round 1 - low_iou_gate.  Matched tracks take the detection
 * as a Kalman measurement.
 *
 * app (may be NULL, or entries invalid: unknown) are the detections'
 * appearance descriptors.  Each track keeps a running mean of those of its
 * high detections (the mean of the first ten, then an exponential mean
 * with rate 0.1).  With app_weight > 0, a first-round pair whose track and
 * detection are both described costs app_weight x their distance more (an
 * unknown side: app_weight x APP_UNKNOWN), the limit rising by app_weight;
 * and a lost track, or a pair that only the centre rule joins, is not
 * matched to a detection that looks further than app_gate from it: a track
 * that lost its person is not handed to the next one nearby.
 * ids[i] receives the track detection i now belongs to, or 0 when it was
 * not used (a low detection that continued nothing, a box that is empty or
 * not finite, a NaN score); ids may be NULL.  At most one update per step.
 * Errors (the tracker is then unchanged): OB_ERR_LIMIT past
 * OB_TRACKER_MAX_TRACKS live tracks or OB_ASSIGN_MAX detections,
 * OB_ERR_INTERNAL before the first step or for a second update on one
 * frame, OB_ERR_NOMEM.
 */
int ob_tracker_update(struct ob_tracker *t, const struct ob_box *boxes, const float *scores,
		      size_t n, const struct ob_appearance *app, uint64_t *ids);

/* The live tracks (every state), in increasing id order; borrowed until the next call. */
size_t ob_tracker_tracks(const struct ob_tracker *t, const struct ob_track_info **tracks);

#endif

/* SPDX-License-Identifier: MIT */
/* analytics.h - anonymous analytics from tracks: unique counts, line crossings, zone
 * visits and dwell, occupancy over time, restricted-zone intrusions and heatmaps.
 *
 * Only tracks' boxes and times go in (struct ob_track_row), frame by frame, in
 * frame order: what ob_trackfile_rows_at() reads back, or what the track
 * store retires.  Memory is one state per live track (plus the results):
 * finished visits and crossings are emitted, no row history is kept.
 *
 * The point of a track on a frame is the bottom centre of its box (the feet
 * of a person, where a vehicle meets the ground), for every class: lines and
 * zones are drawn on the ground, and the bottom centre is where the track
 * stands on it.
 *
 * Only confirmed tracks are counted (ob_analytics_confirm).  A track's rows
 * are analysed as they come, and what they give (crossings, visits,
 * intrusions, occupancy, heat) is held for the track until it is confirmed,
 * then counted, or dropped when the track ends unconfirmed.
 */
#ifndef OBSCURA_ANALYTICS_H
#define OBSCURA_ANALYTICS_H

#include <stddef.h>
#include <stdint.h>

#include "obscura/class.h"
#include "obscura/geom.h"
#include "obscura/recipe.h"
#include "obscura/track_row.h"

#define OB_DEFAULT_FPS 25.0              /* frames a second when a video does not say */
#define OB_ANALYTICS_BIN 1.0              /* s: default occupancy bin */
#define OB_ANALYTICS_MAX_BIN 3600.0       /* s: longest occupancy bin */
#define OB_ANALYTICS_ZONE_HOLD 0.5        /* s: default zone hysteresis (see zone_hold) */
#define OB_ANALYTICS_MAX_HOLD 10.0        /* s: longest zone hysteresis */
#define OB_ANALYTICS_LINE_BAND 0.2        /* default line band, fraction of the box's mean side */
#define OB_ANALYTICS_LINE_BAND_MIN 1.0    /* px: the band is never narrower */
#define OB_ANALYTICS_TRACK_GAP 15.0       /* s: a track without a row this long has ended */
#define OB_ANALYTICS_HEAT_COLS 64         /* default heatmap columns; rows follow the aspect */
#define OB_ANALYTICS_HEAT_MAX 1024        /* heatmap columns or rows at most */
#define OB_ANALYTICS_MAX_BINS 4000000     /* occupancy bins (46 days at 1 s) */
#define OB_ANALYTICS_MAX_EVENTS 10000000  /* crossings, visits or intrusions in one job */
#define OB_ANALYTICS_MAX_OPEN_FRAMES 4096 /* frames whose occupancy waits for a confirmation */
#define OB_ANALYTICS_MAX_EARLY 65536      /* tracks confirmed before their first row, waiting */

/*
 * How the analyzer sees; ob_analytics_config_init() gives the defaults.
 *
 * Lines: a track's side of a line counts only once its point is at least
 * line_band times the mean side of its box ((w + h) / 2, at least
 * OB_ANALYTICS_LINE_BAND_MIN px) away from the line.  Relative to the box,
 * not to the frame: a detector's jitter grows with the box (a person near
 * the camera wobbles by more pixels than one far away), so a band fixed to
 * the frame would be too narrow near the camera and, far away, wider than a
 * person's stride.  A track crosses when its committed side changes, once,
 * at the last place where its path changed sides; it counts if that place
 * is on the segment.  Wobbling inside the band never counts.
 *
 * Zones: a track enters (leaves) a zone once its point has been inside
 * (outside, or the track unseen) for zone_hold seconds; the visit starts at
 * the first frame inside and ends at the first frame no longer inside, so
 * flicker at the border shorter than zone_hold neither splits a visit nor
 * makes one.  Occupancy is a per-frame census, without hysteresis.
 */
struct ob_analytics_config {
	int width, height; /* frame, pixels, upright (recipe fractions are scaled by these) */
	double fps;        /* > 0: each row stands for 1/fps seconds of its track */
	double bin;        /* occupancy bin, seconds (0, OB_ANALYTICS_MAX_BIN] */
	double zone_hold;  /* seconds [0, OB_ANALYTICS_MAX_HOLD] */
	double line_band;  /* [0, 2] */
	double track_gap;  /* seconds, > zone_hold */
	int heat_cols;     /* 1..OB_ANALYTICS_HEAT_MAX */
	int heat_rows;     /* 1..OB_ANALYTICS_HEAT_MAX; 0: heat_cols * height / width, rounded */
	unsigned classes;  /* OB_CLASS_BIT mask of the classes analysed; default person and vehicle */
	double start_time; /* UTC seconds since 1970 at pts 0; NAN (the default) if unknown */
};

/* The defaults above for a width x height video at fps frames a second. */
void ob_analytics_config_init(struct ob_analytics_config *c, int width, int height, double fps);

enum ob_cross_dir {
	OB_CROSS_FORWARD = 0,  /* from the left of a->b to its right, as seen on the picture */
	OB_CROSS_BACKWARD = 1, /* from its right to its left */
};

struct ob_analytics_crossing {
	int64_t frame;   /* first frame on the new side of the line */
	double pts;
	uint64_t track;
	uint16_t line;   /* index in result lines (recipe order) */
	uint8_t cls;     /* enum ob_class */
	uint8_t dir;     /* enum ob_cross_dir */
};

struct ob_analytics_visit {
	int64_t entry_frame;  /* first frame inside */
	int64_t exit_frame;   /* first frame no longer inside (or the end: frames) */
	double entry_pts, exit_pts;
	double dwell;         /* exit_pts - entry_pts, seconds */
	uint64_t track;
	uint16_t zone;        /* index in result zones (recipe order) */
	uint8_t cls;
	uint8_t at_end;       /* 1: closed by the end of the footage, not by the track leaving */
};

struct ob_analytics_intrusion { /* an entry (as a visit's) into a restricted zone */
	int64_t frame;
	double pts;
	uint64_t track;
	uint16_t zone;
	uint8_t cls;
};

struct ob_analytics_dwell { /* visits of one class to one zone; seconds; 0 when count is 0 */
	int64_t count;
	int64_t tracks;      /* distinct tracks among them */
	double mean, median; /* median: the mean of the middle two when count is even */
	double p90;          /* nearest rank: the ceil(0.9 count)-th smallest */
	double max;
};

struct ob_analytics_line { /* a recipe line, in pixels */
	char name[OB_RECIPE_MAX_NAME];
	struct ob_point a, b;
	unsigned classes;    /* the recipe's, limited to the analysed classes */
};

struct ob_analytics_zone { /* a recipe zone, in pixels */
	char name[OB_RECIPE_MAX_NAME];
	struct ob_polygon poly;
	enum ob_area_kind kind;
	unsigned classes;
};

/*
 * Everything, after ob_analytics_finish() (borrowed from the analyzer).
 * Per-class arrays are indexed by c, 0 <= c < n_classes, the class
 * classes[c] (ob_analytics_class_index()); events carry the enum ob_class.
 * Events are sorted by frame (visits by entry frame), then track.
 */
struct ob_analytics_result {
	int width, height;
	double fps;
	int64_t frames;        /* frames given */
	double duration;       /* pts of the last frame + 1/fps; 0 if none */
	double start_time;     /* the config's: UTC seconds at pts 0, NAN if unknown */
	size_t n_classes;
	uint8_t classes[OB_CLASS_COUNT];
	int64_t tracks[OB_CLASS_COUNT];      /* [c] confirmed tracks (with a row) */
	int64_t unconfirmed[OB_CLASS_COUNT]; /* [c] tracks that ended unconfirmed, not counted anywhere */
	double track_seconds[OB_CLASS_COUNT]; /* [c] rows of confirmed tracks / fps */

	size_t n_lines;
	const struct ob_analytics_line *lines;
	const int64_t *line_counts;    /* [n_lines][2 (enum ob_cross_dir)][n_classes] */
	size_t n_crossings;
	const struct ob_analytics_crossing *crossings;

	size_t n_zones;
	const struct ob_analytics_zone *zones;
	size_t n_visits;
	const struct ob_analytics_visit *visits;
	const struct ob_analytics_dwell *dwell; /* [n_zones][n_classes] */
	size_t n_intrusions;
	const struct ob_analytics_intrusion *intrusions;

	/* Occupancy: bin b covers pts [b * bin, (b + 1) * bin); area 0 is the whole
	 * frame, area 1 + z zone z.  mean: tracks present per frame of the bin;
	 * max: most present on one frame of it. */
	double bin;
	size_t n_bins, n_areas;
	const uint32_t *bin_frames;   /* [n_bins] frames in each bin */
	const float *occ_mean;        /* [n_bins][n_areas][n_classes] */
	const uint32_t *occ_max;      /* [n_bins][n_areas][n_classes] */
	const double *area_mean;      /* [n_areas][n_classes]: the same over every frame */
	const uint32_t *area_max;     /* [n_areas][n_classes] */

	/* Heatmap: track-seconds spent with the point in each cell of a
	 * heat_cols x heat_rows grid over the frame (points outside the frame,
	 * as extrapolated boxes may have, count in the nearest cell). */
	int heat_cols, heat_rows;
	const double *heat;           /* [n_classes][heat_rows][heat_cols] */
};

struct ob_analytics;

/*
 * An analyzer for the recipe's [line] and [zone] sections (fractions of the
 * frame, scaled to c's width and height).  Errors: OB_ERR_INTERNAL for a
 * config outside its ranges, OB_ERR_NOMEM.
 */
int ob_analytics_new(const struct ob_recipe *r, const struct ob_analytics_config *c,
		     struct ob_analytics **out);

/* Frees *a (and its results) and sets it to NULL; accepts NULL. */
void ob_analytics_free(struct ob_analytics **a);

/*
 * The rows of frame `frame` (n may be 0: give every frame of the video, in
 * increasing order).  Every row's frame must be `frame`, a track has at most
 * one row a frame and keeps its class; rows of classes not analysed are
 * skipped (but their tracks may still be confirmed).
 * Errors: OB_ERR_INTERNAL (a call breaking these rules, naming frame and
 * track), OB_ERR_LIMIT (more than OB_ANALYTICS_MAX_BINS bins or
 * OB_ANALYTICS_MAX_EVENTS events), OB_ERR_NOMEM.  After an error the
 * analyzer refuses every call but ob_analytics_free().
 */
int ob_analytics_frame(struct ob_analytics *a, int64_t frame, double pts, const struct ob_track_row *rows,
		       size_t n);

/*
 * Track `track` is confirmed: it counts, and everything its rows gave so far
 * and will give is counted.  Call it any time from just before the frame of
 * the track's first row until its last row (e.g. where the track store tells
 * the trackfile writer, or, replaying a tracks.h5, for each row whose track's
 * summary says confirmed); repeated calls are ignored.  A track confirmed
 * more than OB_ANALYTICS_MAX_OPEN_FRAMES frames after its first row misses
 * those early frames in occupancy and heat (never in counts, crossings or
 * visits).  Errors: OB_ERR_LIMIT (more than OB_ANALYTICS_MAX_EARLY tracks
 * confirmed before their first row), OB_ERR_NOMEM.
 */
int ob_analytics_confirm(struct ob_analytics *a, uint64_t track);

/*
 * End of footage: open visits are closed (at_end), tracks still unconfirmed
 * are dropped, statistics computed.  Errors: OB_ERR_INTERNAL, OB_ERR_NOMEM.
 */
int ob_analytics_finish(struct ob_analytics *a);

/* The results, after ob_analytics_finish(); NULL before. */
const struct ob_analytics_result *ob_analytics_result(const struct ob_analytics *a);

/* c such that r->classes[c] == cls, or -1 if cls is not analysed. */
int ob_analytics_class_index(const struct ob_analytics_result *r, enum ob_class cls);

/* Tracks held in memory now (ended tracks are let go: the memory bound). */
size_t ob_analytics_held(const struct ob_analytics *a);

#endif

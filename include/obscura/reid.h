/* SPDX-License-Identifier: MIT */
/* reid.h - people of several tracks files linked by their clothes descriptors
 * (tracks.h5 /appearance; obscura-link(1)). */
#ifndef OBSCURA_REID_H
#define OBSCURA_REID_H

#include <stddef.h>
#include <stdint.h>

#include "obscura/assign.h"
#include "obscura/trackfile.h"

#define OB_REID_THRESHOLD 0.2  /* default: descriptor distance (appearance.h) at most this links */
#define OB_REID_MIN_COUNT 3    /* an identity's descriptor pooled from fewer detections links nothing */
#define OB_REID_MAX_FILES 64   /* tracks files one link may compare */
#define OB_REID_MAX_IDENTITIES OB_ASSIGN_MAX /* descriptors of one file (assign.h) */

/* The descriptors of one file. */
struct ob_reid_set {
	const struct ob_track_descriptor *d; /* increasing identity */
	size_t n;
};

/* Descriptor a (index in file a_set) and b (in b_set, a_set < b_set) are
 * alike enough to be the same clothes. */
struct ob_reid_link {
	size_t a_set, a, b_set, b;
	double distance;
};

/* The distance of appearance.h between two stored descriptors, in [0, 1]. */
double ob_reid_distance(const struct ob_track_descriptor *a, const struct ob_track_descriptor *b);

/*
 * For every pair of files (i < j), one exact minimum-cost assignment
 * (assign.h) of i's descriptors to j's: a descriptor links to at most one
 * of another file, and only at a distance of at most threshold, both
 * pooled from at least OB_REID_MIN_COUNT detections; the assignment picks
 * the pairs whose distances add up least (each pair left out counting
 * threshold).  Within one file nothing is linked (its identities already
 * say who is one person).  Links are *out (malloc'd, NULL if none), in
 * order of file pair, then distance.  threshold in (0, 1].
 * Errors: OB_ERR_LIMIT (more than OB_REID_MAX_FILES sets or
 * OB_REID_MAX_IDENTITIES descriptors in one), OB_ERR_INTERNAL (threshold),
 * OB_ERR_NOMEM.
 */
int ob_reid_link(const struct ob_reid_set *sets, size_t nsets, double threshold, struct ob_reid_link **out,
		 size_t *n);

#endif

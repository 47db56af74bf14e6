/* SPDX-License-Identifier: MIT */
/* identity.h - fragments of one person's path joined after the fact: a track's identity. */
#ifndef OBSCURA_IDENTITY_H
#define OBSCURA_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

#include "obscura/track_store.h"
#include "obscura/trackfile.h"

#define OB_IDENTITY_MAX_GAP 5.0   /* s: longest gap between two fragments joined */
#define OB_IDENTITY_REACH 0.75    /* box heights a fragment's predicted place may miss by... */
#define OB_IDENTITY_REACH_RATE 0.5 /* ...plus this many heights a second of the gap */
#define OB_IDENTITY_PREDICT 1.0   /* s: a fragment's motion is carried on this long at most */
#define OB_IDENTITY_SIZE_RATIO 1.5 /* box heights of the two ends within this ratio */
#define OB_IDENTITY_APP_GATE 0.35 /* appearance distance (appearance.h) above which no join */
#define OB_IDENTITY_EDGE 0.02     /* share of the width: a box this near a side has left or entered... */
#define OB_IDENTITY_AWAY 2.0      /* ...if it stayed away this long (s); a shorter gap is a stumble at the edge */

/*
 * Jobs are offline, so a person whose track broke (an occlusion, a missed
 * detection past max_lost) can be made whole again once the file is seen:
 * the job gives every track's fragment (track_store.h) as it leaves the
 * store, and at the end one global association joins the end of a fragment
 * A to the start of a fragment B when
 *   - both are confirmed, of one class, B's first detection comes after A's
 *     last, at most OB_IDENTITY_MAX_GAP seconds later;
 *   - if the gap is longer than OB_IDENTITY_AWAY, A did not leave the
 *     picture (its last box near a side, moving out) nor B enter it (its
 *     first box near a side, moving in): a re-entry is a new presence, as a
 *     hand count would count it (a person half out of the picture for a
 *     moment is not);
 *   - their heights agree (OB_IDENTITY_SIZE_RATIO), and where each end's
 *     motion, carried on for the gap (at most OB_IDENTITY_PREDICT s), puts
 *     it lies, on average, within OB_IDENTITY_REACH + OB_IDENTITY_REACH_RATE
 *     x gap (s) box heights of the other end;
 *   - their mean appearance descriptors, when both have one, are within
 *     OB_IDENTITY_APP_GATE;
 * at a cost that adds the three normalised misses (place, appearance,
 * gap), each in [0, 1] (a missing descriptor counts 0.5), solved exactly
 * (assign.h) so each end joins at most one start.  Joined fragments form
 * chains; a track's identity is the id of the first track of its chain (a
 * track joined to nothing is its own identity).  Hiding never depends on
 * identities; analytics count identities (obscura-tracks(5), IDENTITIES).
 */
struct ob_identity;

/* For footage of width x height pixels at fps frames a second. */
int ob_identity_new(int width, int height, double fps, struct ob_identity **out);
void ob_identity_free(struct ob_identity **id);

/* One track's fragment (each track once, any order).  Errors: OB_ERR_NOMEM, OB_ERR_LIMIT. */
int ob_identity_add(struct ob_identity *id, const struct ob_track_fragment *f);

/* Joins the fragments added.  Errors: OB_ERR_NOMEM. */
int ob_identity_solve(struct ob_identity *id);

/* Track `track`'s identity after ob_identity_solve() (track itself if unknown). */
uint64_t ob_identity_of(const struct ob_identity *id, uint64_t track);

/*
 * After ob_identity_solve(): each identity's clothes descriptor, the mean of
 * its fragments' mean descriptors weighted by how many detections each
 * pooled (identities none of whose fragments has one are left out), into
 * *out (malloc'd, increasing identity; *n may be 0) for tracks.h5's
 * /appearance.  Errors: OB_ERR_NOMEM.
 */
int ob_identity_descriptors(const struct ob_identity *id, struct ob_track_descriptor **out, size_t *n);

/* Fragments joined to an earlier one by the last solve. */
size_t ob_identity_joined(const struct ob_identity *id);

#endif

/* SPDX-License-Identifier: MIT */
/* analytics_file.h - the analytics in tracks.h5: the /analytics group
 * (layout in obscura-tracks(5)). */
#ifndef OBSCURA_ANALYTICS_FILE_H
#define OBSCURA_ANALYTICS_FILE_H

#include <hdf5.h>
#include <stdbool.h>

#include "obscura/analytics.h"
#include "obscura/recipe.h"
#include "obscura/trackfile.h"

#define OB_ANALYTICS_GROUP "/analytics"

/*
 * Writes r as the group /analytics of the open HDF5 file: datasets with
 * packed little-endian types, the recipe's names as attributes, no
 * timestamps (the same analytics make the same bytes).  0, or -1 after a
 * failed HDF5 call (errno may say why).
 */
int ob_analytics_file_write(hid_t file, const struct ob_analytics_result *r);

/* The same, as the group a tracks file writes when it is finished
 * (ob_trackfile_finish); r is borrowed and must outlive that call. */
struct ob_trackfile_group ob_analytics_file_group(const struct ob_analytics_result *r);

/*
 * The analytics of a tracks.h5's rows computed again, for the lines and
 * zones of recipe r (the file's own recipe gives what the job wrote in
 * /analytics; another recipe asks new questions of the same tracks without
 * running the detectors again).  Every frame of /frames is fed in order
 * with its rows; tracks whose summary says confirmed are confirmed.  f must
 * not have been read with ob_trackfile_rows_at() before (its rows are read
 * once, in order, with that cursor).  *out
 * is finished (ob_analytics_result) and the caller's to free.
 * Errors: OB_ERR_INPUT (the file's rows), OB_ERR_LIMIT, OB_ERR_NOMEM, or
 * what each_frame returned.
 *
 * each_frame (may be NULL) is given every frame's rows as the analyzer
 * counts them: under their identity, one row an identity, the gaps between
 * an identity's tracks bridged by interpolated rows; confirmed[k] says
 * whether rows[k] came from a confirmed track.  What is exported as counted
 * (obscura inspect --mot) is then what was counted.
 */
typedef int (*ob_analytics_frame_fn)(void *ctx, const struct ob_track_row *rows, const bool *confirmed,
				     size_t n);

int ob_analytics_file_replay(struct ob_trackfile *f, const struct ob_recipe *r, ob_analytics_frame_fn each_frame,
			     void *ctx, struct ob_analytics **out);

#endif

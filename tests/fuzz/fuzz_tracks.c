/* SPDX-License-Identifier: MIT */
/* fuzz_tracks.c - libFuzzer target: the tracks.h5 reader, every part of a file read once. */
#include <stdint.h>
#include <stdlib.h>

#include <hdf5.h>

#include "obscura/error.h"
#include "obscura/track_row.h"
#include "obscura/trackfile.h"
#include "tempfile.h"
#include "obscura/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BATCH 64

static void read_all(struct ob_trackfile *f)
{
	static struct ob_track_row rows[BATCH];
	static struct ob_frame_summary frames[BATCH];
	const struct ob_track_summary *t;
	const struct ob_track_row *at;
	struct ob_track_descriptor *d = NULL;
	size_t n, got;
	int64_t i;

	(void)ob_trackfile_meta(f);
	if (ob_trackfile_tracks(f, &t, &n) == 0 && n)
		(void)ob_track_summary_find(t, n, t[n - 1].id);
	/* Bounded: a damaged count must not make one input run for minutes. */
	for (i = 0; i < 4096 && ob_trackfile_read_rows(f, i, BATCH, rows, &got) == 0 && got; i += (int64_t)got)
		;
	for (i = 0; i < 4096 && ob_trackfile_read_frames(f, i, BATCH, frames, &got) == 0 && got; i += (int64_t)got)
		;
	for (i = 0; i < 256 && ob_trackfile_rows_at(f, i, &at, &n) == 0; i++)
		;
	if (ob_trackfile_descriptors(f, &d, &n) == 0)
		free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ob_trackfile *f = NULL;

	if (ob_trackfile_open(fuzz_tempfile(data, size, ".tracks.h5"), &f) == 0)
		read_all(f);
	ob_trackfile_close(&f);
	/* Every HDF5 object the reader opened is closed again, on every path:
	 * one left open keeps the file open inside HDF5 (a leak per file read). */
	if (H5Fget_obj_count((hid_t)H5F_OBJ_ALL, H5F_OBJ_ALL) != 0)
		abort();
	ob_err_clear();
	return 0;
}

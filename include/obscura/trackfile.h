/* SPDX-License-Identifier: MIT */
/* trackfile.h - tracks.h5: a job's anonymous track metadata in HDF5 (obscura-tracks(5)). */
#ifndef OBSCURA_TRACKFILE_H
#define OBSCURA_TRACKFILE_H

#include <stddef.h>
#include <stdint.h>

#include "obscura/appearance.h"
#include "obscura/hash.h"
#include "obscura/track_row.h"

#define OB_TRACKFILE_FORMAT "obscura-tracks" /* root attribute "format" */
#define OB_TRACKFILE_VERSION 1               /* root attribute "format_version" */
#define OB_TRACKFILE_MAX_MODELS 8
#define OB_TRACKFILE_NAME_MAX 64
#define OB_TRACKFILE_CHUNK_ROWS 4096          /* rows per HDF5 chunk, and per write or read batch */
#define OB_TRACKFILE_MAX_TRACKS 10000000      /* tracks in one file (summaries are held in memory) */
#define OB_TRACKFILE_MAX_FRAME_ROWS OB_FRAME_MAX_ROWS
#define OB_TRACKFILE_RECIPE_MAX (1024 * 1024) /* bytes of the recipe attribute a reader accepts */

/* One track, aggregated from its rows (and its confirmation by the tracker). */
struct ob_track_summary {
	uint64_t id;
	uint8_t cls;
	uint8_t confirmed;   /* the tracker confirmed it: analytics count only these */
	uint8_t hidden;      /* at least one of its rows was hidden */
	int64_t first_frame, last_frame; /* first and last row, extrapolated ones included */
	double first_pts, last_pts;
	int64_t observed;    /* rows of kind observed */
	int64_t rows;        /* rows of every kind */
	double mean_score;   /* over observed rows; 0 if none */
	uint64_t identity;   /* the person (or object) it is a fragment of: the id of the
			      * first track of its identity (identity.h); its own id if
			      * alone, and in files written before identities */
};

struct ob_trackfile_model {
	char name[OB_TRACKFILE_NAME_MAX];
	char sha256[OB_SHA256_HEX_LEN + 1];
};

/* The root attributes: where the rows came from, never who is in them. */
struct ob_trackfile_meta {
	char version[32];                      /* Obscura version that wrote the file */
	char job_id[33];                       /* the job's id, as in its manifest */
	char *recipe_text;                     /* the recipe's exact bytes (writer: borrowed) */
	size_t recipe_len;
	char recipe_sha256[OB_SHA256_HEX_LEN + 1];
	char input_sha256[OB_SHA256_HEX_LEN + 1];
	int64_t input_size;                    /* bytes */
	int width, height;                     /* of the video as processed (upright) */
	int fps_num, fps_den;                  /* frame rate; 0/1 if unknown */
	double start_time;                     /* UTC seconds since 1970 at the first frame, as the input's
						* creation_time says; NAN if unknown */
	int64_t frames;                        /* frames in the video (written by finish) */
	size_t n_models;
	struct ob_trackfile_model models[OB_TRACKFILE_MAX_MODELS];
};

struct ob_trackfile_writer;

/*
 * Creates path (an HDF5 file; the caller gives a temporary name and renames
 * it when the job succeeds) with the root attributes of meta.  Rows, frames
 * and tracks go into chunked, compressed, extendible datasets.
 * Errors: OB_ERR_OUTPUT naming path, OB_ERR_NOMEM.
 */
int ob_trackfile_create(const char *path, const struct ob_trackfile_meta *meta,
			struct ob_trackfile_writer **out);

/*
 * The rows of one frame (n may be 0: the frame is still listed in /frames).
 * Frames must come in strictly increasing order; every row's frame and pts
 * must be f's; f->boxes must be n and f->hidden the number of rows with
 * hidden set; a track has at most one row per frame and keeps its class;
 * n <= OB_TRACKFILE_MAX_FRAME_ROWS.  Per-track summaries are aggregated from
 * the rows.  Rows are buffered and written OB_TRACKFILE_CHUNK_ROWS at a time.
 * Errors: OB_ERR_INTERNAL (naming the file) for a call that breaks these
 * rules, OB_ERR_OUTPUT, OB_ERR_LIMIT (more than OB_TRACKFILE_MAX_TRACKS
 * tracks), OB_ERR_NOMEM.  After any error the writer refuses every call but
 * ob_trackfile_writer_free().
 */
int ob_trackfile_add_frame(struct ob_trackfile_writer *w, const struct ob_frame_summary *f,
			   const struct ob_track_row *rows, size_t n);

/* Marks a track (seen in a row, or later) as confirmed by the tracker.  A
 * track confirmed before its first row is marked when that row comes; one
 * that never gets a row is not written. */
int ob_trackfile_confirm(struct ob_trackfile_writer *w, uint64_t id);

/* Track id is a fragment of identity (the id of that identity's first
 * track); tracks never given one are their own.  Before finish. */
int ob_trackfile_set_identity(struct ob_trackfile_writer *w, uint64_t id, uint64_t identity);

/*
 * A group another module adds to the file when it is finished (/analytics):
 * the writer calls write(file, opaque) with the open HDF5 file (an hid_t)
 * before it closes it.  The tracks file knows nothing of what is inside.
 */
struct ob_trackfile_group {
	const char *name;                               /* for the error message */
	int (*write)(int64_t file, const void *opaque); /* 0, or -1 with errno */
	const void *opaque;
};

/*
 * The summaries so far, in increasing id order (borrowed until the next
 * call); the job reads them for its manifest's per-track records.
 */
size_t ob_trackfile_writer_tracks(struct ob_trackfile_writer *w, const struct ob_track_summary **tracks);

/*
 * Writes the buffered rows, /tracks, the group extra (NULL: none) and the
 * "frames" attribute (frames must exceed every frame added), closes the file
 * and fsyncs it.  A file without
 * "frames" is incomplete, and readers refuse it.
 * Errors: OB_ERR_OUTPUT, OB_ERR_INTERNAL.  The writer must still be freed.
 */
int ob_trackfile_finish(struct ob_trackfile_writer *w, int64_t frames, const struct ob_trackfile_group *extra);

/* Adds group g to the finished tracks file at path (the job's /analytics,
 * computed from the file's own rows once they are all written), then fsyncs
 * it.  Errors: OB_ERR_OUTPUT. */
int ob_trackfile_add_group(const char *path, const struct ob_trackfile_group *g);

/*
 * One identity's clothes descriptor, as /appearance stores it (written only
 * when the recipe asks, [analytics] descriptors = yes, into the local file,
 * never the bundle's copy): the mean of the descriptors (appearance.h) of
 * the described detections of all its confirmed tracks, `count` of them.
 * An anonymous vector: what clothes looked like, not who wore them.
 */
#define OB_TRACKFILE_APPEARANCE "/appearance"
#define OB_TRACKFILE_APPEARANCE_VERSION 1 /* its "version" attribute: appearance.h's definition */
struct ob_track_descriptor {
	uint64_t identity; /* as in /tracks' identity column */
	int64_t count;     /* detections pooled, >= 1 */
	float h[OB_APPEARANCE_DIM];
};

struct ob_track_descriptors {
	const struct ob_track_descriptor *d; /* increasing identity */
	size_t n;
};

/* The group /appearance holding ds (borrowed; must outlive the write), to
 * add to a finished file with ob_trackfile_add_group(). */
struct ob_trackfile_group ob_trackfile_descriptor_group(const struct ob_track_descriptors *ds);

/* Frees w, closing the file if finish was not called (the file is then incomplete). */
void ob_trackfile_writer_free(struct ob_trackfile_writer **w);

struct ob_trackfile;

/*
 * Opens a tracks.h5 for reading.  Errors (OB_ERR_INPUT, message naming the
 * file and the cause): missing or unreadable, not HDF5, not an Obscura
 * tracks file, a newer format version, a missing or mistyped dataset.
 */
int ob_trackfile_open(const char *path, struct ob_trackfile **out);

/* CPU seconds the guarded open's child may take to read a tracks file, plus one a MB. */
#define OB_TRACKFILE_PROBE_SECONDS 10

/*
 * ob_trackfile_open() for a file from outside (inspect, redact --tracks):
 * first read once whole in a child process under a CPU-time limit, so that
 * a damaged file that makes libhdf5 loop for ever or crash is refused
 * (OB_ERR_INPUT: "PATH: damaged: ...") instead of hanging or killing the
 * command.  It costs a second reading of the file.
 */
int ob_trackfile_open_guarded(const char *path, struct ob_trackfile **out);
void ob_trackfile_close(struct ob_trackfile **f);

/* The root attributes (borrowed; recipe_text owned by f). */
const struct ob_trackfile_meta *ob_trackfile_meta(const struct ob_trackfile *f);

int64_t ob_trackfile_row_count(const struct ob_trackfile *f);
int64_t ob_trackfile_frame_count(const struct ob_trackfile *f); /* rows of /frames */

/* Every track summary, increasing id order (read on first call; borrowed).
 * Errors: OB_ERR_INPUT (unreadable, ids not increasing), OB_ERR_NOMEM. */
int ob_trackfile_tracks(struct ob_trackfile *f, const struct ob_track_summary **tracks, size_t *n);

/* The summary of track id in t (n summaries in increasing id order, as
 * ob_trackfile_tracks() gives them), or NULL. */
const struct ob_track_summary *ob_track_summary_find(const struct ob_track_summary *t, size_t n, uint64_t id);

/*
 * Reads rows [start, start + max) of /detections into out (file order:
 * increasing frame).  *got is how many were read (0 at the end).  Errors:
 * OB_ERR_INPUT if they cannot be read or one is invalid (a negative frame,
 * track 0, an unknown kind, a non-finite number).  A class value beyond
 * OB_CLASS_COUNT (from a newer Obscura) is passed through.
 */
int ob_trackfile_read_rows(struct ob_trackfile *f, int64_t start, size_t max,
			   struct ob_track_row *out, size_t *got);

/* Same for /frames. */
int ob_trackfile_read_frames(struct ob_trackfile *f, int64_t start, size_t max,
			     struct ob_frame_summary *out, size_t *got);

/*
 * Sequential access by frame, for replaying a file while decoding: the rows
 * of frame `frame` (borrowed until the next call; *n may be 0).  frame must
 * not decrease between calls.  Memory stays bounded by one frame's rows
 * plus a read buffer.  Errors: OB_ERR_INPUT if the file's rows are not in
 * frame order.
 */
int ob_trackfile_rows_at(struct ob_trackfile *f, int64_t frame, const struct ob_track_row **rows,
			 size_t *n);

/*
 * The descriptors of /appearance (malloc'd into *out, increasing identity;
 * *n may be 0).  Errors: OB_ERR_INPUT naming the file: no /appearance (the
 * recipe did not ask for them, or it is a bundle's copy), another version,
 * a malformed or invalid entry (not finite, a part not summing to 1, a
 * count below 1, identities not increasing); OB_ERR_NOMEM.
 */
int ob_trackfile_descriptors(struct ob_trackfile *f, struct ob_track_descriptor **out, size_t *n);

/* True if the recipe text of m hashes to its recipe_sha256 (inspect shows
 * it; redact, submit --redact and ob_trackfile_check refuse a file where not). */
bool ob_trackfile_recipe_ok(const struct ob_trackfile_meta *m);

/*
 * Reads the whole file once, as a replay would (every row in frame order,
 * at most OB_TRACKFILE_MAX_FRAME_ROWS a frame, every row and frame valid),
 * then rewinds: `redact` refuses a damaged file before any job starts.
 * A recipe that does not match recipe_sha256 is refused first.
 * Errors: OB_ERR_INPUT naming the file and the first problem; OB_ERR_NOMEM.
 */
int ob_trackfile_check(struct ob_trackfile *f);

#endif

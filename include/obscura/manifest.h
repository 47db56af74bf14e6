/* SPDX-License-Identifier: MIT */
/* manifest.h - the hash-chained JSON Lines audit manifest: writer, reader and chain check. */
#ifndef OBSCURA_MANIFEST_H
#define OBSCURA_MANIFEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "obscura/hash.h"

/*
 * Format (see obscura-manifest(5)): one compact JSON object per line,
 *
 *   {"seq":0,"time":"2025-01-31T12:00:00.123Z","type":"start","data":{...},"prev":"000...0"}
 *
 * seq counts from 0 without gaps; time is UTC; data is an object; prev is the
 * hex SHA-256 of the previous line's exact bytes (without its newline), and
 * 64 zeros for the first line.  Every line ends in "\n".  The head hash is
 * the SHA-256 of the last line; signing the file (minisign.h) seals the tail.
 */
#define OB_MANIFEST_LINE_MAX (1024 * 1024)        /* bytes per line, newline excluded */
#define OB_MANIFEST_ENTRIES_MAX 1000000           /* lines per manifest */
#define OB_MANIFEST_FILE_MAX (256 * 1024 * 1024)  /* bytes read by the verifier */
#define OB_MANIFEST_TYPE_MAX 64                   /* bytes of an event type */
#define OB_MANIFEST_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

struct ob_manifest_check;

/* A manifest being written; opaque. */
struct ob_manifest;

/*
 * Creates the manifest for writing under a temporary name next to path
 * (fsutil.h); nothing appears at path until ob_manifest_close().
 * Errors: OB_ERR_OUTPUT naming path.
 */
int ob_manifest_open(const char *path, struct ob_manifest **m);

/*
 * Appends one event, writes the line and fflush()es it, so a crash leaves
 * every event that happened before it.  type: [a-z0-9_.-]{1,64}.  data must
 * be a JSON object or NULL (written as {}); it is borrowed: the caller keeps
 * its reference.  ob_manifest_append_new() steals the reference instead, even
 * on failure, as jansson's *_new functions do, so one can write
 *   ob_manifest_append_new(m, "end", json_pack("{s:s}", "status", "ok"));
 * and there data NULL (a failed json_pack: no memory, or a string that is not
 * UTF-8, e.g. a raw path) is an error, never an empty event.
 * Errors: OB_ERR_OUTPUT (write failed; the manifest is then unusable),
 * OB_ERR_LIMIT (line or entry cap), OB_ERR_INTERNAL (bad type or data).
 */
int ob_manifest_append(struct ob_manifest *m, const char *type, json_t *data);
int ob_manifest_append_new(struct ob_manifest *m, const char *type, json_t *data);

/* Entries appended so far. */
size_t ob_manifest_count(const struct ob_manifest *m);

/* Hex SHA-256 of the last line written (the genesis value before any). */
const char *ob_manifest_head(const struct ob_manifest *m);

/* The final path given to ob_manifest_open(). */
const char *ob_manifest_path(const struct ob_manifest *m);

/*
 * Flushes, fsyncs and renames the file to its final name.  After success no
 * more appends are possible; ob_manifest_head() stays valid until free.
 * Errors: OB_ERR_OUTPUT.
 */
int ob_manifest_close(struct ob_manifest *m);

/*
 * Opens the manifest-format file at path for appending, creating it (empty,
 * mode 0644) if missing: takes an exclusive flock(2) on it (never waiting:
 * OB_ERR_BUSY if another process holds it), reads it and checks its chain
 * (ob_manifest_check_buf), so that appends continue its seq and prev.  The
 * lock is held until ob_manifest_free().  chk (may be NULL) receives what
 * the check found.  Errors: OB_ERR_BUSY; OB_ERR_OUTPUT naming path (cannot
 * open, lock or read; not a regular file), and for a broken chain
 * "PATH: line N: REASON"; OB_ERR_LIMIT for a cap.
 */
int ob_manifest_open_append(const char *path, struct ob_manifest **m,
			    struct ob_manifest_check *chk);

/*
 * Flushes and fsyncs what was appended; the manifest stays open.  For one
 * opened with ob_manifest_open_append() this is its commit (close is the
 * same plus no more appends).  Errors: OB_ERR_OUTPUT.
 */
int ob_manifest_sync(struct ob_manifest *m);

/* Frees m; a manifest that was not closed successfully is removed (its
 * temporary file is deleted).  Accepts NULL and *m == NULL; sets *m to NULL. */
void ob_manifest_free(struct ob_manifest **m);

/* What the chain check found. */
struct ob_manifest_check {
	bool ok;
	size_t entries;      /* lines that parsed and linked correctly */
	size_t bad_line;     /* 1-based line of the first broken entry; 0 if ok */
	long long bad_seq;   /* seq expected on that line (= bad_line - 1); -1 if ok */
	char reason[256];    /* one line, also the ob_err() message on failure */
	char head[OB_SHA256_HEX_LEN + 1]; /* hex SHA-256 of the last line (of the valid prefix) */
};

/*
 * Parses and checks a manifest held in memory: every line within the caps,
 * a JSON object with exactly the five fields, seq continuous from 0, prev
 * linking to the previous line, a final newline.  On success *entries (if
 * not NULL) receives a new JSON array of the parsed entry objects.  On a
 * broken chain returns OB_ERR_INPUT (OB_ERR_LIMIT for a cap) with chk naming
 * the first broken line; *entries is then NULL.
 */
int ob_manifest_check_buf(const char *buf, size_t len, json_t **entries,
			  struct ob_manifest_check *chk);

/* The same for a file, read with a cap of OB_MANIFEST_FILE_MAX bytes. */
int ob_manifest_check_file(const char *path, json_t **entries, struct ob_manifest_check *chk);

#endif

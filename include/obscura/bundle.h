/* SPDX-License-Identifier: MIT */
/* bundle.h - the <name>.obscura.tar bundle: a reproducible pax tar written atomically, and a capped reader. */
#ifndef OBSCURA_BUNDLE_H
#define OBSCURA_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "obscura/hash.h"

#define OB_BUNDLE_SUFFIX ".obscura.tar"
#define OB_BUNDLE_MEMBERS_MAX 256            /* members in one bundle */
#define OB_BUNDLE_NAME_MAX 100               /* bytes of a member name (fits a ustar header) */
#define OB_BUNDLE_MEMBER_MAX (1ULL << 40)    /* bytes of one member: 1 TiB */
#define OB_BUNDLE_CHUNK (64 * 1024)          /* bytes copied at a time */
#define OB_BUNDLE_MTIME 0                    /* every member's mtime: reproducible bytes */
#define OB_BUNDLE_MODE 0644
#define OB_BUNDLE_OWNER "root"               /* uname/gname; uid and gid are 0 */

/* Well-known member names. */
#define OB_BUNDLE_MANIFEST "manifest.jsonl"
#define OB_BUNDLE_SIGNATURE "manifest.jsonl.minisig"
#define OB_BUNDLE_PUBKEY "signer.pub"

/*
 * Writing.  Members are written in the order added, as regular files with
 * mode 0644, owner root:root (0:0) and mtime OB_BUNDLE_MTIME, in restricted
 * pax format (ustar headers, pax extended headers only where ustar cannot
 * say it), so the same inputs give the same bytes and GNU tar, bsdtar and
 * Python's tarfile all read it.  The archive is written under a temporary
 * name and appears at path only on ob_bundle_commit().
 * Member names: 1..OB_BUNDLE_NAME_MAX bytes of printable UTF-8 (no control
 * character, C0 or C1, no "/"), not "." or "..", unique; names are read
 * back under the same rule.
 */
struct ob_bundle_writer;

int ob_bundle_create(const char *path, struct ob_bundle_writer **w);
/* Streams the regular file at src into member name.  Errors: OB_ERR_INPUT (src), OB_ERR_OUTPUT. */
int ob_bundle_add_file(struct ob_bundle_writer *w, const char *name, const char *src);
/* Copies len bytes at data into member name. */
int ob_bundle_add_buffer(struct ob_bundle_writer *w, const char *name, const void *data, size_t len);
/* Finishes the archive, fsyncs it and renames it into place.  Errors: OB_ERR_OUTPUT. */
int ob_bundle_commit(struct ob_bundle_writer *w);
/* Frees w; an uncommitted archive is removed.  Accepts NULL and *w == NULL. */
void ob_bundle_writer_free(struct ob_bundle_writer **w);

/*
 * Reading.  ob_bundle_next() reads the next member completely, computing its
 * SHA-256.  A member named in keep (a NULL-terminated list; NULL keeps every
 * member) of at most keep_max bytes is also kept in memory, NUL-terminated,
 * in m->data (else m->data is NULL).
 * Returns 1 for a member, 0 at the end of the archive, or a negative error:
 * OB_ERR_INPUT for an unreadable, truncated or corrupt archive, a member that
 * is not a regular file, a bad or repeated name; OB_ERR_LIMIT beyond
 * OB_BUNDLE_MEMBERS_MAX members or OB_BUNDLE_MEMBER_MAX bytes.
 */
struct ob_bundle_member {
	char name[OB_BUNDLE_NAME_MAX + 1];
	uint64_t size;
	unsigned char sha256[OB_SHA256_LEN];
	char sha256_hex[OB_SHA256_HEX_LEN + 1];
	char *data;   /* owned by the member; see ob_bundle_member_release() */
};

struct ob_bundle_reader;

int ob_bundle_open(const char *path, const char *const *keep, size_t keep_max,
		   struct ob_bundle_reader **r);
int ob_bundle_next(struct ob_bundle_reader *r, struct ob_bundle_member *m);
/*
 * While ob_bundle_next() reads a member, it also writes the member's bytes
 * to fd_for(ctx, name) when that returns a file descriptor (>= 0; -1: not
 * this one): `obscura report` takes the export and the tracks file out of a
 * bundle in the pass that reads its manifest.  A failed write is
 * OB_ERR_OUTPUT naming the member.
 */
void ob_bundle_set_copy(struct ob_bundle_reader *r, int (*fd_for)(void *ctx, const char *name), void *ctx);

/* Frees m->data; m may be reused. */
void ob_bundle_member_release(struct ob_bundle_member *m);
void ob_bundle_reader_free(struct ob_bundle_reader **r);

/*
 * The member name of a file called base (a final component): base itself
 * when every character is printable UTF-8, else each byte that is not part of
 * one (a control character, a byte of no well-formed character; any byte
 * past ASCII when LC_CTYPE is not UTF-8, see ob_utf8_locale) written as %XX
 * in hex capitals.  So every name a file system allows can be bundled, and a
 * bundle never carries a name that would play tricks on a terminal or on
 * SHA256SUMS.  Errors: OB_ERR_LIMIT when the result is longer than
 * OB_BUNDLE_NAME_MAX bytes.
 */
int ob_bundle_member_name(const char *base, char name[OB_BUNDLE_NAME_MAX + 1]);

/* "dir/input.mp4" -> "outdir/input.mp4.obscura.tar"; OB_ERR_LIMIT if too long. */
int ob_bundle_path(char *buf, size_t size, const char *outdir, const char *input);

#endif

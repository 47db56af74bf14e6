/* SPDX-License-Identifier: MIT */
/* bundle.c - write the job's tar bundle reproducibly and atomically; read one back with caps. */
#include "obscura/bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/utf8.h"
#include "obscura/banned.h"

struct ob_bundle_writer {
	struct archive *a;
	int fd;
	size_t members;
	bool committed;
	char names[OB_BUNDLE_MEMBERS_MAX][OB_BUNDLE_NAME_MAX + 1];
	char path[OB_PATH_MAX];
	char tmp[OB_PATH_MAX];
};

struct ob_bundle_reader {
	struct archive *a;
	int fd;
	const char *const *keep;
	size_t keep_max;
	size_t members;
	char names[OB_BUNDLE_MEMBERS_MAX][OB_BUNDLE_NAME_MAX + 1];
	char path[OB_PATH_MAX];
	int (*copy_fd)(void *ctx, const char *name); /* ob_bundle_set_copy() */
	void *copy_ctx;
};

int ob_bundle_path(char *buf, size_t size, const char *outdir, const char *input)
{
	char base[OB_PATH_MAX];

	if (snprintf(base, sizeof(base), "%s%s", ob_path_base(input), OB_BUNDLE_SUFFIX) >= (int)sizeof(base))
		return ob_err(OB_ERR_LIMIT, "%s: path too long", input);
	return ob_path_join(buf, size, outdir, base);
}

/* Whether code point cp may stand in a member name as itself: printable,
 * and ASCII only when LC_CTYPE cannot carry UTF-8 to libarchive. */
static bool plain(unsigned cp, bool utf8)
{
	if (cp < 0x20 || cp == 0x7f || cp == '/')
		return false;
	return cp < 0x80 || (utf8 && cp >= 0xa0);
}

/* base with each byte that is not part of a plain character written as %XX,
 * into buf unless it is NULL; returns the length. */
static size_t escape_name(const char *base, char *buf)
{
	bool utf8 = ob_utf8_locale_active();
	size_t n = strlen(base), k, out = 0;
	unsigned cp;

	for (size_t i = 0; i < n; i += k) {
		k = ob_utf8_char(base + i, n - i, &cp);
		if (k && plain(cp, utf8)) {
			if (buf)
				memcpy(buf + out, base + i, k);
			out += k;
		} else {
			k = 1;
			if (buf)
				snprintf(buf + out, 4, "%%%02X", (unsigned char)base[i]);
			out += 3;
		}
	}
	if (buf)
		buf[out] = '\0';
	return out;
}

int ob_bundle_member_name(const char *base, char name[OB_BUNDLE_NAME_MAX + 1])
{
	size_t len = escape_name(base, NULL);

	if (len == 0 || len > OB_BUNDLE_NAME_MAX)
		return ob_err(OB_ERR_LIMIT, "%s: longer than %d bytes as a bundle member name", base,
			      OB_BUNDLE_NAME_MAX);
	escape_name(base, name);
	return 0;
}

/* A member name we are willing to write or read: see bundle.h.  Escaping it
 * changes nothing when every character is plain. */
static bool valid_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > OB_BUNDLE_NAME_MAX || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	return escape_name(name, NULL) == n;
}

static bool seen(char (*names)[OB_BUNDLE_NAME_MAX + 1], size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

int ob_bundle_create(const char *path, struct ob_bundle_writer **out)
{
	struct ob_bundle_writer *w;
	int ret;

	*out = NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return ob_err(OB_ERR_NOMEM, "out of memory");
	w->fd = -1;
	if (snprintf(w->path, sizeof(w->path), "%s", path) >= (int)sizeof(w->path)) {
		ret = ob_err(OB_ERR_LIMIT, "%s: path too long", path);
		goto out;
	}
	ret = ob_atomic_tmpname(path, w->tmp, sizeof(w->tmp));
	if (ret)
		goto out;
	w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (w->fd < 0) {
		ret = ob_err(OB_ERR_OUTPUT, "%s: %s", path, strerror(errno));
		w->tmp[0] = '\0';
		goto out;
	}
	w->a = archive_write_new();
	if (!w->a) {
		ret = ob_err(OB_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (archive_write_set_format_pax_restricted(w->a) != ARCHIVE_OK ||
	    archive_write_add_filter_none(w->a) != ARCHIVE_OK ||
	    archive_write_open_fd(w->a, w->fd) != ARCHIVE_OK) {
		ret = ob_err(OB_ERR_OUTPUT, "%s: %s", path, archive_error_string(w->a));
		goto out;
	}
	*out = w;
	w = NULL;
out:
	ob_bundle_writer_free(&w);
	return ret;
}

/* libarchive's failure on member name: "bundle: member: cause". */
static int member_failed(struct ob_bundle_writer *w, const char *name)
{
	return ob_err(OB_ERR_OUTPUT, "%s: %s: %s", w->path, name, archive_error_string(w->a));
}

static int write_header(struct ob_bundle_writer *w, const char *name, uint64_t size)
{
	struct archive_entry *e;
	int ret = 0;

	if (w->committed || !w->a)
		return ob_err(OB_ERR_INTERNAL, "%s: bundle already finished", w->path);
	if (!valid_name(name))
		return ob_err(OB_ERR_INTERNAL, "bundle: invalid member name '%s'", name);
	if (seen(w->names, w->members, name))
		return ob_err(OB_ERR_INTERNAL, "bundle: member '%s' added twice", name);
	if (w->members >= OB_BUNDLE_MEMBERS_MAX)
		return ob_err(OB_ERR_LIMIT, "%s: more than %d members", w->path, OB_BUNDLE_MEMBERS_MAX);
	if (size > OB_BUNDLE_MEMBER_MAX)
		return ob_err(OB_ERR_LIMIT, "%s: member '%s' larger than %llu bytes", w->path, name,
			      (unsigned long long)OB_BUNDLE_MEMBER_MAX);
	e = archive_entry_new();
	if (!e)
		return ob_err(OB_ERR_NOMEM, "out of memory");
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, OB_BUNDLE_MODE);
	archive_entry_set_size(e, (la_int64_t)size);
	archive_entry_set_mtime(e, OB_BUNDLE_MTIME, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_uname(e, OB_BUNDLE_OWNER);
	archive_entry_set_gname(e, OB_BUNDLE_OWNER);
	if (archive_write_header(w->a, e) != ARCHIVE_OK)
		ret = member_failed(w, name);
	else
		snprintf(w->names[w->members++], sizeof(w->names[0]), "%s", name);
	archive_entry_free(e);
	return ret;
}

static int write_data(struct ob_bundle_writer *w, const char *name, const void *data, size_t len)
{
	la_ssize_t n = archive_write_data(w->a, data, len);

	return n < 0 || (size_t)n != len ? member_failed(w, name) : 0;
}

/* Ends member name, whichever way its bytes came. */
static int finish_entry(struct ob_bundle_writer *w, const char *name)
{
	return archive_write_finish_entry(w->a) != ARCHIVE_OK ? member_failed(w, name) : 0;
}

int ob_bundle_add_buffer(struct ob_bundle_writer *w, const char *name, const void *data, size_t len)
{
	const char *p = data;
	int ret = write_header(w, name, len);

	for (size_t off = 0; !ret && off < len; off += OB_BUNDLE_CHUNK) {
		size_t n = len - off < OB_BUNDLE_CHUNK ? len - off : OB_BUNDLE_CHUNK;

		ret = write_data(w, name, p + off, n);
	}
	return ret ? ret : finish_entry(w, name);
}

/* A file being copied into a member: it must keep the size its header gave. */
struct copying {
	struct ob_bundle_writer *w;
	const char *name, *src;
	uint64_t done, size;
};

static int copy_chunk(void *ctx, const void *buf, size_t n)
{
	struct copying *x = ctx;

	if (x->done + n > x->size)
		return ob_err(OB_ERR_INPUT, "%s: grew while being bundled", x->src);
	x->done += n;
	return write_data(x->w, x->name, buf, n);
}

int ob_bundle_add_file(struct ob_bundle_writer *w, const char *name, const char *src)
{
	struct copying x = { .w = w, .name = name, .src = src };
	struct stat st;
	int fd, ret;

	ret = ob_open_regular(src, &fd, &st);
	if (ret)
		return ret;
	x.size = (uint64_t)st.st_size;
	ret = write_header(w, name, x.size);
	if (!ret)
		ret = ob_read_chunks(fd, src, OB_BUNDLE_CHUNK, copy_chunk, &x);
	if (!ret && x.done != x.size)
		ret = ob_err(OB_ERR_INPUT, "%s: shrank while being bundled", src);
	if (!ret)
		ret = finish_entry(w, name);
	close(fd);
	return ret;
}

int ob_bundle_commit(struct ob_bundle_writer *w)
{
	int ret;

	if (w->committed)
		return 0;
	if (!w->a)
		return ob_err(OB_ERR_INTERNAL, "%s: bundle failed earlier", w->path);
	ret = archive_write_close(w->a);
	if (ret != ARCHIVE_OK) {
		ret = ob_err(OB_ERR_OUTPUT, "%s: %s", w->path, archive_error_string(w->a));
		archive_write_free(w->a);
		w->a = NULL;
		return ret;
	}
	archive_write_free(w->a);
	w->a = NULL;
	if (close(w->fd) < 0) {
		w->fd = -1;
		return ob_err(OB_ERR_OUTPUT, "%s: %s", w->path, strerror(errno));
	}
	w->fd = -1;
	ret = ob_atomic_commit(w->tmp, w->path);
	if (ret)
		return ret;
	w->committed = true;
	return 0;
}

void ob_bundle_writer_free(struct ob_bundle_writer **wp)
{
	struct ob_bundle_writer *w;

	if (!wp || !*wp)
		return;
	w = *wp;
	if (w->a)
		archive_write_free(w->a); /* also closes the archive; the tmp is removed below */
	if (w->fd >= 0)
		close(w->fd);
	if (!w->committed)
		ob_atomic_abort(w->tmp);
	free(w);
	*wp = NULL;
}

/* ---- reading ---- */

int ob_bundle_open(const char *path, const char *const *keep, size_t keep_max,
		   struct ob_bundle_reader **out)
{
	struct ob_bundle_reader *r;
	struct stat st;
	int ret = 0;

	*out = NULL;
	ret = ob_crypto_init();
	if (ret)
		return ret;
	r = calloc(1, sizeof(*r));
	if (!r)
		return ob_err(OB_ERR_NOMEM, "out of memory");
	r->fd = -1;
	r->keep = keep;
	r->keep_max = keep_max;
	snprintf(r->path, sizeof(r->path), "%s", path);
	r->a = archive_read_new();
	if (!r->a) {
		ret = ob_err(OB_ERR_NOMEM, "out of memory");
		goto out;
	}
	/* A bundle is a plain tar: no other format, no compression. */
	archive_read_support_format_tar(r->a);
	archive_read_support_filter_none(r->a);
	/* Opened here, not by libarchive: a FIFO or a device is refused, not waited on. */
	ret = ob_open_regular(path, &r->fd, &st);
	if (ret)
		goto out;
	if (archive_read_open_fd(r->a, r->fd, OB_BUNDLE_CHUNK) != ARCHIVE_OK) {
		ret = ob_err(OB_ERR_INPUT, "%s: %s", path, archive_error_string(r->a));
		goto out;
	}
	*out = r;
	r = NULL;
out:
	ob_bundle_reader_free(&r);
	return ret;
}

static bool keep(const char *const *names, const char *name)
{
	if (!names)
		return true;
	for (; *names; names++)
		if (!strcmp(*names, name))
			return true;
	return false;
}

void ob_bundle_set_copy(struct ob_bundle_reader *r, int (*fd_for)(void *ctx, const char *name), void *ctx)
{
	r->copy_fd = fd_for;
	r->copy_ctx = ctx;
}

void ob_bundle_member_release(struct ob_bundle_member *m)
{
	if (!m)
		return;
	free(m->data);
	m->data = NULL;
}

int ob_bundle_next(struct ob_bundle_reader *r, struct ob_bundle_member *m)
{
	struct archive_entry *e;
	struct ob_hash *h = NULL;
	const char *name;
	char *buf = NULL;
	uint64_t got = 0;
	int rc, ret = 0, copy = -1;

	memset(m, 0, sizeof(*m));
	rc = archive_read_next_header(r->a, &e);
	if (rc == ARCHIVE_EOF)
		return 0;
	if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
		return ob_err(OB_ERR_INPUT, "%s: %s", r->path, archive_error_string(r->a));
	name = archive_entry_pathname(e);
	if (!name || !valid_name(name))
		return ob_err(OB_ERR_INPUT, "%s: member %zu has an invalid name", r->path, r->members + 1);
	if (seen(r->names, r->members, name))
		return ob_err(OB_ERR_INPUT, "%s: member '%s' appears twice", r->path, name);
	if (r->members >= OB_BUNDLE_MEMBERS_MAX)
		return ob_err(OB_ERR_LIMIT, "%s: more than %d members", r->path, OB_BUNDLE_MEMBERS_MAX);
	if (archive_entry_filetype(e) != AE_IFREG)
		return ob_err(OB_ERR_INPUT, "%s: member '%s' is not a regular file", r->path, name);
	if (!archive_entry_size_is_set(e) || archive_entry_size(e) < 0 ||
	    (uint64_t)archive_entry_size(e) > OB_BUNDLE_MEMBER_MAX)
		return ob_err(OB_ERR_LIMIT, "%s: member '%s' has no size or is too large", r->path, name);
	snprintf(r->names[r->members++], sizeof(r->names[0]), "%s", name);
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->size = (uint64_t)archive_entry_size(e);
	ret = ob_hash_new(OB_HASH_SHA256, &h);
	if (ret)
		return ret;
	if (r->copy_fd)
		copy = r->copy_fd(r->copy_ctx, name);
	if (m->size <= r->keep_max && keep(r->keep, name)) {
		buf = malloc((size_t)m->size + 1);
		if (!buf) {
			ret = ob_err(OB_ERR_NOMEM, "out of memory");
			goto out;
		}
	}
	for (;;) {
		const void *blk;
		size_t len;
		la_int64_t off;

		rc = archive_read_data_block(r->a, &blk, &len, &off);
		if (rc == ARCHIVE_EOF)
			break;
		if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
			ret = ob_err(OB_ERR_INPUT, "%s: member '%s': %s", r->path, name,
				     archive_error_string(r->a));
			goto out;
		}
		/* Tar members are contiguous: a hole would mean a sparse entry. */
		if (off < 0 || (uint64_t)off != got || got + len > m->size) {
			ret = ob_err(OB_ERR_INPUT, "%s: member '%s' is sparse or longer than its header says",
				     r->path, name);
			goto out;
		}
		ob_hash_update(h, blk, len);
		if (buf)
			memcpy(buf + got, blk, len);
		if (copy >= 0 && ob_write_full(copy, blk, len)) {
			ret = ob_err(OB_ERR_OUTPUT, "%s: member '%s': cannot write a copy: %s", r->path, name,
				     strerror(errno));
			goto out;
		}
		got += len;
	}
	if (got != m->size) {
		ret = ob_err(OB_ERR_INPUT, "%s: member '%s' is truncated", r->path, name);
		goto out;
	}
	ob_hash_final(h, m->sha256);
	ob_hex_encode(m->sha256, sizeof(m->sha256), m->sha256_hex);
	if (buf) {
		buf[got] = '\0';
		m->data = buf;
		buf = NULL;
	}
	ret = 1;
out:
	free(buf);
	ob_hash_free(&h);
	return ret;
}

void ob_bundle_reader_free(struct ob_bundle_reader **rp)
{
	if (!rp || !*rp)
		return;
	if ((*rp)->a)
		archive_read_free((*rp)->a);
	if ((*rp)->fd >= 0)
		close((*rp)->fd);
	free(*rp);
	*rp = NULL;
}

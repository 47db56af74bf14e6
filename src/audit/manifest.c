/* SPDX-License-Identifier: MIT */
/* manifest.c - write the hash-chained JSON Lines manifest as events happen, and check one. */
#include "obscura/manifest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/banned.h"

#define TIME_LEN 32 /* "2025-01-31T12:00:00.123Z" and room */

struct ob_manifest {
	FILE *f;
	size_t count;
	bool failed;     /* a write failed: refuse further appends */
	bool committed;
	bool append;     /* ob_manifest_open_append(): no temporary file, locked */
	off_t end;       /* append: size after the last complete line */
	char head[OB_SHA256_HEX_LEN + 1];
	char path[OB_PATH_MAX];
	char tmp[OB_PATH_MAX];
};

/* What both ways of opening a manifest start from: hashing ready, the path
 * kept, no file yet. */
static int manifest_new(const char *path, struct ob_manifest **out)
{
	struct ob_manifest *m;
	int ret;

	*out = NULL;
	ret = ob_crypto_init();
	if (ret)
		return ret;
	m = calloc(1, sizeof(*m));
	if (!m)
		return ob_err(OB_ERR_NOMEM, "out of memory");
	if (snprintf(m->path, sizeof(m->path), "%s", path) >= (int)sizeof(m->path)) {
		free(m);
		return ob_err(OB_ERR_LIMIT, "%s: path too long", path);
	}
	*out = m;
	return 0;
}

int ob_manifest_open(const char *path, struct ob_manifest **out)
{
	struct ob_manifest *m;
	int fd, ret;

	*out = NULL;
	ret = manifest_new(path, &m);
	if (ret)
		return ret;
	ret = ob_atomic_tmpname(path, m->tmp, sizeof(m->tmp));
	if (ret)
		goto out;
	fd = open(m->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		ret = ob_err(OB_ERR_OUTPUT, "%s: %s", path, strerror(errno));
		m->tmp[0] = '\0';
		goto out;
	}
	m->f = fdopen(fd, "w");
	if (!m->f) {
		ret = ob_err(OB_ERR_OUTPUT, "%s: %s", path, strerror(errno));
		close(fd);
		goto out;
	}
	memcpy(m->head, OB_MANIFEST_GENESIS, sizeof(m->head));
	*out = m;
	m = NULL;
out:
	ob_manifest_free(&m);
	return ret;
}

static void utc_now(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

static bool valid_type(const char *type)
{
	size_t n = strlen(type);

	if (n == 0 || n > OB_MANIFEST_TYPE_MAX)
		return false;
	for (const char *p = type; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' ||
		      *p == '-'))
			return false;
	return true;
}

int ob_manifest_append(struct ob_manifest *m, const char *type, json_t *data)
{
	unsigned char digest[OB_SHA256_LEN];
	char when[TIME_LEN];
	json_t *entry = NULL;
	char *line = NULL;
	size_t len;
	int ret = 0;

	if (m->failed || m->committed || !m->f)
		return ob_err(OB_ERR_OUTPUT, "%s: manifest is closed or failed earlier", m->path);
	if (!valid_type(type))
		return ob_err(OB_ERR_INTERNAL, "manifest: invalid event type '%s'", type);
	if (data && !json_is_object(data))
		return ob_err(OB_ERR_INTERNAL, "manifest: data of event '%s' is not an object", type);
	if (m->count >= OB_MANIFEST_ENTRIES_MAX)
		return ob_err(OB_ERR_LIMIT, "%s: more than %d entries", m->path, OB_MANIFEST_ENTRIES_MAX);
	utc_now(when, sizeof(when));
	/* "o" steals the reference (also on failure): give it one of its own. */
	entry = json_pack("{s:I, s:s, s:s, s:o, s:s}", "seq", (json_int_t)m->count, "time", when, "type",
			  type, "data", data ? json_incref(data) : json_object(), "prev", m->head);
	if (!entry) {
		ret = ob_err(OB_ERR_NOMEM, "manifest: cannot build event '%s'", type);
		goto out;
	}
	line = json_dumps(entry, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!line) {
		ret = ob_err(OB_ERR_INTERNAL, "manifest: cannot encode event '%s'", type);
		goto out;
	}
	len = strlen(line);
	if (len > OB_MANIFEST_LINE_MAX) {
		ret = ob_err(OB_ERR_LIMIT, "manifest: event '%s' is %zu bytes, over the %d byte line limit",
			     type, len, OB_MANIFEST_LINE_MAX);
		goto out;
	}
	if (fwrite(line, 1, len, m->f) != len || fputc('\n', m->f) == EOF || fflush(m->f) != 0) {
		ret = ob_err(OB_ERR_OUTPUT, "%s: %s", m->path, strerror(errno));
		m->failed = true;
		/* An append to an existing file: never leave half a line. */
		if (m->append && ftruncate(fileno(m->f), m->end) != 0)
			ret = ob_err(OB_ERR_OUTPUT, "%s: %s (and a partial line may remain)", m->path,
				     strerror(errno));
		goto out;
	}
	m->end += (off_t)len + 1;
	ob_sha256(line, len, digest);
	ob_hex_encode(digest, sizeof(digest), m->head);
	m->count++;
out:
	free(line);
	json_decref(entry);
	return ret;
}

int ob_manifest_append_new(struct ob_manifest *m, const char *type, json_t *data)
{
	int ret;

	/* NULL here is a failed json_pack() (out of memory, invalid UTF-8): never
	 * record it as an empty event. */
	if (!data)
		return ob_err(OB_ERR_INTERNAL, "manifest: cannot build the data of event '%s' "
					       "(invalid UTF-8?)", type);
	ret = ob_manifest_append(m, type, data);

	json_decref(data);
	return ret;
}

size_t ob_manifest_count(const struct ob_manifest *m)
{
	return m->count;
}

const char *ob_manifest_head(const struct ob_manifest *m)
{
	return m->head;
}

const char *ob_manifest_path(const struct ob_manifest *m)
{
	return m->path;
}

int ob_manifest_sync(struct ob_manifest *m)
{
	if (m->failed || !m->f)
		return ob_err(OB_ERR_OUTPUT, "%s: manifest failed earlier", m->path);
	if (fflush(m->f) != 0 || ferror(m->f) || fsync(fileno(m->f)) != 0) {
		m->failed = true;
		return ob_err(OB_ERR_OUTPUT, "%s: %s", m->path, strerror(errno));
	}
	return 0;
}

int ob_manifest_close(struct ob_manifest *m)
{
	int ret;

	if (m->committed)
		return 0;
	if (m->append) {
		ret = ob_manifest_sync(m);
		if (!ret)
			m->committed = true;
		return ret;
	}
	if (m->failed || !m->f)
		return ob_err(OB_ERR_OUTPUT, "%s: manifest failed earlier", m->path);
	if (fflush(m->f) != 0 || ferror(m->f)) {
		m->failed = true;
		return ob_err(OB_ERR_OUTPUT, "%s: %s", m->path, strerror(errno));
	}
	ret = fclose(m->f);
	m->f = NULL;
	if (ret != 0) {
		m->failed = true;
		return ob_err(OB_ERR_OUTPUT, "%s: %s", m->path, strerror(errno));
	}
	ret = ob_atomic_commit(m->tmp, m->path); /* fsync, rename, fsync dir */
	if (ret) {
		m->failed = true;
		return ret;
	}
	m->committed = true;
	return 0;
}

void ob_manifest_free(struct ob_manifest **mp)
{
	struct ob_manifest *m;

	if (!mp || !*mp)
		return;
	m = *mp;
	if (m->f)
		fclose(m->f);
	if (!m->committed && !m->append)
		ob_atomic_abort(m->tmp);
	free(m);
	*mp = NULL;
}

/* ---- reading and checking ---- */

static int broken(struct ob_manifest_check *chk, int code, size_t line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int broken(struct ob_manifest_check *chk, int code, size_t line, const char *fmt, ...)
{
	va_list ap;

	chk->ok = false;
	chk->bad_line = line;
	chk->bad_seq = line ? (long long)line - 1 : -1;
	va_start(ap, fmt);
	vsnprintf(chk->reason, sizeof(chk->reason), fmt, ap);
	va_end(ap);
	return ob_err(code, "%s", chk->reason);
}

static bool is_lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[n] == '\0';
}

/* Checks one line (number lineno, 1-based) against the running chain state. */
static int check_line(const char *line, size_t len, size_t lineno, const char *prev_hex,
		      json_t **out, struct ob_manifest_check *chk)
{
	json_error_t jerr;
	json_t *e, *seq, *t, *type, *data, *prev;
	const char *ps;
	int ret = 0;

	*out = NULL;
	e = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!e)
		return broken(chk, OB_ERR_INPUT, lineno, "manifest line %zu: not JSON: %s", lineno, jerr.text);
	if (!json_is_object(e)) {
		ret = broken(chk, OB_ERR_INPUT, lineno, "manifest line %zu: not a JSON object", lineno);
		goto out;
	}
	seq = json_object_get(e, "seq");
	t = json_object_get(e, "time");
	type = json_object_get(e, "type");
	data = json_object_get(e, "data");
	prev = json_object_get(e, "prev");
	if (json_object_size(e) != 5 || !json_is_integer(seq) || !json_is_string(t) ||
	    !json_is_string(type) || !json_is_object(data) || !json_is_string(prev)) {
		ret = broken(chk, OB_ERR_INPUT, lineno,
			     "manifest line %zu: an entry must have exactly seq, time, type, data and prev",
			     lineno);
		goto out;
	}
	if (json_integer_value(seq) != (json_int_t)(lineno - 1)) {
		ret = broken(chk, OB_ERR_INPUT, lineno,
			     "manifest line %zu: seq is %lld, expected %zu (an entry was removed, inserted, "
			     "duplicated or reordered)",
			     lineno, (long long)json_integer_value(seq), lineno - 1);
		goto out;
	}
	ps = json_string_value(prev);
	if (json_string_length(prev) != OB_SHA256_HEX_LEN || !is_lower_hex(ps, OB_SHA256_HEX_LEN)) {
		ret = broken(chk, OB_ERR_INPUT, lineno, "manifest line %zu (seq %zu): prev is not a SHA-256",
			     lineno, lineno - 1);
		goto out;
	}
	if (!ob_memeq_ct(ps, prev_hex, OB_SHA256_HEX_LEN)) {
		ret = broken(chk, OB_ERR_INPUT, lineno,
			     lineno == 1 ? "manifest line %zu (seq %zu): prev is not the genesis value"
					 : "manifest line %zu (seq %zu): prev does not match the SHA-256 of the "
					   "line before (that entry or this link was altered)",
			     lineno, lineno - 1);
		goto out;
	}
	*out = e;
	e = NULL;
out:
	json_decref(e);
	return ret;
}

int ob_manifest_check_buf(const char *buf, size_t len, json_t **entries,
			  struct ob_manifest_check *chk)
{
	unsigned char digest[OB_SHA256_LEN];
	char prev[OB_SHA256_HEX_LEN + 1];
	json_t *arr = NULL;
	size_t pos = 0, lineno = 0;
	int ret;

	memset(chk, 0, sizeof(*chk));
	chk->bad_seq = -1;
	memcpy(prev, OB_MANIFEST_GENESIS, sizeof(prev));
	memcpy(chk->head, prev, sizeof(prev));
	if (entries)
		*entries = NULL;
	ret = ob_crypto_init();
	if (ret)
		return ret;
	if (len == 0)
		return broken(chk, OB_ERR_INPUT, 1, "manifest is empty");
	arr = json_array();
	if (!arr)
		return ob_err(OB_ERR_NOMEM, "out of memory");
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		json_t *e;

		lineno++;
		if (lineno > OB_MANIFEST_ENTRIES_MAX) {
			ret = broken(chk, OB_ERR_LIMIT, lineno, "manifest: more than %d entries",
				     OB_MANIFEST_ENTRIES_MAX);
			goto out;
		}
		if (n > OB_MANIFEST_LINE_MAX) {
			ret = broken(chk, OB_ERR_LIMIT, lineno, "manifest line %zu: longer than %d bytes",
				     lineno, OB_MANIFEST_LINE_MAX);
			goto out;
		}
		if (!nl) {
			ret = broken(chk, OB_ERR_INPUT, lineno,
				     "manifest line %zu: no final newline (truncated?)", lineno);
			goto out;
		}
		if (memchr(buf + pos, '\0', n)) {
			ret = broken(chk, OB_ERR_INPUT, lineno, "manifest line %zu: contains a NUL byte",
				     lineno);
			goto out;
		}
		ret = check_line(buf + pos, n, lineno, prev, &e, chk);
		if (ret)
			goto out;
		if (json_array_append_new(arr, e)) {
			ret = ob_err(OB_ERR_NOMEM, "out of memory");
			goto out;
		}
		ob_sha256(buf + pos, n, digest);
		ob_hex_encode(digest, sizeof(digest), prev);
		memcpy(chk->head, prev, sizeof(prev));
		chk->entries = lineno;
		pos += n + 1;
	}
	chk->ok = true;
	if (entries) {
		*entries = arr;
		arr = NULL;
	}
out:
	json_decref(arr);
	return ret;
}

int ob_manifest_check_file(const char *path, json_t **entries, struct ob_manifest_check *chk)
{
	char *buf = NULL;
	size_t len;
	int ret;

	memset(chk, 0, sizeof(*chk));
	chk->bad_seq = -1;
	if (entries)
		*entries = NULL;
	ret = ob_read_file(path, OB_MANIFEST_FILE_MAX, &buf, &len);
	if (ret) {
		snprintf(chk->reason, sizeof(chk->reason), "%s", ob_errmsg());
		return ret;
	}
	ret = ob_manifest_check_buf(buf, len, entries, chk);
	free(buf);
	return ret;
}

int ob_manifest_open_append(const char *path, struct ob_manifest **out,
			    struct ob_manifest_check *chkp)
{
	struct ob_manifest_check local, *chk = chkp ? chkp : &local;
	struct ob_manifest *m;
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd = -1, ret;

	*out = NULL;
	memset(chk, 0, sizeof(*chk));
	chk->bad_seq = -1;
	memcpy(chk->head, OB_MANIFEST_GENESIS, sizeof(chk->head));
	ret = manifest_new(path, &m);
	if (ret)
		return ret;
	m->append = true;
	/* Not waited on: neither a FIFO (O_NONBLOCK, then not a regular file) nor
	 * another run that holds the lock (OB_ERR_BUSY). */
	fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0644);
	if (fd < 0 || fstat(fd, &st) != 0) {
		ret = ob_err(OB_ERR_OUTPUT, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = ob_err(OB_ERR_OUTPUT, "%s: not a regular file", path);
		goto out;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			ret = ob_err(OB_ERR_BUSY, "%s: another obscura run is appending to this ledger; "
				     "wait for it to finish", path);
		else
			ret = ob_err(OB_ERR_OUTPUT, "%s: cannot lock: %s", path, strerror(errno));
		goto out;
	}
	if (fcntl(fd, F_SETFL, O_APPEND) != 0) {
		ret = ob_err(OB_ERR_OUTPUT, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (st.st_size > OB_MANIFEST_FILE_MAX) {
		ret = ob_err(OB_ERR_LIMIT, "%s: larger than %d bytes", path, OB_MANIFEST_FILE_MAX);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		ret = ob_err(OB_ERR_NOMEM, "out of memory");
		goto out;
	}
	n = ob_read_full(fd, buf, (size_t)st.st_size); /* from offset 0: just opened */
	if (n < (ssize_t)st.st_size) {
		ret = ob_err(OB_ERR_OUTPUT, "%s: %s", path, n < 0 ? strerror(errno) : "shrank while read");
		goto out;
	}
	len = (size_t)n;
	if (len > 0) {
		ret = ob_manifest_check_buf(buf, len, NULL, chk);
		if (ret) {
			ret = ob_err(ret == OB_ERR_INPUT ? OB_ERR_OUTPUT : ret,
				     "%s: %s; refusing to append", path, chk->reason);
			goto out;
		}
	}
	m->f = fdopen(fd, "a");
	if (!m->f) {
		ret = ob_err(OB_ERR_OUTPUT, "%s: %s", path, strerror(errno));
		goto out;
	}
	fd = -1;
	m->count = chk->entries;
	m->end = (off_t)len;
	memcpy(m->head, chk->head, sizeof(m->head));
	*out = m;
	m = NULL;
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	ob_manifest_free(&m);
	return ret;
}

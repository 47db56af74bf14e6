/* SPDX-License-Identifier: MIT */
/* test_manifest.c - the hash chain: written as events happen, and every kind of tampering caught at the right line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <unistd.h>

#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/manifest.h"
#include "obscura/banned.h"

#define NLINES 6

struct fixture {
	char dir[64];
	char path[128];
	char *buf;        /* the manifest's bytes */
	size_t len;
	char *line[NLINES];  /* copies of each line, without "\n" */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct ob_manifest *m = NULL;
	char *p, *save = NULL;

	snprintf(f->dir, sizeof(f->dir), "/tmp/test_manifest.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/manifest.jsonl", f->dir);
	if (ob_manifest_open(f->path, &m))
		return -1;
	if (access(f->path, F_OK) == 0) /* nothing at the final name before close */
		return -1;
	ob_manifest_append_new(m, "start", json_pack("{s:s}", "version", "test"));
	ob_manifest_append_new(m, "input", json_pack("{s:s, s:i}", "path", "in.mp4", "size", 1234));
	ob_manifest_append(m, "model", NULL);
	ob_manifest_append_new(m, "checkpoint", json_pack("{s:i, s:i}", "first", 0, "last", 99));
	ob_manifest_append_new(m, "output", json_pack("{s:s}", "name", "out.mp4"));
	ob_manifest_append_new(m, "end", json_pack("{s:s}", "status", "ok"));
	if (ob_manifest_count(m) != NLINES || ob_manifest_close(m))
		return -1;
	ob_manifest_free(&m);
	if (ob_read_file(f->path, 1 << 20, &f->buf, &f->len))
		return -1;
	p = strdup(f->buf);
	for (int i = 0; i < NLINES; i++)
		f->line[i] = strdup(strtok_r(i ? NULL : p, "\n", &save));
	free(p);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	unlink(f->path);
	rmdir(f->dir);
	for (int i = 0; i < NLINES; i++)
		free(f->line[i]);
	free(f->buf);
	free(f);
	return 0;
}

/* Joins lines (by index into f->line, -1 ends) into a manifest buffer. */
static char *join(struct fixture *f, const int *idx, size_t *len)
{
	char *out = malloc(f->len * 2 + 16);
	size_t n = 0;

	for (; *idx >= 0; idx++) {
		size_t l = strlen(f->line[*idx]);

		memcpy(out + n, f->line[*idx], l);
		n += l;
		out[n++] = '\n';
	}
	out[n] = '\0';
	*len = n;
	return out;
}

static void expect_broken(const char *buf, size_t len, size_t line, const char *why)
{
	struct ob_manifest_check chk;
	json_t *entries = (json_t *)1;

	assert_int_not_equal(ob_manifest_check_buf(buf, len, &entries, &chk), 0);
	assert_null(entries);
	assert_false(chk.ok);
	assert_int_equal(chk.bad_line, line);
	assert_int_equal(chk.bad_seq, (long long)line - 1);
	if (!strstr(chk.reason, why))
		fail_msg("reason '%s' does not mention '%s'", chk.reason, why);
	assert_string_equal(ob_errmsg(), chk.reason);
}

static void test_written_chain_verifies(void **state)
{
	struct fixture *f = *state;
	struct ob_manifest_check chk;
	unsigned char d[OB_SHA256_LEN];
	char hex[OB_SHA256_HEX_LEN + 1];
	json_t *entries = NULL, *e;

	assert_int_equal(ob_manifest_check_file(f->path, &entries, &chk), 0);
	assert_true(chk.ok);
	assert_int_equal(chk.entries, NLINES);
	assert_int_equal(json_array_size(entries), NLINES);
	e = json_array_get(entries, 0);
	assert_int_equal(json_integer_value(json_object_get(e, "seq")), 0);
	assert_string_equal(json_string_value(json_object_get(e, "prev")), OB_MANIFEST_GENESIS);
	assert_string_equal(json_string_value(json_object_get(e, "type")), "start");
	/* "model" was appended with NULL data: an empty object. */
	assert_int_equal(json_object_size(json_object_get(json_array_get(entries, 2), "data")), 0);
	/* time is UTC ISO-8601 with milliseconds */
	assert_int_equal(strlen(json_string_value(json_object_get(e, "time"))), 24);
	assert_int_equal(json_string_value(json_object_get(e, "time"))[23], 'Z');
	/* the head is the SHA-256 of the last line, and each prev the hash of the line before */
	ob_sha256(f->line[NLINES - 1], strlen(f->line[NLINES - 1]), d);
	ob_hex_encode(d, sizeof(d), hex);
	assert_string_equal(chk.head, hex);
	ob_sha256(f->line[2], strlen(f->line[2]), d);
	ob_hex_encode(d, sizeof(d), hex);
	assert_string_equal(json_string_value(json_object_get(json_array_get(entries, 3), "prev")), hex);
	/* compact, in the documented key order */
	assert_true(!strncmp(f->line[0], "{\"seq\":0,\"time\":\"", 17));
	json_decref(entries);
}

static void test_changed_byte(void **state)
{
	struct fixture *f = *state;
	char *buf = strdup(f->buf);
	char *p = strstr(buf, "1234");

	/* A changed value keeps the JSON valid: the next line's link breaks. */
	p[0] = '9';
	expect_broken(buf, f->len, 3, "prev does not match");
	/* A changed byte that breaks the JSON is caught on its own line. */
	memcpy(buf, f->buf, f->len);
	p = strstr(buf, "\"type\":\"checkpoint\"");
	p[0] = 'x';
	expect_broken(buf, f->len, 4, "not JSON");
	/* The genesis link of the first line. */
	memcpy(buf, f->buf, f->len);
	p = strstr(buf, "\"prev\":\"000");
	p[8] = '1';
	expect_broken(buf, f->len, 1, "genesis");
	free(buf);
}

static void test_dropped_reordered_duplicated(void **state)
{
	struct fixture *f = *state;
	static const int dropped[] = { 0, 1, 3, 4, 5, -1 };
	static const int reordered[] = { 0, 1, 3, 2, 4, 5, -1 };
	static const int duplicated[] = { 0, 1, 2, 2, 3, 4, 5, -1 };
	static const int inserted_first[] = { 1, 2, 3, 4, 5, -1 };
	size_t len;
	char *b;

	b = join(f, dropped, &len);
	expect_broken(b, len, 3, "seq is 3, expected 2");
	free(b);
	b = join(f, reordered, &len);
	expect_broken(b, len, 3, "seq is 3, expected 2");
	free(b);
	b = join(f, duplicated, &len);
	expect_broken(b, len, 4, "seq is 2, expected 3");
	free(b);
	b = join(f, inserted_first, &len);
	expect_broken(b, len, 1, "seq is 1, expected 0");
	free(b);
}

static void test_renumbered_entries_still_caught(void **state)
{
	struct fixture *f = *state;
	static const int dropped[] = { 0, 1, 3, 4, 5, -1 };
	size_t len;
	char *b = join(f, dropped, &len), *p;

	/* A forger who also fixes the seq of the moved line still breaks the link. */
	p = strstr(b, "\"seq\":3");
	p[6] = '2';
	expect_broken(b, len, 3, "prev does not match");
	free(b);
}

static void test_format_errors_and_caps(void **state)
{
	struct fixture *f = *state;
	struct ob_manifest_check chk;
	char *big;

	/* truncated: last line without its newline */
	expect_broken(f->buf, f->len - 1, NLINES, "no final newline");
	expect_broken("", 0, 1, "empty");
	expect_broken("\n", 1, 1, "not JSON");
	expect_broken("[1]\n", 4, 1, "not a JSON object");
	expect_broken("{\"seq\":0}\n", 10, 1, "exactly seq, time, type, data and prev");
	/* a line over the cap */
	big = malloc(OB_MANIFEST_LINE_MAX + 2);
	memset(big, ' ', OB_MANIFEST_LINE_MAX + 1);
	big[OB_MANIFEST_LINE_MAX + 1] = '\n';
	assert_int_equal(ob_manifest_check_buf(big, OB_MANIFEST_LINE_MAX + 2, NULL, &chk), OB_ERR_LIMIT);
	assert_int_equal(chk.bad_line, 1);
	free(big);
}

/* Appending to an existing file continues its chain; a broken file is refused untouched. */
static void test_open_append(void **state)
{
	struct fixture *f = *state;
	struct ob_manifest_check chk;
	struct ob_manifest *m = NULL;
	char path[160], *buf = NULL;
	size_t len;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/ledger.jsonl", f->dir);
	/* missing: created empty, genesis head */
	assert_int_equal(ob_manifest_open_append(path, &m, &chk), 0);
	assert_int_equal(ob_manifest_count(m), 0);
	assert_string_equal(ob_manifest_head(m), OB_MANIFEST_GENESIS);
	assert_int_equal(ob_manifest_append_new(m, "bundle", json_pack("{s:i}", "n", 0)), 0);
	assert_int_equal(ob_manifest_sync(m), 0);
	ob_manifest_free(&m);
	assert_int_equal(access(path, F_OK), 0); /* kept: no temporary file to abort */
	/* reopened: seq and prev continue */
	assert_int_equal(ob_manifest_open_append(path, &m, &chk), 0);
	assert_int_equal(chk.entries, 1);
	assert_int_equal(ob_manifest_count(m), 1);
	assert_int_equal(ob_manifest_append(m, "bundle", NULL), 0);
	assert_int_equal(ob_manifest_close(m), 0);
	ob_manifest_free(&m);
	assert_int_equal(ob_manifest_check_file(path, NULL, &chk), 0);
	assert_int_equal(chk.entries, 2);
	/* the existing 6-line manifest continues at seq 6 */
	assert_int_equal(ob_manifest_open_append(f->path, &m, NULL), 0);
	assert_int_equal(ob_manifest_count(m), NLINES);
	assert_int_equal(ob_manifest_append(m, "end", NULL), 0);
	ob_manifest_free(&m);
	assert_int_equal(ob_manifest_check_file(f->path, NULL, &chk), 0);
	assert_int_equal(chk.entries, NLINES + 1);
	/* broken (first line dropped): refused, naming the line, nothing appended */
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "%s\n", f->line[1]);
	fclose(fp);
	assert_int_equal(ob_manifest_open_append(path, &m, &chk), OB_ERR_OUTPUT);
	assert_null(m);
	assert_int_equal(chk.bad_line, 1);
	assert_non_null(strstr(ob_errmsg(), path));
	assert_non_null(strstr(ob_errmsg(), "line 1"));
	assert_int_equal(ob_read_file(path, 1 << 20, &buf, &len), 0);
	assert_int_equal(len, strlen(f->line[1]) + 1);
	free(buf);
	unlink(path);
}

static void test_writer_rules(void **state)
{
	struct fixture *f = *state;
	char path[160], tmp[200];
	struct ob_manifest *m = NULL;
	json_t *arr = json_array();

	snprintf(path, sizeof(path), "%s/other.jsonl", f->dir);
	assert_int_equal(ob_manifest_open(path, &m), 0);
	assert_string_equal(ob_manifest_head(m), OB_MANIFEST_GENESIS);
	assert_int_equal(ob_manifest_append(m, "Bad Type", NULL), OB_ERR_INTERNAL);
	assert_int_equal(ob_manifest_append(m, "x", arr), OB_ERR_INTERNAL); /* data must be an object */
	assert_int_equal(ob_manifest_append_new(m, "ok", json_object()), 0);
	assert_int_equal(ob_manifest_append_new(m, "input", json_pack("{s:s}", "path", "\xff")),
			 OB_ERR_INTERNAL); /* not UTF-8: json_pack fails, nothing written */
	assert_int_equal(ob_manifest_count(m), 1);
	/* The temporary exists while writing; freeing without close removes it. */
	assert_int_equal(ob_atomic_tmpname(path, tmp, sizeof(tmp)), 0);
	assert_int_equal(access(tmp, F_OK), 0);
	ob_manifest_free(&m);
	assert_null(m);
	ob_manifest_free(&m);
	assert_int_not_equal(access(tmp, F_OK), 0);
	assert_int_not_equal(access(path, F_OK), 0);
	json_decref(arr);
	/* after close, no more appends */
	assert_int_equal(ob_manifest_open(path, &m), 0);
	assert_int_equal(ob_manifest_append(m, "start", NULL), 0);
	assert_int_equal(ob_manifest_close(m), 0);
	assert_int_equal(ob_manifest_append(m, "late", NULL), OB_ERR_OUTPUT);
	ob_manifest_free(&m);
	assert_int_equal(access(path, F_OK), 0);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_written_chain_verifies),
		cmocka_unit_test(test_changed_byte),
		cmocka_unit_test(test_dropped_reordered_duplicated),
		cmocka_unit_test(test_renumbered_entries_still_caught),
		cmocka_unit_test(test_format_errors_and_caps),
		cmocka_unit_test(test_writer_rules),
		cmocka_unit_test(test_open_append),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

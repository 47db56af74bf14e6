/* SPDX-License-Identifier: MIT */
/* test_bundle.c - the tar bundle: reproducible bytes, atomic commit, member rules, the capped reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <unistd.h>

#include "obscura/bundle.h"
#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/banned.h"

static char dir[64];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/test_bundle.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Writes a bundle of a file member (big) and a buffer member. */
static void write_bundle(const char *path, const char *src)
{
	struct ob_bundle_writer *w = NULL;

	assert_int_equal(ob_bundle_create(path, &w), 0);
	assert_int_equal(access(path, F_OK), -1); /* not visible until commit */
	assert_int_equal(ob_bundle_add_file(w, "export.mp4", src), 0);
	assert_int_equal(ob_bundle_add_buffer(w, "README.txt", "hello\n", 6), 0);
	assert_int_equal(ob_bundle_add_buffer(w, "empty", "", 0), 0);
	assert_int_equal(ob_bundle_commit(w), 0);
	ob_bundle_writer_free(&w);
	assert_null(w);
}

static void test_round_trip_and_reproducible(void **state)
{
	char a[128], b[128], src[128];
	char *da, *db;
	size_t la, lb, n = 200000;
	unsigned char *data = malloc(n), sha[OB_SHA256_LEN];
	struct ob_bundle_reader *r = NULL;
	struct ob_bundle_member m;
	static const char *const keep[] = { "README.txt", NULL };

	for (size_t i = 0; i < n; i++)
		data[i] = (unsigned char)(i * 31 + 7);
	snprintf(src, sizeof(src), "%s/src.bin", dir);
	assert_int_equal(ob_write_file_atomic(src, data, n, 0644), 0);
	snprintf(a, sizeof(a), "%s/a" OB_BUNDLE_SUFFIX, dir);
	snprintf(b, sizeof(b), "%s/b" OB_BUNDLE_SUFFIX, dir);
	write_bundle(a, src);
	sleep(1); /* a different clock must not change a byte */
	write_bundle(b, src);
	assert_int_equal(ob_read_file(a, 1 << 22, &da, &la), 0);
	assert_int_equal(ob_read_file(b, 1 << 22, &db, &lb), 0);
	assert_int_equal(la, lb);
	assert_memory_equal(da, db, la);
	assert_int_equal(la % 512, 0);
	free(da);
	free(db);

	assert_int_equal(ob_bundle_open(a, keep, 1 << 20, &r), 0);
	assert_int_equal(ob_bundle_next(r, &m), 1);
	assert_string_equal(m.name, "export.mp4");
	assert_int_equal(m.size, n);
	assert_null(m.data); /* not in keep */
	ob_sha256(data, n, sha);
	assert_memory_equal(m.sha256, sha, sizeof(sha));
	assert_int_equal(strlen(m.sha256_hex), 64);
	assert_int_equal(ob_bundle_next(r, &m), 1);
	assert_string_equal(m.name, "README.txt");
	assert_string_equal(m.data, "hello\n");
	ob_bundle_member_release(&m);
	assert_int_equal(ob_bundle_next(r, &m), 1);
	assert_string_equal(m.name, "empty");
	assert_int_equal(m.size, 0);
	assert_int_equal(ob_bundle_next(r, &m), 0);
	ob_bundle_reader_free(&r);
	assert_null(r);
	free(data);
}

static void test_member_rules(void **state)
{
	char path[128], tmp[160];
	struct ob_bundle_writer *w = NULL;

	snprintf(path, sizeof(path), "%s/rules" OB_BUNDLE_SUFFIX, dir);
	assert_int_equal(ob_bundle_create(path, &w), 0);
	assert_int_not_equal(ob_bundle_add_buffer(w, "../evil", "x", 1), 0);
	assert_int_not_equal(ob_bundle_add_buffer(w, "a/b", "x", 1), 0);
	assert_int_not_equal(ob_bundle_add_buffer(w, "", "x", 1), 0);
	assert_int_not_equal(ob_bundle_add_buffer(w, "..", "x", 1), 0);
	assert_int_equal(ob_bundle_add_buffer(w, "ok", "x", 1), 0);
	assert_int_not_equal(ob_bundle_add_buffer(w, "ok", "y", 1), 0); /* twice */
	assert_int_equal(ob_bundle_add_file(w, "missing", "/nonexistent/file"), OB_ERR_INPUT);
	/* freed without commit: nothing left behind */
	assert_int_equal(ob_atomic_tmpname(path, tmp, sizeof(tmp)), 0);
	assert_int_equal(access(tmp, F_OK), 0);
	ob_bundle_writer_free(&w);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(access(path, F_OK), -1);
}

static void test_reader_rejects_damage(void **state)
{
	char path[128], cut[128], junk[128];
	char *data;
	size_t len;
	struct ob_bundle_reader *r = NULL;
	struct ob_bundle_member m;
	struct ob_bundle_writer *w = NULL;
	char big[5000];
	int rc;

	memset(big, 'z', sizeof(big));
	snprintf(path, sizeof(path), "%s/whole" OB_BUNDLE_SUFFIX, dir);
	assert_int_equal(ob_bundle_create(path, &w), 0);
	assert_int_equal(ob_bundle_add_buffer(w, "big", big, sizeof(big)), 0);
	assert_int_equal(ob_bundle_commit(w), 0);
	ob_bundle_writer_free(&w);
	/* cut in the middle of the member's data */
	assert_int_equal(ob_read_file(path, 1 << 20, &data, &len), 0);
	snprintf(cut, sizeof(cut), "%s/cut.tar", dir);
	assert_int_equal(ob_write_file_atomic(cut, data, 512 + 3000, 0644), 0);
	assert_int_equal(ob_bundle_open(cut, NULL, 1 << 20, &r), 0);
	rc = ob_bundle_next(r, &m);
	assert_int_equal(rc, OB_ERR_INPUT);
	ob_bundle_member_release(&m);
	ob_bundle_reader_free(&r);
	free(data);
	/* not a tar at all */
	snprintf(junk, sizeof(junk), "%s/junk.tar", dir);
	memset(big, 'q', sizeof(big));
	assert_int_equal(ob_write_file_atomic(junk, big, sizeof(big), 0644), 0);
	rc = ob_bundle_open(junk, NULL, 0, &r);
	if (rc == 0)
		rc = ob_bundle_next(r, &m);
	assert_int_equal(rc, OB_ERR_INPUT);
	ob_bundle_reader_free(&r);
	assert_int_equal(ob_bundle_open("/nonexistent.tar", NULL, 0, &r), OB_ERR_INPUT);
	assert_null(r);
}

static void test_bundle_path(void **state)
{
	char buf[64];

	assert_int_equal(ob_bundle_path(buf, sizeof(buf), "out", "/videos/clip.mp4"), 0);
	assert_string_equal(buf, "out/clip.mp4.obscura.tar");
	assert_int_equal(ob_bundle_path(buf, 8, "out", "clip.mp4"), OB_ERR_LIMIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_and_reproducible),
		cmocka_unit_test(test_member_rules),
		cmocka_unit_test(test_reader_rejects_damage),
		cmocka_unit_test(test_bundle_path),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

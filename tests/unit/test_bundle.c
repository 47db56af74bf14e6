/* SPDX-License-Identifier: MIT */
/* test_bundle.c - the tar bundle: reproducible bytes, atomic commit, member rules and names, the capped reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <locale.h>
#include <unistd.h>

#include "obscura/bundle.h"
#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/utf8.h"
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

/* name escapes to want (NULL: refused as too long). */
static void check_name(const char *name, const char *want)
{
	char got[OB_BUNDLE_NAME_MAX + 1];

	if (!want) {
		assert_int_equal(ob_bundle_member_name(name, got), OB_ERR_LIMIT);
		return;
	}
	assert_int_equal(ob_bundle_member_name(name, got), 0);
	assert_string_equal(got, want);
}

/* Every name a file system allows becomes a member name: printable UTF-8 as
 * it is, anything else as %XX; and the writer takes exactly those. */
static void test_member_names(void **state)
{
	char path[128], name[200], want[200];
	struct ob_bundle_writer *w = NULL;
	struct ob_bundle_reader *r = NULL;
	struct ob_bundle_member m;

	assert_true(ob_utf8_locale());
	check_name("clip.anon.mp4", "clip.anon.mp4");
	check_name("50% off.mp4", "50% off.mp4");
	check_name("sp ace \xc3\xa9\xe2\x98\x83.mp4", "sp ace \xc3\xa9\xe2\x98\x83.mp4");
	check_name("tab\tnl\ncr\rdel\x7f", "tab%09nl%0Acr%0Ddel%7F");
	check_name("csi\xc2\x9b", "csi%C2%9B");              /* C1 control, well-formed */
	check_name("bad\xffname", "bad%FFname");
	check_name("over\xc0\xaf", "over%C0%AF");            /* overlong "/" */
	check_name("sur\xed\xa0\x80", "sur%ED%A0%80");      /* a UTF-16 surrogate */
	check_name("cut\xe2\x98", "cut%E2%98");
	check_name("big\xf4\x90\x80\x80", "big%F4%90%80%80"); /* past U+10FFFF */
	memset(name, 0xff, 34);
	name[34] = '\0';
	check_name(name, NULL); /* 102 bytes once escaped */
	name[33] = '\0';
	for (int i = 0; i < 33; i++)
		memcpy(want + 3 * i, "%FF", 4);
	check_name(name, want); /* 99 */
	memset(name, 'a', OB_BUNDLE_NAME_MAX);
	name[OB_BUNDLE_NAME_MAX] = '\0';
	check_name(name, name);
	name[OB_BUNDLE_NAME_MAX - 1] = '\t';
	check_name(name, NULL);
	check_name("", NULL);

	snprintf(path, sizeof(path), "%s/names" OB_BUNDLE_SUFFIX, dir);
	assert_int_equal(ob_bundle_create(path, &w), 0);
	assert_int_not_equal(ob_bundle_add_buffer(w, "tab\tname", "x", 1), 0);
	assert_int_not_equal(ob_bundle_add_buffer(w, "bad\xffname", "x", 1), 0);
	assert_int_equal(ob_bundle_add_buffer(w, "sp ace \xc3\xa9", "x", 1), 0);
	assert_int_equal(ob_bundle_commit(w), 0);
	ob_bundle_writer_free(&w);
	assert_int_equal(ob_bundle_open(path, NULL, 16, &r), 0);
	assert_int_equal(ob_bundle_next(r, &m), 1);
	assert_string_equal(m.name, "sp ace \xc3\xa9");
	ob_bundle_member_release(&m);
	ob_bundle_reader_free(&r);

	/* No UTF-8 locale: ASCII names, every other byte escaped. */
	assert_non_null(setlocale(LC_CTYPE, "C"));
	assert_false(ob_utf8_locale_active());
	check_name("sp ace \xc3\xa9.mp4", "sp ace %C3%A9.mp4");
	assert_true(ob_utf8_locale());
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
		cmocka_unit_test(test_member_names),
		cmocka_unit_test(test_reader_rejects_damage),
		cmocka_unit_test(test_bundle_path),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/* SPDX-License-Identifier: MIT */
/* test_hash.c - SHA-256 and BLAKE2b-512 against published vectors; hex; file hashing and its cap. */
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
#include "obscura/hash.h"
#include "obscura/banned.h"

static const char abc_sha256[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
static const char empty_sha256[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
static const char abc_blake2b[] =
	"ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
	"7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923";

static void test_sha256_vectors(void **state)
{
	unsigned char d[OB_SHA256_LEN];
	char hex[OB_SHA256_HEX_LEN + 1];

	assert_int_equal(ob_sha256("abc", 3, d), 0);
	ob_hex_encode(d, sizeof(d), hex);
	assert_string_equal(hex, abc_sha256);
	assert_int_equal(ob_sha256("", 0, d), 0);
	ob_hex_encode(d, sizeof(d), hex);
	assert_string_equal(hex, empty_sha256);
}

static void test_incremental_blake2b(void **state)
{
	unsigned char d[OB_BLAKE2B512_LEN];
	char hex[2 * OB_BLAKE2B512_LEN + 1];
	struct ob_hash *h = NULL;

	assert_int_equal(ob_hash_new(OB_HASH_BLAKE2B512, &h), 0);
	ob_hash_update(h, "a", 1);
	ob_hash_update(h, "bc", 2);
	ob_hash_final(h, d);
	ob_hash_free(&h);
	assert_null(h);
	ob_hash_free(&h); /* NULL is fine */
	ob_hex_encode(d, sizeof(d), hex);
	assert_string_equal(hex, abc_blake2b);
}

static void test_hex_decode(void **state)
{
	unsigned char b[3];

	assert_int_equal(ob_hex_decode("00fFa1", b, 3), 0);
	assert_int_equal(b[0], 0);
	assert_int_equal(b[1], 0xff);
	assert_int_equal(b[2], 0xa1);
	assert_int_equal(ob_hex_decode("00fFa", b, 3), OB_ERR_INPUT);   /* short */
	assert_int_equal(ob_hex_decode("00fFa1b", b, 3), OB_ERR_INPUT); /* long */
	assert_int_equal(ob_hex_decode("00fga1", b, 3), OB_ERR_INPUT);  /* not hex */
	assert_true(ob_memeq_ct("abc", "abc", 3));
	assert_false(ob_memeq_ct("abc", "abd", 3));
}

static void test_file_hash_and_cap(void **state)
{
	char path[] = "/tmp/test_hash.XXXXXX";
	unsigned char d[OB_SHA256_LEN], want[OB_SHA256_LEN];
	unsigned char *buf = malloc(3 * OB_HASH_CHUNK + 17);
	uint64_t size = 0;
	int fd = mkstemp(path);

	assert_non_null(buf);
	assert_true(fd >= 0);
	for (size_t i = 0; i < 3 * OB_HASH_CHUNK + 17; i++)
		buf[i] = (unsigned char)(i * 7);
	assert_int_equal(write(fd, buf, 3 * OB_HASH_CHUNK + 17), 3 * OB_HASH_CHUNK + 17);
	close(fd);
	assert_int_equal(ob_sha256_file(path, OB_HASH_FILE_MAX, d, &size), 0);
	assert_int_equal(size, 3 * OB_HASH_CHUNK + 17);
	ob_sha256(buf, 3 * OB_HASH_CHUNK + 17, want);
	assert_memory_equal(d, want, sizeof(d));
	assert_int_equal(ob_sha256_file(path, OB_HASH_CHUNK, d, &size), OB_ERR_LIMIT);
	assert_int_equal(ob_sha256_file("/nonexistent/x", OB_HASH_FILE_MAX, d, NULL), OB_ERR_INPUT);
	assert_non_null(strstr(ob_errmsg(), "/nonexistent/x"));
	assert_int_equal(ob_sha256_file("/tmp", OB_HASH_FILE_MAX, d, NULL), OB_ERR_INPUT);
	unlink(path);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_incremental_blake2b),
		cmocka_unit_test(test_hex_decode),
		cmocka_unit_test(test_file_hash_and_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

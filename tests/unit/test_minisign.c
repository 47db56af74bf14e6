/* SPDX-License-Identifier: MIT */
/* test_minisign.c - Ed25519 against RFC 8032, minisign key and signature files, the committed key pair and forgeries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <unistd.h>

#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/hash.h"
#include "obscura/minisign.h"
#include "obscura/banned.h"

#define DATA "tests/data/audit/"
#define TEST_KEYID "16A1F11537A41F41"

/* RFC 8032, section 7.1, TEST 1 to TEST 3. */
static const struct {
	const char *seed, *pk, *msg, *sig;
} rfc8032[] = {
	{ "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
	  "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
	  "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b" },
	{ "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
	  "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
	  "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00" },
	{ "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
	  "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
	  "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a" },
};

static char tmpdir[64];

static int setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_minisign.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void tmp_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", tmpdir, name);
}

static void test_rfc8032_vectors(void **state)
{
	for (size_t i = 0; i < sizeof(rfc8032) / sizeof(rfc8032[0]); i++) {
		unsigned char seed[32], pk[32], want_pk[32], sig[64], want_sig[64], msg[2];
		size_t mlen = strlen(rfc8032[i].msg) / 2;

		assert_int_equal(ob_hex_decode(rfc8032[i].seed, seed, 32), 0);
		assert_int_equal(ob_hex_decode(rfc8032[i].pk, want_pk, 32), 0);
		assert_int_equal(ob_hex_decode(rfc8032[i].sig, want_sig, 64), 0);
		assert_int_equal(ob_hex_decode(rfc8032[i].msg, msg, mlen), 0);
		assert_int_equal(ob_ed25519_public(seed, pk), 0);
		assert_memory_equal(pk, want_pk, 32);
		assert_int_equal(ob_ed25519_sign(seed, pk, msg, mlen, sig), 0);
		assert_memory_equal(sig, want_sig, 64);
		assert_int_equal(ob_ed25519_verify(pk, msg, mlen, want_sig), 0);
		want_sig[63] ^= 0x01;
		assert_int_equal(ob_ed25519_verify(pk, msg, mlen, want_sig), OB_ERR_INPUT);
		want_sig[63] ^= 0x01;
		msg[0] ^= 0x80;
		assert_int_equal(ob_ed25519_verify(pk, msg, 1, want_sig), OB_ERR_INPUT);
	}
}

/* A minisign signature made from a known seed is stable; its parts are where minisign puts them. */
static void test_sign_verify_buffer(void **state)
{
	static const unsigned char keynum[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	unsigned char seed[32];
	struct ob_minisign_key *key = NULL, *other = NULL;
	struct ob_minisign_pub pub, opub;
	struct ob_minisign_sig_info info;
	char *sig = NULL, *pubtext = NULL, id[17];
	size_t siglen, publen;

	ob_hex_decode(rfc8032[0].seed, seed, 32);
	assert_int_equal(ob_minisign_key_from_seed(seed, keynum, &key), 0);
	ob_minisign_key_public(key, &pub);
	ob_minisign_keyid_hex(pub.keynum, id);
	assert_string_equal(id, "0807060504030201"); /* little-endian, as minisign prints it */
	assert_int_equal(ob_minisign_public_text(&pub, &pubtext, &publen), 0);
	assert_string_equal(pubtext, "untrusted comment: minisign public key 0807060504030201\n"
				     "RWQBAgMEBQYHCNdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea\n");
	assert_int_equal(ob_minisign_sign_buf(key, "hello", 5, NULL, "trusted text", &sig, &siglen), 0);
	assert_int_equal(strlen(sig), siglen);
	assert_true(!strncmp(sig, "untrusted comment: signature from obscura secret key\nRUQB", 56));
	assert_non_null(strstr(sig, "\ntrusted comment: trusted text\n"));
	assert_int_equal(ob_minisign_verify_buf(&pub, "hello", 5, sig, siglen, &info), 0);
	assert_true(info.prehashed);
	assert_string_equal(info.trusted_comment, "trusted text");
	assert_memory_equal(info.keynum, keynum, 8);
	assert_int_equal(ob_minisign_verify_buf(&pub, "hellO", 5, sig, siglen, NULL), OB_ERR_INPUT);
	assert_string_equal(ob_errmsg(), "signature does not match");
	/* another key: refused by key id before any arithmetic */
	assert_int_equal(ob_minisign_generate(&other), 0);
	ob_minisign_key_public(other, &opub);
	assert_int_equal(ob_minisign_verify_buf(&opub, "hello", 5, sig, siglen, NULL), OB_ERR_INPUT);
	assert_non_null(strstr(ob_errmsg(), "signed by key 0807060504030201, not by key"));
	/* same key id, other key: the signature itself fails */
	memcpy(opub.keynum, keynum, 8);
	assert_int_equal(ob_minisign_verify_buf(&opub, "hello", 5, sig, siglen, NULL), OB_ERR_INPUT);
	/* comments that would break the format are refused */
	free(sig);
	sig = NULL;
	assert_int_not_equal(ob_minisign_sign_buf(key, "x", 1, NULL, "two\nlines", &sig, &siglen), 0);
	assert_null(sig);
	ob_minisign_key_free(&key);
	ob_minisign_key_free(&other);
	assert_null(key);
	free(pubtext);
}

static void test_committed_signature_and_forgeries(void **state)
{
	struct ob_minisign_pub pub;
	struct ob_minisign_sig_info info;
	char *sig = NULL;
	size_t len;

	assert_int_equal(ob_minisign_load_public(DATA "signer.pub", &pub), 0);
	assert_int_equal(ob_read_file(DATA "message.txt.minisig", 4096, &sig, &len), 0);
	assert_int_equal(ob_minisign_verify_file(&pub, DATA "message.txt", sig, len, &info), 0);
	assert_string_equal(info.trusted_comment, "timestamp:1700000000\tfile:message.txt\thashed");
	/* the same signature on altered text */
	assert_int_equal(ob_minisign_verify_file(&pub, DATA "forged.txt", sig, len, NULL), OB_ERR_INPUT);
	assert_string_equal(ob_errmsg(), "signature does not match");
	free(sig);
	/* a trusted comment changed after signing */
	assert_int_equal(ob_read_file(DATA "message.txt.forged-comment.minisig", 4096, &sig, &len), 0);
	assert_int_equal(ob_minisign_verify_file(&pub, DATA "message.txt", sig, len, NULL), OB_ERR_INPUT);
	assert_string_equal(ob_errmsg(), "trusted comment signature does not match");
	/* a flipped bit in the base64 of the signature */
	sig[strlen("untrusted comment: signature from obscura secret key\n") + 30] ^= 0x01;
	assert_int_not_equal(ob_minisign_verify_file(&pub, DATA "message.txt", sig, len, NULL), 0);
	free(sig);
	/* malformed files */
	assert_int_equal(ob_minisign_verify_buf(&pub, "x", 1, "garbage\n", 8, NULL), OB_ERR_INPUT);
	assert_non_null(strstr(ob_errmsg(), "malformed"));
}

static void test_secret_key_files(void **state)
{
	char sk[160], pk[160], copy[160], link_path[160];
	struct ob_minisign_key *key = NULL, *back = NULL;
	struct ob_minisign_pub pub, pub2;
	char *a = NULL, *b = NULL;
	struct stat st;
	size_t la, lb;
	bool enc = true;

	tmp_path(sk, sizeof(sk), "k.key");
	tmp_path(pk, sizeof(pk), "k.pub");
	assert_int_equal(ob_minisign_generate(&key), 0);
	assert_int_equal(ob_minisign_save_secret(key, sk, NULL, 0, false), 0);
	assert_int_equal(stat(sk, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	ob_minisign_key_public(key, &pub);
	assert_int_equal(ob_minisign_save_public(&pub, pk, false), 0);
	/* no clobbering without force */
	assert_int_equal(ob_minisign_save_secret(key, sk, NULL, 0, false), OB_ERR_OUTPUT);
	assert_non_null(strstr(ob_errmsg(), "already exists"));
	assert_int_equal(ob_minisign_save_public(&pub, pk, false), OB_ERR_OUTPUT);
	assert_int_equal(ob_minisign_save_secret(key, sk, NULL, 0, true), 0);
	/* round trip: the loaded key signs what the public key verifies */
	assert_int_equal(ob_minisign_secret_encrypted(sk, &enc), 0);
	assert_false(enc);
	assert_int_equal(ob_minisign_load_secret(sk, NULL, 0, &back), 0);
	assert_int_equal(ob_minisign_load_public(pk, &pub2), 0);
	assert_memory_equal(&pub, &pub2, sizeof(pub));
	assert_int_equal(ob_minisign_sign_buf(key, "m", 1, NULL, "t", &a, &la), 0);
	assert_int_equal(ob_minisign_sign_buf(back, "m", 1, NULL, "t", &b, &lb), 0);
	assert_string_equal(a, b); /* Ed25519 is deterministic */
	ob_minisign_key_free(&back);
	/* group- or world-readable secret keys are refused, like ssh does */
	assert_int_equal(chmod(sk, 0644), 0);
	assert_int_equal(ob_minisign_load_secret(sk, NULL, 0, &back), OB_ERR_INPUT);
	assert_null(back);
	assert_non_null(strstr(ob_errmsg(), "accessible by group or others (mode 0644)"));
	assert_int_equal(chmod(sk, 0640), 0);
	assert_int_equal(ob_minisign_load_secret(sk, NULL, 0, &back), OB_ERR_INPUT);
	assert_int_equal(chmod(sk, 0600), 0);
	/* and so are symbolic links to them */
	tmp_path(link_path, sizeof(link_path), "link.key");
	assert_int_equal(symlink(sk, link_path), 0);
	assert_int_equal(ob_minisign_load_secret(link_path, NULL, 0, &back), OB_ERR_INPUT);
	assert_non_null(strstr(ob_errmsg(), "symbolic link"));
	/* the committed test key: refused as git checks it out (0644), fine once 0600 */
	assert_int_equal(ob_minisign_load_secret(DATA "signer.key", NULL, 0, &back), OB_ERR_INPUT);
	tmp_path(copy, sizeof(copy), "signer.key");
	{
		char *text;
		size_t len;

		assert_int_equal(ob_read_file(DATA "signer.key", 4096, &text, &len), 0);
		assert_int_equal(ob_write_file_atomic(copy, text, len, 0600), 0);
		free(text);
	}
	assert_int_equal(ob_minisign_load_secret(copy, NULL, 0, &back), 0);
	ob_minisign_key_public(back, &pub);
	assert_int_equal(ob_minisign_load_public(DATA "signer.pub", &pub2), 0);
	assert_memory_equal(&pub, &pub2, sizeof(pub));
	ob_minisign_key_free(&back);
	ob_minisign_key_free(&key);
	free(a);
	free(b);
}

static void test_passphrase_files(void **state)
{
	char pf[160];
	char *pass = NULL;
	size_t len = 0;

	tmp_path(pf, sizeof(pf), "pass");
	assert_int_equal(ob_write_file_atomic(pf, "correct horse\r\nsecond line\n", 27, 0600), 0);
	assert_int_equal(ob_minisign_read_passphrase(pf, &pass, &len), 0);
	assert_int_equal(len, 13);
	assert_string_equal(pass, "correct horse");
	ob_minisign_passphrase_free(&pass, len);
	assert_null(pass);
	assert_int_equal(chmod(pf, 0644), 0);
	assert_int_equal(ob_minisign_read_passphrase(pf, &pass, &len), OB_ERR_INPUT);
	assert_int_equal(ob_write_file_atomic(pf, "\n", 1, 0600), 0);
	assert_int_equal(ob_minisign_read_passphrase(pf, &pass, &len), OB_ERR_INPUT);
}

/* scrypt-encrypted keys: a few seconds, as minisign's own (about 1 GiB of memory). */
static void test_encrypted_key(void **state)
{
	char sk[160];
	struct ob_minisign_key *key = NULL, *back = NULL;
	struct ob_minisign_pub a, b;
	bool enc = false;

	tmp_path(sk, sizeof(sk), "enc.key");
	assert_int_equal(ob_minisign_generate(&key), 0);
	assert_int_equal(ob_minisign_save_secret(key, sk, "pass phrase", 11, false), 0);
	assert_int_equal(ob_minisign_secret_encrypted(sk, &enc), 0);
	assert_true(enc);
	assert_int_equal(ob_minisign_load_secret(sk, NULL, 0, &back), OB_ERR_INPUT);
	assert_non_null(strstr(ob_errmsg(), "passphrase-protected"));
	assert_int_equal(ob_minisign_load_secret(sk, "wrong", 5, &back), OB_ERR_INPUT);
	assert_non_null(strstr(ob_errmsg(), "wrong passphrase"));
	assert_int_equal(ob_minisign_load_secret(sk, "pass phrase", 11, &back), 0);
	ob_minisign_key_public(key, &a);
	ob_minisign_key_public(back, &b);
	assert_memory_equal(&a, &b, sizeof(a));
	ob_minisign_key_free(&key);
	ob_minisign_key_free(&back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc8032_vectors),
		cmocka_unit_test(test_sign_verify_buffer),
		cmocka_unit_test(test_committed_signature_and_forgeries),
		cmocka_unit_test(test_secret_key_files),
		cmocka_unit_test(test_passphrase_files),
		cmocka_unit_test(test_encrypted_key),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

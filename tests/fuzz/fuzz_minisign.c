/* SPDX-License-Identifier: MIT */
/* fuzz_minisign.c - libFuzzer target: minisign public key, signature and secret key parsers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/error.h"
#include "obscura/minisign.h"
#include "tempfile.h"
#include "obscura/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The same input as each kind of file: a public key, a signature (parsed,
 * then verified against a fixed key and message), an unencrypted secret key
 * (read from a 0600 file; an encrypted one stops at "passphrase-protected",
 * before the seconds of scrypt). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char seed[OB_ED25519_SEED_LEN] = { 1, 2, 3 };
	static const unsigned char keynum[OB_MINISIGN_KEYNUM_LEN] = { 0x51, 0x7e };
	static struct ob_minisign_pub fixed;
	static int have_fixed;
	struct ob_minisign_pub pub;
	struct ob_minisign_sig_info info;
	struct ob_minisign_key *key = NULL;

	if (!have_fixed) {
		if (ob_minisign_key_from_seed(seed, keynum, &key))
			abort();
		ob_minisign_key_public(key, &fixed);
		ob_minisign_key_free(&key);
		have_fixed = 1;
	}
	ob_minisign_parse_public((const char *)data, size, &pub);
	ob_minisign_parse_sig((const char *)data, size, &info);
	ob_minisign_verify_buf(&fixed, "fuzz", 4, (const char *)data, size, &info);
	if (ob_minisign_load_secret(fuzz_tempfile(data, size, ".key"), NULL, 0, &key) == 0 && !key)
		abort();
	ob_minisign_key_free(&key);
	ob_err_clear();
	return 0;
}

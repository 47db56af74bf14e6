/* SPDX-License-Identifier: MIT */
/* hash.h - SHA-256 and BLAKE2b-512 through libgcrypt, hex encoding, and the one libgcrypt set-up. */
#ifndef OBSCURA_HASH_H
#define OBSCURA_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OB_SHA256_LEN 32
#define OB_SHA256_HEX_LEN 64          /* without the NUL */
#define OB_BLAKE2B512_LEN 64
#define OB_HASH_CHUNK (64 * 1024)     /* bytes read from a file at a time */
#define OB_HASH_FILE_MAX (1ULL << 40) /* default cap on a hashed file: 1 TiB */
#define OB_SECMEM_SIZE (64 * 1024)    /* libgcrypt secure-memory pool */

/*
 * Initializes libgcrypt once per process (version check, secure memory,
 * initialization finished).  Every function here and in minisign.h calls it,
 * so callers need not; calling it early (in main) is harmless.  Thread-safe.
 * Errors: OB_ERR_INTERNAL if libgcrypt is too old or refuses to start.
 */
int ob_crypto_init(void);

enum ob_hash_algo {
	OB_HASH_SHA256,
	OB_HASH_BLAKE2B512,
};

/* An incremental hash: new, update as data arrives, final, free. */
struct ob_hash;

int ob_hash_new(enum ob_hash_algo algo, struct ob_hash **h);
void ob_hash_update(struct ob_hash *h, const void *data, size_t len);
/* Writes the digest (32 or 64 bytes, see ob_hash_len) to out; h stays usable only for free. */
void ob_hash_final(struct ob_hash *h, unsigned char *out);
size_t ob_hash_len(enum ob_hash_algo algo);
/* Accepts NULL and *h == NULL; sets *h to NULL. */
void ob_hash_free(struct ob_hash **h);

/* The digest of a buffer (ob_hash_len(algo) bytes) in one call; SHA-256 by
 * its name.  Never fail once ob_crypto_init() has succeeded. */
int ob_hash_buffer(enum ob_hash_algo algo, const void *data, size_t len, unsigned char *out);
int ob_sha256(const void *data, size_t len, unsigned char out[OB_SHA256_LEN]);

/*
 * Hashes the regular file at path in OB_HASH_CHUNK reads.  Refuses files
 * larger than max bytes (OB_ERR_LIMIT).  size (may be NULL) receives the
 * number of bytes hashed.  Errors: OB_ERR_INPUT naming path.
 */
int ob_hash_file(enum ob_hash_algo algo, const char *path, uint64_t max, unsigned char *out,
		 uint64_t *size);
int ob_sha256_file(const char *path, uint64_t max, unsigned char out[OB_SHA256_LEN], uint64_t *size);

/* Same, as lowercase hex: what manifests, cards and SHA256SUMS record. */
int ob_sha256_file_hex(const char *path, uint64_t max, char hex[OB_SHA256_HEX_LEN + 1], uint64_t *size);
int ob_blake2b512_file(const char *path, uint64_t max, unsigned char out[OB_BLAKE2B512_LEN],
		       uint64_t *size);

/* Lower-case hex of len bytes into out, which must hold 2 * len + 1 chars. */
void ob_hex_encode(const unsigned char *in, size_t len, char *out);

/* Decodes exactly 2 * len hex digits (either case) from hex, which must end
 * there; returns 0 or OB_ERR_INPUT. */
int ob_hex_decode(const char *hex, unsigned char *out, size_t len);

/* Compares len bytes without an early exit (for MACs, hashes, signatures). */
bool ob_memeq_ct(const void *a, const void *b, size_t len);

/* Wipes len bytes in a way the compiler may not drop; accepts NULL. */
void ob_wipe(void *p, size_t len);

#endif

/* SPDX-License-Identifier: MIT */
/* minisign.h - Ed25519 keys and signatures in minisign's formats, with libgcrypt. */
#ifndef OBSCURA_MINISIGN_H
#define OBSCURA_MINISIGN_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Byte layouts, as in minisign 0.11 (src/minisign.h), so that keys and
 * signatures are interchangeable with `minisign`:
 *
 *   public key file:  "untrusted comment: ...\n" base64("Ed" keynum[8] pk[32]) "\n"
 *   signature file:   "untrusted comment: ...\n" base64("ED" keynum[8] sig[64]) "\n"
 *                     "trusted comment: TEXT\n"  base64(global_sig[64]) "\n"
 *       sig        = Ed25519(BLAKE2b-512(file))      ("ED", prehashed; legacy "Ed" signs the file)
 *       global_sig = Ed25519(sig || TEXT)
 *   secret key file:  "untrusted comment: ...\n" base64 of 158 bytes:
 *       "Ed" kdf_alg[2] "B2" salt[32] opslimit_le[8] memlimit_le[8]
 *       keynum[8] sk[64] chk[32]        <- these 104 bytes XORed with scrypt output
 *       sk = seed[32] pk[32]; chk = BLAKE2b-256("Ed" keynum sk)
 *       kdf_alg "Sc": scrypt (libsodium's opslimit/memlimit, mapped to N, r, p
 *       as libsodium's pickparams does); kdf_alg "\0\0": not encrypted.
 *
 * The key id is printed as minisign does: the keynum as a little-endian
 * 64-bit number in 16 upper-case hex digits.
 */
#define OB_MINISIGN_KEYNUM_LEN 8
#define OB_ED25519_SEED_LEN 32
#define OB_ED25519_PK_LEN 32
#define OB_ED25519_SIG_LEN 64
#define OB_MINISIGN_KEYID_LEN 16             /* hex digits, without the NUL */
#define OB_MINISIGN_UNTRUSTED_MAX 1000       /* bytes of an untrusted comment (minisign reads 1024 per line) */
#define OB_MINISIGN_TRUSTED_MAX 8173         /* bytes of a trusted comment (minisign's limit) */
#define OB_MINISIGN_FILE_MAX 16384           /* bytes of a public key or signature file */
#define OB_MINISIGN_SECRET_FILE_MAX 4096     /* bytes of a secret key or passphrase file */
#define OB_MINISIGN_PASSPHRASE_MAX 1024      /* bytes of a passphrase */
#define OB_MINISIGN_LEGACY_MAX (1 << 30)     /* bytes verified by a legacy "Ed" signature */
#define OB_MINISIGN_OPSLIMIT 33554432ULL     /* scrypt cost written by keygen: libsodium's */
#define OB_MINISIGN_MEMLIMIT 1073741824ULL   /* *_SENSITIVE values, as minisign uses */
#define OB_MINISIGN_SCRYPT_MEM_MAX (4ULL << 30) /* refuse keys needing more scrypt memory */
#define OB_MINISIGN_SCRYPT_P_MAX 64          /* ... or more scrypt parallelism */

/* A public key: what signer.pub holds. */
struct ob_minisign_pub {
	unsigned char keynum[OB_MINISIGN_KEYNUM_LEN];
	unsigned char pk[OB_ED25519_PK_LEN];
};

/* A secret key; opaque, lives in libgcrypt secure memory, wiped on free. */
struct ob_minisign_key;

/* What a signature file says, once parsed (not yet verified). */
struct ob_minisign_sig_info {
	unsigned char keynum[OB_MINISIGN_KEYNUM_LEN];
	bool prehashed;                               /* "ED" (true) or legacy "Ed" */
	char trusted_comment[OB_MINISIGN_TRUSTED_MAX + 1];
};

/* A new random key pair (keynum random too). */
int ob_minisign_generate(struct ob_minisign_key **key);

/* A key from a known seed and keynum (tests, RFC 8032 vectors). */
int ob_minisign_key_from_seed(const unsigned char seed[OB_ED25519_SEED_LEN],
			      const unsigned char keynum[OB_MINISIGN_KEYNUM_LEN],
			      struct ob_minisign_key **key);

/* Wipes and frees; accepts NULL and *key == NULL; sets *key to NULL. */
void ob_minisign_key_free(struct ob_minisign_key **key);

void ob_minisign_key_public(const struct ob_minisign_key *key, struct ob_minisign_pub *pub);

/* "517E7AD9A40F0D17": keynum as minisign prints it; out holds 17 bytes. */
void ob_minisign_keyid_hex(const unsigned char keynum[OB_MINISIGN_KEYNUM_LEN], char *out);

/*
 * Writes the secret key file: created O_EXCL | O_NOFOLLOW with mode 0600
 * under a temporary name, fsynced, then linked into place (or, with force,
 * renamed over an existing file).  With a passphrase (len > 0) the key is
 * encrypted as minisign does (scrypt, OB_MINISIGN_OPSLIMIT/MEMLIMIT: about
 * 1 GiB and a few seconds); with passphrase NULL it is stored unencrypted
 * (kdf "\0\0", as `minisign -G -W`).  Errors: OB_ERR_OUTPUT, naming path.
 */
int ob_minisign_save_secret(const struct ob_minisign_key *key, const char *path,
			    const char *passphrase, size_t passlen, bool force);

/* The public key file text ("untrusted comment: minisign public key ID\n..."),
 * NUL-terminated, malloc'd, for writing or bundling. */
int ob_minisign_public_text(const struct ob_minisign_pub *pub, char **text, size_t *len);

/* Writes the public key file atomically (mode 0644); without force an
 * existing file is an error. */
int ob_minisign_save_public(const struct ob_minisign_pub *pub, const char *path, bool force);

/*
 * Loads a secret key file.  Refuses a file that is not a regular file, is a
 * symlink, or is readable or writable by group or others (as ssh does):
 * OB_ERR_INPUT "PATH: secret key is accessible by group or others (mode
 * 0644); run chmod 600 PATH".  An encrypted key needs the passphrase
 * (OB_ERR_INPUT "... is passphrase-protected" when passphrase is NULL; "wrong
 * passphrase" when the checksum does not match).
 */
int ob_minisign_load_secret(const char *path, const char *passphrase, size_t passlen,
			    struct ob_minisign_key **key);

/* ob_minisign_load_secret() with the passphrase read from the first line of
 * passfile (NULL: none), as --key and --passphrase-file give them. */
int ob_minisign_load_secret_with(const char *path, const char *passfile, struct ob_minisign_key **key);

/* Whether the secret key file at path is passphrase-protected (same checks
 * on mode as ob_minisign_load_secret). */
int ob_minisign_secret_encrypted(const char *path, bool *encrypted);

/*
 * Reads a passphrase from the first line of a file (trailing "\n" or "\r\n"
 * removed) into secure memory.  Empty passphrases are refused.  Free with
 * ob_minisign_passphrase_free().
 */
int ob_minisign_read_passphrase(const char *path, char **pass, size_t *len);
void ob_minisign_passphrase_free(char **pass, size_t len);
/*
 * In a forked job process: locks the key's pages in memory again (memory
 * locks are not inherited across fork(2), so libgcrypt's locked pool is
 * swappable in a child) and makes the process undumpable, so that a crash
 * on a hostile input leaves no core file holding the key.
 * Errors: OB_ERR_INTERNAL naming the cause (mlock limit, prctl).
 */
int ob_minisign_key_protect(const struct ob_minisign_key *k);

/* size zeroed bytes of secure memory for a passphrase typed in; NULL if none left. */
char *ob_minisign_passphrase_alloc(size_t size);

/* Parses a public key file's text, or loads one.  Errors: OB_ERR_INPUT. */
int ob_minisign_parse_public(const char *text, size_t len, struct ob_minisign_pub *pub);
int ob_minisign_load_public(const char *path, struct ob_minisign_pub *pub);

/*
 * Signs msg (or the file at path, streamed) and returns the whole signature
 * file text, NUL-terminated and malloc'd, in *sig.  Always prehashed ("ED").
 * untrusted_comment NULL gives "signature from obscura secret key".  Comments
 * must be one line (no CR/LF) within the limits above.
 */
int ob_minisign_sign_buf(const struct ob_minisign_key *key, const void *msg, size_t len,
			 const char *untrusted_comment, const char *trusted_comment, char **sig,
			 size_t *siglen);
int ob_minisign_sign_file(const struct ob_minisign_key *key, const char *path,
			  const char *untrusted_comment, const char *trusted_comment, char **sig,
			  size_t *siglen);

/* Parses a signature file's text without verifying it. */
int ob_minisign_parse_sig(const char *sig, size_t siglen, struct ob_minisign_sig_info *info);

/*
 * Verifies a signature file's text against msg (or the file at path) and
 * pub: the key ids must match, the signature over the (prehashed) message
 * and the global signature over signature || trusted comment must both hold.
 * Legacy "Ed" signatures are accepted.  info (may be NULL) receives what the
 * signature says.  Errors: OB_ERR_INPUT with one of "signature file is
 * malformed: ...", "signed by key X, not by key Y", "signature does not
 * match", "trusted comment signature does not match".
 */
int ob_minisign_verify_buf(const struct ob_minisign_pub *pub, const void *msg, size_t len,
			   const char *sig, size_t siglen, struct ob_minisign_sig_info *info);
int ob_minisign_verify_file(const struct ob_minisign_pub *pub, const char *path, const char *sig,
			    size_t siglen, struct ob_minisign_sig_info *info);

/* Plain Ed25519 (RFC 8032), used by the above and by the tests. */
int ob_ed25519_public(const unsigned char seed[OB_ED25519_SEED_LEN],
		      unsigned char pk[OB_ED25519_PK_LEN]);
int ob_ed25519_sign(const unsigned char seed[OB_ED25519_SEED_LEN],
		    const unsigned char pk[OB_ED25519_PK_LEN], const void *msg, size_t len,
		    unsigned char sig[OB_ED25519_SIG_LEN]);
/* 0 if sig is valid, OB_ERR_INPUT if not. */
int ob_ed25519_verify(const unsigned char pk[OB_ED25519_PK_LEN], const void *msg, size_t len,
		      const unsigned char sig[OB_ED25519_SIG_LEN]);

#endif

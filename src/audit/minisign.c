/* SPDX-License-Identifier: MIT */
/* minisign.c - minisign-compatible Ed25519 keys and signatures on top of libgcrypt. */
#include "obscura/minisign.h"

#include <errno.h>
#include <fcntl.h>
#include <gcrypt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/hash.h"
#include "obscura/banned.h"

#define SIGALG "Ed"
#define SIGALG_HASHED "ED"
#define KDFALG "Sc"
#define KDFNONE "\0\0"
#define CHKALG "B2"
#define COMMENT_PREFIX "untrusted comment: "
#define TRUSTED_PREFIX "trusted comment: "
#define DEFAULT_SIG_COMMENT "signature from obscura secret key"
#define SECKEY_COMMENT "minisign encrypted secret key"
#define SALT_LEN 32
#define CHK_LEN 32
#define SK_LEN (OB_ED25519_SEED_LEN + OB_ED25519_PK_LEN)
#define PUB_BIN_LEN (2 + OB_MINISIGN_KEYNUM_LEN + OB_ED25519_PK_LEN)  /* 42 */
#define SIG_BIN_LEN (2 + OB_MINISIGN_KEYNUM_LEN + OB_ED25519_SIG_LEN) /* 74 */
/* Offsets in the 158-byte secret key structure. */
#define SK_OFF_KDF 2
#define SK_OFF_CHKALG 4
#define SK_OFF_SALT 6
#define SK_OFF_OPS (SK_OFF_SALT + SALT_LEN)
#define SK_OFF_MEM (SK_OFF_OPS + 8)
#define SK_OFF_KEYNUM (SK_OFF_MEM + 8)
#define SK_OFF_SK (SK_OFF_KEYNUM + OB_MINISIGN_KEYNUM_LEN)
#define SK_OFF_CHK (SK_OFF_SK + SK_LEN)
#define SECKEY_BIN_LEN (SK_OFF_CHK + CHK_LEN) /* 158 */
#define SK_ENC_LEN (SECKEY_BIN_LEN - SK_OFF_KEYNUM) /* 104: keynum sk chk */
#define B64_LEN(n) ((((n) + 2) / 3) * 4)

struct ob_minisign_key {
	unsigned char keynum[OB_MINISIGN_KEYNUM_LEN];
	unsigned char seed[OB_ED25519_SEED_LEN];
	unsigned char pk[OB_ED25519_PK_LEN];
};

/* ---- base64 (RFC 4648, padded), as minisign writes it ---- */

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* out must hold B64_LEN(len) + 1 bytes. */
static void b64_encode(const unsigned char *in, size_t len, char *out)
{
	size_t i, o = 0;

	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		out[o++] = b64chars[v >> 18 & 63];
		out[o++] = b64chars[v >> 12 & 63];
		out[o++] = b64chars[v >> 6 & 63];
		out[o++] = b64chars[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0);

		out[o++] = b64chars[v >> 18 & 63];
		out[o++] = b64chars[v >> 12 & 63];
		out[o++] = i + 1 < len ? b64chars[v >> 6 & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
}

static int b64val(char c)
{
	const char *p = c ? strchr(b64chars, c) : NULL;

	return p ? (int)(p - b64chars) : -1;
}

/* Decodes exactly want bytes from the n characters at in; false if malformed or another size. */
static bool b64_decode(const char *in, size_t n, unsigned char *out, size_t want)
{
	size_t o = 0;

	if (n != B64_LEN(want))
		return false;
	for (size_t i = 0; i < n; i += 4) {
		int v[4];
		uint32_t w = 0;
		int pad = 0;

		for (int k = 0; k < 4; k++) {
			if (in[i + k] == '=' && i + 4 == n && k >= 2) {
				v[k] = 0;
				pad++;
				continue;
			}
			if (pad)
				return false; /* data after padding */
			v[k] = b64val(in[i + k]);
			if (v[k] < 0)
				return false;
		}
		w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
		for (int k = 0; k < 3 - pad; k++) {
			if (o >= want)
				return false;
			out[o++] = (unsigned char)(w >> (16 - 8 * k));
		}
	}
	return o == want;
}

/* ---- small helpers ---- */

static void le64_store(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t le64_load(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

void ob_minisign_keyid_hex(const unsigned char keynum[OB_MINISIGN_KEYNUM_LEN], char *out)
{
	snprintf(out, OB_MINISIGN_KEYID_LEN + 1, "%016" PRIX64, le64_load(keynum));
}

static bool one_line(const char *s)
{
	return !strchr(s, '\n') && !strchr(s, '\r');
}

/*
 * Splits text into lines: line[i] points into text, len[i] excludes "\n" and
 * a trailing "\r".  Returns the number of lines found (at most max); *rest is
 * set to true if non-blank text follows the last line taken.
 */
static size_t split_lines(const char *text, size_t n, const char **line, size_t *len, size_t max,
			  bool *rest)
{
	size_t pos = 0, k = 0;

	*rest = false;
	while (pos < n && k < max) {
		const char *nl = memchr(text + pos, '\n', n - pos);
		size_t l = nl ? (size_t)(nl - (text + pos)) : n - pos;

		line[k] = text + pos;
		len[k] = l;
		if (l && text[pos + l - 1] == '\r')
			len[k]--;
		k++;
		pos += l + (nl ? 1 : 0);
	}
	for (; pos < n; pos++)
		if (text[pos] != '\n' && text[pos] != '\r' && text[pos] != ' ' && text[pos] != '\t')
			*rest = true;
	return k;
}

/* ---- Ed25519 with libgcrypt ---- */

int ob_ed25519_public(const unsigned char seed[OB_ED25519_SEED_LEN],
		      unsigned char pk[OB_ED25519_PK_LEN])
{
	gcry_sexp_t skey = NULL;
	gcry_ctx_t ctx = NULL;
	gcry_mpi_t q = NULL;
	const unsigned char *qb;
	unsigned int nbits = 0;
	int ret;

	ret = ob_crypto_init();
	if (ret)
		return ret;
	if (gcry_sexp_build(&skey, NULL, "(private-key(ecc(curve Ed25519)(flags eddsa)(d %b)))",
			    OB_ED25519_SEED_LEN, seed) ||
	    gcry_mpi_ec_new(&ctx, skey, NULL)) {
		ret = ob_err(OB_ERR_INTERNAL, "libgcrypt: cannot load an Ed25519 key");
		goto out;
	}
	q = gcry_mpi_ec_get_mpi("q@eddsa", ctx, 1);
	qb = q ? gcry_mpi_get_opaque(q, &nbits) : NULL;
	if (!qb || (nbits + 7) / 8 != OB_ED25519_PK_LEN) {
		ret = ob_err(OB_ERR_INTERNAL, "libgcrypt: cannot derive an Ed25519 public key");
		goto out;
	}
	memcpy(pk, qb, OB_ED25519_PK_LEN);
out:
	gcry_mpi_release(q);
	gcry_ctx_release(ctx);
	gcry_sexp_release(skey);
	return ret;
}

/* Copies the value of token name inside sexp into out, which must be exactly n bytes. */
static bool sexp_bytes(gcry_sexp_t sexp, const char *name, unsigned char *out, size_t n)
{
	gcry_sexp_t t = gcry_sexp_find_token(sexp, name, 0);
	const char *d;
	size_t len = 0;
	bool ok = false;

	if (!t)
		return false;
	d = gcry_sexp_nth_data(t, 1, &len);
	if (d && len == n) {
		memcpy(out, d, n);
		ok = true;
	}
	gcry_sexp_release(t);
	return ok;
}

/* The message as both signing and verification must present it: pure
 * Ed25519 (no prehash; libgcrypt names SHA-512 as the scheme's hash). */
static gcry_error_t eddsa_message(gcry_sexp_t *data, const void *msg, size_t len)
{
	return gcry_sexp_build(data, NULL, "(data(flags eddsa)(hash-algo sha512)(value %b))", (int)len,
			       len ? msg : "");
}

/* What signing and verifying both hand libgcrypt: our key (secret when seed
 * is given, in secure memory like the seed; public otherwise) and the
 * message.  Both then release what is built, set or not. */
static int eddsa_request(const unsigned char *seed, const unsigned char pk[OB_ED25519_PK_LEN], const void *msg,
			 size_t len, gcry_sexp_t *key, gcry_sexp_t *data)
{
	int ret = ob_crypto_init();
	gcry_error_t e;

	if (ret)
		return ret;
	if (seed)
		e = gcry_sexp_build(key, NULL, "(private-key(ecc(curve Ed25519)(flags eddsa)(q %b)(d %b)))",
				    OB_ED25519_PK_LEN, pk, OB_ED25519_SEED_LEN, seed);
	else
		e = gcry_sexp_build(key, NULL, "(public-key(ecc(curve Ed25519)(flags eddsa)(q %b)))",
				    OB_ED25519_PK_LEN, pk);
	if (e || eddsa_message(data, msg, len))
		return ob_err(OB_ERR_INTERNAL, "libgcrypt: cannot build an Ed25519 %s request",
			      seed ? "signing" : "verification");
	return 0;
}

int ob_ed25519_sign(const unsigned char seed[OB_ED25519_SEED_LEN],
		    const unsigned char pk[OB_ED25519_PK_LEN], const void *msg, size_t len,
		    unsigned char sig[OB_ED25519_SIG_LEN])
{
	gcry_sexp_t skey = NULL, data = NULL, s = NULL;
	int ret = eddsa_request(seed, pk, msg, len, &skey, &data);

	if (!ret && (gcry_pk_sign(&s, data, skey) || !sexp_bytes(s, "r", sig, 32) ||
		     !sexp_bytes(s, "s", sig + 32, 32)))
		ret = ob_err(OB_ERR_INTERNAL, "libgcrypt: Ed25519 signing failed");
	gcry_sexp_release(s);
	gcry_sexp_release(data);
	gcry_sexp_release(skey);
	return ret;
}

int ob_ed25519_verify(const unsigned char pk[OB_ED25519_PK_LEN], const void *msg, size_t len,
		      const unsigned char sig[OB_ED25519_SIG_LEN])
{
	gcry_sexp_t pkey = NULL, data = NULL, s = NULL;
	int ret = eddsa_request(NULL, pk, msg, len, &pkey, &data);

	if (!ret && gcry_sexp_build(&s, NULL, "(sig-val(eddsa(r %b)(s %b)))", 32, sig, 32, sig + 32))
		ret = ob_err(OB_ERR_INTERNAL, "libgcrypt: cannot build an Ed25519 verification request");
	if (!ret && gcry_pk_verify(s, data, pkey))
		ret = ob_err(OB_ERR_INPUT, "Ed25519 signature does not match");
	gcry_sexp_release(s);
	gcry_sexp_release(data);
	gcry_sexp_release(pkey);
	return ret;
}

/* ---- keys ---- */

/* A zeroed key in secure memory, or NULL with the error message set. */
static struct ob_minisign_key *key_alloc(void)
{
	struct ob_minisign_key *k;

	if (ob_crypto_init())
		return NULL;
	k = gcry_calloc_secure(1, sizeof(*k));
	if (!k)
		ob_err(OB_ERR_NOMEM, "out of secure memory");
	return k;
}

int ob_minisign_key_protect(const struct ob_minisign_key *k)
{
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		return ob_err(OB_ERR_INTERNAL, "prctl(PR_SET_DUMPABLE): %s", strerror(errno));
	if (mlock(k, sizeof(*k)) != 0)
		return ob_err(OB_ERR_INTERNAL, "mlock of the signing key: %s (see ulimit -l)", strerror(errno));
	return 0;
}

void ob_minisign_key_free(struct ob_minisign_key **key)
{
	if (!key || !*key)
		return;
	ob_wipe(*key, sizeof(**key));
	gcry_free(*key);
	*key = NULL;
}

int ob_minisign_key_from_seed(const unsigned char seed[OB_ED25519_SEED_LEN],
			      const unsigned char keynum[OB_MINISIGN_KEYNUM_LEN],
			      struct ob_minisign_key **key)
{
	struct ob_minisign_key *k = key_alloc();
	int ret;

	if (!k)
		return OB_ERR_NOMEM;
	memcpy(k->seed, seed, OB_ED25519_SEED_LEN);
	memcpy(k->keynum, keynum, OB_MINISIGN_KEYNUM_LEN);
	ret = ob_ed25519_public(k->seed, k->pk);
	if (ret) {
		ob_minisign_key_free(&k);
		return ret;
	}
	*key = k;
	return 0;
}

int ob_minisign_generate(struct ob_minisign_key **key)
{
	struct ob_minisign_key *k = key_alloc();
	int ret;

	if (!k)
		return OB_ERR_NOMEM;
	gcry_randomize(k->seed, sizeof(k->seed), GCRY_VERY_STRONG_RANDOM);
	gcry_randomize(k->keynum, sizeof(k->keynum), GCRY_STRONG_RANDOM);
	ret = ob_ed25519_public(k->seed, k->pk);
	if (ret) {
		ob_minisign_key_free(&k);
		return ret;
	}
	*key = k;
	return 0;
}

void ob_minisign_key_public(const struct ob_minisign_key *key, struct ob_minisign_pub *pub)
{
	memcpy(pub->keynum, key->keynum, sizeof(pub->keynum));
	memcpy(pub->pk, key->pk, sizeof(pub->pk));
}

/* BLAKE2b-256 ("B2") over sig_alg keynum sk, minisign's secret key checksum. */
static int seckey_chk(const unsigned char *bin, unsigned char chk[CHK_LEN])
{
	gcry_md_hd_t md;

	if (gcry_md_open(&md, GCRY_MD_BLAKE2B_256, GCRY_MD_FLAG_SECURE))
		return ob_err(OB_ERR_INTERNAL, "libgcrypt: cannot open BLAKE2b-256");
	gcry_md_write(md, bin, 2);
	gcry_md_write(md, bin + SK_OFF_KEYNUM, OB_MINISIGN_KEYNUM_LEN + SK_LEN);
	memcpy(chk, gcry_md_read(md, GCRY_MD_BLAKE2B_256), CHK_LEN);
	gcry_md_close(md);
	return 0;
}

/* libsodium's pickparams(): scrypt N, r, p from opslimit and memlimit. */
static void pickparams(uint64_t opslimit, uint64_t memlimit, uint64_t *N, uint32_t *r, uint32_t *p)
{
	uint64_t maxN, maxrp;
	uint32_t n_log2;

	if (opslimit < 32768)
		opslimit = 32768;
	*r = 8;
	if (opslimit < memlimit / 32) {
		*p = 1;
		maxN = opslimit / (*r * 4);
	} else {
		maxN = memlimit / ((uint64_t)*r * 128);
	}
	for (n_log2 = 1; n_log2 < 63; n_log2++)
		if ((uint64_t)1 << n_log2 > maxN / 2)
			break;
	if (!(opslimit < memlimit / 32)) {
		maxrp = (opslimit / 4) / ((uint64_t)1 << n_log2);
		if (maxrp > 0x3fffffff)
			maxrp = 0x3fffffff;
		*p = (uint32_t)maxrp / *r;
	}
	*N = (uint64_t)1 << n_log2;
}

/* XORs the 104 encrypted bytes of bin with scrypt(passphrase, salt). */
static int scrypt_xor(unsigned char *bin, const char *pass, size_t passlen)
{
	uint64_t N;
	uint32_t r, p;
	unsigned char *stream;
	int ret = 0;

	pickparams(le64_load(bin + SK_OFF_OPS), le64_load(bin + SK_OFF_MEM), &N, &r, &p);
	if (p == 0 || p > OB_MINISIGN_SCRYPT_P_MAX || N > (1ULL << 30) ||
	    N * r * 128 > OB_MINISIGN_SCRYPT_MEM_MAX)
		return ob_err(OB_ERR_LIMIT, "scrypt parameters (N=%" PRIu64 ", r=%u, p=%u) beyond limits", N,
			      r, p);
	stream = gcry_malloc_secure(SK_ENC_LEN);
	if (!stream)
		return ob_err(OB_ERR_NOMEM, "out of secure memory");
	/* libgcrypt's scrypt: subalgo is N, iterations is p, r is fixed at 8. */
	if (gcry_kdf_derive(pass, passlen, GCRY_KDF_SCRYPT, (int)N, bin + SK_OFF_SALT, SALT_LEN, p,
			    SK_ENC_LEN, stream)) {
		ret = ob_err(OB_ERR_INTERNAL, "libgcrypt: scrypt failed (out of memory?)");
		goto out;
	}
	for (size_t i = 0; i < SK_ENC_LEN; i++)
		bin[SK_OFF_KEYNUM + i] ^= stream[i];
out:
	ob_wipe(stream, SK_ENC_LEN);
	gcry_free(stream);
	return ret;
}

/* Writes len bytes of secret text to path: O_EXCL temporary, 0600, fsync, link or rename. */
static int write_secret_file(const char *path, const char *text, size_t len, bool force)
{
	char tmp[OB_PATH_MAX];
	int fd = -1, ret;

	ret = ob_atomic_tmpname(path, tmp, sizeof(tmp));
	if (ret)
		return ret;
	unlink(tmp); /* a leftover of a crashed run with our pid */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return ob_err(OB_ERR_OUTPUT, "%s: %s", path, strerror(errno));
	if (fchmod(fd, 0600) < 0) {
		ret = ob_err(OB_ERR_OUTPUT, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (ob_write_full(fd, text, len) < 0) {
		ret = ob_err(OB_ERR_OUTPUT, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		ret = ob_err(OB_ERR_OUTPUT, "%s: %s", path, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (force) {
		ret = ob_atomic_commit(tmp, path);
		if (ret)
			goto fail;
		return 0;
	}
	/* link() refuses to replace an existing key, atomically. */
	if (link(tmp, path) < 0) {
		ret = ob_err(OB_ERR_OUTPUT, "%s: %s", path,
			     errno == EEXIST ? "already exists (use --force to replace it)" : strerror(errno));
		goto fail;
	}
	unlink(tmp);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return ret;
}

int ob_minisign_save_secret(const struct ob_minisign_key *key, const char *path,
			    const char *passphrase, size_t passlen, bool force)
{
	const size_t textsize = sizeof(COMMENT_PREFIX SECKEY_COMMENT "\n") + B64_LEN(SECKEY_BIN_LEN) + 2;
	unsigned char *bin = NULL;
	char *text = NULL;
	size_t n;
	int ret;

	ret = ob_crypto_init();
	if (ret)
		return ret;
	bin = gcry_calloc_secure(1, SECKEY_BIN_LEN);
	text = gcry_calloc_secure(1, textsize);
	if (!bin || !text) {
		ret = ob_err(OB_ERR_NOMEM, "out of secure memory");
		goto out;
	}
	memcpy(bin, SIGALG, 2);
	memcpy(bin + SK_OFF_KDF, passphrase ? KDFALG : KDFNONE, 2);
	memcpy(bin + SK_OFF_CHKALG, CHKALG, 2);
	memcpy(bin + SK_OFF_KEYNUM, key->keynum, OB_MINISIGN_KEYNUM_LEN);
	memcpy(bin + SK_OFF_SK, key->seed, OB_ED25519_SEED_LEN);
	memcpy(bin + SK_OFF_SK + OB_ED25519_SEED_LEN, key->pk, OB_ED25519_PK_LEN);
	ret = seckey_chk(bin, bin + SK_OFF_CHK);
	if (ret)
		goto out;
	if (passphrase) {
		if (passlen == 0 || passlen > OB_MINISIGN_PASSPHRASE_MAX) {
			ret = ob_err(OB_ERR_USAGE, "the passphrase must be 1 to %d bytes",
				     OB_MINISIGN_PASSPHRASE_MAX);
			goto out;
		}
		gcry_randomize(bin + SK_OFF_SALT, SALT_LEN, GCRY_STRONG_RANDOM);
		le64_store(bin + SK_OFF_OPS, OB_MINISIGN_OPSLIMIT);
		le64_store(bin + SK_OFF_MEM, OB_MINISIGN_MEMLIMIT);
		ret = scrypt_xor(bin, passphrase, passlen);
		if (ret)
			goto out;
	}
	n = (size_t)snprintf(text, textsize, "%s%s\n", COMMENT_PREFIX, SECKEY_COMMENT);
	b64_encode(bin, SECKEY_BIN_LEN, text + n);
	n += B64_LEN(SECKEY_BIN_LEN);
	text[n++] = '\n';
	ret = write_secret_file(path, text, n, force);
out:
	ob_wipe(bin, SECKEY_BIN_LEN);
	ob_wipe(text, textsize);
	gcry_free(bin);
	gcry_free(text);
	return ret;
}

int ob_minisign_public_text(const struct ob_minisign_pub *pub, char **text, size_t *len)
{
	unsigned char bin[PUB_BIN_LEN];
	char id[OB_MINISIGN_KEYID_LEN + 1];
	size_t size = sizeof(COMMENT_PREFIX "minisign public key \n") + OB_MINISIGN_KEYID_LEN +
		      B64_LEN(PUB_BIN_LEN) + 2;
	char *t;
	size_t n;

	*text = NULL;
	t = malloc(size);
	if (!t)
		return ob_err(OB_ERR_NOMEM, "out of memory");
	memcpy(bin, SIGALG, 2);
	memcpy(bin + 2, pub->keynum, OB_MINISIGN_KEYNUM_LEN);
	memcpy(bin + 2 + OB_MINISIGN_KEYNUM_LEN, pub->pk, OB_ED25519_PK_LEN);
	ob_minisign_keyid_hex(pub->keynum, id);
	n = (size_t)snprintf(t, size, "%sminisign public key %s\n", COMMENT_PREFIX, id);
	b64_encode(bin, PUB_BIN_LEN, t + n);
	n += B64_LEN(PUB_BIN_LEN);
	t[n++] = '\n';
	t[n] = '\0';
	*text = t;
	if (len)
		*len = n;
	return 0;
}

int ob_minisign_save_public(const struct ob_minisign_pub *pub, const char *path, bool force)
{
	char *text = NULL;
	size_t len;
	int ret;

	if (!force && access(path, F_OK) == 0)
		return ob_err(OB_ERR_OUTPUT, "%s: already exists (use --force to replace it)", path);
	ret = ob_minisign_public_text(pub, &text, &len);
	if (ret)
		return ret;
	ret = ob_write_file_atomic(path, text, len, 0644);
	free(text);
	return ret;
}

int ob_minisign_parse_public(const char *text, size_t len, struct ob_minisign_pub *pub)
{
	unsigned char bin[PUB_BIN_LEN];
	const char *line[2];
	size_t ll[2];
	bool rest;

	if (split_lines(text, len, line, ll, 2, &rest) != 2 || rest)
		return ob_err(OB_ERR_INPUT, "public key: expected a comment line and a key line");
	if (!b64_decode(line[1], ll[1], bin, sizeof(bin)))
		return ob_err(OB_ERR_INPUT, "public key: not a minisign public key (bad base64)");
	if (memcmp(bin, SIGALG, 2))
		return ob_err(OB_ERR_INPUT, "public key: unsupported signature algorithm");
	memcpy(pub->keynum, bin + 2, OB_MINISIGN_KEYNUM_LEN);
	memcpy(pub->pk, bin + 2 + OB_MINISIGN_KEYNUM_LEN, OB_ED25519_PK_LEN);
	return 0;
}

int ob_minisign_load_public(const char *path, struct ob_minisign_pub *pub)
{
	char *text = NULL;
	size_t len;
	int ret;

	ret = ob_read_file(path, OB_MINISIGN_FILE_MAX, &text, &len);
	if (ret)
		return ret;
	ret = ob_minisign_parse_public(text, len, pub);
	if (ret) {
		char why[OB_ERRMSG_MAX];

		snprintf(why, sizeof(why), "%s", ob_errmsg() + strlen("public key: "));
		ob_err(ret, "%s: %s", path, why);
	}
	free(text);
	return ret;
}

/* Reads a file that holds secrets into secure memory; fd must be open. */
static int read_secret_fd(int fd, const char *path, char **out, size_t *outlen)
{
	char *buf = gcry_malloc_secure(OB_MINISIGN_SECRET_FILE_MAX + 1);
	ssize_t n;
	size_t got;

	*out = NULL;
	if (!buf)
		return ob_err(OB_ERR_NOMEM, "out of secure memory");
	n = ob_read_full(fd, buf, OB_MINISIGN_SECRET_FILE_MAX + 1);
	if (n < 0) {
		int e = errno;

		ob_wipe(buf, OB_MINISIGN_SECRET_FILE_MAX + 1); /* a failed read may have filled part */
		gcry_free(buf);
		return ob_err(OB_ERR_INPUT, "%s: %s", path, strerror(e));
	}
	got = (size_t)n;
	if (got > OB_MINISIGN_SECRET_FILE_MAX) {
		ob_wipe(buf, got);
		gcry_free(buf);
		return ob_err(OB_ERR_LIMIT, "%s: larger than %d bytes", path, OB_MINISIGN_SECRET_FILE_MAX);
	}
	buf[got] = '\0';
	*out = buf;
	*outlen = got;
	return 0;
}

/* A public key where the secret one is wanted (--key k.pub): say so, rather
 * than ask for a chmod 600 of a file meant to be public. */
static bool is_public_key(const char *path)
{
	struct ob_minisign_pub pub;

	return ob_minisign_load_public(path, &pub) == 0;
}

static int public_not_secret(const char *path)
{
	size_t n = strlen(path);

	if (n > 4 && !strcmp(path + n - 4, ".pub"))
		return ob_err(OB_ERR_INPUT, "%s: a public key, not a secret key (give %.*s.key, the file obscura "
			      "keygen wrote with it)", path, (int)(n - 4), path);
	return ob_err(OB_ERR_INPUT, "%s: a public key, not a secret key", path);
}

/* Opens a secret file refusing symlinks, non-regular files, files owned by
 * another user (not root) and loose modes. */
static int open_secret(const char *path, const char *what, int *fdp)
{
	struct stat st;
	int fd;

	*fdp = -1;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return ob_err(OB_ERR_INPUT, "%s: %s", path,
			      errno == ELOOP ? "is a symbolic link; give the real file" : strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ob_err(OB_ERR_INPUT, "%s: not a regular file", path);
	}
	/* As ssh does: a secret another user owns could have been put there by them. */
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		close(fd);
		return ob_err(OB_ERR_INPUT, "%s: %s is owned by uid %u, not by you (uid %u) or root",
			      path, what, (unsigned)st.st_uid, (unsigned)geteuid());
	}
	if (st.st_mode & 077) {
		close(fd);
		if (!strcmp(what, "secret key") && is_public_key(path))
			return public_not_secret(path);
		return ob_err(OB_ERR_INPUT,
			      "%s: %s is accessible by group or others (mode %04o); run chmod 600 %s",
			      path, what, (unsigned)(st.st_mode & 07777), path);
	}
	*fdp = fd;
	return 0;
}

/* Opens path as a secret (see open_secret) and reads it into secure memory. */
static int slurp_secret(const char *path, const char *what, char **text, size_t *len)
{
	int fd, ret;

	ret = ob_crypto_init();
	if (ret)
		return ret;
	ret = open_secret(path, what, &fd);
	if (ret)
		return ret;
	ret = read_secret_fd(fd, path, text, len);
	close(fd);
	return ret;
}

/* Loads and base64-decodes the secret key structure into secure memory bin. */
static int read_seckey_bin(const char *path, unsigned char *bin)
{
	const char *line[2];
	size_t ll[2], len = 0;
	char *text = NULL;
	bool rest;
	int ret;

	ret = slurp_secret(path, "secret key", &text, &len);
	if (ret)
		return ret;
	if (split_lines(text, len, line, ll, 2, &rest) != 2 || rest ||
	    !b64_decode(line[1], ll[1], bin, SECKEY_BIN_LEN)) {
		ret = is_public_key(path) ? public_not_secret(path)
					  : ob_err(OB_ERR_INPUT, "%s: not a minisign secret key", path);
		goto out;
	}
	if (memcmp(bin, SIGALG, 2)) {
		ret = ob_err(OB_ERR_INPUT, "%s: unsupported signature algorithm", path);
		goto out;
	}
	if (memcmp(bin + SK_OFF_CHKALG, CHKALG, 2)) {
		ret = ob_err(OB_ERR_INPUT, "%s: unsupported checksum algorithm", path);
		goto out;
	}
	if (memcmp(bin + SK_OFF_KDF, KDFALG, 2) && memcmp(bin + SK_OFF_KDF, KDFNONE, 2)) {
		ret = ob_err(OB_ERR_INPUT, "%s: unsupported key derivation function", path);
		goto out;
	}
out:
	ob_wipe(text, len);
	gcry_free(text);
	return ret;
}

int ob_minisign_secret_encrypted(const char *path, bool *encrypted)
{
	unsigned char *bin;
	int ret;

	ret = ob_crypto_init();
	if (ret)
		return ret;
	bin = gcry_malloc_secure(SECKEY_BIN_LEN);
	if (!bin)
		return ob_err(OB_ERR_NOMEM, "out of secure memory");
	ret = read_seckey_bin(path, bin);
	if (!ret)
		*encrypted = !memcmp(bin + SK_OFF_KDF, KDFALG, 2);
	ob_wipe(bin, SECKEY_BIN_LEN);
	gcry_free(bin);
	return ret;
}

int ob_minisign_load_secret(const char *path, const char *passphrase, size_t passlen,
			    struct ob_minisign_key **key)
{
	static const unsigned char zero[CHK_LEN];
	unsigned char *bin = NULL, chk[CHK_LEN];
	struct ob_minisign_key *k = NULL;
	int ret;

	*key = NULL;
	k = key_alloc();
	if (!k)
		return OB_ERR_NOMEM;
	bin = gcry_malloc_secure(SECKEY_BIN_LEN);
	if (!bin) {
		ret = ob_err(OB_ERR_NOMEM, "out of secure memory");
		goto out;
	}
	ret = read_seckey_bin(path, bin);
	if (ret)
		goto out;
	if (!memcmp(bin + SK_OFF_KDF, KDFALG, 2)) {
		if (!passphrase) {
			ret = ob_err(OB_ERR_INPUT, "%s: secret key is passphrase-protected; give its passphrase",
				     path);
			goto out;
		}
		ret = scrypt_xor(bin, passphrase, passlen);
		if (ret)
			goto out;
		ret = seckey_chk(bin, chk);
		if (ret)
			goto out;
		if (!ob_memeq_ct(chk, bin + SK_OFF_CHK, CHK_LEN)) {
			ret = ob_err(OB_ERR_INPUT, "%s: wrong passphrase for this secret key", path);
			goto out;
		}
	} else {
		/* minisign -W leaves the checksum zero; one we wrote must match. */
		ret = seckey_chk(bin, chk);
		if (ret)
			goto out;
		if (!ob_memeq_ct(bin + SK_OFF_CHK, zero, CHK_LEN) &&
		    !ob_memeq_ct(chk, bin + SK_OFF_CHK, CHK_LEN)) {
			ret = ob_err(OB_ERR_INPUT, "%s: secret key checksum does not match (corrupt key)",
				     path);
			goto out;
		}
	}
	memcpy(k->keynum, bin + SK_OFF_KEYNUM, OB_MINISIGN_KEYNUM_LEN);
	memcpy(k->seed, bin + SK_OFF_SK, OB_ED25519_SEED_LEN);
	ret = ob_ed25519_public(k->seed, k->pk);
	if (ret)
		goto out;
	if (!ob_memeq_ct(k->pk, bin + SK_OFF_SK + OB_ED25519_SEED_LEN, OB_ED25519_PK_LEN)) {
		ret = ob_err(OB_ERR_INPUT, "%s: secret and public halves of the key do not match", path);
		goto out;
	}
	*key = k;
	k = NULL;
out:
	ob_wipe(chk, sizeof(chk));
	if (bin)
		ob_wipe(bin, SECKEY_BIN_LEN);
	gcry_free(bin);
	ob_minisign_key_free(&k);
	return ret;
}

int ob_minisign_read_passphrase(const char *path, char **pass, size_t *len)
{
	char *text = NULL, *nl;
	size_t n = 0;
	int ret;

	*pass = NULL;
	*len = 0;
	ret = slurp_secret(path, "passphrase file", &text, &n);
	if (ret)
		return ret;
	nl = memchr(text, '\n', n);
	if (nl)
		*nl = '\0';
	n = strlen(text);
	if (n && text[n - 1] == '\r')
		text[--n] = '\0';
	if (n == 0 || n > OB_MINISIGN_PASSPHRASE_MAX) {
		ob_minisign_passphrase_free(&text, OB_MINISIGN_SECRET_FILE_MAX);
		return ob_err(OB_ERR_INPUT, "%s: the passphrase must be 1 to %d bytes on the first line",
			      path, OB_MINISIGN_PASSPHRASE_MAX);
	}
	*pass = text;
	*len = n;
	return 0;
}

char *ob_minisign_passphrase_alloc(size_t size)
{
	char *p;

	if (ob_crypto_init())
		return NULL;
	p = gcry_calloc_secure(1, size);
	if (!p)
		ob_err(OB_ERR_NOMEM, "out of secure memory");
	return p;
}

void ob_minisign_passphrase_free(char **pass, size_t len)
{
	if (!pass || !*pass)
		return;
	ob_wipe(*pass, len);
	gcry_free(*pass); /* libgcrypt also wipes secure memory on free */
	*pass = NULL;
}

/* ---- signatures ---- */

struct sig_parsed {
	unsigned char bin[SIG_BIN_LEN];          /* alg keynum sig */
	unsigned char global[OB_ED25519_SIG_LEN];
	const char *trusted;                     /* points into the text */
	size_t trusted_len;
};

static int parse_sig(const char *text, size_t n, struct sig_parsed *p)
{
	const char *line[4];
	size_t ll[4];
	bool rest;
	const size_t cpre = strlen(COMMENT_PREFIX), tpre = strlen(TRUSTED_PREFIX);

	if (split_lines(text, n, line, ll, 4, &rest) != 4 || rest)
		return ob_err(OB_ERR_INPUT, "signature file is malformed: expected 4 lines");
	if (ll[0] < cpre || memcmp(line[0], COMMENT_PREFIX, cpre))
		return ob_err(OB_ERR_INPUT, "signature file is malformed: no untrusted comment line");
	if (!b64_decode(line[1], ll[1], p->bin, SIG_BIN_LEN))
		return ob_err(OB_ERR_INPUT, "signature file is malformed: bad signature line");
	if (memcmp(p->bin, SIGALG, 2) && memcmp(p->bin, SIGALG_HASHED, 2))
		return ob_err(OB_ERR_INPUT, "signature file is malformed: unsupported signature algorithm");
	if (ll[2] < tpre || memcmp(line[2], TRUSTED_PREFIX, tpre))
		return ob_err(OB_ERR_INPUT, "signature file is malformed: no trusted comment line");
	p->trusted = line[2] + tpre;
	p->trusted_len = ll[2] - tpre;
	if (p->trusted_len > OB_MINISIGN_TRUSTED_MAX)
		return ob_err(OB_ERR_LIMIT, "signature file is malformed: trusted comment too long");
	if (memchr(p->trusted, '\0', p->trusted_len))
		return ob_err(OB_ERR_INPUT, "signature file is malformed: NUL in trusted comment");
	if (!b64_decode(line[3], ll[3], p->global, OB_ED25519_SIG_LEN))
		return ob_err(OB_ERR_INPUT, "signature file is malformed: bad trusted comment signature");
	return 0;
}

static void fill_info(const struct sig_parsed *p, struct ob_minisign_sig_info *info)
{
	if (!info)
		return;
	memcpy(info->keynum, p->bin + 2, OB_MINISIGN_KEYNUM_LEN);
	info->prehashed = !memcmp(p->bin, SIGALG_HASHED, 2);
	memcpy(info->trusted_comment, p->trusted, p->trusted_len);
	info->trusted_comment[p->trusted_len] = '\0';
}

int ob_minisign_parse_sig(const char *sig, size_t siglen, struct ob_minisign_sig_info *info)
{
	struct sig_parsed p;
	int ret = parse_sig(sig, siglen, &p);

	if (!ret)
		fill_info(&p, info);
	return ret;
}

/* Signs the prehash and the trusted comment; builds the signature file text. */
static int sign_prehash(const struct ob_minisign_key *key, const unsigned char hash[OB_BLAKE2B512_LEN],
			const char *untrusted, const char *trusted, char **out, size_t *outlen)
{
	unsigned char bin[SIG_BIN_LEN], global[OB_ED25519_SIG_LEN];
	unsigned char *st = NULL;
	size_t tlen, size, n;
	char *text = NULL;
	int ret;

	*out = NULL;
	if (!untrusted)
		untrusted = DEFAULT_SIG_COMMENT;
	if (!trusted)
		trusted = "";
	tlen = strlen(trusted);
	if (!one_line(untrusted) || strlen(untrusted) > OB_MINISIGN_UNTRUSTED_MAX)
		return ob_err(OB_ERR_INTERNAL, "untrusted comment must be one line of at most %d bytes",
			      OB_MINISIGN_UNTRUSTED_MAX);
	if (!one_line(trusted) || tlen > OB_MINISIGN_TRUSTED_MAX)
		return ob_err(OB_ERR_INTERNAL, "trusted comment must be one line of at most %d bytes",
			      OB_MINISIGN_TRUSTED_MAX);
	memcpy(bin, SIGALG_HASHED, 2);
	memcpy(bin + 2, key->keynum, OB_MINISIGN_KEYNUM_LEN);
	ret = ob_ed25519_sign(key->seed, key->pk, hash, OB_BLAKE2B512_LEN, bin + 2 + OB_MINISIGN_KEYNUM_LEN);
	if (ret)
		return ret;
	st = malloc(OB_ED25519_SIG_LEN + tlen + 1);
	if (!st)
		return ob_err(OB_ERR_NOMEM, "out of memory");
	memcpy(st, bin + 2 + OB_MINISIGN_KEYNUM_LEN, OB_ED25519_SIG_LEN);
	memcpy(st + OB_ED25519_SIG_LEN, trusted, tlen);
	ret = ob_ed25519_sign(key->seed, key->pk, st, OB_ED25519_SIG_LEN + tlen, global);
	if (ret)
		goto out;
	size = strlen(COMMENT_PREFIX) + strlen(untrusted) + strlen(TRUSTED_PREFIX) + tlen +
	       B64_LEN(SIG_BIN_LEN) + B64_LEN(OB_ED25519_SIG_LEN) + 8;
	text = malloc(size);
	if (!text) {
		ret = ob_err(OB_ERR_NOMEM, "out of memory");
		goto out;
	}
	n = (size_t)snprintf(text, size, "%s%s\n", COMMENT_PREFIX, untrusted);
	b64_encode(bin, SIG_BIN_LEN, text + n);
	n += B64_LEN(SIG_BIN_LEN);
	n += (size_t)snprintf(text + n, size - n, "\n%s%s\n", TRUSTED_PREFIX, trusted);
	b64_encode(global, OB_ED25519_SIG_LEN, text + n);
	n += B64_LEN(OB_ED25519_SIG_LEN);
	text[n++] = '\n';
	text[n] = '\0';
	*out = text;
	if (outlen)
		*outlen = n;
out:
	free(st);
	return ret;
}

int ob_minisign_sign_buf(const struct ob_minisign_key *key, const void *msg, size_t len,
			 const char *untrusted_comment, const char *trusted_comment, char **sig,
			 size_t *siglen)
{
	unsigned char hash[OB_BLAKE2B512_LEN];
	int ret;

	*sig = NULL;
	ret = ob_hash_buffer(OB_HASH_BLAKE2B512, msg, len, hash);
	if (ret)
		return ret;
	return sign_prehash(key, hash, untrusted_comment, trusted_comment, sig, siglen);
}

int ob_minisign_sign_file(const struct ob_minisign_key *key, const char *path,
			  const char *untrusted_comment, const char *trusted_comment, char **sig,
			  size_t *siglen)
{
	unsigned char hash[OB_BLAKE2B512_LEN];
	int ret;

	*sig = NULL;
	ret = ob_blake2b512_file(path, OB_HASH_FILE_MAX, hash, NULL);
	if (ret)
		return ret;
	return sign_prehash(key, hash, untrusted_comment, trusted_comment, sig, siglen);
}

/* Verifies a parsed signature given the message hash (prehashed) or the message (legacy). */
static int verify_parsed(const struct ob_minisign_pub *pub, const struct sig_parsed *p,
			 const void *msg, size_t len)
{
	char want[OB_MINISIGN_KEYID_LEN + 1], got[OB_MINISIGN_KEYID_LEN + 1];
	const unsigned char *sig = p->bin + 2 + OB_MINISIGN_KEYNUM_LEN;
	unsigned char *st;
	int ret;

	if (memcmp(p->bin + 2, pub->keynum, OB_MINISIGN_KEYNUM_LEN)) {
		ob_minisign_keyid_hex(p->bin + 2, got);
		ob_minisign_keyid_hex(pub->keynum, want);
		return ob_err(OB_ERR_INPUT, "signed by key %s, not by key %s", got, want);
	}
	if (ob_ed25519_verify(pub->pk, msg, len, sig))
		return ob_err(OB_ERR_INPUT, "signature does not match");
	st = malloc(OB_ED25519_SIG_LEN + p->trusted_len + 1);
	if (!st)
		return ob_err(OB_ERR_NOMEM, "out of memory");
	memcpy(st, sig, OB_ED25519_SIG_LEN);
	memcpy(st + OB_ED25519_SIG_LEN, p->trusted, p->trusted_len);
	ret = ob_ed25519_verify(pub->pk, st, OB_ED25519_SIG_LEN + p->trusted_len, p->global);
	free(st);
	if (ret)
		return ob_err(OB_ERR_INPUT, "trusted comment signature does not match");
	return 0;
}

int ob_minisign_verify_buf(const struct ob_minisign_pub *pub, const void *msg, size_t len,
			   const char *sig, size_t siglen, struct ob_minisign_sig_info *info)
{
	unsigned char hash[OB_BLAKE2B512_LEN];
	struct sig_parsed p;
	int ret;

	ret = parse_sig(sig, siglen, &p);
	if (ret)
		return ret;
	fill_info(&p, info);
	if (memcmp(p.bin, SIGALG, 2) == 0) /* legacy: the message itself */
		return verify_parsed(pub, &p, msg, len);
	ret = ob_hash_buffer(OB_HASH_BLAKE2B512, msg, len, hash);
	if (ret)
		return ret;
	return verify_parsed(pub, &p, hash, sizeof(hash));
}

int ob_minisign_verify_file(const struct ob_minisign_pub *pub, const char *path, const char *sig,
			    size_t siglen, struct ob_minisign_sig_info *info)
{
	unsigned char hash[OB_BLAKE2B512_LEN];
	struct sig_parsed p;
	char *msg = NULL;
	size_t len;
	int ret;

	ret = parse_sig(sig, siglen, &p);
	if (ret)
		return ret;
	fill_info(&p, info);
	if (memcmp(p.bin, SIGALG, 2) == 0) {
		ret = ob_read_file(path, OB_MINISIGN_LEGACY_MAX, &msg, &len);
		if (!ret)
			ret = verify_parsed(pub, &p, msg, len);
		free(msg);
		return ret;
	}
	ret = ob_blake2b512_file(path, OB_HASH_FILE_MAX, hash, NULL);
	if (ret)
		return ret;
	return verify_parsed(pub, &p, hash, sizeof(hash));
}

int ob_minisign_load_secret_with(const char *path, const char *passfile, struct ob_minisign_key **key)
{
	char *pass = NULL;
	size_t passlen = 0;
	int ret = 0;

	if (passfile)
		ret = ob_minisign_read_passphrase(passfile, &pass, &passlen);
	if (!ret)
		ret = ob_minisign_load_secret(path, pass, passlen, key);
	ob_minisign_passphrase_free(&pass, passlen);
	return ret;
}

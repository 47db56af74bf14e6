/* SPDX-License-Identifier: MIT */
/* hash.c - libgcrypt set-up, SHA-256 / BLAKE2b-512 of buffers and files, hex. */
#include "obscura/hash.h"

#include <errno.h>
#include <gcrypt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/banned.h"

/* 1.9 brought BLAKE2b into the stable API and Ed25519 signing as minisign does it. */
#define OB_GCRYPT_MIN_VERSION "1.9.0"

struct ob_hash {
	gcry_md_hd_t md;
	enum ob_hash_algo algo;
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_status = OB_ERR_INTERNAL;
static char init_msg[128];

static void init_gcrypt(void)
{
	const char *v;

	/*
	 * Another library in the process may have set libgcrypt up already
	 * (FFmpeg's libssh-gcrypt does, at load time, with a 4 KiB secure pool):
	 * then only let the secure pool grow in OB_SECMEM_SIZE chunks.
	 */
	if (gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P)) {
		gcry_control(GCRYCTL_AUTO_EXPAND_SECMEM, (unsigned int)OB_SECMEM_SIZE);
		init_status = 0;
		return;
	}
	v = gcry_check_version(OB_GCRYPT_MIN_VERSION);
	if (!v) {
		snprintf(init_msg, sizeof(init_msg), "libgcrypt %s is older than the required %s",
			 gcry_check_version(NULL), OB_GCRYPT_MIN_VERSION);
		return;
	}
	/* Secure memory holds secret keys and passphrases; it is wiped on free. */
	gcry_control(GCRYCTL_SUSPEND_SECMEM_WARN);
	if (gcry_control(GCRYCTL_INIT_SECMEM, OB_SECMEM_SIZE, 0)) {
		snprintf(init_msg, sizeof(init_msg), "libgcrypt: cannot set up secure memory");
		return;
	}
	gcry_control(GCRYCTL_AUTO_EXPAND_SECMEM, (unsigned int)OB_SECMEM_SIZE);
	gcry_control(GCRYCTL_RESUME_SECMEM_WARN);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	init_status = 0;
}

int ob_crypto_init(void)
{
	pthread_once(&init_once, init_gcrypt);
	if (init_status)
		return ob_err(init_status, "%s", init_msg);
	return 0;
}

static int gcry_algo(enum ob_hash_algo algo)
{
	return algo == OB_HASH_BLAKE2B512 ? GCRY_MD_BLAKE2B_512 : GCRY_MD_SHA256;
}

size_t ob_hash_len(enum ob_hash_algo algo)
{
	return algo == OB_HASH_BLAKE2B512 ? OB_BLAKE2B512_LEN : OB_SHA256_LEN;
}

int ob_hash_new(enum ob_hash_algo algo, struct ob_hash **h)
{
	struct ob_hash *n;
	int ret;

	*h = NULL;
	ret = ob_crypto_init();
	if (ret)
		return ret;
	n = calloc(1, sizeof(*n));
	if (!n)
		return ob_err(OB_ERR_NOMEM, "out of memory");
	if (gcry_md_open(&n->md, gcry_algo(algo), 0)) {
		free(n);
		return ob_err(OB_ERR_INTERNAL, "libgcrypt: cannot open hash %d", (int)algo);
	}
	n->algo = algo;
	*h = n;
	return 0;
}

void ob_hash_update(struct ob_hash *h, const void *data, size_t len)
{
	if (len)
		gcry_md_write(h->md, data, len);
}

void ob_hash_final(struct ob_hash *h, unsigned char *out)
{
	memcpy(out, gcry_md_read(h->md, gcry_algo(h->algo)), ob_hash_len(h->algo));
}

void ob_hash_free(struct ob_hash **h)
{
	if (!h || !*h)
		return;
	gcry_md_close((*h)->md);
	free(*h);
	*h = NULL;
}

int ob_hash_buffer(enum ob_hash_algo algo, const void *data, size_t len, unsigned char *out)
{
	int ret = ob_crypto_init();

	if (ret)
		return ret;
	gcry_md_hash_buffer(gcry_algo(algo), out, data, len);
	return 0;
}

int ob_sha256(const void *data, size_t len, unsigned char out[OB_SHA256_LEN])
{
	return ob_hash_buffer(OB_HASH_SHA256, data, len, out);
}

/* A file being hashed: its bytes so far and the most it may have. */
struct hashing {
	struct ob_hash *h;
	const char *path;
	uint64_t total, max;
};

static int hash_chunk(void *ctx, const void *buf, size_t n)
{
	struct hashing *x = ctx;

	x->total += n;
	if (x->total > x->max)
		return ob_err(OB_ERR_LIMIT, "%s: larger than %llu bytes", x->path, (unsigned long long)x->max);
	ob_hash_update(x->h, buf, n);
	return 0;
}

int ob_hash_file(enum ob_hash_algo algo, const char *path, uint64_t max, unsigned char *out,
		 uint64_t *size)
{
	struct hashing x = { .path = path, .max = max };
	struct stat st;
	int fd, ret;

	if (size)
		*size = 0;
	ret = ob_open_regular(path, &fd, &st);
	if (ret)
		return ret;
	ret = ob_hash_new(algo, &x.h);
	if (!ret)
		ret = ob_read_chunks(fd, path, OB_HASH_CHUNK, hash_chunk, &x);
	if (!ret) {
		ob_hash_final(x.h, out);
		if (size)
			*size = x.total;
	}
	ob_hash_free(&x.h);
	close(fd);
	return ret;
}

int ob_sha256_file(const char *path, uint64_t max, unsigned char out[OB_SHA256_LEN], uint64_t *size)
{
	return ob_hash_file(OB_HASH_SHA256, path, max, out, size);
}

int ob_sha256_file_hex(const char *path, uint64_t max, char hex[OB_SHA256_HEX_LEN + 1], uint64_t *size)
{
	unsigned char sum[OB_SHA256_LEN];
	int ret = ob_sha256_file(path, max, sum, size);

	if (!ret)
		ob_hex_encode(sum, sizeof(sum), hex);
	return ret;
}

int ob_blake2b512_file(const char *path, uint64_t max, unsigned char out[OB_BLAKE2B512_LEN],
		       uint64_t *size)
{
	return ob_hash_file(OB_HASH_BLAKE2B512, path, max, out, size);
}

void ob_hex_encode(const unsigned char *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int ob_hex_decode(const char *hex, unsigned char *out, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		int hi = hexval(hex[2 * i]), lo = hi < 0 ? -1 : hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return ob_err(OB_ERR_INPUT, "bad hex digit");
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	if (hex[2 * len] != '\0')
		return ob_err(OB_ERR_INPUT, "hex string longer than %zu bytes", len);
	return 0;
}

bool ob_memeq_ct(const void *a, const void *b, size_t len)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char d = 0;

	for (size_t i = 0; i < len; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

void ob_wipe(void *p, size_t len)
{
	if (p && len)
		explicit_bzero(p, len);
}

/* SPDX-License-Identifier: MIT */
/* photo.c - a JPEG's segments or a PNG's chunks: truncation, orientation, metadata by name. */
#include "obscura/photo.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/banned.h"

static const unsigned char png_sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

enum ob_photo_kind ob_photo_kind_of(const unsigned char *h, size_t n)
{
	if (n >= 3 && h[0] == 0xFF && h[1] == 0xD8 && h[2] == 0xFF)
		return OB_PHOTO_JPEG;
	if (n >= sizeof(png_sig) && !memcmp(h, png_sig, sizeof(png_sig)))
		return OB_PHOTO_PNG;
	return OB_PHOTO_NONE;
}

enum ob_photo_kind ob_photo_kind_file(const char *path)
{
	unsigned char head[8];
	const char *dot;
	struct stat st;
	ssize_t n;
	int fd;

	if (ob_open_regular(path, &fd, &st)) {
		ob_err_clear(); /* the job that opens it says why */
		return OB_PHOTO_NONE;
	}
	n = ob_read_full(fd, head, sizeof(head));
	close(fd);
	/* A motion-JPEG stream is JPEGs one after another: named as such, a video. */
	dot = strrchr(ob_path_base(path), '.');
	if (dot && (!strcasecmp(dot + 1, "mjpeg") || !strcasecmp(dot + 1, "mjpg")))
		return OB_PHOTO_NONE;
	return n > 0 ? ob_photo_kind_of(head, (size_t)n) : OB_PHOTO_NONE;
}

const char *ob_photo_ext(enum ob_photo_kind kind)
{
	return kind == OB_PHOTO_JPEG ? "jpg" : kind == OB_PHOTO_PNG ? "png" : NULL;
}

const char *ob_photo_name(enum ob_photo_kind kind)
{
	return kind == OB_PHOTO_JPEG ? "jpeg" : kind == OB_PHOTO_PNG ? "png" : NULL;
}

/* Adds an item named by prefix and up to maxlen bytes of name (stopping at
 * a NUL; bytes outside printable ASCII become '?'). */
static void add_item(struct ob_photo_scan *s, const char *prefix, const unsigned char *name, size_t maxlen)
{
	char *d;
	size_t k;

	if (s->n_items == OB_PHOTO_MAX_ITEMS) {
		s->n_more++;
		return;
	}
	d = s->items[s->n_items++];
	k = (size_t)snprintf(d, OB_PHOTO_ITEM_MAX, "%s%s", prefix, name && maxlen && *name ? " " : "");
	for (size_t i = 0; name && i < maxlen && name[i] && k + 1 < OB_PHOTO_ITEM_MAX; i++)
		d[k++] = name[i] >= 0x20 && name[i] < 0x7f ? (char)name[i] : '?';
	d[k] = '\0';
}

/* ---- EXIF (a TIFF structure: JPEG APP1 "Exif\0\0", PNG eXIf) ---- */

struct tiff {
	const unsigned char *p;
	size_t n;
	bool le;
};

static bool rd16(const struct tiff *t, size_t off, unsigned *v)
{
	if (off > t->n || t->n - off < 2)
		return false;
	*v = t->le ? (unsigned)(t->p[off] | t->p[off + 1] << 8) : (unsigned)(t->p[off] << 8 | t->p[off + 1]);
	return true;
}

static bool rd32(const struct tiff *t, size_t off, uint32_t *v)
{
	unsigned a, b;

	if (!rd16(t, off, &a) || !rd16(t, off + 2, &b))
		return false;
	*v = t->le ? (uint32_t)a | (uint32_t)b << 16 : (uint32_t)a << 16 | (uint32_t)b;
	return true;
}

/* IFD0's Orientation; GPS and a thumbnail (IFD1) named as items.  A broken
 * structure only stops the walk: the whole segment is dropped anyway. */
static void scan_exif(struct ob_photo_scan *s, const unsigned char *p, size_t n)
{
	struct tiff t = { p, n, false };
	uint32_t ifd0, next;
	unsigned count, magic;

	if (n < 8 || !((p[0] == 'I' && p[1] == 'I') || (p[0] == 'M' && p[1] == 'M')))
		return;
	t.le = p[0] == 'I';
	if (!rd16(&t, 2, &magic) || magic != 42 || !rd32(&t, 4, &ifd0) || !rd16(&t, ifd0, &count))
		return;
	for (unsigned i = 0; i < count; i++) {
		size_t e = (size_t)ifd0 + 2 + 12 * (size_t)i;
		unsigned tag, type, v;
		uint32_t cnt;

		if (!rd16(&t, e, &tag) || !rd16(&t, e + 2, &type) || !rd32(&t, e + 4, &cnt))
			return;
		if (tag == 0x0112 && type == 3 && cnt >= 1 && rd16(&t, e + 8, &v) && v >= 1 && v <= 8)
			s->orientation = (int)v;
		if (tag == 0x8825)
			add_item(s, "EXIF GPS", NULL, 0);
	}
	if (rd32(&t, (size_t)ifd0 + 2 + 12 * (size_t)count, &next) && next && next < n)
		add_item(s, "EXIF thumbnail", NULL, 0);
}

/* ---- JPEG ---- */

static int scan_jpeg(const char *path, const unsigned char *b, size_t n, struct ob_photo_scan *s)
{
	size_t p = 2;
	bool image = false, mpf = false;

	for (;;) {
		unsigned m, len;

		if (p >= n)
			return ob_err(OB_ERR_INPUT, "%s: truncated: the JPEG ends before its end marker (EOI)", path);
		if (b[p] != 0xFF)
			return ob_err(OB_ERR_INPUT, "%s: not a valid JPEG: no marker at byte %zu", path, p);
		while (p < n && b[p] == 0xFF)
			p++;
		if (p >= n)
			return ob_err(OB_ERR_INPUT, "%s: truncated: the JPEG ends before its end marker (EOI)", path);
		m = b[p++];
		if (m == 0xD9) {
			if (!image)
				return ob_err(OB_ERR_INPUT, "%s: not a valid JPEG: no image data before EOI", path);
			s->image_end = p;
			/* A phone's second image follows EOI with an MPF index in
			 * APP2; JPEGs one after another without one are a stream. */
			if (n - p >= 3 && b[p] == 0xFF && b[p + 1] == 0xD8 && b[p + 2] == 0xFF && !mpf)
				return ob_err(OB_ERR_INPUT, "%s: JPEG images one after another (motion JPEG), not a photo: "
					      "name it .mjpeg to have it read as a video", path);
			if (p < n)
				add_item(s, "data after EOI", NULL, 0);
			return 0;
		}
		if ((m >= 0xD0 && m <= 0xD7) || m == 0x01)
			continue; /* markers without a length */
		if (n - p < 2)
			return ob_err(OB_ERR_INPUT, "%s: truncated: the JPEG ends inside a segment header", path);
		len = (unsigned)(b[p] << 8 | b[p + 1]);
		if (len < 2)
			return ob_err(OB_ERR_INPUT, "%s: not a valid JPEG: segment length %u at byte %zu", path, len, p);
		if (n - p < len)
			return ob_err(OB_ERR_INPUT, "%s: truncated: the JPEG ends inside a segment (marker FF%02X)", path, m);
		if (m >= 0xE0 && m <= 0xEF) {
			char app[8];

			snprintf(app, sizeof(app), "APP%u", m - 0xE0);
			add_item(s, app, b + p + 2, len - 2 < 30 ? len - 2 : 30);
			mpf |= m == 0xE2 && len >= 6 && !memcmp(b + p + 2, "MPF\0", 4);
			if (m == 0xE1 && len >= 8 && !memcmp(b + p + 2, "Exif\0\0", 6))
				scan_exif(s, b + p + 8, len - 8);
		} else if (m == 0xFE) {
			add_item(s, "COM", NULL, 0);
		}
		p += len;
		if (m != 0xDA)
			continue;
		/* Entropy-coded data runs to the next marker that is not a
		 * stuffed 00, a restart marker or fill. */
		image = true;
		while (p + 1 < n && !(b[p] == 0xFF && b[p + 1] != 0 && b[p + 1] != 0xFF &&
				      !(b[p + 1] >= 0xD0 && b[p + 1] <= 0xD7)))
			p++;
		if (p + 1 >= n)
			return ob_err(OB_ERR_INPUT, "%s: truncated: the JPEG ends inside its image data", path);
	}
}

/* ---- PNG ---- */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool critical_png(const unsigned char *t)
{
	return !memcmp(t, "IHDR", 4) || !memcmp(t, "PLTE", 4) || !memcmp(t, "IDAT", 4);
}

static int scan_png(const char *path, const unsigned char *b, size_t n, struct ob_photo_scan *s)
{
	size_t p = sizeof(png_sig);
	bool image = false;

	for (;;) {
		const unsigned char *t;
		uint32_t len;

		if (n - p < 8)
			return ob_err(OB_ERR_INPUT, "%s: truncated: the PNG ends before its IEND chunk", path);
		len = be32(b + p);
		t = b + p + 4;
		for (int i = 0; i < 4; i++)
			if (!((t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= 'a' && t[i] <= 'z')))
				return ob_err(OB_ERR_INPUT, "%s: not a valid PNG: bad chunk type at byte %zu", path, p + 4);
		if (len > 0x7fffffffu)
			return ob_err(OB_ERR_INPUT, "%s: not a valid PNG: chunk length %lu", path, (unsigned long)len);
		if (p == sizeof(png_sig) && memcmp(t, "IHDR", 4))
			return ob_err(OB_ERR_INPUT, "%s: not a valid PNG: IHDR is not first", path);
		if (n - p - 8 < (size_t)len + 4)
			return ob_err(OB_ERR_INPUT, "%s: truncated: the PNG ends inside its %.4s chunk", path, (const char *)t);
		if (!memcmp(t, "IEND", 4)) {
			if (!image)
				return ob_err(OB_ERR_INPUT, "%s: not a valid PNG: no IDAT before IEND", path);
			s->image_end = p + 12;
			if (n > s->image_end)
				add_item(s, "data after IEND", NULL, 0);
			return 0;
		}
		if (!memcmp(t, "acTL", 4))
			return ob_err(OB_ERR_INPUT, "%s: an animated PNG: not supported (convert it to a video)", path);
		image |= !memcmp(t, "IDAT", 4);
		if (!critical_png(t)) {
			char type[5];
			bool text = !memcmp(t, "tEXt", 4) || !memcmp(t, "zTXt", 4) || !memcmp(t, "iTXt", 4);

			memcpy(type, t, 4);
			type[4] = '\0';
			/* A text chunk is named with its keyword: a name, not the text. */
			add_item(s, type, text ? b + p + 8 : NULL, text ? (len < 40 ? len : 40) : 0);
			if (!memcmp(t, "eXIf", 4))
				scan_exif(s, b + p + 8, len);
		}
		p += 12 + (size_t)len;
	}
}

int ob_photo_scan(const char *path, const unsigned char *buf, size_t n, struct ob_photo_scan *out)
{
	memset(out, 0, sizeof(*out));
	out->orientation = 1;
	out->kind = ob_photo_kind_of(buf, n);
	switch (out->kind) {
	case OB_PHOTO_JPEG:
		return scan_jpeg(path, buf, n, out);
	case OB_PHOTO_PNG:
		return scan_png(path, buf, n, out);
	default:
		return ob_err(OB_ERR_INPUT, "%s: not a JPEG or PNG", path);
	}
}

const char *ob_photo_orient_filter(int o, int *degrees, bool *mirrored)
{
	static const struct { const char *filter; int degrees; bool mirrored; } t[9] = {
		[1] = { "", 0, false },
		[2] = { "hflip,", 0, true },
		[3] = { "hflip,vflip,", 180, false },
		[4] = { "vflip,", 180, true },
		[5] = { "transpose=cclock_flip,", 270, true },
		[6] = { "transpose=clock,", 90, false },
		[7] = { "transpose=clock_flip,", 90, true },
		[8] = { "transpose=cclock,", 270, false },
	};

	if (o < 1 || o > 8)
		o = 1;
	*degrees = t[o].degrees;
	*mirrored = t[o].mirrored;
	return t[o].filter;
}

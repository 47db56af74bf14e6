/* SPDX-License-Identifier: MIT */
/* test_photo.c - a JPEG's segments and a PNG's chunks: metadata by name, orientation, truncation refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/error.h"
#include "obscura/photo.h"
#include "obscura/banned.h"

struct buf {
	unsigned char b[4096];
	size_t n;
};

static void put(struct buf *b, const void *p, size_t n)
{
	assert_true(b->n + n <= sizeof(b->b));
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void put16(struct buf *b, unsigned v, bool le)
{
	unsigned char x[2] = { le ? v & 0xff : v >> 8, le ? v >> 8 : v & 0xff };

	put(b, x, 2);
}

static void put32(struct buf *b, uint32_t v, bool le)
{
	put16(b, le ? v & 0xffff : v >> 16, le);
	put16(b, le ? v >> 16 : v & 0xffff, le);
}

/* A TIFF: IFD0 with Orientation and a GPS pointer, then (thumb) an IFD1. */
static void tiff(struct buf *t, bool le, unsigned orientation, bool thumb)
{
	put(t, le ? "II" : "MM", 2);
	put16(t, 42, le);
	put32(t, 8, le);
	put16(t, 2, le);
	put16(t, 0x0112, le), put16(t, 3, le), put32(t, 1, le), put16(t, orientation, le), put16(t, 0, le);
	put16(t, 0x8825, le), put16(t, 4, le), put32(t, 1, le), put32(t, 0, le);
	put32(t, thumb ? 8 + 2 + 24 + 4 : 0, le); /* IFD1 right after IFD0 */
	if (thumb) {
		put16(t, 0, le);
		put32(t, 0, le);
	}
}

static void segment(struct buf *b, unsigned marker, const void *p, size_t n)
{
	unsigned char h[4] = { 0xFF, (unsigned char)marker, (unsigned char)((n + 2) >> 8), (unsigned char)(n + 2) };

	put(b, h, 4);
	put(b, p, n);
}

/* SOI, APP0 JFIF, APP1 Exif, COM, SOS with stuffed bytes and a restart marker, EOI. */
static void jpeg(struct buf *b, bool le, unsigned orientation)
{
	struct buf exif = { .n = 0 }, t = { .n = 0 };
	static const unsigned char scan[] = { 0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xFF, 0xD9 };

	b->n = 0;
	put(b, "\xFF\xD8", 2);
	segment(b, 0xE0, "JFIF\0\x01\x02\0\0\x01\0\x01\0\0", 14);
	tiff(&t, le, orientation, true);
	put(&exif, "Exif\0\0", 6);
	put(&exif, t.b, t.n);
	segment(b, 0xE1, exif.b, exif.n);
	segment(b, 0xFE, "a comment", 9);
	segment(b, 0xDA, "\x01\x01\x00\x00\x3f\x00", 6);
	put(b, scan, sizeof(scan));
}

static void test_jpeg(void **state)
{
	struct ob_photo_scan s;
	struct buf b;

	jpeg(&b, false, 8);
	assert_int_equal(ob_photo_kind_of(b.b, b.n), OB_PHOTO_JPEG);
	assert_int_equal(ob_photo_scan("x.jpg", b.b, b.n, &s), 0);
	assert_int_equal(s.kind, OB_PHOTO_JPEG);
	assert_int_equal(s.orientation, 8);
	assert_int_equal(s.n_items, 5);
	assert_string_equal(s.items[0], "APP0 JFIF");
	assert_string_equal(s.items[1], "APP1 Exif");
	assert_string_equal(s.items[2], "EXIF GPS");
	assert_string_equal(s.items[3], "EXIF thumbnail");
	assert_string_equal(s.items[4], "COM");
	assert_int_equal(s.image_end, b.n);
	jpeg(&b, true, 3);
	assert_int_equal(ob_photo_scan("x.jpg", b.b, b.n, &s), 0);
	assert_int_equal(s.orientation, 3);
	/* bytes after EOI (a phone's MPF image) are named, not refused, and not part of the image */
	put(&b, "tail", 4);
	assert_int_equal(ob_photo_scan("x.jpg", b.b, b.n, &s), 0);
	assert_string_equal(s.items[s.n_items - 1], "data after EOI");
	assert_int_equal(s.image_end, b.n - 4);
	/* another JPEG after EOI: a motion-JPEG stream, unless an MPF index says it is the photo's second image */
	b.n -= 4;
	put(&b, "\xFF\xD8\xFF", 3);
	assert_int_equal(ob_photo_scan("m.jpg", b.b, b.n, &s), OB_ERR_INPUT);
	assert_non_null(strstr(ob_errmsg(), "m.jpg: JPEG images one after another"));
	{
		struct buf m = { .n = 0 };

		put(&m, "\xFF\xD8", 2);
		segment(&m, 0xE2, "MPF\0II*\0", 8);
		put(&m, b.b + 2, b.n - 2);
		assert_int_equal(ob_photo_scan("mpf.jpg", m.b, m.n, &s), 0);
		assert_int_equal(s.image_end, m.n - 3);
	}
}

/* Every proper prefix of a photo is refused as truncated or invalid, never accepted. */
static void test_truncated(void **state)
{
	struct ob_photo_scan s;
	struct buf b;

	jpeg(&b, false, 1);
	for (size_t n = 3; n < b.n; n++) {
		assert_int_equal(ob_photo_scan("cut.jpg", b.b, n, &s), OB_ERR_INPUT);
		assert_non_null(strstr(ob_errmsg(), "cut.jpg: "));
	}
	assert_int_equal(ob_photo_scan("cut.jpg", b.b, b.n - 2, &s), OB_ERR_INPUT);
	assert_non_null(strstr(ob_errmsg(), "truncated: the JPEG ends inside its image data"));
}

static void test_bad_exif(void **state)
{
	struct ob_photo_scan s;
	struct buf b = { .n = 0 };

	/* an IFD offset past the segment: no orientation, no crash */
	put(&b, "\xFF\xD8", 2);
	segment(&b, 0xE1, "Exif\0\0MM\0\x2a\x7f\xff\xff\xff", 14);
	segment(&b, 0xDA, "\x01\x01\x00\x00\x3f\x00", 6);
	put(&b, "\x11\xFF\xD9", 3);
	assert_int_equal(ob_photo_scan("x.jpg", b.b, b.n, &s), 0);
	assert_int_equal(s.orientation, 1);
	assert_int_equal(s.n_items, 1);
	/* no scan at all */
	b.n = 0;
	put(&b, "\xFF\xD8\xFF\xD9", 4);
	assert_int_equal(ob_photo_scan("x.jpg", b.b, b.n, &s), OB_ERR_INPUT);
	assert_non_null(strstr(ob_errmsg(), "no image data"));
}

static void test_many_items(void **state)
{
	struct ob_photo_scan s;
	struct buf b = { .n = 0 };

	put(&b, "\xFF\xD8", 2);
	for (int i = 0; i < OB_PHOTO_MAX_ITEMS + 6; i++)
		segment(&b, 0xFE, "c", 1);
	segment(&b, 0xDA, "\x01\x01\x00\x00\x3f\x00", 6);
	put(&b, "\x11\xFF\xD9", 3);
	assert_int_equal(ob_photo_scan("x.jpg", b.b, b.n, &s), 0);
	assert_int_equal(s.n_items, OB_PHOTO_MAX_ITEMS);
	assert_int_equal(s.n_more, 6);
}

static void chunk(struct buf *b, const char *type, const void *p, size_t n)
{
	put32(b, (uint32_t)n, false);
	put(b, type, 4);
	put(b, p, n);
	put32(b, 0, false); /* the CRC is the decoder's business */
}

static void png(struct buf *b, bool animated)
{
	struct buf t = { .n = 0 };

	b->n = 0;
	put(b, "\x89PNG\r\n\x1a\n", 8);
	chunk(b, "IHDR", "\0\0\0\x10\0\0\0\x10\x08\x02\0\0\0", 13);
	if (animated)
		chunk(b, "acTL", "\0\0\0\x02\0\0\0\0", 8);
	chunk(b, "tEXt", "Comment\0where and who", 21);
	chunk(b, "iCCP", "profile\0\0xx", 11);
	tiff(&t, false, 6, false);
	chunk(b, "eXIf", t.b, t.n);
	chunk(b, "IDAT", "xxxx", 4);
	chunk(b, "IEND", "", 0);
}

static void test_png(void **state)
{
	struct ob_photo_scan s;
	struct buf b;

	png(&b, false);
	assert_int_equal(ob_photo_kind_of(b.b, b.n), OB_PHOTO_PNG);
	assert_int_equal(ob_photo_scan("x.png", b.b, b.n, &s), 0);
	assert_int_equal(s.orientation, 6);
	assert_int_equal(s.n_items, 4);
	assert_string_equal(s.items[0], "tEXt Comment"); /* the keyword, never the text */
	assert_string_equal(s.items[1], "iCCP");
	assert_string_equal(s.items[2], "eXIf");
	assert_string_equal(s.items[3], "EXIF GPS");
	assert_int_equal(s.image_end, b.n);
	put(&b, "more", 4);
	assert_int_equal(ob_photo_scan("x.png", b.b, b.n, &s), 0);
	assert_int_equal(s.image_end, b.n - 4);
	assert_string_equal(s.items[s.n_items - 1], "data after IEND");
	b.n -= 4;
	for (size_t n = 8; n < b.n; n++)
		assert_int_equal(ob_photo_scan("cut.png", b.b, n, &s), OB_ERR_INPUT);
	assert_non_null(strstr(ob_errmsg(), "cut.png: truncated: the PNG ends inside its IEND chunk"));
	png(&b, true);
	assert_int_equal(ob_photo_scan("a.png", b.b, b.n, &s), OB_ERR_INPUT);
	assert_non_null(strstr(ob_errmsg(), "animated PNG"));
	assert_int_equal(ob_photo_scan("v.mp4", (const unsigned char *)"\0\0\0\x20" "ftypisom", 12, &s),
			 OB_ERR_INPUT);
	assert_int_equal(ob_photo_kind_of((const unsigned char *)"\0\0\0\x20" "ftypisom", 12), OB_PHOTO_NONE);
}

static void test_orientation(void **state)
{
	static const struct { int o, degrees; bool mirrored; const char *filter; } t[] = {
		{ 1, 0, false, "" }, { 2, 0, true, "hflip," }, { 3, 180, false, "hflip,vflip," },
		{ 4, 180, true, "vflip," }, { 5, 270, true, "transpose=cclock_flip," },
		{ 6, 90, false, "transpose=clock," }, { 7, 90, true, "transpose=clock_flip," },
		{ 8, 270, false, "transpose=cclock," }, { 0, 0, false, "" }, { 9, 0, false, "" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int d = -1;
		bool m = true;

		assert_string_equal(ob_photo_orient_filter(t[i].o, &d, &m), t[i].filter);
		assert_int_equal(d, t[i].degrees);
		assert_int_equal(m, t[i].mirrored);
	}
	assert_string_equal(ob_photo_ext(OB_PHOTO_JPEG), "jpg");
	assert_string_equal(ob_photo_ext(OB_PHOTO_PNG), "png");
	assert_null(ob_photo_ext(OB_PHOTO_NONE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jpeg),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_exif),
		cmocka_unit_test(test_many_items),
		cmocka_unit_test(test_png),
		cmocka_unit_test(test_orientation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* photo.h - JPEG and PNG inputs: what kind, which way up, what metadata they carry. */
#ifndef OBSCURA_PHOTO_H
#define OBSCURA_PHOTO_H

#include <stdbool.h>
#include <stddef.h>

/* What a file is, by its first bytes (never by its name). */
enum ob_photo_kind {
	OB_PHOTO_NONE = 0, /* not a photo: a video, or anything else FFmpeg may read */
	OB_PHOTO_JPEG = 1,
	OB_PHOTO_PNG = 2,
};

#define OB_PHOTO_MAX_BYTES (512L * 1024 * 1024) /* a photo larger than this is refused */
#define OB_PHOTO_MAX_ITEMS 64                   /* metadata items named in the manifest; more are counted */
#define OB_PHOTO_ITEM_MAX 48                    /* bytes of one item's name, NUL included */

/* What ob_photo_scan() found in a photo's bytes. */
struct ob_photo_scan {
	enum ob_photo_kind kind;
	int orientation;   /* EXIF Orientation 1..8 (JPEG APP1 Exif, PNG eXIf); 1 when absent or invalid */
	/* Every metadata segment or chunk, by name only ("APP1 Exif", "EXIF GPS",
	 * "EXIF thumbnail", "APP2 ICC_PROFILE", "COM", "tEXt Comment", "iCCP",
	 * "eXIf", ...): none of them reaches the export. */
	char items[OB_PHOTO_MAX_ITEMS][OB_PHOTO_ITEM_MAX];
	size_t n_items;    /* listed in items */
	size_t n_more;     /* found beyond OB_PHOTO_MAX_ITEMS */
	size_t image_end;  /* bytes up to the end of the image (EOI, IEND): what is decoded;
			    * anything after it (a phone's second, MPF image) is dropped unread */
};

/* The kind of a file whose first n bytes are head (8 are enough). */
enum ob_photo_kind ob_photo_kind_of(const unsigned char *head, size_t n);

/* The kind of the regular file at path, from its first bytes; OB_PHOTO_NONE
 * when it cannot be read (the job that opens it says why), and for a name
 * ending in .mjpeg or .mjpg (a motion-JPEG stream: a video). */
enum ob_photo_kind ob_photo_kind_file(const char *path);

/* "jpg" or "png": the export's extension for a kind (NULL for OB_PHOTO_NONE). */
const char *ob_photo_ext(enum ob_photo_kind kind);

/* "jpeg" or "png": the kind's name in the manifest and the summary. */
const char *ob_photo_name(enum ob_photo_kind kind);

/*
 * Walks a whole JPEG (segments up to each scan, the entropy-coded data to
 * the next marker, to EOI) or PNG (every chunk to IEND) and fills *out.
 * Refused, with OB_ERR_INPUT and "path: cause": a file that ends before EOI
 * or IEND ("path: truncated: ..."), a segment or chunk that runs past the
 * end, an animated PNG (acTL), a JPEG followed by another with no MPF index
 * (APP2 "MPF", as phones write for their second image): a motion-JPEG
 * stream; anything that is not a JPEG or PNG.
 */
int ob_photo_scan(const char *path, const unsigned char *buf, size_t n, struct ob_photo_scan *out);

/* The libavfilter chain (ending in ',', or "") that turns a picture stored
 * with EXIF orientation o upright; *degrees gets the clockwise rotation it
 * contains and *mirrored whether it also flips (2, 4, 5, 7). */
const char *ob_photo_orient_filter(int orientation, int *degrees, bool *mirrored);

#endif

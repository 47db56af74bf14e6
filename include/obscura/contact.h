/* SPDX-License-Identifier: MIT */
/* contact.h - a contact sheet's pictures: chosen frames of a video as small JPEGs. */
#ifndef OBSCURA_CONTACT_H
#define OBSCURA_CONTACT_H

#include <stddef.h>
#include <stdint.h>

#define OB_CONTACT_WIDTH 320 /* thumbnail width in pixels, at most (smaller videos keep theirs) */
#define OB_CONTACT_QUALITY 4 /* JPEG quantizer scale (libavcodec's mjpeg qscale, 2 best .. 31) */

/* One picture of the sheet: the caller sets frame; ob_contact_thumbs() the rest. */
struct ob_thumb {
	int64_t frame;         /* the frame's index in decode order of the video, from 0 */
	double pts;            /* its time, seconds from the first frame */
	int width, height;     /* of the picture */
	unsigned char *jpeg;   /* the JPEG's bytes; NULL when the video ended before the frame */
	size_t jpeg_len;
};

/*
 * Decodes video (an export: the file is read, never the original input)
 * with the source module, frames upright as a job sees them, and encodes
 * each frame t[i].frame as a JPEG of at most OB_CONTACT_WIDTH pixels wide
 * (libswscale, area filter; libavcodec's mjpeg).  t is sorted by frame, each
 * frame once.  Decoding stops after the last one wanted.  *width and
 * *height receive the video's frame size.
 * Errors: OB_ERR_INPUT naming video (unreadable, not a video), OB_ERR_NOMEM,
 * OB_ERR_INTERNAL (the encoder).
 */
int ob_contact_thumbs(const char *video, struct ob_thumb *t, size_t n, int *width, int *height);

/* Frees the JPEGs of t[0..n). */
void ob_contact_release(struct ob_thumb *t, size_t n);

#endif

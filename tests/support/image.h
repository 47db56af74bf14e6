/* SPDX-License-Identifier: MIT */
/* image.h - test support: decode a still image into a pipeline frame. */
#ifndef OBSCURA_TESTS_IMAGE_H
#define OBSCURA_TESTS_IMAGE_H

struct AVFrame;

/* Decodes an image file (JPEG, PNG, ...) with libavformat/libavcodec into a
 * new yuv420p frame, as the pipeline would carry it (*out: av_frame_free).
 * Errors: a negative enum ob_status, ob_errmsg() naming path and the cause. */
int ob_image_load(const char *path, struct AVFrame **out);

#endif

/* SPDX-License-Identifier: MIT */
/* video.h - test support: the video frames of a file, as a job reads them. */
#ifndef OBSCURA_TESTS_VIDEO_H
#define OBSCURA_TESTS_VIDEO_H

struct AVFrame;
struct AVPacket;
struct ob_source;

/* The next video frame of src (opened with ob_source_open, audio not kept)
 * into frame, a new reference the caller unrefs; packets of other streams
 * are skipped.  Returns 1 for a frame, 0 at the end, or a negative enum
 * ob_status, ob_errmsg() naming the cause. */
int ob_video_next(struct ob_source *src, struct AVFrame *frame, struct AVPacket *pkt);

#endif

/* SPDX-License-Identifier: MIT */
/* source.h - demux and decode one input; frames come out upright, in 8-bit YUV. */
#ifndef OBSCURA_SOURCE_H
#define OBSCURA_SOURCE_H

#include <libavutil/rational.h>
#include <stdbool.h>
#include <stdint.h>

struct AVFrame;
struct AVPacket;
struct AVFormatContext;
struct AVStream;
struct ob_source;

/* What ob_source_next() produced. */
enum ob_source_item {
	OB_SOURCE_EOF = 0,
	OB_SOURCE_FRAME = 1,  /* a decoded, upright, yuv420p video frame */
	OB_SOURCE_PACKET = 2, /* a packet of the kept audio stream, untouched */
};

struct ob_source_info {
	int width, height;        /* of delivered frames (after rotation) */
	int pix_fmt;              /* of delivered frames */
	AVRational sar;           /* sample aspect ratio of delivered frames */
	AVRational time_base;     /* of delivered frames' pts */
	AVRational frame_rate;    /* best guess, for the encoder's rate control */
	int64_t frames_estimate;  /* -1 if unknown */
	double duration;          /* seconds, -1 if unknown */
	double start_time;        /* UTC seconds since 1970 at the first frame (creation_time), NAN if unknown */
	int rotation;             /* degrees clockwise applied to make frames upright */
	bool mirrored;            /* and flipped (a photo's EXIF Orientation 2, 4, 5, 7) */
	int pad_right, pad_bottom; /* black columns/rows added to make an odd size even (0 or 1) */
	int video_index;          /* input stream index of the video */
	int audio_index;          /* input stream index of kept audio, -1 none */
	const char *video_codec;
	/* A photo (JPEG or PNG, told by its bytes): one frame, no time, no
	 * audio; photo is its scan (orientation, metadata by name), else NULL. */
	int still;                /* enum ob_photo_kind: 0 for a video */
	const struct ob_photo_scan *photo;
};

/*
 * Opens path read-only.  A JPEG or PNG (by its first bytes, whatever its
 * name) is read as one photo: scanned whole first (ob_photo_scan: a
 * truncated file is refused), demuxed as an image of its kind (never as a
 * file-name pattern), turned upright by its EXIF Orientation; a second
 * picture in the file, or any decoder error, fails it.  Only the file protocol is allowed: an input can never
 * make us open the network or another file.  With keep_audio, the best audio
 * stream's packets are passed through.  threads: decoder threads (0 = auto).
 * Errors: OB_ERR_INPUT with "path: cause".
 */
int ob_source_open(struct ob_source **out, const char *path, bool keep_audio, int threads);

/*
 * Next item in decode order.  On OB_SOURCE_FRAME, frame holds a new reference
 * (caller unrefs); on OB_SOURCE_PACKET, pkt does.  Returns an ob_source_item
 * or a negative error.
 */
int ob_source_next(struct ob_source *src, struct AVFrame *frame, struct AVPacket *pkt);

const struct ob_source_info *ob_source_info(const struct ob_source *src);

#define OB_SOURCE_FPS_UNKNOWN 25.0 /* frames a second assumed when a video does not say */

/* The video's frame rate, or OB_SOURCE_FPS_UNKNOWN when it does not say:
 * what the recipe's seconds are turned into frames with. */
double ob_source_fps(const struct ob_source_info *info);

/* The demuxer, for reading what the input carries (never for writing). */
const struct AVFormatContext *ob_source_format(const struct ob_source *src);

/* Packets the decoder rejected as corrupt (skipped, not fatal). */
int64_t ob_source_decode_errors(const struct ob_source *src);

/* Frames missing between decoded ones at a constant frame rate (timestamps
 * skipping ahead): what corruption cost, where decode_errors counts packets.
 * 0 when the rate is not constant. */
int64_t ob_source_frames_lost(const struct ob_source *src);

void ob_source_free(struct ob_source **src);

#endif

/* SPDX-License-Identifier: MIT */
/* sink.h - encode redacted frames and mux them into a new file, atomically. */
#ifndef OBSCURA_SINK_H
#define OBSCURA_SINK_H

#include <libavutil/rational.h>
#include <stdbool.h>
#include <stdint.h>

struct AVFrame;
struct AVPacket;
struct AVFormatContext;
struct ob_recipe;
struct ob_source_info;
struct ob_sink;

/* Video packets per checkpoint range (the manifest's "checkpoint" event). */
#define OB_CHECKPOINT_FRAMES 250
/* A photo's JPEG quantiser (mjpeg qscale, 2 = finest used): an export must
 * stay fit for review. */
#define OB_PHOTO_JPEG_QSCALE 2

/*
 * Called, when the file is finished, with each range of its video packets as
 * stored (read back with the demuxer, in file order = decode order),
 * numbered from 0: packets first..last
 * (OB_CHECKPOINT_FRAMES of them, fewer for the last range) and the hex
 * SHA-256 of their bytes concatenated.  A nonzero return fails the write.
 */
typedef int (*ob_sink_checkpoint_fn)(void *opaque, int64_t first, int64_t last,
				     const char *sha256_hex);

struct ob_sink_params {
	const char *path;                      /* final name; written under a tmp name */
	const struct ob_recipe *recipe;        /* codec, CRF, preset, container, tags */
	const struct ob_source_info *video;    /* geometry and timing of frames */
	const struct AVFormatContext *input;   /* for the audio stream and kept tags */
	int threads;                           /* encoder threads, 0 = auto */
	ob_sink_checkpoint_fn checkpoint;      /* NULL: no checkpoints */
	void *opaque;                          /* for checkpoint */
};

/*
 * Creates the output under a temporary name and opens the encoder.  For a
 * photo (video->still) the recipe's codec and container do not apply: the
 * export is a JPEG or PNG like the input, encoded from the frame's pixels
 * alone, written at ob_sink_finish() (one checkpoint: the file's bytes).  Nothing
 * of the input is copied except what the recipe explicitly keeps: no stream
 * or container metadata, chapters, subtitles, data or attachments.
 * Errors: OB_ERR_OUTPUT (cannot write), OB_ERR_CODEC (encoder), OB_ERR_INPUT
 * (kept audio cannot go into the container).
 */
int ob_sink_open(struct ob_sink **out, const struct ob_sink_params *params);

/* Encodes one frame (pts in video->time_base).  The frame is not consumed. */
int ob_sink_write_frame(struct ob_sink *sink, struct AVFrame *frame);

/* Muxes a packet of the kept audio stream (timestamps in its input time base). */
int ob_sink_write_packet(struct ob_sink *sink, struct AVPacket *pkt);

/* Flushes the encoder and finishes the file under its temporary name, then
 * reads it back for the checkpoints. */
int ob_sink_finish(struct ob_sink *sink);

/* The temporary file, complete after ob_sink_finish() (for hashing, bundling). */
const char *ob_sink_tmp_path(const struct ob_sink *sink);

/* After ob_sink_finish(): fsyncs and renames the file into place. */
int ob_sink_commit(struct ob_sink *sink);

/* Frames handed to the encoder so far. */
int64_t ob_sink_frames(const struct ob_sink *sink);

/* True if kept AAC audio carried an encoder version string ("Lavc58.91.100")
 * that was blanked to fill bytes on the way (see blank_encoder_string). */
bool ob_sink_audio_blanked(const struct ob_sink *sink);

/* Frees the sink; if ob_sink_commit() did not succeed, removes the tmp file. */
void ob_sink_free(struct ob_sink **sink);

#endif

/* sink.h - encode redacted frames and mux them into a new file, atomically. */
#ifndef OBSCURA_SINK_H
#define OBSCURA_SINK_H

#include <libavutil/rational.h>

struct AVFrame;
struct AVPacket;
struct AVFormatContext;
struct ob_recipe;
struct ob_source_info;
struct ob_sink;

struct ob_sink_params {
	const char *path;                      /* final name; written under a tmp name */
	const struct ob_recipe *recipe;        /* codec, CRF, preset, container, tags */
	const struct ob_source_info *video;    /* geometry and timing of frames */
	const struct AVFormatContext *input;   /* for the audio stream and kept tags */
	int threads;                           /* encoder threads, 0 = auto */
};

/*
 * Creates the output under a temporary name and opens the encoder.  Nothing
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

/* Flushes the encoder, finishes the file, fsyncs and renames it into place. */
int ob_sink_finish(struct ob_sink *sink);

/* Frames handed to the encoder so far. */
int64_t ob_sink_frames(const struct ob_sink *sink);

/* Frees the sink; if ob_sink_finish() did not succeed, removes the tmp file. */
void ob_sink_free(struct ob_sink **sink);

#endif

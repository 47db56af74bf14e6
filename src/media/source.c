/* SPDX-License-Identifier: MIT */
/* source.c - libavformat demux, libavcodec decode, libavfilter rotate + convert. */
#include "obscura/source.h"

#include <errno.h>
#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/opt.h>
#include <libavutil/parseutils.h>
#include <libavutil/pixdesc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/mask.h"
#include "obscura/photo.h"
#include "obscura/banned.h"

/* Every frame leaves the source in this format: pixelation works on its planes. */
#define SOURCE_PIX_FMT AV_PIX_FMT_YUV420P

struct ob_source {
	char *path;
	AVFormatContext *fmt;
	AVCodecContext *dec;
	AVFilterGraph *graph;
	AVFilterContext *buf_src, *buf_sink;
	AVPacket *pkt;
	struct ob_source_info info;
	int64_t decode_errors;
	int64_t video_packets;  /* read from the demuxer */
	bool last_video_corrupt; /* the last one was cut short */
	double read_end;        /* seconds after the start: the latest end of a packet read, any stream; -1 none */
	double video_read_end;  /* the same for the video stream's packets */
	bool discarded;         /* a stream is not demuxed (AVDISCARD_ALL) */
	int64_t frame_step;     /* a constant frame rate's frame duration in the stream's time base; 0 unknown */
	int64_t last_pts;       /* of the last decoded frame; AV_NOPTS_VALUE before */
	int64_t frames_lost;    /* missing between decoded frames, by their timestamps */
	bool demux_eof, dec_eof, graph_eof;
	struct ob_photo_scan photo; /* a photo's scan (info.photo points here) */
	const char *upright;        /* the filters that turn the picture upright (static strings) */
	char *photo_data;           /* a photo's bytes, read once; the demuxer reads them up to photo.image_end */
	size_t photo_pos;
	AVIOContext *photo_io;
	int64_t frames_out;         /* frames delivered */
};

/* Clockwise degrees that make the picture upright, from the display matrix. */
static int stream_rotation(const AVStream *st)
{
	const int32_t *m = (const int32_t *)av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, NULL);
	double theta;

	if (!m)
		return 0;
	theta = -round(av_display_rotation_get(m));
	theta -= 360 * floor(theta / 360 + 0.9 / 360);
	return (int)lround(theta) % 360;
}

static const char *rotation_filter(int rotation)
{
	switch (rotation) {
	case 90: return "transpose=clock,";
	case 180: return "hflip,vflip,";
	case 270: return "transpose=cclock,";
	default: return "";
	}
}

static int build_graph(struct ob_source *s, AVStream *st)
{
	char args[512], chain[128];
	AVFilterInOut *in = NULL, *outp = NULL;
	/* A photo has no time: no frame rate (the image demuxer's 25 is a default). */
	AVRational fr = s->info.still ? (AVRational){ 0, 1 } : av_guess_frame_rate(s->fmt, st, NULL);
	int ret;

	s->graph = avfilter_graph_alloc();
	if (!s->graph)
		return ob_err(OB_ERR_NOMEM, "%s: out of memory", s->path);
	s->graph->nb_threads = 1;
	snprintf(args, sizeof(args),
		 "video_size=%dx%d:pix_fmt=%d:time_base=%d/%d:pixel_aspect=%d/%d",
		 s->dec->width, s->dec->height, s->dec->pix_fmt, st->time_base.num, st->time_base.den,
		 s->dec->sample_aspect_ratio.num, FFMAX(s->dec->sample_aspect_ratio.den, 1));
	if (fr.num > 0 && fr.den > 0) {
		size_t n = strlen(args);
		snprintf(args + n, sizeof(args) - n, ":frame_rate=%d/%d", fr.num, fr.den);
	}
	ret = avfilter_graph_create_filter(&s->buf_src, avfilter_get_by_name("buffer"), "in", args,
					   NULL, s->graph);
	if (ret < 0)
		return ob_err_av(OB_ERR_INTERNAL, ret, "%s: buffer source", s->path);
	ret = avfilter_graph_create_filter(&s->buf_sink, avfilter_get_by_name("buffersink"), "out",
					   NULL, NULL, s->graph);
	if (ret < 0)
		return ob_err_av(OB_ERR_INTERNAL, ret, "%s: buffer sink", s->path);

	/* Rotate the pixels upright rather than copying the display matrix:
	 * zones are drawn, and faces detected, on the picture as people see it. */
	/* yuv420p (and so libx264) needs even sizes: an odd width or height gets
	 * one black column on the right or row at the bottom, never a resampling
	 * of the evidence's pixels, whose coordinates stay as they were. */
	{
		bool swap = s->info.rotation == 90 || s->info.rotation == 270;
		int w = swap ? s->dec->height : s->dec->width, h = swap ? s->dec->width : s->dec->height;
		char pad[64] = "";

		s->info.pad_right = w & 1;
		s->info.pad_bottom = h & 1;
		if (s->info.pad_right || s->info.pad_bottom)
			snprintf(pad, sizeof(pad), "pad=%d:%d:0:0:black,", w + s->info.pad_right,
				 h + s->info.pad_bottom);
		snprintf(chain, sizeof(chain), "%s%sformat=%s",
			 s->upright, pad,
			 av_get_pix_fmt_name(SOURCE_PIX_FMT));
	}
	outp = avfilter_inout_alloc();
	in = avfilter_inout_alloc();
	if (!outp || !in) {
		ret = ob_err(OB_ERR_NOMEM, "%s: out of memory", s->path);
		goto out;
	}
	outp->name = av_strdup("in");
	outp->filter_ctx = s->buf_src;
	in->name = av_strdup("out");
	in->filter_ctx = s->buf_sink;
	ret = avfilter_graph_parse_ptr(s->graph, chain, &in, &outp, NULL);
	if (ret < 0) {
		ret = ob_err_av(OB_ERR_INTERNAL, ret, "%s: filter graph '%s'", s->path, chain);
		goto out;
	}
	ret = avfilter_graph_config(s->graph, NULL);
	if (ret < 0) {
		ret = ob_err_av(OB_ERR_INTERNAL, ret, "%s: filter graph", s->path);
		goto out;
	}
	s->info.width = av_buffersink_get_w(s->buf_sink);
	s->info.height = av_buffersink_get_h(s->buf_sink);
	s->info.pix_fmt = av_buffersink_get_format(s->buf_sink);
	s->info.sar = av_buffersink_get_sample_aspect_ratio(s->buf_sink);
	s->info.time_base = av_buffersink_get_time_base(s->buf_sink);
	s->info.frame_rate = fr;
	ret = 0;
out:
	avfilter_inout_free(&in);
	avfilter_inout_free(&outp);
	return ret;
}

static int open_decoder(struct ob_source *s, AVStream *st, int threads)
{
	const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
	int ret;

	if (!codec)
		return ob_err(OB_ERR_INPUT, "%s: no decoder for video codec %s", s->path,
			      avcodec_get_name(st->codecpar->codec_id));
	s->dec = avcodec_alloc_context3(codec);
	if (!s->dec)
		return ob_err(OB_ERR_NOMEM, "%s: out of memory", s->path);
	ret = avcodec_parameters_to_context(s->dec, st->codecpar);
	if (ret < 0)
		return ob_err_av(OB_ERR_INPUT, ret, "%s: video stream", s->path);
	s->dec->pkt_timebase = st->time_base;
	s->dec->thread_count = threads;
	/* A photo is one picture: any damage fails it rather than exporting a
	 * half-decoded image. */
	if (s->info.still)
		s->dec->err_recognition |= AV_EF_EXPLODE | AV_EF_CRCCHECK;
	ret = avcodec_open2(s->dec, codec, NULL);
	if (ret < 0)
		return ob_err_av(OB_ERR_INPUT, ret, "%s: cannot open %s decoder", s->path, codec->name);
	if (s->dec->width <= 0 || s->dec->height <= 0)
		/* what FFmpeg makes of a text file named .png or .jpg: it picks
		 * the image demuxer by the name, which finds no picture in it */
		return ob_err(OB_ERR_INPUT, "%s: not a readable video or picture file: its video stream has no frame size",
			      s->path);
	if (s->dec->width > OB_FRAME_MAX_DIM || s->dec->height > OB_FRAME_MAX_DIM)
		return ob_err(OB_ERR_LIMIT, "%s: frame size %dx%d larger than %d", s->path,
			      s->dec->width, s->dec->height, OB_FRAME_MAX_DIM);
	return 0;
}

/* When the recording began, as the container says (its creation_time, or the
 * video stream's): UTC seconds since 1970, NAN if it does not say.  Cameras
 * differ on whether they stamp the start or the end of a recording; Obscura
 * takes the stamp as given and says where it came from (obscura-tracks(5)). */
static double start_time(const AVFormatContext *fmt, const AVStream *st)
{
	const AVDictionaryEntry *e = av_dict_get(fmt->metadata, "creation_time", NULL, 0);
	int64_t us;

	if (!e)
		e = av_dict_get(st->metadata, "creation_time", NULL, 0);
	if (!e || av_parse_time(&us, e->value, 0) < 0 || us <= 0)
		return NAN;
	return (double)us / 1e6;
}

#define PHOTO_IO_BUF 65536

/* The demuxer's reads of a photo: from its bytes in memory, to the image's end. */
static int read_photo(void *opaque, uint8_t *buf, int size)
{
	struct ob_source *s = opaque;
	size_t left = s->photo.image_end - s->photo_pos, n = left < (size_t)size ? left : (size_t)size;

	if (!n)
		return AVERROR_EOF;
	memcpy(buf, s->photo_data + s->photo_pos, n);
	s->photo_pos += n;
	return (int)n;
}

/* A JPEG or PNG, by its first bytes: read and scanned whole (photo.h), so
 * a truncated photo is refused before any decoding, and its orientation
 * and metadata are known. */
static int open_photo(struct ob_source *s)
{
	char *data = NULL;
	unsigned char *buf = NULL;
	size_t len;
	int ret;

	s->info.still = ob_photo_kind_file(s->path);
	if (!s->info.still)
		return 0;
	if ((ret = ob_read_file(s->path, OB_PHOTO_MAX_BYTES, &data, &len)))
		return ret;
	s->photo_data = data;
	ret = ob_photo_scan(s->path, (const unsigned char *)data, len, &s->photo);
	if (!ret && (int)s->photo.kind != s->info.still)
		ret = ob_err(OB_ERR_INPUT, "%s: changed while it was being read", s->path);
	s->info.photo = &s->photo;
	if (ret)
		return ret;
	/* The demuxer reads the bytes scanned, never the file again, and only
	 * the image: data after its end (a phone's MPF second image) would be
	 * a second picture. */
	if (!(buf = av_malloc(PHOTO_IO_BUF)) ||
	    !(s->photo_io = avio_alloc_context(buf, PHOTO_IO_BUF, 0, s, read_photo, NULL, NULL))) {
		av_free(buf);
		return ob_err(OB_ERR_NOMEM, "%s: out of memory", s->path);
	}
	if (!(s->fmt = avformat_alloc_context()))
		return ob_err(OB_ERR_NOMEM, "%s: out of memory", s->path);
	s->fmt->pb = s->photo_io;
	s->fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
	return 0;
}

#define BOX_WALK_MAX 4096 /* top-level boxes looked at; a real MP4 has a handful */

/*
 * An MP4 or MOV whose recording or copy was cut before its index: it opens
 * with an ftyp box, but its top-level boxes, walked by their sizes, reach
 * the end of the file (or run past it) without a moov.  FFmpeg says only
 * "Invalid data found" of such a file; this is why.  False when the file
 * cannot be read or walked, or has a moov (FFmpeg's message stands then).
 */
static bool cut_before_moov(const char *path)
{
	unsigned char h[16];
	struct stat st;
	uint64_t at = 0;
	bool ftyp = false;
	int fd;

	if (ob_open_regular(path, &fd, &st))
		return false;
	for (int n = 0; n < BOX_WALK_MAX && at + 8 <= (uint64_t)st.st_size; n++) {
		uint64_t size;

		if (pread(fd, h, sizeof(h), (off_t)at) < 8)
			break;
		size = (uint64_t)h[0] << 24 | (uint64_t)h[1] << 16 | (uint64_t)h[2] << 8 | h[3];
		if (size == 1 && at + 16 <= (uint64_t)st.st_size) {
			size = 0;
			for (int i = 8; i < 16; i++)
				size = size << 8 | h[i];
		}
		if (n == 0)
			ftyp = !memcmp(h + 4, "ftyp", 4);
		if (size == 0) /* the box runs to the end: a recording's mdat before it was closed */
			size = (uint64_t)st.st_size - at;
		if (!ftyp || !memcmp(h + 4, "moov", 4) || size < 8) {
			ftyp = false; /* not an MP4, has an index, or not walkable: FFmpeg's word */
			break;
		}
		at += size;
	}
	close(fd);
	return ftyp;
}

int ob_source_open(struct ob_source **out, const char *path, bool keep_audio, int threads)
{
	struct ob_source *s;
	AVDictionary *opts = NULL;
	struct stat st_buf;
	AVStream *st;
	int ret, vidx;

	*out = NULL;
	ret = ob_stat_regular(path, &st_buf);
	if (ret)
		return ret;
	if (st_buf.st_size == 0)
		return ob_err(OB_ERR_INPUT, "%s: empty file", path);

	s = calloc(1, sizeof(*s));
	if (!s)
		return ob_err(OB_ERR_NOMEM, "%s: out of memory", path);
	s->read_end = s->video_read_end = -1;
	s->last_pts = AV_NOPTS_VALUE;
	s->path = strdup(path);
	s->pkt = av_packet_alloc();
	s->info.audio_index = -1;
	if (!s->path || !s->pkt) {
		ret = ob_err(OB_ERR_NOMEM, "%s: out of memory", path);
		goto out;
	}
	ret = open_photo(s);
	if (ret)
		goto out;
	/* A playlist or concat file must not make us read other files or hosts. */
	av_dict_set(&opts, "protocol_whitelist", "file", 0);
	ret = avformat_open_input(&s->fmt, path, s->info.still ? av_find_input_format(
		s->info.still == OB_PHOTO_JPEG ? "jpeg_pipe" : "png_pipe") : NULL, &opts);
	av_dict_free(&opts);
	if (ret < 0 && !s->info.still && cut_before_moov(path)) {
		ret = ob_err(OB_ERR_INPUT, "%s: truncated: the file ends before its index (no moov box); "
			     "the recording or the copy was cut", path);
		goto out;
	}
	if (ret < 0) {
		ret = ob_err_av(OB_ERR_INPUT, ret, "%s: not a readable %s file", path,
				s->info.still ? ob_photo_name(s->info.still) : "video");
		goto out;
	}
	ret = avformat_find_stream_info(s->fmt, NULL);
	if (ret < 0) {
		ret = ob_err_av(OB_ERR_INPUT, ret, "%s: cannot read stream information", path);
		goto out;
	}
	vidx = av_find_best_stream(s->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
	if (vidx < 0) {
		ret = ob_err(OB_ERR_INPUT, "%s: no video stream", path);
		goto out;
	}
	st = s->fmt->streams[vidx];
	if (st->disposition & AV_DISPOSITION_ATTACHED_PIC) {
		ret = ob_err(OB_ERR_INPUT, "%s: only a still picture, no video stream", path);
		goto out;
	}
	s->info.video_index = vidx;
	s->info.video_codec = avcodec_get_name(st->codecpar->codec_id);
	if (s->info.still) {
		s->upright = ob_photo_orient_filter(s->photo.orientation, &s->info.rotation, &s->info.mirrored);
	} else {
		s->info.rotation = stream_rotation(st);
		s->upright = rotation_filter(s->info.rotation);
	}
	if (keep_audio) {
		int aidx = av_find_best_stream(s->fmt, AVMEDIA_TYPE_AUDIO, -1, vidx, NULL, 0);
		s->info.audio_index = aidx >= 0 ? aidx : -1;
	}
	/* Demux only what we use: every other stream is dropped at the source. */
	for (unsigned i = 0; i < s->fmt->nb_streams; i++)
		if ((int)i != vidx && (int)i != s->info.audio_index) {
			s->fmt->streams[i]->discard = AVDISCARD_ALL;
			s->discarded = true;
		}

	ret = open_decoder(s, st, threads);
	if (ret)
		goto out;
	ret = build_graph(s, st);
	if (ret)
		goto out;
	s->info.frames_estimate = st->nb_frames > 0 ? st->nb_frames : -1;
	s->info.duration = s->fmt->duration > 0 ? (double)s->fmt->duration / AV_TIME_BASE : -1;
	if (s->info.frames_estimate < 0 && s->info.duration > 0 && s->info.frame_rate.num > 0)
		s->info.frames_estimate = (int64_t)(s->info.duration * av_q2d(s->info.frame_rate) + 0.5);
	s->info.start_time = s->info.still ? NAN : start_time(s->fmt, st);
	if (s->info.still) {
		s->info.frames_estimate = 1;
		s->info.duration = -1;
	}
	/* Gaps are counted only where the container says the rate is constant. */
	if (st->avg_frame_rate.num > 0 && st->avg_frame_rate.den > 0 && !av_cmp_q(st->avg_frame_rate, st->r_frame_rate))
		s->frame_step = av_rescale_q(1, av_inv_q(st->avg_frame_rate), st->time_base);
out:
	if (ret)
		ob_source_free(&s);
	*out = s;
	return ret;
}

/*
 * True if the file ends before its own index says it should: the last video
 * packet was cut short (a head -c of an MP4), or an MP4/MOV's sample table
 * lists more video samples than the file holds (a cut between samples).  Only
 * checked where the signal is exact; an AVI index, for one, may list empty
 * "drop" frames the demuxer skips.
 */
/* The video stream's own declared duration in seconds (its header, or the
 * DURATION tag Matroska muxers write per track); -1 if it has none. */
static double video_declared(const struct ob_source *s)
{
	const AVStream *st = s->fmt->streams[s->info.video_index];
	const AVDictionaryEntry *e = av_dict_get(st->metadata, "DURATION", NULL, 0);
	int h, m;
	double sec;

	if (st->duration > 0 && st->duration != AV_NOPTS_VALUE)
		return (double)st->duration * av_q2d(st->time_base);
	if (e && sscanf(e->value, "%d:%d:%lf", &h, &m, &sec) == 3 && h >= 0 && m >= 0 && sec >= 0)
		return h * 3600.0 + m * 60.0 + sec;
	return -1;
}

/*
 * Seconds of its declared duration that no packet reached, beyond two
 * frames' slack; 0 if none or nothing is declared.  The video is held to its
 * own duration where the container gives one; otherwise the file's duration
 * (Matroska's header, not a bitrate guess) is held to every stream's
 * packets, and only when none is discarded: audio longer than the video is
 * then no gap.  A file cut short ends every stream early.
 */
static double short_of_duration(const struct ob_source *s)
{
	double declared = video_declared(s), end = s->video_read_end, fps = av_q2d(s->info.frame_rate);
	double slack = (fps > 0 ? 2 / fps : 0.1) + 0.05;

	if (declared < 0) {
		if (s->fmt->duration <= 0 || s->fmt->duration_estimation_method == AVFMT_DURATION_FROM_BITRATE ||
		    s->discarded)
			return 0;
		declared = (double)s->fmt->duration / AV_TIME_BASE;
		end = s->read_end;
	}
	if (end < 0)
		return 0;
	return end < declared - slack ? declared - end : 0;
}

/* Where the packet just read ends, in seconds after the file's start. */
static void note_read_end(struct ob_source *s, const AVPacket *p)
{
	const AVStream *st = s->fmt->streams[p->stream_index];
	int64_t t = p->pts != AV_NOPTS_VALUE ? p->pts : p->dts;
	double end;

	if (t == AV_NOPTS_VALUE)
		return;
	end = (double)(t + (p->duration > 0 ? p->duration : 0)) * av_q2d(st->time_base);
	if (s->fmt->start_time != AV_NOPTS_VALUE)
		end -= (double)s->fmt->start_time / AV_TIME_BASE;
	if (end > s->read_end)
		s->read_end = end;
	if (p->stream_index == s->info.video_index && end > s->video_read_end)
		s->video_read_end = end;
}

static bool truncated(const struct ob_source *s)
{
	const AVStream *st = s->fmt->streams[s->info.video_index];

	if (!s->fmt->pb || !avio_feof(s->fmt->pb))
		return false;
	if (s->last_video_corrupt)
		return true;
	if (!strncmp(s->fmt->iformat->name, "mov,", 4) && st->nb_frames > 0 && s->video_packets < st->nb_frames)
		return true;
	return short_of_duration(s) > 0;
}

/* At a constant frame rate, frames missing before one at pts (dropped as
 * corrupt, or never decoded) are counted: decode_errors counts packets, and
 * one bad packet can cost every frame up to the next keyframe. */
static void count_lost(struct ob_source *s, int64_t pts)
{
	if (pts == AV_NOPTS_VALUE || !s->frame_step)
		return;
	if (s->last_pts != AV_NOPTS_VALUE && pts - s->last_pts > s->frame_step + s->frame_step / 2)
		s->frames_lost += (pts - s->last_pts + s->frame_step / 2) / s->frame_step - 1;
	if (s->last_pts == AV_NOPTS_VALUE || pts > s->last_pts)
		s->last_pts = pts;
}

/* Moves decoded frames into the filter graph until it has output or input runs out. */
static int feed(struct ob_source *s, AVFrame *frame, AVPacket *pkt, int *item)
{
	int ret;

	*item = -1;
	for (;;) {
		ret = avcodec_receive_frame(s->dec, frame);
		if (ret == 0) {
			if (frame->width != s->dec->width || frame->height != s->dec->height)
				return ob_err(OB_ERR_INPUT, "%s: frame size changes mid-stream (%dx%d to %dx%d): not supported",
					      s->path, s->dec->width, s->dec->height, frame->width, frame->height);
			frame->pts = frame->best_effort_timestamp;
			count_lost(s, frame->pts);
			ret = av_buffersrc_add_frame_flags(s->buf_src, frame, AV_BUFFERSRC_FLAG_KEEP_REF);
			av_frame_unref(frame);
			if (ret < 0)
				return ob_err_av(OB_ERR_INTERNAL, ret, "%s: filter graph", s->path);
			return 0;
		}
		if (ret == AVERROR_EOF) {
			if (!s->dec_eof) {
				s->dec_eof = true;
				ret = av_buffersrc_add_frame(s->buf_src, NULL);
				if (ret < 0)
					return ob_err_av(OB_ERR_INTERNAL, ret, "%s: filter graph", s->path);
			}
			return 0;
		}
		if (ret != AVERROR(EAGAIN)) {
			/* A corrupt frame: skip it, as a player would, and count it. */
			s->decode_errors++;
			continue;
		}
		if (s->demux_eof)
			return ob_err(OB_ERR_INTERNAL, "%s: decoder stalled after end of input", s->path);

		ret = av_read_frame(s->fmt, s->pkt);
		if (ret == AVERROR_EOF || (ret < 0 && avio_feof(s->fmt->pb))) {
			s->demux_eof = true;
			if (truncated(s)) {
				int64_t want = s->fmt->streams[s->info.video_index]->nb_frames;

				double gap = short_of_duration(s), fps = av_q2d(s->info.frame_rate);

				if (want > 0 && s->video_packets < want)
					return ob_err(OB_ERR_INPUT, "%s: truncated: the file ends inside its video data (%lld of %lld video samples present)",
						      s->path, (long long)s->video_packets, (long long)want);
				if (gap > 0)
					return ob_err(OB_ERR_INPUT, "%s: truncated: %.2f s of the duration the container declares are missing (about %lld frames)",
						      s->path, gap, (long long)(gap * (fps > 0 ? fps : 0) + 0.5));
				return ob_err(OB_ERR_INPUT, "%s: truncated: the file ends inside its video data (after %lld video packets)",
					      s->path, (long long)s->video_packets);
			}
			ret = avcodec_send_packet(s->dec, NULL);
			/* An error here is the verdict on a packet still buffered in
			 * the decoder: skip that frame as any corrupt one, whatever
			 * the thread count; draining goes on. */
			if (ret == AVERROR(ENOMEM))
				return ob_err(OB_ERR_NOMEM, "%s: out of memory in decoder", s->path);
			if (ret < 0 && ret != AVERROR_EOF)
				s->decode_errors++;
			continue;
		}
		if (ret < 0)
			return ob_err_av(OB_ERR_INPUT, ret, "%s: read error", s->path);
		note_read_end(s, s->pkt);
		if (s->pkt->stream_index == s->info.audio_index) {
			av_packet_move_ref(pkt, s->pkt);
			*item = OB_SOURCE_PACKET;
			return 0;
		}
		if (s->pkt->stream_index != s->info.video_index) {
			av_packet_unref(s->pkt);
			continue;
		}
		s->video_packets++;
		s->last_video_corrupt = s->pkt->flags & AV_PKT_FLAG_CORRUPT;
		ret = avcodec_send_packet(s->dec, s->pkt);
		av_packet_unref(s->pkt);
		if (ret < 0 && ret != AVERROR(EAGAIN)) {
			if (ret == AVERROR(ENOMEM))
				return ob_err(OB_ERR_NOMEM, "%s: out of memory in decoder", s->path);
			s->decode_errors++;
		}
	}
}

int ob_source_next(struct ob_source *s, AVFrame *frame, AVPacket *pkt)
{
	for (;;) {
		int ret, item;

		if (s->graph_eof)
			return OB_SOURCE_EOF;
		ret = av_buffersink_get_frame(s->buf_sink, frame);
		if (ret >= 0 && s->info.still && s->frames_out) {
			av_frame_unref(frame);
			return ob_err(OB_ERR_INPUT, "%s: more than one picture in one %s file", s->path,
				      ob_photo_name(s->info.still));
		}
		if (ret >= 0) {
			s->frames_out++;
			return OB_SOURCE_FRAME;
		}
		if (ret == AVERROR_EOF) {
			s->graph_eof = true;
			return OB_SOURCE_EOF;
		}
		if (ret != AVERROR(EAGAIN))
			return ob_err_av(OB_ERR_INTERNAL, ret, "%s: filter graph", s->path);
		if (s->dec_eof)
			return ob_err(OB_ERR_INTERNAL, "%s: filter graph stalled at end of input", s->path);
		ret = feed(s, frame, pkt, &item);
		if (ret)
			return ret;
		if (s->info.still && s->decode_errors)
			return ob_err(OB_ERR_INPUT, "%s: corrupt: the %s decoder rejected its image data", s->path,
				      ob_photo_name(s->info.still));
		if (item == OB_SOURCE_PACKET)
			return OB_SOURCE_PACKET;
	}
}

double ob_source_fps(const struct ob_source_info *v)
{
	return v->frame_rate.num > 0 && v->frame_rate.den > 0 ? av_q2d(v->frame_rate) : OB_SOURCE_FPS_UNKNOWN;
}

const struct ob_source_info *ob_source_info(const struct ob_source *s)
{
	return &s->info;
}

const AVFormatContext *ob_source_format(const struct ob_source *s)
{
	return s->fmt;
}

int64_t ob_source_frames_lost(const struct ob_source *s)
{
	return s->frames_lost;
}

int64_t ob_source_decode_errors(const struct ob_source *s)
{
	return s->decode_errors;
}

void ob_source_free(struct ob_source **sp)
{
	struct ob_source *s;

	if (!sp || !*sp)
		return;
	s = *sp;
	avfilter_graph_free(&s->graph);
	avcodec_free_context(&s->dec);
	avformat_close_input(&s->fmt);
	if (s->photo_io) /* custom I/O: its buffer and context are ours to free */
		av_freep(&s->photo_io->buffer);
	avio_context_free(&s->photo_io);
	free(s->photo_data);
	av_packet_free(&s->pkt);
	free(s->path);
	free(s);
	*sp = NULL;
}

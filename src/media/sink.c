/* SPDX-License-Identifier: MIT */
/* sink.c - libavcodec encode + libavformat mux of the redacted export. */
#include "obscura/sink.h"

#include <errno.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avstring.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/hash.h"
#include "obscura/photo.h"
#include "obscura/recipe.h"
#include "obscura/source.h"
#include "obscura/version.h"
#include "obscura/banned.h"

struct ob_sink {
	char final[OB_PATH_MAX];
	char tmp[OB_PATH_MAX];
	AVFormatContext *oc;
	AVCodecContext *enc;
	AVPacket *pkt;
	AVStream *vst, *ast;
	AVRational audio_in_tb;
	int64_t audio_packets;     /* kept audio packets written */
	bool audio_blanked;        /* an encoder string in kept AAC was blanked */
	const char *container;
	int64_t last_pts;  /* strictly increasing pts for the encoder */
	int64_t tick;      /* one frame at the nominal rate, in encoder time base */
	int64_t frames;
	bool header_written, finished, committed;
	/* Checkpoints: SHA-256 of the video packets handed to the muxer. */
	ob_sink_checkpoint_fn checkpoint;
	void *opaque;
	struct ob_hash *seg;   /* hash of the current range, NULL when none is open */
	int64_t seg_first;     /* index of the range's first video packet */
	int64_t packets;       /* video packets muxed so far */
	/* A photo: one frame converted for its encoder, one packet = the file. */
	int still;             /* enum ob_photo_kind, 0 for a video */
	struct SwsContext *sws;
	AVFrame *picture;      /* fresh: no side data, no metadata of the input */
};

static int close_checkpoint(struct ob_sink *s);
static int hash_packet(struct ob_sink *s, const AVPacket *pkt);

static const char *muxer_name(const char *container)
{
	return !strcmp(container, "mkv") ? "matroska" : "mp4";
}

/* Copies only the container tags the recipe names; everything else is dropped. */
static int set_metadata(struct ob_sink *s, const struct ob_sink_params *p)
{
	const struct ob_recipe *r = p->recipe;

	for (size_t i = 0; i < r->n_keep_tags; i++) {
		const AVDictionaryEntry *e = av_dict_get(p->input->metadata, r->keep_tags[i], NULL, 0);
		if (e && av_dict_set(&s->oc->metadata, e->key, e->value, 0) < 0)
			return ob_err(OB_ERR_NOMEM, "%s: out of memory", s->final);
	}
	if (r->label && av_dict_set(&s->oc->metadata, "comment", OB_LABEL, 0) < 0)
		return ob_err(OB_ERR_NOMEM, "%s: out of memory", s->final);
	return 0;
}

static const char *muxer_name_of(const struct ob_sink *s)
{
	return !strcmp(s->container, "mkv") ? "matroska" : "mov";
}

static int open_encoder(struct ob_sink *s, const struct ob_sink_params *p)
{
	const struct ob_recipe *r = p->recipe;
	const struct ob_source_info *v = p->video;
	const AVCodec *codec = avcodec_find_encoder_by_name(r->output.codec);
	AVDictionary *opts = NULL;
	char crf[16];
	int ret;

	if (!codec || codec->type != AVMEDIA_TYPE_VIDEO)
		return ob_err(OB_ERR_CODEC, "%s: no video encoder named '%s' in this FFmpeg",
			      r->path, r->output.codec);
	s->enc = avcodec_alloc_context3(codec);
	if (!s->enc)
		return ob_err(OB_ERR_NOMEM, "%s: out of memory", s->final);
	s->enc->width = v->width;
	s->enc->height = v->height;
	s->enc->pix_fmt = v->pix_fmt;
	s->enc->sample_aspect_ratio = v->sar;
	s->enc->time_base = v->time_base;
	if (v->frame_rate.num > 0)
		s->enc->framerate = v->frame_rate;
	s->enc->thread_count = p->threads;
	/* No "Lavc" version string or other build details in the stream. */
	s->enc->flags |= AV_CODEC_FLAG_BITEXACT;
	if (s->oc->oformat->flags & AVFMT_GLOBALHEADER)
		s->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
	snprintf(crf, sizeof(crf), "%d", r->output.crf);
	if (av_opt_find(s->enc->priv_data, "crf", NULL, 0, 0))
		av_dict_set(&opts, "crf", crf, 0);
	if (av_opt_find(s->enc->priv_data, "preset", NULL, 0, 0))
		av_dict_set(&opts, "preset", r->output.preset, 0);
	ret = avcodec_open2(s->enc, codec, &opts);
	av_dict_free(&opts);
	if (ret < 0)
		return ob_err_av(OB_ERR_CODEC, ret, "%s: cannot open encoder %s (preset '%s', crf %d)",
				 s->final, codec->name, r->output.preset, r->output.crf);
	s->vst = avformat_new_stream(s->oc, NULL);
	if (!s->vst)
		return ob_err(OB_ERR_NOMEM, "%s: out of memory", s->final);
	ret = avcodec_parameters_from_context(s->vst->codecpar, s->enc);
	if (ret < 0)
		return ob_err_av(OB_ERR_CODEC, ret, "%s: encoder parameters", s->final);
	s->vst->time_base = s->enc->time_base;
	s->tick = v->frame_rate.num > 0 ? av_rescale_q(1, av_inv_q(v->frame_rate), s->enc->time_base) : 1;
	if (s->tick < 1)
		s->tick = 1;
	s->vst->sample_aspect_ratio = s->enc->sample_aspect_ratio;
	return 0;
}

static int add_audio(struct ob_sink *s, const struct ob_sink_params *p)
{
	const AVStream *ist;
	int ret;

	if (p->video->audio_index < 0)
		return 0;
	ist = p->input->streams[p->video->audio_index];
	if (avformat_query_codec(s->oc->oformat, ist->codecpar->codec_id, FF_COMPLIANCE_NORMAL) != 1)
		return ob_err(OB_ERR_INPUT,
			      "%s: audio codec %s cannot be kept in %s; use [output] container = mkv or [streams] audio = drop",
			      p->input->url, avcodec_get_name(ist->codecpar->codec_id),
			      p->recipe->output.container);
	s->ast = avformat_new_stream(s->oc, NULL);
	if (!s->ast)
		return ob_err(OB_ERR_NOMEM, "%s: out of memory", s->final);
	/* codecpar carries the codec set-up only: no tags, no side data. */
	ret = avcodec_parameters_copy(s->ast->codecpar, ist->codecpar);
	if (ret < 0)
		return ob_err_av(OB_ERR_INTERNAL, ret, "%s: audio parameters", s->final);
	s->ast->codecpar->codec_tag = 0;
	s->ast->time_base = ist->time_base;
	s->audio_in_tb = ist->time_base;
	return 0;
}

/*
 * A photo's encoder: JPEG (mjpeg, full-range 4:2:0, quantiser 2) or PNG
 * (8-bit RGB), from fresh pixels only.  No muxer: the encoder's one packet
 * is the whole file (JFIF's APP0, tables, scan, EOI; or PNG's IHDR, pHYs
 * when the picture is not square-pixelled, IDAT, IEND), written as it is.
 * BITEXACT keeps FFmpeg's "Lavc" comment out of the JPEG.  The frames
 * arrive padded to even sizes: the padding is cut off again here.
 */
static int open_still(struct ob_sink *s, const struct ob_sink_params *p)
{
	const struct ob_source_info *v = p->video;
	bool jpeg = v->still == OB_PHOTO_JPEG;
	const AVCodec *codec = avcodec_find_encoder(jpeg ? AV_CODEC_ID_MJPEG : AV_CODEC_ID_PNG);
	enum AVPixelFormat fmt = jpeg ? AV_PIX_FMT_YUVJ420P : AV_PIX_FMT_RGB24;
	int w = v->width - v->pad_right, h = v->height - v->pad_bottom, ret;

	s->still = v->still;
	if (!codec)
		return ob_err(OB_ERR_CODEC, "%s: no %s encoder in this FFmpeg", s->final, jpeg ? "mjpeg" : "png");
	if (!(s->enc = avcodec_alloc_context3(codec)) || !(s->picture = av_frame_alloc()))
		return ob_err(OB_ERR_NOMEM, "%s: out of memory", s->final);
	s->enc->width = w;
	s->enc->height = h;
	s->enc->pix_fmt = fmt;
	/* Square pixels when the input does not say: the mjpeg encoder writes
	 * JFIF's APP0, which tells viewers the colours are YCbCr, only then. */
	s->enc->sample_aspect_ratio = v->sar.num > 0 && v->sar.den > 0 ? v->sar : (AVRational){ 1, 1 };
	s->enc->time_base = (AVRational){ 1, 1 };
	s->enc->flags |= AV_CODEC_FLAG_BITEXACT;
	s->enc->thread_count = 1;
	if (jpeg) {
		s->enc->color_range = AVCOL_RANGE_JPEG;
		s->enc->flags |= AV_CODEC_FLAG_QSCALE;
		s->enc->global_quality = FF_QP2LAMBDA * OB_PHOTO_JPEG_QSCALE;
		s->enc->qmin = s->enc->qmax = OB_PHOTO_JPEG_QSCALE;
	}
	if ((ret = avcodec_open2(s->enc, codec, NULL)) < 0)
		return ob_err_av(OB_ERR_CODEC, ret, "%s: cannot open the %s encoder", s->final, codec->name);
	s->picture->format = fmt;
	s->picture->width = w;
	s->picture->height = h;
	if ((ret = av_frame_get_buffer(s->picture, 0)) < 0)
		return ob_err_av(OB_ERR_NOMEM, ret, "%s: picture", s->final);
	/* The pipeline's limited-range yuv420p back to what the format stores:
	 * no scaling (same size), only range and colour model. */
	s->sws = sws_getContext(w, h, v->pix_fmt, w, h, fmt, SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT,
				NULL, NULL, NULL);
	if (!s->sws)
		return ob_err(OB_ERR_CODEC, "%s: no conversion to %s", s->final, av_get_pix_fmt_name(fmt));
	return 0;
}

/* Encodes the photo's one frame into s->image. */
static int write_still(struct ob_sink *s, AVFrame *frame)
{
	int ret;

	if (s->frames)
		return ob_err(OB_ERR_INTERNAL, "%s: a second frame for a photo", s->final);
	if ((ret = av_frame_make_writable(s->picture)) < 0)
		return ob_err_av(OB_ERR_NOMEM, ret, "%s: picture", s->final);
	sws_scale(s->sws, (const uint8_t *const *)frame->data, frame->linesize, 0, s->picture->height,
		  s->picture->data, s->picture->linesize);
	s->picture->pts = 0;
	if ((ret = avcodec_send_frame(s->enc, s->picture)) < 0 || (ret = avcodec_send_frame(s->enc, NULL)) < 0)
		return ob_err_av(OB_ERR_CODEC, ret, "%s: encoding", s->final);
	if ((ret = avcodec_receive_packet(s->enc, s->pkt)) < 0)
		return ob_err_av(OB_ERR_CODEC, ret, "%s: encoding", s->final);
	s->frames++;
	return 0;
}

/* The encoded photo, as the file; its one checkpoint is the file's bytes. */
static int finish_still(struct ob_sink *s)
{
	int fd, ret;

	if (s->frames != 1)
		return ob_err(OB_ERR_INPUT, "%s: no picture could be decoded", s->final);
	fd = open(s->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0)
		return ob_err(OB_ERR_OUTPUT, "%s: cannot create: %s", s->final, strerror(errno));
	ret = ob_write_full(fd, s->pkt->data, (size_t)s->pkt->size);
	if (close(fd) < 0 || ret)
		return ob_err(OB_ERR_OUTPUT, "%s: write: %s", s->final, strerror(errno));
	if (s->checkpoint && ((ret = hash_packet(s, s->pkt)) || (ret = close_checkpoint(s))))
		return ret;
	s->finished = true;
	return 0;
}

int ob_sink_open(struct ob_sink **out, const struct ob_sink_params *p)
{
	struct ob_sink *s;
	AVDictionary *mux_opts = NULL;
	int ret;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return ob_err(OB_ERR_NOMEM, "%s: out of memory", p->path);
	s->last_pts = INT64_MIN;
	s->container = p->recipe->output.container;
	s->checkpoint = p->checkpoint;
	s->opaque = p->opaque;
	snprintf(s->final, sizeof(s->final), "%s", p->path);
	ret = ob_atomic_tmpname(p->path, s->tmp, sizeof(s->tmp));
	if (ret)
		goto out;
	s->pkt = av_packet_alloc();
	if (!s->pkt) {
		ret = ob_err(OB_ERR_NOMEM, "%s: out of memory", p->path);
		goto out;
	}
	if (p->video->still) {
		ret = open_still(s, p);
		goto out;
	}
	ret = avformat_alloc_output_context2(&s->oc, NULL, muxer_name(p->recipe->output.container), s->tmp);
	if (ret < 0) {
		ret = ob_err_av(OB_ERR_INTERNAL, ret, "%s: muxer", p->path);
		goto out;
	}
	/* No muxer version strings or wall-clock creation times. */
	s->oc->flags |= AVFMT_FLAG_BITEXACT;
	ret = open_encoder(s, p);
	if (ret)
		goto out;
	ret = add_audio(s, p);
	if (ret)
		goto out;
	ret = set_metadata(s, p);
	if (ret)
		goto out;
	ret = avio_open(&s->oc->pb, s->tmp, AVIO_FLAG_WRITE);
	if (ret < 0) {
		s->tmp[0] = '\0'; /* nothing was created */
		ret = ob_err_av(OB_ERR_OUTPUT, ret, "%s: cannot create", p->path);
		goto out;
	}
	if (!strcmp(p->recipe->output.container, "mp4"))
		av_dict_set(&mux_opts, "movflags", "+faststart", 0);
	ret = avformat_write_header(s->oc, &mux_opts);
	av_dict_free(&mux_opts);
	if (ret < 0) {
		ret = ob_err_av(OB_ERR_OUTPUT, ret, "%s: cannot write header", p->path);
		goto out;
	}
	s->header_written = true;
	ret = 0;
out:
	if (ret)
		ob_sink_free(&s);
	*out = s;
	return ret;
}

/* Ends the open checkpoint range, if any, and reports it. */
static int close_checkpoint(struct ob_sink *s)
{
	unsigned char sha[OB_SHA256_LEN];
	char hex[OB_SHA256_HEX_LEN + 1];

	if (!s->seg)
		return 0;
	ob_hash_final(s->seg, sha);
	ob_hash_free(&s->seg);
	ob_hex_encode(sha, sizeof(sha), hex);
	return s->checkpoint(s->opaque, s->seg_first, s->packets - 1, hex);
}

/* Adds a video packet's bytes to the current checkpoint range. */
static int hash_packet(struct ob_sink *s, const AVPacket *pkt)
{
	int ret;

	if (!s->checkpoint)
		return 0;
	if (!s->seg) {
		ret = ob_hash_new(OB_HASH_SHA256, &s->seg);
		if (ret)
			return ret;
		s->seg_first = s->packets;
	}
	if (pkt->size > 0)
		ob_hash_update(s->seg, pkt->data, (size_t)pkt->size);
	s->packets++;
	if (s->packets - s->seg_first == OB_CHECKPOINT_FRAMES)
		return close_checkpoint(s);
	return 0;
}

/*
 * Reads the finished file back (demux only, no decoding) and reports the
 * checkpoint ranges of its video packets as stored.  Not the packets as the
 * encoder gave them: the MP4 and Matroska muxers rewrite H.264 start codes
 * as length prefixes, so only stored bytes can be checked by a recipient.
 */
static int checkpoints(struct ob_sink *s)
{
	AVFormatContext *fmt = NULL;
	AVPacket *pkt = NULL;
	int vi = s->vst->index, ret;

	if (!s->checkpoint)
		return 0;
	ret = avformat_open_input(&fmt, s->tmp, av_find_input_format(muxer_name_of(s)), NULL);
	if (ret < 0)
		return ob_err_av(OB_ERR_OUTPUT, ret, "%s: cannot read back", s->final);
	pkt = av_packet_alloc();
	if (!pkt) {
		ret = ob_err(OB_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (;;) {
		ret = av_read_frame(fmt, pkt);
		if (ret == AVERROR_EOF) {
			ret = close_checkpoint(s);
			break;
		}
		if (ret < 0) {
			ret = ob_err_av(OB_ERR_OUTPUT, ret, "%s: cannot read back", s->final);
			break;
		}
		ret = pkt->stream_index == vi ? hash_packet(s, pkt) : 0;
		av_packet_unref(pkt);
		if (ret)
			break;
	}
out:
	av_packet_free(&pkt);
	avformat_close_input(&fmt);
	return ret;
}

/* Moves every packet the encoder has ready into the muxer. */
static int drain(struct ob_sink *s)
{
	for (;;) {
		int ret = avcodec_receive_packet(s->enc, s->pkt);

		if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
			return 0;
		if (ret < 0)
			return ob_err_av(OB_ERR_CODEC, ret, "%s: encoding", s->final);
		s->pkt->stream_index = s->vst->index;
		/* libx264 leaves durations at 0; the MP4 muxer then ends the
		 * edit list at the last frame's pts and demuxers drop that frame
		 * (207 of 208 for movie-hello.avi, 49 of 50 for x264 clips).
		 * Give every packet one nominal frame, as ffmpeg does. */
		if (s->pkt->duration <= 0)
			s->pkt->duration = s->tick;
		av_packet_rescale_ts(s->pkt, s->enc->time_base, s->vst->time_base);
		ret = av_interleaved_write_frame(s->oc, s->pkt);
		if (ret < 0)
			return ob_err_av(OB_ERR_OUTPUT, ret, "%s: write", s->final);
	}
}

int ob_sink_write_frame(struct ob_sink *s, AVFrame *frame)
{
	int64_t pts = frame->pts;
	int ret;

	if (s->still)
		return write_still(s, frame);
	/* The encoder needs strictly increasing timestamps; inputs with
	 * missing or repeated ones get the next tick, nothing is dropped. */
	if (pts == AV_NOPTS_VALUE || (s->last_pts != INT64_MIN && pts <= s->last_pts))
		pts = s->last_pts == INT64_MIN ? 0 : s->last_pts + 1;
	s->last_pts = pts;
	frame->pts = pts;
	frame->pict_type = AV_PICTURE_TYPE_NONE;
	ret = avcodec_send_frame(s->enc, frame);
	if (ret < 0)
		return ob_err_av(OB_ERR_CODEC, ret, "%s: encoding", s->final);
	s->frames++;
	return drain(s);
}

/*
 * FFmpeg's AAC encoder writes its version ("Lavc58.91.100") into the first
 * packet as the payload of a fill element (EXT_FILL), which decoders skip.
 * Kept audio would carry that build detail of the source's maker into the
 * export: its bytes become the fill byte 0xA5, in place, so no bit moves and
 * the stream decodes as before.  Only the first packets are looked at.
 */
static int blank_encoder_string(struct ob_sink *s, AVPacket *pkt)
{
	static const char tag[] = "Lavc";
	int ret;

	if (s->ast->codecpar->codec_id != AV_CODEC_ID_AAC || s->audio_packets++ >= 2 || pkt->size < 5)
		return 0;
	for (int i = 0; i + 4 < pkt->size; i++) {
		int n;

		if (memcmp(pkt->data + i, tag, 4) || !av_isdigit(pkt->data[i + 4]))
			continue;
		if ((ret = av_packet_make_writable(pkt)) < 0)
			return ob_err_av(OB_ERR_NOMEM, ret, "%s: audio packet", s->final);
		for (n = i + 4; n < pkt->size && (av_isdigit(pkt->data[n]) || pkt->data[n] == '.'); n++)
			;
		memset(pkt->data + i, 0xA5, (size_t)(n - i));
		s->audio_blanked = true;
		i = n - 1;
	}
	return 0;
}

int ob_sink_write_packet(struct ob_sink *s, AVPacket *pkt)
{
	int ret;

	if (!s->ast)
		return 0;
	if ((ret = blank_encoder_string(s, pkt)))
		return ret;
	pkt->stream_index = s->ast->index;
	pkt->pos = -1;
	av_packet_rescale_ts(pkt, s->audio_in_tb, s->ast->time_base);
	ret = av_interleaved_write_frame(s->oc, pkt);
	if (ret < 0)
		return ob_err_av(OB_ERR_OUTPUT, ret, "%s: write", s->final);
	return 0;
}

bool ob_sink_audio_blanked(const struct ob_sink *s)
{
	return s->audio_blanked;
}

int ob_sink_finish(struct ob_sink *s)
{
	int ret;

	if (s->still)
		return finish_still(s);
	if (s->frames == 0)
		return ob_err(OB_ERR_INPUT, "%s: no video frame could be decoded", s->final);
	ret = avcodec_send_frame(s->enc, NULL);
	if (ret < 0)
		return ob_err_av(OB_ERR_CODEC, ret, "%s: flushing encoder", s->final);
	ret = drain(s);
	if (ret)
		return ret;
	ret = av_write_trailer(s->oc);
	if (ret < 0)
		return ob_err_av(OB_ERR_OUTPUT, ret, "%s: write", s->final);
	ret = avio_closep(&s->oc->pb);
	if (ret < 0)
		return ob_err_av(OB_ERR_OUTPUT, ret, "%s: close", s->final);
	ret = checkpoints(s);
	if (ret)
		return ret;
	s->finished = true;
	return 0;
}

const char *ob_sink_tmp_path(const struct ob_sink *s)
{
	return s->tmp;
}

int ob_sink_commit(struct ob_sink *s)
{
	int ret;

	if (!s->finished)
		return ob_err(OB_ERR_INTERNAL, "%s: committed before it was finished", s->final);
	ret = ob_atomic_commit(s->tmp, s->final);
	if (ret)
		return ret;
	s->committed = true;
	return 0;
}

int64_t ob_sink_frames(const struct ob_sink *s)
{
	return s->frames;
}

void ob_sink_free(struct ob_sink **sp)
{
	struct ob_sink *s;

	if (!sp || !*sp)
		return;
	s = *sp;
	if (s->oc) {
		if (s->oc->pb)
			avio_closep(&s->oc->pb);
		avformat_free_context(s->oc);
	}
	if (!s->committed)
		ob_atomic_abort(s->tmp);
	avcodec_free_context(&s->enc);
	av_packet_free(&s->pkt);
	sws_freeContext(s->sws);
	av_frame_free(&s->picture);
	ob_hash_free(&s->seg);
	free(s);
	*sp = NULL;
}

/* SPDX-License-Identifier: MIT */
/* contact.c - chosen frames of a video, decoded as a job decodes them, as small JPEGs. */
#include "obscura/contact.h"

#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>
#include <libswscale/swscale.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/error.h"
#include "obscura/source.h"
#include "obscura/banned.h"

struct sheet {
	AVCodecContext *enc;
	struct SwsContext *sws;
	AVFrame *small;
	AVPacket *out;
	int tw, th;
};

/* The picture's size: the video's, made at most OB_CONTACT_WIDTH wide, both even. */
static void thumb_size(int w, int h, int *tw, int *th)
{
	*tw = w < OB_CONTACT_WIDTH ? w : OB_CONTACT_WIDTH;
	*tw -= *tw & 1;
	*th = (int)((double)h * *tw / w + 0.5);
	*th -= *th & 1;
	if (*tw < 2)
		*tw = 2;
	if (*th < 2)
		*th = 2;
}

static int sheet_open(struct sheet *s, const char *video, const struct ob_source_info *v)
{
	const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);

	thumb_size(v->width, v->height, &s->tw, &s->th);
	s->sws = sws_getContext(v->width, v->height, AV_PIX_FMT_YUV420P, s->tw, s->th, AV_PIX_FMT_YUVJ420P,
				SWS_AREA, NULL, NULL, NULL);
	s->small = av_frame_alloc();
	s->out = av_packet_alloc();
	s->enc = codec ? avcodec_alloc_context3(codec) : NULL;
	if (!s->sws || !s->small || !s->out || !s->enc)
		return ob_err(codec ? OB_ERR_NOMEM : OB_ERR_INTERNAL, "%s: cannot set up the thumbnails' %s", video,
			      codec ? "scaler" : "JPEG encoder (libavcodec has no mjpeg)");
	s->small->width = s->tw;
	s->small->height = s->th;
	s->small->format = AV_PIX_FMT_YUVJ420P;
	if (av_frame_get_buffer(s->small, 0) < 0)
		return ob_err(OB_ERR_NOMEM, "out of memory");
	s->enc->width = s->tw;
	s->enc->height = s->th;
	s->enc->pix_fmt = AV_PIX_FMT_YUVJ420P;
	s->enc->time_base = (AVRational){ 1, 25 };
	s->enc->flags |= AV_CODEC_FLAG_QSCALE | AV_CODEC_FLAG_BITEXACT; /* no "Lavc" comment in the pictures */
	s->enc->global_quality = FF_QP2LAMBDA * OB_CONTACT_QUALITY;
	if (avcodec_open2(s->enc, codec, NULL) < 0)
		return ob_err(OB_ERR_INTERNAL, "%s: cannot open the JPEG encoder", video);
	return 0;
}

static void sheet_close(struct sheet *s)
{
	avcodec_free_context(&s->enc);
	sws_freeContext(s->sws);
	av_frame_free(&s->small);
	av_packet_free(&s->out);
}

/* One decoded frame into t's JPEG. */
static int encode(struct sheet *s, const char *video, const AVFrame *f, struct ob_thumb *t)
{
	int ret;

	if (av_frame_make_writable(s->small) < 0)
		return ob_err(OB_ERR_NOMEM, "out of memory");
	sws_scale(s->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, s->small->data,
		  s->small->linesize);
	s->small->pts = t->frame;
	s->small->quality = FF_QP2LAMBDA * OB_CONTACT_QUALITY;
	ret = avcodec_send_frame(s->enc, s->small);
	if (ret >= 0)
		ret = avcodec_receive_packet(s->enc, s->out);
	if (ret < 0)
		return ob_err(OB_ERR_INTERNAL, "%s: frame %lld: JPEG encoding failed", video, (long long)t->frame);
	t->jpeg = malloc((size_t)s->out->size);
	if (!t->jpeg) {
		av_packet_unref(s->out);
		return ob_err(OB_ERR_NOMEM, "out of memory");
	}
	memcpy(t->jpeg, s->out->data, (size_t)s->out->size);
	t->jpeg_len = (size_t)s->out->size;
	t->width = s->tw;
	t->height = s->th;
	av_packet_unref(s->out);
	return 0;
}

int ob_contact_thumbs(const char *video, struct ob_thumb *t, size_t n, int *width, int *height)
{
	struct ob_source *src = NULL;
	struct sheet s = { 0 };
	AVFrame *frame = av_frame_alloc();
	AVPacket *pkt = av_packet_alloc();
	const struct ob_source_info *v;
	int64_t index = 0, first_pts = AV_NOPTS_VALUE;
	size_t next = 0;
	int ret;

	*width = *height = 0;
	if (!frame || !pkt) {
		ret = ob_err(OB_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((ret = ob_source_open(&src, video, false, 0)))
		goto out;
	v = ob_source_info(src);
	*width = v->width;
	*height = v->height;
	if ((ret = sheet_open(&s, video, v)))
		goto out;
	while (next < n) {
		ret = ob_source_next(src, frame, pkt);
		if (ret < 0)
			goto out;
		if (ret == OB_SOURCE_EOF)
			break;
		if (ret != OB_SOURCE_FRAME) {
			av_packet_unref(pkt);
			continue;
		}
		if (first_pts == AV_NOPTS_VALUE)
			first_pts = frame->pts;
		while (next < n && t[next].frame < index)
			next++; /* not sorted as promised: skipped, never stuck */
		if (next < n && t[next].frame == index) {
			t[next].pts = frame->pts == AV_NOPTS_VALUE ? 0 :
				      (double)(frame->pts - first_pts) * av_q2d(v->time_base);
			ret = encode(&s, video, frame, &t[next]);
			if (ret) {
				av_frame_unref(frame);
				goto out;
			}
			next++;
		}
		av_frame_unref(frame);
		index++;
	}
	ret = 0;
out:
	sheet_close(&s);
	ob_source_free(&src);
	av_frame_free(&frame);
	av_packet_free(&pkt);
	return ret;
}

void ob_contact_release(struct ob_thumb *t, size_t n)
{
	for (size_t i = 0; t && i < n; i++) {
		free(t[i].jpeg);
		t[i].jpeg = NULL;
		t[i].jpeg_len = 0;
	}
}

/* SPDX-License-Identifier: MIT */
/* image.c - test support: an image file as the pipeline would carry it, for
 * the detector tests and the tools that check detection on photographs. */
#include "image.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>
#include <libswscale/swscale.h>

#include "obscura/error.h"
#include "obscura/banned.h"

/* The pipeline only ever sees video frames; tests and tools feed the
 * detectors still photographs, which only they need to decode. */
int ob_image_load(const char *path, AVFrame **out)
{
	AVFormatContext *fmt = NULL;
	AVCodecContext *dec = NULL;
	AVPacket *pkt = av_packet_alloc();
	AVFrame *raw = av_frame_alloc(), *yuv = NULL;
	struct SwsContext *sws = NULL;
	const AVCodec *codec;
	int ret, idx, got = 0;

	*out = NULL;
	if (!pkt || !raw) {
		ret = ob_err(OB_ERR_NOMEM, "%s: out of memory", path);
		goto out;
	}
	ret = avformat_open_input(&fmt, path, NULL, NULL);
	if (ret < 0) {
		ret = ob_err_av(OB_ERR_INPUT, ret, "%s", path);
		goto out;
	}
	ret = avformat_find_stream_info(fmt, NULL);
	idx = ret < 0 ? ret : av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
	if (idx < 0) {
		ret = ob_err_av(OB_ERR_INPUT, idx, "%s: no picture", path);
		goto out;
	}
	dec = avcodec_alloc_context3(codec);
	if (!dec || avcodec_parameters_to_context(dec, fmt->streams[idx]->codecpar) < 0 ||
	    avcodec_open2(dec, codec, NULL) < 0) {
		ret = ob_err(OB_ERR_CODEC, "%s: cannot open decoder", path);
		goto out;
	}
	while (!got && av_read_frame(fmt, pkt) >= 0) {
		if (pkt->stream_index == idx && avcodec_send_packet(dec, pkt) >= 0)
			got = avcodec_receive_frame(dec, raw) >= 0;
		av_packet_unref(pkt);
	}
	if (!got && avcodec_send_packet(dec, NULL) >= 0)
		got = avcodec_receive_frame(dec, raw) >= 0;
	if (!got) {
		ret = ob_err(OB_ERR_INPUT, "%s: could not decode a picture", path);
		goto out;
	}
	yuv = av_frame_alloc();
	if (!yuv) {
		ret = ob_err(OB_ERR_NOMEM, "%s: out of memory", path);
		goto out;
	}
	yuv->format = AV_PIX_FMT_YUV420P;
	yuv->width = raw->width;
	yuv->height = raw->height;
	yuv->color_range = AVCOL_RANGE_JPEG;
	yuv->colorspace = AVCOL_SPC_BT470BG;
	ret = av_frame_get_buffer(yuv, 0);
	if (ret < 0) {
		ret = ob_err_av(OB_ERR_NOMEM, ret, "%s", path);
		goto out;
	}
	{
		/* The deprecated full-range "J" formats are their plain twin plus a range flag. */
		static const int jfmt[][2] = { { AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUV420P },
					       { AV_PIX_FMT_YUVJ422P, AV_PIX_FMT_YUV422P },
					       { AV_PIX_FMT_YUVJ444P, AV_PIX_FMT_YUV444P },
					       { AV_PIX_FMT_YUVJ440P, AV_PIX_FMT_YUV440P } };
		for (size_t i = 0; i < sizeof(jfmt) / sizeof(jfmt[0]); i++)
			if (raw->format == jfmt[i][0]) {
				raw->format = jfmt[i][1];
				raw->color_range = AVCOL_RANGE_JPEG;
			}
	}
	sws = sws_getContext(raw->width, raw->height, raw->format, raw->width, raw->height,
			     AV_PIX_FMT_YUV420P, SWS_BICUBIC | SWS_ACCURATE_RND, NULL, NULL, NULL);
	if (!sws) {
		ret = ob_err(OB_ERR_INTERNAL, "%s: no scaler", path);
		goto out;
	}
	{
		int src_full = raw->color_range == AVCOL_RANGE_JPEG;
		sws_setColorspaceDetails(sws, sws_getCoefficients(SWS_CS_DEFAULT), src_full,
					 sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16);
	}
	sws_scale(sws, (const uint8_t *const *)raw->data, raw->linesize, 0, raw->height, yuv->data,
		  yuv->linesize);
	*out = yuv;
	yuv = NULL;
	ret = 0;
out:
	sws_freeContext(sws);
	av_frame_free(&yuv);
	av_frame_free(&raw);
	av_packet_free(&pkt);
	avcodec_free_context(&dec);
	avformat_close_input(&fmt);
	return ret;
}

/* SPDX-License-Identifier: MIT */
/* video.c - test support: the video frames of a file, for the tools that
 * compare an input with its export frame by frame. */
#include "video.h"

#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>

#include "obscura/source.h"
#include "obscura/banned.h"

int ob_video_next(struct ob_source *src, AVFrame *frame, AVPacket *pkt)
{
	for (;;) {
		int r = ob_source_next(src, frame, pkt);

		if (r == OB_SOURCE_PACKET) {
			av_packet_unref(pkt);
			continue;
		}
		if (r < 0)
			return r;
		return r == OB_SOURCE_FRAME;
	}
}

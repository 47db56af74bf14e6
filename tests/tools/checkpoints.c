/* SPDX-License-Identifier: MIT */
/* checkpoints.c - test tool: recompute a manifest's checkpoint hashes from an export, as a recipient could. */
#include <libavformat/avformat.h>
#include <stdio.h>
#include <stdlib.h>

#include "obscura/hash.h"
#include "obscura/sink.h"
#include "obscura/banned.h"

/*
 * usage: checkpoints FILE
 *
 * Demuxes FILE and prints, for every OB_CHECKPOINT_FRAMES video packets in
 * storage order (and the remainder), "FIRST LAST SHA256" of the packets'
 * bytes concatenated: the same lines as the manifest's checkpoint events
 * when nothing was cut, spliced or re-encoded.  Exit 0, or 1 with a message.
 */

static void flush_range(struct ob_hash **h, long long first, long long last)
{
	unsigned char sha[OB_SHA256_LEN];
	char hex[OB_SHA256_HEX_LEN + 1];

	if (!*h)
		return;
	ob_hash_final(*h, sha);
	ob_hash_free(h);
	ob_hex_encode(sha, sizeof(sha), hex);
	printf("%lld %lld %s\n", first, last, hex);
}

int main(int argc, char **argv)
{
	AVFormatContext *fmt = NULL;
	AVPacket *pkt = av_packet_alloc();
	struct ob_hash *h = NULL;
	long long n = 0, first = 0;
	int vi, ret;

	if (argc != 2 || !pkt) {
		fprintf(stderr, "usage: checkpoints FILE\n");
		return 2;
	}
	if ((ret = avformat_open_input(&fmt, argv[1], NULL, NULL)) < 0 ||
	    (ret = avformat_find_stream_info(fmt, NULL)) < 0) {
		fprintf(stderr, "checkpoints: %s: %s\n", argv[1], av_err2str(ret));
		return 1;
	}
	vi = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
	if (vi < 0) {
		fprintf(stderr, "checkpoints: %s: no video stream\n", argv[1]);
		return 1;
	}
	while (av_read_frame(fmt, pkt) >= 0) {
		if (pkt->stream_index == vi) {
			if (!h) {
				if (ob_hash_new(OB_HASH_SHA256, &h))
					return 1;
				first = n;
			}
			ob_hash_update(h, pkt->data, (size_t)pkt->size);
			n++;
			if (n - first == OB_CHECKPOINT_FRAMES)
				flush_range(&h, first, n - 1);
		}
		av_packet_unref(pkt);
	}
	flush_range(&h, first, n - 1);
	av_packet_free(&pkt);
	avformat_close_input(&fmt);
	return 0;
}

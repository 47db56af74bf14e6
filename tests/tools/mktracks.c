/* SPDX-License-Identifier: MIT */
/* mktracks.c - test tool: write a synthetic tracks.h5 from a fixed scenario, through the real writer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/class.h"
#include "obscura/error.h"
#include "obscura/hash.h"
#include "obscura/trackfile.h"
#include "obscura/banned.h"

/*
 * usage: mktracks OUT.h5
 *
 * 640x480 at 25 fps, 100 frames (0..99), four tracks (obscura-tracks(5)):
 *
 *   1 person   confirmed  frames 10..59: 10-11 and 58-59 extrapolated (score 0),
 *                         30..34 interpolated (score 0.75), the rest observed
 *                         with score 0.5 + 0.1 * (frame % 5);
 *                         box x = 100 + 2 * (frame - 10), y 50, 40x80; hidden
 *   2 face     confirmed  frames 20..79 observed, score 0.9,
 *                         box x = 300.5, y = 20.25 + 0.5 * (frame - 20), 16x16; hidden
 *   3 person   tentative  frames 70..74 observed, score 0.3, box 500,100 30x60; hidden
 *   4 vehicle  confirmed  frames 80..99 observed, score 0.8, box 10,400 120x60; NOT hidden
 *
 * Frames 0..9 have no rows.  Covers are the box grown by 4 pixels on each side.
 * The recipe text is "[detect]\npeople = centernet\n" (its real SHA-256); the
 * input's SHA-256 is that of the 8 bytes "mktracks", its size 12345; one model,
 * "centernet", whose SHA-256 is that of "centernet".  Exit 0, or 1 with a message.
 */

#define FRAMES 100

static const char recipe[] = "[detect]\npeople = centernet\n";

static void sha_hex(const char *s, char *hex)
{
	unsigned char d[OB_SHA256_LEN];

	ob_sha256(s, strlen(s), d);
	ob_hex_encode(d, sizeof(d), hex);
}

static struct ob_track_row box(int64_t f, uint64_t id, enum ob_class cls, enum ob_row_kind kind, int hidden,
			       float score, float x, float y, float w, float h)
{
	return (struct ob_track_row){
		.frame = f, .pts = (double)f / 25.0, .track = id, .cls = (uint8_t)cls, .kind = (uint8_t)kind,
		.hidden = (uint8_t)hidden, .score = score, .x = x, .y = y, .w = w, .h = h,
		.cover_x = x - 4, .cover_y = y - 4, .cover_w = w + 8, .cover_h = h + 8,
	};
}

/* The rows of frame f, in track order. */
static size_t rows_of(int64_t f, struct ob_track_row *r)
{
	size_t n = 0;

	if (f >= 10 && f <= 59) {
		enum ob_row_kind k = f <= 11 || f >= 58 ? OB_ROW_EXTRAPOLATED
				     : f >= 30 && f <= 34 ? OB_ROW_INTERPOLATED : OB_ROW_OBSERVED;
		float score = k == OB_ROW_EXTRAPOLATED ? 0 : k == OB_ROW_INTERPOLATED ? 0.75f
			      : 0.5f + 0.1f * (float)(f % 5);

		r[n++] = box(f, 1, OB_CLASS_PERSON, k, 1, score, 100 + 2 * (float)(f - 10), 50, 40, 80);
	}
	if (f >= 20 && f <= 79)
		r[n++] = box(f, 2, OB_CLASS_FACE, OB_ROW_OBSERVED, 1, 0.9f, 300.5f, 20.25f + 0.5f * (float)(f - 20),
			     16, 16);
	if (f >= 70 && f <= 74)
		r[n++] = box(f, 3, OB_CLASS_PERSON, OB_ROW_OBSERVED, 1, 0.3f, 500, 100, 30, 60);
	if (f >= 80)
		r[n++] = box(f, 4, OB_CLASS_VEHICLE, OB_ROW_OBSERVED, 0, 0.8f, 10, 400, 120, 60);
	return n;
}

int main(int argc, char **argv)
{
	struct ob_trackfile_meta meta = { 0 };
	struct ob_trackfile_writer *w = NULL;
	int ret;

	if (argc != 2) {
		fprintf(stderr, "usage: mktracks OUT.h5\n");
		return 2;
	}
	snprintf(meta.version, sizeof(meta.version), "0.1.0");
	snprintf(meta.job_id, sizeof(meta.job_id), "00112233445566778899aabbccddeeff");
	meta.recipe_text = (char *)recipe;
	meta.recipe_len = strlen(recipe);
	sha_hex(recipe, meta.recipe_sha256);
	sha_hex("mktracks", meta.input_sha256);
	meta.input_size = 12345;
	meta.start_time = NAN; /* unknown, as for most footage */
	meta.width = 640;
	meta.height = 480;
	meta.fps_num = 25;
	meta.fps_den = 1;
	meta.n_models = 1;
	snprintf(meta.models[0].name, sizeof(meta.models[0].name), "centernet");
	sha_hex("centernet", meta.models[0].sha256);

	ret = ob_trackfile_create(argv[1], &meta, &w);
	for (int64_t f = 0; !ret && f < FRAMES; f++) {
		struct ob_track_row rows[4];
		size_t n = rows_of(f, rows);
		struct ob_frame_summary fs = { .frame = f, .pts = (double)f / 25.0, .boxes = (uint32_t)n };

		for (size_t i = 0; i < n; i++)
			fs.hidden += rows[i].hidden;
		ret = ob_trackfile_add_frame(w, &fs, rows, n);
		if (!ret && f == 15)
			ret = ob_trackfile_confirm(w, 1);
		if (!ret && f == 22)
			ret = ob_trackfile_confirm(w, 2);
		if (!ret && f == 78) /* before its first row */
			ret = ob_trackfile_confirm(w, 4);
	}
	if (!ret)
		ret = ob_trackfile_finish(w, FRAMES, NULL);
	ob_trackfile_writer_free(&w);
	if (ret) {
		fprintf(stderr, "mktracks: %s\n", ob_errmsg());
		return 1;
	}
	return 0;
}

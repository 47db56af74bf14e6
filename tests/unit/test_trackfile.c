/* SPDX-License-Identifier: MIT */
/* test_trackfile.c - tracks.h5: write, read back every field, summaries, sequential access, bad files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <hdf5.h>

#include "obscura/class.h"
#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/trackfile.h"
#include "obscura/banned.h"

/*
 * The scenario: FRAMES frames at 25 fps.  Every 100 frames a block of three
 * tracks starts (a face, a person, a vehicle: k = 0, 1, 2), each with a row on
 * every frame of its block except the frames f % 7 == 3, which have no rows at
 * all.  The first 5 frames of a block are extrapolated, f % 10 == 5
 * interpolated, the rest observed.  That makes about 5100 rows: two chunks.
 */
#define FRAMES 2000
#define BLOCK 100
#define PER_BLOCK 3

static char dir[256];
static char good[300]; /* the scenario's file, written once */

static const char recipe[] = "[pixelate]\nblock = 16\n\n[detect]\nfaces = blazeface\n";

static bool frame_empty(int64_t f)
{
	return f % 7 == 3;
}

static double pts_of(int64_t f)
{
	return (double)f / 25.0;
}

static struct ob_track_row row_of(int64_t f, int k)
{
	struct ob_track_row r = {
		.frame = f,
		.pts = pts_of(f),
		.track = (uint64_t)(f / BLOCK) * PER_BLOCK + (uint64_t)k + 1,
		.cls = (uint8_t)(k == 0 ? OB_CLASS_FACE : k == 1 ? OB_CLASS_PERSON : OB_CLASS_VEHICLE),
		.hidden = k != 2 || f % 2 == 0,
		.x = (float)(f % BLOCK) * 0.5f + (float)k * 100.0f,
		.y = (float)k * 50.0f + 1.25f,
		.w = 20.0f + (float)k,
		.h = 30.0f + (float)k,
	};

	if (f % BLOCK < 5) {
		r.kind = OB_ROW_EXTRAPOLATED;
		r.score = 0;
	} else if (f % 10 == 5) {
		r.kind = OB_ROW_INTERPOLATED;
		r.score = 0.4f;
	} else {
		r.kind = OB_ROW_OBSERVED;
		r.score = 0.5f + 0.1f * (float)k + 0.01f * (float)(f % 10);
	}
	r.cover_x = r.x - 2;
	r.cover_y = r.y - 2;
	r.cover_w = r.w + 4;
	r.cover_h = r.h + 4;
	return r;
}

/* Persons (k = 1) are never confirmed; the others are, vehicles before their first row. */
static bool confirmed_k(int k)
{
	return k != 1;
}

static void make_meta(struct ob_trackfile_meta *m)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->version, sizeof(m->version), "0.1.0-test");
	snprintf(m->job_id, sizeof(m->job_id), "0123456789abcdef0123456789abcdef");
	m->recipe_text = (char *)recipe;
	m->recipe_len = strlen(recipe);
	memset(m->recipe_sha256, 'a', OB_SHA256_HEX_LEN);
	memset(m->input_sha256, 'b', OB_SHA256_HEX_LEN);
	m->input_size = 123456789012LL;
	m->width = 1920;
	m->height = 1080;
	m->fps_num = 25;
	m->fps_den = 1;
	m->start_time = 1576872514.0; /* 2019-12-20T20:08:34Z */
	m->n_models = 2;
	snprintf(m->models[0].name, sizeof(m->models[0].name), "blazeface");
	memset(m->models[0].sha256, 'c', OB_SHA256_HEX_LEN);
	snprintf(m->models[1].name, sizeof(m->models[1].name), "centernet");
	memset(m->models[1].sha256, '0', OB_SHA256_HEX_LEN);
}

static void write_scenario(const char *path)
{
	struct ob_trackfile_meta meta;
	struct ob_trackfile_writer *w = NULL;

	make_meta(&meta);
	assert_int_equal(ob_trackfile_create(path, &meta, &w), 0);
	for (int64_t f = 0; f < FRAMES; f++) {
		struct ob_track_row rows[PER_BLOCK];
		struct ob_frame_summary fs = { .frame = f, .pts = pts_of(f) };
		size_t n = 0;

		if (f % BLOCK == 0) /* a vehicle confirmed before its first row */
			assert_int_equal(ob_trackfile_confirm(w, row_of(f, 2).track), 0);
		if (!frame_empty(f))
			for (int k = 0; k < PER_BLOCK; k++) {
				rows[n] = row_of(f, k);
				fs.hidden += rows[n].hidden;
				n++;
			}
		fs.boxes = (uint32_t)n;
		assert_int_equal(ob_trackfile_add_frame(w, &fs, rows, n), 0);
		if (f % BLOCK == 10) /* faces confirmed after some rows, twice */
			for (int i = 0; i < 2; i++)
				assert_int_equal(ob_trackfile_confirm(w, row_of(f, 0).track), 0);
	}
	assert_int_equal(ob_trackfile_finish(w, FRAMES, NULL), 0);
	ob_trackfile_writer_free(&w);
	assert_null(w);
}

/* The summaries, computed the slow way from the scenario. */
static void expected_tracks(struct ob_track_summary *t, size_t *n)
{
	double sum[FRAMES / BLOCK * PER_BLOCK] = { 0 };

	*n = FRAMES / BLOCK * PER_BLOCK;
	memset(t, 0, *n * sizeof(*t));
	for (int64_t f = 0; f < FRAMES; f++) {
		if (frame_empty(f))
			continue;
		for (int k = 0; k < PER_BLOCK; k++) {
			struct ob_track_row r = row_of(f, k);
			struct ob_track_summary *s = &t[r.track - 1];

			if (!s->rows) {
				s->id = r.track;
				s->cls = r.cls;
				s->confirmed = confirmed_k(k);
				s->first_frame = f;
				s->first_pts = r.pts;
			}
			s->rows++;
			s->last_frame = f;
			s->last_pts = r.pts;
			s->hidden |= r.hidden;
			if (r.kind == OB_ROW_OBSERVED) {
				s->observed++;
				sum[r.track - 1] += r.score;
			}
		}
	}
	for (size_t i = 0; i < *n; i++)
		t[i].mean_score = t[i].observed ? sum[i] / (double)t[i].observed : 0;
}

static void assert_rows_equal(const struct ob_track_row *a, const struct ob_track_row *b)
{
	assert_int_equal(a->frame, b->frame);
	assert_true(a->pts == b->pts);
	assert_int_equal(a->track, b->track);
	assert_int_equal(a->cls, b->cls);
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->hidden, b->hidden);
	assert_true(a->score == b->score);
	assert_true(a->x == b->x && a->y == b->y && a->w == b->w && a->h == b->h);
	assert_true(a->cover_x == b->cover_x && a->cover_y == b->cover_y && a->cover_w == b->cover_w &&
		    a->cover_h == b->cover_h);
}

static void assert_tracks_equal(const struct ob_track_summary *a, const struct ob_track_summary *b)
{
	assert_int_equal(a->id, b->id);
	assert_int_equal(a->cls, b->cls);
	assert_int_equal(a->confirmed, b->confirmed);
	assert_int_equal(a->hidden, b->hidden);
	assert_int_equal(a->first_frame, b->first_frame);
	assert_int_equal(a->last_frame, b->last_frame);
	assert_true(a->first_pts == b->first_pts && a->last_pts == b->last_pts);
	assert_int_equal(a->observed, b->observed);
	assert_int_equal(a->rows, b->rows);
	assert_true(a->mean_score > b->mean_score - 1e-9 && a->mean_score < b->mean_score + 1e-9);
}

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	(void)state;
	snprintf(dir, sizeof(dir), "%s/obscura-tf.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	snprintf(good, sizeof(good), "%s/good.h5", dir);
	write_scenario(good);
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_roundtrip(void **state)
{
	struct ob_trackfile *f = NULL;
	const struct ob_trackfile_meta *m;
	struct ob_trackfile_meta want;
	struct ob_track_row *rows = malloc(1000 * sizeof(*rows));
	struct ob_frame_summary frames[333];
	int64_t at = 0, nrows = 0;
	size_t got;

	(void)state;
	assert_non_null(rows);
	make_meta(&want);
	assert_int_equal(ob_trackfile_open(good, &f), 0);
	m = ob_trackfile_meta(f);
	assert_string_equal(m->version, want.version);
	assert_string_equal(m->job_id, want.job_id);
	assert_int_equal(m->recipe_len, strlen(recipe));
	assert_memory_equal(m->recipe_text, recipe, strlen(recipe));
	assert_string_equal(m->recipe_sha256, want.recipe_sha256);
	assert_string_equal(m->input_sha256, want.input_sha256);
	assert_int_equal(m->input_size, want.input_size);
	assert_int_equal(m->width, 1920);
	assert_int_equal(m->height, 1080);
	assert_int_equal(m->fps_num, 25);
	assert_int_equal(m->fps_den, 1);
	assert_true(m->start_time == 1576872514.0);
	assert_int_equal(m->frames, FRAMES);
	assert_int_equal(m->n_models, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_string_equal(m->models[i].name, want.models[i].name);
		assert_string_equal(m->models[i].sha256, want.models[i].sha256);
	}

	/* /detections: every row, in odd-sized batches across chunk boundaries */
	for (int64_t fr = 0; fr < FRAMES; fr++)
		nrows += frame_empty(fr) ? 0 : PER_BLOCK;
	assert_true(nrows > OB_TRACKFILE_CHUNK_ROWS);
	assert_int_equal(ob_trackfile_row_count(f), nrows);
	{
		int64_t fr = 0;
		int k = 0;

		while (ob_trackfile_read_rows(f, at, 999, rows, &got) == 0 && got) {
			for (size_t i = 0; i < got; i++) {
				struct ob_track_row r;

				while (frame_empty(fr))
					fr++;
				r = row_of(fr, k);
				assert_rows_equal(&rows[i], &r);
				if (++k == PER_BLOCK) {
					k = 0;
					fr++;
				}
			}
			at += (int64_t)got;
		}
	}
	assert_int_equal(at, nrows);
	assert_int_equal(ob_trackfile_read_rows(f, nrows, 10, rows, &got), 0);
	assert_int_equal(got, 0);

	/* /frames: every frame, with or without rows */
	assert_int_equal(ob_trackfile_frame_count(f), FRAMES);
	at = 0;
	while (ob_trackfile_read_frames(f, at, 333, frames, &got) == 0 && got) {
		for (size_t i = 0; i < got; i++) {
			int64_t fr = at + (int64_t)i;
			uint32_t hidden = 0;

			for (int k = 0; k < PER_BLOCK && !frame_empty(fr); k++)
				hidden += row_of(fr, k).hidden;
			assert_int_equal(frames[i].frame, fr);
			assert_true(frames[i].pts == pts_of(fr));
			assert_int_equal(frames[i].boxes, frame_empty(fr) ? 0 : PER_BLOCK);
			assert_int_equal(frames[i].hidden, hidden);
		}
		at += (int64_t)got;
	}
	assert_int_equal(at, FRAMES);
	free(rows);
	ob_trackfile_close(&f);
	assert_null(f);
	ob_trackfile_close(&f);
}

static void test_summaries(void **state)
{
	static struct ob_track_summary want[FRAMES / BLOCK * PER_BLOCK];
	const struct ob_track_summary *t;
	struct ob_trackfile *f = NULL;
	size_t n, nwant;

	(void)state;
	expected_tracks(want, &nwant);
	assert_int_equal(ob_trackfile_open(good, &f), 0);
	assert_int_equal(ob_trackfile_tracks(f, &t, &n), 0);
	assert_int_equal(n, nwant);
	for (size_t i = 0; i < n; i++)
		assert_tracks_equal(&t[i], &want[i]);
	/* spot checks of the arithmetic above: block 0's face */
	assert_int_equal(t[0].first_frame, 0);
	assert_int_equal(t[0].last_frame, 99);
	assert_int_equal(t[0].rows, 100 - 14);     /* 3, 10, ..., 94 are empty */
	assert_int_equal(t[0].observed, 100 - 14 - 4 - 9); /* 0..4 extrapolated but 3; 5, 15..95 interpolated but 45 */
	assert_true(t[0].confirmed && !t[1].confirmed && t[2].confirmed);
	ob_trackfile_close(&f);
}

/* A small case by hand: means over observed rows only, hidden if any row was, extrapolated rows count. */
static void test_summary_by_hand(void **state)
{
	char path[320];
	struct ob_trackfile_meta meta;
	struct ob_trackfile_writer *w = NULL;
	const struct ob_track_summary *t;
	struct ob_trackfile *f = NULL;
	static const uint8_t kinds[] = { OB_ROW_EXTRAPOLATED, OB_ROW_OBSERVED, OB_ROW_INTERPOLATED,
					 OB_ROW_OBSERVED, OB_ROW_EXTRAPOLATED };
	static const float scores[] = { 0, 0.5f, 0.3f, 0.75f, 0 };
	size_t n;

	(void)state;
	snprintf(path, sizeof(path), "%s/hand.h5", dir);
	make_meta(&meta);
	meta.n_models = 0;
	meta.recipe_text = NULL;
	meta.recipe_len = 0;
	assert_int_equal(ob_trackfile_create(path, &meta, &w), 0);
	for (int64_t fr = 10; fr < 15; fr++) {
		struct ob_track_row r = { .frame = fr, .pts = 0.5 * (double)fr, .track = 7, .cls = OB_CLASS_TEXT,
					  .kind = kinds[fr - 10], .hidden = fr == 12, .score = scores[fr - 10],
					  .w = 1, .h = 1 };
		struct ob_frame_summary fs = { .frame = fr, .pts = r.pts, .boxes = 1, .hidden = r.hidden };

		assert_int_equal(ob_trackfile_add_frame(w, &fs, &r, 1), 0);
	}
	n = ob_trackfile_writer_tracks(w, &t);
	assert_int_equal(n, 1);
	assert_true(t[0].mean_score == 0.625);
	assert_int_equal(ob_trackfile_finish(w, 20, NULL), 0);
	ob_trackfile_writer_free(&w);

	assert_int_equal(ob_trackfile_open(path, &f), 0);
	assert_int_equal(ob_trackfile_meta(f)->n_models, 0);
	assert_int_equal(ob_trackfile_meta(f)->recipe_len, 0);
	assert_int_equal(ob_trackfile_meta(f)->frames, 20);
	assert_int_equal(ob_trackfile_tracks(f, &t, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(t[0].id, 7);
	assert_int_equal(t[0].cls, OB_CLASS_TEXT);
	assert_int_equal(t[0].confirmed, 0);
	assert_int_equal(t[0].hidden, 1);
	assert_int_equal(t[0].first_frame, 10);
	assert_int_equal(t[0].last_frame, 14);
	assert_true(t[0].first_pts == 5.0 && t[0].last_pts == 7.0);
	assert_int_equal(t[0].observed, 2);
	assert_int_equal(t[0].rows, 5);
	assert_true(t[0].mean_score == 0.625);
	ob_trackfile_close(&f);
}

static void check_frame(struct ob_trackfile *f, int64_t fr)
{
	const struct ob_track_row *rows;
	size_t n;

	assert_int_equal(ob_trackfile_rows_at(f, fr, &rows, &n), 0);
	if (fr >= FRAMES || frame_empty(fr)) {
		assert_int_equal(n, 0);
		return;
	}
	assert_int_equal(n, PER_BLOCK);
	for (int k = 0; k < PER_BLOCK; k++) {
		struct ob_track_row r = row_of(fr, k);

		assert_rows_equal(&rows[k], &r);
	}
}

static void test_rows_at(void **state)
{
	struct ob_trackfile *f = NULL;
	const struct ob_track_row *rows;
	size_t n;

	(void)state;
	/* every frame, and beyond the last */
	assert_int_equal(ob_trackfile_open(good, &f), 0);
	for (int64_t fr = 0; fr < FRAMES + 3; fr++)
		check_frame(f, fr);
	ob_trackfile_close(&f);

	/* frames skipped (as a decoder that drops some would), one asked twice, then one going back */
	assert_int_equal(ob_trackfile_open(good, &f), 0);
	for (int64_t fr = 1; fr < FRAMES; fr += 13)
		check_frame(f, fr);
	check_frame(f, 1990);
	check_frame(f, 1990);
	assert_int_equal(ob_trackfile_rows_at(f, 1000, &rows, &n), OB_ERR_INTERNAL);
	ob_trackfile_close(&f);
}

/* Sets member "frame" of /detections row idx to value, behind the writer's back. */
static void poke_frame(const char *path, hsize_t idx, int64_t value)
{
	hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
	hid_t d = H5Dopen2(file, "/detections", H5P_DEFAULT);
	hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(int64_t));
	hid_t fs = H5Dget_space(d), ms;
	hsize_t one = 1;

	assert_true(file >= 0 && d >= 0 && t >= 0);
	assert_true(H5Tinsert(t, "frame", 0, H5T_NATIVE_INT64) >= 0);
	ms = H5Screate_simple(1, &one, NULL);
	assert_true(H5Sselect_hyperslab(fs, H5S_SELECT_SET, &idx, NULL, &one, NULL) >= 0);
	assert_true(H5Dwrite(d, t, ms, fs, H5P_DEFAULT, &value) >= 0);
	H5Sclose(ms);
	H5Sclose(fs);
	H5Tclose(t);
	H5Dclose(d);
	H5Fclose(file);
}

static void copy_file(const char *from, const char *to)
{
	char *data = NULL;
	size_t len = 0;

	assert_int_equal(ob_read_file(from, 1 << 26, &data, &len), 0);
	assert_int_equal(ob_write_file_atomic(to, data, len, 0644), 0);
	free(data);
}

static void test_rows_at_order(void **state)
{
	char path[320];
	struct ob_trackfile *f = NULL;
	const struct ob_track_row *rows;
	size_t n;
	int ret = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/order.h5", dir);
	copy_file(good, path);
	poke_frame(path, 4500, 7); /* row 4500 is in frame ~1750 */
	assert_int_equal(ob_trackfile_open(path, &f), 0);
	for (int64_t fr = 0; fr < FRAMES && !ret; fr++)
		ret = ob_trackfile_rows_at(f, fr, &rows, &n);
	assert_int_equal(ret, OB_ERR_INPUT);
	assert_non_null(strstr(ob_errmsg(), path));
	assert_non_null(strstr(ob_errmsg(), "row 4500"));
	assert_non_null(strstr(ob_errmsg(), "not in frame order"));
	ob_trackfile_close(&f);
}

static void expect_open_error(const char *path, const char *cause)
{
	struct ob_trackfile *f = (struct ob_trackfile *)&f;

	ob_err_clear();
	assert_int_equal(ob_trackfile_open(path, &f), OB_ERR_INPUT);
	assert_null(f);
	if (strncmp(ob_errmsg(), path, strlen(path)) || !strstr(ob_errmsg(), cause) || strchr(ob_errmsg(), '\n'))
		fail_msg("opening %s: expected '%s: ...%s...', got '%s'", path, path, cause, ob_errmsg());
}

static void set_int_attr(const char *path, const char *name, int value)
{
	hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
	hid_t a = H5Aopen(file, name, H5P_DEFAULT);

	assert_true(file >= 0 && a >= 0);
	assert_true(H5Awrite(a, H5T_NATIVE_INT, &value) >= 0);
	H5Aclose(a);
	H5Fclose(file);
}

static void test_open_errors(void **state)
{
	char path[320];
	hid_t file;
	FILE *fp;

	(void)state;
	snprintf(path, sizeof(path), "%s/missing.h5", dir);
	expect_open_error(path, "No such file or directory");
	expect_open_error(dir, "is a directory");

	snprintf(path, sizeof(path), "%s/text.h5", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("frame,id,x,y,w,h\n1,1,0,0,10,10\n", fp);
	fclose(fp);
	expect_open_error(path, "not an HDF5 file");

	snprintf(path, sizeof(path), "%s/plain.h5", dir);
	file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
	assert_true(file >= 0);
	H5Fclose(file);
	expect_open_error(path, "not an Obscura tracks file (no 'format' attribute)");

	snprintf(path, sizeof(path), "%s/newer.h5", dir);
	copy_file(good, path);
	set_int_attr(path, "format_version", 2);
	expect_open_error(path, "format version 2 is newer than this Obscura reads (1)");

	snprintf(path, sizeof(path), "%s/notracks.h5", dir);
	copy_file(good, path);
	file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
	assert_true(H5Ldelete(file, "/tracks", H5P_DEFAULT) >= 0);
	H5Fclose(file);
	expect_open_error(path, "no /tracks dataset");

	snprintf(path, sizeof(path), "%s/truncated.h5", dir);
	{
		char *data = NULL;
		size_t len = 0;

		assert_int_equal(ob_read_file(good, 1 << 26, &data, &len), 0);
		assert_int_equal(ob_write_file_atomic(path, data, len / 2, 0644), 0);
		free(data);
	}
	expect_open_error(path, "");
}

static void test_unfinished(void **state)
{
	char path[320];
	struct ob_trackfile_meta meta;
	struct ob_trackfile_writer *w = NULL;
	struct ob_frame_summary fs = { .frame = 0 };

	(void)state;
	snprintf(path, sizeof(path), "%s/unfinished.h5", dir);
	make_meta(&meta);
	assert_int_equal(ob_trackfile_create(path, &meta, &w), 0);
	assert_int_equal(ob_trackfile_add_frame(w, &fs, NULL, 0), 0);
	ob_trackfile_writer_free(&w);
	assert_null(w);
	expect_open_error(path, "incomplete");
}

static void test_writer_errors(void **state)
{
	char path[320];
	struct ob_trackfile_meta meta;
	struct ob_trackfile_writer *w = NULL;
	struct ob_frame_summary fs = { .frame = 5, .pts = 0.2, .boxes = 2 };
	struct ob_track_row r[2] = {
		{ .frame = 5, .pts = 0.2, .track = 1, .cls = OB_CLASS_FACE, .w = 1, .h = 1 },
		{ .frame = 5, .pts = 0.2, .track = 1, .cls = OB_CLASS_FACE, .w = 1, .h = 1 },
	};

	(void)state;
	make_meta(&meta);
	snprintf(path, sizeof(path), "%s/no/such/dir/t.h5", dir);
	assert_int_equal(ob_trackfile_create(path, &meta, &w), OB_ERR_OUTPUT);
	assert_null(w);
	assert_non_null(strstr(ob_errmsg(), path));

	snprintf(path, sizeof(path), "%s/bad.h5", dir);
	/* the same track twice on one frame */
	assert_int_equal(ob_trackfile_create(path, &meta, &w), 0);
	assert_int_equal(ob_trackfile_add_frame(w, &fs, r, 2), OB_ERR_INTERNAL);
	assert_non_null(strstr(ob_errmsg(), "track 1 twice"));
	fs.boxes = 0; /* and the writer stays stopped */
	assert_int_equal(ob_trackfile_add_frame(w, &fs, NULL, 0), OB_ERR_INTERNAL);
	ob_trackfile_writer_free(&w);

	/* frames must increase; a row must be its frame's */
	assert_int_equal(ob_trackfile_create(path, &meta, &w), 0);
	assert_int_equal(ob_trackfile_add_frame(w, &fs, NULL, 0), 0);
	assert_int_equal(ob_trackfile_add_frame(w, &fs, NULL, 0), OB_ERR_INTERNAL);
	assert_non_null(strstr(ob_errmsg(), "frame 5 after frame 5"));
	ob_trackfile_writer_free(&w);
	assert_int_equal(ob_trackfile_create(path, &meta, &w), 0);
	fs.frame = 6;
	fs.boxes = 1;
	assert_int_equal(ob_trackfile_add_frame(w, &fs, r, 1), OB_ERR_INTERNAL);
	assert_non_null(strstr(ob_errmsg(), "frame 6: a row of frame 5"));
	ob_trackfile_writer_free(&w);

	/* a class that changes; a summary that does not count */
	assert_int_equal(ob_trackfile_create(path, &meta, &w), 0);
	fs.frame = 5;
	assert_int_equal(ob_trackfile_add_frame(w, &fs, r, 1), 0);
	r[1].frame = fs.frame = 6;
	r[1].cls = OB_CLASS_PERSON;
	assert_int_equal(ob_trackfile_add_frame(w, &fs, &r[1], 1), OB_ERR_INTERNAL);
	assert_non_null(strstr(ob_errmsg(), "track 1: class face, then person"));
	ob_trackfile_writer_free(&w);
	assert_int_equal(ob_trackfile_create(path, &meta, &w), 0);
	fs.frame = 5;
	fs.hidden = 1;
	assert_int_equal(ob_trackfile_add_frame(w, &fs, r, 1), OB_ERR_INTERNAL);
	ob_trackfile_writer_free(&w);

	/* finish with fewer frames than were written */
	assert_int_equal(ob_trackfile_create(path, &meta, &w), 0);
	fs.hidden = 0;
	assert_int_equal(ob_trackfile_add_frame(w, &fs, r, 1), 0);
	assert_int_equal(ob_trackfile_finish(w, 5, NULL), OB_ERR_INTERNAL);
	ob_trackfile_writer_free(&w);
	ob_trackfile_writer_free(&w);
}

/* The same rows make the same bytes: no times, no addresses in the file. */
static void test_reproducible(void **state)
{
	char path[320];
	char *a = NULL, *b = NULL;
	size_t la = 0, lb = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/again.h5", dir);
	sleep(1);
	write_scenario(path);
	assert_int_equal(ob_read_file(good, 1 << 26, &a, &la), 0);
	assert_int_equal(ob_read_file(path, 1 << 26, &b, &lb), 0);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	free(a);
	free(b);
}

/* /appearance: written as a group added to a finished file, read back
 * exactly; a file without it, and a descriptor that is not one, refused. */
static void test_descriptors(void **state)
{
	char path[320];
	struct ob_track_descriptor d[3] = { { .identity = 2, .count = 5 }, { .identity = 7, .count = 1 },
					    { .identity = 9, .count = 40 } }, *back = NULL;
	struct ob_track_descriptors ds = { d, 3 };
	struct ob_trackfile_group g = ob_trackfile_descriptor_group(&ds);
	struct ob_trackfile *f = NULL;
	size_t n = 9;

	(void)state;
	for (size_t i = 0; i < 3; i++)
		for (int p = 0; p < OB_APPEARANCE_PARTS; p++) {
			d[i].h[p * OB_APPEARANCE_BINS + (int)i] = 0.25f;
			d[i].h[p * OB_APPEARANCE_BINS + 10 + p] = 0.75f;
		}
	assert_int_equal(ob_trackfile_open(good, &f), 0);
	assert_int_equal(ob_trackfile_descriptors(f, &back, &n), OB_ERR_INPUT);
	assert_non_null(strstr(ob_errmsg(), "no /appearance group"));
	assert_null(back);
	assert_int_equal(n, 0);
	ob_trackfile_close(&f);

	snprintf(path, sizeof(path), "%s/appearance.h5", dir);
	write_scenario(path);
	assert_int_equal(ob_trackfile_add_group(path, &g), 0);
	assert_int_equal(ob_trackfile_open(path, &f), 0);
	assert_int_equal(ob_trackfile_descriptors(f, &back, &n), 0);
	assert_int_equal(n, 3);
	assert_memory_equal(back, d, sizeof(d));
	free(back);
	ob_trackfile_close(&f);

	/* a part that does not sum to 1 is no descriptor */
	d[1].h[3] = 0.5f;
	snprintf(path, sizeof(path), "%s/appearance-bad.h5", dir);
	write_scenario(path);
	assert_int_equal(ob_trackfile_add_group(path, &g), 0);
	assert_int_equal(ob_trackfile_open(path, &f), 0);
	assert_int_equal(ob_trackfile_descriptors(f, &back, &n), OB_ERR_INPUT);
	assert_non_null(strstr(ob_errmsg(), "entry 1 (identity 7) is not a valid descriptor"));
	assert_null(back);
	ob_trackfile_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_summaries),
		cmocka_unit_test(test_summary_by_hand),
		cmocka_unit_test(test_rows_at),
		cmocka_unit_test(test_rows_at_order),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_unfinished),
		cmocka_unit_test(test_writer_errors),
		cmocka_unit_test(test_reproducible),
		cmocka_unit_test(test_descriptors),
	};
	return cmocka_run_group_tests_name("trackfile", tests, setup, teardown);
}

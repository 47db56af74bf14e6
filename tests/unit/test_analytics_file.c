/* SPDX-License-Identifier: MIT */
/* test_analytics_file.c - /analytics in tracks.h5: written by the trackfile
 * writer from a scene whose every count is known, read back with the plain
 * HDF5 API, replayed with the same and with another recipe, reproducible. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <hdf5.h>

#include "obscura/analytics.h"
#include "obscura/analytics_file.h"
#include "obscura/class.h"
#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/h5.h"
#include "obscura/recipe.h"
#include "obscura/trackfile.h"
#include "obscura/banned.h"

/* 640x360 at 8 frames a second: every pts and dwell is exact in binary. */
#define W 640
#define H 360
#define FPS 8
#define FRAMES 48
#define START 1576875540.0 /* 2019-12-20T20:59:00Z */

/* door: (160,180) -> (480,180); hall: x 160..480, y 90..270; lane: (576,0) -> (576,360) */
#define DOOR "[line \"door\"]\npoints = 0.25,0.5 0.75,0.5\n"
#define HALL "[zone \"hall\"]\npolygon = 0.25,0.25 0.75,0.25 0.75,0.75 0.25,0.75\n"
#define LANE "[line \"lane\"]\npoints = 0.9,0 0.9,1\n"
static const char recipe[] = DOOR HALL;

/*
 * The scene (feet = bottom centre of the box):
 *   1 person, confirmed before its first row: x 320, down y 100 + 10 f on
 *     frames 0..16: crosses the door forward on frame 9 (y 180 on 8), in the
 *     hall on 0..16 (exit 17, 2.125 s).
 *   2 person, confirmed after frame 22: x 400, up y 260 - 10 (f - 20) on
 *     frames 20..32: crosses backward on frame 29, in the hall 20..32 (exit 33, 1.625 s).
 *   3 person, never confirmed: as 1 but at x 240; counts nowhere.
 *   4 vehicle, confirmed before its first row: y 320, right x 500 + 10 f on
 *     frames 0..12: outside the hall, beside the door; crosses the lane from
 *     its right to its left (backward) on frame 8 (x 580).
 */
static bool where(uint64_t id, int64_t f, double *x, double *y)
{
	switch (id) {
	case 1:
	case 3:
		*x = id == 1 ? 320 : 240;
		*y = 100 + 10.0 * (double)f;
		return f <= 16;
	case 2:
		*x = 400;
		*y = 260 - 10.0 * (double)(f - 20);
		return f >= 20 && f <= 32;
	default:
		*x = 500 + 10.0 * (double)f;
		*y = 320;
		return f <= 12;
	}
}

static char dir[256];
static char good[300]; /* the scene, with the analytics of recipe */
static struct ob_analytics *written; /* the writer's analyzer, finished */

static struct ob_recipe *parse(const char *text)
{
	struct ob_recipe *r;

	if (ob_recipe_parse("t.ini", text, &r))
		fail_msg("%s", ob_errmsg());
	return r;
}

static void make_meta(struct ob_trackfile_meta *m)
{
	*m = (struct ob_trackfile_meta){ .version = "0.1.0-test", .job_id = "0123456789abcdef0123456789abcdef",
					 .recipe_text = (char *)recipe, .recipe_len = strlen(recipe), .input_size = 1000,
					 .width = W, .height = H, .fps_num = FPS, .fps_den = 1, .start_time = START };
	memset(m->recipe_sha256, 'a', OB_SHA256_HEX_LEN);
	memset(m->input_sha256, 'b', OB_SHA256_HEX_LEN);
}

/* Writes the scene to path with an analyzer of recipe, returned finished
 * (or frees it and leaves the file unfinished after `upto` frames). */
static struct ob_analytics *write_scene(const char *path, int64_t upto)
{
	static const uint8_t cls[5] = { 0, OB_CLASS_PERSON, OB_CLASS_PERSON, OB_CLASS_PERSON, OB_CLASS_VEHICLE };
	struct ob_trackfile_meta meta;
	struct ob_trackfile_writer *w = NULL;
	struct ob_analytics_config c;
	struct ob_analytics *a = NULL;
	struct ob_trackfile_group group;
	struct ob_recipe *r = parse(recipe);

	make_meta(&meta);
	ob_analytics_config_init(&c, W, H, FPS);
	c.start_time = START;
	assert_int_equal(ob_analytics_new(r, &c, &a), 0);
	ob_recipe_free(&r);
	assert_int_equal(ob_trackfile_create(path, &meta, &w), 0);
	/* as the job does: the writer and the analyzer get the same rows and confirmations */
	assert_int_equal(ob_trackfile_confirm(w, 1), 0);
	assert_int_equal(ob_analytics_confirm(a, 1), 0);
	assert_int_equal(ob_trackfile_confirm(w, 4), 0);
	assert_int_equal(ob_analytics_confirm(a, 4), 0);
	for (int64_t f = 0; f < upto; f++) {
		struct ob_track_row rows[4];
		struct ob_frame_summary fs = { .frame = f, .pts = (double)f / FPS };
		size_t n = 0;

		for (uint64_t id = 1; id <= 4; id++) {
			double x, y, bw = id == 4 ? 80 : 20, bh = id == 4 ? 40 : 60; /* vehicle 80x40, people 20x60 */

			if (where(id, f, &x, &y))
				rows[n++] = (struct ob_track_row){ .frame = f, .pts = fs.pts, .track = id, .cls = cls[id],
								   .kind = OB_ROW_OBSERVED, .score = 0.75f,
								   .x = (float)(x - bw / 2), .y = (float)(y - bh),
								   .w = (float)bw, .h = (float)bh };
		}
		fs.boxes = (uint32_t)n;
		if (ob_trackfile_add_frame(w, &fs, rows, n) || ob_analytics_frame(a, f, fs.pts, rows, n))
			fail_msg("%s", ob_errmsg());
		if (f == 22) {
			assert_int_equal(ob_trackfile_confirm(w, 2), 0);
			assert_int_equal(ob_analytics_confirm(a, 2), 0);
		}
	}
	if (upto < FRAMES) {
		ob_trackfile_writer_free(&w);
		ob_analytics_free(&a);
		return NULL;
	}
	assert_int_equal(ob_analytics_finish(a), 0);
	group = ob_analytics_file_group(ob_analytics_result(a));
	if (ob_trackfile_finish(w, FRAMES, &group))
		fail_msg("%s", ob_errmsg());
	ob_trackfile_writer_free(&w);
	assert_non_null(ob_analytics_result(a));
	return a;
}

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	(void)state;
	ob_h5_quiet();
	snprintf(dir, sizeof(dir), "%s/obscura-af.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	snprintf(good, sizeof(good), "%s/good.h5", dir);
	written = write_scene(good, FRAMES);
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	ob_analytics_free(&written);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int64_t line_count(const struct ob_analytics_result *r, size_t line, int d, enum ob_class cls)
{
	int c = ob_analytics_class_index(r, cls);

	assert_true(c >= 0);
	return r->line_counts[(line * 2 + (size_t)d) * r->n_classes + (size_t)c];
}

/* Dataset name of g, of dimensions want, read whole as mtype into buf. */
static void read_all(hid_t g, const char *name, hid_t mtype, int rank, const hsize_t *want, void *buf)
{
	hid_t d = H5Dopen2(g, name, H5P_DEFAULT), s = d < 0 ? -1 : H5Dget_space(d);
	hsize_t dims[4] = { 0 };

	if (d < 0 || s < 0)
		fail_msg("cannot open %s", name);
	assert_int_equal(H5Sget_simple_extent_ndims(s), rank);
	assert_int_equal(H5Sget_simple_extent_dims(s, dims, NULL), rank);
	for (int i = 0; i < rank; i++)
		assert_int_equal(dims[i], want[i]);
	if (dims[0])
		assert_true(H5Dread(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
	H5Sclose(s);
	H5Dclose(d);
}

/* A memory enum over uint8 with values 0..n-1 named names[i]. */
static hid_t enum_type(const char *const *names, unsigned n)
{
	hid_t t = H5Tenum_create(H5T_NATIVE_UINT8);

	for (unsigned i = 0; i < n; i++) {
		uint8_t v = (uint8_t)i;

		assert_true(H5Tenum_insert(t, names[i], &v) >= 0);
	}
	return t;
}

static void expect_crossing(const struct ob_analytics_crossing *c, int64_t frame, uint64_t track, uint16_t line,
			    uint8_t d, uint8_t cls)
{
	assert_int_equal(c->frame, frame);
	assert_int_equal(c->track, track);
	assert_int_equal(c->line, line);
	assert_int_equal(c->dir, d);
	assert_int_equal(c->cls, cls);
}

static void expect_visit(const struct ob_analytics_visit *v, uint64_t track, int64_t entry, int64_t exit_)
{
	assert_int_equal(v->track, track);
	assert_int_equal(v->entry_frame, entry);
	assert_int_equal(v->exit_frame, exit_);
	assert_true(v->dwell == (double)(exit_ - entry) / FPS);
	assert_int_equal(v->cls, OB_CLASS_PERSON);
	assert_int_equal(v->at_end, 0);
}

/* Member n of t, read into field f of struct S (by name: the file's order and packing do not matter). */
#define MEMBER(S, n, f, type) (H5Tinsert(t, n, offsetof(struct S, f), type) >= 0)

static void test_written(void **state)
{
	static const char *const dirs[2] = { "forward", "backward" };
	hid_t file = H5Fopen(good, H5F_ACC_RDONLY, H5P_DEFAULT), g = -1, a, t, st, ct, dt;
	static const int64_t want_counts[4] = { 1, 0, 1, 0 }, want_tracks[2] = { 2, 1 }, want_unconf[2] = { 1, 0 };
	int64_t counts[4] = { -1, -1, -1, -1 }, tracks[2], unconfirmed[2];
	struct ob_analytics_crossing cr[2];
	struct ob_analytics_visit vr[2];
	char *classes[2] = { NULL, NULL };
	double start = 0;
	hsize_t d3[3] = { 1, 2, 2 }, d1 = 2;

	(void)state;
	assert_true(file >= 0);
	g = H5Gopen2(file, OB_ANALYTICS_GROUP, H5P_DEFAULT);
	assert_true(g >= 0);

	/* attributes: the classes analysed, when the footage began */
	a = H5Aopen(g, "classes", H5P_DEFAULT);
	st = H5Tcopy(H5T_C_S1);
	assert_true(a >= 0 && st >= 0 && H5Tset_size(st, H5T_VARIABLE) >= 0 && H5Tset_cset(st, H5T_CSET_UTF8) >= 0);
	t = H5Aget_space(a);
	assert_int_equal(H5Sget_simple_extent_npoints(t), 2);
	H5Sclose(t);
	assert_true(H5Aread(a, st, classes) >= 0);
	assert_string_equal(classes[0], "person");
	assert_string_equal(classes[1], "vehicle");
	H5free_memory(classes[0]);
	H5free_memory(classes[1]);
	H5Tclose(st);
	H5Aclose(a);
	a = H5Aopen(g, "start_time", H5P_DEFAULT);
	assert_true(a >= 0 && H5Aread(a, H5T_NATIVE_DOUBLE, &start) >= 0);
	assert_true(start == START);
	H5Aclose(a);

	/* [line][direction][class]: door forward person 1, backward person 1 */
	read_all(g, "line_counts", H5T_NATIVE_INT64, 3, d3, counts);
	assert_memory_equal(counts, want_counts, sizeof(counts));
	read_all(g, "tracks", H5T_NATIVE_INT64, 1, &d1, tracks); /* person 3 never confirmed */
	assert_memory_equal(tracks, want_tracks, sizeof(tracks));
	read_all(g, "unconfirmed", H5T_NATIVE_INT64, 1, &d1, unconfirmed);
	assert_memory_equal(unconfirmed, want_unconf, sizeof(unconfirmed));

	/* the crossings, read by member name into our own struct */
	dt = enum_type(dirs, 2);
	ct = enum_type(ob_class_names, OB_CLASS_COUNT);
	t = H5Tcreate(H5T_COMPOUND, sizeof(struct ob_analytics_crossing));
	assert_true(MEMBER(ob_analytics_crossing, "frame", frame, H5T_NATIVE_INT64) &&
		    MEMBER(ob_analytics_crossing, "track", track, H5T_NATIVE_UINT64) &&
		    MEMBER(ob_analytics_crossing, "line", line, H5T_NATIVE_UINT16) &&
		    MEMBER(ob_analytics_crossing, "direction", dir, dt) && MEMBER(ob_analytics_crossing, "class", cls, ct));
	read_all(g, "crossings", t, 1, &d1, cr);
	H5Tclose(t);
	expect_crossing(&cr[0], 9, 1, 0, OB_CROSS_FORWARD, OB_CLASS_PERSON);
	expect_crossing(&cr[1], 29, 2, 0, OB_CROSS_BACKWARD, OB_CLASS_PERSON);

	/* the visits to the hall: 17 and 13 frames */
	t = H5Tcreate(H5T_COMPOUND, sizeof(struct ob_analytics_visit));
	assert_true(MEMBER(ob_analytics_visit, "entry_frame", entry_frame, H5T_NATIVE_INT64) &&
		    MEMBER(ob_analytics_visit, "exit_frame", exit_frame, H5T_NATIVE_INT64) &&
		    MEMBER(ob_analytics_visit, "dwell", dwell, H5T_NATIVE_DOUBLE) &&
		    MEMBER(ob_analytics_visit, "track", track, H5T_NATIVE_UINT64) &&
		    MEMBER(ob_analytics_visit, "class", cls, ct) &&
		    MEMBER(ob_analytics_visit, "at_end", at_end, H5T_NATIVE_UINT8));
	read_all(g, "visits", t, 1, &d1, vr);
	H5Tclose(t);
	expect_visit(&vr[0], 1, 0, 17); /* 2.125 s */
	expect_visit(&vr[1], 2, 20, 33); /* 1.625 s */
	H5Tclose(dt);
	H5Tclose(ct);
	H5Gclose(g);
	H5Fclose(file);

	/* and the analyzer the writer fed says the same */
	assert_int_equal(ob_analytics_result(written)->frames, FRAMES);
	assert_int_equal(ob_analytics_result(written)->n_crossings, 2);
	assert_true(ob_analytics_result(written)->track_seconds[0] == (17 + 13) / (double)FPS);
}

/* b equals a in every number the analytics give. */
static void assert_results_equal(const struct ob_analytics_result *a, const struct ob_analytics_result *b)
{
	size_t cells = (size_t)a->heat_cols * (size_t)a->heat_rows * a->n_classes;
	double ha = 0, hb = 0;

	assert_int_equal(a->frames, b->frames);
	assert_true(a->duration == b->duration && a->fps == b->fps && a->start_time == b->start_time);
	assert_int_equal(a->n_classes, b->n_classes);
	assert_memory_equal(a->tracks, b->tracks, sizeof(a->tracks));
	assert_memory_equal(a->unconfirmed, b->unconfirmed, sizeof(a->unconfirmed));
	assert_int_equal(a->n_lines, b->n_lines);
	assert_memory_equal(a->line_counts, b->line_counts, a->n_lines * 2 * a->n_classes * sizeof(int64_t));
	assert_int_equal(a->n_crossings, b->n_crossings);
	for (size_t i = 0; i < a->n_crossings; i++) {
		const struct ob_analytics_crossing *x = &a->crossings[i], *y = &b->crossings[i];

		assert_true(x->frame == y->frame && x->pts == y->pts && x->track == y->track && x->line == y->line &&
			    x->cls == y->cls && x->dir == y->dir);
	}
	assert_int_equal(a->n_visits, b->n_visits);
	for (size_t i = 0; i < a->n_visits; i++) {
		const struct ob_analytics_visit *x = &a->visits[i], *y = &b->visits[i];

		assert_true(x->entry_frame == y->entry_frame && x->exit_frame == y->exit_frame && x->dwell == y->dwell &&
			    x->track == y->track && x->zone == y->zone && x->at_end == y->at_end);
	}
	assert_int_equal(a->n_zones, b->n_zones);
	for (size_t i = 0; i < a->n_zones * a->n_classes; i++)
		assert_true(a->dwell[i].count == b->dwell[i].count && a->dwell[i].mean == b->dwell[i].mean &&
			    a->dwell[i].median == b->dwell[i].median && a->dwell[i].max == b->dwell[i].max);
	assert_int_equal(a->n_intrusions, b->n_intrusions);
	assert_int_equal(a->n_areas, b->n_areas);
	assert_int_equal(a->n_bins, b->n_bins);
	for (size_t i = 0; i < a->n_areas * a->n_classes; i++) {
		assert_true(a->area_mean[i] == b->area_mean[i]);
		assert_int_equal(a->area_max[i], b->area_max[i]);
	}
	assert_memory_equal(a->occ_max, b->occ_max, a->n_bins * a->n_areas * a->n_classes * sizeof(uint32_t));
	assert_int_equal(a->heat_cols, b->heat_cols);
	assert_int_equal(a->heat_rows, b->heat_rows);
	for (size_t i = 0; i < cells; i++) {
		ha += a->heat[i];
		hb += b->heat[i];
	}
	assert_true(ha == hb);
	assert_true(ha == (17 + 13 + 13) / (double)FPS); /* two people and the vehicle */
	assert_memory_equal(a->heat, b->heat, cells * sizeof(double));
}

static void test_replay_same_recipe(void **state)
{
	struct ob_trackfile *f = NULL;
	struct ob_recipe *r;
	struct ob_analytics *a = NULL;
	const struct ob_analytics_result *w = ob_analytics_result(written), *got;

	(void)state;
	assert_int_equal(ob_trackfile_open(good, &f), 0);
	r = parse(ob_trackfile_meta(f)->recipe_text); /* the file's own recipe */
	if (ob_analytics_file_replay(f, r, NULL, NULL, &a))
		fail_msg("%s", ob_errmsg());
	got = ob_analytics_result(a);
	assert_non_null(got);
	assert_results_equal(w, got);
	assert_int_equal(line_count(got, 0, OB_CROSS_FORWARD, OB_CLASS_PERSON), 1);
	expect_visit(&got->visits[0], 1, 0, 17);
	ob_analytics_free(&a);
	ob_recipe_free(&r);
	ob_trackfile_close(&f);
}

/*
 * One person walking down x 320 (feet y 100 + 10 f) through the hall and
 * the door (y 180) as two tracks: 1 observed on frames 0..5, 2 observed on
 * 10..16, 24 frames in all.  As two tracks they cross nothing (each sees
 * one side) and visit twice (0.5 s unseen ends a visit).  As one identity
 * (2 joined to 1), one person crosses once (past the line on frame 9) and visits once:
 * the gap 6..9 is bridged by rows interpolated between the two tracks'
 * ends; or, when track 1 goes on extrapolated (standing at y 150) up to
 * frame 10, frame 10 takes track 2's observed row.
 */
static void test_replay_identities(void **state)
{
	(void)state;
	for (int v = 0; v < 3; v++) {
		char path[320];
		struct ob_trackfile_meta meta;
		struct ob_trackfile_writer *w = NULL;
		struct ob_trackfile *f = NULL;
		struct ob_recipe *r = parse(recipe);
		struct ob_analytics *a = NULL;
		const struct ob_analytics_result *got;
		int ci;

		snprintf(path, sizeof(path), "%s/broken%d.h5", dir, v);
		make_meta(&meta);
		assert_int_equal(ob_trackfile_create(path, &meta, &w), 0);
		assert_int_equal(ob_trackfile_confirm(w, 1), 0);
		assert_int_equal(ob_trackfile_confirm(w, 2), 0);
		for (int64_t fr = 0; fr < 24; fr++) {
			struct ob_track_row rows[2];
			struct ob_frame_summary fs = { .frame = fr, .pts = (double)fr / FPS };
			double y = 100 + 10.0 * (double)fr;
			size_t n = 0;

			if (fr <= 5 || (v == 2 && fr <= 10))
				rows[n++] = (struct ob_track_row){ .frame = fr, .pts = fs.pts, .track = 1,
								   .cls = OB_CLASS_PERSON,
								   .kind = fr <= 5 ? OB_ROW_OBSERVED : OB_ROW_EXTRAPOLATED,
								   .x = 310, .y = (float)(fmin(y, 150) - 60), .w = 20, .h = 60 };
			if (fr >= 10 && fr <= 16)
				rows[n++] = (struct ob_track_row){ .frame = fr, .pts = fs.pts, .track = 2,
								   .cls = OB_CLASS_PERSON, .kind = OB_ROW_OBSERVED,
								   .x = 310, .y = (float)(y - 60), .w = 20, .h = 60 };
			fs.boxes = (uint32_t)n;
			assert_int_equal(ob_trackfile_add_frame(w, &fs, rows, n), 0);
		}
		assert_int_equal(ob_trackfile_set_identity(w, 1, 2), OB_ERR_INTERNAL); /* never a later track */
		if (v)
			assert_int_equal(ob_trackfile_set_identity(w, 2, 1), 0);
		assert_int_equal(ob_trackfile_finish(w, 24, NULL), 0);
		ob_trackfile_writer_free(&w);
		assert_int_equal(ob_trackfile_open(path, &f), 0);
		if (ob_analytics_file_replay(f, r, NULL, NULL, &a))
			fail_msg("%s", ob_errmsg());
		got = ob_analytics_result(a);
		ci = ob_analytics_class_index(got, OB_CLASS_PERSON);
		assert_int_equal(got->tracks[ci], v ? 1 : 2);
		assert_int_equal(line_count(got, 0, OB_CROSS_FORWARD, OB_CLASS_PERSON) +
					 line_count(got, 0, OB_CROSS_BACKWARD, OB_CLASS_PERSON),
				 v ? 1 : 0);
		assert_int_equal(got->n_visits, v ? 1 : 2);
		if (v == 1)
			assert_int_equal(got->crossings[0].frame, 9); /* on the line on 8 */
		if (v)
			expect_visit(&got->visits[0], 1, 0, 17);
		ob_analytics_free(&a);
		ob_trackfile_close(&f);
		ob_recipe_free(&r);
	}
}

static void test_replay_other_recipe(void **state)
{
	struct ob_trackfile *f = NULL;
	struct ob_recipe *r = parse(DOOR LANE HALL);
	struct ob_analytics *a = NULL;
	const struct ob_analytics_result *got;

	(void)state;
	assert_int_equal(ob_trackfile_open(good, &f), 0);
	if (ob_analytics_file_replay(f, r, NULL, NULL, &a))
		fail_msg("%s", ob_errmsg());
	got = ob_analytics_result(a);
	assert_int_equal(got->n_lines, 2);
	assert_string_equal(got->lines[1].name, "lane");
	/* the vehicle, right to left of (576,0) -> (576,360) */
	assert_int_equal(line_count(got, 1, OB_CROSS_BACKWARD, OB_CLASS_VEHICLE), 1);
	assert_int_equal(line_count(got, 1, OB_CROSS_FORWARD, OB_CLASS_VEHICLE), 0);
	assert_int_equal(line_count(got, 1, OB_CROSS_BACKWARD, OB_CLASS_PERSON), 0);
	/* the door as before */
	assert_int_equal(line_count(got, 0, OB_CROSS_FORWARD, OB_CLASS_PERSON), 1);
	assert_int_equal(line_count(got, 0, OB_CROSS_BACKWARD, OB_CLASS_PERSON), 1);
	assert_int_equal(got->n_crossings, 3);
	expect_crossing(&got->crossings[0], 8, 4, 1, OB_CROSS_BACKWARD, OB_CLASS_VEHICLE);
	expect_crossing(&got->crossings[1], 9, 1, 0, OB_CROSS_FORWARD, OB_CLASS_PERSON);
	expect_crossing(&got->crossings[2], 29, 2, 0, OB_CROSS_BACKWARD, OB_CLASS_PERSON);
	assert_int_equal(got->n_visits, 2);
	expect_visit(&got->visits[1], 2, 20, 33);
	assert_true(got->start_time == START);
	ob_analytics_free(&a);
	ob_recipe_free(&r);
	ob_trackfile_close(&f);
}

/* The same rows make the same bytes, a second apart: no times in /analytics. */
static void test_reproducible(void **state)
{
	char path[320];
	char *a = NULL, *b = NULL;
	size_t la = 0, lb = 0;
	struct ob_analytics *an;

	(void)state;
	snprintf(path, sizeof(path), "%s/again.h5", dir);
	sleep(1);
	an = write_scene(path, FRAMES);
	ob_analytics_free(&an);
	assert_int_equal(ob_read_file(good, 1 << 24, &a, &la), 0);
	assert_int_equal(ob_read_file(path, 1 << 24, &b, &lb), 0);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	free(a);
	free(b);
}

/* A copy of the good file whose row `row` of dataset ds has member (of memory type mt) *value. */
static void copy_with(const char *path, const char *ds, const char *member, hid_t mt, const void *value,
		      hsize_t row)
{
	char *data = NULL;
	size_t len = 0;
	hsize_t one = 1;
	hid_t file, d, t, ms, fs;

	assert_int_equal(ob_read_file(good, 1 << 24, &data, &len), 0);
	assert_int_equal(ob_write_file_atomic(path, data, len, 0644), 0);
	free(data);
	file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
	d = H5Dopen2(file, ds, H5P_DEFAULT);
	t = H5Tcreate(H5T_COMPOUND, H5Tget_size(mt));
	fs = H5Dget_space(d);
	ms = H5Screate_simple(1, &one, NULL);
	assert_true(file >= 0 && d >= 0 && t >= 0 && fs >= 0 && ms >= 0);
	assert_true(H5Tinsert(t, member, 0, mt) >= 0); /* only that member is written */
	assert_true(H5Sselect_hyperslab(fs, H5S_SELECT_SET, &row, NULL, &one, NULL) >= 0);
	assert_true(H5Dwrite(d, t, ms, fs, H5P_DEFAULT, value) >= 0);
	H5Sclose(ms);
	H5Sclose(fs);
	H5Tclose(t);
	H5Dclose(d);
	assert_true(H5Fclose(file) >= 0);
}

/* Replaying path gives OB_ERR_INPUT with a message holding what, and no analyzer. */
static void expect_replay_error(const char *path, const struct ob_recipe *r, const char *what)
{
	struct ob_trackfile *f = NULL;
	struct ob_analytics *a = (struct ob_analytics *)(void *)&f; /* not NULL: replay must set it */

	assert_int_equal(ob_trackfile_open(path, &f), 0);
	assert_int_equal(ob_analytics_file_replay(f, r, NULL, NULL, &a), OB_ERR_INPUT);
	assert_null(a);
	if (!strstr(ob_errmsg(), what))
		fail_msg("\"%s\" does not say \"%s\"", ob_errmsg(), what);
	ob_trackfile_close(&f);
}

/* Unfinished and truncated files are refused on open; bad rows stop a replay. */
static void test_errors(void **state)
{
	char path[320];
	struct ob_trackfile *f = NULL;
	struct ob_recipe *r = parse(recipe);
	char *data = NULL;
	size_t len = 0;
	uint64_t track[3] = { 0, 1, 4 };
	double pts = 1.0;

	(void)state;
	snprintf(path, sizeof(path), "%s/unfinished.h5", dir);
	assert_null(write_scene(path, 20));
	assert_int_equal(ob_trackfile_open(path, &f), OB_ERR_INPUT);
	assert_non_null(strstr(ob_errmsg(), "incomplete"));
	assert_null(f);

	snprintf(path, sizeof(path), "%s/truncated.h5", dir);
	assert_int_equal(ob_read_file(good, 1 << 24, &data, &len), 0);
	assert_int_equal(ob_write_file_atomic(path, data, len / 2, 0644), 0);
	free(data);
	assert_int_equal(ob_trackfile_open(path, &f), OB_ERR_INPUT);
	assert_null(f);

	/* rows 3f, 3f + 1, 3f + 2 are tracks 1, 3, 4 on frames 0..12; rows 39, 40 tracks 1, 3 on 13 */
	snprintf(path, sizeof(path), "%s/track0.h5", dir);
	copy_with(path, "/detections", "track", H5T_NATIVE_UINT64, &track[0], 40);
	expect_replay_error(path, r, "row 40");
	/* the file's fault too, not an internal error: track 1 twice on frame 5 ... */
	snprintf(path, sizeof(path), "%s/twice.h5", dir);
	copy_with(path, "/detections", "track", H5T_NATIVE_UINT64, &track[1], 16);
	expect_replay_error(path, r, "two rows of track 1");
	/* ... vehicle 4 a person on frame 13 ... */
	snprintf(path, sizeof(path), "%s/class.h5", dir);
	copy_with(path, "/detections", "track", H5T_NATIVE_UINT64, &track[2], 40);
	expect_replay_error(path, r, "track 4 changed class");
	/* ... frame 10 at 1 s, after frame 9's 1.125 s */
	snprintf(path, sizeof(path), "%s/time.h5", dir);
	copy_with(path, "/frames", "pts", H5T_NATIVE_DOUBLE, &pts, 10);
	expect_replay_error(path, r, "frame 10: time 1 s goes back");
	ob_recipe_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_written),
		cmocka_unit_test(test_replay_same_recipe),
		cmocka_unit_test(test_replay_other_recipe),
		cmocka_unit_test(test_replay_identities),
		cmocka_unit_test(test_reproducible),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests_name("analytics_file", tests, setup, teardown);
}

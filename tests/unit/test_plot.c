/* SPDX-License-Identifier: MIT */
/* test_plot.c - the analytics pictures: PNGs of the right size, written
 * atomically, heat drawn where the tracks were, repeatable in one process,
 * quiet, and PLplot's errors (even its fatal ones) returned, not exit(). */
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <libavcodec/avcodec.h>
#include <plplot.h>

#include "obscura/analytics.h"
#include "obscura/error.h"
#include "obscura/plot.h"
#include "obscura/recipe.h"
#include "obscura/banned.h"

/* 640x360 at 8 frames a second; the heat grid is 64 x 36 cells of 10 px. */
#define W 640
#define H 360
#define FPS 8.0

#define RECIPE                                                                                                     \
	"[line \"door #1\"]\npoints = 0.25,0.5 0.75,0.5\n"                     /* (160,180) -> (480,180) */     \
	"[zone \"hall\"]\npolygon = 0.25,0.25 0.75,0.25 0.75,0.75 0.25,0.75\n" /* x 160..480, y 90..270 */      \
	"[zone \"staff\"]\nkind = restricted\npolygon = 0.05,0.05 0.15,0.05 0.15,0.2 0.05,0.2\n"

/* Where the people stand (feet, the centres of heat cells) and where no
 * one ever is, nor any line, zone or label. */
#define HOT_X 105.0
#define HOT_Y 305.0
#define WARM_X 555.0
#define WARM_Y 65.0
#define COLD_X 575.0
#define COLD_Y 315.0

/* PLplot's error entry points (plplotP.h, not installed): the fault
 * injection below calls them as PLplot itself would. */
void plexit(const char *errormsg);
void plabort(const char *errormsg);

static enum { INJECT_NONE, INJECT_ABORT, INJECT_EXIT } inject;

/*
 * plcolorbar(), which every heatmap with heat calls, interposed: the
 * executable's definition wins over libplplot's.  Normally it passes the
 * call on; with `inject` set it fails the way PLplot fails: plabort()
 * (an operation skipped) or plexit() (fatal: ends in exit() unless the
 * handler set with plsexit() never returns).
 */
void c_plcolorbar(PLFLT *w, PLFLT *h, PLINT opt, PLINT position, PLFLT x, PLFLT y, PLFLT x_length,
		  PLFLT y_length, PLINT bg_color, PLINT bb_color, PLINT bb_style, PLFLT low_cap_color,
		  PLFLT high_cap_color, PLINT cont_color, PLFLT cont_width, PLINT n_labels,
		  PLINT_VECTOR label_opts, PLCHAR_MATRIX labels, PLINT n_axes, PLCHAR_MATRIX axis_opts,
		  PLFLT_VECTOR ticks, PLINT_VECTOR sub_ticks, PLINT_VECTOR n_values, PLFLT_MATRIX values)
{
	typedef void (*colorbar_fn)(PLFLT *, PLFLT *, PLINT, PLINT, PLFLT, PLFLT, PLFLT, PLFLT, PLINT, PLINT,
				    PLINT, PLFLT, PLFLT, PLINT, PLFLT, PLINT, PLINT_VECTOR, PLCHAR_MATRIX, PLINT,
				    PLCHAR_MATRIX, PLFLT_VECTOR, PLINT_VECTOR, PLINT_VECTOR, PLFLT_MATRIX);
	colorbar_fn real;

	if (inject == INJECT_EXIT)
		plexit("injected fatal error");
	if (inject == INJECT_ABORT) {
		plabort("injected error");
		return;
	}
	*(void **)&real = dlsym(RTLD_NEXT, "c_plcolorbar");
	assert_non_null(real);
	real(w, h, opt, position, x, y, x_length, y_length, bg_color, bb_color, bb_style, low_cap_color,
	     high_cap_color, cont_color, cont_width, n_labels, label_opts, labels, n_axes, axis_opts, ticks,
	     sub_ticks, n_values, values);
}

/* --- fixtures --- */

static char tmpdir[64];

static int setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_plot.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *tmp_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", tmpdir, name);
	return buf;
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Files in the test directory whose name holds a temporary's mark. */
static int leftovers(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strstr(e->d_name, ".obscura-tmp") != NULL;
	closedir(d);
	return n;
}

static struct ob_analytics *analyzer(const char *text)
{
	struct ob_analytics_config c;
	struct ob_recipe *r;
	struct ob_analytics *a;

	if (ob_recipe_parse("t.ini", text, &r))
		fail_msg("%s", ob_errmsg());
	ob_analytics_config_init(&c, W, H, FPS);
	assert_int_equal(ob_analytics_new(r, &c, &a), 0);
	ob_recipe_free(&r);
	return a;
}

static struct ob_track_row row_at(uint64_t id, uint8_t cls, int64_t f, double x, double y)
{
	double w = cls == OB_CLASS_VEHICLE ? 80 : 20, h = cls == OB_CLASS_VEHICLE ? 40 : 60;

	return (struct ob_track_row){ .frame = f, .pts = (double)f / FPS, .track = id, .cls = cls,
				      .x = (float)(x - w / 2), .y = (float)(y - h), .w = (float)w, .h = (float)h };
}

/*
 * `frames` frames: person 1 stands at HOT for all of them, person 2 at WARM
 * for the first quarter, person 3 walks down through the door (a forward
 * crossing), a vehicle drives along the bottom.
 */
static const struct ob_analytics_result *play(struct ob_analytics *a, int64_t frames)
{
	for (uint64_t id = 1; id <= 4; id++)
		assert_int_equal(ob_analytics_confirm(a, id), 0);
	for (int64_t f = 0; f < frames; f++) {
		struct ob_track_row rows[4];
		size_t n = 0;

		rows[n++] = row_at(1, OB_CLASS_PERSON, f, HOT_X, HOT_Y);
		if (f < frames / 4)
			rows[n++] = row_at(2, OB_CLASS_PERSON, f, WARM_X, WARM_Y);
		if (f <= 16)
			rows[n++] = row_at(3, OB_CLASS_PERSON, f, 320, 100 + 10.0 * (double)f);
		if (f < 60)
			rows[n++] = row_at(4, OB_CLASS_VEHICLE, f, 20 + 10.0 * (double)f, 350);
		if (ob_analytics_frame(a, f, (double)f / FPS, rows, n))
			fail_msg("%s", ob_errmsg());
	}
	if (ob_analytics_finish(a))
		fail_msg("%s", ob_errmsg());
	return ob_analytics_result(a);
}

/* --- reading the PNG back --- */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A PNG whose IHDR says OB_PLOT_WIDTH x OB_PLOT_HEIGHT. */
static void assert_png_size(const char *path)
{
	static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	uint8_t head[24];
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	assert_int_equal(fread(head, 1, sizeof(head), f), sizeof(head));
	fclose(f);
	assert_memory_equal(head, sig, sizeof(sig));
	assert_memory_equal(head + 12, "IHDR", 4);
	assert_int_equal(be32(head + 16), OB_PLOT_WIDTH);
	assert_int_equal(be32(head + 20), OB_PLOT_HEIGHT);
}

struct image {
	int w, h;
	uint8_t *rgb; /* w * h * 3 */
};

/* Decodes the PNG at path with FFmpeg's decoder into RGB. */
static void decode_png(const char *path, struct image *img)
{
	const AVCodec *codec = avcodec_find_decoder(AV_CODEC_ID_PNG);
	AVCodecContext *ctx;
	AVPacket *pkt = av_packet_alloc();
	AVFrame *frame = av_frame_alloc();
	FILE *f = fopen(path, "rb");
	long size;
	int bpp;

	assert_non_null(codec);
	assert_non_null(f);
	assert_non_null(pkt);
	assert_non_null(frame);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	rewind(f);
	assert_int_equal(av_new_packet(pkt, (int)size), 0);
	assert_int_equal(fread(pkt->data, 1, (size_t)size, f), (size_t)size);
	fclose(f);

	ctx = avcodec_alloc_context3(codec);
	assert_non_null(ctx);
	ctx->thread_count = 1;
	assert_int_equal(avcodec_open2(ctx, codec, NULL), 0);
	assert_int_equal(avcodec_send_packet(ctx, pkt), 0);
	assert_int_equal(avcodec_send_packet(ctx, NULL), 0);
	assert_int_equal(avcodec_receive_frame(ctx, frame), 0);
	assert_true(frame->format == AV_PIX_FMT_RGB24 || frame->format == AV_PIX_FMT_RGBA);
	bpp = frame->format == AV_PIX_FMT_RGB24 ? 3 : 4;

	img->w = frame->width;
	img->h = frame->height;
	img->rgb = malloc((size_t)img->w * (size_t)img->h * 3);
	assert_non_null(img->rgb);
	for (int y = 0; y < img->h; y++)
		for (int x = 0; x < img->w; x++)
			memcpy(img->rgb + ((size_t)y * (size_t)img->w + (size_t)x) * 3,
			       frame->data[0] + (size_t)y * (size_t)frame->linesize[0] + (size_t)x * (size_t)bpp, 3);
	av_frame_free(&frame);
	av_packet_free(&pkt);
	avcodec_free_context(&ctx);
}

static uint32_t pixel(const struct image *img, int x, int y)
{
	const uint8_t *p = img->rgb + ((size_t)y * (size_t)img->w + (size_t)x) * 3;

	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/*
 * The blank frame's colour: the most common colour but the page's white
 * (heat, lines and zones cover little of it).  Counted in a small open
 * hash table of colours.
 */
static uint32_t blank_colour(const struct image *img)
{
	enum { SLOTS = 1 << 16 };
	static uint32_t key[SLOTS], count[SLOTS];
	uint32_t best = 0, best_n = 0;

	memset(count, 0, sizeof(count));
	for (int y = 0; y < img->h; y++)
		for (int x = 0; x < img->w; x++) {
			uint32_t c = pixel(img, x, y), i = (c * 2654435761u) >> 16;

			if (c == 0xffffff)
				continue;
			while (count[i] && key[i] != c)
				i = (i + 1) & (SLOTS - 1);
			key[i] = c;
			if (++count[i] > best_n) {
				best_n = count[i];
				best = c;
			}
		}
	assert_true(best_n > 10000); /* a frame was drawn at all */
	return best;
}

/*
 * Where the frame is on the picture: the rows and columns mostly of its
 * blank colour (antialiased text elsewhere has a few such pixels too).
 */
static void frame_box(const struct image *img, uint32_t blank, int *x0, int *y0, int *x1, int *y1)
{
	*x0 = img->w;
	*y0 = img->h;
	*x1 = *y1 = -1;
	for (int y = 0; y < img->h; y++) {
		int n = 0;

		for (int x = 0; x < img->w; x++)
			n += pixel(img, x, y) == blank;
		if (n > img->w / 8) {
			*y0 = y < *y0 ? y : *y0;
			*y1 = y;
		}
	}
	for (int x = 0; x < img->w; x++) {
		int n = 0;

		for (int y = 0; y < img->h; y++)
			n += pixel(img, x, y) == blank;
		if (n > img->h / 8) {
			*x0 = x < *x0 ? x : *x0;
			*x1 = x;
		}
	}
	assert_true(*x1 > *x0 && *y1 > *y0);
}

/* --- tests --- */

static void test_heat_where_tracks_were(void **state)
{
	struct ob_analytics *a = analyzer(RECIPE);
	const struct ob_analytics_result *r = play(a, 160);
	char path[128];
	struct image img;
	uint32_t blank, hot, warm, cold;
	int x0, y0, x1, y1;
	double sx, sy;

	tmp_path(path, sizeof(path), "heat.png");
	if (ob_plot_heatmap(r, (size_t)ob_analytics_class_index(r, OB_CLASS_PERSON), path))
		fail_msg("%s", ob_errmsg());
	assert_png_size(path);
	decode_png(path, &img);
	assert_int_equal(img.w, OB_PLOT_WIDTH);
	assert_int_equal(img.h, OB_PLOT_HEIGHT);

	blank = blank_colour(&img);
	frame_box(&img, blank, &x0, &y0, &x1, &y1);
	/* the frame keeps its shape (16:9, give or take its outline) */
	assert_true(abs((x1 - x0) * H - (y1 - y0) * W) < 4 * W);
	sx = (double)(x1 - x0) / W;
	sy = (double)(y1 - y0) / H;

	/* y grows downwards, as on the picture: HOT is low and left */
	hot = pixel(&img, x0 + (int)(HOT_X * sx), y0 + (int)(HOT_Y * sy));
	warm = pixel(&img, x0 + (int)(WARM_X * sx), y0 + (int)(WARM_Y * sy));
	cold = pixel(&img, x0 + (int)(COLD_X * sx), y0 + (int)(COLD_Y * sy));
	assert_int_not_equal(hot, blank);
	assert_int_not_equal(warm, blank);
	assert_int_equal(cold, blank);
	/* heat is warm-coloured: red well above blue */
	assert_true((int)(hot >> 16) - (int)(hot & 0xff) > 60);
	assert_true((int)(warm >> 16) - (int)(warm & 0xff) > 60);
	/* the hottest cell (20 s) darker than one of 5 s */
	assert_true((hot >> 8 & 0xff) < (warm >> 8 & 0xff));
	/* the mirror image of HOT (as if y pointed up) is blank */
	assert_int_equal(pixel(&img, x0 + (int)(HOT_X * sx), y0 + (int)((H - HOT_Y) * sy)), blank);

	free(img.rgb);
	ob_analytics_free(&a);
}

static void test_all_pictures_sized(void **state)
{
	struct ob_analytics *a = analyzer(RECIPE);
	const struct ob_analytics_result *r = play(a, 160);
	char path[128];

	assert_int_equal(ob_plot_heatmap(r, (size_t)ob_analytics_class_index(r, OB_CLASS_VEHICLE),
					 tmp_path(path, sizeof(path), "vehicles.png")),
			 0);
	assert_png_size(path);
	assert_int_equal(ob_plot_occupancy(r, tmp_path(path, sizeof(path), "occupancy.png")), 0);
	assert_png_size(path);
	assert_int_equal(ob_plot_crossings(r, tmp_path(path, sizeof(path), "crossings.png")), 0);
	assert_png_size(path);
	assert_int_equal(leftovers(), 0);
	ob_analytics_free(&a);
}

/* Every picture, three times over in one process: streams are made and
 * ended each time, and the caller's current stream (0) is left current. */
static void test_repeated_calls(void **state)
{
	struct ob_analytics *a = analyzer(RECIPE);
	const struct ob_analytics_result *r = play(a, 40);
	PLINT strm = -1;

	for (int i = 0; i < 3; i++) {
		char name[32], path[128];

		for (size_t c = 0; c < r->n_classes; c++) {
			snprintf(name, sizeof(name), "heat-%zu-%d.png", c, i);
			assert_int_equal(ob_plot_heatmap(r, c, tmp_path(path, sizeof(path), name)), 0);
			assert_png_size(path);
		}
		snprintf(name, sizeof(name), "occupancy-%d.png", i);
		assert_int_equal(ob_plot_occupancy(r, tmp_path(path, sizeof(path), name)), 0);
		assert_png_size(path);
		snprintf(name, sizeof(name), "crossings-%d.png", i);
		assert_int_equal(ob_plot_crossings(r, tmp_path(path, sizeof(path), name)), 0);
		assert_png_size(path);
	}
	plgstrm(&strm);
	assert_int_equal(strm, 0);
	assert_int_equal(leftovers(), 0);
	ob_analytics_free(&a);
}

/* No frames at all (no bins, no heat), one bin, and no lines: still pictures. */
static void test_empty_and_tiny(void **state)
{
	struct ob_analytics *a = analyzer("[zone \"hall\"]\npolygon = 0.25,0.25 0.75,0.25 0.75,0.75 0.25,0.75\n");
	const struct ob_analytics_result *r;
	char path[128];

	assert_int_equal(ob_analytics_finish(a), 0);
	r = ob_analytics_result(a);
	assert_int_equal(r->n_bins, 0);
	assert_int_equal(r->n_lines, 0);
	assert_int_equal(ob_plot_heatmap(r, 0, tmp_path(path, sizeof(path), "empty-heat.png")), 0);
	assert_png_size(path);
	assert_int_equal(ob_plot_occupancy(r, tmp_path(path, sizeof(path), "empty-occupancy.png")), 0);
	assert_png_size(path);
	assert_int_equal(ob_plot_crossings(r, tmp_path(path, sizeof(path), "no-lines.png")), 0);
	assert_png_size(path);
	ob_analytics_free(&a);

	a = analyzer(RECIPE);
	r = play(a, 4); /* half a second: one bin */
	assert_int_equal(r->n_bins, 1);
	assert_int_equal(ob_plot_occupancy(r, tmp_path(path, sizeof(path), "one-bin.png")), 0);
	assert_png_size(path);
	assert_int_equal(leftovers(), 0);
	ob_analytics_free(&a);
}

/* Failures leave nothing under path, nor a temporary, and name path. */
static void test_errors_leave_nothing(void **state)
{
	struct ob_analytics *a = analyzer(RECIPE);
	const struct ob_analytics_result *r = play(a, 40);
	char path[128], file[128];
	FILE *f;

	/* a directory that does not exist */
	assert_int_equal(ob_plot_heatmap(r, 0, "/nonexistent-obscura-dir/heat.png"), OB_ERR_OUTPUT);
	assert_non_null(strstr(ob_errmsg(), "/nonexistent-obscura-dir/heat.png"));
	assert_int_equal(ob_plot_occupancy(r, "/nonexistent-obscura-dir/occupancy.png"), OB_ERR_OUTPUT);
	assert_int_equal(ob_plot_crossings(r, "/nonexistent-obscura-dir/crossings.png"), OB_ERR_OUTPUT);
	assert_false(exists("/nonexistent-obscura-dir"));

	/* a "directory" that is a file (unwritable even for root) */
	f = fopen(tmp_path(file, sizeof(file), "plain"), "w");
	assert_non_null(f);
	fclose(f);
	tmp_path(path, sizeof(path), "plain/heat.png");
	assert_int_equal(ob_plot_heatmap(r, 0, path), OB_ERR_OUTPUT);
	assert_non_null(strstr(ob_errmsg(), path));

	/* failing late: drawn and written, but the rename onto a directory
	 * fails; the temporary must go */
	tmp_path(path, sizeof(path), "adir");
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(ob_plot_crossings(r, path), OB_ERR_OUTPUT);
	assert_non_null(strstr(ob_errmsg(), path));
	assert_int_equal(leftovers(), 0);

	/* a class that is not analysed */
	tmp_path(path, sizeof(path), "bad-class.png");
	assert_int_equal(ob_plot_heatmap(r, r->n_classes, path), OB_ERR_INTERNAL);
	assert_false(exists(path));
	assert_int_equal(leftovers(), 0);
	ob_analytics_free(&a);
}

/* plabort() and plexit() inside a picture: an error naming path and
 * PLplot's message, no file, and the process (and PLplot) still working. */
static void test_plplot_errors_caught(void **state)
{
	struct ob_analytics *a = analyzer(RECIPE);
	const struct ob_analytics_result *r = play(a, 40);
	char path[128];
	PLINT strm = -1;

	tmp_path(path, sizeof(path), "aborted.png");
	inject = INJECT_ABORT;
	assert_int_equal(ob_plot_heatmap(r, 0, path), OB_ERR_INTERNAL);
	inject = INJECT_NONE;
	assert_non_null(strstr(ob_errmsg(), path));
	assert_non_null(strstr(ob_errmsg(), "injected error"));
	assert_false(exists(path));

	tmp_path(path, sizeof(path), "exited.png");
	inject = INJECT_EXIT;
	assert_int_equal(ob_plot_heatmap(r, 0, path), OB_ERR_INTERNAL);
	inject = INJECT_NONE;
	assert_non_null(strstr(ob_errmsg(), path));
	assert_non_null(strstr(ob_errmsg(), "injected fatal error"));
	assert_false(exists(path));
	assert_int_equal(leftovers(), 0);
	plgstrm(&strm);
	assert_int_equal(strm, 0);

	/* and the next picture is fine */
	assert_int_equal(ob_plot_heatmap(r, 0, tmp_path(path, sizeof(path), "after.png")), 0);
	assert_png_size(path);
	ob_analytics_free(&a);
}

/* Drawing prints nothing: stdout may carry a job's JSON lines, and
 * stderr is for Obscura's own messages. */
static void test_quiet(void **state)
{
	struct ob_analytics *a = analyzer(RECIPE);
	const struct ob_analytics_result *r = play(a, 40);
	char path[128], out[128];
	int saved[2], fd;
	struct stat st;

	fflush(stdout);
	fflush(stderr);
	fd = open(tmp_path(out, sizeof(out), "output.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	saved[0] = dup(1);
	saved[1] = dup(2);
	dup2(fd, 1);
	dup2(fd, 2);
	assert_int_equal(ob_plot_heatmap(r, 0, tmp_path(path, sizeof(path), "q-heat.png")), 0);
	assert_int_equal(ob_plot_occupancy(r, tmp_path(path, sizeof(path), "q-occupancy.png")), 0);
	assert_int_equal(ob_plot_crossings(r, tmp_path(path, sizeof(path), "q-crossings.png")), 0);
	assert_int_equal(ob_plot_heatmap(r, 0, "/nonexistent-obscura-dir/q.png"), OB_ERR_OUTPUT);
	fflush(stdout);
	fflush(stderr);
	dup2(saved[0], 1);
	dup2(saved[1], 2);
	close(saved[0]);
	close(saved[1]);
	assert_int_equal(fstat(fd, &st), 0);
	close(fd);
	assert_int_equal(st.st_size, 0);
	ob_analytics_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_heat_where_tracks_were),
		cmocka_unit_test(test_all_pictures_sized),
		cmocka_unit_test(test_repeated_calls),
		cmocka_unit_test(test_empty_and_tiny),
		cmocka_unit_test(test_errors_leave_nothing),
		cmocka_unit_test(test_plplot_errors_caught),
		cmocka_unit_test(test_quiet),
	};
	return cmocka_run_group_tests_name("plot", tests, setup, teardown);
}

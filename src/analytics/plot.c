/* SPDX-License-Identifier: MIT */
/* plot.c - the analytics as PNG charts: heatmap, occupancy and crossings, drawn with PLplot. */
#include "obscura/plot.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <plplot.h>

#include "obscura/class.h"
#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/banned.h"

/*
 * How a picture is made.  PLplot keeps its state in global "streams"; each
 * picture makes a stream of its own (plmkstrm), draws, and ends it
 * (plend1), which is when the pngcairo device encodes the page and writes
 * the PNG.  So calls do not see each other's settings, and the stream that
 * was current before is current again afterwards.  PLplot is not
 * thread-safe: one picture at a time per process (jobs are processes).
 *
 * PLplot is given an already open FILE (plsfile) on our temporary name
 * rather than a file name: given a name it cannot open, it retries and then
 * calls exit(); given none, it prompts on stdin.
 *
 * Errors inside PLplot come two ways.  plabort() (an operation skipped:
 * bad argument, ...) is caught by plsError() into the stream's buffer,
 * instead of stderr, and fails the picture.  plexit() (fatal: out of
 * memory, ...) ends in exit() after calling the handler set with plsexit();
 * ours jumps back to plot_png(), which fails the picture and keeps the
 * process.  The stream is ended if that still works, abandoned if not.
 */

#define PL_DEVICE "pngcairo"
#define PL_ERRMSG_MAX 4096 /* plabort() writes into it with sprintf: be generous */
#define NAME_ESC_MAX (2 * OB_RECIPE_MAX_NAME + 32) /* a name with its '#' doubled, and a suffix */
#define OCC_MAX_STEPS 1200 /* occupancy steps drawn per curve; more bins are merged */
#define LEGEND_NAME_MAX 20 /* characters of a zone name shown in a legend */
#define AXIS_NAME_MAX 24   /* characters of a line name under the crossings' x axis */
#define MAX_LABELS (OB_RECIPE_MAX_LINES + OB_RECIPE_MAX_AREAS)

/* cmap0: the fixed colours (PLplot's colour map 0), by index. */
enum {
	COL_BG,        /* page background */
	COL_INK,       /* text, axes */
	COL_GRID,      /* grid lines */
	COL_FRAME,     /* the blank frame under the heat */
	COL_LINE,      /* counting lines */
	COL_ZONE,      /* analytics zones */
	COL_RESTRICT,  /* restricted zones */
	COL_MUTED,     /* notes */
	COL_HALO,      /* translucent white under labels drawn over the heat */
	COL_CYCLE,     /* COL_CYCLE + i: the i-th colour of the cycle (areas, classes) */
	COL_TINT = COL_CYCLE + 10, /* COL_TINT + i: the same, lightened (backward bars) */
	COL_COUNT = COL_TINT + 10,
};
#define N_CYCLE 10

static const uint8_t palette[COL_CYCLE][3] = {
	[COL_BG] = { 255, 255, 255 },     [COL_INK] = { 34, 34, 34 },
	[COL_GRID] = { 222, 222, 222 },   [COL_FRAME] = { 236, 236, 236 },
	[COL_LINE] = { 24, 90, 200 },     [COL_ZONE] = { 20, 130, 70 },
	[COL_RESTRICT] = { 205, 25, 35 }, [COL_MUTED] = { 110, 110, 110 },
	[COL_HALO] = { 255, 255, 255 },
};

/* Tableau 10: distinct, readable on white, and what readers of charts know. */
static const uint8_t cycle[N_CYCLE][3] = {
	{ 31, 119, 180 }, { 255, 127, 14 }, { 44, 160, 44 },   { 214, 39, 40 },  { 148, 103, 189 },
	{ 140, 86, 75 },  { 227, 119, 194 }, { 127, 127, 127 }, { 188, 189, 34 }, { 23, 190, 207 },
};

/* Heat: pale yellow to dark red (ColorBrewer YlOrRd without its near-white
 * end, so the least heat still stands out from the blank frame). */
static const uint8_t heat_ramp[][3] = {
	{ 255, 237, 160 }, { 254, 217, 118 }, { 254, 178, 76 }, { 253, 141, 60 },
	{ 252, 78, 42 },   { 227, 26, 28 },   { 189, 0, 38 },   { 128, 0, 38 },
};

/* Each class's colour in the crossings chart (an index into the cycle). */
static const int class_colour[OB_CLASS_COUNT] = {
	[OB_CLASS_FACE] = 2, [OB_CLASS_PERSON] = 0, [OB_CLASS_VEHICLE] = 1,
	[OB_CLASS_TEXT] = 4, [OB_CLASS_MANUAL] = 5, [OB_CLASS_OTHER] = 7,
};

/* "Where people were", "mean vehicles present". */
static const char *const class_noun[OB_CLASS_COUNT] = {
	[OB_CLASS_FACE] = "faces",   [OB_CLASS_PERSON] = "people",       [OB_CLASS_VEHICLE] = "vehicles",
	[OB_CLASS_TEXT] = "text",    [OB_CLASS_MANUAL] = "manual boxes", [OB_CLASS_OTHER] = "others",
};

struct plot;
typedef void (*draw_fn)(struct plot *p);

struct rect {
	double x0, y0, x1, y1;
};

/* One picture being made.  It lives in the caller of plot_png(), so what it
 * holds is still valid after a fatal PLplot error jumps back. */
struct plot {
	const struct ob_analytics_result *r;
	const char *path;
	size_t c;              /* heatmap: the class index */
	PLFLT *heat;           /* heatmap: the image, column-major [cols][rows] */
	const PLFLT **heat_col; /* heatmap: heat_col[x] = heat + x * rows */
	double heat_max;       /* heatmap: the largest cell, 0 if none */
	double heat_sum;
	struct rect placed[MAX_LABELS]; /* heatmap: labels so far, not to be covered */
	size_t n_placed;
	FILE *fp;              /* ours until plinit() gives it to PLplot */
	PLINT old_strm, strm;
	PLINT pl_code;         /* set by plabort() (plsError) */
	char pl_msg[PL_ERRMSG_MAX];
};

static jmp_buf *pl_jump;              /* where a fatal PLplot error returns to */
static char pl_fatal[OB_ERRMSG_MAX];  /* and its message */

/* plexit()'s handler: returning would let PLplot exit(), so jump back. */
static int pl_on_exit(const char *msg)
{
	snprintf(pl_fatal, sizeof(pl_fatal), "%s", msg ? msg : "");
	if (pl_jump)
		longjmp(*pl_jump, 1);
	return 1;
}

/* PLplot's last error message on one line, without its newlines. */
static const char *pl_message(char *msg)
{
	size_t n;

	for (char *s = msg; *s; s++)
		if (*s == '\n')
			*s = ' ';
	n = strlen(msg);
	while (n && msg[n - 1] == ' ')
		msg[--n] = '\0';
	while (*msg == ' ')
		msg++;
	return *msg ? msg : "unknown error";
}

/*
 * Whether PLplot has the pngcairo device (plplot-driver-cairo).  Asked
 * once: without it plinit() would print a device menu on stdout and wait
 * for an answer on stdin.
 */
static bool have_device(void)
{
	static int have = -1;
	const char *menu[128], *dev[128];
	const char **pm = menu, **pd = dev;
	int n = 128;

	if (have >= 0)
		return have;
	plgDevs(&pm, &pd, &n);
	have = 0;
	for (int i = 0; i < n; i++)
		if (dev[i] && !strcmp(dev[i], PL_DEVICE))
			have = 1;
	return have;
}

/* A file ending like a complete PNG of our size: the device wrote it all
 * (it ignores write errors; a disk that filled up leaves it short). */
static int check_png(const char *tmp, const char *path)
{
	static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	static const uint8_t iend[12] = { 0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82 };
	uint8_t head[24], tail[12];
	struct stat st;
	int fd = open(tmp, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), ret = 0;

	if (fd < 0)
		return ob_err(OB_ERR_OUTPUT, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || st.st_size < (off_t)(sizeof(head) + sizeof(tail)) ||
	    pread(fd, head, sizeof(head), 0) != (ssize_t)sizeof(head) ||
	    pread(fd, tail, sizeof(tail), st.st_size - (off_t)sizeof(tail)) != (ssize_t)sizeof(tail) ||
	    memcmp(head, sig, sizeof(sig)) || memcmp(head + 12, "IHDR", 4) || memcmp(tail, iend, sizeof(iend)))
		ret = ob_err(OB_ERR_OUTPUT, "%s: the PNG was not written completely (disk full?)", path);
	else if (((uint32_t)head[16] << 24 | (uint32_t)head[17] << 16 | (uint32_t)head[18] << 8 | head[19]) !=
			 OB_PLOT_WIDTH ||
		 ((uint32_t)head[20] << 24 | (uint32_t)head[21] << 16 | (uint32_t)head[22] << 8 | head[23]) !=
			 OB_PLOT_HEIGHT)
		ret = ob_err(OB_ERR_INTERNAL, "%s: PLplot wrote a picture of the wrong size", path);
	close(fd);
	return ret;
}

/* The stream's colours: cmap0 by index (enum above), cmap1 the heat ramp. */
static void set_colours(void)
{
	size_t n = sizeof(heat_ramp) / sizeof(heat_ramp[0]);
	PLFLT pos[sizeof(heat_ramp) / sizeof(heat_ramp[0])];
	PLFLT cr[sizeof(pos) / sizeof(pos[0])], cg[sizeof(pos) / sizeof(pos[0])], cb[sizeof(pos) / sizeof(pos[0])];

	plscmap0n(COL_COUNT);
	for (int i = 0; i < COL_CYCLE; i++)
		plscol0(i, palette[i][0], palette[i][1], palette[i][2]);
	plscol0a(COL_HALO, palette[COL_HALO][0], palette[COL_HALO][1], palette[COL_HALO][2], 0.7);
	for (int i = 0; i < N_CYCLE; i++) {
		plscol0(COL_CYCLE + i, cycle[i][0], cycle[i][1], cycle[i][2]);
		/* 45 % of the colour over white */
		plscol0(COL_TINT + i, 140 + cycle[i][0] * 45 / 100, 140 + cycle[i][1] * 45 / 100,
			140 + cycle[i][2] * 45 / 100);
	}
	/* Positions squared: the colour changes fastest at the low end, where
	 * most cells are (a few places where people wait are far hotter than
	 * paths); the colour bar shows the same mapping. */
	for (size_t i = 0; i < n; i++) {
		pos[i] = (PLFLT)(i * i) / (PLFLT)((n - 1) * (n - 1));
		cr[i] = heat_ramp[i][0] / 255.0;
		cg[i] = heat_ramp[i][1] / 255.0;
		cb[i] = heat_ramp[i][2] / 255.0;
	}
	plscmap1n(256);
	plscmap1l(1, (PLINT)n, pos, cr, cg, cb, NULL);
}

/*
 * Ends the picture's stream and makes the previous one current again.
 * plend1() is what writes the PNG, and closes the FILE if plinit() ran.
 */
static void end_stream(struct plot *p)
{
	jmp_buf env;
	PLINT level = 0;

	pl_jump = &env;
	if (!setjmp(env)) {
		plglevel(&level);
		if (level > 0)
			p->fp = NULL; /* PLplot's now: plend1() closes it */
		plend1();
	}
	/* else plend1() itself failed fatally: the stream is abandoned */
	pl_jump = NULL;
	plsexit(NULL);
	plsstrm(p->old_strm);
}

/*
 * Makes one picture: a stream on a temporary file next to path, draw(p),
 * the PNG checked and renamed to path.  After an error nothing is left
 * under path or the temporary name.
 */
static int plot_png(struct plot *p, draw_fn draw)
{
	char tmp[OB_PATH_MAX];
	jmp_buf env;
	int fd, ret;

	ret = ob_atomic_tmpname(p->path, tmp, sizeof(tmp));
	if (ret)
		return ret;
	if (!have_device())
		return ob_err(OB_ERR_INTERNAL, "%s: PLplot has no %s device (install plplot-driver-cairo)",
			      p->path, PL_DEVICE);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return ob_err(OB_ERR_OUTPUT, "%s: %s", p->path, strerror(errno));
	p->fp = fdopen(fd, "wb");
	if (!p->fp) {
		ret = ob_err(OB_ERR_NOMEM, "%s: %s", p->path, strerror(errno));
		close(fd);
		goto out_unlink;
	}

	plgstrm(&p->old_strm);
	plmkstrm(&p->strm);
	if (p->strm < 0) {
		ret = ob_err(OB_ERR_INTERNAL, "%s: PLplot has no free stream", p->path);
		plsstrm(p->old_strm);
		goto out_close;
	}
	p->pl_code = 0;
	p->pl_msg[0] = '\0';
	plsError(&p->pl_code, p->pl_msg);
	pl_fatal[0] = '\0';
	plsexit(pl_on_exit);
	pl_jump = &env;
	if (setjmp(env)) {
		ret = ob_err(OB_ERR_INTERNAL, "%s: PLplot: %s", p->path, pl_message(pl_fatal));
		end_stream(p);
		goto out_close;
	}

	plsdev(PL_DEVICE);
	plsfile(p->fp);
	plspage(0, 0, OB_PLOT_WIDTH, OB_PLOT_HEIGHT, 0, 0);
	set_colours();
	plinit();
	if (!p->pl_code) {
		pladv(0);
		plschr(0, 0.8);
		draw(p);
	}
	end_stream(p);
	if (p->pl_code) {
		ret = ob_err(OB_ERR_INTERNAL, "%s: PLplot: %s", p->path, pl_message(p->pl_msg));
		goto out_close;
	}
	ret = check_png(tmp, p->path);
	if (!ret)
		ret = ob_atomic_commit(tmp, p->path);

out_close:
	if (p->fp)
		fclose(p->fp);
	p->fp = NULL;
out_unlink:
	if (ret)
		ob_atomic_abort(tmp);
	return ret;
}

/* --- text --- */

/* s for PLplot's text: its escape character '#' doubled. */
static const char *pl_text(char *buf, size_t size, const char *s)
{
	size_t n = 0;

	for (; *s && n + 2 < size; s++) {
		if (*s == '#')
			buf[n++] = '#';
		buf[n++] = *s;
	}
	buf[n] = '\0';
	return buf;
}

/* s cut to max characters (UTF-8 aware: a character is never split),
 * with an ellipsis if it was longer. */
static const char *shorten(char *buf, size_t size, const char *s, size_t max)
{
	size_t n = 0, chars = 0;

	for (; s[n]; n++)
		if (((unsigned char)s[n] & 0xc0) != 0x80 && ++chars > max)
			break;
	if (s[n])
		snprintf(buf, size, "%.*s…", (int)n, s);
	else
		snprintf(buf, size, "%s", s);
	return buf;
}

/* How far from the axis (in character heights) a y axis title clears tick
 * labels up to max. */
static double ytitle_disp(double max)
{
	double chars = max >= 10 ? floor(log10(max)) + 1 : 3; /* "0.5" */

	return 2.0 + 0.75 * chars;
}

/* "42 s", "12.5 s", "3 min 05 s", "2 h 07 min". */
static void fmt_duration(char *buf, size_t size, double s)
{
	if (!(s > 0))
		snprintf(buf, size, "no footage");
	else if (s < 60 && fabs(s - round(s)) < 0.05)
		snprintf(buf, size, "%.0f s", s);
	else if (s < 60)
		snprintf(buf, size, "%.1f s", s);
	else if (s < 3600)
		snprintf(buf, size, "%d min %02d s", (int)(s / 60), (int)fmod(s, 60));
	else
		snprintf(buf, size, "%d h %02d min", (int)(s / 3600), (int)fmod(s / 60, 60));
}

/* "1 s", "0.5 s", "5 min": an occupancy bin. */
static void fmt_bin(char *buf, size_t size, double s)
{
	if (s >= 60 && fmod(s, 60) == 0)
		snprintf(buf, size, "%g min", s / 60);
	else
		snprintf(buf, size, "%g s", s);
}

static const char *noun(const struct ob_analytics_result *r, size_t c)
{
	return r->classes[c] < OB_CLASS_COUNT ? class_noun[r->classes[c]] : "tracks";
}

/* A tick step of 1, 2 or 5 times a power of ten giving 4 to 10 ticks on
 * [0, max]; at least min_step (1 for counts). */
static double nice_step(double max, double min_step)
{
	double step = pow(10, floor(log10(max > 0 ? max : 1)));

	if (max / step < 2)
		step /= 5;
	else if (max / step < 4)
		step /= 2;
	return step < min_step ? min_step : step;
}

/* Title and subtitle above the current viewport. */
static void titles(const char *title, const char *subtitle)
{
	plcol0(COL_INK);
	plschr(0, 0.95);
	plmtex("t", subtitle ? 2.6 : 1.4, 0.5, 0.5, title);
	if (subtitle) {
		plcol0(COL_MUTED);
		plschr(0, 0.7);
		plmtex("t", 1.6, 0.5, 0.5, subtitle);
	}
	plschr(0, 0.8);
	plcol0(COL_INK);
}

/* A muted note centred at (x, y), in the current window's coordinates. */
static void note(double x, double y, const char *text)
{
	plcol0(COL_MUTED);
	plschr(0, 1.0);
	plptex(x, y, 1, 0, 0.5, text);
	plschr(0, 0.8);
	plcol0(COL_INK);
}

/* A legend goes top-left in the column right of the chart (x > right):
 * never over the data. */
static void legend_column(double right, double bottom, double top)
{
	plvpor(right + 0.025, 0.99, bottom, top);
	plwind(0, 1, 0, 1);
	plschr(0, 0.8);
}

static void fill_rect(double x0, double y0, double x1, double y1)
{
	PLFLT x[4] = { x0, x1, x1, x0 }, y[4] = { y0, y0, y1, y1 };

	plfill(4, x, y);
}

/* --- heatmap --- */

/*
 * The current character height in world units of the heatmap's window
 * (whose x and y scales are equal), from its size in mm on the page.
 */
static double char_height(void)
{
	PLFLT def, ht, vx0, vx1, vy0, vy1, wx0, wx1, wy0, wy1, sx0, sx1, sy0, sy1;

	plgchr(&def, &ht);
	plgvpd(&vx0, &vx1, &vy0, &vy1);
	plgvpw(&wx0, &wx1, &wy0, &wy1);
	plgspa(&sx0, &sx1, &sy0, &sy1);
	return ht * fabs(wy1 - wy0) / ((vy1 - vy0) * (sy1 - sy0));
}

/* How wide text of n characters is, in the same units: a little more than
 * DejaVu Sans needs for lower case and spaces (measured on pngcairo's
 * output), so that boxes behind labels cover them. */
static double text_width(size_t n, double ch)
{
	return (double)n * 0.7 * ch;
}

/* Characters (not bytes) of UTF-8 text. */
static size_t utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static bool overlaps(const struct plot *p, const struct rect *b)
{
	for (size_t i = 0; i < p->n_placed; i++) {
		const struct rect *q = &p->placed[i];

		if (b->x0 < q->x1 && q->x0 < b->x1 && b->y0 < q->y1 && q->y0 < b->y1)
			return true;
	}
	return false;
}

/*
 * Text at (x, y) in colour, justified by just (0 left .. 1 right), on a
 * translucent white box so that it reads over any heat.  Moved inside the
 * window if it would stick out (PLplot clips text at the viewport), and up
 * or down by a line or a few if it would cover a label already there.
 */
static void label(struct plot *p, double x, double y, double just, PLINT colour, const char *text)
{
	static const int shift[] = { 0, -1, 1, -2, 2, -3, 3 };
	char esc[NAME_ESC_MAX];
	double ch = char_height(), tw = text_width(utf8_len(text), ch), pad = 0.3 * ch, room;
	double xlo, xhi, ylo, yhi, x0;
	PLFLT def, ht, wx0, wx1, wy0, wy1;
	struct rect box = { 0 };

	plgvpw(&wx0, &wx1, &wy0, &wy1);
	xlo = fmin(wx0, wx1);
	xhi = fmax(wx0, wx1);
	ylo = fmin(wy0, wy1);
	yhi = fmax(wy0, wy1);
	room = xhi - xlo - 2 * pad;
	plgchr(&def, &ht);
	if (tw > room) { /* a long name on a narrow frame: smaller */
		plschr(0, ht / def * room / tw);
		ch *= room / tw;
		tw = room;
	}
	x0 = fmax(fmin(x - just * tw, xhi - tw - pad), xlo + pad);
	for (size_t i = 0; i < sizeof(shift) / sizeof(shift[0]); i++) {
		double yi = fmax(fmin(y + shift[i] * 1.5 * ch, yhi - 0.8 * ch), ylo + 0.8 * ch);
		struct rect b = { x0 - pad, yi - 0.7 * ch, x0 + tw + pad, yi + 0.7 * ch };

		if (!i)
			box = b; /* if every place is taken: where it belongs */
		if (!overlaps(p, &b)) {
			box = b;
			break;
		}
	}
	if (p->n_placed < MAX_LABELS)
		p->placed[p->n_placed++] = box;
	plcol0(COL_HALO);
	fill_rect(box.x0, box.y0, box.x1, box.y1);
	plcol0(colour);
	plptex(x0, (box.y0 + box.y1) / 2, 1, 0, 0, pl_text(esc, sizeof(esc), text));
	plschr(0, ht / def);
}

/*
 * A counting line: the segment with dots at its ends, an arrow from its
 * middle to the forward side (the right of a->b as seen on the picture:
 * with y down, the normal (-dy, dx)), and its name on the other side,
 * justified away from the line.  Lengths are fractions of the frame's
 * shorter side, so they look the same at every resolution.
 */
static void draw_line(struct plot *p, const struct ob_analytics_line *l, double unit)
{
	PLFLT x[2] = { l->a.x, l->b.x }, y[2] = { l->a.y, l->b.y };
	double dx = l->b.x - l->a.x, dy = l->b.y - l->a.y, len = hypot(dx, dy);
	double mx = (l->a.x + l->b.x) / 2, my = (l->a.y + l->b.y) / 2, just = 0.5, ch;

	plcol0(COL_LINE);
	pllsty(1);
	plwidth(3);
	plline(2, x, y);
	for (int e = 0; e < 2; e++) { /* dots at the ends, so a short line is still seen */
		PLFLT ex = e ? l->b.x : l->a.x, ey = e ? l->b.y : l->a.y;
		PLFLT cx[12], cy[12];

		for (int i = 0; i < 12; i++) {
			cx[i] = ex + 0.008 * unit * cos(i * M_PI / 6);
			cy[i] = ey + 0.008 * unit * sin(i * M_PI / 6);
		}
		plfill(12, cx, cy);
	}
	plwidth(1);
	plschr(0, 0.8);
	ch = char_height();
	if (len > 0) {
		double nx = -dy / len, ny = dx / len, ux = dx / len, uy = dy / len;
		double L = 0.09 * unit, head = 0.035 * unit, half = 0.02 * unit, off = 0.02 * unit + 0.6 * ch;
		PLFLT sx[2] = { mx, mx + nx * (L - head) }, sy[2] = { my, my + ny * (L - head) };
		PLFLT hx[3] = { mx + nx * L, mx + nx * (L - head) + ux * half, mx + nx * (L - head) - ux * half };
		PLFLT hy[3] = { my + ny * L, my + ny * (L - head) + uy * half, my + ny * (L - head) - uy * half };

		plwidth(3);
		plline(2, sx, sy);
		plwidth(1);
		plfill(3, hx, hy);
		mx -= nx * off;
		my -= ny * off;
		if (-nx > 0.5)
			just = 0;
		else if (-nx < -0.5)
			just = 1;
	}
	label(p, mx, my, just, COL_LINE, l->name);
}

/* A zone: its outline (restricted: red, dashed) and its name left-justified
 * above its topmost corner, kept inside the frame. */
static void draw_zone(struct plot *p, const struct ob_analytics_zone *z)
{
	static const PLINT dash = 4000, gap = 2500; /* micrometres */
	char text[NAME_ESC_MAX];
	PLFLT x[OB_POLYGON_MAX_POINTS + 1], y[OB_POLYGON_MAX_POINTS + 1];
	bool restricted = z->kind == OB_AREA_RESTRICTED;
	size_t n = z->poly.n, top = 0;

	if (!n)
		return;
	for (size_t i = 0; i < n; i++) {
		x[i] = z->poly.pts[i].x;
		y[i] = z->poly.pts[i].y;
		if (y[i] < y[top] || (y[i] == y[top] && x[i] < x[top]))
			top = i;
	}
	x[n] = x[0];
	y[n] = y[0];
	plcol0(restricted ? COL_RESTRICT : COL_ZONE);
	plwidth(2.5);
	if (restricted)
		plstyl(1, &dash, &gap);
	else
		pllsty(1);
	plline((PLINT)n + 1, x, y);
	pllsty(1);
	plwidth(1);

	snprintf(text, sizeof(text), "%s%s", z->name, restricted ? " (restricted)" : "");
	plschr(0, 0.8);
	label(p, x[top], y[top] - 0.9 * char_height(), 0, restricted ? COL_RESTRICT : COL_ZONE, text);
}

/*
 * Heat cell (gx, gy) of the grid -> frame pixels.  plimagefr() without a
 * transform puts data[0][0] at (xmin, ymin) and data[nx-1][ny-1] at (xmax,
 * ymax): cells of range / (n - 1), the last row and column outside.  With
 * one, each cell is the square from grid corner (ix, iy) to (ix+1, iy+1).
 */
static void cell_to_frame(PLFLT gx, PLFLT gy, PLFLT *x, PLFLT *y, PLPointer data)
{
	const struct plot *p = data;

	*x = gx * p->r->width / p->r->heat_cols;
	*y = gy * p->r->height / p->r->heat_rows;
}

static void draw_heatmap(struct plot *p)
{
	const struct ob_analytics_result *r = p->r;
	double w = r->width, h = r->height, unit = fmin(w, h);
	const char *bar_label[1] = { "track-seconds per cell" };
	const char *bar_axis[1] = { "bcvtm" };
	PLINT label_opt[1] = { PL_COLORBAR_LABEL_RIGHT }, sub[1] = { 0 }, nval[1] = { 2 };
	PLFLT ticks[1] = { 0 }, range[2] = { 0, p->heat_max > 0 ? p->heat_max : 1 };
	const PLFLT *values[1] = { range };
	PLFLT cw, ch;
	char title[256], sub_title[256], dur[64], heat[64];

	/* The frame as it is seen: equal scales, y down from the top. */
	plvpas(0.08, 0.84, 0.09, 0.86, h / w);
	plwind(0, w, h, 0);
	plcol0(COL_FRAME);
	fill_rect(0, 0, w, h);
	if (p->heat_max > 0)
		plimagefr(p->heat_col, r->heat_cols, r->heat_rows, 0, w, 0, h, 0, p->heat_max, 0, p->heat_max,
			  cell_to_frame, p);
	for (size_t z = 0; z < r->n_zones; z++)
		draw_zone(p, &r->zones[z]);
	for (size_t l = 0; l < r->n_lines; l++)
		draw_line(p, &r->lines[l], unit);

	plcol0(COL_INK);
	plwidth(1);
	plbox("bcnst", 0, 0, "bcnstv", 0, 0);
	plmtex("b", 2.8, 0.5, 0.5, "x (px)");
	plmtex("l", ytitle_disp(h), 0.5, 0.5, "y (px)");

	if (p->heat_max > 0) /* a scale of nothing would only mislead */
		plcolorbar(&cw, &ch, PL_COLORBAR_GRADIENT,
			   PL_POSITION_RIGHT | PL_POSITION_OUTSIDE | PL_POSITION_VIEWPORT, 0.025, 0, 0.03, 1.0,
			   COL_BG, COL_INK, 1, 0, 0, 0, 0, 1, label_opt, bar_label, 1, bar_axis, ticks, sub, nval,
			   values);

	fmt_duration(dur, sizeof(dur), r->duration);
	snprintf(title, sizeof(title), "Where %s were: track-seconds per cell, %s", noun(r, p->c), dur);
	if (p->heat_max > 0)
		snprintf(heat, sizeof(heat), "%.1f track-seconds in all", p->heat_sum);
	else
		snprintf(heat, sizeof(heat), "no confirmed %s", noun(r, p->c));
	snprintf(sub_title, sizeof(sub_title),
		 "%d × %d cells of %.3g × %.3g px, %s.  Arrows point to the forward side of a line.",
		 r->heat_cols, r->heat_rows, w / r->heat_cols, h / r->heat_rows, heat);
	titles(title, sub_title);
}

int ob_plot_heatmap(const struct ob_analytics_result *r, size_t c, const char *path)
{
	struct plot p = { .r = r, .path = path, .c = c };
	size_t cols, rows, cells;
	const double *heat;
	int ret;

	if (!r || !path)
		return ob_err(OB_ERR_INTERNAL, "ob_plot_heatmap: no result or path");
	if (c >= r->n_classes)
		return ob_err(OB_ERR_INTERNAL, "%s: class index %zu out of range (%zu classes)", path, c,
			      r->n_classes);
	if (r->width <= 0 || r->height <= 0 || r->heat_cols <= 0 || r->heat_rows <= 0 ||
	    r->heat_cols > OB_ANALYTICS_HEAT_MAX || r->heat_rows > OB_ANALYTICS_HEAT_MAX)
		return ob_err(OB_ERR_INTERNAL, "%s: heatmap of %dx%d cells over %dx%d px", path, r->heat_cols,
			      r->heat_rows, r->width, r->height);
	cols = (size_t)r->heat_cols;
	rows = (size_t)r->heat_rows;
	cells = cols * rows;
	heat = r->heat + c * cells;

	/* PLplot wants the image by column, x first; empty cells below its
	 * range (-1) are not drawn: the blank frame shows through. */
	p.heat = malloc(cells * sizeof(*p.heat));
	p.heat_col = malloc(cols * sizeof(*p.heat_col));
	if (!p.heat || !p.heat_col) {
		ret = ob_err(OB_ERR_NOMEM, "%s: out of memory", path);
		goto out;
	}
	for (size_t x = 0; x < cols; x++) {
		p.heat_col[x] = p.heat + x * rows;
		for (size_t y = 0; y < rows; y++) {
			double v = heat[y * cols + x];

			p.heat[x * rows + y] = v > 0 ? v : -1;
			if (v > 0) {
				p.heat_max = fmax(p.heat_max, v);
				p.heat_sum += v;
			}
		}
	}
	ret = plot_png(&p, draw_heatmap);
out:
	free(p.heat);
	free(p.heat_col);
	return ret;
}

/* --- occupancy --- */

/* The time axis' unit for a span of s seconds. */
static double time_unit(double s, const char **name)
{
	if (s <= 180) {
		*name = "s";
		return 1;
	}
	if (s <= 3 * 3600) {
		*name = "min";
		return 60;
	}
	*name = "h";
	return 3600;
}

static void area_style(const struct ob_analytics_result *r, size_t area, PLINT *colour, PLINT *style, PLFLT *width)
{
	if (!area) {
		*colour = COL_INK;
		*style = 1;
		*width = 2.5;
		return;
	}
	*colour = COL_CYCLE + (PLINT)((area - 1) % N_CYCLE);
	*style = r->zones[area - 1].kind == OB_AREA_RESTRICTED ? 3 : 1;
	*width = 1.8;
}

/*
 * The mean present in `area` for class c over bins [b0, b0 + merge): the
 * bins' means weighted by their frames.  False if they have no frames.
 */
static bool step_mean(const struct ob_analytics_result *r, size_t c, size_t area, size_t b0, size_t merge,
		      double *mean)
{
	size_t b1 = b0 + merge < r->n_bins ? b0 + merge : r->n_bins;
	double sum = 0, frames = 0;

	for (size_t b = b0; b < b1; b++) {
		double f = r->bin_frames ? r->bin_frames[b] : 1;

		sum += f * r->occ_mean[(b * r->n_areas + area) * r->n_classes + c];
		frames += f;
	}
	*mean = frames > 0 ? sum / frames : 0;
	return frames > 0;
}

/* The highest step of any area's curve for class c. */
static double steps_max(const struct ob_analytics_result *r, size_t c, size_t merge)
{
	double max = 0, v;

	for (size_t a = 0; a < r->n_areas; a++)
		for (size_t b0 = 0; b0 < r->n_bins; b0 += merge)
			if (step_mean(r, c, a, b0, merge, &v))
				max = fmax(max, v);
	return max;
}

/*
 * One curve: the mean present in `area` for class c as steps, one per
 * group of `merge` bins, from the start of its first bin to the end of its
 * last, clipped to the footage.  Groups without frames break the curve.
 */
static void occupancy_curve(const struct ob_analytics_result *r, size_t c, size_t area, size_t merge, double xmax,
			    double unit)
{
	PLFLT x[2 * OCC_MAX_STEPS + 2], y[2 * OCC_MAX_STEPS + 2];
	PLINT n = 0;

	for (size_t b0 = 0; b0 < r->n_bins; b0 += merge) {
		double t0 = (double)b0 * r->bin, t1 = fmin((double)(b0 + merge) * r->bin, xmax), v;

		if (!step_mean(r, c, area, b0, merge, &v) || !(t1 > t0)) {
			if (n > 1)
				plline(n, x, y);
			n = 0;
			continue;
		}
		x[n] = t0 / unit;
		y[n++] = v;
		x[n] = t1 / unit;
		y[n++] = v;
	}
	if (n > 1)
		plline(n, x, y);
}

static void draw_occupancy(struct plot *p)
{
	const struct ob_analytics_result *r = p->r;
	size_t panels = r->n_classes ? r->n_classes : 1, merge;
	double top = 0.87, bottom = 0.09, gap = 0.08, left = 0.08, right = 0.74;
	double ph = (top - bottom - gap * (double)(panels - 1)) / (double)panels;
	double xmax = r->duration > 0 ? r->duration : (double)r->n_bins * r->bin;
	double unit;
	const char *uname;
	char title[256], sub_title[256], bin[32], dur[64], xlabel[64];

	if (!(xmax > 0))
		xmax = 1;
	unit = time_unit(xmax, &uname);
	merge = (r->n_bins + OCC_MAX_STEPS - 1) / OCC_MAX_STEPS;
	if (!merge)
		merge = 1;
	snprintf(xlabel, sizeof(xlabel), "time (%s)", uname);

	for (size_t c = 0; c < panels; c++) {
		double y1 = top - (double)c * (ph + gap), y0 = y1 - ph;
		double ymax = r->n_classes ? steps_max(r, c, merge) : 0;
		char ylabel[96];

		ymax = ymax > 0 ? ymax * 1.12 : 1;
		plvpor(left, right, y0, y1);
		plwind(0, xmax / unit, 0, ymax);
		plcol0(COL_GRID);
		plbox("g", 0, 0, "g", 0, 0);
		if (r->n_classes && r->n_bins) {
			for (size_t a = r->n_areas; a-- > 0;) { /* the whole frame last, on top */
				PLINT colour, style;
				PLFLT width;

				area_style(r, a, &colour, &style, &width);
				plcol0(colour);
				pllsty(style);
				plwidth(width);
				occupancy_curve(r, c, a, merge, xmax, unit);
			}
			pllsty(1);
			plwidth(1);
		} else {
			note(xmax / unit / 2, ymax / 2, r->n_bins ? "no classes analysed" : "no frames");
		}
		plcol0(COL_INK);
		plbox("bcnst", 0, 0, "bcnstv", 0, 0);
		snprintf(ylabel, sizeof(ylabel), "mean %s present", r->n_classes ? noun(r, c) : "tracks");
		plmtex("l", ytitle_disp(ymax), 0.5, 0.5, ylabel);
		if (c + 1 == panels)
			plmtex("b", 2.8, 0.5, 0.5, xlabel);
		if (!c) {
			fmt_bin(bin, sizeof(bin), r->bin);
			fmt_duration(dur, sizeof(dur), r->duration);
			snprintf(title, sizeof(title), "Occupancy over time: mean tracks present, %s", dur);
			if (merge > 1) {
				char step[32];

				fmt_bin(step, sizeof(step), (double)merge * r->bin);
				snprintf(sub_title, sizeof(sub_title),
					 "Mean per %s bin, drawn in steps of %s; one curve per area.", bin, step);
			} else {
				snprintf(sub_title, sizeof(sub_title), "Mean per %s bin; one curve per area.", bin);
			}
			titles(title, sub_title);
		}
	}

	/* One legend for every panel, right of them, top-aligned. */
	if (r->n_classes && r->n_areas) {
		PLINT opt[OB_RECIPE_MAX_AREAS + 1], colours[OB_RECIPE_MAX_AREAS + 1], styles[OB_RECIPE_MAX_AREAS + 1];
		PLINT text_col[OB_RECIPE_MAX_AREAS + 1];
		PLFLT widths[OB_RECIPE_MAX_AREAS + 1], lw, lh;
		char names[OB_RECIPE_MAX_AREAS + 1][NAME_ESC_MAX + 16];
		const char *text[OB_RECIPE_MAX_AREAS + 1];
		size_t n = r->n_areas < OB_RECIPE_MAX_AREAS + 1 ? r->n_areas : OB_RECIPE_MAX_AREAS + 1, chars = 0;
		double scale;

		for (size_t a = 0; a < n; a++) {
			area_style(r, a, &colours[a], &styles[a], &widths[a]);
			opt[a] = PL_LEGEND_LINE;
			text_col[a] = COL_INK;
			if (!a) {
				snprintf(names[a], sizeof(names[a]), "whole frame");
			} else {
				char cut[NAME_ESC_MAX], esc[NAME_ESC_MAX];

				pl_text(esc, sizeof(esc), shorten(cut, sizeof(cut), r->zones[a - 1].name, LEGEND_NAME_MAX));
				snprintf(names[a], sizeof(names[a]), "%s%s", esc,
					 r->zones[a - 1].kind == OB_AREA_RESTRICTED ? " (restricted)" : "");
			}
			text[a] = names[a];
			chars = utf8_len(names[a]) > chars ? utf8_len(names[a]) : chars;
		}
		/* small enough for the longest name to fit the column beside its
		 * line sample (75 px; up to 14.5 px a character at scale 1) */
		scale = fmin(n > 16 ? 0.6 : 0.7,
			     ((0.99 - right - 0.025) * OB_PLOT_WIDTH - 75) / (14.5 * (double)chars));
		legend_column(right, bottom, top);
		pllegend(&lw, &lh, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
			 PL_POSITION_LEFT | PL_POSITION_TOP | PL_POSITION_INSIDE | PL_POSITION_VIEWPORT, 0, 0, 0.14,
			 COL_BG, COL_GRID, 1, (PLINT)n, 1, (PLINT)n, opt, 0.8, scale, n > 16 ? 1.6 : 2.0,
			 0, text_col, text, NULL, NULL, NULL, NULL, colours, styles, widths, NULL, NULL, NULL, NULL);
	}
}

int ob_plot_occupancy(const struct ob_analytics_result *r, const char *path)
{
	struct plot p = { .r = r, .path = path };

	if (!r || !path)
		return ob_err(OB_ERR_INTERNAL, "ob_plot_occupancy: no result or path");
	if (r->n_areas > r->n_zones + 1 || (r->n_bins && (!r->occ_mean || !r->n_areas || !(r->bin > 0))))
		return ob_err(OB_ERR_INTERNAL, "%s: occupancy of %zu areas for %zu zones", path, r->n_areas,
			      r->n_zones);
	return plot_png(&p, draw_occupancy);
}

/* --- crossings --- */

static int64_t crossings_of(const struct ob_analytics_result *r, size_t line, int dir, size_t c)
{
	return r->line_counts[(line * 2 + (size_t)dir) * r->n_classes + c];
}

static PLINT bar_colour(const struct ob_analytics_result *r, size_t c, int dir)
{
	int i = r->classes[c] < OB_CLASS_COUNT ? class_colour[r->classes[c]] : 7;

	return (dir == OB_CROSS_FORWARD ? COL_CYCLE : COL_TINT) + i;
}

/* Which colour is which: class and direction, beside the bars. */
static void crossings_legend(const struct ob_analytics_result *r, double right, double bottom, double top)
{
	PLINT opt[2 * OB_CLASS_COUNT], colours[2 * OB_CLASS_COUNT], text_col[2 * OB_CLASS_COUNT];
	PLINT patterns[2 * OB_CLASS_COUNT];
	PLFLT scales[2 * OB_CLASS_COUNT], widths[2 * OB_CLASS_COUNT], lw, lh;
	char entries[2 * OB_CLASS_COUNT][64];
	const char *text[2 * OB_CLASS_COUNT];
	size_t n = 2 * r->n_classes < 2 * OB_CLASS_COUNT ? 2 * r->n_classes : 2 * OB_CLASS_COUNT;

	for (size_t i = 0; i < n; i++) {
		size_t c = i / 2;

		opt[i] = PL_LEGEND_COLOR_BOX;
		colours[i] = bar_colour(r, c, (int)(i % 2));
		text_col[i] = COL_INK;
		patterns[i] = 0;
		scales[i] = 0.8;
		widths[i] = 1;
		snprintf(entries[i], sizeof(entries[i]), "%s, %s", ob_class_name(r->classes[c]),
			 i % 2 ? "backward" : "forward");
		text[i] = entries[i];
	}
	legend_column(right, bottom, top);
	pllegend(&lw, &lh, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
		 PL_POSITION_LEFT | PL_POSITION_TOP | PL_POSITION_INSIDE | PL_POSITION_VIEWPORT, 0, 0, 0.1,
		 COL_BG, COL_GRID, 1, (PLINT)n, 1, (PLINT)n, opt, 0.8, 0.7, 2.0, 0, text_col, text, colours,
		 patterns, scales, widths, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
}

/*
 * Bars: groups of 2 * n_classes (forward, backward per class), one group
 * per line, each group one unit wide on the x axis.  A count is written
 * above its bar, turned upright when the bar is too narrow for it.
 */
static void draw_crossings(struct plot *p)
{
	const struct ob_analytics_result *r = p->r;
	size_t nbars = 2 * r->n_classes, nl = r->n_lines;
	double left = 0.08, right = 0.78, bottom = 0.12, top = 0.87;
	double slot, bar, group_px, ymax = 0, step, name_scale = 0.8;
	PLFLT vx0, vx1, vy0, vy1;
	bool upright_names = false;
	size_t chars = 0;
	char title[256], dur[64], names[OB_RECIPE_MAX_LINES][NAME_ESC_MAX];

	fmt_duration(dur, sizeof(dur), r->duration);
	snprintf(title, sizeof(title), "Line crossings by direction, %s", dur);
	if (!nl || !r->n_classes) {
		plvpor(left, right, bottom, top);
		plwind(0, 1, 0, 1);
		plcol0(COL_INK);
		plbox("bc", 0, 0, "bc", 0, 0);
		note(0.5, 0.5, nl ? "no classes analysed" : "no counting lines in the recipe");
		titles(title, NULL);
		return;
	}

	for (size_t l = 0; l < nl; l++)
		for (size_t i = 0; i < nbars; i++)
			ymax = fmax(ymax, (double)crossings_of(r, l, (int)(i % 2), i / 2));
	step = nice_step(ymax, 1);
	ymax = fmax(ceil(ymax * 1.15 / step) * step, step);

	/*
	 * Names under their groups; too wide for them (at about 13 px a
	 * character at scale 1), they stand upright, cut short and small
	 * enough to fit in a deeper bottom margin.
	 */
	nl = nl < OB_RECIPE_MAX_LINES ? nl : OB_RECIPE_MAX_LINES;
	group_px = (right - left) * OB_PLOT_WIDTH / (double)nl;
	for (size_t l = 0; l < nl; l++) {
		char cut[NAME_ESC_MAX];

		shorten(cut, sizeof(cut), r->lines[l].name, AXIS_NAME_MAX);
		chars = utf8_len(cut) > chars ? utf8_len(cut) : chars;
		pl_text(names[l], sizeof(names[l]), cut);
	}
	if ((double)chars * 13 * name_scale > group_px * 0.95) {
		upright_names = true;
		name_scale = fmax(0.5, fmin(0.8, 170 / (13.0 * (double)chars)));
		bottom = 0.07 + 13 * name_scale * (double)chars / OB_PLOT_HEIGHT;
	}

	plvpor(left, right, bottom, top);
	plwind(0, (double)nl, 0, ymax);
	plgvpd(&vx0, &vx1, &vy0, &vy1);
	plcol0(COL_GRID);
	plbox("", 0, 0, "g", step, 0);

	slot = 0.84 / (double)nbars;
	bar = slot * 0.86;
	for (size_t l = 0; l < nl; l++) {
		for (size_t i = 0; i < nbars; i++) {
			int dir = (int)(i % 2);
			size_t c = i / 2;
			int64_t n = crossings_of(r, l, dir, c);
			double x0 = (double)l + 0.08 + (double)i * slot + (slot - bar) / 2, xc = x0 + bar / 2;
			double bar_px = bar * (vx1 - vx0) * OB_PLOT_WIDTH / (double)nl;
			char count[32];

			plcol0(bar_colour(r, c, dir));
			if (n > 0) {
				fill_rect(x0, 0, x0 + bar, (double)n);
				plcol0(COL_MUTED);
				plwidth(0.5);
				{
					PLFLT ox[5] = { x0, x0 + bar, x0 + bar, x0, x0 };
					PLFLT oy[5] = { 0, 0, (double)n, (double)n, 0 };

					plline(5, ox, oy);
				}
				plwidth(1);
			}
			snprintf(count, sizeof(count), "%" PRId64, n);
			plcol0(COL_INK);
			if (bar_px >= 9.0 * (double)strlen(count) + 4) {
				plschr(0, 0.7);
				plptex(xc, (double)n + ymax * 0.025, 1, 0, 0.5, count);
			} else {
				/* upright, starting just above the bar */
				plschr(0, fmax(0.4, fmin(0.7, bar_px / 20)));
				plptex(xc, (double)n + ymax * 0.01, 0, 1, 0, count);
			}
		}
		plschr(0, name_scale);
		if (upright_names)
			plmtex("bv", 0.6, ((double)l + 0.5) / (double)nl, 1.0, names[l]);
		else
			plmtex("b", 1.5, ((double)l + 0.5) / (double)nl, 0.5, names[l]);
	}
	plschr(0, 0.8);
	plcol0(COL_INK);
	plbox("bc", 1, 0, "bcnstv", step, 0);
	plmtex("l", ytitle_disp(ymax), 0.5, 0.5, "crossings");
	if (!upright_names) /* else the names say it */
		plmtex("b", 3.0, 0.5, 0.5, "counting line");
	titles(title, "Forward: from the left of a→b to its right, as seen on the picture.");

	crossings_legend(r, right, bottom, top);
}

int ob_plot_crossings(const struct ob_analytics_result *r, const char *path)
{
	struct plot p = { .r = r, .path = path };

	if (!r || !path)
		return ob_err(OB_ERR_INTERNAL, "ob_plot_crossings: no result or path");
	if (r->n_lines && r->n_classes && !r->line_counts)
		return ob_err(OB_ERR_INTERNAL, "%s: no line counts", path);
	return plot_png(&p, draw_crossings);
}

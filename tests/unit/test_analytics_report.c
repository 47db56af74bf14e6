/* SPDX-License-Identifier: MIT */
/* test_analytics_report.c - the analytics told: totals by name and by hour,
 * totals summed across inputs, the JSON summary and the printed table, all
 * from a hand-built result whose every number is known. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "obscura/analytics.h"
#include "obscura/analytics_report.h"
#include "obscura/class.h"
#include "obscura/banned.h"

#define FPS 8.0
#define START 1576875540.0 /* 2019-12-20T20:59:00Z: hour 21:00 is pts 60 */
#define P OB_CLASS_PERSON
#define V OB_CLASS_VEHICLE
#define F OB_CROSS_FORWARD
#define B OB_CROSS_BACKWARD
#define BIG 150 /* intrusions in the capped fixture */

/*
 * Two classes (person, vehicle); lines "door" (both) and "gate" (vehicles);
 * zones "hall" (analytics, both) and "vault" (restricted, people).
 *   door forward: person 4 vehicle 1, backward: person 2
 *   gate forward: vehicle 4, backward: vehicle 5
 */
static const struct { double pts; uint16_t line; uint8_t dir, cls; } xs[] = {
	{ 30, 0, F, P },   { 50, 0, F, V },   { 59, 0, B, P },   /* 20:59:30.. 20:59:59 / +0h */
	{ 90, 0, F, P },   { 100, 1, F, V },  { 200, 1, B, V },  /* 21:00:30.. / +0h */
	{ 300, 1, F, V },  { 400, 0, B, P },
	{ 3700, 0, F, P }, { 3800, 1, F, V }, { 3900, 1, B, V }, /* 22:00:40.. / +1h */
	{ 4000, 1, B, V },
	{ 7300, 1, F, V }, { 7400, 1, B, V }, { 7500, 1, B, V }, /* 23:00:40.. / +2h */
	{ 36070, 0, F, P },                                      /* 2019-12-21 07:00:10 / +10h */
};
#define NX (sizeof(xs) / sizeof(xs[0]))

/* Visits (entry pts, dwell): hall person 20 s (5.5), hall vehicle 70 s (2.25),
 * vault person 80 s (10), hall person 32500 s (1), vault person 32600 s (4)
 * (2019-12-21 06:00:40.. / +9h); intrusions: the two vault visits. */
static const struct { double pts, dwell; uint16_t zone; uint8_t cls; } vs[] = {
	{ 20, 5.5, 0, P }, { 70, 2.25, 0, V }, { 80, 10, 1, P }, { 32500, 1, 0, P }, { 32600, 4, 1, P },
};
#define NV (sizeof(vs) / sizeof(vs[0]))

struct fixture {
	struct ob_analytics_result r;
	struct ob_analytics_line lines[2];
	int64_t counts[2 * 2 * 2];
	struct ob_analytics_crossing crossings[NX];
	struct ob_analytics_zone zones[2];
	struct ob_analytics_visit visits[NV];
	struct ob_analytics_dwell dwell[2 * 2];
	struct ob_analytics_intrusion intrusions[BIG];
	double area_mean[3 * 2];
	uint32_t area_max[3 * 2];
};

static void build(struct fixture *x, double start_time)
{
	static const int64_t counts[8] = { 4, 1, 2, 0, 0, 4, 0, 5 }; /* [line][dir][class] */
	static const struct ob_analytics_dwell dwell[4] = {
		{ 2, 2, 3.25, 3.25, 5.5, 5.5 }, { 1, 1, 2.25, 2.25, 2.25, 2.25 }, /* hall */
		{ 2, 2, 7.0, 7.0, 10.0, 10.0 }, { 0, 0, 0, 0, 0, 0 },             /* vault */
	};
	static const double mean[6] = { 1.5, 0.25, 0.75, 0.125, 0.5, 0 };
	static const uint32_t max[6] = { 4, 1, 3, 1, 1, 0 };
	struct ob_analytics_result *r = &x->r;
	size_t ni = 0;

	memset(x, 0, sizeof(*x));
	snprintf(x->lines[0].name, sizeof(x->lines[0].name), "door");
	x->lines[0].classes = OB_CLASS_BIT(P) | OB_CLASS_BIT(V);
	snprintf(x->lines[1].name, sizeof(x->lines[1].name), "gate");
	x->lines[1].classes = OB_CLASS_BIT(V);
	snprintf(x->zones[0].name, sizeof(x->zones[0].name), "hall");
	x->zones[0].kind = OB_AREA_ANALYTICS;
	x->zones[0].classes = OB_CLASS_BIT(P) | OB_CLASS_BIT(V);
	snprintf(x->zones[1].name, sizeof(x->zones[1].name), "vault");
	x->zones[1].kind = OB_AREA_RESTRICTED;
	x->zones[1].classes = OB_CLASS_BIT(P);
	memcpy(x->counts, counts, sizeof(counts));
	memcpy(x->dwell, dwell, sizeof(dwell));
	memcpy(x->area_mean, mean, sizeof(mean));
	memcpy(x->area_max, max, sizeof(max));
	for (size_t i = 0; i < NX; i++)
		x->crossings[i] = (struct ob_analytics_crossing){ .frame = (int64_t)(xs[i].pts * FPS), .pts = xs[i].pts,
								  .track = i + 1, .line = xs[i].line,
								  .cls = xs[i].cls, .dir = xs[i].dir };
	for (size_t i = 0; i < NV; i++) {
		struct ob_analytics_visit *v = &x->visits[i];

		*v = (struct ob_analytics_visit){ .entry_frame = (int64_t)(vs[i].pts * FPS), .entry_pts = vs[i].pts,
						  .exit_pts = vs[i].pts + vs[i].dwell, .dwell = vs[i].dwell,
						  .track = 100 + i, .zone = vs[i].zone, .cls = vs[i].cls };
		v->exit_frame = (int64_t)(v->exit_pts * FPS);
		if (x->zones[v->zone].kind == OB_AREA_RESTRICTED)
			x->intrusions[ni++] = (struct ob_analytics_intrusion){
				.frame = v->entry_frame, .pts = v->entry_pts, .track = v->track, .zone = v->zone, .cls = v->cls };
	}
	r->width = 640;
	r->height = 360;
	r->fps = FPS;
	r->frames = 300000;
	r->duration = 37500;
	r->start_time = start_time;
	r->n_classes = 2;
	r->classes[0] = P;
	r->classes[1] = V;
	r->tracks[0] = 7;
	r->tracks[1] = 3;
	r->unconfirmed[0] = 1;
	r->n_lines = 2;
	r->lines = x->lines;
	r->line_counts = x->counts;
	r->n_crossings = NX;
	r->crossings = x->crossings;
	r->n_zones = 2;
	r->zones = x->zones;
	r->n_visits = NV;
	r->visits = x->visits;
	r->dwell = x->dwell;
	r->n_intrusions = ni;
	r->intrusions = x->intrusions;
	r->bin = 1.0;
	r->n_areas = 3;
	r->area_mean = x->area_mean;
	r->area_max = x->area_max;
}

/* o at a path of keys "a/b/c" (keys hold no '/'); NULL if missing. */
static json_t *at(json_t *o, const char *path)
{
	char key[128];

	while (o && *path) {
		const char *end = strchr(path, '/');
		size_t n = end ? (size_t)(end - path) : strlen(path);

		assert_true(n < sizeof(key));
		memcpy(key, path, n);
		key[n] = '\0';
		o = json_object_get(o, key);
		path += n + (end != NULL);
	}
	return o;
}

static void expect_int(json_t *o, const char *path, json_int_t want)
{
	json_t *v = at(o, path);

	if (!json_is_integer(v))
		fail_msg("%s: not an integer", path);
	if (json_integer_value(v) != want)
		fail_msg("%s: %lld, want %lld", path, (long long)json_integer_value(v), (long long)want);
}

static void expect_real(json_t *o, const char *path, double want)
{
	json_t *v = at(o, path);

	if (!json_is_real(v))
		fail_msg("%s: not a real", path);
	if (json_real_value(v) != want)
		fail_msg("%s: %g, want %g", path, json_real_value(v), want);
}

static void expect_missing(json_t *o, const char *path)
{
	if (at(o, path))
		fail_msg("%s: should not be there", path);
}

/* The keys of o, in iteration order, joined with ' '. */
static void expect_keys(json_t *o, const char *want)
{
	char got[512] = "";
	size_t len = 0;
	const char *k;
	json_t *v;

	assert_true(json_is_object(o));
	json_object_foreach(o, k, v)
		len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%s", len ? " " : "", k);
	assert_string_equal(got, want);
}

/* What is the same whatever the hours are called. */
static void expect_by_name(json_t *t)
{
	expect_int(t, "inputs", 1);
	expect_int(t, "tracks/person", 7);
	expect_int(t, "tracks/vehicle", 3);
	expect_int(t, "lines/door/forward/total", 5);
	expect_int(t, "lines/door/forward/person", 4);
	expect_int(t, "lines/door/forward/vehicle", 1);
	expect_int(t, "lines/door/backward/total", 2);
	expect_int(t, "lines/door/backward/person", 2);
	expect_int(t, "lines/door/backward/vehicle", 0);
	expect_int(t, "lines/gate/forward/total", 4);
	expect_int(t, "lines/gate/forward/vehicle", 4);
	expect_missing(t, "lines/gate/forward/person"); /* not a class of the gate */
	expect_int(t, "lines/gate/backward/total", 5);
	expect_int(t, "lines/gate/backward/vehicle", 5);
	expect_int(t, "zones/hall/entries/total", 3);
	expect_int(t, "zones/hall/entries/person", 2);
	expect_int(t, "zones/hall/entries/vehicle", 1);
	expect_real(t, "zones/hall/dwell_seconds/total", 8.75);
	expect_real(t, "zones/hall/dwell_seconds/person", 6.5);
	expect_real(t, "zones/hall/dwell_seconds/vehicle", 2.25);
	expect_int(t, "zones/hall/intrusions", 0);
	expect_int(t, "zones/vault/entries/total", 2);
	expect_int(t, "zones/vault/entries/person", 2);
	expect_real(t, "zones/vault/dwell_seconds/total", 14.0);
	expect_int(t, "zones/vault/intrusions", 2);
}

static void test_totals_utc_hours(void **state)
{
	struct fixture x;
	json_t *t, *h;

	(void)state;
	build(&x, START);
	t = ob_analytics_totals(&x.r);
	assert_non_null(t);
	expect_by_name(t);
	h = json_object_get(t, "hours");
	/* 21:00 on the 21st came first (a crossing), 06:00 later (visits): sorted */
	expect_keys(h, "2019-12-20T20:00Z 2019-12-20T21:00Z 2019-12-20T22:00Z 2019-12-20T23:00Z "
		       "2019-12-21T06:00Z 2019-12-21T07:00Z");
	expect_int(h, "2019-12-20T20:00Z/lines/door/forward/total", 2); /* pts 30 and 50 */
	expect_int(h, "2019-12-20T20:00Z/lines/door/forward/person", 1);
	expect_int(h, "2019-12-20T20:00Z/lines/door/forward/vehicle", 1);
	expect_int(h, "2019-12-20T20:00Z/lines/door/backward/person", 1); /* pts 59: 20:59:59 */
	expect_missing(h, "2019-12-20T20:00Z/lines/gate");
	expect_int(h, "2019-12-20T20:00Z/zones/hall/entries/person", 1);
	expect_missing(h, "2019-12-20T20:00Z/zones/vault");
	expect_int(h, "2019-12-20T21:00Z/lines/door/forward/total", 1); /* pts 90 */
	expect_int(h, "2019-12-20T21:00Z/lines/door/backward/total", 1);
	expect_int(h, "2019-12-20T21:00Z/lines/gate/forward/vehicle", 2);
	expect_int(h, "2019-12-20T21:00Z/lines/gate/backward/vehicle", 1);
	expect_int(h, "2019-12-20T21:00Z/zones/hall/entries/vehicle", 1);
	expect_int(h, "2019-12-20T21:00Z/zones/vault/entries/total", 1);
	expect_int(h, "2019-12-20T21:00Z/zones/vault/intrusions", 1);
	expect_int(h, "2019-12-20T22:00Z/lines/door/forward/person", 1);
	expect_int(h, "2019-12-20T22:00Z/lines/gate/forward/total", 1);
	expect_int(h, "2019-12-20T22:00Z/lines/gate/backward/total", 2);
	expect_int(h, "2019-12-20T23:00Z/lines/gate/forward/total", 1);
	expect_int(h, "2019-12-20T23:00Z/lines/gate/backward/total", 2);
	expect_missing(h, "2019-12-20T23:00Z/lines/door");
	expect_int(h, "2019-12-21T06:00Z/zones/hall/entries/person", 1);
	expect_int(h, "2019-12-21T06:00Z/zones/vault/intrusions", 1);
	expect_int(h, "2019-12-21T07:00Z/lines/door/forward/total", 1);
	json_decref(t);
}

static void test_totals_relative_hours(void **state)
{
	struct fixture x;
	json_t *t, *h;

	(void)state;
	build(&x, NAN);
	t = ob_analytics_totals(&x.r);
	assert_non_null(t);
	expect_by_name(t);
	h = json_object_get(t, "hours");
	/* "+10h" (a crossing) was made before "+9h" (visits); "+9h" sorts first */
	expect_keys(h, "+0h +1h +2h +9h +10h");
	expect_int(h, "+0h/lines/door/forward/total", 3);
	expect_int(h, "+0h/lines/door/forward/person", 2);
	expect_int(h, "+0h/lines/door/backward/total", 2);
	expect_int(h, "+0h/lines/gate/forward/total", 2);
	expect_int(h, "+0h/lines/gate/backward/total", 1);
	expect_int(h, "+0h/zones/hall/entries/total", 2);
	expect_int(h, "+0h/zones/vault/intrusions", 1);
	expect_int(h, "+1h/lines/door/forward/total", 1);
	expect_int(h, "+1h/lines/gate/backward/total", 2);
	expect_int(h, "+2h/lines/gate/forward/total", 1);
	expect_int(h, "+2h/lines/gate/backward/total", 2);
	expect_int(h, "+9h/zones/hall/entries/person", 1);
	expect_int(h, "+9h/zones/vault/entries/person", 1);
	expect_int(h, "+9h/zones/vault/intrusions", 1);
	expect_missing(h, "+9h/lines");
	expect_int(h, "+10h/lines/door/forward/person", 1);
	json_decref(t);
}

/* Sum over every hour of lines/NAME/DIR/total. */
static json_int_t hours_sum(json_t *t, const char *name, const char *dir)
{
	json_int_t sum = 0;
	const char *k;
	json_t *h;

	json_object_foreach(json_object_get(t, "hours"), k, h) {
		json_t *v = json_object_get(json_object_get(json_object_get(json_object_get(h, "lines"), name), dir),
					    "total");

		sum += json_integer_value(v);
	}
	return sum;
}

static void test_totals_add(void **state)
{
	struct fixture x, y;
	json_t *t1, *t2, *acc = json_object();
	const char *name;
	json_t *l;

	(void)state;
	build(&x, START);
	build(&y, NAN);
	snprintf(y.lines[1].name, sizeof(y.lines[1].name), "exit"); /* the second input has no gate */
	t1 = ob_analytics_totals(&x.r);
	t2 = ob_analytics_totals(&y.r);
	assert_true(acc && t1 && t2);
	assert_int_equal(ob_analytics_totals_add(acc, t1), 0);
	assert_true(json_equal(acc, t1)); /* into an empty one: a copy */
	assert_int_equal(ob_analytics_totals_add(acc, t2), 0);
	assert_int_equal(ob_analytics_totals_sort(acc), 0);
	expect_int(acc, "inputs", 2);
	expect_int(acc, "tracks/person", 14);
	expect_int(acc, "tracks/vehicle", 6);
	expect_int(acc, "lines/door/forward/total", 10);
	expect_int(acc, "lines/door/forward/person", 8);
	expect_int(acc, "lines/door/backward/person", 4);
	expect_int(acc, "lines/gate/forward/total", 4); /* first input only */
	expect_int(acc, "lines/gate/backward/vehicle", 5);
	expect_int(acc, "lines/exit/forward/total", 4); /* second input only */
	expect_int(acc, "lines/exit/backward/vehicle", 5);
	expect_int(acc, "zones/hall/entries/total", 6);
	expect_real(acc, "zones/hall/dwell_seconds/total", 17.5);
	expect_real(acc, "zones/hall/dwell_seconds/person", 13.0);
	expect_real(acc, "zones/vault/dwell_seconds/total", 28.0);
	expect_int(acc, "zones/vault/intrusions", 4);
	/* every hour of both, relative ones (shorter) first */
	expect_keys(json_object_get(acc, "hours"), "+0h +1h +2h +9h +10h 2019-12-20T20:00Z 2019-12-20T21:00Z "
						   "2019-12-20T22:00Z 2019-12-20T23:00Z 2019-12-21T06:00Z "
						   "2019-12-21T07:00Z");
	expect_int(acc, "hours/+0h/lines/exit/forward/total", 2);
	expect_missing(acc, "hours/+0h/lines/gate");
	expect_int(acc, "hours/2019-12-20T21:00Z/lines/gate/forward/total", 2);
	expect_int(acc, "hours/+9h/zones/vault/intrusions", 1);
	/* the hours add up to the lines */
	json_object_foreach(json_object_get(acc, "lines"), name, l) {
		assert_int_equal(hours_sum(acc, name, "forward"), json_integer_value(at(l, "forward/total")));
		assert_int_equal(hours_sum(acc, name, "backward"), json_integer_value(at(l, "backward/total")));
	}
	assert_int_equal(hours_sum(acc, "door", "forward") + hours_sum(acc, "door", "backward"), 14);
	/* the inputs are left alone */
	expect_int(t1, "inputs", 1);
	expect_int(t2, "lines/door/forward/total", 5);
	json_decref(t1);
	json_decref(t2);
	json_decref(acc);
}

static void test_json(void **state)
{
	struct fixture x;
	json_t *j, *t, *line, *zone, *e;

	(void)state;
	build(&x, START);
	j = ob_analytics_json(&x.r);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "start_time")), "2019-12-20T20:59:00Z");
	expect_int(j, "frames", 300000);
	expect_real(j, "duration", 37500);
	expect_int(j, "tracks/person", 7);
	expect_int(j, "unconfirmed/person", 1);
	expect_int(j, "unconfirmed/vehicle", 0);
	expect_real(j, "occupancy/person/mean", 1.5);
	expect_int(j, "occupancy/vehicle/max", 1);
	line = json_array_get(json_object_get(j, "lines"), 1);
	assert_string_equal(json_string_value(json_object_get(line, "name")), "gate");
	assert_int_equal(json_array_size(json_object_get(line, "classes")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(line, "classes"), 0)), "vehicle");
	expect_int(line, "backward/total", 5);
	expect_missing(line, "backward/person");
	expect_int(json_array_get(json_object_get(j, "lines"), 0), "forward/person", 4);
	zone = json_array_get(json_object_get(j, "zones"), 1);
	assert_string_equal(json_string_value(json_object_get(zone, "name")), "vault");
	assert_string_equal(json_string_value(json_object_get(zone, "kind")), "restricted");
	expect_int(zone, "intrusions", 2);
	expect_int(zone, "visits/person/count", 2);
	expect_real(zone, "visits/person/dwell_p90", 10.0);
	expect_missing(zone, "visits/vehicle");
	expect_real(zone, "occupancy/person/mean", 0.5);
	expect_int(json_array_get(json_object_get(j, "zones"), 0), "intrusions", 0);
	assert_int_equal(json_array_size(json_object_get(j, "intrusions")), 2);
	e = json_array_get(json_object_get(j, "intrusions"), 1);
	assert_string_equal(json_string_value(json_object_get(e, "zone")), "vault");
	expect_int(e, "track", 104);
	expect_int(e, "frame", 260800);
	expect_real(e, "time", 32600);
	expect_int(j, "intrusions_total", 2);
	t = ob_analytics_totals(&x.r);
	assert_true(json_equal(json_object_get(j, "totals"), t));
	json_decref(t);
	json_decref(j);

	/* unknown start: null, and hours from the start */
	build(&x, NAN);
	j = ob_analytics_json(&x.r);
	assert_non_null(j);
	assert_true(json_is_null(json_object_get(j, "start_time")));
	assert_non_null(at(j, "totals/hours/+10h"));
	json_decref(j);

	/* BIG intrusions: the first OB_ANALYTICS_JSON_MAX_EVENTS listed, all counted */
	build(&x, START);
	for (size_t i = 0; i < BIG; i++)
		x.intrusions[i] = (struct ob_analytics_intrusion){ .frame = (int64_t)i * 8, .pts = (double)i,
								   .track = 1000 + i, .zone = 1, .cls = P };
	x.r.n_intrusions = BIG;
	j = ob_analytics_json(&x.r);
	assert_non_null(j);
	assert_int_equal(json_array_size(json_object_get(j, "intrusions")), OB_ANALYTICS_JSON_MAX_EVENTS);
	e = json_array_get(json_object_get(j, "intrusions"), OB_ANALYTICS_JSON_MAX_EVENTS - 1);
	expect_int(e, "track", 1000 + OB_ANALYTICS_JSON_MAX_EVENTS - 1);
	expect_int(j, "intrusions_total", BIG);
	expect_int(json_array_get(json_object_get(j, "zones"), 1), "intrusions", BIG);
	expect_int(j, "totals/zones/vault/intrusions", BIG);
	json_decref(j);
}

/* The line of text starting with prefix, newline included; fails if none. */
static const char *line_of(const char *text, const char *prefix, char *buf, size_t size)
{
	const char *p = strstr(text, prefix);
	size_t n;

	if (!p)
		fail_msg("no line \"%s\" in:\n%s", prefix, text);
	n = strcspn(p, "\n") + 1;
	assert_true(n < size);
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

static void test_print(void **state)
{
	struct fixture x;
	char *text = NULL, want[256], got[512];
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	(void)state;
	assert_non_null(out);
	build(&x, START);
	ob_analytics_print(out, &x.r);
	assert_int_equal(fclose(out), 0);
	assert_non_null(strstr(text, "Analytics over 10 h 25 min (300000 frames at 8 fps), "
				     "recorded from 2019-12-20T20:59:00Z\n"));
	assert_non_null(strstr(text, "person 7  vehicle 3\n"));
	/* name, direction, person, vehicle, total; "-" for a class the line does not count */
	snprintf(want, sizeof(want), "  %-21s %-9s %9d %9d %9d\n", "door", "forward", 4, 1, 5);
	assert_string_equal(line_of(text, "  door ", got, sizeof(got)), want);
	snprintf(want, sizeof(want), "  %-21s %-9s %9d %9d %9d\n", "", "backward", 2, 0, 2);
	assert_non_null(strstr(text, want));
	snprintf(want, sizeof(want), "  %-21s %-9s %9s %9d %9d\n", "gate", "forward", "-", 4, 4);
	assert_string_equal(line_of(text, "  gate ", got, sizeof(got)), want);
	snprintf(want, sizeof(want), "  %-21s %-9s %9s %9d %9d\n", "", "backward", "-", 5, 5);
	assert_non_null(strstr(text, want));
	/* the restricted zone shows its intrusions, the analytics zone "-" */
	line_of(text, "  vault ", got, sizeof(got));
	assert_non_null(strstr(got, " restricted "));
	assert_non_null(strstr(got, " person "));
	assert_non_null(strstr(got, " 7.0/7.0/10.0/10.0 "));
	assert_int_equal(strlen(got) >= 3, 1);
	assert_string_equal(got + strlen(got) - 3, " 2\n");
	line_of(text, "  hall ", got, sizeof(got));
	assert_non_null(strstr(got, " analytics "));
	assert_string_equal(got + strlen(got) - 3, " -\n");
	assert_non_null(strstr(text, "\nIntrusions (2)"));
	snprintf(want, sizeof(want), "  %-21s %10s %8s %8s %s\n", "vault", "32600.00", "260800", "104", "person");
	assert_non_null(strstr(text, want));
	free(text);

	/* no start time, no lines, no zones */
	build(&x, NAN);
	x.r.n_lines = x.r.n_zones = x.r.n_crossings = x.r.n_visits = x.r.n_intrusions = 0;
	x.r.n_areas = 1;
	x.r.duration = 90;
	text = NULL;
	out = open_memstream(&text, &len);
	assert_non_null(out);
	ob_analytics_print(out, &x.r);
	assert_int_equal(fclose(out), 0);
	assert_non_null(strstr(text, "Analytics over 1 min 30 s (300000 frames at 8 fps)\n"));
	assert_non_null(strstr(text, "Lines: none in the recipe\n"));
	assert_non_null(strstr(text, "Zones: none in the recipe\n"));
	assert_null(strstr(text, "Intrusions"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_totals_utc_hours),
		cmocka_unit_test(test_totals_relative_hours),
		cmocka_unit_test(test_totals_add),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_print),
	};
	return cmocka_run_group_tests_name("analytics_report", tests, NULL, NULL);
}

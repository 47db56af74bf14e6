/* SPDX-License-Identifier: MIT */
/* analytics_report.c - the analytics as JSON, as batch totals and as a table. */
#include "obscura/analytics_report.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "obscura/class.h"
#include "obscura/banned.h"

/* Sets o[k] = v (stolen); false if v is NULL or the set failed. */
static bool put(json_t *o, const char *k, json_t *v)
{
	return v && !json_object_set_new(o, k, v);
}

static bool add(json_t *arr, json_t *v)
{
	return v && !json_array_append_new(arr, v);
}

/* v if everything put into it went in, else NULL and v dropped: every JSON
 * value here is built with one ok flag and handed on whole or not at all. */
static json_t *kept(json_t *v, bool ok)
{
	if (ok)
		return v;
	json_decref(v);
	return NULL;
}

/* [item(r, 0), ..., item(r, n - 1)], NULL if any item is: the lines and the
 * zones are both one object each, in order. */
static json_t *array_of(const struct ob_analytics_result *r, size_t n,
			json_t *(*item)(const struct ob_analytics_result *r, size_t i))
{
	json_t *arr = json_array();
	bool ok = arr != NULL;

	for (size_t i = 0; i < n && ok; i++)
		ok = add(arr, item(r, i));
	return kept(arr, ok);
}

static json_t *class_list(const struct ob_analytics_result *r, unsigned mask)
{
	json_t *l = json_array();
	bool ok = l != NULL;

	for (size_t c = 0; c < r->n_classes && ok; c++)
		if (mask & OB_CLASS_BIT(r->classes[c]))
			ok = add(l, json_string(ob_class_name(r->classes[c])));
	return kept(l, ok);
}

/* {CLASS: {"mean", "max"}} for area k. */
static json_t *occupancy(const struct ob_analytics_result *r, size_t area, unsigned mask)
{
	json_t *o = json_object();
	bool ok = o != NULL;

	for (size_t c = 0; c < r->n_classes && ok; c++) {
		size_t k = area * r->n_classes + c;

		if (mask & OB_CLASS_BIT(r->classes[c]))
			ok = put(o, ob_class_name(r->classes[c]),
				 json_pack("{s:f, s:I}", "mean", r->area_mean[k], "max", (json_int_t)r->area_max[k]));
	}
	return kept(o, ok);
}

/* {"name", "classes", "forward": {CLASS: n, "total"}, "backward": {..}} of line i. */
static json_t *json_line(const struct ob_analytics_result *r, size_t i)
{
	const struct ob_analytics_line *l = &r->lines[i];
	json_t *o = json_pack("{s:s}", "name", l->name);
	bool ok = o && put(o, "classes", class_list(r, l->classes));

	for (int dir = 0; dir < 2 && ok; dir++) {
		json_t *d = json_object();
		int64_t total = 0;

		ok = d != NULL;
		for (size_t c = 0; c < r->n_classes && ok; c++) {
			int64_t n = r->line_counts[(i * 2 + (size_t)dir) * r->n_classes + c];

			total += n;
			if (l->classes & OB_CLASS_BIT(r->classes[c]))
				ok = put(d, ob_class_name(r->classes[c]), json_integer(n));
		}
		ok = ok && put(d, "total", json_integer(total));
		ok = put(o, dir == OB_CROSS_FORWARD ? "forward" : "backward", kept(d, ok));
	}
	return kept(o, ok);
}

/* {"name", "kind", "classes", "visits", "occupancy", "intrusions"} of zone z. */
static json_t *json_zone(const struct ob_analytics_result *r, size_t z)
{
	const struct ob_analytics_zone *zn = &r->zones[z];
	json_t *o = json_pack("{s:s, s:s}", "name", zn->name, "kind",
			      zn->kind == OB_AREA_RESTRICTED ? "restricted" : "analytics");
	json_t *v = json_object();
	int64_t intr = 0;
	bool ok = o && v && put(o, "classes", class_list(r, zn->classes));

	for (size_t c = 0; c < r->n_classes && ok; c++) {
		const struct ob_analytics_dwell *d = &r->dwell[z * r->n_classes + c];

		if (zn->classes & OB_CLASS_BIT(r->classes[c]))
			ok = put(v, ob_class_name(r->classes[c]),
				 json_pack("{s:I, s:I, s:f, s:f, s:f, s:f}", "count", (json_int_t)d->count,
					   "tracks", (json_int_t)d->tracks, "dwell_mean", d->mean,
					   "dwell_median", d->median, "dwell_p90", d->p90, "dwell_max", d->max));
	}
	if (ok) {
		ok = put(o, "visits", v);
		v = NULL;
	}
	for (size_t i = 0; i < r->n_intrusions; i++)
		intr += r->intrusions[i].zone == z;
	ok = ok && put(o, "occupancy", occupancy(r, 1 + z, zn->classes)) &&
	     put(o, "intrusions", json_integer(intr));
	json_decref(v);
	return kept(o, ok);
}

/* Seconds from 1970 beyond which a time is not converted to a time_t: NaN (an
 * unknown start) or a huge value would make the conversion undefined. */
#define TIME_LIMIT 1e15

json_t *ob_analytics_iso_time(double t)
{
	time_t s;
	struct tm tm;
	char buf[32];

	if (!(fabs(t) < TIME_LIMIT))
		return json_null();
	s = (time_t)floor(t);
	if (!gmtime_r(&s, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return json_null();
	return json_string(buf);
}

json_t *ob_analytics_json(const struct ob_analytics_result *r)
{
	json_t *o = json_pack("{s:I, s:f, s:f, s:f, s:o}", "frames", (json_int_t)r->frames, "duration",
			      r->duration, "fps", r->fps, "bin", r->bin, "start_time", ob_analytics_iso_time(r->start_time));
	json_t *tracks = json_object(), *unconf = json_object(), *intr = json_array();
	unsigned all = 0;
	bool ok = o && tracks && unconf && intr;

	for (size_t c = 0; c < r->n_classes && ok; c++) {
		const char *name = ob_class_name(r->classes[c]);

		all |= OB_CLASS_BIT(r->classes[c]);
		ok = put(tracks, name, json_integer(r->tracks[c])) && put(unconf, name, json_integer(r->unconfirmed[c]));
	}
	for (size_t i = 0; i < r->n_intrusions && i < OB_ANALYTICS_JSON_MAX_EVENTS && ok; i++) {
		const struct ob_analytics_intrusion *e = &r->intrusions[i];

		ok = add(intr, json_pack("{s:s, s:I, s:s, s:I, s:f}", "zone", r->zones[e->zone].name, "track",
					 (json_int_t)e->track, "class", ob_class_name(e->cls), "frame",
					 (json_int_t)e->frame, "time", e->pts));
	}
	if (ok) {
		/* each put takes its value, set or not */
		ok = put(o, "tracks", tracks);
		ok = put(o, "unconfirmed", unconf) && ok;
		ok = put(o, "intrusions", intr) && ok;
		tracks = unconf = intr = NULL;
		ok = ok && put(o, "occupancy", occupancy(r, 0, all)) &&
		     put(o, "lines", array_of(r, r->n_lines, json_line)) &&
		     put(o, "zones", array_of(r, r->n_zones, json_zone)) &&
		     put(o, "intrusions_total", json_integer((json_int_t)r->n_intrusions)) &&
		     put(o, "totals", ob_analytics_totals(r));
	}
	json_decref(tracks);
	json_decref(unconf);
	json_decref(intr);
	return kept(o, ok);
}

/* --- totals --- */

/* o[k], an object, made if missing; NULL out of memory. */
static json_t *child(json_t *o, const char *k)
{
	json_t *c = o ? json_object_get(o, k) : NULL;

	if (c)
		return c;
	c = json_object();
	if (!c || json_object_set_new(o, k, c))
		return NULL;
	return c;
}

/* o[k] += n (an integer, 0 if missing); false out of memory. */
static bool bump(json_t *o, const char *k, json_int_t n)
{
	json_t *v = o ? json_object_get(o, k) : NULL;

	if (!o)
		return false;
	return !json_object_set_new(o, k, json_integer((v ? json_integer_value(v) : 0) + n));
}

/* o[k] += x (a real); false out of memory. */
static bool bump_real(json_t *o, const char *k, double x)
{
	json_t *v = o ? json_object_get(o, k) : NULL;

	if (!o)
		return false;
	return !json_object_set_new(o, k, json_real((v ? json_number_value(v) : 0) + x));
}

/* o["total"] and o[CLASS] += n. */
static bool bump_class(json_t *o, uint8_t cls, json_int_t n)
{
	return bump(o, "total", n) && bump(o, ob_class_name((enum ob_class)cls), n);
}

/* The key of the hour pts falls in (see analytics_report.h). */
static void hour_key(const struct ob_analytics_result *r, double pts, char *buf, size_t size)
{
	if (fabs(r->start_time + pts) < TIME_LIMIT) {
		time_t h = (time_t)(floor((r->start_time + pts) / 3600) * 3600);
		struct tm tm;

		if (gmtime_r(&h, &tm) && strftime(buf, size, "%Y-%m-%dT%H:00Z", &tm))
			return;
	}
	snprintf(buf, size, "+%lldh", (long long)floor((pts > 0 ? pts : 0) / 3600));
}

/* totals["hours"][HOUR][what][name] */
static json_t *hour_of(json_t *totals, const struct ob_analytics_result *r, double pts, const char *what,
		       const char *name)
{
	char key[40];

	hour_key(r, pts, key, sizeof(key));
	return child(child(child(child(totals, "hours"), key), what), name);
}

static bool totals_lines(json_t *t, const struct ob_analytics_result *r)
{
	json_t *lines = child(t, "lines");
	bool ok = lines != NULL;

	for (size_t i = 0; i < r->n_lines && ok; i++) {
		json_t *l = child(lines, r->lines[i].name);

		for (int dir = 0; dir < 2 && ok; dir++) {
			json_t *d = child(l, dir == OB_CROSS_FORWARD ? "forward" : "backward");

			ok = bump(d, "total", 0);
			for (size_t c = 0; c < r->n_classes && ok; c++)
				if (r->lines[i].classes & OB_CLASS_BIT(r->classes[c]))
					ok = bump_class(d, r->classes[c],
							r->line_counts[(i * 2 + (size_t)dir) * r->n_classes + c]);
		}
	}
	for (size_t i = 0; i < r->n_crossings && ok; i++) {
		const struct ob_analytics_crossing *e = &r->crossings[i];
		json_t *l = hour_of(t, r, e->pts, "lines", r->lines[e->line].name);

		ok = bump_class(child(l, e->dir == OB_CROSS_FORWARD ? "forward" : "backward"), e->cls, 1);
	}
	return ok;
}

static bool totals_zones(json_t *t, const struct ob_analytics_result *r)
{
	json_t *zones = child(t, "zones");
	bool ok = zones != NULL;

	for (size_t z = 0; z < r->n_zones && ok; z++) {
		json_t *zn = child(zones, r->zones[z].name);

		ok = bump(child(zn, "entries"), "total", 0) && bump_real(child(zn, "dwell_seconds"), "total", 0) &&
		     bump(zn, "intrusions", 0);
	}
	for (size_t i = 0; i < r->n_visits && ok; i++) {
		const struct ob_analytics_visit *v = &r->visits[i];
		json_t *zn = child(zones, r->zones[v->zone].name), *ds = child(zn, "dwell_seconds");

		ok = bump_class(child(zn, "entries"), v->cls, 1) && bump_real(ds, "total", v->dwell) &&
		     bump_real(ds, ob_class_name((enum ob_class)v->cls), v->dwell) &&
		     bump_class(child(hour_of(t, r, v->entry_pts, "zones", r->zones[v->zone].name), "entries"),
				v->cls, 1);
	}
	for (size_t i = 0; i < r->n_intrusions && ok; i++) {
		const struct ob_analytics_intrusion *e = &r->intrusions[i];

		ok = bump(child(zones, r->zones[e->zone].name), "intrusions", 1) &&
		     bump(hour_of(t, r, e->pts, "zones", r->zones[e->zone].name), "intrusions", 1);
	}
	return ok;
}

json_t *ob_analytics_totals(const struct ob_analytics_result *r)
{
	json_t *t = json_pack("{s:i}", "inputs", 1), *tracks = child(t, "tracks");
	bool ok = tracks && child(t, "hours");

	for (size_t c = 0; c < r->n_classes && ok; c++)
		ok = bump(tracks, ob_class_name(r->classes[c]), r->tracks[c]);
	ok = ok && totals_lines(t, r) && totals_zones(t, r) && !ob_analytics_totals_sort(t);
	return kept(t, ok);
}

int ob_analytics_totals_add(json_t *acc, const json_t *totals)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)totals, k, v) {
		bool ok = true;

		if (json_is_object(v)) {
			json_t *c = child(acc, k);

			ok = c && !ob_analytics_totals_add(c, v);
		} else if (json_is_integer(v)) {
			json_t *a = json_object_get(acc, k);

			ok = json_is_real(a) ? bump_real(acc, k, (double)json_integer_value(v))
					     : bump(acc, k, json_integer_value(v));
		} else if (json_is_real(v)) {
			ok = bump_real(acc, k, json_real_value(v));
		}
		if (!ok)
			return -1;
	}
	return 0;
}

/* Shorter first, then in byte order: "+9h" before "+10h"; ISO hours all have one length. */
static int cmp_hour(const void *pa, const void *pb)
{
	const char *a = *(const char *const *)pa, *b = *(const char *const *)pb;
	size_t la = strlen(a), lb = strlen(b);

	return la != lb ? (la < lb ? -1 : 1) : strcmp(a, b);
}

int ob_analytics_totals_sort(json_t *totals)
{
	json_t *hours = json_object_get(totals, "hours"), *sorted;
	size_t n = json_object_size(hours), i = 0;
	const char **keys;
	const char *k;
	json_t *v;
	int ret = 0;

	if (n < 2)
		return 0;
	keys = malloc(n * sizeof(*keys));
	sorted = json_object();
	if (!keys || !sorted) {
		free(keys);
		json_decref(sorted);
		return -1;
	}
	json_object_foreach(hours, k, v)
		keys[i++] = k;
	qsort(keys, n, sizeof(*keys), cmp_hour);
	for (i = 0; i < n && !ret; i++)
		ret = json_object_set(sorted, keys[i], json_object_get(hours, keys[i]));
	if (!ret)
		ret = json_object_set_new(totals, "hours", sorted);
	else
		json_decref(sorted);
	free(keys);
	return ret ? -1 : 0;
}

/* --- the table --- */

/* "1 h 02 min", "3 min 05 s", "12.4 s" */
static const char *span(double s, char *buf, size_t size)
{
	if (s >= 3600)
		snprintf(buf, size, "%d h %02d min", (int)(s / 3600), (int)fmod(s / 60, 60));
	else if (s >= 60)
		snprintf(buf, size, "%d min %02d s", (int)(s / 60), (int)fmod(s, 60));
	else
		snprintf(buf, size, "%.1f s", s);
	return buf;
}

static void print_lines(FILE *out, const struct ob_analytics_result *r)
{
	if (!r->n_lines) {
		fprintf(out, "\nLines: none in the recipe\n");
		return;
	}
	fprintf(out, "\nLine crossings          %-9s", "direction");
	for (size_t c = 0; c < r->n_classes; c++)
		fprintf(out, " %9s", ob_class_name(r->classes[c]));
	fprintf(out, " %9s\n", "total");
	for (size_t i = 0; i < r->n_lines; i++)
		for (int dir = 0; dir < 2; dir++) {
			int64_t total = 0;

			fprintf(out, "  %-21.21s %-9s", dir ? "" : r->lines[i].name, dir ? "backward" : "forward");
			for (size_t c = 0; c < r->n_classes; c++) {
				int64_t n = r->line_counts[(i * 2 + (size_t)dir) * r->n_classes + c];

				total += n;
				if (r->lines[i].classes & OB_CLASS_BIT(r->classes[c]))
					fprintf(out, " %9lld", (long long)n);
				else
					fprintf(out, " %9s", "-");
			}
			fprintf(out, " %9lld\n", (long long)total);
		}
}

static void print_zones(FILE *out, const struct ob_analytics_result *r)
{
	if (!r->n_zones) {
		fprintf(out, "\nZones: none in the recipe\n");
		return;
	}
	fprintf(out, "\nZones                   %-10s %-8s %6s %6s  %-30s %-17s %s\n", "kind", "class", "visits",
		"tracks", "dwell s: mean/median/p90/max", "present: mean/max", "intrusions");
	for (size_t z = 0; z < r->n_zones; z++) {
		const struct ob_analytics_zone *zn = &r->zones[z];
		bool first = true;
		size_t intr = 0;

		for (size_t i = 0; i < r->n_intrusions; i++)
			intr += r->intrusions[i].zone == z;
		for (size_t c = 0; c < r->n_classes; c++) {
			const struct ob_analytics_dwell *d = &r->dwell[z * r->n_classes + c];
			size_t k = (1 + z) * r->n_classes + c;
			char dwell[64], occ[32];

			if (!(zn->classes & OB_CLASS_BIT(r->classes[c])))
				continue;
			snprintf(dwell, sizeof(dwell), "%.1f/%.1f/%.1f/%.1f", d->mean, d->median, d->p90, d->max);
			snprintf(occ, sizeof(occ), "%.2f/%u", r->area_mean[k], r->area_max[k]);
			fprintf(out, "  %-21.21s %-10s %-8s %6lld %6lld  %-30s %-17s", first ? zn->name : "",
				first ? (zn->kind == OB_AREA_RESTRICTED ? "restricted" : "analytics") : "",
				ob_class_name(r->classes[c]), (long long)d->count, (long long)d->tracks, dwell, occ);
			if (first && zn->kind == OB_AREA_RESTRICTED)
				fprintf(out, " %zu", intr);
			else
				fprintf(out, " -");
			fputc('\n', out);
			first = false;
		}
	}
}

static void print_intrusions(FILE *out, const struct ob_analytics_result *r)
{
	if (!r->n_intrusions)
		return;
	fprintf(out, "\nIntrusions (%zu%s)      %10s %8s %8s %s\n", r->n_intrusions,
		r->n_intrusions > OB_ANALYTICS_PRINT_MAX_EVENTS ? ", the first 20" : "", "time s", "frame", "track",
		"class");
	for (size_t i = 0; i < r->n_intrusions && i < OB_ANALYTICS_PRINT_MAX_EVENTS; i++) {
		const struct ob_analytics_intrusion *e = &r->intrusions[i];

		fprintf(out, "  %-21.21s %10.2f %8lld %8llu %s\n", r->zones[e->zone].name, e->pts,
			(long long)e->frame, (unsigned long long)e->track, ob_class_name((enum ob_class)e->cls));
	}
}

void ob_analytics_print(FILE *out, const struct ob_analytics_result *r)
{
	char buf[32];
	json_t *when = ob_analytics_iso_time(r->start_time);

	fprintf(out, "Analytics over %s (%lld frames at %.3g fps)", span(r->duration, buf, sizeof(buf)),
		(long long)r->frames, r->fps);
	if (json_is_string(when))
		fprintf(out, ", recorded from %s", json_string_value(when));
	json_decref(when);
	fprintf(out, "\n  %-21s", "confirmed tracks");
	for (size_t c = 0; c < r->n_classes; c++)
		fprintf(out, "  %s %lld", ob_class_name(r->classes[c]), (long long)r->tracks[c]);
	fprintf(out, "\n  %-21s", "present (mean/max)");
	for (size_t c = 0; c < r->n_classes; c++)
		fprintf(out, "  %s %.2f/%u", ob_class_name(r->classes[c]), r->area_mean[c], r->area_max[c]);
	fputc('\n', out);
	print_lines(out, r);
	print_zones(out, r);
	print_intrusions(out, r);
}

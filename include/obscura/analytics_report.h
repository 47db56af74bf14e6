/* SPDX-License-Identifier: MIT */
/* analytics_report.h - the analytics told: the JSON summary, its totals by
 * line and zone name and by hour (summed across a batch), and the table
 * `obscura inspect` prints.  The numbers are computed by analytics.c; this
 * module only presents them. */
#ifndef OBSCURA_ANALYTICS_REPORT_H
#define OBSCURA_ANALYTICS_REPORT_H

#include <jansson.h>
#include <stdio.h>

#include "obscura/analytics.h"

#define OB_ANALYTICS_JSON_MAX_EVENTS 100 /* intrusions listed in the JSON summary */
#define OB_ANALYTICS_PRINT_MAX_EVENTS 20 /* intrusions listed in the table */

/*
 * The job summary's "analytics" object (a new reference; NULL out of memory):
 *   { "frames", "duration", "fps", "bin", "start_time": ISO 8601 UTC or null,
 *     "tracks": {CLASS: n}, "unconfirmed": {CLASS: n},
 *     "occupancy": {CLASS: {"mean", "max"}},
 *     "lines": [{"name", "classes": [..], "forward": {"total", CLASS: n}, "backward": {..}}],
 *     "zones": [{"name", "kind", "classes": [..], "visits": {CLASS: {"count", "tracks",
 *               "dwell_mean", "dwell_median", "dwell_p90", "dwell_max"}},
 *               "occupancy": {CLASS: {"mean", "max"}}, "intrusions": n}],
 *     "intrusions": [{"zone", "track", "class", "frame", "time"}] (the first
 *               OB_ANALYTICS_JSON_MAX_EVENTS), "intrusions_total": n,
 *     "totals": ob_analytics_totals() }
 * CLASS is ob_class_name() of each analysed class; times in seconds.
 */
json_t *ob_analytics_json(const struct ob_analytics_result *r);

/* ISO 8601 UTC ("2026-12-02T15:00:00Z") of t seconds since 1970, to the
 * second; JSON null for NaN (an unknown start) or a time too far out. */
json_t *ob_analytics_iso_time(double t);

/*
 * What adds up across the inputs of a batch, keyed by name (a new
 * reference; NULL out of memory):
 *   { "inputs": 1, "tracks": {CLASS: n},
 *     "lines": {NAME: {"forward": {"total", CLASS: n}, "backward": {..}}},
 *     "zones": {NAME: {"entries": {"total", CLASS: n}, "dwell_seconds": {"total", CLASS: s},
 *                      "intrusions": n}},
 *     "hours": {HOUR: {"lines": {..as above..}, "zones": {NAME: {"entries": {..}, "intrusions": n}}}} }
 * HOUR is the UTC hour an event happened in, "2019-12-20T20:00Z", when the
 * input says when it was recorded (start_time); otherwise the hour from the
 * input's start, "+0h", "+1h", ...  A crossing counts in the hour of its
 * frame, a visit (entry) and an intrusion in the hour it began.
 */
json_t *ob_analytics_totals(const struct ob_analytics_result *r);

/*
 * Adds the numbers of totals into acc (both objects as made by
 * ob_analytics_totals(), acc possibly empty): every number is summed
 * under the same path, objects are merged.  0, or -1 out of memory.
 */
int ob_analytics_totals_add(json_t *acc, const json_t *totals);

/* Sorts the keys of obj["hours"] (if any) in place, so hours read in order. */
int ob_analytics_totals_sort(json_t *totals);

/* The human table: tracks, lines, zones, occupancy, the first intrusions. */
void ob_analytics_print(FILE *out, const struct ob_analytics_result *r);

#endif

/* SPDX-License-Identifier: MIT */
/* link.c - `obscura link`: the people of several tracks files linked by their
 * clothes descriptors (reid.h), as text or JSON. */
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/analytics_report.h"
#include "obscura/class.h"
#include "obscura/cli.h"
#include "obscura/error.h"
#include "obscura/parse.h"
#include "obscura/reid.h"
#include "obscura/trackfile.h"
#include "obscura/utf8.h"
#include "obscura/banned.h"

/* One identity with a descriptor: when it was seen, of what class. */
struct who {
	double first, last; /* s from the file's start: its tracks' first and last rows */
	unsigned cls;
};

struct file {
	const char *path;
	struct ob_trackfile *f;
	double start;                    /* UTC seconds of the first frame, NAN if not kept */
	struct ob_track_descriptor *d;
	size_t n;
	struct who *who;                 /* [n] */
};

/* The identities' times from /tracks (a fragment's first and last rows). */
static int identity_times(struct file *fl)
{
	const struct ob_track_summary *t;
	size_t nt;
	int ret = ob_trackfile_tracks(fl->f, &t, &nt);

	if (ret)
		return ret;
	if (!(fl->who = malloc((fl->n ? fl->n : 1) * sizeof(*fl->who))))
		return ob_err(OB_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < fl->n; i++)
		fl->who[i] = (struct who){ INFINITY, -INFINITY, OB_CLASS_PERSON };
	for (size_t k = 0; k < nt; k++) {
		size_t lo = 0, hi = fl->n;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (fl->d[mid].identity < t[k].identity)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == fl->n || fl->d[lo].identity != t[k].identity)
			continue;
		fl->who[lo].first = fmin(fl->who[lo].first, t[k].first_pts);
		fl->who[lo].last = fmax(fl->who[lo].last, t[k].last_pts);
		fl->who[lo].cls = t[k].cls;
	}
	for (size_t i = 0; i < fl->n; i++)
		if (!isfinite(fl->who[i].first))
			return ob_err(OB_ERR_INPUT, "%s: /appearance identity %" PRIu64 " has no track", fl->path,
				      fl->d[i].identity);
	return 0;
}

static int open_file(struct file *fl)
{
	int ret = ob_trackfile_open(fl->path, &fl->f);

	if (!ret)
		ret = ob_trackfile_descriptors(fl->f, &fl->d, &fl->n);
	if (!ret)
		ret = identity_times(fl);
	if (!ret)
		fl->start = ob_trackfile_meta(fl->f)->start_time;
	return ret;
}

/* ISO 8601 UTC of the file's start plus s seconds, or JSON null. */
static json_t *utc(const struct file *fl, double s)
{
	return ob_analytics_iso_time(fl->start + s);
}

static json_t *side_json(const struct file *fl, size_t i)
{
	char cb[16];
	const char *cls = ob_class_label(fl->who[i].cls, cb, sizeof(cb));

	return json_pack("{s:o, s:I, s:s, s:f, s:f, s:o, s:o, s:I}", "file", ob_json_bytes(fl->path), "identity",
			 (json_int_t)fl->d[i].identity, "class", cls, "first", fl->who[i].first, "last",
			 fl->who[i].last, "first_utc", utc(fl, fl->who[i].first), "last_utc",
			 utc(fl, fl->who[i].last), "detections", (json_int_t)fl->d[i].count);
}

static void side_text(const struct file *fl, size_t i)
{
	json_t *u = utc(fl, fl->who[i].first);

	printf("%s identity %" PRIu64 " (%.1f-%.1f s", fl->path, fl->d[i].identity, fl->who[i].first,
	       fl->who[i].last);
	if (json_is_string(u))
		printf(", from %s", json_string_value(u));
	printf(")");
	json_decref(u);
}

static int report(const struct file *fl, size_t nf, const struct ob_reid_link *l, size_t nl, double threshold,
		  bool json)
{
	size_t nd = 0;

	for (size_t i = 0; i < nf; i++)
		nd += fl[i].n;
	if (json) {
		json_t *o = json_pack("{s:f, s:i, s:[], s:[]}", "threshold", threshold, "min_detections",
				      OB_REID_MIN_COUNT, "files", "links");
		json_t *files = json_object_get(o, "files"), *links = json_object_get(o, "links");

		if (!o)
			return ob_cli_error(OB_EXIT_INTERNAL, "out of memory");
		for (size_t i = 0; i < nf; i++)
			json_array_append_new(files, json_pack("{s:o, s:I}", "file", ob_json_bytes(fl[i].path),
							       "descriptors", (json_int_t)fl[i].n));
		for (size_t k = 0; k < nl; k++)
			json_array_append_new(links, json_pack("{s:o, s:o, s:f}", "a", side_json(&fl[l[k].a_set], l[k].a),
							       "b", side_json(&fl[l[k].b_set], l[k].b), "distance",
							       l[k].distance));
		ob_cli_print_json(o, JSON_SORT_KEYS);
		json_decref(o);
		return 0;
	}
	printf("%zu link%s among %zu files (%zu descriptors, distance at most %.3g):\n", nl, nl == 1 ? "" : "s", nf,
	       nd, threshold);
	for (size_t k = 0; k < nl; k++) {
		printf("  ");
		side_text(&fl[l[k].a_set], l[k].a);
		printf(" ~ ");
		side_text(&fl[l[k].b_set], l[k].b);
		printf(": distance %.3f\n", l[k].distance);
	}
	return 0;
}

int cmd_link(int argc, char **argv)
{
	struct ob_cli_parser opts;
	const struct ob_command *cmd;
	double threshold = OB_REID_THRESHOLD;
	bool json = false;
	struct file *fl = NULL;
	struct ob_reid_set *sets = NULL;
	struct ob_reid_link *links = NULL;
	size_t nf = 0, nl = 0;
	int c, ret = 0;

	ob_cli_parser_init(&opts, "link");
	cmd = opts.cmd;
	while ((c = ob_cli_next(&opts, argc, argv, &ret)) != OB_CLI_DONE) {
		switch (c) {
		case OB_CLI_RETURN:
			return ret;
		case OB_OPT_JSON: json = true; break;
		case OB_OPT_THRESHOLD:
			if (!ob_parse_double(optarg, 1e-6, 1, &threshold))
				return ob_cli_usage_error(cmd, "--threshold: '%s' is not a distance in (0, 1]", optarg);
			break;
		}
	}
	nf = (size_t)(argc - optind);
	if (nf < 2)
		return ob_cli_usage_error(cmd, "give at least two tracks files");
	if (nf > OB_REID_MAX_FILES)
		return ob_cli_usage_error(cmd, "%zu tracks files (at most %d)", nf, OB_REID_MAX_FILES);
	fl = calloc(nf, sizeof(*fl));
	sets = calloc(nf, sizeof(*sets));
	if (!fl || !sets) {
		ret = ob_cli_error(OB_EXIT_INTERNAL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nf && !ret; i++) {
		fl[i].path = argv[optind + (int)i];
		if ((ret = open_file(&fl[i])))
			ret = ob_cli_fail(ret == OB_ERR_NOMEM ? OB_EXIT_INTERNAL : OB_EXIT_UNREADABLE);
		sets[i] = (struct ob_reid_set){ fl[i].d, fl[i].n };
	}
	for (size_t i = 0; i < nf && !ret; i++)
		for (size_t j = 0; j < i && !ret; j++)
			if (!strcmp(ob_trackfile_meta(fl[i].f)->job_id, ob_trackfile_meta(fl[j].f)->job_id))
				ret = ob_cli_usage_error(cmd, "%s and %s are the same job's tracks file", fl[j].path,
							 fl[i].path);
	if (ret)
		goto out;
	if ((ret = ob_reid_link(sets, nf, threshold, &links, &nl))) {
		ret = ob_cli_fail(ret == OB_ERR_LIMIT ? OB_EXIT_UNREADABLE : OB_EXIT_INTERNAL);
		goto out;
	}
	ret = ob_cli_finish_stdout(report(fl, nf, links, nl, threshold, json));
out:
	for (size_t i = 0; fl && i < nf; i++) {
		ob_trackfile_close(&fl[i].f);
		free(fl[i].d);
		free(fl[i].who);
	}
	free(fl);
	free(sets);
	free(links);
	return ret;
}

/* SPDX-License-Identifier: MIT */
/* inspect.c - `obscura inspect`: what a tracks.h5 holds, as text or JSON; MOTChallenge CSV export. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "obscura/analytics.h"
#include "obscura/analytics_file.h"
#include "obscura/analytics_report.h"
#include "obscura/class.h"
#include "obscura/cli.h"
#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/hash.h"
#include "obscura/plot.h"
#include "obscura/recipe.h"
#include "obscura/runner.h"
#include "obscura/trackfile.h"
#include "obscura/utf8.h"
#include "obscura/banned.h"

#define NCLASS 256 /* every value a class byte can hold: a newer file may have more classes */

struct class_count {
	int64_t tracks, confirmed, rows, observed, hidden;
};

/* The MOT export in progress. */
struct mot {
	const char *path;
	enum ob_class cls;
	char tmp[OB_PATH_MAX];
	FILE *fp;
	int64_t rows, tracks;
};

static int mot_open(struct mot *m)
{
	int fd, ret = ob_atomic_tmpname(m->path, m->tmp, sizeof(m->tmp));

	if (ret)
		return OB_ERR_OUTPUT; /* the message names the path */
	fd = open(m->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		ret = ob_err(OB_ERR_OUTPUT, "%s: %s", m->path, strerror(errno));
		m->tmp[0] = '\0';
		return ret;
	}
	m->fp = fdopen(fd, "w");
	if (!m->fp) {
		close(fd);
		return ob_err(OB_ERR_OUTPUT, "%s: %s", m->path, strerror(errno));
	}
	return 0;
}

/* Closes and renames the CSV into place. */
static int mot_commit(struct mot *m)
{
	int bad = fflush(m->fp) != 0 || ferror(m->fp), e = errno;

	if (fclose(m->fp) != 0 && !bad) {
		bad = 1;
		e = errno;
	}
	m->fp = NULL;
	if (bad)
		return ob_err(OB_ERR_OUTPUT, "%s: %s", m->path, strerror(e));
	if (ob_atomic_commit(m->tmp, m->path))
		return OB_ERR_OUTPUT;
	m->tmp[0] = '\0';
	return 0;
}

static void mot_abort(struct mot *m)
{
	if (m->fp)
		fclose(m->fp);
	m->fp = NULL;
	ob_atomic_abort(m->tmp);
	m->tmp[0] = '\0';
}

/* One pass over /detections in batches: rows, observed rows and hidden boxes
 * per class. */
static int scan_rows(struct ob_trackfile *f, struct class_count *cc)
{
	struct ob_track_row *rows = malloc(OB_TRACKFILE_CHUNK_ROWS * sizeof(*rows));
	int64_t at = 0;
	size_t got;
	int ret = 0;

	if (!rows)
		return ob_err(OB_ERR_NOMEM, "out of memory");
	while (!(ret = ob_trackfile_read_rows(f, at, OB_TRACKFILE_CHUNK_ROWS, rows, &got)) && got) {
		for (size_t i = 0; i < got; i++) {
			cc[rows[i].cls].rows++;
			cc[rows[i].cls].observed += rows[i].kind == OB_ROW_OBSERVED;
			cc[rows[i].cls].hidden += rows[i].hidden;
		}
		at += (int64_t)got;
	}
	free(rows);
	return ret;
}

/*
 * The MOT lines of one frame, from the rows the analyzer counts
 * (ob_analytics_file_replay): one an identity, the gap between two tracks
 * of one identity (a person behind a post) filled, so that the export says
 * the person was there as the counts do.  Extrapolated rows (a track's
 * guess after its last detection) are not exported.
 */
static int mot_frame(void *ctx, const struct ob_track_row *rows, const bool *confirmed, size_t n)
{
	struct mot *m = ctx;

	for (size_t i = 0; i < n; i++) {
		const struct ob_track_row *r = &rows[i];

		if (r->cls != m->cls || r->kind == OB_ROW_EXTRAPOLATED || !confirmed[i])
			continue;
		fprintf(m->fp, "%" PRId64 ",%" PRIu64 ",%.2f,%.2f,%.2f,%.2f,%.4f,-1,-1,-1\n", r->frame + 1, r->track,
			r->x, r->y, r->w, r->h, r->score);
		m->rows++;
	}
	return 0;
}

static json_t *track_json(const struct ob_track_summary *t)
{
	char buf[16];

	return json_pack("{s:I, s:s, s:b, s:b, s:I, s:I, s:f, s:f, s:I, s:I, s:f, s:I}", "id", (json_int_t)t->id,
			 "class", ob_class_label(t->cls, buf, sizeof(buf)), "confirmed", t->confirmed, "hidden", t->hidden,
			 "first_frame", (json_int_t)t->first_frame, "last_frame", (json_int_t)t->last_frame,
			 "first_pts", t->first_pts, "last_pts", t->last_pts, "observed", (json_int_t)t->observed,
			 "rows", (json_int_t)t->rows, "mean_score", t->mean_score, "identity", (json_int_t)t->identity);
}

static json_t *report_json(const char *path, struct ob_trackfile *f, const struct ob_track_summary *t,
			   size_t nt, const struct class_count *cc, bool recipe_ok, const struct mot *m)
{
	const struct ob_trackfile_meta *meta = ob_trackfile_meta(f);
	json_t *models = json_array(), *classes = json_object(), *tracks = json_array(), *root;
	double duration = meta->fps_num > 0 ? (double)meta->frames * meta->fps_den / meta->fps_num : -1;

	for (size_t i = 0; i < meta->n_models; i++)
		json_array_append_new(models, json_pack("{s:s, s:s}", "name", meta->models[i].name, "sha256",
							meta->models[i].sha256));
	for (unsigned c = 0; c < NCLASS; c++) {
		char buf[16];

		if (c < OB_CLASS_COUNT || cc[c].tracks || cc[c].rows)
			json_object_set_new(classes, ob_class_label(c, buf, sizeof(buf)),
					    json_pack("{s:I, s:I, s:I, s:I, s:I}", "tracks", (json_int_t)cc[c].tracks,
						      "confirmed", (json_int_t)cc[c].confirmed, "rows",
						      (json_int_t)cc[c].rows, "observed", (json_int_t)cc[c].observed,
						      "hidden", (json_int_t)cc[c].hidden));
	}
	for (size_t i = 0; i < nt; i++)
		json_array_append_new(tracks, track_json(&t[i]));
	root = json_pack("{s:o, s:s, s:s, s:s, s:{s:s, s:I}, s:{s:i, s:i, s:i, s:i, s:I, s:o}, s:o, s:s, s:b, "
			 "s:I, s:I, s:o, s:o}",
			 "file", ob_json_bytes(path), "format", OB_TRACKFILE_FORMAT, "obscura_version", meta->version, "job_id",
			 meta->job_id, "input", "sha256", meta->input_sha256, "size", (json_int_t)meta->input_size,
			 "video", "width", meta->width, "height", meta->height, "fps_num", meta->fps_num, "fps_den",
			 meta->fps_den, "frames", (json_int_t)meta->frames, "duration",
			 duration >= 0 ? json_real(duration) : json_null(), "models", models, "recipe_sha256",
			 meta->recipe_sha256, "recipe_sha256_ok", recipe_ok, "rows",
			 (json_int_t)ob_trackfile_row_count(f), "frames_listed", (json_int_t)ob_trackfile_frame_count(f),
			 "classes", classes, "tracks", tracks);
	if (root && m)
		json_object_set_new(root, "mot", json_pack("{s:o, s:s, s:I, s:I}", "file", ob_json_bytes(m->path), "class",
							   ob_class_name(m->cls), "rows", (json_int_t)m->rows,
							   "tracks", (json_int_t)m->tracks));
	return root;
}

static void print_human(const char *path, struct ob_trackfile *f, const struct ob_track_summary *t, size_t nt,
			const struct class_count *cc, bool recipe_ok, const struct mot *m)
{
	const struct ob_trackfile_meta *meta = ob_trackfile_meta(f);
	bool any = false;

	printf("%s: Obscura tracks, written by Obscura %s, job %s\n", path, meta->version, meta->job_id);
	printf("input:    sha256 %s, %" PRId64 " bytes\n", meta->input_sha256, meta->input_size);
	printf("video:    %dx%d, ", meta->width, meta->height);
	if (meta->fps_num > 0 && meta->fps_den == 1)
		printf("%d fps, %" PRId64 " frames, %.3f s\n", meta->fps_num, meta->frames,
		       (double)meta->frames / meta->fps_num);
	else if (meta->fps_num > 0)
		printf("%d/%d fps (%.3f), %" PRId64 " frames, %.3f s\n", meta->fps_num, meta->fps_den,
		       (double)meta->fps_num / meta->fps_den, meta->frames,
		       (double)meta->frames * meta->fps_den / meta->fps_num);
	else
		printf("frame rate unknown, %" PRId64 " frames\n", meta->frames);
	if (!meta->n_models)
		printf("models:   none\n");
	for (size_t i = 0; i < meta->n_models; i++)
		printf("%s%s sha256 %s\n", i ? "          " : "models:   ", meta->models[i].name,
		       meta->models[i].sha256);
	printf("recipe:   sha256 %s%s\n", meta->recipe_sha256, recipe_ok ? "" : " (does NOT match the recipe text)");
	printf("rows:     %" PRId64 " on %" PRId64 " frames\n\n", ob_trackfile_row_count(f),
	       ob_trackfile_frame_count(f));

	printf("%-9s %8s %10s %9s %9s\n", "class", "tracks", "confirmed", "observed", "hidden");
	for (unsigned c = 0; c < NCLASS; c++) {
		char buf[16];

		if (!cc[c].tracks && !cc[c].rows)
			continue;
		any = true;
		printf("%-9s %8" PRId64 " %10" PRId64 " %9" PRId64 " %9" PRId64 "\n", ob_class_label(c, buf, sizeof(buf)),
		       cc[c].tracks, cc[c].confirmed, cc[c].observed, cc[c].hidden);
	}
	if (!any)
		printf("(no tracks)\n");
	if (nt)
		printf("\n%6s  %-8s %-9s %-15s %-19s %8s %6s\n", "track", "class", "confirmed", "frames", "time (s)",
		       "observed", "score");
	for (size_t i = 0; i < nt; i++) {
		char buf[16], frames[48], times[64];

		snprintf(frames, sizeof(frames), "%" PRId64 "..%" PRId64, t[i].first_frame, t[i].last_frame);
		snprintf(times, sizeof(times), "%.3f..%.3f", t[i].first_pts, t[i].last_pts);
		printf("%6" PRIu64 "  %-8s %-9s %-15s %-19s %8" PRId64 " %6.3f\n", t[i].id,
		       ob_class_label(t[i].cls, buf, sizeof(buf)), t[i].confirmed ? "yes" : "no", frames, times,
		       t[i].observed, t[i].mean_score);
	}
	if (m)
		printf("\nmot:      %s: %" PRId64 " rows of %" PRId64 " confirmed %s identities\n", m->path, m->rows,
		       m->tracks, ob_class_name(m->cls));
}

/* "DIR/STEM.what.png", STEM being the tracks file's name without ".tracks.h5" (or ".h5"). */
static int plot_path(char *buf, size_t size, const char *dir, const char *tracks, const char *what)
{
	const char *base = ob_path_base(tracks);
	size_t len = strlen(base), cut = len;
	char name[OB_PATH_MAX];

	if (len > strlen("." OB_TRACKS_EXT) && !strcmp(base + len - strlen("." OB_TRACKS_EXT), "." OB_TRACKS_EXT))
		cut = len - strlen("." OB_TRACKS_EXT);
	else if (len > 3 && !strcmp(base + len - 3, ".h5"))
		cut = len - 3;
	if ((size_t)snprintf(name, sizeof(name), "%.*s.%s.png", (int)cut, base, what) >= sizeof(name))
		return ob_err(OB_ERR_OUTPUT, "%s: file name too long", tracks);
	return ob_path_join(buf, size, dir, name);
}

/* Every picture of r into dir; the paths written are appended to list. */
static int draw_plots(const char *dir, const char *tracks, const struct ob_analytics_result *r, json_t *list)
{
	char path[OB_PATH_MAX], what[64];
	int ret = ob_prepare_outdir(dir);

	for (size_t c = 0; c <= r->n_classes + 1 && !ret; c++) {
		if (c < r->n_classes)
			snprintf(what, sizeof(what), "heatmap-%s", ob_class_name(r->classes[c]));
		else
			snprintf(what, sizeof(what), "%s", c == r->n_classes ? "occupancy" : "crossings");
		if ((ret = plot_path(path, sizeof(path), dir, tracks, what)))
			break;
		ret = c < r->n_classes ? ob_plot_heatmap(r, c, path)
		      : c == r->n_classes ? ob_plot_occupancy(r, path) : ob_plot_crossings(r, path);
		if (!ret)
			json_array_append_new(list, ob_json_bytes(path));
	}
	return ret;
}

/* The analytics of the file's tracks, for its own recipe or recipe_path's,
 * and the MOT lines if m is not NULL. */
static int analyse(struct ob_trackfile *f, const char *path, const char *recipe_path, struct mot *m,
		   struct ob_analytics **a)
{
	struct ob_recipe *r = NULL;
	int ret;

	if (recipe_path) {
		if ((ret = ob_recipe_load(recipe_path, &r)))
			return ret;
	} else if (ob_recipe_parse(path, ob_trackfile_meta(f)->recipe_text, &r)) {
		return ob_err(OB_ERR_INPUT, "%s: its recipe does not parse: %s", path, ob_errmsg());
	}
	ret = ob_analytics_file_replay(f, r, m ? mot_frame : NULL, m, a);
	ob_recipe_free(&r);
	return ret;
}

static int exit_for_read(int status)
{
	return status == OB_ERR_NOMEM || status == OB_ERR_INTERNAL ? OB_EXIT_INTERNAL : OB_EXIT_UNREADABLE;
}

/* One inspect command line, and what it reads and writes. */
struct inspect {
	const char *path;               /* the tracks file */
	const char *recipe_path, *plots_dir;
	bool json, force;
	struct ob_trackfile *f;
	const struct ob_track_summary *t;
	size_t nt;
	struct class_count *cc;         /* NCLASS of them */
	struct mot mot;                 /* with --mot: mot.path set */
	struct ob_analytics *analytics;
	json_t *plots;                  /* the pictures written */
};

/* Reads the command line into ic; false (with *exit_code) when the command
 * must end now: --help, or a usage error. */
static bool parse_options(struct inspect *ic, int argc, char **argv, int *exit_code)
{
	struct ob_cli_parser opts;
	const struct ob_command *cmd;
	const char *class_name = NULL;
	int c;

	ob_cli_parser_init(&opts, "inspect");
	cmd = opts.cmd;
	while ((c = ob_cli_next(&opts, argc, argv, exit_code)) != OB_CLI_DONE) {
		switch (c) {
		case OB_CLI_RETURN:
			return false;
		case OB_OPT_JSON: ic->json = true; break;
		case OB_OPT_FORCE: ic->force = true; break;
		case OB_OPT_MOT: ic->mot.path = optarg; break;
		case OB_OPT_CLASS: class_name = optarg; break;
		case 'r': ic->recipe_path = optarg; break;
		case OB_OPT_PLOTS: ic->plots_dir = optarg; break;
		}
	}
	if (optind >= argc)
		*exit_code = ob_cli_usage_error(cmd, "no tracks file given");
	else if (optind + 1 < argc)
		*exit_code = ob_cli_usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
	else if (class_name && !ic->mot.path)
		*exit_code = ob_cli_usage_error(cmd, "--class applies to --mot only");
	else if (class_name && (!ob_class_parse(class_name, &ic->mot.cls) || ic->mot.cls == OB_CLASS_OTHER))
		*exit_code = ob_cli_usage_error(cmd, "unknown class '%s' (face, person, vehicle, text or manual)",
						class_name);
	else if (ic->mot.path && !*ic->mot.path)
		*exit_code = ob_cli_usage_error(cmd, "--mot needs a file name");
	else if (ic->plots_dir && !*ic->plots_dir)
		*exit_code = ob_cli_usage_error(cmd, "--plots needs a directory");
	/* the CSV is renamed over its name: over the tracks file, it would
	 * destroy the input it was made from */
	else if (ic->mot.path && ob_same_file(ic->mot.path, argv[optind]))
		*exit_code = ob_cli_usage_error(cmd, "--mot %s: is the tracks file being read; choose another name",
						ic->mot.path);
	/* as run's outputs: what is there stays unless the user says otherwise */
	else if (ic->mot.path && !ic->force && access(ic->mot.path, F_OK) == 0)
		*exit_code = ob_cli_error(OB_EXIT_OUTPUT, "%s already exists (use --force to replace it)", ic->mot.path);
	else
		ic->path = argv[optind];
	return ic->path != NULL;
}

/* Opens the file and counts its tracks per class (and the confirmed ones
 * --mot exports); with --mot, opens the CSV.  An exit code on failure. */
static int inspect_open(struct inspect *ic)
{
	int ret = ob_trackfile_open_guarded(ic->path, &ic->f);

	if (!ret)
		ret = ob_trackfile_tracks(ic->f, &ic->t, &ic->nt);
	if (ret)
		return ob_cli_fail(exit_for_read(ret));
	ic->cc = calloc(NCLASS, sizeof(*ic->cc));
	if (!ic->cc)
		return ob_cli_error(OB_EXIT_INTERNAL, "out of memory");
	for (size_t i = 0; i < ic->nt; i++) {
		const struct ob_track_summary *t = &ic->t[i];

		ic->cc[t->cls].tracks++;
		ic->cc[t->cls].confirmed += t->confirmed;
		/* identities: a track that is its own identity starts one */
		if (ic->mot.path && t->cls == ic->mot.cls && t->confirmed && t->identity == t->id)
			ic->mot.tracks++;
	}
	if (ic->mot.path && mot_open(&ic->mot))
		return ob_cli_fail(OB_EXIT_OUTPUT);
	return 0;
}

/* One pass over the rows: the per-class counts. */
static int inspect_scan(struct inspect *ic)
{
	int ret = scan_rows(ic->f, ic->cc);

	if (ret)
		return ob_cli_fail(exit_for_read(ret));
	return 0;
}

/* The analytics of the file's rows (its recipe, or -r's), the --mot CSV,
 * committed, and, with --plots, their pictures. */
static int inspect_analytics(struct inspect *ic)
{
	int ret = analyse(ic->f, ic->path, ic->recipe_path, ic->mot.path ? &ic->mot : NULL, &ic->analytics);

	if (ret)
		return ob_cli_fail(ret == OB_ERR_RECIPE ? OB_EXIT_RECIPE : exit_for_read(ret));
	if (ic->mot.path && mot_commit(&ic->mot))
		return ob_cli_fail(OB_EXIT_OUTPUT);
	if (ic->plots_dir && draw_plots(ic->plots_dir, ic->path, ob_analytics_result(ic->analytics), ic->plots)) {
		return ob_cli_fail(OB_EXIT_OUTPUT);
	}
	return 0;
}

/* The report on stdout: one JSON object with --json, else the text tables. */
static int inspect_report(struct inspect *ic)
{
	const struct mot *m = ic->mot.path ? &ic->mot : NULL;
	const struct ob_analytics_result *r = ob_analytics_result(ic->analytics);
	bool recipe_ok = ob_trackfile_recipe_ok(ob_trackfile_meta(ic->f));

	if (ic->json) {
		json_t *root = report_json(ic->path, ic->f, ic->t, ic->nt, ic->cc, recipe_ok, m);

		if (root && (json_object_set_new(root, "analytics", ob_analytics_json(r)) ||
			     (ic->plots_dir && json_object_set(root, "plots", ic->plots)))) {
			json_decref(root);
			root = NULL;
		}
		if (!root)
			return ob_cli_error(OB_EXIT_INTERNAL, "out of memory");
		ob_cli_print_json(root, JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
		json_decref(root);
	} else {
		print_human(ic->path, ic->f, ic->t, ic->nt, ic->cc, recipe_ok, m);
		printf("\n");
		ob_analytics_print(stdout, r);
		for (size_t i = 0; i < json_array_size(ic->plots); i++)
			printf("%s%s\n", i ? "          " : "\nplots:    ",
			       json_string_value(json_array_get(ic->plots, i)));
	}
	return ob_cli_finish_stdout(OB_EXIT_OK);
}

/* Releases what the steps made, however far they got; an unfinished CSV is removed. */
static void inspect_close(struct inspect *ic)
{
	mot_abort(&ic->mot);
	json_decref(ic->plots);
	ob_analytics_free(&ic->analytics);
	free(ic->cc);
	ob_trackfile_close(&ic->f);
}

int cmd_inspect(int argc, char **argv)
{
	struct inspect ic = { .mot = { .cls = OB_CLASS_PERSON } };
	int ret;

	if (!parse_options(&ic, argc, argv, &ret))
		return ret;
	ic.plots = json_array();
	if (!ic.plots)
		return ob_cli_error(OB_EXIT_INTERNAL, "out of memory");
	ret = inspect_open(&ic);
	if (!ret)
		ret = inspect_scan(&ic);
	if (!ret)
		ret = inspect_analytics(&ic);
	if (!ret)
		ret = inspect_report(&ic);
	inspect_close(&ic);
	return ret;
}

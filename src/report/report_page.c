/* SPDX-License-Identifier: MIT */
/* report_page.c - the review report as one HTML page: no script, no external resource, A4 in print. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/fsutil.h"

#include "obscura/track_row.h"
#include "obscura/version.h"
#include "report_int.h"
#include "obscura/banned.h"

static const char style[] =
	"body{font:14px/1.4 sans-serif;color:#111;margin:2em auto;max-width:60em;padding:0 1em}"
	"h1{font-size:1.5em;margin:0 0 .3em}h2{font-size:1.15em;margin:1.6em 0 .4em;border-bottom:1px solid #999}"
	"table{border-collapse:collapse;width:100%;margin:.4em 0}"
	"th,td{border:1px solid #bbb;padding:.2em .4em;text-align:left;vertical-align:top;overflow-wrap:anywhere}"
	"th{background:#eee}td.n{text-align:right}.hash{font-family:monospace;font-size:.85em;word-break:break-all}"
	".status{padding:.6em 1em;border:3px solid;font-weight:bold;margin:1em 0}"
	".ok{border-color:#2a7a2a;background:#e9f6e9}.warn{border-color:#b07800;background:#fff5dc}"
	".bad{border-color:#b00000;background:#fde8e8;color:#600}"
	".status ul{font-weight:normal;margin:.3em 0 0}"
	"pre{white-space:pre-wrap;word-break:break-all;background:#f6f6f6;border:1px solid #ccc;padding:.5em;"
	"font-size:.85em}"
	".sheet{display:flex;flex-wrap:wrap;gap:.6em}"
	"figure{margin:0;break-inside:avoid;page-break-inside:avoid}"
	"figcaption{font-size:.8em;max-width:100%}"
	".frame{position:relative;line-height:0;overflow:hidden}.frame img{display:block;width:100%;height:auto}"
	".box{position:absolute;border:2px solid #f0f;box-sizing:border-box}"
	".zones{position:absolute;left:0;top:0;width:100%;height:100%}"
	".zones polygon{fill:none;stroke:#0ff;stroke-width:2;vector-effect:non-scaling-stroke}"
	"footer{margin-top:2em;font-size:.8em;color:#555}"
	"@media print{@page{size:A4;margin:14mm}body{margin:0;max-width:none;font-size:10pt}"
	"h2{break-after:avoid;page-break-after:avoid}tr{break-inside:avoid}"
	".status{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

/* Seconds as h:mm:ss.ss (or m:ss.ss). */
static void fmt_time(char *buf, size_t size, double s)
{
	long long cs = s > 0 ? llround(s * 100) : 0;
	long long h = cs / 360000, m = cs / 6000 % 60;

	if (h)
		snprintf(buf, size, "%lld:%02lld:%05.2f", h, m, (double)(cs % 6000) / 100);
	else
		snprintf(buf, size, "%lld:%05.2f", m, (double)(cs % 6000) / 100);
}

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The markup before, then o's string key escaped: one cell's worth of a table row. */
static void field(struct ob_html *h, const char *before, const json_t *o, const char *key)
{
	ob_html_raw(h, "%s", before);
	ob_html_text(h, str(o, key));
}

static json_int_t num(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* A JSON value as text: strings as they are, the rest as compact JSON. */
static void value(struct ob_html *h, const json_t *v)
{
	char *s;

	if (!v) {
		ob_html_raw(h, "&#8212;");
		return;
	}
	if (json_is_string(v)) {
		ob_html_text(h, json_string_value(v));
		return;
	}
	if (json_is_array(v) && json_array_size(v) == 0) {
		ob_html_raw(h, "none");
		return;
	}
	if (json_is_array(v) && json_is_string(json_array_get(v, 0))) {
		const json_t *e;
		size_t i;

		json_array_foreach(v, i, e) {
			ob_html_raw(h, "%s", i ? ", " : "");
			value(h, e);
		}
		return;
	}
	s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	ob_html_text(h, s ? s : "?");
	free(s);
}

/* <tr><th>label</th><td>value</td></tr>; hash: monospace. */
static void row(struct ob_html *h, const char *label, const json_t *v, bool hash)
{
	ob_html_raw(h, "<tr><th>");
	ob_html_text(h, label);
	ob_html_raw(h, "</th><td%s>", hash ? " class=\"hash\"" : "");
	value(h, v);
	ob_html_raw(h, "</td></tr>\n");
}

/* The verdict as obscura verify words it, then its problems. */
static void status(const struct report_data *d, struct ob_html *h)
{
	const json_t *sig = json_object_get(d->verify, "signature"), *man = json_object_get(d->verify, "manifest");
	const json_t *problems = json_object_get(d->verify, "problems"), *p;
	bool trusted = !strcmp(str(sig, "key") ?: "", "trusted");
	size_t i;

	switch (d->verdict) {
	case OB_VERDICT_OK:
		ob_html_raw(h, "<div class=\"status %s\" id=\"status\">VERIFIED: ", trusted ? "ok" : "warn");
		ob_html_textf(h, "signed by %s key %s; manifest chain of %lld entries intact; every member matches it.",
			      trusted ? "the trusted" : "an UNTRUSTED", str(sig, "key_id") ?: "?",
			      (long long)num(man, "entries"));
		if (!trusted)
			ob_html_raw(h, "<ul><li>The key came from the bundle's own signer.pub: anyone could have "
				       "made it. Give <code>-p KEY</code> (the sender's public key, received out of "
				       "band) to check who signed.</li></ul>");
		break;
	case OB_VERDICT_UNSIGNED:
		ob_html_raw(h, "<div class=\"status warn\" id=\"status\">UNSIGNED: the manifest chain and every "
			       "member are intact, but there is no signature: nothing shows who made this bundle.");
		break;
	default:
		ob_html_raw(h, "<div class=\"status bad\" id=\"status\">TAMPERED: this bundle FAILED verification. "
			       "Do not rely on what follows; it is shown as the bundle states it.<ul>");
		json_array_foreach(problems, i, p) {
			ob_html_raw(h, "<li>");
			ob_html_text(h, json_string_value(p));
			ob_html_raw(h, "</li>");
		}
		ob_html_raw(h, "</ul>");
		break;
	}
	ob_html_raw(h, "</div>\n");
	if (!d->chain_ok && d->verdict != OB_VERDICT_TAMPERED)
		ob_html_raw(h, "<p class=\"status bad\">The manifest's chain does not hold.</p>\n");
}

static void purpose(const struct report_data *d, struct ob_html *h)
{
	static const char *const keys[][2] = {
		{ "purpose", "Purpose" }, { "legal_basis", "Legal basis" },
		{ "legal_basis_art6", "GDPR Art. 6(1) basis" }, { "controller", "Controller" },
		{ "data_subjects", "Data subjects" }, { "recipients", "Recipients" },
		{ "retention", "Retention" }, { "request_ref", "Request reference" },
	};
	const json_t *p = json_object_get(d->start, "purpose");

	ob_html_raw(h, "<h2 id=\"purpose\">Processing record</h2>\n");
	if (!json_is_object(p)) {
		ob_html_raw(h, "<p class=\"status warn\">No processing record: the recipe states no purpose "
			       "(its <code>[purpose]</code> section, obscura-recipe(5)).</p>\n");
		return;
	}
	ob_html_raw(h, "<table>\n");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		row(h, keys[i][1], json_object_get(p, keys[i][0]), false);
	ob_html_raw(h, "</table>\n");
}

static void input_export(const struct report_data *d, struct ob_html *h)
{
	const json_t *in = d->input, *s;
	size_t i = 0;
	char t[32];

	ob_html_raw(h, "<h2 id=\"input\">Input</h2>\n<p>Obscura recorded these facts of the original when it "
		       "read it; this report never opened the original.</p>\n<table>\n");
	row(h, "File", json_object_get(in, "path"), false);
	row(h, "Size (bytes)", json_object_get(in, "size"), false);
	row(h, "SHA-256", json_object_get(in, "sha256"), true);
	row(h, "Container", json_object_get(in, "format"), false);
	if (json_is_number(json_object_get(in, "duration"))) {
		fmt_time(t, sizeof(t), json_number_value(json_object_get(in, "duration")));
		ob_html_raw(h, "<tr><th>Duration</th><td>%s</td></tr>\n", t);
	}
	ob_html_raw(h, "<tr><th>Picture</th><td>%lld &#215; %lld, turned %lld&#176;</td></tr>\n",
		    (long long)num(in, "width"), (long long)num(in, "height"), (long long)num(in, "rotation"));
	row(h, "Container tags kept", json_object_get(in, "kept_tags"), false);
	row(h, "Chapters dropped", json_object_get(in, "chapters_dropped"), false);
	ob_html_raw(h, "</table>\n<h3>Streams</h3>\n<table><tr><th>#</th><th>Type</th><th>Codec</th>"
		       "<th>What was done</th></tr>\n");
	json_array_foreach(json_object_get(in, "streams"), i, s) {
		ob_html_raw(h, "<tr><td class=\"n\">%lld</td><td>", (long long)num(s, "index"));
		ob_html_text(h, str(s, "type"));
		field(h, "</td><td>", s, "codec");
		field(h, "</td><td>", s, "action");
		ob_html_raw(h, "</td></tr>\n");
	}
	ob_html_raw(h, "</table>\n<h3>Metadata removed</h3>\n<p>Tag names only: their values are the personal "
		       "data the export drops, and no record keeps them.</p>\n<table><tr><th>Scope</th><th>Tag</th></tr>\n");
	json_array_foreach(json_object_get(in, "dropped_tags"), i, s) {
		ob_html_raw(h, "<tr><td>");
		ob_html_text(h, str(s, "scope"));
		if (json_is_integer(json_object_get(s, "stream")))
			ob_html_raw(h, " %lld", (long long)num(s, "stream"));
		ob_html_raw(h, "</td><td>");
		ob_html_text(h, str(s, "key"));
		ob_html_raw(h, "</td></tr>\n");
	}
	ob_html_raw(h, "</table>\n");
}

/* The status obscura verify gave the member called name. */
static const char *member_status(const struct report_data *d, const char *name)
{
	const json_t *m;
	size_t i;

	json_array_foreach(json_object_get(d->verify, "members"), i, m)
		if (!strcmp(str(m, "name") ?: "", name ?: ""))
			return str(m, "status");
	return "missing";
}

static void export_facts(const struct report_data *d, struct ob_html *h)
{
	static const char *const counts[][2] = {
		{ "frames", "Frames" }, { "hidden_cells", "Hidden cells (summed over frames)" },
		{ "tracks", "Tracks" }, { "tracks_confirmed", "Tracks confirmed" },
		{ "streams_dropped", "Streams dropped" }, { "tags_dropped", "Tags dropped" },
		{ "audio_kept", "Audio kept" }, { "audio_encoder_blanked", "Audio encoder string blanked" },
		{ "decode_errors", "Corrupt packets skipped" }, { "frames_lost", "Frames lost to damage" },
	};
	const json_t *ev;
	size_t i = 0, checkpoints = 0;

	while (ob_manifest_next_event(d->entries, "checkpoint", &i))
		checkpoints++;
	ob_html_raw(h, "<h2 id=\"export\">Export and bundle</h2>\n<table>\n");
	ob_html_raw(h, "<tr><th>Export</th><td>");
	if (d->export_name[0])
		ob_html_text(h, d->export_name);
	else
		ob_html_raw(h, "none found");
	ob_html_raw(h, "</td></tr>\n");
	for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++)
		if (json_object_get(d->end, counts[k][0]))
			row(h, counts[k][1], json_object_get(d->end, counts[k][0]), false);
	ob_html_raw(h, "<tr><th>Checkpoints</th><td>%zu (SHA-256 of each run of 250 packets)</td></tr>\n", checkpoints);
	ob_html_raw(h, "</table>\n<h3>Members</h3>\n<table><tr><th>Name</th><th>Size</th><th>SHA-256 (manifest)</th>"
		       "<th>Check</th></tr>\n");
	i = 0;
	while ((ev = ob_manifest_next_event(d->entries, "output", &i))) {
		ob_html_raw(h, "<tr><td>");
		ob_html_text(h, str(ev, "name"));
		ob_html_raw(h, "</td><td class=\"n\">%lld</td><td class=\"hash\">", (long long)num(ev, "size"));
		ob_html_text(h, str(ev, "sha256"));
		ob_html_raw(h, "</td><td>");
		ob_html_text(h, member_status(d, str(ev, "name")));
		ob_html_raw(h, "</td></tr>\n");
	}
	ob_html_raw(h, "</table>\n");
	i = 0;
	while ((ev = ob_manifest_next_event(d->entries, "warning", &i))) {
		ob_html_raw(h, "<p class=\"status warn\">Warning: ");
		ob_html_text(h, str(ev, "message"));
		ob_html_raw(h, "</p>\n");
	}
}

static void models(const struct report_data *d, struct ob_html *h)
{
	const json_t *ev;
	size_t i = 0;
	bool any = false;

	ob_html_raw(h, "<h2 id=\"models\">Models</h2>\n");
	while ((ev = ob_manifest_next_event(d->entries, "model", &i))) {
		if (!any)
			ob_html_raw(h, "<table><tr><th>Role</th><th>Model</th><th>File and SHA-256</th>"
				       "<th>Card SHA-256</th><th>Licence and source</th></tr>\n");
		any = true;
		field(h, "<tr><td>", ev, "role");
		field(h, "</td><td>", ev, "name");
		field(h, " (", ev, "task");
		field(h, ")</td><td class=\"hash\">", ev, "file");
		field(h, "<br>", ev, "sha256");
		field(h, "</td><td class=\"hash\">", ev, "card_sha256");
		field(h, "</td><td>", ev, "licence");
		field(h, "<br>", ev, "source");
		ob_html_raw(h, "</td></tr>\n");
	}
	if (any)
		ob_html_raw(h, "</table>\n");
	else if (d->replay)
		ob_html_raw(h, "<p>No detector ran: this export was hidden from an earlier analysis "
			       "(obscura redact), the tracks file below.</p>\n");
	else
		ob_html_raw(h, "<p>No detector ran.</p>\n");
	if (d->replay) {
		ob_html_raw(h, "<table>\n");
		row(h, "Tracks file replayed", json_object_get(d->replay, "path"), false);
		row(h, "Its SHA-256", json_object_get(d->replay, "sha256"), true);
		row(h, "Tracks kept visible (--keep)", json_object_get(d->replay, "keep"), false);
		row(h, "Boxes added by hand (--add-box)", json_object_get(d->replay, "manual"), false);
		ob_html_raw(h, "</table>\n");
	}
}

/* Why a hidden track was hidden, in words, from its rows' kinds. */
static void why(const struct report_track *t, struct ob_html *h)
{
	const char *reason = str(t->event, "reason") ?: "?";

	if (!strcmp(reason, "manual")) {
		ob_html_raw(h, "manual: a box added by hand");
		return;
	}
	if (strcmp(reason, "detector")) {
		ob_html_text(h, reason);
		return;
	}
	if (!t->counted) {
		ob_html_raw(h, "detected on %lld frames", (long long)num(t->event, "observed"));
		return;
	}
	ob_html_raw(h, "detected %lld", (long long)t->rows[OB_ROW_OBSERVED]);
	if (t->rows[OB_ROW_INTERPOLATED])
		ob_html_raw(h, ", interpolated %lld", (long long)t->rows[OB_ROW_INTERPOLATED]);
	if (t->rows[OB_ROW_EXTRAPOLATED])
		ob_html_raw(h, ", extended %lld", (long long)t->rows[OB_ROW_EXTRAPOLATED]);
}

static void track_row(const struct report_track *t, struct ob_html *h, bool kept)
{
	char a[32], b[32];
	json_int_t first = num(t->event, "first"), last = num(t->event, "last");

	fmt_time(a, sizeof(a), json_number_value(json_object_get(t->event, "first_pts")));
	fmt_time(b, sizeof(b), json_number_value(json_object_get(t->event, "last_pts")));
	ob_html_raw(h, "<tr><td class=\"n\">%" PRIu64 "</td><td>", t->id);
	ob_html_text(h, str(t->event, "class"));
	ob_html_raw(h, "</td><td>%s (%lld)</td><td>%s (%lld)</td><td class=\"n\">%lld</td><td>", a, (long long)first,
		    b, (long long)last, (long long)(last - first + 1));
	if (kept)
		ob_html_raw(h, "kept visible on every frame (--keep)");
	else
		why(t, h);
	ob_html_raw(h, "</td><td>%s</td></tr>\n", json_is_true(json_object_get(t->event, "confirmed")) ? "yes" : "no");
}

static void tracks(const struct report_data *d, struct ob_html *h)
{
	static const char head[] = "<table><tr><th>Track</th><th>Class</th><th>First (frame)</th>"
				   "<th>Last (frame)</th><th>Frames</th><th>Why</th><th>Confirmed</th></tr>\n";
	size_t hidden = 0, kept = 0, zones = 0, i = 0;
	const json_t *ev;

	for (size_t k = 0; k < d->n_tracks; k++) {
		if (!strcmp(str(d->tracks[k].event, "reason") ?: "", "kept"))
			kept++;
		else
			hidden++;
	}
	ob_html_raw(h, "<h2 id=\"hidden\">Hidden tracks (%zu)</h2>\n", hidden);
	ob_html_raw(h, "<p>Times from the first frame; frames numbered from 0. <i>Detected</i>, <i>interpolated</i> "
		       "(between two detections) and <i>extended</i> (before the first or after the last) count the "
		       "frames on which the track was hidden%s.</p>\n",
		    d->tracks_ok ? ", from the tracks file" : "; the tracks file was not readable, so only "
							     "detections are counted, from the manifest");
	if (hidden) {
		ob_html_raw(h, "%s", head);
		for (size_t k = 0; k < d->n_tracks; k++)
			if (strcmp(str(d->tracks[k].event, "reason") ?: "", "kept"))
				track_row(&d->tracks[k], h, false);
		ob_html_raw(h, "</table>\n");
	}
	ob_html_raw(h, "<h2 id=\"kept\">Tracks kept visible (%zu)</h2>\n", kept);
	if (kept) {
		ob_html_raw(h, "%s", head);
		for (size_t k = 0; k < d->n_tracks; k++)
			if (!strcmp(str(d->tracks[k].event, "reason") ?: "", "kept"))
				track_row(&d->tracks[k], h, true);
		ob_html_raw(h, "</table>\n");
	} else {
		ob_html_raw(h, hidden ? "<p>None: every track found was hidden.</p>\n"
				      : "<p>None: no track was found.</p>\n");
	}
	ob_html_raw(h, "<h2 id=\"zones\">Exclusion zones</h2>\n");
	while ((ev = ob_manifest_next_event(d->entries, "redaction", &i))) {
		if (!json_object_get(ev, "zone"))
			continue;
		zones++;
		ob_html_raw(h, "<p>Zone &#8220;");
		ob_html_text(h, str(ev, "zone"));
		ob_html_raw(h, "&#8221;: hidden on every frame, %lld to %lld.</p>\n", (long long)num(ev, "first"),
			    (long long)num(ev, "last"));
	}
	if (!zones)
		ob_html_raw(h, "<p>None.</p>\n");
}

/* A percentage of the frame, clamped to it. */
static double pct(double v, int size)
{
	double p = size > 0 ? 100.0 * v / size : 0;

	return p < 0 ? 0 : p > 100 ? 100 : p;
}

static void picture(const struct report_data *d, const struct report_picture *p, struct ob_html *h)
{
	char t[32];

	fmt_time(t, sizeof(t), p->t.pts);
	ob_html_raw(h, "<figure class=\"pic\" data-frame=\"%lld\" style=\"width:%dpx\"><div class=\"frame\">"
		       "<img alt=\"frame %lld\" width=\"%d\" height=\"%d\" src=\"",
		    (long long)p->t.frame, p->t.width, (long long)p->t.frame, p->t.width, p->t.height);
	ob_html_data_uri(h, "image/jpeg", p->t.jpeg, p->t.jpeg_len);
	ob_html_raw(h, "\">");
	for (size_t i = 0; i < p->n_boxes; i++) {
		const struct ob_box *b = &p->boxes[i].b;
		double x0 = pct(b->x, d->width), y0 = pct(b->y, d->height);
		double x1 = pct(b->x + b->w, d->width), y1 = pct(b->y + b->h, d->height);

		ob_html_raw(h, "<div class=\"box\" title=\"track %" PRIu64 "\" data-box=\"%.0f,%.0f,%.0f,%.0f\" "
			       "style=\"left:%.2f%%;top:%.2f%%;width:%.2f%%;height:%.2f%%\"></div>",
			    p->boxes[i].track, b->x, b->y, b->w, b->h, x0, y0, x1 - x0, y1 - y0);
	}
	if (d->recipe && d->recipe->n_zones) {
		ob_html_raw(h, "<svg class=\"zones\" viewBox=\"0 0 1000 1000\" preserveAspectRatio=\"none\">");
		for (size_t z = 0; z < d->recipe->n_zones; z++) {
			const struct ob_polygon *poly = &d->recipe->zones[z].poly;

			ob_html_raw(h, "<polygon points=\"");
			for (size_t k = 0; k < poly->n; k++)
				ob_html_raw(h, "%s%.1f,%.1f", k ? " " : "", poly->pts[k].x * 1000, poly->pts[k].y * 1000);
			ob_html_raw(h, "\"/>");
		}
		ob_html_raw(h, "</svg>");
	}
	ob_html_raw(h, "</div><figcaption>%s, frame %lld: ", t, (long long)p->t.frame);
	ob_html_text(h, p->why);
	if (p->n_boxes)
		ob_html_raw(h, " (%zu hidden box%s)", p->n_boxes, p->n_boxes == 1 ? "" : "es");
	ob_html_raw(h, "</figcaption></figure>\n");
}

static void sheet(const struct report_data *d, struct ob_html *h)
{
	size_t shown = 0;

	ob_html_raw(h, "<h2 id=\"sheet\">Contact sheet</h2>\n");
	for (size_t i = 0; i < d->n_pics; i++)
		shown += d->pics[i].t.jpeg != NULL;
	if (!shown) {
		ob_html_raw(h, "<p class=\"status warn\">");
		ob_html_text(h, d->sheet_note[0] ? d->sheet_note : "No picture to show.");
		ob_html_raw(h, "</p>\n");
		return;
	}
	ob_html_raw(h, "<p>Frames of the export in this bundle (never of the original), one every %g s and "
		       "one in the middle of each hidden track; magenta outlines the hidden boxes (with the "
		       "recipe's margin), cyan the exclusion zones.</p>\n<div class=\"sheet\">\n", d->o->every);
	if (d->sheet_note[0]) {
		ob_html_raw(h, "<p class=\"status warn\">");
		ob_html_text(h, d->sheet_note);
		ob_html_raw(h, "</p>\n");
	}
	for (size_t i = 0; i < d->n_pics; i++)
		if (d->pics[i].t.jpeg)
			picture(d, &d->pics[i], h);
	ob_html_raw(h, "</div>\n");
}

static void recipe_job(const struct report_data *d, struct ob_html *h)
{
	const json_t *r = json_object_get(d->start, "recipe");
	const json_t *first = json_array_get(d->entries, 0);
	const json_t *last = json_array_get(d->entries, json_array_size(d->entries) - 1);

	ob_html_raw(h, "<h2 id=\"recipe\">Recipe</h2>\n<table>\n");
	row(h, "File", json_object_get(r, "path"), false);
	row(h, "SHA-256", json_object_get(r, "sha256"), true);
	ob_html_raw(h, "</table>\n<pre>");
	ob_html_text(h, str(r, "text"));
	ob_html_raw(h, "</pre>\n<h2 id=\"job\">Job</h2>\n<table>\n");
	row(h, "Obscura", json_object_get(d->start, "obscura"), false);
	row(h, "Job id", json_object_get(d->start, "job"), true);
	row(h, "Started (UTC)", json_object_get(first, "time"), false);
	row(h, "Ended (UTC)", json_object_get(last, "time"), false);
	row(h, "Command line", json_object_get(d->start, "argv"), false);
	row(h, "Signing key id", json_object_get(d->start, "key_id"), true);
	row(h, "Manifest head", json_object_get(json_object_get(d->verify, "manifest"), "head"), true);
	row(h, "Libraries", json_object_get(d->start, "libraries"), false);
	ob_html_raw(h, "</table>\n");
}

static void head(struct ob_html *h, const char *title)
{
	ob_html_raw(h, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		       "<meta name=\"viewport\" content=\"width=device-width\">"
		       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		       "img-src data:; style-src 'unsafe-inline'\"><title>");
	ob_html_text(h, title);
	ob_html_raw(h, "</title><style>%s</style></head><body>\n", style);
}

void report_page(const struct report_data *d, struct ob_html *h)
{
	const char *base = ob_path_base(d->bundle);

	head(h, base);
	ob_html_raw(h, "<h1>Review report: ");
	ob_html_text(h, base);
	ob_html_raw(h, "</h1>\n<p>Bundle <span class=\"hash\">");
	ob_html_text(h, d->bundle);
	ob_html_raw(h, "</span></p>\n");
	status(d, h);
	purpose(d, h);
	input_export(d, h);
	export_facts(d, h);
	tracks(d, h);
	sheet(d, h);
	models(d, h);
	recipe_job(d, h);
	ob_html_raw(h, "<footer>Written by obscura report %s from the bundle alone; see obscura-report(1) and "
		       "obscura-manifest(5).</footer>\n</body></html>\n", OB_VERSION);
}

void report_index_page(const struct ob_report_result *r, size_t n, struct ob_html *h)
{
	head(h, "Obscura reports");
	ob_html_raw(h, "<h1>Obscura review reports (%zu)</h1>\n<table><tr><th>Report</th><th>Verification</th>"
		       "<th>Input</th><th>Purpose</th><th>Request</th><th>Hidden</th><th>Kept</th></tr>\n", n);
	for (size_t i = 0; i < n; i++) {
		const json_t *e = r[i].index;
		const char *st = str(e, "status") ?: "unreadable";

		ob_html_raw(h, "<tr><td>");
		if (e) {
			ob_html_raw(h, "<a href=\"");
			ob_html_url(h, r[i].name);
			ob_html_raw(h, "\">");
		}
		ob_html_text(h, e ? str(e, "bundle") : r[i].name);
		ob_html_raw(h, "%s</td><td class=\"%s\">", e ? "</a>" : "",
			    !strcmp(st, "ok") ? "ok" : !strcmp(st, "unsigned") ? "warn" : "bad");
		ob_html_text(h, st);
		ob_html_raw(h, "</td><td>");
		value(h, json_object_get(e, "input"));
		ob_html_raw(h, "</td><td>");
		value(h, json_object_get(e, "purpose"));
		ob_html_raw(h, "</td><td>");
		value(h, json_object_get(e, "request_ref"));
		ob_html_raw(h, "</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td></tr>\n",
			    (long long)num(e, "hidden"), (long long)num(e, "kept"));
	}
	ob_html_raw(h, "</table>\n<footer>Written by obscura report %s.</footer>\n</body></html>\n", OB_VERSION);
}

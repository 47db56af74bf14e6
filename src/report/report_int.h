/* SPDX-License-Identifier: MIT */
/* report_int.h - what report.c gathers from a bundle and report_page.c writes as HTML. */
#ifndef OBSCURA_REPORT_INT_H
#define OBSCURA_REPORT_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "obscura/bundle.h"
#include "obscura/contact.h"
#include "obscura/geom.h"
#include "obscura/html.h"
#include "obscura/recipe.h"
#include "obscura/report.h"

/* A track of a redaction event, with its hidden rows by kind (tracks.h5). */
struct report_track {
	uint64_t id;
	const json_t *event;  /* the redaction event's data (borrowed from entries) */
	int64_t rows[3];      /* hidden rows: observed, interpolated, extrapolated (enum ob_row_kind) */
	bool counted;         /* rows[] came from the tracks file */
};

/* A box outlined on a picture: a hidden row's cover grown by the recipe's margin. */
struct report_box {
	struct ob_box b;      /* frame pixels */
	uint64_t track;
};

/* A picture of the contact sheet. */
struct report_picture {
	struct ob_thumb t;
	char why[128];        /* "every 10 s", "middle of track 3", both */
	struct report_box *boxes;
	size_t n_boxes, cap_boxes;
};

struct report_data {
	const char *bundle;
	const struct ob_report_opts *o;
	enum ob_verdict verdict;
	json_t *verify;                 /* ob_verify_bundle's report */
	json_t *entries;                /* the manifest's entries (every line that parsed) */
	bool chain_ok;
	const json_t *start, *input, *end, *replay; /* events' data, borrowed; NULL if absent */
	struct ob_recipe *recipe;       /* parsed from the start event's text; NULL if it does not parse */
	char export_name[OB_BUNDLE_NAME_MAX + 1];
	bool export_ok;                 /* the export was found and matches its output event */
	bool tracks_ok;                 /* the tracks file was read */
	char sheet_note[512];           /* why there is no contact sheet, or "" */
	struct report_track *tracks;    /* hidden or kept, as the redaction events list them */
	size_t n_tracks;
	struct report_picture *pics;
	size_t n_pics;
	int width, height;              /* the export's frame size */
	double fps;
};

/* The whole page into h (ob_html_status() tells whether it all fitted). */
void report_page(const struct report_data *d, struct ob_html *h);

/* The index page of n results into h. */
void report_index_page(const struct ob_report_result *r, size_t n, struct ob_html *h);

#endif

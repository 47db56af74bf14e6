/* SPDX-License-Identifier: MIT */
/* report.h - `obscura report`: a bundle as one self-contained HTML page for the person who signs a disclosure off. */
#ifndef OBSCURA_REPORT_H
#define OBSCURA_REPORT_H

#include <jansson.h>
#include <stddef.h>

#include "obscura/bundle_verify.h"
#include "obscura/fsutil.h"
#include "obscura/minisign.h"

#define OB_REPORT_SUFFIX ".report.html"   /* BUNDLE's name without .obscura.tar, then this */
#define OB_REPORT_INDEX "index.html"
#define OB_REPORT_EVERY 10.0              /* seconds between two pictures of the contact sheet */
#define OB_REPORT_EVERY_MIN 0.04
#define OB_REPORT_EVERY_MAX 86400.0
#define OB_REPORT_MAX_PERIODIC 200        /* pictures every --every seconds, at most */
#define OB_REPORT_MAX_TRACK_PICTURES 200  /* pictures at hidden tracks' middle frames, at most */

struct ob_report_opts {
	const char *outdir;
	const struct ob_minisign_pub *key; /* trusted key, or NULL: the bundle's own signer.pub */
	double every;                      /* seconds between periodic pictures */
};

/* What a report found, for the caller's exit status and the index. */
struct ob_report_result {
	enum ob_verdict verdict;          /* as obscura verify finds it */
	char name[OB_PATH_MAX];           /* the report's file name in outdir */
	json_t *index;                    /* what the index shows: bundle, status, input,
					   * request_ref, purpose, hidden, kept (owned) */
};

/* BUNDLE's report name: its final component without OB_BUNDLE_SUFFIX, plus
 * OB_REPORT_SUFFIX.  Errors: OB_ERR_LIMIT when it does not fit. */
int ob_report_name(const char *bundle, char *name, size_t size);

/*
 * Verifies bundle (ob_verify_bundle), reads its manifest, takes its export
 * and tracks file out into temporaries in o->outdir (removed before it
 * returns), draws the contact sheet from that export alone, and writes
 * o->outdir/NAME atomically.  A bundle that fails verification still gets a
 * report, which says so first; r->verdict tells.
 * Errors: OB_ERR_INPUT when the bundle is unreadable (no report: r->verdict
 * is OB_VERDICT_UNREADABLE); OB_ERR_OUTPUT; OB_ERR_NOMEM.  Release r with
 * ob_report_result_release().
 */
int ob_report_bundle(const struct ob_report_opts *o, const char *bundle, struct ob_report_result *r);

/* o->outdir/index.html linking the n reports, atomically.  Errors: OB_ERR_OUTPUT, OB_ERR_NOMEM. */
int ob_report_index(const struct ob_report_opts *o, const struct ob_report_result *r, size_t n);

void ob_report_result_release(struct ob_report_result *r);

#endif

/* audit.h - a job's audit trail: the manifest written as the job runs, signed and bundled at its end. */
#ifndef OBSCURA_AUDIT_H
#define OBSCURA_AUDIT_H

#include <jansson.h>
#include <stdint.h>

#include "obscura/hash.h"

struct AVFormatContext;
struct ob_minisign_key;
struct ob_recipe;
struct ob_source_info;
struct ob_audit;

#define OB_AUDIT_JOB_ID_BYTES 16              /* random bytes of a job id (32 hex digits) */
#define OB_AUDIT_SUMS "SHA256SUMS"            /* checksum list member, sha256sum -c format */
#define OB_AUDIT_README "README.txt"          /* how to verify by hand */
#define OB_AUDIT_MANIFEST_SUFFIX ".manifest.jsonl" /* outdir/.NAME.manifest.jsonl while running */

/*
 * What one job's audit needs.  Every path is a final name; files are written
 * under temporary names (fsutil.h) and appear only when complete.
 */
struct ob_audit_params {
	const char *manifest;                 /* hidden manifest path while the job runs */
	const char *bundle;                   /* outdir/NAME.obscura.tar */
	const char *export_path;              /* final export path; its base name is the member name */
	const struct ob_minisign_key *key;    /* NULL: unsigned bundle */
	const struct ob_recipe *recipe;
	int argc;                             /* the command line, recorded as given */
	char *const *argv;
};

/*
 * Creates the manifest and writes its "start" event (obscura-manifest(5)).
 * Errors: OB_ERR_OUTPUT, OB_ERR_NOMEM, OB_ERR_INTERNAL.
 */
int ob_audit_start(const struct ob_audit_params *p, struct ob_audit **a);

/* The "input" event: hashes the file at path and lists what the export drops. */
int ob_audit_input(struct ob_audit *a, const char *path, const struct AVFormatContext *fmt,
		   const struct ob_source_info *video, const struct ob_recipe *recipe);

/* One "model" event per detector the recipe names (the detect stage has loaded them). */
int ob_audit_models(struct ob_audit *a, const struct ob_recipe *recipe);

/* The "checkpoint" event; an ob_sink_checkpoint_fn with opaque = the audit. */
int ob_audit_checkpoint(void *audit, int64_t first, int64_t last, const char *sha256_hex);

/* A "warning" event: {"kind": kind, "message": message} plus the members of extra (stolen, may be NULL). */
int ob_audit_warning(struct ob_audit *a, const char *kind, const char *message, json_t *extra);

/*
 * Ends the job: README.txt, signer.pub and SHA256SUMS, one "output" event
 * per bundle member, the "end" event (status "ok" and the members of counts,
 * stolen), closes and signs the manifest and commits the bundle holding the
 * export (read from export_tmp).  Errors: OB_ERR_OUTPUT, OB_ERR_INPUT.
 */
int ob_audit_finish(struct ob_audit *a, const char *export_tmp, json_t *counts);

/* After the export is in place: keeps the bundle when the audit is freed. */
void ob_audit_keep(struct ob_audit *a);

const char *ob_audit_job_id(const struct ob_audit *a);
/* Hex SHA-256 of the manifest's last entry (the head the signature names). */
const char *ob_audit_head(const struct ob_audit *a);

/* Frees a; removes the manifest, and the bundle unless ob_audit_keep() was called. */
void ob_audit_free(struct ob_audit **a);

/* A JSON string for bytes that may not be UTF-8 (paths, argv): invalid
 * input has every byte >= 0x80 written as "\xNN". */
json_t *ob_json_bytes(const char *s);

#endif

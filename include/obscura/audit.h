/* SPDX-License-Identifier: MIT */
/* audit.h - a job's audit trail: the manifest written as the job runs, signed and bundled at its end. */
#ifndef OBSCURA_AUDIT_H
#define OBSCURA_AUDIT_H

#include <jansson.h>
#include <stdbool.h>
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
#define OB_AUDIT_MANIFEST_SUFFIX ".manifest.jsonl" /* outdir/.NAME.manifest.jsonl.obscura-tmp-PID while running */

/*
 * What one job's audit needs.  Every path is a final name; files are written
 * under temporary names (fsutil.h) and appear only when complete.
 */
struct ob_audit_params {
	const char *manifest;                 /* hidden manifest path while the job runs */
	const char *bundle;                   /* outdir/NAME.obscura.tar */
	const struct ob_minisign_key *key;    /* NULL: unsigned bundle */
	bool analytics_only;                  /* no export: the video is analyzed, not re-encoded */
	const struct ob_recipe *recipe;
	int argc;                             /* the command line, recorded as given */
	char *const *argv;
};

/*
 * Creates the manifest and writes its "start" event (obscura-manifest(5)).
 * Errors: OB_ERR_OUTPUT, OB_ERR_NOMEM, OB_ERR_INTERNAL.
 */
int ob_audit_start(const struct ob_audit_params *p, struct ob_audit **a);

/* The recipe's [purpose] as the manifest's start event and the batch summary
 * record it: an object of the keys given (in obscura-recipe(5)'s order), or
 * JSON null when none is; NULL only when out of memory. */
json_t *ob_audit_purpose(const struct ob_recipe *r);

/* The "input" event: hashes the file at path and lists what the export drops. */
int ob_audit_input(struct ob_audit *a, const char *path, const struct AVFormatContext *fmt,
		   const struct ob_source_info *video, const struct ob_recipe *recipe);

/* One "model" event per detector the recipe names (the detect stage has loaded them). */
int ob_audit_models(struct ob_audit *a, const struct ob_recipe *recipe);

/* The "checkpoint" event; an ob_sink_checkpoint_fn with opaque = the audit. */
int ob_audit_checkpoint(void *audit, int64_t first, int64_t last, const char *sha256_hex);

/* A "warning" event: {"kind": kind, "message": message} plus the members of extra (stolen, may be NULL). */
int ob_audit_warning(struct ob_audit *a, const char *kind, const char *message, json_t *extra);

/* What the audit has established so far, for tracks.h5's attributes. */
#define OB_AUDIT_MAX_MODELS 8
struct ob_audit_facts {
	char recipe_sha256[OB_SHA256_HEX_LEN + 1];
	char input_sha256[OB_SHA256_HEX_LEN + 1]; /* "" before ob_audit_input() */
	uint64_t input_size;
	size_t n_models;
	struct {
		char name[64];
		char sha256[OB_SHA256_HEX_LEN + 1];
	} models[OB_AUDIT_MAX_MODELS];
};
const struct ob_audit_facts *ob_audit_facts(const struct ob_audit *a);

/*
 * A "redaction" event: what was hidden (or deliberately left visible) and
 * why.  reason: "detector", "manual", "kept" (a track a DPO chose to leave
 * visible) or "zone"; data (stolen) says which track or zone and its span.
 */
int ob_audit_redaction(struct ob_audit *a, const char *reason, json_t *data);

/* A "replay" event: the tracks file a second pass hides from (obscura redact);
 * data (stolen) lists the kept tracks and the manual boxes. */
int ob_audit_replay(struct ob_audit *a, const char *path, json_t *data);

/* A data member of the bundle: the export, tracks.h5. */
struct ob_audit_file {
	const char *name;  /* the final file's base name; its member name is
			    * ob_bundle_member_name() of it */
	const char *path;  /* where it is now (its temporary name) */
	const char *what;  /* one line for README.txt: "the anonymized video" */
};

/*
 * Ends the job: README.txt, signer.pub and SHA256SUMS, one "output" event
 * per bundle member, the "end" event (status "ok" and the members of counts,
 * stolen), closes and signs the manifest and commits the bundle holding the
 * n data files (an analytics-only bundle has no video among them).
 * Errors: OB_ERR_OUTPUT, OB_ERR_INPUT.
 */
#define OB_AUDIT_MAX_FILES 4
int ob_audit_finish(struct ob_audit *a, const struct ob_audit_file *files, size_t n, json_t *counts);

/* After the export is in place: keeps the bundle when the audit is freed. */
void ob_audit_keep(struct ob_audit *a);

const char *ob_audit_job_id(const struct ob_audit *a);
/* Hex SHA-256 of the manifest's last entry (the head the signature names). */
const char *ob_audit_head(const struct ob_audit *a);

/* Frees a; removes the manifest, and the bundle unless ob_audit_keep() was called. */
void ob_audit_free(struct ob_audit **a);

#endif

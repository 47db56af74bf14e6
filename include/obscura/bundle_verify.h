/* SPDX-License-Identifier: MIT */
/* bundle_verify.h - check a bundle: tar readable, manifest chain, signature, every member against the manifest. */
#ifndef OBSCURA_BUNDLE_VERIFY_H
#define OBSCURA_BUNDLE_VERIFY_H

#include <jansson.h>
#include <stddef.h>

#include "obscura/minisign.h"

/* The outcome for one bundle, from best to worst as the exit status ranks them. */
enum ob_verdict {
	OB_VERDICT_OK = 0,     /* chain, members and signature all hold */
	OB_VERDICT_UNSIGNED,   /* intact, but there is no signature */
	OB_VERDICT_UNREADABLE, /* not a readable tar (missing, truncated, corrupt) */
	OB_VERDICT_TAMPERED,   /* readable, but something does not match */
};

/* "ok", "unsigned", "unreadable", "tampered". */
const char *ob_verdict_name(enum ob_verdict v);

/*
 * Verifies the bundle at path:
 *  - the tar reads to its end (else UNREADABLE);
 *  - manifest.jsonl exists and its chain holds (manifest.h), first entry
 *    "start", last entry "end";
 *  - manifest.jsonl.minisig verifies against key (the caller's trusted key)
 *    or, when key is NULL, against the bundle's own signer.pub, which the
 *    report then calls untrusted; no signature file means UNSIGNED; a
 *    trusted comment carrying "head:HEX" must name the manifest's head;
 *  - every other member matches an "output" event (data.name, data.size,
 *    data.sha256) and every output event not marked "bundled": false has
 *    its member.
 * *report receives a new JSON object (see obscura-verify(1) for its keys),
 * *verdict the outcome.  Returns 0, or a negative code only when the check
 * itself could not run (out of memory).
 */
int ob_verify_bundle(const char *path, const struct ob_minisign_pub *key, json_t **report,
		     enum ob_verdict *verdict);

/* In a manifest's parsed entries: the data object of the next event of
 * type (NULL: any) from entry *i on, *i moved past it; NULL when none is
 * left.  ob_manifest_event: the first one. */
const json_t *ob_manifest_next_event(const json_t *entries, const char *type, size_t *i);
const json_t *ob_manifest_event(const json_t *entries, const char *type);

/* ob_verify_bundle(), also handing over the manifest's parsed entries in
 * *manifest (a new array; NULL when the manifest is missing or its chain is
 * broken) for a caller that needs what they record (the input's SHA-256). */
int ob_verify_bundle_entries(const char *path, const struct ob_minisign_pub *key, json_t **report,
			     enum ob_verdict *verdict, json_t **manifest);

/*
 * The trusted comment Obscura signs with, tab-separated key:value fields in
 * minisign's style:  "timestamp:T\tfile:manifest.jsonl\thashed\tjob:JOB\thead:HEX".
 * job may be NULL.  Errors: OB_ERR_LIMIT if it does not fit in size.
 */
int ob_trusted_comment(char *buf, size_t size, long long timestamp, const char *job,
		       const char *head);

/* Finds "key:VALUE" in a tab-separated trusted comment (as written by
 * ob_trusted_comment) and copies VALUE into out; false if absent. */
bool ob_trusted_comment_field(const char *comment, const char *key, char *out, size_t size);

#endif

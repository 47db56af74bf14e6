/* SPDX-License-Identifier: MIT */
/* ledger.h - the run ledger: one signed, hash-chained entry per finished bundle, across runs. */
#ifndef OBSCURA_LEDGER_H
#define OBSCURA_LEDGER_H

#include <jansson.h>
#include <stddef.h>

#include "obscura/minisign.h"
#include "obscura/bundle_verify.h"

/*
 * A ledger is a manifest-format file (manifest.h, obscura-manifest(5)) whose
 * entries all have type "bundle", data {bundle, sha256, size, manifest_head,
 * job_id, input, status}.  After every append the whole file is signed:
 * LEDGER.minisig, written atomically, with the trusted comment
 *   "timestamp:T\tfile:BASENAME\thashed\tentries:N\thead:HEX".
 * LEDGER.pub, the signer's public key, is written when missing (a convenience
 * for `obscura verify --ledger` without -p; reported as untrusted).
 */
#define OB_LEDGER_EVENT "bundle"
#define OB_LEDGER_SIG_SUFFIX ".minisig"
#define OB_LEDGER_PUB_SUFFIX ".pub"

struct ob_ledger;

/*
 * Opens (creating if missing) the ledger at path for appending, locked with
 * flock(2) until ob_ledger_free(), after checking its chain.  key signs it.
 * Errors: OB_ERR_BUSY when another run holds it (never waited for);
 * OB_ERR_OUTPUT naming path (and the broken line), OB_ERR_LIMIT.
 */
int ob_ledger_open(const char *path, const struct ob_minisign_key *key, struct ob_ledger **l);

/*
 * Appends the entry for a finished bundle (hashes the bundle file), fsyncs
 * the ledger, then replaces LEDGER.minisig.  *seq (may be NULL) receives the
 * entry's seq.  Errors: OB_ERR_OUTPUT, OB_ERR_INPUT (bundle unreadable).
 */
int ob_ledger_append_bundle(struct ob_ledger *l, const char *bundle, const char *input,
			    const char *job_id, const char *manifest_head, long long *seq);

/* Unlocks and frees; accepts NULL and *l == NULL; sets *l to NULL. */
void ob_ledger_free(struct ob_ledger **l);

/*
 * Verifies the ledger at path: chain entry by entry, every entry a "bundle"
 * event, LEDGER.minisig against key (or LEDGER.pub, untrusted, when key is
 * NULL), the trusted comment's head and entries.  *report receives a new
 * object (obscura-verify(1)), *verdict the outcome; *entries (may be NULL)
 * the parsed entries when the chain holds.  Returns nonzero only for
 * OB_ERR_NOMEM.
 */
int ob_verify_ledger(const char *path, const struct ob_minisign_pub *key, json_t **report,
		     enum ob_verdict *verdict, json_t **entries);

/* The seq of the entry whose data.sha256 is sha256_hex, or -1. */
long long ob_ledger_find(const json_t *entries, const char *sha256_hex);

#endif

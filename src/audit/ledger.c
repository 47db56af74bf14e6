/* SPDX-License-Identifier: MIT */
/* ledger.c - append signed bundle entries to a hash-chained ledger, and verify one. */
#include "obscura/ledger.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "obscura/audit.h"
#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/hash.h"
#include "obscura/manifest.h"
#include "obscura/utf8.h"
#include "obscura/banned.h"

struct ob_ledger {
	struct ob_manifest *m;
	const struct ob_minisign_key *key;
	char sigpath[OB_PATH_MAX];
};

static int side_path(char *buf, size_t size, const char *path, const char *suffix)
{
	if (snprintf(buf, size, "%s%s", path, suffix) >= (int)size)
		return ob_err(OB_ERR_LIMIT, "%s: path too long", path);
	return 0;
}

static int trusted_comment(char *buf, size_t size, const char *path, size_t entries, const char *head)
{
	int n = snprintf(buf, size, "timestamp:%lld\tfile:%s\thashed\tentries:%zu\thead:%s",
			 (long long)time(NULL), ob_path_base(path), entries, head);

	if (n < 0 || (size_t)n >= size || strchr(buf, '\n') || strchr(buf, '\r'))
		return ob_err(OB_ERR_LIMIT, "%s: trusted comment too long or not one line", path);
	return 0;
}

/* Holding the ledger's lock: the temporaries of its signature and public
 * key (".LEDGER....obscura-tmp-PID") that a killed run left are removed. */
static int remove_stale(const char *path)
{
	char dir[OB_PATH_MAX], prefix[OB_PATH_MAX];
	const char *base = ob_path_base(path);
	size_t removed;

	if (snprintf(dir, sizeof(dir), "%.*s", (int)(base - path), path) >= (int)sizeof(dir) ||
	    snprintf(prefix, sizeof(prefix), ".%s", base) >= (int)sizeof(prefix))
		return ob_err(OB_ERR_LIMIT, "%s: path too long", path);
	return ob_remove_stale_tmp(*dir ? dir : ".", prefix, &removed);
}

int ob_ledger_open(const char *path, const struct ob_minisign_key *key, struct ob_ledger **out)
{
	struct ob_ledger *l;
	char pubpath[OB_PATH_MAX];
	struct stat st;
	int ret;

	*out = NULL;
	if (!key)
		return ob_err(OB_ERR_USAGE, "%s: a ledger needs a signing key", path);
	l = calloc(1, sizeof(*l));
	if (!l)
		return ob_err(OB_ERR_NOMEM, "out of memory");
	l->key = key;
	ret = side_path(l->sigpath, sizeof(l->sigpath), path, OB_LEDGER_SIG_SUFFIX);
	if (!ret)
		ret = side_path(pubpath, sizeof(pubpath), path, OB_LEDGER_PUB_SUFFIX);
	if (!ret)
		ret = ob_manifest_open_append(path, &l->m, NULL);
	if (!ret)
		ret = remove_stale(path);
	if (!ret && lstat(pubpath, &st) != 0 && errno == ENOENT) {
		struct ob_minisign_pub pub;

		ob_minisign_key_public(key, &pub);
		ret = ob_minisign_save_public(&pub, pubpath, false);
	}
	if (ret) {
		ob_ledger_free(&l);
		return ret;
	}
	*out = l;
	return 0;
}

int ob_ledger_append_bundle(struct ob_ledger *l, const char *bundle, const char *input,
			    const char *job_id, const char *manifest_head, long long *seq)
{
	char hex[OB_SHA256_HEX_LEN + 1], tc[OB_MINISIGN_TRUSTED_MAX + 1];
	const char *path = ob_manifest_path(l->m);
	char *sig = NULL;
	size_t siglen;
	uint64_t size;
	int ret;

	ret = ob_sha256_file_hex(bundle, OB_HASH_FILE_MAX, hex, &size);
	if (ret)
		return ret;
	ret = ob_manifest_append_new(
		l->m, OB_LEDGER_EVENT,
		json_pack("{s:o, s:s, s:I, s:s?, s:s?, s:o, s:s}", "bundle", ob_json_bytes(ob_path_base(bundle)),
			  "sha256", hex, "size", (json_int_t)size, "manifest_head", manifest_head,
			  "job_id", job_id, "input", ob_json_bytes(input), "status", "ok"));
	if (!ret)
		ret = ob_manifest_sync(l->m);
	if (!ret)
		ret = trusted_comment(tc, sizeof(tc), path, ob_manifest_count(l->m), ob_manifest_head(l->m));
	if (!ret)
		ret = ob_minisign_sign_file(l->key, path, NULL, tc, &sig, &siglen);
	if (!ret)
		ret = ob_write_file_atomic(l->sigpath, sig, siglen, 0644);
	if (ret && ret != OB_ERR_NOMEM && ret != OB_ERR_LIMIT)
		ret = ob_err(OB_ERR_OUTPUT, "ledger %s: %s", path, ob_errmsg());
	if (!ret && seq)
		*seq = (long long)ob_manifest_count(l->m) - 1;
	free(sig);
	return ret;
}

void ob_ledger_free(struct ob_ledger **lp)
{
	if (!lp || !*lp)
		return;
	ob_manifest_free(&(*lp)->m); /* closes the file: releases the lock */
	free(*lp);
	*lp = NULL;
}

/* ---- verification ---- */

static void problem(json_t *problems, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(json_t *problems, const char *fmt, ...)
{
	char buf[OB_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(problems, ob_json_bytes(buf));
}

static void check_sig(const char *path, const char *buf, size_t len, const struct ob_minisign_pub *key,
		      const struct ob_manifest_check *chk, json_t *problems, json_t *sreport,
		      bool *missing)
{
	struct ob_minisign_sig_info *info = NULL;
	struct ob_minisign_pub pub;
	char sigpath[OB_PATH_MAX], pubpath[OB_PATH_MAX], id[OB_MINISIGN_KEYID_LEN + 1];
	char field[OB_SHA256_HEX_LEN + 32];
	char *sig = NULL;
	size_t siglen;
	struct stat st;

	*missing = false;
	if (side_path(sigpath, sizeof(sigpath), path, OB_LEDGER_SIG_SUFFIX) ||
	    side_path(pubpath, sizeof(pubpath), path, OB_LEDGER_PUB_SUFFIX)) {
		problem(problems, "%s", ob_errmsg());
		return;
	}
	if (stat(sigpath, &st) != 0 && errno == ENOENT) {
		*missing = true;
		json_object_set_new(sreport, "status", json_string("missing"));
		return;
	}
	json_object_set_new(sreport, "status", json_string("invalid"));
	if (ob_read_file(sigpath, OB_MINISIGN_FILE_MAX, &sig, &siglen)) {
		problem(problems, "%s", ob_errmsg());
		goto out;
	}
	if (!key) {
		if (ob_minisign_load_public(pubpath, &pub)) {
			problem(problems, "%s: no public key given (-p) and %s", path, ob_errmsg());
			goto out;
		}
		key = &pub;
		json_object_set_new(sreport, "key", json_string("untrusted"));
	} else {
		json_object_set_new(sreport, "key", json_string("trusted"));
	}
	ob_minisign_keyid_hex(key->keynum, id);
	json_object_set_new(sreport, "key_id", json_string(id));
	info = calloc(1, sizeof(*info));
	if (!info) {
		problem(problems, "out of memory");
		goto out;
	}
	if (ob_minisign_verify_buf(key, buf, len, sig, siglen, info)) {
		problem(problems, "%s: %s", sigpath, ob_errmsg());
		goto out;
	}
	json_object_set_new(sreport, "status", json_string("valid"));
	json_object_set_new(sreport, "trusted_comment", json_string(info->trusted_comment));
	if (chk->ok && ob_trusted_comment_field(info->trusted_comment, "head", field, sizeof(field)) &&
	    strcmp(field, chk->head))
		problem(problems, "%s: the trusted comment names head %s, but the ledger's head is %s",
			sigpath, field, chk->head);
	if (chk->ok && ob_trusted_comment_field(info->trusted_comment, "entries", field, sizeof(field))) {
		char want[32];

		snprintf(want, sizeof(want), "%zu", chk->entries);
		if (strcmp(field, want))
			problem(problems, "%s: the trusted comment counts %s entries, the ledger has %s",
				sigpath, field, want);
	}
out:
	free(info);
	free(sig);
}

int ob_verify_ledger(const char *path, const struct ob_minisign_pub *key, json_t **report,
		     enum ob_verdict *verdict, json_t **entries_out)
{
	struct ob_manifest_check chk;
	json_t *r = json_object(), *problems = json_array(), *chain = json_object();
	json_t *sreport = json_object(), *entries = NULL, *e;
	char *buf = NULL;
	size_t len = 0, i;
	bool unreadable = false, missing = false;

	*report = NULL;
	*verdict = OB_VERDICT_UNREADABLE;
	if (entries_out)
		*entries_out = NULL;
	if (!r || !problems || !chain || !sreport) {
		json_decref(r);
		json_decref(problems);
		json_decref(chain);
		json_decref(sreport);
		return ob_err(OB_ERR_NOMEM, "out of memory");
	}
	if (ob_read_file(path, OB_MANIFEST_FILE_MAX, &buf, &len)) {
		unreadable = true;
		problem(problems, "%s", ob_errmsg());
	} else if (ob_manifest_check_buf(buf, len, &entries, &chk)) {
		problem(problems, "%s: %s", path, chk.reason[0] ? chk.reason : ob_errmsg());
		json_object_set_new(chain, "chain", json_string("broken"));
		json_object_set_new(chain, "line", json_integer((json_int_t)chk.bad_line));
		json_object_set_new(chain, "seq", json_integer(chk.bad_seq));
		json_object_set_new(chain, "reason", json_string(chk.reason));
	} else {
		json_object_set_new(chain, "chain", json_string("ok"));
		json_object_set_new(chain, "entries", json_integer((json_int_t)chk.entries));
		json_object_set_new(chain, "head", json_string(chk.head));
		json_array_foreach(entries, i, e)
			if (strcmp(json_string_value(json_object_get(e, "type")), OB_LEDGER_EVENT) ||
			    !json_is_string(json_object_get(json_object_get(e, "data"), "sha256")))
				problem(problems, "%s: line %zu (seq %zu): not a '%s' entry with a sha256", path,
					i + 1, i, OB_LEDGER_EVENT);
	}
	if (!unreadable)
		check_sig(path, buf, len, key, &chk, problems, sreport, &missing);
	if (unreadable)
		*verdict = OB_VERDICT_UNREADABLE;
	else if (json_array_size(problems))
		*verdict = OB_VERDICT_TAMPERED;
	else if (missing)
		*verdict = OB_VERDICT_UNSIGNED;
	else
		*verdict = OB_VERDICT_OK;
	json_object_set_new(r, "ledger", ob_json_bytes(path));
	json_object_set_new(r, "status", json_string(ob_verdict_name(*verdict)));
	json_object_set_new(r, "problems", problems);
	json_object_set_new(r, "chain", chain);
	json_object_set_new(r, "signature", sreport);
	*report = r;
	if (entries_out)
		*entries_out = entries;
	else
		json_decref(entries);
	free(buf);
	return 0;
}

long long ob_ledger_find(const json_t *entries, const char *sha256_hex)
{
	size_t i;
	json_t *e;

	json_array_foreach(entries, i, e)
		if (!strcmp(json_string_value(json_object_get(json_object_get(e, "data"), "sha256")) ?: "",
			    sha256_hex))
			return (long long)i;
	return -1;
}

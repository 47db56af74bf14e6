/* SPDX-License-Identifier: MIT */
/* bundle_verify.c - verify a bundle offline: tar, manifest chain, signature, members; report as JSON. */
#include "obscura/bundle_verify.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/bundle.h"
#include "obscura/error.h"
#include "obscura/manifest.h"
#include "obscura/utf8.h"
#include "obscura/banned.h"

#define SMALL_MEMBER_MAX OB_MINISIGN_FILE_MAX /* signature and public key */

const char *ob_verdict_name(enum ob_verdict v)
{
	switch (v) {
	case OB_VERDICT_OK: return "ok";
	case OB_VERDICT_UNSIGNED: return "unsigned";
	case OB_VERDICT_UNREADABLE: return "unreadable";
	default: return "tampered";
	}
}

int ob_trusted_comment(char *buf, size_t size, long long timestamp, const char *job,
		       const char *head)
{
	int n;

	if (job)
		n = snprintf(buf, size, "timestamp:%lld\tfile:%s\thashed\tjob:%s\thead:%s", timestamp,
			     OB_BUNDLE_MANIFEST, job, head);
	else
		n = snprintf(buf, size, "timestamp:%lld\tfile:%s\thashed\thead:%s", timestamp,
			     OB_BUNDLE_MANIFEST, head);
	if (n < 0 || (size_t)n >= size || strchr(buf, '\n') || strchr(buf, '\r'))
		return ob_err(OB_ERR_LIMIT, "trusted comment too long or not one line");
	return 0;
}

bool ob_trusted_comment_field(const char *comment, const char *key, char *out, size_t size)
{
	size_t klen = strlen(key);
	const char *p = comment;

	while (p && *p) {
		const char *end = strchr(p, '\t');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len > klen && !strncmp(p, key, klen) && p[klen] == ':') {
			snprintf(out, size, "%.*s", (int)(len - klen - 1), p + klen + 1);
			return true;
		}
		p = end ? end + 1 : NULL;
	}
	return false;
}

/* State of one verification. */
struct vstate {
	json_t *report;
	json_t *problems;
	bool unreadable;
	char *manifest;
	size_t manifest_len;
	char *sig;
	size_t sig_len;
	char *pub;
	size_t pub_len;
};

static void problem(struct vstate *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(struct vstate *v, const char *fmt, ...)
{
	char buf[OB_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(v->problems, ob_json_bytes(buf));
}

/* Takes ownership of the member's data into *dst if it is the one we keep. */
static void take(struct ob_bundle_member *m, char **dst, size_t *len)
{
	free(*dst);
	*dst = m->data;
	*len = (size_t)m->size;
	m->data = NULL;
}

static int read_members(struct vstate *v, const char *path, json_t *members)
{
	static const char *const keep[] = { OB_BUNDLE_MANIFEST, OB_BUNDLE_SIGNATURE, OB_BUNDLE_PUBKEY,
					    NULL };
	struct ob_bundle_reader *r = NULL;
	struct ob_bundle_member m;
	int rc;

	rc = ob_bundle_open(path, keep, OB_MANIFEST_FILE_MAX, &r);
	if (rc) {
		v->unreadable = true;
		problem(v, "%s", ob_errmsg());
		return 0;
	}
	while ((rc = ob_bundle_next(r, &m)) == 1) {
		json_t *j = json_pack("{s:s, s:I, s:s, s:s}", "name", m.name, "size", (json_int_t)m.size,
				      "sha256", m.sha256_hex, "status", "unchecked");

		if (!j || json_array_append_new(members, j)) {
			ob_bundle_member_release(&m);
			ob_bundle_reader_free(&r);
			return ob_err(OB_ERR_NOMEM, "out of memory");
		}
		if (!strcmp(m.name, OB_BUNDLE_MANIFEST) && m.data)
			take(&m, &v->manifest, &v->manifest_len);
		else if (!strcmp(m.name, OB_BUNDLE_MANIFEST))
			problem(v, "%s: larger than %d bytes", OB_BUNDLE_MANIFEST, OB_MANIFEST_FILE_MAX);
		else if (!strcmp(m.name, OB_BUNDLE_SIGNATURE) && m.size <= SMALL_MEMBER_MAX)
			take(&m, &v->sig, &v->sig_len);
		else if (!strcmp(m.name, OB_BUNDLE_PUBKEY) && m.size <= SMALL_MEMBER_MAX)
			take(&m, &v->pub, &v->pub_len);
		ob_bundle_member_release(&m);
	}
	if (rc < 0) {
		v->unreadable = true;
		problem(v, "%s", ob_errmsg());
	} else if (json_array_size(members) == 0) {
		v->unreadable = true;
		problem(v, "%s: empty archive", path);
	}
	ob_bundle_reader_free(&r);
	return 0;
}

static json_t *check_manifest(struct vstate *v, json_t *mreport)
{
	struct ob_manifest_check chk;
	json_t *entries = NULL;
	size_t n;

	if (!v->manifest) {
		problem(v, "no %s in the bundle", OB_BUNDLE_MANIFEST);
		json_object_set_new(mreport, "chain", json_string("missing"));
		return NULL;
	}
	if (ob_manifest_check_buf(v->manifest, v->manifest_len, &entries, &chk)) {
		problem(v, "%s: %s", OB_BUNDLE_MANIFEST, chk.reason[0] ? chk.reason : ob_errmsg());
		json_object_set_new(mreport, "chain", json_string("broken"));
		json_object_set_new(mreport, "line", json_integer((json_int_t)chk.bad_line));
		json_object_set_new(mreport, "seq", json_integer(chk.bad_seq));
		json_object_set_new(mreport, "reason", json_string(chk.reason));
		return NULL;
	}
	json_object_set_new(mreport, "chain", json_string("ok"));
	json_object_set_new(mreport, "entries", json_integer((json_int_t)chk.entries));
	json_object_set_new(mreport, "head", json_string(chk.head));
	n = json_array_size(entries);
	if (strcmp(json_string_value(json_object_get(json_array_get(entries, 0), "type")), "start"))
		problem(v, "%s: the first entry is not a 'start' event", OB_BUNDLE_MANIFEST);
	if (strcmp(json_string_value(json_object_get(json_array_get(entries, n - 1), "type")), "end"))
		problem(v, "%s: the last entry is not an 'end' event (manifest truncated?)",
			OB_BUNDLE_MANIFEST);
	return entries;
}

static void check_signature(struct vstate *v, const struct ob_minisign_pub *key, const char *head,
			    json_t *sreport)
{
	struct ob_minisign_sig_info *info = NULL;
	struct ob_minisign_pub bundled;
	const struct ob_minisign_pub *use = key;
	char id[OB_MINISIGN_KEYID_LEN + 1], want[OB_SHA256_HEX_LEN + 2];

	if (!v->sig) {
		json_object_set_new(sreport, "status", json_string("missing"));
		return;
	}
	if (!v->manifest) {
		json_object_set_new(sreport, "status", json_string("invalid"));
		return;
	}
	info = calloc(1, sizeof(*info));
	if (!info) {
		problem(v, "out of memory");
		return;
	}
	if (!use) {
		if (!v->pub) {
			problem(v, "signed, but there is no %s in the bundle and no public key was given",
				OB_BUNDLE_PUBKEY);
			json_object_set_new(sreport, "status", json_string("invalid"));
			goto out;
		}
		if (ob_minisign_parse_public(v->pub, v->pub_len, &bundled)) {
			problem(v, "%s: %s", OB_BUNDLE_PUBKEY, ob_errmsg());
			json_object_set_new(sreport, "status", json_string("invalid"));
			goto out;
		}
		use = &bundled;
	}
	ob_minisign_keyid_hex(use->keynum, id);
	json_object_set_new(sreport, "key_id", json_string(id));
	json_object_set_new(sreport, "key", json_string(key ? "trusted" : "untrusted"));
	if (ob_minisign_verify_buf(use, v->manifest, v->manifest_len, v->sig, v->sig_len, info)) {
		problem(v, "%s: %s", OB_BUNDLE_SIGNATURE, ob_errmsg());
		json_object_set_new(sreport, "status", json_string("invalid"));
		goto out;
	}
	json_object_set_new(sreport, "status", json_string("valid"));
	json_object_set_new(sreport, "trusted_comment", json_string(info->trusted_comment));
	if (head && ob_trusted_comment_field(info->trusted_comment, "head", want, sizeof(want)) && strcmp(want, head))
		problem(v, "%s: the trusted comment names manifest head %s, but the manifest's head is %s",
			OB_BUNDLE_SIGNATURE, want, head);
out:
	free(info);
}

/* Compares each member with the output events, and each output event with the members. */
static void check_members(struct vstate *v, json_t *entries, json_t *members)
{
	size_t i, j;
	json_t *m, *e;

	json_array_foreach(members, i, m) {
		const char *name = json_string_value(json_object_get(m, "name"));
		json_int_t size = json_integer_value(json_object_get(m, "size"));
		const char *sha = json_string_value(json_object_get(m, "sha256"));
		const char *status = "not in manifest";

		if (!strcmp(name, OB_BUNDLE_MANIFEST) || !strcmp(name, OB_BUNDLE_SIGNATURE)) {
			json_object_set_new(m, "status", json_string("audit"));
			continue;
		}
		json_array_foreach(entries, j, e) {
			json_t *d = json_object_get(e, "data");
			const char *dn = json_string_value(json_object_get(d, "name"));
			const char *dsha = json_string_value(json_object_get(d, "sha256"));
			json_t *dsize = json_object_get(d, "size");

			if (strcmp(json_string_value(json_object_get(e, "type")), "output") || !dn ||
			    strcmp(dn, name))
				continue;
			if (!json_is_integer(dsize) || json_integer_value(dsize) != size) {
				status = "size differs";
				break;
			}
			if (!dsha || strcmp(dsha, sha)) {
				status = "sha256 differs";
				break;
			}
			status = "ok";
		}
		json_object_set_new(m, "status", json_string(status));
		if (strcmp(status, "ok"))
			problem(v, "member '%s': %s%s", name, status,
				strcmp(status, "not in manifest") ? " from the manifest" : "");
	}
	json_array_foreach(entries, j, e) {
		json_t *d = json_object_get(e, "data");
		const char *dn = json_string_value(json_object_get(d, "name"));
		bool found = false;

		if (strcmp(json_string_value(json_object_get(e, "type")), "output") ||
		    json_is_false(json_object_get(d, "bundled")))
			continue;
		if (!dn) {
			problem(v, "%s: output event seq %zu has no name", OB_BUNDLE_MANIFEST, j);
			continue;
		}
		json_array_foreach(members, i, m)
			if (!strcmp(json_string_value(json_object_get(m, "name")), dn))
				found = true;
		if (!found)
			problem(v, "member '%s' is listed in the manifest (seq %zu) but missing from the bundle",
				dn, j);
	}
}

int ob_verify_bundle(const char *path, const struct ob_minisign_pub *key, json_t **report,
		     enum ob_verdict *verdict)
{
	return ob_verify_bundle_entries(path, key, report, verdict, NULL);
}

int ob_verify_bundle_entries(const char *path, const struct ob_minisign_pub *key, json_t **report,
			     enum ob_verdict *verdict, json_t **manifest)
{
	struct vstate v = { 0 };
	json_t *members = json_array(), *mreport = json_object(), *sreport = json_object();
	json_t *entries = NULL;
	const char *head = NULL;
	int ret = 0;

	*report = NULL;
	*verdict = OB_VERDICT_UNREADABLE;
	if (manifest)
		*manifest = NULL;
	v.report = json_object();
	v.problems = json_array();
	if (!v.report || !v.problems || !members || !mreport || !sreport) {
		ret = ob_err(OB_ERR_NOMEM, "out of memory");
		goto out;
	}
	ret = read_members(&v, path, members);
	if (ret)
		goto out;
	if (!v.unreadable) {
		entries = check_manifest(&v, mreport);
		head = json_string_value(json_object_get(mreport, "head"));
		check_signature(&v, key, head, sreport);
		if (entries)
			check_members(&v, entries, members);
	}
	if (v.unreadable)
		*verdict = OB_VERDICT_UNREADABLE;
	else if (json_array_size(v.problems))
		*verdict = OB_VERDICT_TAMPERED;
	else if (!v.sig)
		*verdict = OB_VERDICT_UNSIGNED;
	else
		*verdict = OB_VERDICT_OK;
	json_object_set_new(v.report, "bundle", ob_json_bytes(path));
	json_object_set_new(v.report, "status", json_string(ob_verdict_name(*verdict)));
	json_object_set(v.report, "problems", v.problems);
	json_object_set(v.report, "manifest", mreport);
	json_object_set(v.report, "signature", sreport);
	json_object_set(v.report, "members", members);
	*report = v.report;
	v.report = NULL;
	if (manifest && entries) {
		*manifest = entries;
		entries = NULL;
	}
out:
	json_decref(entries);
	json_decref(members);
	json_decref(mreport);
	json_decref(sreport);
	json_decref(v.problems);
	json_decref(v.report);
	free(v.manifest);
	free(v.sig);
	free(v.pub);
	return ret;
}

const json_t *ob_manifest_next_event(const json_t *entries, const char *type, size_t *i)
{
	for (; *i < json_array_size(entries); (*i)++) {
		const json_t *e = json_array_get(entries, *i);
		const char *t = json_string_value(json_object_get(e, "type"));

		if (t && (!type || !strcmp(t, type)) && json_is_object(json_object_get(e, "data"))) {
			(*i)++;
			return json_object_get(e, "data");
		}
	}
	return NULL;
}

const json_t *ob_manifest_event(const json_t *entries, const char *type)
{
	size_t i = 0;

	return ob_manifest_next_event(entries, type, &i);
}

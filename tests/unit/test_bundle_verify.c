/* SPDX-License-Identifier: MIT */
/* test_bundle_verify.c - bundle verification: the tamper matrix a recipient will try, each detected and named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <unistd.h>

#include "obscura/bundle.h"
#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/manifest.h"
#include "obscura/minisign.h"
#include "obscura/bundle_verify.h"
#include "obscura/banned.h"

static char dir[64];
static struct ob_minisign_key *key, *other;
static struct ob_minisign_pub pub;
static const char export_data[] = "pretend this is an anonymized video";

/* What to do to the bundle; all false gives a good signed bundle. */
struct spec {
	bool unsigned_;
	bool other_key;          /* re-signed (and signer.pub replaced) by someone else */
	bool no_end;             /* manifest stops before "end" */
	int drop_line;           /* 1-based manifest line removed after signing, 0 none */
	int swap_lines;          /* swap this line with the next after signing */
	int dup_line;            /* duplicate this line after signing */
	const char *export_as;   /* other content for the export member */
	bool flip_sig;           /* one byte of the .minisig changed */
	bool flip_pub;           /* one byte of signer.pub changed */
	bool extra;              /* a member the manifest does not list */
	bool omit_export;        /* the export member left out */
	size_t truncate_to;      /* cut the tar to this many bytes, 0 none */
};

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/test_verify.XXXXXX");
	if (!mkdtemp(dir) || ob_minisign_generate(&key) || ob_minisign_generate(&other))
		return -1;
	ob_minisign_key_public(key, &pub);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	ob_minisign_key_free(&key);
	ob_minisign_key_free(&other);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static json_t *output_event(const char *name, const char *data, size_t len)
{
	unsigned char sha[OB_SHA256_LEN];
	char hex[OB_SHA256_HEX_LEN + 1];

	ob_sha256(data, len, sha);
	ob_hex_encode(sha, sizeof(sha), hex);
	return json_pack("{s:s, s:I, s:s}", "name", name, "size", (json_int_t)len, "sha256", hex);
}

/* Rebuilds buf (lines) with one line dropped, swapped with the next, or duplicated. */
static char *edit_lines(const char *buf, size_t *len, const struct spec *s)
{
	char *lines[32], *copy = strdup(buf), *save = NULL, *out = malloc(*len * 2 + 1);
	size_t n = 0, o = 0;

	for (char *l = strtok_r(copy, "\n", &save); l && n < 32; l = strtok_r(NULL, "\n", &save))
		lines[n++] = l;
	for (size_t i = 0; i < n; i++) {
		size_t src = i;

		if (s->drop_line == (int)i + 1)
			continue;
		if (s->swap_lines == (int)i + 1)
			src = i + 1;
		else if (s->swap_lines && s->swap_lines == (int)i)
			src = i - 1;
		o += (size_t)snprintf(out + o, *len * 2 + 1 - o, "%s\n", lines[src]);
		if (s->dup_line == (int)i + 1)
			o += (size_t)snprintf(out + o, *len * 2 + 1 - o, "%s\n", lines[src]);
	}
	free(copy);
	*len = o;
	return out;
}

static void build(const char *path, const struct spec *s)
{
	const struct ob_minisign_key *signer = s->other_key ? other : key;
	struct ob_minisign_pub spub;
	struct ob_manifest *m = NULL;
	struct ob_bundle_writer *w = NULL;
	char mpath[128], tc[256], *mbuf = NULL, *sig = NULL, *pubtext = NULL, *edited;
	size_t mlen, siglen = 0, publen = 0;

	ob_minisign_key_public(signer, &spub);
	assert_int_equal(ob_minisign_public_text(&spub, &pubtext, &publen), 0);
	snprintf(mpath, sizeof(mpath), "%s/manifest.jsonl", dir);
	assert_int_equal(ob_manifest_open(mpath, &m), 0);
	assert_int_equal(ob_manifest_append_new(m, "start", json_pack("{s:s}", "version", "test")), 0);
	assert_int_equal(ob_manifest_append_new(m, "input", json_pack("{s:s}", "path", "in.mp4")), 0);
	assert_int_equal(ob_manifest_append_new(m, "output",
						output_event("export.mp4", export_data, strlen(export_data))),
			 0);
	if (!s->unsigned_)
		assert_int_equal(ob_manifest_append_new(m, "output",
							output_event(OB_BUNDLE_PUBKEY, pubtext, publen)),
				 0);
	if (!s->no_end)
		assert_int_equal(ob_manifest_append_new(m, "end", json_pack("{s:s}", "status", "ok")), 0);
	assert_int_equal(ob_manifest_close(m), 0);
	assert_int_equal(ob_read_file(mpath, 1 << 20, &mbuf, &mlen), 0);
	if (!s->unsigned_) {
		assert_int_equal(ob_trusted_comment(tc, sizeof(tc), 1700000000, "test", ob_manifest_head(m)), 0);
		assert_int_equal(ob_minisign_sign_buf(signer, mbuf, mlen, NULL, tc, &sig, &siglen), 0);
		if (s->flip_sig)
			sig[70] = sig[70] == 'A' ? 'B' : 'A';
	}
	ob_manifest_free(&m);
	unlink(mpath);
	edited = edit_lines(mbuf, &mlen, s);
	if (s->flip_pub)
		pubtext[publen - 5] = pubtext[publen - 5] == 'A' ? 'B' : 'A';

	assert_int_equal(ob_bundle_create(path, &w), 0);
	if (!s->omit_export) {
		const char *e = s->export_as ? s->export_as : export_data;

		assert_int_equal(ob_bundle_add_buffer(w, "export.mp4", e, strlen(e)), 0);
	}
	if (s->extra)
		assert_int_equal(ob_bundle_add_buffer(w, "extra.txt", "sneaked in", 10), 0);
	if (!s->unsigned_)
		assert_int_equal(ob_bundle_add_buffer(w, OB_BUNDLE_PUBKEY, pubtext, publen), 0);
	assert_int_equal(ob_bundle_add_buffer(w, OB_BUNDLE_MANIFEST, edited, mlen), 0);
	if (!s->unsigned_)
		assert_int_equal(ob_bundle_add_buffer(w, OB_BUNDLE_SIGNATURE, sig, siglen), 0);
	assert_int_equal(ob_bundle_commit(w), 0);
	ob_bundle_writer_free(&w);
	if (s->truncate_to)
		assert_int_equal(truncate(path, (off_t)s->truncate_to), 0);
	free(mbuf);
	free(edited);
	free(sig);
	free(pubtext);
}

/* Builds per spec, verifies with the trusted key (or none), checks verdict and that some problem names why. */
static json_t *check(const struct spec *s, bool trusted, enum ob_verdict want, const char *why)
{
	char path[128];
	enum ob_verdict v;
	json_t *r = NULL;
	char *dump;

	snprintf(path, sizeof(path), "%s/b" OB_BUNDLE_SUFFIX, dir);
	build(path, s);
	assert_int_equal(ob_verify_bundle(path, trusted ? &pub : NULL, &r, &v), 0);
	dump = json_dumps(r, JSON_COMPACT);
	if (v != want)
		fail_msg("verdict %s, expected %s: %s", ob_verdict_name(v), ob_verdict_name(want), dump);
	if (why && !strstr(dump, why))
		fail_msg("report does not mention '%s': %s", why, dump);
	assert_string_equal(json_string_value(json_object_get(r, "status")), ob_verdict_name(want));
	free(dump);
	unlink(path);
	return r;
}

static void test_good_bundle(void **state)
{
	struct spec s = { 0 };
	json_t *r = check(&s, true, OB_VERDICT_OK, NULL);
	json_t *sig = json_object_get(r, "signature");

	assert_string_equal(json_string_value(json_object_get(sig, "status")), "valid");
	assert_string_equal(json_string_value(json_object_get(sig, "key")), "trusted");
	assert_non_null(strstr(json_string_value(json_object_get(sig, "trusted_comment")), "\thead:"));
	assert_int_equal(json_array_size(json_object_get(r, "problems")), 0);
	json_decref(r);
	r = check(&s, false, OB_VERDICT_OK, "\"key\":\"untrusted\"");
	json_decref(r);
}

static void test_unsigned(void **state)
{
	struct spec s = { .unsigned_ = true };

	json_decref(check(&s, true, OB_VERDICT_UNSIGNED, "\"status\":\"missing\""));
	/* unsigned and broken is tampered, not merely unsigned */
	s.drop_line = 2;
	json_decref(check(&s, true, OB_VERDICT_TAMPERED, "line 2"));
	s.drop_line = 0;
	s.no_end = true;
	json_decref(check(&s, true, OB_VERDICT_TAMPERED, "not an 'end' event"));
}

static void test_member_tampering(void **state)
{
	struct spec s = { .export_as = "pretend this is an anonymized videO" };

	json_decref(check(&s, true, OB_VERDICT_TAMPERED, "member 'export.mp4': sha256 differs"));
	s.export_as = "another video, swapped in";
	json_decref(check(&s, true, OB_VERDICT_TAMPERED, "member 'export.mp4': size differs"));
	s.export_as = NULL;
	s.extra = true;
	json_decref(check(&s, true, OB_VERDICT_TAMPERED, "member 'extra.txt': not in manifest"));
	s.extra = false;
	s.omit_export = true;
	json_decref(check(&s, true, OB_VERDICT_TAMPERED, "'export.mp4' is listed in the manifest"));
	s.omit_export = false;
	s.flip_pub = true;
	json_decref(check(&s, true, OB_VERDICT_TAMPERED, "member 'signer.pub': sha256 differs"));
}

static void test_manifest_tampering(void **state)
{
	struct spec s = { .drop_line = 3 };

	json_decref(check(&s, true, OB_VERDICT_TAMPERED, "manifest.jsonl: manifest line 3: seq is 3, expected 2"));
	s.drop_line = 0;
	s.swap_lines = 2;
	json_decref(check(&s, true, OB_VERDICT_TAMPERED, "seq is 2, expected 1"));
	s.swap_lines = 0;
	s.dup_line = 2;
	json_decref(check(&s, true, OB_VERDICT_TAMPERED, "seq is 1, expected 2"));
	/* every manifest edit also breaks the signature */
	json_decref(check(&s, true, OB_VERDICT_TAMPERED, "manifest.jsonl.minisig: signature does not match"));
}

static void test_signature_tampering(void **state)
{
	struct spec s = { .flip_sig = true };

	json_decref(check(&s, true, OB_VERDICT_TAMPERED, "manifest.jsonl.minisig"));
	s.flip_sig = false;
	s.other_key = true;
	json_decref(check(&s, true, OB_VERDICT_TAMPERED, "not by key"));
	/* without a trusted key the forger's own signer.pub verifies: reported untrusted */
	json_decref(check(&s, false, OB_VERDICT_OK, "\"key\":\"untrusted\""));
}

static void test_unreadable(void **state)
{
	struct spec s = { .truncate_to = 700 };
	char path[128];
	enum ob_verdict v;
	json_t *r = NULL;

	json_decref(check(&s, true, OB_VERDICT_UNREADABLE, "Truncated"));
	snprintf(path, sizeof(path), "%s/none.tar", dir);
	assert_int_equal(ob_verify_bundle(path, &pub, &r, &v), 0);
	assert_int_equal(v, OB_VERDICT_UNREADABLE);
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_bundle),
		cmocka_unit_test(test_unsigned),
		cmocka_unit_test(test_member_tampering),
		cmocka_unit_test(test_manifest_tampering),
		cmocka_unit_test(test_signature_tampering),
		cmocka_unit_test(test_unreadable),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/* SPDX-License-Identifier: MIT */
/* verify.c - `obscura verify`: check bundles offline and say OK, UNSIGNED, TAMPERED or UNREADABLE. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "obscura/cli.h"
#include "obscura/error.h"
#include "obscura/hash.h"
#include "obscura/ledger.h"
#include "obscura/minisign.h"
#include "obscura/bundle_verify.h"
#include "obscura/utf8.h"
#include "obscura/banned.h"

/* UNREADABLE or TAMPERED, bundle or ledger alike: the first problem, then the rest. */
static void print_problems(FILE *f, const char *path, enum ob_verdict v, const json_t *problems)
{
	const json_t *p;
	size_t i;

	fprintf(f, "%s: %s: %s\n", path, v == OB_VERDICT_UNREADABLE ? "UNREADABLE" : "TAMPERED",
		json_string_value(json_array_get(problems, 0)));
	if (v == OB_VERDICT_UNREADABLE)
		return;
	json_array_foreach(problems, i, p)
		if (i > 0)
			fprintf(f, "  - %s\n", json_string_value(p));
}

/* One bundle in human words: a verdict line, then each problem indented. */
static void print_human(FILE *f, const json_t *r, enum ob_verdict v)
{
	const json_t *sig = json_object_get(r, "signature"), *man = json_object_get(r, "manifest");
	const json_t *problems = json_object_get(r, "problems");
	const char *path = json_string_value(json_object_get(r, "bundle"));
	const char *keyid = json_string_value(json_object_get(sig, "key_id"));
	bool trusted = !strcmp(json_string_value(json_object_get(sig, "key")) ?: "", "trusted");
	size_t members = 0, i;
	const json_t *p;

	json_array_foreach(json_object_get(r, "members"), i, p)
		if (!strcmp(json_string_value(json_object_get(p, "status")) ?: "", "ok"))
			members++;

	switch (v) {
	case OB_VERDICT_OK:
		fprintf(f, "%s: OK: signed by %s key %s; manifest chain of %lld entries intact; %zu members "
			   "match it\n",
			path, trusted ? "trusted" : "UNTRUSTED", keyid,
			(long long)json_integer_value(json_object_get(man, "entries")), members);
		if (!trusted)
			fprintf(f, "  - the key came from the bundle's own signer.pub: give -p KEY to check "
				   "who signed\n");
		break;
	case OB_VERDICT_UNSIGNED:
		fprintf(f, "%s: UNSIGNED: manifest chain and %zu members intact, but there is no signature\n",
			path, members);
		break;
	default:
		print_problems(f, path, v, problems);
		break;
	}
}

/* The ledger in human words. */
static void print_ledger(FILE *f, const json_t *r, enum ob_verdict v)
{
	const json_t *sig = json_object_get(r, "signature"), *chain = json_object_get(r, "chain");
	const json_t *problems = json_object_get(r, "problems");
	const char *path = json_string_value(json_object_get(r, "ledger"));
	bool trusted = !strcmp(json_string_value(json_object_get(sig, "key")) ?: "", "trusted");

	switch (v) {
	case OB_VERDICT_OK:
		fprintf(f, "%s: OK: ledger of %lld entries, chain intact, signed by %s key %s\n", path,
			(long long)json_integer_value(json_object_get(chain, "entries")),
			trusted ? "trusted" : "UNTRUSTED", json_string_value(json_object_get(sig, "key_id")));
		if (!trusted)
			fprintf(f, "  - the key came from the ledger's own .pub file: give -p KEY to check "
				   "who signed\n");
		break;
	case OB_VERDICT_UNSIGNED:
		fprintf(f, "%s: UNSIGNED: ledger chain intact, but there is no signature\n", path);
		break;
	default:
		print_problems(f, path, v, problems);
		break;
	}
}

/* A bundle named with --ledger must be in it: its SHA-256 recorded by an
 * entry.  An unreadable ledger says nothing of the bundle: its own verdict
 * (exit 9) stands. */
static void check_in_ledger(const char *path, const json_t *entries, enum ob_verdict lv, json_t *r,
			    enum ob_verdict *v)
{
	unsigned char digest[OB_SHA256_LEN];
	char hex[OB_SHA256_HEX_LEN + 1], msg[OB_ERRMSG_MAX];
	long long seq;

	if (lv == OB_VERDICT_UNREADABLE || *v == OB_VERDICT_UNREADABLE ||
	    ob_sha256_file(path, OB_HASH_FILE_MAX, digest, NULL))
		return;
	ob_hex_encode(digest, sizeof(digest), hex);
	seq = entries ? ob_ledger_find(entries, hex) : -1;
	json_object_set_new(r, "ledger_seq", seq >= 0 ? json_integer(seq) : json_null());
	if (seq >= 0)
		return;
	snprintf(msg, sizeof(msg), "%s: its SHA-256 %s is not in the ledger", path, hex);
	json_array_append_new(json_object_get(r, "problems"), ob_json_bytes(msg));
	*v = OB_VERDICT_TAMPERED;
	json_object_set_new(r, "status", json_string(ob_verdict_name(*v)));
}

int cmd_verify(int argc, char **argv)
{
	struct ob_cli_parser opts;
	const struct ob_command *cmd;
	struct ob_minisign_pub key;
	const char *keypath = NULL, *ledger = NULL;
	json_t *lentries = NULL;
	bool json = false, quiet = false;
	enum ob_verdict worst = OB_VERDICT_OK, lverdict = OB_VERDICT_OK;
	json_t *all = NULL;
	int c, ret;

	ob_cli_parser_init(&opts, "verify");
	cmd = opts.cmd;
	while ((c = ob_cli_next(&opts, argc, argv, &ret)) != OB_CLI_DONE) {
		switch (c) {
		case OB_CLI_RETURN:
			return ret;
		case 'p': keypath = optarg; break;
		case OB_OPT_LEDGER: ledger = optarg; break;
		case OB_OPT_JSON: json = true; break;
		case 'q': quiet = true; break;
		}
	}
	if (optind >= argc && !ledger)
		return ob_cli_usage_error(cmd, "no bundle given");
	if (keypath && ob_minisign_load_public(keypath, &key))
		return ob_cli_fail(OB_EXIT_USAGE);
	all = json_array();
	if (!all)
		return ob_cli_error(OB_EXIT_INTERNAL, "out of memory");
	if (ledger) {
		enum ob_verdict v;
		json_t *r = NULL;

		if (ob_verify_ledger(ledger, keypath ? &key : NULL, &r, &v, &lentries)) {
			ret = ob_cli_error(OB_EXIT_INTERNAL, "%s: %s", ledger, ob_errmsg());
			goto out;
		}
		worst = lverdict = v;
		if (!json && !quiet)
			print_ledger(stdout, r, v);
		json_array_append_new(all, r);
	}
	for (int i = optind; i < argc; i++) {
		enum ob_verdict v;
		json_t *r = NULL;

		if (ob_verify_bundle(argv[i], keypath ? &key : NULL, &r, &v)) {
			ret = ob_cli_error(OB_EXIT_INTERNAL, "%s: %s", argv[i], ob_errmsg());
			goto out;
		}
		if (ledger)
			check_in_ledger(argv[i], lentries, lverdict, r, &v);
		if (v > worst)
			worst = v;
		if (!json && !quiet)
			print_human(stdout, r, v);
		json_array_append_new(all, r);
	}
	if (json) {
		ob_cli_print_json(all, JSON_PRESERVE_ORDER);
	}
	ret = ob_cli_finish_stdout(ob_cli_exit_for_verdict(worst));
out:
	json_decref(lentries);
	json_decref(all);
	return ret;
}

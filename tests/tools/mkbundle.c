/* SPDX-License-Identifier: MIT */
/* mkbundle.c - test tool: build a signed (or unsigned) bundle from files with the audit modules. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "obscura/bundle.h"
#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/hash.h"
#include "obscura/manifest.h"
#include "obscura/minisign.h"
#include "obscura/bundle_verify.h"
#include "obscura/version.h"
#include "obscura/banned.h"

/*
 * usage: mkbundle -o OUT.obscura.tar [-s SECKEY [-P PASSFILE]] FILE...
 *
 * Writes what a job will write: a manifest with a "start" event, one
 * "output" event per FILE (and for signer.pub), an "end" event; signs it
 * with SECKEY (none: an unsigned bundle); bundles FILE..., signer.pub,
 * manifest.jsonl and manifest.jsonl.minisig.  Exit 0 or 1 with a message.
 */

static int output_event(struct ob_manifest *m, const char *name, const char *path)
{
	unsigned char sha[OB_SHA256_LEN];
	char hex[OB_SHA256_HEX_LEN + 1];
	uint64_t size;
	int ret = ob_sha256_file(path, OB_HASH_FILE_MAX, sha, &size);

	if (ret)
		return ret;
	ob_hex_encode(sha, sizeof(sha), hex);
	return ob_manifest_append_new(m, "output", json_pack("{s:s, s:I, s:s}", "name", name, "size",
							     (json_int_t)size, "sha256", hex));
}

int main(int argc, char **argv)
{
	const char *out = NULL, *seckey = NULL, *passfile = NULL;
	char dir[] = "/tmp/mkbundle.XXXXXX", mpath[OB_PATH_MAX], ppath[OB_PATH_MAX];
	char tc[OB_MINISIGN_TRUSTED_MAX + 1];
	struct ob_minisign_key *key = NULL;
	struct ob_manifest *m = NULL;
	struct ob_bundle_writer *w = NULL;
	char *pass = NULL, *pubtext = NULL, *sig = NULL;
	size_t passlen = 0, publen = 0, siglen = 0;
	bool made_dir = false;
	int c, ret = 0;

	while ((c = getopt(argc, argv, "o:s:P:")) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 's': seckey = optarg; break;
		case 'P': passfile = optarg; break;
		default:
			fprintf(stderr, "usage: mkbundle -o OUT [-s SECKEY [-P PASSFILE]] FILE...\n");
			return 2;
		}
	}
	if (!out || optind >= argc) {
		fprintf(stderr, "usage: mkbundle -o OUT [-s SECKEY [-P PASSFILE]] FILE...\n");
		return 2;
	}
	if (!mkdtemp(dir)) {
		fprintf(stderr, "mkbundle: %s\n", strerror(errno));
		return 1;
	}
	made_dir = true;
	snprintf(mpath, sizeof(mpath), "%s/%s", dir, OB_BUNDLE_MANIFEST);
	snprintf(ppath, sizeof(ppath), "%s/%s", dir, OB_BUNDLE_PUBKEY);
	if (passfile && (ret = ob_minisign_read_passphrase(passfile, &pass, &passlen)))
		goto out;
	if (seckey && (ret = ob_minisign_load_secret(seckey, pass, passlen, &key)))
		goto out;
	if ((ret = ob_manifest_open(mpath, &m)))
		goto out;
	ret = ob_manifest_append_new(m, "start", json_pack("{s:s, s:s}", "tool", "mkbundle", "version",
							   OB_VERSION));
	for (int i = optind; !ret && i < argc; i++)
		ret = output_event(m, ob_path_base(argv[i]), argv[i]);
	if (!ret && key) {
		struct ob_minisign_pub pub;

		ob_minisign_key_public(key, &pub);
		ret = ob_minisign_public_text(&pub, &pubtext, &publen);
		if (!ret)
			ret = ob_write_file_atomic(ppath, pubtext, publen, 0644);
		if (!ret)
			ret = output_event(m, OB_BUNDLE_PUBKEY, ppath);
	}
	if (!ret)
		ret = ob_manifest_append_new(m, "end", json_pack("{s:s}", "status", "ok"));
	if (!ret)
		ret = ob_manifest_close(m);
	if (!ret && key) {
		ret = ob_trusted_comment(tc, sizeof(tc), (long long)time(NULL), "mkbundle",
					 ob_manifest_head(m));
		if (!ret)
			ret = ob_minisign_sign_file(key, mpath, NULL, tc, &sig, &siglen);
	}
	if (!ret)
		ret = ob_bundle_create(out, &w);
	for (int i = optind; !ret && i < argc; i++)
		ret = ob_bundle_add_file(w, ob_path_base(argv[i]), argv[i]);
	if (!ret && key)
		ret = ob_bundle_add_buffer(w, OB_BUNDLE_PUBKEY, pubtext, publen);
	if (!ret)
		ret = ob_bundle_add_file(w, OB_BUNDLE_MANIFEST, mpath);
	if (!ret && key)
		ret = ob_bundle_add_buffer(w, OB_BUNDLE_SIGNATURE, sig, siglen);
	if (!ret)
		ret = ob_bundle_commit(w);
out:
	if (ret)
		fprintf(stderr, "mkbundle: %s\n", ob_errmsg());
	ob_bundle_writer_free(&w);
	ob_manifest_free(&m);
	ob_minisign_key_free(&key);
	ob_minisign_passphrase_free(&pass, passlen);
	free(pubtext);
	free(sig);
	if (made_dir) {
		unlink(mpath);
		unlink(ppath);
		rmdir(dir);
	}
	return ret ? 1 : 0;
}

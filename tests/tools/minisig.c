/* SPDX-License-Identifier: MIT */
/* minisig.c - test tool: sign or verify one file with Obscura's minisign module. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/minisign.h"
#include "obscura/banned.h"

/*
 * usage: minisig -S -s SECKEY [-P PASSFILE] [-t TRUSTED] -m FILE -x SIGFILE
 *        minisig -V -p PUBKEY -m FILE -x SIGFILE
 * Exit 0 on success (verify: valid; prints the trusted comment), 1 with a message otherwise.
 */
int main(int argc, char **argv)
{
	const char *sk = NULL, *pk = NULL, *passfile = NULL, *msg = NULL, *sigpath = NULL;
	const char *trusted = "obscura test signature";
	struct ob_minisign_key *key = NULL;
	struct ob_minisign_pub pub;
	struct ob_minisign_sig_info info;
	char *pass = NULL, *sig = NULL;
	size_t passlen = 0, siglen = 0;
	int c, mode = 0, ret = 0;

	while ((c = getopt(argc, argv, "SVs:p:P:t:m:x:")) != -1) {
		switch (c) {
		case 'S': case 'V': mode = c; break;
		case 's': sk = optarg; break;
		case 'p': pk = optarg; break;
		case 'P': passfile = optarg; break;
		case 't': trusted = optarg; break;
		case 'm': msg = optarg; break;
		case 'x': sigpath = optarg; break;
		default: mode = 0; optind = argc; break;
		}
	}
	if (!msg || !sigpath || (mode == 'S' && !sk) || (mode == 'V' && !pk) || !mode) {
		fprintf(stderr, "usage: minisig -S -s SECKEY [-P PASSFILE] [-t TRUSTED] -m FILE -x SIG\n"
				"       minisig -V -p PUBKEY -m FILE -x SIG\n");
		return 2;
	}
	if (mode == 'S') {
		if (passfile)
			ret = ob_minisign_read_passphrase(passfile, &pass, &passlen);
		if (!ret)
			ret = ob_minisign_load_secret(sk, pass, passlen, &key);
		if (!ret)
			ret = ob_minisign_sign_file(key, msg, NULL, trusted, &sig, &siglen);
		if (!ret)
			ret = ob_write_file_atomic(sigpath, sig, siglen, 0644);
	} else {
		ret = ob_minisign_load_public(pk, &pub);
		if (!ret)
			ret = ob_read_file(sigpath, OB_MINISIGN_FILE_MAX, &sig, &siglen);
		if (!ret)
			ret = ob_minisign_verify_file(&pub, msg, sig, siglen, &info);
		if (!ret)
			printf("%s\n", info.trusted_comment);
	}
	if (ret)
		fprintf(stderr, "minisig: %s\n", ob_errmsg());
	ob_minisign_key_free(&key);
	ob_minisign_passphrase_free(&pass, passlen);
	free(sig);
	return ret ? 1 : 0;
}

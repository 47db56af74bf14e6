/* SPDX-License-Identifier: MIT */
/* keygen.c - `obscura keygen`: create an Ed25519 key pair in minisign's file formats. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "obscura/cli.h"
#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/minisign.h"
#include "obscura/banned.h"

#define DEFAULT_PREFIX "obscura"

/* Reads one line from the terminal with echo off into buf (secure memory). */
static int prompt_line(int tty, const char *question, char *buf, size_t size, size_t *len)
{
	struct termios old, quiet;
	size_t n = 0;
	char c;
	int ret = 0;

	if (ob_write_full(tty, question, strlen(question)) < 0)
		return ob_err(OB_ERR_USAGE, "cannot write to the terminal");
	if (tcgetattr(tty, &old) < 0)
		return ob_err(OB_ERR_USAGE, "cannot read the terminal settings");
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(tty, TCSAFLUSH, &quiet);
	for (;;) {
		if (ob_read_full(tty, &c, 1) != 1 || c == '\n')
			break;
		if (n + 1 >= size) {
			ret = ob_err(OB_ERR_USAGE, "passphrase longer than %d bytes", OB_MINISIGN_PASSPHRASE_MAX);
			break;
		}
		buf[n++] = c;
	}
	buf[n] = '\0';
	c = 0;
	tcsetattr(tty, TCSAFLUSH, &old);
	if (ob_write_full(tty, "\n", 1) < 0)
		ret = ret ? ret : ob_err(OB_ERR_USAGE, "cannot write to the terminal");
	*len = n;
	return ret;
}

/* Asks for the passphrase twice; both answers must agree. */
static int prompt_passphrase(char *pass, char *again, size_t size, size_t *len)
{
	size_t len2 = 0;
	int tty, ret;

	tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (tty < 0)
		return ob_err(OB_ERR_USAGE, "no terminal to ask for a passphrase: give --passphrase-file FILE "
					    "or --no-passphrase");
	ret = prompt_line(tty, "Passphrase for the new secret key: ", pass, size, len);
	if (!ret)
		ret = prompt_line(tty, "Passphrase (again): ", again, size, &len2);
	close(tty);
	if (ret)
		return ret;
	if (*len == 0)
		return ob_err(OB_ERR_USAGE, "empty passphrase: use --no-passphrase for an unencrypted key");
	if (*len != len2 || memcmp(pass, again, *len))
		return ob_err(OB_ERR_USAGE, "the passphrases do not match");
	return 0;
}

int cmd_keygen(int argc, char **argv)
{
	struct ob_cli_parser opts;
	const struct ob_command *cmd;
	const char *prefix = NULL, *secret = NULL, *public = NULL, *passfile = NULL;
	char secbuf[OB_PATH_MAX], pubbuf[OB_PATH_MAX], id[OB_MINISIGN_KEYID_LEN + 1];
	bool no_pass = false, force = false;
	struct ob_minisign_key *key = NULL;
	struct ob_minisign_pub pub;
	char *pass = NULL, *again = NULL;
	size_t passlen = 0, passsize = 0;
	int c, ret;

	ob_cli_parser_init(&opts, "keygen");
	cmd = opts.cmd;
	while ((c = ob_cli_next(&opts, argc, argv, &ret)) != OB_CLI_DONE) {
		switch (c) {
		case OB_CLI_RETURN:
			return ret;
		case 'o': prefix = optarg; break;
		case 's': secret = optarg; break;
		case 'p': public = optarg; break;
		case OB_OPT_PASSPHRASE_FILE: passfile = optarg; break;
		case OB_OPT_NO_PASSPHRASE: no_pass = true; break;
		case OB_OPT_FORCE: force = true; break;
		}
	}
	if (optind < argc)
		return ob_cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (prefix && (secret || public))
		return ob_cli_usage_error(cmd, "give either --output PREFIX or --secret and --public");
	if (!!secret != !!public)
		return ob_cli_usage_error(cmd, "--secret and --public go together");
	if (passfile && no_pass)
		return ob_cli_usage_error(cmd, "give either --passphrase-file or --no-passphrase");
	if (!secret) {
		struct stat st;
		size_t len;

		if (!prefix)
			prefix = DEFAULT_PREFIX;
		/* "-o keys/" would write the hidden keys/.key and keys/.pub */
		len = strlen(prefix);
		if (!len)
			return ob_cli_usage_error(cmd, "--output needs a prefix, such as dpo");
		if (prefix[len - 1] == '/' || (stat(prefix, &st) == 0 && S_ISDIR(st.st_mode))) {
			while (len > 0 && prefix[len - 1] == '/')
				len--;
			return ob_cli_usage_error(cmd, "--output %s: names a directory; give a prefix such as %.*s/dpo",
						  prefix, (int)len, prefix);
		}
		if (snprintf(secbuf, sizeof(secbuf), "%s.key", prefix) >= (int)sizeof(secbuf) ||
		    snprintf(pubbuf, sizeof(pubbuf), "%s.pub", prefix) >= (int)sizeof(pubbuf))
			return ob_cli_usage_error(cmd, "--output: prefix too long");
		secret = secbuf;
		public = pubbuf;
	}
	if (!strcmp(secret, public))
		return ob_cli_usage_error(cmd, "the secret and public key files must differ");
	if (!force && (access(secret, F_OK) == 0 || access(public, F_OK) == 0))
		return ob_cli_error(OB_EXIT_OUTPUT, "%s already exists (use --force to replace the key pair)",
				    access(secret, F_OK) == 0 ? secret : public);

	if (passfile) {
		ret = ob_minisign_read_passphrase(passfile, &pass, &passlen);
		passsize = passlen;
	} else if (!no_pass) {
		passsize = OB_MINISIGN_PASSPHRASE_MAX + 2;
		pass = ob_minisign_passphrase_alloc(passsize);
		again = ob_minisign_passphrase_alloc(passsize);
		ret = pass && again ? prompt_passphrase(pass, again, passsize, &passlen) : OB_ERR_NOMEM;
	} else {
		ret = 0;
	}
	if (ret) {
		ret = ob_cli_fail(ret == OB_ERR_NOMEM ? OB_EXIT_INTERNAL : OB_EXIT_USAGE);
		goto out;
	}
	if (pass)
		fprintf(stderr, "obscura: deriving the key encryption key (scrypt, about 1 GiB)...\n");
	ret = ob_minisign_generate(&key);
	if (!ret)
		ret = ob_minisign_save_secret(key, secret, pass, passlen, force);
	if (!ret) {
		ob_minisign_key_public(key, &pub);
		ret = ob_minisign_save_public(&pub, public, force);
	}
	if (ret) {
		ret = ob_cli_fail(ret == OB_ERR_OUTPUT ? OB_EXIT_OUTPUT : OB_EXIT_INTERNAL);
		goto out;
	}
	ob_minisign_keyid_hex(pub.keynum, id);
	printf("key id %s\nsecret key: %s (mode 0600, %s)\npublic key: %s\n"
	       "check a signature without obscura: minisign -Vm manifest.jsonl -p %s\n",
	       id, secret, pass ? "passphrase-protected" : "not encrypted", public, public);
	ret = ob_cli_finish_stdout(OB_EXIT_OK);
out:
	ob_minisign_passphrase_free(&pass, passsize);
	ob_minisign_passphrase_free(&again, passsize);
	ob_minisign_key_free(&key);
	return ret;
}

/* SPDX-License-Identifier: MIT */
/* cli.c - help text and getopt tables generated from the command table. */
#include "obscura/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "obscura/error.h"
#include "obscura/bundle_verify.h"
#include "obscura/banned.h"

const struct ob_command *ob_command_find(const char *name)
{
	for (const struct ob_command *c = ob_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

void ob_cli_print_help(FILE *f, const struct ob_command *cmd)
{
	fprintf(f, "usage: %s\n\n%s\n", cmd->usage, cmd->summary);
	if (!cmd->options || !cmd->options[0].name)
		return;
	fputs("\noptions:\n", f);
	for (const struct ob_cli_option *o = cmd->options; o->name; o++) {
		char left[64];

		if (o->key < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->key, o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		fprintf(f, "  %-26s %s\n", left, o->help);
	}
	if (cmd->main_page_only)
		fputs("\nSee obscura(1) for details.\n", f);
	else
		fprintf(f, "\nSee obscura-%s(1) for details.\n", cmd->name);
}

void ob_cli_getopt_table(const struct ob_command *cmd, struct option *lo, char *so, size_t sosize)
{
	size_t n = 0, k = 0;

	if (sosize > 0)
		so[k++] = ':'; /* report missing arguments as ':' */
	for (const struct ob_cli_option *o = cmd->options; o && o->name && n < OB_CLI_MAX_OPTIONS; o++, n++) {
		lo[n] = (struct option){ o->name, o->arg ? required_argument : no_argument, NULL, o->key };
		if (o->key < 256 && k + 3 < sosize) {
			so[k++] = (char)o->key;
			if (o->arg)
				so[k++] = ':';
		}
	}
	lo[n] = (struct option){ 0 };
	so[k] = '\0';
}

void ob_cli_parser_init(struct ob_cli_parser *p, const char *name)
{
	p->cmd = ob_command_find(name);
	ob_cli_getopt_table(p->cmd, p->longopts, p->shortopts, sizeof(p->shortopts));
	opterr = 0;
	optind = 1;
}

int ob_cli_next(struct ob_cli_parser *p, int argc, char **argv, int *exit_code)
{
	int c = getopt_long(argc, argv, p->shortopts, p->longopts, NULL);

	switch (c) {
	case -1:
		return OB_CLI_DONE;
	case 'h':
		ob_cli_print_help(stdout, p->cmd);
		*exit_code = ob_cli_finish_stdout(OB_EXIT_OK);
		return OB_CLI_RETURN;
	case ':':
		*exit_code = ob_cli_usage_error(p->cmd, "option '%s' needs an argument", argv[optind - 1]);
		return OB_CLI_RETURN;
	case '?':
		*exit_code = ob_cli_usage_error(p->cmd, "unknown option '%s'", argv[optind - 1]);
		return OB_CLI_RETURN;
	default:
		return c;
	}
}

int ob_cli_usage_error(const struct ob_command *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("obscura: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: %s\n", cmd ? cmd->usage : "obscura COMMAND [options]");
	return OB_EXIT_USAGE;
}

/* Formats first, so that the line reaches stderr in one write even while
 * other processes of the batch write theirs. */
int ob_cli_error(int exit_code, const char *fmt, ...)
{
	char msg[OB_CLI_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "obscura: error: %s\n", msg);
	return exit_code;
}

int ob_cli_fail(int exit_code)
{
	return ob_cli_error(exit_code, "%s", ob_errmsg());
}

void ob_cli_print_json(const json_t *j, size_t flags)
{
	json_dumpf(j, stdout, JSON_INDENT(2) | flags);
	fputc('\n', stdout);
}

int ob_cli_finish_stdout(int code)
{
	if (fflush(stdout) != 0 || ferror(stdout))
		return ob_cli_error(OB_EXIT_INTERNAL, "writing to standard output: %s", strerror(errno));
	if (close(STDOUT_FILENO) < 0 && errno != EBADF)
		return ob_cli_error(OB_EXIT_INTERNAL, "closing standard output: %s", strerror(errno));
	return code;
}

int ob_cli_exit_for_verdict(enum ob_verdict v)
{
	switch (v) {
	case OB_VERDICT_OK: return OB_EXIT_OK;
	case OB_VERDICT_UNSIGNED: return OB_EXIT_UNSIGNED;
	case OB_VERDICT_UNREADABLE: return OB_EXIT_UNREADABLE;
	default: return OB_EXIT_VERIFY_FAILED;
	}
}

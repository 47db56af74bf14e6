/* SPDX-License-Identifier: MIT */
/* main.c - obscura's entry point: dispatch to a subcommand from the table. */
#include <stdio.h>
#include <string.h>

#include "obscura/cli.h"
#include "obscura/error.h"
#include "obscura/utf8.h"
#include "obscura/banned.h"

int main(int argc, char **argv)
{
	const struct ob_command *c;

	/* Bundles carry UTF-8 member names whatever the environment (cron's is
	 * "C"); without any UTF-8 locale they are ASCII (bundle.h). */
	ob_utf8_locale();
	if (argc < 2) {
		ob_print_main_help(stderr);
		return OB_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(1, argv);
	if (!strcmp(argv[1], "--version"))
		return cmd_version(1, argv);
	if (argv[1][0] == '-')
		return ob_cli_usage_error(NULL, "unknown option '%s'", argv[1]);
	c = ob_command_find(argv[1]);
	if (!c)
		return ob_cli_usage_error(NULL, "'%s' is not an obscura command; see 'obscura --help'", argv[1]);
	return c->fn(argc - 1, argv + 1);
}

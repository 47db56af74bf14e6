/* SPDX-License-Identifier: MIT */
/* help.c - `obscura help [COMMAND]` and `obscura version`. */
#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <stdio.h>
#include <string.h>

#include "obscura/cli.h"
#include "obscura/error.h"
#include "obscura/version.h"
#include "obscura/banned.h"

void ob_print_main_help(FILE *f)
{
	fprintf(f, "usage: obscura [--version] [--help] COMMAND [options] [ARGS]\n\n"
		   "Forensic video anonymization: irreversible pixelation, clean re-encode.\n\ncommands:\n");
	for (const struct ob_command *c = ob_commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\n'obscura help COMMAND' or 'obscura COMMAND --help' shows one command.\n"
		   "See obscura(1), and obscura-recipe(5) for recipes.\n");
}

int cmd_help(int argc, char **argv)
{
	const struct ob_command *c;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		ob_print_main_help(stdout);
		return ob_cli_finish_stdout(OB_EXIT_OK);
	}
	if (argc > 2)
		return ob_cli_usage_error(ob_command_find("help"), "too many arguments");
	c = ob_command_find(argv[1]);
	if (!c)
		return ob_cli_usage_error(ob_command_find("help"), "no such command '%s'", argv[1]);
	ob_cli_print_help(stdout, c);
	return ob_cli_finish_stdout(OB_EXIT_OK);
}

int cmd_version(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		ob_cli_print_help(stdout, ob_command_find("version"));
		return ob_cli_finish_stdout(OB_EXIT_OK);
	}
	if (argc > 1)
		return ob_cli_usage_error(ob_command_find("version"), "unexpected argument '%s'", argv[1]);
	printf("obscura %s\n", OB_VERSION);
	printf("libavformat %s, libavcodec %s, libavfilter %s, libavutil %s\n",
	       AV_STRINGIFY(LIBAVFORMAT_VERSION), AV_STRINGIFY(LIBAVCODEC_VERSION),
	       AV_STRINGIFY(LIBAVFILTER_VERSION), AV_STRINGIFY(LIBAVUTIL_VERSION));
	return ob_cli_finish_stdout(OB_EXIT_OK);
}

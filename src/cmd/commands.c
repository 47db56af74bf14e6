/* commands.c - the table of subcommands and their documented options. */
#include "obscura/cli.h"

#include <stddef.h>

static const struct ob_cli_option run_options[] = {
	{ "recipe", 'r', "FILE", "recipe to apply (default: built-in defaults, see obscura-recipe(5))" },
	{ "output", 'o', "DIR", "directory for the exports (default: obscura-out)" },
	{ "jobs", 'j', "N", "run N jobs at once, each in its own process (default: 1)" },
	{ "threads", OB_OPT_THREADS, "N", "codec threads per job (default: cores / jobs)" },
	{ "force", OB_OPT_FORCE, NULL, "replace exports that already exist" },
	{ "json", OB_OPT_JSON, NULL, "print a JSON summary of every job on standard output" },
	{ "no-progress", OB_OPT_NO_PROGRESS, NULL, "never draw the progress line" },
	{ "quiet", 'q', NULL, "print only errors" },
	{ "verbose", 'v', NULL, "also print FFmpeg's warnings" },
	{ "help", 'h', NULL, "show this help" },
	{ 0 },
};

static const struct ob_cli_option plain_options[] = {
	{ "help", 'h', NULL, "show this help" },
	{ 0 },
};

const struct ob_command ob_commands[] = {
	{ "run", cmd_run, "Anonymize videos: pixelate exclusion zones in every frame and re-encode.",
	  "obscura run [-r RECIPE] [-o DIR] [-j N] [--json] INPUT...", run_options },
	{ "help", cmd_help, "Show help for obscura or for one command.", "obscura help [COMMAND]",
	  plain_options },
	{ "version", cmd_version, "Print the version of obscura and of the libraries it uses.",
	  "obscura version", plain_options },
	{ 0 },
};


/* SPDX-License-Identifier: MIT */
/* cli.h - the command table and each command's documentation, in one place. */
#ifndef OBSCURA_CLI_H
#define OBSCURA_CLI_H

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define OB_CLI_MAX_OPTIONS 32
#define OB_CLI_ERROR_MAX 8192 /* an error line: a path and a recorded message fit */

/* Keys of long-only options (past any letter). */
enum ob_long_option {
	OB_OPT_FORCE = 256,
	OB_OPT_THREADS,
	OB_OPT_JSON,
	OB_OPT_NO_PROGRESS,
	OB_OPT_MODELS,
	OB_OPT_CHECK,
	OB_OPT_PASSPHRASE_FILE,
	OB_OPT_NO_PASSPHRASE,
	OB_OPT_KEY,
	OB_OPT_UNSIGNED,
	OB_OPT_LEDGER,
	OB_OPT_TRACKS,
	OB_OPT_KEEP,
	OB_OPT_ADD_BOX,
	OB_OPT_MOT,
	OB_OPT_CLASS,
	OB_OPT_PLOTS,
	OB_OPT_PARTITION,
	OB_OPT_CPUS_PER_TASK,
	OB_OPT_MAX_PARALLEL,
	OB_OPT_DRY_RUN,
	OB_OPT_RESUME,
	OB_OPT_ANALYZE,
	OB_OPT_REDACT,
	OB_OPT_THRESHOLD,
	OB_OPT_STRICT,
	OB_OPT_EVERY,
	OB_OPT_INDEX,
	OB_OPT_SKIP_DONE,
};

/* One option: the getopt_long entry plus what --help and the man page say. */
struct ob_cli_option {
	const char *name;    /* long name, without "--" */
	int key;             /* short letter, or a value >= 256 for long-only */
	const char *arg;     /* argument name, NULL for a flag */
	const char *help;    /* one line */
};

/*
 * A subcommand, git-style.  The option list is the single source for the
 * getopt_long table, for --help and for the test that checks the man page
 * documents the same options.  To add a command: write src/cmd/NAME.c with
 * cmd_NAME(), add a line to ob_commands in src/cmd/commands.c, and write
 * man/obscura-NAME.1 listing every option.
 */
struct ob_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;              /* one line for "obscura --help" */
	const char *usage;                /* "obscura run [options] INPUT..." */
	const struct ob_cli_option *options; /* terminated by {0} */
	bool main_page_only;              /* obscura(1) documents it; no obscura-NAME(1) */
};

extern const struct ob_command ob_commands[];

const struct ob_command *ob_command_find(const char *name);

/* Prints "usage: ...", the summary and the options, as --help does. */
void ob_cli_print_help(FILE *f, const struct ob_command *cmd);

/* Fills a getopt_long table and short-option string from cmd->options. */
void ob_cli_getopt_table(const struct ob_command *cmd, struct option *longopts, char *shortopts,
			 size_t shortsize);

/* A command's option parser: getopt_long over cmd->options, doing what every
 * command does alike: -h/--help prints the help, an unknown option or a
 * missing argument is a one-line usage error. */
struct ob_cli_parser {
	const struct ob_command *cmd;
	struct option longopts[OB_CLI_MAX_OPTIONS + 1];
	char shortopts[2 * OB_CLI_MAX_OPTIONS + 2];
};

#define OB_CLI_DONE (-1)   /* no more options: argv[optind] is the first operand */
#define OB_CLI_RETURN (-2) /* the command must return *exit_code now */

/* Sets up p for the command called name (which must exist) and resets getopt. */
void ob_cli_parser_init(struct ob_cli_parser *p, const char *name);

/* The next option's key (optarg set), OB_CLI_DONE, or OB_CLI_RETURN. */
int ob_cli_next(struct ob_cli_parser *p, int argc, char **argv, int *exit_code);

/* Reports a usage error in one line plus the usage, returns OB_EXIT_USAGE. */
int ob_cli_usage_error(const struct ob_command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Reports a failure as one line on stderr, "obscura: error: MESSAGE" (the
 * form users and tests read), and returns exit_code, so that a command
 * writes `return ob_cli_error(OB_EXIT_OUTPUT, "%s: exists", path);`.
 */
int ob_cli_error(int exit_code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The same for the error a module recorded with ob_err(): prints ob_errmsg(). */
int ob_cli_fail(int exit_code);

/* The exit status of a verdict, as obscura-verify(1) lists them (verify and report). */
enum ob_verdict;
int ob_cli_exit_for_verdict(enum ob_verdict v);

/* Flushes and closes stdout; a write error (disk full, closed pipe) is an
 * error, not silence.  Returns exit_code, or OB_EXIT_INTERNAL on failure. */
int ob_cli_finish_stdout(int exit_code);

/* A command's JSON on stdout, indented, then a newline (flags: JSON_SORT_KEYS, ...). */
void ob_cli_print_json(const json_t *j, size_t flags);

/* "obscura --help": the list of commands. */
void ob_print_main_help(FILE *f);

/* Exit status of a finished batch summary (run --json's): see EXIT STATUS in obscura(1). */
int ob_cli_batch_exit(const json_t *summary);

/* obscura submit's Slurm part (submit.c), after run.c planned the batch. */
struct ob_shard_settings;
struct ob_recipe;
struct ob_plan_item;
int ob_submit_planned(const char *dir, const struct ob_shard_settings *s, const struct ob_recipe *recipe,
		      struct ob_plan_item *items, size_t n, bool dry_run, bool quiet);
/* obscura submit --resume DIR: the tasks without a result, again.  over:
 * the Slurm options given now (NULL fields and 0 keep the plan's). */
int ob_submit_resume(const char *dir, const struct ob_shard_settings *over, bool dry_run, bool quiet);

int cmd_run(int argc, char **argv);
int cmd_submit(int argc, char **argv);
int cmd_task(int argc, char **argv);
int cmd_collect(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
int cmd_redact(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_models(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_link(int argc, char **argv);
int cmd_report(int argc, char **argv);

#endif

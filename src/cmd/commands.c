/* SPDX-License-Identifier: MIT */
/* commands.c - the table of subcommands and their documented options. */
#include "obscura/cli.h"

#include <stddef.h>

#include "obscura/banned.h"

/* Options run, analyze and redact share, spelled once. */
#define OPT_RECIPE(help) { "recipe", 'r', "FILE", help }
#define OPT_OUTPUT(help) { "output", 'o', "DIR", help }
#define OPT_JOBS { "jobs", 'j', "N", "run N jobs at once, each in its own process (default: 1)" }
#define OPT_THREADS(help) { "threads", OB_OPT_THREADS, "N", help }
#define OPT_SIGNING                                                                                          \
	{ "key", OB_OPT_KEY, "FILE", "minisign secret key that signs every bundle's manifest (default: $OBSCURA_KEY)" }, \
	{ "passphrase-file", OB_OPT_PASSPHRASE_FILE, "FILE", "passphrase of the secret key: the first line of FILE" }, \
	{ "unsigned", OB_OPT_UNSIGNED, NULL, "write bundles without a signature (obscura verify calls them unsigned)" }, \
	{ "ledger", OB_OPT_LEDGER, "FILE", "append a signed, hash-chained entry per finished bundle to FILE (needs a key)" }
#define OPT_STRICT(help) { "strict", OB_OPT_STRICT, NULL, help }
#define STRICT_PURPOSE "refuse a recipe that states no purpose ([purpose] purpose and legal_basis_art6)"
#define OPT_BATCH_TAIL                                                                                       \
	{ "force", OB_OPT_FORCE, NULL, "replace outputs (export, tracks.h5, bundle) that already exist" },        \
	{ "skip-done", OB_OPT_SKIP_DONE, NULL, "skip inputs whose bundle exists and verifies (a nightly run does only new files)" }, \
	{ "json", OB_OPT_JSON, NULL, "print a JSON summary of every job on standard output" },                   \
	{ "no-progress", OB_OPT_NO_PROGRESS, NULL, "never draw the progress line" },                            \
	{ "quiet", 'q', NULL, "print only errors and the final count" },                                        \
	{ "verbose", 'v', NULL, "also print FFmpeg's warnings" },                                               \
	{ "help", 'h', NULL, "show this help" }

static const struct ob_cli_option run_options[] = {
	OPT_RECIPE("recipe to apply (default: built-in defaults, which hide nothing: see obscura-recipe(5))"),
	OPT_OUTPUT("directory for the exports, tracks.h5 files and bundles (default: obscura-out)"),
	OPT_JOBS,
	OPT_THREADS("codec threads per job (default: cores / jobs)"),
	OPT_SIGNING,
	OPT_STRICT(STRICT_PURPOSE " or that hides nothing (no detector, no zone)"),
	OPT_BATCH_TAIL,
	{ 0 },
};

static const struct ob_cli_option analyze_options[] = {
	OPT_RECIPE("recipe whose [detect] and [track] sections apply (see obscura-recipe(5))"),
	OPT_OUTPUT("directory for tracks.h5 files and bundles (default: obscura-out)"),
	OPT_JOBS,
	OPT_THREADS("codec threads per job (default: cores / jobs)"),
	OPT_SIGNING,
	OPT_BATCH_TAIL,
	{ 0 },
};

static const struct ob_cli_option redact_options[] = {
	{ "tracks", OB_OPT_TRACKS, "FILE", "tracks.h5 of an earlier run or analyze of the same input (required)" },
	{ "keep", OB_OPT_KEEP, "ID,...", "leave these tracks visible (a subject access request); repeatable" },
	{ "add-box", OB_OPT_ADD_BOX, "F[-L]:X,Y,W,H", "also hide this box (pixels) on frame F, or frames F to L; repeatable" },
	OPT_RECIPE("recipe for pixelation and output (default: the one recorded in the tracks file)"),
	OPT_OUTPUT("directory for the export, its tracks.h5 and bundle (default: obscura-out)"),
	OPT_THREADS("codec threads (default: all cores)"),
	OPT_SIGNING,
	OPT_STRICT(STRICT_PURPOSE),
	OPT_BATCH_TAIL,
	{ 0 },
};

static const struct ob_cli_option submit_options[] = {
	OPT_RECIPE("recipe to apply (default: built-in defaults, see obscura-recipe(5))"),
	OPT_OUTPUT("directory for the plan, the tasks' results and every output (default: obscura-out)"),
	{ "analyze", OB_OPT_ANALYZE, NULL, "run obscura analyze in each task instead of obscura run" },
	{ "redact", OB_OPT_REDACT, NULL, "run obscura redact in the one task: give --tracks FILE and one INPUT" },
	{ "tracks", OB_OPT_TRACKS, "FILE", "with --redact: tracks.h5 of an earlier run or analyze of the input" },
	{ "keep", OB_OPT_KEEP, "ID,...", "with --redact: leave these tracks visible; repeatable" },
	{ "add-box", OB_OPT_ADD_BOX, "F[-L]:X,Y,W,H", "with --redact: also hide this box on frame F, or F to L; repeatable" },
	OPT_THREADS("codec threads per task (default: --cpus-per-task, or the node's cores)"),
	OPT_SIGNING,
	{ "partition", OB_OPT_PARTITION, "P", "Slurm partition for the tasks and the collect job" },
	{ "cpus-per-task", OB_OPT_CPUS_PER_TASK, "N", "CPUs Slurm gives each task (sbatch --cpus-per-task)" },
	{ "max-parallel", OB_OPT_MAX_PARALLEL, "K", "run at most K tasks at once (the job array's %K)" },
	{ "dry-run", OB_OPT_DRY_RUN, NULL, "write the plan and the scripts, print them, do not call sbatch" },
	{ "resume", OB_OPT_RESUME, "DIR", "submit again only the tasks of DIR's plan that left no result" },
	{ "force", OB_OPT_FORCE, NULL, "replace outputs (export, tracks.h5, bundle) that already exist" },
	{ "quiet", 'q', NULL, "print only errors" },
	{ "help", 'h', NULL, "show this help" },
	{ 0 },
};

static const struct ob_cli_option collect_options[] = {
	{ "json", OB_OPT_JSON, NULL, "print the batch summary (as run --json) on standard output" },
	{ "quiet", 'q', NULL, "print only errors and the final count" },
	{ "help", 'h', NULL, "show this help" },
	{ 0 },
};

static const struct ob_cli_option keygen_options[] = {
	{ "output", 'o', "PREFIX", "write PREFIX.key and PREFIX.pub (default: obscura)" },
	{ "secret", 's', "FILE", "secret key file, instead of PREFIX.key (created with mode 0600)" },
	{ "public", 'p', "FILE", "public key file, instead of PREFIX.pub" },
	{ "passphrase-file", OB_OPT_PASSPHRASE_FILE, "FILE",
	  "encrypt the secret key with the first line of FILE (scrypt, as minisign)" },
	{ "no-passphrase", OB_OPT_NO_PASSPHRASE, NULL,
	  "store the secret key unencrypted, for unattended signing (as minisign -W)" },
	{ "force", OB_OPT_FORCE, NULL, "replace key files that already exist" },
	{ "help", 'h', NULL, "show this help" },
	{ 0 },
};

static const struct ob_cli_option verify_options[] = {
	{ "pubkey", 'p', "FILE", "trusted public key (default: the bundle's signer.pub, reported as untrusted)" },
	{ "ledger", OB_OPT_LEDGER, "FILE", "verify the ledger FILE (chain and FILE.minisig); each BUNDLE must be in it" },
	{ "json", OB_OPT_JSON, NULL, "print a JSON report of every bundle on standard output" },
	{ "quiet", 'q', NULL, "print nothing; the exit status tells the outcome" },
	{ "help", 'h', NULL, "show this help" },
	{ 0 },
};

static const struct ob_cli_option report_options[] = {
	{ "output", 'o', "DIR", "directory for the reports, one BUNDLE-NAME.report.html per bundle (required)" },
	{ "pubkey", 'p', "FILE", "trusted public key, as obscura verify -p (default: each bundle's signer.pub, reported as untrusted)" },
	{ "every", OB_OPT_EVERY, "SECONDS", "one contact sheet picture every SECONDS of the export (default: 10)" },
	{ "index", OB_OPT_INDEX, NULL, "also write DIR/index.html linking every report" },
	{ "quiet", 'q', NULL, "print only errors" },
	{ "help", 'h', NULL, "show this help" },
	{ 0 },
};

static const struct ob_cli_option models_options[] = {
	{ "models", OB_OPT_MODELS, "DIR", "model directory (default: $OBSCURA_MODEL_DIR, then the installed models)" },
	{ "check", OB_OPT_CHECK, NULL, "verify every model file's SHA-256 against its card" },
	{ "json", OB_OPT_JSON, NULL, "print the cards as JSON on standard output" },
	{ "help", 'h', NULL, "show this help" },
	{ 0 },
};

static const struct ob_cli_option inspect_options[] = {
	{ "json", OB_OPT_JSON, NULL, "print the summary as one JSON object on standard output" },
	{ "mot", OB_OPT_MOT, "FILE", "also write the confirmed tracks of one class as MOTChallenge CSV to FILE" },
	{ "class", OB_OPT_CLASS, "CLASS", "class that --mot exports: face, person, vehicle, text, manual (default: person)" },
	{ "force", OB_OPT_FORCE, NULL, "replace the --mot FILE if it exists" },
	OPT_RECIPE("analyse the tracks for this recipe's [line] and [zone] sections instead of the file's own"),
	{ "plots", OB_OPT_PLOTS, "DIR", "also draw the analytics as PNG pictures in DIR: heatmaps, occupancy, crossings" },
	{ "help", 'h', NULL, "show this help" },
	{ 0 },
};

static const struct ob_cli_option link_options[] = {
	{ "threshold", OB_OPT_THRESHOLD, "DISTANCE", "link descriptors at most this far apart, 0 to 1 (default: 0.2)" },
	{ "json", OB_OPT_JSON, NULL, "print the links as one JSON object on standard output" },
	{ "help", 'h', NULL, "show this help" },
	{ 0 },
};

static const struct ob_cli_option plain_options[] = {
	{ "help", 'h', NULL, "show this help" },
	{ 0 },
};

const struct ob_command ob_commands[] = {
	{ "run", cmd_run, "Anonymize videos: detect, track and pixelate faces, text and zones; re-encode; bundle.",
	  "obscura run [-r RECIPE] [-o DIR] [-j N] (--key FILE [--ledger FILE] | --unsigned) [--json] INPUT...", run_options, false },
	{ "analyze", cmd_analyze, "Detect and track without exporting video: tracks.h5 and an analytics-only bundle.",
	  "obscura analyze [-r RECIPE] [-o DIR] [-j N] (--key FILE [--ledger FILE] | --unsigned) [--json] INPUT...",
	  analyze_options, false },
	{ "redact", cmd_redact, "Second pass: pixelate from an edited tracks.h5, keeping chosen tracks visible.",
	  "obscura redact --tracks FILE [--keep ID,...] [--add-box F[-L]:X,Y,W,H]... [-r RECIPE] [-o DIR] "
	  "(--key FILE | --unsigned) INPUT", redact_options, false },
	{ "submit", cmd_submit, "Plan a batch as run does and submit it to Slurm: one array task per input, then collect.",
	  "obscura submit [-r RECIPE] [-o DIR] [--analyze | --redact --tracks FILE [--keep ID,...] [--add-box BOX]] "
	  "(--key FILE [--ledger FILE] | --unsigned) [--partition P] [--cpus-per-task N] [--max-parallel K] [--dry-run] "
	  "(INPUT... | --resume DIR)", submit_options, false },
	{ "task", cmd_task, "Run one task of a submitted batch (what each Slurm array task runs).",
	  "obscura task DIR [N]", plain_options, false },
	{ "collect", cmd_collect, "Check a submitted batch's bundles, write its summary as run --json, fill the ledger.",
	  "obscura collect [--json] [-q] DIR", collect_options, false },
	{ "verify", cmd_verify, "Verify bundles: signature, manifest chain, every member's hash and size.",
	  "obscura verify [-p PUBKEY] [--json] (BUNDLE... | --ledger FILE [BUNDLE...])", verify_options, false },
	{ "keygen", cmd_keygen, "Create an Ed25519 signing key pair in minisign's format.",
	  "obscura keygen [-o PREFIX | -s FILE -p FILE] [--passphrase-file FILE | --no-passphrase]",
	  keygen_options, false },
	{ "models", cmd_models, "List the detector model cards and check the models' SHA-256.",
	  "obscura models [--models DIR] [--check] [--json]", models_options, false },
	{ "report", cmd_report, "Write a bundle's review report: verification, purpose, what was hidden and why, pictures.",
	  "obscura report [-p PUBKEY] [--every SECONDS] [--index] -o DIR BUNDLE...", report_options, false },
	{ "inspect", cmd_inspect,
	  "Summarize a tracks.h5: what wrote it, tracks, counts, crossings, dwell, occupancy; plots; MOTChallenge CSV.",
	  "obscura inspect [--json] [-r RECIPE] [--plots DIR] [--mot OUT.csv [--class CLASS]] FILE.h5",
	  inspect_options, false },
	{ "link", cmd_link,
	  "Link the people of several tracks files (cameras, days) by what their clothes look like.",
	  "obscura link [--threshold DISTANCE] [--json] FILE.h5 FILE.h5...", link_options, false },
	{ "help", cmd_help, "Show help for obscura or for one command.", "obscura help [COMMAND]",
	  plain_options, true },
	{ "version", cmd_version, "Print the version of obscura and of the libraries it uses.",
	  "obscura version", plain_options, true },
	{ 0 },
};


/* SPDX-License-Identifier: MIT */
/* shard.h - a batch planned once and run elsewhere: the plan file, one result file per task. */
#ifndef OBSCURA_SHARD_H
#define OBSCURA_SHARD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct ob_recipe;
struct ob_plan_item;
struct ob_replay;

#define OB_SHARD_PLAN "obscura-plan.json"  /* DIR/obscura-plan.json: written by obscura submit */
#define OB_SHARD_TASKS "obscura-tasks"     /* DIR/obscura-tasks/N.json: task N's result */
#define OB_SHARD_LOGS "obscura-logs"       /* DIR/obscura-logs/: the tasks' Slurm output */
#define OB_SHARD_SUMMARY "obscura-summary.json" /* DIR/obscura-summary.json: written by collect */
#define OB_SHARD_FORMAT 1
#define OB_SHARD_FILE_MAX (256u * 1024 * 1024) /* a plan or result file read back */

/* What a task needs besides its item: how submit was asked to run.  Paths
 * only: a key's contents never enter the plan. */
struct ob_shard_settings {
	const char *command;        /* "run", "analyze" or "redact" */
	const char *recipe_path;    /* NULL: the built-in defaults */
	const char *key_path;       /* NULL: unsigned */
	const char *passphrase_file;
	const char *ledger_path;    /* NULL: no ledger */
	bool force;
	int threads;                /* codec threads per task, 0 = the task's CPUs */
	const char *cwd;            /* the tasks run here: relative paths stay valid */
	int argc;                   /* submit's command line, recorded in every manifest */
	char *const *argv;
	const char *partition;      /* NULL: the cluster's default */
	int cpus_per_task;          /* 0: Slurm's default */
	int max_parallel;           /* the array's %K; 0: no throttle */
	const struct ob_replay *replay; /* redact: its tracks file, --keep, --add-box; NULL otherwise.
					 * Written by ob_shard_plan_write; read back by ob_shard_plan_replay. */
};

/*
 * Writes DIR/OB_SHARD_PLAN atomically: settings, the recipe's SHA-256, a
 * redact's tracks file (path, size, SHA-256), --keep ids and --add-box boxes, and
 * per item its input's size and SHA-256 and every output name (refused
 * items keep their error).  An input that cannot be hashed is refused in the
 * plan.  Refuses to replace an existing plan (OB_ERR_OUTPUT).
 */
int ob_shard_plan_write(const char *dir, const struct ob_shard_settings *s, const struct ob_recipe *recipe,
			struct ob_plan_item *items, size_t n);

/* Reads DIR/OB_SHARD_PLAN and checks its shape; *plan is the caller's. */
int ob_shard_plan_read(const char *dir, json_t **plan);

/* The plan's items, in plan order (the caller frees *items; their input
 * strings belong to plan). */
int ob_shard_plan_items(const json_t *plan, struct ob_plan_item **items, size_t *n);

/* The settings stored in plan (strings belong to plan; argv is malloc'd:
 * free(s->argv)). */
int ob_shard_plan_settings(const json_t *plan, struct ob_shard_settings *s);

/* A redact's tracks file, --keep ids and --add-box boxes as planned, into
 * *rp (rp->tracks NULL when the plan is no redact; its strings belong to
 * plan).  Release with ob_shard_replay_release. */
int ob_shard_plan_replay(const json_t *plan, struct ob_replay *rp);
void ob_shard_replay_release(struct ob_replay *rp);

/* The plan's recipe: -r's file, else a redact's tracks file's own, else
 * the built-in defaults; OB_ERR_RECIPE if its text's SHA-256 is not the
 * planned one (*recipe is then loaded all the same, the caller frees it). */
int ob_shard_plan_recipe(const json_t *plan, const struct ob_shard_settings *s, struct ob_recipe **recipe);

/* Task i's input is still the one planned: same size and SHA-256.  OB_ERR_INPUT otherwise. */
int ob_shard_check_input(const json_t *plan, size_t i);

/* A redact's tracks file is still the one planned (size, SHA-256); 0 for
 * a plan that is no redact.  OB_ERR_INPUT otherwise. */
int ob_shard_check_tracks(const json_t *plan);

/* DIR/OB_SHARD_TASKS/I.json */
int ob_shard_result_path(const char *dir, size_t i, char *buf, size_t size);

/* Writes task i's entry atomically (the directory made if missing). */
int ob_shard_result_write(const char *dir, size_t i, const json_t *entry);

/* Task i's entry into *entry; 1 (and *entry NULL) if there is none yet. */
int ob_shard_result_read(const char *dir, size_t i, json_t **entry);

#endif

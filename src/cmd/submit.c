/* SPDX-License-Identifier: MIT */
/* submit.c - `obscura submit`'s Slurm side: the job array script, the collect job, sbatch. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "obscura/cli.h"
#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/runner.h"
#include "obscura/shard.h"
#include "obscura/banned.h"

#define SCRIPT_MAX (1024 * 1024)          /* one script; an --array list of 100000 tasks fits */
#define TASK_SCRIPT "obscura-task.sbatch"
#define COLLECT_SCRIPT "obscura-collect.sbatch"
#define SBATCH "sbatch"

/* A script being written: text that grows, or the first failure. */
struct script {
	char *text;
	size_t len;
	bool full;
};

static void __attribute__((format(printf, 2, 3))) put(struct script *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(s->text + s->len, SCRIPT_MAX - s->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= SCRIPT_MAX - s->len)
		s->full = true;
	else
		s->len += (size_t)n;
}

/* str in single quotes for sh: ' becomes '\'' */
static void put_quoted(struct script *s, const char *str)
{
	put(s, "'");
	for (const char *p = str; *p; p++)
		if (*p == '\'')
			put(s, "'\\''");
		else
			put(s, "%c", *p);
	put(s, "'");
}

/* A value on an #SBATCH line is not quoted: refuse what sbatch would split or expand. */
static bool sbatch_safe(const char *v)
{
	return v && *v && !strpbrk(v, " \t\n\r'\"\\%#$`");
}

/* The lines both scripts share: the Slurm options, then cd to where submit ran. */
static void put_head(struct script *s, const struct ob_shard_settings *st, const char *name, const char *log)
{
	put(s, "#!/bin/sh\n# %s - written by obscura submit (see obscura-submit(1)); it holds paths, never a key.\n",
	    name);
	put(s, "#SBATCH --job-name=%s\n#SBATCH --output=%s\n", strcmp(name, TASK_SCRIPT) ? "obscura-collect" : "obscura",
	    log);
	if (st->partition)
		put(s, "#SBATCH --partition=%s\n", st->partition);
	if (st->cpus_per_task > 0)
		put(s, "#SBATCH --cpus-per-task=%d\n", st->cpus_per_task);
}

/* This obscura, by absolute path: the tasks run the same binary. */
static int self_path(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);

	if (n < 0 || (size_t)n >= size - 1)
		return ob_err(OB_ERR_INTERNAL, "cannot find the obscura binary (/proc/self/exe): %s", strerror(errno));
	buf[n] = '\0';
	return 0;
}

/* The array script for tasks (1 where a task runs); the collect script. */
static int make_scripts(const char *dir, const struct ob_shard_settings *st, const bool *run, size_t n,
			struct script *task, struct script *collect)
{
	char self[OB_PATH_MAX], absdir[PATH_MAX], log[OB_PATH_MAX + 64];
	size_t count = 0;

	if (self_path(self, sizeof(self)))
		return OB_ERR_INTERNAL;
	if (!realpath(dir, absdir))
		return ob_err(OB_ERR_OUTPUT, "%s: %s", dir, strerror(errno));
	if (!sbatch_safe(absdir))
		return ob_err(OB_ERR_OUTPUT, "%s: Slurm's --output cannot name this directory (a space, quote, %% or "
					     "$ in it); choose another -o", absdir);
	if (st->partition && !sbatch_safe(st->partition))
		return ob_err(OB_ERR_USAGE, "--partition: '%s' is not a partition name", st->partition);
	snprintf(log, sizeof(log), "%s/%s/task-%%A_%%a.log", absdir, OB_SHARD_LOGS);
	put_head(task, st, TASK_SCRIPT, log);
	put(task, "#SBATCH --array=");
	/* ranges of consecutive tasks: 0-3 on a first submit, 1,4-6 on a resume */
	for (size_t i = 0; i < n; i++) {
		size_t j = i;

		if (!run[i])
			continue;
		while (j + 1 < n && run[j + 1])
			j++;
		put(task, "%s", count++ ? "," : "");
		if (j == i)
			put(task, "%zu", i);
		else
			put(task, "%zu-%zu", i, j);
		i = j;
	}
	if (st->max_parallel > 0)
		put(task, "%%%d", st->max_parallel);
	put(task, "\ncd ");
	put_quoted(task, st->cwd);
	put(task, " || exit 1\nexec ");
	put_quoted(task, self);
	put(task, " task ");
	put_quoted(task, dir);
	put(task, " \"$SLURM_ARRAY_TASK_ID\"\n");

	snprintf(log, sizeof(log), "%s/%s/collect-%%j.log", absdir, OB_SHARD_LOGS);
	put_head(collect, st, COLLECT_SCRIPT, log);
	put(collect, "cd ");
	put_quoted(collect, st->cwd);
	put(collect, " || exit 1\nexec ");
	put_quoted(collect, self);
	put(collect, " collect ");
	put_quoted(collect, dir);
	put(collect, "\n");
	if (task->full || collect->full)
		return ob_err(OB_ERR_LIMIT, "%s: the job script would exceed %d bytes", dir, SCRIPT_MAX);
	return 0;
}

/* Runs sbatch --parsable [--dependency=afterany:DEP] SCRIPT; its job id in id. */
static int sbatch(const char *script, const char *dep, char *id, size_t size)
{
	char depopt[96], out[256];
	char *argv[5];
	int fds[2], argc = 0, wstatus = 0;
	ssize_t n;
	size_t len = 0;
	pid_t pid;

	argv[argc++] = (char *)SBATCH;
	argv[argc++] = (char *)"--parsable";
	if (dep) {
		snprintf(depopt, sizeof(depopt), "--dependency=afterany:%s", dep);
		argv[argc++] = depopt;
	}
	argv[argc++] = (char *)script;
	argv[argc] = NULL;
	if (pipe(fds) < 0)
		return ob_err(OB_ERR_INTERNAL, "cannot create pipe: %s", strerror(errno));
	fflush(NULL);
	if ((pid = fork()) == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execvp(SBATCH, argv);
		fprintf(stderr, "obscura: error: cannot run %s: %s (is Slurm installed?)\n", SBATCH, strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	while (pid > 0 && len + 1 < sizeof(out) && (n = ob_read_full(fds[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)n;
	close(fds[0]);
	out[len] = '\0';
	if (pid < 0)
		return ob_err(OB_ERR_INTERNAL, "cannot start %s: %s", SBATCH, strerror(errno));
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	/* --parsable: "JOBID" or "JOBID;CLUSTER" */
	out[strspn(out, "0123456789")] = '\0';
	if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) || !*out)
		return ob_err(OB_ERR_OUTPUT, "%s: %s failed (exit %d); nothing was submitted by it", script, SBATCH,
			      WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
	snprintf(id, size, "%s", out);
	return 0;
}

/*
 * With a key (or a passphrase file), what submit writes -- the plan, both
 * scripts, obscura-logs/ -- is the user's alone: the umask gains 077 until
 * the old one is given back.  sbatch runs with the user's own umask, which
 * Slurm hands to the tasks (SLURM_UMASK): their outputs follow it, as a
 * local run's do.  Returns the old umask.
 */
static mode_t tighten_umask(const struct ob_shard_settings *s)
{
	mode_t old = umask(077);

	umask(s->key_path || s->passphrase_file ? old | 077 : old);
	return old;
}

/* Writes both scripts into dir, then submits them (or prints them: --dry-run). */
static int write_and_submit(const char *dir, const struct ob_shard_settings *st, const bool *run, size_t n,
			    bool dry_run, bool quiet)
{
	struct script task = { .text = malloc(SCRIPT_MAX) }, collect = { .text = malloc(SCRIPT_MAX) };
	char tpath[OB_PATH_MAX], cpath[OB_PATH_MAX], logs[OB_PATH_MAX], job[256], cjob[256];
	size_t count = 0;
	mode_t umask_old = tighten_umask(st);
	int ret = 0;

	for (size_t i = 0; i < n; i++)
		count += run[i];
	if (!task.text || !collect.text)
		ret = ob_err(OB_ERR_NOMEM, "out of memory");
	if (!ret)
		ret = make_scripts(dir, st, run, n, &task, &collect);
	if (!ret)
		ret = ob_path_join(tpath, sizeof(tpath), dir, TASK_SCRIPT);
	if (!ret)
		ret = ob_path_join(cpath, sizeof(cpath), dir, COLLECT_SCRIPT);
	if (!ret)
		ret = ob_path_join(logs, sizeof(logs), dir, OB_SHARD_LOGS);
	if (!ret)
		ret = ob_prepare_outdir(logs);
	if (!ret)
		ret = ob_write_file_atomic(tpath, task.text, task.len, 0755);
	if (!ret)
		ret = ob_write_file_atomic(cpath, collect.text, collect.len, 0755);
	umask(umask_old); /* before sbatch: the tasks get the user's umask */
	if (ret)
		goto out;
	if (dry_run) {
		printf("# %s\n%s\n# %s\n%s\n# submit with:\n#   %s --parsable %s\n"
		       "#   %s --parsable --dependency=afterany:ARRAY_JOB_ID %s\n",
		       tpath, task.text, cpath, collect.text, SBATCH, tpath, SBATCH, cpath);
		if (!quiet)
			fprintf(stderr, "obscura: %zu task%s planned in %s (dry run: nothing submitted)\n", count,
				count == 1 ? "" : "s", dir);
		goto out;
	}
	if ((ret = sbatch(tpath, NULL, job, sizeof(job))))
		goto out;
	if ((ret = sbatch(cpath, job, cjob, sizeof(cjob)))) {
		fprintf(stderr, "obscura: the tasks were submitted as job %s; run obscura collect %s after them\n",
			job, dir);
		goto out;
	}
	printf("%s %s\n", job, cjob);
	if (!quiet)
		fprintf(stderr, "obscura: %zu task%s submitted as Slurm job %s; obscura collect runs as job %s\n",
			count, count == 1 ? "" : "s", job, cjob);
out:
	free(task.text);
	free(collect.text);
	return ret;
}

int ob_submit_planned(const char *dir, const struct ob_shard_settings *s, const struct ob_recipe *recipe,
		      struct ob_plan_item *items, size_t n, bool dry_run, bool quiet)
{
	bool *run = calloc(n ? n : 1, sizeof(*run));
	mode_t umask_old;
	int ret;

	if (!run)
		return ob_cli_error(OB_EXIT_INTERNAL, "out of memory");
	for (size_t i = 0; i < n; i++) {
		run[i] = true; /* a refused item's task reports the refusal, as run does */
		/* ...but the user who submits learns it now, not from the logs */
		if (items[i].status && items[i].error && !quiet)
			fprintf(stderr, "obscura: warning: task %zu: %s; the task will report it\n", i, items[i].error);
	}
	umask_old = tighten_umask(s);
	ret = ob_shard_plan_write(dir, s, recipe, items, n);
	umask(umask_old);
	if (!ret)
		ret = write_and_submit(dir, s, run, n, dry_run, quiet);
	free(run);
	if (ret)
		return ob_cli_fail(ret == OB_ERR_USAGE ? OB_EXIT_USAGE : ob_exit_for_status(ret));
	return ob_cli_finish_stdout(OB_EXIT_OK);
}

int ob_submit_resume(const char *dir, const struct ob_shard_settings *over, bool dry_run, bool quiet)
{
	struct ob_shard_settings s;
	json_t *plan = NULL, *entry;
	bool *run = NULL;
	size_t n = 0, missing = 0;
	int ret = ob_shard_plan_read(dir, &plan);

	if (!ret)
		ret = ob_shard_plan_settings(plan, &s);
	if (ret) {
		json_decref(plan);
		return ob_cli_fail(ob_exit_for_status(ret));
	}
	s.partition = over->partition ? over->partition : s.partition;
	s.cpus_per_task = over->cpus_per_task ? over->cpus_per_task : s.cpus_per_task;
	s.max_parallel = over->max_parallel ? over->max_parallel : s.max_parallel;
	n = json_array_size(json_object_get(plan, "tasks"));
	if (!(run = calloc(n ? n : 1, sizeof(*run))))
		ret = ob_err(OB_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < n && !ret; i++) {
		int r = ob_shard_result_read(dir, i, &entry);

		/* no result, or one that cannot be read: the task runs again */
		run[i] = r != 0;
		missing += run[i];
		json_decref(entry);
	}
	if (!ret && !missing && !quiet)
		fprintf(stderr, "obscura: every task of %s has its result: nothing to resubmit (obscura collect %s)\n",
			dir, dir);
	else if (!ret && missing)
		ret = write_and_submit(dir, &s, run, n, dry_run, quiet);
	free(run);
	free((void *)s.argv);
	json_decref(plan);
	if (ret)
		return ob_cli_fail(ret == OB_ERR_USAGE ? OB_EXIT_USAGE : ob_exit_for_status(ret));
	return ob_cli_finish_stdout(OB_EXIT_OK);
}

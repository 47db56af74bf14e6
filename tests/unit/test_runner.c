/* SPDX-License-Identifier: MIT */
/* test_runner.c - the batch runner: every failed job gets its entry, even one with no memory to run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <libavutil/log.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "obscura/error.h"
#include "obscura/inputs.h"
#include "obscura/recipe.h"
#include "obscura/runner.h"
#include "obscura/banned.h"

#define HEADROOM (512 * 1024) /* address space left to the runner: less than one job's report buffer */

static char dir[64], outdir[128], garbage[128], missing[128];

static int setup(void **state)
{
	FILE *fp;

	snprintf(dir, sizeof(dir), "/tmp/test_runner.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(outdir, sizeof(outdir), "%s/out", dir);
	snprintf(garbage, sizeof(garbage), "%s/garbage.mp4", dir);
	snprintf(missing, sizeof(missing), "%s/missing.mp4", dir);
	fp = fopen(garbage, "w");
	if (!fp || fputs("this is not a video\n", fp) < 0 || fclose(fp))
		return -1;
	return mkdir(outdir, 0700);
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Runs the batch of the n inputs, unsigned, jobs at a time. */
static json_t *run_batch(const char *const *inputs, size_t n, int jobs)
{
	struct ob_recipe *r = NULL;
	struct ob_input_list in = { 0 };
	struct ob_runner_opts o = { .outdir = outdir, .jobs = jobs, .quiet = true };
	json_t *sum = NULL;

	assert_int_equal(ob_recipe_default(&r), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ob_inputs_add(&in, inputs[i], ".anon."), 0);
	o.recipe = r;
	assert_int_equal(ob_runner_run(&o, &in, &sum), 0);
	ob_inputs_release(&in);
	ob_recipe_free(&r);
	assert_non_null(sum);
	return sum;
}

static const char *job_str(const json_t *sum, size_t i, const char *key)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(sum, "jobs"), i), key));
}

/* A missing input fails when planned, a file that is no video fails in its
 * job process and reports why; the batch counts both, in input order. */
static void test_failed_jobs(void **state)
{
	const char *inputs[] = { missing, garbage, garbage };
	json_t *sum = run_batch(inputs, 3, 2);

	assert_int_equal(json_integer_value(json_object_get(sum, "ok")), 0);
	assert_int_equal(json_integer_value(json_object_get(sum, "failed")), 3);
	assert_false(json_is_true(json_object_get(sum, "interrupted")));
	assert_int_equal(json_array_size(json_object_get(sum, "jobs")), 3);
	assert_string_equal(job_str(sum, 0, "input"), missing);
	assert_string_equal(job_str(sum, 0, "status"), "failed");
	assert_string_equal(job_str(sum, 0, "error_kind"), "input");
	for (size_t i = 1; i < 3; i++) {
		assert_string_equal(job_str(sum, i, "input"), garbage);
		assert_string_equal(job_str(sum, i, "status"), "failed");
		/* the child's own report, not the parent's "ended without a report" */
		assert_string_equal(job_str(sum, i, "error_kind"), "input");
		assert_non_null(strstr(job_str(sum, i, "error"), "garbage"));
		assert_true(json_is_null(json_object_get(json_array_get(json_object_get(sum, "jobs"), i), "bundle")));
	}
	json_decref(sum);
}

static long vm_size(void)
{
	FILE *fp = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	while (fp && fgets(line, sizeof(line), fp))
		if (sscanf(line, "VmSize: %ld kB", &kb) == 1)
			break;
	if (fp)
		fclose(fp);
	return kb * 1024;
}

/* In a process of its own: the batch with the address space capped so
 * that the job's report buffer cannot be allocated.  0 if the job failed
 * cleanly, without a process, as out of memory. */
static int capped_batch(void)
{
	struct ob_recipe *r = NULL;
	struct ob_input_list in = { 0 };
	struct ob_runner_opts o = { .outdir = outdir, .jobs = 1, .quiet = true };
	struct rlimit old, cap;
	json_t *sum = NULL;
	long vm;
	int ret;

	if (ob_recipe_default(&r) || ob_inputs_add(&in, garbage, ".anon.") || getrlimit(RLIMIT_AS, &old))
		return 10;
	o.recipe = r;
	vm = vm_size();
	if (vm <= 0)
		return 11;
	cap = (struct rlimit){ .rlim_cur = (rlim_t)vm + HEADROOM, .rlim_max = old.rlim_max };
	if (setrlimit(RLIMIT_AS, &cap))
		return 12;
	ret = ob_runner_run(&o, &in, &sum);
	setrlimit(RLIMIT_AS, &old);
	if (ret || !sum)
		return 13;
	if (json_integer_value(json_object_get(sum, "failed")) != 1 || strcmp(job_str(sum, 0, "status"), "failed"))
		return 14;
	if (strcmp(job_str(sum, 0, "error_kind"), "nomem") || !strstr(job_str(sum, 0, "error"), "out of memory"))
		return 15;
	return 0;
}

/* The parent cannot allocate a job's report buffer: that job fails as out
 * of memory before it forks, and the batch goes on (no child writes into a
 * buffer that is not there). */
static void test_report_buffer_nomem(void **state)
{
	pid_t pid;
	int status = -1;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(capped_batch());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failed_jobs),
		cmocka_unit_test(test_report_buffer_nomem),
	};

	av_log_set_level(AV_LOG_QUIET);

	return cmocka_run_group_tests(tests, setup, teardown);
}

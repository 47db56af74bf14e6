/* SPDX-License-Identifier: MIT */
/* test_workers.c - the crew: every task runs once, on more than one thread
 * when there are threads, and a failure comes back with its own message
 * from whichever worker ran it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "obscura/error.h"
#include "obscura/workers.h"
#include "obscura/banned.h"

#define TASKS 200

struct batch {
	atomic_int ran[TASKS];
	atomic_int by_worker[OB_WORKERS_MAX];
	atomic_int inside;      /* tasks running right now */
	atomic_int most_inside; /* the most seen at once */
	size_t fail_from;       /* tasks from here fail (TASKS: none) */
	int workers;
	pthread_t caller;
	atomic_int off_caller;  /* tasks run by a thread other than the caller's */
	atomic_int started_by[OB_WORKERS_MAX];
};

/* Task 0 waits (up to 10 s) until another worker has started a task: with
 * threads, two tasks are then inside at once however loaded the machine. */
static void wait_for_company(struct batch *b, int worker, int workers)
{
	for (int ms = 0; ms < 10000 && workers > 1; ms++) {
		for (int w = 0; w < workers; w++)
			if (w != worker && atomic_load(&b->started_by[w]) > 0)
				return;
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	}
}

static int task(void *arg, size_t i, int worker)
{
	struct batch *b = arg;
	int now = atomic_fetch_add(&b->inside, 1) + 1;
	struct timespec ts = { 0, 100000 };

	atomic_fetch_add(&b->started_by[worker], 1);
	if (i == 0)
		wait_for_company(b, worker, b->workers);
	for (int m = atomic_load(&b->most_inside); now > m && !atomic_compare_exchange_weak(&b->most_inside, &m, now);)
		;
	nanosleep(&ts, NULL);
	atomic_fetch_add(&b->ran[i], 1);
	atomic_fetch_add(&b->by_worker[worker], 1);
	if (!pthread_equal(pthread_self(), b->caller))
		atomic_fetch_add(&b->off_caller, 1);
	atomic_fetch_sub(&b->inside, 1);
	if (i >= b->fail_from)
		return ob_err(OB_ERR_MODEL, "task %zu failed on worker %d", i, worker);
	return 0;
}

/* Every task once, the work shared by both workers, side by side; the crew can run batch after batch. */
static void test_all_once_shared(void **state)
{
	struct ob_workers *w;

	assert_int_equal(ob_workers_open(2, &w), 0);
	assert_int_equal(ob_workers_count(w), 2);
	for (int round = 0; round < 3; round++) {
		struct batch b = { .fail_from = TASKS, .caller = pthread_self(), .workers = 2 };

		assert_int_equal(ob_workers_run(w, TASKS, task, &b), 0);
		for (int i = 0; i < TASKS; i++)
			assert_int_equal(b.ran[i], 1);
		assert_true(b.by_worker[0] > 0);
		assert_true(b.by_worker[1] > 0);
		assert_true(b.off_caller > 0);
		assert_true(b.most_inside == 2);
	}
	ob_workers_free(&w);
	assert_null(w);
	ob_workers_free(&w); /* NULL is fine */
}

/* One worker: every task in the caller's thread, in order. */
static void test_one_worker_is_the_caller(void **state)
{
	struct ob_workers *w;
	struct batch b = { .fail_from = TASKS, .caller = pthread_self(), .workers = 1 };

	assert_int_equal(ob_workers_open(1, &w), 0);
	assert_int_equal(ob_workers_run(w, TASKS, task, &b), 0);
	assert_int_equal(b.off_caller, 0);
	assert_int_equal(b.by_worker[0], TASKS);
	assert_int_equal(b.most_inside, 1);
	assert_int_equal(ob_workers_run(w, 0, task, &b), 0); /* an empty batch */
	ob_workers_free(&w);
}

/* A failure is the lowest failed task's, message included, in the caller's
 * thread; tasks after it do not all run; the crew still works afterwards. */
static void test_failure_comes_back(void **state)
{
	struct ob_workers *w;
	struct batch b = { .fail_from = 150, .caller = pthread_self(), .workers = 2 };
	int ran = 0;

	assert_int_equal(ob_workers_open(2, &w), 0);
	ob_err_clear();
	assert_int_equal(ob_workers_run(w, TASKS, task, &b), OB_ERR_MODEL);
	assert_non_null(strstr(ob_errmsg(), "task 150 failed"));
	for (int i = 0; i < TASKS; i++)
		ran += b.ran[i];
	assert_true(ran < TASKS);
	{
		struct batch ok = { .fail_from = TASKS, .caller = pthread_self(), .workers = 2 };

		assert_int_equal(ob_workers_run(w, TASKS, task, &ok), 0);
	}
	ob_workers_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_once_shared),
		cmocka_unit_test(test_one_worker_is_the_caller),
		cmocka_unit_test(test_failure_comes_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

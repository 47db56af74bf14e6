/* SPDX-License-Identifier: MIT */
/* workers.c - a fixed crew of threads that runs one batch of independent tasks at a time. */
#include "obscura/workers.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/error.h"
#include "obscura/banned.h"

struct ob_workers {
	int n;                   /* workers, the caller included */
	int started;             /* threads running (n - 1 once open) */
	pthread_t id[OB_WORKERS_MAX];
	pthread_mutex_t lock;
	pthread_cond_t work;     /* a batch was posted, or the crew is closing */
	pthread_cond_t done;     /* a worker left the batch */
	/* the batch, under lock */
	uint64_t batch;          /* number of the current batch: a thread joins each once */
	ob_task_fn fn;
	void *arg;
	size_t ntasks, next;     /* tasks, and the next one to hand out */
	int busy;                /* threads still inside the batch */
	bool closing;
	size_t failed;           /* lowest failed task (SIZE_MAX: none) */
	int status;
	char msg[OB_ERRMSG_MAX]; /* its message: messages are per thread */
};

struct thread_arg {
	struct ob_workers *w;
	int worker;
};

/* Takes tasks until the batch has none left; called with the lock held, returns with it held. */
static void drain(struct ob_workers *w, int worker)
{
	while (w->next < w->ntasks && w->failed == SIZE_MAX) {
		size_t task = w->next++;
		int ret;

		pthread_mutex_unlock(&w->lock);
		ret = w->fn(w->arg, task, worker);
		pthread_mutex_lock(&w->lock);
		if (ret && task < w->failed) {
			w->failed = task;
			w->status = ret;
			memcpy(w->msg, ob_errmsg(), sizeof(w->msg));
		}
	}
}

static void *worker_main(void *p)
{
	struct thread_arg a = *(struct thread_arg *)p;
	struct ob_workers *w = a.w;
	uint64_t seen = 0;

	free(p);
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->closing && w->batch == seen)
			pthread_cond_wait(&w->work, &w->lock);
		if (w->closing)
			break;
		seen = w->batch;
		w->busy++;
		drain(w, a.worker);
		if (--w->busy == 0)
			pthread_cond_signal(&w->done);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int ob_workers_open(int n, struct ob_workers **out)
{
	struct ob_workers *w;
	sigset_t all, old;
	int ret = 0;

	*out = NULL;
	if (n < 1)
		n = 1;
	if (n > OB_WORKERS_MAX)
		n = OB_WORKERS_MAX;
	w = calloc(1, sizeof(*w));
	if (!w)
		return ob_err(OB_ERR_NOMEM, "out of memory");
	w->n = n;
	w->failed = SIZE_MAX;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->done, NULL);
	/* Signals (SIGINT, SIGTERM of the job) belong to the threads that handle them, not to these. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (int i = 1; i < n; i++) {
		struct thread_arg *a = malloc(sizeof(*a));
		int e;

		if (!a) {
			ret = ob_err(OB_ERR_NOMEM, "out of memory");
			break;
		}
		*a = (struct thread_arg){ w, i };
		e = pthread_create(&w->id[i], NULL, worker_main, a);
		if (e) {
			free(a);
			ret = ob_err(OB_ERR_INTERNAL, "cannot start a detection thread: %s", strerror(e));
			break;
		}
		w->started++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret)
		ob_workers_free(&w);
	*out = w;
	return ret;
}

void ob_workers_free(struct ob_workers **pw)
{
	struct ob_workers *w;

	if (!pw || !*pw)
		return;
	w = *pw;
	pthread_mutex_lock(&w->lock);
	w->closing = true;
	pthread_cond_broadcast(&w->work);
	pthread_mutex_unlock(&w->lock);
	for (int i = 1; i <= w->started; i++)
		pthread_join(w->id[i], NULL);
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->done);
	pthread_mutex_destroy(&w->lock);
	free(w);
	*pw = NULL;
}

int ob_workers_count(const struct ob_workers *w)
{
	return w->n;
}

int ob_workers_run(struct ob_workers *w, size_t n, ob_task_fn fn, void *arg)
{
	int ret = 0;

	if (n == 0)
		return 0;
	if (w->started == 0 || n == 1) { /* nothing to share: no locking, no wake-ups */
		for (size_t i = 0; i < n; i++)
			if ((ret = fn(arg, i, 0)))
				return ret;
		return 0;
	}
	pthread_mutex_lock(&w->lock);
	w->fn = fn;
	w->arg = arg;
	w->ntasks = n;
	w->next = 0;
	w->failed = SIZE_MAX;
	w->status = 0;
	w->batch++;
	pthread_cond_broadcast(&w->work);
	drain(w, 0);
	/* The caller is done taking tasks; wait for those still running elsewhere. */
	while (w->busy > 0)
		pthread_cond_wait(&w->done, &w->lock);
	w->ntasks = 0; /* a thread that wakes late finds nothing to take */
	if (w->failed != SIZE_MAX)
		ret = ob_err(w->status, "%s", w->msg);
	pthread_mutex_unlock(&w->lock);
	return ret;
}

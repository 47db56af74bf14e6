/* SPDX-License-Identifier: MIT */
/* workers.h - a fixed crew of threads that runs one batch of independent tasks at a time. */
#ifndef OBSCURA_WORKERS_H
#define OBSCURA_WORKERS_H

#include <stddef.h>

#define OB_WORKERS_MAX 16 /* threads in one crew, the caller included */

/*
 * Why: a detection frame holds several forward passes that do not depend on
 * each other (the face tiles that changed, the person pass, the text pass).
 * OpenCV parallelises inside one pass, well on large networks and poorly on
 * small ones (UltraFace: 1.3x on two cores); running whole passes side by
 * side keeps both cores busy (HACKING.md, "Seeing and hiding").
 *
 * A crew of n workers: the calling thread is worker 0, n - 1 threads wait
 * for batches.  n <= 1 starts no thread and runs every batch in the caller.
 */
struct ob_workers;

int ob_workers_open(int n, struct ob_workers **out);
void ob_workers_free(struct ob_workers **w); /* joins the threads; NULL is fine */
int ob_workers_count(const struct ob_workers *w);

/*
 * One task of a batch: task is its number (0..n-1), worker the number of
 * the worker running it (0..count-1; a worker runs one task at a time, so
 * per-worker state indexed by it needs no lock).  Returns 0 or a negative
 * ob_status with its message recorded by ob_err().
 */
typedef int (*ob_task_fn)(void *arg, size_t task, int worker);

/*
 * Runs fn for tasks 0..n-1, taken in that order by whichever worker is
 * free (so put the longest first), and returns when all have run.  After a
 * failure no further task starts.  Returns 0, or the status of the
 * lowest-numbered task that failed with its message recorded in the
 * caller's thread, whichever worker ran it.  Not reentrant: one batch at a
 * time per crew.
 */
int ob_workers_run(struct ob_workers *w, size_t n, ob_task_fn fn, void *arg);

#endif

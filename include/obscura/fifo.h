/* SPDX-License-Identifier: MIT */
/* fifo.h - a bounded, blocking queue of pointers between two threads of one job. */
#ifndef OBSCURA_FIFO_H
#define OBSCURA_FIFO_H

#include <stdbool.h>
#include <stddef.h>

#define OB_FIFO_MAX_CAP 1024 /* items one queue may hold */

/*
 * The job loop's threads (decoding, seeing, hiding and encoding) hand frames
 * to each other only through these queues, and only through the job loop
 * (src/sched/job.c), as FFmpeg's fftools hand them through ffmpeg_sched.c.
 * A queue holds at most cap items, so a fast producer waits for a slow
 * consumer and memory stays bounded by what the frame size needs.
 *
 * Either side may abort the queue (on an error, or an interrupt): every
 * waiting and later push or pop then returns false at once, so no thread
 * stays blocked on a partner that is gone.
 */
struct ob_fifo;

/* Errors: OB_ERR_NOMEM; OB_ERR_INTERNAL for a cap of 0 or over OB_FIFO_MAX_CAP. */
int ob_fifo_new(size_t cap, struct ob_fifo **out);

/* Frees the queue (NULL is fine); items still queued are not freed: drain first. */
void ob_fifo_free(struct ob_fifo **q);

/* Appends item, waiting while the queue is full.  false: aborted (item not queued). */
bool ob_fifo_push(struct ob_fifo *q, void *item);

/* Takes the oldest item, waiting while the queue is empty.  false: aborted. */
bool ob_fifo_pop(struct ob_fifo *q, void **item);

/* Takes the oldest item if there is one, without waiting (also after an abort,
 * so the owner can free what is left).  false: empty. */
bool ob_fifo_try_pop(struct ob_fifo *q, void **item);

/* Wakes and fails every push and pop, now and later. */
void ob_fifo_abort(struct ob_fifo *q);

#endif

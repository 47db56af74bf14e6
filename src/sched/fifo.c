/* SPDX-License-Identifier: MIT */
/* fifo.c - a bounded, blocking queue of pointers between two threads of one job. */
#include "obscura/fifo.h"

#include <pthread.h>
#include <stdlib.h>

#include "obscura/error.h"
#include "obscura/banned.h"

struct ob_fifo {
	pthread_mutex_t lock;
	pthread_cond_t not_full, not_empty;
	void **slot;
	size_t cap, first, n;
	bool aborted;
};

int ob_fifo_new(size_t cap, struct ob_fifo **out)
{
	struct ob_fifo *q;

	*out = NULL;
	if (cap == 0 || cap > OB_FIFO_MAX_CAP)
		return ob_err(OB_ERR_INTERNAL, "queue of %zu items (1..%d)", cap, OB_FIFO_MAX_CAP);
	q = calloc(1, sizeof(*q));
	if (!q || !(q->slot = calloc(cap, sizeof(*q->slot)))) {
		free(q);
		return ob_err(OB_ERR_NOMEM, "out of memory for a frame queue");
	}
	q->cap = cap;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->not_full, NULL);
	pthread_cond_init(&q->not_empty, NULL);
	*out = q;
	return 0;
}

void ob_fifo_free(struct ob_fifo **q)
{
	if (!q || !*q)
		return;
	pthread_mutex_destroy(&(*q)->lock);
	pthread_cond_destroy(&(*q)->not_full);
	pthread_cond_destroy(&(*q)->not_empty);
	free((*q)->slot);
	free(*q);
	*q = NULL;
}

bool ob_fifo_push(struct ob_fifo *q, void *item)
{
	bool ok;

	pthread_mutex_lock(&q->lock);
	while (q->n == q->cap && !q->aborted)
		pthread_cond_wait(&q->not_full, &q->lock);
	ok = !q->aborted;
	if (ok) {
		q->slot[(q->first + q->n) % q->cap] = item;
		q->n++;
		pthread_cond_signal(&q->not_empty);
	}
	pthread_mutex_unlock(&q->lock);
	return ok;
}

/* With the lock held and an item present. */
static void *take(struct ob_fifo *q)
{
	void *item = q->slot[q->first];

	q->first = (q->first + 1) % q->cap;
	q->n--;
	pthread_cond_signal(&q->not_full);
	return item;
}

bool ob_fifo_pop(struct ob_fifo *q, void **item)
{
	bool ok;

	pthread_mutex_lock(&q->lock);
	while (q->n == 0 && !q->aborted)
		pthread_cond_wait(&q->not_empty, &q->lock);
	ok = !q->aborted;
	if (ok)
		*item = take(q);
	pthread_mutex_unlock(&q->lock);
	return ok;
}

bool ob_fifo_try_pop(struct ob_fifo *q, void **item)
{
	bool ok;

	pthread_mutex_lock(&q->lock);
	ok = q->n > 0;
	if (ok)
		*item = take(q);
	pthread_mutex_unlock(&q->lock);
	return ok;
}

void ob_fifo_abort(struct ob_fifo *q)
{
	pthread_mutex_lock(&q->lock);
	q->aborted = true;
	pthread_cond_broadcast(&q->not_full);
	pthread_cond_broadcast(&q->not_empty);
	pthread_mutex_unlock(&q->lock);
}

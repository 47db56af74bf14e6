/* SPDX-License-Identifier: MIT */
/* ahead.c - a detector's whole-frame passes started as frames are decoded, ahead of the seeing thread. */
#include "obscura/ahead.h"

#include <libavutil/frame.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/clock.h"
#include "obscura/detect.h"
#include "obscura/error.h"
#include "obscura/banned.h"

enum slot_state { SLOT_FREE, SLOT_WAITING, SLOT_RUNNING, SLOT_DONE };

struct slot {
	enum slot_state state;
	int64_t index;
	AVFrame *frame;             /* a reference to the decoded frame */
	struct ob_detections found;
	int ret;
	char msg[OB_ERRMSG_MAX];    /* a failure's message: messages are per thread */
};

struct ob_ahead {
	struct ob_detector *det;
	double threshold;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;        /* a slot changed state, or stop */
	bool stop;
	struct slot slot[OB_AHEAD_SLOTS];
	int64_t passes;
	double busy;
};

/* The waiting slot of the earliest frame, or NULL. */
static struct slot *next_waiting(struct ob_ahead *a)
{
	struct slot *s = NULL;

	for (int i = 0; i < OB_AHEAD_SLOTS; i++)
		if (a->slot[i].state == SLOT_WAITING && (!s || a->slot[i].index < s->index))
			s = &a->slot[i];
	return s;
}

static void *run(void *arg)
{
	struct ob_ahead *a = arg;

	pthread_mutex_lock(&a->lock);
	for (;;) {
		struct slot *s;
		double t0;

		while (!a->stop && !(s = next_waiting(a)))
			pthread_cond_wait(&a->cond, &a->lock);
		if (a->stop)
			break;
		s->state = SLOT_RUNNING;
		pthread_mutex_unlock(&a->lock);
		t0 = ob_clock_seconds();
		ob_detections_clear(&s->found);
		s->ret = ob_detector_run(a->det, s->frame, NULL, a->threshold, &s->found);
		if (s->ret)
			memcpy(s->msg, ob_errmsg(), sizeof(s->msg));
		pthread_mutex_lock(&a->lock);
		a->busy += ob_clock_seconds() - t0;
		a->passes++;
		s->state = SLOT_DONE;
		pthread_cond_broadcast(&a->cond);
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

int ob_ahead_open(struct ob_detector *det, double threshold, struct ob_ahead **out)
{
	struct ob_ahead *a = calloc(1, sizeof(*a));

	*out = NULL;
	if (!a) {
		ob_detector_free(&det);
		return ob_err(OB_ERR_NOMEM, "out of memory");
	}
	a->det = det;
	a->threshold = threshold;
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->cond, NULL);
	if (pthread_create(&a->thread, NULL, run, a)) {
		pthread_cond_destroy(&a->cond);
		pthread_mutex_destroy(&a->lock);
		ob_detector_free(&a->det);
		free(a);
		return ob_err(OB_ERR_INTERNAL, "cannot start a detection thread");
	}
	*out = a;
	return 0;
}

void ob_ahead_offer(struct ob_ahead *a, const AVFrame *frame, int64_t index)
{
	AVFrame *ref;

	pthread_mutex_lock(&a->lock);
	for (int i = 0; i < OB_AHEAD_SLOTS; i++)
		if (a->slot[i].state == SLOT_FREE) {
			if ((ref = av_frame_clone(frame))) { /* no memory: the seeing thread searches it */
				a->slot[i].state = SLOT_WAITING;
				a->slot[i].index = index;
				a->slot[i].frame = ref;
				a->slot[i].ret = 0;
				pthread_cond_broadcast(&a->cond);
			}
			break;
		}
	pthread_mutex_unlock(&a->lock);
}

int ob_ahead_take(struct ob_ahead *a, int64_t index, struct ob_detections *out, bool *taken)
{
	struct slot *s = NULL;
	int ret = 0;

	*taken = false;
	pthread_mutex_lock(&a->lock);
	for (int i = 0; i < OB_AHEAD_SLOTS && !s; i++)
		if (a->slot[i].state != SLOT_FREE && a->slot[i].index == index)
			s = &a->slot[i];
	if (s) {
		while (s->state != SLOT_DONE)
			pthread_cond_wait(&a->cond, &a->lock);
		ret = s->ret ? ob_err(s->ret, "%s", s->msg) : 0;
		for (size_t k = 0; k < s->found.n && !ret; k++)
			ret = ob_detections_push(out, &s->found.v[k]);
		av_frame_free(&s->frame);
		s->state = SLOT_FREE;
		*taken = true;
	}
	pthread_mutex_unlock(&a->lock);
	return ret;
}

bool ob_ahead_offered(struct ob_ahead *a, int64_t index)
{
	bool found = false;

	pthread_mutex_lock(&a->lock);
	for (int i = 0; i < OB_AHEAD_SLOTS && !found; i++)
		found = a->slot[i].state != SLOT_FREE && a->slot[i].index == index;
	pthread_mutex_unlock(&a->lock);
	return found;
}

void ob_ahead_stats(const struct ob_ahead *a, int64_t *passes, double *busy)
{
	pthread_mutex_lock((pthread_mutex_t *)&a->lock);
	*passes = a->passes;
	*busy = a->busy;
	pthread_mutex_unlock((pthread_mutex_t *)&a->lock);
}

void ob_ahead_free(struct ob_ahead **pa)
{
	struct ob_ahead *a;

	if (!pa || !*pa)
		return;
	a = *pa;
	pthread_mutex_lock(&a->lock);
	a->stop = true;
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->thread, NULL);
	for (int i = 0; i < OB_AHEAD_SLOTS; i++) {
		av_frame_free(&a->slot[i].frame);
		ob_detections_release(&a->slot[i].found);
	}
	ob_detector_free(&a->det);
	pthread_cond_destroy(&a->cond);
	pthread_mutex_destroy(&a->lock);
	free(a);
	*pa = NULL;
}

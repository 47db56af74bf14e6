/* SPDX-License-Identifier: MIT */
/* job.c - one job's scheduler: source -> seeing -> track store -> hiding -> sink, in three threads. */
#include "obscura/job.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>

#include "obscura/analytics.h"
#include "obscura/analytics_file.h"
#include "obscura/analytics_report.h"
#include "obscura/identity.h"
#include "obscura/audit.h"
#include "obscura/error.h"
#include "obscura/fifo.h"
#include "obscura/recipe.h"
#include "obscura/sink.h"
#include "obscura/source.h"
#include "obscura/stage.h"
#include "obscura/fsutil.h"
#include "obscura/photo.h"
#include "obscura/trackfile.h"
#include "obscura/track_store.h"
#include "obscura/version.h"
#include "obscura/clock.h"
#include "obscura/banned.h"

#define PROGRESS_EVERY 25 /* frames between progress reports */
/* Frames in flight between two threads, on top of the lookahead: enough to
 * smooth the detectors' uneven cost (a detection frame, then cheap ones),
 * few enough that memory stays a handful of frames. */
#define DECODED_QUEUE 8
#define HIDE_QUEUE 8

/*
 * The memory a job's frames need, the one estimate the recipe's [job]
 * memory_cap is held to (check_memory).  Peak RSS of `obscura run` (no
 * detector, default preset veryfast), measured with /usr/bin/time -v on
 * testsrc2 clips at 1080p and 4096x4096, divided by the 4:2:0 frame's
 * bytes, was 92, 111, 132 and 163 frames for 1, 2, 4 and 8 threads
 * (94 and 110 at 4096x4096 for 1 and 2: it scales with the pixels), over
 * about 55 MB that any job takes.  Of those frames:
 *   - the job's own: the lookahead's queue (lookahead + 1 frames) and the
 *     two queues between threads (DECODED_QUEUE + HIDE_QUEUE);
 *   - the codecs' (CODEC_FRAMES + CODEC_FRAMES_PER_THREAD a thread): the
 *     H.264 decoder's pictures (up to 16 references, plus one a frame
 *     thread) and x264's, each about two and a half raw frames (padded
 *     planes, its half-size lookahead planes, and the half-pel planes of
 *     references) for its rc-lookahead, B-frames and threads; measured,
 *     these come to 40 frames plus 10 a thread, rounded up to 48 + 10.
 * Detector models and libraries are fixed costs (FIXED_BYTES), not frames.
 * An input of 10-bit or 4:4:4 decodes into larger pictures than counted:
 * the estimate is for the common 8-bit 4:2:0 case, and a cap is a bound
 * chosen with room.
 */
#define CODEC_FRAMES 48
#define CODEC_FRAMES_PER_THREAD 10
#define FIXED_BYTES (256LL << 20)

/* One 8-bit 4:2:0 frame, odd sizes padded to even as the job pads them. */
static int64_t frame_bytes(int width, int height)
{
	return (int64_t)(width + (width & 1)) * (height + (height & 1)) * 3 / 2;
}

int64_t ob_job_memory_need(int width, int height, int64_t queued, int threads, bool encode)
{
	int64_t frame = frame_bytes(width, height);
	int64_t frames = DECODED_QUEUE + (int64_t)(threads > 0 ? threads : 1) * CODEC_FRAMES_PER_THREAD;

	if (encode)
		frames += queued + HIDE_QUEUE + CODEC_FRAMES;
	else
		frames += CODEC_FRAMES / 2; /* the decoder's share: no encoder */
	return FIXED_BYTES + frames * frame;
}

/* The recipe's memory_cap for this job; auto: OB_MEMORY_AUTO_SHARE of the
 * machine's memory shared by the jobs running at once. */
static int64_t memory_cap(const struct ob_job *job, bool *is_auto)
{
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	int n = job->concurrent > 0 ? job->concurrent : 1;

	*is_auto = job->recipe->job.memory_cap == 0;
	if (!*is_auto)
		return job->recipe->job.memory_cap;
	if (pages <= 0 || page <= 0)
		return OB_MEMORY_CAP_MAX; /* unknown: no refusal on a guess */
	return (int64_t)((double)pages * (double)page * OB_MEMORY_AUTO_SHARE / n);
}

/* Refuses, before a frame is decoded, a frame size whose estimated need
 * does not fit the recipe's memory_cap: one line naming the file, the
 * size, the need and the cap. */
static int check_memory(const struct ob_job *job, const struct ob_source_info *info, int64_t queued)
{
	int64_t need = ob_job_memory_need(info->width, info->height, queued, job->threads, job->output != NULL);
	int64_t frame = frame_bytes(info->width, info->height);
	bool is_auto;
	int64_t cap = memory_cap(job, &is_auto);
	char want[32], has[32];

	if (need <= cap)
		return 0;
	ob_recipe_format_bytes(need, want, sizeof(want));
	ob_recipe_format_bytes(cap, has, sizeof(has));
	return ob_err(OB_ERR_MEMORY, "%s: %dx%d frames need about %s of memory (%lld frames held for the lookahead, "
		      "queues and codecs) but the recipe's [job] memory_cap is %s%s; raise it, shorten [track] "
		      "lookahead or give fewer --threads", job->input, info->width, info->height, want,
		      (long long)((need - FIXED_BYTES) / (frame > 0 ? frame : 1)), has,
		      is_auto ? " (auto: 3/4 of this machine's memory over the jobs at once)" : "");
}

static volatile sig_atomic_t interrupted;

void ob_job_interrupt(void)
{
	interrupted = 1;
}

#define MAX_STAGES 8

struct running_stage {
	const struct ob_stage *stage;
	void *priv;
	bool hide;   /* runs after the lookahead, on frames about to be encoded */
};

/*
 * What travels between the threads: a decoded frame (with, once final, its
 * rows), a packet of a kept audio stream, or the end of the stream.  An item
 * is owned by whoever holds it; item_free releases everything in it.
 */
enum item_kind { ITEM_FRAME, ITEM_PACKET, ITEM_END };

struct item {
	enum item_kind kind;
	AVFrame *frame;
	AVPacket *pkt;
	int64_t index;              /* frame number */
	struct ob_track_row *rows;  /* the frame's final rows, for the hiding stages */
	size_t nrows;
};

/* Frames seen, waiting for the track store's final answer (the lookahead). */
struct frame_queue {
	struct item **slot;
	size_t cap, n;
	int64_t first;   /* frame number of the oldest */
};

/* How a worker thread ended: its status and, on failure, its message (the
 * error message is per thread). */
struct thread_end {
	pthread_t id;
	bool started;
	int ret;
	char msg[OB_ERRMSG_MAX];
};

/* Where the time went, in seconds, each part measured by the thread doing it. */
struct job_timing {
	double decode, see, retire, hide, encode;
};

/* Everything one job holds; freed in one place (job_release). */
struct job_state {
	const struct ob_job *job;
	struct running_stage stages[MAX_STAGES];
	size_t nstages;
	struct ob_source *src;
	const struct ob_source_info *info;
	struct ob_sink *sink;
	struct ob_track_store *tracks;
	struct ob_trackfile_writer *writer;
	struct ob_identity *identity;    /* the store's fragments, joined at the end */
	struct ob_analytics *analytics;  /* of the finished tracks file's rows (finish_job) */
	char tracks_tmp[4096];
	struct ob_audit *audit;
	struct frame_queue q;
	struct ob_fifo *decoded;  /* decode thread -> job loop */
	struct ob_fifo *to_hide;  /* job loop -> hide-and-encode thread */
	struct thread_end decoder, hider;
	struct job_timing t;
	int64_t first_pts;   /* pts of frame 0, to count seconds from */
	int64_t retired;     /* frames through the whole pipeline */
	ob_job_progress_fn progress;
	void *opaque;
};

static int job_seed(const struct ob_recipe *r, uint64_t *seed)
{
	if (r->pixelate.seed_set) {
		*seed = r->pixelate.seed;
		return 0;
	}
	if (getrandom(seed, sizeof(*seed), 0) != (ssize_t)sizeof(*seed))
		return ob_err(OB_ERR_INTERNAL, "getrandom: %s", strerror(errno));
	return 0;
}

static void count_dropped(const AVFormatContext *fmt, const struct ob_source_info *v,
			  struct ob_job_stats *stats)
{
	stats->tags_dropped = av_dict_count(fmt->metadata);
	stats->streams_dropped = 0;
	for (unsigned i = 0; i < fmt->nb_streams; i++) {
		stats->tags_dropped += av_dict_count(fmt->streams[i]->metadata);
		if ((int)i != v->video_index && (int)i != v->audio_index)
			stats->streams_dropped++;
	}
	stats->tags_dropped += (int)fmt->nb_chapters;
	if (v->photo) /* a photo's metadata segments and chunks */
		stats->tags_dropped += (int)(v->photo->n_items + v->photo->n_more);
}

static void item_free(struct item **it)
{
	if (!*it)
		return;
	av_frame_free(&(*it)->frame);
	av_packet_free(&(*it)->pkt);
	free((*it)->rows);
	free(*it);
	*it = NULL;
}

static int queue_init(struct frame_queue *q, size_t cap)
{
	q->slot = calloc(cap, sizeof(*q->slot));
	if (!q->slot)
		return ob_err(OB_ERR_NOMEM, "out of memory for the frame queue");
	q->cap = cap;
	return 0;
}

static void queue_release(struct frame_queue *q)
{
	while (q->slot && q->n) {
		item_free(&q->slot[q->first % (int64_t)q->cap]);
		q->first++;
		q->n--;
	}
	free(q->slot);
	q->slot = NULL;
}

/* Frees whatever a queue still holds, after its threads are gone. */
static void fifo_drain_free(struct ob_fifo **f)
{
	void *it;

	while (*f && ob_fifo_try_pop(*f, &it))
		item_free((struct item **)&it);
	ob_fifo_free(f);
}

/* A worker thread failed: keep its status and message for the job loop. */
static void thread_failed(struct thread_end *e, int ret)
{
	e->ret = ret;
	snprintf(e->msg, sizeof(e->msg), "%s", ob_errmsg());
}

/* The job loop takes over a worker's failure as its own. */
static int adopt(const struct thread_end *e)
{
	return ob_err(e->ret, "%s", e->msg);
}

/* Seconds from the first frame: the frame's pts, or its number over the rate. */
static double frame_seconds(struct job_state *s, const AVFrame *f, int64_t index)
{
	AVRational tb = s->info->time_base, fr = s->info->frame_rate;

	if (f->pts != AV_NOPTS_VALUE && tb.num > 0 && tb.den > 0) {
		if (s->first_pts == AV_NOPTS_VALUE)
			s->first_pts = f->pts;
		return (double)(f->pts - s->first_pts) * av_q2d(tb);
	}
	return fr.num > 0 && fr.den > 0 ? (double)index / av_q2d(fr) : (double)index;
}

/* A frame's rows are final: the track store hands them over, and they go to
 * tracks.h5, rows first, then the tracks confirmed by now; the tracks that
 * left the store go to the identities (analytics are computed from the file's
 * rows at the end, finish_job). */
static int record_rows(struct job_state *s, int64_t index, struct item *it)
{
	struct ob_retired r;
	double t0 = ob_clock_seconds();
	int ret = ob_track_store_retire(s->tracks, index, &r);

	/* The hiding thread gets its own copy: the store's is gone at the next call. */
	if (!ret && it && r.n) {
		if (!(it->rows = malloc(r.n * sizeof(*it->rows))))
			return ob_err(OB_ERR_NOMEM, "%s: out of memory", s->job->input);
		memcpy(it->rows, r.rows, r.n * sizeof(*it->rows));
		it->nrows = r.n;
	}
	if (!ret && s->writer)
		ret = ob_trackfile_add_frame(s->writer, &r.frame, r.rows, r.n);
	for (size_t i = 0; i < r.nconfirmed && !ret && s->writer; i++)
		ret = ob_trackfile_confirm(s->writer, r.confirmed[i]);
	for (size_t i = 0; i < r.nended && !ret && s->identity; i++)
		if (r.ended[i].confirmed) /* only confirmed tracks are joined */
			ret = ob_identity_add(s->identity, &r.ended[i]);
	s->t.retire += ob_clock_seconds() - t0;
	return ret;
}

/* The oldest frame's rows are final: they go to tracks.h5 and the analyzer,
 * and the frame with a copy of them to the hiding thread (when there is an
 * export). */
static int retire_one(struct job_state *s)
{
	int64_t index = s->retired;
	struct item *it = NULL;
	int ret;

	if (s->sink) {
		if (!s->q.n || s->q.first != index)
			return ob_err(OB_ERR_INTERNAL, "frame queue out of step");
		it = s->q.slot[s->q.first % (int64_t)s->q.cap];
		s->q.first++;
		s->q.n--;
	}
	ret = record_rows(s, index, it);
	if (!ret && it && !ob_fifo_push(s->to_hide, it))
		ret = adopt(&s->hider); /* the hiding thread stopped on an error */
	else
		it = NULL;
	item_free(&it);
	if (ret)
		return ret;
	s->retired++;
	if (s->progress && s->retired % PROGRESS_EVERY == 0)
		s->progress(s->opaque, s->retired, s->info->frames_estimate);
	return 0;
}

static int drain(struct job_state *s)
{
	int ret = 0;

	while (!ret && s->retired < ob_track_store_ready(s->tracks))
		ret = retire_one(s);
	return ret;
}

/* A decoded frame: seen by the seeing stages, then queued until final. */
static int see_frame(struct job_state *s, struct item *it)
{
	double t0 = ob_clock_seconds();
	int ret = ob_track_store_begin_frame(s->tracks, it->index, frame_seconds(s, it->frame, it->index));

	for (size_t i = 0; i < s->nstages && !ret; i++)
		if (!s->stages[i].hide)
			ret = s->stages[i].stage->process(s->stages[i].priv, it->frame, it->index, NULL, 0);
	s->t.see += ob_clock_seconds() - t0;
	if (ret || !s->sink) {
		item_free(&it);
		return ret ? ret : drain(s);
	}
	if (s->q.n == s->q.cap) {
		item_free(&it);
		return ob_err(OB_ERR_INTERNAL, "frame queue full");
	}
	s->q.slot[(s->q.first + (int64_t)s->q.n) % (int64_t)s->q.cap] = it;
	s->q.n++;
	return drain(s);
}

/*
 * The decode thread: demuxes and decodes the input into items for the job
 * loop, until the end of the input, an error (sent as the end, with the
 * message kept in s->decoder), or an abort of the queue by the job loop.
 */
static void *decode_thread(void *arg)
{
	struct job_state *s = arg;
	int64_t index = 0;
	struct item *it = NULL;
	int ret = 0;

	for (;;) {
		double t0 = ob_clock_seconds();
		int kind;

		if (!(it = calloc(1, sizeof(*it))) || !(it->frame = av_frame_alloc()) || !(it->pkt = av_packet_alloc())) {
			ret = ob_err(OB_ERR_NOMEM, "%s: out of memory", s->job->input);
			break;
		}
		kind = ob_source_next(s->src, it->frame, it->pkt);
		s->t.decode += ob_clock_seconds() - t0;
		if (kind < 0) {
			ret = kind;
			break;
		}
		if (kind == OB_SOURCE_EOF)
			break;
		if (kind == OB_SOURCE_PACKET) {
			it->kind = ITEM_PACKET;
			av_frame_free(&it->frame);
		} else {
			it->kind = ITEM_FRAME;
			it->index = index++;
			av_packet_free(&it->pkt);
			for (size_t i = 0; i < s->nstages; i++) /* the stages are set up before this thread */
				if (!s->stages[i].hide && s->stages[i].stage->ahead)
					s->stages[i].stage->ahead(s->stages[i].priv, it->frame, it->index);
		}
		if (!ob_fifo_push(s->decoded, it))
			goto out; /* the job loop stopped: nobody listens */
		it = NULL;
	}
	if (ret)
		thread_failed(&s->decoder, ret);
	item_free(&it);
	if ((it = calloc(1, sizeof(*it)))) {
		it->kind = ITEM_END;
		if (ob_fifo_push(s->decoded, it))
			it = NULL;
	} else if (!ret) {
		thread_failed(&s->decoder, ob_err(OB_ERR_NOMEM, "%s: out of memory", s->job->input));
	}
out:
	item_free(&it);
	return NULL;
}

/* One frame with final rows: hiding stages, then the encoder. */
static int hide_frame(struct job_state *s, struct item *it)
{
	double t0 = ob_clock_seconds();
	/* The decoder may still use this buffer as a reference picture: stages
	 * must write into a private copy, or the next frames would be
	 * predicted from pixelated pixels. */
	int ret = av_frame_make_writable(it->frame);

	if (ret < 0)
		return ob_err_av(OB_ERR_NOMEM, ret, "%s: frame copy", s->job->input);
	for (size_t i = 0; i < s->nstages && !ret; i++)
		if (s->stages[i].hide)
			ret = s->stages[i].stage->process(s->stages[i].priv, it->frame, it->index, it->rows, it->nrows);
	s->t.hide += ob_clock_seconds() - t0;
	t0 = ob_clock_seconds();
	if (!ret)
		ret = ob_sink_write_frame(s->sink, it->frame);
	s->t.encode += ob_clock_seconds() - t0;
	return ret;
}

/*
 * The hide-and-encode thread: frames in order with their final rows, and
 * kept audio packets, into the sink, until the end item.  On an error it
 * keeps the message in s->hider and aborts its queue, so the job loop's
 * next push fails at once instead of waiting.
 */
static void *hide_thread(void *arg)
{
	struct job_state *s = arg;
	void *p;
	int ret = 0;

	while (!ret && ob_fifo_pop(s->to_hide, &p)) {
		struct item *it = p;

		if (it->kind == ITEM_END) {
			item_free(&it);
			return NULL;
		}
		ret = it->kind == ITEM_PACKET ? ob_sink_write_packet(s->sink, it->pkt) : hide_frame(s, it);
		item_free(&it);
	}
	if (ret) {
		thread_failed(&s->hider, ret);
		ob_fifo_abort(s->to_hide);
	}
	return NULL;
}

static int start_thread(struct job_state *s, struct thread_end *e, void *(*fn)(void *))
{
	int e2 = pthread_create(&e->id, NULL, fn, s);

	if (e2)
		return ob_err(OB_ERR_INTERNAL, "%s: cannot start a thread: %s", s->job->input, strerror(e2));
	e->started = true;
	return 0;
}

static void join_thread(struct thread_end *e)
{
	if (e->started)
		pthread_join(e->id, NULL);
	e->started = false;
}

/* Stops and joins both workers (abort: at once, without waiting for their work). */
static void stop_threads(struct job_state *s, bool abort)
{
	if (abort) {
		if (s->decoded)
			ob_fifo_abort(s->decoded);
		if (s->to_hide)
			ob_fifo_abort(s->to_hide);
	}
	join_thread(&s->decoder);
	join_thread(&s->hider);
}

/*
 * The job loop proper: items from the decode thread are seen here (the
 * detectors and the track store live in this thread), wait here for their
 * rows to become final, and go on to the hide-and-encode thread.  Returns
 * once every frame reached the sink, or on the first error of any thread.
 */
static int run_frames(struct job_state *s)
{
	struct item *end;
	void *p;
	int ret = 0;

	if ((ret = ob_fifo_new(DECODED_QUEUE, &s->decoded)) ||
	    (s->sink && (ret = ob_fifo_new(HIDE_QUEUE, &s->to_hide))) ||
	    (ret = start_thread(s, &s->decoder, decode_thread)) ||
	    (s->sink && (ret = start_thread(s, &s->hider, hide_thread))))
		goto out;
	for (;;) {
		struct item *it;

		if (interrupted) {
			ret = ob_err(OB_ERR_INTERRUPTED, "%s: interrupted", s->job->input);
			goto out;
		}
		if (!ob_fifo_pop(s->decoded, &p)) {
			ret = ob_err(OB_ERR_INTERNAL, "%s: the decoder's queue was aborted", s->job->input);
			goto out;
		}
		it = p;
		if (it->kind == ITEM_END) {
			item_free(&it);
			break;
		}
		if (it->kind == ITEM_PACKET) {
			if (s->sink && !ob_fifo_push(s->to_hide, it)) {
				item_free(&it);
				ret = adopt(&s->hider);
				goto out;
			}
			if (!s->sink)
				item_free(&it);
			continue;
		}
		if ((ret = see_frame(s, it)))
			goto out;
	}
	join_thread(&s->decoder); /* it sent the end: it has ended */
	if (s->decoder.ret) {
		ret = adopt(&s->decoder);
		goto out;
	}
	ob_track_store_finish(s->tracks);
	if ((ret = drain(s)))
		goto out;
	if (s->sink) {
		if (!(end = calloc(1, sizeof(*end)))) {
			ret = ob_err(OB_ERR_NOMEM, "%s: out of memory", s->job->input);
			goto out;
		}
		end->kind = ITEM_END;
		if (!ob_fifo_push(s->to_hide, end)) {
			item_free(&end);
			ret = adopt(&s->hider);
			goto out;
		}
		join_thread(&s->hider);
		if (s->hider.ret)
			ret = adopt(&s->hider);
	}
out:
	stop_threads(s, ret != 0);
	return ret;
}

static int start_stages(struct job_state *s, const struct ob_stage_ctx *ctx)
{
	const struct ob_stage *const *lists[2] = { ob_pipeline_see, s->job->output ? ob_pipeline_hide : NULL };
	int ret;

	for (int l = 0; l < 2; l++)
		for (size_t i = 0; lists[l] && lists[l][i]; i++) {
			struct running_stage *rs = &s->stages[s->nstages];

			if (s->nstages == MAX_STAGES)
				return ob_err(OB_ERR_INTERNAL, "too many pipeline stages");
			rs->stage = lists[l][i];
			rs->hide = l == 1;
			rs->priv = calloc(1, rs->stage->priv_size ? rs->stage->priv_size : 1);
			if (!rs->priv)
				return ob_err(OB_ERR_NOMEM, "%s: out of memory", s->job->input);
			s->nstages++;
			if ((ret = rs->stage->init(rs->priv, ctx)))
				return ret;
		}
	return 0;
}

/* Where the time went: each part as measured by its thread, and the wall. */
static json_t *timing_json(const struct job_state *s, double wall)
{
	json_t *t = json_pack("{s:f, s:f, s:f, s:f, s:f, s:f}", "wall", wall, "decode", s->t.decode,
			      "see", s->t.see, "retire", s->t.retire, "hide", s->t.hide, "encode", s->t.encode);

	for (size_t i = 0; t && i < s->nstages; i++)
		if (s->stages[i].stage->timing)
			s->stages[i].stage->timing(s->stages[i].priv, t);
	return t;
}

/* When the recording began, if the recipe keeps the input's creation_time
 * ([metadata] keep): the privacy default is that tracks.h5, like the export,
 * carries no wall-clock time, and analytics count hours from the start. */
static double kept_start_time(const struct job_state *s)
{
	const struct ob_recipe *r = s->job->recipe;

	for (size_t i = 0; i < r->n_keep_tags; i++)
		if (!strcmp(r->keep_tags[i], "creation_time"))
			return s->info->start_time;
	return NAN;
}

static int open_tracks(struct job_state *s)
{
	const struct ob_recipe *r = s->job->recipe;
	const struct ob_audit_facts *facts = ob_audit_facts(s->audit);
	struct ob_trackfile_meta m = {
		.recipe_text = r->text, .recipe_len = r->text ? r->text_len : 0,
		.input_size = (int64_t)facts->input_size, .width = s->info->width, .height = s->info->height,
		.fps_num = s->info->frame_rate.num, .fps_den = s->info->frame_rate.den,
		.start_time = kept_start_time(s),
	};
	int ret;

	snprintf(m.version, sizeof(m.version), "%s", OB_VERSION);
	snprintf(m.job_id, sizeof(m.job_id), "%s", ob_audit_job_id(s->audit));
	snprintf(m.recipe_sha256, sizeof(m.recipe_sha256), "%s", facts->recipe_sha256);
	snprintf(m.input_sha256, sizeof(m.input_sha256), "%s", facts->input_sha256);
	for (size_t i = 0; i < facts->n_models && i < OB_TRACKFILE_MAX_MODELS; i++) {
		snprintf(m.models[i].name, sizeof(m.models[i].name), "%s", facts->models[i].name);
		snprintf(m.models[i].sha256, sizeof(m.models[i].sha256), "%s", facts->models[i].sha256);
		m.n_models++;
	}
	if (m.fps_num <= 0 || m.fps_den <= 0)
		m.fps_num = 0, m.fps_den = 1;
	if ((ret = ob_atomic_tmpname(s->job->tracks, s->tracks_tmp, sizeof(s->tracks_tmp))) ||
	    (ret = ob_trackfile_create(s->tracks_tmp, &m, &s->writer)))
		return ret;
	return ob_identity_new(s->info->width, s->info->height, ob_source_fps(s->info), &s->identity);
}

bool ob_replay_keeps(const struct ob_replay *rp, uint64_t id)
{
	for (size_t i = 0; rp && i < rp->n_keep; i++)
		if (rp->keep[i] == id)
			return true;
	return false;
}

int ob_replay_recipe(const char *path, const struct ob_trackfile_meta *m, struct ob_recipe **recipe)
{
	char origin[OB_PATH_MAX + 16];

	if (!ob_trackfile_recipe_ok(m))
		return ob_err(OB_ERR_INPUT, "%s: attribute 'recipe' does not match 'recipe_sha256' (edited?)", path);
	snprintf(origin, sizeof(origin), "%s (its recipe)", path);
	return m->recipe_text && m->recipe_len ? ob_recipe_parse(origin, m->recipe_text, recipe)
					       : ob_recipe_default(recipe);
}

/* The manifest's "redaction" events: every hidden track and why, every
 * track a DPO left visible, every zone. */
static int record_redactions(struct job_state *s, struct ob_job_stats *stats)
{
	const struct ob_track_summary *t;
	size_t n = ob_trackfile_writer_tracks(s->writer, &t);
	const struct ob_recipe *r = s->job->recipe;
	int ret = 0;

	for (size_t i = 0; i < n && !ret; i++) {
		const char *reason = t[i].hidden ? (t[i].cls == OB_CLASS_MANUAL ? "manual" : "detector")
						 : ob_replay_keeps(s->job->replay, t[i].id) ? "kept" : NULL;

		stats->tracks++;
		stats->tracks_confirmed += t[i].confirmed;
		stats->tracks_hidden += t[i].hidden;
		stats->rows += t[i].rows;
		if (!reason || !s->sink)
			continue; /* analytics only: nothing was hidden */
		ret = ob_audit_redaction(s->audit, reason,
			json_pack("{s:I, s:s, s:b, s:I, s:I, s:f, s:f, s:I}", "track", (json_int_t)t[i].id,
				  "class", ob_class_name((enum ob_class)t[i].cls), "confirmed", t[i].confirmed,
				  "first", (json_int_t)t[i].first_frame, "last", (json_int_t)t[i].last_frame,
				  "first_pts", t[i].first_pts, "last_pts", t[i].last_pts,
				  "observed", (json_int_t)t[i].observed));
	}
	for (size_t i = 0; s->sink && i < r->n_zones && !ret; i++)
		ret = ob_audit_redaction(s->audit, "zone",
			json_pack("{s:s, s:I, s:I}", "zone", r->zones[i].name, "first", (json_int_t)0,
				  "last", (json_int_t)(s->retired - 1)));
	return ret;
}

/*
 * Every track's identity into tracks.h5: the fragments the store handed
 * over, joined (identity.h); replaying a tracks file (obscura redact), the
 * identities that file gives.  The one place identities are decided.
 */
static int give_identities(struct job_state *s)
{
	const struct ob_track_summary *t;
	size_t n = ob_trackfile_writer_tracks(s->writer, &t);
	struct ob_trackfile *f = NULL;
	const struct ob_track_summary *ft = NULL;
	size_t nft = 0;
	int ret = 0;

	if (s->job->replay && ((ret = ob_trackfile_open(s->job->replay->tracks, &f)) ||
			       (ret = ob_trackfile_tracks(f, &ft, &nft))))
		goto out;
	if (!f && (ret = ob_identity_solve(s->identity)))
		goto out;
	for (size_t i = 0; i < n && !ret; i++) {
		const struct ob_track_summary *o = f ? ob_track_summary_find(ft, nft, t[i].id) : NULL;
		uint64_t id = f ? (o ? o->identity : t[i].id) : ob_identity_of(s->identity, t[i].id);

		ret = ob_trackfile_set_identity(s->writer, t[i].id, id);
	}
out:
	ob_trackfile_close(&f);
	return ret;
}

/* Counts, crossings, visits, occupancy and heat of the finished tracks file:
 * its rows replayed by identity (ob_analytics_file_replay), the same code
 * path as `obscura inspect`, so what the job stores is what inspect says. */
static int replay_analytics(struct job_state *s)
{
	struct ob_trackfile *f = NULL;
	int ret = ob_trackfile_open(s->tracks_tmp, &f);

	if (!ret)
		ret = ob_analytics_file_replay(f, s->job->recipe, NULL, NULL, &s->analytics);
	ob_trackfile_close(&f);
	return ret;
}

/*
 * [analytics] descriptors = yes: each identity's clothes descriptor
 * (ob_identity_descriptors) added as /appearance to the local tracks file
 * once the bundle holds its copy, so a bundle never carries them (what is
 * handed out keeps no way to link people across files); the manifest's
 * hash is therefore the bundle's copy's.  A replay (obscura redact) has no
 * descriptors to give: it writes none.
 */
static int add_descriptors(struct job_state *s)
{
	struct ob_track_descriptors ds = { 0 };
	struct ob_track_descriptor *d = NULL;
	struct ob_trackfile_group g;
	int ret;

	if (!s->job->recipe->descriptors || s->job->replay)
		return 0;
	if ((ret = ob_identity_descriptors(s->identity, &d, &ds.n)))
		return ret;
	ds.d = d;
	g = ob_trackfile_descriptor_group(&ds);
	ret = ob_trackfile_add_group(s->tracks_tmp, &g);
	free(d);
	return ret;
}

/* The end of a job that read every frame: tracks.h5, the manifest's last
 * events, the bundle, then the export and tracks.h5 under their names. */
static int finish_job(struct job_state *s, struct ob_job_stats *stats)
{
	const struct ob_job *job = s->job;
	struct ob_audit_file files[2];
	size_t nfiles = 0;
	int ret;

	struct ob_trackfile_group analytics;

	if ((ret = give_identities(s)) || (ret = ob_trackfile_finish(s->writer, s->retired, NULL)) ||
	    (ret = record_redactions(s, stats)) || (ret = replay_analytics(s)))
		return ret;
	analytics = ob_analytics_file_group(ob_analytics_result(s->analytics));
	if ((ret = ob_trackfile_add_group(s->tracks_tmp, &analytics)))
		return ret;
	if (!(stats->analytics = ob_analytics_json(ob_analytics_result(s->analytics))))
		return ob_err(OB_ERR_NOMEM, "%s: out of memory", job->input);
	/* A photo has no time: the analyzer counted its one frame at the rate
	 * it assumes for footage without one, which the summary must not
	 * present as the photo's. */
	if (s->info->still && (json_object_set_new(stats->analytics, "fps", json_null()) ||
			       json_object_set_new(stats->analytics, "duration", json_null())))
		return ob_err(OB_ERR_NOMEM, "%s: out of memory", job->input);
	if (stats->decode_errors > 0 &&
	    (ret = ob_audit_warning(s->audit, "decode_errors", "corrupt packets were skipped",
				    json_pack("{s:I}", "count", (json_int_t)stats->decode_errors))))
		return ret;
	if (stats->frames_lost > 0 &&
	    (ret = ob_audit_warning(s->audit, "frames_lost", "frames missing from the export: corrupt or absent in the input",
				    json_pack("{s:I}", "count", (json_int_t)stats->frames_lost))))
		return ret;
	/* said at run time too (run.c): the bundle and its report must tell it */
	if (s->sink && !job->replay && !ob_recipe_hides_anything(job->recipe) &&
	    (ret = ob_audit_warning(s->audit, "hides_nothing",
				    "the recipe " OB_RECIPE_HIDES_NOTHING ": this export is re-encoded, not anonymized",
				    NULL)))
		return ret;
	if (s->sink)
		files[nfiles++] = (struct ob_audit_file){ ob_path_base(job->output), ob_sink_tmp_path(s->sink),
							  s->info->still ? "the anonymized photo" : "the anonymized video" };
	files[nfiles++] = (struct ob_audit_file){ ob_path_base(job->tracks), s->tracks_tmp,
						  "anonymous track metadata (HDF5; see obscura-tracks(5))" };
	/* The bundle first, then the export and tracks.h5: if any fails, none remains. */
	ret = ob_audit_finish(s->audit, files, nfiles,
			      json_pack("{s:I, s:I, s:I, s:I, s:i, s:i, s:b, s:b, s:I, s:I, s:I, s:s}", "frames",
					(json_int_t)s->retired, "decode_errors", (json_int_t)stats->decode_errors,
					"frames_lost", (json_int_t)stats->frames_lost,
					"hidden_cells", (json_int_t)stats->hidden_cells,
					"streams_dropped", stats->streams_dropped,
					"tags_dropped", stats->tags_dropped, "audio_kept", stats->audio_kept,
					"audio_encoder_blanked", s->sink && ob_sink_audio_blanked(s->sink),
					"tracks", (json_int_t)stats->tracks,
					"tracks_confirmed", (json_int_t)stats->tracks_confirmed,
					"tracks_hidden", (json_int_t)stats->tracks_hidden,
					"media", s->info->still ? "image" : "video"));
	if (ret || (ret = add_descriptors(s)))
		return ret;
	if (s->sink && (ret = ob_sink_commit(s->sink)))
		return ret;
	if ((ret = ob_atomic_commit(s->tracks_tmp, job->tracks))) {
		if (s->sink)
			unlink(job->output); /* all or nothing */
		return ret;
	}
	s->tracks_tmp[0] = '\0';
	ob_audit_keep(s->audit);
	return 0;
}

static void job_release(struct job_state *s, struct ob_job_stats *stats, bool counted)
{
	stop_threads(s, true); /* no thread may touch a stage or the sink from here on */
	for (size_t i = 0; i < s->nstages; i++) {
		if (!counted && s->stages[i].stage->hidden_cells)
			stats->hidden_cells += s->stages[i].stage->hidden_cells(s->stages[i].priv);
		s->stages[i].stage->close(s->stages[i].priv);
		free(s->stages[i].priv);
	}
	ob_trackfile_writer_free(&s->writer);
	ob_identity_free(&s->identity);
	ob_analytics_free(&s->analytics);
	ob_atomic_abort(s->tracks_tmp); /* "" once committed */
	ob_track_store_free(&s->tracks);
	queue_release(&s->q);
	fifo_drain_free(&s->decoded);
	fifo_drain_free(&s->to_hide);
	ob_sink_free(&s->sink);   /* removes the temporary file unless committed */
	ob_audit_free(&s->audit); /* removes the manifest, and the bundle unless kept */
	ob_source_free(&s->src);
}

/* The export's name was planned from the input's first bytes
 * (ob_runner_output_name): a photo's export keeps its format, so a file that
 * changed kind since (a video where a photo was, or the other way) is
 * refused rather than written under a name that lies. */
static int planned_as(const struct ob_job *job, const struct ob_source_info *v)
{
	const char *dot = job->output ? strrchr(ob_path_base(job->output), '.') : NULL;
	const char *want = ob_photo_ext(v->still);
	bool photo_name = dot && (!strcmp(dot + 1, ob_photo_ext(OB_PHOTO_JPEG)) ||
				  !strcmp(dot + 1, ob_photo_ext(OB_PHOTO_PNG)));

	if (!job->output || (want ? dot && !strcmp(dot + 1, want) : !photo_name))
		return 0;
	return ob_err(OB_ERR_INPUT, "%s: changed since its export %s was planned (%s now)", job->input, job->output,
		      want ? ob_photo_name(v->still) : "a video");
}

int ob_job_run(const struct ob_job *job, struct ob_job_stats *stats,
	       ob_job_progress_fn progress, void *opaque)
{
	const struct ob_recipe *recipe = job->recipe;
	struct job_state s = { .job = job, .first_pts = AV_NOPTS_VALUE, .progress = progress, .opaque = opaque };
	struct ob_track_params tp;
	struct ob_stage_ctx ctx;
	double started = ob_clock_seconds();
	bool counted = false;
	int ret;

	memset(stats, 0, sizeof(*stats));
	stats->frames_estimate = -1;
	stats->media_seconds = -1;
	ret = ob_audit_start(&(struct ob_audit_params){
		.manifest = job->manifest, .bundle = job->bundle,
		.key = job->key, .analytics_only = job->output == NULL, .recipe = recipe, .argc = job->argc, .argv = job->argv,
	}, &s.audit);
	if (ret)
		goto out;
	snprintf(stats->job_id, sizeof(stats->job_id), "%s", ob_audit_job_id(s.audit));
	ret = ob_source_open(&s.src, job->input, job->output && recipe->keep_audio, job->threads);
	if (ret)
		goto out;
	s.info = ob_source_info(s.src);
	/* A photo's export is cut back to the input's size (sink.h); a video's keeps the padding. */
	stats->width = s.info->width - (s.info->still ? s.info->pad_right : 0);
	stats->height = s.info->height - (s.info->still ? s.info->pad_bottom : 0);
	stats->rotation = s.info->rotation;
	stats->frames_estimate = s.info->frames_estimate;
	stats->media_seconds = s.info->duration;
	stats->video_codec = s.info->video_codec;
	stats->audio_kept = s.info->audio_index >= 0;
	stats->photo = ob_photo_name(s.info->still);
	if ((ret = planned_as(job, s.info)))
		goto out;
	count_dropped(ob_source_format(s.src), s.info, stats);
	ret = ob_audit_input(s.audit, job->input, ob_source_format(s.src), s.info, recipe);
	if (ret)
		goto out;

	ob_track_params_from(&recipe->track, ob_source_fps(s.info), s.info->width, s.info->height, &tp);
	if (s.info->still)
		ob_track_params_still(&tp);
	ret = check_memory(job, s.info, (int64_t)(job->replay ? 0 : tp.lookahead) + 1);
	if (!ret)
		ret = ob_track_store_new(job->replay ? NULL : &tp, &s.tracks);
	if (!ret && job->output)
		ret = queue_init(&s.q, (size_t)(job->replay ? 0 : tp.lookahead) + 1);
	if (ret)
		goto out;
	ctx = (struct ob_stage_ctx){ .recipe = recipe, .video = s.info, .tracks = s.tracks,
				     .threads = job->threads, .replay = job->replay, .audit = s.audit };
	if ((ret = job_seed(recipe, &ctx.seed)) || (ret = start_stages(&s, &ctx)) ||
	    (!job->replay && (ret = ob_audit_models(s.audit, recipe))) || (ret = open_tracks(&s)))
		goto out;
	if (job->output) {
		ret = ob_sink_open(&s.sink, &(struct ob_sink_params){
			.path = job->output, .recipe = recipe, .video = s.info,
			.input = ob_source_format(s.src), .threads = job->threads,
			.checkpoint = ob_audit_checkpoint, .opaque = s.audit,
		});
		if (ret)
			goto out;
	}

	if ((ret = run_frames(&s)))
		goto out;
	for (size_t i = 0; i < s.nstages && !ret; i++)
		if (s.stages[i].stage->finish)
			ret = s.stages[i].stage->finish(s.stages[i].priv, s.retired);
	if (ret || (s.sink && (ret = ob_sink_finish(s.sink))))
		goto out;
	stats->frames = s.retired;
	stats->decode_errors = ob_source_decode_errors(s.src);
	stats->frames_lost = ob_source_frames_lost(s.src);
	for (size_t i = 0; i < s.nstages; i++)
		if (s.stages[i].stage->hidden_cells)
			stats->hidden_cells += s.stages[i].stage->hidden_cells(s.stages[i].priv);
	counted = true;
	stats->timing = timing_json(&s, ob_clock_seconds() - started);
	ret = finish_job(&s, stats);
	if (ret)
		goto out;
	snprintf(stats->manifest_head, sizeof(stats->manifest_head), "%s", ob_audit_head(s.audit));
	if (progress)
		progress(opaque, s.retired, s.retired);
out:
	if (s.src && !counted) {
		stats->decode_errors = ob_source_decode_errors(s.src);
		stats->frames_lost = ob_source_frames_lost(s.src);
	}
	job_release(&s, stats, counted);
	if (ret) {
		json_decref(stats->analytics);
		stats->analytics = NULL;
		json_decref(stats->timing);
		stats->timing = NULL;
	}
	return ret;
}

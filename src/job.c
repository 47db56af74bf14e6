/* job.c - the job loop: source -> stages -> sink, for one input. */
#include "obscura/job.h"

#include <errno.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "obscura/audit.h"
#include "obscura/error.h"
#include "obscura/recipe.h"
#include "obscura/sink.h"
#include "obscura/source.h"
#include "obscura/stage.h"
#include "obscura/tracks.h"
#include "obscura/banned.h"

#define PROGRESS_EVERY 25 /* frames between progress reports */

static volatile sig_atomic_t interrupted;

void ob_job_interrupt(void)
{
	interrupted = 1;
}

struct running_stage {
	const struct ob_stage *stage;
	void *priv;
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
}

int ob_job_run(const struct ob_job *job, struct ob_job_stats *stats,
	       ob_job_progress_fn progress, void *opaque)
{
	const struct ob_recipe *recipe = job->recipe;
	struct running_stage stages[8] = { { 0 } };
	size_t nstages = 0;
	struct ob_source *src = NULL;
	struct ob_sink *sink = NULL;
	const struct ob_source_info *info;
	AVFrame *frame = av_frame_alloc();
	AVPacket *pkt = av_packet_alloc();
	struct ob_stage_ctx ctx;
	struct ob_track_store *tracks = NULL;
	struct ob_audit *audit = NULL;
	bool counted = false;
	int64_t index = 0;
	int ret;

	memset(stats, 0, sizeof(*stats));
	stats->frames_estimate = -1;
	stats->media_seconds = -1;
	if (!frame || !pkt) {
		ret = ob_err(OB_ERR_NOMEM, "%s: out of memory", job->input);
		goto out;
	}
	ret = ob_audit_start(&(struct ob_audit_params){
		.manifest = job->manifest, .bundle = job->bundle, .export_path = job->output,
		.key = job->key, .recipe = recipe, .argc = job->argc, .argv = job->argv,
	}, &audit);
	if (ret)
		goto out;
	snprintf(stats->job_id, sizeof(stats->job_id), "%s", ob_audit_job_id(audit));
	ret = ob_source_open(&src, job->input, recipe->keep_audio, job->threads);
	if (ret)
		goto out;
	info = ob_source_info(src);
	stats->width = info->width;
	stats->height = info->height;
	stats->rotation = info->rotation;
	stats->frames_estimate = info->frames_estimate;
	stats->media_seconds = info->duration;
	stats->video_codec = info->video_codec;
	stats->audio_kept = info->audio_index >= 0;
	count_dropped(ob_source_format(src), info, stats);
	ret = ob_audit_input(audit, job->input, ob_source_format(src), info, recipe);
	if (ret)
		goto out;

	ret = ob_track_store_new(&tracks);
	if (ret)
		goto out;
	ctx = (struct ob_stage_ctx){ .recipe = recipe, .video = info, .tracks = tracks,
				     .threads = job->threads };
	ret = job_seed(recipe, &ctx.seed);
	if (ret)
		goto out;
	for (size_t i = 0; ob_pipeline[i]; i++) {
		struct running_stage *rs = &stages[nstages];

		if (nstages == sizeof(stages) / sizeof(stages[0])) {
			ret = ob_err(OB_ERR_INTERNAL, "too many pipeline stages");
			goto out;
		}
		rs->stage = ob_pipeline[i];
		rs->priv = calloc(1, rs->stage->priv_size ? rs->stage->priv_size : 1);
		if (!rs->priv) {
			ret = ob_err(OB_ERR_NOMEM, "%s: out of memory", job->input);
			goto out;
		}
		nstages++;
		ret = rs->stage->init(rs->priv, &ctx);
		if (ret)
			goto out;
	}
	ret = ob_audit_models(audit, recipe);
	if (ret)
		goto out;

	ret = ob_sink_open(&sink, &(struct ob_sink_params){
		.path = job->output, .recipe = recipe, .video = info,
		.input = ob_source_format(src), .threads = job->threads,
		.checkpoint = ob_audit_checkpoint, .opaque = audit,
	});
	if (ret)
		goto out;

	for (;;) {
		int item;

		if (interrupted) {
			ret = ob_err(OB_ERR_INTERRUPTED, "%s: interrupted", job->input);
			goto out;
		}
		item = ob_source_next(src, frame, pkt);
		if (item < 0) {
			ret = item;
			goto out;
		}
		if (item == OB_SOURCE_EOF)
			break;
		if (item == OB_SOURCE_PACKET) {
			ret = ob_sink_write_packet(sink, pkt);
			av_packet_unref(pkt);
			if (ret)
				goto out;
			continue;
		}
		/* The decoder may still use this buffer as a reference picture:
		 * stages must write into a private copy, or the next frames
		 * would be predicted from pixelated pixels. */
		ret = av_frame_make_writable(frame);
		if (ret < 0) {
			av_frame_unref(frame);
			ret = ob_err_av(OB_ERR_NOMEM, ret, "%s: frame copy", job->input);
			goto out;
		}
		for (size_t i = 0; i < nstages; i++) {
			ret = stages[i].stage->process(stages[i].priv, frame, index);
			if (ret)
				break;
		}
		if (!ret)
			ret = ob_sink_write_frame(sink, frame);
		av_frame_unref(frame);
		if (ret)
			goto out;
		index++;
		if (progress && index % PROGRESS_EVERY == 0)
			progress(opaque, index, info->frames_estimate);
	}
	ret = ob_sink_finish(sink);
	if (ret)
		goto out;
	stats->frames = index;
	stats->decode_errors = ob_source_decode_errors(src);
	for (size_t i = 0; i < nstages; i++)
		if (stages[i].stage->hidden_cells)
			stats->hidden_cells += stages[i].stage->hidden_cells(stages[i].priv);
	counted = true;
	if (stats->decode_errors > 0) {
		ret = ob_audit_warning(audit, "decode_errors", "corrupt packets were skipped",
				       json_pack("{s:I}", "count", (json_int_t)stats->decode_errors));
		if (ret)
			goto out;
	}
	/* The bundle first, then the export: if either fails, neither remains. */
	ret = ob_audit_finish(audit, ob_sink_tmp_path(sink),
			      json_pack("{s:I, s:I, s:I, s:i, s:i, s:b}", "frames", (json_int_t)index,
					"decode_errors", (json_int_t)stats->decode_errors,
					"hidden_cells", (json_int_t)stats->hidden_cells,
					"streams_dropped", stats->streams_dropped,
					"tags_dropped", stats->tags_dropped, "audio_kept", stats->audio_kept));
	if (ret)
		goto out;
	ret = ob_sink_commit(sink);
	if (ret)
		goto out;
	ob_audit_keep(audit);
	snprintf(stats->manifest_head, sizeof(stats->manifest_head), "%s", ob_audit_head(audit));
	if (progress)
		progress(opaque, index, index);
out:
	if (src && !counted)
		stats->decode_errors = ob_source_decode_errors(src);
	for (size_t i = 0; i < nstages; i++) {
		if (!counted && stages[i].stage->hidden_cells)
			stats->hidden_cells += stages[i].stage->hidden_cells(stages[i].priv);
		stages[i].stage->close(stages[i].priv);
		free(stages[i].priv);
	}
	ob_track_store_free(&tracks);
	ob_sink_free(&sink); /* removes the temporary file unless committed */
	ob_audit_free(&audit); /* removes the manifest, and the bundle unless kept */
	ob_source_free(&src);
	av_packet_free(&pkt);
	av_frame_free(&frame);
	return ret;
}

/* SPDX-License-Identifier: MIT */
/* stage_replay.c - the replay stage: a second pass hides what an earlier job's tracks.h5 says. */
#include <inttypes.h>
#include <jansson.h>
#include <libavutil/frame.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/audit.h"
#include "obscura/error.h"
#include "obscura/job.h"
#include "obscura/source.h"
#include "obscura/stage.h"
#include "obscura/trackfile.h"
#include "obscura/track_store.h"
#include "obscura/banned.h"

struct replay {
	const struct ob_replay *rp;
	struct ob_track_store *tracks;
	struct ob_trackfile *file;
	const struct ob_track_summary *summaries;
	size_t nsummaries;
	uint64_t manual_id;   /* id of the first manual box: after every id in the file */
	int64_t frames;       /* frames the file covers */
};

static const struct ob_track_summary *summary_of(const struct replay *r, uint64_t id)
{
	size_t lo = 0, hi = r->nsummaries;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->summaries[mid].id == id)
			return &r->summaries[mid];
		if (r->summaries[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The manifest's "replay" event: which file, which tracks stay visible, which boxes were added. */
static int record(struct replay *r, struct ob_audit *audit)
{
	json_t *keep = json_array(), *boxes = json_array();

	for (size_t i = 0; keep && i < r->rp->n_keep; i++)
		json_array_append_new(keep, json_integer((json_int_t)r->rp->keep[i]));
	for (size_t i = 0; boxes && i < r->rp->n_boxes; i++) {
		const struct ob_manual_box *b = &r->rp->boxes[i];

		json_array_append_new(boxes, json_pack("{s:I, s:I, s:I, s:[f, f, f, f]}", "track",
						       (json_int_t)(r->manual_id + i), "first", (json_int_t)b->first,
						       "last", (json_int_t)b->last, "box", b->box.x, b->box.y,
						       b->box.w, b->box.h));
	}
	if (!keep || !boxes) {
		json_decref(keep);
		json_decref(boxes);
		return ob_err(OB_ERR_NOMEM, "out of memory");
	}
	return ob_audit_replay(audit, r->rp->tracks, json_pack("{s:o, s:o}", "keep", keep, "manual", boxes));
}

static int replay_init(void *priv, const struct ob_stage_ctx *ctx)
{
	struct replay *r = priv;
	const struct ob_trackfile_meta *m;
	const char *input_sha;
	int ret;

	if (!ctx->replay)
		return 0;
	r->rp = ctx->replay;
	r->tracks = ctx->tracks;
	if ((ret = ob_trackfile_open(r->rp->tracks, &r->file)) ||
	    (ret = ob_trackfile_tracks(r->file, &r->summaries, &r->nsummaries)))
		return ret;
	m = ob_trackfile_meta(r->file);
	/* Hiding one video's boxes on another would leave everyone showing. */
	input_sha = ob_audit_facts(ctx->audit)->input_sha256;
	if (strcmp(m->input_sha256, input_sha))
		return ob_err(OB_ERR_INPUT, "%s: made from another input (SHA-256 %.16s..., this one is %.16s...)",
			      r->rp->tracks, m->input_sha256, input_sha);
	if (m->width != ctx->video->width || m->height != ctx->video->height)
		return ob_err(OB_ERR_INPUT, "%s: made for %dx%d frames, the input decodes to %dx%d",
			      r->rp->tracks, m->width, m->height, ctx->video->width, ctx->video->height);
	r->frames = m->frames;
	for (size_t i = 0; i < r->rp->n_keep; i++)
		if (!summary_of(r, r->rp->keep[i]))
			return ob_err(OB_ERR_USAGE, "--keep %" PRIu64 ": %s has no such track", r->rp->keep[i],
				      r->rp->tracks);
	r->manual_id = r->nsummaries ? r->summaries[r->nsummaries - 1].id + 1 : 1;
	for (size_t i = 0; i < r->rp->n_boxes; i++)
		if (r->rp->boxes[i].first >= r->frames)
			return ob_err(OB_ERR_USAGE, "--add-box: frame %" PRId64 " is past the end (%s has %" PRId64 " frames)",
				      r->rp->boxes[i].first, r->rp->tracks, r->frames);
	return record(r, ctx->audit);
}

static int replay_process(void *priv, AVFrame *frame, int64_t index, const struct ob_track_row *unused_rows,
			  size_t unused_n)
{
	struct replay *r = priv;
	const struct ob_track_row *rows;
	size_t n;
	int ret;

	if (!r->rp)
		return 0;
	if (index >= r->frames)
		return ob_err(OB_ERR_INPUT, "%s: covers %" PRId64 " frames, the input has more", r->rp->tracks,
			      r->frames);
	if ((ret = ob_trackfile_rows_at(r->file, index, &rows, &n)))
		return ret;
	for (size_t i = 0; i < n; i++) {
		struct ob_track_row row = rows[i];
		const struct ob_track_summary *s = summary_of(r, row.track);

		if (ob_replay_keeps(r->rp, row.track))
			row.hidden = 0;
		if ((ret = ob_track_store_put_row(r->tracks, &row, s && s->confirmed)))
			return ret;
	}
	for (size_t i = 0; i < r->rp->n_boxes; i++) {
		const struct ob_manual_box *b = &r->rp->boxes[i];
		struct ob_track_row row = {
			.track = r->manual_id + i, .cls = OB_CLASS_MANUAL, .kind = OB_ROW_OBSERVED,
			.hidden = 1, .score = 1,
			.x = (float)b->box.x, .y = (float)b->box.y, .w = (float)b->box.w, .h = (float)b->box.h,
			.cover_x = (float)b->box.x, .cover_y = (float)b->box.y,
			.cover_w = (float)b->box.w, .cover_h = (float)b->box.h,
		};

		if (index >= b->first && index <= b->last && (ret = ob_track_store_put_row(r->tracks, &row, true)))
			return ret;
	}
	return 0;
}

static int replay_finish(void *priv, int64_t frames)
{
	struct replay *r = priv;

	if (r->rp && frames != r->frames)
		return ob_err(OB_ERR_INPUT, "%s: covers %" PRId64 " frames, the input has %" PRId64, r->rp->tracks,
			      r->frames, frames);
	return 0;
}

static void replay_close(void *priv)
{
	struct replay *r = priv;

	ob_trackfile_close(&r->file);
}

const struct ob_stage ob_stage_replay = {
	.name = "replay",
	.priv_size = sizeof(struct replay),
	.init = replay_init,
	.process = replay_process,
	.finish = replay_finish,
	.close = replay_close,
	.hidden_cells = NULL,
};

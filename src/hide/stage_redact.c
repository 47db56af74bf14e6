/* SPDX-License-Identifier: MIT */
/* stage_redact.c - the redact stage: hide exclusion zones and tracked boxes in every frame. */
#include <libavutil/frame.h>

#include "obscura/error.h"
#include "obscura/mask.h"
#include "obscura/pixelate.h"
#include "obscura/recipe.h"
#include "obscura/source.h"
#include "obscura/stage.h"
#include "obscura/track_row.h"
#include "obscura/banned.h"

struct redact {
	const struct ob_recipe *recipe;
	uint64_t seed;
	struct ob_mask zones; /* static exclusion zones, rasterized once */
	struct ob_mask frame; /* what this frame hides */
	int64_t hidden_cells;
};

static int redact_init(void *priv, const struct ob_stage_ctx *ctx)
{
	struct redact *r = priv;
	const struct ob_source_info *v = ctx->video;
	int block = ob_recipe_block_size(&ctx->recipe->pixelate, v->height);
	int ret;

	r->recipe = ctx->recipe;
	r->seed = ctx->seed;
	ret = ob_mask_init(&r->zones, v->width, v->height, block);
	if (ret)
		return ret;
	ret = ob_mask_init(&r->frame, v->width, v->height, block);
	if (ret)
		return ret;
	for (size_t i = 0; i < ctx->recipe->n_zones; i++) {
		struct ob_polygon px = ctx->recipe->zones[i].poly;

		ob_polygon_scale(&px, v->width, v->height);
		ob_mask_add_polygon(&r->zones, &px);
	}
	return 0;
}

static int redact_process(void *priv, AVFrame *frame, int64_t index, const struct ob_track_row *rows, size_t n)
{
	struct redact *r = priv;
	double m = r->recipe->pixelate.margin;

	/* Zones, plus the cover of every hidden row of this frame, grown by margin. */
	ob_mask_clear(&r->frame);
	ob_mask_or(&r->frame, &r->zones);
	for (size_t i = 0; i < n; i++) {
		struct ob_box b = { rows[i].cover_x, rows[i].cover_y, rows[i].cover_w, rows[i].cover_h };

		if (!rows[i].hidden)
			continue;
		ob_mask_add_box(&r->frame, ob_box_grow(b, m));
	}
	r->hidden_cells += (int64_t)ob_mask_count(&r->frame);
	return ob_pixelate_frame(frame, &r->frame, &r->recipe->pixelate, r->seed);
}

static void redact_close(void *priv)
{
	struct redact *r = priv;

	ob_mask_release(&r->zones);
	ob_mask_release(&r->frame);
}

static int64_t redact_hidden_cells(const void *priv)
{
	return ((const struct redact *)priv)->hidden_cells;
}

const struct ob_stage ob_stage_redact = {
	.name = "redact",
	.priv_size = sizeof(struct redact),
	.init = redact_init,
	.process = redact_process,
	.close = redact_close,
	.hidden_cells = redact_hidden_cells,
};

/* tracks.c - a minimal track store: hold the latest detection until the next one. */
#include "obscura/tracks.h"

#include <stdlib.h>
#include <string.h>

#include "obscura/error.h"
#include "obscura/banned.h"

struct ob_track_store {
	int64_t frame;   /* frame the boxes were detected on, -1 none yet */
	struct ob_box *boxes;
	size_t n, cap;
};

int ob_track_store_new(struct ob_track_store **out)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return ob_err(OB_ERR_NOMEM, "out of memory for the track store");
	(*out)->frame = -1;
	return 0;
}

void ob_track_store_free(struct ob_track_store **ts)
{
	if (!ts || !*ts)
		return;
	free((*ts)->boxes);
	free(*ts);
	*ts = NULL;
}

int ob_track_store_put(struct ob_track_store *ts, int64_t frame, const struct ob_box *boxes, size_t n)
{
	if (n > OB_TRACK_MAX_BOXES)
		return ob_err(OB_ERR_LIMIT, "frame %lld: more than %d boxes to hide", (long long)frame,
			      OB_TRACK_MAX_BOXES);
	if (frame < ts->frame)
		return ob_err(OB_ERR_INTERNAL, "track store: frame %lld after %lld", (long long)frame,
			      (long long)ts->frame);
	if (n > ts->cap) {
		struct ob_box *b = realloc(ts->boxes, n * sizeof(*b));

		if (!b)
			return ob_err(OB_ERR_NOMEM, "out of memory for the track store");
		ts->boxes = b;
		ts->cap = n;
	}
	if (n)
		memcpy(ts->boxes, boxes, n * sizeof(*boxes));
	ts->n = n;
	ts->frame = frame;
	return 0;
}

size_t ob_track_store_boxes(const struct ob_track_store *ts, int64_t frame, const struct ob_box **boxes)
{
	*boxes = ts->boxes;
	if (ts->frame < 0 || frame < ts->frame)
		return 0;
	return ts->n;
}

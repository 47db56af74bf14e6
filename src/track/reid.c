/* SPDX-License-Identifier: MIT */
/* reid.c - people of several tracks files linked by their clothes descriptors (reid.h). */
#include "obscura/reid.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/appearance.h"
#include "obscura/array.h"
#include "obscura/error.h"
#include "obscura/banned.h"

double ob_reid_distance(const struct ob_track_descriptor *a, const struct ob_track_descriptor *b)
{
	struct ob_appearance x = { .valid = 1 }, y = { .valid = 1 };

	memcpy(x.h, a->h, sizeof(x.h));
	memcpy(y.h, b->h, sizeof(y.h));
	return ob_appearance_distance(&x, &y);
}

static int cmp_link(const void *x, const void *y)
{
	const struct ob_reid_link *a = x, *b = y;

	if (a->a_set != b->a_set)
		return a->a_set < b->a_set ? -1 : 1;
	if (a->b_set != b->b_set)
		return a->b_set < b->b_set ? -1 : 1;
	if (a->distance != b->distance)
		return a->distance < b->distance ? -1 : 1;
	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	return a->b < b->b ? -1 : a->b > b->b;
}

/* Files i and j: the assignment, its links appended to *out. */
static int link_pair(const struct ob_reid_set *sets, size_t i, size_t j, double threshold,
		     struct ob_reid_link **out, size_t *n, size_t *cap)
{
	const struct ob_reid_set *a = &sets[i], *b = &sets[j];
	double *cost = malloc((a->n && b->n ? a->n * b->n : 1) * sizeof(*cost));
	long *r2c = malloc((a->n ? a->n : 1) * sizeof(*r2c));
	int ret = 0;

	if (!cost || !r2c) {
		ret = ob_err(OB_ERR_NOMEM, "link: out of memory");
		goto out;
	}
	for (size_t r = 0; r < a->n; r++)
		for (size_t c = 0; c < b->n; c++) {
			double d = a->d[r].count < OB_REID_MIN_COUNT || b->d[c].count < OB_REID_MIN_COUNT
					   ? INFINITY
					   : ob_reid_distance(&a->d[r], &b->d[c]);

			/* a pair at exactly the limit is worth nothing to the assignment */
			cost[r * b->n + c] = d <= threshold ? fmin(d, nextafter(threshold, 0)) : INFINITY;
		}
	if ((ret = ob_assign(cost, a->n, b->n, threshold, r2c, NULL)))
		goto out;
	for (size_t r = 0; r < a->n; r++) {
		if (r2c[r] < 0)
			continue;
		if ((ret = ob_grow(out, cap, *n + 1, sizeof(**out), SIZE_MAX))) {
			ret = ob_err(ret, "link: %s", ob_errmsg());
			goto out;
		}
		(*out)[(*n)++] = (struct ob_reid_link){ .a_set = i, .a = r, .b_set = j, .b = (size_t)r2c[r],
							.distance = ob_reid_distance(&a->d[r], &b->d[r2c[r]]) };
	}
out:
	free(cost);
	free(r2c);
	return ret;
}

int ob_reid_link(const struct ob_reid_set *sets, size_t nsets, double threshold, struct ob_reid_link **out,
		 size_t *n)
{
	size_t cap = 0;
	int ret = 0;

	*out = NULL;
	*n = 0;
	if (!(threshold > 0 && threshold <= 1))
		return ob_err(OB_ERR_INTERNAL, "link: threshold %g is not in (0, 1]", threshold);
	if (nsets > OB_REID_MAX_FILES)
		return ob_err(OB_ERR_LIMIT, "link: %zu files (at most %d)", nsets, OB_REID_MAX_FILES);
	for (size_t i = 0; i < nsets; i++)
		if (sets[i].n > OB_REID_MAX_IDENTITIES)
			return ob_err(OB_ERR_LIMIT, "link: %zu descriptors in one file (at most %d)", sets[i].n,
				      OB_REID_MAX_IDENTITIES);
	for (size_t i = 0; i < nsets && !ret; i++)
		for (size_t j = i + 1; j < nsets && !ret; j++)
			ret = link_pair(sets, i, j, threshold, out, n, &cap);
	if (ret) {
		free(*out);
		*out = NULL;
		*n = 0;
		return ret;
	}
	if (*n)
		qsort(*out, *n, sizeof(**out), cmp_link);
	return 0;
}

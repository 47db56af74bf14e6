/* SPDX-License-Identifier: MIT */
/* identity.c - fragments of one person's path joined after the fact (identity.h). */
#include "obscura/identity.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/array.h"
#include "obscura/assign.h"
#include "obscura/class.h"
#include "obscura/error.h"
#include "obscura/banned.h"

#define APP_UNKNOWN 0.5 /* appearance term when a side has no descriptor */
#define LIMIT 3.0       /* every gated pair costs less: better joined than not */

struct edge {
	size_t a, b; /* end of fragment a -> start of fragment b (indices in frags) */
	size_t group; /* the root of its group of linked ends and starts */
	double cost;
};

struct ob_identity {
	int width, height;
	double fps;
	struct ob_track_fragment *frags; /* by id once solved */
	size_t n, cap;
	uint64_t *ident;                 /* [n], after solve */
	size_t joined;
	bool solved;
};

int ob_identity_new(int width, int height, double fps, struct ob_identity **out)
{
	struct ob_identity *id = calloc(1, sizeof(*id));

	*out = NULL;
	if (!id)
		return ob_err(OB_ERR_NOMEM, "identity: out of memory");
	id->width = width;
	id->height = height;
	id->fps = fps > 0 && isfinite(fps) ? fps : 25;
	*out = id;
	return 0;
}

void ob_identity_free(struct ob_identity **pid)
{
	if (!pid || !*pid)
		return;
	free((*pid)->frags);
	free((*pid)->ident);
	free(*pid);
	*pid = NULL;
}

int ob_identity_add(struct ob_identity *id, const struct ob_track_fragment *f)
{
	int ret = ob_grow(&id->frags, &id->cap, id->n + 1, sizeof(*id->frags), SIZE_MAX);

	if (ret)
		return ob_err(ret, "identity: %s", ob_errmsg());
	id->frags[id->n++] = *f;
	id->solved = false;
	return 0;
}

/* Whether box b (moving vx a frame) touches a side and moves out of it (out)
 * or in from it (!out). */
static bool at_side(const struct ob_identity *id, struct ob_box b, double vx, bool out)
{
	double m = OB_IDENTITY_EDGE * id->width;
	bool left = b.x <= m, right = b.x + b.w >= id->width - m;

	if (out)
		return (left && vx < 0) || (right && vx > 0);
	return (left && vx > 0) || (right && vx < 0);
}

/* The cost of joining the end of a to the start of b, or INFINITY. */
static double join_cost(const struct ob_identity *id, const struct ob_track_fragment *a,
			const struct ob_track_fragment *b)
{
	double gap = (double)(b->first - a->last), gs = gap / id->fps;
	double ha = a->last_box.h, hb = b->first_box.h, h = (ha + hb) / 2;
	double k = fmin(gap, OB_IDENTITY_PREDICT * id->fps), reach, e, d;
	double ax = a->last_box.x + a->last_box.w / 2, ay = a->last_box.y + a->last_box.h / 2;
	double bx = b->first_box.x + b->first_box.w / 2, by = b->first_box.y + b->first_box.h / 2;

	if (gap < 1 || gs > OB_IDENTITY_MAX_GAP || a->cls != b->cls || !a->confirmed || !b->confirmed)
		return INFINITY;
	if (!(h > 0) || fmax(ha, hb) > OB_IDENTITY_SIZE_RATIO * fmin(ha, hb))
		return INFINITY;
	if (gs > OB_IDENTITY_AWAY &&
	    (at_side(id, a->last_box, a->vx1, true) || at_side(id, b->first_box, b->vx0, false)))
		return INFINITY;
	/* each end carried on towards the other, the two misses averaged */
	e = (hypot(ax + a->vx1 * k - bx, ay + a->vy1 * k - by) + hypot(bx - b->vx0 * k - ax, by - b->vy0 * k - ay)) /
	    (2 * h);
	reach = OB_IDENTITY_REACH + OB_IDENTITY_REACH_RATE * gs;
	if (e > reach)
		return INFINITY;
	d = APP_UNKNOWN;
	if (a->app.valid && b->app.valid) {
		d = ob_appearance_distance(&a->app, &b->app) / OB_IDENTITY_APP_GATE;
		if (d > 1)
			return INFINITY;
	}
	return e / reach + d + gs / OB_IDENTITY_MAX_GAP;
}

static int cmp_first(const void *x, const void *y, void *ctx)
{
	const struct ob_track_fragment *f = ctx;
	const struct ob_track_fragment *a = &f[*(const size_t *)x], *b = &f[*(const size_t *)y];

	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static int cmp_id(const void *x, const void *y)
{
	const struct ob_track_fragment *a = x, *b = y;

	return a->id < b->id ? -1 : a->id > b->id;
}

static int cmp_edge(const void *x, const void *y)
{
	const struct edge *a = x, *b = y;

	if (a->group != b->group)
		return a->group < b->group ? -1 : 1;
	if (a->cost != b->cost)
		return a->cost < b->cost ? -1 : 1;
	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	return a->b < b->b ? -1 : a->b > b->b;
}

static size_t uf_find(size_t *p, size_t x)
{
	while (p[x] != x)
		x = p[x] = p[p[x]];
	return x;
}

/* The pairs of one group of edges (e[0..ne), ends and starts linked only
 * among themselves), exactly; greedily by cost past OB_ASSIGN_MAX. */
static int solve_group(const struct edge *e, size_t ne, long *next, long *prev)
{
	size_t *rows = malloc(ne * sizeof(*rows)), *cols = malloc(ne * sizeof(*cols)), nr = 0, nc = 0;
	double *cost = NULL;
	long *r2c = NULL;
	int ret = 0;

	if (!rows || !cols) {
		ret = ob_err(OB_ERR_NOMEM, "identity: out of memory");
		goto out;
	}
	for (size_t i = 0; i < ne; i++) {
		size_t r = 0, c = 0;

		while (r < nr && rows[r] != e[i].a)
			r++;
		if (r == nr)
			rows[nr++] = e[i].a;
		while (c < nc && cols[c] != e[i].b)
			c++;
		if (c == nc)
			cols[nc++] = e[i].b;
	}
	if (nr > OB_ASSIGN_MAX || nc > OB_ASSIGN_MAX) {
		/* e is sorted by cost: the cheapest joins first */
		for (size_t i = 0; i < ne; i++)
			if (next[e[i].a] < 0 && prev[e[i].b] < 0) {
				next[e[i].a] = (long)e[i].b;
				prev[e[i].b] = (long)e[i].a;
			}
		goto out;
	}
	cost = malloc(nr * nc * sizeof(*cost));
	r2c = malloc(nr * sizeof(*r2c));
	if (!cost || !r2c) {
		ret = ob_err(OB_ERR_NOMEM, "identity: out of memory");
		goto out;
	}
	for (size_t i = 0; i < nr * nc; i++)
		cost[i] = INFINITY;
	for (size_t i = 0; i < ne; i++) {
		size_t r = 0, c = 0;

		while (rows[r] != e[i].a)
			r++;
		while (cols[c] != e[i].b)
			c++;
		cost[r * nc + c] = e[i].cost;
	}
	if ((ret = ob_assign(cost, nr, nc, LIMIT, r2c, NULL)))
		goto out;
	for (size_t r = 0; r < nr; r++)
		if (r2c[r] >= 0) {
			next[rows[r]] = (long)cols[r2c[r]];
			prev[cols[r2c[r]]] = (long)rows[r];
		}
out:
	free(rows);
	free(cols);
	free(cost);
	free(r2c);
	return ret;
}

int ob_identity_solve(struct ob_identity *id)
{
	size_t n = id->n, *order = NULL, *uf = NULL, ne = 0, ecap = 0;
	long *next = NULL, *prev = NULL;
	struct edge *e = NULL;
	int ret = 0;

	free(id->ident);
	id->ident = NULL;
	id->joined = 0;
	if (n)
		qsort(id->frags, n, sizeof(*id->frags), cmp_id);
	id->ident = malloc((n ? n : 1) * sizeof(*id->ident));
	order = malloc((n ? n : 1) * sizeof(*order));
	uf = malloc((n ? 2 * n : 1) * sizeof(*uf));
	next = malloc((n ? n : 1) * sizeof(*next));
	prev = malloc((n ? n : 1) * sizeof(*prev));
	if (!id->ident || !order || !uf || !next || !prev) {
		ret = ob_err(OB_ERR_NOMEM, "identity: out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		order[i] = i;
		next[i] = prev[i] = -1;
	}
	for (size_t i = 0; i < 2 * n; i++)
		uf[i] = i;
	if (n)
		qsort_r(order, n, sizeof(*order), cmp_first, id->frags);
	/* every gated pair: a's end against the starts that follow it closely */
	for (size_t i = 0; i < n; i++) {
		const struct ob_track_fragment *a = &id->frags[i];
		size_t lo = 0, hi = n;

		if (!a->confirmed)
			continue;
		while (lo < hi) { /* the first start after a's end */
			size_t mid = lo + (hi - lo) / 2;

			if (id->frags[order[mid]].first <= a->last)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t j = lo; j < n; j++) {
			const struct ob_track_fragment *b = &id->frags[order[j]];
			double c;

			if ((double)(b->first - a->last) > OB_IDENTITY_MAX_GAP * id->fps)
				break;
			c = join_cost(id, a, b);
			if (!isfinite(c))
				continue;
			if ((ret = ob_grow(&e, &ecap, ne + 1, sizeof(*e), SIZE_MAX))) {
				ret = ob_err(ret, "identity: %s", ob_errmsg());
				goto out;
			}
			e[ne++] = (struct edge){ .a = i, .b = order[j], .cost = c };
			uf[uf_find(uf, i)] = uf_find(uf, n + order[j]);
		}
	}
	/* independent groups, each solved alone: edges by group, then cost */
	for (size_t i = 0; i < ne; i++)
		e[i].group = uf_find(uf, e[i].a);
	if (ne)
		qsort(e, ne, sizeof(*e), cmp_edge);
	for (size_t start = 0, k; start < ne; start = k) {
		for (k = start; k < ne && e[k].group == e[start].group; k++)
			;
		if ((ret = solve_group(e + start, k - start, next, prev)))
			goto out;
	}
	/* chains: each head names its chain */
	for (size_t i = 0; i < n; i++) {
		if (prev[i] >= 0)
			continue;
		for (long j = (long)i; j >= 0; j = next[j]) {
			id->ident[j] = id->frags[i].id;
			id->joined += j != (long)i;
		}
	}
	id->solved = true;
out:
	free(order);
	free(uf);
	free(next);
	free(prev);
	free(e);
	return ret;
}

uint64_t ob_identity_of(const struct ob_identity *id, uint64_t track)
{
	struct ob_track_fragment key = { .id = track };
	const struct ob_track_fragment *f;

	if (!id || !id->solved || !id->n)
		return track;
	f = bsearch(&key, id->frags, id->n, sizeof(*id->frags), cmp_id);
	return f ? id->ident[f - id->frags] : track;
}

static int cmp_u64_pair(const void *x, const void *y)
{
	const uint64_t *a = x, *b = y;

	if (a[0] != b[0])
		return a[0] < b[0] ? -1 : 1;
	return a[1] < b[1] ? -1 : a[1] > b[1];
}

int ob_identity_descriptors(const struct ob_identity *id, struct ob_track_descriptor **out, size_t *nout)
{
	size_t n = id->solved ? id->n : 0, m = 0, nd = 0;
	uint64_t (*by)[2] = malloc((n ? n : 1) * sizeof(*by)); /* {identity, fragment index} */
	struct ob_track_descriptor *d = malloc((n ? n : 1) * sizeof(*d));
	double sum[OB_APPEARANCE_DIM];

	*out = NULL;
	*nout = 0;
	if (!by || !d) {
		free(by);
		free(d);
		return ob_err(OB_ERR_NOMEM, "identity: out of memory");
	}
	for (size_t i = 0; i < n; i++)
		if (id->frags[i].app.valid && id->frags[i].app_n > 0) {
			by[m][0] = id->ident[i];
			by[m++][1] = i;
		}
	if (m)
		qsort(by, m, sizeof(*by), cmp_u64_pair);
	for (size_t s = 0, e; s < m; s = e) {
		int64_t count = 0;

		memset(sum, 0, sizeof(sum));
		for (e = s; e < m && by[e][0] == by[s][0]; e++) {
			const struct ob_track_fragment *f = &id->frags[by[e][1]];

			for (int k = 0; k < OB_APPEARANCE_DIM; k++)
				sum[k] += (double)f->app_n * f->app.h[k];
			count += f->app_n;
		}
		d[nd].identity = by[s][0];
		d[nd].count = count;
		for (int k = 0; k < OB_APPEARANCE_DIM; k++)
			d[nd].h[k] = (float)(sum[k] / (double)count);
		nd++;
	}
	free(by);
	*out = d;
	*nout = nd;
	return 0;
}

size_t ob_identity_joined(const struct ob_identity *id)
{
	return id->solved ? id->joined : 0;
}

/* SPDX-License-Identifier: MIT */
/* assign.c - exact minimum-cost assignment with a cost limit, one connected group at a time. */
#include "obscura/assign.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "obscura/error.h"
#include "obscura/banned.h"

/*
 * The problem, as lapjv(extend_cost=True, cost_limit=L) poses it: every row
 * and column left unmatched costs L/2, so matching the pair (r, c) instead
 * of leaving both alone changes the total by cost(r, c) - L.  Minimising the
 * total is therefore minimising the sum of a(r, c) = cost(r, c) - L over the
 * matched pairs, and only pairs with a <= 0 (cost <= L) can ever help: the
 * others are infeasible.
 *
 * Feasible pairs form a bipartite graph; its connected groups are
 * independent problems (a pair across two groups is infeasible), so each is
 * solved alone and a sparse problem costs the sum of its small groups.
 * Within a group of n rows and m columns (transposed so that n <= m), we
 * ask for a complete assignment of the n rows, pricing an infeasible pair at
 * 0, the same as leaving a row unmatched: any partial matching of feasible
 * pairs extends to a complete one of the same price (n <= m), and dropping
 * the 0-priced pairs of a complete one gives a partial one of the same
 * price, so both problems have the same optimum.  The complete one is the
 * classic Hungarian algorithm with potentials (shortest augmenting paths,
 * O(n^2 m)), which is exact and deterministic: ties go to the lowest index.
 */

static bool feasible(double cost, double limit)
{
	return isfinite(cost) && cost <= limit;
}

/* Union-find over rows (0..rows-1) then columns (rows..rows+cols-1). */
static size_t root_of(size_t *parent, size_t x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

/* One group: its rows and columns (original indices), and the Hungarian
 * algorithm's arrays, sized for the largest side of the whole problem. */
struct group {
	const double *cost;
	size_t cols;  /* of the whole matrix, its stride */
	double limit;
	const size_t *ri, *ci;
	size_t nr, nc;
	bool transposed; /* the solver's rows are the group's columns */
	double *u, *v, *minv;
	size_t *p, *way;
	unsigned char *used;
};

/* Original (row, column) of the solver's pair (i, j), both 0-based. */
static void pair_of(const struct group *g, size_t i, size_t j, size_t *r, size_t *c)
{
	*r = g->transposed ? g->ri[j] : g->ri[i];
	*c = g->transposed ? g->ci[i] : g->ci[j];
}

static double price(const struct group *g, size_t i, size_t j)
{
	size_t r, c;
	double x;

	pair_of(g, i, j, &r, &c);
	x = g->cost[r * g->cols + c];
	return feasible(x, g->limit) ? x - g->limit : 0;
}

/*
 * Hungarian algorithm, 1-based as in its usual statement: p[j] is the
 * solver row holding column j (0: none), u and v the potentials, column 0
 * the root of the alternating tree.  Rows are added one by one, each along
 * a shortest augmenting path in reduced costs.
 */
static int solve_group(struct group *g, long *row_to_col, long *col_to_row)
{
	size_t n = g->transposed ? g->nc : g->nr, m = g->transposed ? g->nr : g->nc;
	double *u = g->u, *v = g->v, *minv = g->minv;
	size_t *p = g->p, *way = g->way;
	unsigned char *used = g->used;

	for (size_t j = 0; j <= m; j++) {
		v[j] = 0;
		p[j] = 0;
		way[j] = 0;
	}
	for (size_t i = 0; i <= n; i++)
		u[i] = 0;
	for (size_t i = 1; i <= n; i++) {
		size_t j0 = 0;

		p[0] = i;
		for (size_t j = 0; j <= m; j++) {
			minv[j] = INFINITY;
			used[j] = 0;
		}
		do {
			size_t i0 = p[j0], j1 = 0;
			double delta = INFINITY;

			used[j0] = 1;
			for (size_t j = 1; j <= m; j++) {
				double cur;

				if (used[j])
					continue;
				cur = price(g, i0 - 1, j - 1) - u[i0] - v[j];
				if (cur < minv[j]) {
					minv[j] = cur;
					way[j] = j0;
				}
				if (minv[j] < delta) {
					delta = minv[j];
					j1 = j;
				}
			}
			/* n <= m and every price is finite: a free column is always left. */
			if (j1 == 0)
				return ob_err(OB_ERR_INTERNAL, "assign: no augmenting path");
			for (size_t j = 0; j <= m; j++) {
				if (used[j]) {
					u[p[j]] += delta;
					v[j] -= delta;
				} else {
					minv[j] -= delta;
				}
			}
			j0 = j1;
		} while (p[j0] != 0);
		do {
			size_t j1 = way[j0];

			p[j0] = p[j1];
			j0 = j1;
		} while (j0);
	}
	for (size_t j = 1; j <= m; j++) {
		size_t r, c;

		if (!p[j])
			continue;
		pair_of(g, p[j] - 1, j - 1, &r, &c);
		if (!feasible(g->cost[r * g->cols + c], g->limit))
			continue; /* priced like an unmatched row: it is one */
		row_to_col[r] = (long)c;
		if (col_to_row)
			col_to_row[c] = (long)r;
	}
	return 0;
}

int ob_assign(const double *cost, size_t rows, size_t cols, double limit, long *row_to_col,
	      long *col_to_row)
{
	size_t nodes = rows + cols, big = rows > cols ? rows : cols;
	size_t *parent = NULL, *start = NULL, *members = NULL;
	struct group g = { .cost = cost, .cols = cols, .limit = limit };
	int ret = 0;

	if (rows > OB_ASSIGN_MAX || cols > OB_ASSIGN_MAX)
		return ob_err(OB_ERR_LIMIT, "assignment of %zu x %zu past the limit of %d", rows,
			      cols, OB_ASSIGN_MAX);
	if (!isfinite(limit))
		return ob_err(OB_ERR_INTERNAL, "assign: cost limit %g is not finite", limit);
	for (size_t r = 0; r < rows; r++)
		row_to_col[r] = -1;
	for (size_t c = 0; col_to_row && c < cols; c++)
		col_to_row[c] = -1;
	if (!rows || !cols)
		return 0;

	parent = malloc(nodes * sizeof(*parent));
	start = calloc(nodes + 1, sizeof(*start));
	members = malloc(nodes * sizeof(*members));
	g.u = malloc((big + 1) * sizeof(*g.u));
	g.v = malloc((big + 1) * sizeof(*g.v));
	g.minv = malloc((big + 1) * sizeof(*g.minv));
	g.p = malloc((big + 1) * sizeof(*g.p));
	g.way = malloc((big + 1) * sizeof(*g.way));
	g.used = malloc(big + 1);
	if (!parent || !start || !members || !g.u || !g.v || !g.minv || !g.p || !g.way || !g.used) {
		ret = ob_err(OB_ERR_NOMEM, "assign: out of memory for %zu x %zu", rows, cols);
		goto out;
	}

	/* Groups: union every feasible pair; the smaller root wins, so the
	 * grouping does not depend on anything but the matrix. */
	for (size_t x = 0; x < nodes; x++)
		parent[x] = x;
	for (size_t r = 0; r < rows; r++) {
		for (size_t c = 0; c < cols; c++) {
			size_t a, b;

			if (!feasible(cost[r * cols + c], limit))
				continue;
			a = root_of(parent, r);
			b = root_of(parent, rows + c);
			if (a < b)
				parent[b] = a;
			else if (b < a)
				parent[a] = b;
		}
	}
	/* Counting sort of the nodes by root: members[start[k] .. start[k+1]]
	 * is group k's rows (ascending), then its columns (ascending). */
	for (size_t x = 0; x < nodes; x++) {
		parent[x] = root_of(parent, x);
		start[parent[x] + 1]++;
	}
	for (size_t k = 0; k < nodes; k++)
		start[k + 1] += start[k];
	for (size_t x = 0; x < nodes; x++)
		members[start[parent[x]]++] = x;
	/* start[k] now ends group k; shift back so that it begins it. */
	for (size_t k = nodes; k > 0; k--)
		start[k] = start[k - 1];
	start[0] = 0;

	for (size_t k = 0; k < nodes; k++) {
		size_t b = start[k], e = start[k + 1], nr = 0;

		while (b + nr < e && members[b + nr] < rows)
			nr++;
		if (!nr || nr == e - b)
			continue; /* empty, or one row or column with no feasible pair */
		for (size_t i = b + nr; i < e; i++)
			members[i] -= rows; /* columns: back to column indices */
		g.ri = &members[b];
		g.ci = &members[b + nr];
		g.nr = nr;
		g.nc = e - b - nr;
		g.transposed = g.nr > g.nc;
		ret = solve_group(&g, row_to_col, col_to_row);
		if (ret)
			goto out;
	}
out:
	free(parent);
	free(start);
	free(members);
	free(g.u);
	free(g.v);
	free(g.minv);
	free(g.p);
	free(g.way);
	free(g.used);
	return ret;
}

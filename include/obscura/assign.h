/* SPDX-License-Identifier: MIT */
/* assign.h - minimum-cost assignment between two sets (tracks and detections). */
#ifndef OBSCURA_ASSIGN_H
#define OBSCURA_ASSIGN_H

#include <stddef.h>

#define OB_ASSIGN_MAX 4096 /* rows or columns one problem may have */

/*
 * Solves the rectangular linear assignment problem with a cost limit, the
 * way ByteTrack calls lapjv(cost, extend_cost=True, cost_limit=limit):
 * every row and every column is either matched once or left unmatched at a
 * cost of limit/2, and the total is minimised.  A pair whose cost is above
 * limit (or not finite) is never matched.  Exact (the Hungarian algorithm
 * with potentials, on a problem equivalent to lapjv's extended square
 * matrix; see assign.c), never greedy; independent groups of feasible pairs
 * are solved separately so that sparse problems stay fast.
 *
 * cost: rows x cols, row-major (cost[r * cols + c]); may be NULL when rows
 * or cols is 0.  limit must be finite.  A pair costing exactly limit is
 * worth nothing either way: it may or may not be matched.
 * row_to_col[rows]: the matched column of each row or -1; col_to_row[cols]
 * likewise (may be NULL).  Deterministic: equal costs resolve the same way
 * on every run.  Time: O(n^2 m) per group of n <= m feasibly linked rows
 * and columns, plus one pass over the matrix.
 * Returns 0, or OB_ERR_LIMIT past OB_ASSIGN_MAX, OB_ERR_INTERNAL for a limit
 * that is not finite, OB_ERR_NOMEM.
 */
int ob_assign(const double *cost, size_t rows, size_t cols, double limit, long *row_to_col,
	      long *col_to_row);

#endif

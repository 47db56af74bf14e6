/* SPDX-License-Identifier: MIT */
/* test_assign.c - the assignment is the optimum of every partial matching, on any shape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "obscura/assign.h"
#include "obscura/error.h"

#define SMALL 7 /* largest side of the brute-forced matrices */

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	/* splitmix64: the same numbers on every platform */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double rng_unit(void)
{
	return (double)(rng_next() >> 11) / 9007199254740992.0;
}

static size_t rng_below(size_t n)
{
	return (size_t)(rng_next() % n);
}

static int feasible(double c, double limit)
{
	return isfinite(c) && c <= limit;
}

/* The total lapjv(extend_cost=True) minimises: matched costs, limit/2 per
 * unmatched row or column.  Also checks that the matching is one. */
static double total_of(const double *cost, size_t rows, size_t cols, double limit,
		       const long *r2c, const long *c2r)
{
	double total = 0;
	size_t matched = 0;

	for (size_t r = 0; r < rows; r++) {
		if (r2c[r] < 0) {
			assert_int_equal(r2c[r], -1);
			continue;
		}
		assert_true((size_t)r2c[r] < cols);
		assert_int_equal(c2r[r2c[r]], (long)r);
		assert_true(feasible(cost[r * cols + (size_t)r2c[r]], limit));
		total += cost[r * cols + (size_t)r2c[r]];
		matched++;
	}
	for (size_t c = 0; c < cols; c++) {
		if (c2r[c] < 0) {
			assert_int_equal(c2r[c], -1);
			continue;
		}
		assert_true((size_t)c2r[c] < rows);
		assert_int_equal(r2c[c2r[c]], (long)c);
	}
	return total + limit / 2 * (double)(rows + cols - 2 * matched);
}

/* Every partial matching, row by row: unmatched, or any free feasible column. */
static double brute(const double *cost, size_t rows, size_t cols, double limit, size_t r,
		    unsigned used)
{
	double best;

	if (r == rows) {
		size_t free_cols = 0;

		for (size_t c = 0; c < cols; c++)
			free_cols += !(used & (1u << c));
		return limit / 2 * (double)free_cols;
	}
	best = limit / 2 + brute(cost, rows, cols, limit, r + 1, used);
	for (size_t c = 0; c < cols; c++) {
		double x = cost[r * cols + c];

		if ((used & (1u << c)) || !feasible(x, limit))
			continue;
		x += brute(cost, rows, cols, limit, r + 1, used | (1u << c));
		if (x < best)
			best = x;
	}
	return best;
}

/* A random entry: plain, on a coarse grid (ties), forbidden, or above the limit. */
static double random_cost(double limit, int negative)
{
	size_t kind = rng_below(10);
	double lo = negative ? -1 : 0;

	switch (kind) {
	case 0:
		return INFINITY;
	case 1:
		return rng_below(2) ? NAN : -INFINITY;
	case 2:
		return limit + 0.01 + rng_unit();
	case 3:
	case 4:
		return lo + (double)rng_below(5) * 0.25; /* ties */
	case 5:
		return limit; /* exactly at the limit: worth nothing either way */
	default:
		return lo + rng_unit() * (limit - lo) * 1.3;
	}
}

static void test_random_small_against_brute_force(void **state)
{
	static const double limits[] = { 0.2, 0.5, 0.8, 1.0, 1.7, -0.3 };
	double cost[SMALL * SMALL];
	long r2c[SMALL], c2r[SMALL], r2c_again[SMALL], c2r_again[SMALL];
	int checked = 0;

	(void)state;
	rng_state = 20240601;
	for (int trial = 0; trial < 6000; trial++) {
		size_t rows = 1 + rng_below(SMALL), cols = 1 + rng_below(SMALL);
		double limit = limits[rng_below(sizeof(limits) / sizeof(limits[0]))];
		int negative = limit < 0 || rng_below(4) == 0;
		double want, got;

		if (trial % 7 == 0)
			cols = rows; /* plenty of square ones too */
		for (size_t i = 0; i < rows * cols; i++)
			cost[i] = random_cost(limit, negative);
		assert_int_equal(ob_assign(cost, rows, cols, limit, r2c, c2r), 0);
		got = total_of(cost, rows, cols, limit, r2c, c2r);
		want = brute(cost, rows, cols, limit, 0, 0);
		if (fabs(got - want) > 1e-9)
			fail_msg("trial %d (%zu x %zu, limit %g): total %.12g, optimum %.12g",
				 trial, rows, cols, limit, got, want);
		/* Deterministic, and col_to_row is optional. */
		assert_int_equal(ob_assign(cost, rows, cols, limit, r2c_again, c2r_again), 0);
		assert_memory_equal(r2c, r2c_again, rows * sizeof(*r2c));
		assert_memory_equal(c2r, c2r_again, cols * sizeof(*c2r));
		assert_int_equal(ob_assign(cost, rows, cols, limit, r2c_again, NULL), 0);
		assert_memory_equal(r2c, r2c_again, rows * sizeof(*r2c));
		checked++;
	}
	assert_int_equal(checked, 6000);
}

/* ByteTrack's shape: 1 - IoU with limit 0.8; a greedy choice would be wrong. */
static void test_not_greedy(void **state)
{
	/* Greedy takes (0,0) at 0.1 and leaves row 1 unmatched: 0.1 + 0.4 + 0.4.
	 * The optimum is (0,1) + (1,0): 0.3 + 0.3. */
	const double cost[] = { 0.1, 0.3, 0.3, INFINITY };
	long r2c[2], c2r[2];

	(void)state;
	assert_int_equal(ob_assign(cost, 2, 2, 0.8, r2c, c2r), 0);
	assert_int_equal(r2c[0], 1);
	assert_int_equal(r2c[1], 0);
	assert_int_equal(c2r[0], 1);
	assert_int_equal(c2r[1], 0);
	/* With a tight limit the cross pairs are forbidden: only (0,0). */
	assert_int_equal(ob_assign(cost, 2, 2, 0.2, r2c, c2r), 0);
	assert_int_equal(r2c[0], 0);
	assert_int_equal(r2c[1], -1);
	assert_int_equal(c2r[1], -1);
}

static void test_degenerate(void **state)
{
	const double one = 0.5;
	double forbidden[12];
	long r2c[4], c2r[4];

	(void)state;
	/* 0 rows, 0 columns, or both: nothing to read, everything unmatched. */
	memset(c2r, 0x55, sizeof(c2r));
	assert_int_equal(ob_assign(NULL, 0, 4, 0.8, r2c, c2r), 0);
	for (int c = 0; c < 4; c++)
		assert_int_equal(c2r[c], -1);
	memset(r2c, 0x55, sizeof(r2c));
	assert_int_equal(ob_assign(NULL, 4, 0, 0.8, r2c, NULL), 0);
	for (int r = 0; r < 4; r++)
		assert_int_equal(r2c[r], -1);
	assert_int_equal(ob_assign(NULL, 0, 0, 0.8, r2c, c2r), 0);
	/* 1 x 1 on either side of the limit. */
	assert_int_equal(ob_assign(&one, 1, 1, 0.8, r2c, c2r), 0);
	assert_int_equal(r2c[0], 0);
	assert_int_equal(c2r[0], 0);
	assert_int_equal(ob_assign(&one, 1, 1, 0.4, r2c, c2r), 0);
	assert_int_equal(r2c[0], -1);
	assert_int_equal(c2r[0], -1);
	/* Every pair forbidden one way or another. */
	for (int i = 0; i < 12; i++)
		forbidden[i] = i % 3 == 0 ? INFINITY : i % 3 == 1 ? NAN : 0.81;
	assert_int_equal(ob_assign(forbidden, 3, 4, 0.8, r2c, c2r), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(r2c[i], -1);
	for (int i = 0; i < 4; i++)
		assert_int_equal(c2r[i], -1);
	/* Limits. */
	assert_int_equal(ob_assign(&one, OB_ASSIGN_MAX + 1, 1, 0.8, r2c, c2r), OB_ERR_LIMIT);
	assert_int_equal(ob_assign(&one, 1, OB_ASSIGN_MAX + 1, 0.8, r2c, c2r), OB_ERR_LIMIT);
	assert_int_equal(ob_assign(&one, 1, 1, INFINITY, r2c, c2r), OB_ERR_INTERNAL);
	assert_int_equal(ob_assign(&one, 1, 1, NAN, r2c, c2r), OB_ERR_INTERNAL);
}

/*
 * A matrix whose unique optimum is known by construction: a hidden
 * matching at cost 0, every other feasible pair at 0.3 or more, limit 0.8.
 * Any other matching swaps at least one hidden pair (worth 0.8) for pairs
 * worth at most 0.5 each, and cannot hold more pairs than rows of the
 * block it touches, so it is strictly worse.  Rows and columns are shuffled
 * so that blocks are not contiguous; some rows and columns have nothing.
 */
static void planted(size_t rows, size_t cols, size_t max_block, double fill, double *cost,
		    long *want_r2c, double *want_total)
{
	size_t *pr = malloc(rows * sizeof(*pr)), *pc = malloc(cols * sizeof(*pc));
	size_t r0 = 0, c0 = 0, matched = 0;

	assert_non_null(pr);
	assert_non_null(pc);
	for (size_t i = 0; i < rows; i++)
		pr[i] = i;
	for (size_t i = 0; i < cols; i++)
		pc[i] = i;
	for (size_t i = rows; i > 1; i--) {
		size_t j = rng_below(i), t = pr[i - 1];

		pr[i - 1] = pr[j];
		pr[j] = t;
	}
	for (size_t i = cols; i > 1; i--) {
		size_t j = rng_below(i), t = pc[i - 1];

		pc[i - 1] = pc[j];
		pc[j] = t;
	}
	/* Outside blocks: infeasible (above the limit, or not finite). */
	for (size_t i = 0; i < rows * cols; i++)
		cost[i] = rng_below(3) ? 0.8 + 1e-9 + rng_unit() * 4 : INFINITY;
	for (size_t i = 0; i < rows; i++)
		want_r2c[i] = -1;
	/* Blocks of k rows and k + extra columns (or the other way round). */
	while (r0 < rows && c0 < cols) {
		size_t k = 1 + rng_below(max_block), kr = k, kc = k, extra = rng_below(3), shift;

		if (rng_below(2))
			kr += extra;
		else
			kc += extra;
		if (kr > rows - r0)
			kr = rows - r0;
		if (kc > cols - c0)
			kc = cols - c0;
		k = kr < kc ? kr : kc;
		for (size_t a = 0; a < kr; a++)
			for (size_t b = 0; b < kc; b++)
				cost[pr[r0 + a] * cols + pc[c0 + b]] =
					rng_unit() < fill ? 0.3 + rng_unit() * 0.5 : INFINITY;
		/* The hidden matching: k pairs, a random bijection inside the block. */
		shift = rng_below(k);
		for (size_t a = 0; a < k; a++) {
			size_t ra = pr[r0 + a], cb = pc[c0 + (a + shift) % k];

			cost[ra * cols + cb] = 0;
			want_r2c[ra] = (long)cb;
			matched++;
		}
		r0 += kr;
		c0 += kc;
		/* Now and then a row and a column with no feasible pair at all. */
		if (rng_below(10) == 0 && r0 < rows && c0 < cols) {
			r0++;
			c0++;
		}
	}
	/* Anything past the last block: no feasible pair (left as filled above). */
	*want_total = 0.8 / 2 * (double)(rows + cols - 2 * matched);
	free(pr);
	free(pc);
}

static void check_planted(size_t rows, size_t cols, size_t max_block, double fill)
{
	double *cost = malloc(rows * cols * sizeof(*cost)), want_total;
	long *want = malloc(rows * sizeof(*want)), *r2c = malloc(rows * sizeof(*r2c));
	long *c2r = malloc(cols * sizeof(*c2r));
	size_t matched = 0;

	assert_non_null(cost);
	assert_non_null(want);
	assert_non_null(r2c);
	assert_non_null(c2r);
	planted(rows, cols, max_block, fill, cost, want, &want_total);
	assert_int_equal(ob_assign(cost, rows, cols, 0.8, r2c, c2r), 0);
	for (size_t r = 0; r < rows; r++) {
		if (r2c[r] != want[r])
			fail_msg("%zu x %zu: row %zu -> %ld, want %ld", rows, cols, r, r2c[r],
				 want[r]);
		matched += r2c[r] >= 0;
	}
	assert_true(matched > 0);
	assert_true(fabs(total_of(cost, rows, cols, 0.8, r2c, c2r) - want_total) < 1e-6);
	free(cost);
	free(want);
	free(r2c);
	free(c2r);
}

/* Many tracks, many detections, few overlaps: the case groups are for. */
static void test_large_sparse(void **state)
{
	(void)state;
	rng_state = 77;
	check_planted(1500, 1500, 6, 0.7);
	check_planted(1200, 1700, 4, 1.0);
	check_planted(1700, 1300, 8, 0.5);
}

/* One dense group: the Hungarian algorithm itself at some size. */
static void test_dense_planted(void **state)
{
	(void)state;
	rng_state = 5;
	check_planted(150, 150, 150, 1.0);
	check_planted(90, 140, 90, 0.6);
	check_planted(140, 90, 90, 0.9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_small_against_brute_force),
		cmocka_unit_test(test_not_greedy),
		cmocka_unit_test(test_degenerate),
		cmocka_unit_test(test_large_sparse),
		cmocka_unit_test(test_dense_planted),
	};
	return cmocka_run_group_tests_name("assign", tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* test_array.c - ob_grow: room kept, doubling, the limit, overflow, and
 * nothing changed when it fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/array.h"
#include "obscura/error.h"
#include "obscura/banned.h"

/* Elements pushed one by one keep their values; the capacity doubles from
 * OB_GROW_FIRST and always holds what was asked. */
static void test_push_doubles(void **state)
{
	uint64_t *v = NULL;
	size_t n = 0, cap = 0, grew = 0;

	for (uint64_t i = 0; i < 1000; i++) {
		size_t before = cap;

		assert_int_equal(ob_grow(&v, &cap, n + 1, sizeof(*v), SIZE_MAX), 0);
		assert_true(cap >= n + 1);
		if (cap != before) {
			assert_int_equal(cap, before ? 2 * before : OB_GROW_FIRST);
			grew++;
		}
		v[n++] = i * 7919;
	}
	for (uint64_t i = 0; i < n; i++)
		assert_int_equal(v[i], i * 7919);
	assert_int_equal(cap, 1024);
	assert_int_equal(grew, 7); /* 16, 32, ..., 1024 */
	free(v);
}

/* With room already, neither the array nor the capacity changes. */
static void test_room_kept(void **state)
{
	int *v = NULL, *was;
	size_t cap = 0;

	assert_int_equal(ob_grow(&v, &cap, 5, sizeof(*v), SIZE_MAX), 0);
	was = v;
	assert_int_equal(cap, OB_GROW_FIRST);
	assert_int_equal(ob_grow(&v, &cap, OB_GROW_FIRST, sizeof(*v), SIZE_MAX), 0);
	assert_ptr_equal(v, was);
	assert_int_equal(cap, OB_GROW_FIRST);
	/* a jump past twice the capacity doubles until it fits */
	assert_int_equal(ob_grow(&v, &cap, 100, sizeof(*v), SIZE_MAX), 0);
	assert_int_equal(cap, 128);
	free(v);
}

/* The capacity never passes max; asking beyond it is OB_ERR_LIMIT and
 * changes nothing. */
static void test_limit(void **state)
{
	char *v = NULL, *was;
	size_t cap = 0;

	assert_int_equal(ob_grow(&v, &cap, 3, 1, 10), 0);
	assert_int_equal(cap, 10); /* OB_GROW_FIRST is more than max */
	assert_int_equal(ob_grow(&v, &cap, 10, 1, 10), 0);
	assert_int_equal(cap, 10);
	was = v;
	assert_int_equal(ob_grow(&v, &cap, 11, 1, 10), OB_ERR_LIMIT);
	assert_ptr_equal(v, was);
	assert_int_equal(cap, 10);
	assert_non_null(strstr(ob_errmsg(), "more than 10"));
	free(v);

	v = NULL;
	cap = 0;
	assert_int_equal(ob_grow(&v, &cap, 20, 1, 100), 0);
	assert_int_equal(cap, 32);
	assert_int_equal(ob_grow(&v, &cap, 70, 1, 100), 0);
	assert_int_equal(cap, 100); /* 128 would pass max */
	free(v);
}

/* Sizes whose product overflows are refused before realloc sees them, and
 * a failed allocation leaves the array as it was. */
static void test_overflow_and_failure(void **state)
{
	double *v = NULL, *was;
	size_t cap = 0;

	assert_int_equal(ob_grow(&v, &cap, 4, sizeof(*v), SIZE_MAX), 0);
	v[3] = 2.5;
	was = v;
	/* 2^60 elements of 16 bytes: 2^64 bytes, which wraps to 0 */
	assert_int_equal(ob_grow(&v, &cap, SIZE_MAX / 16 + 1, 16, SIZE_MAX), OB_ERR_NOMEM);
	assert_ptr_equal(v, was);
	assert_int_equal(cap, OB_GROW_FIRST);
	assert_string_equal(ob_errmsg(), "out of memory");
	/* no overflow, but more than any machine gives */
	assert_int_equal(ob_grow(&v, &cap, SIZE_MAX / 16, sizeof(*v), SIZE_MAX), OB_ERR_NOMEM);
	assert_ptr_equal(v, was);
	assert_int_equal(cap, OB_GROW_FIRST);
	assert_true(v[3] == 2.5);
	free(v);
}

/* Two arrays sharing one capacity, each grown from its own copy of it. */
static void test_parallel(void **state)
{
	int *a = NULL;
	double *b = NULL;
	size_t cap = 0;

	for (size_t n = 0; n < 100; n++) {
		size_t ca = cap, cb = cap;

		assert_int_equal(ob_grow(&a, &ca, n + 1, sizeof(*a), SIZE_MAX), 0);
		assert_int_equal(ob_grow(&b, &cb, n + 1, sizeof(*b), SIZE_MAX), 0);
		assert_int_equal(ca, cb);
		cap = ca;
		a[n] = (int)n;
		b[n] = (double)n / 2;
	}
	for (size_t n = 0; n < 100; n++)
		assert_true(a[n] == (int)n && b[n] == (double)n / 2);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_doubles),
		cmocka_unit_test(test_room_kept),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_overflow_and_failure),
		cmocka_unit_test(test_parallel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

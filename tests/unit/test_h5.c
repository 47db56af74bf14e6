/* SPDX-License-Identifier: MIT */
/* test_h5.c - the HDF5 attribute readers: each kind read back; missing and mistyped ones told apart. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <unistd.h>

#include "obscura/h5.h"
#include "obscura/banned.h"

static char dir[64], path[128];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/test_h5.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/attrs.h5", dir);
	ob_h5_quiet();
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A new file whose root holds one attribute of each kind the writers make,
 * and a fixed-length, space-padded string as other tools write them. */
static hid_t make_file(void)
{
	static const char *const names[] = { "a", "b" };
	hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
	hid_t fixed = ob_h5_str_type(8, H5T_STR_SPACEPAD);

	assert_true(f >= 0 && fixed >= 0);
	assert_int_equal(ob_h5_put_i64(f, "i64", -1234567890123LL), 0);
	assert_int_equal(ob_h5_put_i32(f, "i32", 42), 0);
	assert_int_equal(ob_h5_put_f64(f, "f64", 2.5), 0);
	assert_int_equal(ob_h5_put_str(f, "str", "hello"), 0);
	assert_int_equal(ob_h5_put_str(f, "empty", ""), 0);
	assert_int_equal(ob_h5_put_strs(f, "strs", names, 2), 0);
	assert_int_equal(ob_h5_put_attr(f, "fixed", fixed, fixed, "abc     "), 0);
	ob_h5_close(&fixed);
	return f;
}

static void test_read_back(void **state)
{
	hid_t f = make_file();
	int64_t i = 0;
	double d = 0;
	char *s = NULL;

	assert_int_equal(ob_h5_get_i64(f, "i64", &i), OB_H5_ATTR_OK);
	assert_true(i == -1234567890123LL);
	assert_int_equal(ob_h5_get_i64(f, "i32", &i), OB_H5_ATTR_OK); /* any integer width */
	assert_int_equal(i, 42);
	assert_int_equal(ob_h5_get_f64(f, "f64", &d), OB_H5_ATTR_OK);
	assert_true(d == 2.5);
	assert_int_equal(ob_h5_get_str(f, "str", 5, &s), OB_H5_ATTR_OK);
	assert_string_equal(s, "hello");
	free(s);
	assert_int_equal(ob_h5_get_str(f, "empty", 5, &s), OB_H5_ATTR_OK);
	assert_string_equal(s, "");
	free(s);
	assert_int_equal(ob_h5_get_str(f, "fixed", 8, &s), OB_H5_ATTR_OK);
	assert_string_equal(s, "abc"); /* space padding dropped */
	free(s);
	ob_h5_close(&f);
}

static void test_missing_and_mistyped(void **state)
{
	hid_t f = make_file();
	int64_t i = 7;
	double d = 0;
	char *s = (char *)"untouched";

	assert_int_equal(ob_h5_get_i64(f, "nope", &i), OB_H5_ATTR_MISSING);
	assert_int_equal(i, 7);
	assert_int_equal(ob_h5_get_f64(f, "nope", &d), OB_H5_ATTR_MISSING);
	assert_true(isnan(d)); /* NAN unless read */
	assert_int_equal(ob_h5_get_str(f, "nope", 64, &s), OB_H5_ATTR_MISSING);
	assert_null(s);

	assert_int_equal(ob_h5_get_i64(f, "f64", &i), OB_H5_ATTR_MISTYPED); /* a float is no integer */
	assert_int_equal(ob_h5_get_f64(f, "i64", &d), OB_H5_ATTR_MISTYPED);
	assert_int_equal(ob_h5_get_i64(f, "str", &i), OB_H5_ATTR_MISTYPED);
	assert_int_equal(ob_h5_get_str(f, "i64", 64, &s), OB_H5_ATTR_MISTYPED);
	assert_null(s);
	assert_int_equal(ob_h5_get_str(f, "str", 4, &s), OB_H5_ATTR_MISTYPED); /* longer than max */
	assert_null(s);
	assert_int_equal(ob_h5_get_str(f, "fixed", 7, &s), OB_H5_ATTR_MISTYPED);
	assert_int_equal(ob_h5_get_str(f, "strs", 64, &s), OB_H5_ATTR_MISTYPED); /* not a scalar */
	assert_null(s);
	ob_h5_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_back),
		cmocka_unit_test(test_missing_and_mistyped),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

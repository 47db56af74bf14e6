/* SPDX-License-Identifier: MIT */
/* test_utf8.c - well-formed UTF-8 and what is not; ob_json_bytes keeps UTF-8 and tells other bytes back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/utf8.h"
#include "obscura/banned.h"

static void test_char(void **state)
{
	static const struct {
		const char *s;
		size_t len;
		unsigned cp;
	} cases[] = {
		{ "a", 1, 'a' },
		{ "\xc3\xa9", 2, 0xe9 },
		{ "\xe2\x98\x83", 3, 0x2603 },
		{ "\xf0\x9f\x98\x80", 4, 0x1f600 },
		{ "\xf4\x8f\xbf\xbf", 4, 0x10ffff },
		{ "\xc0\xaf", 0, 0 },         /* overlong */
		{ "\xe0\x80\xaf", 0, 0 },     /* overlong */
		{ "\xed\xa0\x80", 0, 0 },     /* surrogate */
		{ "\xf4\x90\x80\x80", 0, 0 }, /* past U+10FFFF */
		{ "\xe2\x98", 0, 0 },         /* cut short */
		{ "\x80", 0, 0 },             /* a continuation alone */
		{ "\xff", 0, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned cp = 0;

		assert_int_equal(ob_utf8_char(cases[i].s, strlen(cases[i].s), &cp), cases[i].len);
		if (cases[i].len)
			assert_int_equal(cp, cases[i].cp);
	}
	assert_true(ob_utf8_valid("sp ace \xc3\xa9\xe2\x98\x83"));
	assert_false(ob_utf8_valid("bad\xffname"));
}

static void check_json(const char *s, const char *want)
{
	json_t *j = ob_json_bytes(s);

	assert_non_null(j);
	assert_string_equal(json_string_value(j), want);
	json_decref(j);
}

static void test_json_bytes(void **state)
{
	check_json("plain\\path \xc3\xa9", "plain\\path \xc3\xa9"); /* UTF-8: as it is */
	check_json("bad\xffname", "bad\\xffname");
	/* once escaping, a backslash is escaped too, and valid characters stay */
	check_json("\xc3\xa9\\x41\xff", "\xc3\xa9\\x5cx41\\xff");
	check_json("tab\tnl\n\xfe", "tab\tnl\n\\xfe");
	assert_null(ob_json_bytes(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_char),
		cmocka_unit_test(test_json_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

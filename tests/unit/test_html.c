/* SPDX-License-Identifier: MIT */
/* test_html.c - text from a bundle can never become markup, a file name never leaves its href. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "obscura/html.h"

static void expect_text(const char *in, const char *want)
{
	struct ob_html h = { 0 };

	ob_html_text(&h, in);
	assert_int_equal(ob_html_status(&h), 0);
	assert_string_equal(h.buf ? h.buf : "", want);
	ob_html_release(&h);
}

static void test_text(void **state)
{
	(void)state;
	expect_text("a<b>&\"c\"'d'", "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;");
	expect_text("</pre><script>alert(1)</script>", "&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
	expect_text("line\nnext\ttab", "line\nnext\ttab");
	expect_text("bell\a esc\x1b[31m del\x7f", "bell\\x07 esc\\x1b[31m del\\x7f");
	expect_text("caf\xc3\xa9 \xe2\x80\x9cq\xe2\x80\x9d", "caf\xc3\xa9 \xe2\x80\x9cq\xe2\x80\x9d");
	expect_text("latin1 \xe9t\xe9", "latin1 \\xe9t\\xe9");  /* not UTF-8: shown, never passed on */
	expect_text("c1 \xc2\x9b", "c1 \\xc2\\x9b");              /* C1 control (CSI) */
	expect_text("", "");
	expect_text(NULL, "");
}

static void test_url_and_data(void **state)
{
	struct ob_html h = { 0 };

	(void)state;
	ob_html_url(&h, "c<i>&\"x\" y/../j:a.report.html");
	assert_string_equal(h.buf, "c%3Ci%3E%26%22x%22%20y%2F..%2Fj%3Aa.report.html");
	ob_html_release(&h);
	ob_html_data_uri(&h, "image/jpeg", "\xff\xd8\xff", 3);
	assert_string_equal(h.buf, "data:image/jpeg;base64,/9j/");
	ob_html_raw(&h, "<%s>", "b");
	assert_string_equal(h.buf, "data:image/jpeg;base64,/9j/<b>");
	ob_html_textf(&h, "<%d>", 7);
	assert_string_equal(h.buf, "data:image/jpeg;base64,/9j/<b>&lt;7&gt;");
	assert_int_equal(ob_html_status(&h), 0);
	ob_html_release(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_url_and_data),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

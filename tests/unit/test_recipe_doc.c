/* SPDX-License-Identifier: MIT */
/* test_recipe_doc.c - obscura-recipe(5) states every key of the parser's table, as the table does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "obscura/fsutil.h"
#include "obscura/recipe.h"

#define MAN_PAGE "man/obscura-recipe.5"
#define MAN_MAX (1 << 20)
#define LINE_MAX_LEN 1024

/* noinline: GCC 12 otherwise warns of a dangling pointer that is not there. */
static __attribute__((noinline)) char *slurp(const char *path)
{
	char *text = NULL;
	size_t len = 0;

	(void)ob_read_file(path, MAN_MAX, &text, &len);
	return text; /* NULL if unreadable: callers assert */
}

/* ".SH SECTION [pixelate]", ".SH \"SECTION [exclude \(dqNAME\(dq]\"" -> "pixelate",
 * "exclude"; any other .SH -> "". */
static void man_section(const char *sh, char *section, size_t size)
{
	const char *p = strstr(sh, "SECTION [");
	size_t n = 0;

	if (p)
		for (p += strlen("SECTION ["); n + 1 < size && ((*p >= 'a' && *p <= 'z') || *p == '_'); p++)
			section[n++] = *p;
	section[n] = '\0';
}

/*
 * The check: in each "SECTION [name]" of the page, the line after every
 * .TP or .TQ states a key of that section exactly as
 * ob_recipe_key_synopsis() writes its row (name, values, range, default),
 * no key is stated twice, and every row of the table is stated.  Returns
 * the number of problems, each printed.
 */
static int check_manual(const char *man)
{
	size_t n_keys = 0;
	int *stated, problems = 0, lineno = 0;
	char section[32] = "", line[LINE_MAX_LEN], want[LINE_MAX_LEN];
	bool tag_next = false;

	while (ob_recipe_keys[n_keys].name)
		n_keys++;
	stated = calloc(n_keys, sizeof(*stated));
	assert_non_null(stated);
	for (const char *p = man; *p;) {
		size_t n = strcspn(p, "\n");
		bool is_tag = tag_next;

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		p += n + (p[n] == '\n');
		lineno++;
		tag_next = false;
		if (!strncmp(line, ".SH", 3)) {
			man_section(line, section, sizeof(section));
			continue;
		}
		if (!section[0])
			continue;
		if (!strcmp(line, ".TP") || !strcmp(line, ".TQ")) {
			tag_next = true;
			continue;
		}
		if (is_tag) {
			const struct ob_recipe_key *k;
			char name[64];
			const char *end = strstr(line, "\\fR");

			if (strncmp(line, "\\fB", 3) || !end || end - line - 3 >= (ptrdiff_t)sizeof(name)) {
				print_message("%s:%d: [%s]: a .TP that states no key: %s\n", MAN_PAGE, lineno,
					      section, line);
				problems++;
				continue;
			}
			snprintf(name, sizeof(name), "%.*s", (int)(end - line - 3), line + 3);
			k = ob_recipe_key_find(section, name);
			if (!k) {
				print_message("%s:%d: [%s] %s: documented, but the parser has no such key\n",
					      MAN_PAGE, lineno, section, name);
				problems++;
				continue;
			}
			assert_true(ob_recipe_key_synopsis(k, want, sizeof(want)) > 0);
			if (strcmp(line, want)) {
				print_message("%s:%d: [%s] %s: the page says\n  %s\nthe table says\n  %s\n",
					      MAN_PAGE, lineno, section, name, line, want);
				problems++;
			}
			if (stated[k - ob_recipe_keys]++) {
				print_message("%s:%d: [%s] %s: stated twice\n", MAN_PAGE, lineno, section, name);
				problems++;
			}
		}
	}
	for (size_t i = 0; i < n_keys; i++)
		if (!stated[i]) {
			ob_recipe_key_synopsis(&ob_recipe_keys[i], want, sizeof(want));
			print_message("%s: [%s] %s: not documented; state it as\n  .TP\n  %s\n", MAN_PAGE,
				      ob_recipe_keys[i].section, ob_recipe_keys[i].name, want);
			problems++;
		}
	free(stated);
	return problems;
}

/* text with its one occurrence of `old` replaced by `new` (malloc'd). */
static char *replaced(const char *text, const char *old, const char *new)
{
	const char *at = strstr(text, old);
	size_t n = strlen(text) - strlen(old) + strlen(new) + 1;
	char *out = malloc(n);

	assert_non_null(at);
	assert_null(strstr(at + 1, old));
	assert_non_null(out);
	snprintf(out, n, "%.*s%s%s", (int)(at - text), text, new, at + strlen(old));
	return out;
}

static void test_manual_states_every_key(void **state)
{
	char *man = slurp(MAN_PAGE);

	(void)state;
	assert_non_null(man);
	assert_int_equal(check_manual(man), 0);
	free(man);
}

/* The check must see a wrong default, a missing key and a key the parser
 * lacks (each change alone, on the real page). */
static void test_check_catches_drift(void **state)
{
	char *man = slurp(MAN_PAGE), *bad;

	(void)state;
	assert_non_null(man);
	print_message("(the problems below are expected)\n");
	bad = replaced(man, "\\fBnoise\\fR = \\fIN\\fR (0 to 64; default \\fB8\\fR)",
		       "\\fBnoise\\fR = \\fIN\\fR (0 to 64; default \\fB9\\fR)");
	assert_int_equal(check_manual(bad), 1);
	free(bad);
	bad = replaced(man, "\\fBcrf\\fR = \\fIN\\fR (0 to 63; default \\fB20\\fR)",
		       "\\fBcrf\\fR = \\fIN\\fR (0 to 51; default \\fB20\\fR)");
	assert_int_equal(check_manual(bad), 1);
	free(bad);
	bad = replaced(man, ".TP\n\\fBlow\\fR = \\fISCORE\\fR (0.01 to 1; default \\fB0.1\\fR)\n", "");
	assert_int_equal(check_manual(bad), 1);
	free(bad);
	bad = replaced(man, ".SH SECTION [output]\n",
		       ".SH SECTION [output]\n.TP\n\\fBbitrate\\fR = \\fIN\\fR (default \\fB0\\fR)\nBits a second.\n");
	assert_int_equal(check_manual(bad), 1);
	free(bad);
	free(man);
}

/* The tag line itself: name, values, range and default, spelt out. */
static void test_synopsis(void **state)
{
	char buf[256];

	(void)state;
	assert_true(ob_recipe_key_synopsis(ob_recipe_key_find("pixelate", "noise"), buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "\\fBnoise\\fR = \\fIN\\fR (0 to 64; default \\fB8\\fR)");
	ob_recipe_key_synopsis(ob_recipe_key_find("pixelate", "block"), buf, sizeof(buf));
	assert_string_equal(buf, "\\fBblock\\fR = \\fBauto\\fR | \\fIPIXELS\\fR (even, 4 to 256; default \\fBauto\\fR)");
	ob_recipe_key_synopsis(ob_recipe_key_find("pixelate", "fill"), buf, sizeof(buf));
	assert_string_equal(buf, "\\fBfill\\fR = \\fBblack\\fR | \\fBgrey\\fR | \\fBwhite\\fR (default \\fBblack\\fR)");
	ob_recipe_key_synopsis(ob_recipe_key_find("track", "lookahead"), buf, sizeof(buf));
	assert_string_equal(buf, "\\fBlookahead\\fR = \\fISECONDS\\fR (0 to 10 s; default \\fB1.0\\fR)");
	ob_recipe_key_synopsis(ob_recipe_key_find("line", "points"), buf, sizeof(buf));
	assert_string_equal(buf, "\\fBpoints\\fR = \\fIX1,Y1 X2,Y2\\fR (2 points; required)");
	ob_recipe_key_synopsis(ob_recipe_key_find("metadata", "keep"), buf, sizeof(buf));
	assert_string_equal(buf, "\\fBkeep\\fR = \\fITAG,...\\fR (at most 16 tags; optional)");
	assert_int_equal(ob_recipe_key_synopsis(ob_recipe_key_find("pixelate", "noise"), buf, 10), -1);
	assert_null(ob_recipe_key_find("pixelate", "colour"));
	assert_null(ob_recipe_key_find("output", "noise"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manual_states_every_key),
		cmocka_unit_test(test_check_catches_drift),
		cmocka_unit_test(test_synopsis),
	};
	return cmocka_run_group_tests_name("recipe_doc", tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* test_docs.c - --help and the man pages come from one table: check they agree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "obscura/cli.h"
#include "obscura/fsutil.h"

/* noinline: GCC 12 otherwise warns of a dangling pointer that is not there. */
static __attribute__((noinline)) char *slurp(const char *path)
{
	char *text = NULL;
	size_t len = 0;

	(void)ob_read_file(path, 1 << 20, &text, &len);
	return text; /* NULL if unreadable: callers assert */
}

/* roff writes "--name" as "\-\-name". */
static int man_has_option(const char *man, const char *name)
{
	char pat[96];
	const char *p = man;

	size_t k = (size_t)snprintf(pat, sizeof(pat), "\\-\\-");

	for (const char *q = name; *q && k + 3 < sizeof(pat); q++) {
		if (*q == '-')
			pat[k++] = '\\';
		pat[k++] = *q;
	}
	pat[k] = '\0';
	/* Each hit must end there: --json must not be satisfied by --json-foo. */
	while ((p = strstr(p, pat))) {
		char after = p[strlen(pat)];
		if (!(after == '\\' && p[strlen(pat) + 1] == '-') && after != '-' &&
		    !(after >= 'a' && after <= 'z'))
			return 1;
		p += strlen(pat);
	}
	return 0;
}

/* Reads "\\-\\-name" at p into name ("--" dropped); returns its length. */
static size_t roff_option_name(const char *p, char *name, size_t size)
{
	size_t n = 0;

	p += 4;
	while (n + 1 < size && ((*p >= 'a' && *p <= 'z') || (p[0] == '\\' && p[1] == '-'))) {
		name[n++] = *p == '\\' ? '-' : *p;
		p += *p == '\\' ? 2 : 1;
	}
	name[n] = '\0';
	return n;
}

/* Every command has its own page, unless obscura(1) alone documents it; every
 * option of a command is documented on its page, and every option the
 * page's OPTIONS section documents exists.  A missing page is a failure,
 * never a skip: a new command must come with its page (cli.h says so). */
static void test_command_pages_match_table(void **state)
{
	(void)state;
	for (const struct ob_command *c = ob_commands; c->name; c++) {
		char path[256];
		const char *sec, *end;
		char *man;

		snprintf(path, sizeof(path), "man/obscura-%s.1", c->name);
		if (access(path, R_OK) != 0) {
			if (!c->main_page_only)
				fail_msg("obscura %s has no man page: %s is missing", c->name, path);
			continue;
		}
		man = slurp(path);
		assert_non_null(man);
		for (const struct ob_cli_option *o = c->options; o->name; o++)
			if (!man_has_option(man, o->name))
				fail_msg("%s does not document --%s", path, o->name);
		sec = strstr(man, "\n.SH OPTIONS");
		assert_non_null(sec);
		end = strstr(sec + 1, "\n.SH ");
		for (const char *p = strstr(sec, "\\-\\-"); p && (!end || p < end); p = strstr(p + 4, "\\-\\-")) {
			char name[64];
			int known = 0;

			roff_option_name(p, name, sizeof(name));
			for (const struct ob_cli_option *o = c->options; o->name; o++)
				known |= !strcmp(o->name, name);
			if (!known)
				fail_msg("%s documents --%s, which obscura %s does not have", path, name, c->name);
		}
		free(man);
	}
}

static void test_main_page_lists_every_command(void **state)
{
	char *man = slurp("man/obscura.1");

	(void)state;
	assert_non_null(man);
	for (const struct ob_command *c = ob_commands; c->name; c++) {
		char pat[64];
		snprintf(pat, sizeof(pat), ".B %s", c->name);
		if (!strstr(man, pat))
			fail_msg("obscura.1 has no entry for command %s", c->name);
	}
	free(man);
}

static void test_help_text_lists_every_option(void **state)
{
	char *buf = NULL;
	size_t len = 0;

	(void)state;
	for (const struct ob_command *c = ob_commands; c->name; c++) {
		FILE *f = open_memstream(&buf, &len);

		ob_cli_print_help(f, c);
		fclose(f);
		assert_non_null(strstr(buf, c->usage));
		for (const struct ob_cli_option *o = c->options; o->name; o++) {
			char pat[64];
			snprintf(pat, sizeof(pat), "--%s", o->name);
			if (!strstr(buf, pat))
				fail_msg("help of %s lacks %s", c->name, pat);
		}
		free(buf);
		buf = NULL;
	}
}

/* The page a command's help sends the reader to exists: "See obscura-X(1)"
 * for a command with its own page, obscura(1) for the others. */
static void test_help_names_an_existing_page(void **state)
{
	char *buf = NULL;
	size_t len = 0;

	(void)state;
	for (const struct ob_command *c = ob_commands; c->name; c++) {
		FILE *f = open_memstream(&buf, &len);
		const char *see;
		char page[64], path[96];

		ob_cli_print_help(f, c);
		fclose(f);
		see = strstr(buf, "\nSee ");
		assert_non_null(see);
		if (sscanf(see, "\nSee %63[a-z-](1)", page) != 1)
			fail_msg("help of %s names no page: %s", c->name, see);
		snprintf(path, sizeof(path), "man/%s.1", page);
		if (access(path, R_OK) != 0)
			fail_msg("help of %s names %s(1), but %s is missing", c->name, page, path);
		free(buf);
		buf = NULL;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_command_pages_match_table),
		cmocka_unit_test(test_main_page_lists_every_command),
		cmocka_unit_test(test_help_text_lists_every_option),
		cmocka_unit_test(test_help_names_an_existing_page),
	};
	return cmocka_run_group_tests_name("docs", tests, NULL, NULL);
}

/* test_recipe.c - recipes parse, defaults hold, and errors name file, line and key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "obscura/error.h"
#include "obscura/recipe.h"

static void test_defaults(void **state)
{
	struct ob_recipe *r;

	(void)state;
	assert_int_equal(ob_recipe_default(&r), 0);
	assert_int_equal(r->pixelate.style, OB_STYLE_PIXELATE);
	assert_false(r->pixelate.seed_set);
	assert_false(r->keep_audio);
	assert_true(r->label);
	assert_string_equal(r->output.codec, "libx264");
	assert_string_equal(r->output.container, "mp4");
	assert_int_equal(r->n_zones, 0);
	ob_recipe_free(&r);
	assert_null(r);
	ob_recipe_free(NULL);
}

static void test_full_recipe(void **state)
{
	const char *text =
		"[recipe]\nname = lobby\nversion = 1\n"
		"[pixelate]\nstyle = solid\nblock = 24\nnoise = 0\nseed = 1234\nmargin = 0.3\nfill = grey\n"
		"[output]\ncontainer = mkv\ncrf = 28\npreset = fast\nsuffix = .redacted\n"
		"[streams]\naudio = keep ; comment\n"
		"[metadata]\nlabel = no\nkeep = title, language\n"
		"[exclude \"desk\"]\npolygon = 0.1,0.1 0.4,0.1 0.4,0.5\n"
		"[exclude \"window\"]\npolygon = 0.6,0.0 1.0,0.0\n  1.0,0.3 0.6,0.3\n";
	struct ob_recipe *r;

	(void)state;
	assert_int_equal(ob_recipe_parse("t.ini", text, &r), 0);
	assert_string_equal(r->name, "lobby");
	assert_int_equal(r->pixelate.style, OB_STYLE_SOLID);
	assert_int_equal(r->pixelate.block, 24);
	assert_true(r->pixelate.seed_set);
	assert_int_equal(r->pixelate.seed, 1234);
	assert_int_equal(r->pixelate.fill, OB_FILL_GREY);
	assert_string_equal(r->output.container, "mkv");
	assert_int_equal(r->output.crf, 28);
	assert_string_equal(r->output.suffix, ".redacted");
	assert_true(r->keep_audio);
	assert_false(r->label);
	assert_int_equal(r->n_keep_tags, 2);
	assert_string_equal(r->keep_tags[1], "language");
	assert_int_equal(r->n_zones, 2);
	assert_string_equal(r->zones[0].name, "desk");
	assert_int_equal(r->zones[0].poly.n, 3);
	assert_int_equal(r->zones[1].poly.n, 4); /* continuation line appends */
	assert_true(r->zones[1].poly.pts[2].x == 1.0);
	assert_memory_equal(r->text, text, strlen(text));
	ob_recipe_free(&r);
}

/* Each bad recipe fails with OB_ERR_RECIPE and a message containing `want`. */
static void expect_error(const char *text, const char *want)
{
	struct ob_recipe *r = (void *)1;
	int ret = ob_recipe_parse("bad.ini", text, &r);

	assert_int_equal(ret, OB_ERR_RECIPE);
	assert_null(r);
	if (!strstr(ob_errmsg(), want))
		fail_msg("message '%s' lacks '%s'", ob_errmsg(), want);
}

static void test_errors_name_file_line_key(void **state)
{
	(void)state;
	expect_error("[pixelate]\nstyle = blur\n", "bad.ini:2: [pixelate] style: blur is reversible");
	expect_error("[pixelate]\nblock = 7\n", "bad.ini:2: [pixelate] block: must be auto or an even");
	expect_error("[output]\ncolour = red\n", "bad.ini:2: [output] colour: unknown key");
	expect_error("\n\n[nonsense]\nx = 1\n", "bad.ini:4: [nonsense] x: unknown section");
	expect_error("\n[exclude \"a\"]\npolygon = 0,0 1,1\n", "bad.ini:2: [exclude \"a\"] polygon: needs at least 3 points");
	expect_error("[exclude \"a\"]\npolygon = 0,0 0.5,0.5 1,1\n", "has no area");
	expect_error("[exclude \"a\"]\npolygon = 0,0 1.5,0 1,1\n", "outside the frame");
	expect_error("[exclude \"a\"]\npolygon = 0,0 x,0 1,1\n", "expected x,y pairs");
	expect_error("[exclude a]\npolygon = 0,0 1,0 1,1\n", "[exclude \"name\"]");
	expect_error("[exclude \"a\"]\npolygon = 0,0 1,0 1,1\n[exclude \"a\"]\npolygon = 0,0 1,0 1,1\n",
		     "defined twice");
	expect_error("[recipe]\nversion = 2\n", "unsupported recipe version");
	expect_error("[output]\ncrf = 99\n", "bad.ini:2: [output] crf: must be a whole number");
	expect_error("[streams]\nsubtitles = keep\n", "never copied");
	expect_error("no section\n", "bad.ini:1");
}

static void test_limits(void **state)
{
	size_t n = OB_RECIPE_MAX_LINE + 10;
	char *text = malloc(n + 32);

	(void)state;
	snprintf(text, n + 32, "[recipe]\ndescription = ");
	memset(text + strlen(text), 'x', n);
	text[n + 20] = '\0';
	expect_error(text, "bad.ini:2: line longer than");
	free(text);
}

static void test_load_missing_file(void **state)
{
	struct ob_recipe *r;

	(void)state;
	assert_int_equal(ob_recipe_load("/nonexistent/recipe.ini", &r), OB_ERR_RECIPE);
	assert_non_null(strstr(ob_errmsg(), "/nonexistent/recipe.ini"));
}

static void test_block_size(void **state)
{
	struct ob_pixelate_opts o = { .block = 0 };

	(void)state;
	assert_int_equal(ob_recipe_block_size(&o, 576), 12);
	assert_int_equal(ob_recipe_block_size(&o, 1080), 24);
	assert_int_equal(ob_recipe_block_size(&o, 100) % 2, 0);
	o.block = 32;
	assert_int_equal(ob_recipe_block_size(&o, 1080), 32);
}

static void test_shipped_recipes_parse(void **state)
{
	const char *files[] = { "recipes/disclosure.ini", "recipes/example-zones.ini" };

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct ob_recipe *r;
		if (ob_recipe_load(files[i], &r))
			fail_msg("%s", ob_errmsg());
		ob_recipe_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full_recipe),
		cmocka_unit_test(test_errors_name_file_line_key),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_load_missing_file),
		cmocka_unit_test(test_block_size),
		cmocka_unit_test(test_shipped_recipes_parse),
	};
	return cmocka_run_group_tests_name("recipe", tests, NULL, NULL);
}

/* test_recipe.c - recipes parse, defaults hold, and errors name file, line and key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "obscura/class.h"
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

static void test_analytics_sections(void **state)
{
	const char *text =
		"[line \"door\"]\npoints = 0.25,0.5 0.75,0.5\n"
		"[line \"gate\"]\npoints = 0.1,0.9\n  0.1,0.1\nclasses = vehicle\n"
		"[zone \"hall\"]\npolygon = 0.1,0.1 0.4,0.1 0.4,0.5\n"
		"[zone \"staff\"]\nkind = restricted\nclasses = person, vehicle\n"
		"polygon = 0.6,0.0 1.0,0.0\n  1.0,0.3 0.6,0.3\n"
		"[exclude \"hall\"]\npolygon = 0,0 1,0 1,1\n" /* names are per kind of section */
		"[zone \"door\"]\nclasses = person\npolygon = 0,0 1,0 1,1\n";
	struct ob_recipe *r;

	(void)state;
	if (ob_recipe_parse("t.ini", text, &r))
		fail_msg("%s", ob_errmsg());
	assert_int_equal(r->n_lines, 2);
	assert_string_equal(r->lines[0].name, "door");
	assert_int_equal(r->lines[0].n, 2);
	assert_true(r->lines[0].pts[0].x == 0.25 && r->lines[0].pts[1].x == 0.75 && r->lines[0].pts[1].y == 0.5);
	assert_int_equal(r->lines[0].classes, OB_CLASS_BIT(OB_CLASS_PERSON) | OB_CLASS_BIT(OB_CLASS_VEHICLE));
	assert_string_equal(r->lines[1].name, "gate");
	assert_true(r->lines[1].pts[1].y == 0.1); /* continuation line */
	assert_int_equal(r->lines[1].classes, OB_CLASS_BIT(OB_CLASS_VEHICLE));
	assert_int_equal(r->n_areas, 3);
	assert_string_equal(r->areas[0].name, "hall");
	assert_int_equal(r->areas[0].kind, OB_AREA_ANALYTICS);
	assert_int_equal(r->areas[0].poly.n, 3);
	assert_int_equal(r->areas[0].classes, OB_CLASS_BIT(OB_CLASS_PERSON) | OB_CLASS_BIT(OB_CLASS_VEHICLE));
	assert_int_equal(r->areas[1].kind, OB_AREA_RESTRICTED);
	assert_int_equal(r->areas[1].poly.n, 4);
	assert_int_equal(r->areas[2].classes, OB_CLASS_BIT(OB_CLASS_PERSON));
	assert_int_equal(r->n_zones, 1); /* the exclusion zone is not an analytics zone */
	ob_recipe_free(&r);

	assert_int_equal(ob_recipe_default(&r), 0);
	assert_int_equal(r->n_lines, 0);
	assert_int_equal(r->n_areas, 0);
	ob_recipe_free(&r);
}

static void test_analytics_errors(void **state)
{
	char text[8192];
	size_t len = 0;

	(void)state;
	expect_error("\n[line \"a\"]\npoints = 0,0 1,1 0.5,0.5\n",
		     "bad.ini:3: [line \"a\"] points: a line has exactly two points");
	expect_error("[line \"a\"]\npoints = 0,0\n", "bad.ini:1: [line \"a\"] points: needs exactly 2 points");
	expect_error("[line \"a\"]\nclasses = person\n", "bad.ini:1: [line \"a\"] points: missing");
	expect_error("[recipe]\nname = x\n[line \"a\"]\n", "bad.ini:3: [line \"a\"] points: missing");
	expect_error("[line \"a\"]\npoints = 0.5,0.5 0.5,0.5\n", "the two points are the same");
	expect_error("[line \"a\"]\npoints = 0,0 1.5,1\n", "bad.ini:2: [line \"a\"] points: point 1.5,1 is outside");
	expect_error("[line \"a\"]\ncolour = red\n", "bad.ini:2: [line \"a\"] colour: unknown key");
	expect_error("[line \"a\"]\nclasses = person, face\n",
		     "bad.ini:2: [line \"a\"] classes: 'face' is not a class analytics count");
	expect_error("[line \"a\"]\nclasses = ,\n", "must list person and/or vehicle");
	expect_error("[line a]\npoints = 0,0 1,1\n", "bad.ini:1: [line a]: write it as [line \"name\"]");
	expect_error("[line \"a\"]\npoints = 0,0 1,1\n[line \"a\"]\npoints = 0,1 1,0\n",
		     "bad.ini:3: [line \"a\"]: line \"a\" defined twice (first on line 1)");
	expect_error("[line \"a\"]\npoints = 0,0 1,1\n[line \"b\"]\npoints = 0,0 1,1\n[line \"a\"]\n",
		     "bad.ini:5: [line \"a\"]: line \"a\" defined twice");
	expect_error("[zone \"z\"]\nkind = forbidden\n", "bad.ini:2: [zone \"z\"] kind: must be analytics or restricted");
	expect_error("[zone \"z\"]\nclasses = text\n", "'text' is not a class analytics count");
	expect_error("\n[zone \"z\"]\npolygon = 0,0 1,1\n", "bad.ini:2: [zone \"z\"] polygon: needs at least 3 points");
	expect_error("[zone \"z\"]\npolygon = 0,0 0.5,0.5 1,1\n", "bad.ini:1: [zone \"z\"] polygon: has no area");
	expect_error("[zone \"z\"]\nkind = restricted\n", "bad.ini:1: [zone \"z\"] polygon: missing");
	expect_error("[zone \"z\"]\npolygon = 0,0 1,0 1,1\n[zone \"z\"]\npolygon = 0,0 1,0 1,1\n",
		     "zone \"z\" defined twice");
	expect_error("[zone \"\"]\npolygon = 0,0 1,0 1,1\n", "write it as [zone \"name\"]");
	expect_error("[zone \"z\"]\nradius = 3\n", "bad.ini:2: [zone \"z\"] radius: unknown key");

	/* limits: OB_RECIPE_MAX_LINES lines, OB_RECIPE_MAX_AREAS zones */
	for (int i = 0; i <= OB_RECIPE_MAX_LINES; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "[line \"l%d\"]\npoints = 0,0 1,1\n", i);
	expect_error(text, "bad.ini:65: [line \"l32\"]: more than 32 [line] sections");
	text[strlen(text) - strlen("[line \"l32\"]\npoints = 0,0 1,1\n")] = '\0';
	{
		struct ob_recipe *r;

		if (ob_recipe_parse("t.ini", text, &r))
			fail_msg("%s", ob_errmsg());
		assert_int_equal(r->n_lines, OB_RECIPE_MAX_LINES);
		ob_recipe_free(&r);
	}
	len = 0;
	for (int i = 0; i <= OB_RECIPE_MAX_AREAS; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "[zone \"z%d\"]\npolygon = 0,0 1,0 1,1\n", i);
	expect_error(text, "more than 32 [zone] sections");
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
		cmocka_unit_test(test_analytics_sections),
		cmocka_unit_test(test_analytics_errors),
		cmocka_unit_test(test_load_missing_file),
		cmocka_unit_test(test_block_size),
		cmocka_unit_test(test_shipped_recipes_parse),
	};
	return cmocka_run_group_tests_name("recipe", tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* test_recipe.c - recipes parse, defaults hold, and errors name file, line and key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
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

/* The table's defaults, applied through the parser, are the values the
 * hand-written defaults had before the table existed. */
static void test_defaults_every_field(void **state)
{
	struct ob_recipe *r;

	(void)state;
	assert_int_equal(ob_recipe_default(&r), 0);
	assert_string_equal(r->name, "default");
	assert_int_equal(r->pixelate.block, 0);
	assert_int_equal(r->pixelate.noise, 8);
	assert_true(r->pixelate.margin == 0.15);
	assert_int_equal(r->pixelate.fill, OB_FILL_BLACK);
	assert_int_equal(r->output.crf, 20);
	assert_string_equal(r->output.preset, "veryfast");
	assert_string_equal(r->output.suffix, ".anon");
	assert_int_equal(r->n_keep_tags, 0);
	assert_string_equal(r->detect.faces, "");
	assert_string_equal(r->detect.people, "");
	assert_string_equal(r->detect.text, "");
	assert_true(r->detect.face_threshold == 0.4);
	assert_true(r->detect.person_threshold == -1);
	assert_true(r->detect.text_threshold == -1);
	assert_true(r->detect.head_fraction == 0.3);
	assert_true(r->detect.forehead == 0.4);
	assert_int_equal(r->detect.stride, 1);
	assert_int_equal(r->detect.people_stride, 1);
	assert_int_equal(r->detect.text_stride, 1);
	assert_true(r->detect.tiles);
	assert_string_equal(r->detect.models, "");
	assert_true(r->track.lookahead == 1.0);
	assert_true(r->track.extend_before == 0.5);
	assert_true(r->track.extend_after == 0.5);
	assert_true(r->track.max_lost == 1.0);
	assert_int_equal(r->track.confirm, 2);
	assert_true(r->track.iou == 0.2);
	assert_true(r->track.low == 0.1);
	assert_true(r->track.motion_margin == 1.0);
	assert_int_equal(r->job.memory_cap, 0); /* auto */
	ob_recipe_free(&r);
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
	expect_error("[pixelate]\nnoise = 1\nnoise = 2\n", "bad.ini:3: [pixelate] noise: given twice");
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
		     "bad.ini:3: [line \"a\"] points: needs exactly 2 points X1,Y1 X2,Y2");
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

static void test_duplicate_keys(void **state)
{
	struct ob_recipe *r;

	(void)state;
	expect_error("[pixelate]\nnoise = 3\n; again\nnoise = 4\n",
		     "bad.ini:4: [pixelate] noise: given twice in this section (first on line 2)");
	expect_error("[recipe]\nname = a\n[detect]\nhead = 0.2\nstride = 2\nhead = 0.1\n",
		     "bad.ini:6: [detect] head: given twice in this section (first on line 4)");
	expect_error("[exclude \"a\"]\npolygon = 0,0 1,0 1,1\npolygon = 0,0 1,0 1,1\n",
		     "bad.ini:3: [exclude \"a\"] polygon: given twice in this section (first on line 2)");
	expect_error("[line \"a\"]\npoints = 0,0 1,1\nclasses = person\nclasses = vehicle\n",
		     "bad.ini:4: [line \"a\"] classes: given twice in this section (first on line 3)");
	expect_error("[zone \"z\"]\nkind = restricted\npolygon = 0,0 1,0 1,1\nkind = analytics\n",
		     "bad.ini:4: [zone \"z\"] kind: given twice");

	/* a fixed section given again starts anew: its keys override */
	if (ob_recipe_parse("t.ini", "[pixelate]\nnoise = 3\nseed = random\n[detect]\nstride = 2\n"
				     "[pixelate]\nseed = 42\nnoise = 4\n", &r))
		fail_msg("%s", ob_errmsg());
	assert_int_equal(r->pixelate.noise, 4);
	assert_true(r->pixelate.seed_set);
	assert_int_equal(r->pixelate.seed, 42);
	ob_recipe_free(&r);
	/* the same key in two instances of a named section is no duplicate */
	if (ob_recipe_parse("t.ini", "[line \"a\"]\npoints = 0,0 1,1\n[line \"b\"]\npoints = 0,1 1,0\n", &r))
		fail_msg("%s", ob_errmsg());
	assert_int_equal(r->n_lines, 2);
	ob_recipe_free(&r);
}

/* A line that starts with white space continues the key above it: lists
 * and points grow, a single value is refused, an indented key after a
 * header is a key. */
static void test_continuation_lines(void **state)
{
	struct ob_recipe *r;

	(void)state;
	expect_error("[pixelate]\nnoise = 3\n  4\n", "bad.ini:3: [pixelate] noise: takes one value, on one line");
	expect_error("[output]\ncodec = libx264\n\tlibx265\n", "bad.ini:3: [output] codec: takes one value");
	if (ob_recipe_parse("t.ini",
			    "[pixelate]\n  noise = 3\n"
			    "[metadata]\nkeep = title\n; a comment between\n   language, artist\n"
			    "[line \"a\"]\nclasses = person\n  vehicle\npoints = 0,0\n\n  1,1\n"
			    "[recipe]\ndescription = one\n  two\n",
			    &r))
		fail_msg("%s", ob_errmsg());
	assert_int_equal(r->pixelate.noise, 3);
	assert_int_equal(r->n_keep_tags, 3);
	assert_string_equal(r->keep_tags[2], "artist");
	assert_int_equal(r->lines[0].classes, OB_CLASS_BIT(OB_CLASS_PERSON) | OB_CLASS_BIT(OB_CLASS_VEHICLE));
	assert_int_equal(r->lines[0].n, 2);
	ob_recipe_free(&r);
}

/* Values are checked by the row's type and range, with the row's words. */
static void test_values_by_type(void **state)
{
	struct ob_recipe *r;

	(void)state;
	expect_error("[pixelate]\nnoise = 65\n", "bad.ini:2: [pixelate] noise: must be a whole number from 0 to 64");
	expect_error("[pixelate]\nmargin = 2.5\n", "must be a fraction of the box size from 0 to 2");
	expect_error("[pixelate]\nseed = -1\n", "[pixelate] seed: must be random or a non-negative integer");
	expect_error("[pixelate]\nfill = red\n", "[pixelate] fill: must be black, grey or white, not 'red'");
	expect_error("[detect]\nface_threshold = 0\n", "[detect] face_threshold: must be model or a score from 0.01 to 1");
	expect_error("[detect]\nfaces = ../x\n", "[detect] faces: must be off or a model name");
	expect_error("[detect]\ntiles = on\n", "[detect] tiles: must be auto or off, not 'on'");
	expect_error("[track]\nmax_lost = 11\n", "[track] max_lost: must be seconds from 0 to 10");
	expect_error("[track]\nconfirm = 0\n", "[track] confirm: must be a number of detections from 1 to 100");
	expect_error("[output]\ncontainer = avi\n", "[output] container: must be mp4 or mkv, not 'avi'");
	expect_error("[output]\nsuffix = a/b\n", "[output] suffix: must be a file name part");
	expect_error("[streams]\naudio = yes\n", "[streams] audio: must be drop or keep");
	expect_error("[metadata]\nlabel = maybe\n", "[metadata] label: must be yes or no");
	expect_error("[metadata]\nkeep = a b c d e f g h i j k l m n o p q\n", "[metadata] keep: more than 16 tags");
	expect_error("[recipe]\nversion = 2\n", "bad.ini:2: [recipe] version: unsupported recipe version: this Obscura reads 1, not '2'");
	expect_error("name = x\n", "bad.ini:1: name: key outside any section");
	expect_error("[track]\nextend_before = 0.8\nlookahead = 0.5\n",
		     "bad.ini:3: [track] extend_before (0.8 s) is longer than lookahead (0.5 s)");
	expect_error("[exclude \"a\"]\n", "bad.ini:1: [exclude \"a\"] polygon: missing (3 to 64 points");
	expect_error("[job]\nmemory_cap = 12X\n", "bad.ini:2: [job] memory_cap: must be auto or a size such as 512M "
						    "or 8G from 64M to 1T");
	expect_error("[job]\nmemory_cap = 1M\n", "[job] memory_cap: must be auto or a size");
	expect_error("[job]\nmemory_cap = 2T\n", "[job] memory_cap: must be auto or a size");
	expect_error("[job]\nmemory_cap = G\n", "[job] memory_cap: must be auto or a size");

	if (ob_recipe_parse("t.ini", "[pixelate]\nfill = gray\nseed = 0x10\nblock = 8\n[detect]\n"
				     "faces = blazeface\nperson_threshold = 0.5\nface_threshold = model\n"
				     "tiles = off\n[streams]\naudio = keep\nsubtitles = drop\n", &r))
		fail_msg("%s", ob_errmsg());
	assert_int_equal(r->pixelate.fill, OB_FILL_GREY);
	assert_int_equal(r->pixelate.seed, 16);
	assert_int_equal(r->pixelate.block, 8);
	assert_string_equal(r->detect.faces, "blazeface");
	assert_true(r->detect.person_threshold == 0.5);
	assert_true(r->detect.face_threshold == -1);
	assert_false(r->detect.tiles);
	assert_true(r->keep_audio);
	ob_recipe_free(&r);
	if (ob_recipe_parse("t.ini", "[job]\nmemory_cap = 1.5G\n", &r))
		fail_msg("%s", ob_errmsg());
	assert_int_equal(r->job.memory_cap, 3LL << 29);
	ob_recipe_free(&r);
	if (ob_recipe_parse("t.ini", "[job]\nmemory_cap = 100663296\n", &r))
		fail_msg("%s", ob_errmsg());
	assert_int_equal(r->job.memory_cap, 96LL << 20);
	ob_recipe_free(&r);
}

/* Names up to OB_RECIPE_MAX_NAME - 1 characters and lines past libinih's
 * first buffer (200 bytes) are read whole. */
static void test_long_names_and_lines(void **state)
{
	char text[4096], name[OB_RECIPE_MAX_NAME];
	size_t len;
	struct ob_recipe *r;

	(void)state;
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	len = (size_t)snprintf(text, sizeof(text), "[line \"%s\"]\npoints = 0,0 1,1\n[exclude \"%s\"]\npolygon =",
			       name, name);
	for (int i = 0; i < OB_POLYGON_MAX_POINTS; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, " %.6f,%.6f", 0.5 + 0.4 * cos(i * 0.0981748),
					0.5 + 0.4 * sin(i * 0.0981748));
	snprintf(text + len, sizeof(text) - len, "\n[pixelate]\nnoise = 5\n");
	if (ob_recipe_parse("t.ini", text, &r))
		fail_msg("%s", ob_errmsg());
	assert_string_equal(r->lines[0].name, name);
	assert_string_equal(r->zones[0].name, name);
	assert_int_equal(r->zones[0].poly.n, OB_POLYGON_MAX_POINTS);
	assert_int_equal(r->pixelate.noise, 5);
	ob_recipe_free(&r);
	/* the lines after a long one keep their numbers */
	snprintf(text + len, sizeof(text) - len, "\n[pixelate]\nnoise = 5\nnoise = 6\n");
	expect_error(text, "bad.ini:7: [pixelate] noise: given twice in this section (first on line 6)");
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

/* [purpose]: every key kept as written; the Art. 6(1) basis one of six words,
 * anything else refused in one line naming the file, line and key. */
static void test_purpose(void **state)
{
	struct ob_recipe *r;

	(void)state;
	assert_int_equal(ob_recipe_parse("p.ini", "[purpose]\npurpose = Subject access <request> & \"more\"\n"
					 "legal_basis = GDPR Art. 15(3)\nlegal_basis_art6 = legal-obligation\n"
					 "controller = Example Ltd\ndata_subjects = customers, staff\n"
					 "recipients = the requester\nretention = 30 days\nrequest_ref = SAR-7\n", &r), 0);
	assert_string_equal(r->purpose.purpose, "Subject access <request> & \"more\"");
	assert_string_equal(r->purpose.legal_basis, "GDPR Art. 15(3)");
	assert_string_equal(r->purpose.legal_basis_art6, "legal-obligation");
	assert_string_equal(r->purpose.controller, "Example Ltd");
	assert_string_equal(r->purpose.data_subjects, "customers, staff");
	assert_string_equal(r->purpose.recipients, "the requester");
	assert_string_equal(r->purpose.retention, "30 days");
	assert_string_equal(r->purpose.request_ref, "SAR-7");
	assert_true(ob_recipe_has_purpose(r));
	ob_recipe_free(&r);

	/* a purpose without its Art. 6 basis, or none at all, is no processing record */
	assert_int_equal(ob_recipe_parse("p.ini", "[purpose]\npurpose = x\n", &r), 0);
	assert_false(ob_recipe_has_purpose(r));
	ob_recipe_free(&r);
	assert_int_equal(ob_recipe_default(&r), 0);
	assert_false(ob_recipe_has_purpose(r));
	assert_string_equal(r->purpose.purpose, "");
	ob_recipe_free(&r);

	expect_error("[purpose]\nlegal_basis_art6 = because\n",
		     "bad.ini:2: [purpose] legal_basis_art6: must be consent, contract, legal-obligation, "
		     "vital-interests, public-task or legitimate-interests, not 'because'");
	expect_error("[purpose]\nlegal_basis_art6 = Consent\n", "not 'Consent'");
	expect_error("[purpose]\nmotive = x\n", "bad.ini:2: [purpose] motive: unknown key");
	expect_error("[purpose]\npurpose = a\npurpose = b\n", "given twice");
	assert_null(strchr(ob_errmsg(), '\n'));
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
		cmocka_unit_test(test_defaults_every_field),
		cmocka_unit_test(test_full_recipe),
		cmocka_unit_test(test_errors_name_file_line_key),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_analytics_sections),
		cmocka_unit_test(test_analytics_errors),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_continuation_lines),
		cmocka_unit_test(test_values_by_type),
		cmocka_unit_test(test_long_names_and_lines),
		cmocka_unit_test(test_load_missing_file),
		cmocka_unit_test(test_block_size),
		cmocka_unit_test(test_purpose),
		cmocka_unit_test(test_shipped_recipes_parse),
	};
	return cmocka_run_group_tests_name("recipe", tests, NULL, NULL);
}

/* recipe.c - parse and validate INI recipes with libinih. */
#include "obscura/recipe.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <ini.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "obscura/class.h"
#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/parse.h"
#include "obscura/banned.h"

#define SECTION_ZONE "exclude"
#define SECTION_LINE "line" /* [line "NAME"]: a counting line */
#define SECTION_AREA "zone" /* [zone "NAME"]: an analytics or restricted zone */
#define ANALYTICS_CLASSES (OB_CLASS_BIT(OB_CLASS_PERSON) | OB_CLASS_BIT(OB_CLASS_VEHICLE))

/* Where each [line "NAME"] and [zone "NAME"] header is (found by a pre-scan:
 * libinih does not report a section's line, nor a section without keys). */
struct section_lines {
	size_t n_lines, n_areas;
	int line_at[OB_RECIPE_MAX_LINES];
	char line_name[OB_RECIPE_MAX_LINES][OB_RECIPE_MAX_NAME];
	int area_at[OB_RECIPE_MAX_AREAS];
	char area_name[OB_RECIPE_MAX_AREAS][OB_RECIPE_MAX_NAME];
};

struct parse_ctx {
	struct ob_recipe *r;
	const char *origin;
	char err[512];         /* set by the handler; libinih supplies the line */
	struct ob_zone *zone;  /* zone being filled, or NULL */
	struct ob_count_line *line; /* [line] being filled, or NULL */
	struct ob_area *area;  /* [zone] being filled, or NULL */
	char section[128];     /* last section seen, to detect a new one */
	char key[64];          /* key being parsed, for the error message */
};

static int fail(struct parse_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parse_ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return 0; /* libinih: 0 = error on this line */
}

static bool copy_word(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n == 0 || n >= size)
		return false;
	memcpy(dst, src, n + 1);
	return true;
}

/* "x,y x,y ..." appended to the zone's polygon (continuation lines append). */
static int parse_points(struct parse_ctx *c, struct ob_polygon *poly, const char *value)
{
	const char *p = value;

	while (*p) {
		char *end;
		double x, y;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		errno = 0;
		x = strtod(p, &end);
		if (end == p || *end != ',')
			return fail(c, "expected x,y pairs separated by spaces, got '%s'", p);
		p = end + 1;
		y = strtod(p, &end);
		if (end == p || (*end && *end != ' ' && *end != '\t') || errno)
			return fail(c, "expected x,y pairs separated by spaces, got '%s'", p);
		p = end;
		if (!(x >= 0 && x <= 1 && y >= 0 && y <= 1))
			return fail(c, "point %g,%g is outside the frame (coordinates are fractions 0..1)", x, y);
		if (poly->n >= OB_POLYGON_MAX_POINTS)
			return fail(c, "more than %d points", OB_POLYGON_MAX_POINTS);
		poly->pts[poly->n++] = (struct ob_point){ x, y };
	}
	return 1;
}

static int set_pixelate(struct parse_ctx *c, const char *name, const char *value)
{
	struct ob_pixelate_opts *o = &c->r->pixelate;

	if (!strcmp(name, "style")) {
		if (!strcmp(value, "pixelate"))
			o->style = OB_STYLE_PIXELATE;
		else if (!strcmp(value, "solid"))
			o->style = OB_STYLE_SOLID;
		else if (!strcmp(value, "blur"))
			return fail(c, "blur is reversible and not offered; use pixelate or solid");
		else
			return fail(c, "must be pixelate or solid, not '%s'", value);
	} else if (!strcmp(name, "block")) {
		if (!strcmp(value, "auto"))
			o->block = 0;
		else if (!ob_parse_int(value, OB_BLOCK_MIN, OB_BLOCK_MAX, &o->block) || o->block % 2)
			return fail(c, "must be auto or an even number of pixels from %d to %d",
				    OB_BLOCK_MIN, OB_BLOCK_MAX);
	} else if (!strcmp(name, "noise")) {
		if (!ob_parse_int(value, 0, 64, &o->noise))
			return fail(c, "must be a whole number from 0 to 64");
	} else if (!strcmp(name, "seed")) {
		char *end;

		if (!strcmp(value, "random")) {
			o->seed_set = false;
			return 1;
		}
		errno = 0;
		o->seed = strtoull(value, &end, 0);
		if (errno || end == value || *end || value[0] == '-')
			return fail(c, "must be random or a non-negative integer");
		o->seed_set = true;
	} else if (!strcmp(name, "margin")) {
		if (!ob_parse_double(value, 0, 2, &o->margin))
			return fail(c, "must be a fraction of the box size from 0 to 2");
	} else if (!strcmp(name, "fill")) {
		if (!strcmp(value, "black"))
			o->fill = OB_FILL_BLACK;
		else if (!strcmp(value, "grey") || !strcmp(value, "gray"))
			o->fill = OB_FILL_GREY;
		else if (!strcmp(value, "white"))
			o->fill = OB_FILL_WHITE;
		else
			return fail(c, "must be black, grey or white");
	} else {
		return fail(c, "unknown key");
	}
	return 1;
}

static int set_output(struct parse_ctx *c, const char *name, const char *value)
{
	struct ob_output_opts *o = &c->r->output;

	if (!strcmp(name, "container")) {
		if (strcmp(value, "mp4") && strcmp(value, "mkv"))
			return fail(c, "must be mp4 or mkv");
		copy_word(o->container, sizeof(o->container), value);
	} else if (!strcmp(name, "codec")) {
		if (!copy_word(o->codec, sizeof(o->codec), value))
			return fail(c, "must name a libavcodec encoder");
	} else if (!strcmp(name, "crf")) {
		if (!ob_parse_int(value, 0, 63, &o->crf))
			return fail(c, "must be a whole number from 0 to 63");
	} else if (!strcmp(name, "preset")) {
		if (!copy_word(o->preset, sizeof(o->preset), value))
			return fail(c, "must name an encoder preset");
	} else if (!strcmp(name, "suffix")) {
		if (strchr(value, '/') || !copy_word(o->suffix, sizeof(o->suffix), value))
			return fail(c, "must be a short file name part without '/'");
	} else {
		return fail(c, "unknown key");
	}
	return 1;
}

static int set_streams(struct parse_ctx *c, const char *name, const char *value)
{
	if (!strcmp(name, "audio")) {
		if (!strcmp(value, "drop"))
			c->r->keep_audio = false;
		else if (!strcmp(value, "keep"))
			c->r->keep_audio = true;
		else
			return fail(c, "must be drop or keep");
	} else if (!strcmp(name, "subtitles") || !strcmp(name, "data") || !strcmp(name, "attachments")) {
		if (strcmp(value, "drop"))
			return fail(c, "can only be drop: such streams are never copied");
	} else {
		return fail(c, "unknown key");
	}
	return 1;
}

static int set_model(struct parse_ctx *c, char *dst, const char *value)
{
	if (!strcmp(value, "off")) {
		dst[0] = '\0';
		return 1;
	}
	if (strchr(value, '/') || !copy_word(dst, OB_RECIPE_MAX_NAME, value))
		return fail(c, "must be off or a model name from `obscura models`");
	return 1;
}

static int set_detect(struct parse_ctx *c, const char *name, const char *value)
{
	struct ob_detect_opts *d = &c->r->detect;

	if (!strcmp(name, "faces"))
		return set_model(c, d->faces, value);
	if (!strcmp(name, "people"))
		return set_model(c, d->people, value);
	if (!strcmp(name, "text"))
		return set_model(c, d->text, value);
	if (!strcmp(name, "face_threshold") || !strcmp(name, "person_threshold") ||
	    !strcmp(name, "text_threshold")) {
		double *t = name[0] == 'f' ? &d->face_threshold : name[0] == 'p' ? &d->person_threshold
										 : &d->text_threshold;
		if (!strcmp(value, "model"))
			*t = -1;
		else if (!ob_parse_double(value, 0.01, 1, t))
			return fail(c, "must be model or a score from 0.01 to 1");
	} else if (!strcmp(name, "head")) {
		if (!ob_parse_double(value, 0, 1, &d->head_fraction))
			return fail(c, "must be a fraction of the person box from 0 to 1");
	} else if (!strcmp(name, "forehead")) {
		if (!ob_parse_double(value, 0, 1, &d->forehead))
			return fail(c, "must be a fraction of the face box from 0 to 1");
	} else if (!strcmp(name, "stride") || !strcmp(name, "people_stride") || !strcmp(name, "text_stride")) {
		int *v = name[0] == 's' ? &d->stride : name[0] == 'p' ? &d->people_stride : &d->text_stride;
		if (!ob_parse_int(value, 1, OB_DETECT_STRIDE_MAX, v))
			return fail(c, "must be a whole number from 1 to %d", OB_DETECT_STRIDE_MAX);
	} else if (!strcmp(name, "tiles")) {
		if (!strcmp(value, "auto"))
			d->tiles = true;
		else if (!strcmp(value, "off"))
			d->tiles = false;
		else
			return fail(c, "must be auto or off");
	} else if (!strcmp(name, "models")) {
		size_t n = strlen(value);
		if (n == 0 || n >= sizeof(d->models))
			return fail(c, "must be a directory");
		memcpy(d->models, value, n + 1);
	} else {
		return fail(c, "unknown key");
	}
	return 1;
}

static int set_track(struct parse_ctx *c, const char *name, const char *value)
{
	struct ob_track_opts *t = &c->r->track;
	double *seconds = !strcmp(name, "lookahead")       ? &t->lookahead
			  : !strcmp(name, "extend_before") ? &t->extend_before
			  : !strcmp(name, "extend_after")  ? &t->extend_after
			  : !strcmp(name, "max_lost")      ? &t->max_lost
							   : NULL;

	if (seconds) {
		if (!ob_parse_double(value, 0, OB_TRACK_SECONDS_MAX, seconds))
			return fail(c, "must be seconds from 0 to %g", OB_TRACK_SECONDS_MAX);
	} else if (!strcmp(name, "confirm")) {
		if (!ob_parse_int(value, 1, 100, &t->confirm))
			return fail(c, "must be a number of detections from 1 to 100");
	} else if (!strcmp(name, "iou")) {
		if (!ob_parse_double(value, 0.01, 1, &t->iou))
			return fail(c, "must be an overlap from 0.01 to 1");
	} else if (!strcmp(name, "low")) {
		if (!ob_parse_double(value, 0.01, 1, &t->low))
			return fail(c, "must be a score from 0.01 to 1");
	} else if (!strcmp(name, "motion_margin")) {
		if (!ob_parse_double(value, 0, 10, &t->motion_margin))
			return fail(c, "must be a number of frames of motion from 0 to 10");
	} else {
		return fail(c, "unknown key");
	}
	return 1;
}

static int set_metadata(struct parse_ctx *c, const char *name, const char *value)
{
	struct ob_recipe *r = c->r;

	if (!strcmp(name, "label")) {
		if (!ob_parse_bool(value, &r->label))
			return fail(c, "must be yes or no");
	} else if (!strcmp(name, "keep")) {
		char buf[OB_RECIPE_MAX_LINE + 1], *save = NULL, *tok;

		snprintf(buf, sizeof(buf), "%s", value);
		for (tok = strtok_r(buf, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
			if (r->n_keep_tags >= OB_RECIPE_MAX_KEEP_TAGS)
				return fail(c, "more than %d tags", OB_RECIPE_MAX_KEEP_TAGS);
			if (!copy_word(r->keep_tags[r->n_keep_tags], OB_RECIPE_MAX_NAME, tok))
				return fail(c, "tag name '%s' too long", tok);
			r->n_keep_tags++;
		}
	} else {
		return fail(c, "unknown key");
	}
	return 1;
}

/* True if section is `PREFIX ...` (a named section of that kind). */
static bool named_section(const char *section, const char *prefix)
{
	size_t n = strlen(prefix);

	return !strncmp(section, prefix, n) && section[n] == ' ';
}

/* `PREFIX "some name"` -> "some name" ([exclude], [line], [zone]); false if malformed. */
static bool section_name(const char *section, const char *prefix, char *name, size_t size)
{
	const char *q = section + strlen(prefix);
	size_t n;

	while (*q == ' ')
		q++;
	if (*q != '"')
		return false;
	q++;
	n = strcspn(q, "\"");
	if (q[n] != '"' || q[n + 1] || n == 0 || n >= size)
		return false;
	memcpy(name, q, n);
	name[n] = '\0';
	return true;
}

/* "person,vehicle", "person vehicle", "vehicle" -> an OB_CLASS_BIT mask. */
static int parse_classes(struct parse_ctx *c, unsigned *mask, const char *value)
{
	char buf[OB_RECIPE_MAX_LINE + 1], *save = NULL, *tok;
	unsigned m = 0;

	snprintf(buf, sizeof(buf), "%s", value);
	for (tok = strtok_r(buf, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		enum ob_class cls;

		if (!ob_class_parse(tok, &cls) || !(OB_CLASS_BIT(cls) & ANALYTICS_CLASSES))
			return fail(c, "'%s' is not a class analytics count: list person and/or vehicle", tok);
		m |= OB_CLASS_BIT(cls);
	}
	if (!m)
		return fail(c, "must list person and/or vehicle");
	*mask = m;
	return 1;
}

static int begin_line(struct parse_ctx *c, const char *section)
{
	struct ob_recipe *r = c->r;
	struct ob_count_line *l;

	if (r->n_lines >= OB_RECIPE_MAX_LINES)
		return fail(c, "more than %d counting lines", OB_RECIPE_MAX_LINES);
	l = &r->lines[r->n_lines];
	if (!section_name(section, SECTION_LINE, l->name, sizeof(l->name)))
		return fail(c, "section [%s]: write counting lines as [line \"name\"] (1 to %d characters)",
			    section, OB_RECIPE_MAX_NAME - 1);
	for (size_t i = 0; i < r->n_lines; i++)
		if (!strcmp(r->lines[i].name, l->name))
			return fail(c, "line \"%s\" defined twice", l->name);
	l->classes = ANALYTICS_CLASSES;
	r->n_lines++;
	c->line = l;
	return 1;
}

static int begin_area(struct parse_ctx *c, const char *section)
{
	struct ob_recipe *r = c->r;
	struct ob_area *a;

	if (r->n_areas >= OB_RECIPE_MAX_AREAS)
		return fail(c, "more than %d analytics zones", OB_RECIPE_MAX_AREAS);
	a = &r->areas[r->n_areas];
	if (!section_name(section, SECTION_AREA, a->name, sizeof(a->name)))
		return fail(c, "section [%s]: write analytics zones as [zone \"name\"] (1 to %d characters)",
			    section, OB_RECIPE_MAX_NAME - 1);
	for (size_t i = 0; i < r->n_areas; i++)
		if (!strcmp(r->areas[i].name, a->name))
			return fail(c, "zone \"%s\" defined twice", a->name);
	a->kind = OB_AREA_ANALYTICS;
	a->classes = ANALYTICS_CLASSES;
	r->n_areas++;
	c->area = a;
	return 1;
}

static int set_line(struct parse_ctx *c, const char *name, const char *value)
{
	struct ob_count_line *l = c->line;

	if (!strcmp(name, "points")) {
		struct ob_polygon p = { .n = l->n };

		memcpy(p.pts, l->pts, l->n * sizeof(l->pts[0]));
		if (!parse_points(c, &p, value))
			return 0;
		if (p.n > 2)
			return fail(c, "a line has exactly two points X1,Y1 X2,Y2");
		memcpy(l->pts, p.pts, p.n * sizeof(p.pts[0]));
		l->n = p.n;
	} else if (!strcmp(name, "classes")) {
		return parse_classes(c, &l->classes, value);
	} else {
		return fail(c, "unknown key '%s' in [%s]", name, c->section);
	}
	return 1;
}

static int set_area(struct parse_ctx *c, const char *name, const char *value)
{
	struct ob_area *a = c->area;

	if (!strcmp(name, "polygon"))
		return parse_points(c, &a->poly, value);
	if (!strcmp(name, "classes"))
		return parse_classes(c, &a->classes, value);
	if (!strcmp(name, "kind")) {
		if (!strcmp(value, "analytics"))
			a->kind = OB_AREA_ANALYTICS;
		else if (!strcmp(value, "restricted"))
			a->kind = OB_AREA_RESTRICTED;
		else
			return fail(c, "must be analytics or restricted");
		return 1;
	}
	return fail(c, "unknown key '%s' in [%s]", name, c->section);
}

static int begin_section(struct parse_ctx *c, const char *section)
{
	struct ob_recipe *r = c->r;

	snprintf(c->section, sizeof(c->section), "%s", section);
	c->zone = NULL;
	c->line = NULL;
	c->area = NULL;
	if (named_section(section, SECTION_LINE))
		return begin_line(c, section);
	if (named_section(section, SECTION_AREA))
		return begin_area(c, section);
	if (!named_section(section, SECTION_ZONE))
		return 1;
	if (r->n_zones >= OB_RECIPE_MAX_ZONES)
		return fail(c, "more than %d exclusion zones", OB_RECIPE_MAX_ZONES);
	c->zone = &r->zones[r->n_zones];
	if (!section_name(section, SECTION_ZONE, c->zone->name, sizeof(c->zone->name)))
		return fail(c, "section [%s]: write zones as [exclude \"name\"]", section);
	for (size_t i = 0; i < r->n_zones; i++)
		if (!strcmp(r->zones[i].name, c->zone->name))
			return fail(c, "zone \"%s\" defined twice", c->zone->name);
	r->n_zones++;
	return 1;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_ctx *c = user;

	snprintf(c->key, sizeof(c->key), "%s", name);
	if (strcmp(section, c->section) && !begin_section(c, section))
		return 0;
	if (c->zone) {
		if (!strcmp(name, "polygon"))
			return parse_points(c, &c->zone->poly, value);
		return fail(c, "unknown key '%s' in [%s]", name, section);
	}
	if (c->line)
		return set_line(c, name, value);
	if (c->area)
		return set_area(c, name, value);
	if (!strcmp(section, "recipe")) {
		if (!strcmp(name, "name")) {
			if (!copy_word(c->r->name, sizeof(c->r->name), value))
				return fail(c, "name must be 1 to %d characters", OB_RECIPE_MAX_NAME - 1);
			return 1;
		}
		if (!strcmp(name, "version"))
			return !strcmp(value, "1") ? 1 : fail(c, "unsupported recipe version '%s' (this Obscura reads 1)", value);
		if (!strcmp(name, "description"))
			return 1;
		return fail(c, "unknown key");
	}
	if (!strcmp(section, "pixelate"))
		return set_pixelate(c, name, value);
	if (!strcmp(section, "output"))
		return set_output(c, name, value);
	if (!strcmp(section, "streams"))
		return set_streams(c, name, value);
	if (!strcmp(section, "metadata"))
		return set_metadata(c, name, value);
	if (!strcmp(section, "detect"))
		return set_detect(c, name, value);
	if (!strcmp(section, "track"))
		return set_track(c, name, value);
	if (!*section)
		return fail(c, "key outside any section");
	return fail(c, "unknown section [%s]", section);
}

static void set_defaults(struct ob_recipe *r)
{
	copy_word(r->name, sizeof(r->name), "default");
	r->pixelate = (struct ob_pixelate_opts){
		.style = OB_STYLE_PIXELATE, .block = 0, .noise = 8, .seed_set = false,
		.margin = 0.15, .fill = OB_FILL_BLACK,
	};
	copy_word(r->output.container, sizeof(r->output.container), "mp4");
	copy_word(r->output.codec, sizeof(r->output.codec), "libx264");
	r->output.crf = 20;
	copy_word(r->output.preset, sizeof(r->output.preset), "veryfast");
	copy_word(r->output.suffix, sizeof(r->output.suffix), ".anon");
	r->keep_audio = false;
	r->label = true;
	/* Detection off by default; thresholds as in obscura-recipe(5). */
	r->detect = (struct ob_detect_opts){
		.face_threshold = 0.4, .person_threshold = -1, .text_threshold = -1,
		.head_fraction = 0.3, .stride = 1, .tiles = true,
		.people_stride = 1, .text_stride = 1, .forehead = 0.4,
	};
	r->track = (struct ob_track_opts){
		.lookahead = 1.0, .extend_before = 0.5, .extend_after = 0.5, .max_lost = 1.0,
		.confirm = 2, .iou = 0.2, .low = 0.1, .motion_margin = 1.0,
	};
}

/* Zones must be real areas: three points or more, not all on one line. */
static int validate(const char *origin, const struct ob_recipe *r, const int *zone_lines)
{
	for (size_t i = 0; i < r->n_zones; i++) {
		const struct ob_zone *z = &r->zones[i];

		if (z->poly.n < 3)
			return ob_err(OB_ERR_RECIPE, "%s:%d: [exclude \"%s\"] polygon: needs at least 3 points",
				      origin, zone_lines[i], z->name);
		if (fabs(ob_polygon_area2(&z->poly)) < 1e-12)
			return ob_err(OB_ERR_RECIPE, "%s:%d: [exclude \"%s\"] polygon: has no area",
				      origin, zone_lines[i], z->name);
	}
	/* a track cannot be extended back further than the job looks ahead */
	if (r->track.extend_before > r->track.lookahead)
		return ob_err(OB_ERR_RECIPE, "%s: [track] extend_before (%g s) is longer than lookahead (%g s)",
			      origin, r->track.extend_before, r->track.lookahead);
	return 0;
}

/*
 * A pre-scan over the raw lines, for what libinih cannot report: lines
 * longer than its buffer (it would split them) and a repeated section
 * header (it merges the two, which for zones would silently join polygons).
 */
static int check_lines(const char *origin, const char *text, int *zone_lines)
{
	char seen[OB_RECIPE_MAX_ZONES + 1][OB_RECIPE_MAX_NAME + 16];
	size_t nseen = 0;
	int line = 1;

	for (const char *p = text; *p; line++) {
		size_t n = strcspn(p, "\n");
		const char *q = p;

		if (n > OB_RECIPE_MAX_LINE)
			return ob_err(OB_ERR_RECIPE, "%s:%d: line longer than %d characters",
				      origin, line, OB_RECIPE_MAX_LINE);
		while (q < p + n && (*q == ' ' || *q == '\t'))
			q++;
		if (!strncmp(q, "[" SECTION_ZONE, strlen("[" SECTION_ZONE))) {
			size_t len = strcspn(q, "]\n");

			if (len < sizeof(seen[0])) {
				for (size_t i = 0; i < nseen; i++)
					if (!strncmp(seen[i], q, len) && seen[i][len] == '\0')
						return ob_err(OB_ERR_RECIPE, "%s:%d: [%.*s]: zone defined twice",
							      origin, line, (int)len - 1, q + 1);
				if (nseen < sizeof(seen) / sizeof(seen[0])) {
					if (nseen < OB_RECIPE_MAX_ZONES)
						zone_lines[nseen] = line;
					memcpy(seen[nseen], q, len);
					seen[nseen++][len] = '\0';
				}
			}
		}
		p += n;
		if (*p)
			p++;
	}
	return 0;
}

/*
 * The pre-scan for [line "NAME"] and [zone "NAME"] headers: where each is
 * (for errors found after parsing), a malformed or repeated one (libinih
 * merges a repeated header into the section before it), too many.
 */
static int scan_analytics_sections(const char *origin, const char *text, struct section_lines *sl)
{
	int line = 1;

	for (const char *p = text; *p; line++) {
		size_t n = strcspn(p, "\n");
		const char *q = p;

		while (q < p + n && (*q == ' ' || *q == '\t'))
			q++;
		if (*q == '[') {
			char section[OB_RECIPE_MAX_LINE + 1];
			size_t len = strcspn(q + 1, "]\n");
			bool is_line;

			snprintf(section, sizeof(section), "%.*s", (int)len, q + 1);
			is_line = named_section(section, SECTION_LINE);
			if (is_line || named_section(section, SECTION_AREA)) {
				const char *kind = is_line ? SECTION_LINE : SECTION_AREA;
				size_t *count = is_line ? &sl->n_lines : &sl->n_areas;
				size_t max = is_line ? OB_RECIPE_MAX_LINES : OB_RECIPE_MAX_AREAS;
				char (*names)[OB_RECIPE_MAX_NAME] = is_line ? sl->line_name : sl->area_name;
				int *at = is_line ? sl->line_at : sl->area_at;
				char name[OB_RECIPE_MAX_NAME];

				if (!section_name(section, kind, name, sizeof(name)))
					return ob_err(OB_ERR_RECIPE, "%s:%d: [%s]: write it as [%s \"name\"] (1 to %d characters)",
						      origin, line, section, kind, OB_RECIPE_MAX_NAME - 1);
				for (size_t i = 0; i < *count; i++)
					if (!strcmp(names[i], name))
						return ob_err(OB_ERR_RECIPE, "%s:%d: [%s]: %s \"%s\" defined twice (first on line %d)",
							      origin, line, section, kind, name, at[i]);
				if (*count >= max)
					return ob_err(OB_ERR_RECIPE, "%s:%d: [%s]: more than %zu [%s] sections",
						      origin, line, section, max, kind);
				memcpy(names[*count], name, sizeof(name));
				at[(*count)++] = line;
			}
		}
		p += n;
		if (*p)
			p++;
	}
	return 0;
}

/* Lines need two distinct points, zones a polygon with an area; a section
 * without keys (libinih never calls back for it) is missing its points. */
static int validate_analytics(const char *origin, const struct ob_recipe *r, const struct section_lines *sl)
{
	for (size_t i = 0; i < sl->n_lines; i++) {
		const struct ob_count_line *l = NULL;

		for (size_t k = 0; k < r->n_lines && !l; k++)
			if (!strcmp(r->lines[k].name, sl->line_name[i]))
				l = &r->lines[k];
		if (!l || l->n == 0)
			return ob_err(OB_ERR_RECIPE, "%s:%d: [line \"%s\"] points: missing (two points X1,Y1 X2,Y2)",
				      origin, sl->line_at[i], sl->line_name[i]);
		if (l->n != 2)
			return ob_err(OB_ERR_RECIPE, "%s:%d: [line \"%s\"] points: needs exactly 2 points X1,Y1 X2,Y2",
				      origin, sl->line_at[i], l->name);
		if (l->pts[0].x == l->pts[1].x && l->pts[0].y == l->pts[1].y)
			return ob_err(OB_ERR_RECIPE, "%s:%d: [line \"%s\"] points: the two points are the same",
				      origin, sl->line_at[i], l->name);
	}
	for (size_t i = 0; i < sl->n_areas; i++) {
		const struct ob_area *a = NULL;

		for (size_t k = 0; k < r->n_areas && !a; k++)
			if (!strcmp(r->areas[k].name, sl->area_name[i]))
				a = &r->areas[k];
		if (!a || a->poly.n == 0)
			return ob_err(OB_ERR_RECIPE, "%s:%d: [zone \"%s\"] polygon: missing",
				      origin, sl->area_at[i], sl->area_name[i]);
		if (a->poly.n < 3)
			return ob_err(OB_ERR_RECIPE, "%s:%d: [zone \"%s\"] polygon: needs at least 3 points",
				      origin, sl->area_at[i], a->name);
		if (fabs(ob_polygon_area2(&a->poly)) < 1e-12)
			return ob_err(OB_ERR_RECIPE, "%s:%d: [zone \"%s\"] polygon: has no area",
				      origin, sl->area_at[i], a->name);
	}
	return 0;
}

int ob_recipe_parse(const char *origin, const char *text, struct ob_recipe **out)
{
	struct ob_recipe *r;
	struct parse_ctx c = { 0 };
	int zone_lines[OB_RECIPE_MAX_ZONES] = { 0 };
	struct section_lines *sl = NULL;
	int line, ret;

	*out = NULL;
	if (strlen(text) > OB_RECIPE_MAX_BYTES)
		return ob_err(OB_ERR_RECIPE, "%s: larger than %d bytes", origin, OB_RECIPE_MAX_BYTES);
	ret = check_lines(origin, text, zone_lines);
	if (ret)
		return ret;
	sl = calloc(1, sizeof(*sl));
	if (!sl)
		return ob_err(OB_ERR_NOMEM, "%s: out of memory", origin);
	ret = scan_analytics_sections(origin, text, sl);
	if (ret) {
		free(sl);
		return ret;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		free(sl);
		return ob_err(OB_ERR_NOMEM, "%s: out of memory", origin);
	}
	set_defaults(r);
	r->path = strdup(origin);
	r->text = strdup(text);
	if (!r->path || !r->text) {
		ret = ob_err(OB_ERR_NOMEM, "%s: out of memory", origin);
		goto out;
	}
	r->text_len = strlen(text);
	c.r = r;
	c.origin = origin;

	/* libinih's line buffer is a global knob: make it fit our limit. */
	ini_use_stack = false;
	ini_allow_realloc = true; /* else libinih 55 splits lines past 200 bytes */
	ini_max_line = OB_RECIPE_MAX_LINE + 3;
	ini_stop_on_first_error = true;
	line = ini_parse_string(text, handler, &c);
	if (line > 0) {
		if (c.err[0])
			ret = ob_err(OB_ERR_RECIPE, "%s:%d: [%s] %s: %s", origin, line, c.section, c.key, c.err);
		else
			ret = ob_err(OB_ERR_RECIPE, "%s:%d: syntax error (expected [section] or key = value)",
				     origin, line);
		goto out;
	}
	if (line < 0) {
		ret = ob_err(OB_ERR_NOMEM, "%s: out of memory while parsing", origin);
		goto out;
	}
	ret = validate(origin, r, zone_lines);
	if (!ret)
		ret = validate_analytics(origin, r, sl);
out:
	free(sl);
	if (ret)
		ob_recipe_free(&r);
	*out = r;
	return ret;
}

int ob_recipe_load(const char *path, struct ob_recipe **out)
{
	char *text = NULL;
	size_t len;
	int ret;

	*out = NULL;
	ret = ob_read_file(path, OB_RECIPE_MAX_BYTES, &text, &len);
	if (ret)
		return OB_ERR_RECIPE; /* the message already names path and cause */
	if (memchr(text, '\0', len)) {
		free(text);
		return ob_err(OB_ERR_RECIPE, "%s: contains a NUL byte: not a recipe", path);
	}
	ret = ob_recipe_parse(path, text, out);
	free(text);
	return ret;
}

int ob_recipe_default(struct ob_recipe **out)
{
	return ob_recipe_parse("(built-in defaults)", "", out);
}

void ob_recipe_free(struct ob_recipe **r)
{
	if (!r || !*r)
		return;
	free((*r)->path);
	free((*r)->text);
	free(*r);
	*r = NULL;
}

int ob_recipe_block_size(const struct ob_pixelate_opts *opts, int frame_height)
{
	int b;

	if (opts->block > 0)
		return opts->block;
	/* About 48 blocks down the frame: 12 px at 576 lines, 22 px at 1080. */
	b = (frame_height + 47) / 48;
	b += b & 1;
	return b < OB_BLOCK_MIN ? OB_BLOCK_MIN : b > OB_BLOCK_MAX ? OB_BLOCK_MAX : b;
}

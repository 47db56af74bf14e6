/* SPDX-License-Identifier: MIT */
/* recipe.c - parse and validate INI recipes with libinih, key by key from ob_recipe_keys. */
#include "obscura/recipe.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
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

#define CLASSES_COUNTED (OB_CLASS_BIT(OB_CLASS_PERSON) | OB_CLASS_BIT(OB_CLASS_VEHICLE))
#define NAMED_MAX OB_RECIPE_MAX_ZONES /* the most instances a named section may have */
#define HEADER_MAX 128                /* a section header as messages quote it */
#define MESSAGE_MAX 512

/* A section: fixed ([pixelate]) or named ([exclude "NAME"], repeated with
 * different names, each instance an element of an array in the recipe). */
struct section {
	const char *name;
	const char *noun; /* named sections: what an instance is, in messages */
	size_t array, count, stride, max;
};

#define NAMED(word, what, instances, n, T, most)                                                    \
	{ .name = word, .noun = what, .array = offsetof(struct ob_recipe, instances),               \
	  .count = offsetof(struct ob_recipe, n), .stride = sizeof(T), .max = most }

static const struct section sections[] = {
	{ .name = "recipe" },
	{ .name = "pixelate" },
	{ .name = "detect" },
	{ .name = "track" },
	{ .name = "output" },
	{ .name = "streams" },
	{ .name = "metadata" },
	{ .name = "analytics" },
	{ .name = "purpose" },
	{ .name = "job" },
	NAMED("exclude", "exclusion zone", zones, n_zones, struct ob_zone, OB_RECIPE_MAX_ZONES),
	NAMED("line", "line", lines, n_lines, struct ob_count_line, OB_RECIPE_MAX_LINES),
	NAMED("zone", "zone", areas, n_areas, struct ob_area, OB_RECIPE_MAX_AREAS),
};
#define N_SECTIONS (sizeof(sections) / sizeof(sections[0]))

/* An instance's name is its first member: the parser finds instances by it. */
_Static_assert(offsetof(struct ob_zone, name) == 0, "ob_zone starts with its name");
_Static_assert(offsetof(struct ob_count_line, name) == 0, "ob_count_line starts with its name");
_Static_assert(offsetof(struct ob_area, name) == 0, "ob_area starts with its name");
_Static_assert(OB_RECIPE_MAX_LINES <= NAMED_MAX && OB_RECIPE_MAX_AREAS <= NAMED_MAX,
	       "NAMED_MAX bounds every named section");

struct parse_ctx {
	struct ob_recipe *r;
	const char *origin;
	const char *pos;    /* the reader's place in the text */
	bool mid_line;      /* the reader handed libinih only part of the current line */
	int line;           /* number of the line libinih is parsing */
	bool after_key;     /* a key since the last header: an indented line continues it */
	bool cont;          /* the current line continues the previous key's value */
	bool in_section;    /* a header has been read */
	const struct section *sec; /* the current section; NULL if unknown */
	char header[HEADER_MAX];   /* its header as written, for messages */
	void *base;         /* struct ob_recipe, or the current named instance */
	int *seen;          /* per key: the line this section gave it on, 0 if not yet */
	int *set_at;        /* per key: the line the recipe last gave it on, 0 if never */
	int at[N_SECTIONS][NAMED_MAX]; /* the header line of each named instance */
	int status;         /* the first error (its message recorded), or 0 */
	char key[64];       /* the key being parsed, for messages */
};

/* A bad value: records "file:line: [section] key: cause" and stops libinih. */
static int fail(struct parse_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parse_ctx *c, const char *fmt, ...)
{
	char msg[MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->status = ob_err(OB_ERR_RECIPE, "%s:%d: [%s] %s: %s", c->origin, c->line, c->header, c->key,
			   msg);
	return 0; /* libinih: 0 = error on this line */
}

/* Whole or not at all: an empty or too long value is refused, never cut. */
static bool copy_word(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n == 0 || n >= size)
		return false;
	memcpy(dst, src, n + 1);
	return true;
}

/* A number out of range: says the range, and the word that may stand instead. */
static int fail_range(struct parse_ctx *c, const struct ob_recipe_key *k)
{
	char lo[32], hi[32];

	if (k->type == OB_RECIPE_INT) {
		snprintf(lo, sizeof(lo), "%ld", (long)k->min);
		snprintf(hi, sizeof(hi), "%ld", (long)k->max);
	} else {
		snprintf(lo, sizeof(lo), "%g", k->min);
		snprintf(hi, sizeof(hi), "%g", k->max);
	}
	return fail(c, "must be %s%s%s from %s to %s", k->word ? k->word : "", k->word ? " or " : "",
		    k->what, lo, hi);
}

/* Whole numbers are refused, not clamped, outside the row's range. */
static int set_int(struct parse_ctx *c, const struct ob_recipe_key *k, int *f, const char *value)
{
	int v;

	if (k->word && !strcmp(value, k->word)) {
		*f = (int)k->word_value;
		return 1;
	}
	if (!ob_parse_int(value, (long)k->min, (long)k->max, &v) || ((k->flags & OB_RECIPE_EVEN) && v % 2))
		return fail_range(c, k);
	*f = v;
	return 1;
}

/* Likewise for fractions, scores and seconds; the word (model) stands for
 * a value outside the range (-1: the model card's). */
static int set_double(struct parse_ctx *c, const struct ob_recipe_key *k, double *f, const char *value)
{
	if (k->word && !strcmp(value, k->word)) {
		*f = k->word_value;
		return 1;
	}
	if (!ob_parse_double(value, k->min, k->max, f))
		return fail_range(c, k);
	return 1;
}

/* A size: "512M", "8G", "1.5G" (powers of 1024; a bare number is bytes). */
static int set_bytes(struct parse_ctx *c, const struct ob_recipe_key *k, int64_t *f, const char *value)
{
	static const char units[] = "KMGT";
	char lo[32], hi[32], *end;
	const char *u;
	double v;

	if (k->word && !strcmp(value, k->word)) {
		*f = (int64_t)k->word_value;
		return 1;
	}
	errno = 0;
	v = strtod(value, &end);
	if (!errno && end != value && *end && !end[1] && (u = strchr(units, *end)) != NULL)
		for (long i = 0; i <= u - units; i++)
			v *= 1024;
	else if (errno || end == value || *end)
		v = -1;
	if (!(v >= k->min && v <= k->max)) {
		ob_recipe_format_bytes((int64_t)k->min, lo, sizeof(lo));
		ob_recipe_format_bytes((int64_t)k->max, hi, sizeof(hi));
		return fail(c, "must be %s%s%s from %s to %s", k->word ? k->word : "", k->word ? " or " : "",
			    k->what, lo, hi);
	}
	*f = (int64_t)v;
	return 1;
}

/* The seed: a number fixes it (*set), the word leaves it to each job. */
static int set_uint64(struct parse_ctx *c, const struct ob_recipe_key *k, uint64_t *f, bool *set,
		      const char *value)
{
	unsigned long long v;
	char *end;

	if (k->word && !strcmp(value, k->word)) {
		*set = false;
		return 1;
	}
	errno = 0;
	v = strtoull(value, &end, 0);
	if (errno || end == value || *end || value[0] == '-')
		return fail(c, "must be %s%s%s", k->word ? k->word : "", k->word ? " or " : "", k->what);
	*f = v;
	*set = true;
	return 1;
}

/* "a, b or c": the words a key accepts, for its error message. */
static void choice_list(const struct ob_recipe_choice *choices, char *buf, size_t size)
{
	size_t n = 0, len = 0, i = 0;

	for (const struct ob_recipe_choice *ch = choices; ch->word; ch++)
		n += !ch->alias && !ch->refuse;
	buf[0] = '\0';
	for (const struct ob_recipe_choice *ch = choices; ch->word && len < size; ch++) {
		if (ch->alias || ch->refuse)
			continue;
		i++;
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
					i == 1 ? "" : i == n ? " or " : ", ", ch->word);
	}
}

/* The word value, if it is one the key accepts; else fails with the list. */
static const struct ob_recipe_choice *find_choice(struct parse_ctx *c, const struct ob_recipe_key *k,
						  const char *value)
{
	char list[MESSAGE_MAX / 2];

	for (const struct ob_recipe_choice *ch = k->choices; ch->word; ch++)
		if (!strcmp(ch->word, value)) {
			if (ch->refuse) {
				fail(c, "%s", ch->refuse);
				return NULL;
			}
			return ch;
		}
	if (k->invalid) {
		fail(c, "%s, not '%s'", k->invalid, value);
		return NULL;
	}
	choice_list(k->choices, list, sizeof(list));
	fail(c, "must be %s, not '%s'", list, value);
	return NULL;
}

/* An enum is stored in the field's own size: an enum (int) or a bool. */
static int set_enum(struct parse_ctx *c, const struct ob_recipe_key *k, void *f, const char *value)
{
	const struct ob_recipe_choice *ch = find_choice(c, k, value);

	if (!ch)
		return 0;
	if (k->size == sizeof(bool))
		*(bool *)f = ch->value != 0;
	else if (k->size == sizeof(int))
		*(int *)f = ch->value;
	else if (k->size)
		return fail(c, "internal error: a %zu-byte field for a choice", k->size);
	return 1;
}

/* Names (models, encoders, suffixes): the word (off) clears the field;
 * a name must fit its field and, for file name parts, hold no '/'. */
static int set_string(struct parse_ctx *c, const struct ob_recipe_key *k, char *f, const char *value)
{
	if (k->word && !strcmp(value, k->word)) {
		f[0] = '\0';
		return 1;
	}
	if (k->choices && !find_choice(c, k, value))
		return 0;
	if (((k->flags & OB_RECIPE_NO_SLASH) && strchr(value, '/')) || !copy_word(f, k->size, value))
		return fail(c, "must be %s%s%s: 1 to %zu characters%s", k->word ? k->word : "",
			    k->word ? " or " : "", k->what, k->size - 1,
			    k->flags & OB_RECIPE_NO_SLASH ? ", no '/'" : "");
	return 1;
}

/* Names separated by commas or spaces; a continuation line adds more. */
static int set_tags(struct parse_ctx *c, const struct ob_recipe_key *k, char *f, size_t *count,
		    const char *value, bool cont)
{
	char buf[OB_RECIPE_MAX_LINE + 1], *save = NULL, *tok;

	if (!cont)
		*count = 0;
	snprintf(buf, sizeof(buf), "%s", value);
	for (tok = strtok_r(buf, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		if (*count >= (size_t)k->max)
			return fail(c, "more than %g %s", k->max, k->what);
		if (!copy_word(f + *count * k->size, k->size, tok))
			return fail(c, "'%s' is longer than %zu characters", tok, k->size - 1);
		(*count)++;
	}
	return 1;
}

/* "x,y x,y ..." into the key's points; a continuation line adds more. */
static int set_points(struct parse_ctx *c, const struct ob_recipe_key *k, struct ob_point *pts,
		      size_t *n, const char *value, bool cont)
{
	const char *p = value;

	if (!cont)
		*n = 0;
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
		if (*n >= (size_t)k->max)
			return k->min == k->max ? fail(c, "needs exactly %g points %s", k->max, k->arg)
						: fail(c, "more than %g points", k->max);
		pts[(*n)++] = (struct ob_point){ x, y };
	}
	return 1;
}

/* "person,vehicle", "person vehicle", "vehicle" -> an OB_CLASS_BIT mask;
 * a continuation line adds to it. */
static int set_classes(struct parse_ctx *c, unsigned *mask, const char *value, bool cont)
{
	char buf[OB_RECIPE_MAX_LINE + 1], *save = NULL, *tok;
	unsigned m = 0;

	snprintf(buf, sizeof(buf), "%s", value);
	for (tok = strtok_r(buf, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		enum ob_class cls;

		if (!ob_class_parse(tok, &cls) || !(OB_CLASS_BIT(cls) & CLASSES_COUNTED))
			return fail(c, "'%s' is not a class analytics count: list person and/or vehicle", tok);
		m |= OB_CLASS_BIT(cls);
	}
	if (!m && !cont)
		return fail(c, "must list person and/or vehicle");
	*mask = cont ? *mask | m : m;
	return 1;
}

/* Parses value as key k says and stores it in base (the recipe or a named
 * instance): for the recipe's lines and for the defaults alike. */
static int set_value(struct parse_ctx *c, const struct ob_recipe_key *k, void *base, const char *value,
		     bool cont)
{
	char *f = (char *)base + k->offset;
	char *aux = (char *)base + k->aux;
	bool b;

	switch (k->type) {
	case OB_RECIPE_INT:
		return set_int(c, k, (int *)f, value);
	case OB_RECIPE_DOUBLE:
	case OB_RECIPE_SECONDS:
		return set_double(c, k, (double *)f, value);
	case OB_RECIPE_UINT64:
		return set_uint64(c, k, (uint64_t *)f, (bool *)aux, value);
	case OB_RECIPE_BOOL:
		if (!ob_parse_bool(value, &b))
			return fail(c, "must be yes or no");
		*(bool *)f = b;
		return 1;
	case OB_RECIPE_ENUM:
		return set_enum(c, k, f, value);
	case OB_RECIPE_STRING:
		return set_string(c, k, f, value);
	case OB_RECIPE_TEXT:
		return 1;
	case OB_RECIPE_TAGS:
		return set_tags(c, k, f, (size_t *)aux, value, cont);
	case OB_RECIPE_POINTS:
		return set_points(c, k, (struct ob_point *)f, (size_t *)aux, value, cont);
	case OB_RECIPE_CLASSES:
		return set_classes(c, (unsigned *)f, value, cont);
	case OB_RECIPE_BYTES:
		return set_bytes(c, k, (int64_t *)f, value);
	}
	return fail(c, "internal error: key of unknown type %d", (int)k->type);
}

/* Lists, points and free text may go on over several lines; a number or a
 * word continued on the next line is a mistake (a stray indent). */
static bool multiline(enum ob_recipe_type type)
{
	return type == OB_RECIPE_TAGS || type == OB_RECIPE_POINTS || type == OB_RECIPE_CLASSES ||
	       type == OB_RECIPE_TEXT;
}

/* Defaults come from the table, through the parser, when the recipe starts
 * (fixed sections) or when a named section does (its instance). */
static int apply_defaults(struct parse_ctx *c, const char *section, void *base)
{
	for (const struct ob_recipe_key *k = ob_recipe_keys; k->name; k++) {
		char msg[MESSAGE_MAX];

		if (!k->def || strcmp(k->section, section))
			continue;
		snprintf(c->header, sizeof(c->header), "%s", section);
		snprintf(c->key, sizeof(c->key), "%s", k->name);
		if (!set_value(c, k, base, k->def, false)) {
			snprintf(msg, sizeof(msg), "%s", ob_errmsg());
			return c->status = ob_err(OB_ERR_INTERNAL, "built-in default '%s' refused: %s",
						  k->def, msg);
		}
	}
	return 0;
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

/* A named section's header starts its instance, keys or not: a malformed,
 * repeated or surplus header is refused here (libinih would merge a repeated
 * one into the section before it). */
static bool begin_instance(struct parse_ctx *c, const struct section *s, const char *header)
{
	size_t *count = (size_t *)((char *)c->r + s->count);
	char *array = (char *)c->r + s->array, *inst;
	size_t si = (size_t)(s - sections);
	char name[OB_RECIPE_MAX_NAME];

	if (!section_name(header, s->name, name, sizeof(name))) {
		c->status = ob_err(OB_ERR_RECIPE, "%s:%d: [%s]: write it as [%s \"name\"] (1 to %d characters)",
				   c->origin, c->line, header, s->name, OB_RECIPE_MAX_NAME - 1);
		return false;
	}
	for (size_t i = 0; i < *count; i++)
		if (!strcmp(array + i * s->stride, name)) {
			c->status = ob_err(OB_ERR_RECIPE, "%s:%d: [%s]: %s \"%s\" defined twice (first on line %d)",
					   c->origin, c->line, header, s->noun, name, c->at[si][i]);
			return false;
		}
	if (*count >= s->max) {
		c->status = ob_err(OB_ERR_RECIPE, "%s:%d: [%s]: more than %zu [%s] sections", c->origin,
				   c->line, header, s->max, s->name);
		return false;
	}
	inst = array + *count * s->stride;
	memcpy(inst, name, strlen(name) + 1);
	c->at[si][*count] = c->line;
	(*count)++;
	if (apply_defaults(c, s->name, inst))
		return false;
	snprintf(c->header, sizeof(c->header), "%.*s", HEADER_MAX - 1, header); /* cut for messages */
	c->sec = s;
	c->base = inst;
	return true;
}

/* A header starts a section: its keys may each be given once more. */
static bool begin_section(struct parse_ctx *c, const char *text, size_t len)
{
	char header[OB_RECIPE_MAX_LINE + 1];

	memcpy(header, text, len);
	header[len] = '\0';
	snprintf(c->header, sizeof(c->header), "%.*s", HEADER_MAX - 1, header); /* cut for messages */
	for (size_t i = 0; ob_recipe_keys[i].name; i++)
		c->seen[i] = 0;
	c->in_section = true;
	c->sec = NULL;
	c->base = c->r;
	for (size_t i = 0; i < N_SECTIONS; i++) {
		const struct section *s = &sections[i];

		if (s->noun && named_section(header, s->name))
			return begin_instance(c, s, header);
		if (!s->noun && !strcmp(header, s->name))
			c->sec = s;
	}
	return true; /* an unknown section is refused at its first key */
}

/* The ']' that ends a header for libinih (whose inline comments start with
 * ';' after white space), or NULL. */
static const char *header_end(const char *p, const char *end)
{
	bool was_space = false;

	while (p < end && *p != ']' && !(was_space && *p == ';')) {
		was_space = isspace((unsigned char)*p);
		p++;
	}
	return p < end && *p == ']' ? p : NULL;
}

/*
 * Before libinih parses a line: its number, whether it continues the value
 * before it (as libinih decides: it starts with white space after a key,
 * comments between do not matter), and a header's section.  libinih tells
 * the handler none of these, never calls it for a section without keys,
 * splits lines longer than its buffer and cuts section names at 49 bytes.
 */
static bool begin_line(struct parse_ctx *c)
{
	size_t n = strcspn(c->pos, "\n");
	const char *p = c->pos, *end = c->pos + n;

	c->line++;
	c->cont = false;
	if (n > OB_RECIPE_MAX_LINE) {
		c->status = ob_err(OB_ERR_RECIPE, "%s:%d: line longer than %d characters", c->origin,
				   c->line, OB_RECIPE_MAX_LINE);
		return false;
	}
	if (c->line == 1 && n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
		p += 3; /* libinih skips a UTF-8 byte order mark */
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (p == end || *p == ';' || *p == '#')
		return true;
	if (c->after_key && p > c->pos) {
		c->cont = true;
		return true;
	}
	if (*p == '[') {
		const char *close = header_end(p + 1, end);

		if (!close)
			return true; /* libinih reports it */
		c->after_key = false;
		return begin_section(c, p + 1, (size_t)(close - p - 1));
	}
	c->after_key = true;
	return true;
}

/* libinih's fgets: hands it the recipe a line (or, if its buffer is short,
 * a piece of a line) at a time; returning NULL ends the parse. */
static char *next_line(char *str, int num, void *stream)
{
	struct parse_ctx *c = stream;
	size_t len, n;

	if (c->status || !*c->pos || num < 2)
		return NULL;
	if (!c->mid_line && !begin_line(c))
		return NULL;
	len = strcspn(c->pos, "\n");
	len += c->pos[len] == '\n';
	n = len < (size_t)num - 1 ? len : (size_t)num - 1;
	memcpy(str, c->pos, n);
	str[n] = '\0';
	c->pos += n;
	c->mid_line = n < len;
	return str;
}

/* Each key of each line: found in the table, given once per section,
 * parsed and stored by type. */
static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_ctx *c = user;
	const struct ob_recipe_key *k;
	size_t i;

	(void)section; /* begin_line() knows it whole; libinih cuts long names */
	snprintf(c->key, sizeof(c->key), "%s", name);
	if (!c->in_section) {
		c->status = ob_err(OB_ERR_RECIPE, "%s:%d: %s: key outside any section", c->origin,
				   c->line, name);
		return 0;
	}
	if (!c->sec)
		return fail(c, "unknown section [%s]", c->header);
	k = ob_recipe_key_find(c->sec->name, name);
	if (!k)
		return fail(c, "unknown key");
	i = (size_t)(k - ob_recipe_keys);
	if (c->cont && !multiline(k->type))
		return fail(c, "takes one value, on one line (a line that starts with white space "
			       "continues the key above it)");
	if (!c->cont && c->seen[i])
		return fail(c, "given twice in this section (first on line %d)", c->seen[i]);
	if (!c->cont)
		c->seen[i] = c->line;
	c->set_at[i] = c->line;
	return set_value(c, k, c->base, value, c->cont);
}

/* A named instance's points: enough of them, not all on one spot or line. */
static int check_points(struct parse_ctx *c, const struct section *s, const struct ob_recipe_key *k,
			const char *inst, int line)
{
	const struct ob_point *pts = (const struct ob_point *)(inst + k->offset);
	size_t n = *(const size_t *)(inst + k->aux);
	struct ob_polygon poly;

	if (n == 0 && (k->flags & OB_RECIPE_REQUIRED)) {
		if (k->min == k->max)
			return ob_err(OB_ERR_RECIPE, "%s:%d: [%s \"%s\"] %s: missing (%g points %s)", c->origin,
				      line, s->name, inst, k->name, k->min, k->arg);
		return ob_err(OB_ERR_RECIPE, "%s:%d: [%s \"%s\"] %s: missing (%g to %g points %s)", c->origin,
			      line, s->name, inst, k->name, k->min, k->max, k->arg);
	}
	if (n == 0)
		return 0;
	if (n < (size_t)k->min) {
		if (k->min == k->max)
			return ob_err(OB_ERR_RECIPE, "%s:%d: [%s \"%s\"] %s: needs exactly %g points %s",
				      c->origin, line, s->name, inst, k->name, k->min, k->arg);
		return ob_err(OB_ERR_RECIPE, "%s:%d: [%s \"%s\"] %s: needs at least %g points", c->origin,
			      line, s->name, inst, k->name, k->min);
	}
	if (n == 2 && pts[0].x == pts[1].x && pts[0].y == pts[1].y)
		return ob_err(OB_ERR_RECIPE, "%s:%d: [%s \"%s\"] %s: the two points are the same", c->origin,
			      line, s->name, inst, k->name);
	if (n < 3 || n > OB_POLYGON_MAX_POINTS)
		return 0;
	poly.n = n;
	memcpy(poly.pts, pts, n * sizeof(pts[0]));
	if (fabs(ob_polygon_area2(&poly)) < 1e-12)
		return ob_err(OB_ERR_RECIPE, "%s:%d: [%s \"%s\"] %s: has no area", c->origin, line, s->name,
			      inst, k->name);
	return 0;
}

/* What no single line shows: each named instance's points, and that a
 * track is not extended back further than the job looks ahead. */
static int validate(struct parse_ctx *c)
{
	const struct ob_recipe *r = c->r;
	const struct ob_recipe_key *before = ob_recipe_key_find("track", "extend_before");
	const struct ob_recipe_key *ahead = ob_recipe_key_find("track", "lookahead");
	int line;

	for (size_t si = 0; si < N_SECTIONS; si++) {
		const struct section *s = &sections[si];
		size_t count = s->noun ? *(const size_t *)((const char *)r + s->count) : 0;

		for (size_t i = 0; i < count; i++) {
			const char *inst = (const char *)r + s->array + i * s->stride;

			for (const struct ob_recipe_key *k = ob_recipe_keys; k->name; k++) {
				int ret;

				if (k->type != OB_RECIPE_POINTS || strcmp(k->section, s->name))
					continue;
				ret = check_points(c, s, k, inst, c->at[si][i]);
				if (ret)
					return ret;
			}
		}
	}
	if (r->track.extend_before <= r->track.lookahead)
		return 0;
	line = c->set_at[before - ob_recipe_keys];
	if (c->set_at[ahead - ob_recipe_keys] > line)
		line = c->set_at[ahead - ob_recipe_keys];
	return ob_err(OB_ERR_RECIPE, "%s:%d: [track] extend_before (%g s) is longer than lookahead (%g s)",
		      c->origin, line, r->track.extend_before, r->track.lookahead);
}

int ob_recipe_parse(const char *origin, const char *text, struct ob_recipe **out)
{
	struct ob_recipe *r = NULL;
	struct parse_ctx *c = NULL;
	size_t n_keys = 0;
	int line, ret = 0;

	*out = NULL;
	if (strlen(text) > OB_RECIPE_MAX_BYTES)
		return ob_err(OB_ERR_RECIPE, "%s: larger than %d bytes", origin, OB_RECIPE_MAX_BYTES);
	while (ob_recipe_keys[n_keys].name)
		n_keys++;
	r = calloc(1, sizeof(*r));
	c = calloc(1, sizeof(*c));
	if (c) {
		c->seen = calloc(n_keys, sizeof(c->seen[0]));
		c->set_at = calloc(n_keys, sizeof(c->set_at[0]));
	}
	if (r) {
		r->path = strdup(origin);
		r->text = strdup(text);
	}
	if (!r || !c || !c->seen || !c->set_at || !r->path || !r->text) {
		ret = ob_err(OB_ERR_NOMEM, "%s: out of memory", origin);
		goto out;
	}
	r->text_len = strlen(text);
	c->r = r;
	c->origin = origin;
	c->pos = text;
	for (size_t i = 0; i < N_SECTIONS && !ret; i++)
		if (!sections[i].noun)
			ret = apply_defaults(c, sections[i].name, r);
	c->header[0] = '\0';
	if (ret)
		goto out;

	/* libinih's line buffer is a global knob: make it fit our limit. */
	ini_use_stack = false;
	ini_allow_realloc = true; /* else libinih 55 splits lines past 200 bytes */
	ini_max_line = OB_RECIPE_MAX_LINE + 3;
	ini_stop_on_first_error = true;
	line = ini_parse_stream(next_line, c, handler, c);
	if (c->status)
		ret = c->status;
	else if (line > 0)
		ret = ob_err(OB_ERR_RECIPE, "%s:%d: syntax error (expected [section] or key = value)",
			     origin, line);
	else if (line < 0)
		ret = ob_err(OB_ERR_NOMEM, "%s: out of memory while parsing", origin);
	else
		ret = validate(c);
out:
	if (c) {
		free(c->seen);
		free(c->set_at);
		free(c);
	}
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

bool ob_recipe_has_purpose(const struct ob_recipe *r)
{
	return r->purpose.purpose[0] && r->purpose.legal_basis_art6[0];
}

bool ob_recipe_hides_anything(const struct ob_recipe *r)
{
	return r->n_zones > 0 || r->detect.faces[0] || r->detect.people[0] || r->detect.text[0];
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

/* SPDX-License-Identifier: MIT */
/* recipe_keys.c - every recipe key in one table: type, field, default, range, help. */
#include "obscura/recipe.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "obscura/banned.h"

/* Where a key is stored: the offset and size of a field of struct T. */
#define FIELD(T, member) offsetof(T, member), sizeof(((T *)0)->member)
#define RECIPE(member) FIELD(struct ob_recipe, member)
#define NOWHERE 0, 0

/* A word and the value it stands for. */
#define CHOICE(w, v) { .word = w, .value = v }

static const struct ob_recipe_choice styles[] = {
	CHOICE("pixelate", OB_STYLE_PIXELATE),
	CHOICE("solid", OB_STYLE_SOLID),
	{ .word = "blur", .refuse = "blur is reversible and not offered; use pixelate or solid" },
	{ 0 },
};

static const struct ob_recipe_choice fills[] = {
	CHOICE("black", OB_FILL_BLACK),
	CHOICE("grey", OB_FILL_GREY),
	{ .word = "gray", .value = OB_FILL_GREY, .alias = true },
	CHOICE("white", OB_FILL_WHITE),
	{ 0 },
};

static const struct ob_recipe_choice containers[] = { CHOICE("mp4", 0), CHOICE("mkv", 0), { 0 } };
static const struct ob_recipe_choice audio[] = { CHOICE("drop", false), CHOICE("keep", true), { 0 } };
static const struct ob_recipe_choice drop_only[] = { CHOICE("drop", 0), { 0 } };
static const struct ob_recipe_choice versions[] = { CHOICE("1", 1), { 0 } };
static const struct ob_recipe_choice tiles[] = { CHOICE("auto", true), CHOICE("off", false), { 0 } };
/* GDPR Art. 6(1)(a) to (f), in the regulation's order. */
static const struct ob_recipe_choice art6_bases[] = {
	CHOICE("consent", 0),
	CHOICE("contract", 0),
	CHOICE("legal-obligation", 0),
	CHOICE("vital-interests", 0),
	CHOICE("public-task", 0),
	CHOICE("legitimate-interests", 0),
	{ 0 },
};
static const struct ob_recipe_choice area_kinds[] = {
	CHOICE("analytics", OB_AREA_ANALYTICS),
	CHOICE("restricted", OB_AREA_RESTRICTED),
	{ 0 },
};

/* Keys of one kind share all but their name, field, default and help: the
 * rule of the kind (values, range, placeholder) is stated once, here. */
#define DETECTOR(name, member, text)                                                                \
	{ "detect", name, OB_RECIPE_STRING, RECIPE(member), "off", 0, 0, .arg = "MODEL",             \
	  .what = "a model name from `obscura models`", .word = "off", .flags = OB_RECIPE_NO_SLASH, \
	  .help = text }
#define THRESHOLD(name, member, def, text)                                                    \
	{ "detect", name, OB_RECIPE_DOUBLE, RECIPE(member), def, OB_SCORE_MIN, 1, .arg = "SCORE", \
	  .what = "a score", .word = "model", .word_value = -1, .help = text }
#define STRIDE(name, member, text)                                                         \
	{ "detect", name, OB_RECIPE_INT, RECIPE(member), "1", 1, OB_DETECT_STRIDE_MAX, .arg = "N", \
	  .what = "a whole number", .help = text }
#define TRACK_SECONDS(name, member, def, text)                                                   \
	{ "track", name, OB_RECIPE_SECONDS, RECIPE(member), def, 0, OB_TRACK_SECONDS_MAX,            \
	  .arg = "SECONDS", .what = "seconds", .help = text }
#define PURPOSE(name, member, text)                                                                \
	{ "purpose", name, OB_RECIPE_STRING, RECIPE(purpose.member), NULL, 0, 0, .arg = "TEXT",      \
	  .what = "free text on one line", .help = text }
#define NEVER_COPIED(name)                                                                \
	{ "streams", name, OB_RECIPE_ENUM, NOWHERE, "drop", 0, 0, .choices = drop_only,           \
	  .invalid = "can only be drop (such streams are never copied)", .help = "never copied" }

/* Rows: section, name, type, field (offset, size), default, min, max, then
 * the rest by name.  Sections and keys in the order of obscura-recipe(5). */
const struct ob_recipe_key ob_recipe_keys[] = {
	{ "recipe", "name", OB_RECIPE_STRING, RECIPE(name), "default", 0, 0, .arg = "NAME",
	  .what = "a name for reports", .help = "a name for reports" },
	{ "recipe", "version", OB_RECIPE_ENUM, NOWHERE, "1", 0, 0, .choices = versions,
	  .invalid = "unsupported recipe version: this Obscura reads 1",
	  .help = "the recipe format version" },
	{ "recipe", "description", OB_RECIPE_TEXT, NOWHERE, NULL, 0, 0, .arg = "TEXT",
	  .help = "free text, ignored" },

	{ "pixelate", "style", OB_RECIPE_ENUM, RECIPE(pixelate.style), "pixelate", 0, 0,
	  .choices = styles, .help = "how hidden cells are made unrecognizable" },
	{ "pixelate", "block", OB_RECIPE_INT, RECIPE(pixelate.block), "auto", OB_BLOCK_MIN, OB_BLOCK_MAX,
	  .arg = "PIXELS", .what = "an even number of pixels", .word = "auto", .word_value = 0,
	  .flags = OB_RECIPE_EVEN, .help = "cell edge; auto: about a 48th of the frame height" },
	{ "pixelate", "noise", OB_RECIPE_INT, RECIPE(pixelate.noise), "8", 0, OB_NOISE_MAX,
	  .arg = "N", .what = "a whole number", .help = "amplitude of the seeded offset added to cell means" },
	{ "pixelate", "seed", OB_RECIPE_UINT64, RECIPE(pixelate.seed), "random", 0, 0, .arg = "N",
	  .what = "a non-negative integer", .word = "random",
	  .aux = offsetof(struct ob_recipe, pixelate.seed_set),
	  .help = "seed of the cell offsets; random: a fresh one per job, never recorded" },
	{ "pixelate", "margin", OB_RECIPE_DOUBLE, RECIPE(pixelate.margin), "0.15", 0, OB_MARGIN_MAX,
	  .arg = "FRACTION", .what = "a fraction of the box size",
	  .help = "growth of each hidden box on every side, a fraction of its size" },
	{ "pixelate", "fill", OB_RECIPE_ENUM, RECIPE(pixelate.fill), "black", 0, 0, .choices = fills,
	  .help = "colour of solid cells" },

	DETECTOR("faces", detect.faces, "face detector"),
	DETECTOR("people", detect.people, "person and vehicle detector"),
	DETECTOR("text", detect.text, "text detector"),
	THRESHOLD("face_threshold", detect.face_threshold, "0.4",
		  "score from which a face starts a track; model: the model card's"),
	THRESHOLD("person_threshold", detect.person_threshold, "model",
		  "score from which a person or vehicle starts a track"),
	THRESHOLD("text_threshold", detect.text_threshold, "model", "score from which text starts a track"),
	{ "detect", "head", OB_RECIPE_DOUBLE, RECIPE(detect.head_fraction), "0.3", 0, 1,
	  .arg = "FRACTION", .what = "a fraction of the person box",
	  .help = "top part of every person track's box hidden on every frame" },
	{ "detect", "forehead", OB_RECIPE_DOUBLE, RECIPE(detect.forehead), "0.4", 0, 1,
	  .arg = "FRACTION", .what = "a fraction of the face box",
	  .help = "face boxes grown upward by this fraction of their height" },
	STRIDE("stride", detect.stride, "detect on every N-th frame"),
	STRIDE("people_stride", detect.people_stride, "run the person detector on every N-th detection frame"),
	STRIDE("text_stride", detect.text_stride, "run the text detector on every N-th detection frame"),
	{ "detect", "tiles", OB_RECIPE_ENUM, RECIPE(detect.tiles), "auto", 0, 0, .choices = tiles,
	  .help = "also search small faces in tiles of large frames" },
	{ "detect", "refresh", OB_RECIPE_SECONDS, RECIPE(detect.refresh), "0", 0, OB_TRACK_SECONDS_MAX,
	  .arg = "SECONDS", .what = "seconds",
	  .help = "regions whose picture has not changed are searched again at least this often; 0: always" },
	{ "detect", "models", OB_RECIPE_STRING, RECIPE(detect.models), NULL, 0, 0, .arg = "DIR",
	  .what = "a directory", .help = "model directory when neither --models nor OBSCURA_MODEL_DIR names one" },

	TRACK_SECONDS("lookahead", track.lookahead, "1.0",
		      "how long the decision for a frame waits for later detections"),
	TRACK_SECONDS("extend_before", track.extend_before, "0.5",
		      "a track is hidden this long before its first detection (at most lookahead)"),
	TRACK_SECONDS("extend_after", track.extend_after, "0.5", "a track is hidden this long after its last detection"),
	TRACK_SECONDS("max_lost", track.max_lost, "1.0", "a track may go undetected this long and continue"),
	{ "track", "confirm", OB_RECIPE_INT, RECIPE(track.confirm), "2", 1, OB_TRACK_CONFIRM_MAX,
	  .arg = "N", .what = "a number of detections",
	  .help = "matched detections after which a track is confirmed" },
	{ "track", "confirm_motion", OB_RECIPE_DOUBLE, RECIPE(track.confirm_motion), "0.5", 0,
	  OB_CONFIRM_MOTION_MAX, .arg = "HEIGHTS", .what = "a multiple of the box's height",
	  .help = "a person track counts only once its box has moved this far" },
	{ "track", "confirm_score", OB_RECIPE_DOUBLE, RECIPE(track.confirm_score), "0.35", 0, 1,
	  .arg = "SCORE", .what = "a score",
	  .help = "a person track counts only if its detections score this much on average" },
	{ "track", "iou", OB_RECIPE_DOUBLE, RECIPE(track.iou), "0.2", OB_SCORE_MIN, 1,
	  .arg = "OVERLAP", .what = "an overlap",
	  .help = "intersection over union a detection needs with a track's predicted box" },
	{ "track", "low", OB_RECIPE_DOUBLE, RECIPE(track.low), "0.1", OB_SCORE_MIN, 1, .arg = "SCORE",
	  .what = "a score", .help = "detections down to this score continue confirmed tracks" },
	{ "track", "motion_margin", OB_RECIPE_DOUBLE, RECIPE(track.motion_margin), "1.0", 0,
	  OB_MOTION_MARGIN_MAX, .arg = "FRAMES", .what = "a number of frames of motion",
	  .help = "every box grows by this many frames of its own motion" },

	{ "exclude", "polygon", OB_RECIPE_POINTS, FIELD(struct ob_zone, poly.pts[0]), NULL, 3,
	  OB_POLYGON_MAX_POINTS, .arg = "X,Y ...", .aux = offsetof(struct ob_zone, poly.n),
	  .flags = OB_RECIPE_REQUIRED, .help = "the zone hidden on every frame, fractions of the frame" },

	{ "line", "points", OB_RECIPE_POINTS, FIELD(struct ob_count_line, pts[0]), NULL, 2, 2,
	  .arg = "X1,Y1 X2,Y2", .aux = offsetof(struct ob_count_line, n), .flags = OB_RECIPE_REQUIRED,
	  .help = "the two ends of the line, A then B, fractions of the frame" },
	{ "line", "classes", OB_RECIPE_CLASSES, FIELD(struct ob_count_line, classes), "person,vehicle",
	  0, 0, .arg = "CLASS,...", .help = "which tracks are counted: person, vehicle or both" },

	{ "zone", "polygon", OB_RECIPE_POINTS, FIELD(struct ob_area, poly.pts[0]), NULL, 3,
	  OB_POLYGON_MAX_POINTS, .arg = "X,Y ...", .aux = offsetof(struct ob_area, poly.n),
	  .flags = OB_RECIPE_REQUIRED, .help = "the zone, fractions of the frame" },
	{ "zone", "kind", OB_RECIPE_ENUM, FIELD(struct ob_area, kind), "analytics", 0, 0,
	  .choices = area_kinds, .help = "restricted: every entry is also an intrusion" },
	{ "zone", "classes", OB_RECIPE_CLASSES, FIELD(struct ob_area, classes), "person,vehicle", 0, 0,
	  .arg = "CLASS,...", .help = "which tracks the zone considers: person, vehicle or both" },

	{ "output", "container", OB_RECIPE_STRING, RECIPE(output.container), "mp4", 0, 0,
	  .choices = containers, .help = "container of the export" },
	{ "output", "codec", OB_RECIPE_STRING, RECIPE(output.codec), "libx264", 0, 0,
	  .arg = "ENCODER", .what = "a libavcodec encoder name", .help = "libavcodec video encoder" },
	{ "output", "crf", OB_RECIPE_INT, RECIPE(output.crf), "20", 0, OB_CRF_MAX, .arg = "N",
	  .what = "a whole number", .help = "constant rate factor, lower is better quality" },
	{ "output", "preset", OB_RECIPE_STRING, RECIPE(output.preset), "veryfast", 0, 0,
	  .arg = "PRESET", .what = "an encoder preset", .help = "encoder speed preset" },
	{ "output", "suffix", OB_RECIPE_STRING, RECIPE(output.suffix), ".anon", 0, 0, .arg = "SUFFIX",
	  .what = "a file name part", .flags = OB_RECIPE_NO_SLASH,
	  .help = "inserted between the input's stem and the export's extension" },

	{ "streams", "audio", OB_RECIPE_ENUM, RECIPE(keep_audio), "drop", 0, 0, .choices = audio,
	  .help = "keep copies the best audio stream unchanged" },
	NEVER_COPIED("subtitles"),
	NEVER_COPIED("data"),
	NEVER_COPIED("attachments"),

	{ "metadata", "keep", OB_RECIPE_TAGS, offsetof(struct ob_recipe, keep_tags),
	  sizeof(((struct ob_recipe *)0)->keep_tags[0]), NULL, 0, OB_RECIPE_MAX_KEEP_TAGS,
	  .arg = "TAG,...", .what = "tags", .aux = offsetof(struct ob_recipe, n_keep_tags),
	  .help = "container tags copied from the input" },
	{ "metadata", "label", OB_RECIPE_BOOL, RECIPE(label), "yes", 0, 0,
	  .help = "write a comment tag saying the export was anonymized by Obscura" },

	{ "analytics", "descriptors", OB_RECIPE_BOOL, RECIPE(descriptors), "no", 0, 0,
	  .help = "store each identity's clothes descriptor in the local tracks file, for obscura link" },
	PURPOSE("purpose", purpose, "why the footage is processed and disclosed"),
	PURPOSE("legal_basis", legal_basis, "the legal basis in words: the law, the article, the request"),
	{ "purpose", "legal_basis_art6", OB_RECIPE_STRING, RECIPE(purpose.legal_basis_art6), NULL, 0, 0,
	  .choices = art6_bases, .help = "the basis of GDPR Art. 6(1) the processing rests on" },
	PURPOSE("controller", controller, "who decides the processing: name and contact"),
	PURPOSE("data_subjects", data_subjects, "the categories of people in the footage"),
	PURPOSE("recipients", recipients, "who receives the export"),
	PURPOSE("retention", retention, "how long the export and its bundle are kept"),
	{ "purpose", "request_ref", OB_RECIPE_STRING, RECIPE(purpose.request_ref), NULL, 0, 0,
	  .arg = "REF", .what = "a reference", .help = "the request's reference: case, ticket or letter number" },
	{ "job", "memory_cap", OB_RECIPE_BYTES, RECIPE(job.memory_cap), "auto", OB_MEMORY_CAP_MIN,
	  OB_MEMORY_CAP_MAX, .arg = "SIZE", .what = "a size such as 512M or 8G", .word = "auto",
	  .word_value = 0,
	  .help = "a job whose frame size would need more memory is refused before decoding; "
		  "auto: 3/4 of the machine's memory shared by the jobs at once" },
	{ 0 },
};

/* A linear search: some fifty rows, once per line of a recipe. */
const struct ob_recipe_key *ob_recipe_key_find(const char *section, const char *name)
{
	for (const struct ob_recipe_key *k = ob_recipe_keys; k->name; k++)
		if (!strcmp(k->section, section) && !strcmp(k->name, name))
			return k;
	return NULL;
}

/* A bounded string being written; full once anything did not fit. */
struct out {
	char *buf;
	size_t size, len;
	bool full;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends, or marks o full: the caller checks once at the end. */
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->size - o->len)
		o->full = true;
	else
		o->len += (size_t)n;
}

/* The values a key takes, as the manual's tag shows them: words in bold,
 * the placeholder in italics. */
static void put_values(struct out *o, const struct ob_recipe_key *k)
{
	const char *sep = "";

	switch (k->type) {
	case OB_RECIPE_BOOL:
		put(o, "\\fByes\\fR | \\fBno\\fR");
		return;
	case OB_RECIPE_ENUM:
	case OB_RECIPE_STRING:
		if (k->choices) {
			for (const struct ob_recipe_choice *ch = k->choices; ch->word; ch++) {
				if (ch->alias || ch->refuse)
					continue;
				put(o, "%s\\fB%s\\fR", sep, ch->word);
				sep = " | ";
			}
			return;
		}
		break;
	default:
		break;
	}
	if (k->word)
		put(o, "\\fB%s\\fR | ", k->word);
	put(o, "\\fI%s\\fR", k->arg);
}

/* The range inside the tag's parenthesis, before the default; nothing for
 * words and yes/no. */
static void put_range(struct out *o, const struct ob_recipe_key *k)
{
	switch (k->type) {
	case OB_RECIPE_INT:
		put(o, "%s%ld to %ld; ", k->flags & OB_RECIPE_EVEN ? "even, " : "", (long)k->min,
		    (long)k->max);
		break;
	case OB_RECIPE_DOUBLE:
		put(o, "%g to %g; ", k->min, k->max);
		break;
	case OB_RECIPE_SECONDS:
		put(o, "%g to %g s; ", k->min, k->max);
		break;
	case OB_RECIPE_BYTES: {
		char lo[32], hi[32];

		ob_recipe_format_bytes((int64_t)k->min, lo, sizeof(lo));
		ob_recipe_format_bytes((int64_t)k->max, hi, sizeof(hi));
		put(o, "%s to %s; ", lo, hi);
		break;
	}
	case OB_RECIPE_STRING:
		if (!k->choices)
			put(o, "1 to %zu characters%s; ", k->size - 1,
			    k->flags & OB_RECIPE_NO_SLASH ? ", no /" : "");
		break;
	case OB_RECIPE_TAGS:
		put(o, "at most %g %s; ", k->max, k->what);
		break;
	case OB_RECIPE_POINTS:
		if (k->min == k->max)
			put(o, "%g points; ", k->min);
		else
			put(o, "%g to %g points; ", k->min, k->max);
		break;
	default:
		break;
	}
}

void ob_recipe_format_bytes(int64_t bytes, char *buf, size_t size)
{
	static const char units[] = "KMGT";
	double v = (double)bytes;
	int u = -1;

	while (u < 3 && v >= 1024) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, size, "%lld", (long long)bytes);
	else
		snprintf(buf, size, "%.*f%c", v == (double)(int64_t)v ? 0 : 1, v, units[u]);
}

/* The manual states each key with this line, so that a test can hold the
 * page to the table (tests/unit/test_recipe_doc.c). */
int ob_recipe_key_synopsis(const struct ob_recipe_key *k, char *buf, size_t size)
{
	struct out o = { buf, size, 0, size == 0 };

	if (o.full)
		return -1;
	buf[0] = '\0';
	put(&o, "\\fB%s\\fR = ", k->name);
	put_values(&o, k);
	put(&o, " (");
	put_range(&o, k);
	if (k->def)
		put(&o, "default \\fB%s\\fR)", k->def);
	else
		put(&o, "%s)", k->flags & OB_RECIPE_REQUIRED ? "required" : "optional");
	return o.full ? -1 : (int)o.len;
}

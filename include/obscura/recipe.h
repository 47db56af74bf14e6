/* SPDX-License-Identifier: MIT */
/* recipe.h - what a job does, read from an INI recipe file (obscura-recipe(5)). */
#ifndef OBSCURA_RECIPE_H
#define OBSCURA_RECIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "obscura/geom.h"

/* Limits on what a recipe may contain; each is documented in obscura-recipe(5). */
#define OB_RECIPE_MAX_BYTES (64 * 1024)
#define OB_RECIPE_MAX_LINE 4000
#define OB_RECIPE_MAX_ZONES 64
#define OB_RECIPE_MAX_NAME 64
#define OB_RECIPE_MAX_KEEP_TAGS 16
#define OB_BLOCK_MIN 4
#define OB_BLOCK_MAX 256
#define OB_RECIPE_MAX_LINES 32 /* [line "NAME"] counting lines */
#define OB_RECIPE_MAX_AREAS 32 /* [zone "NAME"] analytics and restricted zones */
#define OB_NOISE_MAX 64             /* [pixelate] noise */
#define OB_MARGIN_MAX 2.0           /* [pixelate] margin, a fraction of the box */
#define OB_CRF_MAX 63               /* [output] crf */
#define OB_SCORE_MIN 0.01           /* [detect] thresholds, [track] low and iou */
#define OB_TRACK_CONFIRM_MAX 100    /* [track] confirm */
#define OB_MOTION_MARGIN_MAX 10.0   /* [track] motion_margin, in frames of motion */
#define OB_CONFIRM_MOTION_MAX 10.0  /* [track] confirm_motion, in heights of the box */
#define OB_PURPOSE_TEXT_MAX 1024    /* bytes of one [purpose] value, its NUL included */
#define OB_PURPOSE_REF_MAX 128      /* bytes of [purpose] request_ref, its NUL included */

enum ob_style {
	OB_STYLE_PIXELATE, /* block mean plus seeded noise */
	OB_STYLE_SOLID,    /* one flat colour */
};

enum ob_fill {
	OB_FILL_BLACK,
	OB_FILL_GREY,
	OB_FILL_WHITE,
};

/* A static exclusion zone: masked on every frame, whatever is detected. */
struct ob_zone {
	char name[OB_RECIPE_MAX_NAME];
	struct ob_polygon poly; /* fractions of frame width/height */
};

/* Which classes a counting line or an analytics zone considers: bit
 * (1u << enum ob_class); recipes may name person and vehicle. */
#define OB_CLASS_BIT(c) (1u << (unsigned)(c))

/* [line "NAME"]: a counting line from a to b (fractions of the frame).  A
 * crossing is "forward" from the left of a->b to its right, as seen on the
 * picture (y down), "backward" the other way (obscura-recipe(5)). */
struct ob_count_line {
	char name[OB_RECIPE_MAX_NAME];
	size_t n;                  /* points given: 2 once the recipe is valid */
	struct ob_point pts[2];    /* a, b */
	unsigned classes;          /* OB_CLASS_BIT mask; default person and vehicle */
};

enum ob_area_kind {
	OB_AREA_ANALYTICS,  /* visits, dwell and occupancy */
	OB_AREA_RESTRICTED, /* the same, and every entry is an intrusion */
};

/* [zone "NAME"]: an analytics or restricted zone (not hidden: see ob_zone). */
struct ob_area {
	char name[OB_RECIPE_MAX_NAME];
	struct ob_polygon poly;    /* fractions of frame width/height */
	enum ob_area_kind kind;
	unsigned classes;          /* OB_CLASS_BIT mask; default person and vehicle */
};

struct ob_pixelate_opts {
	enum ob_style style;
	int block;          /* block edge in pixels; 0 = automatic from frame height */
	int noise;          /* amplitude of seeded noise added to block means, 0..64 */
	bool seed_set;      /* false: a fresh random seed per job, never recorded */
	uint64_t seed;
	double margin;      /* growth of each detected box, fraction of its size */
	enum ob_fill fill;  /* colour for solid style */
};

struct ob_output_opts {
	char container[16];  /* "mp4" or "mkv" */
	char codec[32];      /* libavcodec encoder name */
	int crf;
	char preset[32];
	char suffix[32];     /* inserted before the extension: clip.anon.mp4 */
};

/* [detect]: which detectors run, on which frames (obscura-recipe(5)). */
#define OB_DETECT_STRIDE_MAX 1000
struct ob_detect_opts {
	char faces[OB_RECIPE_MAX_NAME];  /* model name, "" = off */
	char people[OB_RECIPE_MAX_NAME];
	char text[OB_RECIPE_MAX_NAME];
	double face_threshold;           /* < 0: the model card's */
	double person_threshold;
	double text_threshold;
	double head_fraction;            /* top part of a person box hidden when no face is found */
	int stride;                      /* detect on every stride-th frame, hold boxes between */
	int people_stride, text_stride;  /* run that detector on every N-th detection frame (>= 1) */
	double forehead;                 /* face boxes grown upward by this fraction of their height */
	bool tiles;                      /* tiles = auto (on) or off */
	double refresh;                  /* s: unchanged regions searched again this often; 0 = always */
	char models[4096];               /* model directory, "" = default */
};

/* [track]: how detections become tracks and how far the job looks ahead
 * (obscura-recipe(5)); times in seconds, turned into frames per video. */
#define OB_TRACK_SECONDS_MAX 10.0
struct ob_track_opts {
	double lookahead;     /* the answer for a frame waits this long for later detections */
	double extend_before; /* a track is hidden this long before its first detection (<= lookahead) */
	double extend_after;  /* ... and after its last */
	double max_lost;      /* a track may go undetected this long and continue */
	int confirm;          /* detections that confirm a track */
	double confirm_motion; /* a person track is confirmed once it moved this many box heights */
	double confirm_score; /* ... and if its detections' mean score reaches this */
	double iou;           /* association overlap gate */
	double low;           /* detections down to this score continue tracks (ByteTrack) */
	double motion_margin; /* every box grows by this many frames of its motion */
};

/*
 * [purpose]: the processing record (GDPR Art. 30) a disclosure carries into
 * its signed manifest and the batch summary.  Free text, one line each;
 * "" when not given.  legal_basis_art6 is one of the six bases of Art. 6(1)
 * as ob_recipe_keys words them (consent, contract, legal-obligation,
 * vital-interests, public-task, legitimate-interests).
 */
struct ob_purpose {
	char purpose[OB_PURPOSE_TEXT_MAX];
	char legal_basis[OB_PURPOSE_TEXT_MAX];
	char legal_basis_art6[32];
	char controller[OB_PURPOSE_TEXT_MAX];
	char data_subjects[OB_PURPOSE_TEXT_MAX];
	char recipients[OB_PURPOSE_TEXT_MAX];
	char retention[OB_PURPOSE_TEXT_MAX];
	char request_ref[OB_PURPOSE_REF_MAX];
};

/* [job]: what one job may take of the machine (obscura-recipe(5)). */
#define OB_MEMORY_CAP_MIN (64LL << 20) /* 64M: less than any frame size's codecs need */
#define OB_MEMORY_CAP_MAX (1LL << 40)  /* 1T */
#define OB_MEMORY_AUTO_SHARE 0.75      /* auto: of the physical memory, the rest left to the system */
struct ob_job_opts {
	int64_t memory_cap; /* bytes a job's frames may need, as ob_job_memory_need() estimates;
			     * 0 = auto: OB_MEMORY_AUTO_SHARE of the machine's memory over the jobs at once */
};

struct ob_recipe {
	char *path;          /* as given by the user, or "(built-in)" */
	char *text;          /* the exact bytes read, for hashing and the audit */
	size_t text_len;
	char name[OB_RECIPE_MAX_NAME];
	struct ob_pixelate_opts pixelate;
	struct ob_output_opts output;
	bool keep_audio;
	bool label;          /* write the "anonymized by Obscura" tag */
	bool descriptors;    /* [analytics]: identities' clothes descriptors into the local tracks.h5 */
	size_t n_keep_tags;
	char keep_tags[OB_RECIPE_MAX_KEEP_TAGS][OB_RECIPE_MAX_NAME];
	size_t n_zones;
	struct ob_zone zones[OB_RECIPE_MAX_ZONES];
	struct ob_detect_opts detect;
	struct ob_track_opts track;
	size_t n_lines;
	struct ob_count_line lines[OB_RECIPE_MAX_LINES];
	size_t n_areas;
	struct ob_area areas[OB_RECIPE_MAX_AREAS];
	struct ob_purpose purpose;
	struct ob_job_opts job;
};

/* True when the recipe states a processing record: [purpose] purpose and
 * legal_basis_art6 both given.  run and redact warn without one (refuse
 * with --strict). */
bool ob_recipe_has_purpose(const struct ob_recipe *r);

/* True when the recipe hides anything of a picture: a detector on, or an
 * exclusion zone.  run warns that a recipe with neither (the built-in
 * defaults) re-encodes without anonymizing (refuses it with --strict). */
bool ob_recipe_hides_anything(const struct ob_recipe *r);
/* How run's warning and the manifest's hides_nothing event say it. */
#define OB_RECIPE_HIDES_NOTHING "hides nothing (no detector, no exclusion zone)"

/*
 * Reads and validates the recipe at path.  On error returns OB_ERR_RECIPE
 * with a message naming the file, the line and the key.  *out is allocated
 * on success and must be released with ob_recipe_free().
 */
int ob_recipe_load(const char *path, struct ob_recipe **out);

/* Same, from a string; `origin` names it in error messages. */
int ob_recipe_parse(const char *origin, const char *text, struct ob_recipe **out);

/* The defaults used when no recipe is given (documented in obscura-recipe(5)). */
int ob_recipe_default(struct ob_recipe **out);

/* Frees *r and sets it to NULL; accepts NULL. */
void ob_recipe_free(struct ob_recipe **r);

/* Block edge to use for a frame of the given height (resolves block = auto). */
int ob_recipe_block_size(const struct ob_pixelate_opts *opts, int frame_height);

/*
 * The keys a recipe may hold, one row each, in the style of FFmpeg's
 * AVOption tables (recipe_keys.c).  The parser finds a key in this table,
 * parses and checks its value by type and range, and stores it at the
 * row's offset; the defaults are the rows' `def`, applied through the same
 * parser; obscura-recipe(5) states every row as ob_recipe_key_synopsis()
 * writes it (tests/unit/test_recipe_doc.c checks that it does).
 */
enum ob_recipe_type {
	OB_RECIPE_INT,     /* int in [min, max]; `word`, if set, stands for word_value */
	OB_RECIPE_DOUBLE,  /* double in [min, max]; `word` likewise */
	OB_RECIPE_SECONDS, /* a double, in seconds, in [min, max] */
	OB_RECIPE_UINT64,  /* a non-negative integer: sets the bool at aux; `word` clears it */
	OB_RECIPE_BOOL,    /* yes/no, true/false, on/off, 1/0 into a bool */
	OB_RECIPE_ENUM,    /* one of `choices`, stored as its value (an int or a bool field) */
	OB_RECIPE_STRING,  /* one value copied into a char[size]; `word` stands for "";
			    * `choices`, if set, are the only values allowed */
	OB_RECIPE_TEXT,    /* free text, not stored */
	OB_RECIPE_TAGS,    /* names separated by commas or spaces: char[max][size], count at aux */
	OB_RECIPE_POINTS,  /* x,y fractions of the frame: struct ob_point[max], count at aux,
			    * min..max of them, not all on one spot or one line */
	OB_RECIPE_CLASSES, /* classes analytics count: an OB_CLASS_BIT mask (unsigned) */
	OB_RECIPE_BYTES,   /* a size: a number with K, M, G or T (powers of 1024) into an int64_t,
			    * in [min, max] bytes */
};

/* ob_recipe_key.flags */
#define OB_RECIPE_EVEN 1u     /* INT: even numbers only */
#define OB_RECIPE_NO_SLASH 2u /* STRING: no '/' (a name, not a path) */
#define OB_RECIPE_REQUIRED 4u /* POINTS: a named section without them is refused */

/* One word of an ENUM or STRING key. */
struct ob_recipe_choice {
	const char *word;
	int value;
	const char *refuse; /* non-NULL: this word is refused with this message */
	bool alias;         /* accepted, but listed neither in messages nor in the manual */
};

/* One key.  TAGS, POINTS and CLASSES (and TEXT) may continue on lines that
 * start with white space; every other key takes one line. */
struct ob_recipe_key {
	const char *section; /* "pixelate"; "exclude", "line" or "zone" for a named section */
	const char *name;
	enum ob_recipe_type type;
	size_t offset;       /* into struct ob_recipe; for a named section into its instance
			      * (struct ob_zone, ob_count_line, ob_area) */
	size_t size;         /* of the field, of one element for TAGS and POINTS; 0: not stored */
	const char *def;     /* the default as a recipe writes it; NULL: none */
	double min, max;     /* numbers: the range; TAGS: at most max; POINTS: min to max points */
	const char *arg;     /* what the manual calls the value: N, SECONDS, MODEL */
	const char *what;    /* what the value is, in error messages: "a whole number" */
	const char *help;    /* one line */
	const struct ob_recipe_choice *choices; /* ends with { NULL } */
	const char *word;    /* a word accepted besides the range: auto, model, off, random */
	double word_value;
	size_t aux;          /* UINT64: offset of its bool; TAGS, POINTS: offset of the size_t count */
	unsigned flags;      /* OB_RECIPE_EVEN, ... */
	const char *invalid; /* ENUM: what any other value is told, instead of "must be a or b" */
};

/* Every key of every section; ends with a row whose name is NULL. */
extern const struct ob_recipe_key ob_recipe_keys[];

/* The row for [section] name, or NULL. */
const struct ob_recipe_key *ob_recipe_key_find(const char *section, const char *name);

/*
 * Writes into buf the roff line that states the key in obscura-recipe(5),
 * as the tag of a .TP (or .TQ) paragraph:
 *   \fBnoise\fR = \fIN\fR (0 to 64; default \fB8\fR)
 * that is: the name in bold, " = ", the values (bold words, the italic
 * placeholder `arg`), then in parentheses the range and the default
 * ("default \fBD\fR", "required" or "optional"), separated by "; ".
 * Returns the length written, or -1 if buf is too small.
 */
int ob_recipe_key_synopsis(const struct ob_recipe_key *k, char *buf, size_t size);

/* A size as recipes write it: "8G", "1.5G", "512M"; bytes below 1K as a number. */
void ob_recipe_format_bytes(int64_t bytes, char *buf, size_t size);

#endif

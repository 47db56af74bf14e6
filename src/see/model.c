/* SPDX-License-Identifier: MIT */
/* model.c - model cards: parse with libinih, locate the model directory, check SHA-256. */
#include "obscura/model.h"
#include "obscura/parse.h"

#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/hash.h"
#include "obscura/banned.h"

#define OB_MODEL_PAD_EPS 1e-9 /* paddings closer than this are a tie */

struct card_ctx {
	struct ob_model_card *c;
	char err[256];
	bool have_file, have_sha, have_type, have_w, have_h;
};

static int fail(struct card_ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct card_ctx *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->err, sizeof(x->err), fmt, ap);
	va_end(ap);
	return 0;
}

static bool copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		return false;
	memcpy(dst, src, n + 1);
	return true;
}

/* "a,b,c" of numbers into out[max]; returns the count or -1. */
static int get_list(const char *s, double lo, double hi, double *out, int max)
{
	int n = 0;

	while (*s) {
		char *end;
		double v;

		if (n == max)
			return -1;
		errno = 0;
		v = strtod(s, &end);
		if (errno || end == s || !isfinite(v) || v < lo || v > hi || (*end && *end != ','))
			return -1;
		out[n++] = v;
		s = *end ? end + 1 : end;
	}
	return n;
}

static int get_int_list(const char *s, int lo, int hi, int *out, int max)
{
	double tmp[OB_MODEL_MAX_LABELS];
	int n = get_list(s, lo, hi, tmp, max < OB_MODEL_MAX_LABELS ? max : OB_MODEL_MAX_LABELS);

	for (int i = 0; i < n; i++) {
		if (tmp[i] != floor(tmp[i]))
			return -1;
		out[i] = (int)tmp[i];
	}
	return n;
}

/* "a,b": card names of the same network at other input sizes. */
static int set_variants(struct card_ctx *x, const char *v)
{
	struct ob_model_card *c = x->c;

	c->n_variants = 0;
	for (const char *p = v; *p;) {
		size_t n = strcspn(p, ",");

		if (c->n_variants == OB_MODEL_MAX_VARIANTS)
			return fail(x, "more than %d variants", OB_MODEL_MAX_VARIANTS);
		if (n == 0 || n >= OB_MODEL_MAX_NAME || memchr(p, '/', n) || memchr(p, ' ', n))
			return fail(x, "must be card names of 1 to %d characters separated by commas (no spaces)",
				    OB_MODEL_MAX_NAME - 1);
		memcpy(c->variants[c->n_variants], p, n);
		c->variants[c->n_variants++][n] = '\0';
		p += n;
		if (*p && !*++p)
			return fail(x, "ends with a comma");
	}
	return 1;
}

static int set_model(struct card_ctx *x, const char *k, const char *v)
{
	struct ob_model_card *c = x->c;

	if (!strcmp(k, "name")) {
		if (!*v || strchr(v, '/') || !copy_str(c->name, sizeof(c->name), v))
			return fail(x, "must be a word of 1 to %d characters", OB_MODEL_MAX_NAME - 1);
	} else if (!strcmp(k, "task")) {
		if (strcmp(v, "face") && strcmp(v, "person") && strcmp(v, "vehicle") && strcmp(v, "text") &&
		    strcmp(v, "multi"))
			return fail(x, "must be face, person, vehicle, text or multi");
		copy_str(c->task, sizeof(c->task), v);
	} else if (!strcmp(k, "file")) {
		if (!*v || strchr(v, '/') || !copy_str(c->file, sizeof(c->file), v))
			return fail(x, "must be a file name in the card's directory");
		x->have_file = true;
	} else if (!strcmp(k, "sha256")) {
		if (strlen(v) != 64 || strspn(v, "0123456789abcdef") != 64)
			return fail(x, "must be 64 lower-case hex digits");
		copy_str(c->sha256, sizeof(c->sha256), v);
		x->have_sha = true;
	} else if (!strcmp(k, "source")) {
		copy_str(c->source, sizeof(c->source), v);
	} else if (!strcmp(k, "licence")) {
		copy_str(c->licence, sizeof(c->licence), v);
	} else if (!strcmp(k, "description")) {
		copy_str(c->description, sizeof(c->description), v);
	} else if (!strcmp(k, "variants")) {
		return set_variants(x, v);
	}
	return 1; /* unknown keys are ignored (forward compatibility) */
}

static int set_input(struct card_ctx *x, const char *k, const char *v)
{
	struct ob_model_card *c = x->c;

	if (!strcmp(k, "width") || !strcmp(k, "height")) {
		int *dst = k[0] == 'w' ? &c->width : &c->height;

		if (!ob_parse_int(v, 8, OB_MODEL_MAX_INPUT, dst))
			return fail(x, "must be 8 to %d pixels", OB_MODEL_MAX_INPUT);
		*(k[0] == 'w' ? &x->have_w : &x->have_h) = true;
	} else if (!strcmp(k, "channels")) {
		if (strcmp(v, "rgb") && strcmp(v, "bgr"))
			return fail(x, "must be rgb or bgr");
		c->bgr = !strcmp(v, "bgr");
	} else if (!strcmp(k, "mean")) {
		if (!ob_parse_double(v, -1e6, 1e6, &c->mean))
			return fail(x, "must be a number");
	} else if (!strcmp(k, "scale")) {
		if (!ob_parse_double(v, -1e6, 1e6, &c->scale))
			return fail(x, "must be a number");
	} else if (!strcmp(k, "resize")) {
		if (strcmp(v, "letterbox") && strcmp(v, "stretch"))
			return fail(x, "must be letterbox or stretch");
		c->stretch = !strcmp(v, "stretch");
	} else if (!strcmp(k, "layout")) {
		if (strcmp(v, "nchw"))
			return fail(x, "only nchw is supported");
	}
	return 1;
}

static int set_output(struct card_ctx *x, const char *k, const char *v)
{
	struct ob_model_card *c = x->c;

	if (strcmp(k, "names"))
		return 1;
	c->n_outputs = 0;
	for (const char *p = v; *p;) {
		size_t n = strcspn(p, ",");

		if (c->n_outputs == OB_MODEL_MAX_OUTPUTS)
			return fail(x, "more than %d outputs", OB_MODEL_MAX_OUTPUTS);
		if (n == 0 || n >= OB_MODEL_MAX_NAME)
			return fail(x, "output names must be 1 to %d characters", OB_MODEL_MAX_NAME - 1);
		memcpy(c->outputs[c->n_outputs], p, n);
		c->outputs[c->n_outputs++][n] = '\0';
		p += n;
		if (*p)
			p++;
	}
	return 1;
}

static const char *const decoder_names[] = {
	[OB_DECODER_BLAZEFACE] = "blazeface", [OB_DECODER_CENTERNET] = "centernet",
	[OB_DECODER_DB] = "db",               [OB_DECODER_SSD] = "ssd",
	[OB_DECODER_YOLOV5] = "yolov5",       [OB_DECODER_YOLOV8] = "yolov8",
	[OB_DECODER_ULTRAFACE] = "ultraface",
};

const char *ob_decoder_name(enum ob_decoder_type t)
{
	return (unsigned)t < sizeof(decoder_names) / sizeof(decoder_names[0]) ? decoder_names[t] : "?";
}

/* A numeric [decoder] key in one row: its field, range and default, so that
 * card_defaults() and set_decoder() read the same numbers (and a key is not
 * a parse line here and a default line there). */
struct num_key {
	const char *key;
	bool whole;        /* an int field; else a double */
	double lo, hi, def;
	size_t off;        /* in struct ob_decoder_params */
};

#define DBL(k, lo, hi, def, f) { k, false, lo, hi, def, offsetof(struct ob_decoder_params, f) }
#define INT(k, lo, hi, def, f) { k, true, lo, hi, def, offsetof(struct ob_decoder_params, f) }
static const struct num_key num_keys[] = {
	DBL("score_threshold", 0, 1, 0.5, score_threshold),
	DBL("nms_iou", 0, 1, 0.5, nms_iou),
	INT("max_detections", 1, 10000, 100, max_detections),
	DBL("min_face", 1, OB_MODEL_MAX_INPUT, OB_MODEL_MIN_FACE, min_face),
	DBL("logit_clamp", 1, 1000, 80, logit_clamp),
	DBL("anchor_offset", 0, 1, 0.5, anchor_offset),
	INT("keypoints", 0, 64, 0, keypoints),
	INT("stride", 1, 64, 4, stride),
	INT("peak_kernel", 1, 15, 3, peak_kernel),
	INT("num_classes", 1, OB_MODEL_MAX_LABELS, 1, num_classes),
	DBL("binary_threshold", 0, 1, 0.3, binary_threshold),
	DBL("unclip_ratio", 0, 10, 1.5, unclip_ratio),
	INT("min_size", 0, 1000, 3, min_size),
	INT("score_class", 0, OB_MODEL_MAX_LABELS - 1, 1, score_class),
	DBL("anchor_min_scale", 0, 1, 0.2, anchor_min_scale),
	DBL("anchor_max_scale", 0, 1, 0.95, anchor_max_scale),
	INT("anchor_count", 1, 1000000, 0, anchor_count), /* 0 unless given: not checked */
};
#undef DBL
#undef INT
#define N_NUM_KEYS (sizeof(num_keys) / sizeof(num_keys[0]))

static void set_num(struct ob_decoder_params *d, const struct num_key *n, double v)
{
	char *field = (char *)d + n->off;

	if (n->whole)
		*(int *)(void *)field = (int)v;
	else
		*(double *)(void *)field = v;
}

/* 1 and the field set if k is a numeric key with a valid value; 0 (failed)
 * if its value is not; -1 if k is no numeric key. */
static int set_num_key(struct card_ctx *x, const char *k, const char *v)
{
	for (size_t i = 0; i < N_NUM_KEYS; i++) {
		const struct num_key *n = &num_keys[i];
		double dv = 0;
		int iv = 0;

		if (strcmp(k, n->key))
			continue;
		if (n->whole && !ob_parse_int(v, (long)n->lo, (long)n->hi, &iv))
			return fail(x, "must be a whole number from %d to %d", (int)n->lo, (int)n->hi);
		if (!n->whole && !ob_parse_double(v, n->lo, n->hi, &dv))
			return fail(x, "must be a number from %g to %g", n->lo, n->hi);
		set_num(&x->c->dec, n, n->whole ? iv : dv);
		return 1;
	}
	return -1;
}

static int set_decoder(struct card_ctx *x, const char *k, const char *v)
{
	struct ob_decoder_params *d = &x->c->dec;
	double tmp[OB_MODEL_MAX_LIST];
	int n;

	if (!strcmp(k, "type")) {
		for (size_t i = 0; i < sizeof(decoder_names) / sizeof(decoder_names[0]); i++)
			if (!strcmp(v, decoder_names[i])) {
				d->type = (enum ob_decoder_type)i;
				x->have_type = true;
				return 1;
			}
		return fail(x, "unknown decoder '%s' (blazeface, centernet, db, ssd, ultraface, yolov5, "
			    "yolov8)", v);
	}
	n = set_num_key(x, k, v);
	if (n >= 0)
		return n;
	if (!strcmp(k, "anchor_strides") || !strcmp(k, "anchors_per_cell")) {
		int *dst = k[7] == 's' ? d->anchor_strides : d->anchors_per_cell;

		n = get_int_list(v, 1, 1024, dst, OB_MODEL_MAX_LIST);
		if (n < 1)
			return fail(x, "must be 1 to %d whole numbers separated by commas", OB_MODEL_MAX_LIST);
		if (k[7] == 's')
			d->n_strides = n;
		else if (d->n_strides && n != d->n_strides)
			return fail(x, "needs one value per anchor stride");
	} else if (!strcmp(k, "keep_classes")) {
		int idx[OB_MODEL_MAX_LABELS];

		n = get_int_list(v, 0, OB_MODEL_MAX_LABELS - 1, idx, OB_MODEL_MAX_LABELS);
		if (n < 1)
			return fail(x, "must be class indices separated by commas");
		memset(d->keep, 0, sizeof(d->keep));
		for (int i = 0; i < n; i++)
			d->keep[idx[i]] = true;
		d->keep_set = true;
	} else if (!strcmp(k, "variances")) {
		if (get_list(v, 1e-6, 1e6, d->variances, 4) != 4)
			return fail(x, "must be 4 positive numbers");
	} else if (!strcmp(k, "anchor_grids")) {
		n = get_int_list(v, 1, 1024, d->anchor_grids, OB_MODEL_MAX_LIST);
		if (n < 2)
			return fail(x, "must be 2 to %d grid sizes", OB_MODEL_MAX_LIST);
		d->n_grids = n;
	} else if (!strcmp(k, "anchor_aspect_ratios")) {
		n = get_list(v, 1e-3, 1e3, tmp, OB_MODEL_MAX_LIST);
		if (n < 1)
			return fail(x, "must be 1 to %d ratios", OB_MODEL_MAX_LIST);
		memcpy(d->anchor_aspect_ratios, tmp, sizeof(double) * (size_t)n);
		d->n_ratios = n;
	} else if (!strcmp(k, "anchor_reduce_lowest")) {
		if (strcmp(v, "0") && strcmp(v, "1"))
			return fail(x, "must be 0 or 1");
		d->anchor_reduce_lowest = v[0] == '1';
	}
	return 1;
}

static int card_handler(void *user, const char *section, const char *name, const char *value)
{
	struct card_ctx *x = user;

	if (!strcmp(section, "model"))
		return set_model(x, name, value);
	if (!strcmp(section, "input"))
		return set_input(x, name, value);
	if (!strcmp(section, "output"))
		return set_output(x, name, value);
	if (!strcmp(section, "decoder"))
		return set_decoder(x, name, value);
	if (!strcmp(section, "labels")) {
		int i;

		if (!ob_parse_int(name, 0, OB_MODEL_MAX_LABELS - 1, &i))
			return fail(x, "label index must be 0 to %d", OB_MODEL_MAX_LABELS - 1);
		if (!copy_str(x->c->labels[i], OB_MODEL_MAX_LABEL, value))
			return fail(x, "label longer than %d characters", OB_MODEL_MAX_LABEL - 1);
	}
	return 1;
}

static void card_defaults(struct ob_model_card *c)
{
	struct ob_decoder_params *d = &c->dec;

	memset(c, 0, sizeof(*c));
	c->scale = 1.0;
	for (size_t i = 0; i < N_NUM_KEYS; i++)
		set_num(d, &num_keys[i], num_keys[i].def);
	d->variances[0] = d->variances[1] = 10;
	d->variances[2] = d->variances[3] = 5;
}

/* Cross-key checks libinih cannot make line by line. */
static int card_validate(const char *path, struct card_ctx *x)
{
	struct ob_model_card *c = x->c;
	const struct ob_decoder_params *d = &c->dec;

	if (!c->name[0] || !x->have_file || !x->have_sha)
		return ob_err(OB_ERR_MODEL, "%s: [model] needs name, file and sha256", path);
	if (!x->have_w || !x->have_h)
		return ob_err(OB_ERR_MODEL, "%s: [input] needs width and height", path);
	if (!x->have_type)
		return ob_err(OB_ERR_MODEL, "%s: [decoder] needs a type", path);
	if (!c->task[0])
		return ob_err(OB_ERR_MODEL, "%s: [model] needs a task", path);
	if (c->n_outputs < 1)
		return ob_err(OB_ERR_MODEL, "%s: [output] needs names", path);
	{
		static const int want[] = { [OB_DECODER_BLAZEFACE] = 2, [OB_DECODER_CENTERNET] = 2,
					    [OB_DECODER_DB] = 1,        [OB_DECODER_SSD] = 2,
					    [OB_DECODER_YOLOV5] = 1,    [OB_DECODER_YOLOV8] = 1,
					    [OB_DECODER_ULTRAFACE] = 2 };
		if (c->n_outputs != want[d->type])
			return ob_err(OB_ERR_MODEL, "%s: decoder %s reads %d output(s), [output] names %d",
				      path, ob_decoder_name(d->type), want[d->type], c->n_outputs);
	}
	if (d->type == OB_DECODER_BLAZEFACE && d->n_strides < 1)
		return ob_err(OB_ERR_MODEL, "%s: [decoder] blazeface needs anchor_strides and anchors_per_cell", path);
	if (d->type == OB_DECODER_SSD && (d->n_grids < 2 || d->n_ratios < 1))
		return ob_err(OB_ERR_MODEL, "%s: [decoder] ssd needs anchor_grids and anchor_aspect_ratios", path);
	/* the decoder walks a (width/stride) x (height/stride) grid: anything else is not its output */
	if (d->type == OB_DECODER_CENTERNET && (c->width % d->stride || c->height % d->stride))
		return ob_err(OB_ERR_MODEL, "%s: [input] %dx%d is not a multiple of the centernet stride %d", path,
			      c->width, c->height, d->stride);
	for (int i = 0; i < c->n_variants; i++)
		if (!strcmp(c->variants[i], c->name))
			return ob_err(OB_ERR_MODEL, "%s: [model] variants lists the card itself", path);
	return 0;
}

int ob_model_card_load(const char *path, struct ob_model_card *card)
{
	struct card_ctx x = { .c = card };
	char *text = NULL;
	size_t len;
	const char *slash;
	int line, ret;

	card_defaults(card);
	ret = ob_read_file(path, OB_CARD_MAX_BYTES, &text, &len);
	if (ret)
		return ob_err(OB_ERR_MODEL, "%s", ob_errmsg());
	if (!copy_str(card->card_path, sizeof(card->card_path), path)) {
		ret = ob_err(OB_ERR_LIMIT, "%s: path too long", path);
		goto out;
	}
	/* libinih's globals.  Without realloc, libinih 55 reads a line into a
	 * 200-byte heap buffer and splits longer ones (a bogus syntax error);
	 * with it, the buffer grows up to ini_max_line. */
	ini_use_stack = false;
	ini_allow_realloc = true;
	ini_max_line = OB_CARD_MAX_LINE;
	ini_stop_on_first_error = true;
	line = ini_parse_string(text, card_handler, &x);
	if (line > 0) {
		ret = ob_err(OB_ERR_MODEL, "%s:%d: %s", path, line,
			     x.err[0] ? x.err : "syntax error (expected [section] or key = value)");
		goto out;
	}
	if (line < 0) {
		ret = ob_err(OB_ERR_NOMEM, "%s: out of memory while parsing", path);
		goto out;
	}
	ret = card_validate(path, &x);
	if (ret)
		goto out;
	slash = strrchr(path, '/');
	if (slash)
		ret = snprintf(card->onnx_path, sizeof(card->onnx_path), "%.*s/%s", (int)(slash - path),
			       path, card->file);
	else
		ret = snprintf(card->onnx_path, sizeof(card->onnx_path), "%s", card->file);
	ret = ret >= (int)sizeof(card->onnx_path) ? ob_err(OB_ERR_LIMIT, "%s: path too long", path) : 0;
out:
	free(text);
	return ret;
}

int ob_model_verify(const struct ob_model_card *card)
{
	char hex[OB_SHA256_HEX_LEN + 1];
	int ret;

	ret = ob_sha256_file_hex(card->onnx_path, OB_MODEL_MAX_FILE, hex, NULL);
	if (ret)
		return ob_err(OB_ERR_MODEL, "%s", ob_errmsg());
	if (strcmp(hex, card->sha256))
		return ob_err(OB_ERR_MODEL, "%s: SHA-256 mismatch: file has %s, card %s pins %s",
			      card->onnx_path, hex, card->card_path, card->sha256);
	return 0;
}

static bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static char beside_exe[PATH_MAX];

const char *ob_model_dir(const char *cli_dir, const char *recipe_dir)
{
	const char *env = getenv(OB_MODEL_DIR_ENV);

	if (cli_dir && *cli_dir)
		return cli_dir;
	if (env && *env)
		return env;
	if (recipe_dir && *recipe_dir)
		return recipe_dir;
	if (is_dir(OB_MODEL_DIR))
		return OB_MODEL_DIR;
	/* Run from a build tree: build/obscura finds build/models beside it. */
	if (!beside_exe[0]) {
		char exe[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		char *slash;

		if (n > 0) {
			exe[n] = '\0';
			slash = strrchr(exe, '/');
			if (slash && snprintf(beside_exe, sizeof(beside_exe), "%.*s/models",
					      (int)(slash - exe), exe) < (int)sizeof(beside_exe) &&
			    !is_dir(beside_exe))
				beside_exe[0] = '\0';
		}
	}
	if (beside_exe[0])
		return beside_exe;
	return OB_MODEL_DIR_BUILD;
}

/* DIR/NAME.card into path; an error when name is not a plain word or the path does not fit. */
static int card_path(const char *dir, const char *name, char *path, size_t size)
{
	if (!*name || strchr(name, '/') || strlen(name) >= OB_MODEL_MAX_NAME)
		return ob_err(OB_ERR_MODEL, "model '%s': not a model name", name);
	if (snprintf(path, size, "%s/%s.card", dir, name) >= (int)size)
		return ob_err(OB_ERR_LIMIT, "%s: path too long", dir);
	return 0;
}

bool ob_model_exists(const char *dir, const char *name)
{
	char path[PATH_MAX];

	return card_path(dir, name, path, sizeof(path)) == 0 && access(path, F_OK) == 0;
}

int ob_model_find(const char *dir, const char *name, struct ob_model_card *card)
{
	char path[PATH_MAX];
	int ret = card_path(dir, name, path, sizeof(path));

	if (ret)
		return ret;
	if (access(path, F_OK) != 0)
		return ob_err(OB_ERR_MODEL,
			      "%s: model '%s' not found (make models builds it; %s or the recipe's [detect] models = DIR say where models are)",
			      path, name, OB_MODEL_DIR_ENV);
	return ob_model_card_load(path, card);
}

/* What letterboxing wastes: the padded share of the input costs as much time as the picture. */
double ob_model_padding(const struct ob_model_card *c, int width, int height)
{
	/* letterboxed, the frame covers min(r, 1/r) of the input, r the ratio of the two aspects */
	double r = ((double)c->width * height) / ((double)c->height * width);

	return 1.0 - (r < 1.0 ? r : 1.0 / r);
}

/* A variant is the family's network at another size: what it reports must mean the same. */
static int check_variant(const struct ob_model_card *family, const char *name, const struct ob_model_card *v)
{
	if (strcmp(v->name, name))
		return ob_err(OB_ERR_MODEL, "%s: [model] name is '%s', not the '%s' that %s lists as a variant",
			      v->card_path, v->name, name, family->card_path);
	if (strcmp(v->task, family->task) || v->dec.type != family->dec.type)
		return ob_err(OB_ERR_MODEL, "%s: variant of %s with task %s and decoder %s, not %s and %s",
			      v->card_path, family->card_path, v->task, ob_decoder_name(v->dec.type),
			      family->task, ob_decoder_name(family->dec.type));
	if (v->n_variants)
		return ob_err(OB_ERR_MODEL, "%s: a variant of %s lists variants of its own", v->card_path,
			      family->card_path);
	return 0;
}

/*
 * A recipe names a family, not an input shape: the job's frames are known only
 * once the input is open, and the card that wastes least of each pass on
 * padding then runs.  The detector and the audit both ask, so they agree.
 */
int ob_model_pick(const char *dir, const char *name, int width, int height, struct ob_model_card *card)
{
	struct ob_model_card *v = NULL, *best = NULL;
	double pad;
	int ret;

	ret = ob_model_find(dir, name, card);
	if (ret || !card->n_variants || width <= 0 || height <= 0)
		return ret;
	v = malloc(sizeof(*v));
	best = malloc(sizeof(*best));
	if (!v || !best) {
		ret = ob_err(OB_ERR_NOMEM, "out of memory");
		goto out;
	}
	*best = *card;
	pad = ob_model_padding(card, width, height);
	for (int i = 0; i < card->n_variants; i++) {
		double p;

		if ((ret = ob_model_find(dir, card->variants[i], v)) ||
		    (ret = check_variant(card, card->variants[i], v)))
			goto out;
		p = ob_model_padding(v, width, height);
		if (p < pad - OB_MODEL_PAD_EPS) {
			pad = p;
			*best = *v;
		}
	}
	*card = *best;
out:
	free(v);
	free(best);
	return ret;
}

static int cmp_card(const void *a, const void *b)
{
	return strcmp(((const struct ob_model_card *)a)->name, ((const struct ob_model_card *)b)->name);
}

int ob_model_list(const char *dir, struct ob_model_card **cards, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int ret = 0;

	*cards = NULL;
	*n = 0;
	if (!d)
		return ob_err(OB_ERR_MODEL, "%s: %s", dir, strerror(errno));
	*cards = calloc(OB_MODEL_MAX_CARDS, sizeof(**cards));
	if (!*cards) {
		ret = ob_err(OB_ERR_NOMEM, "%s: out of memory", dir);
		goto out;
	}
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char path[PATH_MAX];

		if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 5, ".card"))
			continue;
		if (*n == OB_MODEL_MAX_CARDS) {
			ret = ob_err(OB_ERR_LIMIT, "%s: more than %d model cards", dir, OB_MODEL_MAX_CARDS);
			goto out;
		}
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path)) {
			ret = ob_err(OB_ERR_LIMIT, "%s: path too long", dir);
			goto out;
		}
		ret = ob_model_card_load(path, &(*cards)[*n]);
		if (ret)
			goto out;
		(*n)++;
	}
	qsort(*cards, *n, sizeof(**cards), cmp_card);
out:
	closedir(d);
	if (ret) {
		free(*cards);
		*cards = NULL;
		*n = 0;
	}
	return ret;
}

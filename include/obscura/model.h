/* SPDX-License-Identifier: MIT */
/* model.h - detector model cards (models/README.md): parse, find, verify SHA-256. */
#ifndef OBSCURA_MODEL_H
#define OBSCURA_MODEL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

/* Limits on a card; each is documented in obscura-models(1). */
#define OB_CARD_MAX_BYTES (64 * 1024)
#define OB_CARD_MAX_LINE 1024
#define OB_MODEL_MAX_NAME 64
#define OB_MODEL_MAX_TEXT 512
#define OB_MODEL_MAX_OUTPUTS 4
#define OB_MODEL_MAX_LABELS 256
#define OB_MODEL_MAX_LABEL 32
#define OB_MODEL_MAX_LIST 8    /* anchor strides, grids, ratios, ... */
#define OB_MODEL_MAX_INPUT 4096 /* input width/height */
#define OB_MODEL_MAX_FILE (1ULL << 31) /* an ONNX file larger than 2 GiB is refused */
#define OB_MODEL_MAX_CARDS 64  /* cards listed from one directory */
#define OB_MODEL_MIN_FACE 12.8 /* [decoder] min_face default: BlazeFace's, tiles of 1.25x the input */
#define OB_MODEL_MAX_VARIANTS 8 /* [model] variants of one card */

/* The environment variable naming the model directory. */
#define OB_MODEL_DIR_ENV "OBSCURA_MODEL_DIR"
#ifndef OB_MODEL_DIR
#define OB_MODEL_DIR "/usr/local/share/obscura/models"
#endif
#define OB_MODEL_DIR_BUILD "build/models"

enum ob_decoder_type {
	OB_DECODER_BLAZEFACE,
	OB_DECODER_CENTERNET,
	OB_DECODER_DB,
	OB_DECODER_SSD,
	OB_DECODER_YOLOV5, /* [1,N,5+C]: cx,cy,w,h,objectness,class scores (input pixels) */
	OB_DECODER_YOLOV8, /* [1,4+C,N]: cx,cy,w,h,class scores (input pixels) */
	OB_DECODER_ULTRAFACE, /* [1,N,C] class probabilities, [1,N,4] x1,y1,x2,y2 (input fractions) */
};

struct ob_decoder_params {
	enum ob_decoder_type type;
	double score_threshold;
	double nms_iou;
	int max_detections;
	double min_face;             /* face models: smallest face found reliably, input px */
	/* blazeface */
	double logit_clamp;
	int n_strides;
	int anchor_strides[OB_MODEL_MAX_LIST];
	int anchors_per_cell[OB_MODEL_MAX_LIST];
	double anchor_offset;
	int keypoints;
	/* centernet */
	int stride;
	int peak_kernel;
	int num_classes;             /* also yolov5/yolov8 */
	bool keep_set;               /* keep_classes given */
	bool keep[OB_MODEL_MAX_LABELS];
	/* db */
	double binary_threshold;
	double unclip_ratio;
	int min_size;
	/* ssd, ultraface */
	int score_class;
	double variances[4];
	int n_grids;
	int anchor_grids[OB_MODEL_MAX_LIST];
	double anchor_min_scale, anchor_max_scale;
	int n_ratios;
	double anchor_aspect_ratios[OB_MODEL_MAX_LIST];
	bool anchor_reduce_lowest;
	int anchor_count;
};

struct ob_model_card {
	char card_path[PATH_MAX];
	char onnx_path[PATH_MAX];      /* directory of the card + [model] file */
	char name[OB_MODEL_MAX_NAME];
	char task[16];                 /* face, person, vehicle, text, multi */
	char file[OB_MODEL_MAX_NAME * 2];
	char sha256[65];               /* lower-case hex */
	char source[OB_MODEL_MAX_TEXT];
	char licence[OB_MODEL_MAX_NAME];
	char description[OB_MODEL_MAX_TEXT];
	int n_variants;                /* [model] variants: the same network at other input sizes */
	char variants[OB_MODEL_MAX_VARIANTS][OB_MODEL_MAX_NAME];
	int width, height;
	bool bgr;                      /* channels = bgr (else rgb) */
	double mean, scale;
	bool stretch;                  /* resize = stretch (else letterbox) */
	int n_outputs;
	char outputs[OB_MODEL_MAX_OUTPUTS][OB_MODEL_MAX_NAME];
	struct ob_decoder_params dec;
	char labels[OB_MODEL_MAX_LABELS][OB_MODEL_MAX_LABEL]; /* "" = no label */
};

/*
 * Reads and validates the card at path into *card (caller's storage).
 * Errors: OB_ERR_MODEL "path:LINE: [section] key: cause" or "path: cause".
 */
int ob_model_card_load(const char *path, struct ob_model_card *card);

/*
 * Checks that the card's ONNX file exists and that its SHA-256 equals the
 * card's.  Errors: OB_ERR_MODEL "file: SHA-256 mismatch ..." or "file: cause".
 */
int ob_model_verify(const struct ob_model_card *card);

/*
 * The model directory to use, by precedence: cli_dir (--models), the
 * OBSCURA_MODEL_DIR environment variable, recipe_dir ([detect] models),
 * the compiled-in OB_MODEL_DIR if it is a directory, a "models" directory
 * beside the running binary (build/obscura -> build/models), else
 * build/models relative to the working directory.
 * NULL or "" arguments are skipped.  Writes a pointer to a string that
 * lives as long as its source (static, environment or argument).
 */
const char *ob_model_dir(const char *cli_dir, const char *recipe_dir);

/* Loads DIR/NAME.card; name must be a plain word (no '/'). */
int ob_model_find(const char *dir, const char *name, struct ob_model_card *card);

/* True when DIR/NAME.card exists (name a plain word): what run checks of a
 * recipe's detectors before any job, so a misspelt name is the recipe's error. */
bool ob_model_exists(const char *dir, const char *name);

/*
 * The card that runs when a recipe names NAME for frames of width x height:
 * DIR/NAME.card itself, or, when that card lists [model] variants, the one of
 * NAME and its variants whose input aspect ratio is closest to the frame's
 * (least letterbox padding; on a tie the earlier: NAME, then the variants in
 * their listed order).  width or height <= 0: NAME's own card.  Every listed
 * variant must load and be of NAME's task and decoder, with no variants of
 * its own.  Errors: as ob_model_find; OB_ERR_MODEL for a variant that does
 * not fit its family.
 */
int ob_model_pick(const char *dir, const char *name, int width, int height, struct ob_model_card *card);

/* The fraction of the card's input that letterboxing a width x height frame leaves padded (0..1). */
double ob_model_padding(const struct ob_model_card *card, int width, int height);

/*
 * Loads every *.card of dir, sorted by name, into a new array *cards of
 * *n entries (free() it).  A card that does not parse is an error.
 */
int ob_model_list(const char *dir, struct ob_model_card **cards, size_t *n);

const char *ob_decoder_name(enum ob_decoder_type t);

#endif

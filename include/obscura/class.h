/* SPDX-License-Identifier: MIT */
/* class.h - the classes of things Obscura finds, and how model labels map onto them. */
#ifndef OBSCURA_CLASS_H
#define OBSCURA_CLASS_H

#include <stddef.h>

#include <stdbool.h>

/*
 * What Obscura finds; a model's labels map onto these (ob_class_of_label).
 * The numbers are part of the tracks.h5 format (obscura-tracks(5)): append
 * only, never renumber.
 */
enum ob_class {
	OB_CLASS_FACE,
	OB_CLASS_PERSON,
	OB_CLASS_VEHICLE,
	OB_CLASS_TEXT,   /* text lines, licence plates, badges, screens */
	OB_CLASS_MANUAL, /* a box a person added by hand (obscura redact --add-box) */
	OB_CLASS_OTHER,  /* a label Obscura has no use for (dropped by the job) */
	OB_CLASS_COUNT
};

/* The names, indexed by class: "face", "person", "vehicle", "text", "manual", "other". */
extern const char *const ob_class_names[OB_CLASS_COUNT];

/* ob_class_names[c]; "?" out of range. */
const char *ob_class_name(enum ob_class c);

/* A class number as a tracks file may hold it: its name, or "classN" (in
 * buf, size >= 16) for a number this version does not know. */
const char *ob_class_label(unsigned c, char *buf, size_t size);

/* The class named name (as ob_class_name() spells it); false if none. */
bool ob_class_parse(const char *name, enum ob_class *out);

/* "face" -> FACE; person; bicycle/car/motorcycle/bus/truck/train/boat -> VEHICLE;
 * text/plate/licence_plate/license_plate -> TEXT; else the task if it names a
 * model class (face, person, vehicle, text); else OTHER. */
enum ob_class ob_class_of_label(const char *label, const char *task);

#endif

/* SPDX-License-Identifier: MIT */
/* class.c - the classes of things Obscura finds, and how model labels map onto them. */
#include "obscura/class.h"

#include <stdio.h>
#include <string.h>

#include "obscura/banned.h"

const char *const ob_class_names[OB_CLASS_COUNT] = {
	[OB_CLASS_FACE] = "face", [OB_CLASS_PERSON] = "person", [OB_CLASS_VEHICLE] = "vehicle",
	[OB_CLASS_TEXT] = "text", [OB_CLASS_MANUAL] = "manual", [OB_CLASS_OTHER] = "other",
};

const char *ob_class_name(enum ob_class c)
{
	return (unsigned)c < OB_CLASS_COUNT ? ob_class_names[c] : "?";
}

const char *ob_class_label(unsigned c, char *buf, size_t size)
{
	if (c < OB_CLASS_COUNT)
		return ob_class_names[c];
	snprintf(buf, size, "class%u", c);
	return buf;
}

enum ob_class ob_class_of_label(const char *label, const char *task)
{
	static const char *const vehicles[] = { "bicycle", "car", "motorcycle", "bus", "truck",
						"train", "boat", "vehicle" };
	static const char *const texts[] = { "text", "plate", "licence_plate", "license_plate" };

	if (label && *label) {
		if (!strcmp(label, "face"))
			return OB_CLASS_FACE;
		if (!strcmp(label, "person"))
			return OB_CLASS_PERSON;
		for (size_t i = 0; i < sizeof(vehicles) / sizeof(vehicles[0]); i++)
			if (!strcmp(label, vehicles[i]))
				return OB_CLASS_VEHICLE;
		for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
			if (!strcmp(label, texts[i]))
				return OB_CLASS_TEXT;
		if (!task || !strcmp(task, "multi"))
			return OB_CLASS_OTHER;
	}
	if (task) {
		for (int c = 0; c <= OB_CLASS_TEXT; c++) /* manual boxes never come from a model */
			if (!strcmp(task, ob_class_names[c]))
				return (enum ob_class)c;
	}
	return OB_CLASS_OTHER;
}

bool ob_class_parse(const char *name, enum ob_class *out)
{
	for (int c = 0; c < OB_CLASS_COUNT; c++)
		if (!strcmp(name, ob_class_names[c])) {
			*out = (enum ob_class)c;
			return true;
		}
	return false;
}

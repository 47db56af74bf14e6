/* SPDX-License-Identifier: MIT */
/* parse.h - strict parsing of numbers and yes/no words from text settings. */
#ifndef OBSCURA_PARSE_H
#define OBSCURA_PARSE_H

#include <stdbool.h>

/* Each returns true and sets *out only if the whole string is a number in
 * [lo, hi] (decimal for integers; finite for doubles): "12x", "", "1e999"
 * and out-of-range values are refused, never clamped. */
bool ob_parse_int(const char *s, long lo, long hi, int *out);
bool ob_parse_double(const char *s, double lo, double hi, double *out);

/* yes/no, true/false, on/off, 1/0 (case-insensitive for the words). */
bool ob_parse_bool(const char *s, bool *out);

#endif

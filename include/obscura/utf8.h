/* SPDX-License-Identifier: MIT */
/* utf8.h - names that may not be UTF-8: the process's UTF-8 locale, checks, a JSON form. */
#ifndef OBSCURA_UTF8_H
#define OBSCURA_UTF8_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Sets LC_CTYPE (only) to a UTF-8 locale, once, at startup: C.UTF-8, else
 * the environment's if it is UTF-8.  libarchive translates tar member names
 * through LC_CTYPE, and refuses any name that is not ASCII in the "C"
 * locale cron gives.  Messages, numbers and sorting stay in "C".  False if
 * no UTF-8 locale exists; bundles then get ASCII member names (bundle.h).
 */
bool ob_utf8_locale(void);

/* Whether LC_CTYPE is UTF-8 now. */
bool ob_utf8_locale_active(void);

/*
 * The length (1 to 4) of the well-formed UTF-8 character at s, n bytes at
 * most, in *cp its code point; 0 if the bytes there are not one (overlong
 * forms, surrogates, past U+10FFFF, cut short).
 */
size_t ob_utf8_char(const char *s, size_t n, unsigned *cp);

/* Whether s is well-formed UTF-8 throughout. */
bool ob_utf8_valid(const char *s);

/*
 * A JSON string for bytes that may not be UTF-8 (paths, argv, messages that
 * quote them): s itself when it is UTF-8; otherwise every byte that is not
 * part of a well-formed character, and every backslash, written as the four
 * characters \xNN, so the bytes can be told back.  NULL only if out of memory
 * (or s is NULL).
 */
json_t *ob_json_bytes(const char *s);

#endif

/* SPDX-License-Identifier: MIT */
/* utf8.c - names that may not be UTF-8: the process's UTF-8 locale, checks, a JSON form. */
#include "obscura/utf8.h"

#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/banned.h"

bool ob_utf8_locale_active(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && (!strcmp(cs, "UTF-8") || !strcmp(cs, "utf8"));
}

bool ob_utf8_locale(void)
{
	if (setlocale(LC_CTYPE, "C.UTF-8") && ob_utf8_locale_active())
		return true;
	if (setlocale(LC_CTYPE, "") && ob_utf8_locale_active())
		return true;
	setlocale(LC_CTYPE, "C");
	return false;
}

size_t ob_utf8_char(const char *s, size_t n, unsigned *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len;
	unsigned c, min;

	if (n == 0)
		return 0;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2, c = p[0] & 0x1f, min = 0x80;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3, c = p[0] & 0x0f, min = 0x800;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4, c = p[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

bool ob_utf8_valid(const char *s)
{
	size_t n = strlen(s), k;
	unsigned cp;

	for (size_t i = 0; i < n; i += k)
		if (!(k = ob_utf8_char(s + i, n - i, &cp)))
			return false;
	return true;
}

json_t *ob_json_bytes(const char *s)
{
	size_t n, k, out = 0;
	unsigned cp;
	char *buf;
	json_t *j;

	if (!s)
		return NULL;
	if (ob_utf8_valid(s))
		return json_string(s);
	n = strlen(s);
	buf = malloc(4 * n + 1);
	if (!buf)
		return NULL;
	for (size_t i = 0; i < n; i += k) {
		k = ob_utf8_char(s + i, n - i, &cp);
		if (k && s[i] != '\\') {
			memcpy(buf + out, s + i, k);
			out += k;
		} else {
			out += (size_t)snprintf(buf + out, 5, "\\x%02x", (unsigned char)s[i]);
			k = 1;
		}
	}
	buf[out] = '\0';
	j = json_string(buf);
	free(buf);
	return j;
}

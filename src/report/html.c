/* SPDX-License-Identifier: MIT */
/* html.c - HTML in memory: escaped text, safe relative URLs, base64 data: URIs. */
#include "obscura/html.h"

#include <libavutil/base64.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/array.h"
#include "obscura/error.h"
#include "obscura/utf8.h"
#include "obscura/banned.h"

/* Room for n more bytes (and a NUL); false once anything failed. */
static bool reserve(struct ob_html *h, size_t n)
{
	if (h->status)
		return false;
	if (n > OB_HTML_MAX || h->len + n + 1 > OB_HTML_MAX) {
		h->status = ob_err(OB_ERR_LIMIT, "HTML document larger than %llu bytes", OB_HTML_MAX);
		return false;
	}
	if (h->len + n + 1 <= h->cap)
		return true;
	h->status = ob_grow(&h->buf, &h->cap, h->len + n + 1, 1, OB_HTML_MAX);
	return h->status == 0;
}

static void put(struct ob_html *h, const char *s, size_t n)
{
	if (!reserve(h, n))
		return;
	memcpy(h->buf + h->len, s, n);
	h->len += n;
	h->buf[h->len] = '\0';
}

static void vformat(struct ob_html *h, bool escape, const char *fmt, va_list ap)
{
	char *s = NULL;

	if (h->status)
		return;
	if (vasprintf(&s, fmt, ap) < 0) {
		h->status = ob_err(OB_ERR_NOMEM, "out of memory");
		return;
	}
	if (escape)
		ob_html_text(h, s);
	else
		put(h, s, strlen(s));
	free(s);
}

void ob_html_raw(struct ob_html *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vformat(h, false, fmt, ap);
	va_end(ap);
}

void ob_html_textf(struct ob_html *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vformat(h, true, fmt, ap);
	va_end(ap);
}

void ob_html_text(struct ob_html *h, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		unsigned cp = 0;
		size_t k = ob_utf8_char(s + i, n - i, &cp);
		char hex[8];

		switch (c) {
		case '&': put(h, "&amp;", 5); i++; continue;
		case '<': put(h, "&lt;", 4); i++; continue;
		case '>': put(h, "&gt;", 4); i++; continue;
		case '"': put(h, "&quot;", 6); i++; continue;
		case '\'': put(h, "&#39;", 5); i++; continue;
		case '\t': case '\n': put(h, s + i, 1); i++; continue;
		default: break;
		}
		if (k == 0 || cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
			snprintf(hex, sizeof(hex), "\\x%02x", c);
			put(h, hex, 4);
			i++;
			continue;
		}
		put(h, s + i, k);
		i += k;
	}
}

void ob_html_url(struct ob_html *h, const char *name)
{
	static const char hexd[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)name; p && *p; p++) {
		char e[3] = { '%', hexd[*p >> 4], hexd[*p & 15] };

		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p))
			put(h, (const char *)p, 1);
		else
			put(h, e, 3);
	}
}

void ob_html_data_uri(struct ob_html *h, const char *mime, const void *data, size_t len)
{
	size_t need;

	if (len > OB_HTML_MAX / 2) {
		h->status = h->status ? h->status : ob_err(OB_ERR_LIMIT, "image larger than %llu bytes", OB_HTML_MAX / 2);
		return;
	}
	need = AV_BASE64_SIZE(len);
	ob_html_raw(h, "data:%s;base64,", mime);
	if (!reserve(h, need))
		return;
	if (!av_base64_encode(h->buf + h->len, (int)need, data, (int)len)) {
		h->status = ob_err(OB_ERR_INTERNAL, "base64 encoding failed");
		return;
	}
	h->len += strlen(h->buf + h->len);
}

int ob_html_status(const struct ob_html *h)
{
	return h->status;
}

void ob_html_release(struct ob_html *h)
{
	free(h->buf);
	*h = (struct ob_html){ 0 };
}

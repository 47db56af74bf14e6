/* SPDX-License-Identifier: MIT */
/* html.h - an HTML document built in memory: every text escaped on the way in, images as data: URIs. */
#ifndef OBSCURA_HTML_H
#define OBSCURA_HTML_H

#include <stdbool.h>
#include <stddef.h>

#define OB_HTML_MAX (1ULL << 31) /* bytes of one document */

/*
 * A growing buffer.  The first failure (out of memory, past OB_HTML_MAX)
 * sticks: later calls do nothing and ob_html_done() reports it, so the
 * writer of a page checks once, at its end.
 */
struct ob_html {
	char *buf;
	size_t len, cap;
	int status; /* 0, or the first negative enum ob_status */
};

/* Markup the caller wrote itself (never text from outside). */
void ob_html_raw(struct ob_html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Text from anywhere (file names, recipes, manifest strings), escaped for an
 * element's content or a quoted attribute value: & < > " ' as entities;
 * C0 controls but tab and newline, DEL, C1 controls and every byte that is
 * not part of well-formed UTF-8 as the visible text \xNN.  NULL is written
 * as nothing.
 */
void ob_html_text(struct ob_html *h, const char *s);

/* The same for a formatted string. */
void ob_html_textf(struct ob_html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A relative URL to a file called name, for href="...": every byte but
 * A-Z a-z 0-9 - . _ ~ as %XX, so the name can never leave the attribute, name
 * a scheme or a directory. */
void ob_html_url(struct ob_html *h, const char *name);

/* data:MIME;base64,... of len bytes at data (libavutil's av_base64_encode). */
void ob_html_data_uri(struct ob_html *h, const char *mime, const void *data, size_t len);

/* 0, or the first failure (ob_errmsg() says it). */
int ob_html_status(const struct ob_html *h);

/* Frees the buffer; h may be reused. */
void ob_html_release(struct ob_html *h);

#endif

/* SPDX-License-Identifier: MIT */
/* error.c - the per-process error message and status-to-exit mapping. */
#include "obscura/error.h"

#include <libavutil/error.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "obscura/banned.h"

/* Jobs run in their own processes, and within a job errors are reported by
 * the thread that runs the job loop, so one buffer per thread suffices. */
static _Thread_local char errmsg[OB_ERRMSG_MAX];

/* Formats through a temporary, so that a message may quote the current one:
 * ob_err(code, "%s", ob_errmsg()) re-codes an error without blanking it. */
static void vset(const char *fmt, va_list ap)
{
	char tmp[OB_ERRMSG_MAX];

	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	memcpy(errmsg, tmp, sizeof(errmsg));
	/* Keep the promise of one line: a message never spans lines. */
	for (char *p = errmsg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

int ob_err(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(fmt, ap);
	va_end(ap);
	return code;
}

int ob_err_av(int code, int averr, const char *fmt, ...)
{
	char avbuf[AV_ERROR_MAX_STRING_SIZE];
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	vset(fmt, ap);
	va_end(ap);
	av_strerror(averr, avbuf, sizeof(avbuf));
	len = strlen(errmsg);
	snprintf(errmsg + len, sizeof(errmsg) - len, ": %s", avbuf);
	return code;
}

const char *ob_errmsg(void)
{
	return errmsg;
}

void ob_err_clear(void)
{
	errmsg[0] = '\0';
}

const char *ob_status_name(int code)
{
	switch (code) {
	case OB_OK: return "ok";
	case OB_ERR_NOMEM: return "nomem";
	case OB_ERR_USAGE: return "usage";
	case OB_ERR_RECIPE: return "recipe";
	case OB_ERR_INPUT: return "input";
	case OB_ERR_OUTPUT: return "output";
	case OB_ERR_CODEC: return "codec";
	case OB_ERR_LIMIT: return "limit";
	case OB_ERR_INTERRUPTED: return "interrupted";
	case OB_ERR_MODEL: return "model";
	case OB_ERR_BUSY: return "busy";
	case OB_ERR_MEMORY: return "memory";
	default: return "internal";
	}
}

int ob_exit_for_status(int code)
{
	switch (code) {
	case OB_OK: return OB_EXIT_OK;
	case OB_ERR_USAGE: return OB_EXIT_USAGE;
	case OB_ERR_RECIPE: return OB_EXIT_RECIPE;
	case OB_ERR_OUTPUT: return OB_EXIT_OUTPUT;
	case OB_ERR_BUSY: return OB_EXIT_BUSY;
	case OB_ERR_MEMORY: return OB_EXIT_MEMORY;
	case OB_ERR_INTERRUPTED: return OB_EXIT_INTERRUPTED;
	case OB_ERR_INPUT:
	case OB_ERR_LIMIT:
	case OB_ERR_CODEC:
	case OB_ERR_MODEL:
		return OB_EXIT_FAILED;
	default: return OB_EXIT_INTERNAL;
	}
}

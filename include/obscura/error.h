/* SPDX-License-Identifier: MIT */
/* error.h - error codes, the one-line error message, and process exit codes. */
#ifndef OBSCURA_ERROR_H
#define OBSCURA_ERROR_H

/*
 * Modules return 0 on success or one of these negative codes.  The code says
 * *whose fault* it was (the input, the output, the recipe, ...), because that
 * is what decides the process exit status and what a user must fix.  The
 * human detail travels separately in the per-process error message set by
 * ob_err(): one line naming the file and the cause.
 */
enum ob_status {
	OB_OK = 0,
	OB_ERR_NOMEM = -1,    /* allocation failed */
	OB_ERR_USAGE = -2,    /* bad command line */
	OB_ERR_RECIPE = -3,   /* recipe file unreadable or invalid */
	OB_ERR_INPUT = -4,    /* input missing, unreadable, not a video, corrupt */
	OB_ERR_OUTPUT = -5,   /* output could not be written */
	OB_ERR_CODEC = -6,    /* encoder/decoder set-up failed */
	OB_ERR_LIMIT = -7,    /* an input exceeds a documented limit */
	OB_ERR_INTERRUPTED = -8, /* SIGINT/SIGTERM arrived */
	OB_ERR_INTERNAL = -9, /* a bug or an unexpected library failure */
	OB_ERR_MODEL = -10,   /* model card or model file missing or invalid */
	OB_ERR_BUSY = -11,    /* another run holds the lock of an output directory or ledger */
	OB_ERR_MEMORY = -12,  /* the input's frame size needs more than the recipe's memory_cap */
};

/*
 * Process exit codes, documented in obscura(1).  Only src/cmd/ and main()
 * turn a status into one of these.
 */
enum ob_exit {
	OB_EXIT_OK = 0,
	OB_EXIT_INTERNAL = 1,   /* unexpected failure (a bug) */
	OB_EXIT_USAGE = 2,      /* bad command line */
	OB_EXIT_RECIPE = 3,     /* recipe invalid */
	OB_EXIT_FAILED = 4,     /* every job failed (or no input was found) */
	OB_EXIT_PARTIAL = 5,    /* some jobs failed, others succeeded */
	OB_EXIT_OUTPUT = 6,     /* output directory unusable */
	OB_EXIT_VERIFY_FAILED = 7, /* verify: a bundle was tampered with */
	OB_EXIT_UNSIGNED = 8,   /* verify: a bundle is intact but unsigned */
	OB_EXIT_UNREADABLE = 9, /* verify: a bundle is not a readable tar */
	OB_EXIT_BUSY = 10,      /* another run holds the output directory's or the ledger's lock */
	OB_EXIT_MEMORY = 11,    /* every failed job was refused by the recipe's memory_cap */
	OB_EXIT_INTERRUPTED = 130,
};

/* Records "fmt" as the current error message and returns code, so that
 * modules can write `return ob_err(OB_ERR_INPUT, "%s: not a video", path);`. */
int ob_err(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Like ob_err() but appends ": <FFmpeg's text for averr>". */
int ob_err_av(int code, int averr, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The message recorded by the last ob_err(), or "" if none. */
const char *ob_errmsg(void);

/* Forget the recorded message (start of a new job). */
void ob_err_clear(void);

/* A short machine-readable name for a status: "input", "output", ... */
const char *ob_status_name(int code);

/* The exit code for a single failed operation of kind `code`. */
int ob_exit_for_status(int code);

#define OB_ERRMSG_MAX 1024

#endif

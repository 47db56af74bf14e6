/* SPDX-License-Identifier: MIT */
/* inputs.h - turn command-line paths into the list of jobs' input files. */
#ifndef OBSCURA_INPUTS_H
#define OBSCURA_INPUTS_H

#include <stddef.h>

#define OB_INPUTS_MAX 100000
#define OB_WALK_MAX_DEPTH 32

/* One input: a file to process, or a path that already failed (error set). */
struct ob_input {
	char *path;
	char *error;   /* one-line message if the path itself is unusable */
	int status;    /* 0, or the ob_status of error */
};

struct ob_input_list {
	size_t n, alloc;
	struct ob_input *items;
};

/*
 * Appends one entry per argument: files as they are (whatever their name:
 * the user asked for them), directories walked recursively in sorted order
 * for files with a video or photo (jpg, jpeg, png) extension, skipping hidden files and our own
 * exports (names containing skip_infix, e.g. ".anon.").  A missing path or
 * a directory without videos or photos becomes an entry carrying its error, so the
 * batch reports it and goes on.  Returns 0 or OB_ERR_NOMEM / OB_ERR_LIMIT.
 */
int ob_inputs_add(struct ob_input_list *list, const char *arg, const char *skip_infix);

/* True if name ends in an extension we treat as video when walking. */
int ob_inputs_is_video_name(const char *name);

/* True if name ends in an extension we treat as a photo when walking. */
int ob_inputs_is_photo_name(const char *name);

void ob_inputs_release(struct ob_input_list *list);

#endif

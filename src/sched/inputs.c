/* SPDX-License-Identifier: MIT */
/* inputs.c - expand command-line paths (files, directories) into job inputs. */
#include "obscura/inputs.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "obscura/array.h"
#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/banned.h"

static const char *const video_exts[] = {
	"mp4", "m4v", "mov", "avi", "mkv", "webm", "mpg", "mpeg", "m2v", "ts", "mts", "m2ts",
	"ogg", "ogv", "wmv", "asf", "flv", "3gp", "3g2", "dv", "mxf", "nut", "h264", "264",
	"hevc", "y4m", NULL,
};

/* Photos are walked too: a disclosure folder's stills need hiding as much
 * as its clips.  A photo is told by its bytes when it runs; the name only
 * chooses what a walk picks up. */
static const char *const photo_exts[] = { "jpg", "jpeg", "png", NULL };

static int has_ext(const char *name, const char *const *exts)
{
	const char *dot = strrchr(name, '.');

	if (!dot || dot == name)
		return 0;
	for (size_t i = 0; exts[i]; i++)
		if (!strcasecmp(dot + 1, exts[i]))
			return 1;
	return 0;
}

int ob_inputs_is_video_name(const char *name)
{
	return has_ext(name, video_exts);
}

int ob_inputs_is_photo_name(const char *name)
{
	return has_ext(name, photo_exts);
}

static int push(struct ob_input_list *l, const char *path, int status, const char *error)
{
	struct ob_input *it;
	int ret;

	if (l->n >= OB_INPUTS_MAX)
		return ob_err(OB_ERR_LIMIT, "more than %d inputs", OB_INPUTS_MAX);
	if ((ret = ob_grow(&l->items, &l->alloc, l->n + 1, sizeof(*l->items), OB_INPUTS_MAX)))
		return ret;
	it = &l->items[l->n];
	it->path = strdup(path);
	it->error = error ? strdup(error) : NULL;
	it->status = status;
	if (!it->path || (error && !it->error)) {
		free(it->path);
		free(it->error);
		return ob_err(OB_ERR_NOMEM, "out of memory");
	}
	l->n++;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(struct ob_input_list *l, const char *dir, const char *skip, int depth, size_t *found)
{
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, alloc = 0;
	int ret = 0;

	if (depth > OB_WALK_MAX_DEPTH)
		return 0;
	d = opendir(dir);
	if (!d)
		return 0; /* unreadable subdirectory: nothing from it */
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue; /* hidden files, our temporaries, . and .. */
		if ((ret = ob_grow(&names, &alloc, n + 1, sizeof(*names), SIZE_MAX)))
			goto out;
		names[n] = strdup(e->d_name);
		if (!names[n]) {
			ret = ob_err(OB_ERR_NOMEM, "out of memory");
			goto out;
		}
		n++;
	}
	if (n > 1) /* names is NULL for an empty directory, and qsort wants a pointer */
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n && !ret; i++) {
		char path[OB_PATH_MAX];
		struct stat st;

		if (ob_path_join(path, sizeof(path), dir, names[i]))
			continue;
		if (lstat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			ret = walk(l, path, skip, depth + 1, found);
		} else if (S_ISREG(st.st_mode) && (ob_inputs_is_video_name(names[i]) || ob_inputs_is_photo_name(names[i])) &&
			   !(skip && *skip && strstr(names[i], skip))) {
			ret = push(l, path, 0, NULL);
			(*found)++;
		}
	}
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return ret;
}

int ob_inputs_add(struct ob_input_list *l, const char *arg, const char *skip)
{
	struct stat st;
	char msg[OB_ERRMSG_MAX];
	size_t found = 0;
	int ret;

	if (stat(arg, &st) < 0) {
		snprintf(msg, sizeof(msg), "%s: %s", arg, strerror(errno));
		return push(l, arg, OB_ERR_INPUT, msg);
	}
	if (!S_ISDIR(st.st_mode))
		return push(l, arg, 0, NULL);
	ret = walk(l, arg, skip, 0, &found);
	if (ret || found)
		return ret;
	snprintf(msg, sizeof(msg), "%s: no video or photo files in this directory", arg);
	return push(l, arg, OB_ERR_INPUT, msg);
}

void ob_inputs_release(struct ob_input_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].path);
		free(l->items[i].error);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

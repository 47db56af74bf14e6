/* SPDX-License-Identifier: MIT */
/* tempfile.c - the temporary file of tempfile.h. */
#include "tempfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "obscura/fsutil.h"
#include "obscura/banned.h"

static char path[4096];
static int fd = -1;

static void remove_file(void)
{
	if (path[0])
		unlink(path);
}

const char *fuzz_tempfile(const uint8_t *data, size_t size, const char *suffix)
{
	if (fd < 0) {
		const char *dir = getenv("TMPDIR");

		if (!dir || !*dir)
			dir = "/tmp";
		if (snprintf(path, sizeof(path), "%s/obscura-fuzz-XXXXXX%s", dir, suffix) >= (int)sizeof(path))
			abort();
		fd = mkstemps(path, (int)strlen(suffix));
		if (fd < 0)
			abort();
		atexit(remove_file);
	}
	if (ftruncate(fd, 0) || lseek(fd, 0, SEEK_SET) < 0 || ob_write_full(fd, data, size))
		abort();
	return path;
}

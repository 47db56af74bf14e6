/* SPDX-License-Identifier: MIT */
/* fsutil.c - capped file reads, atomic (tmp + fsync + rename) outputs, stale temporaries, lock files. */
#include "obscura/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "obscura/error.h"
#include "obscura/banned.h"

/* Pipes, terminals and signal handlers installed without SA_RESTART (the
 * runner's) make a single read(2) return early: every whole read goes here. */
ssize_t ob_read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* The same for writes: a pipe to a slow parent or a signal cuts them short. */
int ob_write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = ENOSPC;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* What every input that must be a file says when it is not one, whether we
 * open it (ob_open_regular) or a library does (ob_stat_regular). */
static int check_regular(const char *path, const struct stat *st)
{
	if (S_ISDIR(st->st_mode))
		return ob_err(OB_ERR_INPUT, "%s: is a directory", path);
	if (!S_ISREG(st->st_mode))
		return ob_err(OB_ERR_INPUT, "%s: not a regular file", path);
	return 0;
}

/* Non-blocking at first, so that a FIFO given as an input is refused rather
 * than waited on; a regular file ignores the flag, which is then cleared. */
int ob_open_regular(const char *path, int *fdp, struct stat *st)
{
	int fd, ret = 0;

	*fdp = -1;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return ob_err(OB_ERR_INPUT, "%s: %s", path, strerror(errno));
	if (fstat(fd, st) < 0 || fcntl(fd, F_SETFL, 0) < 0)
		ret = ob_err(OB_ERR_INPUT, "%s: %s", path, strerror(errno));
	else
		ret = check_regular(path, st);
	if (ret) {
		close(fd);
		return ret;
	}
	*fdp = fd;
	return 0;
}

int ob_stat_regular(const char *path, struct stat *st)
{
	if (stat(path, st) < 0)
		return ob_err(OB_ERR_INPUT, "%s: %s", path, strerror(errno));
	return check_regular(path, st);
}

bool ob_same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return a && b && stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Hashing a file and copying one into a bundle both stream it through a
 * fixed buffer: this is that loop, once. */
int ob_read_chunks(int fd, const char *path, size_t chunk,
		   int (*each)(void *ctx, const void *buf, size_t n), void *ctx)
{
	char *buf = malloc(chunk);
	int ret = 0;

	if (!buf)
		return ob_err(OB_ERR_NOMEM, "%s: out of memory", path);
	while (!ret) {
		ssize_t n = ob_read_full(fd, buf, chunk);

		if (n < 0)
			ret = ob_err(OB_ERR_INPUT, "%s: %s", path, strerror(errno));
		else if (n == 0)
			break;
		else
			ret = each(ctx, buf, (size_t)n);
	}
	free(buf);
	return ret;
}

int ob_read_file(const char *path, size_t max, char **data, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	size_t got;
	ssize_t n;
	int fd, ret = 0;

	*data = NULL;
	*len = 0;
	ret = ob_open_regular(path, &fd, &st);
	if (ret)
		return ret;
	if ((size_t)st.st_size > max) {
		ret = ob_err(OB_ERR_LIMIT, "%s: larger than %zu bytes", path, max);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		ret = ob_err(OB_ERR_NOMEM, "%s: out of memory", path);
		goto out;
	}
	n = ob_read_full(fd, buf, (size_t)st.st_size);
	if (n < 0) {
		ret = ob_err(OB_ERR_INPUT, "%s: %s", path, strerror(errno));
		goto out;
	}
	got = (size_t)n; /* less if it shrank while reading: take what is there */
	buf[got] = '\0';
	*data = buf;
	*len = got;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return ret;
}

int ob_path_join(char *buf, size_t size, const char *dir, const char *base)
{
	int n;
	size_t dl = strlen(dir);

	if (dl && dir[dl - 1] == '/')
		n = snprintf(buf, size, "%s%s", dir, base);
	else
		n = snprintf(buf, size, "%s/%s", dir, base);
	if (n < 0 || (size_t)n >= size)
		return ob_err(OB_ERR_LIMIT, "%s/%s: path too long", dir, base);
	return 0;
}

const char *ob_path_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

int ob_atomic_tmpname_pid(const char *final, long pid, char *tmp, size_t size)
{
	const char *base = ob_path_base(final);
	int n = snprintf(tmp, size, "%.*s.%s" OB_TMP_MARK "%ld", (int)(base - final), final, base, pid);

	if (n < 0 || (size_t)n >= size)
		return ob_err(OB_ERR_LIMIT, "%s: path too long", final);
	return 0;
}

int ob_atomic_tmpname(const char *final, char *tmp, size_t size)
{
	return ob_atomic_tmpname_pid(final, (long)getpid(), tmp, size);
}

/* The pid a temporary's name ends in: ".NAME.obscura-tmp-PID", NAME not
 * empty, PID decimal without sign or leading zero; 0 for any other name. */
static long tmp_owner(const char *name)
{
	const char *mark = strstr(name, OB_TMP_MARK), *p;
	long pid = 0;

	if (name[0] != '.' || !mark || mark < name + 2)
		return 0;
	while (strstr(mark + 1, OB_TMP_MARK))
		mark = strstr(mark + 1, OB_TMP_MARK);
	p = mark + strlen(OB_TMP_MARK);
	if (*p < '1' || *p > '9')
		return 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		pid = pid * 10 + (*p - '0');
		if (pid > INT_MAX)
			return 0;
	}
	return *p ? 0 : pid;
}

/* Whether process pid has ended: no such process, or a zombie nobody reaped
 * (a container's init may not).  One alive, or someone else's (EPERM), is
 * not gone. */
static bool process_gone(pid_t pid)
{
	char path[64], buf[512], *end;
	ssize_t n;
	int fd;

	if (kill(pid, 0) != 0 && errno == ESRCH)
		return true;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = ob_read_full(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	end = strrchr(buf, ')'); /* "PID (COMM) STATE ...": COMM may hold ")" */
	return end && end[1] == ' ' && (end[2] == 'Z' || end[2] == 'X');
}

int ob_remove_stale_tmp(const char *dir, const char *prefix, size_t *removed)
{
	DIR *d;
	struct dirent *e;

	*removed = 0;
	d = opendir(dir);
	if (!d)
		return ob_err(OB_ERR_OUTPUT, "%s: %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		long pid = tmp_owner(e->d_name);
		struct stat st;

		if (pid <= 1 || (prefix && strncmp(e->d_name, prefix, strlen(prefix))))
			continue;
		if (pid == (long)getpid() || !process_gone((pid_t)pid))
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
			continue;
		/* One that cannot go (another user's, in a sticky directory) is
		 * left: it stops nothing, and no run is refused for it. */
		if (unlinkat(dirfd(d), e->d_name, 0) == 0)
			(*removed)++;
	}
	closedir(d);
	return 0;
}

int ob_lock_file(const char *path, int *fdp)
{
	struct stat st, now;
	int fd, tries;

	*fdp = -1;
	/* The holder removes the file before it lets go (ob_unlock_file): a lock
	 * taken on a file no longer at path is no lock; take it again. */
	for (tries = 0; tries < 100; tries++) {
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0644);
		if (fd < 0)
			return ob_err(OB_ERR_OUTPUT, "%s: %s", path, strerror(errno));
		if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
			close(fd);
			return ob_err(OB_ERR_OUTPUT, "%s: not a regular file", path);
		}
		if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
			int err = errno;

			close(fd);
			if (err == EWOULDBLOCK)
				return ob_err(OB_ERR_BUSY, "%s: locked by another process", path);
			return ob_err(OB_ERR_OUTPUT, "%s: cannot lock: %s", path, strerror(err));
		}
		if (lstat(path, &now) == 0 && now.st_dev == st.st_dev && now.st_ino == st.st_ino) {
			*fdp = fd;
			return 0;
		}
		close(fd);
	}
	return ob_err(OB_ERR_BUSY, "%s: locked by another process", path);
}

void ob_unlock_file(const char *path, int *fdp)
{
	if (*fdp < 0)
		return;
	unlink(path);
	close(*fdp);
	*fdp = -1;
}

static int fsync_path(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0 && errno != EINVAL) /* some filesystems cannot sync dirs */
		ret = -errno;
	close(fd);
	return ret;
}

int ob_atomic_commit(const char *tmp, const char *final)
{
	char dir[OB_PATH_MAX];
	int err;

	err = fsync_path(tmp, O_RDONLY);
	if (err)
		return ob_err(OB_ERR_OUTPUT, "%s: fsync: %s", final, strerror(-err));
	if (rename(tmp, final) < 0)
		return ob_err(OB_ERR_OUTPUT, "%s: rename: %s", final, strerror(errno));
	snprintf(dir, sizeof(dir), "%s", final);
	err = fsync_path(dirname(dir), O_RDONLY | O_DIRECTORY);
	if (err)
		return ob_err(OB_ERR_OUTPUT, "%s: fsync of directory: %s", final, strerror(-err));
	return 0;
}

void ob_atomic_abort(const char *tmp)
{
	if (tmp && *tmp)
		unlink(tmp);
}

int ob_write_file_atomic(const char *path, const void *data, size_t len, int mode)
{
	char tmp[OB_PATH_MAX];
	int fd, ret;

	ret = ob_atomic_tmpname(path, tmp, sizeof(tmp));
	if (ret)
		return ret;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return ob_err(OB_ERR_OUTPUT, "%s: %s", path, strerror(errno));
	if (ob_write_full(fd, data, len) < 0) {
		ret = ob_err(OB_ERR_OUTPUT, "%s: %s", path, strerror(errno));
		close(fd);
		ob_atomic_abort(tmp);
		return ret;
	}
	if (close(fd) < 0) {
		ret = ob_err(OB_ERR_OUTPUT, "%s: %s", path, strerror(errno));
		ob_atomic_abort(tmp);
		return ret;
	}
	ret = ob_atomic_commit(tmp, path);
	if (ret)
		ob_atomic_abort(tmp);
	return ret;
}

int ob_prepare_outdir(const char *dir)
{
	char buf[OB_PATH_MAX];
	struct stat st;
	size_t len;

	len = (size_t)snprintf(buf, sizeof(buf), "%s", dir);
	if (len >= sizeof(buf))
		return ob_err(OB_ERR_OUTPUT, "%s: path too long", dir);
	/* mkdir -p: create each missing parent in turn. */
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) < 0 && errno != EEXIST)
			return ob_err(OB_ERR_OUTPUT, "%s: cannot create directory %s: %s", dir, buf,
				      strerror(errno));
		*p = '/';
	}
	if (mkdir(buf, 0777) < 0 && errno != EEXIST)
		return ob_err(OB_ERR_OUTPUT, "%s: cannot create directory: %s", dir, strerror(errno));
	if (stat(dir, &st) < 0)
		return ob_err(OB_ERR_OUTPUT, "%s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return ob_err(OB_ERR_OUTPUT, "%s: not a directory", dir);
	if (access(dir, W_OK | X_OK) < 0)
		return ob_err(OB_ERR_OUTPUT, "%s: not writable: %s", dir, strerror(errno));
	return 0;
}

/* SPDX-License-Identifier: MIT */
/* fsutil.h - reading capped files, writing outputs atomically, stale temporaries, lock files. */
#ifndef OBSCURA_FSUTIL_H
#define OBSCURA_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#define OB_PATH_MAX 4096

/*
 * read(2) and write(2) that finish the job: retried after EINTR and after a
 * short transfer, the one place that loop is written.
 *
 * ob_read_full() reads until len bytes or end of file and returns the number
 * read (less than len only at end of file), or -1 with errno set; bytes read
 * before an error are in buf but not counted.
 *
 * ob_write_full() writes all len bytes and returns 0, or -1 with errno set
 * (ENOSPC if the kernel accepts nothing, as git's write_in_full does).
 */
ssize_t ob_read_full(int fd, void *buf, size_t len);
int ob_write_full(int fd, const void *buf, size_t len);

/*
 * Opens path for reading, refusing a directory ("path: is a directory") and
 * anything else that is not a regular file ("path: not a regular file");
 * *st receives its status.  Errors: OB_ERR_INPUT with "path: cause", *fd -1.
 */
int ob_open_regular(const char *path, int *fd, struct stat *st);

/*
 * The same refusals for a path a library opens itself (FFmpeg, HDF5): stat(2)
 * it into *st and say so unless it is a regular file.  Errors: OB_ERR_INPUT
 * with "path: cause".
 */
int ob_stat_regular(const char *path, struct stat *st);

/* True when both paths exist and are one file (same device and inode),
 * however spelt (./x, d/../x, a hard link): an output that must not
 * replace an input is checked with this before anything is written. */
bool ob_same_file(const char *a, const char *b);

/*
 * Reads the open file fd to its end, chunk bytes at a time, handing each
 * piece to each(ctx, buf, n); stops at the first non-zero return of each()
 * and returns it.  Errors: OB_ERR_NOMEM, or OB_ERR_INPUT with "path: cause"
 * for a failed read.
 */
int ob_read_chunks(int fd, const char *path, size_t chunk,
		   int (*each)(void *ctx, const void *buf, size_t n), void *ctx);

/*
 * Reads the whole regular file at path, refusing files larger than max bytes.
 * *data is NUL-terminated (not counted in *len) and owned by the caller.
 * Errors: OB_ERR_INPUT with "path: cause".
 */
int ob_read_file(const char *path, size_t max, char **data, size_t *len);

/*
 * Atomic outputs.  A result is written under a hidden temporary name in the
 * same directory ("dir/.name.obscura-tmp-PID"), so a crash never leaves a file
 * that looks finished, and is renamed over its final name only when complete.
 */
#define OB_TMP_MARK ".obscura-tmp-" /* between a temporary's ".NAME" and its PID */
int ob_atomic_tmpname(const char *final, char *tmp, size_t size);
/* The same name as process pid would give it. */
int ob_atomic_tmpname_pid(const char *final, long pid, char *tmp, size_t size);

/*
 * Removes from dir the temporaries of processes that are gone (killed before
 * they could clean up): regular files named ".NAME.obscura-tmp-PID", and
 * starting with prefix unless it is NULL, whose PID is no running process
 * (kill(PID, 0) says ESRCH, or it is a zombie).  Nothing else is touched:
 * not a live or foreign process's file, not a symbolic link or directory,
 * not another name; one that cannot be removed is left.  *removed counts
 * those removed.  Call it holding the directory's lock (ob_lock_file), so
 * that no other run is starting a job there.  Errors: OB_ERR_OUTPUT naming
 * dir when it cannot be read.
 */
int ob_remove_stale_tmp(const char *dir, const char *prefix, size_t *removed);

/*
 * Takes the exclusive advisory lock (flock) of the lock file path, creating
 * it (mode 0644) if missing, without waiting: the lock is held while *fd
 * stays open, and dies with the process (a killed holder's file stays,
 * and locks again).  Errors: OB_ERR_BUSY when another process holds it;
 * OB_ERR_OUTPUT when it cannot be opened or is not a regular file; both
 * naming path.
 */
int ob_lock_file(const char *path, int *fd);

/* Removes the lock file, then lets the lock go; *fd becomes -1.  Accepts -1. */
void ob_unlock_file(const char *path, int *fd);

/* fsync tmp, rename it to final, fsync the directory.  Errors: OB_ERR_OUTPUT. */
int ob_atomic_commit(const char *tmp, const char *final);

/* Removes a temporary file left by a failed job; accepts NULL or "". */
void ob_atomic_abort(const char *tmp);

/* Writes len bytes to path atomically (tmp, fsync, rename). */
int ob_write_file_atomic(const char *path, const void *data, size_t len, int mode);

/* Creates dir (and parents) if missing, then checks it is a writable directory.
 * Errors: OB_ERR_OUTPUT naming dir and the cause. */
int ob_prepare_outdir(const char *dir);

/* "dir/base" into buf; fails with OB_ERR_LIMIT if it does not fit. */
int ob_path_join(char *buf, size_t size, const char *dir, const char *base);

/* Final component of path, without a trailing slash; points into path. */
const char *ob_path_base(const char *path);

#endif

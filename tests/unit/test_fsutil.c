/* SPDX-License-Identifier: MIT */
/* test_fsutil.c - ob_read_full/ob_write_full: short transfers, EINTR, end of file, errors;
 * ob_open_regular and ob_stat_regular: what they refuse and how they say so;
 * ob_read_chunks: the pieces, a stop, a failed read; ob_remove_stale_tmp: only the
 * temporaries of gone processes; ob_lock_file: one holder, the file gone after. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/banned.h"

#define BIG (1 << 20) /* far more than a pipe holds: forces short reads and writes */

static void on_alarm(int sig)
{
	(void)sig;
}

/* A handler without SA_RESTART, firing every millisecond: blocking reads and
 * writes fail with EINTR (or return short) until the helper retries them.
 * Off: the timer stops before the default action comes back, else a tick
 * between the two kills the test ("Alarm clock", seen on a loaded machine). */
static void interrupt_often(bool on)
{
	struct sigaction sa = { 0 };
	struct itimerval it = { 0 };

	sa.sa_handler = on ? on_alarm : SIG_DFL;
	sigemptyset(&sa.sa_mask);
	if (on) {
		sigaction(SIGALRM, &sa, NULL);
		it.it_interval.tv_usec = it.it_value.tv_usec = 1000;
		setitimer(ITIMER_REAL, &it, NULL);
	} else {
		setitimer(ITIMER_REAL, &it, NULL);
		sigaction(SIGALRM, &sa, NULL);
	}
}

static unsigned char *pattern(size_t n)
{
	unsigned char *p = malloc(n);

	assert_non_null(p);
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 131 + (i >> 9));
	return p;
}

/* A child writes `data` to the pipe slowly in small pieces; the parent reads it whole. */
static void test_read_full_through_pipe(void **state)
{
	unsigned char *want = pattern(BIG), *got = malloc(BIG + 16);
	int fd[2], status;
	pid_t pid;

	assert_non_null(got);
	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fd[0]);
		for (size_t off = 0; off < BIG; off += 4096) {
			if (ob_write_full(fd[1], want + off, 4096) < 0)
				_exit(1);
			if (off % (64 * 4096) == 0)
				usleep(5000); /* let the reader block, and be interrupted */
		}
		_exit(0);
	}
	close(fd[1]);
	interrupt_often(true);
	/* Asks for more than will come: everything up to end of file, counted. */
	assert_int_equal(ob_read_full(fd[0], got, BIG + 16), BIG);
	interrupt_often(false);
	assert_memory_equal(got, want, BIG);
	assert_int_equal(ob_read_full(fd[0], got, 16), 0); /* at end of file */
	close(fd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	free(want);
	free(got);
}

/* The parent writes more than the pipe holds while a slow child reads it. */
static void test_write_full_through_pipe(void **state)
{
	unsigned char *data = pattern(BIG);
	int fd[2], status;
	pid_t pid;

	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		unsigned char *got = malloc(BIG);
		size_t n = 0;
		ssize_t r;

		close(fd[1]);
		usleep(20000); /* the writer fills the pipe and blocks first */
		while (got && (r = read(fd[0], got + n, BIG - n)) > 0)
			n += (size_t)r;
		_exit(got && n == BIG && !memcmp(got, data, BIG) ? 0 : 1);
	}
	close(fd[0]);
	interrupt_often(true);
	assert_int_equal(ob_write_full(fd[1], data, BIG), 0);
	interrupt_often(false);
	close(fd[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	free(data);
}

static void test_errors_keep_errno(void **state)
{
	char c = 'x';
	int fd[2];

	assert_int_equal(ob_read_full(-1, &c, 1), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(ob_write_full(-1, &c, 1), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(pipe(fd), 0);
	close(fd[0]);
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(ob_write_full(fd[1], &c, 1), -1);
	assert_int_equal(errno, EPIPE);
	close(fd[1]);
	assert_int_equal(ob_write_full(1, &c, 0), 0); /* nothing to write: nothing written */
}

/* A FIFO is refused at once: nobody will ever write to this one. */
static void test_open_regular(void **state)
{
	char dir[] = "/tmp/obscura-fsutil-XXXXXX", path[OB_PATH_MAX], fifo[OB_PATH_MAX];
	char msg[OB_PATH_MAX + 64];
	struct stat st;
	int fd = 7;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(ob_path_join(path, sizeof(path), dir, "file"), 0);
	assert_int_equal(ob_path_join(fifo, sizeof(fifo), dir, "fifo"), 0);
	assert_int_equal(ob_write_file_atomic(path, "abc", 3, 0644), 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);

	assert_int_equal(ob_open_regular(path, &fd, &st), 0);
	assert_true(fd >= 0);
	assert_int_equal(st.st_size, 3);
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);

	assert_int_equal(ob_open_regular(dir, &fd, &st), OB_ERR_INPUT);
	assert_int_equal(fd, -1);
	snprintf(msg, sizeof(msg), "%s: is a directory", dir);
	assert_string_equal(ob_errmsg(), msg);

	alarm(10); /* waiting for a writer would hang: SIGALRM ends the test instead */
	assert_int_equal(ob_open_regular(fifo, &fd, &st), OB_ERR_INPUT);
	alarm(0);
	assert_int_equal(fd, -1);
	snprintf(msg, sizeof(msg), "%s: not a regular file", fifo);
	assert_string_equal(ob_errmsg(), msg);

	/* ob_stat_regular says the same without opening */
	memset(&st, 0, sizeof(st));
	assert_int_equal(ob_stat_regular(path, &st), 0);
	assert_int_equal(st.st_size, 3);
	assert_int_equal(ob_stat_regular(dir, &st), OB_ERR_INPUT);
	snprintf(msg, sizeof(msg), "%s: is a directory", dir);
	assert_string_equal(ob_errmsg(), msg);
	assert_int_equal(ob_stat_regular(fifo, &st), OB_ERR_INPUT);
	snprintf(msg, sizeof(msg), "%s: not a regular file", fifo);
	assert_string_equal(ob_errmsg(), msg);

	unlink(fifo);
	unlink(path);
	assert_int_equal(ob_open_regular(path, &fd, &st), OB_ERR_INPUT);
	snprintf(msg, sizeof(msg), "%s: No such file or directory", path);
	assert_string_equal(ob_errmsg(), msg);
	assert_int_equal(ob_stat_regular(path, &st), OB_ERR_INPUT);
	assert_string_equal(ob_errmsg(), msg);
	rmdir(dir);
}

/* What ob_read_chunks handed over, and when to stop. */
struct pieces {
	unsigned char got[64];
	size_t len, calls, stop_at;
};

static int take(void *ctx, const void *buf, size_t n)
{
	struct pieces *p = ctx;

	assert_true(p->len + n <= sizeof(p->got));
	memcpy(p->got + p->len, buf, n);
	p->len += n;
	if (++p->calls == p->stop_at)
		return OB_ERR_LIMIT;
	return 0;
}

static void test_read_chunks(void **state)
{
	char dir[] = "/tmp/obscura-fsutil-XXXXXX", path[OB_PATH_MAX], msg[OB_PATH_MAX + 64];
	struct pieces p = { 0 };
	int fd;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(ob_path_join(path, sizeof(path), dir, "ten"), 0);
	assert_int_equal(ob_write_file_atomic(path, "0123456789", 10, 0644), 0);

	/* 4 + 4 + 2, in order */
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(ob_read_chunks(fd, path, 4, take, &p), 0);
	close(fd);
	assert_int_equal(p.calls, 3);
	assert_int_equal(p.len, 10);
	assert_memory_equal(p.got, "0123456789", 10);

	/* the callback's status stops the reading and comes back */
	memset(&p, 0, sizeof(p));
	p.stop_at = 2;
	fd = open(path, O_RDONLY);
	assert_int_equal(ob_read_chunks(fd, path, 3, take, &p), OB_ERR_LIMIT);
	close(fd);
	assert_int_equal(p.calls, 2);
	assert_int_equal(p.len, 6);

	/* an empty file: no call at all */
	memset(&p, 0, sizeof(p));
	fd = open("/dev/null", O_RDONLY);
	assert_int_equal(ob_read_chunks(fd, "/dev/null", 4, take, &p), 0);
	close(fd);
	assert_int_equal(p.calls, 0);

	/* a read that fails names the file */
	memset(&p, 0, sizeof(p));
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_int_equal(ob_read_chunks(fd, dir, 4, take, &p), OB_ERR_INPUT);
	close(fd);
	assert_int_equal(p.calls, 0);
	snprintf(msg, sizeof(msg), "%s: %s", dir, strerror(EISDIR));
	assert_string_equal(ob_errmsg(), msg);

	unlink(path);
	rmdir(dir);
}

/* A file named name in dir, empty. */
static void touch(const char *dir, const char *name)
{
	char path[OB_PATH_MAX];
	int fd;

	assert_int_equal(ob_path_join(path, sizeof(path), dir, name), 0);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	close(fd);
}

static bool exists(const char *dir, const char *name)
{
	char path[OB_PATH_MAX];
	struct stat st;

	assert_int_equal(ob_path_join(path, sizeof(path), dir, name), 0);
	return lstat(path, &st) == 0;
}

static void test_remove_stale_tmp(void **state)
{
	char dir[] = "/tmp/obscura-fsutil-XXXXXX", name[128], path[OB_PATH_MAX];
	pid_t dead, zombie;
	size_t removed = 99;
	int status;

	assert_non_null(mkdtemp(dir));
	dead = fork();
	if (dead == 0)
		_exit(0);
	assert_int_equal(waitpid(dead, &status, 0), dead);
	zombie = fork(); /* ends, and is not reaped until the end of the test */
	if (zombie == 0)
		_exit(0);
	usleep(100000);

	snprintf(name, sizeof(name), ".a.mp4.obscura-tmp-%ld", (long)dead);
	touch(dir, name);
	snprintf(name, sizeof(name), "..a.mp4.manifest.jsonl.obscura-tmp-%ld.obscura-tmp-%ld", (long)dead,
		 (long)dead);
	touch(dir, name);
	snprintf(name, sizeof(name), ".z.h5.obscura-tmp-%ld", (long)zombie);
	touch(dir, name);
	snprintf(name, sizeof(name), ".live.obscura-tmp-%ld", (long)getpid());
	touch(dir, name);
	snprintf(name, sizeof(name), ".init.obscura-tmp-1");
	touch(dir, name);
	snprintf(name, sizeof(name), "a.obscura-tmp-%ld", (long)dead); /* not hidden */
	touch(dir, name);
	snprintf(name, sizeof(name), ".obscura-tmp-%ld", (long)dead); /* no NAME */
	touch(dir, name);
	snprintf(name, sizeof(name), ".a.obscura-tmp-0%ld", (long)dead);
	touch(dir, name);
	snprintf(name, sizeof(name), ".a.obscura-tmp-%ldx", (long)dead);
	touch(dir, name);
	touch(dir, ".a.obscura-tmp-99999999999999999999");
	snprintf(name, sizeof(name), ".d.obscura-tmp-%ld", (long)dead);
	assert_int_equal(ob_path_join(path, sizeof(path), dir, name), 0);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(name, sizeof(name), ".l.obscura-tmp-%ld", (long)dead);
	assert_int_equal(ob_path_join(path, sizeof(path), dir, name), 0);
	assert_int_equal(symlink("/nonexistent", path), 0);

	/* a prefix narrows it down */
	assert_int_equal(ob_remove_stale_tmp(dir, ".z.", &removed), 0);
	assert_int_equal(removed, 1);
	snprintf(name, sizeof(name), ".a.mp4.obscura-tmp-%ld", (long)dead);
	assert_true(exists(dir, name));

	assert_int_equal(ob_remove_stale_tmp(dir, NULL, &removed), 0);
	assert_int_equal(removed, 2);
	assert_false(exists(dir, name));
	snprintf(name, sizeof(name), ".live.obscura-tmp-%ld", (long)getpid());
	assert_true(exists(dir, name));
	assert_true(exists(dir, ".init.obscura-tmp-1"));
	snprintf(name, sizeof(name), "a.obscura-tmp-%ld", (long)dead);
	assert_true(exists(dir, name));
	snprintf(name, sizeof(name), ".obscura-tmp-%ld", (long)dead);
	assert_true(exists(dir, name));
	snprintf(name, sizeof(name), ".d.obscura-tmp-%ld", (long)dead);
	assert_true(exists(dir, name));
	snprintf(name, sizeof(name), ".l.obscura-tmp-%ld", (long)dead);
	assert_true(exists(dir, name));

	assert_int_equal(waitpid(zombie, &status, 0), zombie);
	assert_int_equal(ob_remove_stale_tmp("/nonexistent/dir", NULL, &removed), OB_ERR_OUTPUT);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

static void test_lock_file(void **state)
{
	char dir[] = "/tmp/obscura-fsutil-XXXXXX", path[OB_PATH_MAX], fifo[OB_PATH_MAX];
	int a = -1, b = -1;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(ob_path_join(path, sizeof(path), dir, ".lock"), 0);
	assert_int_equal(ob_path_join(fifo, sizeof(fifo), dir, "fifo"), 0);
	assert_int_equal(ob_lock_file(path, &a), 0);
	assert_true(a >= 0);
	/* another open file description, as another process would have */
	assert_int_equal(ob_lock_file(path, &b), OB_ERR_BUSY);
	assert_int_equal(b, -1);
	assert_non_null(strstr(ob_errmsg(), path));
	ob_unlock_file(path, &a);
	assert_int_equal(a, -1);
	assert_int_equal(access(path, F_OK), -1);
	ob_unlock_file(path, &a); /* twice: nothing */
	assert_int_equal(ob_lock_file(path, &b), 0);
	ob_unlock_file(path, &b);

	assert_int_equal(mkfifo(fifo, 0600), 0);
	alarm(10);
	assert_int_equal(ob_lock_file(fifo, &a), OB_ERR_OUTPUT);
	alarm(0);
	assert_int_equal(a, -1);
	unlink(fifo);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_full_through_pipe),
		cmocka_unit_test(test_write_full_through_pipe),
		cmocka_unit_test(test_errors_keep_errno),
		cmocka_unit_test(test_open_regular),
		cmocka_unit_test(test_read_chunks),
		cmocka_unit_test(test_remove_stale_tmp),
		cmocka_unit_test(test_lock_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

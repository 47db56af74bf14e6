/* SPDX-License-Identifier: MIT */
/* sigclean.c - unlink registered temporaries on a stop signal (sigclean.h). */
#include "obscura/sigclean.h"

#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "obscura/fsutil.h"
#include "obscura/banned.h"

/* A slot's path is written whole before `used` says so, and `used` is
 * cleared before the path is forgotten: the handler reads only whole paths. */
static char paths[OB_SIGCLEAN_SLOTS][OB_PATH_MAX];
static volatile sig_atomic_t used[OB_SIGCLEAN_SLOTS];

static void on_stop(int sig)
{
	(void)sig;
	for (int i = 0; i < OB_SIGCLEAN_SLOTS; i++)
		if (used[i])
			unlink(paths[i]);
	_exit(OB_SIGCLEAN_EXIT);
}

bool ob_hangup_stops(void)
{
	struct sigaction cur;

	return sigaction(SIGHUP, NULL, &cur) == 0 && cur.sa_handler != SIG_IGN;
}

void ob_sigclean_install(void)
{
	struct sigaction sa = { .sa_handler = on_stop };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (ob_hangup_stops())
		sigaction(SIGHUP, &sa, NULL);
}

int ob_sigclean_add(const char *path)
{
	size_t len = strlen(path);

	if (len >= OB_PATH_MAX)
		return -1;
	for (int i = 0; i < OB_SIGCLEAN_SLOTS; i++)
		if (!used[i]) {
			memcpy(paths[i], path, len + 1);
			atomic_signal_fence(memory_order_seq_cst); /* the path whole before it counts */
			used[i] = 1;
			return i;
		}
	return -1;
}

void ob_sigclean_drop(int slot)
{
	if (slot >= 0 && slot < OB_SIGCLEAN_SLOTS)
		used[slot] = 0;
}

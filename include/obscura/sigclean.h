/* SPDX-License-Identifier: MIT */
/* sigclean.h - files a stop signal must not leave behind, in a process
 * that cannot stop at a frame's boundary as a job does (obscura report). */
#ifndef OBSCURA_SIGCLEAN_H
#define OBSCURA_SIGCLEAN_H

#include <stdbool.h>

#define OB_SIGCLEAN_SLOTS 8 /* paths registered at once */
#define OB_SIGCLEAN_EXIT 130 /* the exit status after such a signal, as run's */

/*
 * From ob_sigclean_install() on, SIGINT, SIGTERM and SIGHUP (not SIGHUP
 * when it is ignored then: nohup) unlink every path registered at that
 * moment and end the process with OB_SIGCLEAN_EXIT.  The handler only
 * calls unlink and _exit (async-signal-safe).  A path is registered before
 * its file is made (unlinking a file not made yet is harmless) and dropped
 * once it is renamed into place or removed.  ob_sigclean_add returns the
 * slot to drop, or -1 when every slot is taken or the path is too long (the
 * file is then only swept by the next run: fsutil.h, ob_remove_stale_tmp).
 */
void ob_sigclean_install(void);

/* Does SIGHUP stop this process?  Yes (a terminal or an ssh session gone,
 * as SIGTERM), unless it is ignored now, as nohup leaves it: then it stays
 * so.  The one rule for run (runner.c) and for report (above). */
bool ob_hangup_stops(void);
int ob_sigclean_add(const char *path);
void ob_sigclean_drop(int slot);

#endif

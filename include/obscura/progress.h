/* SPDX-License-Identifier: MIT */
/* progress.h - the one progress line on stderr (only when stderr is a TTY). */
#ifndef OBSCURA_PROGRESS_H
#define OBSCURA_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

/* Redraws "[finished/total jobs, skipped skipped] running: frames, fps, ETA"
 * in place (", N skipped" only when some are). */
void ob_progress_draw(size_t finished, size_t total, size_t skipped, int running, int64_t frames,
		      int64_t frames_estimate, double elapsed);

/* Erases the line, if one is shown, so that a message can be printed. */
void ob_progress_clear(void);

#endif

/* SPDX-License-Identifier: MIT */
/* progress.c - a single self-erasing status line for interactive use. */
#include "obscura/progress.h"

#include <stdbool.h>
#include <stdio.h>

#include "obscura/banned.h"

static bool shown;

void ob_progress_draw(size_t finished, size_t total, size_t skipped, int running, int64_t frames,
		      int64_t estimate, double elapsed)
{
	double fps = elapsed > 0 ? (double)frames / elapsed : 0;

	fprintf(stderr, "\r\033[K[%zu/%zu jobs", finished, total);
	if (skipped)
		fprintf(stderr, ", %zu skipped", skipped);
	fprintf(stderr, "] %d running: %lld frames, %.0f fps", running, (long long)frames, fps);
	if (estimate > frames && fps > 0) {
		long eta = (long)((double)(estimate - frames) / fps + 0.5);
		fprintf(stderr, ", ETA %ld:%02ld", eta / 60, eta % 60);
	}
	fflush(stderr);
	shown = true;
}

void ob_progress_clear(void)
{
	if (!shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	shown = false;
}

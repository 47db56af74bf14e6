/* SPDX-License-Identifier: MIT */
/* clock.c - the one monotonic clock used to time jobs, stages and detector passes. */
#include "obscura/clock.h"

#include <time.h>

#include "obscura/banned.h"

double ob_clock_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

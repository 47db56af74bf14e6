/* SPDX-License-Identifier: MIT */
/* clock.h - the one monotonic clock used to time jobs, stages and detector passes. */
#ifndef OBSCURA_CLOCK_H
#define OBSCURA_CLOCK_H

/* Seconds on CLOCK_MONOTONIC: only differences mean anything. */
double ob_clock_seconds(void);

#endif

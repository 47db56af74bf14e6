/* SPDX-License-Identifier: MIT */
/* tempfile.h - for libFuzzer targets whose parser reads a path: the input in a temporary file. */
#ifndef OBSCURA_FUZZ_TEMPFILE_H
#define OBSCURA_FUZZ_TEMPFILE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Writes data to one temporary file per process (mode 0600, created on the
 * first call under $TMPDIR or /tmp with the given suffix, removed at exit)
 * and returns its path; aborts if it cannot (a broken harness, not a finding).
 */
const char *fuzz_tempfile(const uint8_t *data, size_t size, const char *suffix);

#endif

/* SPDX-License-Identifier: MIT */
/* version.h - the one place the version string comes from. */
#ifndef OBSCURA_VERSION_H
#define OBSCURA_VERSION_H

#ifndef OB_VERSION
#define OB_VERSION "0.1.0"
#endif

/* The transparency label written into every export (EU AI Act Art. 50 spirit). */
#define OB_LABEL "Anonymized by Obscura " OB_VERSION ": re-encoded, regions irreversibly pixelated, source metadata removed"

#endif

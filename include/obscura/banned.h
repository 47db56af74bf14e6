/* SPDX-License-Identifier: MIT */
/* banned.h - functions that are too easy to misuse; using one is a compile error. */
#ifndef OBSCURA_BANNED_H
#define OBSCURA_BANNED_H

/* As in git: each banned name expands to an undeclared identifier whose name
 * says why.  Use snprintf, strlcpy-like bounded copies, strtok_r, strtol;
 * gmtime_r/localtime_r with strftime for times; mkstemp or the atomic
 * outputs of fsutil.h for temporary files. */
#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) BANNED(strncat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef atoi
#define atoi(x) BANNED(atoi)
#undef gets
#define gets(x) BANNED(gets)

/* A static result buffer shared by every thread (and by the other calls). */
#undef gmtime
#define gmtime(t) BANNED(gmtime)
#undef localtime
#define localtime(t) BANNED(localtime)
#undef ctime
#define ctime(t) BANNED(ctime)
#undef asctime
#define asctime(t) BANNED(asctime)
/* Their _r forms write into a buffer whose size they are not told. */
#undef ctime_r
#define ctime_r(t, buf) BANNED(ctime_r)
#undef asctime_r
#define asctime_r(t, buf) BANNED(asctime_r)

/* A name that another process can take before it is opened. */
#undef mktemp
#define mktemp(x) BANNED(mktemp)
#undef tmpnam
#define tmpnam(x) BANNED(tmpnam)
#undef tempnam
#define tempnam(d, p) BANNED(tempnam)

#endif

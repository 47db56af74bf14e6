/* banned.h - functions that are too easy to misuse; using one is a compile error. */
#ifndef OBSCURA_BANNED_H
#define OBSCURA_BANNED_H

/* As in git: each banned name expands to an undeclared identifier whose name
 * says why.  Use snprintf, strlcpy-like bounded copies, strtok_r, strtol. */
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

#endif

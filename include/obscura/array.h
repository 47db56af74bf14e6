/* SPDX-License-Identifier: MIT */
/* array.h - growing a heap array: the one place its capacity doubles. */
#ifndef OBSCURA_ARRAY_H
#define OBSCURA_ARRAY_H

#include <stddef.h>

#define OB_GROW_FIRST 16 /* the capacity an empty array first grows to (less if max is smaller) */

/*
 * Makes room for need elements of size bytes in the array whose address is
 * v (a T **, NULL or malloc'd) and whose capacity, in elements, is *cap.
 * With room already, nothing happens.  Otherwise the capacity doubles from
 * OB_GROW_FIRST until it holds need, but never beyond max (SIZE_MAX: no
 * limit), and the array is reallocated; *v and *cap change only on success.
 * Returns 0, OB_ERR_LIMIT when need > max, or OB_ERR_NOMEM ("out of
 * memory", also when the bytes would overflow), the message recorded by
 * ob_err(): a caller that wants to name its file re-records it.
 *
 * Parallel arrays that share one capacity grow with one call each, every
 * call given its own copy of the old capacity.
 */
int ob_grow(void *v, size_t *cap, size_t need, size_t size, size_t max);

#endif

/* SPDX-License-Identifier: MIT */
/* array.c - growing a heap array (array.h). */
#include "obscura/array.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/error.h"
#include "obscura/banned.h"

/* Every growable array of the tree (detections, tracks, rows, events, input
 * names) grew by its own copy of this loop; one copy cannot get the overflow
 * check or the limit wrong in one place and right in another. */
int ob_grow(void *v, size_t *cap, size_t need, size_t size, size_t max)
{
	size_t n = *cap ? *cap : OB_GROW_FIRST;
	void *old, *p;

	if (need <= *cap)
		return 0;
	if (need > max)
		return ob_err(OB_ERR_LIMIT, "more than %zu elements", max);
	while (n < need && n <= max / 2)
		n *= 2;
	if (n < need || n > max)
		n = max; /* doubling would pass max: stop there (need <= max) */
	if (size && n > SIZE_MAX / size)
		return ob_err(OB_ERR_NOMEM, "out of memory");
	/* v is a T **: its pointer is read and written as bytes, whatever T is. */
	memcpy(&old, v, sizeof(old));
	p = realloc(old, size ? n * size : 1);
	if (!p)
		return ob_err(OB_ERR_NOMEM, "out of memory");
	memcpy(v, &p, sizeof(p));
	*cap = n;
	return 0;
}

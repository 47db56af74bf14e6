/* SPDX-License-Identifier: MIT */
/* fuzz_photo.c - libFuzzer target: a photo's scan (ob_photo_scan) on any bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/error.h"
#include "obscura/photo.h"
#include "obscura/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ob_photo_scan s;

	if (ob_photo_scan("fuzz.jpg", data, size, &s) == 0) {
		/* what the source hands the demuxer and the manifest must hold */
		if (s.image_end > size || s.image_end < 3 || s.orientation < 1 || s.orientation > 8 ||
		    s.n_items > OB_PHOTO_MAX_ITEMS || s.kind == OB_PHOTO_NONE)
			abort();
		for (size_t i = 0; i < s.n_items; i++)
			if (strnlen(s.items[i], OB_PHOTO_ITEM_MAX) == OB_PHOTO_ITEM_MAX)
				abort();
	}
	ob_err_clear();
	return 0;
}

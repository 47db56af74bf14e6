/* SPDX-License-Identifier: MIT */
/* fuzz_manifest.c - libFuzzer target: the manifest chain checker (ob_manifest_check_buf). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "obscura/error.h"
#include "obscura/manifest.h"
#include "obscura/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ob_manifest_check chk;
	json_t *entries = NULL;
	int ret = ob_manifest_check_buf((const char *)data, size, &entries, &chk);

	/* What the header promises: entries only on success, a reason otherwise. */
	if (ret == 0 && (!entries || !chk.ok || json_array_size(entries) != chk.entries))
		abort();
	if (ret != 0 && (entries || chk.ok || !chk.reason[0] || chk.bad_line == 0))
		abort();
	json_decref(entries);
	ob_err_clear();
	return 0;
}

/* SPDX-License-Identifier: MIT */
/* fuzz_bundle.c - libFuzzer target: the bundle verifier (ob_verify_bundle) on any tar. */
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "obscura/bundle_verify.h"
#include "obscura/error.h"
#include "obscura/minisign.h"
#include "tempfile.h"
#include "obscura/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The bundle is checked against its own signer.pub, then against a key that
 * signed nothing in it: each must give a report and a verdict. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ob_minisign_pub other = { .keynum = { 1 }, .pk = { 2 } };
	const char *path = fuzz_tempfile(data, size, ".obscura.tar");

	for (int k = 0; k < 2; k++) {
		json_t *report = NULL;
		enum ob_verdict v;

		if (ob_verify_bundle(path, k ? &other : NULL, &report, &v) == 0 && !report)
			abort();
		json_decref(report);
		ob_err_clear();
	}
	return 0;
}

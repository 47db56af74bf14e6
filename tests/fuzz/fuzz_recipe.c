/* SPDX-License-Identifier: MIT */
/* fuzz_recipe.c - libFuzzer target: the recipe parser (ob_recipe_parse) on any text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/error.h"
#include "obscura/recipe.h"
#include "obscura/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ob_recipe *r = NULL;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (ob_recipe_parse("fuzz.ini", text, &r) == 0 && !r)
		abort(); /* success must give a recipe */
	ob_recipe_free(&r);
	ob_err_clear();
	free(text);
	return 0;
}

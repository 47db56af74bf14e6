/* SPDX-License-Identifier: MIT */
/* models.c - `obscura models`: list model cards, check each ONNX file's SHA-256. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/cli.h"
#include "obscura/error.h"
#include "obscura/model.h"
#include "obscura/banned.h"

static json_t *card_json(const struct ob_model_card *c, const char *status)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:s, s:s}", "name", c->name,
			      "task", c->task, "file", c->onnx_path, "sha256", c->sha256, "source", c->source,
			      "licence", c->licence, "decoder", ob_decoder_name(c->dec.type), "width", c->width,
			      "height", c->height, "channels", c->bgr ? "bgr" : "rgb", "status", status);
	return o;
}

int cmd_models(int argc, char **argv)
{
	struct ob_cli_parser opts;
	const struct ob_command *cmd;
	const char *dir_opt = NULL, *dir;
	struct ob_model_card *cards = NULL;
	bool json = false, check = false;
	json_t *list = NULL;
	size_t n = 0, width = 12;
	int c, ret, exit_code = OB_EXIT_OK;

	ob_cli_parser_init(&opts, "models");
	cmd = opts.cmd;
	while ((c = ob_cli_next(&opts, argc, argv, &ret)) != OB_CLI_DONE) {
		switch (c) {
		case OB_CLI_RETURN:
			return ret;
		case OB_OPT_MODELS: dir_opt = optarg; break;
		case OB_OPT_CHECK: check = true; break;
		case OB_OPT_JSON: json = true; break;
		}
	}
	if (optind < argc)
		return ob_cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	dir = ob_model_dir(dir_opt, NULL);
	ret = ob_model_list(dir, &cards, &n);
	if (ret)
		return ob_cli_fail(ob_exit_for_status(ret));
	if (n == 0) {
		free(cards);
		return ob_cli_error(ob_exit_for_status(OB_ERR_MODEL),
				    "%s: no model cards (*.card); run `make models`", dir);
	}
	list = json ? json_array() : NULL;
	for (size_t i = 0; i < n; i++) /* the name column as wide as the longest name */
		width = strlen(cards[i].name) > width ? strlen(cards[i].name) : width;
	for (size_t i = 0; i < n; i++) {
		const char *status = "unchecked";

		if (check) {
			if (ob_model_verify(&cards[i])) {
				/* Reported now; the other cards are still listed. */
				exit_code = ob_cli_fail(ob_exit_for_status(OB_ERR_MODEL));
				status = "mismatch";
			} else {
				status = "ok";
			}
		}
		if (json)
			json_array_append_new(list, card_json(&cards[i], status));
		else
			printf("%-*s %-6s %-9s %4dx%-4d %s  %.12s  %s\n", (int)width, cards[i].name, cards[i].task,
			       ob_decoder_name(cards[i].dec.type), cards[i].width, cards[i].height,
			       cards[i].bgr ? "bgr" : "rgb", cards[i].sha256, status);
	}
	if (json) {
		json_t *root = json_pack("{s:s, s:o}", "dir", dir, "models", list);

		ob_cli_print_json(root, JSON_SORT_KEYS);
		json_decref(root);
	}
	free(cards);
	return ob_cli_finish_stdout(exit_code);
}

/* SPDX-License-Identifier: MIT */
/* report.c - `obscura report`: one self-contained HTML review report per bundle, and an index. */
#include <libavutil/log.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/cli.h"
#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/minisign.h"
#include "obscura/parse.h"
#include "obscura/report.h"
#include "obscura/runner.h"
#include "obscura/sigclean.h"
#include "obscura/banned.h"

/* Two bundles called alike in different directories would share a report. */
static int check_names(const struct ob_command *cmd, int argc, char **argv)
{
	for (int i = optind; i < argc; i++) {
		char a[OB_PATH_MAX], b[OB_PATH_MAX];

		if (ob_report_name(argv[i], a, sizeof(a)))
			return ob_cli_usage_error(cmd, "%s: name too long", argv[i]);
		for (int j = optind; j < i; j++)
			if (!ob_report_name(argv[j], b, sizeof(b)) && !strcmp(a, b))
				return ob_cli_usage_error(cmd, "%s and %s would both be reported as %s", argv[j],
							  argv[i], a);
	}
	return 0;
}

int cmd_report(int argc, char **argv)
{
	struct ob_cli_parser opts;
	const struct ob_command *cmd;
	struct ob_minisign_pub key;
	struct ob_report_opts o = { .every = OB_REPORT_EVERY };
	struct ob_report_result *res = NULL;
	const char *keypath = NULL;
	bool index = false, quiet = false;
	enum ob_verdict worst = OB_VERDICT_OK;
	size_t stale = 0; /* temporaries of killed reports (their pid is gone) */
	char lock[OB_PATH_MAX];
	int c, ret = 0, n = 0, lockfd = -1, guard = -1;

	ob_cli_parser_init(&opts, "report");
	cmd = opts.cmd;
	while ((c = ob_cli_next(&opts, argc, argv, &ret)) != OB_CLI_DONE) {
		switch (c) {
		case OB_CLI_RETURN:
			return ret;
		case 'o': o.outdir = optarg; break;
		case 'p': keypath = optarg; break;
		case OB_OPT_EVERY:
			if (!ob_parse_double(optarg, OB_REPORT_EVERY_MIN, OB_REPORT_EVERY_MAX, &o.every))
				return ob_cli_usage_error(cmd, "--every: expected seconds from %g to %g, got '%s'",
							  OB_REPORT_EVERY_MIN, OB_REPORT_EVERY_MAX, optarg);
			break;
		case OB_OPT_INDEX: index = true; break;
		case 'q': quiet = true; break;
		}
	}
	if (!o.outdir)
		return ob_cli_usage_error(cmd, "-o DIR is required: where the reports go");
	if (optind >= argc)
		return ob_cli_usage_error(cmd, "no bundle given");
	if ((ret = check_names(cmd, argc, argv)))
		return ret;
	if (keypath && ob_minisign_load_public(keypath, &key))
		return ob_cli_fail(OB_EXIT_USAGE);
	o.key = keypath ? &key : NULL;
	av_log_set_level(AV_LOG_QUIET);
	/* DIR is one writer's at a time, as run's output directory is (the same
	 * lock file): holding it, temporaries of killed reports are removed. */
	if (ob_prepare_outdir(o.outdir) || ob_path_join(lock, sizeof(lock), o.outdir, OB_OUTDIR_LOCK))
		return ob_cli_fail(OB_EXIT_OUTPUT);
	if ((ret = ob_lock_file(lock, &lockfd)) == OB_ERR_BUSY)
		return ob_cli_error(OB_EXIT_BUSY, "%s: another obscura is writing in this directory (it holds %s)",
				    o.outdir, lock);
	/* interrupted, a report leaves neither its temporaries nor the lock
	 * (exit 130, as run): the bundle then being reported gets no page */
	if (!ret) {
		ob_sigclean_install();
		guard = ob_sigclean_add(lock);
	}
	if (ret || ob_remove_stale_tmp(o.outdir, NULL, &stale)) {
		ret = ob_cli_fail(OB_EXIT_OUTPUT);
		goto out;
	}
	n = argc - optind;
	res = calloc((size_t)n, sizeof(*res));
	if (!res) {
		ret = ob_cli_error(OB_EXIT_INTERNAL, "out of memory");
		goto out;
	}
	for (int i = 0; i < n; i++) {
		const char *bundle = argv[optind + i];
		int r = ob_report_bundle(&o, bundle, &res[i]);

		if (res[i].verdict > worst)
			worst = res[i].verdict;
		if (r == OB_ERR_INPUT) {
			ob_cli_fail(OB_EXIT_UNREADABLE); /* no report; the others still get theirs */
			continue;
		}
		if (r) {
			ret = ob_cli_fail(r == OB_ERR_NOMEM ? OB_EXIT_INTERNAL : OB_EXIT_OUTPUT);
			goto out;
		}
		if (!quiet)
			printf("%s: %s: %s/%s\n", bundle,
			       res[i].verdict == OB_VERDICT_OK ? "OK" : res[i].verdict == OB_VERDICT_UNSIGNED ? "UNSIGNED"
												: "TAMPERED",
			       o.outdir, res[i].name);
	}
	if (index) {
		if (ob_report_index(&o, res, (size_t)n)) {
			ret = ob_cli_fail(OB_EXIT_OUTPUT);
			goto out;
		}
		if (!quiet)
			printf("index: %s/%s\n", o.outdir, OB_REPORT_INDEX);
	}
	ret = ob_cli_finish_stdout(ob_cli_exit_for_verdict(worst));
out:
	for (int i = 0; res && i < n; i++)
		ob_report_result_release(&res[i]);
	free(res);
	ob_sigclean_drop(guard);
	ob_unlock_file(lock, &lockfd);
	return ret;
}

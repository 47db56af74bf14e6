/* SPDX-License-Identifier: MIT */
/* stages.c - the one list of pipeline stages a job runs, in order (stage.h). */
#include "obscura/stage.h"

#include <stddef.h>

#include "obscura/banned.h"

const struct ob_stage *const ob_pipeline_see[] = {
	&ob_stage_detect,
	&ob_stage_replay,
	NULL,
};

const struct ob_stage *const ob_pipeline_hide[] = {
	&ob_stage_redact,
	NULL,
};

/* stages.c - the one list of pipeline stages a job runs, in order. */
#include "obscura/stage.h"

#include <stddef.h>

const struct ob_stage *const ob_pipeline[] = {
	&ob_stage_detect,
	&ob_stage_redact,
	NULL,
};

#!/bin/sh
# SPDX-License-Identifier: MIT
# t0045-small-faces.sh - recall on 12-40 px faces in a 1080p frame, tiled vs not.
#
# face-mosaic puts the 22 annotated faces of face-api sample1..6 four times
# on a grey 1920x1080 frame, scaled to face widths of 12-16, 16-24, 24-32 and
# 32-40 px, and runs BlazeFace at the recipes' face_threshold (0.4) once on
# the whole frame and once tiled as the detect stage tiles it.
# Measured (tile 320): untiled 0/22 1/22 0/22 1/22 (rounding may move one),
# tiled 17/22 22/22 22/22 22/22; no detection on the grey background.
. "$(dirname "$0")/../lib.sh"

ROOT=$(cd "$LIB_DIR/.." && pwd)
SAMPLES=$ROOT/build/npm/src/face-api-1.7.15/package/demo
: "${OBSCURA_MODEL_DIR:=$ROOT/build/models}"

test_expect_success 'tiling finds small faces, by size bucket' '
	"$TOOLS/face-mosaic" "$OBSCURA_MODEL_DIR" blazeface "$SAMPLES" "$ROOT/tests/data/faces" >mosaic &&
	cat mosaic &&
	awk "\$1 == \"recall\" { f[\$2 \" \" \$3] = \$5; t[\$2 \" \" \$3] = \$6;
				  if (\$3 >= 16) { F[\$2] += \$5; T[\$2] += \$6 } }
	     END {
		bad = 0
		# the verdict needs every bucket, untiled and tiled, each with faces:
		# no recall line at all is a failure, not a pass
		split(\"untiled tiled\", mode, \" \"); split(\"12 16 24 32\", lo, \" \")
		for (m in mode) for (b in lo) { k = mode[m] \" \" lo[b]
			if (!(k in t) || t[k] <= 0) { print \"no recall line for \" k \" px\"; bad = 1 } }
		# >= 16 px: at least 95 % tiled (measured 66/66)
		if (F[\"tiled\"] < 0.95 * T[\"tiled\"]) { print \"tiled recall >= 16 px too low\"; bad = 1 }
		# 12-16 px: at least 60 % tiled (measured 17/22)
		if (f[\"tiled 12\"] < 0.6 * t[\"tiled 12\"]) { print \"tiled recall 12-16 px too low\"; bad = 1 }
		# tiling must help in every bucket
		for (k in f) { split(k, a, \" \"); if (a[1] == \"tiled\" && f[k] <= f[\"untiled \" a[2]]) {
			print \"no gain from tiling at \" a[2] \" px\"; bad = 1 } }
		exit bad }" mosaic
'

test_expect_success 'no false positive on the grey background' '
	grep "^fp tiled 0 " mosaic && grep "^fp untiled 0 " mosaic
'

test_done

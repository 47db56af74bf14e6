#!/bin/sh
# SPDX-License-Identifier: MIT
# t0040-detect-cover.sh - the real criterion: are faces pixelated in the export?
#
# A 60-frame 1280x720 clip pans and zooms over face-api's sample1, 4 and 6
# (face widths from ~110 px down to ~14 px, faces moving up to ~35 px a frame);
# the annotated boxes (tests/data/faces) map through the known transform.
# After `obscura run -r recipes/disclosure.ini` (stride 2: tracks are
# interpolated between detections, and extended, with the lookahead, to the
# frames before a face entering across the edge was first found), every face
# pixel of every frame must lie in a pixelated cell of the export: faces
# wholly inside the frame and faces cut by its edge alike.
. "$(dirname "$0")/../lib.sh"

ROOT=$(cd "$LIB_DIR/.." && pwd)
: "${OBSCURA_MODEL_DIR:=$ROOT/build/models}"
export OBSCURA_MODEL_DIR

test_expect_success 'a moving clip with known face boxes' '
	face_clip make 60 clip.mp4 boxes.txt
'

test_expect_success 'disclosure recipe: every face, whole or cut by the edge, is pixelated on every frame' '
	"$OBSCURA" run -q --no-progress --unsigned -r "$ROOT/recipes/disclosure.ini" -o out clip.mp4 &&
	ffmpeg -v error -i out/clip.anon.mp4 -f rawvideo -pix_fmt yuv420p export.yuv &&
	"$TOOLS/face-cover" check "$ROOT/recipes/disclosure.ini" export.yuv boxes.txt >cover 2>leaks &&
	grep "^#" cover &&
	cat leaks &&
	awk "\$1 == \"left\" { faces += \$5; left += \$7 }
	     END { if (faces < 500) { print \"only \" faces \" faces\"; exit 1 }
		   if (left) { print left \" face pixels left\"; exit 1 } }" cover
'

test_done

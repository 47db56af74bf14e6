#!/bin/sh
# SPDX-License-Identifier: MIT
# t0049-tiny-faces.sh - faces of 12-16 px on a fixed camera: what the face
# search sees too weakly, a closer look (look.h) finds.
#
# face-cover still, as t0047, with smaller faces: twelve annotated faces
# of face-api's samples on opencv-doc's building.jpg, 60 frames, standing,
# appearing, creeping and crossing, three ways: 12, 13, 14, 15 and 16 px
# wide (WIDTH 12, STEP 1); all 12 px; all 14 px.  faces-only.ini as shipped.
# UltraFace in tiles at the frame's scale scores such faces 0.15 on one
# frame and 0.6 on the next; zoomed in three times, 0.95.
# Measured, face pixels of 12-16 px faces left showing:
#   without closer looks: 12320 of 114045, 22320 of 106620, 26950 of
#   145810 (16.8 % in all);
#   with them: 0, 6098 and 14630 (5.7 %); since a frame's closer looks
#   share one pass (a quarter of the input each): 0, 5916 and 14630
#   (5.55 %), in 21-29 passes a clip where they took 59-69: every face
#   found but one, a
#   woman's face turned and in shadow (sample 4) that UltraFace does not
#   find at 13-14 px zoomed in either, and two 12 px faces part of the time.
# The issue's bound, 1 % of every size bucket, is not met at 12-16 px on a
# fixed camera (it is on t0040's moving clip: no pixel of its 14-16 px
# faces left); this test holds what was gained.
. "$(dirname "$0")/../lib.sh"

ROOT=$(cd "$LIB_DIR/.." && pwd)
SAMPLES=$ROOT/build/npm/src/face-api-1.7.15/package/demo
SCENE=/usr/share/doc/opencv-doc/examples/data/building.jpg
: "${OBSCURA_MODEL_DIR:=$ROOT/build/models}"
export OBSCURA_MODEL_DIR

# tiny NAME WIDTH STEP: NAME.cover, the faces left showing in faces-only.ini's export
tiny() {
	"$TOOLS/face-cover" still "$SAMPLES" "$ROOT/tests/data/faces" 60 "$1.yuv" "$1.boxes" "$SCENE" "$2" "$3" &&
	ffmpeg -v error -f rawvideo -pix_fmt yuv420p -s 1280x720 -r 30 -i "$1.yuv" \
		-c:v libx264 -preset veryfast -crf 18 -pix_fmt yuv420p "$1.mp4" &&
	rm "$1.yuv" &&
	"$OBSCURA" run -q --no-progress --unsigned --json -r "$ROOT/recipes/faces-only.ini" -o "$1" "$1.mp4" \
		>"$1.json" &&
	ffmpeg -v error -i "$1/$1.anon.mp4" -f rawvideo -pix_fmt yuv420p "$1.export.yuv" &&
	"$TOOLS/face-cover" check "$ROOT/recipes/faces-only.ini" "$1.export.yuv" "$1.boxes" >"$1.cover" \
		2>"$1.leaks" &&
	rm "$1.export.yuv" &&
	grep "^#" "$1.cover"
}

test_expect_success 'faces of 12 to 16 px, 12 px and 14 px on a fixed camera' '
	test_path_is_file "$SAMPLES/sample1.jpg" &&
	test_path_is_file "$SCENE" &&
	tiny mixed 12 1 &&
	tiny twelve 12 0 &&
	tiny fourteen 14 0
'

test_expect_success 'closer looks ran on every clip (measured 21-29 passes; second looks alone 0-3)' '
	for c in mixed twelve fourteen; do
		json_get "
t = d[\"jobs\"][0][\"timing\"]
print(\"$c\", t[\"passes.ultraface\"], t[\"looks\"])
assert t[\"looks\"] >= 15, t
" <$c.json || return 1
	done
'

test_expect_success 'at most 8 % of the 12-16 px face pixels left (measured 5.55 %, 16.8 % without closer looks)' '
	awk "\$1 == \"left\" && \$3 == 0 { faces += \$5; px += \$6; left += \$7 }
	     \$1 == \"left\" && \$3 == 16 { big += \$7 }
	     END { printf \"%d of %d face px left (%.2f %%), %d faces; 16-24 px: %d\\n\",
			  left, px, 100 * left / (px ? px : 1), faces, big
		   if (faces < 1500) { print \"too few faces to judge\"; exit 1 }
		   if (left > 0.08 * px) exit 1
		   if (big > 0) exit 1 }" mixed.cover twelve.cover fourteen.cover
'

test_done

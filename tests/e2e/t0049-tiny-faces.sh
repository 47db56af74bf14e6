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
#   find at 12-14 px zoomed in either: every face pixel left of the 12 px
#   and 14 px clips is hers.
# The issue's bound, 1 % of every size bucket, is not met at 12-16 px on a
# fixed camera, nor under a panning one (below; it is on t0040's moving
# clip: no pixel of its 14-16 px faces left); this test holds what was
# gained.
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

# at_most SHARE FACES COVER...: of the under-16 px faces of the COVERs (at
# least FACES of them), at most SHARE of their pixels left; none of 16-24 px
at_most() {
	_share=$1 _faces=$2
	shift 2
	awk -v share="$_share" -v least="$_faces" "\$1 == \"left\" && \$3 == 0 { faces += \$5; px += \$6; left += \$7 }
	     \$1 == \"left\" && \$3 == 16 { big += \$7 }
	     END { printf \"%d of %d face px left (%.2f %%), %d faces; 16-24 px: %d\\n\",
			  left, px, 100 * left / (px ? px : 1), faces, big
		   if (faces < least) { print \"too few faces to judge\"; exit 1 }
		   if (left > share * px) exit 1
		   if (big > 0) exit 1 }" "$@"
}

test_expect_success 'at most 8 % of the 12-16 px face pixels left (measured 5.55 %, 16.8 % without closer looks)' '
	at_most 0.08 1500 mixed.cover twelve.cover fourteen.cover
'

# pan NAME: NAME's clip as a camera panning over it sees it (a 1000x580
# window moving 4 px right and 2 px down a frame, on a grey 1280x720
# frame: the faces keep their size, the picture moves under every tile),
# and its faces inside the window, moved with it; faces-only.ini's export
# checked as tiny() does.
pan() {
	ffmpeg -v error -i "$1.mp4" -vf "crop=w=1000:h=580:x=4*n:y=2*n,pad=1280:720:140:70:color=gray" \
		-c:v libx264 -preset veryfast -crf 18 -pix_fmt yuv420p "pan-$1.mp4" &&
	awk "{ ox = 4 * \$1; oy = 2 * \$1
	       if (\$2 >= ox && \$3 >= oy && \$2 + \$4 <= ox + 1000 && \$3 + \$5 <= oy + 580)
		       printf \"%d %.2f %.2f %.2f %.2f %s\\n\", \$1, \$2 - ox + 140, \$3 - oy + 70, \$4, \$5, \$6 }" \
		"$1.boxes" >"pan-$1.boxes" &&
	"$OBSCURA" run -q --no-progress --unsigned -r "$ROOT/recipes/faces-only.ini" -o "pan-$1" "pan-$1.mp4" &&
	ffmpeg -v error -i "pan-$1/pan-$1.anon.mp4" -f rawvideo -pix_fmt yuv420p "pan-$1.export.yuv" &&
	"$TOOLS/face-cover" check "$ROOT/recipes/faces-only.ini" "pan-$1.export.yuv" "pan-$1.boxes" \
		>"pan-$1.cover" 2>"pan-$1.leaks" &&
	rm "pan-$1.export.yuv" &&
	grep "^#" "pan-$1.cover"
}

# The same faces under a panning camera: what the still camera's refresh
# and closer looks hold there, a moving picture gives the face search one
# chance a detection frame.  Measured: 12786 of 91260 face px left of the
# 12 px faces (14.0 %: one creeping face UltraFace boxes at 0.11-0.32 in
# its tiles and at 0.10-0.39 zoomed in, never at the threshold; the woman
# in shadow), 2624 of 126069 (2.1 %) of the 12-16 px ones, 4384 of 124824
# (3.5 %) of the 14 px ones: 5.8 % in all.  Tried and not taken (measured
# on these clips and face-cover's): smaller tiles (240 px: 12 px faces
# 6.1 %, but the 18 px woman of face-cover still lost on 40 frames and a
# third more passes), closer looks each in a pass of its own (12 px 9.3 %,
# over-redaction of face-cover make 4.5 -> 5.5 %), looks accepting half
# the threshold.  This test holds the level, as the one above does.
test_expect_success 'the three clips under a panning camera' '
	pan mixed &&
	pan twelve &&
	pan fourteen
'

test_expect_success 'panning: at most 8 % of the 12-16 px face pixels left (measured 5.8 %)' '
	at_most 0.08 1300 pan-mixed.cover pan-twelve.cover pan-fourteen.cover
'

test_done

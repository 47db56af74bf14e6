#!/bin/sh
# SPDX-License-Identifier: MIT
# t0047-still-camera.sh - a search that looks again only where the picture
# changed ([detect] refresh) loses no face on a fixed camera.
#
# face-cover still: twelve annotated faces of face-api sample1, 4 and 6,
# 16-24 px wide, on opencv-doc's building.jpg as a fixed camera sees it:
# some there from the first frame, some appearing later and staying still,
# some creeping in at 1 px a frame, some crossing at 4 px a frame.  The
# faces-only recipe (UltraFace, 21 regions a 720p frame) runs three ways:
#  * refresh = 0: every region on every detection frame (the reference);
#  * the recipe's refresh = 0.5: what ships;
#  * refresh = 10: unchanged regions are as good as never searched again in
#    60 frames, so only the change test finds what appears or moves.
# Measured: no face pixel left all three ways, 630, 332 and 293 passes of
# the search (plus, at refresh 0.5, 26 passes of looks, closer ones at
# weak boxes on the building, up to four a pass: look.h; 71 when each had
# a pass of its own); with the change test broken (never
# "changed"), 6.3 % of the 16-24 px face pixels left at refresh 0.5 and
# 28.5 % at 10.  Before narrow face boxes were widened to 0.7 of their
# height (stage_detect.c add_forehead), 0.73 % left all three ways: one
# column of one still face, 22 px wide, that UltraFace boxed 16.7 px wide
# and the margin did not reach.  The issue's bound is 1 % of the face
# pixels of any size; this one is none.
. "$(dirname "$0")/../lib.sh"

ROOT=$(cd "$LIB_DIR/.." && pwd)
SAMPLES=$ROOT/build/npm/src/face-api-1.7.15/package/demo
SCENE=/usr/share/doc/opencv-doc/examples/data/building.jpg
HELLO=/usr/share/forensics-samples/original-files/movie2/movie-hello.mp4
: "${OBSCURA_MODEL_DIR:=$ROOT/build/models}"
export OBSCURA_MODEL_DIR

test_expect_success 'a still scene with small faces that stay, appear, creep and cross' '
	test_path_is_file "$SAMPLES/sample1.jpg" &&
	test_path_is_file "$SCENE" &&
	"$TOOLS/face-cover" still "$SAMPLES" "$ROOT/tests/data/faces" 60 clip.yuv boxes.txt "$SCENE" &&
	ffmpeg -v error -f rawvideo -pix_fmt yuv420p -s 1280x720 -r 30 -i clip.yuv \
		-c:v libx264 -preset veryfast -crf 18 -pix_fmt yuv420p clip.mp4 &&
	rm clip.yuv &&
	test "$(grep -c "^refresh = 0.5\$" "$ROOT/recipes/faces-only.ini")" = 1 &&
	sed "s/^refresh = .*/refresh = 0/" "$ROOT/recipes/faces-only.ini" >always.ini &&
	sed "s/^refresh = .*/refresh = 10/" "$ROOT/recipes/faces-only.ini" >changes.ini &&
	cp "$ROOT/recipes/faces-only.ini" shipped.ini
'

# run NAME: the export of recipe NAME.ini, checked face by face into NAME.cover
run() {
	"$OBSCURA" run -q --no-progress --unsigned --json -r "$1.ini" -o "$1" clip.mp4 >"$1.json" &&
	ffmpeg -v error -i "$1/clip.anon.mp4" -f rawvideo -pix_fmt yuv420p "$1.yuv" &&
	"$TOOLS/face-cover" check "$1.ini" "$1.yuv" boxes.txt >"$1.cover" 2>"$1.leaks" &&
	rm "$1.yuv" &&
	grep "^#" "$1.cover"
}

# at most 1 % of the face pixels of every size left, and faces to judge
leak_bound() {
	awk "\$1 == \"left\" { faces += \$5; px[\$3] += \$6; left[\$3] += \$7 }
	     END { if (faces < 500) { print \"only \" faces \" faces\"; exit 1 }
		   for (b in px) if (left[b] > 0) {
			print left[b] \" of \" px[b] \" face px left from \" b \" px\"; exit 1 } }" "$1.cover"
}

for r in always shipped changes; do
	test_expect_success "refresh of $r.ini: no face pixel left showing" "
		run $r &&
		leak_bound $r
	"
done

test_expect_success 'looking only where the picture changed runs far fewer passes' '
	json_get "
t = d[\"jobs\"][0][\"timing\"]
# the search itself: the looks, zoomed in on single boxes, aside
passes = t[\"passes.ultraface\"] - t[\"looks\"]
print(passes, t[\"looks\"])
assert passes < 0.7 * 630, passes
" <shipped.json &&
	json_get "
t = d[\"jobs\"][0][\"timing\"]
# every tile of every pass, plus the second looks at faces found once
assert t[\"passes.ultraface\"] - t[\"looks\"] == 21 * 30, t
" <always.json
'

test_expect_success 'nothing moves: every detector of disclosure.ini rests between refreshes' '
	ffmpeg -v error -loop 1 -framerate 30 -i "$SCENE" -frames:v 60 -vf scale=1280:720 \
		-c:v libx264 -preset veryfast -crf 18 -pix_fmt yuv420p scene.mp4 &&
	"$OBSCURA" run -q --no-progress --unsigned --json -r "$ROOT/recipes/disclosure.ini" -o still scene.mp4 \
		>still.json &&
	json_get "
t = d[\"jobs\"][0][\"timing\"]
passes = {k.split(\".\")[1].split(\"_\")[0]: v for k, v in t.items() if k.startswith(\"passes.\")}
print(passes)
# 30 face, 15 person and 10 text passes of the whole frame without refresh:
# with 0.5 s, the first and one a refresh (4, 3 and 2 passes of theirs)
assert passes[\"centernet\"] <= 1 + 15 // 3, passes
assert passes[\"ppocr\"] <= 1 + 10 // 2, passes
assert passes[\"ultraface\"] < 21 * 30 // 4, passes
" <still.json
'

# movie-hello: a screen recording with a webcam inset, the speaker's face
# 60x110 px, moving on every frame (measured: 469 UltraFace passes, 265 tile
# searches spared, 722 passes when every changed tile was searched; his
# face observed on all 125 detection frames either way).
test_expect_success 'a moving face the whole-frame pass finds: its tiles are left to it, the face hidden on every frame' '
	"$OBSCURA" run -q --no-progress --unsigned --json -r "$ROOT/recipes/faces-only.ini" -o hello "$HELLO" \
		>hello.json &&
	json_get "
t = d[\"jobs\"][0][\"timing\"]
print({k: t.get(k) for k in (\"passes.ultraface\", \"followed.ultraface\")})
assert t.get(\"followed.ultraface\", 0) >= 150, t
assert t[\"passes.ultraface\"] <= 600, t
" <hello.json &&
	"$OBSCURA" inspect --json hello/movie-hello.tracks.h5 >hello-tracks.json &&
	json_get "
frames = d[\"video\"][\"frames\"]
speaker = [t for t in d[\"tracks\"] if t[\"class\"] == \"face\" and t[\"hidden\"] and t[\"first_frame\"] == 0
	   and t[\"last_frame\"] == frames - 1 and t[\"rows\"] == frames]
print(frames, speaker)
assert speaker, d[\"tracks\"]
# found on every detection frame (stride 2), not only on the refreshes
assert speaker[0][\"observed\"] >= frames // 2, speaker
" <hello-tracks.json
'

test_done

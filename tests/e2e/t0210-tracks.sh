#!/bin/sh
# SPDX-License-Identifier: MIT
# t0210-tracks.sh - tracks.h5 from every job; analyze (no video); the
# second pass `redact --tracks` with --keep and --add-box.
#
# The clip is t0040's: face-api samples panning and zooming, faces known.
# A recipe with a fixed pixelation seed makes the export a function of the
# input and the boxes alone, so `run` and `analyze` + `redact --tracks`
# must give the very same frames.
. "$(dirname "$0")/../lib.sh"

ROOT=$(cd "$LIB_DIR/.." && pwd)
: "${OBSCURA_MODEL_DIR:=$ROOT/build/models}"
export OBSCURA_MODEL_DIR

test_expect_success 'setup: the moving-faces clip and a seeded disclosure recipe' '
	face_clip make 40 clip.mp4 boxes.txt &&
	cat "$ROOT/recipes/disclosure.ini" >seeded.ini &&
	printf "\n[pixelate]\nseed = 42\n" >>seeded.ini &&
	"$OBSCURA" run -q --no-progress --unsigned -r seeded.ini -o run clip.mp4 &&
	sha256 clip.mp4 >input.sha256
'

test_expect_success 'run writes tracks.h5 beside the export and in the bundle; h5dump reads it' '
	test_path_is_file run/clip.tracks.h5 &&
	tar tf run/clip.mp4.obscura.tar >members &&
	test_grep -x clip.tracks.h5 members &&
	tar xOf run/clip.mp4.obscura.tar clip.tracks.h5 >bundled.tracks.h5 &&
	cmp bundled.tracks.h5 run/clip.tracks.h5 &&
	h5dump -H run/clip.tracks.h5 >h5 &&
	test_grep "DATASET \"detections\"" h5 &&
	test_grep "ATTRIBUTE \"input_sha256\"" h5 &&
	"$OBSCURA" inspect --json run/clip.tracks.h5 >inspect.json &&
	json_get "
assert d[\"input\"][\"sha256\"] == \"$(cut -d" " -f1 input.sha256)\", d[\"input\"]
faces = [t for t in d[\"tracks\"] if t[\"class\"] == \"face\" and t[\"confirmed\"]]
assert len(faces) >= 3, faces
" <inspect.json
'

test_expect_success 'tracks.h5 holds no pixels: only numbers, enums and the recipe text' '
	h5dump -H run/clip.tracks.h5 >h5 &&
	test_grep_not "H5T_OPAQUE\|H5T_REFERENCE\|H5T_VLEN\|H5T_ARRAY" h5 &&
	test "$(wc -c <run/clip.tracks.h5)" -lt 2000000
'

test_expect_success 'the manifest records every hidden track with its reason' '
	tar xOf run/clip.mp4.obscura.tar manifest.jsonl >m.jsonl &&
	"$PYTHON" - <<-PY
	import json
	ev = [json.loads(l) for l in open("m.jsonl")]
	red = [e["data"] for e in ev if e["type"] == "redaction"]
	assert red and all(r["reason"] == "detector" for r in red), red
	assert all({"track", "class", "first", "last", "observed"} <= r.keys() for r in red), red[0]
	out = [e["data"]["name"] for e in ev if e["type"] == "output"]
	assert "clip.tracks.h5" in out, out
	end = ev[-1]["data"]
	assert end["tracks_hidden"] == len(red), (end, len(red))
	PY
'

test_expect_success 'analyze: tracks.h5 and a bundle without any video' '
	"$OBSCURA" analyze -q --no-progress --unsigned -r seeded.ini -o an clip.mp4 &&
	ls an >listing &&
	printf "%s\n" clip.mp4.obscura.tar clip.tracks.h5 >expect &&
	test_cmp expect listing &&
	tar tf an/clip.mp4.obscura.tar >members &&
	test_grep_not "mp4$" members &&
	test_must_fail_with 8 "$OBSCURA" verify an/clip.mp4.obscura.tar &&
	test_grep -i "unsigned" stdout
'

test_expect_success 'analyze and run find the same tracks' '
	h5dump -d /detections run/clip.tracks.h5 >run.dump &&
	h5dump -d /detections an/clip.tracks.h5 >an.dump &&
	sed 1d run.dump >run.rows &&
	sed 1d an.dump >an.rows &&
	test_grep "^DATASET \"/detections\"" run.rows &&
	test_cmp run.rows an.rows
'

test_expect_success 'redact --tracks: the same export as run, frame for frame' '
	"$OBSCURA" redact -q --no-progress --unsigned --tracks an/clip.tracks.h5 -o red clip.mp4 &&
	ffmpeg -v error -i run/clip.anon.mp4 -f rawvideo -pix_fmt yuv420p run.yuv &&
	ffmpeg -v error -i red/clip.anon.mp4 -f rawvideo -pix_fmt yuv420p red.yuv &&
	cmp run.yuv red.yuv &&
	tar xOf red/clip.mp4.obscura.tar manifest.jsonl >m2.jsonl &&
	test_grep "\"type\":\"replay\"" m2.jsonl &&
	tracks_sha=$(sha256_of an/clip.tracks.h5) &&
	test_grep "$tracks_sha" m2.jsonl &&
	sha256sum -c --quiet input.sha256
'

test_expect_success 'redact --keep: the kept subject shows, every other face stays hidden' '
	"$PYTHON" - an/clip.tracks.h5 >keep.ids <<-PY &&
	import sys, h5py
	f = h5py.File(sys.argv[1], "r")
	d = f["detections"][:]
	t = f["tracks"][:]
	# the subject: the longest confirmed face track, and every track whose
	# box overlaps it on some frame (its head region, its other detections)
	faces = t[(t["class"] == 0) & (t["confirmed"] == 1)]
	subject = int(faces[faces["observed"].argmax()]["id"])
	keep = {subject}
	for r in d[d["track"] == subject]:
	    o = d[d["frame"] == r["frame"]]
	    hit = (o["x"] < r["x"] + r["w"]) & (o["x"] + o["w"] > r["x"]) & (o["y"] < r["y"] + r["h"]) & (o["y"] + o["h"] > r["y"])
	    keep |= {int(i) for i in o[hit & (o["class"] != 3)]["track"]}
	print(",".join(str(i) for i in sorted(keep)))
	PY
	"$OBSCURA" redact -q --no-progress --unsigned --tracks an/clip.tracks.h5 --keep "$(cat keep.ids)" \
		-o keep clip.mp4 &&
	ffmpeg -v error -i keep/clip.anon.mp4 -f rawvideo -pix_fmt yuv420p keep.yuv &&
	"$TOOLS/face-cover" check seeded.ini keep.yuv boxes.txt >cover 2>/dev/null &&
	awk "\$1 == \"left\" { left += \$7; px += \$6 }
	     END { print left \" of \" px \" face px left\"; if (left == 0 || left > px / 3) exit 1 }" cover &&
	tar xOf keep/clip.mp4.obscura.tar manifest.jsonl >m3.jsonl &&
	"$PYTHON" - "$(cat keep.ids)" <<-PY
	import json, sys
	ids = [int(i) for i in sys.argv[1].split(",")]
	ev = [json.loads(l) for l in open("m3.jsonl")]
	red = [e["data"] for e in ev if e["type"] == "redaction"]
	assert sorted(r["track"] for r in red if r["reason"] == "kept") == ids, red
	assert not any(r["track"] in ids for r in red if r["reason"] != "kept")
	rep = [e["data"] for e in ev if e["type"] == "replay"][0]
	assert rep["keep"] == ids, rep
	PY
'

test_expect_success 'redact --add-box: a box hidden on the frames given, by hand' '
	ffmpeg -v error -f lavfi -i testsrc2=size=320x240:rate=25 -t 2 plain.mp4 &&
	make_recipe block16.ini "[pixelate]" "block = 16" &&
	"$OBSCURA" analyze -q --no-progress --unsigned -r block16.ini -o plain plain.mp4 &&
	"$OBSCURA" redact -q --no-progress --unsigned --tracks plain/plain.tracks.h5 \
		--add-box 0-49:64,48,96,64 -o plainred plain.mp4 &&
	framecmp -z 0.2,0.2,0.5,0.466 -i 0.1,0.1,0.6,0.6 -s 6 -p 30 plain.mp4 plainred/plain.anon.mp4 &&
	"$OBSCURA" inspect --json plainred/plain.tracks.h5 >plainred.json &&
	json_get "
m = [t for t in d[\"tracks\"] if t[\"class\"] == \"manual\"]
assert len(m) == 1 and m[0][\"first_frame\"] == 0 and m[0][\"last_frame\"] == 49, m" <plainred.json
'

test_expect_success 'redact never writes over the tracks file it reads' '
	cp an/clip.tracks.h5 same.tracks.h5 &&
	mkdir -p samedir && cp an/clip.tracks.h5 samedir/clip.tracks.h5 &&
	sha256 samedir/clip.tracks.h5 >same.sha &&
	test_must_fail_with 4 "$OBSCURA" redact --no-progress --unsigned --force --tracks samedir/clip.tracks.h5 \
		-o samedir clip.mp4 &&
	test_grep "would replace the --tracks file" stderr &&
	sha256sum -c --quiet same.sha
'

test_expect_success 'redact refuses a tracks file made from another input' '
	test_must_fail_with 4 "$OBSCURA" redact --no-progress --unsigned --tracks an/clip.tracks.h5 -o other plain.mp4 &&
	test_grep "made from another input" stderr &&
	test_path_is_missing other/plain.anon.mp4 &&
	test_path_is_missing other/plain.tracks.h5
'

test_expect_success 'redact usage errors: exit 2, one line each' '
	test_must_fail_with 2 "$OBSCURA" redact --unsigned clip.mp4 &&
	test_grep -e "--tracks" stderr &&
	test_must_fail_with 2 "$OBSCURA" redact --unsigned --tracks an/clip.tracks.h5 clip.mp4 plain.mp4 &&
	test_must_fail_with 2 "$OBSCURA" redact --unsigned --tracks an/clip.tracks.h5 --keep x clip.mp4 &&
	test_must_fail_with 2 "$OBSCURA" redact --unsigned --tracks an/clip.tracks.h5 --add-box 3:1,2,3 clip.mp4 &&
	test_must_fail_with 2 "$OBSCURA" redact --unsigned --tracks an/clip.tracks.h5 --add-box 9-3:1,2,3,4 clip.mp4
'

test_expect_success 'redact: a missing track id, a bad tracks file' '
	test_must_fail_with 2 "$OBSCURA" redact --no-progress --unsigned --tracks an/clip.tracks.h5 --keep 99999 \
		-o nokeep clip.mp4 &&
	test_grep "99999" stderr &&
	test_must_fail_with 2 "$OBSCURA" redact --no-progress --unsigned --tracks an/clip.tracks.h5 --add-box 5000:1,2,3,4 \
		-o nokeep clip.mp4 &&
	test_must_fail_with 9 "$OBSCURA" redact --no-progress --unsigned -r seeded.ini --tracks missing.h5 -o nokeep clip.mp4 &&
	test_path_is_missing nokeep &&
	echo "not hdf5" >bad.h5 &&
	test_must_fail_with 9 "$OBSCURA" redact --no-progress --unsigned --tracks bad.h5 -o bad clip.mp4 &&
	test_grep "bad.h5" stderr &&
	sha256sum -c --quiet input.sha256
'

test_done

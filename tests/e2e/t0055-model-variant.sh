#!/bin/sh
# SPDX-License-Identifier: MIT
# t0055-model-variant.sh - `people = centernet` runs, per input, the variant
# of CenterNet whose input shape fits the frame's (models/centernet.card lists
# centernet_512x288 and centernet_512x384 under [model] variants): 16:9 frames
# the 512x288 one, 4:3 frames the 512x384 one, a portrait frame the square
# 512x512 card itself; `text = ppocr_det` likewise runs ppocr_det_640x384 on
# 16:9 and ppocr_det_640x480 on 4:3 frames.  The manifest's model event,
# tracks.h5's /models and the job's timing name the model that ran, with its
# file's SHA-256.  A recipe that names a card of one size (centernet_384x288,
# which is no variant, or centernet_512x512 and ppocr_det_640x640, the square
# networks) gets that one on any frame.
. "$(dirname "$0")/../lib.sh"

ROOT=$(cd "$LIB_DIR/.." && pwd)
: "${OBSCURA_MODEL_DIR:=$ROOT/build/models}"
export OBSCURA_MODEL_DIR

printf "[detect]\nfaces = off\npeople = centernet\ntext = off\n" >family.ini
printf "[detect]\nfaces = off\npeople = centernet_384x288\ntext = off\n" >named.ini
printf "[detect]\nfaces = off\npeople = centernet_512x512\ntext = off\n" >square.ini
printf "[detect]\nfaces = off\npeople = off\ntext = ppocr_det\n" >text.ini
printf "[detect]\nfaces = off\npeople = off\ntext = ppocr_det_640x640\n" >textsquare.ini

# ran NAME RECIPE MODEL [ROLE]: analyze NAME.mp4 with RECIPE; MODEL must be the
# one recorded everywhere, as the detector for ROLE (default people).
ran() {
	"$OBSCURA" analyze -q --no-progress --unsigned --json -r "$2" -o "out-$1-$2" "$1.mp4" >"$1.json" || return 1
	"$PYTHON" - "$1" "$3" "$OBSCURA_MODEL_DIR" "${4:-people}" <<-'PY' || return 1
	import hashlib, json, sys, tarfile
	name, want, mdir, role = sys.argv[1:]
	job = json.load(open(name + ".json"))["jobs"][0]
	card = dict(l.split(" = ", 1) for l in open(f"{mdir}/{want}.card").read().splitlines() if " = " in l)
	onnx = card["file"]
	sha = hashlib.sha256(open(f"{mdir}/{onnx}", "rb").read()).hexdigest()
	with tarfile.open(job["bundle"]) as t:
	    events = [json.loads(line) for line in t.extractfile("manifest.jsonl")]
	models = [(e["data"]["role"], e["data"]["name"], e["data"]["file"], e["data"]["sha256"])
	          for e in events if e["type"] == "model"]
	assert models == [(role, want, onnx, sha)], models
	detect = sorted(k for k in job["timing"] if k.startswith("detect."))
	assert detect == ["detect." + want], job["timing"]
	print(job["width"], job["height"], want, sha[:12])
	PY
	"$OBSCURA" inspect --json "out-$1-$2/$1.tracks.h5" >"$1.inspect" || return 1
	"$PYTHON" - "$1" "$3" "$OBSCURA_MODEL_DIR" <<-'PY'
	import hashlib, json, sys
	name, want, mdir = sys.argv[1:]
	card = dict(l.split(" = ", 1) for l in open(f"{mdir}/{want}.card").read().splitlines() if " = " in l)
	sha = hashlib.sha256(open(f"{mdir}/{card['file']}", "rb").read()).hexdigest()
	models = json.load(open(name + ".inspect"))["models"]
	assert models == [{"name": want, "sha256": sha}], models
	PY
}

test_expect_success 'obscura models --check lists the family and each variant' '
	"$OBSCURA" models --check >models.out &&
	test_grep -E "^centernet +multi +centernet +512x512 .* ok$" models.out &&
	test_grep -E "^centernet_512x288 +multi +centernet +512x288 .* ok$" models.out &&
	test_grep -E "^centernet_384x288 +multi +centernet +384x288 .* ok$" models.out &&
	test_grep -E "^centernet_512x384 +multi +centernet +512x384 .* ok$" models.out &&
	test_grep -E "^centernet_512x512 +multi +centernet +512x512 .* ok$" models.out &&
	test_grep -E "^ppocr_det +text +db +640x640 .* ok$" models.out &&
	test_grep -E "^ppocr_det_640x384 +text +db +640x384 .* ok$" models.out &&
	test_grep -E "^ppocr_det_640x480 +text +db +640x480 .* ok$" models.out &&
	test_grep -E "^ppocr_det_640x640 +text +db +640x640 .* ok$" models.out &&
	# one column for every name, however long
	awk "{ at = index(\$0, \" \" \$2 \" \"); if (NR > 1 && at != first) { print \"misaligned: \" \$0; exit 1 }
	       first = at }" models.out
'

test_expect_success 'clips of three shapes' '
	ffmpeg -v error -f lavfi -i testsrc2=size=1280x720:rate=5 -frames:v 4 -pix_fmt yuv420p wide.mp4 &&
	ffmpeg -v error -f lavfi -i testsrc2=size=640x480:rate=5 -frames:v 4 -pix_fmt yuv420p pal.mp4 &&
	ffmpeg -v error -f lavfi -i testsrc2=size=360x640:rate=5 -frames:v 4 -pix_fmt yuv420p tall.mp4
'

test_expect_success 'a 16:9 clip runs centernet_512x288' '
	ran wide family.ini centernet_512x288
'

test_expect_success 'a 4:3 clip runs centernet_512x384' '
	ran pal family.ini centernet_512x384
'

test_expect_success 'a portrait clip runs the square centernet' '
	ran tall family.ini centernet
'

test_expect_success 'a recipe that names centernet_384x288 runs it on any frame' '
	ran wide named.ini centernet_384x288
'

test_expect_success 'centernet_512x512 pins the square network on a 16:9 clip' '
	ran wide square.ini centernet_512x512
'

test_expect_success 'text: a 16:9 clip runs ppocr_det_640x384, a 4:3 one ppocr_det_640x480' '
	ran wide text.ini ppocr_det_640x384 text &&
	ran pal text.ini ppocr_det_640x480 text &&
	ran tall text.ini ppocr_det text
'

test_expect_success 'ppocr_det_640x640 pins the square text network on a 16:9 clip' '
	ran wide textsquare.ini ppocr_det_640x640 text
'

test_done

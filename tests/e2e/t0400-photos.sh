#!/bin/sh
# SPDX-License-Identifier: MIT
# t0400-photos.sh - JPEG and PNG inputs: same format out, every face hidden, no metadata left.
#
# face-api's sample1..6.jpg (their faces annotated in tests/data/faces) run
# through recipes/disclosure.ini as photos: each export is a JPEG again
# (STEM.anon.jpg), every annotated face lies in pixelated cells
# (face-cover photo).  Made at test time with tests/tools/photo_meta.py: a
# JPEG dressed in EXIF (GPS, a thumbnail, Orientation), XMP, an ICC profile,
# a Photoshop IRB and a comment, and a PNG with tEXt, zTXt, iTXt, iCCP,
# eXIf and tIME: the exports carry none of it (their segments and chunks
# listed, their bytes searched for the planted strings).  EXIF-rotated
# JPEGs (Orientation 6, and the mirrored 5) come out upright with no
# Orientation left; a truncated and a corrupt JPEG are refused like a
# truncated video (exit 4, one line); the bundles verify.
. "$(dirname "$0")/../lib.sh"

ROOT=$(cd "$LIB_DIR/.." && pwd)
: "${OBSCURA_MODEL_DIR:=$ROOT/build/models}"
export OBSCURA_MODEL_DIR
RECIPE=$ROOT/recipes/disclosure.ini
META="$PYTHON $ROOT/tests/tools/photo_meta.py"
TRUTH=$ROOT/tests/data/faces

# psnr A B: the luma PSNR (dB) of picture B against picture A.
psnr() {
	ffmpeg -nostdin -v info -i "$1" -i "$2" -lavfi "[0:v][1:v]psnr" -f null - >psnr.log 2>&1 &&
	sed -n "s/.*PSNR y:\([0-9.inf]*\).*/\1/p" psnr.log
}

test_expect_success 'setup: face-api samples, dressed and rotated copies, a PNG, broken JPEGs' '
	test_path_is_file "$FACE_SAMPLES/sample1.jpg"
	mkdir in
	for i in 1 2 3 4 5 6; do cp "$FACE_SAMPLES/sample$i.jpg" in/; done
	ffmpeg -nostdin -v error -i in/sample1.jpg -vf scale=160:-2 thumb.jpg
	$META jpeg in/sample1.jpg dressed.jpg 1 thumb.jpg
	$META list dressed.jpg >dressed.list
	test_grep "APP1 Exif" dressed.list
	test_grep "APP2 ICC_PROFILE" dressed.list
	test_grep "^COM" dressed.list
	ffprobe -v error -show_frames dressed.jpg >dressed.probe
	test_grep "GPSLatitude" dressed.probe
	ffmpeg -nostdin -v error -i in/sample1.jpg -vf transpose=cclock -q:v 2 turned.jpg
	$META jpeg turned.jpg rot6.jpg 6
	ffmpeg -nostdin -v error -i in/sample1.jpg -vf transpose=cclock_flip -q:v 2 flipped.jpg
	$META jpeg flipped.jpg rot5.jpg 5
	ffmpeg -nostdin -v error -i in/sample2.jpg plain.png
	$META png plain.png pic.png 1
	$META list pic.png >dressed.all
	sort -u dressed.all >dressed.chunks
	for c in tEXt zTXt iTXt iCCP eXIf tIME; do test_grep "^$c\$" dressed.chunks || return 1; done
	sz=$(wc -c <in/sample3.jpg)
	head -c $((sz / 2)) in/sample3.jpg >cut.jpg
	cp in/sample4.jpg corrupt.jpg
	"$PYTHON" -c "import random
random.seed(1)
f = open(\"corrupt.jpg\", \"r+b\"); f.seek($(wc -c <in/sample4.jpg) // 2)
f.write(bytes(random.randrange(0, 255) for _ in range(4000)))"
	cp dressed.jpg "img%03d.jpg"
	sha256 in/* dressed.jpg rot6.jpg rot5.jpg pic.png cut.jpg corrupt.jpg "img%03d.jpg" >inputs.sha256
	"$OBSCURA" keygen --no-passphrase -o k >/dev/null
'

test_expect_success 'disclosure recipe on six photos: JPEG out, every annotated face hidden, bundles verify' '
	"$OBSCURA" run -q --no-progress --key k.key --json -r "$RECIPE" -o out in/sample*.jpg >run.json
	for i in 1 2 3 4 5 6; do
		test_path_is_file out/sample$i.anon.jpg &&
		test_path_is_file out/sample$i.tracks.h5 &&
		"$TOOLS/face-cover" photo "$RECIPE" out/sample$i.anon.jpg "$TRUTH" $i >>cover || return 1
	done
	cat cover
	awk "{ faces += \$3; left += \$5 }
	     END { if (faces != 22) { print faces \" faces, 22 annotated\"; exit 1 }
		   if (left) { print left \" face pixels left\"; exit 1 } }" cover
	"$OBSCURA" verify -p k.pub out/sample*.jpg.obscura.tar
	json_get "
for j in d[\"jobs\"]:
    assert j[\"status\"] == \"ok\" and j[\"media\"] == \"image\" and j[\"photo\"] == \"jpeg\", j
    assert j[\"frames\"] == 1 and j[\"media_seconds\"] is None and j[\"audio_kept\"] is False, j
    assert j[\"tracks_hidden\"] >= 3 and j[\"tracks_hidden\"] == j[\"tracks_count\"], j
    assert j[\"analytics\"][\"duration\"] is None and j[\"analytics\"][\"fps\"] is None, j[\"analytics\"]
    assert j[\"output\"].endswith(\".anon.jpg\"), j" <run.json
'

test_expect_success 'the unpixelated input fails the same check (the check can fail)' '
	"$TOOLS/face-cover" photo "$RECIPE" in/sample1.jpg "$TRUTH" 1 >raw 2>/dev/null
	awk "{ if (\$5 < \$4 / 2) { print; exit 1 } }" raw
'

test_expect_success 'no metadata of the input left: JPEG has only JFIF, tables, frame, scan' '
	"$OBSCURA" run -q --no-progress --unsigned --json -r "$RECIPE" -o meta dressed.jpg pic.png >meta.json
	$META list meta/dressed.anon.jpg >out.list
	printf "%s\n" SOI "APP0 JFIF" DQT DHT SOF0 SOS EOI >want.list
	test_cmp want.list out.list
	$META secrets meta/dressed.anon.jpg >left.txt
	test_must_be_empty left.txt
	test_grep_not -c -a -e Exif -e ICC_PROFILE -e "ns.adobe.com" -e Lavc meta/dressed.anon.jpg
	"$TOOLS/face-cover" photo "$RECIPE" meta/dressed.anon.jpg "$TRUTH" 1 >c1
	awk "{ if (\$5) exit 1 }" c1
'

test_expect_success 'a second image after EOI (as phones append, MPF) is dropped, not decoded' '
	"$PYTHON" -c "import struct
d = open(\"dressed.jpg\", \"rb\").read()
mpf = b\"MPF\\0II*\\0\\x08\\0\\0\\0\"
open(\"twice.jpg\", \"wb\").write(d[:2] + struct.pack(\">BBH\", 0xFF, 0xE2, len(mpf) + 2) + mpf + d[2:] + d)"
	"$OBSCURA" run -q --no-progress --unsigned -r "$RECIPE" -o twice twice.jpg
	$META list twice/twice.anon.jpg >twice.list
	test_cmp want.list twice.list
	test_eq 1 "$(grep -c -a JFIF twice/twice.anon.jpg)"
	tar xOf twice/twice.jpg.obscura.tar manifest.jsonl >twice.jsonl
	test_grep -F "\"key\":\"data after EOI\"" twice.jsonl
'

test_expect_success 'JPEGs one after another with no MPF index: refused as a photo, a video when named .mjpeg' '
	cat dressed.jpg dressed.jpg >stream.jpg
	test_must_fail_with 4 "$OBSCURA" run --no-progress --unsigned -o stream stream.jpg
	test_grep -F "stream.jpg: JPEG images one after another (motion JPEG), not a photo" stderr
	cp stream.jpg stream.mjpeg
	"$OBSCURA" run -q --no-progress --unsigned --json -o stream stream.mjpeg >stream.json
	json_get "
j = d[\"jobs\"][0]
assert j[\"media\"] == \"video\" and j[\"frames\"] == 2 and j[\"output\"].endswith(\"stream.anon.mp4\"), j" <stream.json
'

test_expect_success 'no metadata of the input left: PNG has only IHDR, pHYs, IDAT, IEND, same size' '
	$META list meta/pic.anon.png >out.all
	sort -u out.all >out.chunks
	printf "%s\n" IDAT IEND IHDR pHYs >want.chunks
	test_cmp want.chunks out.chunks
	$META secrets meta/pic.anon.png >left.txt
	test_must_be_empty left.txt
	test_eq "1920x1367" "$(ffprobe -v error -show_entries stream=width,height -of csv=p=0:s=x meta/pic.anon.png)"
	"$TOOLS/face-cover" photo "$RECIPE" meta/pic.anon.png "$TRUTH" 2 >c2
	awk "{ if (\$5) exit 1 }" c2
'

test_expect_success 'the manifest names what was dropped, records an image, no duration' '
	tar xOf meta/dressed.jpg.obscura.tar manifest.jsonl >m.jsonl
	"$PYTHON" -c "import json
ev = [json.loads(l) for l in open(\"m.jsonl\")]
inp = [e[\"data\"] for e in ev if e[\"type\"] == \"input\"][0]
end = [e[\"data\"] for e in ev if e[\"type\"] == \"end\"][0]
keys = {t[\"key\"] for t in inp[\"dropped_tags\"] if t[\"scope\"] == \"image\"}
want = {\"APP0 JFIF\", \"APP1 Exif\", \"EXIF GPS\", \"EXIF thumbnail\", \"APP2 ICC_PROFILE\", \"APP13 Photoshop 3.0\", \"COM\"}
assert want <= keys, keys
assert not [k for k in keys if \"SECRET\" in k], keys
assert inp[\"media\"] == \"image\" and inp[\"duration\"] is None and inp[\"image\"][\"format\"] == \"jpeg\", inp
assert end[\"media\"] == \"image\" and end[\"frames\"] == 1 and end[\"audio_kept\"] is False, end
outs = [e[\"data\"][\"name\"] for e in ev if e[\"type\"] == \"output\"]
assert \"dressed.anon.jpg\" in outs, outs"
	tar xOf meta/pic.png.obscura.tar manifest.jsonl >p.jsonl
	"$PYTHON" -c "import json
ev = [json.loads(l) for l in open(\"p.jsonl\")]
inp = [e[\"data\"] for e in ev if e[\"type\"] == \"input\"][0]
keys = {t[\"key\"] for t in inp[\"dropped_tags\"] if t[\"scope\"] == \"image\"}
assert {\"tEXt Comment\", \"zTXt Author\", \"iTXt XML:com.adobe.xmp\", \"iCCP\", \"eXIf\", \"tIME\"} <= keys, keys
assert inp[\"image\"][\"format\"] == \"png\", inp"
'

test_expect_success 'EXIF-rotated JPEGs (6, and mirrored 5) come out upright, with no Orientation' '
	"$OBSCURA" run -q --no-progress --unsigned -r "$RECIPE" -o rot rot6.jpg rot5.jpg in/sample1.jpg
	for r in rot6 rot5; do
		test_eq "1920x1280" "$(ffprobe -v error -show_entries stream=width,height -of csv=p=0:s=x rot/$r.anon.jpg)" &&
		ffprobe -v error -show_frames rot/$r.anon.jpg >$r.probe &&
		test_grep_not -i orientation $r.probe &&
		"$TOOLS/face-cover" photo "$RECIPE" rot/$r.anon.jpg "$TRUTH" 1 >$r.cover &&
		awk "{ if (\$5) exit 1 }" $r.cover &&
		p=$(psnr rot/sample1.anon.jpg rot/$r.anon.jpg) &&
		echo "$r: $p dB against the upright export" &&
		awk -v p="$p" "BEGIN { exit !(p > 20) }" || return 1
	done
	tar xOf rot/rot5.jpg.obscura.tar manifest.jsonl >m5.jsonl
	grep "\"type\":\"input\"" m5.jsonl >in5
	test_grep "\"orientation\":5" in5
	test_grep "\"mirrored\":true" in5
'

test_expect_success 'a phone photo (Debian forensics sample: Orientation 3, GPS, thumbnail): upright, none of it left' '
	PHONE=/usr/share/forensics-samples/original-files/pic2/IMG_20200124_231153.jpg
	test_path_is_file "$PHONE"
	"$OBSCURA" run -q --no-progress --unsigned -o phone "$PHONE"
	$META list phone/IMG_20200124_231153.anon.jpg >phone.list
	printf "%s\n" SOI "APP0 JFIF" DQT DHT SOF0 SOS EOI >want.list
	test_cmp want.list phone.list
	tar xOf phone/IMG_20200124_231153.jpg.obscura.tar manifest.jsonl >phone.jsonl
	"$PYTHON" -c "import json
ev = [json.loads(l) for l in open(\"phone.jsonl\")]
inp = [e[\"data\"] for e in ev if e[\"type\"] == \"input\"][0]
keys = {t[\"key\"] for t in inp[\"dropped_tags\"]}
assert {\"APP1 Exif\", \"EXIF GPS\", \"EXIF thumbnail\"} <= keys, keys
assert inp[\"rotation\"] == 180 and inp[\"image\"][\"orientation\"] == 3, inp"
	ffmpeg -nostdin -v error -noautorotate -i "$PHONE" -vf hflip,vflip -q:v 2 upright.jpg
	p=$(psnr upright.jpg phone/IMG_20200124_231153.anon.jpg)
	echo "$p dB against the input turned by hand"
	awk -v p="$p" "BEGIN { exit !(p > 30) }"
'

test_expect_success 'redact a photo from its tracks file, one face kept visible: the others stay hidden' '
	FACES=$ROOT/recipes/faces-only.ini
	"$OBSCURA" run -q --no-progress --unsigned -r "$FACES" -o first in/sample1.jpg
	"$OBSCURA" inspect --mot first.csv --class face first/sample1.tracks.h5 >/dev/null
	id=$(awk -F, "\$3 > 352 && \$3 < 472 { print \$2 }" first.csv)
	test -n "$id"
	"$OBSCURA" redact -q --no-progress --unsigned --tracks first/sample1.tracks.h5 --keep "$id" -o second in/sample1.jpg
	test_path_is_file second/sample1.anon.jpg
	"$TOOLS/face-cover" photo "$FACES" second/sample1.anon.jpg "$TRUTH" 1 >kept 2>kept.faces
	test_line_count kept.faces 1
	test_grep "^face 412,354 " kept.faces
'

test_expect_success 'a truncated JPEG is refused as a truncated video is: exit 4, one line' '
	test_must_fail_with 4 "$OBSCURA" run --no-progress --unsigned -o cutout cut.jpg
	grep "^obscura: error: " stderr >errlines || true
	test_line_count errlines 1
	test_grep -F "cut.jpg: truncated: the JPEG ends inside its image data" errlines
	test_path_is_missing cutout/cut.anon.jpg
	test_path_is_missing cutout/cut.jpg.obscura.tar
	test_no_temp cutout
'

test_expect_success 'a corrupt JPEG is refused: exit 4, one line' '
	test_must_fail_with 4 "$OBSCURA" run --no-progress --unsigned -o badout corrupt.jpg
	grep "^obscura: error: " stderr >errlines || true
	test_line_count errlines 1
	test_grep -F "corrupt.jpg: corrupt: the jpeg decoder rejected its image data" errlines
	test_path_is_missing badout/corrupt.anon.jpg
'

test_expect_success 'a directory walk takes photos, skips their exports; a % in a name is no pattern' '
	mkdir -p walk/sub
	cp in/sample5.jpg walk/a.JPG
	cp pic.png walk/sub/b.png
	cp "img%03d.jpg" walk/
	cp meta/dressed.anon.jpg walk/old.anon.jpg
	echo notes >walk/notes.txt
	"$OBSCURA" run -q --no-progress --unsigned --json -o walkout walk >walk.json
	json_get "
ins = sorted(j[\"input\"].split(\"/\")[-1] for j in d[\"jobs\"])
assert ins == [\"a.JPG\", \"b.png\", \"img%03d.jpg\"], ins
assert all(j[\"status\"] == \"ok\" for j in d[\"jobs\"]), d" <walk.json
	test_path_is_file walkout/a.anon.jpg
	test_path_is_file walkout/b.anon.png
	test_path_is_file "walkout/img%03d.anon.jpg"
'

test_expect_success 'inputs never modified' '
	sha256sum -c --quiet inputs.sha256
'

test_done

#!/bin/sh
# SPDX-License-Identifier: MIT
# t0301-hostile-more.sh - more hostile inputs of issue 13: damaged and edited
# tracks files given to `redact` (exit 9 before any job), duplicate recipe
# keys, keys and recipes owned by another user, an empty input directory,
# odd and tiny frame sizes, truncated and damaged Matroska, kept audio's
# encoder string.
# Each case ends with its documented exit status, one error line naming the
# file, nothing that looks finished, and inputs byte-identical.
. "$(dirname "$0")/../lib.sh"

# no_outputs DIR STEM: nothing of STEM in DIR looks finished.
no_outputs() {
	test_path_is_missing "$1/$2.anon.mp4"
	test_path_is_missing "$1/$2.tracks.h5"
	test_path_is_missing "$1/$2.mp4.obscura.tar"
	if [ -d "$1" ]; then
		test_no_temp "$1"
	fi
}

# patch FILE OFFSET BYTES: overwrite BYTES bytes of FILE at OFFSET (negative: from the end) with 0xff.
patch() {
	python3 - "$@" <<-'EOF'
	import os, sys
	path, off, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
	if off < 0:
	    off += os.path.getsize(path)
	with open(path, "r+b") as f:
	    f.seek(off)
	    f.write(b"\xff" * n)
	EOF
}

# replace FILE OLD NEW: replace the one OLD in FILE's bytes by NEW (same length).
replace() {
	python3 - "$@" <<-'EOF'
	import sys
	path, old, new = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode()
	d = open(path, "rb").read()
	assert len(old) == len(new) and d.count(old) == 1, "not found once"
	open(path, "wb").write(d.replace(old, new))
	EOF
}

test_expect_success 'setup: a clip, its tracks file from a recipe, a synthetic tracks file' '
	ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 -frames:v 25 \
		-c:v libx264 -preset ultrafast -pix_fmt yuv420p base.mp4
	make_recipe r.ini "[pixelate]" "block = 16"
	"$OBSCURA" run --no-progress -q --unsigned -r r.ini -o t base.mp4
	"$TOOLS/mktracks" m.h5
	sha256 base.mp4 r.ini m.h5 t/base.tracks.h5 >inputs.sha256
'

# ---- redact --tracks: a file that is not a sound tracks file is exit 9, before any job ----

# heap_object_size FILE SIZE: the size field of the first object of FILE's
# first HDF5 global heap collection ("GCOL": signature, version, 3 reserved
# bytes, collection size; then per object index, refcount, reserved, size).
heap_object_size() {
	python3 - "$@" <<-'EOF'
	import struct, sys
	path, size = sys.argv[1], int(sys.argv[2])
	d = bytearray(open(path, "rb").read())
	g = d.find(b"GCOL")
	assert g >= 0 and d.find(b"obscura-tracks", g) == g + 32, "no global heap holding the format"
	d[g + 24:g + 32] = struct.pack("<Q", size)
	open(path, "wb").write(d)
	EOF
}

test_expect_success 'setup: damaged and edited tracks files' '
	head -c 3000 t/base.tracks.h5 >trunc.h5
	head -c 20000 /dev/urandom >garbage.h5
	printf "not hdf5\n" >text.h5
	# an HDF5 file of another schema
	printf "1 2 3 4\n" >data.txt
	printf "PATH /x\nINPUT-CLASS TEXTIN\nRANK 1\nDIMENSION-SIZES 4\n" >data.cfg
	h5import data.txt -c data.cfg -o other.h5
	# /detections and /frames are compressed chunks, written last and before it:
	# damage the middle of each
	cp m.h5 rows.h5
	patch rows.h5 -1000 64
	cp m.h5 frames.h5
	patch frames.h5 9200 64
	# the recipe attribute edited, its recorded SHA-256 left alone
	cp t/base.tracks.h5 edited.h5
	replace edited.h5 "block = 16" "block = 64"
	# the global heap object of the string attribute read first (format):
	# a size that wraps makes libhdf5 1.10.8 loop for ever, a huge one crash it
	cp t/base.tracks.h5 hang.h5
	heap_object_size hang.h5 18446744073709551600
	cp t/base.tracks.h5 crash.h5
	heap_object_size crash.h5 8589934592
'

while read -r file why; do
	test_expect_success "redact --tracks $file ($why): exit 9, one line naming it" "
		test_must_fail_with 9 \"\$OBSCURA\" redact --no-progress --unsigned --tracks $file -o o base.mp4
		one_error_line stderr '$file: '
		no_outputs o base
		test_must_fail_with 9 \"\$OBSCURA\" redact --no-progress --unsigned -r r.ini --tracks $file -o o base.mp4
		one_error_line stderr '$file: '
		no_outputs o base
	"
done <<'EOF'
trunc.h5 truncated
garbage.h5 random bytes
text.h5 text
other.h5 another HDF5 schema
rows.h5 damaged detections
frames.h5 damaged frames
edited.h5 recipe edited
crash.h5 a heap that crashes libhdf5
EOF

test_expect_success 'a heap that makes libhdf5 loop for ever: inspect and redact give up in bounded time, exit 9' '
	test_must_fail_with 9 timeout 120 "$OBSCURA" inspect hang.h5
	one_error_line stderr "hang.h5: damaged: reading it did not finish within 10 s of CPU time"
	test_must_fail_with 9 timeout 120 "$OBSCURA" redact --no-progress --unsigned --tracks hang.h5 -o o base.mp4
	one_error_line stderr "hang.h5: damaged: reading it did not finish"
	no_outputs o base
'

test_expect_success 'a heap that crashes libhdf5: inspect says so in one line, exit 9' '
	test_must_fail_with 9 "$OBSCURA" inspect crash.h5
	one_error_line stderr "crash.h5: damaged: reading it crashed libhdf5"
'

test_expect_success 'the edited recipe is named as such' '
	test_must_fail_with 9 "$OBSCURA" redact --no-progress --unsigned --tracks edited.h5 -o o base.mp4
	test_grep -F "edited.h5: attribute '\''recipe'\'' does not match '\''recipe_sha256'\''" stderr
'

test_expect_success 'the sound tracks file still redacts' '
	"$OBSCURA" redact --no-progress -q --unsigned --tracks t/base.tracks.h5 -o good base.mp4
	test_path_is_file good/base.anon.mp4
'

# ---- keys owned by another user; an empty input directory ----

test_expect_success 'a key or passphrase file owned by another user: exit 2, one line naming it' '
	"$OBSCURA" keygen --no-passphrase -o k >/dev/null
	cp k.key theirs.key
	if chown 65534 theirs.key 2>/dev/null; then
		test_must_fail_with 2 "$OBSCURA" run --no-progress --key theirs.key -o ko base.mp4
		one_error_line stderr "theirs.key: secret key is owned by uid 65534"
		no_outputs ko base
		chown 0 theirs.key
		"$OBSCURA" run --no-progress -q --key theirs.key -o kr base.mp4
		test_path_is_file kr/base.mp4.obscura.tar
	else
		echo "# not root: cannot give a file to another user, skipped"
	fi
'

test_expect_success 'a recipe owned by another user is used, and recorded' '
	cp r.ini theirs.ini
	chown 65534 theirs.ini 2>/dev/null || true
	"$OBSCURA" run --no-progress -q --unsigned -r theirs.ini -o ro base.mp4
	test_path_is_file ro/base.anon.mp4
'

test_expect_success 'an empty input directory: exit 4, one line naming it' '
	mkdir empty
	test_must_fail_with 4 "$OBSCURA" run --no-progress --unsigned -o eo empty
	one_error_line stderr "empty: no video or photo files in this directory"
	test_dir_is_empty eo
'

# ---- odd and tiny frame sizes: padded to even, recorded, never refused ----

# raw_clip SIZE FILE ENCODER...: 10 frames of random RGB at SIZE (WxH).
raw_clip() {
	_w=${1%x*}
	_h=${1#*x}
	_out=$2
	shift 2
	head -c $((_w * _h * 3 * 10)) /dev/urandom >raw.rgb
	ffmpeg -nostdin -v error -f rawvideo -pix_fmt rgb24 -s "$_w"x"$_h" -r 25 -i raw.rgb "$@" "$_out"
}

while read -r size padded file; do
	test_expect_success "a $size input ($file) exports at $padded, the padding recorded" "
		raw_clip $size $file -c:v ffv1
		sha256 $file >odd.sha256
		\"\$OBSCURA\" run --no-progress -q --unsigned -o odd-$size $file
		ffprobe -v error -select_streams v -show_entries stream=width,height -of csv=p=0 \
			odd-$size/${file%.*}.anon.mp4 >dims
		test_eq '${padded%x*},${padded#*x}' \"\$(cat dims)\" 'export size'
		tar xOf odd-$size/$file.obscura.tar --wildcards '*manifest*' >odd.manifest
		python3 -c 'import json, sys
ev = [json.loads(l) for l in open(\"odd.manifest\")]
inp = [e[\"data\"] for e in ev if e[\"type\"] == \"input\"][0]
w, h = \"$size\".split(\"x\")
want = {\"right\": int(w) % 2, \"bottom\": int(h) % 2}
got = inp.get(\"padded\", {\"right\": 0, \"bottom\": 0})
assert got == want, (got, want)
assert (inp[\"width\"], inp[\"height\"]) == tuple(int(x) for x in \"$padded\".split(\"x\")), inp'
		\"\$OBSCURA\" redact --no-progress -q --unsigned --tracks odd-$size/${file%.*}.tracks.h5 -o odd-r-$size $file
		test_path_is_file odd-r-$size/${file%.*}.anon.mp4
		sha256sum -c --quiet odd.sha256
	"
done <<'EOF'
7x5 8x6 odd75.mkv
1x1 2x2 odd11.mkv
2x2 2x2 even22.mkv
3x4 4x4 odd34.mkv
EOF

# ---- truncated and damaged videos: refused, or exported with what was lost counted ----

test_expect_success 'setup: a 30-frame Matroska clip, cut short and damaged inside' '
	ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 -frames:v 30 \
		-c:v libx264 -preset ultrafast -g 10 -pix_fmt yuv420p whole.mkv
	sz=$(wc -c <whole.mkv)
	head -c $((sz / 3)) whole.mkv >cut.mkv
	cp whole.mkv holed.mkv
	python3 -c "f = open(\"holed.mkv\", \"r+b\"); f.seek($sz // 3); f.write(bytes(6000))"
	sha256 whole.mkv cut.mkv holed.mkv >mkv.sha256
'

test_expect_success 'a truncated MKV is refused as a truncated MP4 is: exit 4, one line naming it' '
	test_must_fail_with 4 "$OBSCURA" run --no-progress --unsigned -o cutout cut.mkv
	one_error_line stderr "cut.mkv: truncated: "
	test_grep -F "of the duration the container declares are missing" stderr
	no_outputs cutout cut
	test_path_is_missing cutout/cut.mkv.obscura.tar
	sha256sum -c --quiet mkv.sha256
'

test_expect_success 'frames lost inside an MKV are counted, recorded and reported' '
	"$OBSCURA" run --no-progress --json --unsigned -o holeout holed.mkv >holed.json 2>holed.err
	test_grep "^obscura: warning: holed.mkv: [1-9][0-9]* frames lost to corruption" holed.err
	tar xOf holeout/holed.mkv.obscura.tar --wildcards "*manifest*" >holed.manifest
	python3 -c "import json
ev = [json.loads(l) for l in open(\"holed.manifest\")]
w = [e[\"data\"] for e in ev if e[\"type\"] == \"warning\" and e[\"data\"][\"kind\"] == \"frames_lost\"]
j = json.load(open(\"holed.json\"))[\"jobs\"][0]
assert len(w) == 1 and w[0][\"count\"] == j[\"frames_lost\"] > 0, (w, j)
assert j[\"frames\"] + j[\"frames_lost\"] == 30, j"
	"$OBSCURA" run --no-progress --json --unsigned -o wholeout whole.mkv >whole.json 2>whole.err
	test_grep_not "frames lost" whole.err
	sha256sum -c --quiet mkv.sha256
'

test_expect_success 'audio longer than the video is no truncation, audio dropped or kept' '
	ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25:d=1 -f lavfi -i sine=d=3 \
		-c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac longaudio.mkv
	"$OBSCURA" run --no-progress -q --unsigned -o la1 longaudio.mkv 2>la.err
	test_grep_not "warning" la.err
	make_recipe keepa.ini "[streams]" "audio = keep"
	"$OBSCURA" run --no-progress -q --unsigned -r keepa.ini -o la2 longaudio.mkv
	test_path_is_file la1/longaudio.anon.mp4
	test_path_is_file la2/longaudio.anon.mp4
'

# ---- audio = keep: no encoder string of the source's maker rides along ----

test_expect_success 'kept AAC audio: the Lavc version string is blanked, the sound unchanged, recorded' '
	ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 -f lavfi -i sine=d=1 -t 1 \
		-c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac sound.mp4
	grep -c -a "Lavc[0-9]" sound.mp4 >n.src
	test "$(cat n.src)" -gt 0
	make_recipe keep.ini "[streams]" "audio = keep"
	"$OBSCURA" run --no-progress -q --unsigned -r keep.ini -o snd sound.mp4
	grep -c -a "Lavc" snd/sound.anon.mp4 >n.out || true
	test_eq 0 "$(cat n.out)" "Lavc strings in the export"
	ffmpeg -v error -i sound.mp4 -map 0:a -f md5 - >md5.src
	ffmpeg -v error -i snd/sound.anon.mp4 -map 0:a -f md5 - >md5.out
	test_cmp md5.src md5.out
	tar xOf snd/sound.mp4.obscura.tar --wildcards "*manifest*" >snd.manifest
	test_grep -F "\"audio_encoder_blanked\":true" snd.manifest
'

test_expect_success 'inputs are unmodified after everything' '
	sha256sum -c --quiet inputs.sha256
'

test_done

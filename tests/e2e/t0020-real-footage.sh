#!/bin/sh
# SPDX-License-Identifier: MIT
# t0020-real-footage.sh - footage nobody here made, from Debian packages:
# opencv-doc's vtest.avi (msmpeg4 CCTV), forensics-samples-files' 1080p phone
# video (GPS location, Android version, creation time, AAC audio) and
# movie-hello in four containers.  Frame counts and timestamps equal to the
# input, no identifying tag anywhere, no audio by default, zones pixelated.
. "$(dirname "$0")/../lib.sh"

VTEST=/usr/share/doc/opencv-doc/examples/data/vtest.avi
PHONE=/usr/share/forensics-samples/original-files/movie1/VID_20191220_170832.mp4
M2=/usr/share/forensics-samples/original-files/movie2
ZONE=0.05,0.05,0.45,0.45

for f in "$VTEST" "$PHONE" "$M2/movie-hello.avi"; do
	if [ ! -f "$f" ]; then
		echo "t0020: $f missing: install opencv-doc and forensics-samples-files (make deps)" >&2
		exit 1
	fi
done

# export_of INPUT: the export's name as the batch below names it.
export_of() {
	case $1 in
	"$VTEST") echo out/vtest.anon.mp4 ;;
	"$PHONE") echo out/VID_20191220_170832.anon.mp4 ;;
	*/movie-hello.avi) echo out/movie-hello.anon.mp4 ;;
	*/movie-hello.mp4) echo out/movie-hello-2.anon.mp4 ;;
	*/movie-hello.mpeg) echo out/movie-hello-3.anon.mp4 ;;
	*/movie-hello.ogg) echo out/movie-hello-4.anon.mp4 ;;
	esac
}
INPUTS="$VTEST $PHONE $M2/movie-hello.avi $M2/movie-hello.mp4 $M2/movie-hello.mpeg $M2/movie-hello.ogg"

# video_size FILE: WIDTHxHEIGHT of the first video stream.
video_size() {
	ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of json "$1" >size.json ||
		return 1
	json_get "s = d[\"streams\"][0]; print(\"%dx%d\" % (s[\"width\"], s[\"height\"]))" <size.json
}

# no_identifying_tags FILE: nothing of the phone's metadata, in ffprobe's
# view (format, streams, chapters) nor in the file's bytes.
no_identifying_tags() {
	probe_json "$1" >tags.json || return 1
	json_get "
def tags(o): return {k.lower(): v for k, v in o.get('tags', {}).items()}
objs = [d['format']] + d.get('streams', []) + d.get('chapters', [])
for o in objs:
	for k, v in tags(o).items():
		for bad in ('location', 'creation_time', 'com.android', 'date', 'make', 'model', 'gps', 'xyz'):
			assert bad not in k, '$1: tag %s=%s' % (k, v)
assert not d.get('chapters'), d['chapters']
assert 'Obscura' in tags(d['format']).get('comment', ''), 'no Obscura label'" <tags.json || return 1
	for s in -15.8355 048.0153 com.android 2019-12-20; do
		if grep -a -q -e "$s" "$1"; then
			echo "$1: the bytes contain '$s'"
			return 1
		fi
	done
}

test_expect_success 'setup: the phone video really carries GPS, device, time tags and audio' '
	sha256 $INPUTS >inputs.sha256
	probe_json "$PHONE" >phone.json
	json_get "
t = d[\"format\"][\"tags\"]
for k in (\"location\", \"location-eng\", \"com.android.version\", \"creation_time\"):
	assert k in t, (k, t)
assert [s[\"codec_type\"] for s in d[\"streams\"]] == [\"video\", \"audio\"]" <phone.json
	make_recipe corner.ini "[pixelate]" "block = 16" "noise = 12" \
		"[exclude \"corner\"]" "polygon = 0.05,0.05 0.45,0.05 0.45,0.45 0.05,0.45"
'

test_expect_success 'one batch of all six files (-j 2, --json): exit 0, six ok' '
	"$OBSCURA" run --unsigned -j 2 --json -r corner.ini -o out $INPUTS >summary.json 2>err
	json_get "
assert d[\"ok\"] == 6 and d[\"failed\"] == 0, (d[\"ok\"], d[\"failed\"])
assert [j[\"status\"] for j in d[\"jobs\"]] == [\"ok\"] * 6" <summary.json
	test_grep "6 jobs: 6 ok, 0 failed" err
	test_no_temp out
'

test_expect_success 'frame counts equal ffprobe -count_frames of each input (and the summary)' '
	i=0
	for f in $INPUTS; do
		want=$(probe_frames "$f")
		test_eq "$want" "$(probe_frames "$(export_of "$f")")" "frames of $f"
		test_eq "$want" "$(json_get "print(d[\"jobs\"][$i][\"frames\"])" <summary.json)" "summary frames of $f"
		i=$((i + 1))
	done
'

test_expect_success 'timestamps of every frame equal the input within 1 ms' '
	for f in $INPUTS; do
		test_same_times "$f" "$(export_of "$f")"
	done
'

test_expect_success 'frame size kept (no rotation in these files)' '
	for f in $INPUTS; do
		a=$(video_size "$f")
		b=$(video_size "$(export_of "$f")")
		test_eq "$a" "$b" "size of $f"
	done
'

test_expect_success 'no GPS, device or creation_time tag anywhere in any export' '
	for f in $INPUTS; do
		no_identifying_tags "$(export_of "$f")"
	done
'

test_expect_success 'exactly one stream (H.264 video): no audio by default' '
	for f in $INPUTS; do
		probe_json "$(export_of "$f")" >streams.json
		json_get "
s = d[\"streams\"]
assert [(x[\"codec_type\"], x[\"codec_name\"]) for x in s] == [(\"video\", \"h264\")], s" <streams.json
	done
'

test_expect_success 'vtest.avi: zone cells uniform in all 795 frames, PSNR outside > 30 dB' '
	framecmp -z $ZONE -b 16 -s 3 -p 30 "$VTEST" out/vtest.anon.mp4
	test_grep "^frames 795 795$" cmp
'

test_expect_success 'movie-hello.mp4 (720p, a real face): zone uniform, PSNR outside > 30 dB' '
	framecmp -z $ZONE -b 16 -s 3 -p 30 "$M2/movie-hello.mp4" out/movie-hello-2.anon.mp4
'

test_expect_success 'phone video with audio = keep: AAC kept, metadata still gone' '
	make_recipe keep.ini "[streams]" "audio = keep"
	"$OBSCURA" run --unsigned -q -r keep.ini -o keep "$PHONE"
	f=keep/VID_20191220_170832.anon.mp4
	no_identifying_tags $f
	probe_json $f >keep.json
	json_get "
s = d[\"streams\"]
assert sorted(x[\"codec_type\"] for x in s) == [\"audio\", \"video\"], s
assert [x[\"codec_name\"] for x in s if x[\"codec_type\"] == \"audio\"] == [\"aac\"]" <keep.json
	test_eq "$(probe_frames "$PHONE")" "$(probe_frames $f)" "frames"
'

test_expect_success 'the inputs are unmodified' '
	sha256sum -c --quiet inputs.sha256
'

test_done

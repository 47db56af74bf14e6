#!/bin/sh
# SPDX-License-Identifier: MIT
# t0010-synthetic.sh - clips made here with ffmpeg's lavfi sources: frame
# counts and timestamps (CFR and VFR), zone pixelation, solid style, rotated
# phone-style input, and what the export carries (streams, tags, chapters).
. "$(dirname "$0")/../lib.sh"

ZONE=0.25,0.25,0.75,0.75
# Irregular timestamps (ms): a 17 ms hiccup every third frame, a 300 ms gap
# after frame 20, and a last frame 5 ms late.
VFR_PTS="settb=1/1000,setpts=(N*40+floor(N/3)*17+gt(N\,20)*300+eq(N\,49)*5)/1000/TB"
SECRETS="SecretCam SecretMic John.Doe 48.8577 002.2950 2020-01-01 SecretName com.android Lavf5 Lavc5"
# A kept AAC stream is copied verbatim, and FFmpeg's AAC encoder wrote its own
# version string into the bitstream: only that one is allowed in the bytes.
SECRETS_AUDIO="SecretCam SecretMic John.Doe 48.8577 002.2950 2020-01-01 SecretName com.android Lavf5"

# mkclip OUT [ffmpeg output options...]: 50 frames of testsrc2, 320x240, H.264.
mkclip() {
	_o=$1
	shift
	ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 -frames:v 50 \
		-c:v libx264 -preset ultrafast -crf 12 -pix_fmt yuv420p "$@" "$_o"
}

# no_secrets FILE [LIST]: none of LIST (default $SECRETS) in what ffprobe
# reports (no exception there) nor in the bytes.
no_secrets() {
	probe_json "$1" >probe.json
	for s in $SECRETS; do
		test_grep_not -i "$s" probe.json
	done
	for s in ${2:-$SECRETS}; do
		if grep -a -q -i "$s" "$1"; then
			echo "$1: the bytes contain '$s'"
			return 1
		fi
	done
}

# check_carriage FILE NVIDEO NAUDIO: exactly these streams, nothing else, no
# chapters, the Obscura label, no tag but the label and the muxer's own.
check_carriage() {
	probe_json "$1" >carriage.json || return 1
	json_get "
streams = d.get('streams', [])
kinds = [s['codec_type'] for s in streams]
want = ['video'] * $2 + ['audio'] * $3
assert sorted(kinds) == sorted(want), 'streams %s, want %s' % (kinds, want)
assert not d.get('chapters'), 'chapters: %s' % d['chapters']
assert not d.get('programs'), 'programs: %s' % d['programs']
ftags = d['format'].get('tags', {})
assert 'Obscura' in ftags.get('comment', ''), 'no Obscura comment: %s' % ftags
muxer_own = {'major_brand', 'minor_version', 'compatible_brands', 'comment', 'encoder'}
extra = set(ftags) - muxer_own
assert not extra, 'container tags carried: %s' % extra
assert 'Lav' not in ftags.get('encoder', ''), 'encoder string: %s' % ftags
banned = ('location', 'creation_time', 'com.android', 'title', 'timecode', 'date', 'artist', 'make', 'model')
for s in streams:
	for k, v in s.get('tags', {}).items():
		assert not any(b in k.lower() for b in banned), 'stream %d carries tag %s=%s' % (s['index'], k, v)
	assert not s.get('side_data_list'), 'stream %d side data: %s' % (s['index'], s['side_data_list'])
	assert not s.get('disposition', {}).get('attached_pic'), 'attached picture'
" <carriage.json
}

test_expect_success 'setup: CFR, VFR, rotated and metadata-laden clips' '
	mkclip cfr.mp4
	mkclip vfr.mkv -vf "$VFR_PTS" -fps_mode passthrough
	mkclip vfr.mp4 -vf "$VFR_PTS" -fps_mode passthrough -video_track_timescale 1000
	ffmpeg -nostdin -v error -i cfr.mp4 -c copy -metadata:s:v:0 rotate=90 rot90.mp4
	ffmpeg -nostdin -v error -i cfr.mp4 -c copy -metadata:s:v:0 rotate=270 rot270.mp4
	printf "1\n00:00:00,000 --> 00:00:01,000\nJohn Doe, 12 Secret Street\n" >subs.srt
	printf ";FFMETADATA1\ntitle=Interview with John Doe\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1000\ntitle=Chapter SecretName\n" >meta.txt
	head -c 2000 /dev/urandom >font.ttf
	ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 \
		-f lavfi -i sine=frequency=440:sample_rate=48000 -i subs.srt -i meta.txt -attach font.ttf \
		-map 0:v -map 1:a -map 2:s -map_metadata 3 -map_chapters 3 -t 2 \
		-c:v libx264 -preset ultrafast -crf 12 -pix_fmt yuv420p -c:a aac -c:s srt \
		-metadata location=+48.8577+002.2950/ -metadata creation_time=2020-01-01T00:00:00Z \
		-metadata com.android.version=10 -metadata:s:v:0 handler_name=SecretCam \
		-metadata:s:v:0 title=SecretCamTitle -metadata:s:a:0 title=SecretMic \
		-metadata:s:t:0 mimetype=application/x-truetype-font -metadata:s:t:0 filename=font.ttf meta.mkv
	ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 \
		-f lavfi -i sine=frequency=440:sample_rate=48000 -t 2 \
		-c:v libx264 -preset ultrafast -crf 12 -pix_fmt yuv420p -c:a aac -timecode 01:02:03:04 \
		-movflags use_metadata_tags -metadata location=+48.8577+002.2950/ \
		-metadata creation_time=2020-01-01T00:00:00Z -metadata com.android.version=10 \
		-metadata:s:v:0 handler_name=SecretCam phone.mp4
	make_recipe zone.ini "[pixelate]" "block = 16" "noise = 12" \
		"[exclude \"middle\"]" "polygon = 0.25,0.25 0.75,0.25 0.75,0.75 0.25,0.75"
	make_recipe solid.ini "[pixelate]" "block = 16" "style = solid" "fill = black" \
		"[exclude \"middle\"]" "polygon = 0.25,0.25 0.75,0.25 0.75,0.75 0.25,0.75"
	make_recipe top.ini "[pixelate]" "block = 16" "[exclude \"top\"]" "polygon = 0,0 1,0 1,0.25 0,0.25"
	make_recipe keep.ini "[streams]" "audio = keep"
	make_recipe mkv.ini "[output]" "container = mkv" "[streams]" "audio = keep"
	sha256 *.mp4 *.mkv >inputs.sha256
'

test_expect_success 'the VFR fixtures really have irregular timestamps' '
	probe_times vfr.mkv >t
	test_line_count t 50
	# 21 -> 22 is the 300 ms gap, 48 -> 49 is 45 ms
	test_eq 1.240000 "$(sed -n 22p t)" "time of frame 21"
	awk "NR > 1 { d[sprintf(\"%.3f\", \$1 - p)] = 1 } { p = \$1 } END { n = 0; for (k in d) n++; exit n < 3 }" t
	probe_times vfr.mp4 >t2
	test_cmp t t2
'

test_expect_success 'run a zone recipe on the CFR and VFR clips (-j 2)' '
	"$OBSCURA" run --unsigned -q -j 2 -r zone.ini -o zone cfr.mp4 vfr.mkv vfr.mp4 2>err
	test_path_is_file zone/cfr.anon.mp4
	test_path_is_file zone/vfr.anon.mp4
	test_path_is_file zone/vfr-2.anon.mp4
	test_no_temp zone
'

test_expect_success 'CFR: same frame count and timestamps as the input' '
	test_eq 50 "$(probe_frames zone/cfr.anon.mp4)" "frames"
	test_same_times cfr.mp4 zone/cfr.anon.mp4
'

test_expect_success 'VFR (mkv input): same frame count and timestamps within 1 ms' '
	test_eq 50 "$(probe_frames zone/vfr.anon.mp4)" "frames"
	test_same_times vfr.mkv zone/vfr.anon.mp4
'

test_expect_success 'VFR (mp4 input, last frame off the grid): same frames and timestamps' '
	test_eq 50 "$(probe_frames zone/vfr-2.anon.mp4)" "frames"
	test_same_times vfr.mp4 zone/vfr-2.anon.mp4
'

test_expect_success 'zone cells uniform in every frame, PSNR outside > 30 dB (CFR)' '
	framecmp -z $ZONE -b 16 -s 3 -p 30 cfr.mp4 zone/cfr.anon.mp4
	test_grep "^frames 50 50$" cmp
	test_grep "^zone_cells 70$" cmp
'

test_expect_success 'zone cells uniform in every frame, PSNR outside > 30 dB (VFR)' '
	framecmp -z $ZONE -b 16 -s 3 -p 30 vfr.mkv zone/vfr.anon.mp4
	framecmp -z $ZONE -b 16 -s 3 -p 30 vfr.mp4 zone/vfr-2.anon.mp4
'

test_expect_success 'framecmp catches an export without pixelation (negative control)' '
	"$OBSCURA" run --unsigned -q -o plain cfr.mp4
	test_must_fail_with 1 "$TOOLS/framecmp" -z $ZONE -b 16 -s 3 -p 30 cfr.mp4 plain/cfr.anon.mp4
	test_grep "zone cell stddev" stdout
	# and without -z the untouched transcode is close to the input everywhere
	framecmp -p 30 cfr.mp4 plain/cfr.anon.mp4
'

test_expect_success 'the pixelated zone hides the detail: zone differs from the input' '
	framecmp -i $ZONE -p 30 cfr.mp4 zone/cfr.anon.mp4
	test_must_fail_with 1 "$TOOLS/framecmp" -p 30 cfr.mp4 zone/cfr.anon.mp4
	test_grep "PSNR outside zone" stdout
'

test_expect_success 'style = solid: zone cells at the black fill (Y = 16) in every frame' '
	"$OBSCURA" run --unsigned -q -r solid.ini -o solid cfr.mp4
	framecmp -z $ZONE -b 16 -s 1 -f 16 -p 30 cfr.mp4 solid/cfr.anon.mp4
	test_grep "^frames 50 50$" cmp
	# a wrong fill value must be noticed
	test_must_fail_with 1 "$TOOLS/framecmp" -z $ZONE -b 16 -f 235 cfr.mp4 solid/cfr.anon.mp4
'

test_expect_success 'rotated inputs really carry a display matrix' '
	for r in 90 270; do
		ffprobe -v error -select_streams v:0 -show_streams -of json rot$r.mp4 >rot$r.json
		json_get "
s = d[\"streams\"][0]
assert (s[\"width\"], s[\"height\"]) == (320, 240), s
rot = [x.get(\"rotation\") for x in s.get(\"side_data_list\", []) if x.get(\"side_data_type\") == \"Display Matrix\"]
assert rot and abs(rot[0]) == 90, rot" <rot$r.json
	done
'

test_expect_success 'rotated input: export is upright pixels, 240x320, no display matrix' '
	"$OBSCURA" run --unsigned -q -r top.ini -o rot rot90.mp4 rot270.mp4
	for r in 90 270; do
		ffprobe -v error -select_streams v:0 -show_streams -of json rot/rot$r.anon.mp4 >rot$r.anon.json
		json_get "
s = d[\"streams\"][0]
assert (s[\"width\"], s[\"height\"]) == (240, 320), (s[\"width\"], s[\"height\"])
assert not s.get(\"side_data_list\"), s[\"side_data_list\"]
assert \"rotate\" not in s.get(\"tags\", {}), s[\"tags\"]" <rot$r.anon.json
		test_eq 50 "$(probe_frames rot/rot$r.anon.mp4)" "frames of rot$r"
		test_same_times rot$r.mp4 rot/rot$r.anon.mp4
	done
'

test_expect_success 'rotated input: the export matches what ffmpeg shows upright (below the zone)' '
	for r in 90 270; do
		ffmpeg -nostdin -v info -i rot$r.mp4 -i rot/rot$r.anon.mp4 -lavfi \
			"[0:v]crop=iw:ih*0.7:0:ih*0.3[a];[1:v]crop=iw:ih*0.7:0:ih*0.3[b];[a][b]psnr" \
			-f null - 2>psnr.log
		p=$(sed -n "s/.*PSNR y:\([0-9.]*\).*/\1/p" psnr.log)
		echo "rot$r: PSNR below the zone $p dB"
		awk -v p="$p" "BEGIN { exit !(p + 0 > 30) }"
	done
'

test_expect_success 'rotated input: a zone at the top of the upright picture is at the top of the export' '
	for r in 90 270; do
		framecmp -z 0,0,1,0.25 -b 16 -s 3 -p 30 rot$r.mp4 rot/rot$r.anon.mp4
		test_grep "^frames 50 50$" cmp
		test_grep "^zone_cells 75$" cmp
	done
'

test_expect_success 'metadata: the fixtures carry what must be dropped' '
	probe_json meta.mkv >m.json
	json_get "
kinds = sorted(s[\"codec_type\"] for s in d[\"streams\"])
assert kinds == [\"attachment\", \"audio\", \"subtitle\", \"video\"], kinds
assert d[\"chapters\"], \"no chapters\"
t = {k.lower(): v for k, v in d[\"format\"][\"tags\"].items()}
assert \"location\" in t and \"creation_time\" in t and \"com.android.version\" in t, t" <m.json
	probe_json phone.mp4 >phone.json
	json_get "
kinds = sorted(s[\"codec_type\"] for s in d[\"streams\"])
assert kinds == [\"audio\", \"data\", \"video\"], kinds
t = d[\"format\"][\"tags\"]
assert \"location\" in t and \"com.android.version\" in t, t" <phone.json
'

test_expect_success 'default recipe: one video stream only, no tags, chapters, audio, subtitles, attachments, data' '
	"$OBSCURA" run --unsigned -q -o meta meta.mkv phone.mp4
	for f in meta/meta.anon.mp4 meta/phone.anon.mp4; do
		check_carriage $f 1 0
		no_secrets $f
	done
'

test_expect_success 'the export carries the Obscura label with the version' '
	"$OBSCURA" --version >version
	v=$(sed -n "s/^obscura //p" version)
	test -n "$v"
	ffprobe -v error -show_entries format_tags=comment -of default=nw=1:nk=1 meta/meta.anon.mp4 >label
	test_grep "Obscura $v" label
'

test_expect_success 'audio = keep: the AAC audio is kept, and nothing else' '
	"$OBSCURA" run --unsigned -q -r keep.ini -o keep meta.mkv phone.mp4
	for f in meta phone; do
		check_carriage keep/$f.anon.mp4 1 1
		no_secrets keep/$f.anon.mp4 "$SECRETS_AUDIO"
		test_eq aac "$(ffprobe -v error -select_streams a:0 -show_entries stream=codec_name -of default=nw=1:nk=1 keep/$f.anon.mp4)" "audio codec"
	done
	# every audio packet of the input arrives
	for f in meta.mkv:keep/meta.anon.mp4 phone.mp4:keep/phone.anon.mp4; do
		a=$(ffprobe -v error -select_streams a:0 -count_packets -show_entries stream=nb_read_packets -of default=nw=1:nk=1 ${f%%:*})
		b=$(ffprobe -v error -select_streams a:0 -count_packets -show_entries stream=nb_read_packets -of default=nw=1:nk=1 ${f#*:})
		test_eq "$a" "$b" "audio packets of ${f%%:*}"
	done
'

test_expect_success 'container = mkv: Matroska export, same timestamps, nothing carried' '
	"$OBSCURA" run --unsigned -q -r mkv.ini -o mkv meta.mkv vfr.mkv
	test_path_is_file mkv/meta.anon.mkv
	ffprobe -v error -show_entries format=format_name -of default=nw=1:nk=1 mkv/meta.anon.mkv >fmt
	test_grep matroska fmt
	no_secrets mkv/meta.anon.mkv "$SECRETS_AUDIO"
	probe_json mkv/meta.anon.mkv >mkv.json
	json_get "
kinds = sorted(s[\"codec_type\"] for s in d[\"streams\"])
assert kinds == [\"audio\", \"video\"], kinds
assert not d.get(\"chapters\"), d[\"chapters\"]
assert \"Obscura\" in str(d[\"format\"].get(\"tags\")), d[\"format\"]" <mkv.json
	test_same_times vfr.mkv mkv/vfr.anon.mkv
'

test_expect_success 'inputs are unmodified' '
	sha256sum -c --quiet inputs.sha256
'

test_done

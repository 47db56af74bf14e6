#!/bin/sh
# demo.sh - anonymize Debian's sample footage and show what changed.
# Usage: scripts/demo.sh PATH-TO-OBSCURA   (make demo calls it)
set -eu
OBSCURA=${1:-build/obscura}
OUT=${DEMO_OUT:-demo-out}
CCTV=/usr/share/doc/opencv-doc/examples/data/vtest.avi
PHONE=/usr/share/forensics-samples/original-files/movie1/VID_20191220_170832.mp4
CLIPS=/usr/share/forensics-samples/original-files/movie2

echo "== 1. CCTV footage with two exclusion zones (recipes/example-zones.ini)"
"$OBSCURA" run --force -r recipes/example-zones.ini -o "$OUT" "$CCTV"

echo
echo "== 2. A phone video with GPS location, device tags and audio, and four"
echo "==    more clips in four containers, two jobs at once (recipes/disclosure.ini)"
"$OBSCURA" run --force -j 2 -r recipes/disclosure.ini -o "$OUT" --json "$PHONE" "$CLIPS" \
	> "$OUT/summary.json"
echo "   JSON summary: $OUT/summary.json"

echo
echo "== 3. What the phone video carried, and what its export carries"
tags() {
	ffprobe -v error -show_entries format_tags:stream_tags:stream=codec_type \
		-of compact=p=0:nk=0 "$1" | sed 's/^/     /'
}
echo "   input  $PHONE:"
tags "$PHONE"
echo "   export $OUT/VID_20191220_170832.anon.mp4:"
tags "$OUT/VID_20191220_170832.anon.mp4"

echo
echo "== 4. One frame of the CCTV export, side by side with the original"
ffmpeg -v error -y -ss 10 -i "$CCTV" -ss 10 -i "$OUT/vtest.anon.mp4" \
	-filter_complex hstack -frames:v 1 "$OUT/vtest-before-after.png"
echo "   $OUT/vtest-before-after.png (left: original, right: export)"
echo
echo "Exports are in $OUT/.  'man -l man/obscura-run.1' explains the options."

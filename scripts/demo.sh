#!/bin/sh
# SPDX-License-Identifier: MIT
# demo.sh - anonymize Debian's sample footage and show what changed.
# Usage: scripts/demo.sh PATH-TO-OBSCURA   (make demo calls it)
set -eu
OBSCURA=${1:-build/obscura}
OUT=${DEMO_OUT:-demo-out}
CCTV=/usr/share/doc/opencv-doc/examples/data/vtest.avi
PHONE=/usr/share/forensics-samples/original-files/movie1/VID_20191220_170832.mp4
CLIPS=/usr/share/forensics-samples/original-files/movie2

mkdir -p "$OUT"
KEY="$OUT/demo-key"
if [ ! -f "$KEY.key" ]; then
	echo "== 0. A demo signing key (unencrypted; keep real keys passphrase-protected)"
	"$OBSCURA" keygen --no-passphrase -o "$KEY" | sed 's/^/   /'
	echo
fi

echo "== 1. CCTV footage with two exclusion zones (recipes/example-zones.ini)"
"$OBSCURA" run --force --key "$KEY.key" -r recipes/example-zones.ini -o "$OUT" "$CCTV"

echo
echo "== 2. Detection (recipes/disclosure.ini): faces, heads and text found with the"
echo "==    OpenCV DNN models and pixelated, on a 1080p phone video with GPS location,"
echo "==    device tags and audio, and on a screen recording with a real face."
echo "==    Two jobs at once; detection runs on the CPU, so this takes a minute or two."
echo "==    The recipe is disclosure.ini plus the disclosure's processing record, its"
echo "==    [purpose] (obscura-recipe(5)), which every signed manifest carries."
cat recipes/disclosure.ini - >"$OUT/disclosure-sar.ini" <<'EOF'

[purpose]
purpose = Demo: subject access request for footage of the requester; others hidden
legal_basis = GDPR Art. 15(3) (right of access)
legal_basis_art6 = legal-obligation
controller = Example Ltd, dpo@example.org
data_subjects = people filmed on the premises
recipients = the requester
retention = export and bundle deleted 30 days after delivery
request_ref = SAR-DEMO-0001
EOF
"$OBSCURA" run --force --strict --key "$KEY.key" -j 2 -r "$OUT/disclosure-sar.ini" -o "$OUT" --json \
	"$PHONE" "$CLIPS/movie-hello.mp4" > "$OUT/summary.json"
echo "   JSON summary: $OUT/summary.json"

echo
echo "== 2b. The same clip in four containers (H.264/MP4, H.264/AVI, MPEG-2/PS,"
echo "==     Theora/Ogg), exclusion zones only: every format FFmpeg reads works"
"$OBSCURA" run --force --key "$KEY.key" -j 2 -q -r recipes/example-zones.ini -o "$OUT/containers" "$CLIPS"

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
echo "== 4. Frames of the exports, side by side with the originals"
ffmpeg -v error -y -ss 10 -i "$CCTV" -ss 10 -i "$OUT/vtest.anon.mp4" \
	-filter_complex hstack -frames:v 1 "$OUT/vtest-before-after.png"
echo "   $OUT/vtest-before-after.png (zones; left: original, right: export)"
ffmpeg -v error -y -i "$CLIPS/movie-hello.mp4" -i "$OUT/movie-hello.anon.mp4" \
	-filter_complex "[0:v]select=eq(n\\,100)[a];[1:v]select=eq(n\\,100)[b];[a][b]hstack" \
	-frames:v 1 "$OUT/face-before-after.png"
echo "   $OUT/face-before-after.png (detection; left: original, right: export)"
echo
echo "== 5. Every job also wrote a signed bundle; a recipient checks it without obscura"
"$OBSCURA" verify -p "$KEY.pub" "$OUT/vtest.avi.obscura.tar" | sed 's/^/   /'
echo "   by hand: tar xf vtest.avi.obscura.tar; minisign -Vm manifest.jsonl -p $KEY.pub; sha256sum -c SHA256SUMS"
echo
echo "== 6. Every job also wrote anonymous track metadata (HDF5; obscura-tracks(5))"
"$OBSCURA" inspect "$OUT/movie-hello.tracks.h5" | sed -n '1,14p' | sed 's/^/   /'
echo "   a subject access request keeps one person visible, from those tracks:"
echo "   obscura redact --tracks $OUT/movie-hello.tracks.h5 --keep ID --key KEY -o sar $CLIPS/movie-hello.mp4"
echo
echo "== 7. Analytics: people on vtest.avi's walkway, counted without looking at anyone"
echo "   (recipes/analytics.ini: a counting line and a zone; tracks only, no video; about a minute)"
"$OBSCURA" analyze --force --unsigned -q --no-progress -r recipes/analytics.ini -o "$OUT/analytics" "$CCTV"
"$OBSCURA" inspect --plots "$OUT/analytics/pictures" "$OUT/analytics/vtest.tracks.h5" |
	sed -n '/^Analytics/,$p' | sed 's/^/   /'
echo
echo "== 8. For the data-protection officer: a review report of each bundle (obscura-report(1)):"
echo "==    verification, processing record, what was hidden and why, pictures of the export"
"$OBSCURA" report -p "$KEY.pub" --index -o "$OUT/report" \
	"$OUT/vtest.avi.obscura.tar" "$OUT/VID_20191220_170832.mp4.obscura.tar" \
	"$OUT/movie-hello.mp4.obscura.tar" | sed 's/^/   /'
echo "   open $OUT/report/index.html in a browser (prints to A4)"
echo
echo "Exports, tracks and bundles are in $OUT/.  'man -l man/obscura-run.1' explains the options."

#!/bin/sh
# SPDX-License-Identifier: MIT
# bench.sh - obscura's speed and memory against the floor, in one run.
# The floor is a plain FFmpeg decode + encode of the same file with the same
# encoder settings (libx264, veryfast, CRF 20, no audio): Obscura cannot be
# faster than that, and the ratio says what anonymization costs on top.
# Usage: scripts/bench.sh PATH-TO-OBSCURA
set -eu
OBSCURA=$1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
REPS=${BENCH_REPS:-3}

CCTV=/usr/share/doc/opencv-doc/examples/data/vtest.avi
# A 720p clip made here, so the figures do not depend on what is installed.
ffmpeg -v error -f lavfi -i testsrc2=size=1280x720:rate=30:duration=10 \
	-c:v libx264 -preset veryfast -crf 18 -pix_fmt yuv420p "$TMP/720p.mp4"

cat > "$TMP/zones.ini" <<'INI'
[pixelate]
seed = 1
[exclude "a"]
polygon = 0,0 0.3,0 0.3,0.5 0,0.5
[exclude "b"]
polygon = 0.6,0.5 1,0.5 1,1 0.6,1
INI

frames() { ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$1"; }

# best-of-REPS wall time (s) and peak RSS (KiB) of a command
measure() {
	best=""
	rss=0
	i=0
	while [ $i -lt "$REPS" ]; do
		/usr/bin/time -f "%e %M" -o "$TMP/time" "$@" >/dev/null 2>&1
		read -r t m < "$TMP/time"
		if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
		[ "$m" -gt "$rss" ] && rss=$m
		i=$((i + 1))
	done
	echo "$best $rss"
}

printf '%-10s %-28s %8s %8s %10s %8s\n' clip what seconds fps "peak MiB" ratio
for clip in "$CCTV" "$TMP/720p.mp4"; do
	n=$(frames "$clip")
	name=$(basename "$clip")
	set -- $(measure ffmpeg -v error -y -threads 2 -i "$clip" -an -c:v libx264 -preset veryfast -crf 20 "$TMP/floor.mp4")
	floor=$1
	printf '%-10s %-28s %8.2f %8.0f %10.1f %8s\n' "$name" "ffmpeg transcode (floor)" "$1" \
		"$(echo "$n / $1" | bc -l)" "$(echo "$2 / 1024" | bc -l)" "1.00"
	for mode in plain zones; do
		r=""
		[ $mode = zones ] && r="-r $TMP/zones.ini"
		# shellcheck disable=SC2086
		set -- $(measure "$OBSCURA" run --unsigned -q --force --no-progress $r -o "$TMP/out" "$clip")
		printf '%-10s %-28s %8.2f %8.0f %10.1f %8.2f\n' "$name" "obscura run ($mode)" "$1" \
			"$(echo "$n / $1" | bc -l)" "$(echo "$2 / 1024" | bc -l)" "$(echo "$1 / $floor" | bc -l)"
	done
done
echo "ratio = wall time / floor wall time (lower is better; best of $REPS runs; 2 codec threads each)"

# ---- detection ----
# Forward time of each detector (OpenCV DNN, 2 threads), median of its
# passes, on a real frame: what one detection costs, whatever the recipe.
TOOLS=${TOOLS:-$(dirname "$OBSCURA")/tools}
MODELS=${OBSCURA_MODEL_DIR:-$(dirname "$OBSCURA")/models}
ffmpeg -v error -y -ss 10 -i "$CCTV" -frames:v 1 "$TMP/cctv.png"
echo
printf '%-12s %-26s %8s %10s\n' model input passes "ms a pass"
for m in blazeface:256 ssd_face:512 centernet:512 ppocr_det:640; do
	# Tiles of the model's input size: several passes, so the first
	# pass's one-off set-up is amortized; the mean of the best run.
	best=""
	i=0
	while [ $i -lt "$REPS" ]; do
		line=$("$TOOLS/detect-image" "$MODELS" "${m%:*}" "$TMP/cctv.png" 0.5 "${m#*:}" 2>&1 >/dev/null |
			sed -n 's/^\([0-9]*\) passes, \([0-9.]*\) ms forward$/\1 \2/p')
		set -- $line
		ms=$(echo "$2 / $1" | bc -l)
		if [ -z "$best" ] || [ "$(echo "$ms < $best" | bc)" = 1 ]; then best=$ms; passes=$1; fi
		i=$((i + 1))
	done
	printf '%-12s %-26s %8s %10.1f\n' "${m%:*}" "vtest.avi frame 250" "$passes" "$best"
done

# The disclosure recipe end to end (faces + people + text, tiles, stride 2)
# on the first 100 frames of each clip, next to the same frames' floor.
echo
printf '%-14s %-28s %8s %8s %8s\n' clip what seconds fps ratio
for clip in "$CCTV" /usr/share/forensics-samples/original-files/movie2/movie-hello.mp4; do
	name=$(basename "$clip")
	ffmpeg -v error -y -i "$clip" -an -frames:v 100 -c:v libx264 -preset veryfast -crf 12 "$TMP/cut.mp4"
	set -- $(measure ffmpeg -v error -y -threads 2 -i "$TMP/cut.mp4" -an -c:v libx264 -preset veryfast -crf 20 "$TMP/floor.mp4")
	floor=$1
	printf '%-14s %-28s %8.2f %8.0f %8s\n' "$name" "ffmpeg transcode (floor)" "$1" "$(echo "100 / $1" | bc -l)" 1.00
	reps=$REPS
	REPS=1
	set -- $(measure "$OBSCURA" run --unsigned -q --force --no-progress \
		-r recipes/disclosure.ini -o "$TMP/out" "$TMP/cut.mp4")
	REPS=$reps
	printf '%-14s %-28s %8.2f %8.1f %8.1f\n' "$name" "obscura run (disclosure)" "$1" \
		"$(echo "100 / $1" | bc -l)" "$(echo "$1 / $floor" | bc -l)"
done
echo "100 frames each; disclosure measured once (it is slow), the floor best of $REPS"

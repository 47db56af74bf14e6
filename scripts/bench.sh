#!/bin/sh
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

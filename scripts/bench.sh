#!/bin/sh
# SPDX-License-Identifier: MIT
# bench.sh - obscura's speed, memory and where the time goes, against the floor, in one run.
#
#   scripts/bench.sh PATH-TO-OBSCURA        (make bench)
#
# The floor is a plain FFmpeg decode + encode of the same file with the same
# encoder settings (libx264, veryfast, CRF 20, no audio): Obscura cannot be
# faster than that, and the ratio says what anonymization costs on top.  Every
# figure of one table is measured in the same run, side by side, on a 720p clip
# with a real face and on-screen text (Debian's forensics-samples-files), on a
# 720p clip of a moving camera over real faces (tests/tools/face-cover make, as
# t0040 and the over-redaction table below: three of face-api's photos on grey,
# panning and zooming out, 120 frames; every tile of the picture changes on
# every frame) and on real CCTV (Debian's opencv-doc vtest.avi):
#
#   floor        ffmpeg transcode, best of BENCH_REPS (default 3)
#   plain        obscura run with no detector (zones only: the pipeline's own cost)
#   faces        recipes/faces-only.ini (faces, tiled; no people, no text)
#   disclosure   recipes/disclosure.ini (faces, people's heads, text)
#   analyze      recipes/analytics.ini (people and vehicles, tracks only, no video)
#
# For each: seconds, frames a second, the ratio to the floor, peak RSS, the
# ratio of CPU time (user + system) to the floor's (steadier on a busy
# machine), and
# the share of the wall time each part of the pipeline was busy, from the
# job's JSON "timing" (decode, each detector with its forward passes per
# frame, tracking, retiring rows to tracks.h5 and analytics, hiding,
# encoding).  Parts run in three threads, so
# shares overlap and may add up to more than 100 %.
# These are measurements, never pass/fail: shared machines are noisy, and
# the ratio to a floor measured in the same minute is the figure to compare.
# Then each detector's forward time, how much besides the faces the faces
# and disclosure recipes hide, on clips whose faces are known, and last the
# share of the face pixels they leave showing, by face width (12 px up).
set -eu
OBSCURA=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
REPS=${BENCH_REPS:-3}
PY=/usr/bin/python3

HELLO=/usr/share/forensics-samples/original-files/movie2/movie-hello.mp4
CCTV=/usr/share/doc/opencv-doc/examples/data/vtest.avi

cat > "$TMP/plain.ini" <<'INI'
[pixelate]
seed = 1
[exclude "a"]
polygon = 0,0 0.3,0 0.3,0.5 0,0.5
INI

frames() { ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$1"; }

# measure REPS CMD...: best-of-REPS wall time (s), peak RSS (KiB) and the
# CPU time (user + system, s) of the best run; its stdout is kept in
# $TMP/stdout.
measure() {
	reps=$1
	shift
	best=""
	rss=0
	cpu=0
	i=0
	while [ "$i" -lt "$reps" ]; do
		/usr/bin/time -f "%e %M %U %S" -o "$TMP/time" "$@" >"$TMP/run.out" 2>"$TMP/run.err" || {
			echo "bench: failed: $*" >&2
			cat "$TMP/run.err" >&2
			exit 1
		}
		read -r t m u s <"$TMP/time"
		if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then
			best=$t
			cpu=$(echo "$u + $s" | bc -l)
			cp "$TMP/run.out" "$TMP/stdout"
		fi
		[ "$m" -gt "$rss" ] && rss=$m
		i=$((i + 1))
	done
	echo "$best $rss $cpu"
}

# The busy share of each part from a run --json / analyze --json summary,
# and each detector's forward passes per frame of the clip ($1 frames), with
# how many of them searched only a changed part of the frame (crops), and
# how many tile searches a moving picture's resting tiles and a fixed
# camera's tiles over a face the whole-frame pass follows spared (rested,
# followed; tiling.h).
shares() {
	$PY - "$TMP/stdout" "$1" <<'PY'
import json, sys
try:
    t = json.load(open(sys.argv[1]))["jobs"][0].get("timing") or {}
except (ValueError, KeyError, IndexError):
    t = {}
wall = t.get("wall") or 0
order = ["decode"] + sorted(k for k in t if k.startswith("detect.")) + ["track", "retire", "hide", "encode"]
frames = int(sys.argv[2])
def part(k):
    s = "%s %2.0f%%" % (k.replace("detect.", ""), 100 * t[k] / wall)
    passes = t.get(k.replace("detect.", "passes.")) if k.startswith("detect.") else None
    spared = ""
    for what in ("crops", "rested", "followed"):
        n = t.get(k.replace("detect.", what + ".")) if k.startswith("detect.") else None
        spared += ", %d %s" % (n, what) if n else ""
    if passes is not None and frames > 0:
        s += " (%.2g a frame%s)" % (passes / frames, spared)
    return s
parts = [part(k) for k in order if k in t and wall > 0]
print(", ".join(parts))
PY
}

row() { # clip what seconds rss cpu frames floor floor-cpu shares
	printf '%-20s %-12s %8.2f %7.1f %7.2f %9.0f %7.2f   %s\n' "$1" "$2" "$3" "$(echo "$6 / $3" | bc -l)" \
		"$(echo "$3 / $7" | bc -l)" "$(echo "$4 / 1024" | bc -l)" "$(echo "$5 / $8" | bc -l)" "$9"
}

TOOLS=${TOOLS:-$(dirname "$OBSCURA")/tools}
SAMPLES=$ROOT/build/npm/src/face-api-1.7.15/package/demo
BUILDING=/usr/share/doc/opencv-doc/examples/data/building.jpg
# face_clip KIND FRAMES: $TMP/KIND.mp4 and its true face boxes $TMP/KIND.boxes
# (tests/tools/face-cover KIND); face_clip tiny-NAME FRAMES WIDTH STEP: a
# still clip whose faces are WIDTH to WIDTH + 4 STEP px wide (t0049's)
face_clip() {
	case $1 in tiny-*) kind=still ;; *) kind=$1 ;; esac
	# WIDTH and STEP unquoted: none when not given
	# shellcheck disable=SC2046,SC2086
	"$TOOLS/face-cover" "$kind" "$SAMPLES" "$ROOT/tests/data/faces" "$2" "$TMP/$1.yuv" "$TMP/$1.boxes" \
		$([ "$kind" = still ] && echo "$BUILDING") ${3:-} ${4:-}
	ffmpeg -v error -y -f rawvideo -pix_fmt yuv420p -s 1280x720 -r 30 -i "$TMP/$1.yuv" \
		-c:v libx264 -preset veryfast -crf 18 -pix_fmt yuv420p "$TMP/$1.mp4"
	rm "$TMP/$1.yuv"
}

# pan_clip NAME: NAME's clip as a camera panning over it sees it (t0049's
# pan: a 1000x580 window moving 4 px right and 2 px down a frame, on grey),
# $TMP/pan-NAME.mp4 and .boxes
pan_clip() {
	ffmpeg -v error -y -i "$TMP/$1.mp4" -vf "crop=w=1000:h=580:x=4*n:y=2*n,pad=1280:720:140:70:color=gray" \
		-c:v libx264 -preset veryfast -crf 18 -pix_fmt yuv420p "$TMP/pan-$1.mp4"
	awk '{ ox = 4 * $1; oy = 2 * $1
	       if ($2 >= ox && $3 >= oy && $2 + $4 <= ox + 1000 && $3 + $5 <= oy + 580)
		       printf "%d %.2f %.2f %.2f %.2f %s\n", $1, $2 - ox + 140, $3 - oy + 70, $4, $5, $6 }' \
		"$TMP/$1.boxes" >"$TMP/pan-$1.boxes"
}

# export_of KIND RECIPE: $TMP/KIND.anon.mp4, RECIPE's export of $TMP/KIND.mp4
# ("floor": a plain transcode, judged with faces-only.ini's grid, margin
# and forehead: $judge), and $TMP/cover, face-cover check's account of the
# face pixels it left showing
export_of() {
	judge=$2
	[ "$2" = floor ] && judge=$ROOT/recipes/faces-only.ini
	if [ "$2" = floor ]; then
		ffmpeg -v error -y -i "$TMP/$1.mp4" -c:v libx264 -preset veryfast -crf 20 "$TMP/$1.anon.mp4"
	else
		"$OBSCURA" run -r "$2" --unsigned -q --force --no-progress -o "$TMP" "$TMP/$1.mp4" 2>"$TMP/run.err" || {
			echo "bench: failed: obscura run -r $2 $1.mp4" >&2
			cat "$TMP/run.err" >&2
			exit 1
		}
	fi
	ffmpeg -v error -y -i "$TMP/$1.anon.mp4" -f rawvideo -pix_fmt yuv420p "$TMP/export.yuv"
	"$TOOLS/face-cover" check "$judge" "$TMP/export.yuv" "$TMP/$1.boxes" >"$TMP/cover" 2>/dev/null
	rm "$TMP/export.yuv"
}
face_clip make 120
mkdir "$TMP/moving"
ln -s "$TMP/make.mp4" "$TMP/moving/face-cover-make.mp4"

printf '%-20s %-12s %8s %7s %7s %9s %7s   %s\n' clip what seconds fps ratio "peak MiB" "cpu" "busy share of wall time"
for clip in "$HELLO" "$TMP/moving/face-cover-make.mp4" "$CCTV"; do
	n=$(frames "$clip")
	name=$(basename "$clip")
	set -- $(measure "$REPS" ffmpeg -v error -y -threads 2 -i "$clip" -an -c:v libx264 -preset veryfast -crf 20 \
		"$TMP/floor.mp4")
	floor=$1
	floor_cpu=$3
	short=$(echo "$floor < 2" | bc)
	row "$name" floor "$1" "$2" "$3" "$n" "$floor" "$floor_cpu" "(ffmpeg -c:v libx264 -preset veryfast -crf 20)"
	for what in plain faces disclosure analyze; do
		case $what in
		plain) cmd="run -r $TMP/plain.ini" ;;
		faces) cmd="run -r $ROOT/recipes/faces-only.ini" ;;
		disclosure) cmd="run -r $ROOT/recipes/disclosure.ini" ;;
		analyze) cmd="analyze -r $ROOT/recipes/analytics.ini" ;;
		esac
		# a short clip's single run is as noisy as its floor's: best of
		# $REPS too, like the floor it is divided by
		reps=1
		if [ $what = plain ] || [ "$short" = 1 ]; then reps=$REPS; fi
		# shellcheck disable=SC2086
		set -- $(measure "$reps" "$OBSCURA" $cmd --unsigned -q --force --no-progress --json -o "$TMP/out" "$clip")
		row "$name" "$what" "$1" "$2" "$3" "$n" "$floor" "$floor_cpu" "$(shares "$n")"
	done
done
echo "ratio = wall time / floor wall time (lower is better); cpu = CPU time (user + system) / the floor's,"
echo "steadier than wall time on a shared machine; best of $REPS runs: the floor, plain, and every run"
echo "of a clip whose floor takes under 2 s (movie-hello, face-cover-make); one run of the rest"

# ---- detection ----
# Forward time of each detector (OpenCV DNN, 2 threads), on a real frame:
# what one pass costs, whatever the recipe.
MODELS=${OBSCURA_MODEL_DIR:-$(dirname "$OBSCURA")/models}
ffmpeg -v error -y -ss 10 -i "$CCTV" -frames:v 1 "$TMP/cctv.png"
echo
printf '%-18s %-20s %8s %10s\n' model input passes "ms a pass"
for card in "$MODELS"/*.card; do
	m=$(basename "$card" .card)
	size=$(sed -n 's/^width *= *//p' "$card" | head -n 1)
	best=""
	passes=0
	i=0
	while [ $i -lt "$REPS" ]; do
		"$TOOLS/detect-image" "$MODELS" "$m" "$TMP/cctv.png" 0.5 "$size" >/dev/null 2>"$TMP/det.err" || {
			echo "bench: detect-image $m failed:" >&2
			cat "$TMP/det.err" >&2
			exit 1
		}
		# "[CARD: ]N passes, MS ms forward" (CARD: the variant a family card ran)
		line=$(sed -n 's/^\([^ ]*: \)\{0,1\}\([0-9]*\) passes, \([0-9.]*\) ms forward$/\2 \3/p' "$TMP/det.err")
		if [ -z "$line" ]; then
			echo "bench: detect-image $m printed no pass count:" >&2
			cat "$TMP/det.err" >&2
			exit 1
		fi
		set -- $line
		ms=$(echo "$2 / $1" | bc -l)
		if [ -z "$best" ] || [ "$(echo "$ms < $best" | bc)" = 1 ]; then best=$ms; passes=$1; fi
		i=$((i + 1))
	done
	printf '%-18s %-20s %8s %10.1f\n' "$m" "vtest.avi frame 250" "$passes" "$best"
done

# ---- over-redaction ----
# What an export hides besides the faces, on clips whose faces are known
# (tests/tools/face-cover): "scene", face-api's six photos on one wall, the
# camera gliding over it and zooming out (faces ~150 down to ~45 px, hands,
# clothes, badges everywhere, faces cut by every edge); "make", t0040's
# three photos on grey, zooming out while panning (faces ~110 down to
# ~14 px); "still", t0047's twelve 16-24 px faces on building.jpg as a
# fixed camera sees it.  face-cover over: the share of 8x8 blocks outside
# the faces (each true box with the recipe's forehead and margin, every
# cell touching it left out) whose mean |export - input| luma exceeds 6,
# mean and worst frame, and the share farther than a face's size from
# every face; then the face pixels left showing (face-cover check).  The
# pixelation's noise is seeded afresh each run: flat backgrounds move the
# share by up to about a point from run to run.  The plain transcode is
# the measure's floor.
echo
printf '%-24s %-12s %8s %8s %8s %14s\n' clip what "mean %" "worst %" "far %" "face px left"
for kind in scene make still; do
	frames=120
	[ $kind = still ] && frames=90
	[ -f "$TMP/$kind.mp4" ] || face_clip $kind $frames
	for what in floor faces disclosure; do
		case $what in
		floor) recipe=floor ;;
		faces) recipe=$ROOT/recipes/faces-only.ini ;;
		disclosure) recipe=$ROOT/recipes/disclosure.ini ;;
		esac
		export_of $kind "$recipe"
		"$TOOLS/face-cover" over "$judge" "$TMP/$kind.mp4" "$TMP/$kind.anon.mp4" "$TMP/$kind.boxes" \
			>"$TMP/over" 2>/dev/null
		set -- $(sed -n 's/^over //p' "$TMP/over")
		left=$(awk '$1 == "left" { n += $7 } END { print n + 0 }' "$TMP/cover")
		printf '%-24s %-12s %8.2f %8.2f %8.2f %14s\n' "face-cover $kind ($frames)" "$what" "$2" "$3" "$5" "$left"
	done
done
echo "over-redaction = blocks outside the faces the export changed (HACKING.md); floor = a plain transcode (it hides no face)"

# ---- face pixels left, by face width ----
# The issue's recall measure: of the face pixels of every true box (whole
# or cut by the frame's edge), the share left showing, in each bucket of
# face width, on the clips above and on t0049's 12-16 px faces: "tiny-"
# on a fixed camera (12 to 16 px; all 12 px; all 14 px), "pan-" the same
# under a panning camera.  "-": no face of that width in the clip.  The
# 12-14 px buckets are where UltraFace is at its edge (t0049's header:
# most of what is left there is one face turned and in shadow).
echo
printf '%-24s %-12s %8s %8s %8s %8s %8s %8s\n' clip what "<16 px" "16-24" "24-32" "32-48" "48-96" ">=96"
face_clip tiny-mixed 60 12 1
face_clip tiny-twelve 60 12 0
face_clip tiny-fourteen 60 14 0
for kind in mixed twelve fourteen; do pan_clip tiny-$kind; done
for kind in scene make still tiny-mixed tiny-twelve tiny-fourteen pan-tiny-mixed pan-tiny-twelve pan-tiny-fourteen; do
	for what in faces disclosure; do
		case $what in
		faces) recipe=$ROOT/recipes/faces-only.ini ;;
		disclosure) recipe=$ROOT/recipes/disclosure.ini ;;
		esac
		export_of $kind "$recipe"
		awk -v clip="$kind" -v what="$what" '
			$1 == "left" { px[$3] += $6; left[$3] += $7 }
			END {
				printf "%-24s %-12s", clip, what
				n = split("0 16 24 32 48 96", lo, " ")
				for (i = 1; i <= n; i++)
					if (px[lo[i]] > 0) printf " %8.2f", 100 * left[lo[i]] / px[lo[i]]
					else printf " %8s", "-"
				printf "\n"
			}' "$TMP/cover"
	done
done
echo "face pixels left = % of the true boxes' pixels in cells the export did not pixelate (face-cover check)"

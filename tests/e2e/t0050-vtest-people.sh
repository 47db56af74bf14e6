#!/bin/sh
# t0050-vtest-people.sh - CenterNet finds the people of real CCTV footage.
#
# Frames 100, 400 and 700 of opencv-doc's vtest.avi, annotated by hand in
# tests/data/people/vtest-N.txt (14 people at least 64 px tall).  CenterNet at
# its card's threshold must find at least 12 of them (IoU >= 0.5, one to one);
# measured: 14/14.  Then the whole clip through `obscura analyze` with
# recipes/analytics.ini: the tracks on those frames (detected or
# interpolated) must match as well, and the MOTChallenge CSV must list
# exactly the confirmed person tracks.
. "$(dirname "$0")/../lib.sh"

ROOT=$(cd "$LIB_DIR/.." && pwd)
VTEST=/usr/share/doc/opencv-doc/examples/data/vtest.avi
: "${OBSCURA_MODEL_DIR:=$ROOT/build/models}"

test_expect_success 'people found on annotated vtest.avi frames' '
	test_path_is_file "$VTEST" &&
	for n in 100 400 700; do
		ffmpeg -v error -i "$VTEST" -vf "select=eq(n\,$n)" -frames:v 1 f$n.png &&
		"$TOOLS/detect-image" "$OBSCURA_MODEL_DIR" centernet f$n.png >d$n.txt 2>/dev/null || return 1
	done &&
	"$PYTHON" - "$ROOT/tests/data/people" <<-PY
	import sys
	def iou(a, b):
	    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
	    x1, y1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
	    i = max(0, x1 - x0) * max(0, y1 - y0)
	    return i / (a[2] * a[3] + b[2] * b[3] - i)
	found = total = 0
	for n in (100, 400, 700):
	    gt = [list(map(float, l.split())) for l in open(f"{sys.argv[1]}/vtest-{n}.txt") if not l.startswith("#")]
	    det = [list(map(float, l.split()[:4])) for l in open(f"d{n}.txt") if l.split()[5] == "person"]
	    used = set()
	    for g in gt:
	        best = max(((iou(g, d), i) for i, d in enumerate(det) if i not in used), default=(0, -1))
	        if best[0] >= 0.5:
	            used.add(best[1])
	            found += 1
	        else:
	            print(f"frame {n}: person {g} missed")
	    total += len(gt)
	print(f"people found: {found}/{total}")
	sys.exit(0 if total == 14 and found >= 12 else 1)
	PY
'

test_expect_success 'analyze vtest.avi: person tracks on the annotated frames, MOTChallenge CSV' '
	"$OBSCURA" analyze -q --no-progress --unsigned -r "$ROOT/recipes/analytics.ini" -o an "$VTEST" &&
	"$OBSCURA" inspect --mot mot.csv an/vtest.tracks.h5 >/dev/null &&
	"$OBSCURA" inspect --json an/vtest.tracks.h5 >an.json &&
	"$PYTHON" - "$ROOT/tests/data/people" <<-PY
	import csv, json, sys
	rows = [list(map(float, r)) for r in csv.reader(open("mot.csv"))]
	assert all(len(r) == 10 and r[7:] == [-1, -1, -1] and r[0] >= 1 for r in rows), rows[:3]
	d = json.load(open("an.json"))
	people = {t["id"] for t in d["tracks"] if t["class"] == "person" and t["confirmed"]}
	assert {int(r[1]) for r in rows} == people, "MOT ids are the confirmed person tracks"
	frames = sorted({int(r[0]) for r in rows})
	assert frames[0] >= 1 and frames[-1] <= 795, frames[-1]
	def iou(a, b):
	    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
	    x1, y1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
	    i = max(0, x1 - x0) * max(0, y1 - y0)
	    return i / (a[2] * a[3] + b[2] * b[3] - i)
	found = total = 0
	for n in (100, 400, 700):
	    gt = [list(map(float, l.split())) for l in open(f"{sys.argv[1]}/vtest-{n}.txt") if not l.startswith("#")]
	    trk = [r[2:6] for r in rows if int(r[0]) == n + 1]
	    used = set()
	    for g in gt:
	        best = max(((iou(g, t), i) for i, t in enumerate(trk) if i not in used), default=(0, -1))
	        if best[0] >= 0.5:
	            used.add(best[1])
	            found += 1
	    total += len(gt)
	print(f"tracked people on annotated frames: {found}/{total}; {len(people)} confirmed person tracks")
	sys.exit(0 if found >= 12 and 10 <= len(people) <= 80 else 1)
	PY
'

test_done

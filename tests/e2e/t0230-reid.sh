#!/bin/sh
# SPDX-License-Identifier: MIT
# t0230-reid.sh - people linked across inputs by their clothes (obscura-link(1)).
#
# Debian's vtest.avi (PETS09, 10 fps) is cut into three clips at test time:
# A = frames 500-589, in which the woman in the red jacket and jeans (RW in
# tests/data/vtest-analytics/truth.json) crosses the walkway line at 529 and
# leaves the picture at its left edge (~578); B = frames 595-684, in which
# she comes back (~602) and crosses the line again at 646, and the man in a
# dark jacket and jeans (K) crosses it at 600; C = frames 40-109, in which
# the man in a red and navy jacket (RN) and the blonde woman in a black coat
# (BL) walk up the plaza, and RW is nowhere.  Each is analyzed with
# recipes/analytics.ini plus [analytics] descriptors = yes; each person is
# found by a point read by eye from the frames (their feet on one frame).
# RW of A must be linked to RW of B and to nobody else: not to K, nor to RN
# (another red jacket) or BL.  Measured: RW~RW 0.17; RW's nearest other
# person in any clip 0.43.  Also: the bundles' copies of the tracks files
# hold no descriptors, a recipe without the key writes none.
. "$(dirname "$0")/../lib.sh"

ROOT=$(cd "$LIB_DIR/.." && pwd)
VTEST=/usr/share/doc/opencv-doc/examples/data/vtest.avi

cut_clip() { # NAME FIRST LAST: vtest.avi's frames FIRST..LAST, losslessly
	ffmpeg -v error -i "$VTEST" -vf "select=between(n\,$2\,$3),setpts=N/FRAME_RATE/TB" -an -c:v ffv1 "$1.mkv"
}

test_expect_success 'three clips of vtest.avi analyzed with descriptors' '
	test_path_is_file "$VTEST" &&
	cut_clip a 500 589 &&
	cut_clip b 595 684 &&
	cut_clip c 40 109 &&
	cp "$ROOT/recipes/analytics.ini" desc.ini &&
	printf "\n[analytics]\ndescriptors = yes\n" >>desc.ini &&
	"$OBSCURA" analyze -q --no-progress --unsigned -r desc.ini -o an a.mkv b.mkv c.mkv &&
	for c in a b c; do
		"$OBSCURA" inspect --mot $c.csv an/$c.tracks.h5 >/dev/null || return 1
	done &&
	"$OBSCURA" link an/a.tracks.h5 an/b.tracks.h5 an/c.tracks.h5 >links.txt &&
	cat links.txt &&
	test_grep "^[0-9]* links\{0,1\} among 3 files" links.txt
'

test_expect_success 'the woman who leaves clip A and comes back in clip B is linked, to nobody else' '
	"$OBSCURA" link --json an/a.tracks.h5 an/b.tracks.h5 an/c.tracks.h5 >links.json &&
	"$PYTHON" - <<-PY
	import csv, json
	start = {"a": 500, "b": 595, "c": 40}
	# (clip, vtest frame, feet x, y) read by eye on the frames
	points = {"RW-a": ("a", 529, 207, 242), "RW-b": ("b", 646, 212, 224), "K-b": ("b", 600, 202, 212),
	          "RN-c": ("c", 80, 460, 250), "BL-c": ("c", 80, 487, 248)}
	who = {}
	for name, (clip, frame, x, y) in points.items():
	    rows = [list(map(float, r)) for r in csv.reader(open(clip + ".csv"))]
	    near = [(((r[2] + r[4] / 2 - x) ** 2 + (r[3] + r[5] - y) ** 2) ** 0.5 / r[5], int(r[1]))
	            for r in rows if int(r[0]) == frame - start[clip] + 1]
	    assert near and min(near)[0] < 0.5, (name, sorted(near))
	    who[name] = (clip, min(near)[1])
	print(who)
	d = json.load(open("links.json"))
	side = lambda s: (s["file"].split("/")[-1][0], s["identity"])
	links = {(side(l["a"]), side(l["b"])): l["distance"] for l in d["links"]}
	print(links)
	assert (who["RW-a"], who["RW-b"]) in links, "RW not linked across the cut"
	print("RW~RW", links[(who["RW-a"], who["RW-b"])])
	for (p, q), dist in links.items():
	    for rw in ("RW-a", "RW-b"):
	        if who[rw] in (p, q):
	            assert {p, q} == {who["RW-a"], who["RW-b"]}, (rw, "also linked to", p, q, dist)
	for other in ("K-b", "RN-c", "BL-c"):
	    assert (who["RW-a"], who[other]) not in links, other
	PY
'

test_expect_success 'the bundle copy has no descriptors; a recipe without the key writes none' '
	mkdir x &&
	tar -xf an/a.mkv.obscura.tar -C x &&
	test_must_fail_with 9 "$OBSCURA" link x/a.tracks.h5 an/b.tracks.h5 &&
	test_grep "x/a.tracks.h5: no /appearance group" stderr &&
	"$OBSCURA" analyze -q --no-progress --unsigned -r "$ROOT/recipes/analytics.ini" -o plain c.mkv &&
	test_must_fail_with 9 "$OBSCURA" link an/a.tracks.h5 plain/c.tracks.h5 &&
	test_grep "plain/c.tracks.h5: no /appearance group" stderr
'

test_expect_success 'link: usage errors' '
	test_must_fail_with 2 "$OBSCURA" link an/a.tracks.h5 &&
	test_grep "at least two tracks files" stderr &&
	test_must_fail_with 2 "$OBSCURA" link --threshold 0 an/a.tracks.h5 an/b.tracks.h5 &&
	test_grep "not a distance" stderr &&
	cp an/a.tracks.h5 copy.tracks.h5 &&
	test_must_fail_with 2 "$OBSCURA" link an/a.tracks.h5 an/b.tracks.h5 copy.tracks.h5 &&
	test_grep "an/a.tracks.h5 and copy.tracks.h5 are the same job.s tracks file" stderr
'

test_done

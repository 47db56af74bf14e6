#!/bin/sh
# SPDX-License-Identifier: MIT
# t0220-analytics.sh - lines, zones, /analytics, inspect's table, JSON and
# pictures, batch totals by name and hour.
. "$(dirname "$0")/../lib.sh"

ROOT=$(cd "$LIB_DIR/.." && pwd)
VTEST=/usr/share/doc/opencv-doc/examples/data/vtest.avi

# tests/tools/mktracks.c: person 1 (confirmed) walks right along y = 130 (its
# feet), x = 120 + 2 (f - 10) on frames 10..59 at 25 fps; person 3 is
# tentative; vehicle 4 (confirmed) stands at feet (70, 460) on frames 80..99.
# The line "gate" is x = 160 from y = 48 down to y = 240: person 1 crosses it
# once, from its right to its left as seen along a->b (y down) - backward.
# The restricted zone "strip" is 192 <= x < 256: person 1 is inside from
# frame 46 (x = 192) to its last row, 59; the visit ends at frame 60.
cat >gate.ini <<'EOF'
[line "gate"]
points = 0.25,0.1 0.25,0.5
classes = person

[zone "strip"]
polygon = 0.3,0 0.4,0 0.4,0.5 0.3,0.5
kind = restricted
classes = person
EOF

test_expect_success 'inspect -r: crossings, visits, dwell, occupancy, intrusions of known tracks' '
	"$TOOLS/mktracks" t.h5 &&
	"$OBSCURA" inspect -r gate.ini t.h5 >out &&
	test_grep -E "^  confirmed tracks +person 1  vehicle 1$" out &&
	test_grep -E "^  present \(mean/max\) +person 0\.50/1  vehicle 0\.20/1$" out &&
	test_grep -E "^  gate +forward +0 +- +0$" out &&
	test_grep -E "^ +backward +1 +- +1$" out &&
	test_grep -E "^  strip +restricted +person +1 +1  0\.6/0\.6/0\.6/0\.6 +0\.14/1 +1$" out &&
	test_grep -E "^  strip +1\.84 +46 +1 person$" out &&
	"$OBSCURA" inspect -r gate.ini --json t.h5 >out.json &&
	"$PYTHON" - <<-PY
	import json
	a = json.load(open("out.json"))["analytics"]
	assert a["tracks"] == {"person": 1, "vehicle": 1}, a["tracks"]
	assert a["unconfirmed"] == {"person": 1, "vehicle": 0}, a["unconfirmed"]
	(gate,) = a["lines"]
	assert gate["name"] == "gate" and gate["forward"] == {"person": 0, "total": 0}, gate
	assert gate["backward"] == {"person": 1, "total": 1}, gate
	(strip,) = a["zones"]
	v = strip["visits"]["person"]
	assert (v["count"], v["tracks"]) == (1, 1) and abs(v["dwell_mean"] - 14 / 25) < 1e-9, v
	assert a["intrusions"] == [{"zone": "strip", "track": 1, "class": "person", "frame": 46, "time": 1.84}]
	assert a["start_time"] is None
	t = a["totals"]
	assert t["hours"] == {"+0h": {"lines": {"gate": {"backward": {"total": 1, "person": 1}}},
	                              "zones": {"strip": {"entries": {"total": 1, "person": 1}, "intrusions": 1}}}}, t
	PY
'

test_expect_success 'inspect -r: an invalid recipe is exit 3 naming the file' '
	printf "[line \"x\"]\npoints = 0.1,0.1\n" >bad.ini &&
	test_must_fail_with 3 "$OBSCURA" inspect -r bad.ini t.h5 &&
	test_line_count stderr 1 && test_grep "bad.ini" stderr
'

test_expect_success '--plots: a heatmap per class, occupancy and crossings, 1200x800 PNGs' '
	"$OBSCURA" inspect -r gate.ini --plots pics t.h5 >out &&
	for p in heatmap-person heatmap-vehicle occupancy crossings; do
		test_path_is_file pics/t.$p.png &&
		test_grep "pics/t.$p.png" out || return 1
	done &&
	ls pics >pics.ls &&
	test_line_count pics.ls 4 &&
	"$PYTHON" - <<-PY
	import struct
	for p in ("heatmap-person", "heatmap-vehicle", "occupancy", "crossings"):
	    b = open(f"pics/t.{p}.png", "rb").read(24)
	    assert b[:8] == b"\x89PNG\r\n\x1a\n", p
	    assert struct.unpack(">II", b[16:24]) == (1200, 800), p
	PY
'

# Root writes into any directory: a path under a regular file fails for everyone.
test_expect_success '--plots where no directory can be made: exit 6, one line, no picture' '
	test_must_fail_with 6 "$OBSCURA" inspect --plots gate.ini/pics t.h5 &&
	test_line_count stderr 1 && test_grep "gate.ini/pics" stderr &&
	"$OBSCURA" inspect --plots pics2 t.h5 >/dev/null &&
	ls pics2 >pics2.ls &&
	test_line_count pics2.ls 4 &&
	test_no_temp pics2
'

# A cut of vtest (100 frames, 10 s) analysed as two inputs of one batch:
# the batch totals are the sum of the jobs', and /analytics in each
# tracks.h5 is what inspect computes again from its rows.
cat >walk.ini <<'EOF'
[recipe]
name = walk

[detect]
faces = off
people = centernet
text = off
stride = 2

[track]
extend_before = 0
extend_after = 0
max_lost = 1.5

[line "across"]
points = 0.05,0.45 0.95,0.45
classes = person

[zone "middle"]
polygon = 0.3,0.3 0.7,0.3 0.7,0.7 0.3,0.7
classes = person
EOF

test_expect_success 'setup: two inputs analysed in one batch' '
	test_path_is_file "$VTEST" &&
	ffmpeg -v error -i "$VTEST" -frames:v 100 -c:v mjpeg -q:v 3 a.avi &&
	cp a.avi b.avi &&
	"$OBSCURA" analyze -q --no-progress --unsigned --json -r walk.ini -o an a.avi b.avi >sum.json
'

test_expect_success 'batch summary: totals by line and zone name and hour are the sum of the jobs' '
	"$PYTHON" - <<-PY
	import json
	s = json.load(open("sum.json"))
	jobs = [j["analytics"]["totals"] for j in s["jobs"]]
	b = s["analytics"]
	assert b["inputs"] == 2, b
	assert jobs[0] == {**jobs[1]}, "same footage, same totals"
	for d in ("forward", "backward"):
	    assert b["lines"]["across"][d]["total"] == 2 * jobs[0]["lines"]["across"][d]["total"]
	assert b["zones"]["middle"]["entries"]["total"] == 2 * jobs[0]["zones"]["middle"]["entries"]["total"]
	assert abs(b["zones"]["middle"]["dwell_seconds"]["total"] - 2 * jobs[0]["zones"]["middle"]["dwell_seconds"]["total"]) < 1e-9
	assert list(b["hours"]) == ["+0h"], b["hours"]
	h = b["hours"]["+0h"]["lines"]["across"]
	crossings = sum(h.get(d, {}).get("total", 0) for d in ("forward", "backward"))
	assert crossings == sum(b["lines"]["across"][d]["total"] for d in ("forward", "backward"))
	assert crossings > 0, "people cross the middle of vtest in 10 s"
	assert b["tracks"]["person"] == 2 * jobs[0]["tracks"]["person"] > 0
	PY
'

test_expect_success '/analytics in tracks.h5 equals what inspect computes from the rows' '
	"$OBSCURA" inspect --json an/a.tracks.h5 >a.json &&
	"$PYTHON" - <<-PY
	import json, h5py, math
	a = json.load(open("a.json"))["analytics"]
	with h5py.File("an/a.tracks.h5", "r") as f:
	    g = f["analytics"]
	    classes = list(g.attrs["classes"])
	    p = classes.index("person")
	    assert math.isnan(f.attrs["start_time"]) and math.isnan(g.attrs["start_time"])
	    assert list(g["line_counts"].attrs["names"]) == ["across"]
	    fwd, back = (int(x) for x in g["line_counts"][0, :, p])
	    assert (fwd, back) == (a["lines"][0]["forward"]["person"], a["lines"][0]["backward"]["person"]), (fwd, back)
	    assert len(g["crossings"]) == fwd + back
	    v = a["zones"][0]["visits"]["person"]
	    assert len(g["visits"]) == v["count"], (len(g["visits"]), v)
	    assert abs(g["dwell"][0, p]["mean"] - v["dwell_mean"]) < 1e-9
	    assert int(g["tracks"][p]) == a["tracks"]["person"]
	    assert g["occupancy/mean"].shape == (10, 2, len(classes)), g["occupancy/mean"].shape
	    heat = g["heatmap"][p]
	    assert abs(heat.sum() - g["track_seconds"][p]) < 1e-6, (heat.sum(), g["track_seconds"][p])
	print("crossings", fwd, back, "visits", v["count"])
	PY
'

test_expect_success 'creation_time kept by the recipe: hours are UTC hours of the recording' '
	ffmpeg -v error -i "$VTEST" -frames:v 60 -c:v libx264 -preset ultrafast \
		-metadata creation_time=2026-11-22T08:59:57Z c.mp4 &&
	sed "s/^\[line/[metadata]\nkeep = creation_time\n\n[line/" walk.ini >kept.ini &&
	"$OBSCURA" analyze -q --no-progress --unsigned --json -r kept.ini -o kept c.mp4 >kept.json &&
	"$OBSCURA" analyze -q --no-progress --unsigned --json -r walk.ini -o dropped c.mp4 >dropped.json &&
	"$PYTHON" - <<-PY
	import json, h5py, math
	k = json.load(open("kept.json"))["jobs"][0]["analytics"]
	d = json.load(open("dropped.json"))["jobs"][0]["analytics"]
	assert k["start_time"] == "2026-11-22T08:59:57Z", k["start_time"]
	assert d["start_time"] is None
	assert set(k["totals"]["hours"]) <= {"2026-11-22T08:00Z", "2026-11-22T09:00Z"}, k["totals"]["hours"]
	assert set(d["totals"]["hours"]) <= {"+0h"}
	with h5py.File("kept/c.tracks.h5", "r") as f:
	    assert f.attrs["start_time"] == 1795337997.0, f.attrs["start_time"]
	with h5py.File("dropped/c.tracks.h5", "r") as f:
	    assert math.isnan(f.attrs["start_time"]), "no wall-clock time unless the recipe keeps it"
	PY
'

test_done

# SPDX-License-Identifier: MIT
"""vtest_analytics.py - compare Obscura's analytics of vtest.avi with the hand count.

usage: vtest_analytics.py TRUTH.json TRACKS.h5 INSPECT.json

TRUTH.json is tests/data/vtest-analytics/truth.json (counted by eye, frame by
frame; see its README), TRACKS.h5 what `obscura analyze -r
recipes/analytics.ini` wrote, INSPECT.json `obscura inspect --json` of it.
Prints the figures side by side; exits 1 with the reason if they are further
apart than the tolerances below, which leave room for what a tracker cannot
know (a person hidden behind two others, feet 3 px past a zone's edge) but
not for a miscounted crossing.
"""
import json
import sys

import h5py

DT = 5           # frames: a crossing this close to the hand count's, same direction, is the same
VISIT_SLACK = 3  # visits: a fragmented or re-entering track adds one (measured 33 for 30)


def inside(poly, x, y):
    c = False
    for i in range(len(poly)):
        (x1, y1), (x2, y2) = poly[i], poly[i - 1]
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            c = not c
    return c


def main(truth_path, h5_path, inspect_path):
    truth = json.load(open(truth_path))
    report = json.load(open(inspect_path))["analytics"]
    problems = []
    with h5py.File(h5_path, "r") as f:
        g = f["analytics"]
        person = list(g.attrs["classes"]).index("person")  # index on the class axes
        enum = h5py.check_enum_dtype(f["detections"].dtype["class"])
        PERSON = enum["person"]                             # value in the class columns
        names = list(g["line_counts"].attrs["names"])
        line = names.index(truth["line"]["name"])
        fwd, back = (int(n) for n in g["line_counts"][line, :, person])
        crossings = [(int(c["frame"]), "forward" if c["direction"] == 0 else "backward")
                     for c in g["crossings"][:] if c["line"] == line]
        visits = [v for v in g["visits"][:] if v["class"] == PERSON]
        confirmed = {int(t["id"]) for t in f["tracks"][:] if t["confirmed"] and t["class"] == PERSON}
        det = f["detections"][:]
        occ_max = g["occupancy/max"][:, 1, person]   # area 1: the first zone
        bin_frames = g["occupancy/frames"][:]

    # The stored /analytics is what inspect computes again from the rows.
    rl = report["lines"][0]
    if (rl["forward"]["person"], rl["backward"]["person"]) != (fwd, back):
        problems.append(f"inspect says {rl['forward']['person']}/{rl['backward']['person']}, /analytics {fwd}/{back}")

    tl = truth["line"]
    lo_f, lo_b = tl["forward"], tl["backward"]
    hi_f, hi_b = lo_f + tl["ambiguous"] // 2, lo_b + tl["ambiguous"] // 2
    print(f"line {tl['name']}: forward {fwd} (hand {lo_f}..{hi_f}), backward {back} (hand {lo_b}..{hi_b})")
    if not (lo_f <= fwd <= hi_f and lo_b <= back <= hi_b):
        problems.append("crossing counts outside the hand count's range")
    left = list(crossings)
    unmatched = []
    for c in tl["crossings"]:
        m = [o for o in left if o[1] == c["dir"] and abs(o[0] - c["frame"]) <= DT]
        if m:
            left.remove(min(m, key=lambda o: abs(o[0] - c["frame"])))
        elif not c.get("ambiguous"):
            unmatched.append((c["frame"], c["dir"]))
    print(f"  hand crossings matched within {DT} frames: {len(tl['crossings']) - len(unmatched)}"
          f"/{len(tl['crossings'])}; extra crossings: {left}")
    if unmatched or len(left) > 0:
        problems.append(f"crossings not matched: missed {unmatched}, extra {left}")

    tz = truth["zone"]
    print(f"zone {tz['name']}: visits {len(visits)} (hand {tz['visits']})")
    if abs(len(visits) - tz["visits"]) > VISIT_SLACK:
        problems.append(f"{len(visits)} visits, hand count {tz['visits']}")
    poly = [tuple(p) for p in tz["polygon_px"]]
    exact = 0
    for s in tz["occupancy"]:
        rows = det[(det["frame"] == s["frame"]) & (det["class"] == PERSON)]
        n = sum(1 for r in rows if int(r["track"]) in confirmed
                and inside(poly, r["x"] + r["w"] / 2, r["y"] + r["h"]))
        exact += n == s["people"]
        b = int(s["frame"] // bin_frames[0])          # every bin but the last is full
        if n > occ_max[b]:
            problems.append(f"frame {s['frame']}: {n} inside, but /analytics says at most {occ_max[b]} in its bin")
        print(f"  frame {s['frame']:3d}: {n} inside (hand {s['people']})")
        if abs(n - s["people"]) > 1:
            problems.append(f"frame {s['frame']}: {n} inside, hand count {s['people']}")
    need = len(tz["occupancy"]) - 2
    print(f"  occupancy exact on {exact}/{len(tz['occupancy'])} frames")
    if exact < need:
        problems.append(f"occupancy exact on {exact} frames, fewer than {need}")
    for p in problems:
        print("MISMATCH:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))

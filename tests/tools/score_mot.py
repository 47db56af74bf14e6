# SPDX-License-Identifier: MIT
"""score_mot.py - score a MOTChallenge CSV of vtest.avi against our own hand annotations.

usage: score_mot.py [--json] [--verbose] MOT.csv [DATA_DIR]

MOT.csv is `obscura inspect --mot` of vtest.avi (or any tracker's CSV in the
same format: frame (1-based), id, x, y, w, h, ...); DATA_DIR is tests/data
(default: beside this script).  Only what was annotated by hand is scored,
so the figures are estimates on samples, not TrackEval's over every frame:

  boxes     frames 100, 400, 700 (tests/data/people: 14 people >= 64 px):
            one-to-one greedy matching at IoU >= 0.5 -> TP, FN; FP are the
            unmatched boxes at least 64 px tall (the annotations leave out
            smaller and half-hidden people, so smaller boxes are not held
            against the tracker); precision, recall.
  count     the same frames' "# in view" (every person of any size, however
            hidden) and 8 more frames counted by eye (truth.json "view":
            50, 150, ..., 750), and the 13 sampled frames of the zone's
            occupancy (truth.json): mean absolute error of the per-frame
            count (boxes; boxes whose feet are in the zone).
  identity  41 sightings of 13 people (truth.json: the line's hand-labelled
            crossings, matched to the CSV's own crossings of the line within
            5 frames, same direction; the identity probes, the box whose feet
            are nearest, within half its height): ID switches (consecutive
            sightings of one person under another id), identity errors as
            tests/tools/vtest_analytics.py counts them (a person split over
            ids, an id shared by people), and IDF1 over the sightings
            (persons and ids paired one to one, greedily by shared
            sightings).
  MOTA      1 - (FN + FP + IDSW) / GT over the box frames, IDSW from the
            sightings: a rough stand-in for the real MOTA.
  full      every annotated frame of tests/data/people/vtest-full.txt
            (frames 0, 25, ..., 775: every person at least partly visible,
            full-body boxes as MOTChallenge draws them, hidden parts
            included): boxes paired one to one, greedily by IoU >= 0.5 (the
            hand boxes cut to the picture, as a tracker's are), the required
            people first; a person marked "?" (a sliver at the border, a
            head over a car) is neither found nor missed, and a box paired
            with him (IoU >= 0.3: little of him shows) is not false.  TP, FN, FP (every unpaired
            box, of any size), precision, recall, MODA and MOTA (IDSW from
            the sightings), the per-frame count's mean absolute error (a
            count between the required people and all of them is right),
            and the paired boxes' bias: mean height ratio, top and bottom
            offsets (px, + is down), mean IoU.  --verbose lists each miss
            and each false box.

Prints a table (or --json) and exits 0; needs only Python's standard library.
"""
import csv
import json
import os
import sys

from boxgeom import iou, inside

BOX_FRAMES = (100, 400, 700)
FULL = os.path.join("people", "vtest-full.txt")
WIDTH, HEIGHT = 768, 576
MIN_H = 64
DT = 5


def load_truth_boxes(data, n):
    boxes, view = [], None
    for line in open(os.path.join(data, "people", f"vtest-{n}.txt")):
        if line.startswith("#"):
            if "# in view:" in line:
                view = int(line.split("# in view:")[1].split()[0])
            continue
        if line.strip():
            boxes.append(list(map(float, line.split()[:4])))
    return boxes, view


def load_full(data):
    """vtest-full.txt: ({frame: [(box, optional)]}, frames annotated)."""
    boxes, frames = {}, []
    for line in open(os.path.join(data, FULL)):
        if line.startswith("# frames:"):
            frames = [int(v) for v in line.split(":", 1)[1].split()]
        if line.startswith("#") or not line.strip():
            continue
        p = line.split()
        boxes.setdefault(int(p[0]), []).append(([float(v) for v in p[1:5]], len(p) > 5 and p[5] == "?"))
    if not frames or not set(boxes) <= set(frames):
        sys.exit(f"{FULL}: no '# frames:' line, or boxes on a frame it does not list")
    return boxes, frames


def clip(b):
    """A box cut to the picture, as a tracker's boxes are."""
    x0, y0 = max(0, b[0]), max(0, b[1])
    return [x0, y0, min(WIDTH, b[0] + b[2]) - x0, min(HEIGHT, b[1] + b[3]) - y0]


def pair(want, got):
    """Greedy one-to-one pairing, required people before optional ones: IoU >= 0.5 with
    a required person, >= 0.3 with a "?" one (mostly out of the picture or hidden, so a
    box on the little that shows is as good as any), both cut to the picture.
    Returns [(truth index, got index, iou)]."""
    cand = sorted(((not opt, v, i, k) for i, (t, opt) in enumerate(want) for k, g in enumerate(got)
                   for v in [iou(clip(t), g)] if v >= (0.3 if opt else 0.5)), reverse=True)
    out, ti, gi = [], set(), set()
    for _, v, i, k in cand:
        if i not in ti and k not in gi:
            ti.add(i)
            gi.add(k)
            out.append((i, k, v))
    return out


def score_full(data, at, verbose):
    boxes, frames = load_full(data)
    tp = fn = fp = gt = 0
    cerr, hr, top, bot, ious = [], [], [], [], []
    for n in frames:
        want, got = boxes.get(n, []), [list(r[2:6]) for r in at.get(n, [])]
        pairs = pair(want, got)
        hit = {i: (k, v) for i, k, v in pairs}
        taken = {k for _, k, _ in pairs}
        need = sum(1 for _, opt in want if not opt)
        for i, (t, opt) in enumerate(want):
            if opt:
                continue
            if i in hit:
                k, v = hit[i]
                g = got[k]
                tp += 1
                hr.append(g[3] / t[3])
                top.append(g[1] - t[1])
                bot.append(g[1] + g[3] - t[1] - t[3])
                ious.append(v)
            else:
                fn += 1
                if verbose:
                    print(f"frame {n}: missed {t}")
        for k, g in enumerate(got):
            if k not in taken:
                fp += 1
                if verbose:
                    print(f"frame {n}: false box {[round(v) for v in g]}")
        gt += need
        cerr.append(max(0, need - len(got), len(got) - len(want)))
    mean = lambda v: sum(v) / len(v) if v else 0
    return {"frames": len(frames), "gt": gt, "optional": sum(o for b in boxes.values() for _, o in b),
            "tp": tp, "fn": fn, "fp": fp, "precision": tp / (tp + fp) if tp + fp else 0,
            "recall": tp / gt if gt else 0, "moda": 1 - (fn + fp) / gt if gt else 0,
            "count_mae": mean(cerr), "count_exact": sum(e == 0 for e in cerr),
            "height_ratio": mean(hr), "top_px": mean(top), "bottom_px": mean(bot), "iou": mean(ious)}


def crossings(rows, line):
    """Each id's crossings of the vertical line: (frame0, dir, id)."""
    (ax, ay), (bx, by) = line
    lo, hi = min(ay, by), max(ay, by)
    by_id = {}
    for f, i, x, y, w, h in rows:
        by_id.setdefault(i, []).append((f - 1, x + w / 2, y + h))
    out = []
    for i, pts in by_id.items():
        pts.sort()
        for (f0, x0, y0), (f1, x1, y1) in zip(pts, pts[1:]):
            if (x0 - ax) * (x1 - ax) < 0 and lo <= (y0 + y1) / 2 <= hi:
                out.append((f1, "forward" if x1 > x0 else "backward", i))
    return out


def main(argv):
    as_json = "--json" in argv
    verbose = "--verbose" in argv
    args = [a for a in argv if a not in ("--json", "--verbose")]
    if not args:
        sys.exit(__doc__)
    data = args[1] if len(args) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
    rows = [tuple(float(v) for v in r[:6]) for r in csv.reader(open(args[0])) if r]
    rows = [(int(f), int(i), x, y, w, h) for f, i, x, y, w, h in rows]
    at = {}
    for r in rows:
        at.setdefault(r[0] - 1, []).append(r)
    truth = json.load(open(os.path.join(data, "vtest-analytics", "truth.json")))
    res = {"ids": len({r[1] for r in rows})}

    # boxes
    tp = fn = fp = gt = 0
    count_err = []
    for n in BOX_FRAMES:
        want, view = load_truth_boxes(data, n)
        got = [list(r[2:6]) for r in at.get(n, [])]
        used = set()
        for t in want:
            best = max(((iou(t, g), k) for k, g in enumerate(got) if k not in used), default=(0, None))
            if best[0] >= 0.5:
                used.add(best[1])
                tp += 1
            else:
                fn += 1
        fp += sum(1 for k, g in enumerate(got) if k not in used and g[3] >= MIN_H)
        gt += len(want)
        count_err.append(abs(len(got) - view))
    res.update(gt=gt, tp=tp, fn=fn, fp=fp, precision=tp / (tp + fp) if tp + fp else 0, recall=tp / gt)
    for c in truth.get("view", {}).get("counts", []):
        count_err.append(abs(len(at.get(c["frame"], [])) - c["people"]))
    res["count_frames"] = len(count_err)
    res["count_mae_frame"] = sum(count_err) / len(count_err)
    poly = truth["zone"]["polygon_px"]
    zerr = [abs(sum(1 for r in at.get(s["frame"], []) if inside(poly, r[2] + r[4] / 2, r[3] + r[5]))
                - s["people"]) for s in truth["zone"]["occupancy"]]
    res["count_mae_zone"] = sum(zerr) / len(zerr)

    # identities
    alias = truth["identity"]["aliases"]
    seen = []  # (frame, person, id or None)
    left = crossings(rows, truth["line"]["points_px"])
    for c in truth["line"]["crossings"]:
        m = [o for o in left if o[1] == c["dir"] and abs(o[0] - c["frame"]) <= DT]
        o = min(m, key=lambda o: abs(o[0] - c["frame"])) if m else None
        if o:
            left.remove(o)
        seen.append((c["frame"], alias.get(c["person"], c["person"]), o[2] if o else None))
    for p in truth["identity"]["probes"]:
        near = [(((r[2] + r[4] / 2 - p["x"]) ** 2 + (r[3] + r[5] - p["y"]) ** 2) ** 0.5, r[1])
                for r in at.get(p["frame"], [])]
        near = [d for d in near if d[0] <= 0.5 * p["h"]]
        seen.append((p["frame"], alias.get(p["person"], p["person"]), min(near)[1] if near else None))
    seen.sort()
    idsw, last = 0, {}
    by_person, by_id, pair = {}, {}, {}
    for f, person, i in seen:
        if i is None:
            continue
        if person in last and last[person] != i:
            idsw += 1
        last[person] = i
        by_person.setdefault(person, set()).add(i)
        by_id.setdefault(i, set()).add(person)
        pair[(person, i)] = pair.get((person, i), 0) + 1
    errors = sum(len(v) > 1 for v in by_person.values()) + sum(len(v) > 1 for v in by_id.values())
    idtp, taken_p, taken_i = 0, set(), set()
    for (person, i), k in sorted(pair.items(), key=lambda kv: -kv[1]):
        if person not in taken_p and i not in taken_i:
            taken_p.add(person)
            taken_i.add(i)
            idtp += k
    matched = sum(1 for s in seen if s[2] is not None)
    idfn = len(seen) - idtp
    idfp = matched - idtp
    res.update(sightings=len(seen), people=len({s[1] for s in seen}), sightings_unmatched=len(seen) - matched,
               idsw=idsw, identity_errors=errors, idf1=2 * idtp / (2 * idtp + idfp + idfn),
               extra_crossings=len(left))
    res["mota"] = 1 - (res["fn"] + res["fp"] + idsw) / gt
    full = res["full"] = score_full(data, at, verbose)
    full["mota"] = full["moda"] - idsw / full["gt"]
    if as_json:
        print(json.dumps(res, indent=2, sort_keys=True))
        return 0
    print(f"boxes on frames {', '.join(map(str, BOX_FRAMES))}: {tp}/{gt} found, {fn} missed, {fp} false (>= {MIN_H} px);"
          f" precision {res['precision']:.3f}, recall {res['recall']:.3f}")
    print(f"count: MAE {res['count_mae_frame']:.2f} per frame (people in view, {len(count_err)} frames),"
          f" {res['count_mae_zone']:.2f} in the zone ({len(zerr)} frames)")
    print(f"identities: {len(seen)} sightings of {res['people']} people ({res['sightings_unmatched']} without a box),"
          f" {idsw} ID switches, {errors} identity errors, IDF1 {res['idf1']:.3f};"
          f" {len(left)} crossings nobody made by hand; {res['ids']} ids in the CSV")
    print(f"MOTA (box frames, IDSW from sightings): {res['mota']:.3f}")
    print(f"full boxes on {full['frames']} frames: {full['tp']}/{full['gt']} found, {full['fn']} missed,"
          f" {full['fp']} false ({full['optional']} barely visible left out);"
          f" precision {full['precision']:.3f}, recall {full['recall']:.3f}, MODA {full['moda']:.3f},"
          f" MOTA {full['mota']:.3f} (IDSW from sightings)")
    print(f"full boxes: count MAE {full['count_mae']:.2f} per frame ({full['count_exact']}/{full['frames']} exact);"
          f" paired boxes: height x{full['height_ratio']:.3f}, top {full['top_px']:+.1f} px,"
          f" bottom {full['bottom_px']:+.1f} px, IoU {full['iou']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

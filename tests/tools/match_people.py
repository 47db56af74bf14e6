# SPDX-License-Identifier: MIT
"""match_people.py - how many annotated people a list of boxes finds.

    match_people.py TRUTH_DIR BOXES_FILE FORMAT

TRUTH_DIR holds vtest-N.txt (x y w h per line, '#' comments) for frames
N = 100, 400, 700.  FORMAT is "detect-image" (BOXES_FILE is a pattern with
{n}: detect-image output per frame, person lines only) or "mot" (BOXES_FILE
is a MOTChallenge CSV; frame N is line frame N + 1).  Each annotated person
is matched one to one, greedily, to the unused box of highest IoU; IoU >= 0.5
counts as found.  Prints "found F/T" and exits 0.
"""
import csv
import sys

from boxgeom import iou

FRAMES = (100, 400, 700)


def boxes(fmt, path, n):
    if fmt == "mot":
        return [list(map(float, r[2:6])) for r in csv.reader(open(path)) if int(float(r[0])) == n + 1]
    return [list(map(float, l.split()[:4])) for l in open(path.format(n=n)) if l.split()[5] == "person"]


def main():
    truth, path, fmt = sys.argv[1:4]
    found = total = 0
    for n in FRAMES:
        gt = [list(map(float, l.split())) for l in open(f"{truth}/vtest-{n}.txt") if not l.startswith("#")]
        det = boxes(fmt, path, n)
        used = set()
        for g in gt:
            best = max(((iou(g, d), i) for i, d in enumerate(det) if i not in used), default=(0, -1))
            if best[0] >= 0.5:
                used.add(best[1])
                found += 1
            else:
                print(f"frame {n}: person {g} missed")
        total += len(gt)
    print(f"found {found}/{total}")


main()

# SPDX-License-Identifier: MIT
"""boxgeom.py - the box and polygon arithmetic the Python checkers share.

Boxes are [x, y, w, h] in pixels; polygons are lists of (x, y) points.
Imported by score_mot.py, match_people.py and vtest_analytics.py (Python puts
a script's own directory on its path, so they find it beside them).
"""


def iou(a, b):
    """Intersection over union of two boxes."""
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    i = max(0, x1 - x0) * max(0, y1 - y0)
    return i / (a[2] * a[3] + b[2] * b[3] - i)


def inside(poly, x, y):
    """Is (x, y) inside the polygon?  Even-odd rule, as the analyzer's zones."""
    c = False
    for i in range(len(poly)):
        (x1, y1), (x2, y2) = poly[i], poly[i - 1]
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            c = not c
    return c

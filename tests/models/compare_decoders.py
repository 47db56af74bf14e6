#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Run the reference decoders (decoders.py) on raw output tensors written by a C test.

usage: compare_decoders.py MODEL DIR OX OY SX SY THRESHOLD
DIR holds out0.f32, out1.f32 (float32, the card's output order).  Prints one line per
detection, "x1 y1 x2 y2 score label", in frame pixels: x = OX + x_in / SX (the C mapping).
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import decoders  # noqa: E402


def main():
    model, d = sys.argv[1], sys.argv[2]
    ox, oy, sx, sy, thr = map(float, sys.argv[3:8])
    o = [np.fromfile(os.path.join(d, f"out{i}.f32"), np.float32) for i in range(2)
         if os.path.exists(os.path.join(d, f"out{i}.f32"))]
    if model == "blazeface":
        boxes = decoders.blazeface(o[0], o[1], 1.0, thr=thr)
    elif model == "ultraface":
        boxes = decoders.ultraface(o[0], o[1], 1.0, thr=thr)
    elif model == "ssd_face":
        boxes = decoders.ssd(o[0], o[1], 1.0, thr=thr)
    elif model == "centernet" or model.startswith("centernet_"):
        # centernet_WxH: the variant converted at a W x H input, heads at H/4 x W/4
        w, h = (512, 512) if model == "centernet" else map(int, model[len("centernet_"):].split("x"))
        keep = {0, 1, 2, 3, 5, 7}
        boxes = [b for b in decoders.centernet(o[0].reshape(1, 80, h // 4, w // 4),
                                               o[1].reshape(1, 4, h // 4, w // 4), 1.0, thr=thr) if b[5] in keep]
    elif model == "ppocr_det" or model.startswith("ppocr_det_"):
        # ppocr_det_WxH: the network with its input fixed to W x H, probabilities at that size
        w, h = (640, 640) if model == "ppocr_det" else map(int, model[len("ppocr_det_"):].split("x"))
        boxes = decoders.db(o[0].reshape(1, 1, h, w), 1.0, box_thr=thr)
    else:
        sys.exit(f"unknown model {model}")
    for x1, y1, x2, y2, s, c in boxes:
        print(f"{ox + x1 / sx:.4f} {oy + y1 / sy:.4f} {ox + x2 / sx:.4f} {oy + y2 / sy:.4f} {s:.6f} {c}")


main()

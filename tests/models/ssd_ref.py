# SPDX-License-Identifier: MIT
"""Independent NumPy re-implementation of face-api's SSD MobileNetV1 (src/ssdMobilenetv1/*.ts).

NHWC, TF semantics, batch norm applied explicitly (not folded), float64.  Returns the raw
box encodings [1,5118,4] and class logits [1,5118,3] in face-api's concat order, plus the
anchors shipped in the weights (Output/extra_dim) and a decoder following outputLayer.ts.
"""
import json
import os

import numpy as np

import tfjs_ref

EPS = 0.0010000000474974513


def load(manifest_path):
    return tfjs_ref.load_manifest(json.load(open(manifest_path)), os.path.dirname(manifest_path))


def run(w, x):
    """x: NHWC float, already normalised to -1..1."""
    def pointwise(t, prefix, idx, s):
        p = "%s/Conv2d_%d_pointwise" % (prefix, idx)
        out = tfjs_ref.conv2d(t, w[p + "/weights"], [1, s, s, 1], "SAME", False) + w[p + "/convolution_bn_offset"]
        return np.clip(out, 0, 6)

    def depthwise(t, idx, s):
        p = "MobilenetV1/Conv2d_%d_depthwise" % idx
        out = tfjs_ref.conv2d(t, w[p + "/depthwise_weights"], [1, s, s, 1], "SAME", True)
        out = (out - w[p + "/BatchNorm/moving_mean"]) / np.sqrt(w[p + "/BatchNorm/moving_variance"] + EPS) \
            * w[p + "/BatchNorm/gamma"] + w[p + "/BatchNorm/beta"]
        return np.clip(out, 0, 6)

    out = pointwise(np.asarray(x, np.float64), "MobilenetV1", 0, 2)
    conv11 = None
    for i in range(1, 14):
        out = depthwise(out, i, 2 if i in (2, 4, 6, 12) else 1)
        out = pointwise(out, "MobilenetV1", i, 1)
        if i == 11:
            conv11 = out
    c0 = pointwise(out, "Prediction", 0, 1)
    c1 = pointwise(c0, "Prediction", 1, 2)
    c2 = pointwise(c1, "Prediction", 2, 1)
    c3 = pointwise(c2, "Prediction", 3, 2)
    c4 = pointwise(c3, "Prediction", 4, 1)
    c5 = pointwise(c4, "Prediction", 5, 2)
    c6 = pointwise(c5, "Prediction", 6, 1)
    c7 = pointwise(c6, "Prediction", 7, 2)
    boxes, classes = [], []
    for i, f in enumerate((conv11, out, c1, c3, c5, c7)):
        p = "Prediction/BoxPredictor_%d" % i
        be = tfjs_ref.conv2d(f, w[p + "/BoxEncodingPredictor/weights"], [1, 1, 1, 1], "SAME", False) \
            + w[p + "/BoxEncodingPredictor/biases"]
        cp = tfjs_ref.conv2d(f, w[p + "/ClassPredictor/weights"], [1, 1, 1, 1], "SAME", False) \
            + w[p + "/ClassPredictor/biases"]
        boxes.append(be.reshape(1, -1, 4))
        classes.append(cp.reshape(1, -1, 3))
    return np.concatenate(boxes, 1), np.concatenate(classes, 1)


def anchors_generated():
    """Anchors by formula (TF OD API multiple_grid_anchor_generator), [y1,x1,y2,x2] normalised."""
    grids = [32, 16, 8, 4, 2, 1]
    scales = [0.2 + (0.95 - 0.2) * i / 5 for i in range(6)] + [1.0]
    out = []
    for layer, g in enumerate(grids):
        if layer == 0:
            specs = [(0.1, 1.0), (0.2, 2.0), (0.2, 0.5)]
        else:
            s, s_next = scales[layer], scales[layer + 1]
            specs = [(s, 1.0), (np.sqrt(s * s_next), 1.0), (s, 2.0), (s, 0.5), (s, 3.0), (s, 1.0 / 3.0)]
        for y in range(g):
            for x in range(g):
                cy, cx = (y + 0.5) / g, (x + 0.5) / g
                for s, r in specs:
                    h, w_ = s / np.sqrt(r), s * np.sqrt(r)
                    out.append((cy - h / 2, cx - w_ / 2, cy + h / 2, cx + w_ / 2))
    return np.array(out)


def decode(enc, logits, anchors):
    """outputLayer.ts: returns boxes [N,4] (y1,x1,y2,x2 normalised) and face scores [N]."""
    a = anchors.reshape(-1, 4)
    ha, wa = a[:, 2] - a[:, 0], a[:, 3] - a[:, 1]
    cya, cxa = a[:, 0] + ha / 2, a[:, 1] + wa / 2
    e = enc.reshape(-1, 4)
    cy = e[:, 0] / 10 * ha + cya
    cx = e[:, 1] / 10 * wa + cxa
    h = np.exp(e[:, 2] / 5) * ha
    w = np.exp(e[:, 3] / 5) * wa
    boxes = np.stack([cy - h / 2, cx - w / 2, cy + h / 2, cx + w / 2], 1)
    scores = 1 / (1 + np.exp(-logits.reshape(-1, 3)[:, 1]))
    return boxes, scores

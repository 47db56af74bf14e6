#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Verification of Obscura's converted detector models (run by `make models-check`).

usage: test_models.py [--model-dir build/models] [--npm-dir build/npm] [--quick]

For every model:
  * the card parses as plain INI and its sha256 matches the file;
  * OpenCV 4.6 (cv2.dnn.readNetFromONNX) loads and runs it, output names/shapes as documented;
  * OpenCV's output matches an independent NumPy interpreter of the *source* graph
    (tfjs json+bin for BlazeFace/CenterNet, the upstream ONNX for PP-OCR, the
    shipped ONNX for UltraFace) on a deterministic random input;
  * real/synthetic images give sensible detections (face-api demo photos etc.; for
    CenterNet and each variant its family card lists, also the annotated people of
    vtest.avi frames 100/400/700 when Debian's opencv-doc is installed); each size of
    CenterNet and PP-OCR DB is checked like the family's own card;
  * converting twice gives byte-identical files with the pinned SHA-256 (UltraFace,
    installed unconverted: the installed file is the package's, byte for byte).
Prints per-model cv2 forward times and `N passed, N failed`; exits 1 on any failure.
"""
import argparse
import configparser
import hashlib
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)

import cv2  # noqa: E402
import decoders as D  # noqa: E402
import onnx_ref  # noqa: E402
import ssd_ref  # noqa: E402
import tfjs_ref  # noqa: E402

PASSED = 0
FAILED = 0
REPORT = []


def check(cond, what):
    global PASSED, FAILED
    if cond:
        PASSED += 1
        print("ok    %s" % what)
    else:
        FAILED += 1
        print("FAIL  %s" % what)
    return cond


def report(line):
    REPORT.append(line)
    print("      " + line)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for blk in iter(lambda: f.read(1 << 20), b""):
            h.update(blk)
    return h.hexdigest()


def read_card(path):
    cp = configparser.ConfigParser(inline_comment_prefixes=(";",), comment_prefixes=(";", "#"),
                                   interpolation=None, strict=True)
    with open(path) as f:
        cp.read_file(f)
    return cp


def load_net(path):
    net = cv2.dnn.readNetFromONNX(path)
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
    return net


def forward(net, blob, names):
    net.setInput(blob)
    return net.forward(names)


def time_forward(net, blob, names, n=5):
    forward(net, blob, names)
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        forward(net, blob, names)
        ts.append(time.perf_counter() - t)
    return float(np.median(ts))


def iou(a, b):
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    u = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / u if u > 0 else 0.0


# ---------------------------------------------------------------------------
def test_card(name, mdir):
    card_path = os.path.join(ROOT, "models", name + ".card")
    try:
        card = read_card(card_path)
    except Exception as e:  # noqa: BLE001
        check(False, "%s: card parses as INI (%s)" % (name, e))
        return None
    req = {"model": ["name", "task", "file", "sha256", "source", "licence", "description"],
           "input": ["width", "height", "channels", "mean", "scale", "resize"],
           "output": ["names"], "decoder": ["type", "score_threshold", "nms_iou"] if not name.startswith("ppocr_det")
           else ["type", "score_threshold", "binary_threshold"]}
    missing = [s + "." + k for s, ks in req.items() for k in ks if not card.has_option(s, k)]
    check(not missing, "%s: card has required keys %s" % (name, missing or ""))
    check(card.get("model", "name") == name, "%s: card name" % name)
    onnx_path = os.path.join(mdir, card.get("model", "file"))
    ok = os.path.exists(onnx_path)
    check(ok, "%s: %s exists" % (name, onnx_path))
    if ok:
        check(sha256(onnx_path) == card.get("model", "sha256").lower(), "%s: sha256 matches card" % name)
    return card


def test_loads(name, card, mdir, expect, converted=True):
    """converted=False: a graph installed as shipped (UltraFace), not written by models/convert.py."""
    path = os.path.join(mdir, card.get("model", "file"))
    import onnx
    m = onnx.load(path)
    try:
        onnx.checker.check_model(m)
        ok = True
    except Exception as e:  # noqa: BLE001
        print(e)
        ok = False
    check(ok, "%s: onnx.checker accepts the model (opset %d)" % (name, m.opset_import[0].version))
    if converted:
        check(m.producer_name == "obscura-models", "%s: fixed producer name" % name)
    outs = [o.name for o in m.graph.output]
    names = card.get("output", "names").split(",")
    names = [s.strip() for s in names]
    check(outs == names, "%s: graph outputs %s == card names %s" % (name, outs, names))
    if converted:
        vi = {v.name for v in m.graph.value_info}
        check(all(o in vi for o in outs), "%s: every output has a shape in value_info" % name)
    else:
        static = [[d.dim_value for d in o.type.tensor_type.shape.dim] for o in m.graph.output]
        check(all(all(v > 0 for v in sh) for sh in static), "%s: every output has a static shape %s"
              % (name, static))
    try:
        net = load_net(path)
    except cv2.error as e:
        check(False, "%s: OpenCV %s loads it (%s)" % (name, cv2.__version__, str(e)[-200:]))
        return None, names
    check(True, "%s: OpenCV %s loads it" % (name, cv2.__version__))
    w, h = card.getint("input", "width"), card.getint("input", "height")
    blob = np.zeros((1, 3, h, w), np.float32)
    res = forward(net, blob, names)
    shapes = [tuple(r.shape) for r in res]
    check(shapes == expect, "%s: output shapes %s == %s" % (name, shapes, expect))
    return net, names


# ---------------------------------------------------------------------------
def test_blazeface(mdir, src_human, src_faceapi):
    card = test_card("blazeface", mdir)
    if card is None:
        return
    net, names = test_loads("blazeface", card, mdir, [(1, 896, 1), (1, 896, 16)])
    if net is None:
        return
    nodes, w = tfjs_ref.load(os.path.join(src_human, "models/blazeface.json"))
    x = np.random.RandomState(1234).uniform(-1, 1, (1, 256, 256, 3)).astype(np.float32)
    r = tfjs_ref.run(nodes, w, {"input": x}, ["Identity", "Identity_1", "Identity_2", "Identity_3"])
    ref_s = np.concatenate([r[0], r[1]], 1)
    ref_b = np.concatenate([r[2], r[3]], 1)
    s, b = forward(net, x.transpose(0, 3, 1, 2).copy(), names)
    ds, db_ = float(np.abs(s - ref_s).max()), float(np.abs(b - ref_b).max())
    report("blazeface: max|cv2 - numpy tfjs| scores %.2e (|ref|max %.1f), boxes %.2e (|ref|max %.1f)"
           % (ds, np.abs(ref_s).max(), db_, np.abs(ref_b).max()))
    check(ds < 1e-3 and db_ < 1e-2, "blazeface: OpenCV output == NumPy tfjs reference")
    # same on a real photo (values in the range the model sees in practice)
    img = cv2.imread(os.path.join(src_faceapi, "demo/sample1.jpg"))
    hwc, sc = D.letterbox(img, 256, 256, "rgb")
    blob = D.to_blob(hwc, 127.5, 1 / 127.5)
    r = tfjs_ref.run(nodes, w, {"input": blob.transpose(0, 2, 3, 1)},
                     ["Identity", "Identity_1", "Identity_2", "Identity_3"])
    s, b = forward(net, blob, names)
    rs, rb = np.concatenate([r[0], r[1]], 1), np.concatenate([r[2], r[3]], 1)
    ds = float(np.abs(s - rs).max())
    db_ = float(np.abs(b - rb).max())
    report("blazeface: on sample1.jpg max|diff| scores %.2e (|ref|max %.1f), boxes %.2e (|ref|max %.1f)"
           % (ds, np.abs(rs).max(), db_, np.abs(rb).max()))
    # real photos drive the logits to +-300: compare relative to the output range
    check(ds < 1e-4 * max(1.0, np.abs(rs).max()) and db_ < 1e-4 * max(1.0, np.abs(rb).max()),
          "blazeface: OpenCV == reference on a photo (relative 1e-4)")

    thr = card.getfloat("decoder", "score_threshold")
    total = 0
    sizes = []
    for i in range(1, 7):
        img = cv2.imread(os.path.join(src_faceapi, "demo/sample%d.jpg" % i))
        hwc, sc = D.letterbox(img, 256, 256, "rgb")
        s, b = forward(net, D.to_blob(hwc, 127.5, 1 / 127.5), names)
        dets = D.blazeface(s, b, sc, thr=thr, iou=card.getfloat("decoder", "nms_iou"))
        total += len(dets)
        sizes += [d[2] - d[0] for d in dets]
        report("blazeface: sample%d.jpg %dx%d: %d faces %s" % (i, img.shape[1], img.shape[0], len(dets),
               " ".join("[%d,%d,%d,%d %.2f]" % (d[0], d[1], d[2], d[3], d[4]) for d in dets)))
    report("blazeface: face-api samples: %d of 22 faces at score >= %.2f, box widths %d..%d px"
           % (total, thr, min(sizes) if sizes else 0, max(sizes) if sizes else 0))
    check(18 <= total <= 24, "blazeface: finds most of the 22 faces in face-api demo photos (%d)" % total)
    check(all(120 <= z <= 320 for z in sizes), "blazeface: face box sizes plausible (150-250 px faces)")
    hwc, sc = D.letterbox(img, 256, 256, "rgb")
    TIMES["blazeface"] = time_forward(net, D.to_blob(hwc, 127.5, 1 / 127.5), names)


VTEST = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"   # Debian opencv-doc, as t0050
VTEST_FRAMES = (100, 400, 700)                                 # annotated in tests/data/people


def vtest_people(net, names, w, h, thr, iou_thr):
    """(found, annotated) people of vtest.avi frames 100/400/700 at IoU >= 0.5, one to one."""
    cap = cv2.VideoCapture(VTEST)
    found = total = 0
    for n in VTEST_FRAMES:
        cap.set(cv2.CAP_PROP_POS_FRAMES, n)
        ok, img = cap.read()
        check(ok, "centernet: vtest.avi frame %d decodes" % n)
        if not ok:
            return 0, 0
        truth = [[float(v) for v in line.split()] for line in open(os.path.join(ROOT, "tests/data/people",
                 "vtest-%d.txt" % n)) if not line.startswith("#")]
        hwc, sc = D.letterbox(img, w, h, "rgb")
        hm, wh = forward(net, D.to_blob(hwc, 0.0, 1.0), names)
        dets = [d for d in D.centernet(hm, wh, sc, thr=thr, iou=iou_thr) if d[5] == 0]
        used = set()
        for x, y, bw, bh in truth:
            best = max(((iou((x, y, x + bw, y + bh), d[:4]), i) for i, d in enumerate(dets) if i not in used),
                       default=(0, -1))
            if best[0] >= 0.5:
                used.add(best[1])
                found += 1
        total += len(truth)
    cap.release()
    return found, total


def test_centernet(mdir, src_human, src_faceapi, name="centernet"):
    card = test_card(name, mdir)
    if card is None:
        return
    w, h = card.getint("input", "width"), card.getint("input", "height")
    gw, gh = w // 4, h // 4
    net, names = test_loads(name, card, mdir, [(1, 80, gh, gw), (1, 4, gh, gw)])
    if net is None:
        return
    nodes, wts = tfjs_ref.load(os.path.join(src_human, "models/centernet.json"))
    img = cv2.imread(os.path.join(src_human, "assets/samples.jpg"))
    hwc, sc = D.letterbox(img, w, h, "rgb")
    rand = np.random.RandomState(99).uniform(0, 255, (1, h, w, 3)).astype(np.float32)
    # The tfjs graph is traced at 512x512 (upsampling sizes folded); another size is that
    # graph with every ResizeBilinear doubling its input (Keras UpSampling2D(2)).
    traced = (w, h) == (512, 512)
    for label, x in (("random", rand), ("samples.jpg", hwc[None])):
        r = tfjs_ref.run(nodes, wts, {"tower_0/images": x}, ["tower_0/keypoints", "tower_0/wh"],
                         upsample=None if traced else 2)
        hm, wh = forward(net, x.transpose(0, 3, 1, 2).copy(), names)
        dh = float(np.abs(hm - r[0].transpose(0, 3, 1, 2)).max())
        dw = float(np.abs(wh - r[1].transpose(0, 3, 1, 2)).max())
        report("%s: %s: max|cv2 - numpy tfjs| heatmap %.2e (max %.3f), wh %.2e (|ref|max %.1f)"
               % (name, label, dh, r[0].max(), dw, np.abs(r[1]).max()))
        check(dh < 1e-3 and dw < 5e-2, "%s: OpenCV output == NumPy tfjs reference (%s)" % (name, label))
        if traced and label == "random":
            u = tfjs_ref.run(nodes, wts, {"tower_0/images": x}, ["tower_0/keypoints", "tower_0/wh"], upsample=2)
            check(all(np.array_equal(p, q) for p, q in zip(u, r)),
                  "centernet: the folded upsampling sizes are 2x their inputs (reference for other sizes)")
    thr = card.getfloat("decoder", "score_threshold")
    nms = card.getfloat("decoder", "nms_iou")
    keep = [int(v) for v in card.get("decoder", "keep_classes").split(",")]
    hm, wh = forward(net, D.to_blob(hwc, 0.0, 1.0), names)
    dets = [d for d in D.centernet(hm, wh, sc, thr=thr, iou=nms) if d[5] in keep]
    persons = [d for d in dets if d[5] == 0]
    report("%s: human assets/samples.jpg (%dx%d): %d persons %s" % (name, img.shape[1], img.shape[0],
           len(persons), " ".join("[%d,%d,%d,%d %.2f]" % (d[0], d[1], d[2], d[3], d[4]) for d in persons)))
    # A near-square photo: the family's own 512x512 runs on it, never a wide variant (at
    # 384x288 it would be seen at 288x260), so only the family is held to a person count.
    if traced:
        check(len(persons) >= 4, "%s: finds persons in human's samples.jpg" % name)
    total = 0
    for i in range(1, 7):
        im = cv2.imread(os.path.join(src_faceapi, "demo/sample%d.jpg" % i))
        h2, s2 = D.letterbox(im, w, h, "rgb")
        hm2, wh2 = forward(net, D.to_blob(h2, 0.0, 1.0), names)
        d2 = [d for d in D.centernet(hm2, wh2, s2, thr=thr) if d[5] == 0]
        total += len(d2)
    report("%s: face-api samples 1-6 (22 people, mostly head-and-shoulders): %d persons" % (name, total))
    check(total >= 15, "%s: persons found in face-api photos" % name)
    if os.path.exists(VTEST):
        found, annotated = vtest_people(net, names, w, h, thr, nms)
        report("%s: vtest.avi frames %s: %d/%d annotated people found (IoU >= 0.5)"
               % (name, "/".join(map(str, VTEST_FRAMES)), found, annotated))
        check(annotated == 14 and found >= 12, "%s: finds the people of vtest.avi (t0050's bar: 12/14)" % name)
    else:
        report("%s: %s not installed (Debian opencv-doc): vtest people not checked" % (name, VTEST))
    # scaled input must fail (documents the raw 0..255 input requirement)
    hm3, _ = forward(net, D.to_blob(hwc, 127.5, 1 / 127.5), names)
    report("%s: with input scaled to -1..1 the heatmap max is %.3f (raw 0..255: %.3f)"
           % (name, hm3.max(), hm.max()))
    TIMES[name] = time_forward(net, D.to_blob(hwc, 0.0, 1.0), names)


def family_variants(family_name, alias, test, *args):
    """Every FAMILY_WxH card: a card like the family's at its own size, then test(*args, name).

    The family card's variants must be among them (others, e.g. centernet_384x288, are named
    by recipes); ALIAS is the family's own network under its size's name."""
    import glob
    family = read_card(os.path.join(ROOT, "models", family_name + ".card"))
    listed = family.get("model", "variants", fallback="").split(",")
    sizes = sorted(os.path.basename(p)[:-5] for p in glob.glob(os.path.join(ROOT, "models", family_name + "_*x*.card")))
    sizes.remove(alias)   # the family's own network by name, checked below
    check(all(v in sizes for v in listed) and listed, "%s: card's variants %s are among %s"
          % (family_name, listed, sizes))
    for v in sizes:
        card = read_card(os.path.join(ROOT, "models", v + ".card"))
        same = all(card.get(s, k, fallback=None) == family.get(s, k, fallback=None) for s, k in
                   (("model", "task"), ("model", "licence"), ("model", "source"), ("input", "channels"),
                    ("input", "mean"), ("input", "scale"), ("input", "resize"), ("output", "names"),
                    ("decoder", "type"), ("decoder", "score_threshold"), ("decoder", "nms_iou"),
                    ("decoder", "stride"), ("decoder", "keep_classes"), ("decoder", "binary_threshold"),
                    ("decoder", "unclip_ratio"), ("decoder", "min_size")))
        check(same and dict(card.items("labels")) == dict(family.items("labels")),
              "%s: task, input encoding, outputs, decoder and labels are the family's" % v)
        check(not card.has_option("model", "variants"), "%s: lists no variants of its own" % v)
        check(v == "%s_%dx%d" % (family_name, card.getint("input", "width"), card.getint("input", "height")),
              "%s: name says the input size" % v)
        test(*args, name=v)
    # the square network by its size's name, so that a recipe can pin it on every frame
    ali = test_card(alias, args[0])
    if ali is not None:
        fam = {(s, k): v for s in family.sections() for k, v in family.items(s) if (s, k) != ("model", "variants")}
        pinned = {(s, k): v for s in ali.sections() for k, v in ali.items(s)}
        fam[("model", "name")] = alias
        check(fam == pinned, "%s: the %s card under its size's name (same file and sha256)" % (alias, family_name))
    return sizes


def text_image():
    img = np.full((480, 960, 3), 235, np.uint8)
    cv2.rectangle(img, (0, 300), (960, 480), (60, 90, 120), -1)
    lines = [("OBSCURA 2024", (40, 120), cv2.FONT_HERSHEY_SIMPLEX, 2.5, (20, 20, 20), 6),
             ("forensic video", (60, 230), cv2.FONT_HERSHEY_COMPLEX, 1.5, (0, 0, 160), 3),
             ("AB-123-CD", (500, 420), cv2.FONT_HERSHEY_DUPLEX, 2.0, (250, 250, 250), 4)]
    truth = []
    for text, org, font, fs, col, th in lines:
        cv2.putText(img, text, org, font, fs, col, th)
        (tw, tht), base = cv2.getTextSize(text, font, fs, th)
        truth.append((org[0], org[1] - tht, org[0] + tw, org[1] + base))
    return img, truth


def test_ppocr(mdir, src_ocr, name="ppocr_det"):
    card = test_card(name, mdir)
    if card is None:
        return
    w, h = card.getint("input", "width"), card.getint("input", "height")
    net, names = test_loads(name, card, mdir, [(1, 1, h, w)])
    if net is None:
        return
    # the upstream graph has dynamic height and width: the reference at any size
    upstream = os.path.join(src_ocr, "assets/ch_PP-OCRv4_det_infer.onnx")
    img, truth = text_image()
    hwc, sc = D.letterbox(img, w, h, card.get("input", "channels"))
    mean, scale = card.getfloat("input", "mean"), card.getfloat("input", "scale")
    for label, x in (("random", np.random.RandomState(7).uniform(-2, 2, (1, 3, h, w)).astype(np.float32)),
                     ("text image", D.to_blob(hwc, mean, scale))):
        ref = onnx_ref.run(upstream, x)
        out = forward(net, x, names)[0]
        d = float(np.abs(out - ref).max())
        report("%s: %s: max|cv2 - numpy(upstream onnx)| %.2e (ref max %.3f)" % (name, label, d, ref.max()))
        check(d < 1e-3, "%s: OpenCV output == NumPy run of the upstream graph (%s)" % (name, label))
    prob = forward(net, D.to_blob(hwc, mean, scale), names)[0]
    dets = D.db(prob, sc, thr=card.getfloat("decoder", "binary_threshold"),
                box_thr=card.getfloat("decoder", "score_threshold"))
    report("%s: synthetic text image: %d regions %s" % (name, len(dets), " ".join(
        "[%d,%d,%d,%d %.2f]" % (d[0], d[1], d[2], d[3], d[4]) for d in dets)))
    hit = sum(1 for t in truth if any(iou(t, d) > 0.5 for d in dets))
    check(hit == len(truth) and len(dets) == len(truth), "%s: each printed line found once (%d/%d)"
          % (name, hit, len(truth)))
    TIMES[name] = time_forward(net, D.to_blob(hwc, mean, scale), names)


def test_ssd(mdir, src_faceapi):
    card = test_card("ssd_face", mdir)
    if card is None:
        return
    net, names = test_loads("ssd_face", card, mdir, [(1, 5118, 4), (1, 5118, 3)])
    if net is None:
        return
    w = ssd_ref.load(os.path.join(src_faceapi, "model/ssd_mobilenetv1_model-weights_manifest.json"))
    shipped = w["Output/extra_dim"].reshape(-1, 4)  # y1, x1, y2, x2
    a = D.ssd_anchors()
    mine = np.stack([a[:, 0] - a[:, 2] / 2, a[:, 1] - a[:, 3] / 2, a[:, 0] + a[:, 2] / 2, a[:, 1] + a[:, 3] / 2], 1)
    da = float(np.abs(mine - shipped).max())
    report("ssd_face: README anchor formula vs anchors shipped in the weights: max|diff| %.2e" % da)
    check(len(a) == 5118 and da < 1e-3, "ssd_face: anchor generator reproduces the shipped 5118 anchors")
    img = cv2.imread(os.path.join(src_faceapi, "demo/sample2.jpg"))
    hwc, sc = D.letterbox(img, 512, 512, "rgb")
    for label, x in (("random", np.random.RandomState(5).uniform(-1, 1, (1, 512, 512, 3)).astype(np.float32)),
                     ("sample2.jpg", D.to_blob(hwc, 127.5, 1 / 127.5).transpose(0, 2, 3, 1))):
        rb, rc = ssd_ref.run(w, x)
        b, c = forward(net, x.transpose(0, 3, 1, 2).copy(), names)
        db_, dc = float(np.abs(b - rb).max()), float(np.abs(c - rc).max())
        report("ssd_face: %s: max|cv2 - numpy face-api| box_encodings %.2e (|ref|max %.1f), logits %.2e (|ref|max %.1f)"
               % (label, db_, np.abs(rb).max(), dc, np.abs(rc).max()))
        check(db_ < 1e-3 * np.abs(rb).max() and dc < 1e-3 * np.abs(rc).max(),
              "ssd_face: OpenCV output == NumPy face-api reference (%s, relative 1e-3)" % label)
    total, sizes = 0, []
    for i in range(1, 7):
        img = cv2.imread(os.path.join(src_faceapi, "demo/sample%d.jpg" % i))
        hwc, sc = D.letterbox(img, 512, 512, "rgb")
        b, c = forward(net, D.to_blob(hwc, 127.5, 1 / 127.5), names)
        dets = D.ssd(b, c, sc, thr=card.getfloat("decoder", "score_threshold"), iou=card.getfloat("decoder", "nms_iou"))
        total += len(dets)
        sizes += [d[2] - d[0] for d in dets]
        report("ssd_face: sample%d.jpg: %d faces %s" % (i, len(dets), " ".join(
            "[%d,%d,%d,%d %.2f]" % (d[0], d[1], d[2], d[3], d[4]) for d in dets)))
    report("ssd_face: face-api samples: %d of 22 faces, box widths %d..%d px" % (total, min(sizes), max(sizes)))
    check(19 <= total <= 24, "ssd_face: finds the faces in face-api demo photos (%d)" % total)
    TIMES["ssd_face"] = time_forward(net, D.to_blob(hwc, 127.5, 1 / 127.5), names)


def load_truth(i):
    """tests/data/faces/sampleN.txt: x y w h per face -> (x1, y1, x2, y2)."""
    out = []
    with open(os.path.join(ROOT, "tests/data/faces/sample%d.txt" % i)) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                x, y, w, h = map(float, line.split()[:4])
                out.append((x, y, x + w, y + h))
    return out


def test_ultraface(mdir, src_facerec, src_faceapi):
    card = test_card("ultraface", mdir)
    if card is None:
        return
    net, names = test_loads("ultraface", card, mdir, [(1, 4420, 2), (1, 4420, 4)], converted=False)
    if net is None:
        return
    import onnx
    from onnx import numpy_helper
    m = onnx.load(os.path.join(mdir, card.get("model", "file")))
    # The priors are constants of the graph: the README's formula must give them.
    consts = [numpy_helper.to_array(n.attribute[0].t) for n in m.graph.node if n.op_type == "Constant"]
    consts = [c[0].astype(np.float64) for c in consts if c.shape == (1, 4420, 2)]
    pri = D.ultraface_priors()
    dc = min([float(np.abs(c - pri[:, :2]).max()) for c in consts] or [1.0])
    dw = min([float(np.abs(c - pri[:, 2:]).max()) for c in consts] or [1.0])
    report("ultraface: README prior formula vs the graph's prior constants: centres %.1e, sizes %.1e" % (dc, dw))
    check(len(pri) == 4420 and dc < 1e-6 and dw < 1e-6, "ultraface: the graph's 4420 priors are the README's")
    img = cv2.imread(os.path.join(src_faceapi, "demo/sample1.jpg"))
    hwc, sc = D.letterbox(img, 320, 240, card.get("input", "channels"))
    mean, scale = card.getfloat("input", "mean"), card.getfloat("input", "scale")
    for label, x in (("random", np.random.RandomState(11).uniform(-1, 1, (1, 3, 240, 320)).astype(np.float32)),
                     ("sample1.jpg", D.to_blob(hwc, mean, scale))):
        ref = onnx_ref.run_outputs(m, x, names)
        out = forward(net, x, names)
        d = [float(np.abs(o - r).max()) for o, r in zip(out, ref)]
        report("ultraface: %s: max|cv2 - numpy| scores %.2e, boxes %.2e (|ref|max %.2f)"
               % (label, d[0], d[1], np.abs(ref[1]).max()))
        check(d[0] < 1e-4 and d[1] < 1e-4, "ultraface: OpenCV output == NumPy run of the shipped graph (%s)" % label)
    thr, nms_iou = card.getfloat("decoder", "score_threshold"), card.getfloat("decoder", "nms_iou")
    found = total = extra = 0
    for i in range(1, 7):
        img = cv2.imread(os.path.join(src_faceapi, "demo/sample%d.jpg" % i))
        hwc, sc = D.letterbox(img, 320, 240, card.get("input", "channels"))
        s, b = forward(net, D.to_blob(hwc, mean, scale), names)
        dets = D.ultraface(s, b, sc, thr=thr, iou=nms_iou)
        truth = load_truth(i)
        hit = sum(1 for t in truth if any(iou(t, d) >= 0.5 for d in dets))
        found += hit
        total += len(truth)
        extra += sum(1 for d in dets if not any(iou(t, d) >= 0.5 for t in truth))
        report("ultraface: sample%d.jpg: %d/%d faces %s" % (i, hit, len(truth), " ".join(
            "[%d,%d,%d,%d %.2f]" % (d[0], d[1], d[2], d[3], d[4]) for d in dets)))
    report("ultraface: face-api samples: %d of %d annotated faces at IoU >= 0.5, %d other boxes" % (found, total, extra))
    check(total == 22 and found == 22 and extra == 0,
          "ultraface: finds each annotated face of the face-api demo photos, nothing else")
    TIMES["ultraface"] = time_forward(net, D.to_blob(hwc, mean, scale), names)


def test_reproducible(src_human, src_ocr, src_faceapi, variants):
    """variants: {family: [its FAMILY_WxH names]}, converted from the family's source."""
    conv = os.path.join(ROOT, "models", "convert.py")
    srcs = {"blazeface": src_human, "centernet": src_human, "ppocr_det": src_ocr, "ssd_face": src_faceapi}
    for family, names in variants.items():
        srcs.update((v, srcs[family]) for v in names)
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        for name, src in srcs.items():
            for d in (a, b):
                subprocess.check_call([sys.executable, conv, name, src, os.path.join(d, name + ".onnx")])
            ha, hb = sha256(os.path.join(a, name + ".onnx")), sha256(os.path.join(b, name + ".onnx"))
            pinned = read_card(os.path.join(ROOT, "models", name + ".card")).get("model", "sha256")
            check(ha == hb, "%s: two conversions are byte-identical" % name)
            check(ha == pinned, "%s: conversion reproduces the pinned sha256 %s" % (name, pinned[:16]))


def test_unchanged(mdir, src_facerec):
    """UltraFace is installed as shipped: the model is the package's member, byte for byte."""
    with open(os.path.join(mdir, "ultraface.onnx"), "rb") as a, \
            open(os.path.join(src_facerec, "model/fr_detect.onnx"), "rb") as b:
        check(a.read() == b.read(), "ultraface: ultraface.onnx is the package's model/fr_detect.onnx unchanged")
    # only the detector left the tarball: the package's face-recognition models are never unpacked
    onnx_files = sorted(f for f in os.listdir(os.path.join(src_facerec, "model")))
    check(onnx_files == ["fr_detect.onnx"], "ultraface: only fr_detect.onnx unpacked from the package (%s)"
          % " ".join(onnx_files))


TIMES = {}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model-dir", default=os.path.join(ROOT, "build/models"))
    ap.add_argument("--npm-dir", default=os.path.join(ROOT, "build/npm"))
    ap.add_argument("--skip-repro", action="store_true")
    a = ap.parse_args()
    cv2.setNumThreads(2)
    human = os.path.join(a.npm_dir, "src/human-3.3.6/package")
    faceapi = os.path.join(a.npm_dir, "src/face-api-1.7.15/package")
    ocr = os.path.join(a.npm_dir, "src/ocr-models-1.4.2/package")
    facerec = os.path.join(a.npm_dir, "src/face-recognition-js-0.0.1/package")
    for d in (human, faceapi, ocr, facerec):
        if not os.path.isdir(d):
            print("missing %s: run `make models-sources` first" % d)
            print("0 passed, 1 failed")
            return 1
    variants = {}
    for fn, args in ((test_blazeface, (a.model_dir, human, faceapi)),
                     (test_centernet, (a.model_dir, human, faceapi)),
                     (family_variants, ("centernet", "centernet_512x512", test_centernet, a.model_dir, human, faceapi)),
                     (test_ppocr, (a.model_dir, ocr)),
                     (family_variants, ("ppocr_det", "ppocr_det_640x640", test_ppocr, a.model_dir, ocr)),
                     (test_ssd, (a.model_dir, faceapi)),
                     (test_ultraface, (a.model_dir, facerec, faceapi)),
                     (test_unchanged, (a.model_dir, facerec))):
        try:
            r = fn(*args)
            if fn is family_variants:
                variants[args[0]] = r
        except Exception as e:  # noqa: BLE001
            import traceback
            traceback.print_exc()
            check(False, "%s raised %s" % (fn.__name__, e))
    if not a.skip_repro:
        test_reproducible(human, ocr, faceapi, variants)
    print()
    print("OpenCV %s forward time (median of 5, %d threads):" % (cv2.__version__, cv2.getNumThreads()))
    for k, v in TIMES.items():
        print("  %-18s %7.1f ms" % (k, v * 1000))
    print()
    print("%d passed, %d failed" % (PASSED, FAILED))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())

# SPDX-License-Identifier: MIT
"""Reference decoders, written from models/README.md (the C decoders must match these).

All boxes are returned as (x1, y1, x2, y2, score, class) in *original image* pixels.
"""
import numpy as np


def letterbox(img_bgr, w, h, channels="rgb"):
    """Scale to fit w x h keeping aspect, pad right/bottom with 0.  Returns (blob_hwc_float, scale)."""
    import cv2
    ih, iw = img_bgr.shape[:2]
    s = min(w / iw, h / ih)
    nw, nh = int(round(iw * s)), int(round(ih * s))
    small = cv2.resize(img_bgr, (nw, nh), interpolation=cv2.INTER_AREA)
    canvas = np.zeros((h, w, 3), np.uint8)
    canvas[:nh, :nw] = small
    if channels == "rgb":
        canvas = canvas[:, :, ::-1]
    return canvas.astype(np.float32), s


def to_blob(hwc, mean, scale):
    return ((hwc - mean) * scale).transpose(2, 0, 1)[None].copy()


def nms(boxes, iou_thr):
    """Greedy NMS on list of (x1,y1,x2,y2,score,cls), per class, highest score first."""
    boxes = sorted(boxes, key=lambda b: -b[4])
    keep = []
    for b in boxes:
        ok = True
        for k in keep:
            if k[5] != b[5]:
                continue
            ix = max(0.0, min(b[2], k[2]) - max(b[0], k[0]))
            iy = max(0.0, min(b[3], k[3]) - max(b[1], k[1]))
            inter = ix * iy
            union = (b[2] - b[0]) * (b[3] - b[1]) + (k[2] - k[0]) * (k[3] - k[1]) - inter
            if union > 0 and inter / union > iou_thr:
                ok = False
                break
        if ok:
            keep.append(b)
    return keep


def blazeface_anchors(size=256):
    a = []
    for stride, per in ((16, 2), (32, 6)):
        g = size // stride
        for y in range(g):
            for x in range(g):
                for _ in range(per):
                    a.append(((x + 0.5) * stride, (y + 0.5) * stride))
    return np.array(a, np.float32)


def blazeface(scores, boxes, scale, thr=0.5, iou=0.3, size=256):
    anchors = blazeface_anchors(size)
    logit = np.clip(scores.reshape(-1), -80.0, 80.0)
    p = 1.0 / (1.0 + np.exp(-logit))
    reg = boxes.reshape(-1, 16)
    out = []
    for i in np.nonzero(p >= thr)[0]:
        cx = reg[i, 0] + anchors[i, 0]
        cy = reg[i, 1] + anchors[i, 1]
        w, h = reg[i, 2], reg[i, 3]
        out.append(((cx - w / 2) / scale, (cy - h / 2) / scale, (cx + w / 2) / scale, (cy + h / 2) / scale,
                    float(p[i]), 0))
    return nms(out, iou)


def centernet(heat, wh, scale, thr=0.3, iou=0.5, stride=4, max_det=100):
    import cv2
    c, gh, gw = heat.shape[1:]
    h = heat[0]
    # 3x3 max filter (peak = equal to its 3x3 neighbourhood max)
    mx = np.stack([cv2.dilate(h[k], np.ones((3, 3), np.uint8)) for k in range(c)])
    peaks = np.argwhere((h == mx) & (h >= thr))
    out = []
    for k, y, x in peaks:
        d = wh[0, :, y, x]
        out.append(((stride * x - d[0]) / scale, (stride * y - d[1]) / scale,
                    (stride * x + d[2]) / scale, (stride * y + d[3]) / scale, float(h[k, y, x]), int(k)))
    out = sorted(out, key=lambda b: -b[4])[:max_det]
    return nms(out, iou)


def db(prob, scale, thr=0.3, box_thr=0.6, min_size=3):
    import cv2
    m = (prob[0, 0] > thr).astype(np.uint8)
    n, lab, stats, _ = cv2.connectedComponentsWithStats(m, connectivity=4)
    out = []
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        if min(w, h) < min_size:
            continue
        score = float(prob[0, 0][lab == i].mean())
        if score < box_thr:
            continue
        # DB shrinks text regions: unclip by ratio 1.5 -> offset = area * 1.5 / perimeter
        off = area * 1.5 / (2.0 * (w + h))
        out.append(((x - off) / scale, (y - off) / scale, (x + w + off) / scale, (y + h + off) / scale, score, 0))
    return out


def ssd_anchors(grids=(32, 16, 8, 4, 2, 1), min_scale=0.2, max_scale=0.95,
                ratios=(1.0, 2.0, 0.5, 3.0, 1.0 / 3.0)):
    """[N,4] anchors (cy, cx, h, w), normalised 0..1, in output order (README, ssd_face)."""
    n = len(grids)
    scales = [min_scale + (max_scale - min_scale) * i / (n - 1) for i in range(n)] + [1.0]
    out = []
    for layer, g in enumerate(grids):
        if layer == 0:
            specs = [(0.1, 1.0), (min_scale, 2.0), (min_scale, 0.5)]
        else:
            s = scales[layer]
            specs = [(s, 1.0), ((s * scales[layer + 1]) ** 0.5, 1.0)] + [(s, r) for r in ratios[1:]]
        for y in range(g):
            for x in range(g):
                for s, r in specs:
                    out.append(((y + 0.5) / g, (x + 0.5) / g, s / r ** 0.5, s * r ** 0.5))
    return np.array(out, np.float32)


def ssd(enc, logits, scale, size=512, thr=0.5, iou=0.5, variances=(10.0, 10.0, 5.0, 5.0)):
    a = ssd_anchors()
    e = enc.reshape(-1, 4)
    lg = np.clip(logits.reshape(-1, 3)[:, 1], -80, 80)
    p = 1.0 / (1.0 + np.exp(-lg))
    out = []
    for i in np.nonzero(p >= thr)[0]:
        cy = e[i, 0] / variances[0] * a[i, 2] + a[i, 0]
        cx = e[i, 1] / variances[1] * a[i, 3] + a[i, 1]
        h = np.exp(e[i, 2] / variances[2]) * a[i, 2]
        w = np.exp(e[i, 3] / variances[3]) * a[i, 3]
        out.append(((cx - w / 2) * size / scale, (cy - h / 2) * size / scale,
                    (cx + w / 2) * size / scale, (cy + h / 2) * size / scale, float(p[i]), 0))
    return nms(out, iou)


def ultraface_priors(w=320, h=240, strides=(8, 16, 32, 64),
                     min_boxes=((10, 16, 24), (32, 48), (64, 96), (128, 192, 256))):
    """[N,4] priors (cx, cy, pw, ph) as fractions of the input, in output order, clamped to 0..1
    (upstream vision/utils/box_utils.py generate_priors with its shrinkage = size / feature map,
    models/README.md): centres are cell centres of each feature map, not multiples of the stride."""
    out = []
    for stride, boxes in zip(strides, min_boxes):
        fw, fh = -(-w // stride), -(-h // stride)      # ceil: 40x30, 20x15, 10x8, 5x4 at 320x240
        for y in range(fh):
            for x in range(fw):
                for m in boxes:
                    out.append(((x + 0.5) / fw, (y + 0.5) / fh, m / w, m / h))
    return np.clip(np.array(out, np.float64), 0.0, 1.0)


def ultraface(scores, boxes, scale, thr=0.7, iou=0.3, w=320, h=240):
    """scores [1,N,2] (softmax; 1 = face), boxes [1,N,4] x1,y1,x2,y2 as input fractions."""
    p = scores.reshape(-1, 2)[:, 1]
    b = boxes.reshape(-1, 4)
    out = []
    for i in np.nonzero(p >= thr)[0]:
        out.append((b[i, 0] * w / scale, b[i, 1] * h / scale, b[i, 2] * w / scale, b[i, 3] * h / scale,
                    float(p[i]), 0))
    return nms(out, iou)

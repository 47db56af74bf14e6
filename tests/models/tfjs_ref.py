# SPDX-License-Identifier: MIT
"""Independent NumPy reference interpreter for TensorFlow.js graph models.

Written separately from models/tfjs2onnx.py on purpose: it executes the tfjs
ops directly in NHWC with TensorFlow's semantics (SAME padding, asymmetric
ResizeBilinear, ...), reading the json + .bin itself, so comparing it with the
converted ONNX checks the converter rather than re-running it.
"""
import base64
import json
import os

import numpy as np


def load(json_path):
    m = json.load(open(json_path))
    return m["modelTopology"]["node"], load_manifest(m["weightsManifest"], os.path.dirname(json_path))


def load_manifest(manifest, base):
    weights = {}
    for grp in manifest:
        data = b"".join(open(os.path.join(base, p), "rb").read() for p in grp["paths"])
        pos = 0
        for spec in grp["weights"]:
            count = 1
            for d in spec["shape"]:
                count *= int(d)
            q = spec.get("quantization")
            if q is None:
                dt = {"float32": "<f4", "int32": "<i4"}[spec["dtype"]]
                arr = np.frombuffer(data[pos:pos + 4 * count], dtype=dt)
                pos += 4 * count
            elif q["dtype"] == "float16":
                arr = np.frombuffer(data[pos:pos + 2 * count], dtype="<f2").astype(np.float32)
                pos += 2 * count
            elif q["dtype"] == "uint8":
                arr = np.frombuffer(data[pos:pos + count], dtype=np.uint8).astype(np.float64) * q["scale"] + q["min"]
                pos += count
            else:
                raise ValueError(q)
            if spec["dtype"] == "int32":
                arr = arr.astype(np.int64)
            weights[spec["name"]] = np.array(arr).reshape([int(d) for d in spec["shape"]])
    return weights


def _a(node, k, d=None):
    v = node.get("attr", {}).get(k)
    if v is None:
        return d
    if "s" in v:
        return base64.b64decode(v["s"]).decode()
    if "list" in v:
        if "s" in v["list"]:
            return [base64.b64decode(x).decode() for x in v["list"]["s"]]
        return [int(x) for x in v["list"].get("i", [])]
    if "b" in v:
        return v["b"]
    if "i" in v:
        return int(v["i"])
    if "f" in v:
        return float(v["f"])
    return d


def _pad_same(x, kh, kw, sh, sw, value=0.0):
    n, h, w, c = x.shape
    oh, ow = -(-h // sh), -(-w // sw)
    ph = max((oh - 1) * sh + kh - h, 0)
    pw = max((ow - 1) * sw + kw - w, 0)
    return np.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)),
                  constant_values=value)


def conv2d(x, W, strides, padding, depthwise):
    kh, kw = W.shape[:2]
    sh, sw = strides[1], strides[2]
    if padding == "SAME":
        x = _pad_same(x, kh, kw, sh, sw)
    n, h, w, c = x.shape
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    if depthwise:
        mult = W.shape[3]
        out = np.zeros((n, oh, ow, c, mult), np.float64)
        for i in range(kh):
            for j in range(kw):
                patch = x[:, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw, :]
                out += patch[..., None] * W[i, j][None, None, None]
        return out.reshape(n, oh, ow, c * mult)
    out = np.zeros((n, oh, ow, W.shape[3]), np.float64)
    for i in range(kh):
        for j in range(kw):
            patch = x[:, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw, :]
            out += patch @ W[i, j]
    return out


def maxpool(x, k, s, padding):
    if padding == "SAME":
        x = _pad_same(x, k[1], k[2], s[1], s[2], value=-np.inf)
    n, h, w, c = x.shape
    oh, ow = (h - k[1]) // s[1] + 1, (w - k[2]) // s[2] + 1
    out = np.full((n, oh, ow, c), -np.inf)
    for i in range(k[1]):
        for j in range(k[2]):
            out = np.maximum(out, x[:, i:i + s[1] * (oh - 1) + 1:s[1], j:j + s[2] * (ow - 1) + 1:s[2], :])
    return out


def resize_bilinear(x, oh, ow):
    """tf.image.resize_bilinear, align_corners=False, half_pixel_centers=False."""
    n, h, w, c = x.shape
    ys = np.arange(oh) * (h / oh)
    xs = np.arange(ow) * (w / ow)
    y0 = np.floor(ys).astype(int)
    x0 = np.floor(xs).astype(int)
    y1 = np.minimum(y0 + 1, h - 1)
    x1 = np.minimum(x0 + 1, w - 1)
    fy = (ys - y0)[None, :, None, None]
    fx = (xs - x0)[None, None, :, None]
    top = x[:, y0][:, :, x0] * (1 - fx) + x[:, y0][:, :, x1] * fx
    bot = x[:, y1][:, :, x0] * (1 - fx) + x[:, y1][:, :, x1] * fx
    return top * (1 - fy) + bot * fy


def run(nodes, weights, feeds, outputs, upsample=None):
    """Evaluate `outputs` (tf tensor names) given feeds {placeholder name: NHWC array}. float64.

    upsample=k: every ResizeBilinear scales its input by k (a Keras UpSampling2D(k)
    before TF folded its output size for the traced input), so the graph runs at
    any input size; the folded size must then be k times the input at the traced
    size (not checked here: the caller compares with a run at the traced size)."""
    by_name = {n["name"]: n for n in nodes}
    vals = {}
    for k, v in feeds.items():
        vals[k] = np.asarray(v, np.float64)

    def ev(name):
        if name.endswith(":0"):
            name = name[:-2]
        if name in vals:
            return vals[name]
        if ":" in name:
            raise NotImplementedError(name)
        nd = by_name[name]
        op = nd["op"]
        ins = nd.get("input", [])
        if op == "Const":
            r = weights[name].astype(np.float64) if weights[name].dtype.kind == "f" else weights[name]
        elif op in ("_FusedConv2D", "Conv2D", "DepthwiseConv2dNative", "FusedDepthwiseConv2dNative"):
            dw = "Depthwise" in op
            r = conv2d(ev(ins[0]), ev(ins[1]), _a(nd, "strides"), _a(nd, "padding"), dw)
            fused = _a(nd, "fused_ops", []) if "Fused" in op else []
            for f in fused:
                if f == "BiasAdd":
                    r = r + ev(ins[2])
                elif f == "Relu":
                    r = np.maximum(r, 0)
                elif f == "Relu6":
                    r = np.clip(r, 0, 6)
                else:
                    raise NotImplementedError(f)
        elif op in ("Add", "AddV2"):
            r = ev(ins[0]) + ev(ins[1])
        elif op == "Sub":
            r = ev(ins[0]) - ev(ins[1])
        elif op == "Mul":
            r = ev(ins[0]) * ev(ins[1])
        elif op == "Relu":
            r = np.maximum(ev(ins[0]), 0)
        elif op == "Relu6":
            r = np.clip(ev(ins[0]), 0, 6)
        elif op == "Sigmoid":
            r = 1.0 / (1.0 + np.exp(-ev(ins[0])))
        elif op == "Identity":
            r = ev(ins[0])
        elif op == "MaxPool":
            r = maxpool(ev(ins[0]), _a(nd, "ksize"), _a(nd, "strides"), _a(nd, "padding"))
        elif op == "Pad":
            r = np.pad(ev(ins[0]), [tuple(int(v) for v in p) for p in ev(ins[1])])
        elif op == "Mean":
            r = ev(ins[0]).mean(axis=tuple(int(a) for a in np.ravel(ev(ins[1]))), keepdims=bool(_a(nd, "keep_dims")))
        elif op == "ConcatV2":
            r = np.concatenate([ev(i) for i in ins[:-1]], axis=int(ev(ins[-1])))
        elif op == "ResizeBilinear":
            x = ev(ins[0])
            if upsample:
                oh, ow = upsample * x.shape[1], upsample * x.shape[2]
            else:
                oh, ow = [int(v) for v in ev(ins[1])]
            r = resize_bilinear(x, oh, ow)
        elif op == "Reshape":
            r = ev(ins[0]).reshape([int(v) for v in ev(ins[1])])
        else:
            raise NotImplementedError(op)
        vals[name] = r
        return r

    import sys
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 20000))
    try:
        return [ev(o) for o in outputs]
    finally:
        sys.setrecursionlimit(old)

# SPDX-License-Identifier: MIT
"""Independent NumPy interpreter for the ops of the ONNX graphs Obscura takes as shipped.

Used to check the rewritten PP-OCRv4 det graph (Clip -> HardSigmoid form,
fixed input shape) against the upstream graph as shipped in the npm tarball,
which OpenCV 4.6 cannot load, and OpenCV's run of UltraFace (installed
unchanged: its shape arithmetic, softmax and in-graph prior decoding) against
an implementation that shares no code with OpenCV.  float64 throughout.
"""
import numpy as np
import onnx
from onnx import helper, numpy_helper


def _attrs(n):
    return {a.name: helper.get_attribute_value(a) for a in n.attribute}


def conv(x, W, b, strides, pads, group, dil=(1, 1)):
    n, c, h, w = x.shape
    co, ci, kh, kw = W.shape
    x = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    sh, sw = strides
    dh, dw = dil
    oh = (x.shape[2] - dh * (kh - 1) - 1) // sh + 1
    ow = (x.shape[3] - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, co, oh, ow))

    def tap(i, j):
        return x[:, :, i * dh:i * dh + sh * (oh - 1) + 1:sh, j * dw:j * dw + sw * (ow - 1) + 1:sw]
    if group == 1:
        for i in range(kh):
            for j in range(kw):
                out += np.einsum("nchw,oc->nohw", tap(i, j), W[:, :, i, j], optimize=True)
    elif group == c and ci == 1:
        m = co // c
        for i in range(kh):
            for j in range(kw):
                out += np.repeat(tap(i, j), m, axis=1) * W[:, 0, i, j][None, :, None, None]
    else:
        cg, og = c // group, co // group
        for g in range(group):
            out[:, g * og:(g + 1) * og] = conv(x[:, g * cg:(g + 1) * cg], W[g * og:(g + 1) * og], None,
                                               strides, (0, 0, 0, 0), 1, dil)
    if b is not None:
        out += b[None, :, None, None]
    return out


def conv_transpose(x, W, b, strides):
    # kernel == stride, no padding: each input pixel writes a disjoint kxk block
    n, c, h, w = x.shape
    ci, co, kh, kw = W.shape
    assert (kh, kw) == tuple(strides)
    out = np.zeros((n, co, h * kh, w * kw))
    for i in range(kh):
        for j in range(kw):
            out[:, :, i::kh, j::kw] = np.einsum("nchw,co->nohw", x, W[:, :, i, j], optimize=True)
    if b is not None:
        out += b[None, :, None, None]
    return out


def run(model_path, x):
    """The graph's first output for input x."""
    m = onnx.load(model_path)
    return run_outputs(m, x, [m.graph.output[0].name])[0]


def run_outputs(m, x, names):
    """The named outputs (a list, in the order of names) of loaded model m for input x."""
    v = {i.name: numpy_helper.to_array(i).astype(np.float64) if numpy_helper.to_array(i).dtype.kind == "f"
         else numpy_helper.to_array(i) for i in m.graph.initializer}
    v[m.graph.input[0].name] = np.asarray(x, np.float64)
    for n in m.graph.node:
        a = _attrs(n)
        I = [v[i] if i else None for i in n.input]
        op = n.op_type
        if op == "Constant":
            t = numpy_helper.to_array(a["value"])
            r = t.astype(np.float64) if t.dtype.kind == "f" else t
        elif op == "Conv":
            r = conv(I[0], I[1], I[2] if len(I) > 2 else None, a.get("strides", [1, 1]),
                     a.get("pads", [0, 0, 0, 0]), a.get("group", 1), a.get("dilations", [1, 1]))
        elif op == "ConvTranspose":
            r = conv_transpose(I[0], I[1], I[2] if len(I) > 2 else None, a["strides"])
        elif op == "BatchNormalization":
            x0, s, bb, mean, var = I
            eps = a.get("epsilon", 1e-5)
            r = (x0 - mean[None, :, None, None]) / np.sqrt(var[None, :, None, None] + eps) * s[None, :, None, None] \
                + bb[None, :, None, None]
        elif op == "Add":
            r = I[0] + I[1]
        elif op == "Mul":
            r = I[0] * I[1]
        elif op == "Div":
            r = I[0] / I[1]
        elif op == "Clip":
            r = np.clip(I[0], I[1], I[2])
        elif op == "Relu":
            r = np.maximum(I[0], 0)
        elif op == "Sigmoid":
            r = 1 / (1 + np.exp(-I[0]))
        elif op == "HardSigmoid":
            r = np.clip(a["alpha"] * I[0] + a["beta"], 0, 1)
        elif op == "GlobalAveragePool":
            r = I[0].mean(axis=(2, 3), keepdims=True)
        elif op == "Concat":
            r = np.concatenate(I, axis=a["axis"])
        elif op == "Sub":
            r = I[0] - I[1]
        elif op == "Exp":
            r = np.exp(I[0])
        elif op == "Softmax":
            e = np.exp(I[0] - I[0].max(axis=a["axis"], keepdims=True))
            r = e / e.sum(axis=a["axis"], keepdims=True)
        elif op == "Transpose":
            r = I[0].transpose(a["perm"])
        elif op == "Shape":
            r = np.array(I[0].shape, np.int64)
        elif op == "Gather":
            r = np.take(I[0], I[1], axis=a.get("axis", 0))
        elif op == "Unsqueeze":
            r = I[0]
            for ax in sorted(a["axes"]):
                r = np.expand_dims(r, ax)
        elif op == "Reshape":
            shape = [int(d) for d in I[1]]
            r = I[0].reshape([I[0].shape[k] if d == 0 else d for k, d in enumerate(shape)])
        elif op == "Slice":
            # opset 9: starts/ends/axes are attributes
            sl = [slice(None)] * I[0].ndim
            for ax, st, en in zip(a.get("axes", range(len(a["starts"]))), a["starts"], a["ends"]):
                sl[ax] = slice(st, min(en, I[0].shape[ax]))
            r = I[0][tuple(sl)]
        elif op == "Resize":
            assert a["mode"] == b"nearest" and a["coordinate_transformation_mode"] == b"asymmetric"
            scales = I[2]
            h, w = I[0].shape[2:]
            oh, ow = int(h * scales[2]), int(w * scales[3])
            ys = np.floor(np.arange(oh) / scales[2]).astype(int)
            xs = np.floor(np.arange(ow) / scales[3]).astype(int)
            r = I[0][:, :, ys][:, :, :, xs]
        else:
            raise NotImplementedError(op)
        v[n.output[0]] = r
    return [v[k] for k in names]

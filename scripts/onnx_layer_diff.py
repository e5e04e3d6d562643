#!/usr/bin/python3
"""onnx_layer_diff.py — where does frost part from ONNX Runtime on a model? Fetches every
intermediate tensor of an ONNX model from both runtimes on one input and prints, per tensor in
graph order, max|ref|, frost's max error against onnxruntime-node (default optimisations) and ONNX
Runtime's own spread (no graph optimisations against all), absolute and relative to max|ref|.
A real bug shows as a jump at one op; rounding grows smoothly.

    /usr/bin/python3 scripts/onnx_layer_diff.py MODEL.onnx INPUT.npy [FROST] [WORKDIR]

Needs Debian's python3-onnx and python3-numpy, node with corpus/node_modules (npm ci --prefix
corpus), and a built frost (default build/frost). The model's first input is fed INPUT.npy.
Intermediates are fetched with `frost run -o NAME=FILE` (60 per run, the CLI's limit is 64).
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import helper

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
ORT_RUNNER = r"""
import fs from 'node:fs';
import {createRequire} from 'node:module';
const [root, model, input, outdir, level] = process.argv.slice(2);
const ort = createRequire(root + '/corpus/package.json')('onnxruntime-node');
const b = fs.readFileSync(input), hlen = b.readUInt16LE(8), header = b.toString('latin1', 10, 10 + hlen);
const shape = /'shape': \(([^)]*)\)/.exec(header)[1].split(',').map(s => s.trim()).filter(s => s).map(Number);
const body = new Uint8Array(b.length - 10 - hlen); body.set(b.subarray(10 + hlen));
const s = await ort.InferenceSession.create(model, {graphOptimizationLevel: level, logSeverityLevel: 3});
const out = await s.run({[s.inputNames[0]]: new ort.Tensor('float32', new Float32Array(body.buffer), shape)});
fs.mkdirSync(outdir, {recursive: true});
const index = [];
s.outputNames.forEach((k, i) => {
  const t = out[k];
  if (t.type !== 'float32') return;
  fs.writeFileSync(`${outdir}/${i}.f32`, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  index.push(`${i}\t${k}\t${t.dims.join('x')}`);
});
fs.writeFileSync(`${outdir}/index.tsv`, index.join('\n'));
"""


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    model, inp = sys.argv[1], sys.argv[2]
    frost = sys.argv[3] if len(sys.argv) > 3 else os.path.join(ROOT, "build", "frost")
    work = sys.argv[4] if len(sys.argv) > 4 else tempfile.mkdtemp(prefix="onnx_layer_diff_")
    m = onnx.load(model)
    have = {o.name for o in m.graph.output}
    names = []
    for n in m.graph.node:
        for o in n.output:
            if o and o not in have:
                m.graph.output.append(helper.make_empty_tensor_value_info(o))
                have.add(o)
                names.append(o)
    names += [o.name for o in onnx.load(model).graph.output]
    os.makedirs(work, exist_ok=True)
    exposed = os.path.join(work, "all_outputs.onnx")
    onnx.save(m, exposed)
    runner = os.path.join(work, "ort_runner.mjs")
    with open(runner, "w") as f:
        f.write(ORT_RUNNER)
    ort = {}
    for level in ("all", "disabled"):
        d = os.path.join(work, "ort_" + level)
        subprocess.run(["node", runner, ROOT, exposed, inp, d, level], check=True)
        for line in open(os.path.join(d, "index.tsv")).read().split("\n"):
            i, k, dims = line.split("\t")
            shape = [int(x) for x in dims.split("x")] if dims else []
            ort.setdefault(k, {})[level] = np.fromfile(os.path.join(d, i + ".f32"),
                                                       np.float32).reshape(shape)
    wanted = [n for n in names if n in ort]
    fdir = os.path.join(work, "frost")
    os.makedirs(fdir, exist_ok=True)
    for start in range(0, len(wanted), 60):
        args = [frost, "run", model, "-i", inp]
        for j, n in enumerate(wanted[start:start + 60], start):
            args += ["-o", f"{n}={fdir}/{j}.npy"]
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    print(f"{'tensor':60s} {'max|ref|':>9s} {'frost-ORT':>10s} {'ORT-ORT':>10s} {'rel':>8s} {'rel ORT':>8s}")
    for j, n in enumerate(wanted):
        ref = ort[n]["all"].astype(np.float64)
        got = np.load(f"{fdir}/{j}.npy").astype(np.float64).reshape(ref.shape)
        alt = ort[n]["disabled"].astype(np.float64)
        scale = np.abs(ref).max() if ref.size else 0.0
        e1 = np.abs(got - ref).max() if ref.size else 0.0
        e2 = np.abs(alt - ref).max() if ref.size else 0.0
        s = scale if scale > 0 else 1.0
        print(f"{n[-60:]:60s} {scale:9.3g} {e1:10.3g} {e2:10.3g} {e1 / s:8.2g} {e2 / s:8.2g}")


if __name__ == "__main__":
    main()

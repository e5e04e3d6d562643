#!/usr/bin/python3
"""shared_real.py FROST SHARED_DIR OUT_DIR — every model of ../shared/testdata/real in a format frost
reads (TensorFlow GraphDef, Keras .h5/.keras/JSON) through the CLI, as a user calls it, against what
../shared/testdata/real/SOURCES.md says each must do:
  - uTensor per-op graphs: `frost run` equals TensorFlow's output_*.idx;
  - nnstreamer MNIST: the golden 9 is a 9; the Keras 3 MNIST convnet (.keras and .h5): 1 and 8;
  - cross-format oracles: hls4ml's JSON + weights pair and its full .h5, LeNet-5's and the
    learning-phase graph's frozen .pb and the .h5 they were frozen from, give the same outputs;
  - graphs with no stored expectation (cppflow TF2, tf2onnx, the Keras LSTM, hls4ml's batch-norm and
    conv models): load and give finite outputs;
  - refused by name: the speech-commands graph (its audio decoding ops and string input) and a
    weights-only .h5.
Writes one line per model. Exit 77 (skip) when ../shared or numpy is absent."""
import glob
import json
import os
import subprocess
import sys

try:
    import numpy as np
except ImportError:
    print("SKIP: /usr/bin/python3 with numpy is needed")
    sys.exit(77)

frost, shared, out = sys.argv[1], sys.argv[2], sys.argv[3]
real = os.path.join(shared, "testdata", "real")
if not os.path.isdir(real):
    print(f"SKIP: {real} not found")
    sys.exit(77)
os.makedirs(out, exist_ok=True)
passes = fails = 0


def result(name, ok, detail):
    global passes, fails
    print(f"{'pass' if ok else 'FAIL':5s} {name:60s} {detail}")
    if ok:
        passes += 1
    else:
        fails += 1


def frost_run(args):
    p = subprocess.run([frost, "run"] + args, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path):
    b = open(path, "rb").read()
    kind, rank = b[2], b[3]
    dims = [int.from_bytes(b[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(b[4 + 4 * rank:], IDX_TYPES[kind]).reshape(dims).astype(IDX_TYPES[kind][1:])


def inputs_of(model, extra=()):
    p = subprocess.run([frost, "inspect", "--json", model] + list(extra), capture_output=True,
                       text=True)
    return json.loads(p.stdout)["inputs"] if p.returncode == 0 else None


# ---- uTensor per-op graphs -------------------------------------------------------------------
for d in sorted(glob.glob(os.path.join(real, "tf_frozen", "utensor_op_tests", "*"))):
    out_node = open(os.path.join(d, "output_nodes.txt")).read().split()[0]
    want_files = glob.glob(os.path.join(d, "output_*.idx"))
    for pb in sorted(glob.glob(os.path.join(d, "*.pb"))):
        name = "utensor/" + os.path.basename(d) + "/" + os.path.basename(pb)
        args = [pb]
        if os.path.basename(d) == "placeholder":
            one = read_idx(os.path.join(d, "one_0.idx"))
            x = (0.25 * np.arange(one.size, dtype=np.float32) - 1).reshape(one.shape)
            np.save(os.path.join(out, "ph_x.npy"), x)
            args += ["-i", os.path.join(out, "ph_x.npy")]
            want = x + one
        else:
            for f in glob.glob(os.path.join(d, "input_*.idx")):
                iname = os.path.basename(f)[len("input_"):-len(".idx")]
                npy = os.path.join(out, f"{os.path.basename(d)}_{iname}.npy")
                np.save(npy, read_idx(f))
                args += ["-i", f"{iname}={npy}"]
            wf = want_files[0] if want_files else os.path.join(d, out_node + "_0.idx")
            want = read_idx(wf)
        got_file = os.path.join(out, f"utensor_{os.path.basename(d)}.npy")
        rc, msg = frost_run(args + ["-o", f"{out_node}={got_file}"])
        if rc != 0:
            result(name, False, msg.strip().split("\n")[0])
            continue
        got = np.load(got_file)
        ok = got.size == want.size and np.allclose(got.reshape(want.shape), want, atol=1e-5, rtol=1e-5)
        result(name, ok, f"{out_node}: {got.size} values" + ("" if ok else " differ from TensorFlow's"))

# ---- golden labels ---------------------------------------------------------------------------
def top1(name, model, inp, label, extra=()):
    f = os.path.join(out, "top1.npy")
    rc, msg = frost_run([model, "-i", inp, "-o", f] + list(extra))
    if rc != 0:
        result(name, False, msg.strip().split("\n")[0])
        return
    got = int(np.argmax(np.load(f)))
    result(name, got == label, f"top-1 {got}, expected {label}")


m = os.path.join(real, "tf_frozen", "nnstreamer_mnist")
top1("nnstreamer_mnist/mnist.pb", os.path.join(m, "mnist.pb"), os.path.join(m, "9_input_1x784_f32.npy"), 9)
k3 = os.path.join(real, "keras", "moonflower_mnist_keras3")
for f in ("mnist_model.keras", "mnist_model.h5"):
    for digit in (1, 8):
        top1(f"moonflower_mnist_keras3/{f} ({digit})", os.path.join(k3, f),
             os.path.join(k3, f"{digit}_input_1x28x28x1_f32.npy"), digit)

# ---- cross-format oracles --------------------------------------------------------------------
rng = np.random.default_rng(20260307)


def random_inputs(model, tag, batch=2):
    ins = inputs_of(model)
    if ins is None:
        return None
    args = []
    for i, x in enumerate(ins):
        # An input of unknown rank (tf2onnx's regression X) is fed a vector.
        shape = [3] if x["shape"] is None else [batch if d is None else d for d in x["shape"]]
        f = os.path.join(out, f"{tag}_in{i}.npy")
        np.save(f, rng.uniform(0, 1, shape).astype(np.float32))
        args += ["-i", f"{x['name']}={f}"]
    return args


def same(name, a, b, tag):
    # A batch of one: the learning-phase graph's output is its first row (a StridedSlice).
    ins = random_inputs(a, tag, batch=1)
    outs = []
    for i, model in enumerate((a, b)):
        f = os.path.join(out, f"{tag}_out{i}.npy")
        rc, msg = frost_run([model] + (ins or []) + ["-o", f])
        if rc != 0:
            result(name, False, f"{os.path.basename(model)}: " + msg.strip().split("\n")[0])
            return
        outs.append(np.load(f))
    comparable = outs[0].size == outs[1].size
    err = float(np.max(np.abs(outs[0].ravel() - outs[1].ravel()))) if comparable else None
    result(name, err is not None and err <= 1e-5,
           f"max difference {err}" if err is not None else f"shapes {outs[0].shape} {outs[1].shape}")


h = os.path.join(real, "keras", "hls4ml_example_models")
same("hls4ml KERAS_3layer.json+weights = keras_3layer.h5", os.path.join(h, "KERAS_3layer.json"),
     os.path.join(h, "keras_3layer.h5"), "hls4ml")
l5 = os.path.join(real, "tf_frozen", "ardianumam_lenet5")
same("ardianumam_lenet5 frozen_model.pb = modelLeNet5_small.h5", os.path.join(l5, "frozen_model.pb"),
     os.path.join(l5, "modelLeNet5_small.h5"), "lenet")
lp = os.path.join(real, "tf_frozen", "h5topy_keras2_learning_phase")
same("h5topy_keras2_learning_phase keras_model.pb = keras_model.h5",
     os.path.join(lp, "keras_model.pb"), os.path.join(lp, "keras_model.h5"), "lphase")

# ---- no stored expectation: load, run, finite ------------------------------------------------
for rel in ("tf_frozen/cppflow_tf2_frozen/model.pb", "tf_frozen/tf2onnx/ae0_frozen.pb",
            "tf_frozen/tf2onnx/fc-layers_frozen.pb", "tf_frozen/tf2onnx/regression_frozen.pb",
            "tf_frozen/hello_tf_c_api_keras_lstm/graph.pb",
            "keras/hls4ml_example_models/keras_3layer_batch_norm.h5",
            "keras/hls4ml_example_models/keras_conv2d_model.h5"):
    model = os.path.join(real, rel)
    ins = random_inputs(model, "finite", batch=1)
    f = os.path.join(out, "finite.npy")
    rc, msg = frost_run([model] + (ins or []) + ["-o", f])
    if rc != 0:
        result(rel, False, msg.strip().split("\n")[0])
        continue
    y = np.load(f)
    result(rel, bool(np.all(np.isfinite(y))), f"{y.size} values, finite")

# ---- refused by name -------------------------------------------------------------------------
for rel, needles in (
        ("tf_frozen/nnstreamer_speech_commands/conv_actions_frozen.pb",
         ["DecodeWav", "AudioSpectrogram", "Mfcc", "DT_STRING"]),
        ("keras/hls4ml_example_models/KERAS_3layer_weights.h5", ["holds weights only"])):
    rc, msg = frost_run([os.path.join(real, rel)])
    missing = [n for n in needles if n not in msg]
    result(rel, rc == 1 and not missing,
           f"refused naming {', '.join(needles)}" if not missing else f"exit {rc}: {msg.strip()}")

print(f"{passes} passed, {fails} failed")
sys.exit(1 if fails else 0)

#!/usr/bin/python3
"""Trains frost's two bundled example models on Fashion-MNIST and exports them to ONNX.

These are the founding experiment's models with its hyperparameters:
  beginner: Dense 784->10 + softmax; SGD lr 0.5, 1000 steps of batch 100.
  expert:   conv 5x5x32 SAME relu -> maxpool 2 -> conv 5x5x64 SAME relu -> maxpool 2 -> flatten ->
            dense 1024 relu -> dropout 0.5 -> dense 10 -> softmax; Adam 1e-4, batch 50.
The data is Debian's dataset-fashion-mnist (IDX, gzip'd), pixels scaled to [0,1].

Writes into --out (default models/fashion/): {beginner,expert}.onnx (input `input`, output `softmax`,
dynamic batch dimension; beginner [N,784], expert NCHW [N,1,28,28]), {beginner,expert}.json (the test
accuracy PyTorch measured and how the model was trained) and {beginner,expert}_expected100.npy
(PyTorch's softmax outputs for the first 100 test images, f32 [100,10]).

TorchScript copies for the libtorch peer are not committed (the expert would double the repository's
13 MB): `train_fashion.py torchscript MODEL.onnx OUT.pt` rebuilds the module from the ONNX file's own
weights, so the peers provably run the same numbers.

Needs Debian python3-torch (and python3-numpy). It is a fixture/model generator, never run by tests.
Seeds are fixed; on one machine with the same torch build the output is reproducible.
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DEFAULT_DATA = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    """Reads an IDX file (gzip'd or not) into a numpy array, checking the header against the size."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 8:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    ndim = raw[3]
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path}: header says {dims}, file holds {data.size} bytes")
    return data.reshape(dims)


def find_idx(data_dir, stem):
    for name in (stem + ".gz", stem):
        p = os.path.join(data_dir, name)
        if os.path.exists(p):
            return p
    raise FileNotFoundError(f"{data_dir}: no {stem}[.gz]")


def load_split(data_dir, split):
    images = read_idx(find_idx(data_dir, f"{split}-images-idx3-ubyte"))
    labels = read_idx(find_idx(data_dir, f"{split}-labels-idx1-ubyte"))
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"{split}: {images.shape[0]} images but {labels.shape[0]} labels")
    x = torch.from_numpy(images.astype(np.float32) / 255.0)
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y


class Beginner(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(784, 10)

    def forward(self, x):  # x: [N,784]
        return F.softmax(self.dense(x), dim=1)

    def logits(self, x):
        return self.dense(x)


class Expert(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 5, padding=2)    # 5x5 SAME: odd kernel, symmetric pad
        self.conv2 = nn.Conv2d(32, 64, 5, padding=2)
        self.dense1 = nn.Linear(7 * 7 * 64, 1024)
        self.dropout = nn.Dropout(0.5)
        self.dense2 = nn.Linear(1024, 10)

    def logits(self, x):  # x: [N,1,28,28]
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)                        # exports as a single ONNX Flatten
        x = self.dropout(F.relu(self.dense1(x)))
        return self.dense2(x)

    def forward(self, x):
        return F.softmax(self.logits(x), dim=1)


SPECS = {
    "beginner": dict(cls=Beginner, shape=(784,), batch=100, optimizer="SGD lr 0.5"),
    "expert": dict(cls=Expert, shape=(1, 28, 28), batch=50, optimizer="Adam lr 1e-4"),
}


def make_optimizer(name, params):
    if name == "beginner":
        return torch.optim.SGD(params, lr=0.5)
    return torch.optim.Adam(params, lr=1e-4)


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        correct = 0
        for i in range(0, x.shape[0], 500):
            correct += int((model.logits(x[i:i + 500]).argmax(1) == y[i:i + 500]).sum())
    return correct / x.shape[0]


def train(name, steps, data_dir, out_dir, seed):
    spec = SPECS[name]
    torch.manual_seed(seed)
    np.random.seed(seed)
    xtr, ytr = load_split(data_dir, "train")
    xte, yte = load_split(data_dir, "t10k")
    xtr = xtr.reshape((-1,) + spec["shape"])
    xte = xte.reshape((-1,) + spec["shape"])

    model = spec["cls"]()
    opt = make_optimizer(name, model.parameters())
    gen = torch.Generator().manual_seed(seed)
    perm = torch.randperm(xtr.shape[0], generator=gen)
    pos = 0
    t0 = time.time()
    model.train()
    for step in range(1, steps + 1):
        # Epoch-wise shuffling like the tutorial's next_batch: every image once per epoch.
        if pos + spec["batch"] > xtr.shape[0]:
            perm = torch.randperm(xtr.shape[0], generator=gen)
            pos = 0
        idx = perm[pos:pos + spec["batch"]]
        pos += spec["batch"]
        loss = F.cross_entropy(model.logits(xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 200 == 0 or step == steps:
            print(f"{name}: step {step}/{steps} loss {loss.item():.4f} "
                  f"({time.time() - t0:.0f} s)", file=sys.stderr, flush=True)
    train_seconds = time.time() - t0

    acc = accuracy(model, xte, yte)
    print(f"{name}: test accuracy {acc:.4f} after {steps} steps ({train_seconds:.0f} s)", file=sys.stderr)
    model.eval()
    with torch.no_grad():
        expected = model(xte[:100]).numpy().astype(np.float32)

    os.makedirs(out_dir, exist_ok=True)
    onnx_path = os.path.join(out_dir, f"{name}.onnx")
    torch.onnx.export(model, xte[:1], onnx_path, input_names=["input"], output_names=["softmax"],
                      dynamic_axes={"input": {0: "N"}, "softmax": {0: "N"}}, opset_version=13,
                      do_constant_folding=True)
    np.save(os.path.join(out_dir, f"{name}_expected100.npy"), expected)
    info = {
        "model": name,
        "framework": f"PyTorch {torch.__version__} (Debian python3-torch)",
        "data": "Fashion-MNIST (Debian dataset-fashion-mnist), pixels / 255",
        "optimizer": spec["optimizer"],
        "batch": spec["batch"],
        "steps": steps,
        "epochs": round(steps * spec["batch"] / xtr.shape[0], 2),
        "seed": seed,
        "train_seconds": round(train_seconds, 1),
        "blas": os.environ.get("FROST_TRAIN_BLAS", "system libblas.so.3"),
        "test_accuracy": acc,
        "input": {"name": "input", "shape": ["N"] + list(spec["shape"])},
        "output": {"name": "softmax", "shape": ["N", 10]},
    }
    with open(os.path.join(out_dir, f"{name}.json"), "w") as f:
        json.dump(info, f, indent=2)
        f.write("\n")


# ---- ONNX -> TorchScript, reading the initializers straight from the protobuf wire format ----

def _varint(buf, pos):
    shift = value = 0
    while True:
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, pos
        shift += 7


def _fields(buf):
    """Yields (field number, wire type, value) for one protobuf message; value is bytes or int."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 2:
            n, pos = _varint(buf, pos)
            value = buf[pos:pos + n]
            pos += n
        elif wire == 5:
            value, pos = buf[pos:pos + 4], pos + 4
        elif wire == 1:
            value, pos = buf[pos:pos + 8], pos + 8
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield field, wire, value


def onnx_initializers(path):
    """name -> float32 array for every initializer of an ONNX model (ModelProto.graph.initializer)."""
    with open(path, "rb") as f:
        model = f.read()
    out = {}
    for field, _, graph in _fields(model):
        if field != 7:                                   # ModelProto.graph
            continue
        for gfield, _, tensor in _fields(graph):
            if gfield != 5:                              # GraphProto.initializer
                continue
            dims, name, raw, dtype, floats = [], None, None, None, []
            for tfield, wire, v in _fields(tensor):
                if tfield == 1:
                    if wire == 2:                        # packed dims
                        p = 0
                        while p < len(v):
                            d, p = _varint(v, p)
                            dims.append(d)
                    else:
                        dims.append(v)
                elif tfield == 2:
                    dtype = v
                elif tfield == 4 and wire == 2:
                    floats.append(np.frombuffer(v, dtype="<f4"))
                elif tfield == 8:
                    name = bytes(v).decode()
                elif tfield == 9:
                    raw = bytes(v)
            if dtype != 1:                               # only FLOAT initializers hold weights here
                continue
            arr = np.frombuffer(raw, dtype="<f4") if raw is not None else np.concatenate(floats or [np.zeros(0, "<f4")])
            out[name] = arr.reshape(dims).copy()
    return out


def build_from_onnx(onnx_path):
    """The eager module whose parameters are exactly the ONNX file's initializers."""
    weights = onnx_initializers(onnx_path)
    name = "expert" if any(k.startswith("conv") for k in weights) else "beginner"
    model = SPECS[name]["cls"]()
    state = model.state_dict()
    missing = [k for k in state if k not in weights or tuple(weights[k].shape) != tuple(state[k].shape)]
    if missing:
        raise ValueError(f"{onnx_path}: initializers do not match the {name} model: {missing} "
                         f"(have {sorted(weights)})")
    model.load_state_dict({k: torch.from_numpy(weights[k]) for k in state})
    return name, model.eval()


def to_torchscript(onnx_path, pt_path):
    name, model = build_from_onnx(onnx_path)
    example = torch.zeros((1,) + SPECS[name]["shape"])
    with torch.no_grad():
        traced = torch.jit.trace(model, example)
    traced.save(pt_path)
    print(f"{pt_path}: TorchScript {name} from {onnx_path}", file=sys.stderr)


OPENBLAS_DIR = "/usr/lib/x86_64-linux-gnu/openblas-pthread"


def prefer_openblas():
    """Debian's torch uses whatever libblas.so.3 the alternatives system selects; the reference BLAS
    makes the expert's dense layer ~50x slower to train. Re-exec once against OpenBLAS when it is
    installed (Debian libopenblas0-pthread) without changing the system-wide choice."""
    if os.environ.get("FROST_TRAIN_BLAS") or not os.path.isdir(OPENBLAS_DIR):
        return
    env = dict(os.environ, FROST_TRAIN_BLAS=OPENBLAS_DIR,
               LD_LIBRARY_PATH=OPENBLAS_DIR + ":" + os.environ.get("LD_LIBRARY_PATH", ""))
    os.execve(sys.executable, [sys.executable] + sys.argv, env)


def main():
    prefer_openblas()
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd")
    tr = sub.add_parser("train", help="train and export (default)")
    tr.add_argument("models", nargs="*", default=["beginner", "expert"], help="beginner and/or expert")
    tr.add_argument("--data", default=DEFAULT_DATA)
    tr.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models", "fashion"))
    tr.add_argument("--beginner-steps", type=int, default=1000)
    tr.add_argument("--expert-steps", type=int, default=4000,
                    help="the tutorial ran 20000; 4000 steps of 50 (3.3 epochs) take ~10 minutes on one quiet core")
    tr.add_argument("--seed", type=int, default=20151109)
    tr.add_argument("--threads", type=int, default=1,
                    help="1: on a shared 2-core VM, 2 threads trained 4x slower")
    ts = sub.add_parser("torchscript", help="MODEL.onnx OUT.pt: TorchScript with the ONNX file's weights")
    ts.add_argument("onnx")
    ts.add_argument("pt")
    args = ap.parse_args(sys.argv[1:] if len(sys.argv) > 1 and sys.argv[1] in ("train", "torchscript", "-h", "--help")
                         else ["train"] + sys.argv[1:])
    if args.cmd == "torchscript":
        torch.set_num_threads(1)
        to_torchscript(args.onnx, args.pt)
        return
    torch.set_num_threads(args.threads)
    for name in args.models:
        if name not in SPECS:
            sys.exit(f"train_fashion.py: unknown model '{name}' (beginner, expert)")
        steps = args.beginner_steps if name == "beginner" else args.expert_steps
        train(name, steps, args.data, os.path.normpath(args.out), args.seed)


if __name__ == "__main__":
    main()

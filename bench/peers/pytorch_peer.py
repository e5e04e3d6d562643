#!/usr/bin/python3
"""PyTorch from Python (Debian python3-torch) on the founding benchmark's single-call loop.

Rebuilds the eager module from the ONNX file's own weights (scripts/train_fashion.py), sets
torch.set_num_threads(--threads), and calls model(x) once per image under torch.inference_mode(),
x being a [1,784] or [1,1,28,28] view of the preloaded test images. Same warm-up, loops and JSON line
as bench/peers/peer_common.h. It must never batch images or reuse a previous result.
"""
import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import torch  # noqa: E402
import train_fashion  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--loops", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=-1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--layout", choices=["flat", "nchw"], default="flat")
    ap.add_argument("--runtime", default="pytorch")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    _, model = train_fashion.build_from_onnx(a.model)
    x, y = train_fashion.load_split(a.data, "t10k")
    count = min(a.n, x.shape[0])
    x = x[:count].reshape((count, 1, 28, 28) if a.layout == "nchw" else (count, 784)).contiguous()
    labels = y[:count].tolist()
    warmup = a.warmup if a.warmup >= 0 else max(100, a.n // 10)
    with torch.inference_mode():
        for i in range(warmup):
            k = i % count
            model(x[k:k + 1])
        loop_ms, first = [], None
        agree = True
        for loop in range(a.loops):
            correct = 0
            t0 = time.perf_counter()
            for i in range(a.n):
                k = i % count
                correct += int(model(x[k:k + 1]).argmax()) == labels[k]
            loop_ms.append((time.perf_counter() - t0) * 1e3)
            if first is None:
                first = correct
            elif correct != first:
                agree = False
            print(f"  {a.runtime}: loop {loop + 1}/{a.loops} {loop_ms[-1]:.1f} ms", file=sys.stderr)
    print(json.dumps({
        "runtime": a.runtime, "version": torch.__version__, "model": a.model, "n": a.n, "loops": a.loops,
        "warmup": warmup, "threads": a.threads, "loop_ms": [round(v, 3) for v in loop_ms],
        "ms_per_n": {"mean": round(statistics.mean(loop_ms), 3), "min": round(min(loop_ms), 3),
                     "median": round(statistics.median(loop_ms), 3)},
        "accuracy": first / a.n, "correct": first, "loops_agree": agree}), flush=True)


if __name__ == "__main__":
    main()

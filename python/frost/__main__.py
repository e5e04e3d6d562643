"""python -m frost bench MODEL [--data DIR] ...: frost's founding benchmark, called from Python.

The same measurement as `frost bench` (tools/frost/cmd_bench.c), through the Python module: the
MNIST-format test set in DIR (t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]) scaled to
[0,1] as float32, one Session.run per image, a warm-up, then --loops timed loops of --n calls. Like
the C benchmark, everything the loop feeds is prepared before the clock starts (one view per image,
as C computes a pointer per image); each timed call is `sess.run([output], {input: image})`, whose
result is kept and scored after the loop (an argmax in Python would cost more than the call), and
the clock is read once per call. Prints ms per N predictions (mean, min, median), µs per prediction
(p50, p90, p99, max) and the accuracy against the labels; --json
prints one line in bench/compare's format. NumPy is used when installed, never required.

--c-bench FROST measures frost from C in the same run: before each Python loop it runs one loop of
`FROST bench` (the C benchmark) on the same model and images, so both see the same machine load,
and it prints both and the time the Python layer adds per call.
"""
import argparse
import gzip
import json
import os
import statistics
import struct
import subprocess
import sys
import time

import frost

LAYOUTS = ("flat", "hw", "nhwc", "nchw")


def read_idx(path):
    """An unsigned-byte IDX file (gzip'd or not): its dimensions and its bytes."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 8:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    ndim = raw[3]
    dims = struct.unpack(f">{ndim}I", raw[4:4 + 4 * ndim])
    count = 1
    for d in dims:
        count *= d
    body = raw[4 + 4 * ndim:]
    if len(body) < count:
        raise ValueError(f"{path}: truncated IDX data ({len(body)} of {count} bytes)")
    return dims, body[:count]


def find_idx(data_dir, stem):
    for name in (stem, stem + ".gz"):
        path = os.path.join(data_dir, name)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(f"no {stem}[.gz] in {data_dir}")


def load_test_set(data_dir, n):
    (count, rows, cols), pixels = read_idx(find_idx(data_dir, "t10k-images-idx3-ubyte"))
    (label_count,), labels = read_idx(find_idx(data_dir, "t10k-labels-idx1-ubyte"))
    if label_count != count:
        raise ValueError(f"{data_dir}: {count} images but {label_count} labels")
    n = min(n, count)
    return n, rows, cols, pixels[:n * rows * cols], labels[:n]


def layout_shape(layout, h, w):
    return {"flat": (1, h * w), "hw": (1, h, w), "nhwc": (1, h, w, 1), "nchw": (1, 1, h, w)}[layout]


def accepts(declared, shape):
    if declared is None:
        return True
    if len(declared) != len(shape):
        return False
    return all(d is None or d == s for d, s in zip(declared, shape))


def choose_layout(info, model, h, w, wanted):
    if wanted:
        if not accepts(info.shape, layout_shape(wanted, h, w)):
            sys.exit(f"frost bench: --layout {wanted} feeds {list(layout_shape(wanted, h, w))} but "
                     f"input '{info.name}' is {info.shape}")
        return wanted
    fits = [l for l in LAYOUTS if accepts(info.shape, layout_shape(l, h, w))]
    if not fits:
        sys.exit(f"frost bench: input '{info.name}' {info.dtype} {info.shape} can't take {h}x{w} images")
    if len(fits) > 1:   # a 4-D input with unknown spatial dims: the format's habit, as frost bench
        habit = "nchw" if frost.inspect(model)["format"] == "onnx" else "nhwc"
        return habit if habit in fits else fits[0]
    return fits[0]


def images_as_views(pixels, n, shape):
    """One float32 view per image, of the given shape, into one buffer scaled to [0,1]: slices of a
    memoryview, which export their buffer without allocating (a NumPy slice would, on first use)."""
    try:
        import numpy as np
        x = np.frombuffer(pixels, dtype=np.uint8).astype(np.float32) / np.float32(255.0)
    except ImportError:
        from array import array
        x = array("f", (p / 255.0 for p in pixels))
    flat = memoryview(x).cast("B")
    item = len(flat) // n
    return [flat[i * item:(i + 1) * item].cast("f", list(shape)) for i in range(n)]


def percentile(sorted_values, pct):
    """Nearest rank, as frost bench."""
    rank = max(1, min(len(sorted_values), -(-len(sorted_values) * pct // 100)))
    return sorted_values[int(rank) - 1]


def argmax(out):
    values = memoryview(out).cast("B").cast(memoryview(out).format).tolist()
    return max(range(len(values)), key=values.__getitem__)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m frost bench",
                                 description="The founding benchmark from Python (see frost bench).")
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("bench", help="time one Session.run per image on an MNIST-format test set")
    b.add_argument("model")
    b.add_argument("--data", required=True, help="the test set (t10k-images-idx3-ubyte[.gz], ...)")
    b.add_argument("--n", type=int, default=10000, help="predictions per loop (default 10000)")
    b.add_argument("--loops", type=int, default=5, help="timed loops (default 5)")
    b.add_argument("--warmup", type=int, default=-1, help="untimed calls first (default 100)")
    b.add_argument("--threads", type=int, default=1, help="worker threads (default 1)")
    b.add_argument("--layout", choices=LAYOUTS, help="override the layout chosen from the input's shape")
    b.add_argument("--input", help="the input to feed (default: the model's only input)")
    b.add_argument("--output", help="the output to read (default: the model's first output)")
    b.add_argument("--precision", default="fp32", choices=["fp32", "f32", "bf16", "int8"])
    b.add_argument("--json", action="store_true", help="print one JSON line")
    b.add_argument("--c-bench", metavar="FROST",
                   help="also time FROST bench (C), one C loop before each Python loop")
    a = ap.parse_args(argv)
    if a.n < 1 or a.loops < 1:
        ap.error("--n and --loops must be at least 1")

    n, h, w, pixels, labels = load_test_set(a.data, a.n)
    t0 = time.perf_counter()
    sess = frost.Session(a.model, threads=a.threads, precision=a.precision)
    load_ms = (time.perf_counter() - t0) * 1e3
    inputs = sess.inputs
    if a.input:
        info = next((i for i in inputs if i.name == a.input), None)
        if info is None:
            sys.exit(f"frost bench: '{a.input}' is not one of the inputs {[i.name for i in inputs]}")
    elif len(inputs) != 1:
        sys.exit(f"frost bench: the model has {len(inputs)} inputs; choose one with --input NAME")
    else:
        info = inputs[0]
    output = a.output or sess.outputs[0].name
    layout = choose_layout(info, a.model, h, w, a.layout)
    xs = images_as_views(pixels, n, layout_shape(layout, h, w))
    warmup = a.warmup if a.warmup >= 0 else min(100, n)

    run, names, name = sess.run, [output], info.name
    for i in range(warmup):
        run(names, {name: xs[i % n]})
    outs, lat, calls_us = [None] * n, [0] * n, []
    loop_ms, loop_p50, correct, c_loops = [], [], [], []
    clock = time.perf_counter_ns
    for _ in range(a.loops):
        if a.c_bench:
            c_loops.append(c_loop(a, n, warmup, layout))
        # As frost bench: one clock read per call, a call's latency running from the previous
        # call's end to its own (so the p50 is a typical call, whatever preempted a few others).
        start = before = clock()
        for c in range(n):
            outs[c] = run(names, {name: xs[c]})[0]
            after = clock()
            lat[c] = after - before
            before = after
        loop_ms.append((before - start) / 1e6)
        us = sorted(v / 1e3 for v in lat)
        loop_p50.append(percentile(us, 50))
        calls_us.extend(us)
        correct.append(sum(1 for c in range(n) if argmax(outs[c]) == labels[c]))
    calls_us.sort()
    p = {k: percentile(calls_us, k) for k in (50, 90, 99)}

    stats = {"mean": statistics.mean(loop_ms), "min": min(loop_ms), "median": statistics.median(loop_ms)}
    c_loop_ms = [c["loop_ms"][0] for c in c_loops]
    c_p50 = [c["us_per_prediction"]["p50"] for c in c_loops]
    c_stats = ({"mean": statistics.mean(c_loop_ms), "min": min(c_loop_ms), "median": statistics.median(c_loop_ms)}
               if c_loops else None)
    if a.json:
        print(json.dumps({
            "runtime": "frost-python", "version": frost.__version__, "model": a.model, "data": a.data,
            "input": name, "layout": layout, "output": output, "n": n, "loops": a.loops,
            "warmup": warmup, "threads": a.threads, "precision": a.precision,
            "load_ms": round(load_ms, 3), "loop_ms": [round(v, 3) for v in loop_ms],
            "ms_per_n": {k: round(v, 3) for k, v in stats.items()},
            "us_per_prediction": {"p50": round(p[50], 3), "p90": round(p[90], 3), "p99": round(p[99], 3),
                                  "max": round(calls_us[-1], 3)},
            "loop_us_p50": [round(v, 3) for v in loop_p50],
            "accuracy": correct[0] / n, "correct": correct[0],
            "loops_agree": all(c == correct[0] for c in correct),
            **({"c_loop_ms": c_loop_ms, "c_ms_per_n": {k: round(v, 3) for k, v in c_stats.items()},
                "c_loop_us_p50": c_p50} if c_stats else {})}), flush=True)
        return 0
    print(f"python -m frost bench {a.model} (frost {frost.__version__}, Python {sys.version.split()[0]})")
    print(f"  data      {a.data}: {n} images {h}x{w}")
    print(f"  input     {name} {list(layout_shape(layout, h, w))} ({layout}), output {output}")
    print(f"  setup     load + plan {load_ms:.2f} ms, threads {a.threads}, precision {a.precision}")
    print(f"  warmup    {warmup} calls")
    for i, ms in enumerate(loop_ms):
        print(f"  loop {i + 1:<4} {ms:.3f} ms / {n} predictions  (p50 {loop_p50[i]:.3f} µs, "
              f"accuracy {100.0 * correct[i] / n:.2f}%)")
    print(f"ms per {n} predictions:  mean {stats['mean']:.3f}  min {stats['min']:.3f}  "
          f"median {stats['median']:.3f}")
    print(f"µs per prediction:  p50 {p[50]:.3f}  p90 {p[90]:.3f}  p99 {p[99]:.3f}  max {calls_us[-1]:.3f}")
    print(f"accuracy: {100.0 * correct[0] / n:.2f}% ({correct[0]}/{n})"
          + ("" if all(c == correct[0] for c in correct) else "  (loops disagree!)"))
    if c_stats:
        print(f"C, same run ({a.c_bench} bench, one loop before each Python loop): "
              + "  ".join(f"{ms:.3f}" for ms in c_loop_ms) + " ms")
        for k in ("median", "min"):
            print(f"  {k:6}  C {c_stats[k]:.3f} ms, Python {stats[k]:.3f} ms: {stats[k] / c_stats[k]:.2f}x, "
                  f"Python adds {(stats[k] - c_stats[k]) * 1e3 / n:.3f} µs per call")
        c_mid, py_mid = statistics.median(c_p50), statistics.median(loop_p50)
        print(f"  p50 per call (median over loops)  C {c_mid:.3f} µs, Python {py_mid:.3f} µs: "
              f"Python adds {py_mid - c_mid:.3f} µs per call")
    return 0


def c_loop(a, n, warmup, layout):
    """One timed loop of the C benchmark on the same model, images and settings: its JSON."""
    cmd = [a.c_bench, "bench", a.model, "--data", a.data, "--n", str(n), "--loops", "1",
           "--warmup", str(warmup), "--threads", str(a.threads), "--layout", layout, "--json",
           "--precision", "f32" if a.precision == "fp32" else a.precision]
    if a.input:
        cmd += ["--input", a.input]
    if a.output:
        cmd += ["--output", a.output]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise OSError(f"{' '.join(cmd)} failed: {done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (frost.Error, OSError, ValueError) as e:
        sys.exit(f"frost bench: {e}")

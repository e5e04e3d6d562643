#!/usr/bin/python3
"""Turns bench/compare's results into the founding experiment's table, a roofline and a bar chart.

Reads RESULTS/{runtime}_{model}.json (one line each, from frost bench --json or a peer), the .note
files (skipped or failed runs), .cmd files (exact commands), roofline.json (this CPU's measured peak
FLOP/s and read bandwidth) and MODELS/{model}.json (the training run's own test accuracy). Prints
the table; with --out writes the markdown page and, when gnuplot is installed, a PNG chart beside it.

Standard library only. It must never invent a number: a runtime without a result shows its note.
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys

LABELS = {
    "frost": "frost",
    "frost-keras": "frost, Keras (TF.js layers) file",
    "frost-bf16": "frost, opt-in bf16 weights",
    "frost-int8": "frost, opt-in int8 weights",
    "onnxruntime": "ONNX Runtime, C API",
    "opencv": "OpenCV DNN, C++",
    "libtorch": "libtorch, C++ (TorchScript)",
    "pytorch": "PyTorch, Python eager",
    "frost-python": "frost from Python",
}
SHORT = {"frost": "frost", "frost-keras": "frost (Keras file)", "frost-bf16": "frost bf16",
         "frost-int8": "frost int8", "onnxruntime": "ONNX Runtime", "opencv": "OpenCV DNN", "libtorch": "libtorch",
         "pytorch": "PyTorch (Python)", "frost-python": "frost (Python)"}
HOW = {
    "frost": "`frost bench --json` (tools/frost/cmd_bench.c): one `frost_session_run` per image",
    "frost-keras": "the same, on the same weights saved as Keras/TensorFlow.js layers (NHWC input; "
                   "scripts/export_fashion_tfjs.mjs)",
    "frost-bf16": "the same on the ONNX file, `--precision bf16`: weights stored as bf16 at load "
                  "(AVX512_BF16), activations rounded to bf16 per call, fp32 sums",
    "frost-int8": "the same, `--precision int8`: dense weights int8 with per-column scales, "
                  "activations quantized per row per call (AVX512_VNNI), exact int32 sums, fp32 "
                  "rescale",
    "onnxruntime": "`OrtApi::Run` per image on pre-created input/output `OrtValue`s, `ORT_ENABLE_ALL`, "
                   "sequential, intra-op threads = --threads (bench/peers/ort_peer.c)",
    "opencv": "`readNetFromONNX`; `setInput` + `forward(\"softmax\")` per image, OpenCV backend, "
              "`cv::setNumThreads` (bench/peers/opencv_peer.cpp)",
    "libtorch": "TorchScript traced from the ONNX file's weights; `forward` per image under "
                "`c10::InferenceMode`, `at::set_num_threads` (bench/peers/libtorch_peer.cpp)",
    "pytorch": "eager module loaded with the ONNX file's weights; `model(x)` per image under "
               "`torch.inference_mode()`, `torch.set_num_threads` (bench/peers/pytorch_peer.py)",
    "frost-python": "`python -m frost bench` (python/frost/__main__.py): `sess.run([output], {input: image})` "
                    "per image through the Python module, each image a prepared view of the same "
                    "float32 test set, the results scored after each loop",
}

# Per-layer work of the two models (scripts/train_fashion.py): name, multiply-adds, weight bytes (f32).
LAYERS = {
    "beginner": [("dense 784->10", 784 * 10, (784 * 10 + 10) * 4)],
    "expert": [
        ("conv 5x5x1->32 @28x28", 28 * 28 * 32 * 25 * 1, (32 * 25 + 32) * 4),
        ("conv 5x5x32->64 @14x14", 14 * 14 * 64 * 25 * 32, (64 * 32 * 25 + 64) * 4),
        ("dense 3136->1024", 3136 * 1024, (3136 * 1024 + 1024) * 4),
        ("dense 1024->10", 1024 * 10, (1024 * 10 + 10) * 4),
    ],
}
# The founding experiment's own numbers (2013 laptop, MNIST, ms per 10,000): for scale only.
FOUNDING = [("Python Keras", 3787, 9693), ("Python TensorFlow", 2588, 8124), ("C++ TensorFlow", 576, 5512)]


def read(path, default=None):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return default


def load_json(path):
    text = read(path)
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def machine():
    cpu = "unknown CPU"
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                cpu = line.split(":", 1)[1].strip()
    except OSError:
        pass
    debian = read("/etc/debian_version", "?")
    return f"{cpu}, {os.cpu_count()} cores, Linux {platform.release()}, Debian {debian}"


def roofline(model, roof, weight_file_bytes):
    """Lower bound in ms per prediction: each layer needs max(compute, weight reads); sum them."""
    if not roof:
        return None
    peak = roof["peak_gflops"] * 1e9
    bw = roof.get("read_gbps", {}).get(str(weight_file_bytes))
    if not bw:
        return None
    bw *= 1e9
    total_ms = sum(max(2 * macs / peak, wbytes / bw) for _, macs, wbytes in LAYERS[model]) * 1e3
    return {"macs": sum(l[1] for l in LAYERS[model]), "weight_bytes": sum(l[2] for l in LAYERS[model]),
            "peak_gflops": roof["peak_gflops"], "read_gbps": bw / 1e9, "ms_per_prediction": total_ms}


def fmt_ms(v):
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--models", required=True)
    ap.add_argument("--out")
    ap.add_argument("--command", default="bench/compare")
    ap.add_argument("--model-set", default="beginner expert")
    ap.add_argument("--stat", choices=["mean", "median", "min"], default="mean",
                    help="which of the loops' figures the table ranks by (the founding experiment: mean)")
    ap.add_argument("--runtimes",
                    default="frost frost-keras frost-bf16 frost-int8 onnxruntime opencv libtorch pytorch "
                            "frost-python")
    a = ap.parse_args()
    models = a.model_set.split()
    runtimes = a.runtimes.split()
    res = a.results

    results, notes, cmds = {}, {}, {}
    for rt in runtimes:
        for m in models:
            r = load_json(os.path.join(res, f"{rt}_{m}.json"))
            if r:
                results[(rt, m)] = r
            n = read(os.path.join(res, f"{rt}_{m}.note")) or read(os.path.join(res, f"{rt}.note"))
            if n:
                notes[(rt, m)] = n
            c = read(os.path.join(res, f"{rt}_{m}.cmd"))
            if c:
                cmds[(rt, m)] = c
    roof = load_json(os.path.join(res, "roofline.json"))
    trained = {m: load_json(os.path.join(a.models, f"{m}.json")) or {} for m in models}
    bounds = {}
    for m in models:
        try:
            size = os.path.getsize(os.path.join(a.models, f"{m}.onnx"))
        except OSError:
            size = 0
        bounds[m] = roofline(m, roof, size)
    any_r = next(iter(results.values()), {})
    n = any_r.get("n", 10000)
    loops = any_r.get("loops", "?")
    threads = any_r.get("threads", "?")
    torch_blas = read(os.path.join(res, "torch_blas"), "system libblas.so.3")
    frost_version = read(os.path.join(res, "frost_version"), "frost")

    def label(rt):
        r = next((results[(rt, m)] for m in models if (rt, m) in results), None)
        version = (frost_version.replace("frost ", "") if rt.startswith("frost")
                   else (r or {}).get("version", ""))
        extra = f" + {torch_blas}" if rt in ("libtorch", "pytorch") else ""
        return f"{LABELS.get(rt, rt)} {version}{extra}".strip()

    head = "| runtime | " + " | ".join(f"{m}: ms per 10,000" for m in models) + " | accuracy " + \
           " / ".join(m[0] for m in models) + " |"
    lines = [head, "| --- |" + " ---: |" * len(models) + " --- |"]
    chart_rows = []
    for rt in runtimes:
        cells, accs, row = [], [], [SHORT.get(rt, rt)]
        for m in models:
            r = results.get((rt, m))
            if not r:
                note = notes.get((rt, m), "no result")
                cells.append(note.split(":")[0])
                accs.append("–")
                row.append("NaN")
                continue
            ms = r["ms_per_n"][a.stat] * 10000.0 / r["n"]
            f = results.get(("frost", m))
            ratio = ""
            if f and rt != "frost":
                ratio = f" ({ms / (f['ms_per_n'][a.stat] * 10000.0 / f['n']):.2f}x frost)"
            others = [k for k in ("mean", "median", "min") if k != a.stat]
            spread = "".join(f", {k} {fmt_ms(r['ms_per_n'][k] * 10000.0 / r['n'])}" for k in others)
            cells.append(f"**{fmt_ms(ms)}**{ratio}{spread}")
            accs.append(f"{r['accuracy']:.4f}" if r.get("accuracy") is not None else "–")
            row.append(f"{ms:.3f}")
        lines.append(f"| {label(rt)} | " + " | ".join(cells) + " | " + " / ".join(accs) + " |")
        chart_rows.append(row)
    roof_cells = []
    for m in models:
        b = bounds[m]
        roof_cells.append(f"≥ {fmt_ms(b['ms_per_prediction'] * 10000)}" if b else "not measured")
    lines.append("| *roofline lower bound, this CPU (see below)* | " + " | ".join(roof_cells) + " | – |")
    trained_cells = " / ".join(f"{trained[m].get('test_accuracy', float('nan')):.4f}" for m in models)
    lines.append("| *PyTorch at training time (the models' own accuracy)* | " + " | ".join("" for _ in models)
                 + f" | {trained_cells} |")
    table = "\n".join(lines)
    print(table)
    from_python = python_section(results, models, a.stat)
    if from_python:
        print("\n" + "\n".join(from_python))

    skipped = [(k, v) for k, v in sorted(notes.items()) if k not in results]
    if not a.out:
        for (rt, m), v in skipped:
            print(f"{rt} {m}: {v}")
        return

    out_dir = os.path.dirname(os.path.abspath(a.out))
    os.makedirs(out_dir, exist_ok=True)
    png = os.path.splitext(a.out)[0] + ".png"
    chart = make_chart(chart_rows, models, bounds, png, res, a.stat)

    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    doc = []
    doc.append("# Benchmarks: frost and its peers on the founding experiment\n")
    doc.append("*Generated by `bench/compare` — do not edit by hand; re-run it instead.*\n")
    scaled = "" if n == 10000 else f" (this run used {n:,} per loop; cells are scaled to 10,000)"
    doc.append(f"The founding experiment's measurement{scaled}: {n:,} Fashion-MNIST test images (Debian "
               f"`dataset-fashion-mnist`), **one inference call per image**, pixels scaled to [0,1]; "
               f"a warm-up, then {loops} timed loops; each cell is the **{a.stat} ms per 10,000 "
               f"predictions** over the loops (the other statistics after it), with the ratio to frost on the same machine in the same "
               f"run (lower is faster). {threads} thread(s) for every runtime. Models: "
               f"`models/fashion/{{beginner,expert}}.onnx` (see models/fashion/README.md); libtorch "
               f"runs a TorchScript file made from the same ONNX weights. Each runtime's accuracy over "
               f"the same images is printed beside its time, so a broken run cannot pass as a fast one.\n")
    doc.append(f"- **Machine:** {machine()}")
    doc.append(f"- **Date:** {now}")
    lb, la = read(os.path.join(res, "load_before")), read(os.path.join(res, "load_after"))
    if lb:
        doc.append(f"- **Load** before/after: `{lb.split('load average:')[-1].strip()}` / "
                   f"`{(la or '?').split('load average:')[-1].strip()}` (a shared VM: compare rows of "
                   f"one run only)")
    doc.append(f"- **Command:** `{a.command}`\n")
    doc.append(table + "\n")
    if chart:
        doc.append(f"![ms per 10,000 predictions]({os.path.relpath(png, out_dir)})\n")
    if skipped:
        doc.append("Not measured in this run:\n")
        for (rt, m), v in skipped:
            doc.append(f"- {LABELS.get(rt, rt)}, {m}: {v}")
        doc.append("")

    doc.extend(latency_section(results, models, runtimes, a.stat, label))
    doc.extend(from_python)

    doc.append("## Roofline: what the hardware allows\n")
    if roof:
        doc.append(f"Measured on one core by `bench/peers/roofline.c` (best of many short runs): peak "
                   f"**{roof['peak_gflops']:.0f} GFLOP/s** fp32 ({roof['isa']} FMA), read bandwidth "
                   + ", ".join(f"{float(v):.0f} GB/s over {int(k) / 1e6:.2f} MB" for k, v in roof["read_gbps"].items())
                   + " (buffer sizes = each model's weights, re-read on every prediction).\n")
        doc.append("| model | multiply-adds / prediction | weight bytes / prediction | bound per layer: "
                   "max(2·MAC / peak, bytes / bandwidth), summed | lower bound, ms per 10,000 | "
                   "fraction of the limit reached (bound / measured) |")
        doc.append("| --- | ---: | ---: | --- | ---: | --- |")
        for m in models:
            b = bounds[m]
            if not b:
                continue
            parts = "; ".join(f"{nm}: {max(2 * mac / (b['peak_gflops'] * 1e9), wb / (b['read_gbps'] * 1e9)) * 1e6:.2f} µs"
                              for nm, mac, wb in LAYERS[m])
            reached = []
            for rt in runtimes:
                r = results.get((rt, m))
                if r:
                    ms = r["ms_per_n"][a.stat] * 10000.0 / r["n"]
                    reached.append(f"{SHORT.get(rt, rt)} {100 * b['ms_per_prediction'] * 10000 / ms:.0f}%")
            doc.append(f"| {m} | {b['macs']:,} | {b['weight_bytes'] / 1e6:.3f} MB | {parts} | "
                       f"{b['ms_per_prediction'] * 10000:.1f} | {', '.join(reached)} |")
        doc.append("\nEverything above the bound is overhead (per-call dispatch, memory traffic of "
                   "activations, kernels below peak). The beginner's bound is far below a microsecond "
                   "per prediction, so its row measures per-call overhead; the expert's is set by the "
                   "14x14 convolution's arithmetic and the dense layer's 12.8 MB of weights. The bound "
                   "is for the plain algorithm: a runtime that does less work can pass 100% (frost's "
                   "Winograd F(4x4, 5x5) convolution needs 4x fewer multiplies than the direct one, and "
                   "its batch-1 dense layer skips the weight rows of zero inputs), and reduced-precision "
                   "weights read fewer bytes.\n")
    else:
        doc.append("Not measured in this run (bench/peers/roofline.c did not build or run).\n")

    doc.append("## How each runtime was called\n")
    for rt in runtimes:
        doc.append(f"- **{label(rt)}**: {HOW.get(rt, '')}")
    doc.append(f"\nTorch peers: Debian's torch uses whatever `libblas.so.3` the system selects; the "
               f"reference BLAS makes its dense layers ~50x slower, so bench/compare runs both torch "
               f"peers with {torch_blas} (`LD_LIBRARY_PATH`, `OMP_NUM_THREADS`, `OPENBLAS_NUM_THREADS`)."
               f" Peers are built by bench/compare into build-bench/ (never by frost's CMake build); "
               f"scripts/setup-peers.sh installs them.\n")
    doc.append("The founding experiment, for scale (a 2013 laptop, MNIST; ms per 10,000, beginner / expert): "
               + "; ".join(f"{nm} {b} / {e}" for nm, b, e in FOUNDING) + ".\n")
    doc.append("## Exact commands\n")
    doc.append("```sh")
    for m in models:
        for rt in runtimes:
            if (rt, m) in cmds:
                doc.append(cmds[(rt, m)])
    doc.append("```")
    with open(a.out, "w") as f:
        f.write("\n".join(doc) + "\n")
    print(f"wrote {a.out}" + (f" and {png}" if chart else " (no chart: gnuplot not installed)"), file=sys.stderr)


def latency_section(results, models, runtimes, stat, label):
    """frost's rows against ONNX Runtime's, with the per-call figures only frost bench reports."""
    out = []
    frosts = [rt for rt in runtimes if rt.startswith("frost") and rt != "frost-python"
              and any((rt, m) in results for m in models)]
    if not frosts:
        return out
    out.append("## frost per call: speed-up over ONNX Runtime, latency spread, first call\n")
    out.append("From the same runs as the table. *vs ONNX Runtime*: ONNX Runtime's time over the row's "
               f"({stat} of the loops); *p50 / p99*: µs per prediction over all timed calls; *first call*: "
               "the first `frost_session_run` after `frost_session_plan`, before any warm-up; "
               "*allocations*: heap allocations frost made during the timed loops.\n")
    out.append("| runtime | model | vs ONNX Runtime | p50 µs | p99 µs | p99 / p50 | first call µs | "
               "first / p50 | allocations | accuracy |")
    out.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for rt in frosts:
        for m in models:
            r = results.get((rt, m))
            if not r:
                continue
            ort = results.get(("onnxruntime", m))
            vs = "–"
            if ort:
                vs = f"{ort['ms_per_n'][stat] / ort['n'] / (r['ms_per_n'][stat] / r['n']):.2f}x"
            lat = r.get("us_per_prediction", {})
            p50, p99 = lat.get("p50"), lat.get("p99")
            first = r.get("first_call_us")
            spread = f"{p99 / p50:.2f}" if p50 and p99 else "–"
            first_ratio = f"{first / p50:.2f}" if p50 and first else "–"
            acc = f"{r['accuracy']:.4f}" if r.get("accuracy") is not None else "–"
            allocs = r.get("allocations_during_timed_loops", "–")
            def num(v, f):
                return f"{v:{f}}" if isinstance(v, (int, float)) else "–"
            out.append(f"| {label(rt)} | {m} | **{vs}** | {num(p50, '.2f')} | {num(p99, '.2f')} | "
                       f"{spread} | {num(first, '.1f')} | {first_ratio} | {allocs} | {acc} |")
    out.append("")
    return out


def python_section(results, models, stat):
    """frost from Python against frost from C, from the same run: the ratio of the loops, and the
    cost per call the Python layer adds, from the typical call (p50: a shared machine preempts a
    few calls of a loop, which moves the loop's total but not its median call). Issue 17's bar:
    within 1.5x for the expert, <= 1 us per call for the beginner."""
    rows = [(m, results[("frost", m)], results[("frost-python", m)]) for m in models
            if ("frost", m) in results and ("frost-python", m) in results]
    if not rows:
        return []
    out = ["## frost from Python against frost from C\n",
           f"From the same run: `python -m frost bench` (the Python module, `sess.run([output], {{input: "
           f"image}})` per image) against `frost bench` (C) on the same images; loops: {stat} of the "
           f"loops; p50: the median call over all timed calls, each timed the same way in both (one "
           f"clock read per call). *Added per call*: Python's p50 minus C's, what the Python layer "
           f"costs on top of the C call (argument checks, the buffer protocol, the output array, "
           f"releasing the GIL, the loop itself).\n",
           "| model | C: ms per 10,000 | Python: ms per 10,000 | Python / C | p50 µs C / Python | "
           "added per call, µs | accuracy C / Python |",
           "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for m, c, py in rows:
        c_ms = c["ms_per_n"][stat] * 10000.0 / c["n"]
        py_ms = py["ms_per_n"][stat] * 10000.0 / py["n"]
        c50 = c.get("us_per_prediction", {}).get("p50")
        py50 = py.get("us_per_prediction", {}).get("p50")
        p50s = f"{c50:.3f} / {py50:.3f}" if c50 and py50 else "–"
        added = f"{py50 - c50:.3f}" if c50 and py50 else "–"
        acc = " / ".join(f"{r['accuracy']:.4f}" if r.get("accuracy") is not None else "–" for r in (c, py))
        out.append(f"| {m} | {fmt_ms(c_ms)} | {fmt_ms(py_ms)} | {py_ms / c_ms:.2f}x | {p50s} | {added} | {acc} |")
    out.append("")
    return out


def make_chart(rows, models, bounds, png, res, stat):
    """Two panels (the models differ 100x in cost), one bar per runtime, the roofline as a line."""
    if not shutil.which("gnuplot") or not rows:
        return False
    dat = os.path.join(res, "chart.dat")
    with open(dat, "w") as f:
        for row in rows:
            f.write('"' + row[0].replace('"', "'") + '" ' + " ".join(row[1:]) + "\n")
    script = [
        "set terminal pngcairo size 1100,480 font 'sans,10'",
        f"set output '{png}'",
        f"set multiplot layout 1,{len(models)} title 'ms per 10,000 single-image predictions, {stat} of the loops "
        f"(lower is faster)'",
        "set style data histograms", "set style fill solid 0.8 border -1", "set boxwidth 0.7",
        "set xtics rotate by -20 left", "set grid ytics", "unset key", "set yrange [0:*]",
        "set bmargin 5", "set offsets 0.3, 0.3, graph 0.08, 0",
    ]
    for i, m in enumerate(models):
        b = bounds.get(m)
        script.append("unset arrow")
        if b:
            y = b["ms_per_prediction"] * 10000
            script.append(f"set title \"{m}   (red line: roofline lower bound, {fmt_ms(y)} ms)\"")
            script.append(f"set arrow from graph 0, first {y} to graph 1, first {y} nohead dt 2 lw 2 lc rgb '#c00000' front")
        else:
            script.append(f"set title '{m}'")
        c = i + 2
        script.append(f"plot '{dat}' using {c}:xtic(1) lc rgb '#3060a0', "
                      f"'' using 0:{c}:(sprintf('%.0f', ${c})) with labels offset 0,0.7")
    script.append("unset multiplot")
    try:
        subprocess.run(["gnuplot"], input=("\n".join(script) + "\n").encode(), check=True,
                       capture_output=True)
    except (OSError, subprocess.CalledProcessError) as e:
        detail = getattr(e, "stderr", None)
        print(f"report: gnuplot failed: {detail.decode(errors='replace') if detail else e}", file=sys.stderr)
        return False
    return True


if __name__ == "__main__":
    main()

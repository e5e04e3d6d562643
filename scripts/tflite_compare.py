#!/usr/bin/python3
"""tflite_compare.py — runs .tflite models with TFLite itself (LiteRT, via
scripts/tflite_reference.mjs) and with frost (`frost run`) on the same deterministic inputs, and
prints one line per model: how far frost's outputs are from TFLite's.

usage: /usr/bin/python3 scripts/tflite_compare.py [--frost build/frost] [--work DIR] MODEL_OR_DIR...
  needs Node and LiteRT: NODE_PATH=/tmp/litert/node_modules (see tflite_reference.mjs)

Float outputs: max |frost - TFLite| / (max |TFLite| + 1e-6) ("rel"). Integer outputs: the largest
difference in quantization steps and how many elements differ at all. Models frost refuses are
listed with frost's message (the ops it names). Exit status 0 always: this is a report.
"""
import json
import os
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def models(args):
    for a in args:
        if os.path.isdir(a):
            for d, _, files in sorted(os.walk(a)):
                for f in sorted(files):
                    if f.endswith('.tflite'):
                        yield os.path.join(d, f)
        else:
            yield a


def main():
    argv = sys.argv[1:]
    frost = os.path.join(ROOT, 'build', 'frost')
    work = '/tmp/frost-tflite-compare'
    if '--frost' in argv:
        i = argv.index('--frost')
        frost = argv[i + 1]
        del argv[i:i + 2]
    if '--work' in argv:
        i = argv.index('--work')
        work = argv[i + 1]
        del argv[i:i + 2]
    os.makedirs(work, exist_ok=True)
    for path in models(argv):
        name = os.path.splitext(os.path.basename(path))[0]
        prefix = os.path.join(work, name)
        check = subprocess.run([frost, 'inspect', '--json', path], capture_output=True, text=True)
        if check.returncode != 0:
            print('%-40s REFUSED  %s' % (name, check.stderr.strip().splitlines()[0][:300]))
            continue
        ref = subprocess.run(['node', os.path.join(ROOT, 'scripts', 'tflite_reference.mjs'), '--model', path,
                              '--out', prefix], capture_output=True, text=True)
        if ref.returncode != 0 or not os.path.exists(prefix + '.ref.json'):
            print('%-40s NO-REF   LiteRT failed: %s' % (name, (ref.stderr or ref.stdout).strip()[-200:]))
            continue
        meta = json.load(open(prefix + '.ref.json'))
        cmd = [frost, 'run', path]
        for k, inp in enumerate(meta['inputs']):
            cmd += ['-i', '%s=%s.in%d.npy' % (inp['name'], prefix, k)]
        for k, out in enumerate(meta['outputs']):
            cmd += ['-o', '%s=%s.frost%d.npy' % (out['name'], prefix, k)]
        run = subprocess.run(cmd, capture_output=True, text=True)
        if run.returncode != 0:
            print('%-40s FAILED   %s' % (name, run.stderr.strip()[:300]))
            continue
        parts = []
        for k, out in enumerate(meta['outputs']):
            want = np.load('%s.out%d.npy' % (prefix, k))
            got = np.load('%s.frost%d.npy' % (prefix, k))
            if got.shape != want.shape:
                parts.append('%s: shape %s vs %s' % (out['name'], got.shape, want.shape))
                continue
            if want.dtype.kind == 'f':
                rel = float(np.max(np.abs(got.astype(np.float64) - want)) / (np.max(np.abs(want)) + 1e-6))
                parts.append('%s rel %.1e' % (out['name'][:24], rel))
            else:
                d = np.abs(got.astype(np.int64) - want.astype(np.int64))
                parts.append('%s steps max %d, %d of %d differ' % (out['name'][:24], d.max(), (d > 0).sum(), d.size))
        print('%-40s RAN      %s' % (name, '; '.join(parts)))


if __name__ == '__main__':
    main()

"""Shared helpers of the Python module's tests: where the repository, the CLI and the test data
are, and `frost run` on .npy files, the C result every Python result is compared with."""
import os
import subprocess

import numpy as np
import pytest

ROOT = os.environ.get("FROST_SOURCE_DIR") or os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CLI = os.environ.get("FROST_CLI") or os.path.join(ROOT, "build", "frost")
SHARED = os.environ.get("FROST_SHARED_DIR") or os.path.join(ROOT, "..", "shared")
DATA = os.path.join(ROOT, "tests", "data")
MODELS = os.path.join(ROOT, "models", "fashion")
FASHION = "/usr/share/datasets/fashion-mnist"
SANITIZED = os.environ.get("FROST_SANITIZED") == "1"


def data(*parts):
    return os.path.join(DATA, *parts)


def cli_run(tmp_path, model, feeds, outputs):
    """`frost run MODEL -i NAME=FILE ... -o NAME=FILE ...`: the C result, as {name: ndarray}."""
    if not os.access(CLI, os.X_OK):
        pytest.skip(f"no frost CLI at {CLI}")
    cmd = [CLI, "run", model]
    for k, (name, array) in enumerate(feeds.items()):
        path = tmp_path / f"in{k}.npy"
        np.save(path, array)
        cmd += ["-i", f"{name}={path}"]
    for k, name in enumerate(outputs):
        cmd += ["-o", f"{name}={tmp_path / f'out{k}.npy'}"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(cmd)} failed:\n{done.stderr}"
    return {name: np.load(tmp_path / f"out{k}.npy") for k, name in enumerate(outputs)}


def cli_json(*args):
    if not os.access(CLI, os.X_OK):
        pytest.skip(f"no frost CLI at {CLI}")
    done = subprocess.run([CLI, *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def load_idx(stem, count):
    """The first `count` Fashion-MNIST test images (float32 in [0,1]) or labels."""
    import gzip
    for name in (stem, stem + ".gz"):
        path = os.path.join(FASHION, name)
        if os.path.exists(path):
            opener = gzip.open if path.endswith(".gz") else open
            with opener(path, "rb") as f:
                raw = f.read()
            ndim = raw[3]
            dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
            body = np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)
            return body[:count]
    pytest.skip(f"no {stem} in {FASHION} (Debian dataset-fashion-mnist)")

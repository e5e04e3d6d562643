"""No reference or memory leaks over 100,000 calls: tracemalloc (Python's own allocations) and the
process's RSS (everything, frost's arena included) stay flat, and the arrays fed keep their
reference counts; the error paths are checked the same way."""
import os
import sys
import tracemalloc

import numpy as np
import pytest

import frost
from conftest import MODELS, SANITIZED

BEGINNER = os.path.join(MODELS, "beginner.onnx")
CALLS = 100_000


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    pytest.skip("no /proc/self/status")


def measure(step, calls=CALLS):
    for _ in range(1000):   # warm: caches, pymalloc arenas, the plan
        step()
    tracemalloc.start()
    before_py = tracemalloc.get_traced_memory()[0]
    before_rss = rss_kib()
    for _ in range(calls):
        step()
    grown_py = tracemalloc.get_traced_memory()[0] - before_py
    tracemalloc.stop()
    grown_rss = rss_kib() - before_rss
    return grown_py, grown_rss


def check(step, calls=CALLS):
    grown_py, grown_rss = measure(step, calls)
    # One leaked object per call would be >= 3 MB over 100,000 calls.
    assert grown_py < 64 * 1024, f"Python memory grew {grown_py} bytes over {calls} calls"
    # Under AddressSanitizer freed blocks wait in its quarantine (up to 256 MB), so RSS grows by
    # design there: the Release build checks RSS, both check Python's own memory.
    if not SANITIZED:
        assert grown_rss < 4 * 1024, f"RSS grew {grown_rss} KiB over {calls} calls"


def test_run_does_not_leak():
    sess = frost.Session(BEGINNER)
    x = np.random.default_rng(0).random((1, 784), dtype=np.float32)
    feeds, names = {"input": x}, ["softmax"]
    refs = sys.getrefcount(x)
    check(lambda: sess.run(names, feeds))
    check(lambda: np.asarray(sess.run(None, feeds)[0]).sum())
    assert sys.getrefcount(x) == refs


def test_run_into_does_not_leak():
    sess = frost.Session(BEGINNER)
    x = np.random.default_rng(1).random((1, 784), dtype=np.float32)
    out = np.zeros((1, 10), np.float32)
    refs_x, refs_out = sys.getrefcount(x), sys.getrefcount(out)
    check(lambda: sess.run_into({"softmax": out}, {"input": x}))
    assert sys.getrefcount(x) == refs_x
    sess.run(None, {"input": x})   # unbinds: the session lets go of `out`
    assert sys.getrefcount(out) == refs_out


def test_errors_do_not_leak():
    sess = frost.Session(BEGINNER)
    bad_dtype = np.zeros((1, 784), np.float64)
    bad_shape = np.zeros((1, 783), np.float32)
    refs = sys.getrefcount(bad_dtype), sys.getrefcount(bad_shape)

    def fail():
        for feeds in ({"input": bad_dtype}, {"input": bad_shape}, {"nosuch": bad_shape}):
            try:
                sess.run(None, feeds)
            except frost.Error:
                pass
            else:
                raise AssertionError("no error")

    check(fail, CALLS // 10)
    assert (sys.getrefcount(bad_dtype), sys.getrefcount(bad_shape)) == refs


def test_sessions_do_not_leak():
    with open(BEGINNER, "rb") as f:
        blob = f.read()
    x = np.zeros((1, 784), np.float32)
    check(lambda: frost.Session(blob).run(None, {"input": x}), 2000)

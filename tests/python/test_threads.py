"""Two Python threads with two sessions run at once: the GIL is released around the run, so the
results are right and the other thread makes progress while a run is under way."""
import os
import sys
import threading
import time

import numpy as np

import frost
from conftest import MODELS

BEGINNER = os.path.join(MODELS, "beginner.onnx")


def test_two_sessions_in_two_threads_give_the_single_thread_results():
    rng = np.random.default_rng(11)
    batches = [rng.random((b, 784), dtype=np.float32) for b in (1, 5, 32, 1, 200)]
    want = [np.asarray(frost.Session(BEGINNER).run(None, {"input": x})[0]).copy() for x in batches]
    errors = []

    def work(sess):
        try:
            for _ in range(50):
                for x, w in zip(batches, want):
                    if not np.array_equal(np.asarray(sess.run(None, {"input": x})[0]), w):
                        errors.append("a result differs")
        except Exception as e:   # noqa: BLE001 — reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=work, args=(frost.Session(BEGINNER),)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]


def test_the_gil_is_released_while_running():
    """With a switch interval of 10 s, a thread gives the GIL up only when it blocks or a C call
    releases it. Another thread makes runs until the main thread has counted to 50,000 in Python
    (or 10,000 runs, ~3 s, have passed). If run() held the GIL, the main thread could count only
    once the runner is done: all 10,000 runs would be made. With the GIL released it reaches 50,000
    (milliseconds of Python) during the first runs; on a busy machine it may wait for a core, but
    not for seconds. (The earlier form of this test required the main thread to count 20,000 times
    during 20 fixed runs, which a loaded machine could deny it.)"""
    x = np.random.default_rng(12).random((2048, 784), dtype=np.float32)
    sess = frost.Session(BEGINNER)
    sess.run(None, {"input": x})
    max_runs, target = 10_000, 50_000
    started, enough = threading.Event(), threading.Event()
    made = [0]

    def runner():
        started.set()
        while not enough.is_set() and made[0] < max_runs:
            sess.run(None, {"input": x})
            made[0] += 1

    interval = sys.getswitchinterval()
    sys.setswitchinterval(10.0)
    try:
        t = threading.Thread(target=runner)
        t.start()
        started.wait()
        counted = 0
        while counted < target:
            counted += 1
            if counted % 1000 == 0:
                time.sleep(0)
        enough.set()
        t.join()
    finally:
        sys.setswitchinterval(interval)
    assert made[0] < max_runs, f"the main thread counted to {target} only after all {max_runs} runs"

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
    releases it. The main thread counts in Python, yielding (time.sleep(0)) every 1,000 counts,
    while another thread makes 20 long runs. If run() held the GIL, the main thread could count only
    before the runner starts and after it ends (about one yield: ~1,000 counts); with the GIL released
    it counts through every run, tens of thousands of times, however busy the machine."""
    x = np.random.default_rng(12).random((2048, 784), dtype=np.float32)
    sess = frost.Session(BEGINNER)
    sess.run(None, {"input": x})
    runs = 20
    started, done = threading.Event(), threading.Event()

    def runner():
        started.set()
        for _ in range(runs):
            sess.run(None, {"input": x})
        done.set()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(10.0)
    try:
        t = threading.Thread(target=runner)
        t.start()
        started.wait()
        counted = 0
        while not done.is_set():
            counted += 1
            if counted % 1000 == 0:
                time.sleep(0)
        t.join()
    finally:
        sys.setswitchinterval(interval)
    assert counted > 20 * 1000, f"the main thread counted only {counted} times during {runs} runs"

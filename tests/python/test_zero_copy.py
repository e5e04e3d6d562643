"""Zero copy: an output of run() is one block of memory that every view shares (checked by address),
and run_into writes the result straight into the caller's array (its address never changes), and
never afterwards into an array it was given before."""
import os

import numpy as np

import frost
from conftest import MODELS

BEGINNER = os.path.join(MODELS, "beginner.onnx")


def address(a):
    return a.__array_interface__["data"][0]


def test_asarray_is_a_view_not_a_copy():
    out = frost.Session(BEGINNER).run(None, {"input": np.ones((2, 784), np.float32)})[0]
    a, b = np.asarray(out), np.asarray(out)
    assert address(a) == address(b)          # the same memory, twice
    assert not a.flags.owndata
    assert address(np.asarray(memoryview(out))) == address(a)
    a[0, 0] = 42.0                           # a write through one view shows in the others
    assert b[0, 0] == 42.0 and out.tolist()[0][0] == 42.0
    del out, b
    assert a[0, 0] == 42.0                   # the view keeps the memory alive


def test_run_into_writes_in_place():
    sess = frost.Session(BEGINNER)
    x = np.random.default_rng(0).random((3, 784), dtype=np.float32)
    want = np.asarray(sess.run(None, {"input": x})[0])
    out = np.full((3, 10), np.nan, np.float32)
    where = address(out)
    for _ in range(3):
        assert sess.run_into({"softmax": out}, {"input": x}) is None
        assert address(out) == where
        assert np.array_equal(out, want)
    x2 = x[::-1].copy()
    sess.run_into({"softmax": out}, {"input": x2})
    assert np.array_equal(out, np.asarray(sess.run(None, {"input": x2})[0]))


def test_run_into_a_row_of_a_bigger_array():
    sess = frost.Session(BEGINNER)
    results = np.zeros((4, 10), np.float32)
    x = np.random.default_rng(1).random((4, 784), dtype=np.float32)
    for k in range(4):
        sess.run_into({"softmax": results[k:k + 1]}, {"input": x[k:k + 1]})
    np.testing.assert_allclose(results, np.asarray(sess.run(None, {"input": x})[0]), rtol=1e-6, atol=1e-7)


def test_run_after_run_into_leaves_the_old_array_alone():
    sess = frost.Session(BEGINNER)
    out = np.zeros((1, 10), np.float32)
    a = np.random.default_rng(2).random((1, 784), dtype=np.float32)
    sess.run_into({"softmax": out}, {"input": a})
    kept = out.copy()
    b = np.zeros((1, 784), np.float32)
    other = np.asarray(sess.run(None, {"input": b})[0])
    assert np.array_equal(out, kept)         # run() did not write into the bound array
    assert not np.array_equal(other, kept)
    other2 = np.zeros((1, 10), np.float32)   # nor does a later run_into with another array
    sess.run_into({"softmax": other2}, {"input": b})
    assert np.array_equal(out, kept)


def test_bound_array_survives_its_name():
    """The session holds the array it writes into; dropping the caller's name must not free it."""
    sess = frost.Session(BEGINNER)
    x = np.ones((1, 784), np.float32)
    sess.run_into({"softmax": np.zeros((1, 10), np.float32)}, {"input": x})
    garbage = [np.full((1, 10), 7, np.float32) for _ in range(100)]
    out = np.asarray(sess.run(None, {"input": x})[0])
    assert all((g == 7).all() for g in garbage) and abs(out.sum() - 1) < 1e-5

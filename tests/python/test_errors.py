"""Every frost_status as its exception, with status, code, node, op and file_offset; and bad
arrays (dtype, shape, byte order, layout, read-only outputs) as frost errors, never a plain
TypeError or a crash."""
import os

import numpy as np
import pytest

import frost
from conftest import MODELS, data

BEGINNER = os.path.join(MODELS, "beginner.onnx")

KINDS = {
    "FROST_E_INVALID_ARG": (frost.InvalidArgument, ValueError),
    "FROST_E_IO": (frost.FileError, OSError),
    "FROST_E_FORMAT": (frost.FormatError, ValueError),
    "FROST_E_UNSUPPORTED": (frost.Unsupported, None),
    "FROST_E_LIMIT": (frost.LimitError, ValueError),
    "FROST_E_SHAPE": (frost.ShapeError, ValueError),
    "FROST_E_DTYPE": (frost.DtypeError, TypeError),
    "FROST_E_NOT_FOUND": (frost.NotFound, LookupError),
    "FROST_E_NOMEM": (frost.OutOfMemory, MemoryError),
    "FROST_E_STATE": (frost.StateError, None),
    "FROST_E_INTERNAL": (frost.InternalError, None),
}


def test_hierarchy():
    for status, (cls, builtin) in KINDS.items():
        assert issubclass(cls, frost.Error) and cls.__module__ == "frost"
        if builtin:
            assert issubclass(cls, builtin)
        e = cls("made by Python")
        assert e.status is None and e.node is None and e.op is None   # class defaults
    assert issubclass(frost.Error, Exception)


def raised(fn, cls, status):
    with pytest.raises(cls) as info:
        fn()
    e = info.value
    assert e.status == status and isinstance(e.code, int) and str(e)
    return e


@pytest.fixture(scope="module")
def sess():
    return frost.Session(BEGINNER)


def test_file_error():
    e = raised(lambda: frost.Session("/nonexistent/model.onnx"), frost.FileError, "FROST_E_IO")
    assert "/nonexistent/model.onnx" in str(e)
    raised(lambda: frost.inspect("/nonexistent/model.onnx"), frost.FileError, "FROST_E_IO")


def test_format_error_has_the_offset():
    e = raised(lambda: frost.Session(data("tf", "truncated.pb")), frost.FormatError, "FROST_E_FORMAT")
    assert e.file_offset == 517 and "runs past the end" in str(e)
    e = raised(lambda: frost.Session(data("tf", "negative_dim.pb")), frost.FormatError, "FROST_E_FORMAT")
    assert (e.node, e.op) == ("neg", "Const")
    raised(lambda: frost.Session(b"\x00garbage" * 10), frost.FormatError, "FROST_E_FORMAT")


def test_unsupported_names_every_op():
    e = raised(lambda: frost.Session(data("tf", "unknown_ops.pb")), frost.Unsupported, "FROST_E_UNSUPPORTED")
    assert all(op in str(e) for op in ("RandomUniform", "DecodeWav", "FrobnicateV7"))
    assert e.node == "noise" and e.op == "RandomUniform"


def test_limit_error():
    e = raised(lambda: frost.Session(data("tf", "absurd_dims.pb")), frost.LimitError, "FROST_E_LIMIT")
    assert e.node == "big" and "max_tensor_bytes" in str(e)


def test_not_found_suggests(sess):
    e = raised(lambda: sess.run(None, {"inptu": np.zeros((1, 784), np.float32)}), frost.NotFound,
               "FROST_E_NOT_FOUND")
    assert "'input'" in str(e)
    e = raised(lambda: sess.run(["softmx"], {"input": np.zeros((1, 784), np.float32)}), frost.NotFound,
               "FROST_E_NOT_FOUND")
    assert "'softmax'" in str(e)
    raised(lambda: frost.Session(BEGINNER, outputs=["nosuch"]), frost.NotFound, "FROST_E_NOT_FOUND")


def test_dtype_errors(sess):
    for bad, named in ((np.zeros((1, 784), np.float64), "float64"), (np.zeros((1, 784), np.int32), "int32"),
                       (np.zeros((1, 784), np.float16), "float16"), (np.zeros((1, 784), ">f4"), "big-endian"),
                       (np.zeros((1, 784), np.bool_), "bool"), (b"\x00" * 3136, "uint8")):
        e = raised(lambda: sess.run(None, {"input": bad}), frost.DtypeError, "FROST_E_DTYPE")
        assert "input 'input' is float32" in str(e) and named in str(e)
        assert isinstance(e, frost.Error)


def test_shape_errors(sess):
    for bad in (np.zeros((1, 783), np.float32), np.zeros((784,), np.float32),
                np.zeros((1, 28, 28), np.float32), np.zeros((1,) * 9, np.float32)):
        e = raised(lambda: sess.run(None, {"input": bad}), frost.ShapeError, "FROST_E_SHAPE")
        assert "input" in str(e)
    x = np.zeros((4, 784), np.float32)
    raised(lambda: sess.run_into({"softmax": np.zeros((1, 10), np.float32)}, {"input": x}),
           frost.ShapeError, "FROST_E_SHAPE")
    raised(lambda: sess.run_into({"softmax": np.zeros((4, 10), np.float64)}, {"input": x}),
           frost.DtypeError, "FROST_E_DTYPE")


def test_invalid_arguments(sess):
    x = np.zeros((1, 784), np.float32)
    cases = [
        lambda: sess.run(None, [x]),                              # not a dict
        lambda: sess.run(None, {}),                               # an input missing
        lambda: sess.run(None, {"input": x, "input:0": x}),       # the same input twice
        lambda: sess.run(None, {"input": [[0.0] * 784]}),         # no buffer protocol
        lambda: sess.run(None, {1: x}),                           # a name that is not str
        lambda: sess.run("softmax", {"input": x}),                # names must be a list
        lambda: sess.run(None),                                   # too few arguments
        lambda: sess.run(None, {"input": x}, None),               # too many
        lambda: sess.run(None, input_feed={"input": x}, extra=1),
        lambda: sess.run_into([], {"input": x}),
        lambda: sess.run_into({"softmax": np.zeros((1, 20), np.float32)[:, ::2]}, {"input": x}),
        lambda: frost.Session(BEGINNER, threads=0),
        lambda: frost.Session(BEGINNER, precision="fp8"),
        lambda: frost.Session(BEGINNER, outputs="softmax"),
        lambda: frost.Session(BEGINNER, set=[("keep_prob", 1.0)]),
        lambda: frost.Session(BEGINNER, set={"keep_prob": "one"}),
        lambda: frost.Session(BEGINNER, nosuch=1),
        lambda: frost.Session(12345),
        lambda: frost.inspect(12345),
    ]
    for case in cases:
        raised(case, frost.InvalidArgument, "FROST_E_INVALID_ARG")


def test_read_only_and_strided_outputs_raise(sess):
    x = np.zeros((2, 784), np.float32)
    ro = np.zeros((2, 10), np.float32)
    ro.flags.writeable = False
    raised(lambda: sess.run_into({"softmax": ro}, {"input": x}), frost.InvalidArgument, "FROST_E_INVALID_ARG")
    strided = np.zeros((2, 20), np.float32)[:, ::2]
    e = raised(lambda: sess.run_into({"softmax": strided}, {"input": x}), frost.InvalidArgument,
               "FROST_E_INVALID_ARG")
    assert "contiguous" in str(e)


def test_non_contiguous_inputs_are_copied(sess):
    rng = np.random.default_rng(9)
    base = rng.random((3, 1568), dtype=np.float32)
    strided = base[:, ::2]                  # every other column
    transposed = np.asfortranarray(rng.random((3, 784), dtype=np.float32))
    reversed_rows = rng.random((3, 784), dtype=np.float32)[::-1]
    for x in (strided, transposed, reversed_rows):
        assert not x.flags.c_contiguous
        got = np.asarray(sess.run(None, {"input": x})[0])
        assert np.array_equal(got, np.asarray(sess.run(None, {"input": np.ascontiguousarray(x)})[0]))


def test_state_error():
    raw = frost.Session.__new__(frost.Session)          # __init__ never ran
    raised(lambda: raw.run(None, {}), frost.StateError, "FROST_E_STATE")
    raised(lambda: raw.inputs, frost.StateError, "FROST_E_STATE")
    sess = frost.Session(BEGINNER)
    raised(lambda: sess.__init__(BEGINNER), frost.StateError, "FROST_E_STATE")


def test_errors_leave_the_session_usable(sess):
    x = np.random.default_rng(3).random((1, 784), dtype=np.float32)
    want = np.asarray(sess.run(None, {"input": x})[0])
    for bad in (np.zeros((1, 783), np.float32), np.zeros((1, 784), np.float64)):
        with pytest.raises(frost.Error):
            sess.run(None, {"input": bad})
        assert np.array_equal(np.asarray(sess.run(None, {"input": x})[0]), want)

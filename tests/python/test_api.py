"""The API as the issue names it: Session's arguments, inputs/outputs, run's output selection,
batches, inspect(), __version__, frost.Array, and inputs without NumPy (the buffer protocol)."""
import array
import json
import os

import numpy as np
import pytest

import frost
from conftest import CLI, MODELS, cli_json, data

BEGINNER = os.path.join(MODELS, "beginner.onnx")


def test_version_matches_the_cli():
    assert frost.__version__ == cli_json("--version").split()[-1]


def test_inputs_and_outputs():
    sess = frost.Session(BEGINNER)
    (i,), (o,) = sess.inputs, sess.outputs
    assert (i.name, i.dtype, i.shape) == ("input", "float32", (None, 784))
    assert (o.name, o.dtype, o.shape) == ("softmax", "float32", (None, 10))
    assert isinstance(i, frost.TensorInfo) and i == ("input", "float32", (None, 784))


def test_inspect_is_the_cli_json():
    for model in (BEGINNER, data("tf", "layout.pb"), data("keras", "tfjs", "nested", "model.json")):
        assert frost.inspect(model) == json.loads(cli_json("inspect", model, "--json"))
    assert frost.inspect(os.fsencode(BEGINNER))["format"] == "onnx"


def test_run_selects_and_orders_outputs():
    path = data("tf", "layout.pb")
    sess = frost.Session(path)
    names = [o.name for o in sess.outputs]
    assert len(names) >= 3
    x = np.random.default_rng(1).random((1, 5, 5, 2), dtype=np.float32)
    everything = sess.run(None, {"x": x})
    picked = sess.run([names[2], names[0]], {"x": x})
    assert np.array_equal(np.asarray(picked[0]), np.asarray(everything[2]))
    assert np.array_equal(np.asarray(picked[1]), np.asarray(everything[0]))
    assert sess.run((names[1],), {"x": x})[0].shape == everything[1].shape
    assert sess.run(output_names=None, input_feed={"x": x})[0].shape == everything[0].shape


def test_outputs_argument_computes_other_tensors():
    path = data("tf", "layout.pb")
    every = frost.Session(path)
    one = frost.Session(path, outputs=[every.outputs[1].name])
    assert [o.name for o in one.outputs] == [every.outputs[1].name]
    x = np.ones((1, 5, 5, 2), np.float32)
    assert np.array_equal(np.asarray(one.run(None, {"x": x})[0]), np.asarray(every.run(None, {"x": x})[1]))


def test_batch_changes_and_threads_agree():
    rng = np.random.default_rng(5)
    single = frost.Session(BEGINNER)
    pooled = frost.Session(BEGINNER, threads=2)
    for batch in (1, 7, 1, 64, 3):
        x = rng.random((batch, 784), dtype=np.float32)
        a = np.asarray(single.run(None, {"input": x})[0])
        assert a.shape == (batch, 10)
        np.testing.assert_allclose(np.asarray(pooled.run(None, {"input": x})[0]), a, rtol=1e-6, atol=1e-7)
        rows = np.stack([np.asarray(single.run(None, {"input": x[k:k + 1]})[0])[0] for k in range(batch)])
        np.testing.assert_allclose(rows, a, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("precision", ["fp32", "bf16", "int8"])
def test_precision(precision):
    x = np.random.default_rng(2).random((4, 784), dtype=np.float32)
    exact = np.asarray(frost.Session(BEGINNER).run(None, {"input": x})[0])
    got = np.asarray(frost.Session(BEGINNER, precision=precision).run(None, {"input": x})[0])
    np.testing.assert_allclose(got, exact, atol=2e-2)   # reduced precision: ~1e-2 relative
    if precision == "fp32":
        assert np.array_equal(got, exact)


def test_array_object():
    out = frost.Session(BEGINNER).run(None, {"input": np.zeros((2, 784), np.float32)})[0]
    assert isinstance(out, frost.Array)
    assert (out.shape, out.dtype, out.nbytes, out.ndim, len(out)) == ((2, 10), "float32", 80, 2, 2)
    assert repr(out) == "frost.Array(dtype='float32', shape=(2, 10))"
    rows = out.tolist()
    assert len(rows) == 2 and abs(sum(rows[0]) - 1) < 1e-5
    view = memoryview(out)
    assert (view.format, view.shape, view.c_contiguous, view.readonly) == ("f", (2, 10), True, False)
    with pytest.raises(TypeError):
        frost.Array()


def test_inputs_without_numpy():
    """array.array and memoryview in, frost.Array out (and back in): no NumPy anywhere."""
    image = array.array("f", [0.5] * 784)
    sess = frost.Session(BEGINNER)
    out = sess.run(None, {"input": memoryview(image).cast("B").cast("f", [1, 784])})[0]
    probs = out.tolist()[0]
    assert abs(sum(probs) - 1) < 1e-5
    want = np.asarray(sess.run(None, {"input": np.full((1, 784), 0.5, np.float32)})[0])
    assert np.array_equal(np.asarray(out), want)


def test_a_frost_array_feeds_another_session():
    """An output of one model is the input of the next, with no conversion."""
    sess = frost.Session(data("tf", "learning_phase.pb"))   # x [?, 4] -> out [?, 4]
    x = np.random.default_rng(4).random((3, 4), dtype=np.float32)
    y = sess.run(None, {"x": x})[0]
    z = sess.run(None, {"x": y})[0]
    assert isinstance(y, frost.Array) and z.shape == (3, 4)
    assert np.array_equal(np.asarray(z), np.asarray(sess.run(None, {"x": np.asarray(y).copy()})[0]))


def test_path_like_and_cli_path():
    import pathlib
    sess = frost.Session(pathlib.Path(BEGINNER))
    assert sess.inputs[0].name == "input"
    assert os.access(CLI, os.X_OK)


def test_names_that_are_not_utf8_or_hold_escapes():
    """hostile_names.pb: an input named with a terminal escape, a node with bytes that are not
    UTF-8. Names come back as str (undecodable bytes as surrogates) and work as names again."""
    path = data("tf", "hostile_names.pb")
    relu = os.fsdecode(b"relu\x80\xff")                      # surrogateescape, as the module does
    sess = frost.Session(path, outputs=[relu])
    (i,), (o,) = sess.inputs, sess.outputs
    assert i.name == "x\x1b[31m" and o.name == relu
    x = np.array([[-1.0, 2.0]], np.float32)
    for feed_name in (i.name, "x\x1b[31m"):
        out = sess.run([relu], {feed_name: x})[0]
        assert np.array_equal(np.asarray(out), np.maximum(x, 0))
    with pytest.raises(frost.Unsupported) as e:            # the whole file has an unknown op
        frost.inspect(path)
    assert "\x1b" not in str(e.value)                        # frost escapes names in messages

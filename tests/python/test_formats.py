"""Every format's committed fixture through Python, against the C result (`frost run` of the same
build, bit for bit: the same library runs both) and, where the fixture has one, against the output
of the framework that made the model (onnxruntime, TensorFlow.js, PyTorch)."""
import glob
import json
import os

import numpy as np
import pytest

import frost
from conftest import MODELS, SHARED, cli_run, data, load_idx

ONNX = [("mlp", "mlp_op13"), ("mlp_dynamic", "mlp_dynamic_op13"), ("cnn", "cnn_op13"),
        ("cnn_dynamic", "cnn_dynamic_op13"), ("block", "block_op17"), ("pools", "pools_op13"),
        ("seq", "seq_op14"), ("layout", "layout_op13")]


def run_all(sess, feeds):
    names = [o.name for o in sess.outputs]
    return dict(zip(names, (np.asarray(a) for a in sess.run(None, feeds))))


def assert_same_as_cli(tmp_path, model, sess, feeds, got):
    want = cli_run(tmp_path, model, feeds, list(got))
    for name, array in got.items():
        assert array.dtype == want[name].dtype and array.shape == want[name].shape, name
        assert np.array_equal(array, want[name], equal_nan=True), f"{name}: Python and C differ"


@pytest.mark.parametrize("base,model", ONNX)
def test_onnx_fixture(tmp_path, base, model):
    path = data("onnx", model + ".onnx")
    x = np.load(data("onnx", base + "_input.npy"))
    sess = frost.Session(path)
    assert len(sess.inputs) == 1
    got = run_all(sess, {sess.inputs[0].name: x})
    reference = np.load(data("onnx", base + "_output.npy"))   # onnxruntime's
    first = got[sess.outputs[0].name]
    np.testing.assert_allclose(first, reference, rtol=1e-5, atol=1e-5)
    assert_same_as_cli(tmp_path, path, sess, {sess.inputs[0].name: x}, got)


def test_onnx_from_bytes_equals_from_path():
    path = data("onnx", "cnn_op13.onnx")
    x = np.load(data("onnx", "cnn_input.npy"))
    with open(path, "rb") as f:
        blob = f.read()
    from_path = frost.Session(path).run(None, {"input": x})[0]
    for source in (blob, bytearray(blob), memoryview(blob)):
        from_bytes = frost.Session(source).run(None, {"input": x})[0]
        assert np.array_equal(np.asarray(from_bytes), np.asarray(from_path))


@pytest.mark.parametrize("model", ["mlp", "layout", "ops_run", "learning_phase"])
def test_tf_graphdef_fixture(tmp_path, model):
    path = data("tf", model + ".pb")
    sess = frost.Session(path)
    rng = np.random.default_rng(7)
    feeds = {}
    for info in sess.inputs:
        shape = tuple(2 if d is None else d for d in info.shape)
        feeds[info.name] = rng.standard_normal(shape).astype(info.dtype)
    got = run_all(sess, feeds)
    assert got
    assert_same_as_cli(tmp_path, path, sess, feeds, got)


TFJS = sorted(os.path.basename(os.path.dirname(p)) for p in glob.glob(data("keras", "tfjs", "*", "model.json")))


@pytest.mark.parametrize("name", TFJS)
def test_tfjs_layers_fixture(tmp_path, name):
    folder = data("keras", "tfjs", name)
    with open(os.path.join(folder, "ref", "ref.json")) as f:
        ref = json.load(f)
    path = os.path.join(folder, "model.json")
    sess = frost.Session(path)
    feeds = {}
    for spec, info in zip(ref["inputs"], sess.inputs):
        raw = np.fromfile(os.path.join(folder, "ref", spec["file"]), dtype=np.float32)
        feeds[info.name] = raw.reshape(spec["shape"]).astype(info.dtype)
    got = run_all(sess, feeds)
    for spec, out in zip(ref["outputs"], sess.outputs):   # TensorFlow.js's outputs
        want = np.fromfile(os.path.join(folder, "ref", spec["file"]), dtype=np.float32)
        np.testing.assert_allclose(got[out.name].reshape(-1), want, rtol=1e-4, atol=1e-4)
    if len(feeds) > 1:
        # `frost run` feeds each input before setting the next one's shape, against frost.h's "set
        # every shape before feeding data": at a batch other than 1 its plan sees the inputs
        # disagree (functional_merge: Concatenate's shape error). Reported (tools/frost/cmd_run.c);
        # until then compare with it at the default batch of 1, where the shapes never change.
        feeds = {k: np.ascontiguousarray(v[:1]) for k, v in feeds.items()}
        got = run_all(sess, feeds)
    assert_same_as_cli(tmp_path, path, sess, feeds, got)


@pytest.mark.parametrize("model", ["beginner.onnx", "tfjs/beginner/model.json", "expert.onnx",
                                   "tfjs/expert/model.json"])
def test_bundled_fashion_models(tmp_path, model):
    """The bundled models on the first 100 test images against PyTorch's softmax outputs."""
    path = os.path.join(MODELS, model)
    name = "expert" if "expert" in model else "beginner"
    images = load_idx("t10k-images-idx3-ubyte", 100).astype(np.float32) / np.float32(255)
    sess = frost.Session(path)
    shape = tuple(100 if d is None else d for d in sess.inputs[0].shape)
    x = np.ascontiguousarray(images.reshape(shape))
    got = run_all(sess, {sess.inputs[0].name: x})
    want = np.load(os.path.join(MODELS, f"{name}_expected100.npy"))
    np.testing.assert_allclose(got[sess.outputs[0].name], want, atol=1e-4)
    assert_same_as_cli(tmp_path, path, sess, {sess.inputs[0].name: x}, got)


KERAS = sorted(glob.glob(os.path.join(SHARED, "testdata", "real", "keras", "*", "*.h5")) +
               glob.glob(os.path.join(SHARED, "testdata", "real", "keras", "*", "*.keras")))


@pytest.mark.skipif(not KERAS, reason=f"no Keras .h5/.keras files under {SHARED}/testdata/real/keras")
@pytest.mark.parametrize("path", KERAS, ids=[os.path.basename(p) for p in KERAS])
def test_keras_files(tmp_path, path):
    """Keras HDF5 and v3 files (frost has no committed ones: tests/import writes its own at test
    time); the real ones in ../shared, against the C result."""
    try:
        sess = frost.Session(path)
    except frost.Error as e:   # a weights-only .h5, or a layer frost reports as unsupported
        cli = cli_run.__globals__["CLI"]
        import subprocess
        done = subprocess.run([cli, "inspect", path], capture_output=True, text=True)
        assert done.returncode != 0, "Python failed to load a model the CLI loads: " + str(e)
        return
    rng = np.random.default_rng(3)
    feeds = {i.name: rng.random(tuple(1 if d is None else d for d in i.shape)).astype(i.dtype)
             for i in sess.inputs}
    got = run_all(sess, feeds)
    assert_same_as_cli(tmp_path, path, sess, feeds, got)

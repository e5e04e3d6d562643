"""set= fixes an input at load (frost_load_options.fixed_inputs, the CLI's --set): the input leaves
the session's inputs and the branch it selects is resolved. tests/data/tf/is_train.pb: out =
2 * relu(x @ I + b) when is_train is true, 3 * relu(x @ I + b) when false, b = [-0.5, 0.25]."""
import subprocess

import numpy as np
import pytest

import frost
from conftest import CLI, data

IS_TRAIN = data("tf", "is_train.pb")


def expected(x, factor):
    return factor * np.maximum(x + np.array([-0.5, 0.25], np.float32), 0)


@pytest.mark.parametrize("value,factor", [(False, 3), (0, 3), (0.0, 3), (True, 2), (1, 2)])
def test_set_fixes_a_branch(value, factor):
    sess = frost.Session(IS_TRAIN, set={"is_train": value})
    assert [i.name for i in sess.inputs] == ["x"]
    x = np.array([[1.0, -1.0], [0.25, 2.0]], np.float32)
    got = np.asarray(sess.run(None, {"x": x})[0])
    np.testing.assert_allclose(got, expected(x, factor), rtol=1e-6)


def test_set_matches_the_cli(tmp_path):
    x = np.random.default_rng(6).standard_normal((3, 2)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    done = subprocess.run([CLI, "run", IS_TRAIN, "--set", "is_train=false", "-i", f"x={tmp_path / 'x.npy'}",
                           "-o", f"out={tmp_path / 'out.npy'}"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    got = np.asarray(frost.Session(IS_TRAIN, set={"is_train": False}).run(None, {"x": x})[0])
    assert np.array_equal(got, np.load(tmp_path / "out.npy"))


def test_without_set_the_branches_stay():
    """Unfixed, is_train selects at run time: frost does not run Switch/Merge and says so."""
    with pytest.raises(frost.Unsupported, match="Switch"):
        frost.Session(IS_TRAIN)


def test_set_errors():
    with pytest.raises(frost.NotFound):
        frost.Session(data("tf", "mlp.pb"), set={"keep_prob": 1.0})
    with pytest.raises(frost.ShapeError):   # only inputs of one element can be fixed
        frost.Session(data("tf", "mlp.pb"), set={"x": 0.5})
    with pytest.raises(frost.InvalidArgument):
        frost.Session(data("tf", "mlp.pb"), set={"x": "one"})
    with pytest.raises(frost.InvalidArgument):
        frost.Session(data("tf", "mlp.pb"), set={1: 1.0})

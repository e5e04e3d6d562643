"""frost: run trained neural networks (TensorFlow .pb, ONNX, Keras, TensorFlow.js) from Python at
the speed of frost's C runtime.

    import frost, numpy as np
    sess = frost.Session("models/fashion/beginner.onnx")
    probs = sess.run(None, {"input": np.zeros((1, 784), np.float32)})[0]

Session(path_or_bytes, threads=1, outputs=None, set=None, precision="fp32") loads and plans a
model; sess.inputs / sess.outputs list its tensors (name, dtype, shape); sess.run(output_names,
{name: array}) returns a list of frost.Array (numpy.asarray(a) is a view, not a copy);
sess.run_into({output: array}, {name: array}) writes into the caller's arrays. frost.inspect(path)
is `frost inspect --json` as a dict. Every failure raises a frost.Error subclass. NumPy is optional:
inputs are any object with the buffer protocol. `python -m frost bench MODEL --data DIR` is the
founding benchmark from Python.
"""
from frost._frost import (  # noqa: F401
    Array,
    DtypeError,
    Error,
    FileError,
    FormatError,
    InternalError,
    InvalidArgument,
    LimitError,
    NotFound,
    OutOfMemory,
    Session,
    ShapeError,
    StateError,
    TensorInfo,
    Unsupported,
    __version__,
    inspect,
)

__all__ = [
    "Array", "DtypeError", "Error", "FileError", "FormatError", "InternalError", "InvalidArgument",
    "LimitError", "NotFound", "OutOfMemory", "Session", "ShapeError", "StateError", "TensorInfo",
    "Unsupported", "__version__", "inspect",
]

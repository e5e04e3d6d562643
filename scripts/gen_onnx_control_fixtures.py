#!/usr/bin/python3
"""gen_onnx_control_fixtures.py — writes the ONNX control-flow fixtures of tests/data/onnx/control/
with Debian's python3-onnx (onnx.helper), and their inputs as .npy. Their reference outputs come
from onnxruntime-node, not from here: run scripts/gen_onnx_refs.mjs afterwards.

    /usr/bin/python3 scripts/gen_onnx_control_fixtures.py && node scripts/gen_onnx_refs.mjs control

The models (deterministic: fixed seeds), as real exporters make them:
  if_nested.onnx  the Silero VAD pattern: a top-level If on a sample-rate input `sr`, whose then
                  branch reads outer-scope names (x, an outer initializer) and holds a nested If on
                  a shape ("squeeze if the batch is one", here: scale if the batch is one); the
                  else branch has its own initializer.
  if_shapes.onnx  an If whose else branch cannot run at the input's shape (a Reshape to [3, -1]
                  of 16 values): runs must take the then branch, and a run taking the other fails.
  if_data.onnx    the openWakeWord pattern: an If on a value computed from the input (a score
                  above 0.5), so only a run can choose.
  loop.onnx       a Loop of 3 iterations using its iteration number, with a scan output (frost
                  unrolls it); loop_fed.onnx the same with its trip count fed (refused by name).
  lstm_dynamic.onnx, gru_dynamic.onnx  recurrent layers whose sequence length is open
                  (frost steps through them at run time): a bidirectional LSTM with peepholes and
                  initial states, a GRU with linear_before_reset 0.
"""
import os

import numpy as np
from onnx import TensorProto, checker, helper, numpy_helper, save

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "onnx",
                   "control")
rng = np.random.default_rng(20260307)


def const(name, arr):
    return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(arr, name))


def f32(*shape, scale=0.5):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def write(name, graph, opset=13):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="frost gen_onnx_control_fixtures.py")
    model.ir_version = 7
    checker.check_model(model)
    save(model, os.path.join(OUT, name))


def if_nested():
    w1 = numpy_helper.from_array(f32(8, 4), "w1")
    # then: h = relu(x @ w1); if batch == 1: h * 2 else h + 1
    inner_then = helper.make_graph(
        [const("two", np.array(2, np.float32)), helper.make_node("Mul", ["h", "two"], ["h_scaled"])],
        "inner_then", [], [helper.make_tensor_value_info("h_scaled", TensorProto.FLOAT, None)])
    inner_else = helper.make_graph(
        [const("one", np.array(1, np.float32)), helper.make_node("Add", ["h", "one"], ["h_shifted"])],
        "inner_else", [], [helper.make_tensor_value_info("h_shifted", TensorProto.FLOAT, None)])
    then_g = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w1"], ["xw"]),
         helper.make_node("Relu", ["xw"], ["h"]),
         helper.make_node("Shape", ["x"], ["x_shape"]),
         const("zero", np.array(0, np.int64)),
         helper.make_node("Gather", ["x_shape", "zero"], ["batch"], axis=0),
         const("one_i", np.array(1, np.int64)),
         helper.make_node("Equal", ["batch", "one_i"], ["batch_is_one"]),
         helper.make_node("If", ["batch_is_one"], ["then_out"], then_branch=inner_then,
                          else_branch=inner_else)],
        "then_branch", [], [helper.make_tensor_value_info("then_out", TensorProto.FLOAT, None)])
    # else: (x @ w2) - 3, with w2 the branch's own initializer
    else_g = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w2"], ["xw2"]),
         const("three", np.array(3, np.float32)),
         helper.make_node("Sub", ["xw2", "three"], ["else_out"])],
        "else_branch", [], [helper.make_tensor_value_info("else_out", TensorProto.FLOAT, None)],
        initializer=[numpy_helper.from_array(f32(8, 4), "w2")])
    graph = helper.make_graph(
        [const("sr16k", np.array(16000, np.int64)),
         helper.make_node("Equal", ["sr", "sr16k"], ["is16k"]),
         helper.make_node("If", ["is16k"], ["branch_out"], then_branch=then_g, else_branch=else_g),
         helper.make_node("Sigmoid", ["branch_out"], ["y"])],
        "if_nested",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 8]),
         helper.make_tensor_value_info("sr", TensorProto.INT64, [])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 4])],
        initializer=[w1])
    write("if_nested.onnx", graph)
    np.save(os.path.join(OUT, "x1.npy"), f32(1, 8, scale=1.0))
    np.save(os.path.join(OUT, "x2.npy"), f32(2, 8, scale=1.0))
    np.save(os.path.join(OUT, "sr16k.npy"), np.array(16000, np.int64))
    np.save(os.path.join(OUT, "sr8k.npy"), np.array(8000, np.int64))


def if_shapes():
    # then: reshape to [4, -1]; else: reshape to [3, -1], which 16 values cannot take: a session
    # for x [1, 16] can only run the then branch (the else branch cannot be planned).
    then_g = helper.make_graph(
        [const("four", np.array([4, -1], np.int64)),
         helper.make_node("Reshape", ["x", "four"], ["by4"])], "then_branch", [],
        [helper.make_tensor_value_info("by4", TensorProto.FLOAT, None)])
    else_g = helper.make_graph(
        [const("three", np.array([3, -1], np.int64)),
         helper.make_node("Reshape", ["x", "three"], ["by3"])], "else_branch", [],
        [helper.make_tensor_value_info("by3", TensorProto.FLOAT, None)])
    graph = helper.make_graph(
        [const("sr16k", np.array(16000, np.int64)),
         helper.make_node("Equal", ["sr", "sr16k"], ["is16k"]),
         helper.make_node("If", ["is16k"], ["y"], then_branch=then_g, else_branch=else_g)],
        "if_shapes",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, "n"]),
         helper.make_tensor_value_info("sr", TensorProto.INT64, [])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["rows", "cols"])])
    write("if_shapes.onnx", graph)
    np.save(os.path.join(OUT, "x16.npy"), f32(1, 16, scale=1.0))


def if_data():
    then_g = helper.make_graph(
        [helper.make_node("Mul", ["x", "p"], ["scaled"])], "then_branch", [],
        [helper.make_tensor_value_info("scaled", TensorProto.FLOAT, None)])
    else_g = helper.make_graph(
        [helper.make_node("Neg", ["x"], ["negated"])], "else_branch", [],
        [helper.make_tensor_value_info("negated", TensorProto.FLOAT, None)])
    graph = helper.make_graph(
        [helper.make_node("ReduceMean", ["x"], ["m"], keepdims=0),
         helper.make_node("Sigmoid", ["m"], ["p"]),
         const("half", np.array(0.5, np.float32)),
         helper.make_node("Greater", ["p", "half"], ["above"]),
         helper.make_node("If", ["above"], ["y"], then_branch=then_g, else_branch=else_g)],
        "if_data", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])])
    write("if_data.onnx", graph)
    np.save(os.path.join(OUT, "pos.npy"), np.array([[0.5, 1.0, -0.25, 2.0]], np.float32))
    np.save(os.path.join(OUT, "neg.npy"), np.array([[-0.5, -1.0, 0.25, -2.0]], np.float32))


def loop():
    # acc starts at x; each of 3 iterations adds x * i (i the iteration number); the scan output
    # stacks acc after every iteration.
    body = helper.make_graph(
        [helper.make_node("Identity", ["cond_in"], ["cond_out"]),
         helper.make_node("Cast", ["i"], ["i_f"], to=TensorProto.FLOAT),
         helper.make_node("Mul", ["x", "i_f"], ["step"]),
         helper.make_node("Add", ["acc_in", "step"], ["acc_out"]),
         helper.make_node("Identity", ["acc_out"], ["acc_seen"])],
        "body",
        [helper.make_tensor_value_info("i", TensorProto.INT64, []),
         helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
         helper.make_tensor_value_info("acc_in", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
         helper.make_tensor_value_info("acc_out", TensorProto.FLOAT, [1, 4]),
         helper.make_tensor_value_info("acc_seen", TensorProto.FLOAT, [1, 4])])
    graph = helper.make_graph(
        [const("trips", np.array(3, np.int64)), const("go", np.array(True)),
         helper.make_node("Loop", ["trips", "go", "x"], ["y", "ys"], body=body)],
        "loop", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4]),
         helper.make_tensor_value_info("ys", TensorProto.FLOAT, [3, 1, 4])])
    write("loop.onnx", graph)
    # The same loop with its trip count fed at run time: frost refuses it by name.
    graph = helper.make_graph(
        [const("go", np.array(True)),
         helper.make_node("Loop", ["trips", "go", "x"], ["y", "ys"], body=body)],
        "loop_fed", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4]),
                     helper.make_tensor_value_info("trips", TensorProto.INT64, [])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4]),
         helper.make_tensor_value_info("ys", TensorProto.FLOAT, ["n", 1, 4])])
    write("loop_fed.onnx", graph)


def recurrent():
    hid, inp, batch, seq = 4, 3, 2, 5
    lstm = helper.make_graph(
        [helper.make_node("LSTM", ["x", "w", "r", "b", "", "h0", "c0", "p"], ["y", "y_h", "y_c"],
                          hidden_size=hid, direction="bidirectional")],
        "lstm_dynamic", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["seq", batch, inp])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["seq", 2, batch, hid]),
         helper.make_tensor_value_info("y_h", TensorProto.FLOAT, [2, batch, hid]),
         helper.make_tensor_value_info("y_c", TensorProto.FLOAT, [2, batch, hid])],
        initializer=[numpy_helper.from_array(f32(2, 4 * hid, inp), "w"),
                     numpy_helper.from_array(f32(2, 4 * hid, hid), "r"),
                     numpy_helper.from_array(f32(2, 8 * hid), "b"),
                     numpy_helper.from_array(f32(2, batch, hid), "h0"),
                     numpy_helper.from_array(f32(2, batch, hid), "c0"),
                     numpy_helper.from_array(f32(2, 3 * hid), "p")])
    write("lstm_dynamic.onnx", lstm)
    gru = helper.make_graph(
        [helper.make_node("GRU", ["x", "w", "r", "b"], ["y", "y_h"], hidden_size=hid,
                          direction="reverse")],
        "gru_dynamic", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["seq", batch, inp])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["seq", 1, batch, hid]),
         helper.make_tensor_value_info("y_h", TensorProto.FLOAT, [1, batch, hid])],
        initializer=[numpy_helper.from_array(f32(1, 3 * hid, inp), "w"),
                     numpy_helper.from_array(f32(1, 3 * hid, hid), "r"),
                     numpy_helper.from_array(f32(1, 6 * hid), "b")])
    write("gru_dynamic.onnx", gru)
    np.save(os.path.join(OUT, "seq.npy"), f32(seq, batch, inp, scale=1.0))


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    if_nested()
    if_shapes()
    if_data()
    loop()
    recurrent()
    print("wrote", sorted(os.listdir(OUT)))

#!/usr/bin/python3
"""gen_onnx_graph_fixtures.py — writes the fixtures of tests/data/onnx/graph/ (the graph passes and
op paths that the real-model suite's slow rows needed) with Debian's python3-onnx, and their inputs
as .npy. Reference outputs come from onnxruntime-node, not from here: run
scripts/gen_onnx_refs.mjs afterwards.

    /usr/bin/python3 scripts/gen_onnx_graph_fixtures.py && node scripts/gen_onnx_refs.mjs graph

The models (deterministic: fixed seeds):
  stft.onnx     an STFT front end as PyTorch exports it (openWakeWord's melspectrogram): audio
                [1, ?] unsqueezed to one channel, two strided Conv1d (kernel 64, stride 16,
                33 channels) reading it, each output unsqueezed and transposed to frames x bins,
                squared, added and multiplied by a filterbank; the layout pass must leave no
                transpose, and the convs read their overlapping windows in place (no im2col).
  dft.onnx      the same front end with a real windowed DFT basis (periodic Hann, 256-point frames,
                hop 64, bins 0..128, real part w cos and imaginary part -w sin as torch.stft's
                exporters write them): frost computes both convs as one real FFT (inspect reports
                it); fed 2000 samples (28 frames) and 600 (6 frames).
  conv1d.onnx   a Conv1d over 8 channels (kernel 9, stride 2, 40 outputs, bias) that reads in place the same way.
  pools.onnx    GlobalAveragePool and ReduceMax over H and W of NCHW maps of 40 channels after
                1x1 convs (both reductions run as pool windows in NHWC), and a squeeze-excitation
                product (x * HardSigmoid(...)).
  rnn_dynamic.onnx, gru_lbr_dynamic.onnx  recurrent layers whose sequence length is open (stepped
                at run time with packed weights): a bidirectional tanh RNN and a GRU with
                linear_before_reset 1, hidden size 20 (not a multiple of any vector width).
  clamps.onnx   a constant Max or Min after a conv's activation (openWakeWord's
                Max(LeakyRelu(conv), -0.4)), which the fuse pass folds into the conv, on each conv
                path: 1x3 im2col + GEMM, 1x1 GEMM, 3x3 over 16 channels (Winograd), one input
                channel (the narrow direct kernel), depthwise alone and before a 1x1 conv (fused
                depthwise + pointwise), Sigmoid then Max then Min, Relu then Min, Min then Max with no activation; constants as [], [1] and
                [1,1,1,1]. The convs' outputs reach -2 and below, where the leaky slope puts them
                under the floor: applying the Max before the activation gives other numbers.
  clamps_nofuse.onnx  the same pattern where it must not fold: a Max whose other operand is
                computed (not a constant), and a LeakyRelu output that a second op also reads.
"""
import os

import numpy as np
from onnx import TensorProto, checker, helper, numpy_helper, save

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "onnx",
                   "graph")
rng = np.random.default_rng(20261207)


def f32(*shape, scale=0.5):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def i64(*v):
    return np.array(v, np.int64)


def write(name, graph, opset=13):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="frost gen_onnx_graph_fixtures.py")
    model.ir_version = 7
    checker.check_model(model)
    save(model, os.path.join(OUT, name))


def stft():
    k, hop, bins = 64, 16, 33
    inits = [numpy_helper.from_array(f32(bins, 1, k), "w_re"),
             numpy_helper.from_array(f32(bins, 1, k), "w_im"),
             numpy_helper.from_array(np.abs(f32(bins, 8)), "fbank"),
             numpy_helper.from_array(i64(1), "ax1"),
             numpy_helper.from_array(np.array(2.0, np.float32), "two")]
    nodes = [
        helper.make_node("Unsqueeze", ["audio", "ax1"], ["a3"]),
        helper.make_node("Conv", ["a3", "w_re"], ["re"], kernel_shape=[k], strides=[hop]),
        helper.make_node("Conv", ["a3", "w_im"], ["im"], kernel_shape=[k], strides=[hop]),
        helper.make_node("Unsqueeze", ["re", "ax1"], ["re4"]),
        helper.make_node("Unsqueeze", ["im", "ax1"], ["im4"]),
        helper.make_node("Transpose", ["re4"], ["re_t"], perm=[0, 1, 3, 2]),
        helper.make_node("Transpose", ["im4"], ["im_t"], perm=[0, 1, 3, 2]),
        helper.make_node("Pow", ["re_t", "two"], ["re2"]),
        helper.make_node("Pow", ["im_t", "two"], ["im2"]),
        helper.make_node("Add", ["re2", "im2"], ["power"]),
        helper.make_node("MatMul", ["power", "fbank"], ["mel"]),
    ]
    g = helper.make_graph(
        nodes, "stft",
        [helper.make_tensor_value_info("audio", TensorProto.FLOAT, [1, "samples"])],
        [helper.make_tensor_value_info("mel", TensorProto.FLOAT, [1, 1, "frames", 8])],
        initializer=inits)
    write("stft.onnx", g)
    g = helper.make_graph(
        [helper.make_node("Conv", ["sig3", "w3", "b3"], ["feat"], kernel_shape=[9], strides=[2])],
        "conv1d", [helper.make_tensor_value_info("sig3", TensorProto.FLOAT, [1, 8, "len"])],
        [helper.make_tensor_value_info("feat", TensorProto.FLOAT, [1, 40, "out"])],
        initializer=[numpy_helper.from_array(f32(40, 8, 9), "w3"),
                     numpy_helper.from_array(f32(40), "b3")])
    write("conv1d.onnx", g)
    np.save(os.path.join(OUT, "audio.npy"), f32(1, 1000, scale=1.0))
    np.save(os.path.join(OUT, "sig3.npy"), f32(1, 8, 60, scale=1.0))


def dft():
    k, hop = 256, 64
    n = np.arange(k)
    f = np.arange(k // 2 + 1)[:, None]
    w = 0.5 - 0.5 * np.cos(2 * np.pi * n / k)
    re = (w * np.cos(2 * np.pi * f * n / k)).astype(np.float32)[:, None, :]
    im = (-w * np.sin(2 * np.pi * f * n / k)).astype(np.float32)[:, None, :]
    nodes = [
        helper.make_node("Unsqueeze", ["audio", "ax1"], ["a3"]),
        helper.make_node("Conv", ["a3", "w_re"], ["re"], kernel_shape=[k], strides=[hop]),
        helper.make_node("Conv", ["a3", "w_im"], ["im"], kernel_shape=[k], strides=[hop]),
        helper.make_node("Mul", ["re", "re"], ["re2"]),
        helper.make_node("Mul", ["im", "im"], ["im2"]),
        helper.make_node("Add", ["re2", "im2"], ["power"]),
    ]
    g = helper.make_graph(
        nodes, "dft", [helper.make_tensor_value_info("audio", TensorProto.FLOAT, [1, "samples"])],
        [helper.make_tensor_value_info("power", TensorProto.FLOAT, [1, k // 2 + 1, "frames"]),
         helper.make_tensor_value_info("im", TensorProto.FLOAT, [1, k // 2 + 1, "frames"])],
        initializer=[numpy_helper.from_array(re, "w_re"), numpy_helper.from_array(im, "w_im"),
                     numpy_helper.from_array(i64(1), "ax1")])
    write("dft.onnx", g)
    np.save(os.path.join(OUT, "audio2000.npy"), f32(1, 2000, scale=1.0))
    np.save(os.path.join(OUT, "audio600.npy"), f32(1, 600, scale=1.0))


def pools():
    c = 40
    inits = [numpy_helper.from_array(f32(c, c, 1, 1), "w"),
             numpy_helper.from_array(f32(c), "b"),
             numpy_helper.from_array(f32(c // 4, c, 1, 1), "w_se1"),
             numpy_helper.from_array(f32(c, c // 4, 1, 1), "w_se2")]
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["h"], kernel_shape=[1, 1]),
        helper.make_node("GlobalAveragePool", ["h"], ["gap"]),
        helper.make_node("Conv", ["x", "w"], ["h2"], kernel_shape=[1, 1]),
        helper.make_node("ReduceMax", ["h2"], ["gmax"], axes=[2, 3], keepdims=1),
        helper.make_node("Conv", ["gap", "w_se1"], ["s1"], kernel_shape=[1, 1]),
        helper.make_node("Relu", ["s1"], ["s1r"]),
        helper.make_node("Conv", ["s1r", "w_se2"], ["s2"], kernel_shape=[1, 1]),
        helper.make_node("HardSigmoid", ["s2"], ["gate"], alpha=0.2, beta=0.5),
        helper.make_node("Mul", ["h", "gate"], ["y"]),
    ]
    g = helper.make_graph(
        nodes, "pools", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c, 6, 10])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, c, 6, 10]),
         helper.make_tensor_value_info("gmax", TensorProto.FLOAT, [1, c, 1, 1])],
        initializer=inits)
    write("pools.onnx", g)
    np.save(os.path.join(OUT, "map.npy"), f32(1, c, 6, 10, scale=1.0))


def recurrent():
    hid, inp, batch, seq = 20, 7, 2, 4
    rnn = helper.make_graph(
        [helper.make_node("RNN", ["x", "w", "r", "b", "", "h0"], ["y", "y_h"], hidden_size=hid,
                          direction="bidirectional")],
        "rnn_dynamic", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["seq", batch, inp])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["seq", 2, batch, hid]),
         helper.make_tensor_value_info("y_h", TensorProto.FLOAT, [2, batch, hid])],
        initializer=[numpy_helper.from_array(f32(2, hid, inp), "w"),
                     numpy_helper.from_array(f32(2, hid, hid, scale=0.2), "r"),
                     numpy_helper.from_array(f32(2, 2 * hid), "b"),
                     numpy_helper.from_array(f32(2, batch, hid), "h0")])
    write("rnn_dynamic.onnx", rnn)
    gru = helper.make_graph(
        [helper.make_node("GRU", ["x", "w", "r", "b"], ["y", "y_h"], hidden_size=hid,
                          linear_before_reset=1)],
        "gru_lbr_dynamic",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["seq", batch, inp])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["seq", 1, batch, hid]),
         helper.make_tensor_value_info("y_h", TensorProto.FLOAT, [1, batch, hid])],
        initializer=[numpy_helper.from_array(f32(1, 3 * hid, inp), "w"),
                     numpy_helper.from_array(f32(1, 3 * hid, hid, scale=0.2), "r"),
                     numpy_helper.from_array(f32(1, 6 * hid), "b")])
    write("gru_lbr_dynamic.onnx", gru)
    np.save(os.path.join(OUT, "seq.npy"), f32(seq, batch, inp, scale=1.0))


def clamps():
    c = 16
    def scalar(name, v, shape):
        return numpy_helper.from_array(np.full(shape, v, np.float32), name)
    inits = [numpy_helper.from_array(f32(40, c, 1, 3, scale=1.0), "w13"),
             numpy_helper.from_array(f32(40, scale=0.3), "b13"),
             numpy_helper.from_array(f32(20, c, 1, 1, scale=1.0), "w11"),
             numpy_helper.from_array(f32(c, c, 3, 3, scale=0.6), "w33"),
             numpy_helper.from_array(f32(24, 1, 3, 3, scale=1.5), "w_narrow"),
             numpy_helper.from_array(f32(c, 1, 3, 3, scale=1.5), "w_dw"),
             numpy_helper.from_array(f32(c), "b_dw"),
             numpy_helper.from_array(f32(c, 1, 3, 3, scale=1.5), "w_dw2"),
             numpy_helper.from_array(f32(32, c, 1, 1, scale=1.0), "w_pw"),
             numpy_helper.from_array(f32(c, c, 1, 3, scale=1.0), "w_sig"),
             scalar("floor4", -0.4, [1, 1, 1, 1]), scalar("floor3", -0.3, []),
             scalar("floor5", -0.5, [1]), scalar("ceil15", 1.5, []),
             scalar("lo03", 0.3, [1, 1, 1, 1]), scalar("hi06", 0.6, []),
             scalar("hi2", 2.0, [1]), scalar("lo_m1", -1.0, [])]
    N = helper.make_node
    nodes = [
        # 1x3 to 40 channels (im2col + GEMM): Max(LeakyRelu(conv + b), -0.4), as openWakeWord
        N("Conv", ["x", "w13", "b13"], ["a1"], kernel_shape=[1, 3], pads=[0, 1, 0, 1]),
        N("LeakyRelu", ["a1"], ["a2"], alpha=0.2),
        N("Max", ["a2", "floor4"], ["y_gemm"]),
        # 1x1: Min(Relu(conv), 1.5): a CLIP
        N("Conv", ["x", "w11"], ["p1"], kernel_shape=[1, 1]),
        N("Relu", ["p1"], ["p2"]),
        N("Min", ["ceil15", "p2"], ["y_relu_min"]),
        # 3x3 over 16 channels (Winograd on AVX-512 CPUs), the constant first
        N("Conv", ["x", "w33"], ["w1"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        N("LeakyRelu", ["w1"], ["w2"], alpha=0.1),
        N("Max", ["floor3", "w2"], ["y_wino"]),
        # one input channel, 24 outputs (the narrow direct kernel)
        N("Conv", ["m", "w_narrow"], ["n1"], kernel_shape=[3, 3]),
        N("LeakyRelu", ["n1"], ["n2"], alpha=0.2),
        N("Max", ["n2", "floor5"], ["y_narrow"]),
        # depthwise alone (its output is a graph output: no pointwise fusion)
        N("Conv", ["x", "w_dw", "b_dw"], ["d1"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], group=c),
        N("LeakyRelu", ["d1"], ["d2"], alpha=0.2),
        N("Max", ["d2", "floor4"], ["y_dw"]),
        # depthwise then 1x1, both floored (fused depthwise + pointwise)
        N("Conv", ["x", "w_dw2"], ["e1"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1],
          group=c),
        N("LeakyRelu", ["e1"], ["e2"], alpha=0.2),
        N("Max", ["e2", "floor4"], ["e3"]),
        N("Conv", ["e3", "w_pw"], ["e4"], kernel_shape=[1, 1]),
        N("LeakyRelu", ["e4"], ["e5"], alpha=0.2),
        N("Max", ["e5", "floor3"], ["y_dwpw"]),
        # Min(Max(Sigmoid(conv), 0.3), 0.6)
        N("Conv", ["x", "w_sig"], ["s1"], kernel_shape=[1, 3], pads=[0, 1, 0, 1]),
        N("Sigmoid", ["s1"], ["s2"]),
        N("Max", ["s2", "lo03"], ["s3"]),
        N("Min", ["s3", "hi06"], ["y_sig"]),
        # no activation: Max(Min(conv, 2), -1)
        N("Conv", ["x", "w11"], ["q1"], kernel_shape=[1, 1]),
        N("Min", ["q1", "hi2"], ["q2"]),
        N("Max", ["q2", "lo_m1"], ["y_bare"]),
    ]
    outs = [("y_gemm", 40, 12, 10), ("y_relu_min", 20, 12, 10), ("y_wino", c, 12, 10),
            ("y_narrow", 24, 10, 8), ("y_dw", c, 12, 10), ("y_dwpw", 32, 6, 5),
("y_sig", c, 12, 10), ("y_bare", 20, 12, 10)]
    g = helper.make_graph(
        nodes, "clamps",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c, 12, 10]),
         helper.make_tensor_value_info("m", TensorProto.FLOAT, [1, 1, 12, 10])],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, [1, ch, h, w]) for n, ch, h, w in outs],
        initializer=inits)
    write("clamps.onnx", g)
    # Must not fold: Max(LeakyRelu(conv), t) with t computed from the input; LeakyRelu(conv) read
    # by the Max and by an Add.
    nodes = [
        N("Conv", ["x", "w11"], ["u1"], kernel_shape=[1, 1]),
        N("LeakyRelu", ["u1"], ["u2"], alpha=0.2),
        N("ReduceMin", ["u2"], ["t"], axes=[1, 2, 3], keepdims=1),
        N("Mul", ["t", "half"], ["t2"]),
        N("Max", ["u2", "t2"], ["y_var"]),
        N("Conv", ["x", "w11"], ["v1"], kernel_shape=[1, 1]),
        N("LeakyRelu", ["v1"], ["v2"], alpha=0.2),
        N("Max", ["v2", "floor4"], ["v3"]),
        N("Add", ["v3", "v2"], ["y_twice"]),
    ]
    g = helper.make_graph(
        nodes, "clamps_nofuse",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c, 12, 10])],
        [helper.make_tensor_value_info("y_var", TensorProto.FLOAT, [1, 20, 12, 10]),
         helper.make_tensor_value_info("y_twice", TensorProto.FLOAT, [1, 20, 12, 10])],
        initializer=[inits[2], scalar("floor4", -0.4, [1, 1, 1, 1]), scalar("half", 0.5, [])])
    write("clamps_nofuse.onnx", g)
    np.save(os.path.join(OUT, "clamp_x.npy"), f32(1, c, 12, 10, scale=1.0))
    np.save(os.path.join(OUT, "clamp_m.npy"), f32(1, 1, 12, 10, scale=1.0))


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    stft()
    dft()
    pools()
    recurrent()
    clamps()
    print("wrote", sorted(os.listdir(OUT)))

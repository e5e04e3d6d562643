#!/usr/bin/python3
"""gen_onnx_fixtures.py — builds small PyTorch models, exports them to ONNX with torch.onnx.export at
several opsets, and saves a reference input and PyTorch's output as .npy next to each model, under
tests/data/onnx/. The C tests (tests/import/test_onnx_*.c) load the .onnx files through frost and
compare with these outputs.

Needs Debian's python3-torch (optional: only to regenerate; the results are committed). Run with
Debian's interpreter, /usr/bin/python3, since that is where python3-torch installs:

    /usr/bin/python3 scripts/gen_onnx_fixtures.py

Deterministic (fixed seeds); keep the models tiny so the folder stays well under 2 MB.
"""
import io
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "onnx")


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(16, 32)
        self.fc2 = nn.Linear(32, 24)
        self.fc3 = nn.Linear(24, 10)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = torch.tanh(self.fc2(x))
        return F.softmax(self.fc3(x), dim=1)


class CNN(nn.Module):
    """Conv+BN+ReLU, max pool, strided conv, depthwise and grouped convs, a residual add, a concat,
    global average pooling, flatten and a linear classifier."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3, stride=2, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(16)
        self.dw = nn.Conv2d(16, 16, 3, padding=1, groups=16)
        self.grouped = nn.Conv2d(16, 16, 1, groups=4)
        self.branch = nn.Conv2d(16, 8, 1)
        self.fc = nn.Linear(24, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.max_pool2d(x, 2)
        x = F.relu(self.bn2(self.conv2(x)))
        y = F.relu6(self.dw(x))
        y = self.grouped(y)
        x = x + y
        z = torch.sigmoid(self.branch(x))
        x = torch.cat([x, z], dim=1)
        x = F.adaptive_avg_pool2d(x, 1)
        x = torch.flatten(x, 1)
        return self.fc(x)


class Pools(nn.Module):
    """Average pooling with ceil_mode and count_include_pad, a 1-D conv, nearest upsampling,
    a transposed conv, LeakyReLU, ELU, hard swish and a channel-wise PReLU."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 6, 3, dilation=2, padding=2)
        self.prelu = nn.PReLU(6)
        self.deconv = nn.ConvTranspose2d(6, 4, 3, stride=2, padding=1, output_padding=1)
        self.conv1d = nn.Conv1d(4, 5, 3, padding=1)

    def forward(self, x):
        a = F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
        b = F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=True)
        y = self.prelu(self.conv(a)) + b.mean(dim=(1, 2, 3), keepdim=True)
        y = F.leaky_relu(y, 0.1) + F.elu(y) + F.hardswish(y)
        y = self.deconv(y)
        y = F.interpolate(y, scale_factor=2, mode="nearest")
        n, c, h, w = y.shape
        s = self.conv1d(y.reshape(n, c, h * w))
        return torch.flatten(s, 1)


class Block(nn.Module):
    """A transformer-style block: LayerNorm, exact GELU (Erf), attention scores by Einsum, a
    softmax over the last axis, matmul, an Einsum reduction, reduce mean, clip."""

    def __init__(self):
        super().__init__()
        self.ln = nn.LayerNorm(12)
        self.q = nn.Linear(12, 12)
        self.k = nn.Linear(12, 12)
        self.ff = nn.Linear(12, 12)

    def forward(self, x):
        h = self.ln(x)
        att = torch.softmax(torch.einsum("bid,bjd->bij", self.q(h), self.k(h)) / 3.0, dim=-1)
        h = att @ h + torch.einsum("bij->bj", h).unsqueeze(1) * 0.01
        h = F.gelu(self.ff(h)) + x
        return torch.clamp(h.mean(dim=1), -1.0, 1.0)


class Layout(nn.Module):
    """Ops the layout pass moves transposes through: explicit Pad, a per-channel constant scale and
    a scalar bias, a channel reduction kept as a dim, a spatial mean without keepdim, instance norm,
    a 1x1 conv branch concatenated on channels."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 3)
        self.conv2 = nn.Conv2d(6, 6, 3, stride=2)
        self.inorm = nn.InstanceNorm2d(6, affine=True)
        self.side = nn.Conv2d(6, 4, 1)
        self.scale = nn.Parameter(torch.linspace(0.5, 1.5, 6).reshape(6, 1, 1))
        self.fc = nn.Linear(9, 5)

    def forward(self, x):
        x = F.pad(torch.relu(self.conv1(x)), (1, 2, 0, 1))
        x = self.conv2(x) * self.scale + 0.25
        x = self.inorm(x)
        x = torch.cat([x, torch.sigmoid(self.side(x))], dim=1)
        x = x - x.mean(dim=1, keepdim=True)
        x = torch.abs(x).mean(dim=(2, 3))
        return self.fc(x[:, :9])


class Seq(nn.Module):
    """A bidirectional LSTM then a GRU (PyTorch's GRU is ONNX's linear_before_reset=1) and a
    classifier on the last step: unrolled by the importer."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(8, 16, bidirectional=True)
        self.gru = nn.GRU(32, 12)
        self.fc = nn.Linear(12, 4)

    def forward(self, x):
        y, _ = self.lstm(x)
        y, h = self.gru(y)
        return self.fc(y[-1]) + self.fc(h[0])


def export(model, name, x, opsets, dynamic_batch=False):
    model.eval()
    with torch.no_grad():
        y = model(x)
    np.save(os.path.join(OUT, f"{name}_input.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(OUT, f"{name}_output.npy"), y.numpy().astype(np.float32))
    for opset in opsets:
        f = io.BytesIO()
        kw = {}
        if dynamic_batch:
            kw["dynamic_axes"] = {"input": {0: "batch"}, "output": {0: "batch"}}
        torch.onnx.export(model, x, f, opset_version=opset, input_names=["input"],
                          output_names=["output"], do_constant_folding=True, **kw)
        path = os.path.join(OUT, f"{name}_op{opset}.onnx")
        with open(path, "wb") as out:
            out.write(f.getvalue())
        print(f"{path}: {len(f.getvalue())} bytes")


def randomize_bn(model):
    """Give BatchNorm layers non-trivial running statistics, as a trained model has."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    mlp = MLP()
    export(mlp, "mlp", torch.randn(3, 16), [7, 9, 11, 13])
    export(mlp, "mlp_dynamic", torch.randn(2, 16), [13], dynamic_batch=True)

    torch.manual_seed(1)
    cnn = CNN()
    randomize_bn(cnn)
    export(cnn, "cnn", torch.randn(1, 3, 16, 16), [7, 9, 11, 13])
    export(cnn, "cnn_dynamic", torch.randn(2, 3, 16, 16), [13], dynamic_batch=True)

    torch.manual_seed(2)
    export(Pools(), "pools", torch.randn(1, 4, 10, 10), [9, 10, 11, 13])

    torch.manual_seed(5)
    export(Seq(), "seq", torch.randn(5, 2, 8), [11, 14])

    torch.manual_seed(4)
    export(Layout(), "layout", torch.randn(1, 3, 15, 14), [11, 13])

    torch.manual_seed(3)
    export(Block(), "block", torch.randn(2, 5, 12), [13, 17])
    return 0


if __name__ == "__main__":
    sys.exit(main())

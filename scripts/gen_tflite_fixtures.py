#!/usr/bin/python3
"""gen_tflite_fixtures.py — writes the small .tflite models frost's TFLite tests load, with Debian's
python3-flatbuffers (the FlatBuffers runtime; no TensorFlow), field by field after the published
TFLite schema.fbs (field numbers in SCHEMA below). Also dumps any .tflite file in a canonical text
form, the oracle frost's own FlatBuffers reader is compared with (tests/import/tflite_dump.c).

usage:
  /usr/bin/python3 scripts/gen_tflite_fixtures.py write tests/data/tflite
  /usr/bin/python3 scripts/gen_tflite_fixtures.py dump FILE.tflite
  /usr/bin/python3 scripts/gen_tflite_fixtures.py float-twin QUANT.tflite OUT.tflite
      the float model of the same network: every quantized constant dequantized, every tensor
      float32, the same operators (for int8-vs-float speed comparisons; never committed)

`write` makes, per fixture, NAME.tflite and NAME.in0.npy ... (deterministic inputs); the reference
outputs come from TFLite itself: scripts/tflite_reference.mjs runs each model with LiteRT
(@litertjs/core) and writes NAME.ref.json + NAME.out*.npy.
"""
import json
import os
import struct
import sys
import zlib

import flatbuffers
import numpy as np
from flatbuffers import table as fbtable

# ---- Schema facts: field slots (declaration order) and enum values of TFLite's schema.fbs ------
MODEL = dict(version=0, operator_codes=1, subgraphs=2, description=3, buffers=4, signature_defs=7)
OPCODE = dict(deprecated_builtin_code=0, custom_code=1, version=2, builtin_code=3)
SUBGRAPH = dict(tensors=0, inputs=1, outputs=2, operators=3, name=4)
TENSOR = dict(shape=0, type=1, buffer=2, name=3, quantization=4, sparsity=6, shape_signature=7)
QUANT = dict(scale=2, zero_point=3, quantized_dimension=6)
OPERATOR = dict(opcode_index=0, inputs=1, outputs=2, builtin_options_type=3, builtin_options=4,
                custom_options=5)
BUFFER = dict(data=0, offset=1, size=2)
SIGNATURE = dict(inputs=0, outputs=1, signature_key=2, subgraph_index=4)
TENSORMAP = dict(name=0, tensor_index=1)

T = dict(FLOAT32=0, FLOAT16=1, INT32=2, UINT8=3, INT64=4, BOOL=6, INT16=7, INT8=9)
NP = {0: np.float32, 1: np.float16, 2: np.int32, 3: np.uint8, 4: np.int64, 6: np.bool_, 7: np.int16,
      9: np.int8}
OP = dict(ADD=0, AVERAGE_POOL_2D=1, CONCATENATION=2, CONV_2D=3, DEPTHWISE_CONV_2D=4,
          DEPTH_TO_SPACE=5, DEQUANTIZE=6, FULLY_CONNECTED=9, LOGISTIC=14, MAX_POOL_2D=17, MUL=18,
          RELU=19, RESHAPE=22, RESIZE_BILINEAR=23, SOFTMAX=25, SVDF=27, TANH=28, CUSTOM=32, PAD=34,
          GATHER=36, BATCH_TO_SPACE_ND=37, SPACE_TO_BATCH_ND=38, TRANSPOSE=39, MEAN=40, SUB=41, SQUEEZE=43, UNIDIRECTIONAL_SEQUENCE_LSTM=44,
          STRIDED_SLICE=45, SPLIT=49, PRELU=54, TRANSPOSE_CONV=67, RESIZE_NEAREST_NEIGHBOR=97,
          LEAKY_RELU=98, QUANTIZE=114, HARD_SWISH=117, GREATER=61, IF=118, DENSIFY=124)
# BuiltinOptions union types and the slots of their fields
OPT = dict(Conv2D=(1, dict(padding=0, stride_w=1, stride_h=2, act=3, dilation_w=4, dilation_h=5)),
           Depthwise=(2, dict(padding=0, stride_w=1, stride_h=2, depth_multiplier=3, act=4,
                              dilation_w=5, dilation_h=6)),
           Pool2D=(5, dict(padding=0, stride_w=1, stride_h=2, filter_w=3, filter_h=4, act=5)),
           FullyConnected=(8, dict(act=0, weights_format=1, keep_num_dims=2)),
           Softmax=(9, dict(beta=0)), Concatenation=(10, dict(axis=0, act=1)),
           Add=(11, dict(act=0)), ResizeBilinear=(15, dict(align_corners=2, half_pixel_centers=3)),
           Reshape=(17, dict()), Mul=(21, dict(act=0)), Pad=(22, dict()), Gather=(23, dict(axis=0)),
           BatchToSpaceND=(24, dict()), SpaceToBatchND=(25, dict()),
           Transpose=(26, dict()), Reducer=(27, dict(keep_dims=0)), Sub=(28, dict(act=0)),
           Squeeze=(30, dict(squeeze_dims=1000)),
           StridedSlice=(32, dict(begin_mask=0, end_mask=1, ellipsis_mask=2, new_axis_mask=3,
                                  shrink_axis_mask=4)),
           Split=(35, dict(num_splits=0)), TransposeConv=(49, dict(padding=0, stride_w=1, stride_h=2, act=3)),
           ResizeNearest=(74, dict(align_corners=0, half_pixel_centers=1)),
           LeakyRelu=(75, dict(alpha=0)), DepthToSpace=(94, dict(block_size=0)),
           If=(92, dict(then_subgraph=0, else_subgraph=1)))
ACT = dict(NONE=0, RELU=1, RELU_N1_TO_1=2, RELU6=3, TANH=4)
FLOAT_FIELDS = {'beta', 'alpha'}
BOOL_FIELDS = {'keep_num_dims', 'keep_dims', 'align_corners', 'half_pixel_centers'}
BYTE_FIELDS = {'padding', 'act', 'weights_format'}


class Model:
    """Collects buffers, tensors and operators of one subgraph, then serializes them."""

    def __init__(self, description='frost test fixture', parent=None):
        # A branch subgraph (IF) shares its parent's buffers and operator codes.
        self.buffers = parent.buffers if parent else [b'']
        self.opcodes = parent.opcodes if parent else []
        self.subgraphs = []  # further subgraphs after this one (the main model only)
        self.tensors = []
        self.ops = []
        self.inputs, self.outputs = [], []
        self.signature = None
        self.description = description
        self.external = False  # buffers stored after the FlatBuffer (offset/size)

    def buffer(self, data):
        self.buffers.append(bytes(data))
        return len(self.buffers) - 1

    def tensor(self, name, ttype, shape, data=None, q=None, signature=None, sparsity=None):
        buf = 0
        if data is not None:
            arr = np.asarray(data, dtype=NP[ttype])
            buf = self.buffer((arr if sparsity else arr.reshape(shape)).tobytes())
        self.tensors.append(dict(name=name, type=ttype, shape=list(shape), buffer=buf, q=q,
                                 signature=signature, sparsity=sparsity))
        return len(self.tensors) - 1

    def _sparsity(self, b, sp):
        """SparsityParameters: traversal_order, block_map, dim_metadata; each level is
        ('dense', size) or ('csr', segments, indices) with Int32Vector indices."""
        dms = []
        for level in sp['levels']:
            if level[0] == 'dense':
                b.StartObject(6)
                b.PrependInt8Slot(0, 0, -1)
                b.PrependInt32Slot(1, level[1], -1)
                dms.append(b.EndObject())
                continue
            vecs = []
            for vals in level[1:]:
                v = self._ivec(b, vals)
                b.StartObject(1)
                b.PrependUOffsetTRelativeSlot(0, v, 0)
                vecs.append(b.EndObject())
            b.StartObject(6)
            b.PrependInt8Slot(0, 1, -1)
            b.PrependUint8Slot(2, 1, 0)
            b.PrependUOffsetTRelativeSlot(3, vecs[0], 0)
            b.PrependUint8Slot(4, 1, 0)
            b.PrependUOffsetTRelativeSlot(5, vecs[1], 0)
            dms.append(b.EndObject())
        tv = self._ivec(b, sp['traversal'])
        bm = self._ivec(b, sp.get('block_map', []))
        dv = self._offvec(b, dms)
        b.StartObject(3)
        b.PrependUOffsetTRelativeSlot(0, tv, 0)
        b.PrependUOffsetTRelativeSlot(1, bm, 0)
        b.PrependUOffsetTRelativeSlot(2, dv, 0)
        return b.EndObject()

    def op(self, code, inputs, outputs, opt=None, custom=None, version=1):
        key = (code, custom, version)
        if key not in self.opcodes:
            self.opcodes.append(key)
        self.ops.append(dict(opcode=self.opcodes.index(key), inputs=inputs, outputs=outputs,
                             opt=opt))

    # ---- serialization ----------------------------------------------------------------------
    def _ivec(self, b, vals, kind='i32'):
        size = {'i32': 4, 'i64': 8, 'f32': 4, 'u8': 1}[kind]
        b.StartVector(size, len(vals), size)
        for v in reversed(vals):
            {'i32': b.PrependInt32, 'i64': b.PrependInt64, 'f32': b.PrependFloat32,
             'u8': b.PrependUint8}[kind](v)
        return b.EndVector()

    def _offvec(self, b, offs):
        b.StartVector(4, len(offs), 4)
        for o in reversed(offs):
            b.PrependUOffsetTRelative(o)
        return b.EndVector()

    def _options(self, b, opt):
        name, fields = opt
        utype, slots = OPT[name]
        vec = None
        if 'squeeze_dims' in fields:
            vec = self._ivec(b, fields['squeeze_dims'])
        b.StartObject(8)
        for k, v in fields.items():
            s = slots[k]
            if k == 'squeeze_dims':
                b.PrependUOffsetTRelativeSlot(0, vec, 0)
            elif k in FLOAT_FIELDS:
                b.PrependFloat32Slot(s, v, 0.0)
            elif k in BOOL_FIELDS:
                b.PrependBoolSlot(s, v, False)
            elif k in BYTE_FIELDS:
                b.PrependInt8Slot(s, v, -99)
            else:
                b.PrependInt32Slot(s, v, -99999)
        return utype, b.EndObject()

    def _quant(self, b, q):
        scale = self._ivec(b, list(np.atleast_1d(q['scale']).astype(np.float32)), 'f32')
        zp = self._ivec(b, [int(z) for z in np.atleast_1d(q['zero_point'])], 'i64')
        b.StartObject(7)
        b.PrependUOffsetTRelativeSlot(QUANT['scale'], scale, 0)
        b.PrependUOffsetTRelativeSlot(QUANT['zero_point'], zp, 0)
        b.PrependInt32Slot(QUANT['quantized_dimension'], q.get('axis', 0), -1)
        return b.EndObject()

    def _subgraph(self, b, m, sg_name):
        toffs = []
        for t in m.tensors:
            name = b.CreateString(t['name'])
            shape = self._ivec(b, t['shape'])
            sig = self._ivec(b, t['signature']) if t['signature'] is not None else None
            qo = self._quant(b, t['q']) if t['q'] else None
            spo = self._sparsity(b, t['sparsity']) if t.get('sparsity') else None
            b.StartObject(11)
            b.PrependUOffsetTRelativeSlot(TENSOR['shape'], shape, 0)
            b.PrependInt8Slot(TENSOR['type'], t['type'], -1)
            b.PrependUint32Slot(TENSOR['buffer'], t['buffer'], 0)
            b.PrependUOffsetTRelativeSlot(TENSOR['name'], name, 0)
            if qo is not None:
                b.PrependUOffsetTRelativeSlot(TENSOR['quantization'], qo, 0)
            if sig is not None:
                b.PrependUOffsetTRelativeSlot(TENSOR['shape_signature'], sig, 0)
            if spo is not None:
                b.PrependUOffsetTRelativeSlot(TENSOR['sparsity'], spo, 0)
            toffs.append(b.EndObject())
        ooffs = []
        for o in m.ops:
            ins = self._ivec(b, o['inputs'])
            outs = self._ivec(b, o['outputs'])
            utype, opt = self._options(b, o['opt']) if o['opt'] else (0, None)
            b.StartObject(13)
            b.PrependUint32Slot(OPERATOR['opcode_index'], o['opcode'], 99999)
            b.PrependUOffsetTRelativeSlot(OPERATOR['inputs'], ins, 0)
            b.PrependUOffsetTRelativeSlot(OPERATOR['outputs'], outs, 0)
            if opt is not None:
                b.PrependUint8Slot(OPERATOR['builtin_options_type'], utype, 0)
                b.PrependUOffsetTRelativeSlot(OPERATOR['builtin_options'], opt, 0)
            ooffs.append(b.EndObject())
        tv, iv, ov, opv = (self._offvec(b, toffs), self._ivec(b, m.inputs),
                           self._ivec(b, m.outputs), self._offvec(b, ooffs))
        sgname = b.CreateString(sg_name)
        b.StartObject(5)
        b.PrependUOffsetTRelativeSlot(SUBGRAPH['tensors'], tv, 0)
        b.PrependUOffsetTRelativeSlot(SUBGRAPH['inputs'], iv, 0)
        b.PrependUOffsetTRelativeSlot(SUBGRAPH['outputs'], ov, 0)
        b.PrependUOffsetTRelativeSlot(SUBGRAPH['operators'], opv, 0)
        b.PrependUOffsetTRelativeSlot(SUBGRAPH['name'], sgname, 0)
        return b.EndObject()

    def serialize(self):
        b = flatbuffers.Builder(1024)
        tail = bytearray()
        # buffers
        boffs = []
        for i, data in enumerate(self.buffers):
            if self.external and data:
                b.StartObject(3)
                b.PrependUint64Slot(BUFFER['offset'], 0xFFFF0000 + i, 0)  # patched below
                b.PrependUint64Slot(BUFFER['size'], len(data), 0)
                boffs.append(b.EndObject())
                continue
            dv = None
            if data:
                b.StartVector(1, len(data), 16)
                b.head = b.head - len(data)
                b.Bytes[b.head:b.head + len(data)] = data
                dv = b.EndVector()
            b.StartObject(3)
            if dv is not None:
                b.PrependUOffsetTRelativeSlot(BUFFER['data'], dv, 0)
            boffs.append(b.EndObject())
        sgs = [self._subgraph(b, m, 'main' if i == 0 else 'branch%d' % i)
               for i, m in enumerate([self] + self.subgraphs)]
        codes = []
        for code, custom, version in self.opcodes:
            cs = b.CreateString(custom) if custom else None
            b.StartObject(4)
            b.PrependInt8Slot(OPCODE['deprecated_builtin_code'], min(code, 127), 0)
            if cs is not None:
                b.PrependUOffsetTRelativeSlot(OPCODE['custom_code'], cs, 0)
            b.PrependInt32Slot(OPCODE['version'], version, 1)
            b.PrependInt32Slot(OPCODE['builtin_code'], code, 0)
            codes.append(b.EndObject())
        sigv = None
        if self.signature:
            maps = []
            for io in ('inputs', 'outputs'):
                offs = []
                for key, ti in self.signature[io]:
                    k = b.CreateString(key)
                    b.StartObject(2)
                    b.PrependUOffsetTRelativeSlot(TENSORMAP['name'], k, 0)
                    b.PrependUint32Slot(TENSORMAP['tensor_index'], ti, 99999)
                    offs.append(b.EndObject())
                maps.append(self._offvec(b, offs))
            key = b.CreateString('serving_default')
            b.StartObject(5)
            b.PrependUOffsetTRelativeSlot(SIGNATURE['inputs'], maps[0], 0)
            b.PrependUOffsetTRelativeSlot(SIGNATURE['outputs'], maps[1], 0)
            b.PrependUOffsetTRelativeSlot(SIGNATURE['signature_key'], key, 0)
            b.PrependUint32Slot(SIGNATURE['subgraph_index'], 0, 99999)
            sigv = self._offvec(b, [b.EndObject()])
        desc = b.CreateString(self.description)
        cv, sv, bv = self._offvec(b, codes), self._offvec(b, sgs), self._offvec(b, boffs)
        b.StartObject(8)
        b.PrependUint32Slot(MODEL['version'], 3, 0)
        b.PrependUOffsetTRelativeSlot(MODEL['operator_codes'], cv, 0)
        b.PrependUOffsetTRelativeSlot(MODEL['subgraphs'], sv, 0)
        b.PrependUOffsetTRelativeSlot(MODEL['description'], desc, 0)
        b.PrependUOffsetTRelativeSlot(MODEL['buffers'], bv, 0)
        if sigv is not None:
            b.PrependUOffsetTRelativeSlot(MODEL['signature_defs'], sigv, 0)
        b.Finish(b.EndObject(), file_identifier=b'TFL3')
        out = bytearray(b.Output())
        if self.external:
            # Append each buffer 16-aligned after the FlatBuffer and patch its placeholder offset.
            for i, data in enumerate(self.buffers):
                if not data:
                    continue
                while len(out) % 16:
                    out.append(0)
                at = len(out)
                out += data
                ph = struct.pack('<Q', 0xFFFF0000 + i)
                k = out.find(ph)
                assert 0 <= k < at
                out[k:k + 8] = struct.pack('<Q', at)
        return bytes(out)


# ---- Fixtures ----------------------------------------------------------------------------------
rng = np.random.default_rng(20240607)


def rnd(*shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, size=shape).astype(np.float32)


def qparams(scale, zp, axis=0):
    return dict(scale=scale, zero_point=zp, axis=axis)


def f32(m, name, shape, data=None, signature=None):
    return m.tensor(name, T['FLOAT32'], shape, data, signature=signature)


def i32(m, name, vals):
    return m.tensor(name, T['INT32'], [len(vals)], vals)


def fx_conv_float():
    m = Model()
    x = f32(m, 'input', [1, 9, 9, 3])
    w = f32(m, 'conv/filter', [4, 3, 3, 3], rnd(4, 3, 3, 3))
    b = f32(m, 'conv/bias', [4], rnd(4))
    y = f32(m, 'conv/relu6', [1, 5, 5, 4])
    m.op(OP['CONV_2D'], [x, w, b], [y], ('Conv2D', dict(padding=0, stride_w=2, stride_h=2, act=ACT['RELU6'],
                                                        dilation_w=1, dilation_h=1)))
    w2 = f32(m, 'conv2/filter', [3, 2, 2, 4], rnd(3, 2, 2, 4))
    y2 = f32(m, 'conv2/out', [1, 3, 3, 3])
    b2 = f32(m, 'conv2/bias', [3], rnd(3))
    m.op(OP['CONV_2D'], [y, w2, b2], [y2], ('Conv2D', dict(padding=1, stride_w=1, stride_h=1, act=0,
                                                          dilation_w=2, dilation_h=2)))
    wd = f32(m, 'dw/filter', [1, 3, 3, 6], rnd(1, 3, 3, 6))
    bd = f32(m, 'dw/bias', [6], rnd(6))
    yd = f32(m, 'dw/relu', [1, 3, 3, 6])
    m.op(OP['DEPTHWISE_CONV_2D'], [y2, wd, bd], [yd], ('Depthwise', dict(padding=0, stride_w=1, stride_h=1,
                                                                        depth_multiplier=2, act=ACT['RELU'])))
    m.inputs, m.outputs = [x], [yd, y]
    return m, {x: rnd(1, 9, 9, 3)}


def fx_fc_pool_float():
    m = Model()
    x = f32(m, 'x', [1, 8, 8, 4])
    ya = f32(m, 'avg', [1, 4, 4, 4])
    m.op(OP['AVERAGE_POOL_2D'], [x], [ya], ('Pool2D', dict(padding=0, stride_w=2, stride_h=2, filter_w=3, filter_h=3, act=0)))
    ym = f32(m, 'max', [1, 4, 4, 4])
    m.op(OP['MAX_POOL_2D'], [x], [ym], ('Pool2D', dict(padding=1, stride_w=2, stride_h=2, filter_w=2, filter_h=2, act=0)))
    ys = f32(m, 'sum_relu', [1, 4, 4, 4])
    m.op(OP['ADD'], [ya, ym], [ys], ('Add', dict(act=ACT['RELU'])))
    w = f32(m, 'fc/weights', [5, 4], rnd(5, 4))
    b = f32(m, 'fc/bias', [5], rnd(5))
    yf = f32(m, 'fc/out', [1, 4, 4, 5])
    m.op(OP['FULLY_CONNECTED'], [ys, w, b], [yf], ('FullyConnected', dict(act=ACT['RELU_N1_TO_1'], keep_num_dims=True)))
    m.inputs, m.outputs = [x], [yf]
    return m, {x: rnd(1, 8, 8, 4, lo=-2, hi=2)}


def fx_eltwise_float():
    m = Model()
    x = f32(m, 'x', [1, 4, 4, 8])
    c = f32(m, 'scale', [8], rnd(8))
    y1 = f32(m, 'mul', [1, 4, 4, 8])
    m.op(OP['MUL'], [x, c], [y1], ('Mul', dict(act=0)))
    y2 = f32(m, 'sub', [1, 4, 4, 8])
    m.op(OP['SUB'], [y1, x], [y2], ('Sub', dict(act=ACT['RELU6'])))
    outs = []
    for code, name, opt in [('LOGISTIC', 'sigmoid', None), ('TANH', 'tanh', None), ('HARD_SWISH', 'hswish', None),
                            ('LEAKY_RELU', 'leaky', ('LeakyRelu', dict(alpha=0.2)))]:
        t = f32(m, name, [1, 4, 4, 8])
        m.op(OP[code], [x], [t], opt)
        outs.append(t)
    a = f32(m, 'prelu/alpha', [8], rnd(8))
    yp = f32(m, 'prelu', [1, 4, 4, 8])
    m.op(OP['PRELU'], [x, a], [yp])
    outs.append(yp)
    yc = f32(m, 'concat', [1, 4, 4, 48])
    m.op(OP['CONCATENATION'], [y2] + outs, [yc], ('Concatenation', dict(axis=-1, act=0)))
    pads = m.tensor('pads', T['INT32'], [4, 2], [0, 0, 1, 1, 2, 0, 0, 0])
    ypad = f32(m, 'pad', [1, 6, 6, 48])
    m.op(OP['PAD'], [yc, pads], [ypad], ('Pad', {}))
    axes = i32(m, 'axes', [1, 2])
    ymean = f32(m, 'mean', [1, 1, 1, 48])
    m.op(OP['MEAN'], [ypad, axes], [ymean], ('Reducer', dict(keep_dims=True)))
    shp = i32(m, 'shape', [1, 48])
    yr = f32(m, 'flat', [1, 48])
    m.op(OP['RESHAPE'], [ymean, shp], [yr], ('Reshape', {}))
    ysm = f32(m, 'softmax', [1, 48])
    m.op(OP['SOFTMAX'], [yr], [ysm], ('Softmax', dict(beta=0.5)))
    m.inputs, m.outputs = [x], [ysm, yc]
    return m, {x: rnd(1, 4, 4, 8, lo=-3, hi=3)}


def fx_layout_float():
    m = Model()
    x = f32(m, 'x', [1, 4, 6, 8])
    sz = i32(m, 'size', [7, 9])
    yb = f32(m, 'bilinear', [1, 7, 9, 8])
    m.op(OP['RESIZE_BILINEAR'], [x, sz], [yb], ('ResizeBilinear', dict(half_pixel_centers=True)))
    yn = f32(m, 'nearest', [1, 7, 9, 8])
    m.op(OP['RESIZE_NEAREST_NEIGHBOR'], [x, sz], [yn], ('ResizeNearest', dict(align_corners=True)))
    perm = i32(m, 'perm', [0, 3, 1, 2])
    yt = f32(m, 'transposed', [1, 8, 4, 6])
    m.op(OP['TRANSPOSE'], [x, perm], [yt], ('Transpose', {}))
    b, e, s = i32(m, 'begin', [0, 1, 0, 1]), i32(m, 'end', [1, 7, 4, 5]), i32(m, 'strides', [1, 2, 1, 2])
    ys = f32(m, 'sliced', [3, 4, 2])
    m.op(OP['STRIDED_SLICE'], [yt, b, e, s], [ys], ('StridedSlice', dict(begin_mask=0, end_mask=0, ellipsis_mask=0,
                                                                         new_axis_mask=0, shrink_axis_mask=1)))
    ax = m.tensor('split_axis', T['INT32'], [], [3])
    s0, s1 = f32(m, 'split0', [1, 4, 6, 4]), f32(m, 'split1', [1, 4, 6, 4])
    m.op(OP['SPLIT'], [ax, x], [s0, s1], ('Split', dict(num_splits=2)))
    yd = f32(m, 'd2s', [1, 8, 12, 1])
    m.op(OP['DEPTH_TO_SPACE'], [s1, ], [yd], ('DepthToSpace', dict(block_size=2)))
    yq = f32(m, 'squeezed', [8, 12])
    m.op(OP['SQUEEZE'], [yd], [yq], ('Squeeze', dict(squeeze_dims=[0, 3])))
    idx = i32(m, 'indices', [3, 0, 5])
    yg = f32(m, 'gathered', [3, 12])
    m.op(OP['GATHER'], [yq, idx], [yg], ('Gather', dict(axis=0)))
    m.inputs, m.outputs = [x], [yb, yn, ys, s0, yg]
    return m, {x: rnd(1, 4, 6, 8)}


def fx_transpose_conv_float():
    m = Model()
    x = f32(m, 'x', [1, 5, 5, 3])
    osh = i32(m, 'output_shape', [1, 10, 10, 4])
    w = f32(m, 'tconv/weights', [4, 3, 3, 3], rnd(4, 3, 3, 3))
    b = f32(m, 'tconv/bias', [4], rnd(4))
    y = f32(m, 'tconv/out', [1, 10, 10, 4])
    m.op(OP['TRANSPOSE_CONV'], [osh, w, x, b], [y], ('TransposeConv', dict(padding=0, stride_w=2, stride_h=2, act=0)),
         version=3)
    m.inputs, m.outputs = [x], [y]
    return m, {x: rnd(1, 5, 5, 3)}


def fx_float16_weights():
    m = Model()
    x = f32(m, 'x', [1, 6, 6, 2])
    wh = m.tensor('conv/filter_f16', T['FLOAT16'], [3, 3, 3, 2], rnd(3, 3, 3, 2).astype(np.float16))
    w = f32(m, 'conv/filter', [3, 3, 3, 2])
    m.op(OP['DEQUANTIZE'], [wh], [w])
    y = f32(m, 'y', [1, 6, 6, 3])
    b = f32(m, 'conv/bias', [3], rnd(3))
    m.op(OP['CONV_2D'], [x, w, b], [y], ('Conv2D', dict(padding=0, stride_w=1, stride_h=1, act=0, dilation_w=1, dilation_h=1)))
    m.inputs, m.outputs = [x], [y]
    return m, {x: rnd(1, 6, 6, 2)}


def fx_external_signature():
    """Weights stored after the FlatBuffer (offset/size buffers), a signature with short keys and a
    dynamic batch dimension (shape_signature -1)."""
    m = Model()
    m.external = True
    x = f32(m, 'serving_default_x:0', [1, 6], signature=[-1, 6])
    w = f32(m, 'dense/kernel', [3, 6], rnd(3, 6))
    b = f32(m, 'dense/bias', [3], rnd(3))
    y = f32(m, 'StatefulPartitionedCall:0', [1, 3])
    m.op(OP['FULLY_CONNECTED'], [x, w, b], [y], ('FullyConnected', dict(act=ACT['RELU'])))
    m.inputs, m.outputs = [x], [y]
    m.signature = dict(inputs=[('x', x)], outputs=[('y', y)])
    return m, {x: rnd(1, 6)}


def quantize(a, s, z, dt):
    info = np.iinfo(dt)
    return np.clip(np.round(a / s) + z, info.min, info.max).astype(dt)


def per_channel_filter(w, axis):
    red = tuple(i for i in range(w.ndim) if i != axis)
    s = np.abs(w).max(axis=red) / 127.0
    shape = [1] * w.ndim
    shape[axis] = -1
    return np.clip(np.round(w / s.reshape(shape)), -127, 127).astype(np.int8), s.astype(np.float32)


def float_io(m, feeds):
    """LiteRT's JavaScript API feeds and fetches no int8 tensors: quantized fixtures get float
    inputs (QUANTIZE, fed exactly representable values) and float outputs (DEQUANTIZE)."""
    pre, new_in, new_feeds = [], [], {}
    for ti in m.inputs:
        t = m.tensors[ti]
        if t['type'] != T['INT8']:
            new_in.append(ti)
            new_feeds[ti] = feeds[ti]
            continue
        q = t['q']
        f = f32(m, t['name'] + '_float', t['shape'])
        pre.append((f, ti))
        new_in.append(f)
        new_feeds[f] = ((feeds[ti].astype(np.float32) - q['zero_point']) * np.float32(q['scale'])).astype(np.float32)
    post, new_out = [], []
    for ti in m.outputs:
        t = m.tensors[ti]
        if t['type'] != T['INT8']:
            new_out.append(ti)
            continue
        f = f32(m, t['name'] + '_float', t['shape'])
        post.append((ti, f))
        new_out.append(f)
    body = m.ops
    m.ops = []
    for f, ti in pre:
        m.op(OP['QUANTIZE'], [f], [ti])
    m.ops += body
    for ti, f in post:
        m.op(OP['DEQUANTIZE'], [ti], [f], version=2)
    m.inputs, m.outputs = new_in, new_out
    return m, new_feeds


def fx_int8_convnet():
    """An int8 network as the TFLite converter makes them: per-channel conv and depthwise weights,
    int32 biases at input_scale * weight_scale, fused ReLU6, average pool, fully connected, softmax."""
    m = Model()
    s_in, z_in = 0.02, -3
    x = m.tensor('input', T['INT8'], [1, 10, 10, 3], q=qparams(s_in, z_in))
    w, ws = per_channel_filter(rnd(8, 3, 3, 3), 0)
    wt = m.tensor('conv/w', T['INT8'], [8, 3, 3, 3], w, q=qparams(ws, [0] * 8, 0))
    bt = m.tensor('conv/b', T['INT32'], [8], np.round(rnd(8) / (s_in * ws)).astype(np.int32),
                  q=qparams(s_in * ws, [0] * 8, 0))
    s1, z1 = 0.025, -128
    y1 = m.tensor('conv/relu6', T['INT8'], [1, 5, 5, 8], q=qparams(s1, z1))
    m.op(OP['CONV_2D'], [x, wt, bt], [y1], ('Conv2D', dict(padding=0, stride_w=2, stride_h=2, act=ACT['RELU6'],
                                                           dilation_w=1, dilation_h=1)), version=3)
    wd, wds = per_channel_filter(rnd(1, 3, 3, 8), 3)
    wdt = m.tensor('dw/w', T['INT8'], [1, 3, 3, 8], wd, q=qparams(wds, [0] * 8, 3))
    bdt = m.tensor('dw/b', T['INT32'], [8], np.round(rnd(8) / (s1 * wds)).astype(np.int32), q=qparams(s1 * wds, [0] * 8, 0))
    s2, z2 = 0.03, 5
    y2 = m.tensor('dw/out', T['INT8'], [1, 5, 5, 8], q=qparams(s2, z2))
    m.op(OP['DEPTHWISE_CONV_2D'], [y1, wdt, bdt], [y2], ('Depthwise', dict(padding=0, stride_w=1, stride_h=1,
                                                                          depth_multiplier=1, act=0)), version=3)
    y3 = m.tensor('pool', T['INT8'], [1, 2, 2, 8], q=qparams(s2, z2))
    m.op(OP['AVERAGE_POOL_2D'], [y2], [y3], ('Pool2D', dict(padding=1, stride_w=2, stride_h=2, filter_w=2, filter_h=2, act=0)), version=2)
    shp = i32(m, 'flat_shape', [1, 32])
    y4 = m.tensor('flat', T['INT8'], [1, 32], q=qparams(s2, z2))
    m.op(OP['RESHAPE'], [y3, shp], [y4], ('Reshape', {}))
    wf = quantize(rnd(10, 32), 0.01, 0, np.int8)
    wft = m.tensor('fc/w', T['INT8'], [10, 32], wf, q=qparams(0.01, 0))
    bft = m.tensor('fc/b', T['INT32'], [10], np.round(rnd(10) / (s2 * 0.01)).astype(np.int32), q=qparams(s2 * 0.01, 0))
    s5, z5 = 0.05, 10
    y5 = m.tensor('logits', T['INT8'], [1, 10], q=qparams(s5, z5))
    m.op(OP['FULLY_CONNECTED'], [y4, wft, bft], [y5], ('FullyConnected', dict(act=0)), version=4)
    y6 = m.tensor('probs', T['INT8'], [1, 10], q=qparams(1 / 256.0, -128))
    m.op(OP['SOFTMAX'], [y5], [y6], ('Softmax', dict(beta=1.0)), version=2)
    m.inputs, m.outputs = [x], [y6, y5, y2]
    return float_io(m, {x: rng.integers(-128, 128, size=(1, 10, 10, 3)).astype(np.int8)})


def fx_int8_eltwise():
    m = Model()
    xa = m.tensor('a', T['INT8'], [1, 4, 4, 6], q=qparams(0.05, 3))
    xb = m.tensor('b', T['INT8'], [1, 4, 4, 6], q=qparams(0.03, -7))
    ya = m.tensor('add_relu', T['INT8'], [1, 4, 4, 6], q=qparams(0.06, -128))
    m.op(OP['ADD'], [xa, xb], [ya], ('Add', dict(act=ACT['RELU'])), version=2)
    ys = m.tensor('sub', T['INT8'], [1, 4, 4, 6], q=qparams(0.07, 0))
    m.op(OP['SUB'], [xa, xb], [ys], ('Sub', dict(act=0)), version=2)
    ym = m.tensor('mul', T['INT8'], [1, 4, 4, 6], q=qparams(0.02, 2))
    m.op(OP['MUL'], [xa, xb], [ym], ('Mul', dict(act=0)), version=2)
    outs = []
    for code, name, sc, zp, opt in [('LOGISTIC', 'sigmoid', 1 / 256.0, -128, None), ('TANH', 'tanh', 1 / 128.0, 0, None),
                                    ('HARD_SWISH', 'hswish', 0.03, -40, None), ('RELU', 'relu', 0.05, -128, None),
                                    ('LEAKY_RELU', 'leaky', 0.04, 20, ('LeakyRelu', dict(alpha=0.1)))]:
        t = m.tensor(name, T['INT8'], [1, 4, 4, 6], q=qparams(sc, zp))
        m.op(OP[code], [xa], [t], opt, version=1 if code == 'HARD_SWISH' else 2)
        outs.append(t)
    m.inputs, m.outputs = [xa, xb], [ya, ys, ym] + outs
    return float_io(m, {xa: rng.integers(-128, 128, size=(1, 4, 4, 6)).astype(np.int8),
                        xb: rng.integers(-128, 128, size=(1, 4, 4, 6)).astype(np.int8)})


def fx_int8_concat_pool():
    """Concatenation (inputs quantized like the output, as the converter makes them), max pool,
    mean with a rescale."""
    m = Model()
    xa = m.tensor('a', T['INT8'], [1, 4, 4, 6], q=qparams(0.05, 3))
    xb = m.tensor('b', T['INT8'], [1, 4, 4, 6], q=qparams(0.05, 3))
    yc = m.tensor('concat', T['INT8'], [1, 4, 4, 12], q=qparams(0.05, 3))
    m.op(OP['CONCATENATION'], [xa, xb], [yc], ('Concatenation', dict(axis=3, act=0)), version=2)
    ymp = m.tensor('maxpool', T['INT8'], [1, 2, 2, 12], q=qparams(0.05, 3))
    m.op(OP['MAX_POOL_2D'], [yc], [ymp], ('Pool2D', dict(padding=1, stride_w=2, stride_h=2, filter_w=3, filter_h=3, act=0)), version=2)
    axes = i32(m, 'axes', [1, 2])
    ymean = m.tensor('mean', T['INT8'], [1, 12], q=qparams(0.04, -1))
    m.op(OP['MEAN'], [ymp, axes], [ymean], ('Reducer', dict(keep_dims=False)), version=2)
    m.inputs, m.outputs = [xa, xb], [yc, ymean]
    return float_io(m, {xa: rng.integers(-128, 128, size=(1, 4, 4, 6)).astype(np.int8),
                        xb: rng.integers(-128, 128, size=(1, 4, 4, 6)).astype(np.int8)})


def fx_quantize_roundtrip():
    """float in, QUANTIZE, an int8 conv, DEQUANTIZE, float out: a model quantized with float I/O."""
    m = Model()
    x = f32(m, 'x', [1, 6, 6, 2])
    q = m.tensor('x_q', T['INT8'], [1, 6, 6, 2], q=qparams(0.01, 4))
    m.op(OP['QUANTIZE'], [x], [q])
    w, ws = per_channel_filter(rnd(4, 3, 3, 2), 0)
    wt = m.tensor('w', T['INT8'], [4, 3, 3, 2], w, q=qparams(ws, [0] * 4, 0))
    yq = m.tensor('y_q', T['INT8'], [1, 6, 6, 4], q=qparams(0.02, -10))
    bq = m.tensor('b', T['INT32'], [4], np.round(rnd(4) / (0.01 * ws)).astype(np.int32), q=qparams(0.01 * ws, [0] * 4, 0))
    m.op(OP['CONV_2D'], [q, wt, bq], [yq], ('Conv2D', dict(padding=0, stride_w=1, stride_h=1, act=0, dilation_w=1, dilation_h=1)), version=3)
    y = f32(m, 'y', [1, 6, 6, 4])
    m.op(OP['DEQUANTIZE'], [yq], [y], version=2)
    m.inputs, m.outputs = [x], [y]
    return m, {x: rnd(1, 6, 6, 2)}


def fx_uint8_convnet():
    m = Model()
    x = m.tensor('input', T['UINT8'], [1, 7, 7, 4], q=qparams(0.0078125, 128))
    w = rng.integers(0, 256, size=(6, 3, 3, 4)).astype(np.uint8)
    wt = m.tensor('w', T['UINT8'], [6, 3, 3, 4], w, q=qparams(0.004, 131))
    bt = m.tensor('b', T['INT32'], [6], rng.integers(-3000, 3000, size=6).astype(np.int32), q=qparams(0.0078125 * 0.004, 0))
    y = m.tensor('conv', T['UINT8'], [1, 4, 4, 6], q=qparams(0.02, 120))
    m.op(OP['CONV_2D'], [x, wt, bt], [y], ('Conv2D', dict(padding=0, stride_w=2, stride_h=2, act=ACT['RELU6'], dilation_w=1, dilation_h=1)))
    wd = rng.integers(0, 256, size=(1, 3, 3, 6)).astype(np.uint8)
    wdt = m.tensor('dw', T['UINT8'], [1, 3, 3, 6], wd, q=qparams(0.01, 127))
    yd = m.tensor('dwconv', T['UINT8'], [1, 4, 4, 6], q=qparams(0.05, 100))
    bdt = m.tensor('dw_b', T['INT32'], [6], rng.integers(-2000, 2000, size=6).astype(np.int32), q=qparams(0.02 * 0.01, 0))
    m.op(OP['DEPTHWISE_CONV_2D'], [y, wdt, bdt], [yd], ('Depthwise', dict(padding=0, stride_w=1, stride_h=1, depth_multiplier=1, act=0)))
    ys = m.tensor('sum', T['UINT8'], [1, 4, 4, 6], q=qparams(0.04, 110))
    m.op(OP['ADD'], [y, yd], [ys], ('Add', dict(act=0)))
    m.inputs, m.outputs = [x], [ys]
    return m, {x: rng.integers(0, 256, size=(1, 7, 7, 4)).astype(np.uint8)}


def if_model():
    """IF with branches in subgraphs 1 and 2: y = 2x + 1 when mean(x) > 0, else tanh(x)."""
    m = Model()
    x = f32(m, 'x', [1, 4])
    axes = i32(m, 'axes', [0, 1])
    mean = f32(m, 'mean', [])
    m.op(OP['MEAN'], [x, axes], [mean], ('Reducer', dict(keep_dims=False)))
    zero = f32(m, 'zero', [], np.zeros((), np.float32))
    cond = m.tensor('positive', T['BOOL'], [])
    m.op(OP['GREATER'], [mean, zero], [cond])
    y = f32(m, 'y', [1, 4])
    m.op(OP['IF'], [cond, x], [y], ('If', dict(then_subgraph=1, else_subgraph=2)))
    m.inputs, m.outputs = [x], [y]
    then_b = Model(parent=m)
    bx = f32(then_b, 'then_x', [1, 4])
    two = f32(then_b, 'two', [1], np.array([2], np.float32))
    one = f32(then_b, 'one', [1], np.array([1], np.float32))
    t1 = f32(then_b, 'then_scaled', [1, 4])
    then_b.op(OP['MUL'], [bx, two], [t1], ('Mul', dict(act=0)))
    t2 = f32(then_b, 'then_y', [1, 4])
    then_b.op(OP['ADD'], [t1, one], [t2], ('Add', dict(act=0)))
    then_b.inputs, then_b.outputs = [bx], [t2]
    else_b = Model(parent=m)
    ex = f32(else_b, 'else_x', [1, 4])
    e1 = f32(else_b, 'else_y', [1, 4])
    else_b.op(OP['TANH'], [ex], [e1])
    else_b.inputs, else_b.outputs = [ex], [e1]
    m.subgraphs = [then_b, else_b]
    return m, x


def fx_if_then():
    m, x = if_model()
    return m, {x: np.array([[0.5, 1.5, -0.25, 2.0]], np.float32)}


def fx_if_else():
    m, x = if_model()
    return m, {x: np.array([[-0.5, 0.25, -1.5, -2.0]], np.float32)}


def fx_densify():
    """Sparse weights: a [6, 8] matrix stored as CSR rows with 1x2 blocks (TFLite's block-sparse
    layout), DENSIFY at load, then a fully connected layer."""
    m = Model()
    x = f32(m, 'x', [2, 8])
    dense = rnd(6, 8)
    keep = rng.uniform(size=(6, 4)) < 0.5  # which 1x2 blocks are stored
    segments, indices, values = [0], [], []
    for r in range(6):
        for cb in range(4):
            if keep[r, cb]:
                indices.append(cb)
                values += list(dense[r, 2 * cb:2 * cb + 2])
            else:
                dense[r, 2 * cb:2 * cb + 2] = 0
        segments.append(len(indices))
    sp = dict(traversal=[0, 1, 2], block_map=[1],
              levels=[('dense', 6), ('csr', segments, indices), ('dense', 2)])
    ws = m.tensor('fc/weights_sparse', T['FLOAT32'], [6, 8], np.array(values, np.float32), sparsity=sp)
    w = f32(m, 'fc/weights', [6, 8])
    m.op(OP['DENSIFY'], [ws], [w])
    b = f32(m, 'fc/bias', [6], rnd(6))
    y = f32(m, 'y', [2, 6])
    m.op(OP['FULLY_CONNECTED'], [x, w, b], [y], ('FullyConnected', dict(act=0)))
    m.inputs, m.outputs = [x], [y]
    return m, {x: rnd(2, 8)}


def fx_space_batch_float():
    """TensorFlow's dilated convolutions as older converters wrote them: SPACE_TO_BATCH_ND -> conv
    (VALID) -> BATCH_TO_SPACE_ND, for a 3x3 conv at dilation 2 with SAME padding on a 9x11 image
    (paddings [2, 3] so the padded size is a multiple of the block, crops [0, 1]) and a depthwise
    3x3 at dilations (2, 3); and the two ops alone on a block (2, 3) whose padded input is cropped
    back (an identity on the interior)."""
    m = Model()
    x = f32(m, 'x', [1, 9, 11, 3])
    block = i32(m, 'block', [2, 2])
    pads = m.tensor('paddings', T['INT32'], [2, 2], [2, 3, 2, 3])
    xs = f32(m, 's2b', [4, 7, 8, 3])
    m.op(OP['SPACE_TO_BATCH_ND'], [x, block, pads], [xs], ('SpaceToBatchND', {}))
    w = f32(m, 'conv/filter', [4, 3, 3, 3], rnd(4, 3, 3, 3))
    b = f32(m, 'conv/bias', [4], rnd(4))
    yc = f32(m, 'conv', [4, 5, 6, 4])
    m.op(OP['CONV_2D'], [xs, w, b], [yc], ('Conv2D', dict(padding=1, stride_w=1, stride_h=1, act=ACT['RELU'],
                                                          dilation_w=1, dilation_h=1)))
    crops = m.tensor('crops', T['INT32'], [2, 2], [0, 1, 0, 1])
    y = f32(m, 'dilated_conv', [1, 9, 11, 4])
    m.op(OP['BATCH_TO_SPACE_ND'], [yc, block, crops], [y], ('BatchToSpaceND', {}))
    # depthwise at dilations (2, 3), VALID: 9 -> 9 - 4 = 5 rows, 11 -> 11 - 6 = 5 columns
    block23 = i32(m, 'block23', [2, 3])
    pads_dw = m.tensor('paddings_dw', T['INT32'], [2, 2], [0, 1, 0, 1])
    xd = f32(m, 's2b_dw', [6, 5, 4, 3])
    m.op(OP['SPACE_TO_BATCH_ND'], [x, block23, pads_dw], [xd], ('SpaceToBatchND', {}))
    wd = f32(m, 'dw/filter', [1, 3, 3, 3], rnd(1, 3, 3, 3))
    bd = f32(m, 'dw/bias', [3], rnd(3))
    ydw = f32(m, 'dw', [6, 3, 2, 3])
    m.op(OP['DEPTHWISE_CONV_2D'], [xd, wd, bd], [ydw], ('Depthwise', dict(padding=1, stride_w=1, stride_h=1,
                                                                         depth_multiplier=1, act=0)))
    crops_dw = m.tensor('crops_dw', T['INT32'], [2, 2], [0, 1, 0, 1])
    yd = f32(m, 'dilated_dw', [1, 5, 5, 3])
    m.op(OP['BATCH_TO_SPACE_ND'], [ydw, block23, crops_dw], [yd], ('BatchToSpaceND', {}))
    # the two ops alone: x padded by [[1, 0], [0, 1]] into blocks (2, 3), then back, cropped
    pads_rt = m.tensor('paddings_rt', T['INT32'], [2, 2], [1, 0, 0, 1])
    xr = f32(m, 'blocks', [6, 5, 4, 3])
    m.op(OP['SPACE_TO_BATCH_ND'], [x, block23, pads_rt], [xr], ('SpaceToBatchND', {}))
    yr = f32(m, 'round_trip', [1, 9, 11, 3])
    m.op(OP['BATCH_TO_SPACE_ND'], [xr, block23, pads_rt], [yr], ('BatchToSpaceND', {}))
    m.inputs, m.outputs = [x], [y, yd, xr, yr]
    return m, {x: rnd(1, 9, 11, 3)}


def fx_unsupported():
    """Refusals: a custom op and two builtins frost does not run, all reported at once."""
    m = Model()
    x = f32(m, 'x', [1, 4, 4, 2])
    y1 = f32(m, 'upsampled', [1, 8, 8, 2])
    m.op(OP['CUSTOM'], [x], [y1], custom='MaxUnpooling2D')
    y2 = f32(m, 'svdf', [1, 8, 8, 2])
    m.op(OP['SVDF'], [y1], [y2])
    y3 = f32(m, 'lstm', [1, 8, 8, 2])
    m.op(OP['UNIDIRECTIONAL_SEQUENCE_LSTM'], [y2], [y3])
    m.inputs, m.outputs = [x], [y3]
    return m, None


FIXTURES = dict(conv_float=fx_conv_float, fc_pool_float=fx_fc_pool_float, eltwise_float=fx_eltwise_float,
                layout_float=fx_layout_float, transpose_conv_float=fx_transpose_conv_float,
                float16_weights=fx_float16_weights, external_signature=fx_external_signature,
                int8_convnet=fx_int8_convnet, int8_eltwise=fx_int8_eltwise, int8_concat_pool=fx_int8_concat_pool,
                quantize_roundtrip=fx_quantize_roundtrip, uint8_convnet=fx_uint8_convnet,
                if_then=fx_if_then, if_else=fx_if_else, densify=fx_densify,
                unsupported=fx_unsupported, space_batch_float=fx_space_batch_float)


def write(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for name, make in FIXTURES.items():
        model, feeds = make()
        with open(os.path.join(out_dir, name + '.tflite'), 'wb') as f:
            f.write(model.serialize())
        for k, ti in enumerate(model.inputs):
            if feeds is None:
                break
            np.save(os.path.join(out_dir, '%s.in%d.npy' % (name, k)), feeds[ti])
        print('wrote', name)


# ---- Dump: the canonical parse frost's reader is compared with --------------------------------

class Tab:
    def __init__(self, buf, pos):
        self.t = fbtable.Table(buf, pos)

    def off(self, slot):
        return self.t.Offset(4 + 2 * slot)

    def scalar(self, slot, fmt, default):
        o = self.off(slot)
        if not o:
            return default
        return struct.unpack_from('<' + fmt, self.t.Bytes, self.t.Pos + o)[0]

    def table(self, slot):
        o = self.off(slot)
        return Tab(self.t.Bytes, self.t.Indirect(self.t.Pos + o)) if o else None

    def vec(self, slot, fmt):
        o = self.off(slot)
        if not o:
            return None
        n, start = self.t.VectorLen(o), self.t.Vector(o)
        size = struct.calcsize('<' + fmt)
        return [struct.unpack_from('<' + fmt, self.t.Bytes, start + i * size)[0] for i in range(n)]

    def vec_tables(self, slot):
        o = self.off(slot)
        if not o:
            return []
        n, start = self.t.VectorLen(o), self.t.Vector(o)
        return [Tab(self.t.Bytes, self.t.Indirect(start + 4 * i)) for i in range(n)]

    def bytes_(self, slot):
        o = self.off(slot)
        if not o:
            return b''
        n, start = self.t.VectorLen(o), self.t.Vector(o)
        return bytes(self.t.Bytes[start:start + n])

    def string(self, slot):
        o = self.off(slot)
        return self.t.String(self.t.Pos + o).decode('utf-8', 'replace') if o else ''


def dump(path):
    data = bytearray(open(path, 'rb').read())
    root = Tab(data, struct.unpack_from('<I', data, 0)[0])
    out = ['version %d' % root.scalar(MODEL['version'], 'I', 0)]
    for i, oc in enumerate(root.vec_tables(MODEL['operator_codes'])):
        code = max(oc.scalar(OPCODE['builtin_code'], 'i', 0), oc.scalar(OPCODE['deprecated_builtin_code'], 'b', 0))
        out.append('opcode %d %d v%d %s' % (i, code, oc.scalar(OPCODE['version'], 'i', 1), oc.string(OPCODE['custom_code'])))
    buffers = root.vec_tables(MODEL['buffers'])

    def buf_bytes(b):
        if b == 0 or b >= len(buffers):
            return b''
        bt = buffers[b]
        d = bt.bytes_(BUFFER['data'])
        off, size = bt.scalar(BUFFER['offset'], 'Q', 0), bt.scalar(BUFFER['size'], 'Q', 0)
        if not d and off > 1:
            d = bytes(data[off:off + size])
        return d

    sg = root.vec_tables(MODEL['subgraphs'])[0]
    for i, t in enumerate(sg.vec_tables(SUBGRAPH['tensors'])):
        d = buf_bytes(t.scalar(TENSOR['buffer'], 'I', 0))
        q = t.table(TENSOR['quantization'])
        qs = ''
        if q is not None and q.vec(QUANT['scale'], 'f'):
            qs = ' q %s %s axis %d' % (','.join('%.9g' % s for s in q.vec(QUANT['scale'], 'f')),
                                       ','.join(str(z) for z in (q.vec(QUANT['zero_point'], 'q') or [])),
                                       q.scalar(QUANT['quantized_dimension'], 'i', 0))
        shape = t.vec(TENSOR['shape'], 'i')
        out.append('tensor %d %s type %d shape %s bytes %d crc %08x%s' % (
            i, t.string(TENSOR['name']), t.scalar(TENSOR['type'], 'b', 0),
            ','.join(str(s) for s in shape) if shape is not None else '-', len(d), zlib.crc32(d), qs))
    out.append('inputs %s' % ','.join(str(v) for v in sg.vec(SUBGRAPH['inputs'], 'i') or []))
    out.append('outputs %s' % ','.join(str(v) for v in sg.vec(SUBGRAPH['outputs'], 'i') or []))
    for i, o in enumerate(sg.vec_tables(SUBGRAPH['operators'])):
        out.append('op %d opcode %d in %s out %s options %d' % (
            i, o.scalar(OPERATOR['opcode_index'], 'I', 0),
            ','.join(str(v) for v in o.vec(OPERATOR['inputs'], 'i') or []),
            ','.join(str(v) for v in o.vec(OPERATOR['outputs'], 'i') or []),
            o.scalar(OPERATOR['builtin_options_type'], 'B', 0)))
    print('\n'.join(out))


def float_twin(src, dst):
    data = bytearray(open(src, 'rb').read())
    root = Tab(data, struct.unpack_from('<I', data, 0)[0])
    buffers = root.vec_tables(MODEL['buffers'])
    sg = root.vec_tables(MODEL['subgraphs'])[0]
    m = Model('float twin of ' + os.path.basename(src))
    for t in sg.vec_tables(SUBGRAPH['tensors']):
        shape = t.vec(TENSOR['shape'], 'i') or []
        ttype = t.scalar(TENSOR['type'], 'b', 0)
        b = t.scalar(TENSOR['buffer'], 'I', 0)
        raw = buffers[b].bytes_(BUFFER['data']) if 0 < b < len(buffers) else b''
        q = t.table(TENSOR['quantization'])
        scale = np.array(q.vec(QUANT['scale'], 'f') or [1.0], np.float64) if q else np.array([1.0])
        zp = np.array(q.vec(QUANT['zero_point'], 'q') or [0] * len(scale), np.float64) if q else np.array([0.0])
        axis = q.scalar(QUANT['quantized_dimension'], 'i', 0) if q else 0
        quantized = q is not None and bool(q.vec(QUANT['scale'], 'f'))
        value, out_type = None, T['FLOAT32']
        if ttype == T['INT32'] and not quantized:
            out_type = T['INT32']  # shapes, axes: stay integers
        if raw:
            v = np.frombuffer(raw, NP[ttype]).reshape(shape)
            if quantized:
                bshape = [1] * len(shape)
                if len(scale) > 1:
                    bshape[axis if len(shape) > 1 else 0] = -1
                v = (v.astype(np.float64) - zp.reshape(bshape)) * scale.reshape(bshape)
            value = v.astype(NP[out_type])
        m.tensor(t.string(TENSOR['name']), out_type, shape, value)
    codes = root.vec_tables(MODEL['operator_codes'])
    for o in sg.vec_tables(SUBGRAPH['operators']):
        oc = codes[o.scalar(OPERATOR['opcode_index'], 'I', 0)]
        code = max(oc.scalar(OPCODE['builtin_code'], 'i', 0), oc.scalar(OPCODE['deprecated_builtin_code'], 'b', 0))
        utype = o.scalar(OPERATOR['builtin_options_type'], 'B', 0)
        opt = o.table(OPERATOR['builtin_options'])
        # Copy the options table's scalar fields through the slots the schema gives them.
        fields = None
        for name, (u, slots) in OPT.items():
            if u == utype and opt is not None:
                fields = {}
                for k, slot in slots.items():
                    if k == 'squeeze_dims' or not opt.off(slot):
                        continue
                    fmt = 'f' if k in FLOAT_FIELDS else 'b' if (k in BOOL_FIELDS or k in BYTE_FIELDS) else 'i'
                    fields[k] = opt.scalar(slot, fmt, 0)
                fields = (name, fields)
        # Old converters fold ReLU/ReLU6 into the output's quantized range ([0, 6] with act NONE):
        # the float twin states it as the fused activation it stands for.
        out_t = sg.vec_tables(SUBGRAPH['tensors'])[o.vec(OPERATOR['outputs'], 'i')[0]]
        oq = out_t.table(TENSOR['quantization'])
        if fields and 'act' in OPT[fields[0]][1] and fields[1].get('act', 0) == 0 and oq and oq.vec(QUANT['scale'], 'f'):
            qs, qz = oq.vec(QUANT['scale'], 'f')[0], (oq.vec(QUANT['zero_point'], 'q') or [0])[0]
            qmax = 255 if out_t.scalar(TENSOR['type'], 'b', 0) == T['UINT8'] else 127
            lo, hi = qs * (-128 - qz if qmax == 127 else -qz), qs * (qmax - qz)
            if abs(lo) < 1e-6:
                fields[1]['act'] = ACT['RELU6'] if abs(hi - 6) < 0.05 else ACT['RELU']
        m.op(code, o.vec(OPERATOR['inputs'], 'i'), o.vec(OPERATOR['outputs'], 'i'), fields, version=1)
    m.inputs = sg.vec(SUBGRAPH['inputs'], 'i')
    m.outputs = sg.vec(SUBGRAPH['outputs'], 'i')
    with open(dst, 'wb') as f:
        f.write(m.serialize())


if __name__ == '__main__':
    if len(sys.argv) == 3 and sys.argv[1] == 'write':
        write(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == 'dump':
        dump(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == 'float-twin':
        float_twin(sys.argv[2], sys.argv[3])
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)

#!/usr/bin/env python3
"""gen_corrupt.py — writes the handcrafted corrupt files of tests/corrupt: one per failure class
and per format (TF GraphDef, ONNX, TF.js folders, and byte-level damage to the Keras .h5/.keras
bases that gen_corrupt_keras writes first). Protobufs are encoded by hand here (no onnx or
tensorflow package needed), so each file is exactly the damage its name says. It only writes below
tests/corrupt; the expected status and message of each file live in index.tsv.

usage: python3 tests/corrupt/gen_corrupt.py   (from anywhere; tests/corrupt/gen_corrupt.sh runs it)
"""
import io, json, os, struct, sys, zipfile, zlib

HERE = os.path.dirname(os.path.abspath(__file__))

# ---- protobuf wire format ----------------------------------------------------------------------
def varint(n):
    n &= (1 << 64) - 1          # negative int64s are 10-byte varints
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)

def key(field, wire):
    return varint(field << 3 | wire)

def f_varint(field, n):
    return key(field, 0) + varint(n)

def f_bytes(field, data):
    if isinstance(data, str):
        data = data.encode()
    return key(field, 2) + varint(len(data)) + data

def f_packed(field, values):
    return f_bytes(field, b''.join(varint(v) for v in values))

def f_floats(field, values):
    return f_bytes(field, struct.pack('<%df' % len(values), *values))

def write(rel, data):
    path = os.path.join(HERE, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)

# ---- TensorFlow GraphDef ------------------------------------------------------------------------
DT_FLOAT, DT_INT32 = 1, 3

def tf_shape(dims, unknown_rank=False):
    if unknown_rank:
        return f_varint(3, 1)
    return b''.join(f_bytes(2, f_varint(1, d)) for d in dims)

def tf_tensor(dtype, dims, content=None, float_val=None):
    t = f_varint(1, dtype) + f_bytes(2, tf_shape(dims))
    if content is not None:
        t += f_bytes(4, content)
    if float_val is not None:
        t += f_floats(5, float_val)
    return t

def tf_attr(name, value):
    return f_bytes(5, f_bytes(1, name) + f_bytes(2, value))

def tf_node(name, op, inputs=(), attrs=b''):
    n = f_bytes(1, name) + f_bytes(2, op)
    for i in inputs:
        n += f_bytes(3, i)
    return f_bytes(1, n + attrs)

def tf_const(name, dims, values=None, content=None, dtype=DT_FLOAT):
    if values is not None:
        content = struct.pack('<%df' % len(values), *values)
    return tf_node(name, 'Const', (), tf_attr('dtype', f_varint(6, dtype)) +
                   tf_attr('value', f_bytes(8, tf_tensor(dtype, dims, content))))

def tf_placeholder(name, dims):
    return tf_node(name, 'Placeholder', (), tf_attr('dtype', f_varint(6, DT_FLOAT)) +
                   tf_attr('shape', f_bytes(7, tf_shape(dims))))

def tf_op(name, op, inputs):
    return tf_node(name, op, inputs, tf_attr('T', f_varint(6, DT_FLOAT)))

W = [0.5, -1, 0.25, 1, 0.5, -0.5, -2, 0.75, 1.5, 0.1, -0.3, 0.2]
B = [0.1, -0.2, 0.3]
VERSIONS = f_bytes(4, f_varint(1, 27))

def tf_good(extra=b''):
    return (tf_placeholder('x', [-1 & ((1 << 64) - 1), 4]) + tf_const('w', [4, 3], W) +
            tf_const('b', [3], B) + tf_op('mm', 'MatMul', ['x', 'w']) +
            tf_op('bias', 'BiasAdd', ['mm', 'b']) + tf_op('y', 'Relu', ['bias']) + extra + VERSIONS)

def gen_tf():
    good = tf_good()
    write('tf/good.pb', good)                      # the base every other file damages (must load)
    first = tf_placeholder('x', [-1, 4])
    # Truncation at structural boundaries: inside a node's tag, its length, its body, a tensor.
    write('tf/trunc_after_tag.pb', good[:1])
    write('tf/trunc_in_length.pb', good[:1] + b'\xff')
    write('tf/trunc_in_node.pb', good[:len(first) // 2])
    cut = good.find(struct.pack('<f', -2.0))
    write('tf/trunc_in_tensor.pb', good[:cut])
    # A node length past the end of the file.
    body = tf_placeholder('x', [-1, 4])[2:]
    write('tf/length_past_end.pb', key(1, 2) + varint(len(body) + 1000) + body)
    write('tf/wrong_wire_type.pb', key(1, 0) + varint(5) + good)
    write('tf/empty.pb', b'')
    write('tf/no_nodes.pb', VERSIONS)
    # Dims: negative, huge (overflowing), over the tensor limit, over the rank limit.
    write('tf/negative_dim.pb', tf_const('c', [2, -5], content=b'') + VERSIONS)
    write('tf/overflow_dims.pb', tf_const('c', [1 << 40, 1 << 40], content=b'') + VERSIONS)
    write('tf/huge_tensor.pb', tf_const('c', [100000, 100000], content=b'') + VERSIONS)
    write('tf/rank_over_limit.pb', tf_const('c', [1] * 9, values=[1.0]) + VERSIONS)
    # dtype/size mismatch: 10 bytes of content for 4x3 floats; int32 bytes declared as float.
    write('tf/content_size_mismatch.pb', tf_const('c', [4, 3], content=b'\0' * 10) + VERSIONS)
    write('tf/dtype_attr_mismatch.pb', tf_placeholder('x', [1, 2]) +
          tf_node('c', 'Const', (), tf_attr('dtype', f_varint(6, DT_FLOAT)) +
                  tf_attr('value', f_bytes(8, tf_tensor(DT_INT32, [2], struct.pack('<2i', 1, 2))))) +
          tf_op('y', 'Add', ['x', 'c']) + VERSIONS)
    # Graph structure: cycle, dangling input, duplicate name, bad output port, unsupported op.
    write('tf/cycle.pb', tf_placeholder('x', [1, 4]) + tf_op('a', 'Add', ['x', 'b']) +
          tf_op('b', 'Relu', ['a']) + VERSIONS)
    write('tf/dangling_input.pb', tf_placeholder('x', [1, 4]) + tf_op('y', 'Relu', ['nowhere']) +
          VERSIONS)
    write('tf/duplicate_name.pb', tf_placeholder('x', [1, 4]) + tf_op('y', 'Relu', ['x']) +
          tf_op('y', 'Tanh', ['x']) + VERSIONS)
    write('tf/bad_output_port.pb', tf_placeholder('x', [1, 4]) + tf_op('y', 'Relu', ['x:7']) +
          VERSIONS)
    write('tf/empty_name.pb', tf_placeholder('', [1, 4]) + VERSIONS)
    write('tf/unsupported_op.pb', tf_placeholder('x', [1, 4]) + tf_op('y', 'FancyNewOp', ['x']) +
          VERSIONS)
    # Limits: more nodes than max_nodes, an attribute list longer than max_attr_len.
    write('tf/too_many_nodes.pb', good)
    write('tf/long_attr_list.pb', tf_placeholder('x', [1, 2, 3, 4]) +
          tf_node('t', 'Transpose', ['x', 'perm'], tf_attr('T', f_varint(6, DT_FLOAT)) +
                  tf_attr('_frost_junk', f_bytes(1, f_packed(3, range(500))))) +
          tf_const('perm', [4], content=struct.pack('<4i', 0, 2, 1, 3), dtype=DT_INT32) + VERSIONS)
    # Shape errors found when the session plans: MatMul of [1,4] by [5,3].
    write('tf/matmul_shape_mismatch.pb', tf_placeholder('x', [1, 4]) +
          tf_const('w', [5, 3], [0.0] * 15) + tf_op('y', 'MatMul', ['x', 'w']) + VERSIONS)
    # Shape arithmetic: Tile to [2^31-1]^3, whose element count overflows int64 although each
    # dimension is fine; the Softmax after it must not multiply those dims unchecked.
    big = (1 << 31) - 1
    write('tf/numel_overflow.pb', tf_placeholder('x', [1, 1, 1]) +
          tf_const('m', [3], content=struct.pack('<3i', big, big, big), dtype=DT_INT32) +
          tf_node('t', 'Tile', ['x', 'm'], tf_attr('T', f_varint(6, DT_FLOAT)) +
                  tf_attr('Tmultiples', f_varint(6, DT_INT32))) +
          tf_op('y', 'Softmax', ['t']) + VERSIONS)
    # Arena limit: a [1, 100000] activation under max_arena_bytes=65536.
    write('tf/big_activation.pb', tf_placeholder('x', [1, 100000]) + tf_op('y', 'Relu', ['x']) +
          VERSIONS)
    # Wrong magic: a PNG header where a protobuf should be (detected as no format at all).
    write('tf/wrong_magic.pb', b'\x89PNG\r\n\x1a\n' + b'\0' * 24)

# ---- ONNX ---------------------------------------------------------------------------------------
FLOAT, INT64 = 1, 7

def onnx_tensor(name, dims, dtype=FLOAT, raw=None, floats=None, extra=b''):
    t = b''.join(f_varint(1, d) for d in dims) + f_varint(2, dtype) + f_bytes(8, name)
    if raw is not None:
        t += f_bytes(9, raw)
    if floats is not None:
        t += f_floats(4, floats)
    return t + extra

def onnx_value_info(name, dims, dtype=FLOAT):
    shape = b''.join(f_bytes(1, f_varint(1, d) if isinstance(d, int) else f_bytes(2, d))
                     for d in dims)
    return f_bytes(1, name) + f_bytes(2, f_bytes(1, f_varint(1, dtype) + f_bytes(2, shape)))

def onnx_attr_ints(name, values):
    return f_bytes(5, f_bytes(1, name) + f_varint(20, 7) + b''.join(f_varint(8, v) for v in values))

def onnx_attr_float(name, v):
    return f_bytes(5, f_bytes(1, name) + f_varint(20, 1) + key(2, 5) + struct.pack('<f', v))

def onnx_node(op, inputs, outputs, name=None, attrs=b''):
    n = b''.join(f_bytes(1, i) for i in inputs) + b''.join(f_bytes(2, o) for o in outputs)
    n += f_bytes(3, name or op.lower() + '_' + outputs[0]) + f_bytes(4, op) + attrs
    return f_bytes(1, n)

def onnx_model(graph_body, opset=13):
    graph = f_bytes(2, 'g') + graph_body
    return (f_varint(1, 8) + f_bytes(2, 'frost-gen_corrupt') + f_bytes(7, graph) +
            f_bytes(8, f_bytes(1, '') + f_varint(2, opset)))

def onnx_good_body(w_raw=None, nodes=None):
    w = onnx_tensor('W', [4, 3], raw=w_raw if w_raw is not None else struct.pack('<12f', *W))
    b = onnx_tensor('B', [3], floats=B)
    body = (nodes if nodes is not None else
            onnx_node('Gemm', ['x', 'W', 'B'], ['h']) + onnx_node('Relu', ['h'], ['y']))
    body += f_bytes(5, w) + f_bytes(5, b)
    body += f_bytes(11, onnx_value_info('x', ['N', 4])) + f_bytes(12, onnx_value_info('y', ['N', 3]))
    return body

def gen_onnx():
    good = onnx_model(onnx_good_body())
    write('onnx/good.onnx', good)
    graph_at = good.find(key(7, 2))
    write('onnx/trunc_in_header.onnx', good[:3])
    write('onnx/trunc_in_graph.onnx', good[:graph_at + 20])
    cut = good.find(struct.pack('<f', -2.0))
    write('onnx/trunc_in_initializer.onnx', good[:cut])
    body = onnx_good_body()
    write('onnx/length_past_end.onnx', f_varint(1, 8) + key(7, 2) + varint(len(body) + 4096) + body)
    write('onnx/wrong_wire_type.onnx', f_varint(1, 8) + key(7, 0) + varint(3))
    write('onnx/no_graph.onnx', f_varint(1, 8) + f_bytes(8, f_bytes(1, '') + f_varint(2, 13)))
    # Dims and data: negative, overflowing, over the tensor limit, raw bytes of the wrong size,
    # rank over frost's limit, data kept in an external file (never read).
    def with_w(w):
        return onnx_model(onnx_node('Gemm', ['x', 'W', 'B'], ['h']) + onnx_node('Relu', ['h'], ['y']) +
                          f_bytes(5, w) + f_bytes(5, onnx_tensor('B', [3], floats=B)) +
                          f_bytes(11, onnx_value_info('x', ['N', 4])) +
                          f_bytes(12, onnx_value_info('y', ['N', 3])))
    write('onnx/negative_dim.onnx', with_w(onnx_tensor('W', [4, -3], raw=b'')))
    write('onnx/overflow_dims.onnx', with_w(onnx_tensor('W', [1 << 40, 1 << 40], raw=b'')))
    write('onnx/huge_tensor.onnx', with_w(onnx_tensor('W', [100000, 100000], raw=b'')))
    write('onnx/raw_size_mismatch.onnx', with_w(onnx_tensor('W', [4, 3], raw=b'\0' * 10)))
    write('onnx/rank_over_limit.onnx', with_w(onnx_tensor('W', [1] * 9, raw=b'\0' * 4)))
    write('onnx/external_data.onnx', with_w(onnx_tensor(
        'W', [4, 3], extra=f_bytes(13, f_bytes(1, 'location') + f_bytes(2, '/etc/passwd')) +
        f_varint(14, 1))))
    # Graph structure: dangling input, duplicate output names, duplicate initializers, a cycle,
    # an unsupported op, a graph output nobody produces.
    write('onnx/dangling_input.onnx', onnx_model(onnx_good_body(
        nodes=onnx_node('Gemm', ['x', 'W', 'B'], ['h']) + onnx_node('Relu', ['nowhere'], ['y']))))
    write('onnx/duplicate_output.onnx', onnx_model(onnx_good_body(
        nodes=onnx_node('Gemm', ['x', 'W', 'B'], ['h']) + onnx_node('Relu', ['h'], ['h'], name='r') +
        onnx_node('Relu', ['h'], ['y']))))
    write('onnx/duplicate_initializer.onnx', onnx_model(
        onnx_good_body() + f_bytes(5, onnx_tensor('W', [4, 3], raw=struct.pack('<12f', *W)))))
    write('onnx/cycle.onnx', onnx_model(onnx_good_body(
        nodes=onnx_node('Add', ['x', 'b'], ['a']) + onnx_node('Relu', ['a'], ['b']) +
        onnx_node('Relu', ['a'], ['y']))))
    write('onnx/unsupported_op.onnx', onnx_model(onnx_good_body(
        nodes=onnx_node('Gemm', ['x', 'W', 'B'], ['h']) + onnx_node('FancyNewOp', ['h'], ['y']))))
    write('onnx/output_without_producer.onnx', onnx_model(onnx_good_body(
        nodes=onnx_node('Gemm', ['x', 'W', 'B'], ['h']))))
    # Attributes: a list longer than max_attr_len, a perm of the wrong length, a negative opset.
    write('onnx/long_attr_list.onnx', onnx_model(onnx_good_body(
        nodes=onnx_node('Gemm', ['x', 'W', 'B'], ['h']) +
        onnx_node('Relu', ['h'], ['y'], attrs=onnx_attr_ints('junk', range(500))))))
    write('onnx/bad_perm.onnx', onnx_model(onnx_good_body(
        nodes=onnx_node('Gemm', ['x', 'W', 'B'], ['h']) +
        onnx_node('Transpose', ['h'], ['y'], attrs=onnx_attr_ints('perm', [0, 1, 2, 3, 4])))))
    write('onnx/too_many_nodes.onnx', good)
    # Planning: Gemm of [N,4] by a [5,3] weight; a big activation under the arena limit.
    write('onnx/gemm_shape_mismatch.onnx', with_w(onnx_tensor('W', [5, 3], raw=b'\0' * 60)))
    write('onnx/big_activation.onnx', onnx_model(
        onnx_node('Relu', ['x'], ['y']) + f_bytes(11, onnx_value_info('x', [1, 100000])) +
        f_bytes(12, onnx_value_info('y', [1, 100000]))))
    # Slice with a step of -(2^63 - 1): one element taken, but step x stride overflows (fuzz_onnx).
    i64 = lambda name, vals: f_bytes(5, onnx_tensor(name, [len(vals)], dtype=INT64,
                                                    raw=struct.pack('<%dq' % len(vals), *vals)))
    write('onnx/slice_huge_step.onnx', onnx_model(
        onnx_node('Slice', ['x', 'starts', 'ends', 'axes', 'steps'], ['y']) +
        i64('starts', [3]) + i64('ends', [-(1 << 63)]) + i64('axes', [1]) +
        i64('steps', [-(1 << 63) + 1]) +
        f_bytes(11, onnx_value_info('x', [2, 4])) + f_bytes(12, onnx_value_info('y', [2, 1]))))
    # A graph input whose element count overflows int64 (each dim alone is fine).
    big = (1 << 31) - 1
    write('onnx/input_numel_overflow.onnx', onnx_model(
        onnx_node('ReduceSum', ['x'], ['y'], attrs=onnx_attr_ints('axes', [1])) +
        f_bytes(11, onnx_value_info('x', [big, big, big])) +
        f_bytes(12, onnx_value_info('y', [big, 1, big])), opset=11))
    write('onnx/wrong_magic.onnx', b'GIF89a' + b'\0' * 26)
    # No known signature and no telling extension: format detection itself refuses it.
    write('run/wrong_magic.bin', b'GIF89a' + b'\0' * 26)

# ---- TF.js layers folders ---------------------------------------------------------------------
def tfjs_model(layers, weights, shard_bytes, paths=('weights.bin',), extra=None):
    topo = {'class_name': 'Sequential', 'config': {'name': 's', 'layers': layers}}
    m = {'format': 'layers-model', 'modelTopology': topo,
         'weightsManifest': [{'paths': list(paths), 'weights': weights}]}
    if extra:
        extra(m)
    return json.dumps(m).encode(), shard_bytes

INPUT = {'class_name': 'InputLayer', 'config': {'batch_input_shape': [None, 4], 'dtype': 'float32',
                                                 'name': 'x'}}
DENSE = {'class_name': 'Dense', 'config': {'name': 'dense', 'units': 3, 'activation': 'relu',
                                           'use_bias': True}}
DW = [{'name': 'dense/kernel', 'shape': [4, 3], 'dtype': 'float32'},
      {'name': 'dense/bias', 'shape': [3], 'dtype': 'float32'}]
DBYTES = struct.pack('<12f', *W) + struct.pack('<3f', *B)

def write_tfjs(name, model, shard, shard_name='weights.bin'):
    write('tfjs/%s/model.json' % name, model)
    if shard is not None:
        write('tfjs/%s/%s' % (name, shard_name), shard)

def gen_tfjs():
    write_tfjs('good', *tfjs_model([INPUT, DENSE], DW, DBYTES))
    m, _ = tfjs_model([INPUT, DENSE], DW, DBYTES)
    write_tfjs('trunc_json', m[:len(m) // 2], DBYTES)
    write_tfjs('short_shard', m, DBYTES[:40])
    write_tfjs('missing_shard', m, None)
    write_tfjs('shard_escapes_folder', *tfjs_model([INPUT, DENSE], DW, DBYTES,
                                                   paths=('../../tf/good.pb',)))
    write_tfjs('absolute_shard_path', *tfjs_model([INPUT, DENSE], DW, DBYTES,
                                                  paths=('/etc/passwd',)))
    neg = [dict(DW[0], shape=[4, -3]), DW[1]]
    write_tfjs('negative_dim', *tfjs_model([INPUT, DENSE], neg, DBYTES))
    huge = [dict(DW[0], shape=[1 << 40, 1 << 40]), DW[1]]
    write_tfjs('overflow_dims', *tfjs_model([INPUT, DENSE], huge, DBYTES))
    wrong = [dict(DW[0], shape=[5, 3]), DW[1]]
    write_tfjs('weight_shape_mismatch', *tfjs_model([INPUT, DENSE], wrong, DBYTES + b'\0' * 12))
    dt = [dict(DW[0], dtype='complex64'), DW[1]]
    write_tfjs('unknown_dtype', *tfjs_model([INPUT, DENSE], dt, DBYTES))
    dup = dict(DENSE)
    write_tfjs('duplicate_layer', *tfjs_model([INPUT, DENSE, dup], DW, DBYTES))
    unk = {'class_name': 'FancyNewLayer', 'config': {'name': 'fancy'}}
    write_tfjs('unsupported_layer', *tfjs_model([INPUT, DENSE, unk], DW, DBYTES))
    lam = {'class_name': 'Lambda', 'config': {'name': 'lam', 'function': 'lambda x: x'}}
    write_tfjs('lambda_layer', *tfjs_model([INPUT, lam], [], b''))
    # Functional graphs: a cycle and a dangling inbound node.
    def functional(layers, ins, outs):
        topo = {'class_name': 'Model', 'config': {'name': 'f', 'layers': layers,
                                                   'input_layers': ins, 'output_layers': outs}}
        return json.dumps({'format': 'layers-model', 'modelTopology': topo,
                           'weightsManifest': [{'paths': ['weights.bin'], 'weights': []}]}).encode()
    inp = {'class_name': 'InputLayer', 'name': 'x', 'inbound_nodes': [],
           'config': {'batch_input_shape': [None, 4], 'dtype': 'float32', 'name': 'x'}}
    def relu(name, src):
        return {'class_name': 'Activation', 'name': name,
                'config': {'name': name, 'activation': 'relu'},
                'inbound_nodes': [[[src, 0, 0, {}]]]}
    write_tfjs('cycle', functional([inp, relu('a', 'b'), relu('b', 'a')], [['x', 0, 0]],
                                   [['b', 0, 0]]), b'')
    write_tfjs('dangling_inbound', functional([inp, relu('a', 'nowhere')], [['x', 0, 0]],
                                              [['a', 0, 0]]), b'')
    deep = '[' * 100000 + ']' * 100000
    write_tfjs('deep_nesting', deep.encode(), b'')

# ---- Keras .h5 and .keras: byte-level damage to gen_corrupt_keras's good files ------------------
def gen_keras_bytes():
    h5 = open(os.path.join(HERE, 'keras_h5/good.h5'), 'rb').read()
    write('keras_h5/wrong_magic.h5', b'\x89HDX' + h5[4:])
    write('keras_h5/trunc_superblock.h5', h5[:40])
    write('keras_h5/trunc_half.h5', h5[:len(h5) // 2])
    write('keras_h5/trunc_last_bytes.h5', h5[:len(h5) - 64])
    # The superblock's end-of-file address pointing far past the end.
    bad = bytearray(h5)
    # v0 superblock: signature (8), versions and sizes (8), leaf/internal K and flags (8), then the
    # base, free-space and end-of-file addresses.
    eof_at = 8 + 8 + 8 + 8 + 8
    bad[eof_at:eof_at + 8] = struct.pack('<Q', 1 << 50)
    write('keras_h5/eof_past_end.h5', bytes(bad))
    zeroed = bytearray(h5)
    for i in range(96, len(zeroed), 7):
        zeroed[i] = 0xff
    write('keras_h5/scrambled.h5', bytes(zeroed))

    kz = open(os.path.join(HERE, 'keras_v3/good.keras'), 'rb').read()
    write('keras_v3/wrong_magic.keras', b'PK\x05\x06' + b'\0' * 18)
    write('keras_v3/trunc_central_dir.keras', kz[:len(kz) - 30])
    write('keras_v3/trunc_half.keras', kz[:len(kz) // 2])
    # A flipped byte inside the compressed weights: CRC mismatch.
    cfg_at = kz.find(b'model.weights.h5')
    flipped = bytearray(kz)
    flipped[cfg_at + 200] ^= 0x5a
    write('keras_v3/crc_mismatch.keras', bytes(flipped))
    # Zip bombs: an honest 64 MiB member (tiny when deflated), and one whose header claims 100
    # bytes while it inflates to 64 MiB.
    cfg = zipfile.ZipFile(io.BytesIO(kz)).read('config.json')
    meta = zipfile.ZipFile(io.BytesIO(kz)).read('metadata.json')
    def zip_of(members):
        out = io.BytesIO()
        with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:
            for n, d in members:
                z.writestr(n, d)
        return out.getvalue()
    write('keras_v3/bomb_weights.keras', zip_of([('metadata.json', meta), ('config.json', cfg),
                                                  ('model.weights.h5', b'\0' * (64 << 20))]))
    write('keras_v3/bomb_config.keras', zip_of([('metadata.json', meta),
                                                 ('config.json', b' ' * (80 << 20))]))
    liar = bytearray(zip_of([('metadata.json', meta), ('config.json', cfg),
                             ('model.weights.h5', b'\0' * (64 << 20))]))
    # Rewrite the weights member's declared uncompressed size (local header and central directory).
    name = b'model.weights.h5'
    for sig in (b'PK\x03\x04', b'PK\x01\x02'):
        at = 0
        while True:
            at = liar.find(sig, at)
            if at < 0:
                break
            off = 22 if sig == b'PK\x03\x04' else 24
            nlen_at = 26 if sig == b'PK\x03\x04' else 28
            nlen = struct.unpack('<H', liar[at + nlen_at:at + nlen_at + 2])[0]
            hdr = 30 if sig == b'PK\x03\x04' else 46
            if liar[at + hdr:at + hdr + nlen] == name:
                liar[at + off:at + off + 4] = struct.pack('<I', 100)
            at += 4
    write('keras_v3/bomb_lying_size.keras', bytes(liar))
    write('keras_v3/no_config.keras', zip_of([('metadata.json', meta)]))
    write('keras_v3/config_not_json.keras', zip_of([('metadata.json', meta),
                                                     ('config.json', b'{"class_name": ')]))

if __name__ == '__main__':
    gen_tf()
    gen_onnx()
    gen_tfjs()
    if os.path.exists(os.path.join(HERE, 'keras_h5/good.h5')):
        gen_keras_bytes()
    else:
        print('gen_corrupt.py: run gen_corrupt_keras first for the .h5/.keras files', file=sys.stderr)

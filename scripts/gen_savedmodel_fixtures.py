#!/usr/bin/python3
"""gen_savedmodel_fixtures.py — writes the SavedModel / TF1 checkpoint fixtures of
tests/data/savedmodel without TensorFlow: the checkpoint index is a LevelDB-format table written
from its specification (LevelDB's doc/table_format.md: prefix-compressed blocks with restart
points, 5-byte block trailers with the masked CRC-32C, an index block of block handles, the 48-byte
footer with the magic number), its values BundleEntryProto records and the graphs MetaGraphDef /
SavedModel protobufs encoded by hand with TensorFlow's field numbers.

The writer is checked against TensorFlow's own output: when ../shared/testdata/real/savedmodel is
present, every variables.index there is parsed by the reader below, its entries written again by
the writer, and the bytes must come out identical (both real files hold one data block).

Fixtures (each small; expected outputs computed here with numpy in float64, then float32):
  tf1_meta/       TF1 Saver layout: model.ckpt-7.meta, checkpoint, model.ckpt-7.index and two data
                  shards; variables restored under keys that differ from their node names
                  (dense/W -> layer1/kernel), a training op to prune, no signatures
  multi_signature/ a SavedModelBuilder-style SavedModel (variables/ split over 2 shards, Snappy-
                  compressed index block) with signatures serving_default, predict_images and
                  classify (serialized tf.Example strings: must be refused by name)
  tf2_functions/  a TF2-style SavedModel: VarHandleOp variables restored by a restore function,
                  a signature wrapper calling the model function, nested PartitionedCall,
                  ResourceGather, StatelessIf on a constant; signature `loop` runs a While loop
  tf2_object_graph/ tf2_functions without its restore function: the object graph names the keys
  rnn_loop/       a Keras-style recurrent layer: a while_v2 loop over TensorLists with a static
                  trip count (unrolled), and signature `dynamic` with sequences of unknown length
  corrupt/        damaged copies of the tf1_meta index and data (see the list at the end)

usage: /usr/bin/python3 scripts/gen_savedmodel_fixtures.py [OUT_DIR]
"""
import os
import struct
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'tests', 'data', 'savedmodel')
SHARED = os.path.join(ROOT, '..', 'shared', 'testdata', 'real', 'savedmodel')

# ---- CRC-32C -----------------------------------------------------------------------------------
_CRC_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ (0x82F63B78 if _c & 1 else 0)
    _CRC_TABLE.append(_c)


def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    for b in data:
        crc = (crc >> 8) ^ _CRC_TABLE[(crc ^ b) & 0xFF]
    return crc ^ 0xFFFFFFFF


def mask(crc):
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


# ---- protobuf wire format ------------------------------------------------------------------------
def varint(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def f_varint(field, v):
    return varint(field << 3) + varint(v)


def f_bytes(field, b):
    if isinstance(b, str):
        b = b.encode()
    return varint(field << 3 | 2) + varint(len(b)) + b


def f_fixed32(field, v):
    return varint(field << 3 | 5) + struct.pack('<I', v)


def read_varint(buf, pos):
    v, shift = 0, 0
    while True:
        b = buf[pos]
        pos += 1
        v |= (b & 0x7F) << shift
        if not b & 0x80:
            return v, pos
        shift += 7


# ---- TensorFlow messages (field numbers from tensorflow/core/{framework,protobuf}/*.proto) -------
DT = {'float32': 1, 'float64': 2, 'int32': 3, 'uint8': 4, 'string': 7, 'int64': 9, 'bool': 10,
      'resource': 20, 'variant': 21}


def shape_proto(dims):
    if dims is None:
        return f_varint(3, 1)
    return b''.join(f_bytes(2, f_varint(1, d)) for d in dims)


def tensor_proto(arr=None, strings=None):
    if strings is not None:
        return (f_varint(1, DT['string']) + f_bytes(2, shape_proto([len(strings)])) +
                b''.join(f_bytes(8, s) for s in strings))
    arr = np.array(arr, order='C')  # (np.ascontiguousarray would make a scalar 1-D)
    return (f_varint(1, DT[str(arr.dtype)]) + f_bytes(2, shape_proto(list(arr.shape))) +
            f_bytes(4, arr.tobytes()))


def attr(value_kind, v):
    # AttrValue: list 1, s 2, i 3, f 4, b 5, type 6, shape 7, tensor 8, func 10
    if value_kind == 'type':
        return f_varint(6, v)
    if value_kind == 'shape':
        return f_bytes(7, shape_proto(v))
    if value_kind == 'tensor':
        return f_bytes(8, v)
    if value_kind == 'types':
        return f_bytes(1, f_bytes(6, b''.join(varint(t) for t in v)))
    if value_kind == 's':
        return f_bytes(2, v)
    if value_kind == 'b':
        return f_varint(5, 1 if v else 0)
    if value_kind == 'i':
        return f_varint(3, v)
    if value_kind == 'func':
        return f_bytes(10, f_bytes(1, v))
    if value_kind == 'tensor_bool':
        return f_bytes(8, f_varint(1, DT['bool']) + f_bytes(2, b'') + f_bytes(11, varint(1 if v else 0)))
    raise ValueError(value_kind)


def node(name, op, inputs=(), **attrs):
    out = f_bytes(1, name) + f_bytes(2, op)
    for i in inputs:
        out += f_bytes(3, i)
    for k in sorted(attrs):
        out += f_bytes(5, f_bytes(1, k) + f_bytes(2, attr(*attrs[k])))
    return out


def const(name, arr=None, strings=None):
    t = tensor_proto(arr, strings)
    dt = DT['string'] if strings is not None else DT[str(np.asarray(arr).dtype)]
    return node(name, 'Const', dtype=('type', dt), value=('tensor', t))


def tensor_info(name, dtype, dims):
    return f_bytes(1, name) + f_varint(2, DT[dtype]) + f_bytes(3, shape_proto(dims))


def signature(inputs, outputs, method='tensorflow/serving/predict'):
    out = b''
    for key, info in inputs:
        out += f_bytes(1, f_bytes(1, key) + f_bytes(2, info))
    for key, info in outputs:
        out += f_bytes(2, f_bytes(1, key) + f_bytes(2, info))
    return out + f_bytes(3, method)


def arg_def(name, type_attr=None, type_list_attr=None, dtype=None):
    out = f_bytes(1, name)
    if dtype is not None:
        out += f_varint(3, dtype)
    if type_attr:
        out += f_bytes(4, type_attr)
    if type_list_attr:
        out += f_bytes(6, type_list_attr)
    return out


def op_def(name, inputs, outputs):
    """OpDef: inputs/outputs are ArgDef encodings."""
    return f_bytes(1, name) + b''.join(f_bytes(2, a) for a in inputs) + b''.join(f_bytes(3, a) for a in outputs)


def function(name, args, results, body, rets):
    """FunctionDef: args/results (name, dtype); body NodeDefs in the function input format;
    rets {result name: "node:out_arg:k"}."""
    sig = op_def(name, [arg_def(a, dtype=DT[t]) for a, t in args],
                 [arg_def(r, dtype=DT[t]) for r, t in results])
    out = f_bytes(1, sig) + b''.join(f_bytes(3, n) for n in body)
    for k in sorted(rets):
        out += f_bytes(4, f_bytes(1, k) + f_bytes(2, rets[k]))
    return out


def meta_graph(nodes, tags=('serve',), signatures=(), restore_op='save/restore_all', functions=(),
               op_list=()):
    info = (b''.join(f_bytes(4, t) for t in tags) + f_bytes(5, '1.15.0') +
            (f_bytes(2, b''.join(f_bytes(1, o) for o in op_list)) if op_list else b''))
    library = f_bytes(2, b''.join(f_bytes(1, fn) for fn in functions)) if functions else b''
    graph = b''.join(f_bytes(1, n) for n in nodes) + library + f_bytes(4, f_varint(1, 134))
    saver = f_bytes(1, 'save/Const:0') + f_bytes(2, 'save/control_dependency:0') + f_bytes(3, restore_op)
    out = f_bytes(1, info) + f_bytes(2, graph) + f_bytes(3, saver)
    for key, sig in signatures:
        out += f_bytes(5, f_bytes(1, key) + f_bytes(2, sig))
    return out


def saved_model(meta):
    return f_varint(1, 1) + f_bytes(2, meta)


# ---- tensor bundle: BundleEntryProto and the LevelDB table ---------------------------------------
def bundle_entry(dtype, dims, shard, offset, size, crc):
    out = f_varint(1, dtype) + f_bytes(2, shape_proto(dims))
    if shard:
        out += f_varint(3, shard)
    if offset:
        out += f_varint(4, offset)
    out += f_varint(5, size) + f_fixed32(6, mask(crc))
    return out


def bundle_header(num_shards):
    return f_varint(1, num_shards) + f_bytes(3, f_varint(1, 1))  # version { producer: 1 }


def snappy_compress(data):
    """A valid Snappy stream: literals, and 2-byte-offset copies for repeats found greedily."""
    out = bytearray(varint(len(data)))
    table, i, lit = {}, 0, 0

    def literal(a, b):
        n = b - a
        while n > 0:
            k = min(n, 60)
            out.append((k - 1) << 2)
            out.extend(data[a:a + k])
            a += k
            n -= k

    while i + 4 <= len(data):
        key = data[i:i + 4]
        j = table.get(key)
        table[key] = i
        if j is not None and i - j < 65536:
            n = 4
            while i + n < len(data) and data[j + n] == data[i + n] and n < 64:
                n += 1
            literal(lit, i)
            out.append(((n - 1) << 2) | 2)
            out.extend(struct.pack('<H', i - j))
            i += n
            lit = i
        else:
            i += 1
    literal(lit, len(data))
    return bytes(out)


def block(entries, restart_interval=16):
    out, restarts, prev = bytearray(), [], b''
    for n, (k, v) in enumerate(entries):
        shared = 0
        if n % restart_interval == 0:
            restarts.append(len(out))
        else:
            while shared < min(len(prev), len(k)) and prev[shared] == k[shared]:
                shared += 1
        out += varint(shared) + varint(len(k) - shared) + varint(len(v)) + k[shared:] + v
        prev = k
    if not restarts:
        restarts = [0]
    for r in restarts:
        out += struct.pack('<I', r)
    return bytes(out + struct.pack('<I', len(restarts)))


def short_successor(key):
    for i, b in enumerate(key):
        if b != 0xFF:
            return key[:i] + bytes([b + 1])
    return key


def table(entries, compress=False, block_bytes=1 << 30):
    """entries: sorted (key bytes, value bytes). One data block unless block_bytes splits them."""
    out, index = bytearray(), []

    def put(raw):
        kind = 0
        if compress:
            raw, kind = snappy_compress(raw), 1
        handle = varint(len(out)) + varint(len(raw))
        out.extend(raw)
        out.append(kind)
        out.extend(struct.pack('<I', mask(crc32c(bytes([kind]), crc32c(raw)))))
        return handle

    pending = []
    for k, v in entries:
        pending.append((k, v))
        if sum(len(a) + len(b) for a, b in pending) >= block_bytes:
            index.append((pending[-1][0], put(block(pending))))
            pending = []
    if pending:
        index.append((pending[-1][0], put(block(pending))))
    index = [(short_successor(k), h) for k, h in index]
    compress_data, compress = compress, False  # index and metaindex stay uncompressed
    meta_handle = put(block([]))
    index_handle = put(block(index))
    compress = compress_data
    footer = meta_handle + index_handle
    footer += b'\0' * (40 - len(footer)) + struct.pack('<Q', 0xDB4775248B80FB57)
    return bytes(out + footer)


def read_table(data):
    """(key, value) pairs of a table, checking every CRC (the reference reader for the check)."""
    footer = data[-48:]
    assert struct.unpack('<Q', footer[40:])[0] == 0xDB4775248B80FB57
    _, p = read_varint(footer, 0)
    _, p = read_varint(footer, p)
    off, p = read_varint(footer, p)
    size, p = read_varint(footer, p)

    def blk(off, size):
        raw, kind = data[off:off + size], data[off + size]
        assert mask(crc32c(bytes([kind]), crc32c(raw))) == struct.unpack('<I', data[off + size + 1:off + size + 5])[0]
        assert kind == 0, 'compressed blocks: not needed for the check'
        n = struct.unpack('<I', raw[-4:])[0]
        end, pos, key, out = len(raw) - 4 - 4 * n, 0, b'', []
        while pos < end:
            shared, pos = read_varint(raw, pos)
            unshared, pos = read_varint(raw, pos)
            vlen, pos = read_varint(raw, pos)
            key = key[:shared] + raw[pos:pos + unshared]
            pos += unshared
            out.append((key, raw[pos:pos + vlen]))
            pos += vlen
        return out

    entries = []
    for _, handle in blk(off, size):
        o, p = read_varint(handle, 0)
        s, p = read_varint(handle, p)
        entries += blk(o, s)
    return entries


def write_bundle(prefix, tensors, num_shards=1, compress=False):
    """tensors: {key: np.ndarray}, spread round-robin over the shards in key order."""
    os.makedirs(os.path.dirname(prefix), exist_ok=True)
    shards = [bytearray() for _ in range(num_shards)]
    entries = [(b'', bundle_header(num_shards))]
    for n, key in enumerate(sorted(tensors)):
        arr = np.ascontiguousarray(tensors[key])
        s = n % num_shards
        raw = arr.tobytes()
        entries.append((key.encode(), bundle_entry(DT[str(arr.dtype)], list(arr.shape), s,
                                                    len(shards[s]), len(raw), crc32c(raw))))
        shards[s] += raw
    with open(prefix + '.index', 'wb') as f:
        f.write(table(entries, compress=compress))
    for s in range(num_shards):
        with open('%s.data-%05d-of-%05d' % (prefix, s, num_shards), 'wb') as f:
            f.write(bytes(shards[s]))


def check_against_tensorflow():
    if not os.path.isdir(SHARED):
        print('gen_savedmodel_fixtures: %s absent: writer not checked against TensorFlow files' % SHARED)
        return
    for dirpath, _, files in sorted(os.walk(SHARED)):
        for name in files:
            if not name.endswith('.index'):
                continue
            path = os.path.join(dirpath, name)
            real = open(path, 'rb').read()
            entries = read_table(real)
            mine = table(entries)
            assert mine == real, 'writer differs from TensorFlow on ' + path
            print('gen_savedmodel_fixtures: writer reproduces %s byte for byte (%d entries)'
                  % (os.path.relpath(path, ROOT), len(entries)))


# ---- the fixtures --------------------------------------------------------------------------------
def save(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)


def tf1_graph(x_name='x'):
    """x [-1,4] -> relu(x @ W + b) @ V + c -> softmax; W,b,V,c are VariableV2 restored by save/."""
    keys = {'dense/W': 'layer1/kernel', 'dense/b': 'layer1/bias', 'out/V': 'layer2/kernel',
            'out/c': 'layer2/bias'}
    shapes = {'dense/W': [4, 5], 'dense/b': [5], 'out/V': [5, 3], 'out/c': [3]}
    nodes = [node(x_name, 'Placeholder', dtype=('type', 1), shape=('shape', [-1, 4]))]
    for var, dims in shapes.items():
        nodes.append(node(var, 'VariableV2', dtype=('type', 1), shape=('shape', dims),
                          container=('s', ''), shared_name=('s', '')))
        nodes.append(node(var + '/read', 'Identity', [var], T=('type', 1)))
    nodes += [
        node('dense/MatMul', 'MatMul', [x_name, 'dense/W/read'], T=('type', 1),
             transpose_a=('b', False), transpose_b=('b', False)),
        node('dense/BiasAdd', 'BiasAdd', ['dense/MatMul', 'dense/b/read'], T=('type', 1)),
        node('dense/Relu', 'Relu', ['dense/BiasAdd'], T=('type', 1)),
        node('out/MatMul', 'MatMul', ['dense/Relu', 'out/V/read'], T=('type', 1),
             transpose_a=('b', False), transpose_b=('b', False)),
        node('out/add', 'Add', ['out/MatMul', 'out/c/read'], T=('type', 1)),
        node('probs', 'Softmax', ['out/add'], T=('type', 1)),
        # Training leftovers the freeze must prune.
        const('lr', np.array(0.1, np.float32)),
        node('train/ApplyGradientDescent', 'ApplyGradientDescent', ['dense/W', 'lr', 'dense/W/read'],
             T=('type', 1), use_locking=('b', False)),
    ]
    names = sorted(keys)
    nodes += [
        node('save/Const', 'Const', dtype=('type', 7), value=('tensor', tensor_proto(strings=[b'model']))),
        const('save/RestoreV2/tensor_names', strings=[keys[v].encode() for v in names]),
        const('save/RestoreV2/shape_and_slices', strings=[b''] * len(names)),
        node('save/RestoreV2', 'RestoreV2', ['save/Const', 'save/RestoreV2/tensor_names',
                                            'save/RestoreV2/shape_and_slices'],
             dtypes=('types', [1] * len(names))),
    ]
    for k, v in enumerate(names):
        nodes.append(node('save/Assign_%d' % k, 'Assign', [v, 'save/RestoreV2:%d' % k], T=('type', 1),
                          use_locking=('b', True), validate_shape=('b', True)))
    nodes.append(node('save/restore_all', 'NoOp', ['^save/Assign_%d' % k for k in range(len(names))]))
    rng = np.random.RandomState(7)
    values = {keys[v]: rng.standard_normal(shapes[v]).astype(np.float32) for v in names}
    return nodes, values


def expected(values, x):
    h = np.maximum(x.astype(np.float64) @ values['layer1/kernel'] + values['layer1/bias'], 0)
    z = h @ values['layer2/kernel'] + values['layer2/bias']
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def main():
    check_against_tensorflow()
    x = np.random.RandomState(3).uniform(-1, 1, (6, 4)).astype(np.float32)

    # TF1 Saver checkpoint: .meta + checkpoint + index + 2 shards.
    d = os.path.join(OUT, 'tf1_meta')
    nodes, values = tf1_graph()
    save(os.path.join(d, 'model.ckpt-7.meta'), meta_graph(nodes, tags=()))
    save(os.path.join(d, 'checkpoint'),
         b'model_checkpoint_path: "/tmp/train/model.ckpt-7"\n'
         b'all_model_checkpoint_paths: "/tmp/train/model.ckpt-7"\n')
    write_bundle(os.path.join(d, 'model.ckpt-7'), values, num_shards=2)
    np.save(os.path.join(d, 'input.npy'), x)
    np.save(os.path.join(d, 'expected.npy'), expected(values, x))

    # SavedModelBuilder-style SavedModel with three signatures, one taking tf.Example strings.
    d = os.path.join(OUT, 'multi_signature')
    nodes, values = tf1_graph()
    nodes += [
        node('tf_example', 'Placeholder', dtype=('type', 7), shape=('shape', [-1])),
        node('ParseExample/ParseExampleV2', 'ParseExampleV2', ['tf_example'],
             Tdense=('types', [1]), num_sparse=('i', 0)),
        node('classify/x', 'Identity', ['ParseExample/ParseExampleV2'], T=('type', 1)),
    ]
    xi = tensor_info('x:0', 'float32', [-1, 4])
    yi = tensor_info('probs:0', 'float32', [-1, 3])
    sigs = [
        ('classify', signature([('inputs', tensor_info('tf_example:0', 'string', [-1]))],
                               [('scores', yi)], 'tensorflow/serving/classify')),
        ('predict_images', signature([('images', xi)], [('scores', yi)])),
        ('serving_default', signature([('x', xi)], [('probs', yi), ('logits', tensor_info('out/add:0', 'float32', [-1, 3]))])),
    ]
    save(os.path.join(d, 'saved_model.pb'), saved_model(meta_graph(nodes, signatures=sigs)))
    write_bundle(os.path.join(d, 'variables', 'variables'), values, num_shards=2, compress=True)
    np.save(os.path.join(d, 'input.npy'), x)
    np.save(os.path.join(d, 'expected.npy'), expected(values, x))
    z = x.astype(np.float64)
    h = np.maximum(z @ values['layer1/kernel'] + values['layer1/bias'], 0)
    np.save(os.path.join(d, 'expected_logits.npy'),
            (h @ values['layer2/kernel'] + values['layer2/bias']).astype(np.float32))

    # TF2-style SavedModel: resource variables, a signature wrapper calling the model function,
    # nested PartitionedCall, ResourceGather, a StatelessIf on a constant, a restore function; and
    # a second signature whose path runs a While loop (must be refused naming it).
    d = os.path.join(OUT, 'tf2_functions')
    F, I, R, S = DT['float32'], DT['int32'], DT['resource'], DT['string']
    rng = np.random.RandomState(11)
    emb = rng.standard_normal((10, 3)).astype(np.float32)
    kernel = rng.standard_normal((4, 3)).astype(np.float32)
    keys = ['model/emb/.ATTRIBUTES/VARIABLE_VALUE', 'model/kernel/.ATTRIBUTES/VARIABLE_VALUE']
    call = lambda name, op, inputs, f, tin, tout: node(name, op, inputs, f=('func', f),
                                                       Tin=('types', tin), Tout=('types', tout))
    functions = [
        function('__inference_signature_wrapper_10', [('x', 'float32'), ('ids', 'int32'),
                 ('emb_res', 'resource'), ('k_res', 'resource')], [('identity', 'float32')],
                 [call('StatefulPartitionedCall', 'StatefulPartitionedCall',
                       ['x', 'ids', 'emb_res', 'k_res'], '__inference_model_20', [F, I, R, R], [F]),
                  node('Identity', 'Identity', ['StatefulPartitionedCall:output:0', '^NoOp'], T=('type', F)),
                  node('NoOp', 'NoOp')],
                 {'identity': 'Identity:output:0'}),
        function('__inference_model_20', [('x', 'float32'), ('ids', 'int32'), ('emb_res', 'resource'),
                 ('k_res', 'resource')], [('identity', 'float32')],
                 [node('MatMul/ReadVariableOp', 'ReadVariableOp', ['k_res'], dtype=('type', F)),
                  node('MatMul', 'MatMul', ['x', 'MatMul/ReadVariableOp:value:0'], T=('type', F),
                       transpose_a=('b', False), transpose_b=('b', False)),
                  node('embedding_lookup', 'ResourceGather', ['emb_res', 'ids'], dtype=('type', F),
                       Tindices=('type', I), batch_dims=('i', 0), validate_indices=('b', True)),
                  const('Sum/reduction_indices', np.array(1, np.int32)),
                  node('Sum', 'Sum', ['embedding_lookup:output:0', 'Sum/reduction_indices:output:0'],
                       T=('type', F), Tidx=('type', I), keep_dims=('b', False)),
                  node('pred', 'Const', dtype=('type', DT['bool']), value=('tensor_bool', True)),
                  node('cond', 'StatelessIf', ['pred:output:0', 'MatMul:product:0', 'Sum:output:0'],
                       Tcond=('type', DT['bool']), Tin=('types', [F, F]), Tout=('types', [F]),
                       then_branch=('func', '__inference_add_30'), else_branch=('func', '__inference_sub_31')),
                  call('act', 'PartitionedCall', ['cond:output:0'], '__inference_relu_40', [F], [F]),
                  node('Identity', 'Identity', ['act:output:0'], T=('type', F))],
                 {'identity': 'Identity:output:0'}),
        function('__inference_add_30', [('a', 'float32'), ('b', 'float32')], [('identity', 'float32')],
                 [node('add', 'AddV2', ['a', 'b'], T=('type', F))], {'identity': 'add:z:0'}),
        function('__inference_sub_31', [('a', 'float32'), ('b', 'float32')], [('identity', 'float32')],
                 [node('sub', 'Sub', ['a', 'b'], T=('type', F))], {'identity': 'sub:z:0'}),
        function('__inference_relu_40', [('a', 'float32')], [('identity', 'float32')],
                 [node('Relu', 'Relu', ['a'], T=('type', F))], {'identity': 'Relu:activations:0'}),
        function('__inference__traced_restore_50', [('file_prefix', 'string'), ('r0', 'resource'),
                 ('r1', 'resource')], [('identity', 'string')],
                 [const('RestoreV2/tensor_names', strings=[k.encode() for k in keys]),
                  const('RestoreV2/shape_and_slices', strings=[b'', b'']),
                  node('RestoreV2', 'RestoreV2', ['file_prefix', 'RestoreV2/tensor_names:output:0',
                                                  'RestoreV2/shape_and_slices:output:0'],
                       dtypes=('types', [F, F])),
                  node('Identity_1', 'Identity', ['RestoreV2:tensors:0'], T=('type', F)),
                  node('AssignVariableOp', 'AssignVariableOp', ['r0', 'Identity_1:output:0'], dtype=('type', F)),
                  node('Identity_2', 'Identity', ['RestoreV2:tensors:1'], T=('type', F)),
                  node('AssignVariableOp_1', 'AssignVariableOp', ['r1', 'Identity_2:output:0'], dtype=('type', F)),
                  node('Identity_3', 'Identity', ['file_prefix', '^AssignVariableOp', '^AssignVariableOp_1'],
                       T=('type', S))],
                 {'identity': 'Identity_3:output:0'}),
        function('__inference_loop_60', [('x', 'float32')], [('identity', 'float32')],
                 [const('zero', np.array(0, np.int32)),
                  node('while', 'StatelessWhile', ['zero:output:0', 'x'], T=('types', [I, F]),
                       cond=('func', '__inference_while_cond_61'), body=('func', '__inference_while_body_62')),
                  node('Identity', 'Identity', ['while:output:1'], T=('type', F))],
                 {'identity': 'Identity:output:0'}),
        # A loop whose trip count is the batch size: not known at load.
        function('__inference_while_cond_61', [('i', 'int32'), ('x', 'float32')], [('identity', 'bool')],
                 [node('Shape', 'Shape', ['x'], T=('type', F), out_type=('type', I)),
                  const('stack', np.array([0], np.int32)), const('stack_1', np.array([1], np.int32)),
                  node('n', 'StridedSlice', ['Shape:output:0', 'stack:output:0', 'stack_1:output:0',
                       'stack_1:output:0'], T=('type', I), Index=('type', I), shrink_axis_mask=('i', 1)),
                  node('Less', 'Less', ['i', 'n:output:0'], T=('type', I))],
                 {'identity': 'Less:z:0'}),
        function('__inference_while_body_62', [('i', 'int32'), ('x', 'float32')],
                 [('i_out', 'int32'), ('x_out', 'float32')],
                 [const('one', np.array(1, np.int32)),
                  node('add', 'AddV2', ['i', 'one:output:0'], T=('type', I)),
                  node('double', 'AddV2', ['x', 'x'], T=('type', F))],
                 {'i_out': 'add:z:0', 'x_out': 'double:z:0'}),
    ]
    op_list = [
        op_def('RestoreV2', [arg_def('prefix', dtype=S), arg_def('tensor_names', dtype=S),
                             arg_def('shape_and_slices', dtype=S)],
               [arg_def('tensors', type_list_attr='dtypes')]),
        op_def('StatelessIf', [arg_def('cond', type_attr='Tcond'), arg_def('input', type_list_attr='Tin')],
               [arg_def('output', type_list_attr='Tout')]),
        op_def('StatelessWhile', [arg_def('input', type_list_attr='T')], [arg_def('output', type_list_attr='T')]),
        op_def('MatMul', [arg_def('a', type_attr='T'), arg_def('b', type_attr='T')], [arg_def('product', type_attr='T')]),
    ]
    nodes = [
        node('emb', 'VarHandleOp', dtype=('type', F), shape=('shape', [10, 3]), shared_name=('s', 'emb'),
             container=('s', '')),
        node('kernel', 'VarHandleOp', dtype=('type', F), shape=('shape', [4, 3]), shared_name=('s', 'kernel'),
             container=('s', '')),
        node('serving_default_x', 'Placeholder', dtype=('type', F), shape=('shape', [-1, 4])),
        node('serving_default_ids', 'Placeholder', dtype=('type', I), shape=('shape', [-1, 2])),
        call('StatefulPartitionedCall', 'StatefulPartitionedCall',
             ['serving_default_x', 'serving_default_ids', 'emb', 'kernel'], '__inference_signature_wrapper_10',
             [F, I, R, R], [F]),
        node('loop_x', 'Placeholder', dtype=('type', F), shape=('shape', [-1, 4])),
        call('StatefulPartitionedCall_1', 'PartitionedCall', ['loop_x'], '__inference_loop_60', [F], [F]),
        node('saver_filename', 'Placeholder', dtype=('type', S), shape=('shape', [])),
        call('StatefulPartitionedCall_2', 'StatefulPartitionedCall', ['saver_filename', 'emb', 'kernel'],
             '__inference__traced_restore_50', [S, R, R], [S]),
    ]
    sigs = [
        ('loop', signature([('x', tensor_info('loop_x:0', 'float32', [-1, 4]))],
                           [('y', tensor_info('StatefulPartitionedCall_1:0', 'float32', [-1, 4]))])),
        ('serving_default', signature([('x', tensor_info('serving_default_x:0', 'float32', [-1, 4])),
                                       ('ids', tensor_info('serving_default_ids:0', 'int32', [-1, 2]))],
                                      [('out', tensor_info('StatefulPartitionedCall:0', 'float32', [-1, 3]))])),
    ]
    save(os.path.join(d, 'saved_model.pb'),
         saved_model(meta_graph(nodes, signatures=sigs, restore_op='StatefulPartitionedCall_2',
                                functions=functions, op_list=op_list)))
    write_bundle(os.path.join(d, 'variables', 'variables'), dict(zip(keys, [emb, kernel])))
    # The same without a restore function: the object graph (root -> model -> emb, kernel; the
    # variables also listed as root/variables/0, 1, visited later) names the checkpoint keys.
    d2 = os.path.join(OUT, 'tf2_object_graph')
    ref = lambda node_id, name: f_bytes(1, f_varint(1, node_id) + f_bytes(2, name))
    var = lambda name, dims: f_bytes(7, f_varint(1, F) + f_bytes(2, shape_proto(dims)) + f_bytes(6, name))
    objects = [ref(1, 'model') + ref(4, 'variables'), ref(2, 'emb') + ref(3, 'kernel'),
               var('emb', [10, 3]), var('kernel', [4, 3]), ref(2, '0') + ref(3, '1')]
    object_graph = b''.join(f_bytes(1, o) for o in objects)
    meta = meta_graph([n for n in nodes if b'traced_restore' not in n], signatures=sigs,
                      functions=functions, op_list=op_list) + f_bytes(7, object_graph)
    save(os.path.join(d2, 'saved_model.pb'), saved_model(meta))
    write_bundle(os.path.join(d2, 'variables', 'variables'), dict(zip(keys, [emb, kernel])))
    x2 = np.random.RandomState(5).uniform(-1, 1, (6, 4)).astype(np.float32)
    ids = np.random.RandomState(6).randint(0, 10, (6, 2)).astype(np.int32)
    np.save(os.path.join(d, 'x.npy'), x2)
    np.save(os.path.join(d, 'ids.npy'), ids)
    want = np.maximum(x2.astype(np.float64) @ kernel + emb[ids].astype(np.float64).sum(axis=1), 0)
    np.save(os.path.join(d, 'expected.npy'), want.astype(np.float32))
    np.save(os.path.join(d2, 'expected.npy'), want.astype(np.float32))

    # A Keras-style recurrent layer: while_v2 loop (loop counter, maximum_iterations, time) over
    # TensorLists (FromTensor of the time-major input, Reserve + SetItem for the outputs, Stack),
    # a simple RNN cell h = tanh(x W + h U + b) reading its weights inside the body; signature
    # `dynamic` feeds sequences of unknown length (must be refused: trip count not static).
    d = os.path.join(OUT, 'rnn_loop')
    T_, D_, U_, C_ = 5, 3, 4, 2
    V = DT['variant']
    i32 = lambda name, v: const(name, np.array(v, np.int32))
    while_types = [I, I, I, V, F, I, V, R, R, R]
    rnn_body = [
        node('TensorArrayV2Read/TensorListGetItem', 'TensorListGetItem',
             ['input_list', 'time', 'TensorArrayV2Read/element_shape:output:0'], element_dtype=('type', F)),
        i32('TensorArrayV2Read/element_shape', [-1, D_]),
        node('MatMul/ReadVariableOp', 'ReadVariableOp', ['kernel_res'], dtype=('type', F)),
        node('MatMul', 'MatMul', ['TensorArrayV2Read/TensorListGetItem:item:0', 'MatMul/ReadVariableOp:value:0'],
             T=('type', F), transpose_a=('b', False), transpose_b=('b', False)),
        node('MatMul_1/ReadVariableOp', 'ReadVariableOp', ['rec_res'], dtype=('type', F)),
        node('MatMul_1', 'MatMul', ['h', 'MatMul_1/ReadVariableOp:value:0'], T=('type', F),
             transpose_a=('b', False), transpose_b=('b', False)),
        node('add', 'AddV2', ['MatMul:product:0', 'MatMul_1:product:0'], T=('type', F)),
        node('BiasAdd/ReadVariableOp', 'ReadVariableOp', ['bias_res'], dtype=('type', F)),
        node('BiasAdd', 'BiasAdd', ['add:z:0', 'BiasAdd/ReadVariableOp:value:0'], T=('type', F)),
        node('Tanh', 'Tanh', ['BiasAdd:output:0'], T=('type', F)),
        node('TensorArrayV2Write/TensorListSetItem', 'TensorListSetItem', ['ta', 'time', 'Tanh:y:0'],
             element_dtype=('type', F)),
        i32('add_1/y', 1),
        node('add_1', 'AddV2', ['time', 'add_1/y:output:0'], T=('type', I)),
        i32('add_2/y', 1),
        node('add_2', 'AddV2', ['loop_counter', 'add_2/y:output:0'], T=('type', I)),
        node('Identity', 'Identity', ['add_2:z:0'], T=('type', I)),
        node('Identity_1', 'Identity', ['max_iter'], T=('type', I)),
        node('Identity_2', 'Identity', ['add_1:z:0'], T=('type', I)),
        node('Identity_3', 'Identity', ['TensorArrayV2Write/TensorListSetItem:output_handle:0'], T=('type', V)),
        node('Identity_4', 'Identity', ['Tanh:y:0'], T=('type', F)),
    ]
    loop_args = [('loop_counter', 'int32'), ('max_iter', 'int32'), ('time', 'int32'), ('ta', 'variant'),
                 ('h', 'float32'), ('len', 'int32'), ('input_list', 'variant'), ('kernel_res', 'resource'),
                 ('rec_res', 'resource'), ('bias_res', 'resource')]
    loop_results = [('identity', 'int32'), ('identity_1', 'int32'), ('identity_2', 'int32'),
                    ('identity_3', 'variant'), ('identity_4', 'float32'), ('len_out', 'int32'),
                    ('list_out', 'variant'), ('k_out', 'resource'), ('r_out', 'resource'), ('b_out', 'resource')]
    rnn_fn = [
        function('__inference_while_cond_71', loop_args, [('identity', 'bool')],
                 [node('Less', 'Less', ['time', 'len'], T=('type', I)),
                  node('Less_1', 'Less', ['loop_counter', 'max_iter'], T=('type', I)),
                  node('LogicalAnd', 'LogicalAnd', ['Less_1:z:0', 'Less:z:0']),
                  node('Identity', 'Identity', ['LogicalAnd:z:0'], T=('type', DT['bool']))],
                 {'identity': 'Identity:output:0'}),
        function('__inference_while_body_72', loop_args, loop_results, rnn_body,
                 {'identity': 'Identity:output:0', 'identity_1': 'Identity_1:output:0',
                  'identity_2': 'Identity_2:output:0', 'identity_3': 'Identity_3:output:0',
                  'identity_4': 'Identity_4:output:0', 'len_out': 'len', 'list_out': 'input_list',
                  'k_out': 'kernel_res', 'r_out': 'rec_res', 'b_out': 'bias_res'}),
        function('__inference_standard_rnn_70', [('inputs', 'float32'), ('kernel_res', 'resource'),
                 ('rec_res', 'resource'), ('bias_res', 'resource')], [('h', 'float32'), ('seq', 'float32')],
                 [i32('transpose/perm', [1, 0, 2]),
                  node('transpose', 'Transpose', ['inputs', 'transpose/perm:output:0'], T=('type', F), Tperm=('type', I)),
                  node('Shape', 'Shape', ['transpose:y:0'], T=('type', F), out_type=('type', I)),
                  i32('strided_slice/stack', [0]), i32('strided_slice/stack_1', [1]), i32('strided_slice/stack_2', [1]),
                  node('strided_slice', 'StridedSlice', ['Shape:output:0', 'strided_slice/stack:output:0',
                       'strided_slice/stack_1:output:0', 'strided_slice/stack_2:output:0'],
                       T=('type', I), Index=('type', I), shrink_axis_mask=('i', 1), begin_mask=('i', 0),
                       end_mask=('i', 0), ellipsis_mask=('i', 0), new_axis_mask=('i', 0)),
                  node('Shape_1', 'Shape', ['inputs'], T=('type', F), out_type=('type', I)),
                  node('strided_slice_1', 'StridedSlice', ['Shape_1:output:0', 'strided_slice/stack:output:0',
                       'strided_slice/stack_1:output:0', 'strided_slice/stack_2:output:0'],
                       T=('type', I), Index=('type', I), shrink_axis_mask=('i', 1), begin_mask=('i', 0),
                       end_mask=('i', 0), ellipsis_mask=('i', 0), new_axis_mask=('i', 0)),
                  i32('zeros/packed/1', U_),
                  node('zeros/packed', 'Pack', ['strided_slice_1:output:0', 'zeros/packed/1:output:0'],
                       N=('i', 2), T=('type', I), axis=('i', 0)),
                  const('zeros/Const', np.array(0, np.float32)),
                  node('zeros', 'Fill', ['zeros/packed:output:0', 'zeros/Const:output:0'], T=('type', F),
                       index_type=('type', I)),
                  i32('TensorArrayV2/element_shape', [-1, U_]),
                  node('TensorArrayV2', 'TensorListReserve', ['TensorArrayV2/element_shape:output:0',
                       'strided_slice:output:0'], element_dtype=('type', F), shape_type=('type', I)),
                  i32('TensorArrayUnstack/element_shape', [-1, D_]),
                  node('TensorArrayUnstack/TensorListFromTensor', 'TensorListFromTensor',
                       ['transpose:y:0', 'TensorArrayUnstack/element_shape:output:0'],
                       element_dtype=('type', F), shape_type=('type', I)),
                  i32('time', 0), i32('while/maximum_iterations', T_), i32('while/loop_counter', 0),
                  node('while', 'StatelessWhile', ['while/loop_counter:output:0',
                       'while/maximum_iterations:output:0', 'time:output:0', 'TensorArrayV2:handle:0',
                       'zeros:output:0', 'strided_slice:output:0',
                       'TensorArrayUnstack/TensorListFromTensor:output_handle:0', 'kernel_res', 'rec_res',
                       'bias_res'], T=('types', while_types), cond=('func', '__inference_while_cond_71'),
                       body=('func', '__inference_while_body_72'), parallel_iterations=('i', 32)),
                  i32('TensorArrayV2Stack/element_shape', [-1, U_]),
                  node('TensorArrayV2Stack/TensorListStack', 'TensorListStack', ['while:output:3',
                       'TensorArrayV2Stack/element_shape:output:0'], element_dtype=('type', F),
                       num_elements=('i', -1)),
                  node('transpose_1', 'Transpose', ['TensorArrayV2Stack/TensorListStack:tensor:0',
                       'transpose/perm:output:0'], T=('type', F), Tperm=('type', I))],
                 {'h': 'while:output:4', 'seq': 'transpose_1:y:0'}),
        function('__inference_model_80', [('x', 'float32'), ('k', 'resource'), ('r', 'resource'),
                 ('b', 'resource'), ('dk', 'resource'), ('db', 'resource')],
                 [('logits', 'float32'), ('seq', 'float32')],
                 [call('rnn', 'PartitionedCall', ['x', 'k', 'r', 'b'], '__inference_standard_rnn_70',
                       [F, R, R, R], [F, F]),
                  node('dense/MatMul/ReadVariableOp', 'ReadVariableOp', ['dk'], dtype=('type', F)),
                  node('dense/MatMul', 'MatMul', ['rnn:output:0', 'dense/MatMul/ReadVariableOp:value:0'],
                       T=('type', F), transpose_a=('b', False), transpose_b=('b', False)),
                  node('dense/BiasAdd/ReadVariableOp', 'ReadVariableOp', ['db'], dtype=('type', F)),
                  node('dense/BiasAdd', 'BiasAdd', ['dense/MatMul:product:0',
                       'dense/BiasAdd/ReadVariableOp:value:0'], T=('type', F))],
                 {'logits': 'dense/BiasAdd:output:0', 'seq': 'rnn:output:1'}),
    ]
    # An Embedding in front: the loop's length comes through a ResourceGather's static shape.
    rnn_fn.append(function('__inference_embedded_85', [('ids', 'int32'), ('emb', 'resource'), ('k', 'resource'),
                           ('r', 'resource'), ('b', 'resource'), ('dk', 'resource'), ('db', 'resource')],
                           [('logits', 'float32')],
                           [node('embedding/embedding_lookup', 'ResourceGather', ['emb', 'ids'], dtype=('type', F),
                                 Tindices=('type', I), batch_dims=('i', 0)),
                            node('embedding/Identity', 'Identity', ['embedding/embedding_lookup:output:0'], T=('type', F)),
                            call('model', 'PartitionedCall', ['embedding/Identity:output:0', 'k', 'r', 'b', 'dk', 'db'],
                                 '__inference_model_80', [F] + [R] * 5, [F, F])],
                           {'logits': 'model:output:0'}))
    rnn_keys = ['layer_with_weights-0/cell/bias/.ATTRIBUTES/VARIABLE_VALUE',
                'layer_with_weights-0/cell/kernel/.ATTRIBUTES/VARIABLE_VALUE',
                'layer_with_weights-0/cell/recurrent_kernel/.ATTRIBUTES/VARIABLE_VALUE',
                'layer_with_weights-1/bias/.ATTRIBUTES/VARIABLE_VALUE',
                'layer_with_weights-1/kernel/.ATTRIBUTES/VARIABLE_VALUE']
    rng = np.random.RandomState(13)
    W_ = (rng.standard_normal((D_, U_)) * 0.5).astype(np.float32)
    Ur = (rng.standard_normal((U_, U_)) * 0.5).astype(np.float32)
    b_ = (rng.standard_normal(U_) * 0.1).astype(np.float32)
    dk = rng.standard_normal((U_, C_)).astype(np.float32)
    db = rng.standard_normal(C_).astype(np.float32)
    embedding = rng.standard_normal((7, D_)).astype(np.float32)
    var_nodes = ['rnn/kernel', 'rnn/recurrent_kernel', 'rnn/bias', 'dense/kernel', 'dense/bias', 'embedding']
    var_shapes = [[D_, U_], [U_, U_], [U_], [U_, C_], [C_], [7, D_]]
    var_keys = [rnn_keys[1], rnn_keys[2], rnn_keys[0], rnn_keys[4], rnn_keys[3],
                'layer_with_weights-2/embeddings/.ATTRIBUTES/VARIABLE_VALUE']
    nv = len(var_nodes)
    restore = function('__inference__traced_restore_90', [('file_prefix', 'string')] +
                       [('r%d' % i, 'resource') for i in range(nv)], [('identity', 'string')],
                       [const('RestoreV2/tensor_names', strings=[k.encode() for k in var_keys]),
                        const('RestoreV2/shape_and_slices', strings=[b''] * nv),
                        node('RestoreV2', 'RestoreV2', ['file_prefix', 'RestoreV2/tensor_names:output:0',
                             'RestoreV2/shape_and_slices:output:0'], dtypes=('types', [F] * nv))] +
                       [node('AssignVariableOp_%d' % i, 'AssignVariableOp', ['r%d' % i, 'RestoreV2:tensors:%d' % i],
                             dtype=('type', F)) for i in range(nv)] +
                       [node('Identity', 'Identity', ['file_prefix'], T=('type', S))],
                       {'identity': 'Identity:output:0'})
    nodes = [node(v, 'VarHandleOp', dtype=('type', F), shape=('shape', sh), shared_name=('s', v), container=('s', ''))
             for v, sh in zip(var_nodes, var_shapes)]
    nodes += [
        node('serving_default_x', 'Placeholder', dtype=('type', F), shape=('shape', [-1, T_, D_])),
        call('StatefulPartitionedCall', 'StatefulPartitionedCall', ['serving_default_x'] + var_nodes[:5],
             '__inference_model_80', [F] + [R] * 5, [F, F]),
        node('dynamic_x', 'Placeholder', dtype=('type', F), shape=('shape', [-1, -1, D_])),
        call('StatefulPartitionedCall_1', 'StatefulPartitionedCall', ['dynamic_x'] + var_nodes[:5],
             '__inference_model_80', [F] + [R] * 5, [F, F]),
        node('embedded_ids', 'Placeholder', dtype=('type', I), shape=('shape', [-1, T_])),
        call('StatefulPartitionedCall_3', 'StatefulPartitionedCall', ['embedded_ids', 'embedding'] + var_nodes[:5],
             '__inference_embedded_85', [I] + [R] * 6, [F]),
        node('saver_filename', 'Placeholder', dtype=('type', S), shape=('shape', [])),
        call('StatefulPartitionedCall_2', 'StatefulPartitionedCall', ['saver_filename'] + var_nodes,
             '__inference__traced_restore_90', [S] + [R] * nv, [S]),
    ]
    sigs = [
        ('dynamic', signature([('x', tensor_info('dynamic_x:0', 'float32', [-1, -1, D_]))],
                              [('logits', tensor_info('StatefulPartitionedCall_1:0', 'float32', [-1, C_]))])),
        ('embedded', signature([('ids', tensor_info('embedded_ids:0', 'int32', [-1, T_]))],
                               [('logits', tensor_info('StatefulPartitionedCall_3:0', 'float32', [-1, C_]))])),
        ('serving_default', signature([('x', tensor_info('serving_default_x:0', 'float32', [-1, T_, D_]))],
                                      [('logits', tensor_info('StatefulPartitionedCall:0', 'float32', [-1, C_])),
                                       ('seq', tensor_info('StatefulPartitionedCall:1', 'float32', [-1, T_, U_]))])),
    ]
    loop_ops = [op_def('StatelessWhile', [arg_def('input', type_list_attr='T')], [arg_def('output', type_list_attr='T')])]
    save(os.path.join(d, 'saved_model.pb'),
         saved_model(meta_graph(nodes, signatures=sigs, restore_op='StatefulPartitionedCall_2',
                                functions=rnn_fn + [restore], op_list=loop_ops)))
    write_bundle(os.path.join(d, 'variables', 'variables'), dict(zip(var_keys, [W_, Ur, b_, dk, db, embedding])))
    xs = np.random.RandomState(17).uniform(-1, 1, (2, T_, D_)).astype(np.float32)
    h = np.zeros((2, U_))
    seq = []
    for t in range(T_):
        h = np.tanh(xs[:, t].astype(np.float64) @ W_ + h @ Ur + b_)
        seq.append(h)
    np.save(os.path.join(d, 'x.npy'), xs)
    ids = np.random.RandomState(19).randint(0, 7, (2, T_)).astype(np.int32)
    he = np.zeros((2, U_))
    for t in range(T_):
        he = np.tanh(embedding[ids[:, t]].astype(np.float64) @ W_ + he @ Ur + b_)
    np.save(os.path.join(d, 'ids.npy'), ids)
    np.save(os.path.join(d, 'expected_embedded.npy'), (he @ dk + db).astype(np.float32))
    np.save(os.path.join(d, 'expected_logits.npy'), (h @ dk + db).astype(np.float32))
    np.save(os.path.join(d, 'expected_seq.npy'), np.stack(seq, axis=1).astype(np.float32))

    # Damaged copies: each a checkpoint with one defect (the tests expect the named message).
    src = os.path.join(OUT, 'tf1_meta')
    index = open(os.path.join(src, 'model.ckpt-7.index'), 'rb').read()
    shard0 = open(os.path.join(src, 'model.ckpt-7.data-00000-of-00002'), 'rb').read()
    shard1 = open(os.path.join(src, 'model.ckpt-7.data-00001-of-00002'), 'rb').read()
    meta = open(os.path.join(src, 'model.ckpt-7.meta'), 'rb').read()
    cases = {
        'truncated_index': {'index': index[:len(index) - 20]},
        'bad_block_crc': {'index': index[:3] + bytes([index[3] ^ 0x40]) + index[4:]},
        'missing_shard': {'drop': 'model.ckpt-7.data-00001-of-00002'},
        'bad_data_crc': {'shard0': shard0[:5] + bytes([shard0[5] ^ 1]) + shard0[6:]},
        'truncated_data': {'shard1': shard1[:len(shard1) - 8]},
    }
    # Mismatched shape and dtype: the same index with one entry's record changed.
    entries = read_table(index)

    def rewrite(key, fn):
        out = []
        for k, v in entries:
            out.append((k, fn(v) if k == key else v))
        return table(out)

    def entry_fields(v):
        fields, pos = [], 0
        while pos < len(v):
            tag, pos = read_varint(v, pos)
            wt = tag & 7
            if wt == 0:
                val, pos = read_varint(v, pos)
                fields.append((tag, varint(val)))
            elif wt == 2:
                n, pos = read_varint(v, pos)
                fields.append((tag, varint(n) + v[pos:pos + n]))
                pos += n
            elif wt == 5:
                fields.append((tag, v[pos:pos + 4]))
                pos += 4
        return fields

    def set_field(v, field, payload):
        return b''.join(varint(t) + (payload if t >> 3 == field else p) for t, p in entry_fields(v))

    wrong_shape = shape_proto([5, 1])  # as many bytes as [5], so only the variable's shape disagrees
    cases['shape_mismatch'] = {'index': rewrite(b'layer1/bias', lambda v: set_field(
        v, 2, varint(len(wrong_shape)) + wrong_shape))}
    cases['dtype_mismatch'] = {'index': rewrite(b'layer1/bias', lambda v: set_field(v, 1, varint(3)))}
    for name, case in cases.items():
        d = os.path.join(OUT, 'corrupt', name)
        files = {'model.ckpt-7.meta': meta, 'model.ckpt-7.index': case.get('index', index),
                 'model.ckpt-7.data-00000-of-00002': case.get('shard0', shard0),
                 'model.ckpt-7.data-00001-of-00002': case.get('shard1', shard1)}
        for fname, data in files.items():
            if case.get('drop') != fname:
                save(os.path.join(d, fname), data)
            elif os.path.exists(os.path.join(d, fname)):
                os.remove(os.path.join(d, fname))
    print('gen_savedmodel_fixtures: wrote %s' % os.path.relpath(OUT, ROOT))


if __name__ == '__main__':
    main()

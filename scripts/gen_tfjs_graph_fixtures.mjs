// gen_tfjs_graph_fixtures.mjs — writes small TensorFlow.js *graph* models (model.json whose
// modelTopology is a GraphDef in JSON, plus binary weight shards) that exercise what frost's
// graph-model loader must honour, and computes their reference outputs with TensorFlow.js itself
// (tf.loadGraphModel on the files just written, pure-JS CPU backend, executeAsync).
//
// TF.js cannot save a graph model from JavaScript, so the GraphDef JSON is written here the way
// the TF.js converter writes it (attributes in protobuf's JSON encoding: base64 strings, int64 as
// strings). Each fixture folder holds the model, its shards and ref/: the inputs and the outputs as
// .npy, and run.tsv, the `frost run` invocation the ctest replays:
//   model   FILE
//   input   NAME  ref/FILE.npy
//   output  NAME  ref/FILE.npy  ATOL     (frost's output must agree within ATOL + 1e-4 |ref|)
//   note    TEXT
// Where TF.js itself refuses a graph (FusedBatchNorm inside a fused conv, _FusedBatchNormEx: ops
// TensorFlow writes and TF.js does not run), the reference is computed by the same TF.js ops the
// node stands for (tf.conv2d, tf.batchNorm, tf.relu, ...), and run.tsv says so in a note.
//
// Usage (network once, for npm; the tests never need it):
//   mkdir -p /tmp/tfjs && (cd /tmp/tfjs && npm install @tensorflow/tfjs@4.22.0)
//   NODE_PATH=/tmp/tfjs/node_modules node scripts/gen_tfjs_graph_fixtures.mjs tests/data/tfjs_graph
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const require = createRequire(process.env.NODE_PATH ? path.join(process.env.NODE_PATH, 'x.js')
                                                     : import.meta.url);
const tf = require('@tensorflow/tfjs');

const outRoot = process.argv[2] || 'tests/data/tfjs_graph';

// ---- deterministic numbers (xorshift32) ----------------------------------------------------
let rngState = 20240611;
function rand() {
  rngState ^= rngState << 13; rngState >>>= 0;
  rngState ^= rngState >>> 17;
  rngState ^= rngState << 5; rngState >>>= 0;
  return rngState / 4294967296;
}
const numel = (shape) => shape.reduce((a, b) => a * b, 1);
function randValues(shape, lo = -1, hi = 1) {
  const v = new Float32Array(numel(shape));
  for (let i = 0; i < v.length; i++) v[i] = lo + (hi - lo) * rand();
  return v;
}

// ---- .npy ----------------------------------------------------------------------------------
function npyBytes(values, shape, dtype) {
  const descr = { float32: '<f4', int32: '<i4', bool: '|b1' }[dtype];
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1; pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  let body;
  if (dtype === 'float32') body = Buffer.from(new Float32Array(values).buffer);
  else if (dtype === 'int32') body = Buffer.from(new Int32Array(values).buffer);
  else body = Buffer.from(Uint8Array.from(values, (x) => (x ? 1 : 0)));
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), body]);
}

// ---- float16 (round to nearest even), as the TF.js converter quantizes ------------------------
const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
function toHalf(x) {
  f32[0] = x;
  const b = u32[0], sign = (b >>> 16) & 0x8000;
  let e = ((b >>> 23) & 0xff) - 127 + 15, m = b & 0x7fffff;
  if (((b >>> 23) & 0xff) === 0xff) return sign | 0x7c00 | (m ? 0x200 : 0);
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    m |= 0x800000;
    const shift = 14 - e, half = 1 << (shift - 1);
    let r = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    if (rest > half || (rest === half && (r & 1))) r++;
    return sign | r;
  }
  let r = (e << 10) | (m >>> 13);
  const rest = m & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (r & 1))) r++;
  return sign | r;
}

// ---- GraphDef JSON ---------------------------------------------------------------------------
const b64 = (s) => Buffer.from(s, 'latin1').toString('base64');
const A = {
  type: (t) => ({ type: t }),
  i: (v) => ({ i: String(v) }),
  f: (v) => ({ f: v }),
  b: (v) => ({ b: v }),
  s: (v) => ({ s: b64(v) }),
  ints: (a) => ({ list: { i: a.map(String) } }),
  strs: (a) => ({ list: { s: a.map(b64) } }),
  shape: (dims) => ({ shape: { dim: dims.map((d) => ({ size: String(d) })) } }),
};
const DT = { float32: 'DT_FLOAT', int32: 'DT_INT32', bool: 'DT_BOOL' };

class Graph {
  constructor() { this.nodes = []; this.weights = []; }
  input(name, shape, dtype = 'float32') {
    this.nodes.push({ name, op: 'Placeholder', attr: { dtype: A.type(DT[dtype]), shape: A.shape(shape) } });
    return name;
  }
  // A constant whose value lives in the weights manifest, optionally quantized.
  weight(name, values, shape, { dtype = 'float32', quant = null, attrDtype = null } = {}) {
    const t = attrDtype || DT[dtype];
    this.nodes.push({ name, op: 'Const', attr: {
      dtype: A.type(t), value: { tensor: { dtype: t, tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } } } });
    this.weights.push({ name, values, shape, dtype, quant });
    return name;
  }
  op(name, op, input, attr = {}) {
    this.nodes.push({ name, op, input, attr });
    return name;
  }
}

// Quantizes like the TF.js converter (quantization.py): affine uint8/uint16 over [min, max] with
// the min nudged so that 0 is exact; float16 by rounding.
function encodeWeight(w) {
  const n = numel(w.shape);
  if (!w.quant) {
    if (w.dtype === 'float32') return [Buffer.from(new Float32Array(w.values).buffer), null];
    if (w.dtype === 'int32') return [Buffer.from(new Int32Array(w.values).buffer), null];
    return [Buffer.from(Uint8Array.from(w.values, (x) => (x ? 1 : 0))), null];
  }
  if (w.quant === 'float16') {
    const h = new Uint16Array(n);
    for (let i = 0; i < n; i++) h[i] = toHalf(w.values[i]);
    return [Buffer.from(h.buffer), { dtype: 'float16' }];
  }
  const levels = w.quant === 'uint8' ? 255 : 65535;
  let lo = Math.min(0, ...w.values), hi = Math.max(0, ...w.values);
  let scale = (hi - lo) / levels;
  if (scale === 0) scale = 1;
  const zero = Math.round(-lo / scale);
  const min = -zero * scale;
  const q = w.quant === 'uint8' ? new Uint8Array(n) : new Uint16Array(n);
  for (let i = 0; i < n; i++) q[i] = Math.max(0, Math.min(levels, Math.round((w.values[i] - min) / scale)));
  return [Buffer.from(q.buffer), { dtype: w.quant, min, scale }];
}

// Writes the model file and its shards (cut at the given byte offsets, so weights straddle them).
function writeModel(dir, file, g, { cuts = [], signature = null, shardPrefix = 'group1-shard' } = {}) {
  fs.mkdirSync(path.join(dir, 'ref'), { recursive: true });
  const specs = [], blobs = [];
  for (const w of g.weights) {
    const [bytes, q] = encodeWeight(w);
    const spec = { name: w.name, shape: w.shape, dtype: w.dtype };
    if (q) spec.quantization = q;
    specs.push(spec);
    blobs.push(bytes);
  }
  const all = Buffer.concat(blobs);
  const bounds = [0, ...cuts.filter((c) => c > 0 && c < all.length), all.length];
  const paths = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const p = `${shardPrefix}${i + 1}of${bounds.length - 1}.bin`;
    fs.writeFileSync(path.join(dir, p), all.subarray(bounds[i], bounds[i + 1]));
    paths.push(p);
  }
  const json = {
    format: 'graph-model',
    generatedBy: '2.x',
    convertedBy: `frost scripts/gen_tfjs_graph_fixtures.mjs (TensorFlow.js ${tf.version.tfjs})`,
    modelTopology: { node: g.nodes, library: {}, versions: { producer: 1395 } },
    weightsManifest: [{ paths, weights: specs }],
  };
  if (signature) json.signature = signature;
  fs.writeFileSync(path.join(dir, file), JSON.stringify(json));
  return json;
}

// Loads the written files the way TF.js's own loaders do (weightsManifest -> concatenated shards).
async function loadWritten(dir, file) {
  const modelJSON = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  const artifacts = await tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
    const specs = [], parts = [];
    for (const group of manifest) {
      specs.push(...group.weights);
      for (const p of group.paths) parts.push(fs.readFileSync(path.join(dir, p)));
    }
    const data = Buffer.concat(parts);
    return [specs, data.buffer.slice(data.byteOffset, data.byteOffset + data.length)];
  });
  return tf.loadGraphModel({ load: async () => artifacts });
}

// Writes inputs, reference outputs and run.tsv. `outputs`: [{name (as fed to frost -o), node
// (TF.js fetch name), atol}]; `compute`: optional function(feeds) -> {node: tensor} standing in
// for the graph executor where TF.js has no kernel.
async function finish(dir, file, inputs, outputs, { compute = null, note = null, loadName = null } = {}) {
  const lines = [`model\t${file}`];
  if (note) lines.push(`note\t${note}`);
  const feeds = {};
  let k = 0;
  for (const inp of inputs) {
    const t = tf.tensor(inp.values, inp.shape, inp.dtype || 'float32');
    feeds[inp.node || inp.name] = t;
    const f = `ref/in_${k++}.npy`;
    fs.writeFileSync(path.join(dir, f), npyBytes(inp.values, inp.shape, inp.dtype || 'float32'));
    lines.push(`input\t${inp.name}\t${f}`);
  }
  let results;
  if (compute) {
    const r = compute(feeds);
    results = outputs.map((o) => r[o.node]);
  } else {
    const model = await loadWritten(dir, loadName || file);
    results = await model.executeAsync(feeds, outputs.map((o) => o.node));
    if (!Array.isArray(results)) results = [results];
  }
  k = 0;
  for (let i = 0; i < outputs.length; i++) {
    const t = results[i];
    const f = `ref/out_${k++}.npy`;
    fs.writeFileSync(path.join(dir, f), npyBytes(await t.data(), t.shape, t.dtype));
    lines.push(`output\t${outputs[i].name}\t${f}\t${outputs[i].atol ?? 1e-5}`);
  }
  fs.writeFileSync(path.join(dir, 'ref', 'run.tsv'), lines.join('\n') + '\n');
  console.log(`${dir}: ${outputs.length} outputs`);
}

// ---- common attributes ------------------------------------------------------------------------
const NHWC = A.s('NHWC');
const ones4 = A.ints([1, 1, 1, 1]);
function convAttrs({ strides = [1, 1, 1, 1], padding = 'SAME', dilations = [1, 1, 1, 1], explicit = null,
                     fused = [], numArgs = 0, alpha = null, epsilon = 0 } = {}) {
  const a = {
    T: A.type('DT_FLOAT'), data_format: NHWC, strides: A.ints(strides), padding: A.s(padding),
    dilations: A.ints(dilations), fused_ops: A.strs(fused), num_args: A.i(numArgs),
    epsilon: A.f(epsilon),
  };
  if (explicit) a.explicit_paddings = A.ints(explicit);
  if (alpha !== null) a.leakyrelu_alpha = A.f(alpha);
  return a;
}

// ---- fixtures -------------------------------------------------------------------------------
// _FusedConv2D with every activation TF.js's CPU backend runs (Tanh: see fusedTfOnly), each with
// its own window.
async function fusedConv(root) {
  const dir = path.join(root, 'fused_conv');
  const g = new Graph();
  const x = g.input('x', [1, 9, 9, 4]);
  const W = g.weight('W', randValues([3, 3, 4, 6]), [3, 3, 4, 6]);
  const b = g.weight('b', randValues([6]), [6]);
  const al = g.weight('alpha', randValues([6], 0, 0.5), [6]);
  const cases = [
    ['conv_none', [], [x, W], { padding: 'SAME' }],
    ['conv_bias', ['BiasAdd'], [x, W, b], { padding: 'VALID', strides: [1, 2, 2, 1] }],
    ['conv_relu', ['BiasAdd', 'Relu'], [x, W, b], { strides: [1, 2, 2, 1] }],
    ['conv_relu6', ['BiasAdd', 'Relu6'], [x, W, b], { dilations: [1, 2, 2, 1] }],
    ['conv_elu', ['BiasAdd', 'Elu'], [x, W, b], { padding: 'VALID', dilations: [1, 2, 2, 1] }],
    ['conv_leaky', ['BiasAdd', 'LeakyRelu'], [x, W, b],
     { padding: 'EXPLICIT', explicit: [0, 0, 1, 2, 2, 1, 0, 0], alpha: 0.3 }],
    ['conv_sigmoid', ['BiasAdd', 'Sigmoid'], [x, W, b],
     { padding: 'EXPLICIT', explicit: [0, 0, 0, 1, 1, 0, 0, 0], strides: [1, 2, 2, 1] }],
    ['conv_prelu', ['BiasAdd', 'Prelu'], [x, W, b, al], {}],
  ];
  for (const [name, fused, inputs, o] of cases)
    g.op(name, '_FusedConv2D', inputs,
         { ...convAttrs({ ...o, fused, numArgs: inputs.length - 2 }), use_cudnn_on_gpu: A.b(true) });
  writeModel(dir, 'model.json', g, { cuts: [333, 700] });
  await finish(dir, 'model.json', [{ name: 'x', shape: [1, 9, 9, 4], values: randValues([1, 9, 9, 4], -2, 2) }],
               cases.map(([name]) => ({ name, node: name, atol: 1e-5 })));
}

// FusedDepthwiseConv2dNative (the TF.js converter's fusion) with a channel multiplier of 2.
async function fusedDepthwise(root) {
  const dir = path.join(root, 'fused_depthwise');
  const g = new Graph();
  const x = g.input('x', [1, 8, 8, 3]);
  const W = g.weight('W', randValues([3, 3, 3, 2]), [3, 3, 3, 2]);
  const b = g.weight('b', randValues([6]), [6]);
  const al = g.weight('alpha', randValues([6], 0, 0.5), [6]);
  const cases = [
    ['dw_none', [], [x, W], { padding: 'VALID' }],
    ['dw_bias', ['BiasAdd'], [x, W, b], {}],
    ['dw_relu', ['BiasAdd', 'Relu'], [x, W, b], { strides: [1, 2, 2, 1], padding: 'VALID' }],
    ['dw_relu6', ['BiasAdd', 'Relu6'], [x, W, b], { dilations: [1, 2, 2, 1] }],
    ['dw_elu', ['BiasAdd', 'Elu'], [x, W, b], { strides: [1, 2, 2, 1] }],
    ['dw_leaky', ['BiasAdd', 'LeakyRelu'], [x, W, b],
     { padding: 'EXPLICIT', explicit: [0, 0, 2, 0, 1, 1, 0, 0], alpha: 0.1 }],
    ['dw_sigmoid', ['BiasAdd', 'Sigmoid'], [x, W, b], { dilations: [1, 2, 2, 1], padding: 'VALID' }],
    ['dw_prelu', ['BiasAdd', 'Prelu'], [x, W, b, al], { strides: [1, 2, 2, 1] }],
  ];
  for (const [name, fused, inputs, o] of cases) {
    const a = convAttrs({ ...o, fused, numArgs: inputs.length - 2 });
    delete a.epsilon;
    g.op(name, 'FusedDepthwiseConv2dNative', inputs, a);
  }
  writeModel(dir, 'model.json', g, { cuts: [101] });
  await finish(dir, 'model.json', [{ name: 'x', shape: [1, 8, 8, 3], values: randValues([1, 8, 8, 3], -2, 2) }],
               cases.map(([name]) => ({ name, node: name, atol: 1e-5 })));
}

// _FusedMatMul: every transpose combination, every activation.
async function fusedMatMul(root) {
  const dir = path.join(root, 'fused_matmul');
  const g = new Graph();
  const a = g.input('a', [3, 5]);
  const at = g.input('at', [5, 3]);
  const B = g.weight('B', randValues([5, 4]), [5, 4]);
  const Bt = g.weight('Bt', randValues([4, 5]), [4, 5]);
  const bias = g.weight('bias', randValues([4]), [4]);
  const al = g.weight('alpha', randValues([4], 0, 0.5), [4]);
  const cases = [
    ['mm_bias', ['BiasAdd'], [a, B], false, false, null],
    ['mm_relu', ['BiasAdd', 'Relu'], [a, Bt], false, true, null],
    ['mm_relu6', ['BiasAdd', 'Relu6'], [at, B], true, false, null],
    ['mm_elu', ['BiasAdd', 'Elu'], [at, Bt], true, true, null],
    ['mm_leaky', ['BiasAdd', 'LeakyRelu'], [a, B], false, false, 0.25],
    ['mm_sigmoid', ['BiasAdd', 'Sigmoid'], [a, Bt], false, true, null],
    ['mm_prelu', ['BiasAdd', 'Prelu'], [a, B], false, false, null],
  ];
  for (const [name, fused, [x, w], ta, tb, alpha] of cases) {
    const args = fused.includes('Prelu') ? [bias, al] : [bias];
    const attr = { T: A.type('DT_FLOAT'), transpose_a: A.b(ta), transpose_b: A.b(tb),
                   fused_ops: A.strs(fused), num_args: A.i(args.length), epsilon: A.f(0) };
    if (alpha !== null) attr.leakyrelu_alpha = A.f(alpha);
    g.op(name, '_FusedMatMul', [x, w, ...args], attr);
  }
  writeModel(dir, 'model.json', g, {});
  await finish(dir, 'model.json',
               [{ name: 'a', shape: [3, 5], values: randValues([3, 5], -2, 2) },
                { name: 'at', shape: [5, 3], values: randValues([5, 3], -2, 2) }],
               cases.map(([name]) => ({ name, node: name, atol: 1e-5 })));
}

// FusedBatchNorm inside _FusedConv2D / _FusedDepthwiseConv2dNative, BiasAdd + Add + Relu,
// _FusedBatchNormEx, the Tanh activation of the fused conv, depthwise conv and matmul, and
// SpaceToDepth: TensorFlow writes these; TF.js refuses them (its CPU backend has no fused Tanh, it
// has no SpaceToDepth), so the reference is the TF.js ops they stand for.
async function fusedTfOnly(root) {
  const dir = path.join(root, 'fused_tf_only');
  const g = new Graph();
  const x = g.input('x', [1, 7, 7, 4]);
  const vals = {
    W: randValues([3, 3, 4, 6]), Wd: randValues([3, 3, 4, 1]), b: randValues([6]),
    scale: randValues([6], 0.5, 1.5), offset: randValues([6]), mean: randValues([6]),
    variance: randValues([6], 0.1, 2), scale4: randValues([4], 0.5, 1.5), offset4: randValues([4]),
    mean4: randValues([4]), variance4: randValues([4], 0.1, 2), side: randValues([1, 7, 7, 6]),
    Wd2: randValues([3, 3, 4, 2]), b8: randValues([8]), B: randValues([4, 3]), b3: randValues([3]),
  };
  const shapes = { W: [3, 3, 4, 6], Wd: [3, 3, 4, 1], b: [6], scale: [6], offset: [6], mean: [6],
                   variance: [6], scale4: [4], offset4: [4], mean4: [4], variance4: [4],
                   side: [1, 7, 7, 6], Wd2: [3, 3, 4, 2], b8: [8], B: [4, 3], b3: [3] };
  for (const k of Object.keys(vals)) g.weight(k, vals[k], shapes[k]);
  g.op('conv_bn', '_FusedConv2D', [x, 'W', 'scale', 'offset', 'mean', 'variance'],
       convAttrs({ fused: ['FusedBatchNorm'], numArgs: 4, epsilon: 0.001 }));
  g.op('conv_bn_relu', '_FusedConv2D', [x, 'W', 'scale', 'offset', 'mean', 'variance'],
       convAttrs({ fused: ['FusedBatchNorm', 'Relu'], numArgs: 4, epsilon: 0.01, strides: [1, 2, 2, 1] }));
  const dwa = convAttrs({ fused: ['FusedBatchNorm', 'Relu6'], numArgs: 4, epsilon: 0.001, padding: 'VALID' });
  g.op('dw_bn_relu6', '_FusedDepthwiseConv2dNative', [x, 'Wd', 'scale4', 'offset4', 'mean4', 'variance4'], dwa);
  g.op('conv_bias_add_relu', '_FusedConv2D', [x, 'W', 'b', 'side'],
       convAttrs({ fused: ['BiasAdd', 'Add', 'Relu'], numArgs: 2 }));
  g.op('bn_ex', '_FusedBatchNormEx', [x, 'scale4', 'offset4', 'mean4', 'variance4', x],
       { T: A.type('DT_FLOAT'), U: A.type('DT_FLOAT'), epsilon: A.f(0.01), data_format: NHWC,
         is_training: A.b(false), num_side_inputs: A.i(1), activation_mode: A.s('Relu') });
  g.op('conv_tanh', '_FusedConv2D', [x, 'W', 'b'],
       convAttrs({ fused: ['BiasAdd', 'Tanh'], numArgs: 1, strides: [1, 2, 2, 1], padding: 'VALID' }));
  const dwt = convAttrs({ fused: ['BiasAdd', 'Tanh'], numArgs: 1, dilations: [1, 2, 2, 1] });
  delete dwt.epsilon;
  g.op('dw_tanh', 'FusedDepthwiseConv2dNative', [x, 'Wd2', 'b8'], dwt);
  const x2 = g.input('x2', [5, 4]);
  g.input('xs', [1, 4, 6, 3]);
  g.op('mm_tanh', '_FusedMatMul', [x2, 'B', 'b3'],
       { T: A.type('DT_FLOAT'), transpose_a: A.b(false), transpose_b: A.b(false),
         fused_ops: A.strs(['BiasAdd', 'Tanh']), num_args: A.i(1), epsilon: A.f(0) });
  g.op('s2d', 'SpaceToDepth', ['xs'], { T: A.type('DT_FLOAT'), block_size: A.i(2), data_format: NHWC });
  writeModel(dir, 'model.json', g, { cuts: [1000] });
  const c = (k) => tf.tensor(vals[k], shapes[k]);
  const compute = (feeds) => {
    const xin = feeds.x;
    return {
      conv_bn: tf.batchNorm(tf.conv2d(xin, c('W'), 1, 'same'), c('mean'), c('variance'), c('offset'), c('scale'), 0.001),
      conv_bn_relu: tf.relu(tf.batchNorm(tf.conv2d(xin, c('W'), 2, 'same'), c('mean'), c('variance'),
                                         c('offset'), c('scale'), 0.01)),
      dw_bn_relu6: tf.relu6(tf.batchNorm(tf.depthwiseConv2d(xin, c('Wd'), 1, 'valid'), c('mean4'),
                                         c('variance4'), c('offset4'), c('scale4'), 0.001)),
      conv_bias_add_relu: tf.relu(tf.add(tf.add(tf.conv2d(xin, c('W'), 1, 'same'), c('b')), c('side'))),
      bn_ex: tf.relu(tf.add(tf.batchNorm(xin, c('mean4'), c('variance4'), c('offset4'), c('scale4'), 0.01), xin)),
      conv_tanh: tf.tanh(tf.add(tf.conv2d(xin, c('W'), 2, 'valid'), c('b'))),
      dw_tanh: tf.tanh(tf.add(tf.depthwiseConv2d(xin, c('Wd2'), 1, 'same', 'NHWC', 2), c('b8'))),
      mm_tanh: tf.tanh(tf.add(tf.matMul(feeds.x2, c('B')), c('b3'))),
      // SpaceToDepth, block 2: [1, 4, 6, 3] -> [1, 2, 3, 12], channel block i*2 + j from (i, j).
      s2d: feeds.xs.reshape([1, 2, 2, 3, 2, 3]).transpose([0, 1, 3, 2, 4, 5]).reshape([1, 2, 3, 12]),
    };
  };
  await finish(dir, 'model.json', [{ name: 'x', shape: [1, 7, 7, 4], values: randValues([1, 7, 7, 4], -2, 2) },
                                   { name: 'x2', shape: [5, 4], values: randValues([5, 4], -2, 2) },
                                   { name: 'xs', shape: [1, 4, 6, 3], values: randValues([1, 4, 6, 3], -2, 2) }],
               ['conv_bn', 'conv_bn_relu', 'dw_bn_relu6', 'conv_bias_add_relu', 'bn_ex', 'conv_tanh',
                'dw_tanh', 'mm_tanh', 's2d']
                 .map((n) => ({ name: n, node: n, atol: 1e-5 })),
               { compute, note: 'TF.js does not run these ops: reference from tf.conv2d/depthwiseConv2d/matMul, tf.batchNorm, tf.add, the activation, reshape/transpose' });
}

// Quantized weights (uint8, uint16, float16, int32 from uint8), a bool weight, three shards that
// cut weights in two, a model file not named model.json, int64 casts (TF.js: int32), and a
// signature whose keys differ from the node names.
async function quantized(root) {
  const dir = path.join(root, 'quantized');
  const g = new Graph();
  const x = g.input('x', [2, 6]);
  g.weight('W1', randValues([6, 8]), [6, 8], { quant: 'uint8' });
  g.weight('b1', randValues([8]), [8], { quant: 'uint16' });
  g.weight('W2', randValues([8, 4]), [8, 4], { quant: 'float16' });
  g.weight('c', randValues([4]), [4]);
  g.weight('mask', [1, 0, 0, 1], [4], { dtype: 'bool' });
  g.weight('zero', [0], [], {});
  g.weight('idx', [0, 2, 3], [3], { dtype: 'int32', quant: 'uint8' });
  g.weight('axis', [1], [], { dtype: 'int32' });
  const T = { T: A.type('DT_FLOAT') };
  g.op('h', 'MatMul', [x, 'W1'], { ...T, transpose_a: A.b(false), transpose_b: A.b(false) });
  g.op('h2', 'AddV2', ['h', 'b1'], T);
  g.op('r', 'Relu', ['h2'], T);
  g.op('m', 'MatMul', ['r', 'W2'], { ...T, transpose_a: A.b(false), transpose_b: A.b(false) });
  g.op('y', 'AddV2', ['m', 'c'], T);
  g.op('masked', 'SelectV2', ['mask', 'y', 'zero'], T);
  g.op('picked', 'GatherV2', ['y', 'idx', 'axis'],
       { Tparams: A.type('DT_FLOAT'), Tindices: A.type('DT_INT32'), Taxis: A.type('DT_INT32'), batch_dims: A.i(0) });
  g.op('idx64', 'Cast', ['idx'], { SrcT: A.type('DT_INT32'), DstT: A.type('DT_INT64'), Truncate: A.b(false) });
  g.op('idx_f', 'Cast', ['idx64'], { SrcT: A.type('DT_INT64'), DstT: A.type('DT_FLOAT'), Truncate: A.b(false) });
  const sig = (n) => ({ name: `${n}:0`, dtype: 'DT_FLOAT' });
  const signature = {
    inputs: { features: { name: 'x:0', dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '2' }, { size: '6' }] } } },
    outputs: { scores: sig('y'), masked_scores: sig('masked'), picked: sig('picked'), index_values: sig('idx_f') },
  };
  writeModel(dir, 'my-model.json', g, { cuts: [17, 90], signature, shardPrefix: 'weights-' });
  await finish(dir, 'my-model.json', [{ name: 'features', node: 'x', shape: [2, 6], values: randValues([2, 6], -2, 2) }],
               [{ name: 'scores', node: 'y' }, { name: 'masked_scores', node: 'masked' },
                { name: 'picked', node: 'picked' }, { name: 'index_values', node: 'idx_f' }]);
}

// The ops of published graph models beyond the fused ones: DepthToSpace, TopKV2
// (with ties), GatherNd, SparseToDense, Atan2 (quadrants and zeros), an int32 MatMul, Prelu,
// ResizeBilinear / ResizeNearestNeighbor with every align_corners / half_pixel_centers setting,
// and Conv2DBackpropInput whose input_sizes the graph computes.
async function ops(root) {
  const dir = path.join(root, 'ops');
  const g = new Graph();
  const x = g.input('x', [1, 4, 4, 8]);
  const t = g.input('t', [2, 6]);
  const y = g.input('y', [8]);
  const xa = g.input('xa', [8]);
  const ia = g.input('ia', [2, 3], 'int32');
  const T = { T: A.type('DT_FLOAT') };
  g.op('d2s', 'DepthToSpace', [x], { ...T, block_size: A.i(2), data_format: NHWC });
  g.weight('k', [4], [], { dtype: 'int32' });
  g.op('topk', 'TopKV2', [t, 'k'], { ...T, sorted: A.b(true) });
  g.weight('nd_idx', [0, 1, 2, 0, 3, 0], [2, 3], { dtype: 'int32' });
  g.op('gather_nd', 'GatherNd', [x, 'nd_idx'], { Tparams: A.type('DT_FLOAT'), Tindices: A.type('DT_INT32') });
  g.weight('nd_idx1', [[0], [0]].flat(), [2, 1], { dtype: 'int32' });
  g.op('gather_nd_rows', 'GatherNd', [t, 'nd_idx1'], { Tparams: A.type('DT_FLOAT'), Tindices: A.type('DT_INT32') });
  g.weight('sp_idx', [0, 1, 2, 3, 1, 0], [3, 2], { dtype: 'int32' });
  g.weight('sp_shape', [3, 4], [2], { dtype: 'int32' });
  const sv = g.input('sv', [3]);
  g.weight('sp_default', [0.5], []);
  g.op('sparse', 'SparseToDense', ['sp_idx', 'sp_shape', sv, 'sp_default'],
       { T: A.type('DT_FLOAT'), Tindices: A.type('DT_INT32'), validate_indices: A.b(true) });
  g.op('atan2', 'Atan2', [y, xa], T);
  g.weight('im', [1, -2, 3, 4, 0, -1], [3, 2], { dtype: 'int32' });
  g.op('int_matmul', 'MatMul', [ia, 'im'], { T: A.type('DT_INT32'), transpose_a: A.b(false), transpose_b: A.b(false) });
  g.weight('alpha', randValues([8], 0, 0.5), [8]);
  g.op('prelu', 'Prelu', [x, 'alpha'], T);
  g.weight('size', [7, 5], [2], { dtype: 'int32' });
  const resizes = [];
  for (const [op, tag] of [['ResizeBilinear', 'bilinear'], ['ResizeNearestNeighbor', 'nearest']])
    for (const [align, half] of [[false, false], [true, false], [false, true]]) {
      const name = `${tag}${align ? '_align' : ''}${half ? '_half' : ''}`;
      g.op(name, op, [x, 'size'], { ...T, align_corners: A.b(align), half_pixel_centers: A.b(half) });
      resizes.push(name);
    }
  // Conv2DBackpropInput whose input_sizes is computed: Shape(x) * [1, 2, 2, 0] + [0, 0, 0, 3].
  g.weight('dW', randValues([3, 3, 3, 8]), [3, 3, 3, 8]);
  g.op('x_shape', 'Shape', [x], { T: A.type('DT_FLOAT'), out_type: A.type('DT_INT32') });
  g.weight('scale2', [1, 2, 2, 0], [4], { dtype: 'int32' });
  g.weight('cout', [0, 0, 0, 3], [4], { dtype: 'int32' });
  g.op('sizes0', 'Mul', ['x_shape', 'scale2'], { T: A.type('DT_INT32') });
  g.op('sizes', 'AddV2', ['sizes0', 'cout'], { T: A.type('DT_INT32') });
  g.op('deconv', 'Conv2DBackpropInput', ['sizes', 'dW', x],
       { ...T, strides: A.ints([1, 2, 2, 1]), padding: A.s('SAME'), data_format: NHWC,
         dilations: ones4, explicit_paddings: A.ints([]), use_cudnn_on_gpu: A.b(true) });
  writeModel(dir, 'model.json', g, {});
  const tvals = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8];
  await finish(dir, 'model.json',
               [{ name: 'x', shape: [1, 4, 4, 8], values: randValues([1, 4, 4, 8], -2, 2) },
                { name: 't', shape: [2, 6], values: tvals },
                { name: 'y', shape: [8], values: [1, -1, 0, 0, 1, -1, 2, -3] },
                { name: 'xa', shape: [8], values: [1, 1, -1, 0, -1, -1, 0, 0.5] },
                { name: 'ia', shape: [2, 3], values: [1, 2, 3, -4, 5, 6], dtype: 'int32' },
                { name: 'sv', shape: [3], values: [5, 6, 7] }],
               [{ name: 'd2s', node: 'd2s' },
                { name: 'topk', node: 'topk' }, { name: 'topk:1', node: 'topk:1' },
                { name: 'gather_nd', node: 'gather_nd' }, { name: 'gather_nd_rows', node: 'gather_nd_rows' },
                { name: 'sparse', node: 'sparse' }, { name: 'atan2', node: 'atan2', atol: 1e-6 },
                { name: 'int_matmul', node: 'int_matmul' }, { name: 'prelu', node: 'prelu' },
                ...resizes.map((n) => ({ name: n, node: n })), { name: 'deconv', node: 'deconv' }]);
}

// A function library: StatelessIf on a constant condition (both ways) and on one the graph
// computes from a shape (known once shapes are), branches that hold their own weights and read a
// multi-output op of their body ("split:output:1"), and an If whose condition is not a bool.
async function functions(root) {
  const dir = path.join(root, 'functions');
  const g = new Graph();
  const x = g.input('x', [2, 4]);
  const T = { T: A.type('DT_FLOAT') };
  const fsig = (name, ins, outs) => ({ name, inputArg: ins.map((n) => ({ name: n, type: 'DT_FLOAT' })),
                                        outputArg: outs.map((n) => ({ name: n, type: 'DT_FLOAT' })) });
  const tensorAttr = (shape) => ({ dtype: A.type('DT_FLOAT'),
    value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } } });
  // then: relu(x * w_then) and the second half of split(x); else: x - w_else, and x again.
  const thenFn = {
    signature: fsig('then_fn', ['v'], ['scaled', 'half']),
    nodeDef: [
      { name: 'w_then', op: 'Const', attr: tensorAttr([4]) },
      { name: 'mul', op: 'Mul', input: ['v', 'w_then:output:0'], attr: T },
      { name: 'relu', op: 'Relu', input: ['mul:z:0'], attr: T },
      { name: 'axis', op: 'Const', attr: { dtype: A.type('DT_INT32'),
        value: { tensor: { dtype: 'DT_INT32', tensorShape: {} } } } },
      { name: 'split', op: 'Split', input: ['axis:output:0', 'v'], attr: { ...T, num_split: A.i(2) } },
    ],
    ret: { scaled: 'relu:activations:0', half: 'split:output:1' },
  };
  const elseFn = {
    signature: fsig('else_fn', ['v'], ['scaled', 'half']),
    nodeDef: [
      { name: 'w_else', op: 'Const', attr: tensorAttr([4]) },
      { name: 'sub', op: 'Sub', input: ['v', 'w_else:output:0'], attr: T },
      { name: 'axis', op: 'Const', attr: { dtype: A.type('DT_INT32'),
        value: { tensor: { dtype: 'DT_INT32', tensorShape: {} } } } },
      { name: 'split', op: 'Split', input: ['axis:output:0', 'v'], attr: { ...T, num_split: A.i(2) } },
    ],
    ret: { scaled: 'sub:z:0', half: 'split:output:0' },
  };
  g.weights.push({ name: 'w_then', values: randValues([4]), shape: [4], dtype: 'float32' });
  g.weights.push({ name: 'w_else', values: randValues([4]), shape: [4], dtype: 'float32' });
  // Both bodies have a Const named 'axis': TF.js gives each the weight of that name.
  g.weights.push({ name: 'axis', values: [1], shape: [], dtype: 'int32' });
  g.weight('yes', [1], [], { dtype: 'bool' });
  g.weight('no', [0], [], { dtype: 'bool' });
  g.weight('two', [2], [], { dtype: 'int32' });
  const ifAttrs = (tcond) => ({ Tcond: A.type(tcond), Tin: { list: { type: ['DT_FLOAT'] } },
    Tout: { list: { type: ['DT_FLOAT', 'DT_FLOAT'] } },
    then_branch: { func: { name: 'then_fn' } }, else_branch: { func: { name: 'else_fn' } },
    output_shapes: { list: {} } });
  g.op('if_true', 'StatelessIf', ['yes', x], ifAttrs('DT_BOOL'));
  g.op('if_false', 'StatelessIf', ['no', x], ifAttrs('DT_BOOL'));
  // Condition from the shape: Size(x) == 8 (x is [2, 4]).
  g.op('size', 'Size', [x], { T: A.type('DT_FLOAT'), out_type: A.type('DT_INT32') });
  g.weight('eight', [8], [], { dtype: 'int32' });
  g.op('is8', 'Equal', ['size', 'eight'], { T: A.type('DT_INT32') });
  g.op('if_shape', 'If', ['is8', x], ifAttrs('DT_BOOL'));
  g.op('if_int', 'StatelessIf', ['two', x], ifAttrs('DT_INT32'));
  g.op('sum', 'AddV2', ['if_true:1', 'if_false:1'], T);
  const json = writeModel(dir, 'model.json', g, {});
  json.modelTopology.library = { function: [thenFn, elseFn] };
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
  await finish(dir, 'model.json', [{ name: 'x', shape: [2, 4], values: randValues([2, 4], -2, 2) }],
               ['if_true', 'if_false', 'if_shape', 'if_int', 'sum'].map((n) => ({ name: n, node: n })));
}

// Ops whose output size depends on values: NonMaxSuppressionV4 padded to max_output_size (a
// shape known before running; tied scores, overlaps, a box below score_threshold), and Where on a
// constant and on values computed from shapes, each feeding something that depends on the input.
async function selection(root) {
  const dir = path.join(root, 'selection');
  const g = new Graph();
  const boxes = g.input('boxes', [6, 4]);
  const scores = g.input('scores', [6]);
  const x = g.input('x', [2, 3]);
  g.weight('max_out', [4], [], { dtype: 'int32' });
  g.weight('iou', [0.5], []);
  g.weight('score_min', [0.1], []);
  g.op('nms', 'NonMaxSuppressionV4', [boxes, scores, 'max_out', 'iou', 'score_min'],
       { T: A.type('DT_FLOAT'), T_threshold: A.type('DT_FLOAT'), pad_to_max_output_size: A.b(true) });
  g.weight('mask', [1, 0, 1, 0, 0, 1], [2, 3], { dtype: 'bool' });
  g.op('where_const', 'Where', ['mask'], { T: A.type('DT_BOOL') });
  g.op('where_pick', 'GatherNd', [x, 'where_const'], { Tparams: A.type('DT_FLOAT'), Tindices: A.type('DT_INT64') });
  g.op('x_shape', 'Shape', [x], { T: A.type('DT_FLOAT'), out_type: A.type('DT_INT32') });
  g.weight('two', [2], [], { dtype: 'int32' });
  g.op('big_dims', 'Greater', ['x_shape', 'two'], { T: A.type('DT_INT32') });
  g.op('where_shape', 'Where', ['big_dims'], { T: A.type('DT_BOOL') });
  g.weight('axes01', [0, 1], [2], { dtype: 'int32' });
  g.op('coord_sum', 'Sum', ['where_shape', 'axes01'], { T: A.type('DT_INT64'), Tidx: A.type('DT_INT32'), keep_dims: A.b(false) });
  g.op('coord_f', 'Cast', ['coord_sum'], { SrcT: A.type('DT_INT64'), DstT: A.type('DT_FLOAT'), Truncate: A.b(false) });
  g.op('where_shifted', 'AddV2', [x, 'coord_f'], { T: A.type('DT_FLOAT') });
  writeModel(dir, 'model.json', g, {});
  await finish(dir, 'model.json',
               [{ name: 'boxes', shape: [6, 4], values: [0, 0, 1, 1, 0, 0.1, 1, 1.1, 0, -0.1, 1, 0.9,
                                                         0, 10, 1, 11, 0, 10.1, 1, 11.1, 0, 100, 1, 101] },
                { name: 'scores', shape: [6], values: [0.9, 0.75, 0.6, 0.95, 0.5, 0.05] },
                { name: 'x', shape: [2, 3], values: randValues([2, 3], -2, 2) }],
               [{ name: 'nms', node: 'nms' }, { name: 'nms:1', node: 'nms:1' },
                { name: 'where_pick', node: 'where_pick' }, { name: 'where_shifted', node: 'where_shifted' }]);
}

// TF's spelling of a dilated convolution, as tf.nn.convolution and Keras (dilation_rate > 1) write
// it into frozen graphs and TF.js graph models: SpaceToBatchND(x, block, paddings) -> conv (VALID,
// dilation 1) -> BatchToSpaceND(., block, crops), with the paddings and crops that
// tf.required_space_to_batch_paddings gives for SAME or VALID; input sizes that are not multiples
// of the block; blocks 2, 4 and (4, 2); depthwise; Identities, a fused bias + activation inside
// and a bias + activation after; one whose batched conv output is fetched too. Then the two ops on their own, where nothing folds: 2-D and 1-D
// blocks, a rank-3 input, and a max pool between them; paddings and crops computed from the shape
// of an input of open size. The graph runs in TF.js, and each dilated
// conv is also checked here against tf.conv2d / tf.depthwiseConv2d with dilations.
async function dilated(root) {
  const dir = path.join(root, 'dilated');
  rngState = 20251208;  // its own numbers, whichever fixtures are made before it
  const g = new Graph();
  const T = { T: A.type('DT_FLOAT') };
  const I32 = (name, values, shape) => g.weight(name, values, shape, { dtype: 'int32' });
  const s2bAttrs = { T: A.type('DT_FLOAT'), Tblock_shape: A.type('DT_INT32'), Tpaddings: A.type('DT_INT32') };
  const b2sAttrs = { T: A.type('DT_FLOAT'), Tblock_shape: A.type('DT_INT32'), Tcrops: A.type('DT_INT32') };
  const x = g.input('x', [1, 9, 11, 3]);
  const xb = g.input('xb', [2, 7, 10, 4]);
  const inputs = { x: [1, 9, 11, 3], xb: [2, 7, 10, 4] };
  // tf.required_space_to_batch_paddings: base paddings (SAME: the dilated kernel's), then extra at
  // the end up to a multiple of the block; the crops remove the extra again.
  function spaceToBatchPads(size, block, kernel, same) {
    const pads = [], crops = [];
    for (let i = 0; i < block.length; i++) {
      const eff = (kernel[i] - 1) * block[i] + 1;
      const total = same ? Math.max(eff - 1, 0) : 0;
      const start = Math.floor(total / 2), end = total - start;
      const extra = (block[i] - ((size[i] + total) % block[i])) % block[i];
      pads.push(start, end + extra);
      crops.push(0, extra);
    }
    return [pads, crops];
  }
  const vals = {}, checks = [];
  // name: [input, kernel [kh, kw, cin, cout or multiplier], block, SAME?, depthwise?, variant]
  const cases = [
    ['d2_same', 'x', [3, 3, 3, 5], [2, 2], true, false, 'bias_after'],
    ['d4_valid', 'x', [3, 3, 3, 4], [4, 4], false, false, 'plain'],
    ['d2_valid_batch', 'xb', [2, 3, 4, 3], [2, 2], false, false, 'identity'],
    ['dw_d2_same', 'x', [3, 3, 3, 2], [2, 2], true, true, 'bias_relu_after'],
    ['dw_d42_same', 'xb', [3, 3, 4, 1], [4, 2], true, true, 'identity'],
    ['d4_same_fused', 'xb', [3, 3, 4, 6], [4, 4], true, false, 'fused_inside'],
    ['d2_rows_same', 'x', [3, 1, 3, 4], [2], true, false, 'plain'],
    // The conv's batched output is fetched too: nothing folds, the two ops run as they are.
    ['d2_unfolded', 'x', [2, 2, 3, 3], [2, 2], true, false, 'conv_also_output'],
  ];
  for (const [name, inp, k, block, same, dw, variant] of cases) {
    const xs = inputs[inp];
    const kernel = [k[0], k[1]].slice(0, block.length);
    const [pads, crops] = spaceToBatchPads(xs.slice(1, 1 + block.length), block, kernel, same);
    vals[`${name}/W`] = randValues(k);
    g.weight(`${name}/W`, vals[`${name}/W`], k);
    const cout = dw ? k[2] * k[3] : k[3];
    vals[`${name}/b`] = randValues([cout]);
    g.weight(`${name}/b`, vals[`${name}/b`], [cout]);
    I32(`${name}/block_shape`, block, [block.length]);
    I32(`${name}/paddings`, pads, [block.length, 2]);
    I32(`${name}/crops`, crops, [block.length, 2]);
    g.op(`${name}/s2b`, 'SpaceToBatchND', [inp, `${name}/block_shape`, `${name}/paddings`], s2bAttrs);
    let convIn = `${name}/s2b`;
    if (variant === 'identity') convIn = g.op(`${name}/id`, 'Identity', [convIn], T);
    const conv = `${name}/conv`;
    if (variant === 'fused_inside') {
      g.op(conv, '_FusedConv2D', [convIn, `${name}/W`, `${name}/b`],
           convAttrs({ padding: 'VALID', fused: ['BiasAdd', 'Relu'], numArgs: 1 }));
    } else {
      g.op(conv, dw ? 'DepthwiseConv2dNative' : 'Conv2D', [convIn, `${name}/W`],
           { ...T, data_format: NHWC, strides: ones4, padding: A.s('VALID'), dilations: ones4,
             explicit_paddings: A.ints([]), ...(dw ? {} : { use_cudnn_on_gpu: A.b(true) }) });
    }
    let convOut = conv;
    if (variant === 'identity') convOut = g.op(`${name}/id2`, 'Identity', [conv], T);
    let out = g.op(`${name}/b2s`, 'BatchToSpaceND', [convOut, `${name}/block_shape`, `${name}/crops`], b2sAttrs);
    if (variant === 'bias_after' || variant === 'bias_relu_after')
      out = g.op(`${name}/bias`, 'BiasAdd', [out, `${name}/b`], { ...T, data_format: NHWC });
    if (variant === 'bias_relu_after') out = g.op(`${name}/relu`, 'Relu', [out], T);
    checks.push({ name, out, inp, k, block, same, dw, variant });
  }
  // The ops on their own: S2B with a (2, 3) block and a (1, 4) block row padding; B2S with crops;
  // a 1-D block on a rank-3 tensor (conv1d's layout); a max pool between S2B and B2S (no fold).
  const so = g.input('so', [2, 5, 6, 3]);
  I32('so/block', [2, 3], [2]);
  I32('so/pads', [1, 2, 0, 3], [2, 2]);
  g.op('s2b_alone', 'SpaceToBatchND', [so, 'so/block', 'so/pads'], s2bAttrs);
  const bo = g.input('bo', [8, 3, 2, 2]);
  I32('bo/block', [2, 2], [2]);
  I32('bo/crops', [1, 0, 0, 3], [2, 2]);
  g.op('b2s_alone', 'BatchToSpaceND', [bo, 'bo/block', 'bo/crops'], b2sAttrs);
  const r3 = g.input('r3', [1, 7, 4]);
  I32('r3/block', [3], [1]);
  I32('r3/pads', [2, 0], [1, 2]);
  g.op('s2b_rank3', 'SpaceToBatchND', [r3, 'r3/block', 'r3/pads'], s2bAttrs);
  I32('r3/crops', [1, 1], [1, 2]);
  g.op('b2s_rank3', 'BatchToSpaceND', ['s2b_rank3', 'r3/block', 'r3/crops'], b2sAttrs);
  I32('mp/block', [2, 2], [2]);
  I32('mp/pads', [0, 1, 2, 1], [2, 2]);
  g.op('mp/s2b', 'SpaceToBatchND', [x, 'mp/block', 'mp/pads'], s2bAttrs);
  g.op('mp/pool', 'MaxPool', ['mp/s2b'], { ...T, data_format: NHWC, ksize: A.ints([1, 2, 2, 1]),
                                          strides: ones4, padding: A.s('VALID') });
  I32('mp/crops', [0, 1, 1, 0], [2, 2]);
  g.op('pool_between', 'BatchToSpaceND', ['mp/pool', 'mp/block', 'mp/crops'], b2sAttrs);
  // As RVM's encoder: an input of open size, so the paddings and crops are computed from its shape
  // (tf.required_space_to_batch_paddings, SAME for a 3x3 kernel at dilation 2) and known only when
  // planning; and a Slice whose size the graph computes (crop_to_bounding_box), -1 for "to the end".
  const xd = g.input('xd', [-1, -1, -1, 3]);
  vals['dyn/W'] = randValues([3, 3, 3, 1]);
  g.weight('dyn/W', vals['dyn/W'], [3, 3, 3, 1]);
  const I32T = { T: A.type('DT_INT32') };
  g.op('dyn/shape', 'Shape', [xd], { T: A.type('DT_FLOAT'), out_type: A.type('DT_INT32') });
  I32('dyn/hw_begin', [1], [1]);
  I32('dyn/hw_end', [3], [1]);
  I32('dyn/one', [1], [1]);
  g.op('dyn/hw', 'StridedSlice', ['dyn/shape', 'dyn/hw_begin', 'dyn/hw_end', 'dyn/one'],
       { T: A.type('DT_INT32'), Index: A.type('DT_INT32'), begin_mask: A.i(0), end_mask: A.i(0),
         ellipsis_mask: A.i(0), new_axis_mask: A.i(0), shrink_axis_mask: A.i(0) });
  I32('dyn/block', [2, 2], [2]);
  I32('dyn/base_start', [2, 2], [2]);
  I32('dyn/base_total', [4, 4], [2]);
  I32('dyn/base_end', [2, 2], [2]);
  g.op('dyn/full', 'AddV2', ['dyn/hw', 'dyn/base_total'], I32T);
  g.op('dyn/rem', 'FloorMod', ['dyn/full', 'dyn/block'], I32T);
  g.op('dyn/short', 'Sub', ['dyn/block', 'dyn/rem'], I32T);
  g.op('dyn/extra', 'FloorMod', ['dyn/short', 'dyn/block'], I32T);
  g.op('dyn/end', 'AddV2', ['dyn/base_end', 'dyn/extra'], I32T);
  g.op('dyn/paddings', 'Pack', ['dyn/base_start', 'dyn/end'], { T: A.type('DT_INT32'), N: A.i(2), axis: A.i(1) });
  g.op('dyn/zeros', 'ZerosLike', ['dyn/extra'], I32T);
  g.op('dyn/crops', 'Pack', ['dyn/zeros', 'dyn/extra'], { T: A.type('DT_INT32'), N: A.i(2), axis: A.i(1) });
  g.op('dyn/s2b', 'SpaceToBatchND', [xd, 'dyn/block', 'dyn/paddings'], s2bAttrs);
  g.op('dyn/conv', 'DepthwiseConv2dNative', ['dyn/s2b', 'dyn/W'],
       { ...T, data_format: NHWC, strides: ones4, padding: A.s('VALID'), dilations: ones4, explicit_paddings: A.ints([]) });
  g.op('dyn_dilated', 'BatchToSpaceND', ['dyn/conv', 'dyn/block', 'dyn/crops'], b2sAttrs);
  I32('dyn/keep', [1, 0, 0, 1], [4]);
  I32('dyn/size_add', [0, 3, 4, -4], [4]);
  g.op('dyn/kept', 'Mul', ['dyn/shape', 'dyn/keep'], I32T);
  g.op('dyn/size', 'AddV2', ['dyn/kept', 'dyn/size_add'], I32T);  // [n, 3, 4, -1]
  I32('dyn/begin', [0, 2, 1, 1], [4]);
  g.op('dyn_slice', 'Slice', [xd, 'dyn/begin', 'dyn/size'], { T: A.type('DT_FLOAT'), Index: A.type('DT_INT32') });
  writeModel(dir, 'model.json', g, {});
  const feedVals = {
    x: randValues([1, 9, 11, 3], -2, 2), xb: randValues([2, 7, 10, 4], -2, 2),
    so: randValues([2, 5, 6, 3], -2, 2), bo: randValues([8, 3, 2, 2], -2, 2), r3: randValues([1, 7, 4], -2, 2),
    xd: randValues([1, 9, 11, 3], -2, 2),
  };
  const shapes = { x: inputs.x, xb: inputs.xb, so: [2, 5, 6, 3], bo: [8, 3, 2, 2], r3: [1, 7, 4], xd: [1, 9, 11, 3] };
  checks.push({ name: 'dyn', out: 'dyn_dilated', inp: 'xd', k: [3, 3, 3, 1], block: [2, 2], same: true, dw: true, variant: 'plain' });
  // The TF.js graph executor against TF.js's own dilated conv ops: the fixture's paddings and
  // crops must spell the convolution they stand for.
  const model = await loadWritten(dir, 'model.json');
  const feeds = Object.fromEntries(Object.keys(feedVals).map((n) => [n, tf.tensor(feedVals[n], shapes[n])]));
  for (const c of checks) {
    const got = await model.executeAsync(feeds, c.out);
    const xin = feeds[c.inp], W = tf.tensor(vals[`${c.name}/W`], c.k);
    const b = vals[`${c.name}/b`] ? tf.tensor(vals[`${c.name}/b`]) : null;
    const dil = c.block.length === 2 ? c.block : [c.block[0], 1];
    const pad = c.same ? 'same' : 'valid';
    let want = c.dw ? tf.depthwiseConv2d(xin, W, 1, pad, 'NHWC', dil) : tf.conv2d(xin, W, 1, pad, 'NHWC', dil);
    if (c.variant.endsWith('after') || c.variant === 'fused_inside') want = tf.add(want, b);
    if (c.variant === 'bias_relu_after' || c.variant === 'fused_inside') want = tf.relu(want);
    const diff = tf.max(tf.abs(tf.sub(got, want))).dataSync()[0];
    if (!(diff < 1e-5) || got.shape.join() !== want.shape.join())
      throw new Error(`${c.name}: graph ${got.shape} vs tf.conv2d ${want.shape}, max diff ${diff}`);
  }
  await finish(dir, 'model.json',
               Object.keys(feedVals).map((n) => ({ name: n, shape: shapes[n], values: feedVals[n] })),
               [...checks.map((c) => ({ name: c.out, node: c.out })),
                { name: 'd2_unfolded/conv', node: 'd2_unfolded/conv' },
                ...['s2b_alone', 'b2s_alone', 's2b_rank3', 'b2s_rank3', 'pool_between', 'dyn_slice']
                  .map((n) => ({ name: n, node: n }))]);
}

// TF1's SpaceToBatch(input, paddings) / BatchToSpace(input, crops) with a block_size attribute
// (both spatial dims): TF.js has no kernel for them, so the reference is tf.spaceToBatchND /
// tf.batchToSpaceND with block [b, b].
async function spaceBatchV1(root) {
  const dir = path.join(root, 'space_batch_v1');
  rngState = 20251209;
  const g = new Graph();
  g.input('x', [1, 5, 7, 2]);
  g.input('y', [8, 2, 3, 1]);
  g.weight('pads', [1, 0, 0, 1], [2, 2], { dtype: 'int32' });
  g.weight('crops', [0, 1, 1, 1], [2, 2], { dtype: 'int32' });
  g.op('s2b', 'SpaceToBatch', ['x', 'pads'], { T: A.type('DT_FLOAT'), Tpaddings: A.type('DT_INT32'), block_size: A.i(2) });
  g.op('b2s', 'BatchToSpace', ['y', 'crops'], { T: A.type('DT_FLOAT'), Tidx: A.type('DT_INT32'), block_size: A.i(2) });
  writeModel(dir, 'model.json', g, {});
  const compute = (feeds) => ({
    s2b: tf.spaceToBatchND(feeds.x, [2, 2], [[1, 0], [0, 1]]),
    b2s: tf.batchToSpaceND(feeds.y, [2, 2], [[0, 1], [1, 1]]),
  });
  await finish(dir, 'model.json', [{ name: 'x', shape: [1, 5, 7, 2], values: randValues([1, 5, 7, 2], -2, 2) },
                                   { name: 'y', shape: [8, 2, 3, 1], values: randValues([8, 2, 3, 1], -2, 2) }],
               [{ name: 's2b', node: 's2b' }, { name: 'b2s', node: 'b2s' }],
               { compute, note: 'TF.js does not run SpaceToBatch / BatchToSpace: reference from tf.spaceToBatchND / tf.batchToSpaceND' });
}

// Malformed SpaceToBatchND / BatchToSpaceND, one small model each in tests/data/tfjs_graph_bad
// (no references: tests/cli checks that `frost check` names the node and the problem).
async function spaceBatchBad(root) {
  const dir = path.join(root, '..', 'tfjs_graph_bad');
  const cases = [
    // name, op, input shape, block values / shape, pads values / shape
    ['s2b_negative_block', 'SpaceToBatchND', [1, 6, 6, 2], [-2, 2], [2], [0, 0, 0, 0], [2, 2]],
    ['s2b_block_rank', 'SpaceToBatchND', [1, 6, 6, 2], [2, 2], [2, 1], [0, 0, 0, 0], [2, 2]],
    ['s2b_negative_paddings', 'SpaceToBatchND', [1, 6, 6, 2], [2, 2], [2], [0, -1, 0, 0], [2, 2]],
    ['s2b_rows', 'SpaceToBatchND', [1, 6, 6, 2], [2, 2], [2], [0, 0, 0, 0, 0, 0], [3, 2]],
    ['s2b_not_multiple', 'SpaceToBatchND', [1, 6, 6, 2], [2, 2], [2], [0, 1, 0, 0], [2, 2]],
    ['s2b_block_input', 'SpaceToBatchND', [1, 6, 6, 2], null, [2], [0, 0, 0, 0], [2, 2]],
    ['b2s_crops_shape', 'BatchToSpaceND', [4, 3, 3, 2], [2, 2], [2], [0, 0, 0, 0, 0, 0], [2, 3]],
    ['b2s_batch', 'BatchToSpaceND', [2, 3, 3, 2], [2, 2], [2], [0, 0, 0, 0], [2, 2]],
    ['b2s_crops_too_big', 'BatchToSpaceND', [4, 2, 2, 2], [2, 2], [2], [3, 2, 0, 0], [2, 2]],
  ];
  for (const [name, op, xs, block, blockShape, pads, padShape] of cases) {
    const g = new Graph();
    g.input('x', xs);
    if (block) g.weight('block_shape', block, blockShape, { dtype: 'int32' });
    else g.input('block_shape', blockShape, 'int32');
    g.weight('pads', pads, padShape, { dtype: 'int32' });
    const third = op === 'SpaceToBatchND' ? 'Tpaddings' : 'Tcrops';
    g.op('space_batch', op, ['x', 'block_shape', 'pads'],
         { T: A.type('DT_FLOAT'), Tblock_shape: A.type('DT_INT32'), [third]: A.type('DT_INT32') });
    writeModel(dir, `${name}.json`, g, { shardPrefix: `${name}-` });
    fs.rmSync(path.join(dir, 'ref'), { recursive: true, force: true });
  }
  console.log(`${dir}: ${cases.length} malformed models`);
}

const all = { fusedConv, fusedDepthwise, fusedMatMul, fusedTfOnly, quantized, ops, functions, selection,
              dilated, spaceBatchV1, spaceBatchBad };

await tf.setBackend('cpu');
const only = process.argv.slice(3);
for (const [name, fn] of Object.entries(all)) {
  if (only.length && !only.includes(name)) continue;
  await fn(outRoot);
}

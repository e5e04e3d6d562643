// export_fashion_tfjs.mjs — writes the bundled Fashion-MNIST models in Keras format (TensorFlow.js
// layers: model.json + weights.bin), with exactly the weights of models/fashion/<name>.onnx.
//
// Why convert instead of training again in TensorFlow.js: every format frost loads then holds the
// same numbers, so frost's accuracy must agree across its importers to the last image, and speed
// differences between formats are frost's own. The Keras models follow Keras conventions: input
// `input` ([N,784] or NHWC [N,28,28,1]), output layer `softmax`; Dense kernels [in,out]; Conv2D
// kernels HWIO; 'same' padding; the expert's Flatten runs over NHWC, so the first dense layer's rows
// are permuted from PyTorch's CHW order. Dropout is kept as a layer (inactive at inference).
//
// It checks itself before writing: the TF.js model must reproduce models/fashion/<name>_expected100.npy
// (PyTorch's outputs for the first 100 test images) within 1e-4, and reports its accuracy on the
// test images. It never trains and never changes the ONNX files.
//
// Usage (needs npm once, for @tensorflow/tfjs; frost's tests never run this):
//   mkdir -p build-bench/tfjs && (cd build-bench/tfjs && npm install @tensorflow/tfjs@4.22.0)
//   NODE_PATH=build-bench/tfjs/node_modules node scripts/export_fashion_tfjs.mjs beginner models/fashion/tfjs/beginner
//   NODE_PATH=build-bench/tfjs/node_modules node scripts/export_fashion_tfjs.mjs expert build-bench/tfjs/expert
// Optional third argument: how many test images to score (default 10000; the expert is slow in JS).
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const require = createRequire(process.env.NODE_PATH ? path.join(path.resolve(process.env.NODE_PATH), 'x.js')
                                                     : import.meta.url);
const tf = require('@tensorflow/tfjs');

const here = path.dirname(new URL(import.meta.url).pathname);
const name = process.argv[2];
const outDir = process.argv[3];
const scoreN = Number(process.argv[4] || 10000);
const modelsDir = path.join(here, '..', 'models', 'fashion');
const dataDir = process.env.FASHION_MNIST || '/usr/share/datasets/fashion-mnist';
if (!['beginner', 'expert'].includes(name) || !outDir) {
  console.error('usage: export_fashion_tfjs.mjs beginner|expert OUT_DIR [N_TEST]');
  process.exit(2);
}

// ---- ONNX initializers, straight from the protobuf wire format ----
function* fields(buf) {
  let pos = 0;
  const varint = () => {
    let v = 0n, shift = 0n;
    for (;;) {
      const b = buf[pos++];
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return v;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const key = Number(varint());
    const field = key >> 3, wire = key & 7;
    if (wire === 0) yield [field, wire, varint()];
    else if (wire === 2) {
      const n = Number(varint());
      yield [field, wire, buf.subarray(pos, pos + n)];
      pos += n;
    } else if (wire === 5) { yield [field, wire, buf.subarray(pos, pos + 4)]; pos += 4; }
    else if (wire === 1) { yield [field, wire, buf.subarray(pos, pos + 8)]; pos += 8; }
    else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
}

function onnxInitializers(file) {
  const out = {};
  for (const [f, , graph] of fields(fs.readFileSync(file))) {
    if (f !== 7) continue;                       // ModelProto.graph
    for (const [g, , tensor] of fields(graph)) {
      if (g !== 5) continue;                     // GraphProto.initializer
      let dims = [], tname = null, raw = null, dtype = 0;
      for (const [t, wire, v] of fields(tensor)) {
        if (t === 1) {
          if (wire === 2) dims.push(...packedDims(v));
          else dims.push(Number(v));
        } else if (t === 2) dtype = Number(v);
        else if (t === 8) tname = Buffer.from(v).toString();
        else if (t === 9) raw = Buffer.from(v);
      }
      if (dtype !== 1 || !raw) continue;
      const a = new Float32Array(raw.length / 4);
      for (let i = 0; i < a.length; i++) a[i] = raw.readFloatLE(4 * i);
      out[tname] = { dims, data: a };
    }
  }
  return out;
}

// TensorProto.dims may be packed: one length-delimited run of varints.
function packedDims(v) {
  const dims = [];
  let pos = 0;
  while (pos < v.length) {
    let d = 0, shift = 0;
    for (;;) { const b = v[pos++]; d += (b & 0x7f) * 2 ** shift; if (b < 0x80) break; shift += 7; }
    dims.push(d);
  }
  return dims;
}

function get(w, key, dims) {
  const t = w[key];
  if (!t || t.dims.join(',') !== dims.join(',')) {
    throw new Error(`${name}.onnx: expected initializer ${key} [${dims}], have ` +
                    Object.entries(w).map(([k, v]) => `${k} [${v.dims}]`).join(', '));
  }
  return t.data;
}

function transpose2(src, rows, cols) {            // [rows,cols] -> [cols,rows]
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = src[r * cols + c];
  return out;
}

function oihwToHwio(src, o, i, kh, kw) {
  const out = new Float32Array(o * i * kh * kw);
  for (let a = 0; a < o; a++) for (let b = 0; b < i; b++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++)
    out[((y * kw + x) * i + b) * o + a] = src[((a * i + b) * kh + y) * kw + x];
  return out;
}

// ---- the Keras models ----
function build(w) {
  if (name === 'beginner') {
    const input = tf.input({ shape: [784], name: 'input' });
    const dense = tf.layers.dense({ units: 10, activation: 'softmax', name: 'softmax' });
    const model = tf.model({ inputs: input, outputs: dense.apply(input), name: 'fashion_beginner' });
    dense.setWeights([tf.tensor(transpose2(get(w, 'dense.weight', [10, 784]), 10, 784), [784, 10]),
                      tf.tensor(get(w, 'dense.bias', [10]), [10])]);
    return model;
  }
  const input = tf.input({ shape: [28, 28, 1], name: 'input' });
  const conv1 = tf.layers.conv2d({ filters: 32, kernelSize: 5, padding: 'same', activation: 'relu', name: 'conv1' });
  const pool1 = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' });
  const conv2 = tf.layers.conv2d({ filters: 64, kernelSize: 5, padding: 'same', activation: 'relu', name: 'conv2' });
  const pool2 = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool2' });
  const flat = tf.layers.flatten({ name: 'flatten' });
  const dense1 = tf.layers.dense({ units: 1024, activation: 'relu', name: 'dense1' });
  const drop = tf.layers.dropout({ rate: 0.5, name: 'dropout' });
  const dense2 = tf.layers.dense({ units: 10, activation: 'softmax', name: 'softmax' });
  let x = input;
  for (const l of [conv1, pool1, conv2, pool2, flat, dense1, drop, dense2]) x = l.apply(x);
  const model = tf.model({ inputs: input, outputs: x, name: 'fashion_expert' });
  conv1.setWeights([tf.tensor(oihwToHwio(get(w, 'conv1.weight', [32, 1, 5, 5]), 32, 1, 5, 5), [5, 5, 1, 32]),
                    tf.tensor(get(w, 'conv1.bias', [32]), [32])]);
  conv2.setWeights([tf.tensor(oihwToHwio(get(w, 'conv2.weight', [64, 32, 5, 5]), 64, 32, 5, 5), [5, 5, 32, 64]),
                    tf.tensor(get(w, 'conv2.bias', [64]), [64])]);
  const w1 = get(w, 'dense1.weight', [1024, 3136]);     // [out, c*49 + h*7 + w]
  const k1 = new Float32Array(3136 * 1024);             // [(h*7 + w)*64 + c, out]
  for (let o = 0; o < 1024; o++)
    for (let c = 0; c < 64; c++)
      for (let hw = 0; hw < 49; hw++) k1[(hw * 64 + c) * 1024 + o] = w1[o * 3136 + c * 49 + hw];
  dense1.setWeights([tf.tensor(k1, [3136, 1024]), tf.tensor(get(w, 'dense1.bias', [1024]), [1024])]);
  dense2.setWeights([tf.tensor(transpose2(get(w, 'dense2.weight', [10, 1024]), 10, 1024), [1024, 10]),
                     tf.tensor(get(w, 'dense2.bias', [10]), [10])]);
  return model;
}

// ---- data and the reference outputs ----
function idx(stem) {
  let file = path.join(dataDir, stem + '.gz');
  let buf = fs.existsSync(file) ? zlib.gunzipSync(fs.readFileSync(file)) : fs.readFileSync(path.join(dataDir, stem));
  const rank = buf[3];
  const dims = [];
  for (let i = 0; i < rank; i++) dims.push(buf.readUInt32BE(4 + 4 * i));
  return { dims, data: buf.subarray(4 + 4 * rank) };
}

function readNpyF32(file) {
  const buf = fs.readFileSync(file);
  const headerLen = buf.readUInt16LE(8);
  const header = buf.subarray(10, 10 + headerLen).toString();
  if (!header.includes("'<f4'")) throw new Error(`${file}: not little-endian f32`);
  const body = buf.subarray(10 + headerLen);
  const a = new Float32Array(body.length / 4);
  for (let i = 0; i < a.length; i++) a[i] = body.readFloatLE(4 * i);
  return a;
}

const weights = onnxInitializers(path.join(modelsDir, `${name}.onnx`));
const model = build(weights);
const images = idx('t10k-images-idx3-ubyte');
const labels = idx('t10k-labels-idx1-ubyte');
const n = Math.min(scoreN, images.dims[0]);
const shape = name === 'beginner' ? [784] : [28, 28, 1];
function batch(from, to) {
  const px = new Float32Array((to - from) * 784);
  for (let i = 0; i < px.length; i++) px[i] = images.data[from * 784 + i] / 255;
  return tf.tensor(px, [to - from, ...shape]);
}

const expected = readNpyF32(path.join(modelsDir, `${name}_expected100.npy`));
const got = tf.tidy(() => model.predict(batch(0, 100)).dataSync());
let maxDiff = 0;
for (let i = 0; i < expected.length; i++) maxDiff = Math.max(maxDiff, Math.abs(expected[i] - got[i]));
console.error(`${name}: max |TF.js - PyTorch| over the first 100 test outputs: ${maxDiff.toExponential(2)}`);
if (!(maxDiff < 1e-4)) {
  console.error(`${name}: the converted model does not reproduce PyTorch's outputs; not writing it`);
  process.exit(1);
}
let correct = 0;
for (let from = 0; from < n; from += 250) {
  const to = Math.min(n, from + 250);
  const pred = tf.tidy(() => model.predict(batch(from, to)).argMax(1).dataSync());
  for (let i = 0; i < pred.length; i++) correct += pred[i] === labels.data[from + i];
}
const accuracy = correct / n;
console.error(`${name}: TF.js accuracy ${accuracy.toFixed(4)} on ${n} test images`);

fs.mkdirSync(outDir, { recursive: true });
await model.save(tf.io.withSaveHandler(async (art) => {
  fs.writeFileSync(path.join(outDir, 'weights.bin'), Buffer.from(art.weightData));
  const json = {
    modelTopology: art.modelTopology,
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: `scripts/export_fashion_tfjs.mjs from models/fashion/${name}.onnx`,
    weightsManifest: [{ paths: ['weights.bin'], weights: art.weightSpecs }],
  };
  fs.writeFileSync(path.join(outDir, 'model.json'), JSON.stringify(json) + '\n');
  return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
}));
fs.writeFileSync(path.join(outDir, 'info.json'), JSON.stringify({
  model: name, source: `models/fashion/${name}.onnx`, max_abs_diff_vs_pytorch_first100: maxDiff,
  tfjs_accuracy: accuracy, tfjs_scored_images: n, tfjs_version: tf.version.tfjs,
}, null, 2) + '\n');
console.error(`${name}: wrote ${outDir}/model.json and weights.bin`);

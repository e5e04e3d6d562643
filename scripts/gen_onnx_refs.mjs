// gen_onnx_refs.mjs — reference outputs for the ONNX fixture folders whose expected values come from
// onnxruntime-node, the runtime ONNX models are made for (pinned in corpus/package-lock.json:
// `npm ci --prefix corpus` first): tests/data/onnx/control (scripts/gen_onnx_control_fixtures.py,
// checked by tests/cli/onnx_control.sh) and tests/data/onnx/graph (scripts/gen_onnx_graph_fixtures.py,
// checked by tests/cli/onnx_graph.sh). Each case runs one model on named .npy inputs and writes
// ref_<case>_<output>.npy beside them.
//
//   node scripts/gen_onnx_refs.mjs [control|graph ...]     (no argument: every folder)
import fs from 'node:fs';
import path from 'node:path';
import {createRequire} from 'node:module';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'corpus', 'package.json'));
const ort = require('onnxruntime-node');

// Per folder of tests/data/onnx: case name, model, {input name: .npy file}
const FOLDERS = {
  control: [
    ['nested_16k_b1', 'if_nested.onnx', {x: 'x1.npy', sr: 'sr16k.npy'}],
    ['nested_16k_b2', 'if_nested.onnx', {x: 'x2.npy', sr: 'sr16k.npy'}],
    ['nested_8k_b1', 'if_nested.onnx', {x: 'x1.npy', sr: 'sr8k.npy'}],
    ['shapes_16k', 'if_shapes.onnx', {x: 'x16.npy', sr: 'sr16k.npy'}],
    ['data_pos', 'if_data.onnx', {x: 'pos.npy'}],
    ['data_neg', 'if_data.onnx', {x: 'neg.npy'}],
    ['loop', 'loop.onnx', {x: 'pos.npy'}],
    ['lstm', 'lstm_dynamic.onnx', {x: 'seq.npy'}],
    ['gru', 'gru_dynamic.onnx', {x: 'seq.npy'}],
  ],
  graph: [
    ['stft', 'stft.onnx', {audio: 'audio.npy'}],
    ['dft28', 'dft.onnx', {audio: 'audio2000.npy'}],
    ['dft6', 'dft.onnx', {audio: 'audio600.npy'}],
    ['conv1d', 'conv1d.onnx', {sig3: 'sig3.npy'}],
    ['pools', 'pools.onnx', {x: 'map.npy'}],
    ['rnn', 'rnn_dynamic.onnx', {x: 'seq.npy'}],
    ['gru_lbr', 'gru_lbr_dynamic.onnx', {x: 'seq.npy'}],
    ['clamps', 'clamps.onnx', {x: 'clamp_x.npy', m: 'clamp_m.npy'}],
    ['clamps_nofuse', 'clamps_nofuse.onnx', {x: 'clamp_x.npy'}],
  ],
};

const DESCR = {'<f4': ['float32', Float32Array], '<i8': ['int64', BigInt64Array]};

function readNpy(file) {
  const b = fs.readFileSync(file);
  const hlen = b.readUInt16LE(8);
  const header = b.toString('latin1', 10, 10 + hlen);
  const descr = /'descr': '([^']+)'/.exec(header)[1];
  const shape = /'shape': \(([^)]*)\)/.exec(header)[1].split(',').map((s) => s.trim())
    .filter((s) => s).map(Number);
  const [type, Arr] = DESCR[descr];
  const body = b.subarray(10 + hlen);
  const copy = new Uint8Array(body.length);
  copy.set(body);
  return new ort.Tensor(type, new Arr(copy.buffer), shape);
}

function writeNpy(file, t) {
  if (t.type !== 'float32') throw new Error(`${file}: output type ${t.type}`);
  const shp = t.dims.length === 0 ? '()' : t.dims.length === 1 ? `(${t.dims[0]},)`
    : `(${t.dims.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shp}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad === 64 ? 0 : pad) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre.writeUInt16LE(header.length, 8);
  const data = t.data;
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'),
    Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

const wanted = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(FOLDERS);
for (const folder of wanted) {
  if (!FOLDERS[folder]) throw new Error(`unknown folder '${folder}' (${Object.keys(FOLDERS).join(', ')})`);
  const dir = path.join(root, 'tests', 'data', 'onnx', folder);
  for (const [name, model, inputs] of FOLDERS[folder]) {
    const session = await ort.InferenceSession.create(path.join(dir, model));
    const feeds = {};
    for (const [k, f] of Object.entries(inputs)) feeds[k] = readNpy(path.join(dir, f));
    const out = await session.run(feeds);
    for (const k of session.outputNames) {
      writeNpy(path.join(dir, `ref_${name}_${k}.npy`), out[k]);
      console.log(`${folder}/ref_${name}_${k}.npy`, out[k].dims.join('x'));
    }
  }
  console.log(`onnxruntime-node ${ort.env.versions?.common ?? ''}: references written to ${dir}`);
}

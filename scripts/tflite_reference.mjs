// tflite_reference.mjs — runs .tflite models with TFLite itself (LiteRT's WebAssembly build,
// npm @litertjs/core, CPU) and writes their outputs as .npy: the reference frost's TFLite tests
// compare with. LiteRT is made for browsers; the few globals its loader expects (self,
// importScripts, a fetch that reads local files) are provided here for Node.
//
// Usage (needs network once, for npm; the tests never do). LiteRT lives in a folder of its own:
//   mkdir -p /tmp/litert && (cd /tmp/litert && npm install @litertjs/core@2.5.3)
//   NODE_PATH=/tmp/litert/node_modules node scripts/tflite_reference.mjs DIR
//       for every DIR/NAME.tflite with inputs DIR/NAME.in0.npy, ...: writes DIR/NAME.out0.npy, ...
//       and DIR/NAME.ref.json (output names, dtypes, shapes)
//   NODE_PATH=... node scripts/tflite_reference.mjs --model M.tflite --out PREFIX [IN0.npy ...]
//       one model; inputs not given are filled deterministically (uniform floats in [-1, 1),
//       integers over the type's range); writes PREFIX.in*.npy, PREFIX.out*.npy, PREFIX.ref.json
//
// Note: LiteRT runs integer models through XNNPACK, whose requantization rounds in float: its
// int8/uint8 outputs may differ from TFLite's reference kernels by one quantization step per
// layer. The tests allow for that; the tflite-micro golden files are the bit-exact oracle.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

const modules = process.env.NODE_PATH || path.resolve('node_modules');
const require = createRequire(path.join(modules, 'x.js'));
const wasmDir = path.join(path.dirname(require.resolve('@litertjs/core/package.json')), 'wasm');

// ---- Browser globals LiteRT's loader uses ------------------------------------------------------
globalThis.require = require;
globalThis.__dirname = wasmDir;
globalThis.__filename = path.join(wasmDir, 'loader.js');
globalThis.self = globalThis;
const localPath = (u) => {
  const s = u.toString();
  if (s.startsWith('file://')) return new URL(s).pathname;
  return s.startsWith('/') ? s : null;
};
globalThis.importScripts = (u) => vm.runInThisContext(fs.readFileSync(localPath(u), 'utf8'));
const realFetch = globalThis.fetch;
globalThis.fetch = async (u, o) => {
  const p = localPath(u);
  if (!p) return realFetch(u, o);
  return new Response(fs.readFileSync(p), {
    headers: { 'Content-Type': p.endsWith('.wasm') ? 'application/wasm' : 'text/javascript' },
  });
};
const { loadLiteRt, loadAndCompile, Tensor } = await import(
  require.resolve('@litertjs/core').replace(/index\.js$/, 'index.js'));

// ---- .npy ---------------------------------------------------------------------------------------
const DTYPES = {
  float32: ['<f4', Float32Array], int32: ['<i4', Int32Array], int8: ['|i1', Int8Array],
  uint8: ['|u1', Uint8Array], int16: ['<i2', Int16Array], int64: ['<i8', BigInt64Array],
  bool: ['|b1', Uint8Array],
};
const DESCR = Object.fromEntries(Object.entries(DTYPES).map(([k, v]) => [v[0], k]));

function readNpy(file) {
  const b = fs.readFileSync(file);
  const hlen = b.readUInt16LE(8);
  const header = b.toString('latin1', 10, 10 + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').map((s) => s.trim())
    .filter((s) => s).map(Number);
  const dtype = DESCR[descr];
  if (!dtype) throw new Error(`${file}: dtype ${descr} not supported`);
  const Ctor = DTYPES[dtype][1];
  const body = b.subarray(10 + hlen);
  const copy = new Uint8Array(body.length);
  copy.set(body);
  return { dtype, shape, data: new Ctor(copy.buffer) };
}

function writeNpy(file, dtype, shape, data) {
  const descr = DTYPES[dtype][0];
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  while ((10 + header.length + 1) % 64) header += ' ';
  header += '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), bytes]));
}

// Deterministic inputs (xorshift32) for models given without input files.
let state = 2463534242;
function rand() {
  state ^= state << 13; state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5; state >>>= 0;
  return state / 4294967296;
}
function makeInput(dtype, shape) {
  const n = shape.reduce((a, b) => a * b, 1);
  const Ctor = DTYPES[dtype][1];
  const a = new Ctor(n);
  for (let i = 0; i < n; i++) {
    if (dtype === 'float32') a[i] = 2 * rand() - 1;
    else if (dtype === 'int8') a[i] = Math.floor(rand() * 256) - 128;
    else if (dtype === 'uint8' || dtype === 'bool') a[i] = Math.floor(rand() * (dtype === 'bool' ? 2 : 256));
    else if (dtype === 'int16') a[i] = Math.floor(rand() * 65536) - 32768;
    else if (dtype === 'int64') a[i] = BigInt(Math.floor(rand() * 10));
    else a[i] = Math.floor(rand() * 10);
  }
  return a;
}

// Dynamic dims (-1) are fed as 1, the size TFLite stores for them.
const dims = (d) => Array.from({ length: Object.keys(d.shape).length }, (_, i) => (d.shape[i] < 0 ? 1 : d.shape[i]));

async function runOne(modelFile, inputFiles, prefix) {
  const model = await loadAndCompile(new Uint8Array(fs.readFileSync(modelFile)), { accelerator: 'wasm' });
  const details = model.getInputDetails();
  const feeds = details.map((d, k) => {
    const shape = dims(d);
    if (inputFiles[k]) {
      const npy = readNpy(inputFiles[k]);
      return new Tensor(npy.data, npy.shape);
    }
    const data = makeInput(d.dtype, shape);
    writeNpy(`${prefix}.in${k}.npy`, d.dtype, shape, data);
    return new Tensor(data, shape);
  });
  const outs = await model.run(feeds);
  const ref = { model: path.basename(modelFile), runtime: '@litertjs/core 2.5.3 (wasm, XNNPACK)',
                inputs: details.map((d) => ({ name: d.name, dtype: d.dtype, shape: dims(d) })),
                outputs: [] };
  model.getOutputDetails().forEach((d, k) => {
    const t = outs[k];
    const data = t.toTypedArray();
    const shape = t.type.layout.dimensions;
    writeNpy(`${prefix}.out${k}.npy`, t.type.dtype, shape, data);
    ref.outputs.push({ name: d.name, dtype: t.type.dtype, shape, file: `${path.basename(prefix)}.out${k}.npy` });
  });
  fs.writeFileSync(`${prefix}.ref.json`, JSON.stringify(ref, null, 1) + '\n');
  console.log(`${path.basename(modelFile)}: ${ref.outputs.length} output(s)`);
}

await loadLiteRt(wasmDir + '/');
const args = process.argv.slice(2);
if (args[0] === '--model') {
  const out = args[args.indexOf('--out') + 1];
  const ins = args.filter((a, i) => i > 3 || (i > 1 && args[i - 1] !== '--out' && a !== '--out'))
    .filter((a) => a.endsWith('.npy'));
  await runOne(args[1], ins, out);
} else {
  const dir = args[0] || 'tests/data/tflite';
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.tflite')).sort()) {
    const stem = path.join(dir, f.replace(/\.tflite$/, ''));
    const ins = [];
    for (let k = 0; fs.existsSync(`${stem}.in${k}.npy`); k++) ins.push(`${stem}.in${k}.npy`);
    if (!ins.length) continue; // refusal fixtures have no inputs
    try {
      await runOne(path.join(dir, f), ins, stem);
    } catch (e) {
      console.log(`${f}: LiteRT failed: ${e.message || e}`);
    }
  }
}

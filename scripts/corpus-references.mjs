#!/usr/bin/env node
// corpus-references.mjs — reference outputs for the real-model corpus, computed by the runtime each
// model was made for: onnxruntime-node for ONNX, @tensorflow/tfjs (cpu backend) for TF.js graph and
// layers models, @litertjs/core (LiteRT, TFLite's runtime, as WebAssembly) for .tflite. For every
// row of corpus/models.tsv whose package scripts/fetch-corpus.sh put in the cache, it makes the
// inputs the row's recipe asks for, runs the model once, and writes into CACHE/refs/<id>/
//   in_K.npy, out_K.npy   the inputs fed and the outputs the runtime gave (NumPy 1.0, C order)
//   manifest.json         model path, input/output names, dtypes, shapes, tolerance, file's ops
// A model its runtime cannot run gets a manifest with "error" (and no outputs), so the status
// table says why it has no reference. Never computes anything with frost. Idempotent: a manifest
// whose key (row + package integrity + runtime versions + this script's version) is unchanged is
// kept. The runtimes are pinned in corpus/package.json (npm ci --prefix corpus).
//
// usage: node scripts/corpus-references.mjs [--force] [--list] [ID-SUBSTRING...]
//   env FROST_CORPUS_DIR (default ~/.cache/frost/corpus), FROST_SHARED_DIR (default ../shared)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import {createRequire} from 'node:module';
import {fileURLToPath, pathToFileURL} from 'node:url';

const SCRIPT_VERSION = 1;  // bump when inputs or outputs would change for the same row
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = path.resolve(process.env.FROST_CORPUS_DIR || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'frost/corpus'));
const SHARED = path.resolve(process.env.FROST_SHARED_DIR || path.join(ROOT, '../shared'));
const TOOLS = path.join(ROOT, 'corpus');

// ---------------------------------------------------------------- corpus lists (TSV) ----------
function readTsv(file, columns) {
  const rows = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const f = line.split('\t');
    if (f.length !== columns.length) throw new Error(`${file}: ${f.length} columns in '${line.slice(0, 60)}', want ${columns.length}`);
    rows.push(Object.fromEntries(columns.map((c, i) => [c, f[i]])));
  }
  return rows;
}

// ------------------------------------------------------------------------------ .npy ----------
const NPY_DESCR = {float32: '<f4', float64: '<f8', float16: '<f2', int8: '|i1', uint8: '|u1',
  int16: '<i2', uint16: '<u2', int32: '<i4', uint32: '<u4', int64: '<i8', uint64: '<u8', bool: '|b1'};

function writeNpy(file, dtype, shape, typed) {
  const descr = NPY_DESCR[dtype];
  if (!descr) throw new Error(`no .npy dtype for ${dtype}`);
  const shp = shape.length === 0 ? '()' : shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shp}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad === 64 ? 0 : pad) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1; pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const body = Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength);
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), body]));
}

// ------------------------------------------------------------------ inputs: the photo ---------
// A minimal PNG reader for 8-bit, non-interlaced images: enough for the corpus photo.
function readPng(file) {
  const b = fs.readFileSync(file);
  if (b.readUInt32BE(0) !== 0x89504e47) throw new Error(`${file}: not a PNG`);
  let w = 0, h = 0, depth = 0, ctype = 0, interlace = 0;
  const idat = [];
  for (let p = 8; p + 8 <= b.length;) {
    const len = b.readUInt32BE(p), type = b.toString('latin1', p + 4, p + 8), d = b.subarray(p + 8, p + 8 + len);
    if (type === 'IHDR') { w = d.readUInt32BE(0); h = d.readUInt32BE(4); depth = d[8]; ctype = d[9]; interlace = d[12]; }
    else if (type === 'IDAT') idat.push(d);
    else if (type === 'IEND') break;
    p += 12 + len;
  }
  const channels = {0: 1, 2: 3, 4: 2, 6: 4}[ctype];
  if (depth !== 8 || interlace !== 0 || !channels) throw new Error(`${file}: PNG depth ${depth} colour type ${ctype} interlace ${interlace} not read here`);
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = w * channels, px = new Uint8Array(h * stride);
  for (let y = 0; y < h; y++) {
    const filter = raw[y * (stride + 1)], src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = px.subarray(y * stride, (y + 1) * stride), up = y ? px.subarray((y - 1) * stride, y * stride) : null;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? row[x - channels] : 0, u = up ? up[x] : 0, c = up && x >= channels ? up[x - channels] : 0;
      let v = src[x];
      if (filter === 1) v += a;
      else if (filter === 2) v += u;
      else if (filter === 3) v += (a + u) >> 1;
      else if (filter === 4) { const pa = Math.abs(u - c), pb = Math.abs(a - c), pc = Math.abs(a + u - 2 * c); v += pa <= pb && pa <= pc ? a : pb <= pc ? u : c; }
      row[x] = v & 255;
    }
  }
  // To RGB floats in [0, 255].
  const rgb = new Float32Array(w * h * 3);
  for (let i = 0; i < w * h; i++)
    for (let k = 0; k < 3; k++) rgb[i * 3 + k] = px[i * channels + (channels >= 3 ? k : 0)];
  return {w, h, rgb};
}

// Bilinear resize with half-pixel centres.
function resize(img, W, H) {
  const out = new Float32Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    const sy = Math.min(Math.max((y + 0.5) * img.h / H - 0.5, 0), img.h - 1), y0 = Math.floor(sy), y1 = Math.min(y0 + 1, img.h - 1), fy = sy - y0;
    for (let x = 0; x < W; x++) {
      const sx = Math.min(Math.max((x + 0.5) * img.w / W - 0.5, 0), img.w - 1), x0 = Math.floor(sx), x1 = Math.min(x0 + 1, img.w - 1), fx = sx - x0;
      for (let k = 0; k < 3; k++) {
        const p = (yy, xx) => img.rgb[(yy * img.w + xx) * 3 + k];
        out[(y * W + x) * 3 + k] = (p(y0, x0) * (1 - fx) + p(y0, x1) * fx) * (1 - fy) + (p(y1, x0) * (1 - fx) + p(y1, x1) * fx) * fy;
      }
    }
  }
  return out;
}

// The photo ships in a corpus package; its path follows that package's pinned version.
let photo = null, PHOTO = null;
function imageInput(range, shape, source) {
  if (shape.length !== 4) throw new Error(`image recipe needs a 4-D input, got [${shape}]`);
  const chans = new Set([1, 3, 4]);
  const nchw = !chans.has(shape[3]) && chans.has(shape[1]);
  const [N, C, H, W] = nchw ? [shape[0], shape[1], shape[2], shape[3]] : [shape[0], shape[3], shape[1], shape[2]];
  if (!chans.has(C)) throw new Error(`image recipe: no 1, 3 or 4 channel axis in [${shape}]`);
  photo ??= readPng(path.join(CACHE, PHOTO));
  source.push('photo @upscalerjs/esrgan-slim assets/fixture.png');
  const px = resize(photo, W, H);
  const mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
  const scale = (v, k) => range === '01' ? v / 255 : range === 'pm1' ? v / 127.5 - 1 : range === '255' ? v
    : range === 'imagenet' ? (v / 255 - mean[k]) / std[k] : NaN;
  if (Number.isNaN(scale(0, 0))) throw new Error(`image recipe: unknown range '${range}'`);
  const opaque = {'01': 1, pm1: 1, '255': 255, imagenet: 1}[range];
  const out = new Float64Array(N * C * H * W);
  for (let n = 0; n < N; n++)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++)
        for (let c = 0; c < C; c++) {
          const p = (y * W + x) * 3;
          const v = C === 1 ? scale(0.299 * px[p] + 0.587 * px[p + 1] + 0.114 * px[p + 2], 0) : c === 3 ? opaque : scale(px[p + c], c);
          out[nchw ? ((n * C + c) * H + y) * W + x : ((n * H + y) * W + x) * C + c] = v;
        }
  return out;
}

// A page of handwritten digits (MNIST test images from ../shared, dark on white, 28 px glyphs on
// 40 px lines) for the text models, so a text detector has text to find. Without ../shared: the photo.
let digits = null;
function textInput(range, shape, source) {
  const idx = path.join(SHARED, 'data/mnist/t10k-images-idx3-ubyte.gz');
  if (!fs.existsSync(idx)) return imageInput(range, shape, source);
  digits ??= zlib.gunzipSync(fs.readFileSync(idx));
  const [, , H, W] = shape, page = {w: W, h: H, rgb: new Float32Array(W * H * 3).fill(255)};
  const lines = Math.max(1, Math.floor((H - 4) / 40)), top = Math.floor((H - (lines * 40 - 12)) / 2);
  let k = 0;
  for (let l = 0; l < lines; l++)
    for (let x0 = 6; x0 + 28 <= W - 6; x0 += 24, k++)
      for (let y = 0; y < 28; y++)
        for (let x = 0; x < 28; x++) {
          const ink = digits[16 + k * 784 + y * 28 + x], p = ((top + l * 40 + y) * W + x0 + x) * 3;
          if (top + l * 40 + y >= H) continue;
          for (let c = 0; c < 3; c++) page.rgb[p + c] = Math.min(page.rgb[p + c], 255 - ink);
        }
  source.push('MNIST t10k digits from ../shared as a text page');
  const saved = photo;
  photo = page;
  try { return imageInput(range, shape, []); } finally { photo = saved; }
}

// ------------------------------------------------------------------ inputs: the sound ---------
let speech = null;
function readWav16(file) {
  const b = fs.readFileSync(file);
  if (b.toString('latin1', 0, 4) !== 'RIFF' || b.toString('latin1', 8, 12) !== 'WAVE') throw new Error(`${file}: not a WAV file`);
  let fmt = null;
  for (let p = 12; p + 8 <= b.length;) {
    const id = b.toString('latin1', p, p + 4), len = b.readUInt32LE(p + 4);
    if (id === 'fmt ') fmt = {format: b.readUInt16LE(p + 8), channels: b.readUInt16LE(p + 10), rate: b.readUInt32LE(p + 12), bits: b.readUInt16LE(p + 22)};
    if (id === 'data') {
      if (!fmt || fmt.format !== 1 || fmt.channels !== 1 || fmt.bits !== 16 || fmt.rate !== 16000) throw new Error(`${file}: want 16 kHz 16-bit mono PCM`);
      const n = Math.min(len, b.length - p - 8) >> 1, s = new Float64Array(n);
      for (let i = 0; i < n; i++) s[i] = b.readInt16LE(p + 8 + 2 * i);
      return s;
    }
    p += 8 + len + (len & 1);
  }
  throw new Error(`${file}: no data chunk`);
}

function speechSamples(source) {
  if (!speech) {
    const wav = path.join(SHARED, 'testdata/real/tf_frozen/nnstreamer_speech_commands/yes.wav');
    if (fs.existsSync(wav)) speech = {samples: readWav16(wav), what: '../shared speech_commands yes.wav'};
    else {
      // No ../shared: one second of a seeded synthetic vowel (harmonics of 140 Hz under two formants).
      const rnd = prng('synthetic vowel'), s = new Float64Array(16000);
      for (let i = 0; i < s.length; i++) {
        const t = i / 16000, env = Math.sin(Math.PI * t) ** 2;
        let v = 0;
        for (let k = 1; k <= 20; k++) {
          const f = 140 * k, gain = Math.exp(-(((f - 700) / 150) ** 2)) + 0.5 * Math.exp(-(((f - 1200) / 200) ** 2));
          v += gain * Math.sin(2 * Math.PI * f * t);
        }
        s[i] = Math.round(6000 * env * v / 3 + 200 * (rnd() - 0.5));
      }
      speech = {samples: s, what: 'seeded synthetic vowel (../shared absent)'};
    }
  }
  source.push(speech.what);
  return speech.samples;
}

function audioInput(scale, at, shape, source) {
  const s = speechSamples(source), n = shape.reduce((a, b) => a * b, 1), out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = at + i < s.length ? s[at + i] : 0;
    out[i] = scale === 'int16' ? v : scale === 'unit' ? v / 32768 : NaN;
  }
  if (Number.isNaN(out[0])) throw new Error(`audio recipe: unknown scale '${scale}'`);
  return out;
}

// --------------------------------------------------------- inputs: seeded noise, fills ---------
function prng(text) {
  let h = 0x811c9dc5;  // FNV-1a of the text seeds a mulberry32 stream
  for (const ch of Buffer.from(text)) h = Math.imul(h ^ ch, 0x01000193) >>> 0;
  return () => {
    h = (h + 0x6d2b79f5) >>> 0;
    let t = h;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Parses "NAME=RECIPE[@SHAPE];..." into {name: {recipe, shape}} ('*' = every other input).
function parseRecipes(text) {
  const map = {};
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`inputs: '${part}' is not NAME=RECIPE`);
    const name = part.slice(0, eq);
    let recipe = part.slice(eq + 1), shape = null;
    const at = recipe.lastIndexOf('@');
    if (at >= 0) {
      const s = recipe.slice(at + 1);
      shape = s === 'scalar' ? [] : s.split('x').map(Number);
      if (shape.some(d => !Number.isInteger(d) || d < 0)) throw new Error(`inputs: bad shape '${s}'`);
      recipe = recipe.slice(0, at);
    }
    map[name] = {recipe, shape};
  }
  return map;
}

// Makes one input: the model's {name, dtype, shape (null = unknown dims)} and the row's recipe.
function makeInput(meta, recipes) {
  const r = recipes[meta.name] || recipes['*'];
  if (!r) throw new Error(`no recipe for input '${meta.name}'`);
  let shape = r.shape;
  if (shape) {
    if (meta.shape && (meta.shape.length !== shape.length || meta.shape.some((d, i) => d !== null && d >= 0 && d !== shape[i])))
      throw new Error(`input '${meta.name}': recipe shape [${shape}] does not fit the model's [${meta.shape}]`);
  } else {
    // An open batch dimension alone is taken as 1; any other open dimension needs @SHAPE.
    shape = meta.shape && meta.shape.map((d, i) => (i === 0 && (d === null || d < 0) && meta.shape.length > 1 ? 1 : d));
    if (!shape || shape.some(d => d === null || d < 0)) throw new Error(`input '${meta.name}' has open dimensions [${meta.shape}]: give @SHAPE`);
  }
  const [kind, ...args] = r.recipe.split(':'), source = [];
  const n = shape.reduce((a, b) => a * b, 1);
  let v;
  if (kind === 'image') v = imageInput(args[0], shape, source);
  else if (kind === 'text') v = textInput(args[0], shape, source);
  else if (kind === 'audio') v = audioInput(args[0], Number(args[1] || 0), shape, source);
  else if (kind === 'uniform') {
    const lo = Number(args[0]), hi = Number(args[1]), rnd = prng(`${r.recipe}@${shape.join('x')}`);
    v = new Float64Array(n).map(() => lo + (hi - lo) * rnd());
    source.push('seeded uniform');
  } else if (kind === 'fill' || kind === 'set') { v = new Float64Array(n).fill(Number(args[0])); source.push('constant'); }
  else throw new Error(`unknown recipe '${r.recipe}'`);
  return {name: meta.name, dtype: meta.dtype, shape, data: toTyped(meta.dtype, v), recipe: r.recipe, source: source.join(', ')};
}

function toTyped(dtype, v) {
  const round = (x) => Math.round(x);
  switch (dtype) {
    case 'float32': return Float32Array.from(v);
    case 'float64': return Float64Array.from(v);
    case 'int32': return Int32Array.from(v, round);
    case 'int64': return BigInt64Array.from(v, x => BigInt(round(x)));
    case 'uint8': return Uint8Array.from(v, x => Math.min(255, Math.max(0, round(x))));
    case 'int8': return Int8Array.from(v, x => Math.min(127, Math.max(-128, round(x))));
    case 'bool': return Uint8Array.from(v, x => (x ? 1 : 0));
    default: throw new Error(`inputs of dtype ${dtype} are not made here`);
  }
}

// --------------------------------------------------------------- ops, read from the file -------
// ONNX: a protobuf walk of ModelProto.graph (7) -> NodeProto (1) -> op_type (4), into the graphs
// held by attributes (AttributeProto.g = 6, .graphs = 11) so If/Loop bodies count too.
function onnxOps(buf) {
  const ops = {};
  const varint = (b, p) => { let v = 0, m = 1; for (;;) { const c = b[p.i++]; v += (c & 127) * m; if (c < 128) return v; m *= 128; } };
  const fields = (b, cb) => {
    const p = {i: 0};
    while (p.i < b.length) {
      const key = varint(b, p), no = Math.floor(key / 8), wt = key & 7;
      if (wt === 0) varint(b, p);
      else if (wt === 1) p.i += 8;
      else if (wt === 5) p.i += 4;
      else if (wt === 2) { const len = varint(b, p); cb(no, b.subarray(p.i, p.i + len)); p.i += len; }
      else throw new Error('unexpected protobuf wire type');
    }
  };
  const graph = (g) => fields(g, (no, d) => { if (no === 1) node(d); });
  const node = (n) => fields(n, (no, d) => {
    if (no === 4) { const op = d.toString('utf8'); ops[op] = (ops[op] || 0) + 1; }
    if (no === 5) fields(d, (an, ad) => { if (an === 6 || an === 11) graph(ad); });
  });
  fields(buf, (no, d) => { if (no === 7) graph(d); });
  return ops;
}

function tfjsOps(json) {
  const ops = {}, add = (op) => { ops[op] = (ops[op] || 0) + 1; };
  if (json.format === 'layers-model') {
    const walk = (cfg) => { for (const l of cfg?.config?.layers || []) { add(l.class_name); if (l.config?.layers) walk(l); } };
    walk(json.modelTopology.model_config || json.modelTopology);
  } else {
    for (const n of json.modelTopology.node || []) if (!['Const', 'Placeholder'].includes(n.op)) add(n.op);
    for (const f of json.modelTopology.library?.function || []) for (const n of f.nodeDef || []) add(n.op);
  }
  return ops;
}

// TFLite: the FlatBuffer's operator codes and every subgraph's operators, names from the schema.
const TFLITE_BUILTINS = ('ADD AVERAGE_POOL_2D CONCATENATION CONV_2D DEPTHWISE_CONV_2D DEPTH_TO_SPACE DEQUANTIZE ' +
  'EMBEDDING_LOOKUP FLOOR FULLY_CONNECTED HASHTABLE_LOOKUP L2_NORMALIZATION L2_POOL_2D ' +
  'LOCAL_RESPONSE_NORMALIZATION LOGISTIC LSH_PROJECTION LSTM MAX_POOL_2D MUL RELU RELU_N1_TO_1 RELU6 RESHAPE ' +
  'RESIZE_BILINEAR RNN SOFTMAX SPACE_TO_DEPTH SVDF TANH CONCAT_EMBEDDINGS SKIP_GRAM CALL CUSTOM ' +
  'EMBEDDING_LOOKUP_SPARSE PAD UNIDIRECTIONAL_SEQUENCE_RNN GATHER BATCH_TO_SPACE_ND SPACE_TO_BATCH_ND TRANSPOSE ' +
  'MEAN SUB DIV SQUEEZE UNIDIRECTIONAL_SEQUENCE_LSTM STRIDED_SLICE BIDIRECTIONAL_SEQUENCE_RNN EXP TOPK_V2 SPLIT ' +
  'LOG_SOFTMAX DELEGATE BIDIRECTIONAL_SEQUENCE_LSTM CAST PRELU MAXIMUM ARG_MAX MINIMUM LESS NEG PADV2 GREATER ' +
  'GREATER_EQUAL LESS_EQUAL SELECT SLICE SIN TRANSPOSE_CONV SPARSE_TO_DENSE TILE EXPAND_DIMS EQUAL NOT_EQUAL LOG ' +
  'SUM SQRT RSQRT SHAPE POW ARG_MIN FAKE_QUANT REDUCE_PROD REDUCE_MAX PACK LOGICAL_OR ONE_HOT LOGICAL_AND ' +
  'LOGICAL_NOT UNPACK REDUCE_MIN FLOOR_DIV REDUCE_ANY SQUARE ZEROS_LIKE FILL FLOOR_MOD RANGE ' +
  'RESIZE_NEAREST_NEIGHBOR LEAKY_RELU SQUARED_DIFFERENCE MIRROR_PAD ABS SPLIT_V UNIQUE CEIL REVERSE_V2 ADD_N ' +
  'GATHER_ND COS WHERE RANK ELU REVERSE_SEQUENCE MATRIX_DIAG QUANTIZE MATRIX_SET_DIAG ROUND HARD_SWISH IF WHILE ' +
  'NON_MAX_SUPPRESSION_V4 NON_MAX_SUPPRESSION_V5 SCATTER_ND SELECT_V2 DENSIFY SEGMENT_SUM BATCH_MATMUL ' +
  'PLACEHOLDER_FOR_GREATER_OP_CODES CUMSUM CALL_ONCE BROADCAST_TO RFFT2D CONV_3D IMAG REAL COMPLEX_ABS HASHTABLE ' +
  'HASHTABLE_FIND HASHTABLE_IMPORT HASHTABLE_SIZE REDUCE_ALL CONV_3D_TRANSPOSE VAR_HANDLE READ_VARIABLE ' +
  'ASSIGN_VARIABLE BROADCAST_ARGS RANDOM_STANDARD_NORMAL BUCKETIZE RANDOM_UNIFORM MULTINOMIAL GELU ' +
  'DYNAMIC_UPDATE_SLICE RELU_0_TO_1 UNSORTED_SEGMENT_PROD UNSORTED_SEGMENT_MAX UNSORTED_SEGMENT_SUM ATAN2 ' +
  'UNSORTED_SEGMENT_MIN SIGN BITCAST BITWISE_XOR RIGHT_SHIFT').split(' ');

function tfliteOps(b) {
  const u32 = (p) => b.readUInt32LE(p), i32 = (p) => b.readInt32LE(p);
  // Position of field `i` of the table at `t`, or 0 when absent.
  const field = (t, i) => { const vt = t - i32(t), vlen = b.readUInt16LE(vt); return 4 + 2 * i < vlen ? (b.readUInt16LE(vt + 4 + 2 * i) ? t + b.readUInt16LE(vt + 4 + 2 * i) : 0) : 0; };
  const vec = (t, i) => { const f = field(t, i); if (!f) return []; const v = f + u32(f), n = u32(v); return Array.from({length: n}, (_, k) => v + 4 + 4 * k); };
  const table = (p) => p + u32(p);
  const root = u32(0), codes = vec(root, 1).map(p => {
    const t = table(p), dep = field(t, 0) ? b.readInt8(field(t, 0)) : 0, code = field(t, 3) ? i32(field(t, 3)) : 0;
    const c = Math.max(dep, code);
    if (c === 32) { const f = field(t, 1); if (f) { const s = f + u32(f); return `CUSTOM:${b.toString('utf8', s + 4, s + 4 + u32(s))}`; } }
    return TFLITE_BUILTINS[c] || `BUILTIN_${c}`;
  });
  const ops = {};
  for (const sg of vec(root, 2))
    for (const op of vec(table(sg), 3)) {
      const t = table(op), f = field(t, 0), name = codes[f ? u32(f) : 0];
      ops[name] = (ops[name] || 0) + 1;
    }
  return ops;
}

// --------------------------------------------------------------------------- runtimes ---------
const toolsRequire = createRequire(path.join(TOOLS, 'package.json'));
const toolVersion = (name) => JSON.parse(fs.readFileSync(path.join(TOOLS, 'node_modules', name, 'package.json'), 'utf8')).version;
let ort = null, tf = null, litert = null;

async function runOnnx(file, recipes) {
  ort ??= toolsRequire('onnxruntime-node');
  ort.env.logLevel = 'error';
  const s = await ort.InferenceSession.create(file, {intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', logSeverityLevel: 3});
  const metas = s.inputNames.map((name, i) => {
    const m = s.inputMetadata?.[i];
    const shape = m?.shape ? m.shape.map(d => (typeof d === 'number' && d >= 0 ? d : null)) : null;
    return {name, dtype: m?.type || 'float32', shape};
  });
  const inputs = metas.map(m => makeInput(m, recipes)), feeds = {};
  for (const x of inputs) feeds[x.name] = new ort.Tensor(x.dtype, x.data, x.shape);
  const res = await s.run(feeds);
  const outputs = s.outputNames.map(name => ({name, dtype: res[name].type, shape: Array.from(res[name].dims), data: res[name].data}));
  await s.release?.();
  return {runtime: `onnxruntime-node ${toolVersion('onnxruntime-node')}`, inputs, outputs};
}

// TF.js loads from an IOHandler: the JSON and its shards read from disk, shards in manifest order.
function tfjsHandler(file) {
  return {load: async () => {
    const j = JSON.parse(fs.readFileSync(file, 'utf8')), dir = path.dirname(file), specs = [], parts = [];
    for (const g of j.weightsManifest) { specs.push(...g.weights); for (const p of g.paths) parts.push(fs.readFileSync(path.join(dir, decodeURIComponent(p)))); }
    const all = Buffer.concat(parts);
    return {modelTopology: j.modelTopology, weightSpecs: specs, weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.length),
      format: j.format, generatedBy: j.generatedBy, convertedBy: j.convertedBy, signature: j.signature,
      userDefinedMetadata: j.userDefinedMetadata, modelInitializer: j.modelInitializer, trainingConfig: j.trainingConfig};
  }};
}

async function loadTf() {
  if (tf) return tf;
  // tfjs advertises its native backend on stdout at its first op: that line is dropped.
  // It also suggests execute() over executeAsync() (on console.warn): executeAsync serves every graph.
  const log = console.log, warn = console.warn;
  console.log = (...a) => { if (!/tfjs-node|running TensorFlow\.js in Node|^=+$/.test(String(a[0]).trim())) log(...a); };
  console.warn = (...a) => { if (!/use model\.execute\(\) instead/.test(String(a[0]))) warn(...a); };
  tf = toolsRequire('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  await tf.ready();
  return tf;
}

async function tensorOut(name, t) {
  const data = await t.data();
  return {name, dtype: t.dtype === 'bool' ? 'bool' : t.dtype, shape: t.shape.slice(), data: t.dtype === 'bool' ? Uint8Array.from(data) : data};
}

async function runTfjs(file, recipes, json) {
  const tf = await loadTf();
  const runtime = `@tensorflow/tfjs ${toolVersion('@tensorflow/tfjs')} (cpu backend)`;
  if (json.format === 'layers-model') {
    const m = await tf.loadLayersModel(tfjsHandler(file));
    const metas = m.inputs.map((t, i) => ({name: m.inputNames[i], dtype: t.dtype || 'float32', shape: t.shape.map(d => (d === null || d < 0 ? null : d))}));
    const inputs = metas.map(x => makeInput(x, recipes));
    let res = m.predict(inputs.map(x => tf.tensor(x.data, x.shape, x.dtype)));
    if (!Array.isArray(res)) res = [res];
    const outputs = [];
    for (let i = 0; i < res.length; i++) outputs.push(await tensorOut(m.outputNames[i], res[i]));
    return {runtime, inputs, outputs};
  }
  const m = await tf.loadGraphModel(tfjsHandler(file));
  const metas = m.inputs.map(t => ({name: t.name, dtype: t.dtype || 'float32', shape: t.shape ? t.shape.map(d => (d < 0 ? null : d)) : null}));
  const inputs = metas.map(x => makeInput(x, recipes)), feed = {};
  for (const x of inputs) feed[x.name] = tf.tensor(x.data, x.shape, x.dtype);
  const names = m.outputNodes;
  let res = await m.executeAsync(feed, names);
  if (!Array.isArray(res)) res = [res];
  const outputs = [];
  for (let i = 0; i < res.length; i++) outputs.push(await tensorOut(names[i], res[i]));
  return {runtime, inputs, outputs};
}

// LiteRT.js is written for browsers: its loader runs the Emscripten script with importScripts and
// the script looks for require/__dirname, so those are provided before it loads.
async function loadLiteRt() {
  if (litert) return litert;
  const wasmDir = path.join(path.dirname(toolsRequire.resolve('@litertjs/core')), '../wasm');
  globalThis.self ??= globalThis;
  globalThis.require ??= toolsRequire;
  globalThis.__dirname ??= wasmDir;
  globalThis.importScripts ??= (u) => vm.runInThisContext(fs.readFileSync(String(u).replace(/^file:\/\//, ''), 'utf8'), {filename: String(u)});
  const mod = await import(pathToFileURL(toolsRequire.resolve('@litertjs/core')).href);
  await quietly(() => mod.loadLiteRt(wasmDir + '/'));
  litert = mod;
  return litert;
}

// Runs fn with stdout/stderr muted: LiteRT logs INFO lines from inside its WebAssembly.
async function quietly(fn) {
  const out = process.stdout.write, err = process.stderr.write;
  process.stdout.write = process.stderr.write = () => true;
  try { return await fn(); } finally { process.stdout.write = out; process.stderr.write = err; }
}

async function runTflite(file, recipes) {
  const lt = await loadLiteRt();
  const m = await quietly(() => lt.loadAndCompile(new Uint8Array(fs.readFileSync(file)), {accelerator: 'wasm'}));
  const metas = m.getInputDetails().map(d => ({name: d.name, dtype: d.dtype, shape: Object.values(d.shape)}));
  // The model's stored shape is a default: a recipe shape resizes the input, as TFLite allows.
  const inputs = metas.map(x => makeInput({...x, shape: (recipes[x.name] || recipes['*'])?.shape ? null : x.shape}, recipes));
  const tensors = inputs.map(x => new lt.Tensor(x.data, x.shape));
  const res = await m.run(tensors);
  const outDetails = m.getOutputDetails(), outputs = [];
  for (let i = 0; i < res.length; i++) {
    const t = await res[i].moveTo('wasm');
    outputs.push({name: outDetails[i].name, dtype: outDetails[i].dtype, shape: Array.from(t.type.layout.dimensions), data: t.toTypedArray().slice()});
    t.delete();
  }
  for (const t of tensors) t.delete();
  m.delete?.();
  return {runtime: `@litertjs/core ${toolVersion('@litertjs/core')} (XNNPack CPU, WebAssembly)`, inputs, outputs};
}

// A .tflite whose runtime cannot take the recipe's shape: its ONNX twin runs on the same inputs;
// the names and dtypes are this file's (read by LiteRT), matched to the twin's by position.
async function runTwin(row, file, twinFile, recipes) {
  const lt = await loadLiteRt();
  const m = await quietly(() => lt.loadAndCompile(new Uint8Array(fs.readFileSync(file)), {accelerator: 'wasm'}));
  const ins = m.getInputDetails(), outs = m.getOutputDetails();
  m.delete?.();
  const r = await runOnnx(twinFile, recipes);
  if (r.inputs.length !== ins.length || r.outputs.length !== outs.length) throw new Error(`twin ${row.reference} has other inputs/outputs than ${row.id}`);
  r.inputs.forEach((x, i) => { x.name = ins[i].name; });
  r.outputs.forEach((x, i) => { x.name = outs[i].name; });
  r.runtime += ` on the ONNX twin ${row.reference.slice(5)}`;
  return r;
}

// ------------------------------------------------------------------------------- main ---------
function sha256(s) { return crypto.createHash('sha256').update(s).digest('hex'); }

async function main() {
  const argv = process.argv.slice(2), force = argv.includes('--force'), list = argv.includes('--list');
  const only = argv.filter(a => !a.startsWith('--'));
  if (!fs.existsSync(path.join(TOOLS, 'node_modules'))) {
    console.error(`corpus-references: the runtimes are not installed: npm ci --prefix ${path.relative(process.cwd(), TOOLS) || '.'}`);
    process.exit(1);
  }
  const packages = Object.fromEntries(readTsv(path.join(TOOLS, 'packages.tsv'), ['name', 'version', 'license', 'integrity', 'notes']).map(p => [p.name, p]));
  const models = readTsv(path.join(TOOLS, 'models.tsv'), ['id', 'package', 'path', 'format', 'inputs', 'tol', 'reference', 'notes']);
  const slim = packages['@upscalerjs/esrgan-slim'];
  PHOTO = `pkgs/@upscalerjs+esrgan-slim@${slim?.version}/assets/fixture.png`;
  const versions = ['onnxruntime-node', '@tensorflow/tfjs', '@litertjs/core'].map(n => `${n}@${toolVersion(n)}`).join(' ');
  let made = 0, kept = 0, failed = 0, absent = 0;
  for (const row of models) {
    if (only.length && !only.some(s => row.id.includes(s))) continue;
    const pkg = packages[row.package];
    if (!pkg) throw new Error(`${row.id}: package ${row.package} is not in corpus/packages.tsv`);
    const pkgDir = `pkgs/${pkg.name.replace(/\//g, '+')}@${pkg.version}`, rel = `${pkgDir}/${row.path}`, file = path.join(CACHE, rel);
    if (list) { console.log(`${row.id}\t${rel}`); continue; }
    if (!fs.existsSync(path.join(CACHE, pkgDir, '.frost-integrity')) || !fs.existsSync(file)) { absent++; continue; }
    const key = sha256(JSON.stringify([SCRIPT_VERSION, row, pkg.integrity, versions]));
    const dir = path.join(CACHE, 'refs', row.id), manifestFile = path.join(dir, 'manifest.json');
    if (!force && fs.existsSync(manifestFile)) {
      // A reference the runtime failed to make is tried again; a good one is kept.
      try { const old = JSON.parse(fs.readFileSync(manifestFile, 'utf8')); if (old.key === key && !old.error) { kept++; continue; } } catch { /* remade below */ }
    }
    fs.rmSync(dir, {recursive: true, force: true});
    fs.mkdirSync(dir, {recursive: true});
    const [atol, rtol] = row.tol ? row.tol.split(',').map(Number) : [1e-4, 1e-3];
    const manifest = {id: row.id, format: row.format, package: `${pkg.name}@${pkg.version}`, license: pkg.license,
      model: rel, model_bytes: 0, notes: row.notes, key, runtime: null, atol, rtol, ops: {}, inputs: [], outputs: [], error: null};
    const t0 = Date.now();
    try {
      const bytes = fs.readFileSync(file);
      let size = bytes.length;
      if (row.format === 'onnx') manifest.ops = onnxOps(bytes);
      else if (row.format === 'tflite') manifest.ops = tfliteOps(bytes);
      else {
        const j = JSON.parse(bytes.toString('utf8'));
        manifest.ops = tfjsOps(j);
        for (const g of j.weightsManifest) for (const p of g.paths) size += fs.statSync(path.join(path.dirname(file), decodeURIComponent(p))).size;
      }
      manifest.model_bytes = size;
      const recipes = parseRecipes(row.inputs);
      let r;
      if (row.reference.startsWith('twin:')) {
        const twin = models.find(m => m.id === row.reference.slice(5));
        if (!twin || twin.format !== 'onnx') throw new Error(`reference '${row.reference}': no ONNX row of that id`);
        const tp = packages[twin.package], twinFile = path.join(CACHE, `pkgs/${tp.name.replace(/\//g, '+')}@${tp.version}`, twin.path);
        r = await runTwin(row, file, twinFile, recipes);
      } else if (row.reference) throw new Error(`unknown reference '${row.reference}'`);
      else r = row.format === 'onnx' ? await runOnnx(file, recipes)
        : row.format === 'tflite' ? await runTflite(file, recipes)
        : await runTfjs(file, recipes, JSON.parse(bytes.toString('utf8')));
      manifest.runtime = r.runtime;
      r.inputs.forEach((x, k) => {
        writeNpy(path.join(dir, `in_${k}.npy`), x.dtype, x.shape, x.data);
        manifest.inputs.push({name: x.name, dtype: x.dtype, shape: x.shape, file: `in_${k}.npy`, recipe: x.recipe, source: x.source});
      });
      r.outputs.forEach((x, k) => {
        if (!NPY_DESCR[x.dtype]) throw new Error(`output '${x.name}' has dtype ${x.dtype}, which .npy cannot hold`);
        writeNpy(path.join(dir, `out_${k}.npy`), x.dtype, x.shape, x.data);
        manifest.outputs.push({name: x.name, dtype: x.dtype, shape: x.shape, file: `out_${k}.npy`});
      });
      made++;
      console.log(`ok      ${row.id} (${r.outputs.length} outputs, ${Date.now() - t0} ms)`);
    } catch (e) {
      manifest.error = String(e?.message || e).split('\n')[0].slice(0, 400);
      manifest.inputs = []; manifest.outputs = [];
      failed++;
      console.log(`FAILED  ${row.id}: ${manifest.error}`);
    }
    fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 1) + '\n');
  }
  if (!list) console.log(`corpus-references: ${made} made, ${kept} unchanged, ${failed} failed in their runtime, ${absent} not fetched${absent ? ' (scripts/fetch-corpus.sh)' : ''} (${CACHE}/refs)`);
}

main().catch(e => { console.error(`corpus-references: ${e.stack || e}`); process.exit(1); });

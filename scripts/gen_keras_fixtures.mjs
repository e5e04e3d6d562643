// gen_keras_fixtures.mjs — trains and saves small Keras-layers models with TensorFlow.js (the pure
// JavaScript CPU backend, so results are reproducible without native code) and writes, for each
// model, what frost's tests compare against: tests/data/keras/<model>/model.json + weight shards
// (split at an odd byte offset so some weights straddle two shards), and ref/: inputs, the model's
// outputs and every layer's output as little-endian float32, described by ref/ref.json.
//
// Together the models cover every Keras layer frost imports that TF.js implements.
//
// Usage (needs network once, for npm; the tests never do). TF.js lives in a folder of its own so
// nothing lands in the repository:
//   mkdir -p /tmp/tfjs && (cd /tmp/tfjs && npm install @tensorflow/tfjs@4.22.0)
//   NODE_PATH=/tmp/tfjs/node_modules node scripts/gen_keras_fixtures.mjs tests/data/keras/tfjs
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const require = createRequire(process.env.NODE_PATH ? path.join(process.env.NODE_PATH, 'x.js')
                                                     : import.meta.url);
const tf = require('@tensorflow/tfjs');

const outRoot = process.argv[2] || 'tests/data/keras/tfjs';

// Deterministic pseudo-random numbers (xorshift32) for data and inputs.
let rngState = 12345;
function rand() {
  rngState ^= rngState << 13; rngState >>>= 0;
  rngState ^= rngState >>> 17;
  rngState ^= rngState << 5; rngState >>>= 0;
  return rngState / 4294967296;
}
function randTensor(shape, lo = -1, hi = 1, integer = false) {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = lo + (hi - lo) * rand();
    v[i] = integer ? Math.floor(r) : r;
  }
  return tf.tensor(v, shape);
}

function writeF32(file, t) {
  const data = t.dataSync();
  fs.writeFileSync(file, Buffer.from(new Float32Array(data).buffer));
}

// Saves with a handler of our own so the weights land in 2 shards split mid-weight.
async function save(model, dir) {
  fs.mkdirSync(dir, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (art) => {
    const all = Buffer.from(art.weightData);
    const cut = Math.max(1, Math.floor(all.length / 2) + 3);  // odd: straddles a weight
    const shards = all.length > 8 ? [all.subarray(0, cut), all.subarray(cut)] : [all];
    const paths = shards.map((_, i) => `group1-shard${i + 1}of${shards.length}.bin`);
    shards.forEach((s, i) => fs.writeFileSync(path.join(dir, paths[i]), s));
    const json = {
      modelTopology: art.modelTopology,
      format: 'layers-model',
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
      convertedBy: null,
      weightsManifest: [{ paths, weights: art.weightSpecs }],
    };
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
}

// Trains briefly on random data (so BatchNormalization statistics move), saves, and writes the
// references for `batch` random inputs.
async function make(name, model, { batch = 2, intInputs = null, epochs = 2, train = true } = {}) {
  const dir = path.join(outRoot, name);
  const refDir = path.join(dir, 'ref');
  fs.mkdirSync(refDir, { recursive: true });
  const inShape = (t) => [batch, ...t.shape.slice(1)];
  const mkInput = (t, i) => intInputs && intInputs[i] ? randTensor(inShape(t), 0, intInputs[i], true)
                                                      : randTensor(inShape(t));
  // Training data: 16 samples; targets shaped like the outputs.
  const trainX = model.inputs.map((t, i) => intInputs && intInputs[i]
    ? randTensor([16, ...t.shape.slice(1)], 0, intInputs[i], true) : randTensor([16, ...t.shape.slice(1)]));
  const trainY = model.outputs.map((t) => randTensor([16, ...t.shape.slice(1)], 0, 1));
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
  try {
    // Dropout and GaussianNoise draw unseeded noise while training: models holding them keep their
    // (seeded) initial weights so that regenerating gives the same bytes.
    if (!train) throw new Error('holds unseeded training noise.');
    await model.fit(trainX.length === 1 ? trainX[0] : trainX, trainY.length === 1 ? trainY[0] : trainY,
                    { epochs, batchSize: 8, verbose: 0, shuffle: false });
  } catch (e) {
    // TF.js has no gradients for some layers (dilated convolutions): keep the initial weights.
    console.log(`${name}: not trained (${e.message.split('.')[0]})`);
  }
  // Give normalization statistics values far from their (0, 1) defaults, so a loader that
  // ignored them would fail.
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    layer.setWeights(layer.getWeights().map((w, i) => {
      const isVar = layer.weights[i].name.includes('moving_variance');
      return isVar ? randTensor(w.shape, 0.5, 2) : randTensor(w.shape, -0.5, 0.5);
    }));
  }
  await save(model, dir);

  const xs = model.inputs.map(mkInput);
  let ys = model.predict(xs.length === 1 ? xs[0] : xs);
  if (!Array.isArray(ys)) ys = [ys];
  const ref = { tfjs: tf.version.tfjs, backend: tf.getBackend(), inputs: [], outputs: [], layers: [] };
  model.inputs.forEach((t, i) => {
    const file = `input_${i}.f32`;
    writeF32(path.join(refDir, file), xs[i]);
    ref.inputs.push({ name: model.inputLayers[i].name, shape: xs[i].shape, file });
  });
  ys.forEach((y, i) => {
    const file = `output_${i}.f32`;
    writeF32(path.join(refDir, file), y);
    ref.outputs.push({ name: model.outputLayers[i].name, shape: y.shape, file });
  });
  // Every top-level layer's (first) output, fetched by layer name.
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    let out;
    try { out = layer.output; } catch (e) { continue; }
    if (Array.isArray(out)) continue;
    const probe = tf.model({ inputs: model.inputs, outputs: out });
    const y = probe.predict(xs.length === 1 ? xs[0] : xs);
    const file = `layer_${layer.name}.f32`;
    writeF32(path.join(refDir, file), y);
    ref.layers.push({ name: layer.name, class_name: layer.getClassName(), shape: y.shape, file });
  }
  fs.writeFileSync(path.join(refDir, 'ref.json'), JSON.stringify(ref, null, 1));
  console.log(`${name}: ${model.countParams()} params, ${ref.layers.length} layers`);
}

const L = tf.layers;
const seed = (s) => ({ kernelInitializer: tf.initializers.glorotUniform({ seed: s }),
                       biasInitializer: tf.initializers.randomUniform({ minval: -0.3, maxval: 0.3, seed: s + 1 }) });

// 1. Dense with every activation TF.js serializes, plus activation layers.
{
  const acts = ['relu', 'relu6', 'elu', 'selu', 'sigmoid', 'hardSigmoid', 'tanh', 'softplus',
                'softsign', 'swish', 'gelu', 'gelu_new', 'linear'];
  const m = tf.sequential({ name: 'dense_acts' });
  m.add(L.inputLayer({ inputShape: [12], name: 'x' }));
  acts.forEach((a, i) => m.add(L.dense({ units: 10, activation: a, name: `dense_${a}`, ...seed(10 + i) })));
  m.add(L.activation({ activation: 'tanh', name: 'act_tanh' }));
  m.add(L.dense({ units: 6, useBias: false, name: 'nobias', ...seed(99) }));
  m.add(L.activation({ activation: 'softmax', name: 'probs' }));
  await make('dense_acts', m);
}

// 2. 2-D convolutions, pooling, padding, cropping, upsampling, batch norm.
{
  const m = tf.sequential({ name: 'conv2d_net' });
  m.add(L.inputLayer({ inputShape: [15, 14, 3], name: 'image' }));
  m.add(L.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv', ...seed(1) }));
  m.add(L.conv2d({ filters: 5, kernelSize: [3, 2], strides: [2, 1], padding: 'valid', name: 'conv_strided', ...seed(2) }));
  m.add(L.conv2d({ filters: 4, kernelSize: 3, dilationRate: 2, padding: 'same', name: 'conv_dilated', ...seed(3) }));
  m.add(L.batchNormalization({ name: 'bn', epsilon: 1e-3 }));
  m.add(L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu6',
                            name: 'depthwise', depthwiseInitializer: tf.initializers.glorotUniform({ seed: 4 }),
                            biasInitializer: tf.initializers.randomUniform({ minval: -0.2, maxval: 0.2, seed: 5 }) }));
  m.add(L.separableConv2d({ filters: 6, kernelSize: 3, padding: 'valid', depthMultiplier: 1, name: 'separable',
                            depthwiseInitializer: tf.initializers.glorotUniform({ seed: 6 }),
                            pointwiseInitializer: tf.initializers.glorotUniform({ seed: 7 }),
                            biasInitializer: tf.initializers.randomUniform({ minval: -0.2, maxval: 0.2, seed: 8 }) }));
  m.add(L.zeroPadding2d({ padding: [[1, 2], [0, 1]], name: 'zeropad' }));
  m.add(L.cropping2D({ cropping: [[0, 1], [2, 0]], name: 'crop' }));
  m.add(L.maxPooling2d({ poolSize: 2, strides: 1, padding: 'same', name: 'maxpool_same' }));
  m.add(L.averagePooling2d({ poolSize: [2, 3], padding: 'same', name: 'avgpool_same' }));
  m.add(L.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', name: 'deconv_same', ...seed(9) }));
  m.add(L.conv2dTranspose({ filters: 2, kernelSize: [2, 3], strides: [1, 2], padding: 'valid', name: 'deconv_valid', ...seed(10) }));
  m.add(L.upSampling2d({ size: [2, 1], name: 'upsample' }));
  m.add(L.maxPooling2d({ poolSize: 2, name: 'maxpool' }));
  m.add(L.averagePooling2d({ poolSize: 2, name: 'avgpool' }));
  m.add(L.globalAveragePooling2d({ name: 'gap' }));
  m.add(L.dense({ units: 4, activation: 'softmax', name: 'probs', ...seed(11) }));
  await make('conv2d_net', m);
}

// 3. Global max pooling, bilinear upsampling, channels_first convolution and pooling.
{
  const m = tf.sequential({ name: 'channels_first' });
  m.add(L.inputLayer({ inputShape: [3, 10, 9], name: 'nchw' }));
  m.add(L.conv2d({ filters: 4, kernelSize: 3, dataFormat: 'channelsFirst', activation: 'elu', name: 'conv_cf', ...seed(21) }));
  m.add(L.maxPooling2d({ poolSize: 2, dataFormat: 'channelsFirst', name: 'pool_cf' }));
  m.add(L.upSampling2d({ size: [2, 2], interpolation: 'bilinear', name: 'upsample_bilinear' }));
  m.add(L.flatten({ name: 'flat' }));
  m.add(L.dense({ units: 3, name: 'out', ...seed(22) }));
  await make('channels_first', m);
}
{
  const m = tf.sequential({ name: 'global_max' });
  m.add(L.inputLayer({ inputShape: [7, 6, 2], name: 'image' }));
  m.add(L.conv2d({ filters: 3, kernelSize: 2, name: 'conv', ...seed(31) }));
  m.add(L.globalMaxPooling2d({ name: 'gmp' }));
  await make('global_max', m);
}

// 4. 1-D: Conv1D (same, valid, dilated, strided; TF.js has no causal padding), pooling, global pooling.
{
  const x = L.input({ shape: [20, 4], name: 'seq' });
  let y = L.conv1d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv1d_same', ...seed(41) }).apply(x);
  y = L.conv1d({ filters: 5, kernelSize: 3, padding: 'same', dilationRate: 2, name: 'conv1d_dilated', ...seed(42) }).apply(y);
  y = L.conv1d({ filters: 4, kernelSize: 2, strides: 2, padding: 'valid', name: 'conv1d_strided', ...seed(43) }).apply(y);
  const a = L.maxPooling1d({ poolSize: 2, name: 'maxpool1d' }).apply(y);
  const b = L.averagePooling1d({ poolSize: 3, strides: 1, padding: 'same', name: 'avgpool1d' }).apply(y);
  const ga = L.globalAveragePooling1d({ name: 'gap1d' }).apply(a);
  const gm = L.globalMaxPooling1d({ name: 'gmp1d' }).apply(b);
  const z = L.concatenate({ name: 'concat', axis: -1 }).apply([ga, gm]);
  await make('conv1d_net', tf.model({ inputs: x, outputs: z, name: 'conv1d_net' }));
}

// 5. Functional: two inputs, a shared layer, every merge layer TF.js has, activation layers, reshapes,
//    normalization, and two outputs.
{
  const a = L.input({ shape: [8], name: 'a' });
  const b = L.input({ shape: [8], name: 'b' });
  const shared = L.dense({ units: 6, name: 'shared', ...seed(51) });
  const sa = shared.apply(a), sb = shared.apply(b);
  const add = L.add({ name: 'add' }).apply([sa, sb]);
  // TF.js has no Subtract layer: the .h5 fixtures cover it.
  const sub = L.dense({ units: 6, name: 'dense_b', ...seed(55) }).apply(b);
  const mul = L.multiply({ name: 'multiply' }).apply([sa, sb, add]);
  const avg = L.average({ name: 'average' }).apply([sa, sb]);
  const mx = L.maximum({ name: 'maximum' }).apply([sa, sb]);
  const mn = L.minimum({ name: 'minimum' }).apply([sa, sb]);
  let y = L.concatenate({ name: 'concat', axis: 1 }).apply([add, sub, mul, avg, mx, mn]);
  y = L.reLU({ maxValue: 1.5, name: 'relu_capped' }).apply(y);
  const l1 = L.leakyReLU({ alpha: 0.2, name: 'leaky' }).apply(sub);
  const l2 = L.prelu({ name: 'prelu', alphaInitializer: tf.initializers.randomUniform({ minval: 0.05, maxval: 0.5, seed: 52 }) }).apply(l1);
  const l3 = L.elu({ name: 'elu_layer' }).apply(l2);
  const l4 = L.reLU({ name: 'relu_plain' }).apply(l3);
  y = L.concatenate({ name: 'concat2' }).apply([y, l4]);
  y = L.layerNormalization({ name: 'layernorm', betaInitializer: tf.initializers.randomUniform({ minval: -0.2, maxval: 0.2, seed: 53 }) }).apply(y);
  y = L.dropout({ rate: 0.3, name: 'dropout' }).apply(y);
  y = L.gaussianNoise({ stddev: 0.1, name: 'noise' }).apply(y);
  y = L.reshape({ targetShape: [6, 7], name: 'reshape' }).apply(y);
  y = L.permute({ dims: [2, 1], name: 'permute' }).apply(y);
  y = L.spatialDropout1d({ rate: 0.2, name: 'spatial_dropout' }).apply(y);
  y = L.softmax({ axis: -1, name: 'softmax_layer' }).apply(y);
  const flat = L.flatten({ name: 'flatten' }).apply(y);
  const head1 = L.dense({ units: 3, activation: 'sigmoid', name: 'head_sigmoid', ...seed(54) }).apply(flat);
  const head2 = L.activation({ activation: 'softplus', name: 'head_softplus' }).apply(L.add({ name: 'add_third_call' }).apply([shared.apply(a), mn]));
  await make('functional_merge', tf.model({ inputs: [a, b], outputs: [head1, head2], name: 'functional_merge' }),
             { train: false });
}

// 6. A Sequential model nested in a functional one, called twice (shared nested model).
{
  const inner = tf.sequential({ name: 'inner' });
  inner.add(L.dense({ units: 5, activation: 'tanh', inputShape: [4], name: 'inner_dense1', ...seed(61) }));
  inner.add(L.dense({ units: 3, name: 'inner_dense2', ...seed(62) }));
  const x1 = L.input({ shape: [4], name: 'x1' });
  const x2 = L.input({ shape: [4], name: 'x2' });
  const y = L.add({ name: 'sum' }).apply([inner.apply(x1), inner.apply(x2)]);
  await make('nested', tf.model({ inputs: [x1, x2], outputs: y, name: 'nested' }));
}

// 7. Embedding (float indices, as Keras feeds them by default).
{
  const m = tf.sequential({ name: 'embedding' });
  m.add(L.inputLayer({ inputShape: [6], name: 'tokens' }));
  m.add(L.embedding({ inputDim: 20, outputDim: 4, name: 'embed', embeddingsInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: 71 }) }));
  m.add(L.flatten({ name: 'flat' }));
  m.add(L.dense({ units: 2, name: 'out', ...seed(72) }));
  await make('embedding', m, { intInputs: [20] });
}

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../../lib/backend';
import { loadCheckpoint, saveCheckpoint } from '../../lib/runs/checkpoint';
import { loadSafetensors, saveSafetensors } from '../../lib/runs/safetensors';
import { Adam, Sgd } from '../../lib/nn/optim';
import { alphaStep, weightStep } from '../../lib/search/step';
import type { DartsState } from '../../lib/problems/darts/problem';
import { type Batch } from '../../lib/nn/loss';
import { SPACES } from '../../lib/spaces/spaces';
import { torchStateDictShapes } from '../../lib/problems/darts/supernet/names';
import { SearchNetwork } from '../../lib/problems/darts/supernet/network';
import { assertNoTensorLeak, repoRoot, tempDir } from '../helpers';

// The smoke supernet of the search tests: S3, C = 4, 5 cells, 8x8x1 images, batch 8.
function makeState(seed: number, weightDecay = 3e-4): DartsState & { dispose(): void } {
  const net = new SearchNetwork({ space: SPACES.s3, C: 4, layers: 5, classes: 10, inChannels: 1, seed });
  const weightOpt = new Sgd(net.weights, { momentum: 0.9, weightDecay });
  const alphaOpt = new Adam(net.alphaParams, { lr: 3e-4, beta1: 0.5, beta2: 0.999, eps: 1e-8, weightDecay: 1e-3 });
  return {
    net,
    weightOpt,
    alphaOpt,
    dispose: () => {
      weightOpt.dispose();
      alphaOpt.dispose();
      net.dispose();
    },
  };
}

const batch = (s: number): Batch => ({
  x: tf.randomNormal([8, 8, 8, 1], 0, 1, 'float32', s) as tf.Tensor4D,
  y: tf.tidy(() => tf.randomUniformInt([8], 0, 10, s + 1).toFloat()) as tf.Tensor1D,
});

/** One search iteration (second-order alpha step, so the momentum buffers matter); the losses. */
function searchStep(s: DartsState, train: Batch, val: Batch): number[] {
  const a = alphaStep(s.net, s.weightOpt, s.alphaOpt, val, {
    order: 'second',
    trainBatch: train,
    lr: 0.025,
    momentum: 0.9,
    weightDecay: 3e-4,
  });
  const w = weightStep(s.net, s.weightOpt, train, { lr: 0.025, gradClip: 5 });
  return [a.loss, w.loss];
}

/** Every tensor of the state by a readable name, copied. */
function snapshot(s: DartsState): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const v of s.net.variables) out.set(v.name, Array.from(v.variable.dataSync()));
  for (const [k, a] of s.net.alphaParams) out.set(k, Array.from(a.dataSync()));
  for (const [k, t] of s.weightOpt.state()) out.set(`sgd ${k}`, Array.from(t.dataSync()));
  for (const [k, t] of s.alphaOpt.state()) out.set(`adam ${k}`, Array.from(t.dataSync()));
  out.set('adam steps', [s.alphaOpt.steps]);
  return out;
}

describe('saveCheckpoint / loadCheckpoint', () => {
  let tmp: ReturnType<typeof tempDir>;
  let train: Batch;
  let val: Batch;
  let trained: ReturnType<typeof makeState>;
  let file: string;
  before(() => {
    tmp = tempDir();
    [train, val] = [batch(11), batch(21)];
    trained = makeState(3);
    for (let i = 0; i < 2; i++) searchStep(trained, train, val);
    file = path.join(tmp.dir, 'ckpt', 'epoch.safetensors');
    saveCheckpoint(file, { ...trained, meta: { epoch: 2, run: 'abc', done: false } });
  });
  after(() => {
    trained.dispose();
    tf.dispose([train.x, train.y, val.x, val.y]);
    tmp.cleanup();
  });

  it('restores every weight, buffer, alpha and optimiser tensor into a network of another seed', () => {
    const fresh = makeState(7, 0);
    assert.notDeepStrictEqual(snapshot(fresh), snapshot(trained));
    const { meta } = loadCheckpoint(file, fresh);
    assert.deepStrictEqual(snapshot(fresh), snapshot(trained));
    // variables, 2 alphas, a momentum buffer per weight, 2 Adam slots per alpha, the step count.
    assert.strictEqual(snapshot(trained).size, fresh.net.variables.length + 2 + fresh.net.weights.size + 4 + 1);
    assert.deepStrictEqual(fresh.weightOpt.options, trained.weightOpt.options, 'SGD weight decay restored');
    assert.deepStrictEqual(fresh.alphaOpt.options, trained.alphaOpt.options);
    assert.deepStrictEqual(meta, { epoch: 2, run: 'abc', done: false });
    // One more search step from both gives the same losses and the same state.
    const copyState = makeState(9);
    loadCheckpoint(file, copyState);
    const snapBefore = snapshot(trained);
    assert.deepStrictEqual(searchStep(fresh, train, val), searchStep(copyState, train, val));
    assert.deepStrictEqual(snapshot(fresh), snapshot(copyState));
    assert.notDeepStrictEqual(snapshot(fresh), snapBefore, 'the step moved the state');
    fresh.dispose();
    copyState.dispose();
  });

  it('stores PyTorch layouts and names, with the scalars in __metadata__', () => {
    const { tensors, metadata } = loadSafetensors(file);
    const ours = (name: string) => trained.net.variables.find((v) => v.name === name)!.variable;
    const stem = tensors['stem.0.weight']; // OIHW [12, 1, 3, 3]; ours HWIO [3, 3, 1, 12]
    assert.deepStrictEqual(stem.shape, [12, 1, 3, 3]);
    const hwio = ours('stem.0.weight').arraySync() as number[][][][];
    assert.strictEqual(stem.data[((5 * 1 + 0) * 3 + 2) * 3 + 1], hwio[2][1][0][5]);
    const depthwise = 'cells.0._ops.0._ops.2.op.1.weight'; // sep_conv_3x3 of edge 0: [C, 1, 3, 3]
    assert.deepStrictEqual(tensors[depthwise].shape, [4, 1, 3, 3]);
    const dw = ours(depthwise).arraySync() as number[][][][];
    assert.strictEqual(tensors[depthwise].data[(3 * 3 + 0) * 3 + 2], dw[0][2][3][0]);
    const classifier = tensors['classifier.weight']; // [out, in] = [10, 64]
    assert.deepStrictEqual(classifier.shape, [10, 64]);
    assert.strictEqual(classifier.data[7 * 64 + 30], (ours('classifier.weight').arraySync() as number[][])[30][7]);
    assert.deepStrictEqual(tensors[`optimizer.weights.stem.0.weight.momentum_buffer`].shape, [12, 1, 3, 3]);
    assert.deepStrictEqual(tensors['optimizer.alphas.alphas_reduce.exp_avg_sq'].shape, [14, 3]);
    assert.deepStrictEqual(tensors['alphas_normal'].shape, [14, 3]);
    assert.ok(!Object.keys(tensors).some((k) => k.endsWith('num_batches_tracked')));
    assert.deepStrictEqual(
      [metadata['rdarts.format_version'], metadata['rdarts.layout'], metadata['optimizer.alphas.step'], metadata['meta.run']],
      ['1', 'torch', '2', '"abc"'],
    );
    assert.strictEqual(metadata['optimizer.weights.weight_decay'], '0.0003');
  });

  it('rolls back to a checkpoint without optimiser state, clearing the optimisers', () => {
    const s = makeState(4);
    const start = path.join(tmp.dir, 'start.safetensors');
    saveCheckpoint(start, s);
    loadCheckpoint(file, s);
    loadCheckpoint(start, s);
    assert.strictEqual(s.weightOpt.state().size, 0);
    assert.strictEqual(s.alphaOpt.state().size, 0);
    assert.strictEqual(s.alphaOpt.steps, 0);
    s.dispose();
  });

  it('ignores PyTorch num_batches_tracked entries of our batch norms', () => {
    const { tensors, metadata } = loadSafetensors(file);
    const count = { dtype: 'I64' as const, shape: [], data: new BigInt64Array([2n]) };
    const torchFile = path.join(tmp.dir, 'torch.safetensors');
    saveSafetensors(
      torchFile,
      { ...tensors, 'stem.1.num_batches_tracked': count, 'cells.0.preprocess1.op.2.num_batches_tracked': count },
      metadata,
    );
    const s = makeState(10);
    loadCheckpoint(torchFile, s);
    assert.deepStrictEqual(snapshot(s), snapshot(trained));
    s.dispose();
  });

  it('rejects missing, extra and misshapen tensors in one error and changes nothing', () => {
    const { tensors, metadata } = loadSafetensors(file);
    delete tensors['cells.1.preprocess1.op.1.weight'];
    delete tensors['optimizer.alphas.alphas_normal.exp_avg_sq'];
    tensors['cells.9.bogus'] = { dtype: 'F32', shape: [1], data: new Float32Array(1) };
    tensors['alphas_reduce'] = { dtype: 'F32', shape: [14, 2], data: new Float32Array(28) };
    const bad = path.join(tmp.dir, 'bad.safetensors');
    saveSafetensors(bad, tensors, metadata);
    const s = makeState(5);
    searchStep(s, train, val);
    const before = snapshot(s);
    assert.throws(
      () => loadCheckpoint(bad, s),
      (e: Error) => {
        assert.match(e.message, /bad\.safetensors: tensors do not match the model/);
        assert.match(e.message, /missing: cells\.1\.preprocess1\.op\.1\.weight, optimizer\.alphas\.alphas_normal\.exp_avg_sq\n/);
        assert.match(e.message, /extra: cells\.9\.bogus/);
        assert.match(e.message, /misshapen: alphas_reduce \(expected F32\[14,3\], found F32\[14,2\]\)/);
        return true;
      },
    );
    assert.deepStrictEqual(snapshot(s), before, 'state unchanged after a failed load');
    s.dispose();
  });

  it('rejects another format version, layout flag or supernet, and a missing file', () => {
    const { tensors, metadata } = loadSafetensors(file);
    const s = makeState(6);
    const before = snapshot(s);
    const variant = (name: string, md: Record<string, string>) => {
      const f = path.join(tmp.dir, name);
      saveSafetensors(f, tensors, md);
      return f;
    };
    assert.throws(
      () => loadCheckpoint(variant('v2', { ...metadata, 'rdarts.format_version': '2' }), s),
      /v2: format version "2" is not supported \(this code reads version 1\)/,
    );
    assert.throws(() => loadCheckpoint(variant('tf', { ...metadata, 'rdarts.layout': 'tf' }), s), /tf: layout flag rdarts.layout is "tf"/);
    assert.throws(() => loadCheckpoint(variant('plain', {}), s), /plain: __metadata__ has no rdarts.format_version/);
    assert.throws(
      () => loadCheckpoint(variant('step', { ...metadata, 'optimizer.alphas.step': 'x' }), s),
      /"optimizer.alphas.step" is "x"/,
    );
    const other = new SearchNetwork({ space: SPACES.s3, C: 2, layers: 5, classes: 10, inChannels: 1, seed: 0 });
    assert.throws(() => loadCheckpoint(file, { ...s, net: other }), /holds a supernet .*"C":4.*; this network is .*"C":2/);
    other.dispose();
    const missing = path.join(tmp.dir, 'nope', 'x.safetensors');
    assert.throws(
      () => loadCheckpoint(missing, s),
      (e: Error) => e.message.includes(missing),
    );
    assert.deepStrictEqual(snapshot(s), before);
    assert.throws(() => saveCheckpoint(missing, { ...s, meta: { x: NaN } }), /meta.x: null is not a string/);
    assert.ok(!fs.existsSync(missing));
    s.dispose();
  });

  it('leaks no tensors across save and load', async () => {
    const s = makeState(8);
    const f = path.join(tmp.dir, 'leak.safetensors');
    await assertNoTensorLeak(() => {
      saveCheckpoint(f, trained);
      loadCheckpoint(f, s);
    });
    s.dispose();
  });
});

describe('torchStateDictShapes', () => {
  it('equals the original DARTS Network.state_dict() (PyTorch, darts space, C 4, 5 cells)', () => {
    // test/fixtures/make_torch_state_dict_names.py, from quark0/darts cnn/model_search.py.
    const ref = JSON.parse(fs.readFileSync(path.join(repoRoot, 'test/fixtures/torch_state_dict_shapes.json'), 'utf8'));
    const net = new SearchNetwork({ space: SPACES.darts, C: 4, layers: 5, classes: 10, inChannels: 3, seed: 0 });
    const ours = torchStateDictShapes(net);
    assert.deepStrictEqual(Object.keys(ours), Object.keys(ref.shapes), 'names, in state_dict order');
    assert.deepStrictEqual(ours, ref.shapes);
    assert.strictEqual(net.numParams(), ref.num_params);
    net.dispose();
  });
});

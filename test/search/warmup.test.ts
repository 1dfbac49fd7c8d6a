/**
 * The alpha warm-up (docs/method.md §3): the alphas are held for the first `alphaWarmupEpochs`
 * epochs while everything else runs as in DARTS. The independent answer: a run whose Adam learning
 * rate is 1e-30 (its steps vanish in float32 next to alphas of 1e-3) takes the alpha step's own
 * code path and must leave the same weights, losses and alphas as the warm-up's forward-only pass.
 */
import * as assert from 'assert';
import { tf } from '../../lib/backend';
import { ConfigError, runId, type SearchConfig } from '../../lib/config/search_config';
import { alphaWarmupDue, searchEpoch } from '../../lib/search/loop';
import { createSearchState, dartsProblem, disposeSearchState, searchData } from '../../lib/problems/darts/problem';
import { spaceMethod } from '../../lib/analysis/space_claims';
import { nb201Method } from '../../lib/analysis/nb201_figure';
import { resolveNb201Config } from '../../lib/problems/nb201/config';
import type { EpochRecord } from '../../lib/runs/records';
import { fakeDataset, smokeConfig } from './fixtures';

type Record = Omit<EpochRecord, 'seconds' | 'backend'>;

/** `epochs` epochs from scratch: the records (without timings) and every weight's values after the last. */
async function run(config: SearchConfig, epochs: number): Promise<{ records: Record[]; weights: Map<string, Float32Array> }> {
  const data = searchData(config, fakeDataset());
  const state = createSearchState(config, data);
  const records: Record[] = [];
  for (let e = 0; e < epochs; e++) {
    const { seconds: _s, backend: _b, ...rest } = await searchEpoch(dartsProblem(config), data, state, e);
    records.push(rest);
  }
  // Every variable: the weights, the alphas and the BN running statistics.
  const weights = new Map(state.net.variables.map((v) => [v.name, v.variable.dataSync() as Float32Array]));
  disposeSearchState(state);
  return { records, weights };
}

const maxDiff = (a: readonly number[], b: readonly number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i])));

describe('the alpha warm-up (alphaWarmupEpochs, docs/method.md §3)', () => {
  it('holds the alphas at their initial values for the warm-up epochs, then moves them', async () => {
    const config = smokeConfig({ epochs: 3, alphaWarmupEpochs: 2 });
    const held = await run(config, 3);
    const plain = await run(smokeConfig({ epochs: 3 }), 1);
    const [r0, r1, r2] = held.records;
    // Epoch 0's record holds the alphas after the epoch: DARTS's moved, the warm-up's did not.
    assert.notDeepStrictEqual(plain.records[0].alphas, r0.alphas);
    assert.deepStrictEqual(r1.alphas, r0.alphas);
    assert.notDeepStrictEqual(r2.alphas, r1.alphas, 'the alphas move after the warm-up');
    for (const r of held.records) assert.ok(Number.isFinite(r.search.loss) && r.search.accuracy >= 0 && r.search.accuracy <= 1);
    assert.deepStrictEqual(
      [0, 1, 2, 3].map((e) => alphaWarmupDue(config, e)),
      [true, true, false, false],
    );
    assert.strictEqual(alphaWarmupDue(smokeConfig(), 0), false);
  });

  it("leaves the weights, losses and alphas that a vanishing alpha step leaves (the step's own code path)", async () => {
    // Two sizes; S4 with drop path on, where the alpha pass's random draws (noise, masks) count; the
    // second order, whose held step still runs the unrolled passes (their BN updates, their loss).
    const cases = [{}, { C: 6, layers: 3 }, { space: 's4', regularization: { dropPathProb: 0.3 } }, { order: 'second' }];
    for (const sizes of cases) {
      const held = await run(smokeConfig({ epochs: 2, alphaWarmupEpochs: 1, ...sizes }), 1);
      const tiny = await run(smokeConfig({ epochs: 2, alphaOptimizer: { lr: 1e-30 }, ...sizes }), 1);
      const [a, b] = [held.records[0], tiny.records[0]];
      const what = JSON.stringify(sizes);
      for (const k of ['train', 'search', 'valid'] as const) {
        assert.ok(Math.abs(a[k].loss - b[k].loss) <= 1e-6 * Math.abs(b[k].loss), `${what}: ${k} loss ${a[k].loss} vs ${b[k].loss}`);
        assert.strictEqual(a[k].accuracy, b[k].accuracy, `${what}: ${k} accuracy`);
      }
      for (const cell of ['normal', 'reduce'] as const)
        assert.ok(maxDiff(a.alphas[cell].flat(), b.alphas[cell].flat()) < 1e-12, `${what}: ${cell}`);
      assert.strictEqual(held.weights.size, tiny.weights.size);
      for (const [k, w] of held.weights) {
        assert.ok(maxDiff([...w], [...(tiny.weights.get(k) as Float32Array)]) <= 1e-6, `${what}: weight ${k}`);
      }
    }
  });

  it('holds the alphas in a second-order search too, moves them after, and leaks no tensors', async () => {
    const config = smokeConfig({ order: 'second', epochs: 3, alphaWarmupEpochs: 2 });
    const data = searchData(config, fakeDataset());
    const state = createSearchState(config, data);
    const r0 = await searchEpoch(dartsProblem(config), data, state, 0);
    const before = tf.memory().numTensors;
    const r1 = await searchEpoch(dartsProblem(config), data, state, 1);
    assert.strictEqual(tf.memory().numTensors, before);
    assert.deepStrictEqual(r1.alphas, r0.alphas);
    // Epoch 2 takes the second-order step, Adam from its first step on.
    const r2 = await searchEpoch(dartsProblem(config), data, state, 2);
    assert.notDeepStrictEqual(r2.alphas, r1.alphas);
    assert.ok(Number.isFinite(r2.search.loss));
    disposeSearchState(state);
  });

  it('is a field of its own: 0 and counts >= epochs are refused by name, absent keeps the run id, a count changes it', () => {
    assert.throws(
      () => smokeConfig({ alphaWarmupEpochs: 0 }),
      (e: unknown) => e instanceof ConfigError && /alphaWarmupEpochs/.test(e.message),
    );
    assert.throws(
      () => smokeConfig({ epochs: 3, alphaWarmupEpochs: 3 }),
      (e: unknown) => e instanceof ConfigError && /alphaWarmupEpochs: must be < epochs \(3\)/.test(e.message),
    );
    const plain = smokeConfig();
    assert.ok(!('alphaWarmupEpochs' in plain));
    assert.notStrictEqual(runId(smokeConfig({ alphaWarmupEpochs: 1 })), runId(plain));
    assert.throws(() => resolveNb201Config('smoke', { alphaWarmupEpochs: 5, epochs: 2 }), /alphaWarmupEpochs/);
  });

  it('names the method: DARTS (alphas held n epochs) (on S1-S4 and NAS-Bench-201)', () => {
    assert.strictEqual(spaceMethod(smokeConfig({ alphaWarmupEpochs: 2 })), 'DARTS (alphas held 2 epochs)');
    assert.strictEqual(spaceMethod(smokeConfig()), 'DARTS');
    assert.strictEqual(spaceMethod(smokeConfig({ earlyStop: 'adaptive', alphaWarmupEpochs: 1 })), 'DARTS-ADA (alphas held 1 epoch)');
    assert.strictEqual(nb201Method(resolveNb201Config('smoke', { alphaWarmupEpochs: 1 })), 'DARTS (alphas held 1 epoch)');
  });
});

/**
 * Byte-identical records: the search code must reproduce, byte for byte, the epochs.jsonl,
 * decisions.jsonl and genotype.json that the code before the search-problem seam wrote (commit
 * e4460fd; test/fixtures/golden/README.md). A refactor that changes one float anywhere (an op order,
 * a seed key, a record field) fails here. Cases: a smoke search on each of the five spaces, the
 * second order, the regularised search (L2, drop path, Cutout), and DARTS-ES, its simulation and
 * DARTS-ADA on the original code's fake eigenvalue series. A checkpoint written by that code loads.
 *
 * RDARTS_GOLDEN_WRITE=1 rewrites the fixtures: only for a change that is meant to alter the numbers,
 * and say so in its commit.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { resolveConfig } from '../../lib/config/search_config';
import { loadCheckpoint } from '../../lib/runs/checkpoint';
import { createSearchState, disposeSearchState, searchData } from '../../lib/problems/darts/problem';
import { ensureRun } from '../../lib/problems/darts/run';
import { withTempDir } from '../helpers';
import { fakeDataset } from './fixtures';

const GOLDEN = path.join(__dirname, '..', 'fixtures', 'golden');
const FILES = ['epochs.jsonl', 'decisions.jsonl', 'genotype.json'];
const WRITE = process.env.RDARTS_GOLDEN_WRITE === '1';

// The original code's debug series (as test/search/controller.test.ts): it fires at epoch 20.
const debugSeries = (epoch: number, rollbacks: number) => (epoch >= 8 && rollbacks === 0 ? 2.0 : 0.1);

interface GoldenCase {
  readonly name: string;
  readonly overrides: Record<string, unknown>;
  /** The synthetic data set and the fake eigenvalue series instead of Fashion-MNIST and Lanczos. */
  readonly fake?: boolean;
}

const CASES: readonly GoldenCase[] = [
  ...['s1', 's2', 's3', 's4', 'darts'].map((space) => ({ name: `smoke-${space}`, overrides: { space } })),
  { name: 'smoke-s3-second', overrides: { space: 's3', order: 'second' } },
  {
    name: 'smoke-s2-reg',
    overrides: {
      space: 's2',
      regularization: { l2: 1e-3, dropPathProb: 0.3 },
      augment: { cropPad: 2, flip: null, cutout: { length: 4, prob: 0.5 } },
    },
  },
  ...(['stop', 'simulate', 'adaptive'] as const).map((earlyStop) => ({
    name: `fake-${earlyStop}`,
    fake: true,
    overrides: { trainSubset: 48, batchSize: 8, epochs: 22, earlyStop, controller: { startEpoch: 20 } },
  })),
];

describe('search records are byte-identical to the golden ones (test/fixtures/golden)', function () {
  this.timeout(300_000);
  for (const c of CASES) {
    it(c.name, () =>
      withTempDir(async (root) => {
        const { run } = await ensureRun(resolveConfig('smoke', c.overrides as never), {
          root,
          progress: 'off',
          ...(c.fake ? { train: fakeDataset(), fakeCurvature: debugSeries } : {}),
        });
        for (const f of FILES) {
          const [got, golden] = [path.join(run.dir, f), path.join(GOLDEN, `${c.name}.${f}`)];
          if (WRITE) {
            if (fs.existsSync(got)) fs.copyFileSync(got, golden);
            continue;
          }
          assert.strictEqual(
            fs.existsSync(got),
            fs.existsSync(golden),
            `${f}: present here ${fs.existsSync(got)}, in the fixture ${fs.existsSync(golden)}`,
          );
          if (!fs.existsSync(got)) continue;
          const [a, b] = [fs.readFileSync(got, 'utf8'), fs.readFileSync(golden, 'utf8')];
          if (a !== b) {
            const [la, lb] = [a.split('\n'), b.split('\n')];
            const line = la.findIndex((l, i) => l !== lb[i]);
            assert.fail(
              `${c.name} ${f} differs from the golden file at line ${line + 1}:\n  got    ${la[line]?.slice(0, 300)}\n  golden ${lb[line]?.slice(0, 300)}`,
            );
          }
        }
      }),
    );
  }

  it('a checkpoint written by the code before still loads, with the alphas of its record', async () => {
    const config = resolveConfig('smoke', { space: 's3' });
    const state = createSearchState(config, searchData(config));
    try {
      loadCheckpoint(path.join(GOLDEN, 'smoke-s3.epoch-1.safetensors'), state);
      // The alphas that code recorded for that epoch (its epochs.jsonl line; the golden records were since rewritten).
      const record = JSON.parse(fs.readFileSync(path.join(GOLDEN, 'smoke-s3.epoch-1.alphas.json'), 'utf8'));
      assert.deepStrictEqual(state.net.alphas.normal.arraySync(), record.alphas.normal);
      assert.deepStrictEqual(state.net.alphas.reduce.arraySync(), record.alphas.reduce);
      assert.ok(state.weightOpt.state().size > 0 && state.alphaOpt.steps > 0, 'both optimisers have state');
    } finally {
      disposeSearchState(state);
    }
  });
});

import * as assert from 'assert';
import * as path from 'path';
import { alphaDrift, alphaDriftTable } from '../../lib/analysis/alpha_drift';
import { readRun } from '../../lib/runs/run_read';
import { repoRoot } from '../helpers';

describe('alphaDrift (docs/method.md §3)', () => {
  // The pilot's S3 DARTS at 1,000 steps, seed 0.
  const run = readRun(path.join(repoRoot, 'results', 'pilot', 'runs', '47215bb98af1'));

  it("measures each op's mean alpha change and the edges where it rose, from epoch 0 without a warm-up", () => {
    const r = alphaDrift('s3', 'DARTS', run, 9);
    assert.ok(r);
    assert.deepStrictEqual([r.from, r.to, r.seed], [0, 9, 0]);
    // Pinned from the record by a short script outside the library (epochs 0 and 9 of epochs.jsonl):
    // none rose on all 14 edges, skip_connect on none, sep_conv_3x3 on 11.
    assert.deepStrictEqual([r['none up'], r['skip_connect up'], r['sep_conv_3x3 up']], [14, 0, 11]);
    assert.ok(Math.abs((r['none change'] as number) - 1.91e-2) < 1e-4, String(r['none change']));
    assert.ok(Math.abs((r['skip_connect change'] as number) + 1.88e-2) < 1e-4, String(r['skip_connect change']));
  });

  it("starts a warm-up search's window at its last held epoch, and leaves out what is not stored", () => {
    const held = { ...run, config: { ...run.config, alphaWarmupEpochs: 5 } };
    const r = alphaDrift('w', 'DARTS (alphas held 5 epochs)', held, 1);
    assert.deepStrictEqual([r?.from, r?.to], [4, 5]);
    assert.strictEqual(alphaDrift('s3', 'DARTS', run, 50), null);
    assert.throws(() => alphaDrift('s3', 'DARTS', run, 0), /positive integer/);
    const table = alphaDriftTable([{ name: 's3', method: 'DARTS', run }], [1, 9, 60]);
    assert.deepStrictEqual(
      table.map((t) => [t.from, t.to]),
      [
        [0, 1],
        [0, 9],
      ],
    );
  });
});

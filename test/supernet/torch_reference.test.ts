/**
 * Our supernet on every space against PyTorch float64 (test/fixtures/make_supernet_torch.py):
 * PyTorch's own weights, loaded through the checkpoint rule of lib/runs/checkpoint.ts; the loss
 * and the gradient of every weight and both alphas, training mode. Runs on every backend the suite
 * runs on (wasm, and cpu in `npm run test:backends`).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot } from '../helpers';
import { type TorchFixture, torchReferenceGaps } from './torch_reference';

const FIXTURE = path.join(repoRoot, 'test', 'fixtures', 'supernet_torch.json');
const CHECKPOINTS = path.join(repoRoot, 'test', 'fixtures', 'supernet_torch');
const fixture = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as TorchFixture;

describe('the supernet against PyTorch float64, PyTorch weights loaded from a checkpoint', function () {
  this.timeout(120_000);
  const gaps = new Map<string, ReturnType<typeof torchReferenceGaps>>();
  const gapsOf = (name: string) => {
    if (!gaps.has(name)) gaps.set(name, torchReferenceGaps(fixture, name, CHECKPOINTS));
    return gaps.get(name) as ReturnType<typeof torchReferenceGaps>;
  };

  it('covers the five spaces, and S3 at C 4 with 5 cells', () => {
    assert.deepStrictEqual(
      Object.values(fixture.cases)
        .map((c) => c.config.space)
        .sort(),
      ['darts', 's1', 's2', 's3', 's3', 's4'],
    );
    assert.ok(fixture.cases['s3-c4'].config.C === 4 && fixture.cases['s3-c4'].config.layers === 5);
    assert.ok(fixture.cases.s4.noise_calls > 0, 'S4 draws noise');
  });

  for (const [name, c] of Object.entries(fixture.cases)) {
    it(`${name}: the loss within 1e-6 and every weight's and both alphas' gradient within 1e-4 of its largest entry`, () => {
      const g = gapsOf(name);
      assert.ok(g.loss < 1e-6, `loss off by ${g.loss} (relative)`);
      assert.strictEqual(Object.keys(g.errors).length, c.gradients.length);
      assert.ok(g.worst < 1e-4, `${g.worstTensor} off by ${g.worst} of its largest entry`);
    });
  }

  it('is as accurate as float32 with float64 sums: mean error of the logits < 1.5e-6 and of the alpha gradients < 1e-6', () => {
    // Measured: the cpu backend 8.4e-7 and 4.4e-7, wasm 7.0e-7 and 5.4e-7; wasm with float32 sums
    // (engine revision 1, lib/versions.ts) 2.6e-6 and 1.9e-6, every gradient still within 1e-4.
    const names = Object.keys(fixture.cases);
    const mean = (f: (n: string) => number) => names.reduce((s, n) => s + f(n), 0) / names.length;
    const logits = mean((n) => gapsOf(n).logits);
    const alphas = mean((n) => Math.max(gapsOf(n).errors.alphas_normal, gapsOf(n).errors.alphas_reduce));
    assert.ok(logits < 1.5e-6, `logits ${logits}`);
    assert.ok(alphas < 1e-6, `alpha gradients ${alphas}`);
  });
});

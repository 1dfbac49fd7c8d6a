/**
 * The NAS-Bench-201 supernet against a PyTorch float64 restatement of the benchmark's DARTS code
 * (test/fixtures/make_nb201_torch.py): the same parameters (names, shapes, count), PyTorch's weights
 * loaded through lib/runs/checkpoint.ts; the loss, the logits and every weight's and the alphas'
 * gradient, training mode; and the dominant eigenvalue of the alpha Hessian that curvature tracking
 * measures against the exact one. Runs on every backend the suite runs on.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { measureCurvature } from '../../lib/hessian/track';
import { repoRoot } from '../helpers';
import { loadNb201TorchCase, type Nb201TorchFixture, nb201TorchGaps } from './nb201_torch';

const FIXTURE = path.join(repoRoot, 'test', 'fixtures', 'nb201_torch.json');
const CHECKPOINTS = path.join(repoRoot, 'test', 'fixtures', 'nb201_torch');
const fixture = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as Nb201TorchFixture;

describe('the NAS-Bench-201 supernet against PyTorch float64 (the benchmark code restated)', function () {
  this.timeout(120_000);

  it('has two cases, one with two cells per stage', () => {
    assert.deepStrictEqual(Object.keys(fixture.cases).sort(), ['c2-n1', 'c4-n2']);
    assert.strictEqual(fixture.cases['c4-n2'].config.N, 2);
  });

  for (const [name, c] of Object.entries(fixture.cases)) {
    it(`${name}: the same ${c.params} weights; the loss within 1e-6, the logits and every gradient within 1e-4`, () => {
      const g = nb201TorchGaps(fixture, name, CHECKPOINTS);
      assert.strictEqual(g.params, c.params);
      assert.ok(g.loss < 1e-6, `loss off by ${g.loss} (relative)`);
      assert.ok(g.logits < 1e-4, `logits off by ${g.logits}`);
      assert.strictEqual(Object.keys(g.errors).length, c.gradients.length);
      assert.ok(c.gradients.includes('arch_parameters'));
      assert.ok(g.worst < 1e-4, `${g.worstTensor} off by ${g.worst} of its largest entry`);
    });

    it(`${name}: the full 30 x 30 Hessian (central differences) has the exact dominant eigenvalue within 1%`, async function () {
      // 60 gradients; on the cpu backend (test:backends), with other work on the 2 cores, this took more than 120 s.
      this.timeout(480_000);
      const { net, batch, dispose } = loadNb201TorchCase(fixture, name, CHECKPOINTS);
      try {
        const h = await measureCurvature(net, batch, {
          method: 'full',
          maxProducts: 30,
          tolerance: 1e-3,
          step: 1e-2,
          scheme: 'central',
          weightDecay: 0,
          seed: 0,
          recordMatrix: false,
        });
        const exact = c.eigenvalues.top[0];
        assert.strictEqual(h.products, 30);
        assert.ok(Math.abs(h.dominantEigenvalue - exact) < 0.01 * Math.abs(exact), `ours ${h.dominantEigenvalue}, exact ${exact}`);
      } finally {
        dispose();
      }
    });
  }
});

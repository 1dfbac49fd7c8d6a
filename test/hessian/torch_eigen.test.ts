/**
 * The dominant eigenvalue of the alpha Hessian (the paper's curvature measure) on every space against PyTorch's exact
 * float64 Hessian (test/fixtures/make_supernet_torch.py, PyTorch weights loaded from a checkpoint):
 * Lanczos on frozen-kink central differences, as lib/hessian/track.ts measures it in a search.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { measureCurvature } from '../../lib/hessian/track';
import { repoRoot } from '../helpers';
import { loadTorchCase, type TorchFixture } from '../supernet/torch_reference';

const DIR = path.join(repoRoot, 'test', 'fixtures', 'supernet_torch');
const fixture = JSON.parse(fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'supernet_torch.json'), 'utf8')) as TorchFixture;

describe('the dominant alpha-Hessian eigenvalue against PyTorch float64 on every space', function () {
  this.timeout(120_000);
  for (const [name, c] of Object.entries(fixture.cases)) {
    it(`${name}: Lanczos gives torch's largest eigenvalue within 2e-3 x max|H|`, async () => {
      const { net, batch, dispose } = loadTorchCase(fixture, name, DIR);
      try {
        const r = await measureCurvature(net, batch, {
          method: 'lanczos',
          maxProducts: 60,
          tolerance: 1e-5,
          step: 1e-2,
          scheme: 'central',
          weightDecay: 0,
          seed: c.config.passSeed,
        });
        assert.ok(r.converged);
        const gap = Math.abs(r.dominantEigenvalue - c.eigenvalues.top[0]);
        assert.ok(gap < 2e-3 * c.max_abs_h, `ours ${r.dominantEigenvalue}, torch ${c.eigenvalues.top[0]} (max|H| ${c.max_abs_h})`);
      } finally {
        dispose();
      }
    });
  }
});

/**
 * The dominant eigenvalue of the alpha Hessian (the paper's curvature measure) on every space against PyTorch's exact
 * float64 Hessian (test/fixtures/make_supernet_torch.py, PyTorch weights loaded from a checkpoint):
 * Lanczos on frozen-kink central differences, as lib/hessian/track.ts measures it in a search.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../../lib/backend';
import { measureCurvature } from '../../lib/hessian/track';
import { loadCheckpoint } from '../../lib/runs/checkpoint';
import { loadSafetensors } from '../../lib/runs/safetensors';
import { Adam, Sgd } from '../../lib/search/optim';
import { alphaParams } from '../../lib/search/step';
import { getSpace } from '../../lib/spaces/spaces';
import { SearchNetwork } from '../../lib/supernet/network';
import { repoRoot } from '../helpers';
import type { TorchFixture } from '../supernet/torch_reference';

const DIR = path.join(repoRoot, 'test', 'fixtures', 'supernet_torch');
const fixture = JSON.parse(fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'supernet_torch.json'), 'utf8')) as TorchFixture;

describe('the dominant alpha-Hessian eigenvalue against PyTorch float64 on every space', function () {
  this.timeout(120_000);
  for (const [name, c] of Object.entries(fixture.cases)) {
    it(`${name}: Lanczos gives torch's largest eigenvalue within 2e-3 x max|H|`, async () => {
      const cfg = c.config;
      const net = new SearchNetwork({ space: getSpace(cfg.space), C: cfg.C, layers: cfg.layers, classes: cfg.classes, inChannels: cfg.inChannels, seed: 0 });
      const weightOpt = new Sgd(net.weights, { momentum: 0.9, weightDecay: 3e-4 });
      const alphaOpt = new Adam(alphaParams(net), { lr: 3e-4, beta1: 0.5, beta2: 0.999, eps: 1e-8, weightDecay: 1e-3 });
      const xr = loadSafetensors(path.join(DIR, `${name}.reference.safetensors`)).tensors['input.x'];
      const batch = { x: tf.tensor4d(xr.data as Float32Array, xr.shape as [number, number, number, number]), y: tf.tensor1d(c.y, 'int32') };
      try {
        loadCheckpoint(path.join(DIR, `${name}.safetensors`), { net, weightOpt, alphaOpt });
        const r = await measureCurvature(net, batch, {
          method: 'lanczos', maxProducts: 60, tolerance: 1e-5, step: 1e-2, scheme: 'central', weightDecay: 0, seed: cfg.passSeed,
        });
        assert.ok(r.converged);
        const gap = Math.abs(r.dominantEigenvalue - c.eigenvalues.top[0]);
        assert.ok(gap < 2e-3 * c.max_abs_h, `ours ${r.dominantEigenvalue}, torch ${c.eigenvalues.top[0]} (max|H| ${c.max_abs_h})`);
      } finally {
        tf.dispose([batch.x, batch.y]);
        weightOpt.dispose();
        alphaOpt.dispose();
        net.dispose();
      }
    });
  }
});

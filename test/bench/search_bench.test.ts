import * as assert from 'assert';
import { runSearchBench } from '../../lib/bench/search_bench';
import { tf } from '../../lib/backend';

describe('runSearchBench', () => {
  it("returns one record in the PyTorch reference's schema, leaking no tensors", async () => {
    const before = tf.memory().numTensors;
    const r = await runSearchBench({ space: 's2', layers: 3, C: 2, batch: 4, image: 8, inChannels: 1, iters: 2, warmup: 0 });
    assert.strictEqual(tf.memory().numTensors, before);
    const phases = r.phases as Record<string, { median_ms: number; min_ms: number; n: number; times_ms: number[] }>;
    for (const p of ['a_weight_step', 'b_arch_step_1st', 'c_arch_step_2nd']) {
      assert.strictEqual(phases[p].n, 2, p);
      assert.ok(phases[p].min_ms > 0 && phases[p].median_ms >= phases[p].min_ms, p);
    }
    const config = r.config as Record<string, unknown>;
    assert.deepStrictEqual([config.space, config.layers, config.C, config.in_channels], ['s2', 3, 2, 1]);
    for (const k of ['search_iter_1st_ms', 'search_iter_2nd_ms', 'images_per_s_ab', 'gflops_a', 'peak_rss_mb', 'backend']) {
      assert.ok(r[k] !== undefined, k);
    }
    const flops = r.flops as Record<string, number>;
    assert.ok(flops.weight_step_gflop_per_image > 2 * flops.fwd_gflop_per_image);
  });

  it('phases d and e: the full Hessian and the dominant eigenvalue, which agree', async () => {
    const before = tf.memory().numTensors;
    const r = await runSearchBench({ space: 's3', layers: 3, C: 2, batch: 4, image: 8, inChannels: 1, phases: 'de', hessProducts: 20 });
    assert.strictEqual(tf.memory().numTensors, before);
    const phases = r.phases as Record<string, { median_ms: number; per_hvp_ms: number }>;
    assert.ok(phases.d_full_hessian.per_hvp_ms > 0 && phases.e_power_iteration.per_hvp_ms > 0);
    const h = r.hessian as Record<string, number | boolean | string>;
    assert.strictEqual(h.n, 84);
    assert.strictEqual(h.dominant_eig, h.max_eig);
    assert.ok((h.power_steps as number) <= 20);
    assert.strictEqual(h.power_agrees, true, `Lanczos ${h.power_eig} vs full ${h.dominant_eig}`);
  });
});

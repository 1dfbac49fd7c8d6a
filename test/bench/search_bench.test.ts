import * as assert from 'assert';
import { type PhaseTiming, runSearchBench } from '../../lib/bench/search_bench';
import { kernelKind, profileMarkdown, profileRecord, profileSearchStep, profileSummaryMarkdown } from '../../lib/bench/profile';
import { tf } from '../../lib/backend';

describe('runSearchBench', () => {
  it("returns one record in the PyTorch reference's schema, leaking no tensors", async () => {
    const before = tf.memory().numTensors;
    const r = await runSearchBench({ space: 's2', layers: 3, C: 2, batch: 4, image: 8, inChannels: 1, iters: 2, warmup: 0 });
    assert.strictEqual(tf.memory().numTensors, before);
    const phases = r.phases as Record<string, PhaseTiming>;
    for (const p of ['a_weight_step', 'b_arch_step_1st', 'c_arch_step_2nd']) {
      assert.strictEqual(phases[p].n, 2, p);
      assert.ok(phases[p].min_ms > 0 && phases[p].median_ms >= phases[p].min_ms, p);
      // The CPU time of the same iterations: one per iteration, positive, and (one busy thread, a
      // few helpers at most) neither far below the wall time nor far above it.
      assert.strictEqual(phases[p].cpu_times_ms.length, 2, p);
      phases[p].cpu_times_ms.forEach((cpu, i) => {
        const wall = phases[p].times_ms[i];
        assert.ok(cpu > 0 && cpu < 4 * wall + 5, `${p}: cpu ${cpu} ms, wall ${wall} ms`);
      });
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

describe('profileSearchStep', () => {
  it('times every kernel by part of the step, restores the kernels and the engine, and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const gradients = (tf.engine() as unknown as { gradients: unknown }).gradients;
    const kernelFuncs = () => new Map(tf.getKernelsForBackend(tf.getBackend()).map((k) => [k.kernelName, k.kernelFunc]));
    const funcsBefore = kernelFuncs();
    const p = await profileSearchStep({
      space: 's2',
      layers: 3,
      C: 2,
      batch: 4,
      image: 8,
      inChannels: 1,
      iters: 2,
      warmup: 1,
      phases: 'ab',
    });
    assert.strictEqual(tf.memory().numTensors, before);
    assert.strictEqual((tf.engine() as unknown as { gradients: unknown }).gradients, gradients);
    assert.ok(!Object.prototype.hasOwnProperty.call(tf.engine(), 'gradients'));
    const funcsAfter = kernelFuncs();
    assert.strictEqual(funcsAfter.size, funcsBefore.size);
    for (const [name, f] of funcsBefore) assert.strictEqual(funcsAfter.get(name), f, name);
    assert.deepStrictEqual(
      p.steps.map((s) => s.phase),
      ['a_weight_step', 'b_arch_step_1st'],
    );
    for (const s of p.steps) {
      const parts = Object.fromEntries(s.parts.map((r) => [r.part, r]));
      assert.ok(parts.forward.kernelCalls > 0 && parts.backward.kernelCalls > 0, s.phase);
      // Kernel time is exclusive (nested kernels counted once), so no part's kernels exceed its wall time by more than timer noise.
      for (const r of s.parts) assert.ok(r.kernelMs <= r.wallMs + 1, `${s.phase} ${r.part}: ${r.kernelMs} > ${r.wallMs}`);
      const total = s.kernels.reduce((a, k) => a + k.ms, 0);
      const byParts = s.parts.reduce((a, r) => a + r.kernelMs, 0);
      assert.ok(Math.abs(total - byParts) < 1e-6);
      assert.ok(s.kernels.some((k) => k.part === 'forward' && /conv/i.test(kernelKind(k.kernel))));
    }
    assert.ok(profileMarkdown(p).includes('### a_weight_step'));
    // The summary of stored records, ours beside a PyTorch one (lib/bench/torch_profile.py's layout).
    const torch = {
      impl: 'pytorch',
      config: { space: 's2', layers: 3, C: 2, image: 8, in_channels: 1, batch: 4 },
      steps: {
        a_weight_step: {
          wallMs: 10,
          parts: { forward: 4, backward: 5 },
          kernels: [{ kernel: 'aten::mkldnn_convolution', part: 'forward', ms: 3 }],
        },
      },
    };
    const table = profileSummaryMarkdown([JSON.parse(JSON.stringify(profileRecord(p))), torch]).split('\n');
    assert.strictEqual(table.filter((l) => l.startsWith('| s2 L3 C2 8x8x1 b4 | robust-darts-ts (')).length, 2);
    assert.ok(
      table.includes('| s2 L3 C2 8x8x1 b4 | pytorch | a_weight_step | 10 | 4 | 5 |  |  | mkldnn_convolution 3 |'),
      table.join('\n'),
    );
  });

  it('names kernel kinds', () => {
    assert.deepStrictEqual(
      [
        'Conv2DBackpropFilter',
        'DepthwiseConv2dNative',
        'RdartsBatchNormTrainGrad',
        'RdartsPool3x3',
        'Multiply',
        'Relu',
        'Concat',
        'Sum',
        'Whatever',
      ].map(kernelKind),
      [
        'conv',
        'depthwise conv',
        'batch norm',
        'pool',
        'elementwise (binary)',
        'elementwise (unary)',
        'copy / layout',
        'reduction',
        'other',
      ],
    );
  });
});

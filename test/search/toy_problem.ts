/**
 * A toy search problem, the proof of the seam (lib/search/problem.ts): two mixed edges on a
 * synthetic regression, searched by the same loop, store, checkpoint, curvature tracking and
 * controller as DARTS, with nothing of it outside this file.
 *   edge1: h = sum_k softmax(alpha1)_k op_k(x),  ops linear (x A), tanh (tanh(x B)), zero
 *   edge2: y = sum_k softmax(alpha2)_k op_k(h),  ops linear (h c), tanh (tanh(h e)), zero
 * The target is tanh(x w*) + 0.05 noise, so `edge1 tanh`, `edge2 linear` fits it; the metric is
 * the share of predictions within 0.25 of the target.
 */
import { createHash } from 'crypto';
import { tf } from '../../lib/backend';
import { type LoopConfig, resolveConfig } from '../../lib/config/search_config';
import { canonicalJson, type ConfigCodec } from '../../lib/config/validation';
import { mixSeed, permutation, Rng, sampleWithoutReplacement } from '../../lib/nn/random';
import type { PassOptions, SearchModel } from '../../lib/nn/model';
import type { NamedVariable } from '../../lib/nn/module';
import type { ArchitectureRecord } from '../../lib/runs/records';
import type { EpochPlan, SearchData, SearchProblem } from '../../lib/search/problem';

export const TOY_OPS = ['linear', 'tanh', 'zero'] as const;
const EDGES = ['edge1', 'edge2'] as const;

export interface ToyConfig extends LoopConfig {
  readonly toy: { readonly examples: number; readonly dim: number };
}

export interface ToyBatch {
  readonly x: tf.Tensor2D;
  readonly y: tf.Tensor2D;
}

export interface ToyArchitecture extends ArchitectureRecord {
  readonly alphas: Record<string, number[]>;
  readonly genotype: Record<string, string>;
}

const gaussian = (rng: Rng) => Math.sqrt(-2 * Math.log(1 - rng.uniform())) * Math.cos(2 * Math.PI * rng.uniform());

class ToyModel implements SearchModel<ToyBatch> {
  readonly weights: Map<string, tf.Variable>;
  readonly alphaParams: Map<string, tf.Variable>;
  readonly variables: NamedVariable[];
  readonly checkpointKey: string;

  constructor(dim: number, seed: number) {
    const rng = new Rng(mixSeed(seed, 7));
    const v = (shape: number[], scale: number) =>
      tf.variable(
        tf.tensor(
          Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => scale * gaussian(rng)),
          shape,
          'float32',
        ),
      );
    this.weights = new Map([
      ['A', v([dim, dim], 0.5)],
      ['B', v([dim, dim], 0.5)],
      ['c', v([dim, 1], 0.5)],
      ['e', v([dim, 1], 0.5)],
    ]);
    this.alphaParams = new Map(EDGES.map((edge) => [edge, v([1, TOY_OPS.length], 1e-3)]));
    this.variables = [...this.weights].map(([name, variable]) => ({ name, variable, trainable: true, layout: 'vector' as const }));
    this.checkpointKey = JSON.stringify({ toy: 'two mixed edges', dim });
  }

  loss(batch: ToyBatch, options: PassOptions): { loss: tf.Scalar; output: tf.Tensor } {
    return tf.tidy(() => {
      const alpha = (edge: string) =>
        tf.softmax((options.alphas?.get(edge) ?? this.alphaParams.get(edge)) as tf.Tensor2D).reshape([TOY_OPS.length]);
      const w = (name: string) => this.weights.get(name) as tf.Tensor2D;
      const [a1, a2] = [alpha('edge1').unstack(), alpha('edge2').unstack()];
      const h = tf.add(tf.mul(tf.matMul(batch.x, w('A')), a1[0]), tf.mul(tf.tanh(tf.matMul(batch.x, w('B'))), a1[1])) as tf.Tensor2D;
      const y = tf.add(tf.mul(tf.matMul(h, w('c')), a2[0]), tf.mul(tf.tanh(tf.matMul(h, w('e'))), a2[1]));
      return { loss: tf.mean(tf.square(tf.sub(y, batch.y))) as tf.Scalar, output: y };
    });
  }

  metric(output: tf.Tensor, batch: ToyBatch): number {
    return tf.tidy(() => tf.mean(tf.cast(tf.less(tf.abs(tf.sub(output, batch.y)), 0.25), 'float32')).dataSync()[0]);
  }

  examples(batch: ToyBatch): number {
    return batch.x.shape[0];
  }

  dispose(): void {
    for (const v of [...this.weights.values(), ...this.alphaParams.values()]) v.dispose();
  }
}

/** The toy data: `examples` rows, the first half for the weights, the second for the alphas. */
function toyData(config: ToyConfig): SearchData<ToyBatch> {
  const { examples, dim } = config.toy;
  const rng = new Rng(mixSeed(config.seed, 11));
  const wStar = Array.from({ length: dim }, () => gaussian(rng));
  const xs = Array.from({ length: examples }, () => Array.from({ length: dim }, () => gaussian(rng)));
  const ys = xs.map((x) => Math.tanh(x.reduce((s, xi, i) => s + xi * wStar[i], 0)) + 0.05 * gaussian(rng));
  const half = Math.floor(examples / 2);
  const batch = (rows: ArrayLike<number>): ToyBatch => ({
    x: tf.tensor2d(Array.from(rows, (i) => xs[i])),
    y: tf.tensor2d(Array.from(rows, (i) => [ys[i]])),
  });
  return {
    *weightBatches(plan: EpochPlan) {
      const order = permutation(half, new Rng(mixSeed(plan.seed, plan.epoch, 5)));
      for (let s = 0; s < half; s += plan.batchSize) yield batch(order.subarray(s, Math.min(half, s + plan.batchSize)));
    },
    steps: (plan) => Math.ceil(half / plan.batchSize),
    alphaBatch: (plan, seed) =>
      batch(
        Array.from(sampleWithoutReplacement(examples - half, Math.min(plan.batchSize, examples - half), new Rng(seed)), (i) => i + half),
      ),
    *evalBatches(batchSize: number) {
      for (let s = half; s < examples; s += batchSize)
        yield batch(Array.from({ length: Math.min(examples, s + batchSize) - s }, (_, i) => s + i));
    },
    alphaExamples: examples - half,
    dispose: (b) => tf.dispose([b.x, b.y]),
  };
}

export const TOY_CODEC: ConfigCodec<ToyConfig> = {
  check: (value, source) => {
    const c = value as ToyConfig;
    if (!c || typeof c !== 'object' || !c.toy || !Number.isInteger(c.toy.examples) || !Number.isInteger(c.epochs)) {
      throw new Error(`toy config (${source}): needs epochs and toy { examples, dim }`);
    }
    return c;
  },
  canonical: (c) => canonicalJson({ ...c, report: undefined }),
  id: (c) => createHash('sha256').update(TOY_CODEC.canonical(c)).digest('hex').slice(0, 12),
};

/** The toy problem of `config`. */
export function toyProblem(config: ToyConfig): SearchProblem<ToyBatch, ToyArchitecture, ToyConfig> {
  return {
    config,
    codec: TOY_CODEC,
    label: `toy, seed ${config.seed}`,
    loadData: () => toyData(config),
    createModel: () => new ToyModel(config.toy.dim, config.seed),
    architecture: (model) => {
      const alphas = Object.fromEntries([...model.alphaParams].map(([edge, a]) => [edge, Array.from(a.dataSync())]));
      const genotype = Object.fromEntries(Object.entries(alphas).map(([edge, a]) => [edge, TOY_OPS[a.indexOf(Math.max(...a))]]));
      return { alphas, genotype };
    },
  };
}

/** A toy config: the smoke preset's loop settings (6 epochs, batch 16, alphas' lr 0.05), 128 examples of 3 features. */
export function toyConfig(overrides: Record<string, unknown> = {}): ToyConfig {
  const { seed, epochs, batchSize, order, weightOptimizer, alphaOptimizer, regularization, hessian, earlyStop, controller, report } =
    resolveConfig('smoke', {
      epochs: 6,
      batchSize: 16,
      alphaOptimizer: { lr: 0.05 },
      hessian: { evalEvery: 2, maxProducts: 6 },
      ...overrides,
    });
  return {
    seed,
    epochs,
    batchSize,
    order,
    weightOptimizer,
    alphaOptimizer,
    regularization,
    hessian,
    earlyStop,
    controller,
    report,
    toy: { examples: 128, dim: 3 },
  };
}

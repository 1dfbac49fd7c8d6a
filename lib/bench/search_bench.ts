/**
 * The search-step benchmark, with the phases, flags and JSON keys of the PyTorch reference
 * (shared perf/torch_darts_bench.py), so that one script (its summarize.py) compares both:
 *   a  weight step: forward, CE, grads w.r.t. weights only, clip 5, SGD (lr 0.025, mu 0.9, wd 3e-4)
 *   b  alpha step, first order: forward on val, grads w.r.t. alphas only, Adam (3e-4, (0.5, 0.999), wd 1e-3)
 *   c  alpha step, second order (the unrolled step of docs/method.md §1), then Adam
 *   d  the full alpha Hessian of L_val (one product per alpha) and its spectrum (docs/method.md §3)
 *   e  the dominant eigenvalue from at most `hessProducts` products: Lanczos here (lib/hessian/eigen.ts;
 *      the reference runs power iteration, which finds the largest |eigenvalue|, with 20 products)
 * on one fixed train batch and one fixed val batch of N(0, 1) images with uniform labels.
 * Hessian-vector products are the library's (lib/hessian/hvp.ts: differences of gradients with
 * ReLU masks frozen), `hvpScheme` central (2 gradients a product) or forward (1).
 */
import * as os from 'os';
import { backendInfo, initBackend, tf } from '../backend';
import { countConvFlops, fusedReluDepthwiseActive } from '../nn/conv';
import { pointwiseKernelsActive } from '../kernels/register';
import { Adam, Sgd } from '../nn/optim';
import { adamOptions, sgdOptions } from '../config/search_config';
import { DEFAULT_SEARCH_CONFIG } from '../config/presets';
import { alphaStep, weightStep } from '../search/step';
import { Batch } from '../nn/loss';
import { getSpace, SpaceName } from '../spaces/spaces';
import { hessianSpectrum } from '../hessian/eigen';
import { HVP_STEP, HvpScheme } from '../hessian/hvp';
import { CurvatureRecord, CurvatureSettings, measureCurvature } from '../hessian/track';
import { SearchNetwork } from '../problems/darts/supernet/network';
import { softwareVersions } from '../versions';
import { sourceCommit } from './source_commit';
import { mean, median } from '../analysis/stats';

export interface BenchConfig {
  readonly space: SpaceName;
  readonly layers: number;
  readonly C: number;
  readonly batch: number;
  readonly image: number;
  readonly inChannels: number;
  readonly classes: number;
  readonly iters: number;
  readonly warmup: number;
  readonly seed: number;
  /** Which phases to run, e.g. 'abc'. */
  readonly phases: string;
  /** Timed and untimed repetitions of phases d and e. */
  readonly hessIters: number;
  readonly hessWarmup: number;
  /** Phase e: the most Hessian-vector products, and Lanczos's tolerance. */
  readonly hessProducts: number;
  readonly hessTolerance: number;
  /** Finite-difference scheme of the products (lib/hessian/hvp.ts). */
  readonly hvpScheme: HvpScheme;
}

export const DEFAULT_BENCH: BenchConfig = {
  space: 's3',
  layers: 5,
  C: 8,
  batch: 64,
  image: 28,
  inChannels: 1,
  classes: 10,
  iters: 10,
  warmup: 2,
  seed: 0,
  phases: 'abc',
  hessIters: 1,
  hessWarmup: 0,
  hessProducts: 20,
  hessTolerance: 1e-2,
  hvpScheme: 'central',
};

export interface PhaseTiming {
  median_ms: number;
  min_ms: number;
  mean_ms: number;
  n: number;
  times_ms: number[];
  /**
   * The same iterations' process CPU time (user + system, every thread of the process): unlike
   * the wall time it leaves out the moments other processes held the core, though not the core's
   * slowing under their load (results/bench/README.md); lib/bench/torch_timed.py records PyTorch's
   * the same way. With RDARTS_WASM_THREADS above 1 it sums the workers' time, spinning included.
   */
  cpu_median_ms: number;
  cpu_times_ms: number[];
}

/** Wall and CPU milliseconds since `start` (a `clock()`). */
function clock(): { wall: number; cpu: NodeJS.CpuUsage } {
  return { wall: performance.now(), cpu: process.cpuUsage() };
}
function elapsed(start: ReturnType<typeof clock>): { wall: number; cpu: number } {
  const cpu = process.cpuUsage(start.cpu);
  return { wall: performance.now() - start.wall, cpu: (cpu.user + cpu.system) / 1000 };
}

function timed(fn: () => void, iters: number, warmup: number): PhaseTiming {
  for (let i = 0; i < warmup; i++) fn();
  const times: { wall: number; cpu: number }[] = [];
  for (let i = 0; i < iters; i++) {
    const t0 = clock();
    fn();
    times.push(elapsed(t0));
  }
  return summarise(times);
}

/** `fn`'s times after `warmup` untimed calls, awaiting each (for backends whose work ends with an asynchronous read). */
export async function timedAsync(fn: () => Promise<void>, iters: number, warmup: number): Promise<PhaseTiming> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: { wall: number; cpu: number }[] = [];
  for (let i = 0; i < iters; i++) {
    const t0 = clock();
    await fn();
    times.push(elapsed(t0));
  }
  return summarise(times);
}

function summarise(times: readonly { wall: number; cpu: number }[]): PhaseTiming {
  const wall = times.map((t) => t.wall);
  const cpu = times.map((t) => t.cpu);
  const ms = (t: number) => Math.round(t * 1000) / 1000;
  return {
    median_ms: median(wall),
    min_ms: Math.min(...wall),
    mean_ms: mean(wall),
    n: wall.length,
    times_ms: wall.map(ms),
    cpu_median_ms: median(cpu),
    cpu_times_ms: cpu.map(ms),
  };
}

function randomBatch(c: BenchConfig, seed: number): Batch {
  return {
    x: tf.randomNormal([c.batch, c.image, c.image, c.inChannels], 0, 1, 'float32', seed) as tf.Tensor4D,
    y: tf.tidy(() => tf.randomUniformInt([c.batch], 0, c.classes, seed + 1).toFloat()) as tf.Tensor1D,
  };
}

/** The benchmark's network, its fixed batches and the search's optimisers (dispose when done). */
export interface BenchSetup {
  readonly net: SearchNetwork;
  readonly train: Batch;
  readonly val: Batch;
  readonly sgd: Sgd;
  readonly adam: Adam;
  dispose(): void;
}

export function benchSetup(c: BenchConfig): BenchSetup {
  const net = new SearchNetwork({
    space: getSpace(c.space),
    C: c.C,
    layers: c.layers,
    classes: c.classes,
    inChannels: c.inChannels,
    seed: c.seed,
  });
  const train = randomBatch(c, c.seed + 100);
  const val = randomBatch(c, c.seed + 200);
  // The paper's optimisers (docs/method.md §1), as the search uses them.
  const sgd = new Sgd(net.weights, sgdOptions(DEFAULT_SEARCH_CONFIG));
  const adam = new Adam(net.alphaParams, adamOptions(DEFAULT_SEARCH_CONFIG));
  return {
    net,
    train,
    val,
    sgd,
    adam,
    dispose() {
      sgd.dispose();
      adam.dispose();
      tf.dispose([train.x, train.y, val.x, val.y]);
      net.dispose();
    },
  };
}

/** Phases a, b and c (the reference's), by key, as the bench and the profiler run them. */
export const STEP_PHASES: readonly {
  readonly letter: string;
  readonly key: string;
  readonly label: string;
  readonly run: (s: BenchSetup) => void;
}[] = [
  {
    letter: 'a',
    key: 'a_weight_step',
    label: 'weight step',
    run: (s) => void weightStep(s.net, s.sgd, s.train, { lr: 0.025, gradClip: 5 }),
  },
  {
    letter: 'b',
    key: 'b_arch_step_1st',
    label: 'alpha step, first order',
    run: (s) => void alphaStep(s.net, s.sgd, s.adam, s.val, { order: 'first' }),
  },
  {
    letter: 'c',
    key: 'c_arch_step_2nd',
    label: 'alpha step, second order',
    run: (s) =>
      void alphaStep(s.net, s.sgd, s.adam, s.val, { order: 'second', trainBatch: s.train, lr: 0.025, momentum: 0.9, weightDecay: 3e-4 }),
  },
];

/** Runs the benchmark and returns one JSON-ready record in the reference's schema. */
export async function runSearchBench(
  config: Partial<BenchConfig> = {},
  log: (s: string) => void = () => undefined,
): Promise<Record<string, unknown>> {
  const c: BenchConfig = { ...DEFAULT_BENCH, ...config };
  const info = await initBackend();
  const space = getSpace(c.space);
  const setup = benchSetup(c);
  const { net, train, val } = setup;

  // FLOPs of one forward per image: convs (counted as they run) + the classifier.
  const convFlops = countConvFlops(() => tf.tidy(() => void net.forward(train.x, { training: true, updateRunningStats: false })));
  const features = net.weights.get('classifier.weight')?.size ?? 0;
  const fwdFlops = (convFlops + 2 * features * c.batch) / c.batch;
  const stemFlops = 2 * c.image * c.image * 3 * c.C * 9 * c.inChannels;
  const stepAFlops = 3 * fwdFlops - stemFlops;

  const phases: Record<string, PhaseTiming> = {};
  for (const p of STEP_PHASES) {
    if (!c.phases.includes(p.letter)) continue;
    log(`phase ${p.letter}: ${p.label}`);
    phases[p.key] = timed(() => p.run(setup), c.iters, c.warmup);
  }
  const hessian: Record<string, unknown> = {};
  const settings: CurvatureSettings = {
    method: 'lanczos',
    maxProducts: c.hessProducts,
    tolerance: c.hessTolerance,
    step: HVP_STEP,
    scheme: c.hvpScheme,
    weightDecay: DEFAULT_SEARCH_CONFIG.alphaOptimizer.weightDecay,
    seed: c.seed + 1234,
  };
  const perProduct = (t: PhaseTiming, products: number) => ({ ...t, per_hvp_ms: t.median_ms / products });
  if (c.phases.includes('e')) {
    log(`phase e: dominant eigenvalue, Lanczos, at most ${c.hessProducts} products (${c.hvpScheme})`);
    let r: CurvatureRecord | undefined;
    const t = await timedAsync(
      async () => {
        r = await measureCurvature(net, val, settings);
      },
      c.hessIters,
      c.hessWarmup,
    );
    const top = r as CurvatureRecord;
    phases.e_power_iteration = perProduct(t, top.products);
    Object.assign(hessian, {
      method_e: 'lanczos',
      power_eig: top.dominantEigenvalue,
      power_steps: top.products,
      gradients_e: top.gradients,
      converged_e: top.converged,
    });
  }
  if (c.phases.includes('d')) {
    log(`phase d: full Hessian (${c.hvpScheme})`);
    let r: CurvatureRecord | undefined;
    const t = await timedAsync(
      async () => {
        r = await measureCurvature(net, val, { ...settings, method: 'full', recordMatrix: true });
      },
      c.hessIters,
      c.hessWarmup,
    );
    const full = r as CurvatureRecord;
    phases.d_full_hessian = perProduct(t, full.products);
    const spectrum = full.spectrum as number[];
    const t0 = performance.now();
    hessianSpectrum(full.matrix as number[][]);
    Object.assign(hessian, {
      n: full.products,
      eigvalsh_ms: performance.now() - t0,
      max_eig: spectrum[spectrum.length - 1],
      min_eig: spectrum[0],
      // Ours: the largest algebraic eigenvalue (docs/method.md §3); the reference's dominant_eig is the largest |eigenvalue|.
      dominant_eig: spectrum[spectrum.length - 1],
      rel_asymmetry: full.asymmetry,
      gradients_d: full.gradients,
    });
    if (typeof hessian.power_eig === 'number') {
      const rel = Math.abs(hessian.power_eig - full.dominantEigenvalue) / Math.max(Math.abs(full.dominantEigenvalue), 1e-30);
      Object.assign(hessian, { power_vs_full_rel_diff: rel, power_agrees: rel < 1e-2 });
    }
  }
  if (Object.keys(hessian).length > 0) hessian.hvp_scheme = c.hvpScheme;
  const result: Record<string, unknown> = {
    bench: 'darts_search_iteration',
    impl: 'robust-darts-ts',
    backend: info.name,
    versions: softwareVersions(),
    // The checkout's commit, where it is one (comparisons across commits).
    source: sourceCommit(),
    wasm: backendInfo()?.wasm,
    // The reference's intra-op threads; ours: the wasm backend's (RDARTS_WASM_THREADS), else 1.
    threads: backendInfo()?.wasm?.threads ?? 1,
    // Whether sep_conv / dil_conv ran ReLU and the depthwise conv as one kernel (RDARTS_FUSED_RELU_DW).
    fused_relu_depthwise: fusedReluDepthwiseActive(),
    // Whether 1x1 convs ran on our pointwise kernels (RDARTS_POINTWISE_KERNELS; wasm only).
    pointwise_kernels: tf.getBackend() === 'wasm' && pointwiseKernelsActive(),
    cpu: { machine: os.arch(), logical_cpus: os.cpus().length, model_name: os.cpus()[0]?.model },
    // The reference's config keys (snake_case), so its summarize.py reads both.
    config: {
      space: c.space,
      ops: space.normal[0],
      layers: c.layers,
      C: c.C,
      batch: c.batch,
      image: c.image,
      in_channels: c.inChannels,
      classes: c.classes,
      iters: c.iters,
      warmup: c.warmup,
      seed: c.seed,
      phases: c.phases,
      hess_iters: c.hessIters,
      hess_warmup: c.hessWarmup,
      hess_products: c.hessProducts,
      hess_tolerance: c.hessTolerance,
      hvp_scheme: c.hvpScheme,
    },
    model: {
      weight_params: net.numParams(),
      alphas: net.alphas.normal.size + net.alphas.reduce.size,
      reduction_cells: [Math.floor(c.layers / 3), Math.floor((2 * c.layers) / 3)],
    },
    flops: {
      fwd_gflop_per_image: fwdFlops / 1e9,
      weight_step_gflop_per_image: stepAFlops / 1e9,
      counted: 'conv+linear, 2 FLOP per MAC; step = 3*fwd - stem input grad',
    },
    phases,
    hessian,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    timestamp: new Date().toISOString(),
  };
  const a = phases.a_weight_step?.median_ms;
  const b = phases.b_arch_step_1st?.median_ms;
  const cc = phases.c_arch_step_2nd?.median_ms;
  if (a !== undefined) result.gflops_a = (stepAFlops * c.batch) / a / 1e6;
  if (a !== undefined && b !== undefined) {
    result.search_iter_1st_ms = a + b;
    result.images_per_s_ab = (2 * c.batch) / ((a + b) / 1000);
    result.train_images_per_s_ab = c.batch / ((a + b) / 1000);
  }
  if (a !== undefined && cc !== undefined) result.search_iter_2nd_ms = a + cc;
  setup.dispose();
  return result;
}

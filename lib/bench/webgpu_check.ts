/**
 * The WebGPU backend checked and timed (environment.md, section 3): the supernet's gradients on
 * WebGPU against the cpu backend's, on the five spaces at the check's size and at a second, larger
 * one; then the time of the supernet's loss and every gradient (weights and alphas: what a first-order
 * search iteration differentiates, without the optimiser, which reads synchronously) at three sizes.
 * Runs wherever the webgpu packages are installed (./gpu_kit.sh bundles it for a GPU machine);
 * without a GPU, on Mesa's software OpenGL ES.
 *
 *   npx tsx lib/bench/webgpu_check.ts [--append FILE] [--iters N] [--warmup N] [--sizes 0,1,2] [--skip-check]
 *
 * Prints, and appends to FILE, one JSON line per case: `webgpu_gradients` (the worst tensor's
 * error relative to its largest entry; the exit status is 1 if one is above the check's tolerance) and
 * `webgpu_grads_time` (ms per loss-and-gradients).
 */
import * as fs from 'fs';
import * as os from 'os';
import { initBackend, tf } from '../backend';
import { CHECK_CASES, CHECK_TOLERANCE, compareBackends, type SupernetCase } from '../engine/differential';
import { lossAndGrads } from '../search/step';
import { type BenchConfig, benchSetup, DEFAULT_BENCH, type PhaseTiming, timedAsync } from './search_bench';

/** The sizes timed: `rdarts bench`'s default, the DARTS space at it, and the paper's search size (docs/method.md §1). */
const TIMED_SIZES: readonly Partial<BenchConfig>[] = [{}, { space: 'darts' }, { layers: 8, C: 16, image: 32, inChannels: 3 }];

/** The second check size: twice the channels, more cells and a larger image than CHECK_CASES, half the batch (the cpu backend is slow). */
const LARGER: SupernetCase[] = CHECK_CASES.map((c) => ({ ...c, C: 8, layers: 6, image: 20, batch: 4 }));

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** ms per loss-and-gradients of the bench's network and training batch at `size` (`benchSetup`). */
async function timeGrads(config: BenchConfig, iters: number, warmup: number): Promise<PhaseTiming> {
  const setup = benchSetup(config);
  const params = new Map([...setup.net.weights, ...setup.net.alphaParams]);
  let seed = 3;
  try {
    return await timedAsync(
      async () => {
        const r = lossAndGrads(setup.net, setup.train, params, seed++, false, 0);
        try {
          // Every gradient's kernels are queued by now and the queue runs in order: reading the loss
          // waits for all of them, without a copy to the host per gradient (PyTorch's keep theirs on the GPU).
          await r.loss.data();
        } finally {
          tf.dispose([r.loss, r.output, ...r.grads.values()]);
        }
      },
      iters,
      warmup,
    );
  } finally {
    setup.dispose();
  }
}

async function main(): Promise<void> {
  const append = option('append');
  const iters = Number(option('iters') ?? 5);
  const warmup = Number(option('warmup') ?? 2);
  const sizes = (option('sizes') ?? TIMED_SIZES.map((_, i) => i).join(',')).split(',').map((i) => {
    const size = TIMED_SIZES[Number(i)];
    if (!size) throw new Error(`--sizes: ${i} is not one of 0-${TIMED_SIZES.length - 1}`);
    return size;
  });
  if (!(Number.isInteger(iters) && iters >= 1 && Number.isInteger(warmup) && warmup >= 0))
    throw new Error(`--iters must be an integer >= 1 and --warmup >= 0, got ${iters} and ${warmup}`);
  const emit = (line: object) => {
    const text = JSON.stringify({ ...line, at: new Date().toISOString(), host: os.hostname() });
    console.log(text);
    if (append) fs.appendFileSync(append, text + '\n');
  };
  const info = await initBackend({ force: 'webgpu' });
  const common = { adapter: info.webgpu?.adapter, featureLevel: info.webgpu?.featureLevel, versions: info.versions };
  if (!process.argv.includes('--skip-check')) {
    for (const cases of [CHECK_CASES, LARGER]) {
      for (const r of await compareBackends(cases, 'gradients', { test: 'webgpu', reference: 'cpu' })) {
        if (!(r.worst <= CHECK_TOLERANCE)) process.exitCode = 1;
        emit({
          bench: 'webgpu_gradients',
          ...common,
          case: r.case,
          worst: r.worst,
          worstTensor: r.worstTensor,
          within: r.worst <= CHECK_TOLERANCE,
        });
      }
    }
  }
  for (const size of sizes) {
    const config = { ...DEFAULT_BENCH, ...size };
    const t = await timeGrads(config, iters, warmup);
    const { space, layers, C, image, inChannels, batch } = config;
    emit({
      bench: 'webgpu_grads_time',
      ...common,
      config: { space, layers, C, image, inChannels, batch },
      iters,
      median_ms: t.median_ms,
      ms: t.times_ms,
    });
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (e) => {
    console.error(`webgpu_check: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);

/**
 * Where a search step's time goes: every kernel call timed, by kernel and by phase of the step
 * (forward, backward, optimiser, the rest), beside the wall time of each phase, so that what is
 * spent outside kernels (op dispatch, the tape, tensor bookkeeping, freeing memory) shows as the
 * difference. It decides which kernels are worth writing (the speed work of docs/architecture.md).
 *
 * How: each kernel registered for the active backend is re-registered with a timing wrapper for
 * the duration of the profile (tfjs looks kernels up on every call), the engine's `gradients` is
 * wrapped to tell forward from backward, and the optimisers' `step` to mark the optimiser.
 * Kernels on wasm run synchronously, so a kernel's time is the time of its call; freeing tensor
 * memory (`disposeData`) is timed apart. The profile runs the bench's phases a, b, c on its setup
 * (lib/bench/search_bench.ts), so its numbers describe the same steps as `rdarts bench`.
 */
import { initBackend, tf } from '../backend';
import { Adam, Sgd } from '../nn/optim';
import { softwareVersions } from '../versions';
import { BenchConfig, benchSetup, DEFAULT_BENCH, STEP_PHASES } from './search_bench';

/** Phases of one step, in the order they run. */
export const STEP_PARTS = ['forward', 'backward', 'optimiser', 'other'] as const;
export type StepPart = (typeof STEP_PARTS)[number];

/** Totals of one kernel (or kind) in one part of a step, per iteration. */
export interface KernelRow {
  readonly kernel: string;
  readonly part: StepPart;
  readonly calls: number;
  readonly ms: number;
}

export interface PartRow {
  readonly part: StepPart;
  /** Wall time of the part, per iteration. */
  readonly wallMs: number;
  /** Time inside kernels. */
  readonly kernelMs: number;
  /** Time freeing tensor memory (the backend's disposeData). */
  readonly freeMs: number;
  /** The rest: op dispatch, the gradient tape, tensor bookkeeping, JavaScript. */
  readonly overheadMs: number;
  readonly kernelCalls: number;
}

export interface StepProfile {
  /** The bench's phase key (a_weight_step, b_arch_step_1st, c_arch_step_2nd). */
  readonly phase: string;
  readonly iters: number;
  /** Wall time per iteration (mean). */
  readonly wallMs: number;
  readonly parts: PartRow[];
  readonly kernels: KernelRow[];
}

/**
 * Kinds of kernel, by name: our own kernels (lib/kernels) and tfjs's. The first matching rule
 * wins; anything else is 'other'.
 */
const KINDS: readonly [RegExp, string][] = [
  [/depthwise/i, 'depthwise conv'],
  [/conv/i, 'conv'],
  [/batchnorm|bn/i, 'batch norm'],
  [/pool|window/i, 'pool'],
  [/matmul/i, 'matmul'],
  [/^(mean|max|min|prod|all|any|argmax|argmin)$|sum/i, 'reduction'],
  [/^(relu|relu6|step|prelu|elu|sigmoid|tanh|exp|log|sqrt|rsqrt|square|neg|abs|sign|reciprocal)/i, 'elementwise (unary)'],
  [
    /^(add|addn|sub|mul|realdiv|div|maximum|minimum|squareddifference|greater|less|equal|select|where|cast|fill|zeroslike|oneslike|clipbyvalue)/i,
    'elementwise (binary)',
  ],
  [
    /concat|slice|pad|reshape|transpose|tile|gather|shift|identity|split|pack|unpack|reverse|mirrorpad|stridedslice|scatter/i,
    'copy / layout',
  ],
  [/softmax|logsoftmax|crossentropy/i, 'softmax / loss'],
];

export function kernelKind(name: string): string {
  for (const [re, kind] of KINDS) if (re.test(name)) return kind;
  return 'other';
}

interface Acc {
  calls: number;
  ms: number;
}

/** The wrappers of one profile; `restore` puts back every kernel and method it replaced. */
class KernelTimer {
  part: StepPart = 'other';
  readonly kernels = new Map<string, Acc>();
  readonly partKernel = new Map<StepPart, Acc>();
  readonly partFree = new Map<StepPart, number>();
  readonly partWall = new Map<StepPart, number>();
  private partStart = performance.now();
  /** Per running kernel, the time of the kernels it ran. */
  private readonly nested: number[] = [];
  private readonly restores: (() => void)[] = [];

  constructor(backendName: string) {
    for (const config of tf.getKernelsForBackend(backendName)) {
      const original = config.kernelFunc;
      const name = config.kernelName;
      // Exclusive time: a kernel that runs other kernels (ours call tfjs's) is charged only its own.
      const wrapped: tf.KernelFunc = (args) => {
        this.nested.push(0);
        const t0 = performance.now();
        try {
          return original(args);
        } finally {
          const total = performance.now() - t0;
          const inner = this.nested.pop() as number;
          if (this.nested.length > 0) this.nested[this.nested.length - 1] += total;
          this.addKernel(name, total - inner);
        }
      };
      tf.unregisterKernel(name, backendName);
      tf.registerKernel({ ...config, kernelFunc: wrapped });
      this.restores.push(() => {
        tf.unregisterKernel(name, backendName);
        tf.registerKernel(config);
      });
    }
    const backend = tf.backend() as unknown as { disposeData(dataId: object, force?: boolean): boolean };
    const dispose = backend.disposeData;
    backend.disposeData = (dataId: object, force?: boolean) => {
      const t0 = performance.now();
      const r = dispose.call(backend, dataId, force);
      this.partFree.set(this.part, (this.partFree.get(this.part) ?? 0) + performance.now() - t0);
      return r;
    };
    this.restores.push(() => {
      backend.disposeData = dispose;
    });
    // Forward = the loss function inside gradients(); backward = the rest of gradients().
    const engine = tf.engine() as unknown as { gradients: (f: () => tf.Tensor, ...rest: unknown[]) => unknown };
    const gradients = engine.gradients;
    const own = Object.prototype.hasOwnProperty.call(engine, 'gradients');
    engine.gradients = (f: () => tf.Tensor, ...rest: unknown[]) => {
      const outer = this.part;
      this.enter('forward');
      try {
        return gradients.call(
          engine,
          () => {
            const y = f();
            this.enter('backward');
            return y;
          },
          ...rest,
        );
      } finally {
        this.enter(outer === 'forward' || outer === 'backward' ? 'other' : outer);
      }
    };
    // The lean backward pass lives on the engine's prototype (lib/kernels/lean_backprop.ts): restore by deleting ours.
    this.restores.push(() => {
      if (own) engine.gradients = gradients;
      else delete (engine as { gradients?: unknown }).gradients;
    });
    for (const proto of [Sgd.prototype, Adam.prototype] as { step: (...a: unknown[]) => unknown }[]) {
      const step = proto.step;
      const timer = this; // eslint-disable-line @typescript-eslint/no-this-alias
      proto.step = function (this: unknown, ...a: unknown[]) {
        timer.enter('optimiser');
        try {
          return step.apply(this, a);
        } finally {
          timer.enter('other');
        }
      };
      this.restores.push(() => {
        proto.step = step;
      });
    }
  }

  private addKernel(name: string, ms: number): void {
    const key = `${this.part}\u0000${name}`;
    const k = this.kernels.get(key) ?? { calls: 0, ms: 0 };
    k.calls++;
    k.ms += ms;
    this.kernels.set(key, k);
    const p = this.partKernel.get(this.part) ?? { calls: 0, ms: 0 };
    p.calls++;
    p.ms += ms;
    this.partKernel.set(this.part, p);
  }

  /** Closes the current part's wall time and starts `part`'s. */
  enter(part: StepPart): void {
    const now = performance.now();
    this.partWall.set(this.part, (this.partWall.get(this.part) ?? 0) + now - this.partStart);
    this.partStart = now;
    this.part = part;
  }

  reset(): void {
    this.kernels.clear();
    this.partKernel.clear();
    this.partFree.clear();
    this.partWall.clear();
    this.part = 'other';
    this.partStart = performance.now();
  }

  restore(): void {
    for (const r of this.restores.reverse()) r();
  }
}

/**
 * Profiles the bench's step phases (`config.phases`, letters a, b, c) on the active backend:
 * `warmup` untimed and `iters` profiled iterations each. Per-iteration means.
 */
export async function profileSearchStep(
  config: Partial<BenchConfig> = {},
  log: (s: string) => void = () => undefined,
): Promise<{
  config: BenchConfig;
  backend: string;
  steps: StepProfile[];
}> {
  const c: BenchConfig = { ...DEFAULT_BENCH, ...config };
  const info = await initBackend();
  const setup = benchSetup(c);
  const steps: StepProfile[] = [];
  const timer = new KernelTimer(tf.getBackend());
  try {
    for (const p of STEP_PHASES) {
      if (!c.phases.includes(p.letter)) continue;
      log(`profile ${p.letter}: ${p.label}`);
      for (let i = 0; i < c.warmup; i++) p.run(setup);
      timer.reset();
      const t0 = performance.now();
      for (let i = 0; i < c.iters; i++) p.run(setup);
      const wall = performance.now() - t0;
      timer.enter('other');
      const per = (x: number) => x / c.iters;
      const parts: PartRow[] = STEP_PARTS.map((part) => {
        const k = timer.partKernel.get(part) ?? { calls: 0, ms: 0 };
        const wallMs = per(timer.partWall.get(part) ?? 0);
        const freeMs = per(timer.partFree.get(part) ?? 0);
        return { part, wallMs, kernelMs: per(k.ms), freeMs, overheadMs: wallMs - per(k.ms) - freeMs, kernelCalls: per(k.calls) };
      });
      const kernels: KernelRow[] = [...timer.kernels.entries()]
        .map(([key, a]) => {
          const [part, kernel] = key.split('\u0000') as [StepPart, string];
          return { kernel, part, calls: per(a.calls), ms: per(a.ms) };
        })
        .sort((a, b) => b.ms - a.ms);
      steps.push({ phase: p.key, iters: c.iters, wallMs: per(wall), parts, kernels });
    }
  } finally {
    timer.restore();
    setup.dispose();
  }
  return { config: c, backend: info.name, steps };
}

/** One JSON-ready record of a profile (with versions and machine), for results/bench/profile.jsonl. */
export function profileRecord(p: Awaited<ReturnType<typeof profileSearchStep>>): Record<string, unknown> {
  return {
    bench: 'darts_step_profile',
    impl: 'robust-darts-ts',
    backend: p.backend,
    versions: softwareVersions(),
    config: p.config,
    steps: p.steps,
    timestamp: new Date().toISOString(),
  };
}

/** Sums kernel rows by kind (kernelKind) within each part. */
export function byKind(rows: readonly KernelRow[]): KernelRow[] {
  const acc = new Map<string, KernelRow>();
  for (const r of rows) {
    const kind = kernelKind(r.kernel);
    const key = `${r.part}\u0000${kind}`;
    const prev = acc.get(key);
    acc.set(key, { kernel: kind, part: r.part, calls: (prev?.calls ?? 0) + r.calls, ms: (prev?.ms ?? 0) + r.ms });
  }
  return [...acc.values()].sort((a, b) => b.ms - a.ms);
}

const fmt = (x: number, d = 1) => x.toFixed(d);

/** Markdown tables of a profile: per step, the parts and the `top` kinds and kernels by time. */
export function profileMarkdown(p: Awaited<ReturnType<typeof profileSearchStep>>, top = 15): string {
  const c = p.config;
  const out: string[] = [
    `${c.space}, ${c.layers} cells, C ${c.C}, ${c.image}x${c.image}x${c.inChannels}, batch ${c.batch}, backend ${p.backend}; ms per iteration, mean of ${c.iters} after ${c.warmup} warm-up`,
  ];
  for (const s of p.steps) {
    out.push(
      '',
      `### ${s.phase}: ${fmt(s.wallMs)} ms`,
      '',
      '| part | wall | kernels | freeing memory | outside kernels | kernel calls |',
      '|---|---|---|---|---|---|',
    );
    for (const r of s.parts)
      out.push(
        `| ${r.part} | ${fmt(r.wallMs)} | ${fmt(r.kernelMs)} | ${fmt(r.freeMs)} | ${fmt(r.overheadMs)} | ${fmt(r.kernelCalls, 0)} |`,
      );
    const table = (title: string, rows: readonly KernelRow[]) => {
      out.push('', `| ${title} | part | ms | share of step | calls |`, '|---|---|---|---|---|');
      for (const r of rows.slice(0, top))
        out.push(`| ${r.kernel} | ${r.part} | ${fmt(r.ms)} | ${fmt((100 * r.ms) / s.wallMs)} % | ${fmt(r.calls, 0)} |`);
    };
    table('kind', byKind(s.kernels));
    table('kernel', s.kernels);
  }
  return out.join('\n');
}

/** One step of a profile record, ours or PyTorch's (lib/bench/torch_profile.py), reduced to its parts. */
interface StepSummary {
  readonly wallMs: number;
  /** Kernel (ours) or aten (PyTorch) time per part. */
  readonly parts: Record<string, number>;
  /** Ours only: time outside kernels, all parts. */
  readonly outsideMs?: number;
  readonly kinds: Map<string, number>;
}

function summarizeStep(impl: string, step: Record<string, unknown>): StepSummary {
  const kernels = step.kernels as { kernel: string; part: string; ms: number }[];
  const kinds = new Map<string, number>();
  for (const k of kernels) {
    const kind = impl === 'pytorch' ? k.kernel.replace(/^aten::/, '') : kernelKind(k.kernel);
    kinds.set(kind, (kinds.get(kind) ?? 0) + k.ms);
  }
  if (Array.isArray(step.parts)) {
    const parts = step.parts as PartRow[];
    return {
      wallMs: step.wallMs as number,
      parts: Object.fromEntries(parts.map((r) => [r.part, r.kernelMs])),
      outsideMs: parts.reduce((a, r) => a + r.overheadMs + r.freeMs, 0),
      kinds,
    };
  }
  return { wallMs: step.wallMs as number, parts: step.parts as Record<string, number>, kinds };
}

/**
 * A Markdown table of profile records (results/bench/profile.jsonl): per configuration, each
 * implementation, engine revision and date with its step time, the time in kernels (ours) or aten ops
 * (PyTorch) per part, ours outside kernels, and the three largest kinds (ours) or ops (PyTorch).
 */
export function profileSummaryMarkdown(records: readonly Record<string, unknown>[]): string {
  const f = (x: number | undefined) => (x === undefined ? '' : x.toFixed(0));
  const out = [
    "ms per iteration (means of each record's profiled iterations; the profilers add their own overhead, so compare rows of one table, not with `rdarts bench`)",
    '',
    '| config | impl (engine, date) | step | wall | forward | backward | optimiser | outside kernels | largest kinds / ops |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of records) {
    const c = r.config as Record<string, unknown>;
    const impl = r.impl as string;
    const engine = (r.versions as Record<string, string> | undefined)?.engine;
    // The date tells apart profiles of one engine revision made before and after a faster kernel.
    const date = typeof r.timestamp === 'string' ? r.timestamp.slice(0, 10) : undefined;
    const label = [engine, date].filter((x) => x !== undefined).join(', ');
    const size = `${c.space} L${c.layers} C${c.C} ${c.image}x${c.image}x${c.inChannels ?? c.in_channels} b${c.batch}`;
    const steps = Array.isArray(r.steps)
      ? (r.steps as Record<string, unknown>[]).map((s) => [s.phase as string, s] as const)
      : Object.entries(r.steps as Record<string, Record<string, unknown>>);
    for (const [phase, step] of steps) {
      const s = summarizeStep(impl, step);
      const top = [...s.kinds.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([k, ms]) => `${k} ${f(ms)}`)
        .join(', ');
      out.push(
        `| ${size} | ${impl}${label ? ` (${label})` : ''} | ${phase} | ${f(s.wallMs)} | ${f(s.parts.forward)} | ${f(s.parts.backward)} | ${f(s.parts.optimiser)} | ${f(s.outsideMs)} | ${top} |`,
      );
    }
  }
  return out.join('\n');
}

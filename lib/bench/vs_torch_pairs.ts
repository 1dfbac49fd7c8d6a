/**
 * Our search-step benchmark against PyTorch's, pair by pair: each `rdarts bench` line of a JSON-lines
 * file (lib/bench/vs_torch.sh) with the PyTorch line of the same network that follows it, as
 * ratios ours / PyTorch of the first-order iteration (phases a + b) and the second-order one (a + c,
 * as the reference's summary counts it), by wall time and, where both lines hold it, by process CPU time (lib/bench/search_bench.ts,
 * lib/bench/torch_timed.py). The CPU time leaves out the moments another process held the core,
 * though not the core's slowing under that load (results/bench/README.md). Lines without a partner
 * are counted, not paired.
 * Usage: npx tsx lib/bench/vs_torch_pairs.ts results/bench/vs_torch.jsonl [--since <ISO time>]
 */
import * as fs from 'fs';
import { mdTable } from '../analysis/markdown';

interface Phase {
  median_ms?: number;
  cpu_median_ms?: number;
}
interface BenchLine {
  impl?: string;
  threads?: number;
  timestamp?: string;
  config?: Record<string, unknown>;
  phases?: Record<string, Phase>;
}

/** One pair's medians, ms (undefined: the phase or the clock is not in both lines). */
export interface BenchPair {
  readonly timestamp: string;
  readonly network: string;
  readonly ours: StepTimes;
  readonly torch: StepTimes;
}

/** Medians, ms: a + b (first order) and a + c (second order), wall and CPU. */
export interface StepTimes {
  readonly ab?: number;
  readonly ac?: number;
  readonly abCpu?: number;
  readonly acCpu?: number;
}

const PLAN_KEYS = ['space', 'layers', 'C', 'batch', 'image', 'in_channels', 'iters', 'warmup'] as const;

function network(line: BenchLine): string {
  const c = line.config ?? {};
  return `${String(c.space)} L${String(c.layers)} C${String(c.C)} ${String(c.image)}x${String(c.image)}x${String(c.in_channels)} b${String(c.batch)}`;
}

/** The same network, iterations and warm-ups, and the same intra-op threads. */
function samePlan(a: BenchLine, b: BenchLine): boolean {
  return PLAN_KEYS.every((k) => a.config?.[k] === b.config?.[k]) && a.threads === b.threads;
}

function sum(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a + b;
}

function times(line: BenchLine): StepTimes {
  const p = line.phases ?? {};
  return {
    ab: sum(p.a_weight_step?.median_ms, p.b_arch_step_1st?.median_ms),
    ac: sum(p.a_weight_step?.median_ms, p.c_arch_step_2nd?.median_ms),
    abCpu: sum(p.a_weight_step?.cpu_median_ms, p.b_arch_step_1st?.cpu_median_ms),
    acCpu: sum(p.a_weight_step?.cpu_median_ms, p.c_arch_step_2nd?.cpu_median_ms),
  };
}

/** The pairs of a file, and how many of its (kept) lines found no partner. */
export interface BenchPairs {
  readonly pairs: BenchPair[];
  readonly unpaired: number;
}

/**
 * The pairs in `text` (JSON lines), in file order: ours, then PyTorch's on the same network with the
 * same iterations, warm-ups and threads. Lines before `since` (a time Date.parse reads) are left out.
 */
export function benchPairs(text: string, since?: string): BenchPairs {
  const from = since === undefined ? undefined : Date.parse(since);
  if (from !== undefined && Number.isNaN(from)) throw new Error(`--since ${since} is not a time (e.g. 2026-12-08T03:40:00Z)`);
  const lines = text
    .split('\n')
    .flatMap((l, i) => {
      if (l.trim() === '') return [];
      try {
        return [JSON.parse(l) as BenchLine];
      } catch (e) {
        throw new Error(`line ${i + 1} is not JSON: ${(e as Error).message}`, { cause: e });
      }
    })
    .filter((l) => from === undefined || Date.parse(l.timestamp ?? '') >= from);
  const pairs: BenchPair[] = [];
  let unpaired = 0;
  for (let i = 0; i < lines.length; i++) {
    const next = lines[i + 1];
    if (lines[i].impl !== 'robust-darts-ts' || next?.impl !== 'pytorch' || !samePlan(lines[i], next)) {
      unpaired++;
      continue;
    }
    pairs.push({ timestamp: lines[i].timestamp ?? '', network: network(lines[i]), ours: times(lines[i]), torch: times(next) });
    i++;
  }
  return { pairs, unpaired };
}

const ratio = (a?: number, b?: number) => (a === undefined || b === undefined ? '' : `${(a / b).toFixed(2)}x`);
const both = (a?: number, b?: number) => (a === undefined || b === undefined ? '' : `${a.toFixed(0)} / ${b.toFixed(0)}`);

/** The pairs as a Markdown table. */
export function pairsMarkdown(pairs: readonly BenchPair[]): string {
  return mdTable(
    ['ours at', 'network', 'a+b wall ms, ours / PyTorch', 'ratio', 'a+b CPU ms', 'ratio', 'a+c wall ms', 'ratio', 'a+c CPU ms', 'ratio'],
    pairs.map((p) => [
      p.timestamp.slice(0, 19),
      p.network,
      both(p.ours.ab, p.torch.ab),
      ratio(p.ours.ab, p.torch.ab),
      both(p.ours.abCpu, p.torch.abCpu),
      ratio(p.ours.abCpu, p.torch.abCpu),
      both(p.ours.ac, p.torch.ac),
      ratio(p.ours.ac, p.torch.ac),
      both(p.ours.acCpu, p.torch.acCpu),
      ratio(p.ours.acCpu, p.torch.acCpu),
    ]),
  );
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const file = args[0];
  const at = args.indexOf('--since');
  if (!file || !fs.existsSync(file)) {
    console.error(`usage: npx tsx lib/bench/vs_torch_pairs.ts <file.jsonl> [--since <ISO time>]${file ? ` (no file ${file})` : ''}`);
    process.exit(1);
  }
  if (at >= 0 && args[at + 1] === undefined) {
    console.error('--since needs a time, e.g. 2026-12-08T03:40:00Z');
    process.exit(1);
  }
  const { pairs, unpaired } = benchPairs(fs.readFileSync(file, 'utf8'), at >= 0 ? args[at + 1] : undefined);
  console.log(pairsMarkdown(pairs));
  if (unpaired > 0)
    console.log(`\n${unpaired} line(s) without a partner (another network or plan next to them, or a round that failed) are left out.`);
}

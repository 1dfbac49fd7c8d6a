/**
 * Throughput of the local pool (lib/cluster/pool.ts): the same `runs` searches (seeds 0..runs-1 of
 * one preset, `epochs` epochs each, fresh run folders) run by `rdarts grid` with 1 process, then
 * with 2 (or each count in `jobs`), timed by the wall clock. The ratio t(1) / t(n) is the speed-up
 * of n processes: n when the cores are idle and the searches do not compete for memory
 * bandwidth or cache. Run on an otherwise idle machine: `rdarts bench-pool` (one JSON line).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runGrid } from '../experiments/grid';
import { parsePreset } from '../config/preset';
import { resolveConfig } from '../config/search_config';
import { softwareVersions } from '../versions';

export interface PoolBenchOptions {
  readonly runs?: number;
  readonly preset?: string;
  readonly epochs?: number;
  /** Process counts to time, in order (default [1, 2]). */
  readonly jobs?: readonly number[];
  readonly log?: (line: string) => void;
}

export interface PoolBenchRecord {
  readonly bench: 'pool-throughput';
  readonly date: string;
  readonly preset: string;
  readonly epochs: number;
  readonly runs: number;
  /** Wall seconds of the whole grid per process count. */
  readonly seconds: Readonly<Record<string, number>>;
  /** Per process count, the sum of the searches' own wall seconds (start to exit of each process). */
  readonly taskSeconds: Readonly<Record<string, number>>;
  /** t(first count) / t(count), per count. */
  readonly speedup: Readonly<Record<string, number>>;
  readonly cpu: { readonly logical_cpus: number; readonly model_name?: string; readonly loadavg_before: readonly number[] };
  readonly versions: ReturnType<typeof softwareVersions>;
}

/** Times the grid at each process count (file header). */
export async function poolThroughput(options: PoolBenchOptions = {}): Promise<PoolBenchRecord> {
  const runs = options.runs ?? 4;
  const preset = parsePreset(options.preset ?? 'quick', '--preset');
  const epochs = options.epochs ?? 1;
  const jobs = options.jobs ?? [1, 2];
  const log = options.log ?? ((l: string) => console.error(l));
  const entries = Array.from({ length: runs }, (_, seed) => {
    const overrides = { seed, epochs };
    return { name: `seed-${seed}`, preset, overrides, config: resolveConfig(preset, overrides, 'bench-pool') };
  });
  const loadavg = os.loadavg();
  const seconds: Record<string, number> = {};
  const taskSeconds: Record<string, number> = {};
  for (const n of jobs) {
    let sum = 0; // the searches' own times
    const out = fs.mkdtempSync(path.join(os.tmpdir(), `rdarts-bench-pool-${n}-`));
    try {
      const start = process.hrtime.bigint();
      const codes = await runGrid(entries, { jobs: n, out, log: () => undefined, onTaskEnd: (_, __, s) => (sum += s) });
      seconds[n] = Number(process.hrtime.bigint() - start) / 1e9;
      taskSeconds[n] = sum;
      const failed = [...codes].filter(([, c]) => c !== 0);
      if (failed.length > 0) throw new Error(`bench-pool: ${failed.length} search(es) failed at --jobs ${n}`);
      log(`${runs} searches with ${n} process(es): ${seconds[n].toFixed(1)} s (the searches' own times sum to ${sum.toFixed(1)} s)`);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }
  const first = seconds[jobs[0]];
  return {
    bench: 'pool-throughput',
    date: new Date().toISOString(),
    preset,
    epochs,
    runs,
    seconds,
    taskSeconds,
    speedup: Object.fromEntries(jobs.map((n) => [n, first / seconds[n]])),
    cpu: { logical_cpus: os.cpus().length, model_name: os.cpus()[0]?.model, loadavg_before: loadavg },
    versions: softwareVersions(),
  };
}

/**
 * Where the searches' final cells stand among all of NAS-Bench-201's cells (docs/method.md §8):
 * per method, the benchmark's CIFAR-10 test error of its final cells and the share of the
 * benchmark's 15,625 cells that test better, beside a uniformly random cell (what random search
 * with a single sample returns: the mean of the whole table) and the benchmark's best cell.
 *
 * This is a reference, not random search: random search picks the best of several cells by a
 * validation accuracy, and the committed table holds test accuracies only (data/nas-bench-201),
 * so picking by it would select on the test set. A random cell needs no choice, so it is exact.
 * The baselines of docs/method.md §4 pick by validation accuracies they measure themselves: RS-ws
 * by the shared weights', random search by each cell's after a short training
 * (lib/baselines/proxy_random_search.ts). Their cells (`readNb201Baselines`) enter as methods of
 * their setting.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ProxyRandomSearchParameters } from '../baselines/proxy_random_search';
import { RS_WS_DEFAULTS, type RsWsParameters } from '../baselines/rs_ws';
import { BASELINE_FILES, readBaselineConfig, readBaselineResult } from '../baselines/store';
import { nb201Accuracies, nb201Table } from '../data/nb201_table';
import { resultsDir } from '../paths';
import type { Nb201Config } from '../problems/nb201/config';
import type { Nb201Genotype } from '../problems/nb201/problem';
import { METHODS } from './labels';
import { mean, median } from './stats';
import { type Nb201ClaimInput, nb201ClaimSettings, NB201_ES_METHOD, nb201Setting } from './nb201_claims';

/** One row: a method's final cells in one setting, or one of the two reference rows. */
export interface Nb201RandomRow {
  /** The searches' setting (`nb201Setting`); the reference rows: the benchmark's table. */
  readonly setting: string;
  readonly method: string;
  /** Final cells counted: searches, or the table's cells. */
  readonly cells: number;
  readonly meanErrorPct: number;
  readonly medianErrorPct: number;
  /** Mean over the cells of the share (%) of the benchmark's cells whose test error is lower. */
  readonly betterCellsPct: number;
}

/** The reference rows' setting and methods. */
export const NB201_TABLE_SETTING = "NAS-Bench-201's table (every cell, 200 epochs)";
export const NB201_RANDOM_CELL = 'a uniformly random cell (random search with one sample)';
export const NB201_BEST_CELL = "the benchmark's best cell";

/** CIFAR-10 test error (%) of every cell of the committed table. */
export function nb201CellErrors(): number[] {
  return [...nb201Table().values()].map((e) => 100 - e.cifar10);
}

/** The cell a baseline run on NAS-Bench-201 chose, with the benchmark's CIFAR-10 test error. */
export interface Nb201BaselineCell {
  /** The baseline's id (its folder's name). */
  readonly id: string;
  /** As the tables name it (`nb201BaselineMethod`). */
  readonly method: string;
  readonly seed: number;
  /** The setting of its config (`nb201Setting`): the DARTS searches of the same setting are its comparison. */
  readonly setting: string;
  readonly arch: string;
  readonly errorPct: number;
}

/** Where the committed baseline runs on NAS-Bench-201 live: results/nas-bench-201/baselines. */
export function nb201BaselinesDir(): string {
  return path.join(resultsDir(), 'nas-bench-201', 'baselines');
}

/** A baseline's name in the tables: RS-ws, or random search with its budget (lib/baselines/proxy_random_search.ts). */
export function nb201BaselineMethod(method: string, parameters: Readonly<Record<string, unknown>>): string {
  if (method === 'rs-ws') {
    // Runs of other sizes are methods of their own, never pooled with the default's seeds.
    const p = parameters as unknown as RsWsParameters;
    const d = RS_WS_DEFAULTS;
    const same = p.samples === d.samples && p.scoreBatches === d.scoreBatches && p.topK === d.topK;
    return same
      ? METHODS.rsWs
      : `${METHODS.rsWs} (${p.samples} samples, ${p.scoreBatches} score batch${p.scoreBatches === 1 ? '' : 'es'}, top ${p.topK})`;
  }
  if (method === 'random-search') {
    const p = parameters as unknown as ProxyRandomSearchParameters;
    return `${METHODS.randomSearch} (${p.samples} cells, each trained ${p.trainEpochs} epoch${p.trainEpochs === 1 ? '' : 's'})`;
  }
  throw new Error(`nb201BaselineMethod: unknown baseline method ${JSON.stringify(method)}`);
}

/**
 * Every finished baseline run on NAS-Bench-201 under `root` (folders holding result.json whose
 * config is a NAS-Bench-201 one), sorted by setting, method and seed; none when the folder does not
 * exist. A run that cannot be read throws, naming its file.
 */
export function readNb201Baselines(root: string = nb201BaselinesDir()): Nb201BaselineCell[] {
  if (!fs.existsSync(root)) return [];
  const cells = fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(root, e.name, BASELINE_FILES.result)))
    .map((e) => path.join(root, e.name))
    .flatMap((dir) => {
      const stored = readBaselineConfig(dir);
      const config = stored.config as Nb201Config;
      if (config.problem !== 'nb201') return [];
      const { arch } = (readBaselineResult<{ genotype: Nb201Genotype }>(dir) as { genotype: Nb201Genotype }).genotype;
      const method = nb201BaselineMethod(stored.method, stored.parameters);
      return [
        { id: stored.id, method, seed: config.seed, setting: nb201Setting(config), arch, errorPct: 100 - nb201Accuracies(arch).cifar10 },
      ];
    });
  const order = (c: Nb201BaselineCell) => [c.setting, c.method];
  return cells.sort((a, b) => {
    const [x, y] = [order(a), order(b)];
    return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : a.seed - b.seed;
  });
}

/** Count of `sorted` (ascending) strictly below x. */
function countBelow(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Per setting of the claims (`nb201ClaimSettings`), one row per method with a known final error,
 * DARTS-ES (the code's rule replayed on the DARTS runs) after DARTS, and the baselines' cells of
 * that setting (`baselines`, one row per method) last; then the baselines of settings without
 * searches; then the random cell and the best cell of `cellErrors` (the committed table's by
 * default). Throws on an empty table.
 */
export function nb201RandomReference(
  inputs: readonly Nb201ClaimInput[],
  cellErrors: readonly number[] = nb201CellErrors(),
  baselines: readonly Pick<Nb201BaselineCell, 'setting' | 'method' | 'errorPct'>[] = [],
): Nb201RandomRow[] {
  if (cellErrors.length === 0) throw new Error('nb201RandomReference: the benchmark table has no cells');
  const sorted = [...cellErrors].sort((a, b) => a - b);
  const row = (setting: string, method: string, errors: readonly number[]): Nb201RandomRow => ({
    setting,
    method,
    cells: errors.length,
    meanErrorPct: mean(errors),
    medianErrorPct: median(errors),
    betterCellsPct: (100 * errors.reduce((n, e) => n + countBelow(sorted, e), 0)) / (errors.length * sorted.length),
  });
  const baselineRows = (setting: string) => {
    const of = baselines.filter((c) => c.setting === setting);
    return [...new Set(of.map((c) => c.method))].map((m) =>
      row(
        setting,
        m,
        of.filter((c) => c.method === m).map((c) => c.errorPct),
      ),
    );
  };
  const settings = nb201ClaimSettings(inputs);
  const alone = [...new Set(baselines.map((c) => c.setting))].filter((s) => !settings.some(([setting]) => setting === s));
  const searches = settings.flatMap(([setting, rows]) => {
    const methods = [...new Set(rows.map((r) => r.method))];
    const ordered = methods.flatMap((m) => (m === METHODS.darts ? [m, NB201_ES_METHOD] : [m]));
    return ordered
      .flatMap((method) => {
        const errors =
          method === NB201_ES_METHOD
            ? rows.filter((r) => r.method === METHODS.darts).map((r) => r.esErrorPct)
            : rows.filter((r) => r.method === method).map((r) => r.finalErrorPct);
        const known = errors.filter((e): e is number => e !== null);
        return known.length ? [row(setting, method, known)] : [];
      })
      .concat(baselineRows(setting));
  });
  return [
    ...searches,
    ...alone.flatMap(baselineRows),
    row(NB201_TABLE_SETTING, NB201_RANDOM_CELL, sorted),
    row(NB201_TABLE_SETTING, NB201_BEST_CELL, [sorted[0]]),
  ];
}

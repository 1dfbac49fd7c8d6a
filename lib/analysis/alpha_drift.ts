/**
 * Which way the alphas first move (docs/method.md §3): per search, over a window of its first alpha
 * epochs, each op's mean change of alpha over the normal cell's edges and the count of edges where
 * it rose. A collapse onto `none` at small margins (S3's) is a matter of direction: on every edge the
 * gradient keeps raising `none` against the others. Seen beside the alpha warm-up, it says whether
 * trained weights change that direction.
 *
 * The window starts at the first stored alphas the run has before it moves them further: a warm-up
 * search's last held epoch (`alphaWarmupEpochs - 1`: its alphas are the initial ones, exactly); a
 * search without warm-up, its epoch 0 (the initial alphas are not stored, so its window starts after
 * its first alpha epoch). `epochs` alpha epochs follow in both.
 */
import { getSpace } from '../spaces/spaces';
import type { StoredRun } from '../runs/run_read';

/** One search's drift over one window: `<op> change` (mean over edges) and `<op> up` (edges where it rose), per op. */
export type AlphaDriftRow = {
  readonly name: string;
  readonly method: string;
  readonly seed: number;
  /** The stored epochs whose alphas are compared (0-based, both stored). */
  readonly from: number;
  readonly to: number;
} & Readonly<Record<string, string | number>>;

/**
 * The normal cell's alpha drift of `run` over `epochs` alpha epochs from its first stored alphas
 * (see the file header); null when the run has not stored that far.
 */
export function alphaDrift(name: string, method: string, run: StoredRun, epochs: number): AlphaDriftRow | null {
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`alphaDrift: epochs must be a positive integer, got ${epochs}`);
  const from = Math.max(0, (run.config.alphaWarmupEpochs ?? 0) - 1);
  const to = from + epochs;
  const [a, b] = [run.epochs.find((e) => e.epoch === from), run.epochs.find((e) => e.epoch === to)];
  if (!a || !b) return null;
  const ops = getSpace(run.config.space).normal;
  const names = [...new Set(ops.flat())];
  const change = new Map(names.map((op) => [op, { sum: 0, up: 0, edges: 0 }]));
  b.alphas.normal.forEach((row, e) =>
    row.forEach((value, k) => {
      const c = change.get(ops[e][k]);
      if (!c) return;
      const d = value - a.alphas.normal[e][k];
      c.sum += d;
      c.edges += 1;
      if (d > 0) c.up += 1;
    }),
  );
  const columns: Record<string, number> = {};
  for (const [op, c] of change) {
    columns[`${op} change`] = Number((c.sum / c.edges).toExponential(3));
    columns[`${op} up`] = c.up;
  }
  return { name, method, seed: run.config.seed, from, to, ...columns };
}

/** `alphaDrift` of each run over each window (in alpha epochs), runs that have not stored that far left out. */
export function alphaDriftTable(
  runs: readonly { readonly name: string; readonly method: string; readonly run: StoredRun }[],
  windows: readonly number[] = [1, 9],
): AlphaDriftRow[] {
  return windows.flatMap((w) => runs.flatMap(({ name, method, run }) => alphaDrift(name, method, run, w) ?? []));
}

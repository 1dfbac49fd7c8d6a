/**
 * The pilot of the reproduction: where does DARTS collapse at a cost this machine affords? One row
 * per DARTS search of the pilot grid (results/pilot/grid.json): what was spent (weight steps, images,
 * model and image size) against what came out (docs/method.md §3, §6):
 * - the final normal cell's parameter-free ops among its 8 (the genotype, which drops `none`), and
 *   the edges among all 14 whose strongest op, `none` included, is parameter-free (a cell can look
 *   healthy in its genotype while most of its edges lean to `none`);
 * - the dominant eigenvalue's rise, as `degenerationRow` measures it (the last fifth of the
 *   measurements against the first);
 * - the supernet's accuracy on the alphas' half, and a test error where an evaluation of the final
 *   genotype is given.
 * The parameter-free count and the eigenvalue rise come from `degenerationRow` (one implementation).
 * A NAS-Bench-201 search (its own grid file) gives the same row from its final cell, whose 6 edges
 * keep `none` as an op, with the benchmark's exact test error (`nb201PilotRow`).
 */
import type { SearchConfig } from '../config/schema';
import { DATASETS } from '../data/registry';
import type { Nb201Config } from '../problems/nb201/config';
import type { Nb201ArchitectureRecord } from '../problems/nb201/problem';
import type { StoredRun } from '../runs/run_read';
import { isParameterFree, type OpName } from '../spaces/primitives';
import { getSpace } from '../spaces/spaces';
import type { Blank } from './failure';
import { CURVATURE_RISE_FACTOR, DEGENERATE_NORMAL_MIN, degenerationRow, eigenvalueEnds } from './degeneration';
import { NB201_COLLAPSE_EDGES, nb201Trajectory } from './nb201_trajectory';

/** One pilot search. */
export interface PilotRow {
  readonly name: string;
  readonly space: string;
  readonly dataset: string;
  /** Image size, e.g. 32x32x3. */
  readonly image: string;
  readonly layers: number;
  readonly C: number;
  /** Training images used (both halves: weights and alphas). */
  readonly images: number | Blank;
  /** Passes over the weights' half (epochs) and weight steps made (sum over the stored epochs). */
  readonly epochs: number;
  readonly weightSteps: number;
  readonly alphaLr: number;
  /** Normal cell: parameter-free ops of the genotype's 8 (without `none`); NAS-Bench-201: of the cell's 6 edges. */
  readonly genotypeParameterFree: number;
  /** Normal cell: edges of all 14 whose strongest op is parameter-free, `none` counted; of those, `none`. */
  readonly edgesParameterFree: number;
  readonly edgesNone: number;
  readonly edges: number;
  /** Mean dominant eigenvalue over the first and last fifth of the measurements, and their ratio. */
  readonly startEigenvalue: number | Blank;
  readonly endEigenvalue: number | Blank;
  readonly eigenvalueRatio: number | Blank;
  /** The supernet's accuracy on the alphas' half after the last epoch. */
  readonly supernetValid: number;
  /** Test error (%) of the final genotype trained from scratch, where given; NAS-Bench-201: the benchmark's (CIFAR-10). */
  readonly testErrorPct: number | Blank;
}

/** Edges of a cell (rows of softmax weights over `ops`) whose strongest op is parameter-free, and whose is `none`. */
export function strongestOpCounts(
  weights: readonly (readonly number[])[],
  ops: readonly (readonly OpName[])[],
): { parameterFree: number; none: number } {
  if (weights.length !== ops.length) throw new Error(`strongestOpCounts: ${weights.length} rows of weights for ${ops.length} edges`);
  let parameterFree = 0;
  let none = 0;
  weights.forEach((row, e) => {
    let best = 0;
    for (let k = 1; k < row.length; k++) if (row[k] > row[best]) best = k;
    const op = ops[e][best];
    if (isParameterFree(op)) parameterFree++;
    if (op === 'none') none++;
  });
  return { parameterFree, none };
}

type CostColumns = Pick<
  PilotRow,
  'name' | 'space' | 'dataset' | 'image' | 'layers' | 'C' | 'images' | 'epochs' | 'weightSteps' | 'alphaLr'
>;

/** What a search spent: data, model size, epochs and weight steps (summed over the stored epochs), the alphas' lr. */
function costColumns(
  name: string,
  space: string,
  layers: number,
  c: Pick<SearchConfig | Nb201Config, 'dataset' | 'C' | 'trainSubset' | 'alphaOptimizer'>,
  epochs: readonly { readonly steps: number }[],
): CostColumns {
  const d = DATASETS[c.dataset];
  return {
    name,
    space,
    dataset: c.dataset,
    image: `${d.height}x${d.width}x${d.channels}`,
    layers,
    C: c.C,
    images: c.trainSubset ?? '',
    epochs: epochs.length,
    weightSteps: epochs.reduce((s, r) => s + r.steps, 0),
    alphaLr: c.alphaOptimizer.lr,
  };
}

/** The pilot row of a finished DARTS search; `testErrorPct` from its evaluation, where there is one. */
export function pilotRow(name: string, run: StoredRun, testErrorPct?: number): PilotRow {
  const c = run.config;
  const last = run.epochs[run.epochs.length - 1];
  if (!last) throw new Error(`pilotRow: the run in ${run.dir} has no epochs`);
  const degeneration = degenerationRow(run);
  const space = getSpace(c.space);
  const strongest = strongestOpCounts(last.weights.normal, space.normal);
  return {
    ...costColumns(name, c.space, c.layers, c, run.epochs),
    genotypeParameterFree: degeneration.normalParameterFree,
    edgesParameterFree: strongest.parameterFree,
    edgesNone: strongest.none,
    edges: last.weights.normal.length,
    startEigenvalue: degeneration.startEigenvalue,
    endEigenvalue: degeneration.endEigenvalue,
    eigenvalueRatio: degeneration.eigenvalueRatio,
    supernetValid: last.valid.accuracy,
    testErrorPct: testErrorPct ?? '',
  };
}

/**
 * The pilot row of a finished NAS-Bench-201 search: its final cell (each edge's strongest op, so
 * the genotype and the edges agree, `none` counted), the eigenvalue's rise as for the other
 * spaces, and the benchmark's CIFAR-10 test error of the cell (exact: no evaluation to train).
 * `layers` counts the 3 stages' N cells and the 2 reduction blocks between them.
 */
export function nb201PilotRow(name: string, run: StoredRun<Nb201Config, Nb201ArchitectureRecord>): PilotRow {
  const c = run.config;
  const rows = nb201Trajectory(run);
  const last = rows[rows.length - 1];
  if (!last) throw new Error(`nb201PilotRow: the run in ${run.dir} has no epochs`);
  const ends = eigenvalueEnds(run.epochs);
  return {
    ...costColumns(name, 'nb201', 3 * c.N + 2, c, run.epochs),
    genotypeParameterFree: last.parameterFree,
    edgesParameterFree: last.parameterFree,
    edgesNone: last.none,
    edges: 6,
    startEigenvalue: ends.first ?? '',
    endEigenvalue: ends.last ?? '',
    eigenvalueRatio: ends.ratio ?? '',
    supernetValid: last.supernetValid,
    testErrorPct: 100 - last.cifar10,
  };
}

/**
 * Whether a pilot row's final cell collapsed. NAS-Bench-201: NB201_COLLAPSE_EDGES of its 6 edges
 * parameter-free (the cell keeps `none`, so both readings agree). A DARTS space: in the genotype,
 * DEGENERATE_NORMAL_MIN of its 8 ops (the failure analysis's rule); with `none` counted, the same
 * share of the normal cell's edges by their strongest op.
 */
export function pilotCollapse(r: PilotRow): { readonly genotype: boolean; readonly withNone: boolean } {
  if (r.space === 'nb201') {
    const collapsed = r.edgesParameterFree >= NB201_COLLAPSE_EDGES;
    return { genotype: collapsed, withNone: collapsed };
  }
  return {
    genotype: r.genotypeParameterFree >= DEGENERATE_NORMAL_MIN,
    withNone: r.edgesParameterFree >= collapseEdges(r.edges),
  };
}

/**
 * The edges of a DARTS-space cell of `edges` whose strongest op must be parameter-free (`none`
 * counted) for the cell to have collapsed: the failure analysis's DEGENERATE_NORMAL_MIN of the
 * genotype's 8 ops, as the same share of the edges (9 of S3's 14).
 */
export function collapseEdges(edges: number): number {
  return Math.ceil((DEGENERATE_NORMAL_MIN / 8) * edges);
}

/** The eigenvalue rose in a pilot row: last fifth over first above CURVATURE_RISE_FACTOR (as `degenerationRow`). */
const rose = (r: PilotRow) => typeof r.eigenvalueRatio === 'number' && r.eigenvalueRatio > CURVATURE_RISE_FACTOR;

const spaceLabel = (space: string) => (space === 'nb201' ? 'NAS-Bench-201' : space === 'darts' ? 'the DARTS space' : space.toUpperCase());
const n = (x: number) => x.toLocaleString('en-US');

/** A setting of the pilot: every column but the name and what came out, so that the seeds of one setting group together. */
function settingOf(r: PilotRow): string {
  return `${spaceLabel(r.space)} at ${n(r.weightSteps)} weight steps (${r.images === '' ? 'all' : n(r.images)} images, ${r.layers} cells, C ${r.C}, ${r.image}, ${r.dataset}, alpha lr ${r.alphaLr})`;
}

/**
 * The pilot's closing sentences (notebook 01, REPORT section 1): per setting, over its seeds, how
 * many cells collapsed (with `none` counted and in the genotype), how many searches' eigenvalue
 * rose and by how much, and the test errors where given; then, per space, the cheapest setting
 * where in every seed the cell collapsed (`none` counted) and the eigenvalue rose: the fewest
 * weight steps, then the smallest model (cells x channels), then the fewest images.
 */
export function pilotFindings(rows: readonly PilotRow[]): string[] {
  if (rows.length === 0) return ['No pilot search has finished yet (results/pilot/README.md names the commands).'];
  const settings = new Map<string, PilotRow[]>();
  for (const r of rows) settings.set(settingOf(r), [...(settings.get(settingOf(r)) ?? []), r]);
  const lines: string[] = [];
  // Per space, the settings where both show in every seed: a row of the setting and its seeds.
  const both = new Map<string, { readonly row: PilotRow; readonly seeds: number }[]>();
  for (const [setting, of] of settings) {
    const k = of.length;
    const collapsedWithNone = of.filter((r) => pilotCollapse(r).withNone).length;
    const collapsedGenotype = of.filter((r) => pilotCollapse(r).genotype).length;
    const risen = of.filter(rose).length;
    const edges = of.map((r) => `${r.edgesParameterFree}`).join(', ');
    const ratios = of.map((r) => (typeof r.eigenvalueRatio === 'number' ? `x${r.eigenvalueRatio.toFixed(2)}` : 'not measured')).join(', ');
    const errors = of.filter((r) => typeof r.testErrorPct === 'number').map((r) => (r.testErrorPct as number).toFixed(2));
    const cell =
      of[0].space === 'nb201'
        ? `the cell collapsed in ${collapsedWithNone} of ${k} (parameter-free edges ${edges} of 6)`
        : `the cell collapsed in ${collapsedWithNone} of ${k} with \`none\` counted (parameter-free edges ${edges} of ${of[0].edges}) ` +
          `and in ${collapsedGenotype} of ${k} in the genotype (parameter-free ops ${of.map((r) => r.genotypeParameterFree).join(', ')} of 8)`;
    lines.push(
      `${setting}, ${k} seed${k === 1 ? '' : 's'}: ${cell}; the eigenvalue rose (above ${CURVATURE_RISE_FACTOR}x) in ${risen} of ${k} (${ratios})` +
        (errors.length > 0 ? `; test error ${errors.join(', ')} %` : '') +
        '.',
    );
    if (collapsedWithNone === k && risen === k) both.set(of[0].space, [...(both.get(of[0].space) ?? []), { row: of[0], seeds: k }]);
  }
  const cost = (r: PilotRow) => [r.weightSteps, r.layers * r.C, r.images === '' ? Infinity : r.images];
  const cheaper = (a: { row: PilotRow }, b: { row: PilotRow }) => {
    const [x, y] = [cost(a.row), cost(b.row)];
    const i = x.findIndex((v, j) => v !== y[j]);
    return i < 0 ? 0 : x[i] - y[i];
  };
  for (const space of [...new Set(rows.map((r) => r.space))]) {
    const found = (both.get(space) ?? []).sort(cheaper)[0];
    lines.push(
      found
        ? `${spaceLabel(space)}: the cheapest setting where the cell collapsed (\`none\` counted) and the eigenvalue rose in every seed: ` +
            // One seed is named as such: a setting that decides the main grid should rest on more.
            `${settingOf(found.row)}, ${found.seeds === 1 ? '1 seed only' : `${found.seeds} seeds`}.`
        : `${spaceLabel(space)}: no setting of the pilot so far where the cell collapsed (\`none\` counted) and the eigenvalue rose in every seed.`,
    );
  }
  return lines;
}

/**
 * The signature figure of a NAS-Bench-201 search (docs/method.md §8), for notebook 06: per epoch,
 * the benchmark's CIFAR-10 test error of the cell after the epoch beside the dominant eigenvalue of
 * the alpha Hessian, the curves that Zela et al. (2020, Section 4) draw for S1-S4 to show the
 * eigenvalue rising as the found architecture gets worse (docs/method.md §3). On NAS-Bench-201 the
 * error of every epoch's cell is an exact table lookup, so the whole error curve comes free. Marked
 * on it: what DARTS-ES would have returned (the code's rule replayed on the stored eigenvalues,
 * docs/method.md §4) and where the search collapsed. One panel per run, so that DARTS seeds and a
 * regularised run can be read side by side on common axes. Pure functions of the records.
 */
import * as fs from 'fs';
import * as path from 'path';
import { codeRule, type EarlyStopRule } from '../control/early_stop';
import { resultsDir } from '../paths';
import { NB201_CONFIG_CODEC, NB201_PAPER, type Nb201Config } from '../problems/nb201/config';
import { METHODS, withAlphaWarmup } from './labels';
import type { Nb201ArchitectureRecord } from '../problems/nb201/problem';
import { readRun, readRunProblem, RUN_FILES, type StoredRun } from '../runs/run_read';
import { distinguishingFields } from '../runs/run_names';
import type { Blank } from './failure';
import type { Figure } from './figures';
import { NB201_COLLAPSE_EDGES, nb201CollapseEpoch, nb201EarlyStop, nb201Trajectory, type Nb201TrajectoryRow } from './nb201_trajectory';

/** A stored NAS-Bench-201 run. */
export type StoredNb201Run = StoredRun<Nb201Config, Nb201ArchitectureRecord>;

/** The parts of a stored NAS-Bench-201 run read here. */
export type Nb201SignatureRun = Pick<StoredNb201Run, 'runId' | 'config' | 'epochs'>;

/** A run with the name its panel and table row carry. */
export interface NamedNb201Run {
  readonly name: string;
  readonly run: Nb201SignatureRun;
}

/** Everything the figure and the table read from one run, computed once (one implementation of each idea). */
interface Signature {
  readonly rows: Nb201TrajectoryRow[];
  readonly rule: EarlyStopRule;
  readonly stop: ReturnType<typeof nb201EarlyStop>;
  readonly collapse: number | null;
}

function signature(run: Nb201SignatureRun): Signature {
  const rows = nb201Trajectory(run);
  // The code's rule at the run's own evaluation interval (docs/method.md §4: its windows count evaluations).
  const rule = codeRule({ evalEvery: run.config.hessian.evalEvery });
  return {
    rows,
    rule,
    stop: nb201EarlyStop(rows, rule, run.config.epochs),
    collapse: nb201CollapseEpoch(rows, NB201_COLLAPSE_EDGES, run.config.alphaWarmupEpochs ?? 0),
  };
}

/** The benchmark's CIFAR-10 test error (%) of a row's cell. */
const errorPct = (r: Nb201TrajectoryRow) => 100 - r.cifar10;

const mean = (values: readonly number[]): number | Blank => (values.length === 0 ? '' : values.reduce((a, b) => a + b, 0) / values.length);

/** One run's numbers behind the signature figure. Blank ('') where a value does not exist. */
export interface Nb201SignatureRow {
  readonly name: string;
  /** The method the run's config makes (`nb201Method`), e.g. DARTS, R-DARTS(L2) 0.0081, DARTS-ADA. */
  readonly method: string;
  readonly runId: string;
  readonly seed: number;
  /** Epochs stored (of config.epochs planned). */
  readonly epochs: number;
  /** Test error (%) of the last stored epoch's cell: what DARTS returns. */
  readonly finalErrorPct: number | Blank;
  /** The lowest test error (%) over the epochs' cells, and the first epoch with it. */
  readonly bestErrorPct: number | Blank;
  readonly bestEpoch: number | Blank;
  /** The DARTS-ES rule replayed (`esRule`: the code's, at the run's evaluation interval). */
  readonly esRule: string;
  /** The epoch the rule fires at, the epoch whose cell it returns, and that cell's test error (%); blank: no stop. */
  readonly esDecisionEpoch: number | Blank;
  readonly esEpoch: number | Blank;
  readonly esErrorPct: number | Blank;
  /** The first epoch from which every cell has 4 or more parameter-free edges (`nb201CollapseEpoch`); blank: none. */
  readonly collapseEpoch: number | Blank;
  /** Mean of the dominant eigenvalues measured at epochs 0 to 2 (docs/method.md §3 compares the start of a search). */
  readonly eigenvalueEpochs0to2: number | Blank;
  /** Mean of those measured over the last 10 stored epochs. */
  readonly eigenvalueLast10: number | Blank;
}

/**
 * The method a NAS-Bench-201 config makes (docs/method.md §4): DARTS-ADA when its controller adapts
 * the L2, R-DARTS(L2) with its strength when the L2 differs from the recipe's 5e-4, else DARTS.
 */
export function nb201Method(config: Nb201Config): string {
  const l2 = config.regularization.l2;
  const method =
    config.earlyStop === 'adaptive' ? METHODS.ada : l2 !== NB201_PAPER.regularization.l2 ? `${METHODS.l2} ${l2}` : METHODS.darts;
  return withAlphaWarmup(method, config);
}

/** The summary row of each run (for `aq.from`, showTable and saveTable), in the runs' order. */
export function nb201SignatureTable(runs: readonly NamedNb201Run[]): Nb201SignatureRow[] {
  return runs.map(({ name, run }) => {
    const { rows, rule, stop, collapse } = signature(run);
    const last = rows[rows.length - 1];
    // The first epoch of the lowest error (reduce keeps the earlier row on ties).
    const best = rows.length === 0 ? undefined : rows.reduce((a, b) => (errorPct(b) < errorPct(a) ? b : a));
    const measured = rows.filter((r) => r.eigenvalue !== null);
    const eigenvalues = (from: number, to: number) =>
      measured.filter((r) => r.epoch >= from && r.epoch <= to).map((r) => r.eigenvalue as number);
    return {
      name,
      method: nb201Method(run.config),
      runId: run.runId,
      seed: run.config.seed,
      epochs: rows.length,
      finalErrorPct: last ? errorPct(last) : '',
      bestErrorPct: best ? errorPct(best) : '',
      bestEpoch: best ? best.epoch : '',
      esRule: rule.name,
      esDecisionEpoch: stop ? stop.decisionEpoch : '',
      esEpoch: stop ? stop.row.epoch : '',
      esErrorPct: stop ? errorPct(stop.row) : '',
      collapseEpoch: collapse ?? '',
      eigenvalueEpochs0to2: mean(eigenvalues(0, 2)),
      eigenvalueLast10: last ? mean(eigenvalues(last.epoch - 9, last.epoch)) : '',
    };
  });
}

/** The roles of the figure's traces (`meta.role`), each one legend entry. */
export type Nb201SignatureRole = 'error' | 'eigenvalue' | 'esDecision' | 'esReturned' | 'collapse';

const STYLE: Record<Nb201SignatureRole, { name: string; color: string }> = {
  error: { name: 'test error of the cell after the epoch (%, CIFAR-10, NAS-Bench-201 table; left axis)', color: '#1c7ed6' },
  eigenvalue: { name: 'dominant eigenvalue of ∇²_α L_valid (right axis; measured epochs)', color: '#e8590c' },
  esDecision: { name: "DARTS-ES decision (the code's rule, replayed)", color: '#212529' },
  esReturned: { name: 'the cell DARTS-ES returns', color: '#212529' },
  collapse: { name: 'collapse: 4 or more of 6 edges parameter-free from here on', color: '#868e96' },
};

/** Options of `nb201SignatureFigure`. */
export interface Nb201SignatureFigureOptions {
  /** The figure's title. */
  readonly title?: string;
  /** Pixels per panel (default 240). */
  readonly panelHeight?: number;
}

/** Pixels between panels (their titles sit there), and the figure's margins. */
const GAP_PX = 56;
const TOP_PX = 70;
const BOTTOM_PX = 150;

/**
 * One panel per run, stacked, on common axes: the test error (%) of each epoch's cell (left, log
 * scale: one cell of chance accuracy would flatten a linear one) and the dominant eigenvalue at the
 * measured epochs (right, linear from 0), the DARTS-ES decision marked × on the eigenvalue curve and
 * the cell it returns ○ on the error curve, and the collapse epoch as a dashed vertical line. Panel
 * titles are the runs' names. Each trace carries `meta: { panel, role }`; a role appears once in the
 * legend. No width is set: plotly fills the container (notebook or page), and the PNG is rendered
 * at png.ts's default width.
 */
export function nb201SignatureFigure(runs: readonly NamedNb201Run[], options: Nb201SignatureFigureOptions = {}): Figure {
  if (runs.length === 0) throw new Error('nb201SignatureFigure: no runs to draw');
  const sigs = runs.map(({ run }) => signature(run));
  const errors = sigs.flatMap((s) => s.rows.map(errorPct)).filter((v) => v > 0);
  const eigenvalues = sigs.flatMap((s) => s.rows.flatMap((r) => (r.eigenvalue === null ? [] : [r.eigenvalue])));
  // Common ranges, so that panels compare by eye: the error on log10, the eigenvalue from 0.
  const errorRange = errors.length === 0 ? [0, 2] : [Math.log10(Math.min(...errors)) - 0.05, Math.log10(Math.max(...errors)) + 0.05];
  const [errorLow, errorHigh] = errorRange.map((v) => 10 ** v);
  // A tick at each of these within the range, the finer set where it gives no more than 8 ticks.
  const ticksIn = (values: number[]) => values.filter((v) => v >= errorLow && v <= errorHigh);
  const fineTicks = ticksIn([1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 30, 40, 50, 70, 100]);
  const errorTicks = fineTicks.length <= 8 ? fineTicks : ticksIn([1, 2, 5, 10, 20, 50, 100]);
  const eigenTop = eigenvalues.length === 0 ? 1 : Math.max(...eigenvalues, 0) * 1.08;
  const epochs = Math.max(1, ...runs.map(({ run }) => run.config.epochs));

  const panelPx = options.panelHeight ?? 240;
  const n = runs.length;
  const plotPx = n * panelPx + (n - 1) * GAP_PX;
  const gap = GAP_PX / plotPx;
  const share = (1 - gap * (n - 1)) / n;

  const data: object[] = [];
  const layout: Record<string, unknown> = {};
  const annotations: object[] = [];
  const inLegend = new Set<Nb201SignatureRole>();
  const trace = (panel: number, role: Nb201SignatureRole, axis: 'error' | 'eigenvalue', fields: object) => {
    const first = !inLegend.has(role);
    inLegend.add(role);
    const x = panel === 0 ? 'x' : `x${panel + 1}`;
    const y = axis === 'error' ? `y${2 * panel + 1 === 1 ? '' : 2 * panel + 1}` : `y${2 * panel + 2}`;
    data.push({
      type: 'scatter',
      name: STYLE[role].name,
      legendgroup: role,
      showlegend: first,
      xaxis: x,
      yaxis: y,
      meta: { panel, role },
      ...fields,
    });
  };

  runs.forEach(({ name, run }, i) => {
    const { rows, rule, stop, collapse } = sigs[i];
    // Panel i from the top: its domain, its x axis and its two y axes (error yN, eigenvalue yN+1).
    const top = 1 - i * (share + gap);
    const domain = [Math.max(0, top - share), top];
    const [xKey, yKey, y2Key] = [i === 0 ? 'xaxis' : `xaxis${i + 1}`, `yaxis${2 * i + 1 === 1 ? '' : 2 * i + 1}`, `yaxis${2 * i + 2}`];
    const [xId, yId] = [i === 0 ? 'x' : `x${i + 1}`, `y${2 * i + 1 === 1 ? '' : 2 * i + 1}`];
    layout[xKey] = {
      anchor: yId,
      domain: [0, 1],
      range: [-0.5, epochs - 0.5],
      tick0: 0,
      dtick: Math.max(1, Math.ceil(epochs / 10)),
      ...(i === 0 ? {} : { matches: 'x' }),
      ...(i === n - 1 ? { title: { text: 'search epoch (0-based)', standoff: 8 }, automargin: true } : {}),
    };
    layout[yKey] = {
      anchor: xId,
      domain,
      type: 'log',
      range: errorRange,
      // Whole percentages as labels: plotly's own log ticks label 20 and 50 as "2" and "5".
      tickvals: errorTicks,
      ticktext: errorTicks.map(String),
      title: { text: 'test error (%)', font: { color: STYLE.error.color } },
    };
    layout[y2Key] = {
      anchor: xId,
      overlaying: yId,
      side: 'right',
      domain,
      range: [0, eigenTop],
      // Its own ticks, not ones synced to the (log) error axis's grid.
      tickmode: 'auto',
      showgrid: false,
      zeroline: false,
      title: { text: 'eigenvalue', font: { color: STYLE.eigenvalue.color } },
    };

    trace(i, 'error', 'error', {
      mode: 'lines+markers',
      x: rows.map((r) => r.epoch),
      y: rows.map(errorPct),
      customdata: rows.map((r) => r.cell),
      hovertemplate: 'epoch %{x}: %{y:.2f}% error<br>%{customdata}<extra></extra>',
      line: { color: STYLE.error.color, width: 1.5 },
      marker: { size: 4, color: STYLE.error.color },
    });
    const measured = rows.filter((r) => r.eigenvalue !== null);
    trace(i, 'eigenvalue', 'eigenvalue', {
      mode: 'lines+markers',
      x: measured.map((r) => r.epoch),
      y: measured.map((r) => r.eigenvalue),
      hovertemplate: 'epoch %{x}: eigenvalue %{y:.3f}<extra></extra>',
      line: { color: STYLE.eigenvalue.color, width: 1.5 },
      marker: { size: 5, color: STYLE.eigenvalue.color },
    });
    if (stop) {
      // The decision is taken on eigenvalues, so its × sits on that curve; the returned cell's ○ on the error curve.
      trace(i, 'esDecision', 'eigenvalue', {
        mode: 'markers',
        x: [stop.decisionEpoch],
        y: [rows.find((r) => r.epoch === stop.decisionEpoch)?.eigenvalue ?? null],
        hovertemplate: `DARTS-ES decides at epoch %{x} (ratio ${stop.ratio.toFixed(3)})<extra></extra>`,
        marker: { symbol: 'x-thin-open', size: 14, color: STYLE.esDecision.color, line: { width: 2.5 } },
      });
      trace(i, 'esReturned', 'error', {
        mode: 'markers',
        x: [stop.row.epoch],
        y: [errorPct(stop.row)],
        hovertemplate: 'DARTS-ES returns epoch %{x}: %{y:.2f}% error<extra></extra>',
        marker: { symbol: 'circle-open', size: 14, color: STYLE.esReturned.color, line: { width: 2.5 } },
      });
    }
    if (collapse !== null) {
      trace(i, 'collapse', 'error', {
        mode: 'lines',
        x: [collapse, collapse],
        y: [errorLow, errorHigh],
        hovertemplate: 'collapse from epoch %{x}<extra></extra>',
        line: { color: STYLE.collapse.color, dash: 'dash', width: 1.5 },
      });
    }
    annotations.push({
      text: `<b>${nb201Method(run.config)}: ${name}</b>${stop ? '' : ` · DARTS-ES (${rule.name} rule, decides from epoch ${rule.startEpoch}): no stop`}`,
      xref: 'paper',
      yref: 'paper',
      x: 0,
      y: domain[1],
      xanchor: 'left',
      yanchor: 'bottom',
      showarrow: false,
      font: { size: 12 },
    });
  });

  return {
    data,
    layout: {
      title: { text: options.title ?? 'Searches on NAS-Bench-201: test error and curvature of the cell, epoch by epoch' },
      height: TOP_PX + plotPx + BOTTOM_PX,
      margin: { t: TOP_PX, b: BOTTOM_PX, l: 70, r: 70 },
      // Under the last panel's epoch axis, whatever the figure's height: pinned to the container's bottom.
      legend: { orientation: 'h', x: 0, xanchor: 'left', yref: 'container', y: 0.01, yanchor: 'bottom' },
      annotations,
      ...layout,
    },
  };
}

/** Where the committed NAS-Bench-201 run records live (results/nas-bench-201/README.md). */
export function nb201RunsDir(): string {
  return path.join(resultsDir(), 'nas-bench-201', 'runs');
}

/**
 * Every finished NAS-Bench-201 run under `root` (folders holding DONE), each named by the config
 * fields that set it apart from the others (`distinguishingFields`; the seed always, last), the
 * runId in brackets; sorted by name, so that seeds of one setting sit together.
 */
export function readNb201Runs(root: string = nb201RunsDir()): { name: string; run: StoredNb201Run }[] {
  if (!fs.existsSync(root)) throw new Error(`readNb201Runs: no folder ${root}`);
  const runs = fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(root, e.name, RUN_FILES.done)))
    .map((e) => path.join(root, e.name))
    .filter((dir) => readRunProblem(dir) === 'nb201')
    .map((dir) => readRun<Nb201Config, Nb201ArchitectureRecord>(dir, NB201_CONFIG_CODEC));
  // Absent, stepOrder is the DARTS code's order (lib/problems/nb201/config.ts): named as such.
  const configs = runs.map((r) => ({ ...r.config, stepOrder: r.config.stepOrder ?? 'alpha-first' }));
  const fields = distinguishingFields(configs, ['report', 'seed']);
  return runs
    .map((run, i) => ({ name: `${[...fields[i], `seed=${run.config.seed}`].join(', ')} (${run.runId})`, run }))
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
}

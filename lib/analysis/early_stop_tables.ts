/**
 * DARTS-ES and DARTS-ADA read back from stored runs (docs/method.md §4), for notebook 03: what the rule
 * decided in each run (and why it did not, when it did not), the eigenvalue trajectories as plotly
 * figures, which genotypes DARTS, DARTS-ES and DARTS-ADA return, and other stopping rules replayed
 * over the stored eigenvalue series without searching again. Pure functions of the records; the
 * evaluation of the genotypes is passed in (`esTestErrors`), so this file trains nothing.
 */
import { controllerRule, eigenvalueHistory } from '../control/controller';
import { codeRule, earlyStopDecision, EarlyStopRule, EigenvalueEntry, firstEarlyStop, PAPER_RULE } from '../control/early_stop';
import type { StoredRun } from '../runs/run_read';
import type { Genotype } from '../spaces/genotype';
import type { EvalSource } from '../train/train';
import type { Blank } from './failure';
import type { Figure } from './figures';
import { METHODS } from './labels';

/** The parts of a stored run read here. */
export type EsRun = Pick<StoredRun, 'runId' | 'dir' | 'config' | 'epochs' | 'decisions'>;

/** A run with its name in the experiment plan ('failure-s3', 'ada-s3'). */
export interface NamedRun {
  readonly name: string;
  readonly run: EsRun;
}

/** The ratio of `rule` at each of its decisions over `history` (each prefix in turn), where it can be formed. */
export function ratioSeries(
  history: readonly EigenvalueEntry[],
  rule: EarlyStopRule,
  totalEpochs: number,
): { epoch: number; ratio: number }[] {
  // A factor that every positive ratio crosses makes the rule report its ratio at each decision.
  const always = { ...rule, factor: rule.comparison === 'recentOverPastAbove' ? Number.MIN_VALUE : Number.MAX_VALUE };
  return history.flatMap((_, i) => {
    const d = earlyStopDecision(history.slice(0, i + 1), always, totalEpochs);
    return d.stop ? [{ epoch: d.decisionEpoch, ratio: d.ratio }] : [];
  });
}

/** Why `rule` did not stop a run of `totalEpochs` epochs with eigenvalues `history`: a sentence. */
export function neverFiredReason(history: readonly EigenvalueEntry[], rule: EarlyStopRule, totalEpochs: number): string {
  const decisionEpochs = history.map((h) => h.epoch).filter((e) => e < totalEpochs - 1);
  const last = decisionEpochs[decisionEpochs.length - 1];
  if (last === undefined || last < rule.startEpoch) {
    return (
      `cannot fire before epoch ${rule.startEpoch} (the last decision epoch of this ${totalEpochs}-epoch search is ` +
      `${last ?? 'none'}; none at the last epoch)`
    );
  }
  const ratios = ratioSeries(history, rule, totalEpochs);
  if (ratios.length === 0) return `did not fire: no decision had both averages (epochs ${rule.startEpoch}..${last})`;
  const above = rule.comparison === 'recentOverPastAbove';
  const closest = ratios.reduce((a, b) => ((above ? b.ratio > a.ratio : b.ratio < a.ratio) ? b : a));
  return (
    `did not fire: ${above ? 'largest recent/past' : 'smallest past/recent'} ratio ${closest.ratio.toFixed(3)} ` +
    `(epoch ${closest.epoch}) ${above ? '<=' : '>='} ${rule.factor}`
  );
}

/** What the run's own rule did: its first firing (the DARTS-ES result), or why it never fired. */
export interface EsOutcome {
  readonly rule: EarlyStopRule;
  readonly fired: boolean;
  readonly decisionEpoch: number | null;
  readonly stopEpoch: number | null;
  readonly ratio: number | null;
  /** The DARTS-ES genotype: of the stop epoch, or the last epoch's when the rule never fired. */
  readonly genotype: Genotype;
  /** The epoch of `genotype`. */
  readonly epoch: number;
  /** Why the rule never fired (`neverFiredReason`); null when it fired. */
  readonly reason: string | null;
  readonly note: string;
}

/** The DARTS-ES outcome of a run (its first decision), from its records. Throws on a run without epochs. */
export function esOutcome(run: EsRun): EsOutcome {
  const rule = controllerRule(run.config);
  const last = run.epochs[run.epochs.length - 1];
  if (!last) throw new Error(`esOutcome: run ${run.runId} has no epochs`);
  const d = run.decisions[0];
  if (d) {
    return {
      rule,
      fired: true,
      decisionEpoch: d.decisionEpoch,
      stopEpoch: d.stopEpoch,
      ratio: d.ratio,
      genotype: d.genotype,
      epoch: d.stopEpoch,
      reason: null,
      note: `fired at epoch ${d.decisionEpoch} (ratio ${d.ratio.toFixed(3)}): genotype of epoch ${d.stopEpoch}`,
    };
  }
  const why = neverFiredReason(eigenvalueHistory(run.epochs), rule, run.config.epochs);
  return {
    rule,
    fired: false,
    decisionEpoch: null,
    stopEpoch: null,
    ratio: null,
    genotype: last.genotype,
    epoch: last.epoch,
    reason: why,
    note: `final genotype: the rule ${why}`,
  };
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2'];
const BELOW = { orientation: 'h', x: 0, y: -0.18, yanchor: 'top' };
const note = (text: string, x: number, y: number, xref = 'paper') => ({
  xref,
  yref: 'paper',
  x,
  y,
  xanchor: 'left',
  xshift: xref === 'x' ? 4 : 0,
  showarrow: false,
  font: { size: 11 },
  text,
});
const valueAt = (history: readonly EigenvalueEntry[], epoch: number) => history.find((h) => h.epoch === epoch)?.dominantEigenvalue;

/** A plotly line of an eigenvalue series. */
const line = (name: string, h: readonly EigenvalueEntry[], style: object, more: object = {}) => ({
  type: 'scatter',
  mode: 'lines+markers',
  name,
  x: h.map((e) => e.epoch),
  y: h.map((e) => e.dominantEigenvalue),
  line: style,
  ...more,
});

/** One marker at (x, y); with x and y null it is drawn nowhere and serves as a legend entry. */
const marker = (name: string, x: number | null, y: number | null, symbol: string, color: string, more: object = {}) => ({
  type: 'scatter',
  mode: 'markers',
  name,
  x: [x],
  y: [y],
  marker: { symbol, size: 13, color, line: { width: 2 } },
  ...more,
});

/** Epochs on x, a whole number of epochs between ticks. */
const epochAxis = (epochs: number) => ({
  title: { text: 'search epoch (0-based)' },
  tick0: 0,
  dtick: Math.max(1, Math.ceil(epochs / 10)),
  range: [-0.5, epochs - 0.5],
});

/** A log axis for the eigenvalues of `data`'s first-axis traces: ticks 1, 2, 5 per decade over a wide range, else plotly's own. */
function eigenAxis(data: readonly object[]) {
  const ys = data.filter((t) => !('yaxis' in t)).flatMap((t) => (t as { y: (number | null)[] }).y);
  const positive = ys.filter((v): v is number => typeof v === 'number' && v > 0);
  const wide = positive.length > 0 && Math.max(...positive) / Math.min(...positive) > 3;
  return {
    title: { text: 'dominant eigenvalue of ∇²_α L_valid (dimensionless, log scale)' },
    type: 'log',
    tickformat: '.2g',
    ...(wide ? { dtick: 'D2' } : {}),
  };
}

/**
 * The magnitudes of the dominant eigenvalue in the original code's own logs (docs/method.md §3: S1,
 * CIFAR-10): plain DARTS about 0.15 to 0.18 at epoch 0, 0.4 to 1.3 late in the search; with an L2
 * factor of 8.1e-3 or more it stays about 0.1 to 0.3.
 */
export const PAPER_CODE_EIGENVALUES = Object.freeze({
  first: [0.15, 0.18] as const,
  late: [0.4, 1.3] as const,
  strongL2: Object.freeze({ from: 8.1e-3, range: [0.1, 0.3] as const }),
});

/** An L2 factor as a short number: 0.0029999999999999996 -> 3e-3. */
export const formatL2 = (v: number) => (v === 0 ? '0' : Number(v.toPrecision(3)).toExponential());

/**
 * The reference band of PAPER_CODE_EIGENVALUES over a search of `epochs`: the first range over the
 * first two measurements (epochs 0 to 2), the late one over the last fifth of the search.
 */
function paperBand(epochs: number): object {
  const [a, b] = PAPER_CODE_EIGENVALUES.first;
  const [c, d] = PAPER_CODE_EIGENVALUES.late;
  const late = Math.floor(0.8 * (epochs - 1));
  return {
    type: 'scatter',
    mode: 'lines',
    fill: 'toself',
    fillcolor: 'rgba(120,120,120,0.15)',
    line: { width: 0 },
    hoverinfo: 'name',
    name: `the original code's logs (S1, CIFAR-10): ${a}-${b} at the start, ${c}-${d} late`,
    x: [0, 2, 2, 0, 0, null, late, epochs - 1, epochs - 1, late, late],
    y: [a, a, b, b, a, null, c, c, d, d, c],
  };
}

/**
 * Dominant eigenvalue against epoch, one line per run, each run's DARTS-ES decision and stop epoch
 * marked, beside the magnitudes of the original code's logs (PAPER_CODE_EIGENVALUES).
 */
export function eigenvalueTrajectoryFigure(runs: readonly NamedRun[]): Figure {
  const data: object[] = [paperBand(Math.max(1, ...runs.map((r) => r.run.config.epochs)))];
  const silent: string[] = [];
  runs.forEach(({ name, run }, k) => {
    const color = COLORS[k % COLORS.length];
    const h = eigenvalueHistory(run.epochs);
    data.push(line(name, h, { color }, { legendgroup: name }));
    const o = esOutcome(run);
    if (!o.fired) return silent.push(name);
    for (const [epoch, symbol] of [
      [o.decisionEpoch as number, 'x'],
      [o.stopEpoch as number, 'circle-open'],
    ] as const) {
      const y = valueAt(h, epoch);
      if (y !== undefined) data.push(marker(name, epoch, y, symbol, color, { legendgroup: name, showlegend: false }));
    }
  });
  data.push(
    marker('DARTS-ES decision epoch', null, null, 'x', '#333'),
    marker('DARTS-ES stop epoch (genotype returned)', null, null, 'circle-open', '#333'),
  );
  const rule = runs.length > 0 ? esOutcome(runs[0].run).rule : undefined;
  const annotations =
    silent.length === 0 || !rule
      ? []
      : [
          note(
            `no DARTS-ES decision in ${silent.length} of ${runs.length} runs (${rule.name} rule decides from epoch ${rule.startEpoch})`,
            0,
            1.08,
          ),
        ];
  return {
    data,
    layout: {
      title: { text: 'Dominant eigenvalue of the alpha Hessian during DARTS, per search space' },
      xaxis: epochAxis(Math.max(1, ...runs.map((r) => r.run.config.epochs))),
      yaxis: eigenAxis(data),
      legend: BELOW,
      annotations,
      margin: { t: 90 },
    },
  };
}

/** The L2 factors DARTS-ADA can reach from `config`: l2 x l2Factor^k up to maxL2 (positive ones; at most 8). */
function l2Levels(config: EsRun['config']): number[] {
  const {
    controller: c,
    regularization: { l2 },
  } = config;
  const levels = [l2];
  while (levels[levels.length - 1] < c.maxL2 * (1 - 1e-9) && levels.length < 8) {
    levels.push(Math.min(levels[levels.length - 1] * c.l2Factor, c.maxL2));
  }
  return levels.filter((v) => v > 0);
}

/**
 * DARTS-ADA's run: the kept eigenvalue trajectory, each discarded segment (decisions[].discarded,
 * from the stop epoch on) dashed with its rollback marked, and the weights' L2 factor per epoch on
 * a second axis.
 */
export function adaFigure({ name, run }: NamedRun): Figure {
  const h = eigenvalueHistory(run.epochs);
  const data: object[] = [line(`${name}: kept epochs`, h, { color: COLORS[0] })];
  const shapes: object[] = [];
  const annotations: object[] = [];
  const rollbacks = run.decisions.filter((d) => d.action === 'rollback');
  rollbacks.forEach((d, k) => {
    const gone = eigenvalueHistory(d.discarded ?? []);
    const anchor = valueAt(h, d.stopEpoch);
    const segment = [...(anchor === undefined ? [] : [{ epoch: d.stopEpoch, dominantEigenvalue: anchor }]), ...gone];
    data.push(
      line(`discarded by rollback ${k + 1} (L2 ${formatL2(d.l2.before)})`, segment, {
        color: COLORS[(3 + k) % COLORS.length],
        dash: 'dash',
      }),
    );
    const atDecision = valueAt(gone, d.decisionEpoch);
    if (atDecision !== undefined) data.push(marker('rollback decision', d.decisionEpoch, atDecision, 'x', '#333', { showlegend: k === 0 }));
    shapes.push({
      type: 'line',
      xref: 'x',
      yref: 'paper',
      x0: d.stopEpoch,
      x1: d.stopEpoch,
      y0: 0,
      y1: 1,
      line: { dash: 'dot', color: '#888' },
    });
    const text = `rollback ${k + 1}: epoch ${d.decisionEpoch} → ${d.stopEpoch}, L2 ${formatL2(d.l2.before)} → ${formatL2(d.l2.after)}`;
    annotations.push(note(text, d.stopEpoch, 1.02 + 0.05 * k, 'x'));
  });
  if (rollbacks.length === 0) annotations.push(note(`no rollback: the rule ${esOutcome(run).reason}`, 0, 1.06));
  const l2 = run.epochs.filter((r) => r.regularization);
  data.push({
    type: 'scatter',
    mode: 'lines',
    name: 'weights L2 factor in effect',
    yaxis: 'y2',
    x: l2.map((r) => r.epoch),
    y: l2.map((r) => r.regularization?.l2),
    line: { shape: 'hv', color: '#2ca02c' },
  });
  const levels = l2Levels(run.config);
  const l2Ticks =
    levels.length === 0
      ? {}
      : { tickvals: levels, tickformat: '.0e', range: [Math.log10(levels[0]) - 0.3, Math.log10(levels[levels.length - 1]) + 0.3] };
  return {
    data,
    layout: {
      title: { text: `DARTS-ADA (${name}): dominant eigenvalue, rollbacks and L2` },
      xaxis: epochAxis(run.config.epochs),
      yaxis: eigenAxis(data),
      yaxis2: {
        title: { text: 'weights L2 factor (log scale)' },
        type: 'log',
        overlaying: 'y',
        side: 'right',
        showgrid: false,
        ...l2Ticks,
      },
      legend: BELOW,
      shapes,
      annotations,
      margin: { t: 100 },
    },
  };
}

/** A genotype to evaluate: which method, from which run and epoch. */
export interface EsCandidate {
  readonly space: string;
  readonly method: typeof METHODS.darts | typeof METHODS.es | typeof METHODS.ada;
  readonly run: string;
  readonly runId: string;
  readonly epoch: number;
  /** Whether DARTS-ES's rule fired (DARTS-ES rows; null on the others). */
  readonly esFired: boolean | null;
  /** Whether the genotype is the DARTS row's of the same space (null on DARTS rows, or without one). */
  readonly sameAsDarts: boolean | null;
  readonly note: string;
  readonly genotype: Genotype;
  /** Where the genotype comes from, for the evaluation's record. */
  readonly source: EvalSource;
}

const finalOf = (run: EsRun) => run.epochs[run.epochs.length - 1];
const sameGenotype = (a: Genotype, b: Genotype) =>
  (['normal', 'normalConcat', 'reduce', 'reduceConcat'] as const).every((k) => JSON.stringify(a[k]) === JSON.stringify(b[k]));

/** DARTS (final genotype) and DARTS-ES (first decision's) of every `failure` run; DARTS-ADA's final of each `ada` run. */
export function esCandidates(failure: readonly NamedRun[], ada: readonly NamedRun[] = []): EsCandidate[] {
  const base = ({ name, run }: NamedRun) => ({ space: run.config.space, run: name, runId: run.runId });
  const source = (run: EsRun, epoch: number): EvalSource => ({ kind: 'run', runId: run.runId, dir: run.dir, epoch });
  const dartsOf = (space: string) => failure.find((n) => n.run.config.space === space);
  return [
    ...failure.flatMap((n) => {
      const last = finalOf(n.run);
      const es = esOutcome(n.run);
      return [
        {
          ...base(n),
          method: METHODS.darts,
          epoch: last.epoch,
          esFired: null,
          sameAsDarts: null,
          note: 'final genotype',
          genotype: last.genotype,
          source: source(n.run, last.epoch),
        },
        {
          ...base(n),
          method: METHODS.es,
          epoch: es.epoch,
          esFired: es.fired,
          sameAsDarts: sameGenotype(es.genotype, last.genotype),
          note: es.note,
          genotype: es.genotype,
          source: source(n.run, es.epoch),
        },
      ];
    }),
    ...ada.map((n) => {
      const last = finalOf(n.run);
      const k = n.run.decisions.filter((d) => d.action === 'rollback').length;
      const darts = dartsOf(n.run.config.space);
      return {
        ...base(n),
        method: METHODS.ada,
        epoch: last.epoch,
        esFired: null,
        sameAsDarts: darts ? sameGenotype(last.genotype, finalOf(darts.run).genotype) : null,
        note: `final genotype after ${k} rollback(s)`,
        genotype: last.genotype,
        source: source(n.run, last.epoch),
      };
    }),
  ];
}

/** A candidate with its test error (a fraction), without the genotype and its source: a table row. */
export type EsTestErrorRow = Omit<EsCandidate, 'genotype' | 'source'> & { readonly testError: number };

/** A row of the saved table 03-es-test-error: the test error in % as every other table, blank cells where a flag does not apply. */
export type EsTestErrorTableRow = Omit<EsTestErrorRow, 'testError' | 'esFired' | 'sameAsDarts'> & {
  readonly esFired: boolean | Blank;
  readonly sameAsDarts: boolean | Blank;
  readonly testErrorPct: number;
};

/** `rows` as the notebook saves them (see `EsTestErrorTableRow`). */
export function esTestErrorTable(rows: readonly EsTestErrorRow[]): EsTestErrorTableRow[] {
  return rows.map(({ testError, esFired, sameAsDarts, ...rest }) => ({
    ...rest,
    esFired: esFired ?? '',
    sameAsDarts: sameAsDarts ?? '',
    testErrorPct: 100 * testError,
  }));
}

/** Evaluates each candidate with `evaluate` (e.g. ensureEvaluation's test error), one after another. */
export async function esTestErrors(
  candidates: readonly EsCandidate[],
  evaluate: (c: EsCandidate) => Promise<number>,
): Promise<EsTestErrorRow[]> {
  const rows: EsTestErrorRow[] = [];
  for (const c of candidates) {
    const { genotype: _g, source: _s, ...rest } = c;
    rows.push({ ...rest, testError: await evaluate(c) });
  }
  return rows;
}

/** The rules replayed: the code's (at `evalEvery`), the paper's, other factors, windows and lags, and an early start. */
export function replayRules(evalEvery: number): EarlyStopRule[] {
  return [
    codeRule({ evalEvery }),
    PAPER_RULE,
    ...[1.1, 1.2, 1.5].map((factor) => codeRule({ evalEvery, factor })),
    codeRule({ evalEvery, window: 3 }),
    codeRule({ evalEvery, window: 7 }),
    codeRule({ evalEvery, delta: 2 }),
    codeRule({ evalEvery, window: 3, delta: 2, esStartEpoch: 0 }),
  ];
}

/** Whether and where one rule stops one run, replayed over its stored eigenvalues. */
export interface ReplayRow {
  readonly run: string;
  readonly space: string;
  readonly epochs: number;
  readonly rule: string;
  readonly startEpoch: number;
  readonly fired: boolean;
  readonly decisionEpoch: number | null;
  readonly stopEpoch: number | null;
  readonly ratio: number | null;
  readonly note: string;
}

/** Every rule of `rules(evalEvery)` on every run, in run order then rule order. */
export function replayTable(runs: readonly NamedRun[], rules: (evalEvery: number) => EarlyStopRule[] = replayRules): ReplayRow[] {
  return runs.flatMap(({ name, run }) =>
    rules(run.config.hessian.evalEvery).map((rule): ReplayRow => {
      const h = eigenvalueHistory(run.epochs);
      const d = firstEarlyStop(h, rule, run.config.epochs);
      const common = { run: name, space: run.config.space, epochs: run.config.epochs, rule: rule.name, startEpoch: rule.startEpoch };
      return d.stop
        ? {
            ...common,
            fired: true,
            decisionEpoch: d.decisionEpoch,
            stopEpoch: d.stopEpoch,
            ratio: d.ratio,
            note: `returns the genotype of epoch ${d.stopEpoch}`,
          }
        : {
            ...common,
            fired: false,
            decisionEpoch: null,
            stopEpoch: null,
            ratio: null,
            note: neverFiredReason(h, rule, run.config.epochs),
          };
    }),
  );
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** A few sentences computed from the test-error and replay tables: what DARTS-ES and DARTS-ADA changed. */
export function esSummary(errors: readonly EsTestErrorRow[], replay: readonly ReplayRow[]): string {
  const darts = new Map(errors.filter((r) => r.method === METHODS.darts).map((r) => [r.run, r]));
  const es = errors.filter((r) => r.method === METHODS.es);
  const fired = es.filter((r) => r.esFired);
  const versus = (sign: number) => fired.filter((r) => Math.sign(r.testError - (darts.get(r.run)?.testError ?? NaN)) === sign).length;
  const parts = [
    fired.length === 0
      ? `DARTS-ES fired in none of the ${es.length} searches, so its architectures are DARTS's own.`
      : `DARTS-ES fired in ${fired.length} of ${es.length} searches; against DARTS's architecture, its test error was lower in ` +
        `${versus(-1)}, equal in ${versus(0)} and higher in ${versus(1)} of those ${fired.length} (one evaluation each: read the ` +
        'differences against the seed range of notebook 01).',
  ];
  for (const a of errors.filter((r) => r.method === METHODS.ada)) {
    const d = errors.find((r) => r.method === METHODS.darts && r.space === a.space);
    parts.push(
      `DARTS-ADA on ${a.space.toUpperCase()}: ${pct(a.testError)} test error against DARTS's ${d ? pct(d.testError) : 'n/a'} (${a.note}).`,
    );
  }
  const rules = [...new Set(replay.map((r) => r.rule))];
  const firing = rules.filter((rule) => replay.some((r) => r.rule === rule && r.fired));
  const runs = new Set(replay.map((r) => r.run)).size;
  parts.push(
    firing.length === 0
      ? `None of the ${rules.length} replayed rules stops any of the ${runs} stored series.`
      : `Replayed over the ${runs} stored series, ${firing.length} of ${rules.length} rules stop at least one: ` +
          firing.map((rule) => `${rule} (${replay.filter((r) => r.rule === rule && r.fired).length})`).join(', ') +
          '.',
  );
  return parts.join(' ');
}

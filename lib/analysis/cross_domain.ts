/**
 * The language-modelling part of the cross-domain notebook (docs/method.md §9): one row per search
 * (its method, seed, final cell, curvature, DARTS-ES replayed on its eigenvalues, and the test
 * perplexity of its cell trained from scratch), the eigenvalue figure, and the closing table
 * "does the image-classification finding hold here?", each verdict by the rule written beside it;
 * a comparison of test results counts only where each is `REFERENCE_MARGIN` below its reference
 * (the unigram model of the evaluation's training tokens, stored with each evaluation).
 * The curvature columns, the figure and the findings serve the disparity part too
 * (./cross_domain_disparity.ts).
 */
import { controllerRule, eigenvalueHistory } from '../control/controller';
import { firstEarlyStop } from '../control/early_stop';
import type { PtbConfig } from '../problems/ptb/config';
import type { RecurrentArchitectureRecord } from '../problems/ptb/problem';
import type { LoopConfig } from '../config/search_config';
import type { ArchitectureRecord, EpochRecord } from '../runs/records';
import type { StoredRun } from '../runs/store';
import { withAlphaWarmup } from './labels';
import { formatRecurrentGenotype } from '../spaces/recurrent';
import type { LmEvalFile } from '../train/lm_train';
import type { Figure } from './figure_html';
import { identityNodes } from './recurrent_run';
import { permutationPFloor, permutationPLower, signFlipPFloor, signFlipPLower } from './stats';

export type StoredRecurrentRun = StoredRun<PtbConfig, RecurrentArchitectureRecord>;

/** A search and the evaluation of its final cell (if made). */
export interface CrossDomainEntry {
  readonly name: string;
  readonly run: StoredRecurrentRun;
  readonly evaluation?: LmEvalFile;
}

/**
 * The method a search's loop fields name, against the preset's `base`: DARTS-ADA, DARTS-ES, or
 * R-DARTS(L2) with its factor; undefined where they are DARTS's (a domain may add its own knobs).
 */
export function loopMethod(
  c: Pick<LoopConfig, 'earlyStop' | 'regularization'>,
  base: Pick<LoopConfig, 'regularization'>,
): string | undefined {
  if (c.earlyStop === 'adaptive') return 'DARTS-ADA';
  if (c.earlyStop === 'stop') return 'DARTS-ES';
  if (c.regularization.l2 !== base.regularization.l2) return `R-DARTS(L2) ${c.regularization.l2}`;
  return undefined;
}

/**
 * The method of a language-modelling search: `loopMethod`'s, R-DARTS(dropout) with the dropouts
 * that differ from the preset's (so that two strengths are two methods), or DARTS.
 */
export function lmMethod(c: PtbConfig, base: PtbConfig): string {
  const raised = (Object.keys(c.dropout) as (keyof PtbConfig['dropout'])[])
    .filter((k) => c.dropout[k] !== base.dropout[k])
    .map((k) => `${k} ${c.dropout[k]}`);
  return withAlphaWarmup(loopMethod(c, base) ?? (raised.length > 0 ? `R-DARTS(dropout) ${raised.join(', ')}` : 'DARTS'), c);
}

/** The columns of a search's curvature and its control, in either domain. */
export interface CurvatureColumns {
  readonly epochs: number;
  /** The dominant eigenvalue first and last measured, and their ratio. */
  readonly eigenFirst: number | null;
  readonly eigenLast: number | null;
  readonly eigenRatio: number | null;
  /**
   * DARTS-ES's result: the epoch whose cell it returns. Where the run's controller acted, its first
   * stored decision's stop epoch (DARTS-ADA's first rollback point is the same run's DARTS-ES result,
   * lib/control/controller.ts); otherwise the run's own rule (`controllerRule`) replayed on the
   * eigenvalues. A replay on a DARTS-ADA run's history would read eigenvalues spliced by its rollbacks.
   */
  readonly esEpoch: number | null;
  /** DARTS-ADA: rollbacks taken and the final L2. */
  readonly rollbacks: number;
  readonly l2: number;
}

/** A search's curvature columns (`CurvatureColumns`): its eigenvalues, DARTS-ES replayed on them, DARTS-ADA's rollbacks. */
export function curvatureColumns(
  run: StoredRun<Pick<LoopConfig, 'hessian' | 'epochs' | 'regularization' | 'controller'>, ArchitectureRecord>,
): CurvatureColumns {
  const c = run.config;
  const measured = eigenvalueHistory(run.epochs);
  // The run's own rule (its start epoch and factor included), as its controller would decide.
  const es = measured.length > 0 ? firstEarlyStop(measured, controllerRule(c), c.epochs) : undefined;
  const rollbacks = run.decisions.filter((d) => d.action === 'rollback');
  const [first, last] = [measured[0]?.dominantEigenvalue ?? null, measured[measured.length - 1]?.dominantEigenvalue ?? null];
  return {
    epochs: run.epochs.length,
    eigenFirst: first,
    eigenLast: last,
    eigenRatio: first !== null && last !== null && first > 0 ? last / first : null,
    esEpoch: run.decisions[0]?.stopEpoch ?? (es?.stop ? es.stopEpoch : null),
    rollbacks: rollbacks.length,
    l2: rollbacks.length > 0 ? rollbacks[rollbacks.length - 1].l2.after : c.regularization.l2,
  };
}

export interface CrossDomainRow extends CurvatureColumns {
  readonly name: string;
  readonly method: string;
  readonly seed: number;
  readonly cell: string;
  readonly identityNodes: number;
  readonly searchValidPpl: number;
  /** The final cell trained from scratch: best validation and test perplexity. */
  readonly evalValidPpl: number | null;
  readonly testPpl: number | null;
  /** The unigram and bigram models of the evaluation's training tokens on its test split (lib/problems/ptb/ngram.ts). */
  readonly unigramPpl: number | null;
  readonly bigramPpl: number | null;
}

/** The rows of `entries` (file header); `base` is the preset's config, which names the methods. */
export function crossDomainRows(entries: readonly CrossDomainEntry[], base: PtbConfig): CrossDomainRow[] {
  return entries.map(({ name, run, evaluation }) => {
    const c = run.config;
    const last = run.epochs[run.epochs.length - 1];
    const { epochs, eigenFirst, eigenLast, eigenRatio, esEpoch, rollbacks, l2 } = curvatureColumns(run);
    return {
      name,
      method: lmMethod(c, base),
      seed: c.seed,
      epochs,
      // The run's own result: the final cell, or DARTS-ES's where the run stopped on it.
      cell: formatRecurrentGenotype(run.genotype?.genotype ?? last.genotype),
      identityNodes: identityNodes(run.genotype?.genotype ?? last.genotype),
      eigenFirst,
      eigenLast,
      eigenRatio,
      esEpoch,
      rollbacks,
      l2,
      searchValidPpl: Math.exp(last.valid.loss),
      evalValidPpl: evaluation?.done?.valid.perplexity ?? null,
      testPpl: evaluation?.done?.test.perplexity ?? null,
      unigramPpl: evaluation?.done?.reference?.unigram.test ?? null,
      bigramPpl: evaluation?.done?.reference?.bigram.test ?? null,
    };
  });
}

/** The eigenvalue over each language-modelling search, one trace per run, coloured by method. */
export function crossDomainEigenFigure(entries: readonly CrossDomainEntry[], base: PtbConfig): Figure {
  return eigenFigure(
    entries.map((e) => ({ name: e.name, method: lmMethod(e.run.config, base), seed: e.run.config.seed, epochs: e.run.epochs })),
    'Language modelling: the dominant eigenvalue of the alphas Hessian over the search',
  );
}

/** The eigenvalue over each search of either domain, one trace per run, coloured by its method, seed 0 solid. */
export function eigenFigure(
  traces: readonly {
    readonly name: string;
    readonly method: string;
    readonly seed: number;
    readonly epochs: readonly Pick<EpochRecord<ArchitectureRecord>, 'epoch' | 'hessian'>[];
  }[],
  title: string,
): Figure {
  const methods = [...new Set(traces.map((e) => e.method))];
  const colours = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd'];
  return {
    data: traces.map((e) => {
      const m = e.method;
      const pts = e.epochs.filter((r) => r.hessian);
      return {
        type: 'scatter',
        mode: 'lines+markers',
        name: e.name,
        legendgroup: m,
        x: pts.map((r) => r.epoch),
        y: pts.map((r) => r.hessian!.dominantEigenvalue),
        line: { color: colours[methods.indexOf(m) % colours.length], dash: e.seed === 0 ? 'solid' : 'dot' },
      };
    }),
    layout: {
      title: { text: title },
      xaxis: { title: { text: 'epoch' } },
      yaxis: { title: { text: 'dominant eigenvalue' }, type: 'log' },
      width: 760,
      height: 420,
    },
  };
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const spread = (xs: readonly number[]) => (xs.length > 1 ? Math.max(...xs) - Math.min(...xs) : 0);

/** One line of the closing table. */
export interface FindingRow {
  readonly finding: string;
  readonly rule: string;
  readonly measured: string;
  readonly verdict: 'holds' | 'does not hold' | 'inconclusive' | 'not measured';
}

/** The rule of a claim that must show in every search seed of DARTS (a collapse): `everySeedVerdict`'s. */
export const EVERY_SEED_RULE = everySeedRule('DARTS');

/** EVERY_SEED_RULE over the seeds of `method` (a DARTS variant: the alpha warm-up). */
export function everySeedRule(method: string): string {
  return `in every ${method} seed: holds; in none: does not hold; otherwise inconclusive; needs 2 ${method} seeds`;
}

/** The verdict of EVERY_SEED_RULE: `hits` of `seeds` DARTS seeds showed it. */
export function everySeedVerdict(hits: number, seeds: number): FindingRow['verdict'] {
  if (seeds === 0) return 'not measured';
  if (seeds < 2) return 'inconclusive';
  return hits === seeds ? 'holds' : hits === 0 ? 'does not hold' : 'inconclusive';
}

/**
 * What the findings read of a row: its method and curvature, and its test result (lower is better);
 * `seed`, the search's where known, pairs DARTS-ES (replayed on DARTS's runs) with DARTS search by search.
 */
export type FindingInput = Pick<CurvatureColumns, 'eigenRatio' | 'eigenLast'> & { readonly method: string; readonly seed?: number };

/** The test result the findings compare: its name in the table, how to read it from a row, and its format. */
export interface FindingMetric<R> {
  readonly what: string;
  readonly of: (row: R) => number | null;
  readonly format: (x: number) => string;
  /**
   * What a result must beat to measure the cell at all (a unigram model, a constant prediction):
   * a comparison in which a result is not below it by `REFERENCE_MARGIN` is inconclusive.
   */
  readonly reference?: { readonly what: string; readonly of: (row: R) => number | null };
}

/** How far below its reference (a fraction of it) every compared test result must be for a comparison to count. */
export const REFERENCE_MARGIN = 0.1;

/** The language model's: the test perplexity of the cell trained from scratch. */
export const TEST_PERPLEXITY: FindingMetric<CrossDomainRow> = {
  what: 'test perplexity',
  of: (r) => r.testPpl,
  format: (x) => x.toFixed(2),
  reference: { what: 'the unigram model of the training tokens', of: (r) => r.unigramPpl },
};

/**
 * "Does the image-classification finding hold here?" (file header), from the rows: the means over
 * seeds per method, a difference judged against the spread of DARTS's own seeds (max - min).
 * `metric` is the test result compared (`TEST_PERPLEXITY`, ./cross_domain_disparity.ts `TEST_EPE`).
 */
export function crossDomainFindings<R extends FindingInput>(rows: readonly R[], metric: FindingMetric<R>): FindingRow[] {
  const darts = rows.filter((r) => r.method === 'DARTS');
  const others = [...new Set(rows.map((r) => r.method))].filter((m) => m !== 'DARTS' && m !== 'DARTS-ES');
  const num = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null && Number.isFinite(x));
  const out: FindingRow[] = [];
  const ratios = num(darts.map((r) => r.eigenRatio));
  out.push({
    finding: 'the dominant eigenvalue rises during a DARTS search',
    rule: 'mean over seeds of last / first measured eigenvalue above 1.3 (DARTS-ES factor): holds; below 1: does not hold; needs 2 DARTS seeds',
    measured: ratios.length ? `${mean(ratios).toFixed(2)} over ${ratios.length} seed(s)` : '-',
    verdict:
      ratios.length === 0
        ? 'not measured'
        : ratios.length < 2
          ? 'inconclusive'
          : mean(ratios) > 1.3
            ? 'holds'
            : mean(ratios) < 1
              ? 'does not hold'
              : 'inconclusive',
  });
  /**
   * A method's mean against DARTS's, lower being the finding; judged by DARTS's seed spread, which
   * needs 2 DARTS seeds, and over 2 seeds of the method at least (one search is not a mean). Beside
   * it, not judged: a one-sided permutation p over every seed, where the spread weighs only
   * DARTS's two extremes, with the least p the seeds allow; `diffs` (the method minus DARTS, search
   * by search: DARTS-ES replayed on DARTS's own runs) make it the paired sign-flip test, else the
   * two means' (`permutationPLower`). Not corrected for the number of comparisons.
   */
  const lower = (
    finding: string,
    what: string,
    mine: number[],
    base: number[],
    digits: (x: number) => string,
    diffs?: number[],
  ): FindingRow => {
    const at = (p: number, floor: number) => `${p.toFixed(3)} of at least ${floor.toFixed(3)}`;
    const p = diffs
      ? `; paired sign-flip p ${at(signFlipPLower(diffs), signFlipPFloor(diffs.length))}`
      : mine.length >= 2 && base.length >= 2
        ? `; permutation p ${at(permutationPLower(mine, base), permutationPFloor(mine.length, base.length))}`
        : '';
    const measured =
      mine.length && base.length ? `${digits(mean(mine))} vs ${digits(mean(base))} (spread ${digits(spread(base))}${p})` : '-';
    const rule =
      `mean ${what} below DARTS by more than the spread (max - min) of DARTS's seeds; above by more: does not hold; ` +
      'needs 2 seeds of DARTS and of the method';
    if (!mine.length || !base.length) return { finding, rule, measured, verdict: 'not measured' };
    if (base.length < 2 || mine.length < 2) return { finding, rule, measured, verdict: 'inconclusive' };
    const d = mean(mine) - mean(base);
    return { finding, rule, measured, verdict: d < -spread(base) ? 'holds' : d > spread(base) ? 'does not hold' : 'inconclusive' };
  };
  /** DARTS-ES's results minus DARTS's, seed by seed, where every row of both has a seed and a finite result; else undefined. */
  const replayedDiffs = (method: string, mine: readonly R[], of: (r: R) => number | null): number[] | undefined => {
    if (!method.startsWith('DARTS-ES')) return undefined;
    const finite = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);
    const bySeed = new Map(darts.map((r) => [r.seed, of(r)]));
    if (bySeed.size !== darts.length || darts.some((r) => r.seed === undefined)) return undefined;
    const d = mine.map((r) => {
      const [x, y] = [of(r), bySeed.get(r.seed)];
      return finite(x) && finite(y) ? x - y : NaN;
    });
    return d.length >= 2 && d.length === darts.length && d.every(Number.isFinite) ? d : undefined;
  };
  const dartsEig = num(darts.map((r) => r.eigenLast));
  const dartsTest = num(darts.map((r) => metric.of(r)));
  // A result no better than its reference does not measure the cell: name the first such row.
  const ref = metric.reference;
  const percent = Math.round(REFERENCE_MARGIN * 100);
  const atReference = (rs: readonly R[]): string | undefined => {
    if (!ref) return undefined;
    for (const r of rs) {
      const [x, b] = [metric.of(r), ref.of(r)];
      // As `num`: a result that is not a finite number is not compared.
      if (x === null || !Number.isFinite(x)) continue;
      if (b === null || !Number.isFinite(b)) return `no reference stored for ${r.method}'s ${metric.format(x)}`;
      if (x > (1 - REFERENCE_MARGIN) * b)
        return `${r.method}'s ${metric.format(x)} is not ${percent}% below ${ref.what} (${metric.format(b)})`;
    }
    return undefined;
  };
  for (const m of others) {
    const mine = rows.filter((r) => r.method === m);
    const sig = (x: number) => x.toPrecision(3);
    out.push(lower(`${m} ends with lower curvature than DARTS`, 'last eigenvalue', num(mine.map((r) => r.eigenLast)), dartsEig, sig));
    const test = lower(
      `${m} finds a cell with lower ${metric.what} than DARTS`,
      metric.what,
      num(mine.map((r) => metric.of(r))),
      dartsTest,
      metric.format,
      replayedDiffs(m, mine, metric.of),
    );
    const weak = atReference([...darts, ...mine]);
    const rule = ref ? `${test.rule}; every result ${percent}% below ${ref.what}, else inconclusive` : test.rule;
    out.push(
      weak && test.verdict !== 'not measured'
        ? { ...test, rule, measured: `${test.measured}; ${weak}`, verdict: 'inconclusive' }
        : { ...test, rule },
    );
  }
  return out;
}

/**
 * What reproduced and what did not: the paper's claims (PAPER.md 3, 4, 6), each beside our number
 * and a verdict computed by a stated rule from the tables the notebooks wrote (`<outputs>/tables/*.csv`).
 * Nothing here measures anything: a claim whose table is missing says so. The report puts this
 * table first, so the verdicts can be checked against the sections below it.
 *
 * A test-error difference between two single evaluations counts only beyond the seed spread of
 * DARTS's S3 genotype (`spreadReading`, table 01-seed-spread); inside it the verdict is
 * 'inconclusive', whichever way the difference points.
 */
import * as aq from 'arquero';
import * as fs from 'fs';
import * as path from 'path';
import { dropsByCurvatureHalf, PAPER_EIGENVALUE_ERROR_PEARSON, type DiscretisationRow } from './curvature_vs_error';
import { CURVATURE_RISE_FACTOR, DEGENERATE_NORMAL_MIN } from './degeneration';
import { spreadReading } from './seed_spread';
import { spearman } from './stats';

export type Verdict = 'reproduced' | 'partly' | 'not reproduced' | 'inconclusive' | 'not measured yet';

/** One claim of the paper, our number, the verdict and the rule that gave it. */
export interface ClaimRow {
  readonly claim: string;
  readonly paper: string;
  readonly ours: string;
  readonly verdict: Verdict;
  readonly rule: string;
}

type Row = Record<string, unknown>;
/** A notebook table by name (`01-degeneration`), undefined when it has not been written. */
export type TableReader = (name: string) => Row[] | undefined;

/** Reads `<dir>/<name>.csv` with arquero (numbers and booleans parsed, blank cells null). */
export function csvTables(dir: string): TableReader {
  return (name) => {
    const file = path.join(dir, `${name}.csv`);
    return fs.existsSync(file) ? (aq.fromCSV(fs.readFileSync(file, 'utf8')).objects() as Row[]) : undefined;
  };
}

const num = (v: unknown) => (typeof v === 'number' ? v : NaN);
const f = (v: number, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const signed = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(2)}`;
const upper = (v: unknown) => String(v).toUpperCase();
const missing = (claim: string, paper: string, rule: string, tables: string[]): ClaimRow =>
  ({ claim, paper, ours: `tables ${tables.map((t) => `${t}.csv`).join(', ')} not written yet`, verdict: 'not measured yet', rule });
/** All of a set of yes/no outcomes: reproduced; none: not reproduced; some: partly. */
const share = (hits: number, of: number): Verdict => (of === 0 ? 'not measured yet' : hits === of ? 'reproduced' : hits === 0 ? 'not reproduced' : 'partly');

/** The seed range (max − min test error %, points) of table 01-seed-spread, undefined with fewer than two seeds. */
function seedRange(tables: TableReader): number | undefined {
  const errors = (tables('01-seed-spread') ?? []).map((r) => num(r.testErrorPct)).filter(Number.isFinite);
  return errors.length > 1 ? Math.max(...errors) - Math.min(...errors) : undefined;
}

/** A test-error difference (points) read against the seed range: lower beyond it reproduces a claim of improvement. */
function improvement(delta: number, range: number | undefined): Verdict {
  if (!Number.isFinite(delta)) return 'not measured yet';
  if (range === undefined) return 'inconclusive';
  const reading = spreadReading(delta, range);
  return reading.startsWith('lower') ? 'reproduced' : reading.startsWith('higher') ? 'not reproduced' : 'inconclusive';
}
const rangeText = (range: number | undefined) => (range === undefined ? 'no seed spread yet' : `seed range ${range.toFixed(2)} points`);
const IMPROVEMENT_RULE = 'reproduced when lower than DARTS by more than the seed range of DARTS\'s S3 genotype, not reproduced when higher by ' +
  'more, inconclusive inside it';

function degenerates(tables: TableReader): ClaimRow {
  const claim = 'DARTS degenerates on S1 to S4';
  const paper = 'CIFAR-10: skip connections on almost every edge of S1 to S3, noise on 5 of 8 ops of S4 (PAPER.md 6)';
  const rule = `degenerate: at least ${DEGENERATE_NORMAL_MIN} of the final normal cell's 8 ops parameter-free; reproduced when S1 to S4 all are, partly when some are`;
  const rows = tables('01-degeneration');
  if (!rows) return missing(claim, paper, rule, ['01-degeneration']);
  const paperSpaces = rows.filter((r) => ['s1', 's2', 's3', 's4'].includes(String(r.space)));
  const ours = rows.map((r) => `${upper(r.space)} ${r.normalParameterFree}/8${r.degenerate === 'yes' ? ' (degenerate)' : ''}`).join(', ');
  return { claim, paper, ours, verdict: share(paperSpaces.filter((r) => r.degenerate === 'yes').length, paperSpaces.length), rule };
}

function eigenvalueRises(tables: TableReader): ClaimRow {
  const claim = "DARTS's dominant eigenvalue rises during the search";
  const paper = 'S1, CIFAR-10 (the code\'s logs): about 0.15 to 0.18 at epoch 0, 0.4 to 1.3 late in the search (PAPER.md 3)';
  const rule = `rose: last / first measured eigenvalue above ${CURVATURE_RISE_FACTOR}; reproduced when it rose on every space, partly on some`;
  const rows = tables('01-degeneration');
  if (!rows) return missing(claim, paper, rule, ['01-degeneration']);
  const measured = rows.filter((r) => r.curvatureRose === 'yes' || r.curvatureRose === 'no');
  const ours = measured.map((r) => `${upper(r.space)} ${f(num(r.firstEigenvalue), 3)} → ${f(num(r.lastEigenvalue), 3)} (${f(num(r.eigenvalueRatio))}x)`).join(', ');
  return { claim, paper, ours: ours || 'not measured on any space', verdict: share(measured.filter((r) => r.curvatureRose === 'yes').length, measured.length), rule };
}

function correlation(tables: TableReader): ClaimRow {
  const claim = 'The final eigenvalue predicts the test error';
  const paper = `Pearson ${PAPER_EIGENVALUE_ERROR_PEARSON} over 24 architectures (S1, CIFAR-10; PAPER.md 3)`;
  const rule = 'the 95% bootstrap interval of Pearson\'s r: reproduced when its lower end is above 0, not reproduced when (otherwise) ' +
    `its upper end is below ${PAPER_EIGENVALUE_ERROR_PEARSON}, inconclusive when it includes both 0 and ${PAPER_EIGENVALUE_ERROR_PEARSON}`;
  const rows = tables('02-correlation');
  if (!rows) return missing(claim, paper, rule, ['02-correlation']);
  const stat = (name: string) => rows.find((r) => r.statistic === name);
  const p = stat('pearson');
  const s = stat('spearman');
  const [r, lo, hi] = [num(p?.estimate), num(p?.ciLow), num(p?.ciHigh)];
  const ours = `Pearson ${f(r)} [${f(lo)}, ${f(hi)}], Spearman ${f(num(s?.estimate))} [${f(num(s?.ciLow))}, ${f(num(s?.ciHigh))}], over ${p?.n ?? '?'} searches`;
  const verdict: Verdict = !Number.isFinite(lo) || !Number.isFinite(hi) ? 'not measured yet'
    : lo > 0 ? 'reproduced' : hi < PAPER_EIGENVALUE_ERROR_PEARSON ? 'not reproduced' : 'inconclusive';
  return { claim, paper, ours, verdict, rule };
}

function lowCurvatureSmallDrop(tables: TableReader): ClaimRow {
  const claim = 'Low curvature never leads to a large accuracy drop at discretisation';
  const paper = 'a second-order Taylor argument, no coefficient reported (PAPER.md 3)';
  const rule = 'split the searches at the median final eigenvalue: reproduced when the largest drop of the low half is below the largest of the high half';
  const rows = tables('02-discretisation-drop');
  if (!rows) return missing(claim, paper, rule, ['02-discretisation-drop']);
  const drops = rows.map((r) => ({ ...r, dominantEigenvalue: typeof r.dominantEigenvalue === 'number' ? r.dominantEigenvalue : '' }) as unknown as DiscretisationRow);
  const halves = dropsByCurvatureHalf(drops);
  if (!halves || !halves.lowWorst || !halves.highWorst) return { claim, paper, ours: 'fewer than two searches with a measured eigenvalue', verdict: 'not measured yet', rule };
  const m = drops.filter((d) => typeof d.dominantEigenvalue === 'number');
  const rho = spearman(m.map((d) => d.dominantEigenvalue as number), m.map((d) => d.dropPct));
  const ours = `largest drop ${f(halves.lowWorst.dropPct, 1)} points (${halves.lowWorst.name}) with eigenvalue <= ${f(halves.median, 3)}, ` +
    `${f(halves.highWorst.dropPct, 1)} (${halves.highWorst.name}) above; Spearman (eigenvalue, drop) ${f(rho)}`;
  return { claim, paper, ours, verdict: halves.lowWorst.dropPct < halves.highWorst.dropPct ? 'reproduced' : 'not reproduced', rule };
}

function earlyStopping(tables: TableReader, range: number | undefined): ClaimRow {
  const claim = 'DARTS-ES improves DARTS and never harms it';
  const paper = '"significantly improved DARTS for all settings without ever harming it" (PAPER.md 6)';
  const rule = 'over the searches where the rule fired, each DARTS-ES test error against DARTS\'s, beyond the seed range of DARTS\'s S3 genotype ' +
    'or inside it: reproduced when all are lower beyond it, not reproduced when any is higher beyond it, partly when some are lower beyond ' +
    'it, inconclusive otherwise (or when the rule never fired)';
  const rows = tables('03-es-test-error');
  if (!rows) return missing(claim, paper, rule, ['03-es-test-error']);
  const fired = rows.filter((r) => r.method === 'DARTS-ES' && r.esFired === true);
  if (fired.length === 0) return { claim, paper, ours: 'the rule fired on none of the searches', verdict: 'inconclusive', rule };
  const deltas = fired.map((r) => {
    const darts = rows.find((d) => d.method === 'DARTS' && d.run === r.run);
    return { space: upper(r.space), delta: 100 * (num(r.testError) - num(darts?.testError)), epoch: r.epoch };
  });
  const verdicts = deltas.map((d) => improvement(d.delta, range));
  const verdict: Verdict = verdicts.includes('not reproduced') ? 'not reproduced' : verdicts.every((v) => v === 'reproduced') ? 'reproduced'
    : verdicts.includes('reproduced') ? 'partly' : 'inconclusive';
  const ours = `fired on ${fired.length} of ${rows.filter((r) => r.method === 'DARTS-ES').length} searches; test error vs DARTS: ` +
    `${deltas.map((d) => `${d.space} ${signed(d.delta)} points (genotype of epoch ${d.epoch})`).join(', ')}; ${rangeText(range)}`;
  return { claim, paper, ours, verdict, rule };
}

function versusDarts(claim: string, paper: string, ours: { method: string; error: number; darts: number } | undefined,
  source: { table: string; written: boolean; method: string }, range: number | undefined): ClaimRow {
  if (!ours && !source.written) return missing(claim, paper, IMPROVEMENT_RULE, [source.table]);
  if (!ours) {
    return { claim, paper, rule: IMPROVEMENT_RULE, verdict: 'not measured yet', ours: `${source.table}.csv has no ${source.method} or no DARTS row` };
  }
  const delta = ours.error - ours.darts;
  return {
    claim, paper, rule: IMPROVEMENT_RULE, verdict: improvement(delta, range),
    ours: `${ours.method} ${f(ours.error)}% vs DARTS ${f(ours.darts)}% (${signed(delta)} points; ${rangeText(range)})`,
  };
}

function ada(tables: TableReader, range: number | undefined): ClaimRow {
  const rows = tables('03-es-test-error');
  const a = rows?.find((r) => r.method === 'DARTS-ADA');
  const d = a && rows?.find((r) => r.method === 'DARTS' && r.space === a.space);
  return versusDarts(`DARTS-ADA lowers the test error (${a ? upper(a.space) : 'S3'})`,
    'raising L2 when the rule fires makes DARTS robust (PAPER.md 4)',
    a && d ? { method: 'DARTS-ADA', error: 100 * num(a.testError), darts: 100 * num(d.testError) } : undefined,
    { table: '03-es-test-error', written: rows !== undefined, method: 'DARTS-ADA' }, range);
}

function rDarts(tables: TableReader, method: 'R-DARTS(L2)' | 'R-DARTS(DP)', range: number | undefined): ClaimRow {
  const rows = tables('04-methods');
  const m = rows?.find((r) => r.method === method);
  const d = rows?.find((r) => r.method === 'DARTS');
  return versusDarts(`${method} lowers the test error (S3)`,
    'DARTS S3 3.34% on CIFAR-10; the robust variants about 2.5 to 3.6 on S1 to S4 (PAPER.md 6, unverified there)',
    m && d ? { method, error: num(m.testErrorPct), darts: num(d.testErrorPct) } : undefined, { table: '04-methods', written: rows !== undefined, method }, range);
}

function gridLowersCurvature(tables: TableReader, grid: 'l2' | 'dp'): ClaimRow {
  const name = grid === 'l2' ? 'the L2 factor' : "drop path's p (with Cutout)";
  const claim = `More regularisation lowers the final eigenvalue: ${name}`;
  const paper = grid === 'l2' ? 'more inner regularisation, lower curvature; with L2 >= 8.1e-3 it stays about 0.1 to 0.3 (PAPER.md 3, 4)'
    : 'more inner regularisation, lower curvature (PAPER.md 4)';
  const rule = 'reproduced when the strongest setting ends below the weakest and Spearman\'s ρ (strength, eigenvalue) < 0; not reproduced when neither holds; partly otherwise';
  const table = `04-${grid}-grid`;
  const rows = tables(table)?.filter((r) => typeof r.finalEigenvalue === 'number');
  if (!rows) return missing(claim, paper, rule, [table]);
  if (rows.length < 2) return { claim, paper, ours: 'fewer than two settings with a measured eigenvalue', verdict: 'not measured yet', rule };
  const sorted = [...rows].sort((a, b) => num(a.strength) - num(b.strength));
  const rho = spearman(sorted.map((r) => num(r.strength)), sorted.map((r) => num(r.finalEigenvalue)));
  const falls = num(sorted[sorted.length - 1].finalEigenvalue) < num(sorted[0].finalEigenvalue);
  const ours = `${sorted.map((r) => `${r.strength}: ${f(num(r.finalEigenvalue), 3)}`).join(', ')}; Spearman ${f(rho)}`;
  return { claim, paper, ours, verdict: falls && rho < 0 ? 'reproduced' : !falls && !(rho < 0) ? 'not reproduced' : 'partly', rule };
}

/** Every claim, in the report's order. */
export function claimRows(tables: TableReader): ClaimRow[] {
  const range = seedRange(tables);
  return [
    degenerates(tables), eigenvalueRises(tables), correlation(tables), lowCurvatureSmallDrop(tables),
    earlyStopping(tables, range), ada(tables, range),
    gridLowersCurvature(tables, 'l2'), gridLowersCurvature(tables, 'dp'),
    rDarts(tables, 'R-DARTS(L2)', range), rDarts(tables, 'R-DARTS(DP)', range),
  ];
}

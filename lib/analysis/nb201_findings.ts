/**
 * Notebook 06's closing sentences (the report's section 3), each from the signature table's rows by
 * a rule stated in the sentence, so that a reader can check it against the table beside it:
 * - collapse: the runs with a collapse epoch (`nb201CollapseEpoch`: 4 or more of the 6 edges
 *   parameter-free in every later cell), and how far the final cell's error lies above the best's;
 * - curvature: the mean eigenvalue of the last 10 epochs over that of epochs 0-2, and the runs where
 *   it exceeds 1.3, the factor of the code's DARTS-ES rule (docs/method.md §4);
 * - DARTS-ES: where the replayed rule fires, its cell against the final and the best cell.
 * With runs of more than one method (DARTS, R-DARTS(L2), DARTS-ADA) each method gets its own three
 * sentences, named, in the order the methods first appear.
 */
import type { Nb201SignatureRow } from './nb201_figure';

/** The DARTS-ES factor (docs/method.md §4), reused as "the curvature rose". */
const RISE = 1.3;

const num = (v: number | '') => (v === '' ? undefined : v);
const range = (xs: readonly number[], digits: number) =>
  xs.length === 0 ? '' : `${Math.min(...xs).toFixed(digits)} to ${Math.max(...xs).toFixed(digits)}`;

/** The findings of `rows` (one per run), as sentences; an empty table gives one sentence saying so. */
export function nb201Findings(rows: readonly Nb201SignatureRow[]): string[] {
  const n = rows.length;
  if (n === 0) return ['No finished NAS-Bench-201 run was found: nothing to conclude.'];
  const methods = [...new Set(rows.map((r) => r.method))];
  const perMethod =
    methods.length === 1
      ? methodFindings(rows)
      : methods.flatMap((m) => {
          const of = rows.filter((r) => r.method === m);
          return methodFindings(of).map((line) => `${m} (${of.length} run${of.length === 1 ? '' : 's'}): ${line}`);
        });
  return [
    ...perMethod,
    `These are ${n} searches at one reduced setting (the table names their methods, seeds and step orders); the benchmark's errors are ` +
      "exact, so the spread between seeds is the search's own variation, not evaluation noise.",
  ];
}

/** The three sentences of one method's runs. */
function methodFindings(rows: readonly Nb201SignatureRow[]): string[] {
  const n = rows.length;
  const collapsed = rows.filter((r) => r.collapseEpoch !== '');
  const gap = rows.flatMap((r) => {
    const [f, b] = [num(r.finalErrorPct), num(r.bestErrorPct)];
    return f === undefined || b === undefined ? [] : [f - b];
  });
  const ratios = rows.flatMap((r) => {
    const [s, e] = [num(r.eigenvalueEpochs0to2), num(r.eigenvalueLast10)];
    return s === undefined || e === undefined || s <= 0 ? [] : [e / s];
  });
  const fired = rows.filter((r) => r.esErrorPct !== '');
  const better = fired.filter((r) => (r.esErrorPct as number) < (r.finalErrorPct as number));
  const esGain = fired.map((r) => (r.finalErrorPct as number) - (r.esErrorPct as number));
  const esToBest = fired.map((r) => (r.esErrorPct as number) - (r.bestErrorPct as number));
  return [
    `Collapse: ${collapsed.length} of ${n} runs collapsed (4 or more of the 6 edges parameter-free in every later cell), ` +
      (collapsed.length > 0
        ? `from epoch ${range(
            collapsed.map((r) => r.collapseEpoch as number),
            0,
          )}; `
        : '') +
      `the final cell's test error lies ${range(gap, 2)} points above the best cell's of the same run.`,
    `Curvature: the mean dominant eigenvalue over the last 10 epochs is ${range(ratios, 1)} times its mean over epochs 0-2; ` +
      `above ${RISE} (the factor of the code's DARTS-ES rule) in ${ratios.filter((x) => x > RISE).length} of ${ratios.length} runs.`,
    fired.length === 0
      ? `DARTS-ES (the code's rule, replayed on the stored eigenvalues) fires in none of the ${n} runs.`
      : `DARTS-ES (the code's rule, replayed on the stored eigenvalues) fires in ${fired.length} of ${n} runs; ` +
        `its cell's test error is lower than the final cell's in ${better.length} of them (the final's minus DARTS-ES's: ` +
        `${range(esGain, 2)} points), and lies ${range(esToBest, 2)} points above the run's best cell.`,
  ];
}

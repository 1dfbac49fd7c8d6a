/**
 * results/REPORT.md: the reproduction, assembled from what the notebooks wrote at the
 * report's preset (their tables, closing sentences and figures under results/) and from the run
 * records (the compute it took). Nothing in it is typed by hand: the protocol table comes from the
 * configs, every number from a table or a record, and a section whose tables are missing says so
 * and names the command that writes them. `rdarts report` writes it.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { PresetName } from '../config/preset';
import { resolveConfig, type SearchConfig } from '../config/search_config';
import { canonicalJson } from '../config/validation';
import { DATASETS } from '../data/registry';
import { searchPlan } from '../experiments/plan';
import { compareS3 } from '../experiments/compare';
import { plannedRsWs } from '../experiments/evaluations';
import { experimentRecords, presetTrainConfigs } from '../experiments/records';
import { readBaselineResult } from '../baselines/store';
import { outputsDir, REPORT_PRESET, resultsDir } from '../paths';
import { writeFileAtomic } from '../io/atomic';
import { readRun, runDirFor, runSeconds } from '../runs/store';
import { EVAL_FILE, readEvaluation } from '../train/train';
import { resolveTrainConfig, type TrainConfig } from '../train/train_config';
import { claimRows, csvTables } from './claims';
import { engineAudit } from '../experiments/engine_audit';
import { computeLedger, ledgerTable, processHours } from '../experiments/ledger';
import { BEFORE_FIX_MARK, ENGINE_APPENDIX_TITLE, engineAppendix, engineSection } from './engine_note';
import { mdTable } from '../analysis/markdown';
import { MEANINGFUL_PRESETS, PAPER_EIGENVALUE_ERROR_PEARSON } from '../analysis/curvature_vs_error';
import { PAPER_DARTS_CIFAR10_ERROR } from '../analysis/failure';
import { spreadReading } from '../analysis/seed_spread';
import { METHODS } from '../analysis/labels';

/** The compute budget of the mini grid (searches and evaluations within 8 hours here). */
export const MINI_BUDGET_HOURS = 8;
/** The reproduction's budget: machine-hours of this 2-core machine for its searches and evaluations (REPRODUCTION_FOLDERS). */
export const REPRODUCTION_BUDGET_MACHINE_HOURS = 30;
/**
 * The folders under results/ that hold the reproduction's records (the budget's share of the
 * ledger): the pilot, the main grid on S3 and NAS-Bench-201; the other domains had budgets of their own.
 */
export const REPRODUCTION_FOLDERS: readonly string[] = ['pilot', 's3-main', 'nas-bench-201'];
/** The folders of `rdarts search`, `evaluate` and `baseline` by default (results/README.md). */
const DEFAULT_FOLDERS: readonly string[] = ['runs', 'evals', 'baselines'];

/** One section of the report: the question it answers and what the notebooks wrote for it. */
interface Section {
  readonly title: string;
  readonly question: string;
  readonly notebook: string;
  readonly tables: readonly string[];
  readonly findings?: string;
  readonly figures: readonly string[];
  /** How the records the section reads are made, where not by \`rdarts experiment\` (its README names the rest). */
  readonly records?: string;
}

/** The reproduction at the paper's alpha lr and weight steps: the main text. */
const MAIN_SECTIONS: readonly Section[] = [
  {
    title: '1. Where DARTS collapses at a cost this machine affords: the pilot',
    notebook: '01-failure-analysis',
    question:
      "DARTS with the paper's alpha lr 3e-4, first order, about 50 passes over its data, on the CIFAR-10 JPEG copy " +
      '(results/pilot/README.md): per setting of weight steps, data and model size, the share of parameter-free operations ' +
      "in the final cell (with and without `none`), the dominant eigenvalue's rise (the mean of the last fifth of its " +
      'measurements over the first fifth) and, on ' +
      "NAS-Bench-201, the benchmark's exact test error. NAS-Bench-201's rows at 3,950 weight steps are the DARTS seeds of the " +
      'grid of section 3. The cheapest setting where the collapse and the rise both show decides the main grid (section 2).',
    tables: ['01-pilot'],
    findings: '01-pilot-findings',
    figures: [],
    records: '`rdarts grid results/pilot/grid.json --out results/pilot/runs`, the same for `nb201-grid.json`: results/pilot/README.md',
  },
  {
    title: "2. S3 at the pilot's cheapest collapsing setting: DARTS, DARTS-ADA, R-DARTS(L2) and an alpha warm-up over search seeds",
    notebook: '01-failure-analysis',
    question:
      "The main grid on S3 (results/s3-main/README.md) at the pilot's cheapest setting where the collapse and the rise " +
      "both showed: 1,000 weight steps, 2,560 CIFAR-10 images, the paper's alpha lr 3e-4, 5 cells, C 8. DARTS (the pilot's " +
      'S3 searches at that setting, seeds 0 to 2), DARTS-ADA, R-DARTS(L2) 0.0081 and DARTS with its alphas held for the first ' +
      '10 epochs (docs/method.md §3: does the early collapse outlive a weight warm-up?), 3 search seeds each: per search the ' +
      "final normal cell's edges whose strongest op is parameter-free (`none` counted, as the genotype does not), the " +
      "eigenvalue's first and last measurement, the epoch from which every cell has collapsed, the cell DARTS-ES's rule returns " +
      "and DARTS-ADA's rollbacks; the claims judged over the seeds, each by the rule beside it, against the spread of DARTS's " +
      'own seeds (beside each comparison, not judged and not corrected for their number: a one-sided permutation p over every ' +
      "seed, where the spread weighs DARTS's two extremes, with the least p the seeds allow; for DARTS-ES, replayed on " +
      "DARTS's own runs, the paired sign-flip test), DARTS-ES (replayed on each DARTS run) a method of its own; the figure dates each collapse against the " +
      "eigenvalue, and the last table says which way each op's alphas first move. " +
      'The final genotypes are not trained here (the budget: section 6), so no claim on test error is judged at this setting.',
    tables: ['01-s3-main', '01-s3-main-claims', '01-s3-alpha-drift'],
    figures: ['01-s3-collapse-timing'],
    records: '`rdarts grid results/s3-main/grid.json --out results/s3-main/runs`, DARTS from the pilot: results/s3-main/README.md',
  },
  {
    title: '3. NAS-Bench-201: the claims over search seeds, with exact test errors',
    notebook: '06-nas-bench-201',
    question:
      "DARTS on NAS-Bench-201 (docs/method.md §8: the benchmark's recipe at reduced size, on the CIFAR-10 JPEG copy, with the paper's " +
      "alpha lr 3e-4 and 3,950 weight steps; results/nas-bench-201/README.md): the benchmark's test error of the cell after every " +
      'epoch, exact, beside the dominant eigenvalue, with DARTS-ES replayed on it and the epoch of the collapse; the claims ' +
      'judged over the search seeds of each method, each by the rule beside it (with the permutation p of section 2, not ' +
      'judged), the correlation of the last eigenvalue with ' +
      "the final cell's test error, and where each method's final cells stand among the benchmark's 15,625 cells, beside " +
      "the baselines' cells (docs/method.md §4: RS-ws, picking by the shared weights' validation accuracy, and random search, " +
      "by each sampled cell's validation accuracy after a short training of its own) and a uniformly random cell.",
    tables: ['06-nb201-claims', '06-nb201-correlation', '06-nb201-random', '06-nb201-signature'],
    findings: '06-findings',
    figures: ['06-nb201-signature'],
    records: '`rdarts grid results/nas-bench-201/grid.json`: results/nas-bench-201/README.md',
  },
  {
    title: '4. Another domain: language modelling in the DARTS recurrent cell',
    notebook: '05-cross-domain',
    question:
      "The paper's claim that its findings also hold for language modelling (docs/method.md §9: the DARTS recurrent cell on " +
      'PTB text re-split, at reduced size; results/ptb/README.md): the eigenvalue over each search for DARTS, R-DARTS(L2), ' +
      'R-DARTS(dropout) and DARTS-ADA, DARTS-ES replayed on it, and the test perplexity of each final cell trained from scratch. ' +
      "The curvature is measured at finite-difference step 3e-4, checked against PyTorch's exact Hessian at trained " +
      "checkpoints (within 0.7 % with the masks, 3.1 % with dropout off; at the image spaces' 1e-2 it erred up to 58-fold: results/ptb/README.md), with dropout " +
      "off: with the search's masks one window's value varied a thousandfold between mask draws (results/ptb/README.md). " +
      "Each cell is trained from scratch for 30 epochs in 8 streams with about a third of the recipe's dropouts (none on the embedding): in 32 streams with the " +
      "recipe's dropouts every cell had tested at a unigram model's level, and after 10 epochs the cells with long chains of nodes still did " +
      '(results/ptb/eval-pilot/README.md). A perplexity comparison ' +
      'counts only where every cell compared tests 10 % below the unigram model of the same training tokens.',
    tables: ['05-cross-domain-lm'],
    findings: '05-cross-domain-findings',
    figures: ['05-cross-domain-eigenvalue'],
    records: '`rdarts grid results/ptb/grid.json`, then `rdarts evaluate-lm` on each: results/ptb/README.md',
  },
  {
    title: '5. Another domain: disparity estimation in the AutoDispNet space',
    notebook: '05-cross-domain',
    question:
      "The paper's claim that its findings also hold for disparity estimation (docs/method.md §10: the AutoDispNet space " +
      'on synthetic stereo pairs at 32 x 64, the disparity quick preset; results/disparity/README.md): the eigenvalue over ' +
      'each search for DARTS, R-DARTS(L2) at two weight decays and DARTS-ADA, DARTS-ES replayed on it, the parameter-free ' +
      'share of the final cells, and the end-point error of each final genotype trained from scratch, beside a constant ' +
      'prediction.',
    tables: ['05-cross-domain-disparity'],
    findings: '05-cross-domain-disparity-findings',
    figures: ['05-cross-domain-disparity-eigenvalue'],
    records: '`rdarts grid results/disparity/grid.json`, then `rdarts evaluate-disparity` on each: results/disparity/README.md',
  },
];

/** The first reproduction at preset mini (S1 to S4 on Fashion-MNIST, one seed): Appendix A. */
const MINI_SECTIONS: readonly Section[] = [
  {
    title: 'A.1 Does DARTS degenerate at this scale?',
    notebook: '01-failure-analysis',
    question:
      'DARTS on S1 to S4 and the DARTS space: the share of parameter-free operations in the final cells, and their test error ' +
      '(the paper, CIFAR-10: skip connections take almost every edge on S1 to S3, the noise op 5 of 8 on S4).',
    tables: ['01-degeneration', '01-failure-summary', '01-test-error', '01-seed-spread'],
    findings: '01-findings',
    figures: [
      '01-test-error',
      '01-op-share',
      '01-s3-weights',
      ...['s1', 's2', 's3', 's4', 'darts'].flatMap((space) => [`01-alphas-${space}`, `01-cells-${space}`]),
    ],
  },
  {
    title: 'A.2 Does the dominant eigenvalue rise, and does it predict the test error?',
    notebook: '02-eigenvalue-vs-test-error',
    question:
      `The dominant eigenvalue of the validation loss's Hessian in alpha at the end of every planned search against the test ` +
      `error of its architecture (the paper: Pearson ${PAPER_EIGENVALUE_ERROR_PEARSON} over 24 architectures on S1, CIFAR-10), and ` +
      'against the accuracy lost when the supernet is discretised.',
    tables: ['02-eigenvalue-test-error', '02-correlation', '02-discretisation-drop'],
    findings: '02-findings',
    figures: ['02-eigenvalue-vs-test-error', '02-discretisation-drop'],
  },
  {
    title: 'A.3 Does early stopping help (DARTS-ES, DARTS-ADA)?',
    notebook: '03-early-stopping',
    question:
      'The eigenvalue trajectories with the stopping rule, the test errors of DARTS, DARTS-ES and DARTS-ADA, and other rules ' +
      'replayed on the stored series.',
    tables: ['03-es-test-error', '03-es-replay'],
    findings: '03-findings',
    figures: ['03-eigenvalue-trajectories', '03-ada-s3'],
  },
  {
    title: 'A.4 Does regularising the inner problem help (R-DARTS(L2), R-DARTS(DP))?',
    notebook: '04-regularisation',
    question:
      'The L2 and drop-path grids on S3: final eigenvalue and test error per strength, the R-DARTS selection, and the ' +
      'random-search baselines beside them.',
    tables: ['04-l2-grid', '04-dp-grid', '04-methods'],
    findings: '04-findings',
    figures: ['04-l2-grid', '04-dp-grid'],
  },
];

const images = (n: number | null, all: string) => (n === null ? all : n.toLocaleString('en-US'));
/** The images the weights train on in a search: the weights' half of the subset (or of the whole training split). */
const searchWeightImages = (c: SearchConfig) => Math.floor(c.trainPortion * (c.trainSubset ?? DATASETS[c.dataset].trainImages));
/** Weight steps over a whole run, rounded: how far the networks get, which epochs alone hide. */
const steps = (trainImages: number, batch: number, epochs: number) => Math.round((trainImages / batch) * epochs).toLocaleString('en-US');

/** The protocol of `preset` beside the paper's, from the configs themselves. */
export function protocolTable(preset: PresetName): string {
  const [s, sp] = [resolveConfig(preset), resolveConfig('paper')];
  const [t, tp] = [resolveTrainConfig(preset), resolveTrainConfig('paper')];
  const all = (n: number) => `all ${n.toLocaleString('en-US')}`;
  const searchImages = (c: SearchConfig) => images(c.trainSubset, all(DATASETS[c.dataset].trainImages));
  const trainImages = (c: TrainConfig) => images(c.trainSubset, all(DATASETS[c.dataset].trainImages));
  const testImages = (c: TrainConfig) => images(c.testSubset, all(DATASETS[c.dataset].testImages));
  const size = (c: SearchConfig | TrainConfig) =>
    `${DATASETS[c.dataset].height} x ${DATASETS[c.dataset].width} x ${DATASETS[c.dataset].channels}`;
  const rows: [string, string, string][] = [
    ['data set', `${DATASETS[s.dataset].label} (${size(s)})`, `${DATASETS[sp.dataset].label} (${size(sp)}; also CIFAR-100, SVHN)`],
    ['search: cells, channels', `${s.layers}, ${s.C}`, `${sp.layers}, ${sp.C}`],
    ['search: epochs, batch', `${s.epochs}, ${s.batchSize}`, `${sp.epochs}, ${sp.batchSize}`],
    ['search: training images (half for the weights, half for alpha)', searchImages(s), searchImages(sp)],
    ['search: alpha learning rate', String(s.alphaOptimizer.lr), String(sp.alphaOptimizer.lr)],
    [
      'search: alpha gradient; weight steps in all (about)',
      `${s.order} order; ${steps(searchWeightImages(s), s.batchSize, s.epochs)}`,
      `first or second order (docs/method.md §1); ${steps(searchWeightImages(sp), sp.batchSize, sp.epochs)}`,
    ],
    [
      'curvature: method, every k epochs',
      `${s.hessian.method} (${s.hessian.scheme} differences, tolerance ${s.hessian.tolerance}), ${s.hessian.evalEvery}`,
      `${sp.hessian.method} matrix (this project's paper preset: ${sp.hessian.scheme} differences; the original code: exact), ${sp.hessian.evalEvery}`,
    ],
    [
      'seeds per setting',
      `1 (search seed ${searchPlan(preset)[0]?.config.seed}, evaluation seed ${t.seed})`,
      '3 search seeds per setting in the code; the paper searches 4 times and selects by validation (docs/method.md §1)',
    ],
    [
      'evaluation: cells, channels',
      `${t.layers}, ${t.C}`,
      `${tp.layers}, ${tp.C} (CIFAR-10, 16 channels for S2 and S4; 8, 16 on CIFAR-100 and SVHN)`,
    ],
    ['evaluation: epochs, batch', `${t.epochs}, ${t.batchSize}`, `${tp.epochs}, ${tp.batchSize}`],
    ['evaluation: training images, test images', `${trainImages(t)}, ${testImages(t)}`, `${trainImages(tp)}, ${testImages(tp)}`],
    [
      'evaluation: weight steps in all (about)',
      steps(t.trainSubset ?? DATASETS[t.dataset].trainImages, t.batchSize, t.epochs),
      steps(tp.trainSubset ?? DATASETS[tp.dataset].trainImages, tp.batchSize, tp.epochs),
    ],
  ];
  return mdTable(['', `ours (${preset})`, 'the paper (docs/method.md)'], rows);
}

/**
 * The methods on S3 side by side (the comparison of lib/experiments/compare.ts, from the records
 * under `records`): each test error against DARTS's, read against the seed spread of DARTS's
 * genotype (how far the evaluation's seed alone moves it).
 */
export function methodsVerdict(preset: PresetName, records: string = resultsDir()): string {
  const { rows, spread } = compareS3(preset, { runs: path.join(records, 'runs'), evals: path.join(records, 'evals') });
  const errors = spread.map((s) => s.testError).filter((e): e is number => typeof e === 'number');
  const darts = rows.find((r) => r.method === METHODS.darts)?.testError;
  const range = errors.length > 1 ? Math.max(...errors) - Math.min(...errors) : undefined;
  const delta = (e: number | string) => (typeof e === 'number' && typeof darts === 'number' ? e - darts : undefined);
  const reading = (d: number | undefined) => (d === undefined || range === undefined ? '' : spreadReading(d, range));
  const table = mdTable(
    ['method (S3)', 'test error %', 'vs DARTS (points)', 'reading', 'dominant eigenvalue', 'parameter-free share', 'how chosen'],
    rows.map((r) => {
      const d = r.method === METHODS.darts ? undefined : delta(r.testError);
      return [
        r.method,
        typeof r.testError === 'number' ? r.testError.toFixed(2) : r.testError || 'n/a',
        d === undefined ? '' : `${d >= 0 ? '+' : ''}${d.toFixed(2)}`,
        reading(d),
        typeof r.eigenvalue === 'number' ? r.eigenvalue.toFixed(3) : '',
        typeof r.parameterFreeShare === 'number' ? r.parameterFreeShare.toFixed(3) : '',
        r.how,
      ];
    }),
  );
  const yardstick =
    range === undefined
      ? `No seed spread yet (DARTS's genotype at evaluation seeds ${spread.map((s) => `${s.seed}: ${s.testError}`).join(', ') || 'n/a'}).`
      : `Yardstick: DARTS's S3 genotype evaluated with ${errors.length} seeds spans ${range.toFixed(2)} points ` +
        `(${Math.min(...errors).toFixed(2)}% to ${Math.max(...errors).toFixed(2)}%); each method has one search seed and one evaluation. ` +
        'Genotypes: `npx tsx lib/cli.ts compare --preset ' +
        preset +
        '`.';
  return `${table}\n\n${yardstick}`;
}

/**
 * The paper's claims beside ours, with verdicts (lib/report/claims.ts) from the tables under
 * `<outputs>/tables`, then the rule behind each verdict.
 */
export function claimsSection(outputs: string, preset: PresetName, beforeFix = false): string {
  const rows = claimRows(csvTables(path.join(outputs, 'tables')));
  const table = mdTable(
    ['', 'claim', 'the paper', `ours (${preset})`, 'verdict'],
    rows.map((r, i) => [i + 1, r.claim, r.paper, r.ours, `**${r.verdict}**${beforeFix ? ` ${BEFORE_FIX_MARK}` : ''}`]),
  );
  const rules = rows.map((r, i) => {
    const first = rows.findIndex((x) => x.rule === r.rule);
    return `${i + 1}. ${first < i ? `As ${first + 1}` : r.rule}.`;
  });
  const caveat = MEANINGFUL_PRESETS.includes(preset)
    ? []
    : [
        `_At preset ${preset} the searches are too short and the evaluations too small for these verdicts to say anything about the paper: ` +
          'they test the pipeline. Read them at mini._',
        '',
      ];
  const fix = beforeFix ? [`_Every verdict is marked ${BEFORE_FIX_MARK}: see "The engine revision of the records"._`, ''] : [];
  return [...caveat, ...fix, table, '', 'How each verdict was decided (the numbers come from the sections below):', '', ...rules].join(
    '\n',
  );
}

/** Hours of the planned searches and of the finished evaluations under the preset's train config, from the records. */
export function computeTable(preset: PresetName, records: string): { table: string; hours: number } {
  const rows: (string | number)[][] = [];
  let total = 0;
  for (const p of searchPlan(preset)) {
    const dir = runDirFor(p.config, path.join(records, 'runs'));
    if (!fs.existsSync(dir)) {
      rows.push([p.name, 'not started', 0, '']);
      continue;
    }
    const run = readRun(dir);
    const { seconds, undone } = runSeconds(run);
    total += seconds;
    const epochs = `${run.epochs.length}/${p.config.epochs}${undone > 0 ? ` (+${undone} undone by rollbacks, timed at the mean epoch)` : ''}`;
    rows.push([p.name, run.done ? 'finished' : 'partial', epochs, (seconds / 3600).toFixed(2)]);
  }
  const configs = presetTrainConfigs(preset);
  const evals = path.join(records, 'evals');
  let [count, evalSeconds] = [0, 0];
  for (const id of fs.existsSync(evals) ? fs.readdirSync(evals) : []) {
    if (!fs.existsSync(path.join(evals, id, EVAL_FILE))) continue;
    const e = readEvaluation(path.join(evals, id));
    if (!e.done || !configs.has(canonicalJson(e.config))) continue;
    count++;
    evalSeconds += e.seconds ?? 0;
  }
  rows.push([`${count} evaluations (${preset})`, 'finished', '', (evalSeconds / 3600).toFixed(2)]);
  total += evalSeconds;
  const rsWs = plannedRsWs(preset, records);
  const rsWsResult = readBaselineResult<{ seconds?: { total?: number } }>(rsWs.dir);
  const rsWsSeconds = rsWsResult?.seconds?.total ?? 0;
  rows.push([
    `RS-ws baseline (${rsWs.name}'s config)`,
    rsWsResult ? 'finished' : 'not finished',
    '',
    rsWsResult ? (rsWsSeconds / 3600).toFixed(2) : '',
  ]);
  total += rsWsSeconds;
  rows.push(['total', '', '', (total / 3600).toFixed(2)]);
  return { table: mdTable(['what', 'status', 'epochs', 'hours (one core each)'], rows), hours: total / 3600 };
}

/** A section as Markdown under a heading of `level` (`##` in the main text, `###` in an appendix). */
function sectionText(s: Section, outputs: string, preset: PresetName, level = '##'): string {
  const tables = path.join(outputs, 'tables');
  const lines = [`${level} ${s.title}`, '', s.question, ''];
  const missing = s.tables.filter((t) => !fs.existsSync(path.join(tables, `${t}.md`)));
  if (missing.length > 0) {
    lines.push(
      `_Not written yet (${missing.map((m) => `tables/${m}.md`).join(', ')}): notebook \`${s.notebook}\` writes ` +
        `${missing.length === 1 ? 'it' : 'them'} with \`npm run notebooks -- --preset ${preset}\` once the searches and evaluations ` +
        `have finished (${s.records ?? `\`rdarts experiment --preset ${preset}\`, then \`rdarts experiment --preset ${preset} --evaluate\``})._`,
      '',
    );
  }
  const findings = s.findings === undefined ? undefined : path.join(tables, `${s.findings}.md`);
  if (findings !== undefined && fs.existsSync(findings))
    lines.push(`What notebook \`${s.notebook}\` concludes from them:`, '', fs.readFileSync(findings, 'utf8').trim(), '');
  for (const t of s.tables.filter((x) => !missing.includes(x))) {
    lines.push(`**tables/${t}** (also \`tables/${t}.csv\`)`, '', fs.readFileSync(path.join(tables, `${t}.md`), 'utf8').trim(), '');
  }
  const figures = s.figures.filter((f) => fs.existsSync(path.join(outputs, 'figures', `${f}.png`)));
  if (figures.length > 0) lines.push(figures.map((f) => `![${f}](figures/${f}.png)`).join('\n'), '');
  const htmlOnly = s.figures.filter((f) => !figures.includes(f) && fs.existsSync(path.join(outputs, 'figures', `${f}.html`)));
  if (htmlOnly.length > 0) {
    lines.push(
      `_Saved without a PNG (Chromium was missing; \`bash .ci/setup\` installs it): ${htmlOnly.map((f) => `figures/${f}.html`).join(', ')}._`,
      '',
    );
  }
  return lines.join('\n');
}

/**
 * The compute behind every committed record (lib/experiments/ledger.ts), with the reproduction's
 * share (REPRODUCTION_FOLDERS) against its budget.
 */
export function ledgerSection(preset: PresetName, records: string): string {
  // The default folders also take ad-hoc searches (npm start, rdarts search): there only the plan's records count.
  const planned = new Set(experimentRecords(preset, records).map((f) => path.relative(records, path.dirname(f)).split(path.sep).join('/')));
  const entries = computeLedger(records, (folder, id) => !DEFAULT_FOLDERS.includes(folder) || planned.has(`${folder}/${id}`));
  const all = processHours(entries);
  const ours = processHours(entries, REPRODUCTION_FOLDERS);
  const range = (h: number) => `${(h / 2).toFixed(1)} to ${h.toFixed(1)}`;
  return [
    ledgerTable(entries),
    '',
    `Process-hours are the wall time each finished record keeps for its epochs (search steps, validation, the curvature; an evaluation's ` +
      'training and tests), summed; start-up, data loading, runs still going, and runs that were not kept (checks of the pipeline, benchmarks, CI) ' +
      "are not counted, and epochs undone by DARTS-ADA's rollbacks are timed at their run's mean epoch. This machine has 2 cores " +
      'and mostly ran two searches at once (each slower beside the other: results/bench/README.md), so the machine-hours lie between ' +
      `half the process-hours and all of them: ${all.toFixed(1)} process-hours in all, ${range(all)} machine-hours. ` +
      'At times more processes shared the two cores (baselines or a CI run beside two searches); then each record also holds the ' +
      "others' turns, so even half the process-hours overstates the machine time those records took. " +
      `The reproduction's records (${REPRODUCTION_FOLDERS.map((f) => `\`${f}/\``).join(', ')}): ${ours.toFixed(1)} process-hours, ` +
      `${range(ours)} machine-hours, of a budget of ${REPRODUCTION_BUDGET_MACHINE_HOURS} machine-hours: ` +
      `${budgetReading(ours, REPRODUCTION_BUDGET_MACHINE_HOURS)}. ` +
      `In ${DEFAULT_FOLDERS.map((f) => `\`${f}/\``).join(', ')}, where other searches land too (\`npm start\`, \`rdarts search\`), only ` +
      `the records of Appendix A's plan count (\`rdarts experiment --preset ${preset} --records\`).`,
  ].join('\n');
}

/** The preset's alpha lr beside the paper's. */
function alphaLr(preset: PresetName): string {
  const [ours, paper] = [resolveConfig(preset).alphaOptimizer.lr, resolveConfig('paper').alphaOptimizer.lr];
  return ours === paper
    ? `${ours}, the paper's`
    : `${ours}, ${ours > paper ? `${+(ours / paper).toFixed(2)} times` : 'below'} the paper's ${paper}`;
}

/** Whether `hours` of processes (two at once, mostly) fit `budget` machine-hours: the range P/2..P against it. */
function budgetReading(hours: number, budget: number): string {
  if (hours <= budget) return 'within the budget';
  if (hours / 2 <= budget) return 'within the budget if two ran at once throughout (they mostly did)';
  return 'over the budget';
}

/** The appendix of the first reproduction at `preset`: its protocol, engine note, claims, S3 methods, compute and sections. */
function miniAppendix(preset: PresetName, outputs: string, records: string): string {
  const compute = computeTable(preset, records);
  const audit = engineAudit(preset, records);
  const paperErrors = Object.entries(PAPER_DARTS_CIFAR10_ERROR)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k.toUpperCase()} ${v}%`)
    .join(', ');
  return [
    `## Appendix A: the first reproduction (preset ${preset}: S1 to S4 on ${DATASETS[resolveConfig(preset).dataset].label}, one search seed)`,
    '',
    `The first reproduction: the plan of \`rdarts experiment --preset ${preset}\`, with the alpha lr ${alphaLr(preset)} so that ` +
      'the alphas move in about 1,000 weight steps. Kept as it was measured; the main text above supersedes its verdicts.',
    '',
    '### Protocol: ours beside the paper',
    '',
    protocolTable(preset),
    '',
    `The paper's DARTS test errors on CIFAR-10 (docs/method.md §6): ${paperErrors}. Our errors are on ${DATASETS[resolveConfig(preset).dataset].label}, ` +
      "with networks and training budgets far smaller, so they are compared with the paper's by direction (which method is better, " +
      'does the curvature rise), never by value.',
    '',
    '### The engine revision of the records',
    '',
    engineSection(audit),
    '',
    '### What reproduced and what did not',
    '',
    claimsSection(
      outputs,
      preset,
      audit.some((r) => r.affected),
    ),
    '',
    '### The methods on S3 at a glance',
    '',
    methodsVerdict(preset, records),
    '',
    '### Compute',
    '',
    compute.table,
    '',
    preset === 'mini'
      ? `Budget: ${MINI_BUDGET_HOURS} hours of this machine for the mini grid. The hours above are per process and mostly two ran at ` +
        `once, one on each core, so the ${compute.hours.toFixed(1)} process-hours so far took ${(compute.hours / 2).toFixed(1)} to ` +
        `${compute.hours.toFixed(1)} hours of the machine (as section 6): ${budgetReading(compute.hours, MINI_BUDGET_HOURS)}. ` +
        "(Random search's candidates count among the evaluations.)"
      : '',
    '',
    ...MINI_SECTIONS.map((s) => sectionText(s, outputs, preset, '###')),
    `## ${ENGINE_APPENDIX_TITLE}`,
    '',
    engineAppendix(audit),
  ].join('\n');
}

/**
 * The report of `preset` (default mini), as Markdown: the reproduction (the pilot, NAS-Bench-201,
 * the other domains, the compute), then the first reproduction at `preset` as Appendix A and its
 * records' engine revisions as Appendix B. Tables, closing sentences and figures come from
 * `outputs` (default outputsDir(preset)), the compute from the records under `records` (default
 * resultsDir()).
 */
export function buildReport(
  preset: PresetName = REPORT_PRESET,
  outputs: string = outputsDir(preset),
  records: string = resultsDir(),
): string {
  return [
    `# RobustDARTS in TypeScript: the reproduction (preset ${preset})`,
    '',
    `Written by \`npx tsx lib/cli.ts report --preset ${preset}\` from the tables, closing sentences and figures that ` +
      `\`npm run notebooks -- --preset ${preset}\` wrote (read-only, from the committed records: \`results/README.md\`), and from ` +
      "the run records; do not edit it by hand, regenerate it. All numbers come from this project's 2-core CPU machine.",
    '',
    "The main text is the reproduction: the pilot, which finds at what cost DARTS fails here with the paper's alpha lr (3e-4) " +
      "(section 1); the main grid on S3 at the pilot's cheapest collapsing setting (section 2); NAS-Bench-201 at that lr, whose " +
      'test errors are exact, over several search seeds per method (section 3); language modelling and disparity estimation at ' +
      `CPU-sized versions of their recipes (sections 4 and 5); and the compute of every record (section 6). Appendix A keeps the first reproduction at preset ${preset} (one search seed, alpha lr ` +
      `${alphaLr(preset)}); Appendix B the engine revision of its records.`,
    '',
    ...MAIN_SECTIONS.map((s) => sectionText(s, outputs, preset)),
    '## 6. Compute',
    '',
    ledgerSection(preset, records),
    '',
    miniAppendix(preset, outputs, records),
    '',
  ]
    .join('\n')
    .replace(/\n{3,}/g, '\n\n');
}

/** Writes `<outputs>/REPORT.md` (buildReport's arguments); returns the file. */
export function writeReport(
  preset: PresetName = REPORT_PRESET,
  outputs: string = outputsDir(preset),
  records: string = resultsDir(),
): string {
  const file = path.join(outputs, 'REPORT.md');
  writeFileAtomic(file, buildReport(preset, outputs, records));
  return file;
}

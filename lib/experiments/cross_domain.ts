/**
 * The cross-domain experiments of a preset (docs/method.md §9-10): one loop for both domains
 * (`ensureDomain`: a plan of searches, each search and the evaluation of its final genotype read
 * back or computed; in a read-only session it names what is missing instead,
 * lib/runs/compute_guard.ts), and the language-modelling plan: the searches of `LM_GRID` (DARTS,
 * R-DARTS(L2), DARTS-ADA and R-DARTS(dropout) over seeds), each at the preset, with the evaluation of
 * each final cell trained from scratch (the disparity plan: ./cross_domain_disparity.ts). A domain's
 * runs live in `<outputsDir(preset)>/<domain>/runs`, its evaluations in `.../evals`: at mini the
 * committed records under results/<domain> (so the notebook rebuilds without training), at smoke a
 * folder CI writes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { initBackend } from '../backend';
import { gridEntries, type GridResolver } from '../config/overrides_file';
import type { LoopConfig } from '../config/search_config';
import { deepFreeze } from '../config/validation';
import { outputsDir } from '../paths';
import { type PtbConfig, resolvePtbConfig } from '../problems/ptb/config';
import { ptbProblem } from '../problems/ptb/problem';
import { problemEntry } from '../problems/registry';
import { computeDisabled } from '../runs/compute_guard';
import type { ArchitectureRecord } from '../runs/records';
import { RUN_FILES, runDirFor, type StoredRun } from '../runs/store';
import type { SearchProblem } from '../search/problem';
import { runSearch } from '../search/run';
import type { RecurrentGenotype } from '../spaces/recurrent';
import { lmEvalId, resolveLmTrainConfig } from '../train/lm_config';
import { ensureLmEvaluation, type LmEvalFile, readLmEvaluation } from '../train/lm_train';
import type { CrossDomainEntry } from '../analysis/cross_domain';

/**
 * The language-modelling searches (the grid of `rdarts grid results/ptb/grid.json`, which holds
 * the same value: test/experiments/cross_domain.test.ts pins it). In the code, so that the notebook
 * finds its plan wherever the results folder is (RDARTS_RESULTS).
 */
export const LM_GRID = deepFreeze({
  problem: 'ptb',
  preset: 'mini',
  base: {},
  runs: {
    'darts-s0': {},
    'l2-5e-5-s0': { regularization: { l2: 5e-5, dropPathProb: 0 } },
    'ada-s0': { earlyStop: 'adaptive' },
    'dropout-s0': { dropout: { hidden: 0.5, input: 0.4 } },
    'darts-s1': { seed: 1 },
    'l2-5e-5-s1': { seed: 1, regularization: { l2: 5e-5, dropPathProb: 0 } },
    'ada-s1': { seed: 1, earlyStop: 'adaptive' },
    'dropout-s1': { seed: 1, dropout: { hidden: 0.5, input: 0.4 } },
    // A second strength of each regulariser (the paper's grids step by 3x: docs/method.md §9).
    'l2-1.5e-4-s0': { regularization: { l2: 1.5e-4, dropPathProb: 0 } },
    'l2-1.5e-4-s1': { seed: 1, regularization: { l2: 1.5e-4, dropPathProb: 0 } },
    'dropout-0.75-s0': { dropout: { hidden: 0.75, input: 0.6 } },
    'dropout-0.75-s1': { seed: 1, dropout: { hidden: 0.75, input: 0.6 } },
  },
});

/** Where the runs and evaluations of a domain ('ptb' or 'disparity') live for `preset` (file header). */
export function crossDomainDirs(preset: string, domain: 'ptb' | 'disparity' = 'ptb'): { runs: string; evals: string } {
  const root = path.join(outputsDir(preset), domain);
  return { runs: path.join(root, 'runs'), evals: path.join(root, 'evals') };
}

/**
 * A grid's entries, each resolved by `resolve` (its overrides on the preset's config); `name` and
 * `file` (where the grid is defined) name it in errors.
 */
export function domainPlan<C>(
  grid: unknown,
  name: string,
  file: string,
  resolve: (overrides: object, source: string) => C,
): { name: string; config: C }[] {
  const check = (problem: string, p: string, overrides: object, source: string) =>
    problemEntry(problem).problem(p, overrides, source).config;
  return gridEntries(grid, `${name} (${file})`, check as GridResolver).map((e) => ({
    name: e.name,
    config: resolve(e.overrides, `${name}: runs.${e.name}`),
  }));
}

/** The grid's searches at `preset`: each entry's overrides on the preset's config. */
export function lmPlan(preset: string): { name: string; config: PtbConfig }[] {
  return domainPlan(LM_GRID, 'LM_GRID', 'lib/experiments/cross_domain.ts', (o, source) => resolvePtbConfig(preset, o, source));
}

/** A search of a domain and the evaluation of its final genotype (if made). */
export interface DomainEntry<C, A extends ArchitectureRecord, E> {
  readonly name: string;
  readonly run: StoredRun<C, A>;
  readonly evaluation?: E;
}

/** What `ensureDomain` needs of a domain: its plan, where it lives, and how its evaluations are read and made. */
export interface DomainSpec<
  B,
  A extends ArchitectureRecord & { readonly genotype: G },
  C extends LoopConfig,
  G,
  E extends { readonly done?: unknown },
> {
  readonly plan: readonly { readonly name: string; readonly config: C }[];
  readonly dirs: { readonly runs: string; readonly evals: string };
  problem(config: C): SearchProblem<B, A, C>;
  /** The stored evaluation of a genotype, finished (`done` set: its test numbers) or not; undefined: none. */
  read(genotype: G): E | undefined;
  ensure(genotype: G, source: string): Promise<E>;
  evalId(genotype: G): string;
  /** The finished evaluation's headline, for the log. */
  describe(evaluation: E): string;
}

/**
 * Every search of a domain's plan and the evaluation of its final genotype, read back or computed
 * (file header). In read-only mode (RDARTS_NO_COMPUTE, as `rdarts notebooks` sets at mini) what is
 * not finished is left out, and `log` says so, rather than failing: the grid fills in over sessions.
 */
export async function ensureDomain<
  B,
  A extends ArchitectureRecord & { readonly genotype: G },
  C extends LoopConfig,
  G,
  E extends { readonly done?: unknown },
>(spec: DomainSpec<B, A, C, G, E>, log: (line: string) => void = () => undefined): Promise<DomainEntry<C, A, E>[]> {
  await initBackend();
  const readOnly = computeDisabled();
  const out: DomainEntry<C, A, E>[] = [];
  for (const { name, config } of spec.plan) {
    const problem = spec.problem(config);
    const dir = runDirFor(config, spec.dirs.runs, problem.codec);
    if (readOnly && !fs.existsSync(path.join(dir, RUN_FILES.done))) {
      log(`${name}: search ${path.basename(dir)} not finished (read-only: left out)`);
      continue;
    }
    const { status, run } = await runSearch(problem, { root: spec.dirs.runs, progress: 'off' });
    log(`${name}: search ${run.runId} ${status}`);
    const final = run.genotype;
    if (!final) {
      out.push({ name, run });
      continue;
    }
    const stored = spec.read(final.genotype);
    if (readOnly && stored?.done === undefined) {
      log(`${name}: evaluation ${spec.evalId(final.genotype)} not finished (read-only: left out)`);
      out.push({ name, run });
      continue;
    }
    const evaluation = await spec.ensure(final.genotype, `run ${run.runId}, epoch ${final.epoch}`);
    log(`${name}: evaluation ${spec.evalId(final.genotype)}${evaluation.done === undefined ? '' : `, ${spec.describe(evaluation)}`}`);
    out.push({ name, run, evaluation });
  }
  return out;
}

/** The language-modelling searches of `preset` and their evaluations (`ensureDomain`). */
export async function ensureCrossDomain(
  preset: string,
  options: { readonly log?: (line: string) => void } = {},
): Promise<CrossDomainEntry[]> {
  const evalConfig = resolveLmTrainConfig(preset);
  const dirs = crossDomainDirs(preset, 'ptb');
  return ensureDomain(
    {
      plan: lmPlan(preset),
      dirs,
      problem: ptbProblem,
      read: (g: RecurrentGenotype): LmEvalFile | undefined => readLmEvaluation(g, evalConfig, dirs.evals),
      ensure: (g, source) => ensureLmEvaluation(g, evalConfig, source, { root: dirs.evals }),
      evalId: (g) => lmEvalId(evalConfig, g),
      describe: (e) => `test perplexity ${e.done?.test.perplexity.toFixed(2)}`,
    },
    options.log,
  );
}

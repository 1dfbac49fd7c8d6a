/**
 * The cross-domain experiments of a preset (docs/method.md §9): the language-modelling searches of
 * `LM_GRID` (DARTS, R-DARTS(L2), DARTS-ADA and R-DARTS(dropout) over seeds), each at the
 * preset, and the evaluation of each finished search's final cell trained from scratch. Runs live in
 * `<outputsDir(preset)>/ptb/runs`, evaluations in `<outputsDir(preset)>/ptb/evals`: at mini the
 * committed records under results/ptb (so the notebook rebuilds without training), at smoke a
 * folder CI writes. `ensureCrossDomain` reads back what is finished and computes the rest (in a
 * read-only session it names what is missing instead, lib/runs/compute_guard.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { initBackend } from '../backend';
import { gridEntries, type GridResolver } from '../config/overrides_file';
import type { LoopConfig } from '../config/search_config';
import { type ConfigCodec, deepFreeze } from '../config/validation';
import { outputsDir } from '../paths';
import { PTB_CONFIG_CODEC, type PtbConfig, resolvePtbConfig } from '../problems/ptb/config';
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
  },
});

/** Where the runs and evaluations of `preset` live (file header). */
export function crossDomainDirs(preset: string): { runs: string; evals: string } {
  const root = path.join(outputsDir(preset), 'ptb');
  return { runs: path.join(root, 'runs'), evals: path.join(root, 'evals') };
}

/** The grid's searches at `preset`: each entry's overrides on the preset's config. */
export function lmPlan(preset: string): { name: string; config: PtbConfig }[] {
  const resolve = (problem: string, p: string, overrides: object, source: string) =>
    problemEntry(problem).problem(p, overrides, source).config;
  return gridEntries(LM_GRID, 'LM_GRID (lib/experiments/cross_domain.ts)', resolve as GridResolver).map((e) => ({
    name: e.name,
    config: resolvePtbConfig(preset, e.overrides, `LM_GRID: runs.${e.name}`),
  }));
}

/** What `ensureDomain` needs of a domain: its plan, where it lives, and how its evaluations are read and made. */
export interface DomainSpec<C extends object, G, E> {
  readonly plan: readonly { readonly name: string; readonly config: C }[];
  readonly dirs: { readonly runs: string; readonly evals: string };
  readonly codec: ConfigCodec<C>;
  problem(config: C): SearchProblem<unknown, ArchitectureRecord & { readonly genotype: G }, C & LoopConfig>;
  /** The stored evaluation of a genotype, finished or not (undefined: none). */
  read(genotype: G): (E & { readonly done?: unknown }) | undefined;
  ensure(genotype: G, source: string): Promise<E & { readonly id: string; readonly done?: unknown }>;
  evalId(genotype: G): string;
  /** The evaluation's headline, for the log. */
  describe(evaluation: E): string;
}

/**
 * Every search of a domain's plan and the evaluation of its final genotype, read back or computed
 * (file header). In read-only mode (RDARTS_NO_COMPUTE, as `rdarts notebooks` sets at mini) what is
 * not finished is left out, and `log` says so, rather than failing: the grid fills in over sessions.
 */
export async function ensureDomain<C extends object, G, E>(
  spec: DomainSpec<C, G, E>,
  log: (line: string) => void = () => undefined,
): Promise<{ name: string; run: StoredRun<C, ArchitectureRecord & { readonly genotype: G }>; evaluation?: E }[]> {
  await initBackend();
  const readOnly = computeDisabled();
  const out: { name: string; run: StoredRun<C, ArchitectureRecord & { readonly genotype: G }>; evaluation?: E }[] = [];
  for (const { name, config } of spec.plan) {
    const dir = runDirFor(config, spec.dirs.runs, spec.codec);
    if (readOnly && !fs.existsSync(path.join(dir, RUN_FILES.done))) {
      log(`${name}: search ${path.basename(dir)} not finished (read-only: left out)`);
      continue;
    }
    const { status, run } = await runSearch(spec.problem(config), { root: spec.dirs.runs, progress: 'off' });
    log(`${name}: search ${run.runId} ${status}`);
    const typed = run as unknown as StoredRun<C, ArchitectureRecord & { readonly genotype: G }>;
    const genotype = typed.genotype;
    if (!genotype) {
      out.push({ name, run: typed });
      continue;
    }
    const source = `run ${run.runId}, epoch ${genotype.epoch}`;
    if (readOnly && !spec.read(genotype.genotype)?.done) {
      log(`${name}: evaluation ${spec.evalId(genotype.genotype)} not finished (read-only: left out)`);
      out.push({ name, run: typed });
      continue;
    }
    const evaluation = await spec.ensure(genotype.genotype, source);
    log(`${name}: evaluation ${evaluation.id}${evaluation.done ? `, ${spec.describe(evaluation)}` : ''}`);
    out.push({ name, run: typed, evaluation });
  }
  return out;
}

/** The language-modelling searches of `preset` and their evaluations (`ensureDomain`). */
export async function ensureCrossDomain(
  preset: string,
  options: { readonly log?: (line: string) => void } = {},
): Promise<CrossDomainEntry[]> {
  const evalConfig = resolveLmTrainConfig(preset);
  const dirs = crossDomainDirs(preset);
  const spec: DomainSpec<PtbConfig, RecurrentGenotype, LmEvalFile> = {
    plan: lmPlan(preset),
    dirs,
    codec: PTB_CONFIG_CODEC,
    problem: (c) => ptbProblem(c) as unknown as ReturnType<DomainSpec<PtbConfig, RecurrentGenotype, LmEvalFile>['problem']>,
    read: (g) => readLmEvaluation(g, evalConfig, dirs.evals),
    ensure: (g, source) => ensureLmEvaluation(g, evalConfig, source, { root: dirs.evals }),
    evalId: (g) => lmEvalId(evalConfig, g),
    describe: (e) => `test perplexity ${e.done!.test.perplexity.toFixed(2)}`,
  };
  return (await ensureDomain(spec, options.log)) as CrossDomainEntry[];
}

/**
 * The search problems the CLI can run (`rdarts search --problem NAME`), each made from a preset and
 * overrides. A problem added under lib/problems registers here; everything it then needs (the
 * runner, store, checkpoints, curvature, DARTS-ES/ADA) is generic (lib/search/problem.ts).
 */
import { type ConfigOverrides, type LoopConfig, resolveConfig, SEARCH_CONFIG_CODEC } from '../config/search_config';
import type { z } from 'zod';
import { SearchConfigSchema } from '../config/schema';
import type { ConfigCodec } from '../config/validation';
import type { ArchitectureRecord } from '../runs/records';
import type { SearchProblem } from '../search/problem';
import { formatGenotype, type Genotype } from '../spaces/genotype';
import { dartsProblem } from './darts/problem';
import { DISPARITY_CONFIG_CODEC, DisparityConfigSchema, resolveDisparityConfig } from './disparity/config';
import { disparityProblem } from './disparity/problem';
import { NB201_CONFIG_CODEC, Nb201ConfigSchema, resolveNb201Config } from './nb201/config';
import { type Nb201Genotype, nb201Problem } from './nb201/problem';
import { PTB_CONFIG_CODEC, PtbConfigSchema, resolvePtbConfig } from './ptb/config';
import { ptbProblem } from './ptb/problem';
import { formatRecurrentGenotype, type RecurrentGenotype } from '../spaces/recurrent';
import { type AutoDispNetGenotype, formatAutoDispNetGenotype } from '../spaces/autodispnet';

/** A problem the CLI can run. */
export interface ProblemEntry {
  readonly description: string;
  /** How the run store reads the problem's runs (e.g. `rdarts runs`). */
  readonly codec: ConfigCodec<LoopConfig>;
  /** The problem of `preset` with `overrides` (validated; errors name `source` and the field). */
  problem(preset: string, overrides: ConfigOverrides, source: string): SearchProblem<unknown, ArchitectureRecord, LoopConfig>;
  /** A genotype of the problem in one line. */
  formatGenotype(genotype: object): string;
  /** The config's zod schema (`rdarts config --schema` turns it into a JSON Schema). */
  readonly schema: z.ZodTypeAny;
  /** The preset's whole config: every key with its value, the defaults a `--config` file overrides. */
  preset(name: string): object;
}

export const PROBLEMS: Readonly<Record<string, ProblemEntry>> = Object.freeze({
  darts: {
    description: 'the DARTS supernet over S1-S4 or the DARTS space, on an image data set (docs/method.md §1-2)',
    codec: SEARCH_CONFIG_CODEC as ConfigCodec<LoopConfig>,
    problem: (preset, overrides, source) =>
      dartsProblem(resolveConfig(preset, overrides, source)) as SearchProblem<unknown, ArchitectureRecord, LoopConfig>,
    formatGenotype: (genotype) => formatGenotype(genotype as Genotype),
    schema: SearchConfigSchema,
    preset: (name) => resolveConfig(name),
  },
  nb201: {
    description: "NAS-Bench-201's DARTS supernet on an image data set; every epoch's cell looked up in the benchmark (docs/method.md §8)",
    codec: NB201_CONFIG_CODEC as unknown as ConfigCodec<LoopConfig>,
    problem: (preset, overrides, source) =>
      nb201Problem(resolveNb201Config(preset, overrides, source)) as unknown as SearchProblem<unknown, ArchitectureRecord, LoopConfig>,
    formatGenotype: (genotype) => (genotype as Nb201Genotype).arch,
    schema: Nb201ConfigSchema,
    preset: (name) => resolveNb201Config(name),
  },
  ptb: {
    description:
      'the DARTS recurrent cell in a language model on a text corpus in the PTB format (synthetic, PTB, or PTB re-split; docs/method.md §9)',
    codec: PTB_CONFIG_CODEC as unknown as ConfigCodec<LoopConfig>,
    problem: (preset, overrides, source) =>
      ptbProblem(resolvePtbConfig(preset, overrides, source)) as unknown as SearchProblem<unknown, ArchitectureRecord, LoopConfig>,
    formatGenotype: (genotype) => formatRecurrentGenotype(genotype as RecurrentGenotype),
    schema: PtbConfigSchema,
    preset: (name) => resolvePtbConfig(name),
  },
  disparity: {
    description:
      'the AutoDispNet encoder-decoder supernet on stereo pairs (synthetic, or stereo folders); records the end-point error as "accuracy" (docs/method.md §7)',
    codec: DISPARITY_CONFIG_CODEC as unknown as ConfigCodec<LoopConfig>,
    problem: (preset, overrides, source) =>
      disparityProblem(resolveDisparityConfig(preset, overrides, source)) as unknown as SearchProblem<
        unknown,
        ArchitectureRecord,
        LoopConfig
      >,
    formatGenotype: (genotype) => formatAutoDispNetGenotype(genotype as AutoDispNetGenotype),
    schema: DisparityConfigSchema,
    preset: (name) => resolveDisparityConfig(name),
  },
});

/** Each problem's codec by name, for reading runs of any problem (`listRuns`). */
export function problemCodecs(): Record<string, ConfigCodec<LoopConfig>> {
  return Object.fromEntries(Object.entries(PROBLEMS).map(([name, entry]) => [name, entry.codec]));
}

/** The registered problem `name`; an unknown name throws, listing the known ones. */
export function problemEntry(name: string): ProblemEntry {
  const entry = Object.hasOwn(PROBLEMS, name) ? PROBLEMS[name] : undefined;
  if (!entry) throw new Error(`unknown problem ${JSON.stringify(name)}; known: ${Object.keys(PROBLEMS).join(', ')}`);
  return entry;
}

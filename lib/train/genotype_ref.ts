/**
 * What `rdarts evaluate-lm` and `rdarts evaluate-disparity` train: the genotype a reference names.
 * In order: a published genotype by name, a search run's directory, or its runId under the runs
 * folder; a run must be finished, or `epoch` names the stored epoch whose genotype to take
 * (DARTS-ES's stop epoch, say).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ConfigCodec } from '../config/validation';
import type { ArchitectureRecord } from '../runs/records';
import { readRun, resolveRunRef, runsRoot } from '../runs/store';

/** Where to look, and the command's name for its errors. */
export interface GenotypeRefOptions<G extends object, C extends object> {
  readonly command: string;
  readonly named: Readonly<Record<string, G>>;
  /** The run config's codec (a run of another problem is refused by it). */
  readonly codec: ConfigCodec<C>;
  readonly runs?: string;
  readonly epoch?: number;
}

/** The genotype `ref` names (file header) and a few words on where it came from. */
export function resolveGenotypeRef<G extends object, C extends object>(
  ref: string,
  o: GenotypeRefOptions<G, C>,
): { genotype: G; source: string } {
  if (Object.hasOwn(o.named, ref)) return { genotype: o.named[ref], source: ref };
  const dir = fs.existsSync(ref) && fs.statSync(ref).isDirectory() ? ref : resolveRunRef(ref, o.runs ?? runsRoot());
  const run = readRun<C, ArchitectureRecord & { genotype: G }>(dir, o.codec);
  if (o.epoch !== undefined) {
    const r = run.epochs[o.epoch];
    if (!r) throw new Error(`${o.command}: run ${run.runId} has no stored epoch ${o.epoch} (stored: ${run.epochs.length})`);
    return { genotype: r.genotype, source: `run ${run.runId}, epoch ${o.epoch}` };
  }
  if (!run.done || !run.genotype)
    throw new Error(
      `${o.command}: run ${run.runId} in ${path.resolve(dir)} is not finished (${run.epochs.length}/${(run.config as { epochs?: number }).epochs} epochs)`,
    );
  return { genotype: run.genotype.genotype as G, source: `run ${run.runId}, epoch ${run.genotype.epoch}` };
}

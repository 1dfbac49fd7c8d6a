/**
 * `rdarts evaluate-disparity REF --preset P` (docs/method.md §10): train a disparity genotype from
 * scratch (./disparity_train.ts) and print its end-point error and bad-pixel shares on the synthetic
 * test split and the real pairs. REF is, in order: a published genotype by name (AutoDispNet-C), a
 * disparity search run's directory, or its runId under the runs folder; a run must be finished, or
 * `epoch` names the stored epoch whose genotype to take (DARTS-ES's stop epoch, say).
 */
import * as fs from 'fs';
import * as path from 'path';
import { DISPARITY_CONFIG_CODEC, type DisparityConfig } from '../problems/disparity/config';
import type { DisparityArchitectureRecord } from '../problems/disparity/problem';
import { epochLabel } from '../runs/records';
import { readRun, resolveRunRef, runsRoot } from '../runs/store';
import { AUTODISPNET_RELEASED, type AutoDispNetGenotype, formatAutoDispNetGenotype } from '../spaces/autodispnet';
import { resolveDisparityTrainConfig } from './disparity_config';
import { type DisparityErrors, type DisparityEvalFile, ensureDisparityEvaluation } from './disparity_train';

/** Disparity genotypes that can be evaluated by name. */
export const NAMED_DISPARITY: Readonly<Record<string, AutoDispNetGenotype>> = Object.freeze({ 'AutoDispNet-C': AUTODISPNET_RELEASED });

/** The genotype `ref` names (file header) and a few words on where it came from. */
export function resolveDisparityGenotype(
  ref: string,
  runs = runsRoot(),
  epoch?: number,
): { genotype: AutoDispNetGenotype; source: string } {
  if (Object.hasOwn(NAMED_DISPARITY, ref)) return { genotype: NAMED_DISPARITY[ref], source: ref };
  const dir = fs.existsSync(ref) && fs.statSync(ref).isDirectory() ? ref : resolveRunRef(ref, runs);
  const run = readRun<DisparityConfig, DisparityArchitectureRecord>(dir, DISPARITY_CONFIG_CODEC);
  if (epoch !== undefined) {
    const r = run.epochs[epoch];
    if (!r) throw new Error(`evaluate-disparity: run ${run.runId} has no stored epoch ${epoch} (stored: ${run.epochs.length})`);
    return { genotype: r.genotype, source: `run ${run.runId}, epoch ${epoch}` };
  }
  if (!run.done || !run.genotype)
    throw new Error(
      `evaluate-disparity: run ${run.runId} in ${path.resolve(dir)} is not finished (${run.epochs.length}/${run.config.epochs} epochs)`,
    );
  return { genotype: run.genotype.genotype, source: `run ${run.runId}, epoch ${run.genotype.epoch}` };
}

/** One line of test numbers. */
export function formatDisparityErrors(e: DisparityErrors): string {
  return `EPE ${e.epe.toFixed(3)} px, > 1 px ${(100 * e.over1).toFixed(1)} %, > 3 px ${(100 * e.over3).toFixed(1)} % (${e.pairs} pair${e.pairs === 1 ? '' : 's'})`;
}

/** The command (file header): resolves, evaluates (or reads back) and prints. */
export async function evaluateDisparityCommand(
  ref: string,
  o: { preset: string; seed?: number; out?: string; runs?: string; epoch?: number },
): Promise<DisparityEvalFile> {
  const { genotype, source } = resolveDisparityGenotype(ref, o.runs, o.epoch);
  const config = resolveDisparityTrainConfig(o.preset, o.seed === undefined ? {} : { seed: o.seed }, '--seed');
  console.log(
    `evaluate-disparity: ${formatAutoDispNetGenotype(genotype)} (${source}), preset ${o.preset}, ${config.epochs} epochs, C ${config.network.C}`,
  );
  const result = await ensureDisparityEvaluation(genotype, config, source, {
    ...(o.out === undefined ? {} : { root: o.out }),
    onEpoch: (r) =>
      console.log(
        `${epochLabel(r.epoch, config.epochs)}: training loss ${r.trainLoss.toFixed(4)}` +
          `${r.testEpe === null ? '' : `, synthetic test EPE ${r.testEpe.toFixed(3)} px`}, lr ${r.lr.toExponential(2)}, ${r.seconds.toFixed(1)} s`,
      ),
  });
  if (result.done) {
    console.log(`evaluation ${result.id} (${result.params} parameters, ${(result.done.seconds / 60).toFixed(1)} min):`);
    if (result.done.synthetic) console.log(`  synthetic test: ${formatDisparityErrors(result.done.synthetic)}`);
    for (const r of result.done.real) console.log(`  ${r.name} (${r.width} x ${r.height}): ${formatDisparityErrors(r)}`);
  }
  return result;
}

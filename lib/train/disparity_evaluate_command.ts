/**
 * `rdarts evaluate-disparity REF --preset P` (docs/method.md §10): train a disparity genotype from
 * scratch (./disparity_train.ts) and print its end-point error and bad-pixel shares on the synthetic
 * test split and the real pairs. REF is, in order: a published genotype by name (AutoDispNet-C), a
 * disparity search run's directory, or its runId under the runs folder; a run must be finished, or
 * `epoch` names the stored epoch whose genotype to take (DARTS-ES's stop epoch, say).
 */
import { DISPARITY_CONFIG_CODEC } from '../problems/disparity/config';
import { epochLabel } from '../runs/records';
import { AUTODISPNET_RELEASED, type AutoDispNetGenotype, formatAutoDispNetGenotype } from '../spaces/autodispnet';
import { resolveDisparityTrainConfig } from './disparity_config';
import { resolveGenotypeRef } from './genotype_ref';
import { type DisparityErrors, type DisparityEvalFile, ensureDisparityEvaluation } from './disparity_train';

/** Disparity genotypes that can be evaluated by name. */
export const NAMED_DISPARITY: Readonly<Record<string, AutoDispNetGenotype>> = Object.freeze({ 'AutoDispNet-C': AUTODISPNET_RELEASED });

/** The genotype `ref` names (file header) and a few words on where it came from. */
export function resolveDisparityGenotype(ref: string, runs?: string, epoch?: number): { genotype: AutoDispNetGenotype; source: string } {
  return resolveGenotypeRef(ref, { command: 'evaluate-disparity', named: NAMED_DISPARITY, codec: DISPARITY_CONFIG_CODEC, runs, epoch });
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
    const k = result.done.constant;
    console.log(`  reference, ${k.value.toFixed(2)} px everywhere (the training pairs' median disparity):`);
    if (k.synthetic) console.log(`    synthetic test: ${formatDisparityErrors(k.synthetic)}`);
    k.real.forEach((e, i) => console.log(`    ${result.done?.real[i].name}: ${formatDisparityErrors(e)}`));
  }
  return result;
}

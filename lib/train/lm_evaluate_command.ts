/**
 * `rdarts evaluate-lm REF --preset P` (docs/method.md §9): train a recurrent genotype from scratch as
 * a language model (./lm_train.ts) and print its validation and test perplexity. REF is, in order:
 * a published cell by name (DARTS_V1, DARTS_V2), a language-modelling search run's directory, or its
 * runId under the runs folder; a run must be finished, or `epoch` names the stored epoch whose cell
 * to take (DARTS-ES's stop epoch, say). `config` is a JSON file of fields that override the preset's
 * evaluation config (lm_config.ts), `seed` one more on top.
 */
import { readOverridesFile } from '../config/overrides_file';
import { PTB_CONFIG_CODEC } from '../problems/ptb/config';
import { epochLabel } from '../runs/records';
import { DARTS_V1_RECURRENT, DARTS_V2_RECURRENT, formatRecurrentGenotype, type RecurrentGenotype } from '../spaces/recurrent';
import { resolveGenotypeRef } from './genotype_ref';
import { resolveLmTrainConfig } from './lm_config';
import { ensureLmEvaluation, type LmEvalFile } from './lm_train';

/** Recurrent cells that can be evaluated by name. */
export const NAMED_RECURRENT: Readonly<Record<string, RecurrentGenotype>> = Object.freeze({
  DARTS_V1: DARTS_V1_RECURRENT,
  DARTS_V2: DARTS_V2_RECURRENT,
});

/** The genotype `ref` names (file header) and a few words on where it came from. */
export function resolveRecurrentGenotype(ref: string, runs?: string, epoch?: number): { genotype: RecurrentGenotype; source: string } {
  return resolveGenotypeRef(ref, { command: 'evaluate-lm', named: NAMED_RECURRENT, codec: PTB_CONFIG_CODEC, runs, epoch });
}

/** The command (file header): resolves, evaluates (or reads back) and prints. */
export async function evaluateLmCommand(
  ref: string,
  o: { preset: string; seed?: number; out?: string; runs?: string; epoch?: number; config?: string },
): Promise<LmEvalFile> {
  // The config first, so that a bad file or field stops before a run is looked up.
  const overrides = { ...(o.config === undefined ? {} : readOverridesFile(o.config)), ...(o.seed === undefined ? {} : { seed: o.seed }) };
  const config = resolveLmTrainConfig(
    o.preset,
    overrides,
    [o.config, o.seed === undefined ? undefined : '--seed'].filter(Boolean).join(' + ') || 'overrides',
  );
  const { genotype, source } = resolveRecurrentGenotype(ref, o.runs, o.epoch);
  console.log(
    `evaluate-lm: ${formatRecurrentGenotype(genotype)} (${source}), preset ${o.preset}, ${config.epochs} epochs, E=H ${config.size}`,
  );
  const result = await ensureLmEvaluation(genotype, config, source, {
    ...(o.out === undefined ? {} : { root: o.out }),
    onEpoch: (r) =>
      console.log(
        `${epochLabel(r.epoch, config.epochs)}: train perplexity ${r.train.perplexity.toFixed(2)}, ` +
          `valid ${r.valid.perplexity.toFixed(2)}${r.averaged ? ' (averaged SGD)' : ''}, ${r.seconds.toFixed(1)} s`,
      ),
  });
  if (result.done)
    console.log(
      `evaluation ${result.id}: best epoch ${result.done.bestEpoch}, valid perplexity ${result.done.valid.perplexity.toFixed(2)}, ` +
        `test perplexity ${result.done.test.perplexity.toFixed(2)} (${result.params} parameters, ${(result.done.seconds / 60).toFixed(1)} min)`,
    );
  const refs = result.done?.reference;
  if (refs)
    console.log(
      `references on the test split (lib/problems/ptb/ngram.ts): unigram ${refs.unigram.test.toFixed(2)}, ` +
        `bigram ${refs.bigram.test.toFixed(2)} (lambda ${refs.bigram.lambda}), from ${refs.trainTokens} training tokens`,
    );
  return result;
}

/** Fake finished DARTS runs and evaluations with the fields the failure analysis reads (notebook 01's tests). */
import type { ControllerDecision } from '../../lib/control/controller';
import type { StoredRun } from '../../lib/runs/run_read';
import type { EpochRecord } from '../../lib/runs/records';
import type { Genotype, GenotypeEntry } from '../../lib/spaces/genotype';
import { getSpace, type SpaceName } from '../../lib/spaces/spaces';
import type { StoredEvaluation } from '../../lib/train/train';

const CONCAT = [2, 3, 4, 5];
/** S3: the normal cell 5 skip_connect + 3 sep_conv_3x3, the reduction cell 8 sep_conv_3x3. */
export const SKIPPY: Genotype = {
  normal: [
    ['skip_connect', 0],
    ['skip_connect', 1],
    ['skip_connect', 0],
    ['sep_conv_3x3', 2],
    ['skip_connect', 1],
    ['sep_conv_3x3', 3],
    ['skip_connect', 0],
    ['sep_conv_3x3', 4],
  ],
  normalConcat: CONCAT,
  reduce: Array.from({ length: 8 }, (_, i): GenotypeEntry => ['sep_conv_3x3', i % 2]),
  reduceConcat: CONCAT,
};
export const noisy = (k: number): Genotype => ({
  ...SKIPPY,
  normal: SKIPPY.normal.map(([, input], i): GenotypeEntry => [i < k ? 'noise' : 'sep_conv_3x3', input]),
});

/** An epoch record with the fields the analysis reads (uniform weights unless given). */
export function record(
  space: SpaceName,
  epoch: number,
  extra: { accuracy?: number; eigenvalue?: number; genotype?: Genotype } = {},
): EpochRecord {
  const s = getSpace(space);
  const uniform = (cell: 'normal' | 'reduce') => s[cell].map((ops) => ops.map(() => 1 / ops.length));
  return {
    epoch,
    valid: { loss: 2, accuracy: extra.accuracy ?? 0.5 },
    weights: { normal: uniform('normal'), reduce: uniform('reduce') },
    genotype: extra.genotype ?? SKIPPY,
    ...(extra.eigenvalue === undefined ? {} : { hessian: { dominantEigenvalue: extra.eigenvalue } }),
  } as unknown as EpochRecord;
}

/** A finished run (only the fields the analysis reads). */
export function run(space: SpaceName, genotype: Genotype, epochs: EpochRecord[], decisions: Partial<ControllerDecision>[] = []): StoredRun {
  return {
    runId: `fake-${space}`,
    dir: `/runs/fake-${space}`,
    config: { space, epochs: epochs.length },
    epochs,
    done: true,
    genotype: { epoch: epochs.length - 1, genotype },
    decisions,
  } as unknown as StoredRun;
}

export function evaluation(testError: number, extra: Partial<StoredEvaluation> = {}): StoredEvaluation {
  return {
    dir: '/evals/fake',
    done: true,
    testError,
    testImages: 64,
    config: { dataset: 'fashion-mnist' },
    params: { withoutAuxiliary: 1234, withAuxiliary: 2345 },
    ...extra,
  } as unknown as StoredEvaluation;
}

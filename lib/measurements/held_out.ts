/**
 * Measurements on trained evaluations: a random-search candidate's accuracy on held-out training
 * images (its validation score, kept beside the evaluation in HELD_OUT_FILE), and the final
 * evaluation of a run's genotype (docs/method.md §4-5). Notebook 04's tables read them
 * (lib/analysis/regularisation.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../backend';
import { evalBatches } from '../data/batches';
import type { DatasetSplits } from '../data/dataset';
import { dataFingerprint } from '../data/fingerprint';
import { writeFileAtomic } from '../io/atomic';
import { checkpointFile } from '../runs/run_read';
import type { StoredRun } from '../runs/run_read';
import { accuracy } from '../nn/loss';
import {
  createEvalState,
  disposeEvalState,
  ensureEvaluation,
  evaluationData,
  loadEvalCheckpoint,
  type StoredEvaluation,
} from '../train/train';
import { type TrainConfig } from '../train/train_config';
import { finalGenotype } from '../runs/run_read';

/**
 * Random search's validation accuracy of a finished evaluation: its trained network (the last
 * checkpoint), eval mode, on the `images` training images after the `trainSubset` it trained on.
 * `splits` replaces loading the data set (tests). Throws when nothing is held out.
 */
export function heldOutAccuracy(evaluation: StoredEvaluation, images: number, splits?: DatasetSplits): number {
  if (!evaluation.done) throw new Error(`heldOutAccuracy: the evaluation in ${evaluation.dir} is not finished`);
  if (!Number.isInteger(images) || images < 1) throw new Error(`heldOutAccuracy: images must be a positive integer, got ${images}`);
  const { config } = evaluation;
  const data = evaluationData(config, splits);
  const from = data.train.end;
  const to = Math.min(data.train.dataset.n, from + images);
  if (to <= from) throw new Error(`heldOutAccuracy: config.trainSubset (${config.trainSubset}) leaves no training image held out`);
  const fingerprint = dataFingerprint(data.train.dataset, from, to);
  const file = path.join(evaluation.dir, HELD_OUT_FILE);
  const stored = ((): HeldOutRecord[] => {
    if (!fs.existsSync(file)) return [];
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as HeldOutRecord[];
    } catch (e) {
      throw new Error(`heldOutAccuracy: ${file} is not JSON (${(e as Error).message}); remove it to measure again`, { cause: e });
    }
  })();
  const hit = stored.find((r) => r.from === from && r.to === to && r.data === fingerprint);
  if (hit) return hit.accuracy;
  const checkpoint = checkpointFile(evaluation.dir, config.epochs - 1);
  if (!fs.existsSync(checkpoint)) {
    throw new Error(
      `heldOutAccuracy: the evaluation in ${evaluation.dir} has no final checkpoint and no ${HELD_OUT_FILE} entry ` +
        `for images [${from}, ${to}) of these data (${fingerprint})`,
    );
  }
  const state = createEvalState(evaluation.genotype, config, data);
  try {
    loadEvalCheckpoint(checkpoint, state);
    let correct = 0;
    for (const batch of evalBatches(data.train.dataset, config.batchSize, from, to)) {
      const n = batch.y.shape[0];
      tf.tidy(() => {
        correct += Math.round(accuracy(state.net.forward(batch.x, { training: false }).logits, batch.y) * n);
      });
      tf.dispose([batch.x, batch.y]);
    }
    const result = correct / (to - from);
    writeFileAtomic(file, `${JSON.stringify([...stored, { from, to, data: fingerprint, accuracy: result }], null, 1)}\n`);
    return result;
  } finally {
    disposeEvalState(state);
  }
}

/**
 * Where heldOutAccuracy keeps its results in the evaluation's directory, so that the committed
 * records (eval.json without the 6 MB checkpoint at mini) still give random search's choice.
 */
export const HELD_OUT_FILE = 'held_out.json';

/** The evaluation (ensureEvaluation, silent) of a finished run's final genotype under `config`. */
export async function evaluateFinal(run: StoredRun, config: TrainConfig): Promise<StoredEvaluation> {
  const { epoch, genotype } = finalGenotype(run);
  const source = { kind: 'run' as const, runId: run.runId, dir: run.dir, epoch };
  return (await ensureEvaluation(genotype, config, { progress: 'off', source })).evaluation;
}

/** One stored held-out accuracy: images [from, to) of the training split, whose fingerprint is `data`. */
interface HeldOutRecord {
  readonly from: number;
  readonly to: number;
  readonly data: string;
  readonly accuracy: number;
}

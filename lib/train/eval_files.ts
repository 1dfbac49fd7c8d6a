/**
 * The files of a from-scratch evaluation that keeps one JSON file and the latest checkpoint
 * (./lm_train.ts, ./disparity_train.ts): `<dir>/<file>` rewritten atomically, and
 * `<dir>/checkpoint/epoch-<e>.safetensors`, written before the epoch's record so that a record
 * always has its checkpoint; every older checkpoint is then removed (also one left by a crash
 * between a record and the removal).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { tf } from '../backend';
import { writeFileAtomic } from '../io/atomic';
import { saveSafetensors, type TensorSet } from '../runs/safetensors';

/** What a from-scratch evaluation takes besides its genotype and config. */
export interface EvaluationOptions<R> {
  /** Folder of evaluation directories (default `evalsRoot()`, ./train.ts). */
  readonly root?: string;
  /** Stop after this many more epochs (tests: an interrupted training). */
  readonly maxEpochs?: number;
  /** Called after each epoch with its record. */
  readonly onEpoch?: (r: R) => void;
}

/** The evaluation file `file`, parsed, or undefined where it does not exist. */
export function readEvalFile<T>(file: string): T | undefined {
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as T) : undefined;
}

/** Writes `contents` to `file` atomically, as the evaluations store it (JSON, one space of indent). */
export function writeEvalFile(file: string, contents: object): void {
  writeFileAtomic(file, JSON.stringify(contents, null, 1) + '\n');
}

/** Named tensors as float32 safetensors records, each name prefixed. */
export function tensorRecords(prefix: string, tensors: ReadonlyMap<string, tf.Tensor>): TensorSet {
  return Object.fromEntries(
    [...tensors].map(([k, v]) => [prefix + k, { dtype: 'F32' as const, shape: v.shape, data: v.dataSync() as Float32Array }]),
  );
}

/** The checkpoint file of `epoch` in an evaluation directory. */
export function evalCheckpoint(dir: string, epoch: number): string {
  return path.join(dir, 'checkpoint', `epoch-${epoch}.safetensors`);
}

/** Stores an epoch (file header): its checkpoint, then the evaluation file, then removes the older checkpoints. */
export function storeEvalEpoch(
  dir: string,
  file: string,
  epoch: number,
  checkpoint: { readonly tensors: TensorSet; readonly metadata: Record<string, string> },
  contents: object,
): void {
  const ckpt = evalCheckpoint(dir, epoch);
  saveSafetensors(ckpt, checkpoint.tensors, checkpoint.metadata);
  writeEvalFile(file, contents);
  for (const f of fs.readdirSync(path.dirname(ckpt)))
    if (f !== path.basename(ckpt)) fs.rmSync(path.join(path.dirname(ckpt), f), { force: true });
}

/**
 * What a search records (docs/method.md §1; lib/runs/store.ts has the files): per epoch one line of plain
 * JSON, self-describing, never edited after it is written, and the controller's decisions.
 * Analysis derives tables from these.
 */
import type { CurvatureRecord } from '../hessian/track';
import type { Genotype } from '../spaces/genotype';

/** Loss and metric (for DARTS: accuracy) of the model over a pass. */
export interface LossAccuracy {
  readonly loss: number;
  readonly accuracy: number;
}

/**
 * The architecture fields of an epoch record, which the search problem makes from its model's
 * alphas (lib/search/problem.ts): at least the discrete architecture, `genotype` (a JSON object).
 */
export interface ArchitectureRecord {
  readonly genotype: object;
}

/** The DARTS problem's architecture fields. */
export interface DartsArchitectureRecord extends ArchitectureRecord {
  /** Raw alphas [14][n_ops] after the epoch. */
  readonly alphas: { readonly normal: number[][]; readonly reduce: number[][] };
  /** softmax(alphas) row-wise: the MixedOp weights. */
  readonly weights: { readonly normal: number[][]; readonly reduce: number[][] };
  readonly genotype: Genotype;
}

/** The fields of an epoch record before the architecture's. */
export interface EpochHead {
  /** 0-based epoch index. */
  readonly epoch: number;
  /** The weights' learning rate used in this epoch (cosine schedule, set per epoch). */
  readonly lr: number;
  /** Weight steps taken in this epoch. */
  readonly steps: number;
  /** Mean over the epoch's weight steps, on the (augmented) weight half, training mode. */
  readonly train: LossAccuracy;
  /** Mean over the epoch's alpha steps, on the alpha half, training mode. */
  readonly search: LossAccuracy;
  /** The model on the whole alpha half after the epoch, eval mode (running BN statistics). */
  readonly valid: LossAccuracy;
}

/** The fields of an epoch record after the architecture's. */
export interface EpochTail {
  /**
   * The curvature after the epoch (docs/method.md §3), on the epoch's last alpha batch: present at the
   * epochs that measure it (lib/search/loop.ts `curvatureDue`).
   */
  readonly hessian?: CurvatureRecord;
  /**
   * The search-time regularisation of this epoch (docs/method.md §4): the weights' L2 factor (DARTS-ADA
   * raises it) and the ScheduledDropPath probability p e / (epochs - 1). Absent in older runs.
   */
  readonly regularization?: { readonly l2: number; readonly dropPathProb: number };
  /**
   * Wall-clock seconds of the epoch: search steps, the curvature (when measured) and the evaluation.
   * Kept in timings.jsonl, apart from the rest of the record (lib/runs/store.ts).
   */
  readonly seconds: { readonly search: number; readonly valid: number; readonly hessian?: number };
  /** Which engine produced this epoch (a resumed run may change machines). */
  readonly backend: string;
}

/**
 * One finished search epoch: head, the problem's architecture fields A (DARTS's by default), tail,
 * written in that order ("loss" and "accuracy" are the problem's loss and metric).
 */
export type EpochRecord<A extends ArchitectureRecord = DartsArchitectureRecord> = EpochHead & A & EpochTail;

/** What the eigenvalue controller did on a firing of its rule (lib/control/controller.ts): a line of decisions.jsonl. */
export interface ControllerDecision<A extends ArchitectureRecord = DartsArchitectureRecord> {
  readonly action: 'stop' | 'simulate' | 'rollback';
  /** The rule's name (lib/control/early_stop.ts). */
  readonly rule: string;
  readonly decisionEpoch: number;
  /** The epoch whose genotype is the early-stopping result, and the rollback point. */
  readonly stopEpoch: number;
  readonly ratio: number;
  /** The genotype after the stop epoch. */
  readonly genotype: A['genotype'];
  /** The weights' L2 factor before and after (equal unless the action is 'rollback'). */
  readonly l2: { readonly before: number; readonly after: number };
  /** 'rollback': the records of the epochs undone (stopEpoch + 1 .. decisionEpoch), without timings. */
  readonly discarded?: readonly Omit<EpochRecord<A>, 'seconds'>[];
}

/** An epoch's wall-clock seconds: its search steps, the curvature (when measured) and the evaluation. */
export function epochSeconds(r: { readonly seconds: EpochTail['seconds'] }): number {
  return r.seconds.search + r.seconds.valid + (r.seconds.hessian ?? 0);
}

/**
 * How people read an epoch: numbered from 0 as in the records, the tables and the paper's code
 * (DARTS-ES's e >= 22 rule), with the range it belongs to, e.g. "epoch 12 of 0-49".
 */
export function epochLabel(epoch: number, epochs: number): string {
  return `epoch ${epoch} of 0-${epochs - 1}`;
}

/**
 * What an interrupted job keeps (lib/runs/interrupt.ts), in one sentence: its finished epochs, the
 * last one's checkpoint (older ones are pruned); the epoch in progress is lost and a re-run starts it
 * again. Epochs numbered from 0, as `epochLabel`.
 */
export function savedEpochsMessage(done: number, epochs: number): string {
  if (done === 0) return `No epoch was finished (epochs run 0-${epochs - 1}); a re-run starts at epoch 0.`;
  return (
    `Epochs 0-${done - 1} of 0-${epochs - 1} are saved, with the last one's checkpoint; ` +
    `epoch ${done} was in progress and is lost: a re-run resumes at its start.`
  );
}

/**
 * What a search records per epoch (PAPER.md 1; DESIGN.md "epochs.jsonl"): plain JSON, one line per
 * epoch, self-describing, never edited after it is written. Analysis derives tables from these.
 */
import type { CurvatureRecord } from '../hessian/track';
import type { Genotype } from '../spaces/genotype';

/** Loss and accuracy of the supernet over a pass. */
export interface LossAccuracy {
  readonly loss: number;
  readonly accuracy: number;
}

/** One finished search epoch. */
export interface EpochRecord {
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
  /** The supernet on the whole alpha half after the epoch, eval mode (running BN statistics). */
  readonly valid: LossAccuracy;
  /** Raw alphas [14][n_ops] after the epoch. */
  readonly alphas: { readonly normal: number[][]; readonly reduce: number[][] };
  /** softmax(alphas) row-wise: the MixedOp weights. */
  readonly weights: { readonly normal: number[][]; readonly reduce: number[][] };
  readonly genotype: Genotype;
  /**
   * The curvature after the epoch (PAPER.md 3), on the epoch's last alpha batch: present at the
   * epochs that measure it (lib/search/loop.ts `curvatureDue`).
   */
  readonly hessian?: CurvatureRecord;
  /**
   * The search-time regularisation of this epoch (PAPER.md 4): the weights' L2 factor (DARTS-ADA
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

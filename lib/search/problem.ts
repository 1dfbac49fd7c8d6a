/**
 * The seam between the search and what it searches (docs/architecture.md). The search loop, both
 * steps, the run store, checkpoints, curvature tracking and the eigenvalue controller work on any
 * `SearchProblem`; a problem brings
 *   - its config (the loop's fields, lib/config/search_config.ts `LoopConfig`, and its own), with
 *     the codec the run store validates and identifies it by;
 *   - its data: the weights' half in epochs of batches, the alphas' half as batches drawn per
 *     iteration and in evaluation batches (docs/method.md §1: the bi-level split);
 *   - its model (lib/nn/model.ts): named weights and alphas, the loss and metric of a batch;
 *   - the architecture fields of an epoch record, made from the alphas: the discrete architecture
 *     (`genotype`) and whatever selection and the report read.
 * The DARTS supernet on the image data sets is one (lib/problems/darts); a toy one lives in the
 * tests (test/search/toy_problem.ts).
 */
import type { LoopConfig } from '../config/search_config';
import type { ConfigCodec } from '../config/validation';
import type { SearchModel } from '../nn/model';
import type { ArchitectureRecord } from '../runs/records';

/** One epoch of the search, as the data sees it. */
export interface EpochPlan {
  readonly epoch: number;
  readonly epochs: number;
  readonly batchSize: number;
  /** The config's seed: every draw is a function of (seed, epoch, step), so an epoch replays from a checkpoint. */
  readonly seed: number;
}

/** The data of a search: the weights' half and the alphas' half of the training data. */
export interface SearchData<B> {
  /** The weights' batches of one epoch: a pass over the weights' half, shuffled and augmented by the plan's draws. */
  weightBatches(plan: EpochPlan): Iterable<B>;
  /** The number of batches `weightBatches(plan)` yields (search iterations of the plan's epoch). */
  steps(plan: EpochPlan): number;
  /** A batch of the alphas' half drawn with `seed` (one per search iteration), augmented as the plan's epoch says. */
  alphaBatch(plan: EpochPlan, seed: number): B;
  /** The whole alphas' half in order, un-augmented, in batches (the epoch's evaluation). */
  evalBatches(batchSize: number): Iterable<B>;
  /** Examples in the alphas' half. */
  readonly alphaExamples: number;
  /**
   * The factor of the weights' learning rate for a weight batch (default 1). The language model's
   * windows vary in length and scale the rate by length / bptt, as the DARTS code does.
   */
  lrScale?(batch: B): number;
  /** Frees a batch's tensors. */
  dispose(batch: B): void;
  /** Frees what the data itself holds (the language model's carried states); the runner calls it when the run's work ends. */
  release?(): void;
  /** Where the data were read from (a folder or an archive), recorded in the run's config.json. */
  readonly source?: string;
}

/** A search problem on batches B, recording architecture fields A, configured by C. */
export interface SearchProblem<B, A extends ArchitectureRecord, C extends LoopConfig = LoopConfig> {
  readonly config: C;
  /** How the run store validates a stored config and names the run. */
  readonly codec: ConfigCodec<C>;
  /** A few words for messages, e.g. "s3, seed 1" (DARTS). */
  readonly label: string;
  /** Loads (and checks) the data; called before anything of a run is written, so a bad file changes nothing. */
  loadData(): SearchData<B>;
  /** A fresh model for `data`, initialised from `config.seed`. */
  createModel(data: SearchData<B>): SearchModel<B>;
  /** The architecture fields of an epoch record, from the model's alphas. */
  architecture(model: SearchModel<B>): A;
  /** A few words on an epoch's architecture for the progress line (optional; changes no result). */
  describe?(architecture: A): string;
  /**
   * The progress lines' name of what the records' `accuracy` fields hold (default 'acc'; the
   * disparity problem's is the end-point error, 'EPE px', lower is better). Changes no result.
   */
  readonly metricName?: string;
  /**
   * The second-order step's clip (lib/search/step.ts `AlphaStepOptions.clip`): the recurrent cell's
   * unrolled step clips its gradients as the DARTS rnn code does; absent: the image code's, unclipped.
   */
  readonly unrolledClip?: number;
}

/**
 * What the bi-level search asks of a model (docs/method.md §1), whatever the task: named
 * weights (trained on the training loss) and named architecture parameters, the alphas (trained on
 * the validation loss); the loss of a batch, with the alphas optionally replaced by given tensors
 * (the loss as a function of the alphas: the curvature, lib/hessian); a metric of its output; and
 * the variables a checkpoint holds, with their layouts (lib/runs/checkpoint.ts). The DARTS supernet
 * (lib/problems/darts/supernet/network.ts) is one; a search problem (lib/search/problem.ts) makes them.
 */
import type { tf } from '../backend';
import type { ForwardOptions, NamedVariable } from './module';

/** Options of one pass of a model's loss. */
export interface PassOptions extends ForwardOptions {
  /**
   * Tensors that stand in for the model's own alphas in this pass, by the names of `alphaParams`
   * (every one, each of its variable's shape): the loss as a pure function of the alphas.
   */
  readonly alphas?: ReadonlyMap<string, tf.Tensor>;
  /**
   * 'architecture': the loss the alphas' gradient is taken of, as the DARTS code's `_loss` (the
   * task's loss without the weights' own regularisers, e.g. the language model's TAR), for the
   * unrolled step's passes on a training batch (lib/search/step.ts). Absent: the batch's own loss.
   */
  readonly objective?: 'architecture';
}

/** A model of the search, on batches of type B. It owns its variables: call `dispose()`. */
export interface SearchModel<B> {
  /** Trainable weights by name, in a fixed order (the weight optimiser's parameters). */
  readonly weights: ReadonlyMap<string, tf.Variable>;
  /**
   * The alphas by name, in a fixed order: the alpha optimiser's parameters, and the order in which
   * the curvature flattens them (row-major each, one after the other).
   */
  readonly alphaParams: ReadonlyMap<string, tf.Variable>;
  /**
   * Every variable that a checkpoint holds besides the alphas (weights and non-trainable state such
   * as batch-norm running statistics), named and laid out as written to the file.
   */
  readonly variables: readonly NamedVariable[];
  /** What a checkpoint must have been written by: one of another architecture or size refuses to load. */
  readonly checkpointKey: string;
  /**
   * The mean loss of `batch` (a scalar) and the output `metric` reads; the caller owns both.
   * Every random draw inside comes from `options.seed`.
   */
  loss(batch: B, options: PassOptions): { loss: tf.Scalar; output: tf.Tensor };
  /** The task's metric of an output on its batch (accuracy for classification), a number. */
  metric(output: tf.Tensor, batch: B): number;
  /** The number of examples in `batch` (the weight of its mean in an epoch's averages). */
  examples(batch: B): number;
  dispose(): void;
}

/**
 * The cell of the final evaluation network (docs/method.md §5), as the DARTS code's `model.py` Cell: s0 and
 * s1 are preprocessed to C channels (ReLU-Conv1x1-BN, or FactorizedReduce for s0 after a reduction
 * cell); node i sums the 2 ops of genotype entries 2i and 2i+1, each on the state its entry names
 * (0 = s0, 1 = s1, 2 + m = node m), with stride 2 on s0 and s1 in a reduction cell; the output
 * concatenates the genotype's concat states. Every BN is affine. In training mode with a drop-path
 * probability p > 0 every op output other than an identity (skip_connect at stride 1) goes through
 * drop path (lib/train/drop_path.ts). Variable names: `preprocess0.*`, `preprocess1.*`, `_ops.<k>.*`
 * with k the entry's index in the genotype's list.
 */
import { tf } from '../backend';
import { Identity } from '../nn/basic';
import { ReLUConvBN } from '../nn/conv_ops';
import { FactorizedReduce } from '../nn/factorized_reduce';
import { concatChannels, sumN } from '../nn/lean';
import { Module, type ForwardContext, type Op } from '../nn/module';
import { OPS } from '../nn/ops';
import { Init } from '../nn/random';
import type { GenotypeEntry } from '../spaces/genotype';
import { dropPath } from '../nn/drop_path';

/** The sizes of one evaluation cell (the same fields as lib/problems/darts/supernet/cell.ts `CellSizes`). */
export interface EvalCellSizes {
  /** Channels of s0 (output of cell k-2, or the stem). */
  readonly cPrevPrev: number;
  /** Channels of s1 (output of cell k-1, or the stem). */
  readonly cPrev: number;
  /** Channels of each node (the cell outputs concat.length x C). */
  readonly C: number;
  readonly reduction: boolean;
  /** Whether the previous cell reduced (then FactorizedReduce halves s0's size). */
  readonly reductionPrev: boolean;
}

/** One cell type of a genotype: its entries and concat (validated by lib/train/genotype_check.ts). */
export interface CellGenotype {
  readonly entries: readonly GenotypeEntry[];
  readonly concat: readonly number[];
}

/** One cell of the evaluation network. */
export class EvalCell extends Module {
  readonly reduction: boolean;
  readonly preprocess0: Op;
  readonly preprocess1: Op;
  readonly ops: readonly Op[];
  /** The state each op reads, by op index. */
  readonly inputs: readonly number[];
  readonly concat: readonly number[];
  /** Output channels: concat.length x C. */
  readonly outChannels: number;

  constructor(cell: CellGenotype, sizes: EvalCellSizes, init: Init = new Init(0)) {
    super();
    const { cPrevPrev, cPrev, C, reduction, reductionPrev } = sizes;
    this.reduction = reduction;
    this.preprocess0 = this.addChild(
      'preprocess0',
      reductionPrev ? new FactorizedReduce(cPrevPrev, C, true, init) : new ReLUConvBN(cPrevPrev, C, 1, 1, 0, true, init),
    );
    this.preprocess1 = this.addChild('preprocess1', new ReLUConvBN(cPrev, C, 1, 1, 0, true, init));
    this.ops = cell.entries.map(([name, input], k) => this.addChild(`_ops.${k}`, OPS[name](C, reduction && input < 2 ? 2 : 1, true, init)));
    this.inputs = cell.entries.map(([, input]) => input);
    this.concat = [...cell.concat];
    this.outChannels = this.concat.length * C;
  }

  /**
   * s0: [N, H, W, cPrevPrev] (or [N, 2H, 2W, cPrevPrev] after a reduction cell), s1:
   * [N, H, W, cPrev] -> [N, H', W', outChannels] with H' = H / 2 in a reduction cell.
   * `dropPathProb`: the drop-path probability, used in training mode only. The caller owns the result.
   */
  apply(s0: tf.Tensor4D, s1: tf.Tensor4D, ctx: ForwardContext, dropPathProb = 0): tf.Tensor4D {
    return tf.tidy(() => {
      const states: tf.Tensor4D[] = [this.preprocess0.apply(s0, ctx), this.preprocess1.apply(s1, ctx)];
      for (let k = 0; k < this.ops.length; k += 2) {
        const terms = [k, k + 1].map((j) => {
          const op = this.ops[j];
          const h = op.apply(states[this.inputs[j]], ctx);
          const drop = ctx.training && dropPathProb > 0 && !(op instanceof Identity);
          return drop ? dropPath(h, dropPathProb, ctx.nextSeed()) : h;
        });
        states.push(sumN(terms));
      }
      return concatChannels(this.concat.map((i) => states[i]));
    });
  }
}

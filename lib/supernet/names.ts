/**
 * How the supernet's variables map to the PyTorch DARTS code's `state_dict()` (PAPER.md 2;
 * quark0/darts cnn/model_search.py and cnn/operations.py, RobustDARTS src/search/model_search.py).
 *
 * Names are the same, in the same order: `stem.0.weight`, `stem.1.{weight,bias,running_mean,
 * running_var}`, then per cell `cells.<i>.preprocess0.op.1.weight` (ReLUConvBN) or
 * `cells.<i>.preprocess0.conv_1.weight`, `.conv_2.weight` (FactorizedReduce, after a reduction
 * cell), `cells.<i>.preprocess1.op.1.weight`, then `cells.<i>._ops.<edge>._ops.<k>.<op>` with <op>
 * `op.1.weight` (depthwise), `op.2.weight` (pointwise), `op.3.*` (BN) for dil_conv, also `op.5`,
 * `op.6`, `op.7.*` for sep_conv, `conv_1`/`conv_2`/`bn.*` for skip_connect at stride 2, `1.*` (the
 * BN after a pool); finally `classifier.weight`, `classifier.bias`. The alphas are not in the
 * state_dict (plain tensors there too).
 *
 * Layouts (ours -> PyTorch):
 *   conv       HWIO [KH, KW, I, O]  -> OIHW [O, I, KH, KW]   permute (3, 2, 0, 1); back (2, 3, 1, 0)
 *   depthwise  [KH, KW, C, 1]       -> [C, 1, KH, KW]        permute (2, 3, 0, 1), both ways
 *   linear     [in, out]            -> [out, in]             transpose
 *   vector     BN weight, bias, running_mean, running_var, linear bias: 1:1
 * PyTorch's `num_batches_tracked` (an int64 scalar per BN) has no counterpart here: a converter
 * writes the number of training steps or 0, and ignores it when reading.
 */
import type { NamedVariable, TorchLayout } from '../nn/module';

const TO_TORCH: Readonly<Record<TorchLayout, readonly number[] | null>> = {
  conv: [3, 2, 0, 1],
  depthwise: [2, 3, 0, 1],
  linear: [1, 0],
  vector: null,
};

const FROM_TORCH: Readonly<Record<TorchLayout, readonly number[] | null>> = {
  conv: [2, 3, 1, 0],
  depthwise: [2, 3, 0, 1],
  linear: [1, 0],
  vector: null,
};

/** The permutation (tf.transpose's `perm`) from our layout to PyTorch's; null when they agree. */
export function toTorchPermutation(layout: TorchLayout): readonly number[] | null {
  return TO_TORCH[layout];
}

/** The permutation from PyTorch's layout to ours; null when they agree. */
export function fromTorchPermutation(layout: TorchLayout): readonly number[] | null {
  return FROM_TORCH[layout];
}

/** PyTorch's shape of a tensor of `shape` in our `layout`. */
export function torchShape(layout: TorchLayout, shape: readonly number[]): number[] {
  const perm = TO_TORCH[layout];
  if (perm && perm.length !== shape.length) {
    throw new Error(`torchShape: a ${layout} tensor has rank ${perm.length}; got shape [${shape}]`);
  }
  return perm ? perm.map((axis) => shape[axis]) : [...shape];
}

/**
 * {state_dict name: PyTorch shape} of every weight and running statistic of `network` (a
 * SearchNetwork or any module), in state_dict order, without `num_batches_tracked`.
 */
export function torchStateDictShapes(network: { readonly variables: readonly NamedVariable[] }): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const v of network.variables) out[v.name] = torchShape(v.layout, v.variable.shape);
  return out;
}

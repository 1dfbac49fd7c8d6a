/**
 * How the supernet's variables map to the PyTorch DARTS code's `state_dict()` (docs/method.md §2;
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
 * Layouts (ours -> PyTorch): lib/nn/layouts.ts.
 * PyTorch's `num_batches_tracked` (an int64 scalar per BN) has no counterpart here: a converter
 * writes the number of training steps or 0, and ignores it when reading.
 */
import type { NamedVariable } from '../../../nn/module';
import { torchShape } from '../../../nn/layouts';

/**
 * {state_dict name: PyTorch shape} of every weight and running statistic of `network` (a
 * SearchNetwork or any module), in state_dict order, without `num_batches_tracked`.
 */
export function torchStateDictShapes(network: { readonly variables: readonly NamedVariable[] }): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const v of network.variables) out[v.name] = torchShape(v.layout, v.variable.shape);
  return out;
}

/**
 * How a variable's layout maps to PyTorch's (the checkpoint writes PyTorch's: lib/runs/checkpoint.ts).
 *
 * Layouts (ours -> PyTorch):
 *   conv       HWIO [KH, KW, I, O]  -> OIHW [O, I, KH, KW]   permute (3, 2, 0, 1); back (2, 3, 1, 0)
 *   depthwise  [KH, KW, C, 1]       -> [C, 1, KH, KW]        permute (2, 3, 0, 1), both ways
 *   linear     [in, out]            -> [out, in]             transpose
 *   vector     BN weight, bias, running_mean, running_var, linear bias: 1:1
 */
import type { TorchLayout } from './module';

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

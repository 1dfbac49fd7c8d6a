/**
 * What the recurrent oracle tests share (test/problems/recurrent_*_torch.test.ts): a network case's
 * dropout masks and token window, made from the fixture's tensors.
 */
import { tf } from '../../lib/backend';

/** The fixed masks of a network case: embedding rows, input, output, and the cell's x and h. */
export function fixtureNoise(input: (name: string) => tf.Tensor) {
  return {
    embeddingRows: input('rows') as tf.Tensor2D,
    input: input('minput') as tf.Tensor2D,
    output: input('moutput') as tf.Tensor2D,
    cell: { x: input('mx') as tf.Tensor2D, h: input('mh') as tf.Tensor2D },
  };
}

/** Every tensor of `noise`, to dispose. */
export const noiseTensors = (n: ReturnType<typeof fixtureNoise>) => [n.embeddingRows, n.input, n.output, n.cell.x, n.cell.h];

/** The case's tokens [T + 1, B] as the window's inputs (rows 0..T-1) and targets (rows 1..T). */
export function fixtureWindow(tokens: readonly number[], T: number, B: number) {
  const all = tf.tensor2d(tokens as number[], [T + 1, B], 'int32');
  const window = { inputs: tf.slice(all, [0, 0], [T, B]) as tf.Tensor2D, targets: tf.slice(all, [1, 0], [T, B]) as tf.Tensor2D };
  all.dispose();
  return window;
}

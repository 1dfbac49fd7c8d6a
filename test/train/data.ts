/** Shared by the training tests: a learnable data set that needs no files. */
import type { Dataset } from '../../lib/data/dataset';

/**
 * A learnable 28x28 data set (no files): class k is noise plus a bright 8x12 block at a place of
 * its own, so that a few steps lower the loss. Fashion-MNIST's size, for the auxiliary head.
 */
export function blockImages(n: number, split: 'train' | 'test', seed: number): Dataset {
  const images = new Uint8Array(n * 784);
  const labels = new Uint8Array(n).map((_, i) => i % 10);
  let s = seed;
  for (let i = 0; i < n; i++) {
    const [r0, c0] = [(labels[i] % 5) * 5, Math.floor(labels[i] / 5) * 14];
    for (let p = 0; p < 784; p++) {
      s = (s * 1103515245 + 12345) >>> 0;
      const [y, x] = [Math.floor(p / 28), p % 28];
      images[i * 784 + p] = (s >>> 26) + (y >= r0 && y < r0 + 8 && x >= c0 && x < c0 + 12 ? 180 : 0);
    }
  }
  return { name: 'fashion-mnist', split, images, labels, n, height: 28, width: 28, channels: 1, classes: 10, mean: [0.2], std: [0.3] };
}

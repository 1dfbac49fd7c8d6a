/** Data for the NAS-Bench-201 tests. */
import type { Dataset } from '../../lib/data/dataset';

/** `n` random 16x16x3 images in 10 classes. */
export function synthetic(n = 64): Dataset {
  const images = new Uint8Array(n * 16 * 16 * 3);
  for (let i = 0; i < images.length; i++) images[i] = (i * 2654435761) >>> 24;
  const labels = Uint8Array.from({ length: n }, (_, i) => (i * 7) % 10);
  return {
    name: 'cifar10-jpeg',
    split: 'train',
    images,
    labels,
    n,
    height: 16,
    width: 16,
    channels: 3,
    classes: 10,
    mean: [0.5, 0.5, 0.5],
    std: [0.29, 0.29, 0.29],
  };
}

/** Shared by the search tests: a synthetic data set and a smoke config. */
import { resolveConfig, SearchConfig } from '../../lib/config/search_config';
import type { Dataset } from '../../lib/data/dataset';

/** A small synthetic data set (no files): 48 images of 8x8x1, 10 classes, seeded pixels. */
export function fakeDataset(n = 48): Dataset {
  const images = new Uint8Array(n * 64);
  let s = 12345;
  for (let i = 0; i < images.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    images[i] = s >>> 24;
  }
  const labels = new Uint8Array(n).map((_, i) => i % 10);
  return {
    name: 'fashion-mnist',
    split: 'train',
    images,
    labels,
    n,
    height: 8,
    width: 8,
    channels: 1,
    classes: 10,
    mean: [0.5],
    std: [0.29],
  };
}

export function smokeConfig(overrides: Record<string, unknown> = {}): SearchConfig {
  return resolveConfig('smoke', { trainSubset: 48, batchSize: 8, epochs: 3, ...overrides });
}

import * as assert from 'assert';
import { channelStats, checkLabels, labelHistogram, makeSplits } from '../../lib/data/dataset';
import { assertClose } from '../helpers';

describe('channelStats', () => {
  it('gives the per-channel mean and population std in [0, 1] units', () => {
    // Two pixels, two channels: channel 0 holds 0 and 255, channel 1 holds 51 and 51.
    const { mean, std } = channelStats(Uint8Array.from([0, 51, 255, 51]), 2);
    assertClose(mean, [0.5, 0.2], 1e-12, 'mean');
    assertClose(std, [0.5, 0], 1e-12, 'std');
  });

  it('matches a direct float64 computation on a larger array', () => {
    const px = Uint8Array.from({ length: 3 * 1000 }, (_, i) => (i * 37 + (i >> 3)) % 256);
    const { mean, std } = channelStats(px, 3);
    for (let c = 0; c < 3; c++) {
      const v: number[] = [];
      for (let i = c; i < px.length; i += 3) v.push(px[i] / 255);
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      const s = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
      assertClose([mean[c], std[c]], [m, s], 1e-12, `channel ${c}`);
    }
  });

  it('rejects pixels that do not split into the channels', () => {
    assert.throws(() => channelStats(new Uint8Array(5), 3), /channels=3/);
  });
});

describe('checkLabels', () => {
  it('accepts labels in range and names the file and record otherwise', () => {
    checkLabels([0, 9, 3], 10, 'f.bin');
    assert.throws(() => checkLabels([0, 10], 10, 'f.bin'), /^Error: f\.bin: label 10 of record 1 is out of range \[0, 10\)/);
  });
});

describe('labelHistogram', () => {
  it('counts the images of each class', () => {
    assert.deepStrictEqual(labelHistogram([1, 1, 0, 2], 4), [1, 2, 1, 0]);
  });
});

describe('makeSplits', () => {
  const shape = { height: 1, width: 2, channels: 1 };
  it('attaches the training statistics to both splits', () => {
    const train = { images: Uint8Array.from([0, 255]), labels: Uint8Array.from([1]), n: 1 };
    const test = { images: Uint8Array.from([7, 7, 9, 9]), labels: Uint8Array.from([0, 1]), n: 2 };
    const s = makeSplits('cifar10', shape, 10, train, test);
    assert.deepStrictEqual([s.train.split, s.test.split, s.test.n, s.test.classes], ['train', 'test', 2, 10]);
    assertClose(s.test.mean, [0.5], 1e-12);
    assertClose(s.test.std, [0.5], 1e-12);
  });

  it('rejects arrays that do not match the shape', () => {
    const bad = { images: new Uint8Array(3), labels: new Uint8Array(1), n: 1 };
    assert.throws(() => makeSplits('svhn', shape, 10, bad, bad), /svhn train: 3 pixels and 1 labels do not make 1 images of 1x2x1/);
  });
});

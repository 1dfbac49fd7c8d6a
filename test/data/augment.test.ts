import * as assert from 'assert';
import {
  applyCutout,
  checkAugment,
  drawAugment,
  IDENTITY_DRAW,
  ImageDraw,
  normaliseTable,
  trainAugment,
  writeImage,
} from '../../lib/data/augment';
import { Rng } from '../../lib/nn/random';
import { assertClose } from '../helpers';

// A 2x3 one-channel image [[1, 2, 3], [4, 5, 6]]; mean 0 and std 1/255 make the output the raw value.
const IMG = Uint8Array.from([1, 2, 3, 4, 5, 6]);
const G = { height: 2, width: 3, channels: 1 };
const RAW = normaliseTable([0], [1 / 255]);

function render(draw: Partial<ImageDraw>, pad = 0, img = IMG, g = G, table = RAW): number[] {
  const out = new Float32Array(g.height * g.width * g.channels);
  writeImage(img, 0, out, 0, g, table, pad, { ...IDENTITY_DRAW, ...draw });
  return [...out];
}

describe('normaliseTable', () => {
  it('maps byte v of channel c to (v / 255 - mean[c]) / std[c]', () => {
    const t = normaliseTable([0.5, 0], [0.25, 2]);
    assertClose([t[0], t[255], t[256 + 51]], [-2, 2, 0.1], 1e-6);
  });
});

describe('writeImage', () => {
  it('copies the image unchanged with the identity draw', () => {
    assertClose(render({}), [1, 2, 3, 4, 5, 6], 1e-6);
  });

  it('flips a known 2x3 image horizontally', () => {
    assertClose(render({ flip: true }), [3, 2, 1, 6, 5, 4], 1e-6);
  });

  it('crops a window of the zero-padded image at offset (dy, dx)', () => {
    // pad 1: the window starts at padded (dy, dx); (1, 1) is the identity.
    assertClose(render({ dy: 1, dx: 1 }, 1), [1, 2, 3, 4, 5, 6], 1e-6);
    assertClose(render({ dy: 0, dx: 2 }, 1), [0, 0, 0, 2, 3, 0], 1e-6);
    assertClose(render({ dy: 2, dx: 0 }, 1), [0, 4, 5, 0, 0, 0], 1e-6);
  });

  it('flips the cropped window (crop, then flip)', () => {
    assertClose(render({ dy: 1, dx: 0, flip: true }, 1), [2, 1, 0, 5, 4, 0], 1e-6);
  });

  it('gives padded pixels the normalised value of 0, i.e. -mean/std', () => {
    const t = normaliseTable([0.5], [0.25]);
    const out = render({ dy: 0, dx: 0 }, 1, IMG, G, t);
    assertClose(out.slice(0, 4), [-2, -2, -2, -2], 1e-6);
    assertClose([out[4]], [(1 / 255 - 0.5) / 0.25], 1e-6);
  });

  it('keeps the channels of a pixel together', () => {
    const img = Uint8Array.from([10, 11, 20, 21]); // 1x2, two channels
    const out = render({ flip: true }, 0, img, { height: 1, width: 2, channels: 2 }, normaliseTable([0, 0], [1 / 255, 1 / 255]));
    assertClose(out, [20, 21, 10, 11], 1e-6);
  });
});

describe('applyCutout', () => {
  const g = { height: 6, width: 6, channels: 2 };
  function zeros(cy: number, cx: number, length: number): string[] {
    const out = new Float32Array(72).fill(1);
    applyCutout(out, 0, g, cy, cx, length);
    const z: string[] = [];
    for (let p = 0; p < 36; p++) {
      assert.strictEqual(out[2 * p], out[2 * p + 1], 'both channels');
      if (out[2 * p] === 0) z.push(`${Math.floor(p / 6)}${p % 6}`);
    }
    return z;
  }

  it('zeroes rows and columns [c - L/2, c + L/2), clipped to the image', () => {
    assert.deepStrictEqual(zeros(3, 3, 2), ['22', '23', '32', '33']);
    assert.deepStrictEqual(zeros(1, 1, 4), ['00', '01', '02', '10', '11', '12', '20', '21', '22']);
    assert.deepStrictEqual(zeros(5, 0, 4), ['30', '31', '40', '41', '50', '51']);
  });

  it('uses 2 floor(L / 2) as the side, as the DARTS code does', () => {
    assert.deepStrictEqual(zeros(3, 3, 3), ['22', '23', '32', '33']);
    assert.deepStrictEqual(zeros(3, 3, 1), []);
  });
});

describe('drawAugment', () => {
  it('draws offsets in [0, 2 pad] and flips half of the time', () => {
    const rng = new Rng(1);
    const a = { pad: 4, flip: true };
    let flips = 0;
    const dys = new Set<number>();
    for (let i = 0; i < 4000; i++) {
      const d = drawAugment(rng, 32, 32, a);
      assert.ok(d.dy >= 0 && d.dy <= 8 && d.dx >= 0 && d.dx <= 8 && d.cy < 32 && d.cx < 32);
      dys.add(d.dy);
      if (d.flip) flips++;
      assert.strictEqual(d.cutout, false);
    }
    assert.strictEqual(dys.size, 9);
    assert.ok(Math.abs(flips - 2000) < 150, `flips ${flips}`);
  });

  it('applies Cutout with probability prob and leaves crop and flip unchanged by it', () => {
    const plain = new Rng(5);
    const cut = new Rng(5);
    let n = 0;
    for (let i = 0; i < 4000; i++) {
      const a = drawAugment(plain, 28, 28, { pad: 2, flip: true });
      const b = drawAugment(cut, 28, 28, { pad: 2, flip: true, cutout: { length: 16, prob: 0.3 } });
      assert.deepStrictEqual([a.dy, a.dx, a.flip], [b.dy, b.dx, b.flip]);
      if (b.cutout) n++;
    }
    assert.ok(Math.abs(n - 1200) < 120, `cutouts ${n}`);
  });
});

describe('trainAugment', () => {
  it('defaults to pad 4 and the data set flip flag, without Cutout', () => {
    assert.deepStrictEqual(trainAugment({ flip: false }), { pad: 4, flip: false });
    assert.deepStrictEqual(trainAugment({ flip: true }, { pad: 2, cutout: { length: 16, prob: 1 } }), {
      pad: 2,
      flip: true,
      cutout: { length: 16, prob: 1 },
    });
  });

  it('rejects bad options, naming the field', () => {
    assert.throws(() => checkAugment({ pad: -1, flip: true }), /augment\.pad=-1/);
    assert.throws(() => checkAugment({ pad: 4, flip: true, cutout: { length: 16, prob: 2 } }), /augment\.cutout\.prob=2/);
    assert.throws(() => trainAugment({ flip: true }, { cutout: { length: 1.5, prob: 1 } }), /augment\.cutout\.length=1\.5/);
  });
});

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { writePfm } from '../../lib/data/pfm';
import {
  downscaleStereo,
  OPENCV_DOC_ALOE,
  readDisparityPng,
  readMiddleburyPair,
  readStereoFolder,
  STEREO_MANIFEST,
  writeStereoFolder,
} from '../../lib/data/stereo_folder';
import { STEREO_SPLITS, stereoPairs } from '../../lib/data/stereo_synthetic';
import { tempDir } from '../helpers';

/** A PNG of `values` (grey when `channels` is 1, RGB when 3; 16 bits for grey when `bitDepth` is 16). */
function pngBytes(width: number, height: number, values: number[], channels: 1 | 3, bitDepth: 8 | 16 = 8): Buffer {
  if (bitDepth === 16) {
    const png = new PNG({ width, height, bitDepth: 16, colorType: 0, inputColorType: 0, inputHasAlpha: false });
    // pngjs takes 16-bit input samples in the machine's (little-endian) order.
    png.data = Buffer.alloc(2 * width * height);
    values.forEach((v, i) => png.data.writeUInt16LE(v, 2 * i));
    return PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth: 16, inputHasAlpha: false });
  }
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) png.data[4 * i + c] = values[channels === 3 ? 3 * i + c : i];
    png.data[4 * i + 3] = 255;
  }
  return PNG.sync.write(png, { colorType: channels === 3 ? 2 : 0 });
}

describe('stereo folders (lib/data/stereo_folder.ts)', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  it('writes a split in the FlyingThings3D-like layout and reads it back: disparities exact, images to 8 bits', () => {
    const dir = path.join(tmp.dir, 'split');
    const options = { seed: 4, height: 16, width: 32, shift: true };
    const manifest = writeStereoFolder(dir, options, STEREO_SPLITS.valid, 3, { start: 2 });
    assert.deepStrictEqual(fs.readdirSync(dir).sort(), ['disparity', 'disparity_occlusions', 'left', STEREO_MANIFEST, 'right']);
    assert.deepStrictEqual(fs.readdirSync(path.join(dir, 'left')).sort(), ['0000.png', '0001.png', '0002.png']);
    assert.deepStrictEqual(fs.readdirSync(path.join(dir, 'disparity')).sort(), ['0000.pfm', '0001.pfm', '0002.pfm']);
    assert.deepStrictEqual(
      [manifest.seed, manifest.split, manifest.start, manifest.count, manifest.dmax],
      [4, STEREO_SPLITS.valid, 2, 3, 6],
    );
    const back = readStereoFolder(dir);
    assert.deepStrictEqual(back.manifest, JSON.parse(fs.readFileSync(path.join(dir, STEREO_MANIFEST), 'utf8')));
    assert.deepStrictEqual(back.manifest, manifest);
    const originals = stereoPairs(back.manifest.generator, back.manifest.split, 3, 2);
    back.pairs.forEach((p, i) => {
      const o = originals[i];
      assert.deepStrictEqual([p.height, p.width, p.dmax], [16, 32, 6]);
      assert.deepStrictEqual([...p.disparity], [...o.disparity]);
      assert.deepStrictEqual([...p.occluded], [...o.occluded]);
      for (const [a, b] of [
        [p.left, o.left],
        [p.right, o.right],
      ])
        for (let j = 0; j < a.length; j++) assert.ok(Math.abs(a[j] - b[j]) <= 0.5 / 255 + 1e-6, `pixel ${j}: ${a[j]} vs ${b[j]}`);
    });
  });

  it('refuses to write into a non-empty folder unless told to overwrite', () => {
    const dir = path.join(tmp.dir, 's');
    writeStereoFolder(dir, { height: 8, width: 16 }, 0, 2);
    assert.throws(
      () => writeStereoFolder(dir, { height: 8, width: 16 }, 0, 1),
      /s: is not empty; remove it, pick another folder, or pass overwrite: true/,
    );
    writeStereoFolder(dir, { height: 8, width: 16 }, 0, 1, { overwrite: true });
    assert.strictEqual(readStereoFolder(dir).pairs.length, 1);
  });

  it('names the path of a missing file, a wrong size, a count mismatch or a bad manifest', () => {
    const dir = path.join(tmp.dir, 's');
    const write = () => writeStereoFolder(dir, { height: 8, width: 16 }, 0, 2, { overwrite: true });
    const fails = (message: RegExp | string) =>
      assert.throws(
        () => readStereoFolder(dir),
        (e: Error) => (typeof message === 'string' ? e.message.startsWith(message) : message.test(e.message)),
      );
    write();
    fs.rmSync(path.join(dir, 'right', '0001.png'));
    fails(`${path.join(dir, 'right')}: holds 1 .png files, but the manifest says 2 pairs (count mismatch)`);
    write();
    fs.renameSync(path.join(dir, 'left', '0001.png'), path.join(dir, 'left', '0007.png'));
    fails(`${path.join(dir, 'left', '0001.png')}: cannot be read (ENOENT)`);
    write();
    fs.copyFileSync(path.join(dir, 'disparity', '0000.pfm'), path.join(dir, 'disparity', '0002.pfm'));
    fails(`${path.join(dir, 'disparity')}: holds 3 .pfm files, but the manifest says 2 pairs`);
    write();
    writePfm(path.join(dir, 'disparity', '0001.pfm'), { width: 16, height: 9, channels: 1, data: new Float32Array(144) });
    fails(`${path.join(dir, 'disparity', '0001.pfm')}: is 16x9, the manifest says 16x8`);
    write();
    fs.writeFileSync(path.join(dir, 'left', '0000.png'), pngBytes(15, 8, Array(15 * 8 * 3).fill(7), 3));
    fails(`${path.join(dir, 'left', '0000.png')}: is 15x8, the manifest says 16x8`);
    write();
    fs.rmSync(path.join(dir, 'disparity_occlusions'), { recursive: true });
    fails(`${path.join(dir, 'disparity_occlusions')}: is missing`);
    write();
    const m = JSON.parse(fs.readFileSync(path.join(dir, STEREO_MANIFEST), 'utf8'));
    fs.writeFileSync(path.join(dir, STEREO_MANIFEST), JSON.stringify({ ...m, count: 3 }));
    fails(`${path.join(dir, 'left')}: holds 2 .png files, but the manifest says 3 pairs`);
    fs.writeFileSync(path.join(dir, STEREO_MANIFEST), '{"count": 2');
    fails(`${path.join(dir, STEREO_MANIFEST)}: is not valid JSON`);
    fs.rmSync(path.join(dir, STEREO_MANIFEST));
    fails(`${path.join(dir, STEREO_MANIFEST)}: is missing`);
  });
});

describe('Middlebury-style pairs (lib/data/stereo_folder.ts)', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  /** A 4x2 pair: left PNG, right JPEG (quality 100), and ground truth 8-bit with `scale` 4. */
  function writeTinyPair(): { left: string; right: string; disparity: string } {
    const left = path.join(tmp.dir, 'im0.png');
    const right = path.join(tmp.dir, 'im1.jpg');
    const disparity = path.join(tmp.dir, 'disp0GT.png');
    fs.writeFileSync(
      left,
      pngBytes(
        4,
        2,
        Array.from({ length: 24 }, (_, i) => 10 * i),
        3,
      ),
    );
    const rgba = Buffer.alloc(4 * 8, 128);
    fs.writeFileSync(right, jpeg.encode({ data: rgba, width: 4, height: 2 }, 100).data);
    // Disparities 1, 2.5, unknown, 3 / 0.25, 1, 2, unknown, stored x 4 (0 = unknown).
    fs.writeFileSync(disparity, pngBytes(4, 2, [4, 10, 0, 12, 1, 4, 8, 0], 1));
    return { left, right, disparity };
  }

  it('reads the images and the disparity divided by the scale, 0 as unknown (NaN, not valid)', () => {
    const files = writeTinyPair();
    const p = readMiddleburyPair({ ...files, scale: 4 });
    assert.deepStrictEqual([p.width, p.height], [4, 2]);
    assert.deepStrictEqual([...p.disparity], [1, 2.5, NaN, 3, 0.25, 1, 2, NaN]);
    assert.deepStrictEqual([...p.valid], [1, 1, 0, 1, 1, 1, 1, 0]);
    assert.deepStrictEqual(
      [...p.left].map((v) => Math.round(v * 255)),
      Array.from({ length: 24 }, (_, i) => 10 * i),
    );
    for (const v of p.right) assert.ok(Math.abs(v - 128 / 255) < 2 / 255, `JPEG pixel ${v * 255}`);
    // A 16-bit ground truth (KITTI's convention: x 256).
    const kitti = path.join(tmp.dir, 'kitti.png');
    fs.writeFileSync(kitti, pngBytes(2, 1, [0, 1000], 1, 16));
    assert.deepStrictEqual([...readDisparityPng(kitti, 256).disparity], [NaN, 1000 / 256]);
  });

  it('rejects images of different sizes and colour ground truth, naming the file', () => {
    const files = writeTinyPair();
    const other = path.join(tmp.dir, 'small.png');
    fs.writeFileSync(other, pngBytes(3, 2, Array(18).fill(1), 1));
    assert.throws(
      () => readMiddleburyPair({ ...files, disparity: other }),
      (e: Error) => e.message.startsWith(`${other}: is 3x2, but the left image`),
    );
    const colour = path.join(tmp.dir, 'colour.png');
    fs.writeFileSync(
      colour,
      pngBytes(
        4,
        2,
        Array.from({ length: 24 }, (_, i) => i),
        3,
      ),
    );
    assert.throws(
      () => readDisparityPng(colour),
      (e: Error) => e.message.startsWith(`${colour}: is a colour image`),
    );
    assert.throws(() => readMiddleburyPair({ ...files, left: path.join(tmp.dir, 'none.png') }), /none\.png: cannot be read \(ENOENT\)/);
  });

  it('downscales by an integer factor: box-filtered images, disparities averaged over known values and divided by the factor', () => {
    const files = writeTinyPair();
    const half = readMiddleburyPair({ ...files, scale: 4 }, { downscale: 2 });
    assert.deepStrictEqual([half.width, half.height], [2, 1]);
    // Blocks {1, 2.5, 0.25, 1} and {NaN, 3, 2, NaN}: means 1.1875 and 2.5, halved.
    assert.deepStrictEqual([...half.disparity], [1.1875 / 2, 1.25]);
    assert.deepStrictEqual([...half.valid], [1, 1]);
    // Left pixel (0, 0) of the half-size image: the mean of the source pixels 0, 1, 4, 5 per channel.
    assert.ok(Math.abs(half.left[0] - (0 + 30 + 120 + 150) / 4 / 255) < 1e-6);
    // A synthetic pair halved: disparities halve (a fronto-parallel layer stays exactly at d / 2).
    const [p] = stereoPairs({ seed: 2, augment: 0 }, STEREO_SPLITS.test, 1);
    const q = downscaleStereo(p, 2);
    assert.deepStrictEqual([q.width, q.height], [32, 16]);
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    assert.ok(Math.abs(mean(q.disparity) - mean(p.disparity) / 2) < 1e-4, `${mean(q.disparity)} vs ${mean(p.disparity) / 2}`);
    assert.throws(() => downscaleStereo(p, 1.5), /factor=1\.5 is not an integer >= 1/);
    const all = { ...p, disparity: new Float32Array(p.disparity.length).fill(NaN) };
    assert.deepStrictEqual(
      [...downscaleStereo(all, 4).valid].every((v) => v === 0),
      true,
    );
  });

  it("reads Debian opencv-doc's Aloe pair at scale 1: its ground truth is where block matching puts the match", function () {
    if (!fs.existsSync(OPENCV_DOC_ALOE.disparity)) {
      // .ci/run sets RDARTS_REQUIRE_ALOE: there .ci/setup installed opencv-doc, so a missing file is a failure.
      if (process.env.RDARTS_REQUIRE_ALOE === '1')
        assert.fail(`${OPENCV_DOC_ALOE.disparity} is missing: install opencv-doc (data/middlebury.md)`);
      console.log('    (skipped: opencv-doc is not installed, data/middlebury.md)');
      this.skip();
    }
    const p = readMiddleburyPair(OPENCV_DOC_ALOE, { downscale: 4 });
    assert.deepStrictEqual([p.width, p.height], [320, 277]);
    // SAD of 7x7 grey windows, winner-take-all over 0..64, at a grid of pixels with known disparity.
    const grey = (img: Float32Array, x: number, y: number) =>
      img[3 * (y * p.width + x)] + img[3 * (y * p.width + x) + 1] + img[3 * (y * p.width + x) + 2];
    let agree = 0;
    let n = 0;
    for (let y = 10; y < p.height - 10; y += 12)
      for (let x = 80; x < p.width - 10; x += 12) {
        const d = p.disparity[y * p.width + x];
        if (!Number.isFinite(d)) continue;
        let best = 0;
        let bestCost = Infinity;
        for (let c = 0; c <= 64 && x - c - 3 >= 0; c++) {
          let cost = 0;
          for (let dy = -3; dy <= 3; dy++)
            for (let dx = -3; dx <= 3; dx++) cost += Math.abs(grey(p.left, x + dx, y + dy) - grey(p.right, x + dx - c, y + dy));
          if (cost < bestCost) [best, bestCost] = [c, cost];
        }
        n++;
        if (Math.abs(best - d) <= 1) agree++;
      }
    assert.ok(n > 200 && agree / n > 0.6, `block matching agrees with the ground truth at ${agree} of ${n} pixels`);
  });
});

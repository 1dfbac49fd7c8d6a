/**
 * The image-folder data set (lib/data/image_folder.ts) on small folders and archives that the tests
 * write: PNG pixels exactly, JPEG pixels within the loss of quality-100 encoding, labels by sorted or
 * given class order, a seeded order, archives made by the system's `tar`, and an error naming the
 * file or folder for each kind of bad input. And the CIFAR-10 JPEG copy as the named data set.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { CIFAR10_CLASSES, locateCifar10Jpeg } from '../../lib/data/cifar10_jpeg';
import { decodeImage, readImageFolder } from '../../lib/data/image_folder';
import { loadDataset } from '../../lib/data/registry';
import { labelHistogram } from '../../lib/data/dataset';
import { withTempDir } from '../helpers';

/** A deterministic RGB image of w x h: pixel values from (seed, x, y, channel). */
function pixels(w: number, h: number, seed: number): Uint8Array {
  const out = new Uint8Array(w * h * 3);
  for (let i = 0; i < out.length; i++) out[i] = (seed * 37 + Math.floor(i / 3) * 5 + (i % 3) * 80) % 256;
  return out;
}

function pngFile(w: number, h: number, rgb: Uint8Array): Buffer {
  const png = new PNG({ width: w, height: h });
  for (let i = 0; i < w * h; i++) png.data.set([rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2], 255], 4 * i);
  return PNG.sync.write(png);
}

function jpegFile(w: number, h: number, rgb: Uint8Array, quality = 100): Buffer {
  const rgba = Buffer.alloc(w * h * 4);
  for (let i = 0; i < w * h; i++) rgba.set([rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2], 255], 4 * i);
  return jpeg.encode({ width: w, height: h, data: rgba }, quality).data;
}

function write(file: string, data: Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data);
}

/** root/{train,test}/<class>/<i>.png: `perClass` images a class of 4x3, seeds telling them apart. */
function writePngFolder(root: string, classes: readonly string[], perClass = { train: 2, test: 1 }): void {
  classes.forEach((c, k) => {
    for (const split of ['train', 'test'] as const) {
      for (let i = 0; i < perClass[split]; i++)
        write(path.join(root, split, c, `${i}.png`), pngFile(4, 3, pixels(4, 3, 10 * k + i + (split === 'test' ? 5 : 0))));
    }
  });
}

describe('image folders', () => {
  it('reads PNG pixels exactly, labels in sorted class order, images by label then path', () =>
    withTempDir((dir) => {
      writePngFolder(dir, ['b', 'a', 'c']);
      write(path.join(dir, 'train', 'a', 'notes.txt'), Buffer.from('ignored'));
      write(path.join(dir, 'train', 'a', '.hidden.png'), Buffer.from('ignored too'));
      const f = readImageFolder(dir);
      assert.deepStrictEqual(f.classes, ['a', 'b', 'c']);
      assert.deepStrictEqual(f.shape, { height: 3, width: 4, channels: 3 });
      assert.deepStrictEqual(Array.from(f.train.labels), [0, 0, 1, 1, 2, 2]);
      assert.deepStrictEqual(Array.from(f.test.labels), [0, 1, 2]);
      // train image 2 is class b's first: seed 10 * 0 + 0 (b was written first, k = 0)
      assert.deepStrictEqual(Array.from(f.train.images.subarray(2 * 36, 3 * 36)), Array.from(pixels(4, 3, 0)));
      assert.deepStrictEqual(Array.from(f.test.images.subarray(0, 36)), Array.from(pixels(4, 3, 15)));
    }));

  it('takes the class order given, and converts to one channel by PIL luma', () =>
    withTempDir((dir) => {
      writePngFolder(dir, ['x', 'y']);
      const f = readImageFolder(dir, { classes: ['y', 'x'], channels: 1 });
      assert.deepStrictEqual(Array.from(f.train.labels), [0, 0, 1, 1]);
      const rgb = pixels(4, 3, 10); // y's first training image
      const luma = Array.from(
        { length: 12 },
        (_, i) => (19595 * rgb[3 * i] + 38470 * rgb[3 * i + 1] + 7471 * rgb[3 * i + 2] + 0x8000) >> 16,
      );
      assert.deepStrictEqual(Array.from(f.train.images.subarray(0, 12)), luma);
      assert.strictEqual(f.shape.channels, 1);
    }));

  it('decodes JPEG within the loss of quality-100 encoding (mean error < 1.5 of 255)', () => {
    const rgb = pixels(16, 16, 3);
    const img = decodeImage(jpegFile(16, 16, rgb), 'x.jpg', 3);
    assert.deepStrictEqual([img.width, img.height], [16, 16]);
    let err = 0;
    for (let i = 0; i < rgb.length; i++) err += Math.abs(img.pixels[i] - rgb[i]);
    assert.ok(err / rgb.length < 1.5, `mean error ${err / rgb.length}`);
  });

  it('puts each split in a seeded order: the same images and labels, the same order for the same seed', () =>
    withTempDir((dir) => {
      writePngFolder(dir, ['a', 'b', 'c', 'd'], { train: 5, test: 2 });
      const sorted = readImageFolder(dir);
      const one = readImageFolder(dir, { shuffleSeed: 7 });
      const again = readImageFolder(dir, { shuffleSeed: 7 });
      assert.deepStrictEqual(one.train.labels, again.train.labels);
      assert.deepStrictEqual(one.train.images, again.train.images);
      assert.notDeepStrictEqual(Array.from(one.train.labels), Array.from(sorted.train.labels));
      assert.deepStrictEqual(labelHistogram(one.train.labels, 4), [5, 5, 5, 5]);
      // every image keeps its label: find each shuffled image among the sorted ones
      const size = 36;
      for (let i = 0; i < one.train.n; i++) {
        const img = one.train.images.subarray(i * size, (i + 1) * size).join();
        const j = Array.from({ length: sorted.train.n }, (_, k) => k).find(
          (k) => sorted.train.images.subarray(k * size, (k + 1) * size).join() === img,
        );
        assert.ok(j !== undefined && sorted.train.labels[j] === one.train.labels[i], `image ${i}`);
      }
    }));

  for (const [kind, args] of [
    ['.tar', ['cf']],
    ['.tar.gz', ['czf']],
  ] as const) {
    it(`reads a ${kind} archive written by tar, with or without a top folder`, () =>
      withTempDir((dir) => {
        writePngFolder(path.join(dir, 'src', 'set'), ['a', 'b']);
        const flat = path.join(dir, `flat${kind}`);
        const wrapped = path.join(dir, `wrapped${kind}`);
        execFileSync('tar', [...args, flat, '-C', path.join(dir, 'src', 'set'), 'train', 'test']);
        execFileSync('tar', [...args, wrapped, '-C', path.join(dir, 'src'), 'set']);
        const fromFolder = readImageFolder(path.join(dir, 'src', 'set'));
        for (const archive of [flat, wrapped]) {
          const f = readImageFolder(archive);
          assert.deepStrictEqual(f.classes, fromFolder.classes);
          assert.deepStrictEqual(f.train.images, fromFolder.train.images);
          assert.deepStrictEqual(f.test.labels, fromFolder.test.labels);
        }
      }));
  }

  describe('bad input: an error naming the path and the problem', () => {
    const cases: [string, (root: string) => string, RegExp, { classes?: string[] }?][] = [
      ['a missing source', (root) => path.join(root, 'nope'), /nope: no such folder or archive/],
      [
        'a file that is not an archive',
        (root) => (write(path.join(root, 'x.zip'), Buffer.from('PK')), path.join(root, 'x.zip')),
        /not a folder, nor a \.tar/,
      ],
      [
        'a corrupt archive',
        (root) => (write(path.join(root, 'x.tar'), Buffer.alloc(1024, 7)), path.join(root, 'x.tar')),
        /x\.tar: tar: header at byte 0/,
      ],
      [
        'no test split',
        (root) => (writePngFolder(root, ['a']), fs.rmSync(path.join(root, 'test'), { recursive: true }), root),
        /no images under test\//,
      ],
      [
        'an image outside a class folder',
        (root) => (writePngFolder(root, ['a']), write(path.join(root, 'train', 'x.png'), pngFile(4, 3, pixels(4, 3, 1))), root),
        /train\/x\.png is not in a class folder/,
      ],
      [
        'a class without test images',
        (root) => (writePngFolder(root, ['a', 'b']), fs.rmSync(path.join(root, 'test', 'b'), { recursive: true }), root),
        /class "b" has no images under test\/b\//,
      ],
      [
        'a folder that is not one of the classes given',
        (root) => (writePngFolder(root, ['a', 'b']), root),
        /train\/b is not one of the classes \(a, c\)/,
        { classes: ['a', 'c'] },
      ],
      [
        'an image of another size',
        (root) => (writePngFolder(root, ['a']), write(path.join(root, 'test', 'a', '9.png'), pngFile(5, 3, pixels(5, 3, 1))), root),
        /test\/a\/9\.png: is 5x3; the images are 4x3/,
      ],
      [
        'an undecodable JPEG',
        (root) => (writePngFolder(root, ['a']), write(path.join(root, 'train', 'a', 'bad.jpg'), Buffer.from('not a jpeg')), root),
        /train\/a\/bad\.jpg: cannot be decoded as JPEG/,
      ],
      [
        'a truncated PNG',
        (root) => (
          writePngFolder(root, ['a']),
          write(path.join(root, 'train', 'a', 'bad.png'), pngFile(4, 3, pixels(4, 3, 2)).subarray(0, 40)),
          root
        ),
        /train\/a\/bad\.png: cannot be decoded as PNG/,
      ],
    ];
    for (const [what, make, message, options] of cases) {
      it(what, () => withTempDir((dir) => assert.throws(() => readImageFolder(make(dir), options ?? {}), message)));
    }
  });
});

describe('the CIFAR-10 JPEG copy (data set cifar10-jpeg)', () => {
  it('loads from $RDARTS_DATA/cifar10-jpeg.tar.gz in CIFAR-10 label order, labelled as the copy', () =>
    withTempDir((dir) => {
      const src = path.join(dir, 'src');
      // 10 classes, written in reverse so that the label order must come from CIFAR10_CLASSES
      [...CIFAR10_CLASSES].reverse().forEach((c, k) => {
        write(path.join(src, 'train', c, '0.jpg'), jpegFile(32, 32, pixels(32, 32, k)));
        write(path.join(src, 'train', c, '1.jpg'), jpegFile(32, 32, pixels(32, 32, k + 20)));
        write(path.join(src, 'test', c, '0.jpg'), jpegFile(32, 32, pixels(32, 32, k + 40)));
      });
      execFileSync('tar', ['czf', path.join(dir, 'cifar10-jpeg.tar.gz'), '-C', src, 'train', 'test']);
      const env = { RDARTS_DATA: dir };
      assert.strictEqual(locateCifar10Jpeg({ env }), path.join(dir, 'cifar10-jpeg.tar.gz'));
      const d = loadDataset('cifar10-jpeg', { env });
      assert.strictEqual(d.train.name, 'cifar10-jpeg');
      assert.deepStrictEqual([d.train.n, d.test.n, d.train.classes, d.train.height, d.train.channels], [20, 10, 10, 32, 3]);
      assert.deepStrictEqual(labelHistogram(d.train.labels, 10), new Array(10).fill(2));
      // the seeded order: not label order
      assert.notDeepStrictEqual(Array.from(d.train.labels), [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
    }));

  it('says where it looked when the copy is missing, and refuses images that are not 32x32', () =>
    withTempDir((dir) => {
      assert.throws(
        () => loadDataset('cifar10-jpeg', { env: { RDARTS_DATA: dir } }),
        /CIFAR-10 \(JPEG copy\) not found; looked for .*cifar10-jpeg, .*cifar10-jpeg\.tar\.gz/,
      );
      const root = path.join(dir, 'cifar10-jpeg');
      for (const c of CIFAR10_CLASSES)
        for (const split of ['train', 'test']) write(path.join(root, split, c, '0.png'), pngFile(4, 3, pixels(4, 3, 1)));
      assert.throws(() => loadDataset('cifar10-jpeg', { env: { RDARTS_DATA: dir } }), /the images are 4x3; CIFAR-10's are 32x32/);
    }));
});

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { loadNb201Table, NB201_CELLS, nb201Accuracies, nb201Table, nb201TestAccuracy, type Nb201Dataset } from '../../lib/data/nb201_table';
import { nb201Arch, parseNb201Arch } from '../../lib/spaces/nb201';
import { withTempDir } from '../helpers';

const HEADER = 'CIFAR10TestAccuracy200Epochs,CIFAR100TestAccuracy200Epochs,ImageNetTestAccuracy200Epochs,ArchitectureString,UniqueString';
const SKIP = '|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|';
const CONV = '|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|+|avg_pool_3x3~0|nor_conv_1x1~1|skip_connect~2|';

/** Writes a gzipped table of `rows` and loads it (not required complete). */
const loadRows = (dir: string, rows: string[], header = HEADER) => {
  const file = path.join(dir, 't.csv.gz');
  fs.writeFileSync(file, zlib.gzipSync([header, ...rows].join('\n') + '\n'));
  return loadNb201Table(file, { complete: false });
};

describe('the NAS-Bench-201 table', () => {
  it('parses cell strings edge by edge and writes them back', () => {
    const ops = parseNb201Arch(CONV);
    assert.deepStrictEqual(ops, ['nor_conv_3x3', 'nor_conv_3x3', 'none', 'avg_pool_3x3', 'nor_conv_1x1', 'skip_connect']);
    assert.strictEqual(nb201Arch(ops), CONV);
    assert.throws(() => parseNb201Arch('|skip_connect~0|+|skip_connect~0|'), /expected 3 nodes/);
    assert.throws(() => parseNb201Arch(CONV.replace('none~1', 'sep_conv_3x3~1')), /unknown op "sep_conv_3x3"/);
    assert.throws(() => parseNb201Arch(CONV.replace('none~1', 'none~0')), /must read node 1/);
  });

  it('reads a table and names the file and line of a bad row', () =>
    withTempDir((dir) => {
      const t = loadRows(dir, [`54.3,15.61,16.32,${SKIP},x`, `90.1,70.2,40.3,${CONV},y`]);
      assert.strictEqual(t.size, 2);
      assert.deepStrictEqual(t.get(SKIP), {
        arch: SKIP,
        ops: Array(6).fill('skip_connect'),
        cifar10: 54.3,
        cifar100: 15.61,
        imagenet16: 16.32,
      });
      assert.throws(() => loadRows(dir, [], 'a,b'), /the header is not NAS-Bench-201's/);
      assert.throws(() => loadRows(dir, [`54.3,15.61,${SKIP},x`]), /t\.csv\.gz:2: expected 5 fields, got 4/);
      assert.throws(() => loadRows(dir, [`154.3,15.61,16.32,${SKIP},x`]), /t\.csv\.gz:2: the CIFAR-10 accuracy .* is not a percentage/);
      assert.throws(
        () => loadRows(dir, [`54.3,15.61,16.32,${SKIP},x`, `54.3,15.61,16.32,${SKIP},x`]),
        /t\.csv\.gz:3: cell .* appears twice/,
      );
      assert.throws(() => loadRows(dir, [`54.3,15.61,16.32,|skip_connect~0|,x`]), /t\.csv\.gz:2: NAS-Bench-201 cell/);
      fs.writeFileSync(path.join(dir, 'c.csv'), HEADER + '\n');
      assert.throws(() => loadNb201Table(path.join(dir, 'c.csv')), /0 cells; NAS-Bench-201 has 15625/);
    }));

  it("the committed table holds every cell once, with the benchmark's known values", () => {
    const t = loadNb201Table();
    assert.strictEqual(t.size, NB201_CELLS);
    const skip = t.get(SKIP);
    assert.ok(skip);
    assert.deepStrictEqual(
      [skip.cifar10, skip.cifar100, skip.imagenet16].map((v) => v.toFixed(2)),
      ['54.30', '15.61', '16.32'],
    );
    const best = Math.max(...[...t.values()].map((e) => e.cifar10));
    assert.strictEqual(best.toFixed(2), '94.37');
  });

  it('nb201TestAccuracy looks a cell up by data set, and names what is wrong', () => {
    assert.deepStrictEqual(
      (['cifar10', 'cifar100', 'imagenet16-120'] as const).map((d) => nb201TestAccuracy(SKIP, d).toFixed(2)),
      ['54.30', '15.61', '16.32'],
    );
    const best = [...nb201Table().values()].reduce((a, b) => (b.cifar10 > a.cifar10 ? b : a));
    assert.strictEqual(nb201TestAccuracy(best.arch, 'cifar10').toFixed(2), '94.37');
    assert.deepStrictEqual(nb201Accuracies(best.arch), {
      cifar10: best.cifar10,
      cifar100: best.cifar100,
      'imagenet16-120': best.imagenet16,
    });
    assert.throws(() => nb201TestAccuracy(SKIP, 'svhn' as Nb201Dataset), /dataset "svhn" is not one of cifar10, cifar100, imagenet16-120/);
    assert.throws(() => nb201TestAccuracy('|skip_connect~0|', 'cifar10'), /NAS-Bench-201 cell "\|skip_connect~0\|": expected 3 nodes/);
    assert.throws(() => nb201TestAccuracy(CONV.replace('none~1', 'conv~1'), 'cifar10'), /unknown op "conv"/);
  });
});

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { dataDirs, locateFiles, readDataFile } from '../../lib/data/files';
import { packageRoot } from '../../lib/paths';
import { tempDir } from '../helpers';

describe('dataDirs', () => {
  it('searches $RDARTS_DATA, then data/ of the project, then the system folders', () => {
    assert.deepStrictEqual(dataDirs('svhn', ['/sys/x'], { RDARTS_DATA: '/d' }), [
      path.resolve('/d/svhn'),
      path.join(packageRoot, 'data', 'svhn'),
      '/sys/x',
    ]);
    assert.deepStrictEqual(dataDirs('svhn', [], {}), [path.join(packageRoot, 'data', 'svhn')]);
  });
});

describe('locateFiles', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  it('returns the first folder holding every file, taking the first acceptable name', () => {
    fs.mkdirSync(path.join(tmp.dir, 'a', 'ds'), { recursive: true });
    fs.writeFileSync(path.join(tmp.dir, 'a', 'ds', 'x'), '');
    fs.writeFileSync(path.join(tmp.dir, 'a', 'ds', 'x.gz'), '');
    const found = locateFiles('DS', 'ds', [['x.gz', 'x']], { env: { RDARTS_DATA: path.join(tmp.dir, 'a') } });
    assert.deepStrictEqual(found, { dir: path.join(tmp.dir, 'a', 'ds'), files: [path.join(tmp.dir, 'a', 'ds', 'x.gz')] });
  });

  it('skips a folder that lacks a file and lists every place looked in when none has all', () => {
    fs.mkdirSync(path.join(tmp.dir, 'ds'));
    fs.writeFileSync(path.join(tmp.dir, 'ds', 'x'), '');
    const env = { RDARTS_DATA: tmp.dir };
    assert.throws(
      () => locateFiles('DS', 'ds', [['x'], ['y.gz', 'y']], { env }, ['/nonexistent/ds']),
      (e: Error) =>
        e.message.startsWith('DS not found; looked in: ') &&
        e.message.includes(`${path.join(tmp.dir, 'ds')} (missing y.gz or y)`) &&
        e.message.includes(`${path.join(packageRoot, 'data', 'ds')} (`) &&
        e.message.includes('/nonexistent/ds (no such folder)') &&
        e.message.includes('RDARTS_DATA'),
    );
  });

  it('warns when RDARTS_DATA is set but its folder is passed over (empty), naming it and the folder read instead', () => {
    const empty = path.join(tmp.dir, 'empty');
    const system = path.join(tmp.dir, 'system', 'ds');
    fs.mkdirSync(empty);
    fs.mkdirSync(system, { recursive: true });
    fs.writeFileSync(path.join(system, 'x'), '');
    const warnings: string[] = [];
    const found = locateFiles('DS', 'ds', [['x']], { env: { RDARTS_DATA: empty }, warn: (m) => warnings.push(m) }, [system]);
    assert.strictEqual(found.dir, system);
    assert.deepStrictEqual(warnings, [
      `data: RDARTS_DATA=${empty} is set, but ${path.join(empty, 'ds')} (no such folder) does not hold DS; reading ${system} instead`,
    ]);
    // Found in RDARTS_DATA, or RDARTS_DATA unset: no warning.
    fs.mkdirSync(path.join(empty, 'ds'));
    fs.writeFileSync(path.join(empty, 'ds', 'x'), '');
    locateFiles('DS', 'ds', [['x']], { env: { RDARTS_DATA: empty }, warn: (m) => warnings.push(m) }, [system]);
    locateFiles('DS', 'ds', [['x']], { env: {}, warn: (m) => warnings.push(m) }, [system]);
    assert.strictEqual(warnings.length, 1);
  });

  it('looks only in options.dir when given', () => {
    assert.throws(
      () => locateFiles('DS', 'ds', [['x']], { dir: path.join(tmp.dir, 'none') }),
      new RegExp(`looked in: ${path.join(tmp.dir, 'none')} \\(no such folder\\)\\. `),
    );
  });
});

describe('readDataFile', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  it('reads plain files and inflates gzip files', () => {
    const plain = path.join(tmp.dir, 'p');
    const gz = path.join(tmp.dir, 'p.gz');
    fs.writeFileSync(plain, Buffer.from([1, 2, 3]));
    fs.writeFileSync(gz, zlib.gzipSync(Buffer.from([4, 5])));
    assert.deepStrictEqual([...readDataFile(plain)], [1, 2, 3]);
    assert.deepStrictEqual([...readDataFile(gz)], [4, 5]);
  });

  it('names the file when a gzip file is truncated or the file is missing', () => {
    const gz = path.join(tmp.dir, 'cut.gz');
    const full = zlib.gzipSync(Buffer.alloc(10000, 7));
    fs.writeFileSync(gz, full.subarray(0, full.length - 20));
    assert.throws(() => readDataFile(gz), new RegExp(`^Error: ${gz}: is not a valid gzip file, it may be truncated`));
    assert.throws(() => readDataFile(path.join(tmp.dir, 'nope')), /nope: cannot be read \(ENOENT\)/);
  });
});

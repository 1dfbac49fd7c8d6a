import * as assert from 'assert';
import { spawn, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import * as zlib from 'zlib';
import { loadCifar10 } from '../../lib/data/cifar';
import { DatasetName } from '../../lib/data/dataset';
import { fetchDataset, FetchOptions, mirrorUrl } from '../../lib/data/fetch';
import { loadFashionMnist } from '../../lib/data/idx';
import { DATA_SOURCES, DataSource } from '../../lib/data/registry';
import { readTar, safeEntryPath } from '../../lib/data/tar';
import { repoRoot, tempDir } from '../helpers';
import { cifarBytes, idxBytes, tinyImages } from './formats';

const md5 = (b: Buffer) => crypto.createHash('md5').update(b).digest('hex');

/**
 * One ustar entry, written from the POSIX format: a 512-byte header (octal fields, checksum with
 * its own field counted as spaces), then the data padded to 512 bytes. `prefix` fills the ustar
 * prefix field; `type` '0' is a regular file, '5' a folder.
 */
function tarEntry(name: string, data: Buffer, opts: { prefix?: string; type?: string } = {}): Buffer {
  const h = Buffer.alloc(512);
  const put = (text: string, at: number, len: number) => {
    h.write(text, at, len, 'utf8');
  };
  const oct = (n: number, at: number, len: number) => put(n.toString(8).padStart(len - 1, '0') + '\0', at, len);
  put(name, 0, 100);
  oct(0o644, 100, 8);
  oct(0, 108, 8);
  oct(0, 116, 8);
  oct(data.length, 124, 12);
  oct(0, 136, 12);
  put(opts.type ?? '0', 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  if (opts.prefix) put(opts.prefix, 345, 155);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  return Buffer.concat([h, data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

/** A gzipped tar of `entries`, ended by two zero blocks. */
function tarGz(entries: Buffer[]): Buffer {
  return zlib.gzipSync(Buffer.concat([...entries, Buffer.alloc(1024)]));
}

// Fixtures: four tiny Fashion-MNIST files (gzip IDX) and a tiny CIFAR-10 archive, both readable by the loaders.
const FMNIST_NAMES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];
const fmnistFiles = [
  zlib.gzipSync(idxBytes([4, 28, 28], tinyImages(4, 784))),
  zlib.gzipSync(idxBytes([4], [0, 1, 2, 9])),
  zlib.gzipSync(idxBytes([2, 28, 28], tinyImages(2, 784))),
  zlib.gzipSync(idxBytes([2], [3, 4])),
];
const CIFAR_DIR = 'cifar-10-batches-bin';
const CIFAR_MEMBERS = [
  'data_batch_1.bin',
  'data_batch_2.bin',
  'data_batch_3.bin',
  'data_batch_4.bin',
  'data_batch_5.bin',
  'test_batch.bin',
];
const cifarRecords = cifarBytes(tinyImages(2, 3072), [[1], [7]]);
const cifarArchive = tarGz([
  tarEntry(`${CIFAR_DIR}/`, Buffer.alloc(0), { type: '5' }),
  ...CIFAR_MEMBERS.map((n) => tarEntry(`${CIFAR_DIR}/${n}`, cifarRecords)),
  tarEntry('batches.meta.txt', Buffer.from('airplane\n'), { prefix: CIFAR_DIR }), // name through the prefix field
]);
const evilArchive = tarGz([tarEntry(`${CIFAR_DIR}/data_batch_1.bin`, cifarRecords), tarEntry(`${CIFAR_DIR}/../../evil`, Buffer.from('x'))]);
const absoluteArchive = tarGz([tarEntry('/tmp/rdarts-absolute-evil', Buffer.from('x'))]);
const strayArchive = tarGz([tarEntry('elsewhere/data_batch_1.bin', cifarRecords)]);

/** DATA_SOURCES with the MD5s of our fixtures: the official URLs, served by the mirror. */
function sourcesFor(name: DatasetName, files: Buffer[]): FetchOptions['sources'] {
  return { [name]: DATA_SOURCES[name].map((s, i): DataSource => ({ ...s, md5: md5(files[i]) })) };
}

describe('rdarts data fetch', function () {
  this.timeout(60000);
  let server: http.Server;
  let base: string;
  const served = new Map<string, Buffer>();
  const requests: string[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      requests.push(req.url ?? '');
      const url = req.url ?? '';
      if (url.startsWith('/moved/')) {
        // a redirect, as official hosts do
        res.writeHead(302, { location: `/files/${url.slice('/moved/'.length)}` }).end();
        return;
      }
      const body = url.startsWith('/files/') ? served.get(url.slice('/files/'.length)) : undefined;
      if (!body) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, { 'content-length': body.length });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    served.clear();
    requests.length = 0;
  });

  /** Everything under `dir`, relative, sorted (folders end in /). */
  function tree(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir, { recursive: true, withFileTypes: true })
      .map((d) => path.relative(dir, path.join(d.parentPath ?? d.path, d.name)) + (d.isDirectory() ? '/' : ''))
      .sort();
  }

  it('mirrorUrl replaces the origin and path up to the file name', () => {
    assert.strictEqual(mirrorUrl(DATA_SOURCES.cifar10[0].url, 'http://h:1/copies'), 'http://h:1/copies/cifar-10-binary.tar.gz');
    assert.strictEqual(mirrorUrl(DATA_SOURCES.svhn[0].url, 'http://h/x/'), 'http://h/x/train_32x32.mat');
    assert.strictEqual(mirrorUrl(DATA_SOURCES.svhn[0].url), DATA_SOURCES.svhn[0].url);
  });

  it('downloads gzip files (through a redirect), checks their MD5s, and the loader reads them; a rerun skips them', async () => {
    const { dir, cleanup } = tempDir();
    try {
      FMNIST_NAMES.forEach((n, i) => served.set(n, fmnistFiles[i]));
      const lines: string[] = [];
      const r = await fetchDataset('fashion-mnist', {
        env: { RDARTS_DATA: dir, RDARTS_DATA_MIRROR: `${base}/moved/` },
        sources: sourcesFor('fashion-mnist', fmnistFiles),
        log: (l) => lines.push(l),
      });
      assert.strictEqual(r.dir, path.join(dir, 'fashion-mnist'));
      assert.deepStrictEqual(
        r.files.map((f) => f.status),
        ['downloaded', 'downloaded', 'downloaded', 'downloaded'],
      );
      assert.strictEqual(r.files[0].url, `${base}/moved/train-images-idx3-ubyte.gz`);
      assert.deepStrictEqual(tree(dir), ['fashion-mnist/', ...FMNIST_NAMES.map((n) => `fashion-mnist/${n}`).sort()]);
      FMNIST_NAMES.forEach((n, i) => assert.ok(fs.readFileSync(path.join(dir, 'fashion-mnist', n)).equals(fmnistFiles[i])));
      assert.ok(
        lines.some((l) => /downloading .*train-images-idx3-ubyte\.gz \(\d+ bytes\)/.test(l)),
        lines.join('\n'),
      );
      assert.ok(
        lines.some((l) => /MD5 [0-9a-f]{32} ok/.test(l)),
        lines.join('\n'),
      );
      const data = loadFashionMnist({ env: { RDARTS_DATA: dir } });
      assert.deepStrictEqual([data.train.n, data.test.n, Array.from(data.test.labels)], [4, 2, [3, 4]]);

      requests.length = 0;
      const again = await fetchDataset('fashion-mnist', {
        dir,
        baseUrl: `${base}/files/`,
        sources: sourcesFor('fashion-mnist', fmnistFiles),
        log: (l) => lines.push(l),
      });
      assert.deepStrictEqual(
        again.files.map((f) => f.status),
        Array(4).fill('already there'),
      );
      assert.deepStrictEqual(requests, []);
      assert.ok(lines.some((l) => /already there/.test(l)));
    } finally {
      cleanup();
    }
  });

  it('unpacks a tar.gz into the folder the loader reads, keeps the archive, and re-checks the members on a rerun', async () => {
    const { dir, cleanup } = tempDir();
    try {
      served.set('cifar-10-binary.tar.gz', cifarArchive);
      const options: FetchOptions = { dir, baseUrl: `${base}/files`, sources: sourcesFor('cifar10', [cifarArchive]), log: () => undefined };
      const r = await fetchDataset('cifar10', options);
      const folder = path.join(dir, CIFAR_DIR);
      assert.strictEqual(r.dir, folder);
      assert.strictEqual(r.files[0].status, 'downloaded');
      assert.strictEqual(r.files[0].unpacked.length, 7);
      assert.deepStrictEqual(
        tree(dir),
        [`${CIFAR_DIR}/`, ...[...CIFAR_MEMBERS, 'batches.meta.txt', 'cifar-10-binary.tar.gz'].map((n) => `${CIFAR_DIR}/${n}`)].sort(),
      );
      assert.strictEqual(fs.readFileSync(path.join(folder, 'batches.meta.txt'), 'utf8'), 'airplane\n');
      const data = loadCifar10({ env: { RDARTS_DATA: dir } });
      assert.deepStrictEqual([data.train.n, data.test.n, Array.from(data.test.labels)], [10, 2, [1, 7]]);

      fs.rmSync(path.join(folder, 'test_batch.bin'));
      requests.length = 0;
      const again = await fetchDataset('cifar10', options);
      assert.strictEqual(again.files[0].status, 'already there');
      assert.deepStrictEqual(again.files[0].unpacked, [path.join(folder, 'test_batch.bin')]);
      assert.deepStrictEqual(requests, []);
      assert.strictEqual((await fetchDataset('cifar10', options)).files[0].unpacked.length, 0);
    } finally {
      cleanup();
    }
  });

  it('refuses a download whose MD5 is not the official one, naming the URL and both sums, and leaves nothing', async () => {
    const { dir, cleanup } = tempDir();
    try {
      served.set('cifar-10-binary.tar.gz', cifarArchive); // the real DATA_SOURCES: the official MD5
      const root = path.join(dir, 'data');
      await assert.rejects(
        fetchDataset('cifar10', { dir: root, baseUrl: `${base}/files/`, log: () => undefined }),
        new RegExp(
          `${base}/files/cifar-10-binary\\.tar\\.gz: MD5 mismatch: expected ${DATA_SOURCES.cifar10[0].md5}, ` + `got ${md5(cifarArchive)}`,
        ),
      );
      assert.deepStrictEqual(tree(dir), []);
      // A file already there with a wrong MD5 is downloaded again, and stays untouched when that fails.
      fs.mkdirSync(path.join(root, 'svhn'), { recursive: true });
      fs.writeFileSync(path.join(root, 'svhn', 'train_32x32.mat'), 'old');
      served.set('train_32x32.mat', Buffer.from('not svhn'));
      await assert.rejects(fetchDataset('svhn', { dir: root, baseUrl: `${base}/files/`, log: () => undefined }), /MD5 mismatch/);
      assert.deepStrictEqual(tree(root), ['svhn/', 'svhn/train_32x32.mat']);
      assert.strictEqual(fs.readFileSync(path.join(root, 'svhn', 'train_32x32.mat'), 'utf8'), 'old');
    } finally {
      cleanup();
    }
  });

  for (const [what, archive, message] of [
    ['a ../ entry', evilArchive, /archive entry "cifar-10-batches-bin\/\.\.\/\.\.\/evil" escapes the destination \(\.\.\); refusing/],
    ['an absolute entry', absoluteArchive, /archive entry "\/tmp\/rdarts-absolute-evil" is an absolute path; refusing/],
    ["an entry outside the loader's folder", strayArchive, /"elsewhere\/data_batch_1\.bin" is not under cifar-10-batches-bin\//],
  ] as const) {
    it(`refuses an archive with ${what} and writes nothing, inside or outside`, async () => {
      const { dir, cleanup } = tempDir();
      try {
        served.set('cifar-10-binary.tar.gz', archive);
        await assert.rejects(
          fetchDataset('cifar10', {
            dir: path.join(dir, 'a', 'data'),
            baseUrl: `${base}/files/`,
            sources: sourcesFor('cifar10', [archive]),
            log: () => undefined,
          }),
          message,
        );
        assert.deepStrictEqual(tree(dir), []);
        assert.ok(!fs.existsSync('/tmp/rdarts-absolute-evil'));
      } finally {
        cleanup();
      }
    });
  }

  it('rejects an unknown data set, listing the choices', async () => {
    await assert.rejects(
      fetchDataset('imagenet', { log: () => undefined }),
      /dataset="imagenet" is not a data set; use one of fashion-mnist, cifar10, cifar100, svhn/,
    );
  });

  it('names the URL when the host cannot be reached, or answers 404, and leaves nothing', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { dir, cleanup } = tempDir();
    try {
      await assert.rejects(
        fetchDataset('svhn', { dir, baseUrl: `http://127.0.0.1:${port}/x/`, log: () => undefined }),
        new RegExp(
          `cannot download http://127\\.0\\.0\\.1:${port}/x/train_32x32\\.mat \\(fetch failed: ECONNREFUSED\\)\\. ` +
            'This machine may have no access to it',
        ),
      );
      await assert.rejects(
        fetchDataset('svhn', { dir, baseUrl: `${base}/files/`, log: () => undefined }),
        new RegExp(`cannot download ${base}/files/train_32x32\\.mat: HTTP 404`),
      );
      assert.deepStrictEqual(tree(dir), []);
    } finally {
      cleanup();
    }
  });

  it('readTar checks header checksums; safeEntryPath keeps names inside the root', () => {
    const tar = Buffer.concat([tarEntry('a/b', Buffer.from('hi')), Buffer.alloc(1024)]);
    assert.deepStrictEqual(
      readTar(tar).files.map((f) => [f.name, f.data.toString()]),
      [['a/b', 'hi']],
    );
    tar[0] ^= 1;
    assert.throws(() => readTar(tar), /checksum/);
    assert.strictEqual(safeEntryPath('/r', 'a/./b'), path.resolve('/r/a/b'));
    for (const bad of ['../x', 'a/../../x', '/etc/passwd', 'a/..', '.', '']) assert.ok(safeEntryPath('/r', bad) instanceof Error, bad);
  });

  describe('the command', () => {
    const cli = [process.execPath, '--require', 'tsx/cjs', path.join(repoRoot, 'lib', 'cli.ts')] as const;

    it('rejects an unknown data set', () => {
      const r = spawnSync(cli[0], [...cli.slice(1), 'data', 'fetch', 'imagenet'], { cwd: repoRoot, encoding: 'utf8' });
      assert.strictEqual(r.status, 1, r.stderr);
      assert.match(r.stderr, /rdarts: dataset="imagenet" is not a data set; use one of fashion-mnist, cifar10/);
    });

    it('fetches from --mirror into --dir, printing progress and errors on stderr', async () => {
      const { dir, cleanup } = tempDir();
      try {
        served.set('cifar-10-binary.tar.gz', cifarArchive);
        const child = spawn(cli[0], [...cli.slice(1), 'data', 'fetch', 'cifar10', '--dir', dir, '--mirror', `${base}/files/`], {
          cwd: repoRoot,
          env: { ...process.env, RDARTS_DATA_MIRROR: '' },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => {
          stdout += d;
        });
        child.stderr.on('data', (d) => {
          stderr += d;
        });
        const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
        assert.strictEqual(status, 1, stderr);
        assert.strictEqual(stdout, '');
        assert.match(stderr, /downloading http:\/\/127\.0\.0\.1:\d+\/files\/cifar-10-binary\.tar\.gz \(\d+ bytes\)/);
        assert.match(
          stderr,
          /rdarts: http:\/\/127\.0\.0\.1:\d+\/files\/cifar-10-binary\.tar\.gz: MD5 mismatch: expected c32a1d4ab5d03f1284b67883e8d87530/,
        );
        assert.deepStrictEqual(tree(dir), []);
      } finally {
        cleanup();
      }
    });
  });
});

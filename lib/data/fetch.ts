/**
 * `rdarts data fetch NAME`: downloads a data set from its official location (DATA_SOURCES in
 * ./registry), checks each file's published MD5, unpacks it, and leaves the files where the
 * loaders look: `<root>/<folder>/`, where root is `--dir`, else `$RDARTS_DATA`, else the project's
 * `data/` folder, and folder is the data set's (DATASETS[name].folder, e.g. `cifar-10-batches-bin`).
 *
 * - A plain file (`unpack: 'none'`: the Fashion-MNIST `.gz` files, read gzipped by the loader; the
 *   SVHN `.mat` files) is stored under its own name in `<root>/<folder>/`.
 * - A `.tar.gz` archive (CIFAR) is unpacked into `<root>/`: its entries must all lie under
 *   `<folder>/` (the CIFAR archives' top folder is exactly the loader's folder), and an entry that
 *   would land outside (`..`, an absolute path) refuses the whole archive before anything is
 *   written. The verified archive is then kept as `<root>/<folder>/<archive name>`; it is moved
 *   there last, so its presence means the unpacking finished.
 *
 * Each download streams to a hidden `*.tmp` file next to its destination while its MD5 is computed;
 * a wrong MD5 deletes it and fails naming the URL and both sums. Every file appears by an atomic
 * rename, so a failure (network, MD5, a refused archive) never leaves a half-written file under
 * the destination. A file already present with the right MD5 is not downloaded again ("already
 * there"); an archive already there is re-checked against the unpacked files, and any missing or
 * different one is written again.
 *
 * Mirrors: `baseUrl` (CLI `--mirror`, env `RDARTS_DATA_MIRROR`) replaces each official URL's
 * origin and path up to the file name, e.g. with `http://host/copies/`,
 * `https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz` is fetched from
 * `http://host/copies/cifar-10-binary.tar.gz`. The MD5s checked stay the official ones.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import * as zlib from 'zlib';
import { packageRoot } from '../paths';
import { writeFileAtomic } from '../io/atomic';
import { DatasetName } from './dataset';
import { DATA_SOURCES, DATASETS, DataSource, parseDatasetName } from './registry';
import { readTar, safeEntryPath } from './tar';

const gunzip = promisify(zlib.gunzip);

/** Options of fetchDataset. */
export interface FetchOptions {
  /** Root folder: the data set's folder is made under it. Default `$RDARTS_DATA`, else `data/`. */
  readonly dir?: string;
  /**
   * Base URL replacing each source URL's origin and path up to the file name (a mirror, or a
   * local server in tests). Default `$RDARTS_DATA_MIRROR`; unset: the official URLs.
   */
  readonly baseUrl?: string;
  /** Environment holding RDARTS_DATA and RDARTS_DATA_MIRROR; defaults to process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The sources to fetch from, by data set; default DATA_SOURCES (tests pass their own MD5s). */
  readonly sources?: Readonly<Partial<Record<DatasetName, readonly DataSource[]>>>;
  /** Receives progress lines; default: printed to stderr. */
  readonly log?: (line: string) => void;
}

/** What happened to one source file. */
export interface FetchedFile {
  /** The URL it was (or would have been) downloaded from, after any mirror. */
  readonly url: string;
  /** Where the verified file now lies. */
  readonly file: string;
  readonly status: 'downloaded' | 'already there';
  /** The files written from the archive this time (tar.gz only; empty when all were there). */
  readonly unpacked: string[];
}

/** The outcome of fetchDataset. */
export interface FetchResult {
  readonly name: DatasetName;
  /** The data set's folder, where the loader will find it (`<root>/<folder>`). */
  readonly dir: string;
  readonly files: FetchedFile[];
}

/** The root folder the data sets are fetched into (see FetchOptions.dir). */
export function dataRoot(options: Pick<FetchOptions, 'dir' | 'env'> = {}): string {
  const env = options.env ?? process.env;
  if (options.dir !== undefined) return path.resolve(options.dir);
  if (env.RDARTS_DATA) return path.resolve(env.RDARTS_DATA);
  return path.join(packageRoot, 'data');
}

/** The file name at the end of a URL's path. */
export function urlFileName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name.startsWith('.')) {
    throw new Error(`${url}: does not end in a plain file name`);
  }
  return name;
}

/** `url` with its origin and path up to the file name replaced by `baseUrl` (when given). */
export function mirrorUrl(url: string, baseUrl?: string): string {
  if (!baseUrl) return url;
  return new URL(urlFileName(url), baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).href;
}

/** The MD5 of a file, hex, read as a stream. */
export async function fileMd5(file: string): Promise<string> {
  const hash = crypto.createHash('md5');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

let counter = 0;

/** A temporary file name beside `file` (hidden; `*.tmp` is git-ignored). */
function tempBeside(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${counter++}.tmp`);
}

const bytes = (n: number) => n.toLocaleString('en-US');

/** What a failed `fetch` says, with its cause (ECONNREFUSED, ENOTFOUND, ...). */
function networkError(url: string, dir: string, e: unknown): Error {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const why = [(e as Error).message, cause?.code ?? cause?.message].filter(Boolean).join(': ');
  return new Error(
    `cannot download ${url} (${why}). This machine may have no access to it (offline, or only ` +
      `some hosts reachable): download the file elsewhere and put it in ${dir} (a rerun checks its MD5 and unpacks it), or point RDARTS_DATA_MIRROR ` +
      '(--mirror) at a copy',
  );
}

/**
 * Downloads `url` to a temporary file beside `dest`, checking its MD5; returns the temporary file
 * (the caller renames it into place). On any failure the temporary file is deleted.
 */
async function download(url: string, dest: string, md5: string, log: (line: string) => void): Promise<string> {
  const tmp = tempBeside(dest);
  let handle: fs.promises.FileHandle | undefined;
  try {
    let res: Response;
    try {
      res = await fetch(url, { redirect: 'follow' });
    } catch (e) {
      throw networkError(url, path.dirname(dest), e);
    }
    if (!res.ok || !res.body) {
      throw new Error(`cannot download ${url}: HTTP ${res.status} ${res.statusText}`.trimEnd());
    }
    const total = Number(res.headers.get('content-length')) || 0;
    const step = total > 0 ? Math.max(1, Math.ceil(total / 10)) : 8 * 2 ** 20;
    log(`downloading ${url}${total ? ` (${bytes(total)} bytes)` : ''}`);
    handle = await fs.promises.open(tmp, 'w');
    const hash = crypto.createHash('md5');
    let got = 0;
    let next = step;
    try {
      // Cast: Node's web ReadableStream is async-iterable, but tslab's TypeScript 5.0 types say not.
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        await handle.write(chunk);
        hash.update(chunk);
        got += chunk.length;
        if (got >= next && (total === 0 || got < total)) {
          log(`  ${bytes(got)}${total ? ` / ${bytes(total)} bytes (${Math.floor((100 * got) / total)}%)` : ' bytes'}`);
          while (next <= got) next += step;
        }
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).syscall === 'write') throw e; // the disk, not the network
      throw networkError(url, path.dirname(dest), e);
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    const actual = hash.digest('hex');
    if (actual !== md5.toLowerCase()) {
      throw new Error(
        `${url}: MD5 mismatch: expected ${md5}, got ${actual} (${bytes(got)} bytes); ` +
          'the download was deleted (a corrupt or changed file, or a wrong mirror)',
      );
    }
    log(`  ${bytes(got)} bytes, MD5 ${actual} ok`);
    return tmp;
  } catch (e) {
    await handle?.close().catch(() => undefined);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Unpacks the tar.gz `archive` into `root`; every entry must lie under `<root>/<folder>/`.
 * Checks every entry before writing any; writes each file atomically, skipping those already
 * there with the same bytes. Returns the files written.
 */
async function unpackTarGz(archive: string, url: string, root: string, folder: string, log: (line: string) => void): Promise<string[]> {
  let tar: Buffer;
  try {
    tar = await gunzip(await fs.promises.readFile(archive));
  } catch (e) {
    throw new Error(`${url}: is not a valid gzip file (${(e as Error).message})`, { cause: e });
  }
  let files;
  try {
    ({ files } = readTar(tar));
  } catch (e) {
    throw new Error(`${url}: ${(e as Error).message}`, { cause: e });
  }
  const folderDir = path.join(root, folder);
  const targets = files.map((f) => {
    const target = safeEntryPath(root, f.name);
    if (target instanceof Error) throw new Error(`${url}: ${target.message}; refusing to unpack it`);
    if (!target.startsWith(folderDir + path.sep)) {
      throw new Error(`${url}: archive entry "${f.name}" is not under ${folder}/, the folder the loader ` + 'reads; refusing to unpack it');
    }
    return target;
  });
  if (files.length === 0) throw new Error(`${url}: the archive holds no files`);
  const written: string[] = [];
  for (let i = 0; i < files.length; i++) {
    const target = targets[i];
    const same =
      fs.existsSync(target) && fs.statSync(target).size === files[i].data.length && fs.readFileSync(target).equals(files[i].data);
    if (same) continue;
    writeFileAtomic(target, files[i].data);
    written.push(target);
  }
  log(
    `  unpacked ${written.length} of ${files.length} files into ${folderDir}` +
      (written.length < files.length ? ` (${files.length - written.length} already there)` : ''),
  );
  return written;
}

/** Downloads, checks and unpacks one source into `<root>/<folder>/`. */
async function fetchSource(
  source: DataSource,
  url: string,
  root: string,
  folder: string,
  log: (line: string) => void,
): Promise<FetchedFile> {
  const dest = path.join(root, folder, urlFileName(source.url));
  if (fs.existsSync(dest)) {
    const md5 = await fileMd5(dest);
    if (md5 === source.md5.toLowerCase()) {
      log(`${dest}: already there (MD5 ok)`);
      const unpacked = source.unpack === 'tar.gz' ? await unpackTarGz(dest, url, root, folder, log) : [];
      return { url, file: dest, status: 'already there', unpacked };
    }
    log(`${dest}: MD5 ${md5} is not the expected ${source.md5}; downloading it again`);
  }
  const tmp = await download(url, dest, source.md5, log);
  try {
    const unpacked = source.unpack === 'tar.gz' ? await unpackTarGz(tmp, url, root, folder, log) : [];
    fs.renameSync(tmp, dest);
    return { url, file: dest, status: 'downloaded', unpacked };
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * Fetches the data set `name` (see the file header): downloads each of its sources not already
 * there, checks their MD5s, unpacks archives, and returns where the files are. An unknown name
 * throws the registry's error listing the data sets.
 */
export async function fetchDataset(name: string, options: FetchOptions = {}): Promise<FetchResult> {
  const dataset = parseDatasetName(name);
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const sources = (options.sources ?? DATA_SOURCES)[dataset];
  if (!sources || sources.length === 0) throw new Error(`${DATASETS[dataset].label}: no download sources are known`);
  const baseUrl = options.baseUrl ?? (env.RDARTS_DATA_MIRROR || undefined);
  const root = dataRoot(options);
  const { folder, label } = DATASETS[dataset];
  const dir = path.join(root, folder);
  const made = fs.mkdirSync(dir, { recursive: true }); // the first folder this call created, if any
  const files: FetchedFile[] = [];
  try {
    for (const source of sources) files.push(await fetchSource(source, mirrorUrl(source.url, baseUrl), root, folder, log));
  } catch (e) {
    // Keep what was verified; drop the folders this call made if it left them empty.
    if (made !== undefined) {
      for (let d = dir; d.length >= made.length && fs.readdirSync(d).length === 0; d = path.dirname(d)) fs.rmdirSync(d);
    }
    throw e;
  }
  log(`${label}: ${files.length} file(s) in ${dir}`);
  return { name: dataset, dir, files };
}

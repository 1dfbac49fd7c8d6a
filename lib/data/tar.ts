/**
 * A minimal tar reader (POSIX ustar, and the GNU/pax long names) over an already gunzipped
 * Buffer: enough to unpack the CIFAR archives without a dependency.
 *
 * Only regular files are returned; directories, links, devices and other entry types are skipped
 * (counted in `skipped`). A name is `prefix/name` when the ustar `prefix` field is set; a GNU `L`
 * entry or a pax `path` record replaces the name of the entry that follows it. Every header's
 * checksum is verified. Names are returned as stored: callers must check that they stay inside the
 * folder they unpack into (see `safeEntryPath`).
 */
import * as path from 'path';

const BLOCK = 512;

/** One regular file of a tar archive. */
export interface TarEntry {
  /** Its path as stored in the archive (`/`-separated). */
  readonly name: string;
  /** Its bytes (a view into the archive buffer, not a copy). */
  readonly data: Buffer;
  /** The mode bits from the header. */
  readonly mode: number;
}

/** The regular files of an archive, and how many entries of other types were skipped. */
export interface TarContents {
  readonly files: TarEntry[];
  readonly skipped: number;
}

/** A NUL-terminated string field. */
function str(buf: Buffer, start: number, length: number): string {
  const field = buf.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? field.length : end).toString('utf8');
}

/** An octal number field (or GNU base-256 when the top bit of the first byte is set). */
function num(buf: Buffer, start: number, length: number, what: string, at: number): number {
  const field = buf.subarray(start, start + length);
  if (field[0] & 0x80) {
    let v = field[0] & 0x7f;
    for (let i = 1; i < field.length; i++) v = v * 256 + field[i];
    return v;
  }
  const text = str(buf, start, length).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new Error(`tar: header at byte ${at}: ${what} field "${text}" is not octal`);
  return parseInt(text, 8);
}

/** The `path` record of a pax extended header, if any. */
function paxPath(data: Buffer): string | undefined {
  let found: string | undefined;
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    if (space < 0) break;
    const len = parseInt(data.subarray(i, space).toString('ascii'), 10);
    if (!Number.isInteger(len) || len <= 0) break;
    const record = data.subarray(space + 1, i + len - 1).toString('utf8'); // without the trailing \n
    const eq = record.indexOf('=');
    if (eq > 0 && record.slice(0, eq) === 'path') found = record.slice(eq + 1);
    i += len;
  }
  return found;
}

/** Reads the regular files of the tar archive in `buf` (already gunzipped). */
export function readTar(buf: Buffer): TarContents {
  const files: TarEntry[] = [];
  let skipped = 0;
  let longName: string | undefined;
  let offset = 0;
  while (offset + BLOCK <= buf.length) {
    const at = offset;
    const header = buf.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) break; // end of archive
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
    const stored = num(header, 148, 8, 'checksum', offset);
    if (stored !== sum)
      throw new Error(`tar: header at byte ${offset} has checksum ${stored}, computed ${sum}: not a tar archive, or a corrupt one`);
    const size = num(header, 124, 12, 'size', offset);
    const type = String.fromCharCode(header[156] || 0x30);
    const dataStart = offset + BLOCK;
    if (dataStart + size > buf.length)
      throw new Error(`tar: entry at byte ${offset} (${size} bytes) runs past the end of the archive: truncated`);
    const data = buf.subarray(dataStart, dataStart + size);
    const magic = str(header, 257, 6);
    const prefix = magic.startsWith('ustar') ? str(header, 345, 155) : '';
    const stem = str(header, 0, 100);
    const name = longName ?? (prefix ? `${prefix}/${stem}` : stem);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L') {
      // GNU long name of the next entry
      longName = str(data, 0, data.length);
      continue;
    }
    if (type === 'x') {
      // pax extended header of the next entry
      longName = paxPath(data) ?? longName;
      continue;
    }
    longName = undefined;
    if (type === '0' || type === '7') files.push({ name, data, mode: num(header, 100, 8, 'mode', at) });
    else skipped++;
  }
  return { files, skipped };
}

/**
 * The path an entry named `name` would have under `root`, or an Error when it would land outside
 * `root` (an absolute name, a `..` segment) or names nothing.
 */
export function safeEntryPath(root: string, name: string): string | Error {
  const parts = name.split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
  if (path.isAbsolute(name) || /^[A-Za-z]:/.test(name) || name.startsWith('\\')) {
    return new Error(`archive entry "${name}" is an absolute path`);
  }
  if (parts.includes('..')) return new Error(`archive entry "${name}" escapes the destination (..)`);
  if (parts.length === 0) return new Error(`archive entry "${name}" names no file`);
  const full = path.resolve(root, ...parts);
  const rel = path.relative(path.resolve(root), full);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    return new Error(`archive entry "${name}" escapes the destination`);
  }
  return full;
}

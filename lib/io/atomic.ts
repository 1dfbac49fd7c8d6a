/**
 * Atomic file writes: a reader sees the old file or the new one, never half of one.
 * Write to a temporary file in the same directory, then rename over the target (rename is atomic
 * within one file system on POSIX).
 */
import * as fs from 'fs';
import * as path from 'path';

let counter = 0;

/** Writes `data` to `file` atomically, creating the parent directories. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${counter++}.tmp`);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

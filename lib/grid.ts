/**
 * `rdarts grid FILE`: the searches of a grid file (lib/config/overrides_file.ts), one process per
 * core (wasm runs one thread), each an ordinary `rdarts search` that reads back, resumes or starts
 * its run. Finished runs cost nothing, so a grid is re-run to resume it. Output lines carry the
 * entry's name.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GridEntry } from './config/overrides_file';

export interface GridOptions {
  /** Processes at once (default: the number of cores). */
  readonly jobs?: number;
  /** Folder of run directories (default results/runs). */
  readonly out?: string;
  readonly log?: (line: string) => void;
}

/** Runs `entries`; resolves with each entry's exit code (0 = finished). */
export async function runGrid(entries: readonly GridEntry[], options: GridOptions = {}): Promise<Map<string, number>> {
  const jobs = options.jobs ?? os.cpus().length;
  if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`grid: jobs must be a positive integer, got ${jobs}`);
  const log = options.log ?? ((l: string) => console.log(l));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rdarts-grid-'));
  const codes = new Map<string, number>();
  const queue = [...entries];
  // This process's own way of running the CLI (node + tsx's loader, or node + dist/cli.js).
  const cli = process.argv[1];
  const worker = async () => {
    for (let e = queue.shift(); e; e = queue.shift()) {
      const entry = e;
      const file = path.join(tmp, `${entry.name.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
      fs.writeFileSync(file, JSON.stringify(entry.overrides));
      const args = [...process.execArgv, cli, 'search', '--preset', entry.preset, '--config', file, ...(options.out ? ['--out', options.out] : [])];
      log(`[${entry.name}] start: ${entry.preset} + ${JSON.stringify(entry.overrides)}`);
      const code = await new Promise<number>((resolve) => {
        const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
        const relay = (chunk: Buffer) => {
          for (const line of chunk.toString().split(/[\r\n]+/)) if (line.trim() !== '' && !/ step \d+\/\d+ /.test(line)) log(`[${entry.name}] ${line}`);
        };
        child.stdout.on('data', relay);
        child.stderr.on('data', relay);
        child.on('close', (c) => resolve(c ?? 1));
      });
      codes.set(entry.name, code);
      log(`[${entry.name}] ${code === 0 ? 'finished' : `failed (exit ${code})`}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(jobs, entries.length) }, worker));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return codes;
}

/**
 * What the kernel benchmarks (depthwise.ts, pointwise.ts) share: their timer and their command line.
 */
import * as fs from 'fs';
import * as os from 'os';
import { initBackend } from '../backend';

/**
 * The first-quartile time of `iters` calls of `f` after 3 untimed ones, in ms: the quartile, not the
 * median, as other processes on the machine only add time. For the kernel benchmarks
 * (depthwise.ts, pointwise.ts).
 */
export function quartileMs(f: () => void, iters: number): number {
  for (let i = 0; i < 3; i++) f();
  const ts: number[] = [];
  for (let i = 0; i < iters; i++) {
    const t = performance.now();
    f();
    ts.push(performance.now() - t);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(iters / 4)];
}

/**
 * The command line of a kernel benchmark: `[--iters N] [--append FILE]`. On the wasm backend, runs
 * `shapes(iters)` and prints one JSON line (`bench`, the machine, the wasm build, the rows), also
 * appended to FILE when given.
 */
export function kernelBenchMain(bench: string, shapes: (iters: number) => unknown[]): void {
  const arg = (name: string) => {
    const at = process.argv.indexOf(name);
    return at > 0 ? process.argv[at + 1] : undefined;
  };
  (async () => {
    const info = await initBackend({ force: 'wasm' });
    const iters = Number(arg('--iters') ?? 31);
    const record = {
      bench,
      node: process.version,
      cpu: os.cpus()[0]?.model,
      wasm: info.wasm,
      iters,
      shapes: shapes(iters),
      timestamp: new Date().toISOString(),
    };
    console.log(JSON.stringify(record));
    const append = arg('--append');
    if (append) fs.appendFileSync(append, JSON.stringify(record) + '\n');
  })().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}

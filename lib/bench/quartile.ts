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

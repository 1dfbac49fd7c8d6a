import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { benchPairs, pairsMarkdown } from '../../lib/bench/vs_torch_pairs';

const config = (C: number) => ({ space: 's3', layers: 8, C, batch: 64, image: 32, in_channels: 3 });
const phases = (a: number, b: number, c: number, cpu?: number) => ({
  a_weight_step: { median_ms: a, ...(cpu === undefined ? {} : { cpu_median_ms: a * cpu }) },
  b_arch_step_1st: { median_ms: b, ...(cpu === undefined ? {} : { cpu_median_ms: b * cpu }) },
  c_arch_step_2nd: { median_ms: c, ...(cpu === undefined ? {} : { cpu_median_ms: c * cpu }) },
});
const line = (impl: string, at: string, C: number, p: object, threads = 1) =>
  JSON.stringify({ impl, timestamp: at, threads, config: { ...config(C), iters: 3, warmup: 1 }, phases: p });

describe('vs_torch_pairs', () => {
  const text = [
    line('robust-darts-ts', '2026-12-07T10:00:00.000Z', 16, phases(200, 100, 600)),
    line('pytorch', '2026-12-07T10:01:00+0000', 16, phases(150, 150, 450)),
    // ours without a PyTorch line of the same network after it: no pair
    line('robust-darts-ts', '2026-12-08T10:00:00.000Z', 8, phases(1, 1, 1)),
    line('pytorch', '2026-12-08T10:01:00+0000', 16, phases(1, 1, 1)),
    // ... nor one whose PyTorch line ran another number of threads
    line('robust-darts-ts', '2026-12-08T10:30:00.000Z', 16, phases(1, 1, 1)),
    line('pytorch', '2026-12-08T10:31:00+0000', 16, phases(1, 1, 1), 2),
    line('robust-darts-ts', '2026-12-08T11:00:00.000Z', 16, phases(300, 100, 500, 0.5)),
    line('pytorch', '2026-12-08T11:01:00+0000', 16, phases(200, 200, 600, 0.8)),
    '',
  ].join('\n');

  it('pairs each of our lines with the PyTorch line of the same network after it', () => {
    const { pairs, unpaired } = benchPairs(text);
    assert.strictEqual(pairs.length, 2);
    assert.strictEqual(unpaired, 4);
    assert.deepStrictEqual(pairs[0].ours, { ab: 300, ac: 800, abCpu: undefined, acCpu: undefined });
    assert.deepStrictEqual(pairs[0].torch, { ab: 300, ac: 600, abCpu: undefined, acCpu: undefined });
    assert.deepStrictEqual(pairs[1].ours, { ab: 400, ac: 800, abCpu: 200, acCpu: 400 });
    assert.deepStrictEqual(pairs[1].torch, { ab: 400, ac: 800, abCpu: 320, acCpu: 640 });
  });

  it('keeps only the lines from --since on, and prints wall and CPU ratios', () => {
    const { pairs, unpaired } = benchPairs(text, '2026-12-08T00:00:00Z');
    assert.strictEqual(pairs.length, 1);
    assert.strictEqual(unpaired, 4);
    const row = pairsMarkdown(pairs).split('\n')[2];
    assert.match(row, /\| 400 \/ 400 \| 1\.00x \| 200 \/ 320 \| 0\.63x \| 800 \/ 800 \| 1\.00x \| 400 \/ 640 \| 0\.63x \|$/);
  });

  it('names a line that is not JSON by its line in the file, and a --since that is not a time', () => {
    assert.throws(() => benchPairs('{}\n\nnot json\n'), /line 3 is not JSON/);
    assert.throws(() => benchPairs(text, 'yesterday'), /--since yesterday is not a time/);
  });
});

describe('torch_timed.py', () => {
  it("runs the reference's main with CPU times added to each phase, the thread variables set before it loads", function () {
    this.timeout(20000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'torch-timed-'));
    // A stand-in for the reference: its entry points as torch_timed.py uses them, no torch.
    fs.writeFileSync(
      path.join(dir, 'torch_darts_bench.py'),
      [
        'import argparse, json, os',
        'THREADS_AT_IMPORT = os.environ.get("OMP_NUM_THREADS")',
        'MALLOC_TUNED = False',
        'def build_arg_parser():',
        '    p = argparse.ArgumentParser()',
        '    p.add_argument("--threads", type=int, default=1)',
        '    p.add_argument("--malloc", default="tuned")',
        '    return p',
        'def timed(fn, iters, warmup):',
        '    raise AssertionError("the reference timer ran")',
        'def main(args):',
        '    t = timed(lambda: sum(i * i for i in range(20000)), 3, 1)',
        '    print(json.dumps({"threads_at_import": THREADS_AT_IMPORT, "malloc_tuned": MALLOC_TUNED, "a": t}))',
      ].join('\n') + '\n',
    );
    const out = execFileSync('python3', [path.join('lib', 'bench', 'torch_timed.py'), '--threads', '2', '--threads', '3'], {
      env: { ...process.env, PERF_DIR: dir, OMP_NUM_THREADS: '' },
      encoding: 'utf8',
    });
    const r = JSON.parse(out) as { threads_at_import: string; malloc_tuned: boolean; a: Record<string, unknown> };
    // The last --threads wins, as in argparse; set before the reference (and torch) load.
    assert.strictEqual(r.threads_at_import, '3');
    assert.strictEqual(r.malloc_tuned, true);
    assert.strictEqual(r.a.n, 3);
    const [cpu, wall] = [r.a.cpu_times_ms as number[], r.a.times_ms as number[]];
    assert.strictEqual(cpu.length, 3);
    // One busy Python thread: its CPU time is at most its wall time (and some clock slack).
    assert.ok(
      cpu.every((t, i) => t >= 0 && t <= wall[i] + 5),
      `cpu ${cpu.join(', ')} ms, wall ${wall.join(', ')} ms`,
    );
    assert.ok(Math.abs((r.a.cpu_median_ms as number) - [...cpu].sort((x, y) => x - y)[1]) < 1e-3, 'the median of the three');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

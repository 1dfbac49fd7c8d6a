import * as assert from 'assert';
import * as path from 'path';
import { collapseTimingFigure, noneEdgesByEpoch } from '../../lib/analysis/collapse_figure';
import { readRun } from '../../lib/runs/run_read';
import { repoRoot } from '../helpers';

type Trace = { name: string; mode: string; x: number[]; y: (number | null)[]; yaxis?: string; line?: { color: string; dash: string } };

describe('collapseTimingFigure (docs/method.md §3)', () => {
  // The pilot's S3 DARTS at 1,000 steps, seed 0: collapsed from epoch 9, `none` strongest on 11 of 14 edges at the end.
  const run = readRun(path.join(repoRoot, 'results', 'pilot', 'runs', '47215bb98af1'));

  it("counts each epoch's none-strongest normal edges, and marks the collapse epoch on that line", () => {
    const none = noneEdgesByEpoch(run);
    assert.strictEqual(none.length, 50);
    assert.strictEqual(none[49].none, 11);
    const fig = collapseTimingFigure([{ name: 's3-steps1000', method: 'DARTS', run }], 'S3');
    const data = fig.data as Trace[];
    const [line, eigen, random, diamond] = data;
    assert.deepStrictEqual(
      line.y,
      none.map((r) => r.none),
    );
    assert.deepStrictEqual([diamond.mode, diamond.x, diamond.y], ['markers', [9], [none[9].none]]);
    // The eigenvalue panel: the measured epochs only (0, 2, ..., 48 and the last).
    assert.strictEqual(eigen.yaxis, 'y2');
    assert.deepStrictEqual(
      eigen.x,
      run.epochs.filter((e) => e.hessian).map((e) => e.epoch),
    );
    assert.ok(eigen.x.includes(0) && eigen.x.includes(49) && !eigen.x.includes(1));
    // S3 has 3 ops an edge: a random argmax puts none first on 14 / 3 edges.
    assert.ok(Math.abs((random.y[0] as number) - 14 / 3) < 1e-12);
    assert.deepStrictEqual((fig.layout as { shapes: unknown[] }).shapes, []);
  });

  it('shades the held epochs of a warm-up search, colours by method and dashes by seed', () => {
    const held = { ...run, config: { ...run.config, alphaWarmupEpochs: 10, seed: 1 } };
    const fig = collapseTimingFigure(
      [
        { name: 'a', method: 'DARTS', run },
        { name: 'b', method: 'DARTS (alphas held 10 epochs)', run: held },
      ],
      'S3',
    );
    const lines = (fig.data as Trace[]).filter((t) => t.mode === 'lines' && t.line?.dash !== undefined && !t.name.startsWith('a random'));
    assert.notStrictEqual(lines[0].line?.color, lines[1].line?.color);
    assert.deepStrictEqual([lines[0].line?.dash, lines[1].line?.dash], ['solid', 'dot']);
    const shapes = (fig.layout as { shapes: { x0: number; x1: number; yref: string }[] }).shapes;
    assert.deepStrictEqual(
      shapes.map((s) => [s.x0, s.x1, s.yref]),
      [
        [-0.5, 9.5, 'y domain'],
        [-0.5, 9.5, 'y2 domain'],
      ],
    );
    assert.throws(() => collapseTimingFigure([], 'S3'), /no runs/);
  });
});

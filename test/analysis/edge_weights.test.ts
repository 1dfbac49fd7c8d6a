import * as assert from 'assert';
import { OP_COLORS } from '../../lib/analysis/cell_svg';
import { edgeWeightsFigure } from '../../lib/analysis/edge_weights';
import { exportSize } from '../../lib/analysis/figure_html';
import type { EpochRecord } from '../../lib/runs/records';
import { getSpace } from '../../lib/spaces/spaces';

type Trace = {
  name: string;
  showlegend: boolean;
  x: number[];
  y: number[];
  xaxis: string;
  yaxis: string;
  line: { color: string; dash: string };
};

/** S3 records whose normal edge e puts weight w(epoch) on skip_connect and the rest on sep_conv_3x3. */
function records(epochs: number): EpochRecord[] {
  return Array.from({ length: epochs }, (_, epoch) => {
    const w = 0.4 + 0.1 * epoch;
    const edges = (skip: number) => Array.from({ length: 14 }, () => [0, skip, 1 - skip]);
    return { epoch, weights: { normal: edges(w), reduce: edges(0.5) } } as unknown as EpochRecord;
  });
}

describe('edgeWeightsFigure', () => {
  it('draws one panel per edge of both cells, one line per op the edge offers, from the uniform start', () => {
    const fig = edgeWeightsFigure(records(3), getSpace('s3'), 'S3');
    const traces = fig.data as Trace[];
    assert.strictEqual(traces.length, 2 * 14 * 3); // S3 offers [none, skip_connect, sep_conv_3x3] on every edge
    assert.strictEqual(new Set(traces.map((t) => t.xaxis)).size, 28);
    const skip = traces[1];
    assert.deepStrictEqual([skip.name, skip.xaxis, skip.yaxis], ['skip_connect', 'x', 'y']);
    assert.deepStrictEqual(skip.x, [0, 1, 2, 3]);
    assert.deepStrictEqual(
      skip.y.map((v) => Number(v.toFixed(10))),
      [Number((1 / 3).toFixed(10)), 0.4, 0.5, 0.6],
    );
    assert.deepStrictEqual([skip.line.color, skip.line.dash], [OP_COLORS.skip_connect, 'dash']);
    assert.strictEqual(traces[2].line.dash, 'solid');
    // The reduction cell's first edge is panel 15.
    assert.deepStrictEqual([traces[42].xaxis, traces[43].y[1]], ['x15', 0.5]);
    assert.deepStrictEqual(
      traces.filter((t) => t.showlegend).map((t) => t.name),
      ['none', 'skip_connect', 'sep_conv_3x3'],
    );
  });

  it('names every panel by cell and edge, and the axes with their quantities', () => {
    const fig = edgeWeightsFigure(records(1), getSpace('s1'), 'S1');
    const layout = fig.layout as Record<string, unknown> & { annotations: { text: string }[] };
    assert.strictEqual(layout.annotations.length, 28);
    assert.deepStrictEqual([layout.annotations[0].text, layout.annotations[14].text], ['N e0 s0→n0', 'R e0 s0→n0']);
    const axis = (k: string) => layout[k] as { range?: number[]; title: { text: string }; showticklabels: boolean };
    assert.match(axis('yaxis').title.text, /normal cell:<br>softmax weight/);
    assert.match(axis('yaxis15').title.text, /reduction cell/);
    assert.deepStrictEqual(axis('yaxis2').range, [0, 1]);
    assert.match(axis('xaxis25').title.text, /epochs completed/); // bottom row, middle column
    assert.strictEqual(axis('xaxis').showticklabels, false);
    // S1 offers two ops per edge: 56 lines.
    assert.strictEqual((fig.data as Trace[]).length, 56);
  });

  it("fits a notebook's output area (no fixed width) and is saved 1400 px wide, 260 px a row of panels", () => {
    const fig = edgeWeightsFigure(records(1), getSpace('s3'), 'S3');
    assert.strictEqual((fig.layout as { width?: number }).width, undefined);
    assert.deepStrictEqual(exportSize(fig), { width: 1400, height: 4 * 260 });
  });
});

/**
 * The alphas of every edge over the epochs, as small multiples (notebook 01): one panel per
 * edge of the normal cell (top two rows) and of the reduction cell (bottom two rows), each with
 * the MixedOp weight (softmax of the edge's alphas, docs/method.md §2) of every op the edge offers against
 * epochs completed. Parameter-free ops are dashed, in the cell drawings' colours (OP_COLORS), so a
 * search drifting towards skip connections shows as dashed lines rising.
 */
import type { EpochRecord } from '../runs/records';
import { isParameterFree, type OpName } from '../spaces/primitives';
import type { SearchSpace } from '../spaces/spaces';
import { OP_COLORS } from './cell_svg';
import { edgeLabels } from './failure';
import type { Figure } from './figures';

const COLUMNS = 7;
const CELLS = ['normal', 'reduce'] as const;

/**
 * The small multiples of `records` (a run's epoch records, in order) in `space`. Epoch 0 is the
 * start, drawn as uniform weights (the alphas start at 1e-3 N(0, 1)); e + 1 is the record of epoch e.
 */
export function edgeWeightsFigure(records: readonly Pick<EpochRecord, 'epoch' | 'weights'>[], space: SearchSpace, title: string): Figure {
  const edges = space.normal.length;
  const rowsPerCell = Math.ceil(edges / COLUMNS);
  const rows = rowsPerCell * CELLS.length;
  const [gapX, gapY] = [0.012, 0.045];
  const width = (1 - gapX * (COLUMNS - 1)) / COLUMNS;
  const height = (1 - gapY * (rows - 1)) / rows;
  const x = [0, ...records.map((r) => r.epoch + 1)];
  const labels = edgeLabels();
  const data: object[] = [];
  const axes: Record<string, object> = {};
  const annotations: object[] = [];
  const legend = new Set<OpName>();
  CELLS.forEach((cell, c) => {
    for (let e = 0; e < edges; e++) {
      const k = c * edges + e;
      const [row, col] = [c * rowsPerCell + Math.floor(e / COLUMNS), e % COLUMNS];
      const suffix = k === 0 ? '' : String(k + 1);
      const [x0, y1] = [col * (width + gapX), 1 - row * (height + gapY)];
      const bottom = row === rows - 1;
      axes[`xaxis${suffix}`] = {
        domain: [x0, x0 + width],
        anchor: `y${suffix}`,
        showticklabels: bottom,
        title: { text: bottom && col === Math.floor(COLUMNS / 2) ? 'epochs completed' : '' },
      };
      axes[`yaxis${suffix}`] = {
        domain: [y1 - height, y1],
        anchor: `x${suffix}`,
        range: [0, 1],
        showticklabels: col === 0,
        dtick: 0.5,
        title: { text: e === 0 ? `${cell === 'normal' ? 'normal' : 'reduction'} cell:<br>softmax weight` : '' },
      };
      annotations.push({
        text: `${cell === 'normal' ? 'N' : 'R'} ${labels[e]}`,
        x: x0 + width / 2,
        y: y1,
        xref: 'paper',
        yref: 'paper',
        xanchor: 'center',
        yanchor: 'bottom',
        showarrow: false,
        font: { size: 10 },
      });
      const ops = space[cell][e];
      ops.forEach((op, i) => {
        const first = !legend.has(op);
        legend.add(op);
        data.push({
          type: 'scatter',
          mode: 'lines',
          name: op,
          legendgroup: op,
          showlegend: first,
          x,
          y: [1 / ops.length, ...records.map((r) => r.weights[cell][e][i])],
          line: { color: OP_COLORS[op], width: 1.5, dash: isParameterFree(op) ? 'dash' : 'solid' },
          xaxis: `x${suffix}`,
          yaxis: `y${suffix}`,
        });
      });
    }
  });
  return {
    data,
    layout: {
      title: { text: title },
      height: 260 * rows,
      annotations,
      ...axes,
      legend: { orientation: 'h', x: 0.5, xanchor: 'center', y: -0.06, title: { text: 'op (dashed: parameter-free)' } },
      margin: { t: 80, b: 90 },
    },
    // No layout width, so it fits a notebook's output area (about 980 px); the PNG keeps 1400 px (exportSize).
    config: { toImageButtonOptions: { width: 1400 } },
  };
}

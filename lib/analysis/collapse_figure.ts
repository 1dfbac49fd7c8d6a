/**
 * When the cell collapses, drawn (docs/method.md §3): per search of one space and setting (S3's main
 * grid, notebook 01), each epoch's count of normal-cell edges whose strongest op is `none`, with the
 * epoch of the collapse (`collapseEpoch`: every later cell has `collapseEdges` parameter-free edges)
 * marked, and the dominant eigenvalue below it on the same epochs. `none` alone is drawn because two
 * of S3's three ops are parameter-free, so the parameter-free count is high at random while `none`'s
 * is not (a uniformly random argmax: a third of the edges). The epochs where a search held its alphas
 * (`alphaWarmupEpochs`; the longest warm-up among the runs drawn) are shaded.
 */
import { getSpace } from '../spaces/spaces';
import type { StoredRun } from '../runs/run_read';
import type { Figure } from './figure_html';
import { cellEdges, collapseEpoch } from './space_claims';

/** One search to draw: its row label, method (its colour) and seed (its dash). */
export interface CollapseFigureRun {
  readonly name: string;
  readonly method: string;
  readonly run: StoredRun;
}

const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];
const DASHES = ['solid', 'dot', 'dash', 'longdash'];

/** Each stored epoch's count of normal edges whose strongest op is `none` (`cellEdges`'s). */
export function noneEdgesByEpoch(run: StoredRun): { epoch: number; none: number }[] {
  return cellEdges(run).map(({ epoch, none }) => ({ epoch, none }));
}

/**
 * Two panels over the search epochs: `none`-strongest edges of the normal cell (a diamond at each
 * search's collapse epoch, a grey line at what a random argmax gives) and the dominant eigenvalue
 * (log scale). One colour per method, one dash per seed.
 */
export function collapseTimingFigure(runs: readonly CollapseFigureRun[], title: string): Figure {
  if (runs.length === 0) throw new Error('collapseTimingFigure: no runs to draw');
  const methods = [...new Set(runs.map((r) => r.method))];
  const edges = runs[0].run.epochs[0]?.weights.normal.length ?? 0;
  const opsPerEdge = getSpace(runs[0].run.config.space).normal[0]?.length ?? 1;
  const epochs = Math.max(1, ...runs.map((r) => r.run.config.epochs));
  const data: object[] = [];
  // The collapse markers go last, over every line.
  const markers: object[] = [];
  runs.forEach(({ name, method, run }) => {
    const colour = COLOURS[methods.indexOf(method) % COLOURS.length];
    const line = { color: colour, width: 1.5, dash: DASHES[run.config.seed % DASHES.length] };
    // One count per epoch serves the line and the collapse marker.
    const none = cellEdges(run);
    const shown = { legendgroup: method, name: `${method}, ${name}` };
    data.push({ type: 'scatter', mode: 'lines', x: none.map((r) => r.epoch), y: none.map((r) => r.none), line, ...shown });
    const from = collapseEpoch(run, none);
    if (from !== null) {
      const at = none.find((r) => r.epoch === from);
      markers.push({
        type: 'scatter',
        mode: 'markers',
        x: [from],
        y: [at?.none ?? null],
        // Smaller for each later method, so that markers at the same point nest instead of hiding each other.
        marker: {
          symbol: 'diamond',
          size: Math.max(5, 17 - 5 * methods.indexOf(method)),
          color: colour,
          line: { width: 1, color: '#fff' },
        },
        showlegend: false,
        legendgroup: method,
        name: `${name}: collapsed from epoch ${from}`,
      });
    }
    const measured = run.epochs.filter((e) => e.hessian);
    data.push({
      type: 'scatter',
      mode: 'lines+markers',
      x: measured.map((e) => e.epoch),
      y: measured.map((e) => e.hessian!.dominantEigenvalue),
      line,
      marker: { size: 3, color: colour },
      xaxis: 'x2',
      yaxis: 'y2',
      showlegend: false,
      ...shown,
    });
  });
  // What a uniformly random strongest op gives: a 1-in-(ops) share of the edges.
  data.push({
    type: 'scatter',
    mode: 'lines',
    x: [-0.5, epochs - 0.5],
    y: [edges / opsPerEdge, edges / opsPerEdge],
    line: { color: '#888', width: 1, dash: 'dot' },
    name: `a random argmax (${(edges / opsPerEdge).toFixed(1)} edges)`,
    hoverinfo: 'name',
  });
  data.push(...markers);
  const held = Math.max(0, ...runs.map((r) => r.run.config.alphaWarmupEpochs ?? 0));
  // Labelled ticks at 1, 2 and 5 times the powers of ten within the eigenvalues' range: plotly's own
  // log ticks label every minor step (2, 3, ... 9) on a range under one decade.
  const eigenvalues = runs.flatMap((r) => r.run.epochs.flatMap((e) => (e.hessian ? [e.hessian.dominantEigenvalue] : [])));
  const [low, high] = [Math.min(...eigenvalues), Math.max(...eigenvalues)];
  const eigenTicks = [-4, -3, -2, -1, 0, 1, 2]
    .flatMap((p) => [1, 2, 5].map((m) => m * 10 ** p))
    .filter((v) => v >= low / 1.5 && v <= high * 1.5);
  const shade = (yref: string) => ({
    type: 'rect',
    xref: 'x',
    yref,
    x0: -0.5,
    x1: held - 0.5,
    y0: 0,
    y1: 1,
    fillcolor: '#999',
    opacity: 0.12,
    line: { width: 0 },
    layer: 'below',
  });
  return {
    data,
    layout: {
      title: { text: title },
      xaxis: { range: [-0.5, epochs - 0.5], anchor: 'y', showticklabels: false },
      yaxis: { domain: [0.45, 1], range: [0, edges + 0.5], title: { text: `edges with none strongest (of ${edges})` } },
      xaxis2: { range: [-0.5, epochs - 0.5], anchor: 'y2', matches: 'x', title: { text: 'search epoch (0-based)' } },
      yaxis2: {
        domain: [0, 0.38],
        type: 'log',
        title: { text: 'dominant eigenvalue' },
        ...(eigenTicks.length > 0 ? { tickvals: eigenTicks, ticktext: eigenTicks.map((v) => String(Number(v.toPrecision(1)))) } : {}),
      },
      shapes: held > 0 ? [shade('y domain'), shade('y2 domain')] : [],
      annotations:
        held > 0
          ? [
              {
                x: (held - 1) / 2,
                y: 1,
                xref: 'x',
                yref: 'y domain',
                yanchor: 'bottom',
                showarrow: false,
                text: `alphas held (${held} epochs)`,
              },
            ]
          : [],
      legend: { font: { size: 10 } },
      width: 900,
      height: 620,
    },
  };
}

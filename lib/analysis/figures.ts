/**
 * plotly figures in both modes, offline: plotly.js is read from `plotly.js-dist` in node_modules,
 * never from a CDN. In a notebook the figure renders in the cell; everywhere it can be saved as a
 * standalone HTML file (plotly.js inlined) under results/figures/.
 */
import * as fs from 'fs';
import * as path from 'path';
import { checkFileStem, resultsDir } from '../paths';
import { writeFileAtomic } from '../runs/atomic';
import { notebookDisplay } from './display';

/** A plotly figure as plain data (https://plotly.com/javascript/reference/). */
export interface Figure {
  readonly data: readonly object[];
  readonly layout?: object;
  readonly config?: object;
}

let plotlySource: string | undefined;

/** The plotly.js bundle from node_modules (read once, ~10 MB). */
export function plotlyJs(): string {
  plotlySource ??= fs.readFileSync(require.resolve('plotly.js-dist/plotly.js'), 'utf8');
  return plotlySource;
}

/** The version of the bundled plotly.js. */
export function plotlyVersion(): string {
  return (require('plotly.js-dist/package.json') as { version: string }).version;
}

// `</script>` inside JSON would end the script element early.
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

let figureCounter = 0;

/** A `<div>` and the script that draws `fig` into it with the page's `window.Plotly`. */
export function figureDiv(fig: Figure, id = `rdarts-fig-${process.pid}-${figureCounter++}`): string {
  const spec = scriptSafeJson({ data: fig.data, layout: fig.layout ?? {}, config: { responsive: true, ...fig.config } });
  return `<div id="${id}" style="width:100%;min-height:420px"></div>\n` +
    `<script>(function(){var s=${spec};window.Plotly.newPlot(${JSON.stringify(id)},s.data,s.layout,s.config);})();</script>`;
}

/** A standalone HTML page showing `fig`, with plotly.js inlined (works offline). */
export function figureHtml(fig: Figure, title = 'figure'): string {
  const escaped = title.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c] as string);
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${escaped}</title>\n` +
    `<script>${plotlyJs().replace(/<\/script/gi, '<\\/script')}</script></head>\n<body>\n${figureDiv(fig)}\n</body></html>\n`;
}

let plotlySentToNotebook = false;

/**
 * Shows `fig` in a tslab cell (plotly.js is sent with the first figure of the kernel session, so
 * later figures stay small); outside a notebook, prints a one-line summary instead.
 */
export function showFigure(fig: Figure): void {
  const d = notebookDisplay();
  if (!d) {
    const title = (fig.layout as { title?: { text?: string } | string } | undefined)?.title;
    const text = typeof title === 'string' ? title : title?.text ?? 'untitled';
    console.log(`[figure: ${text}; ${fig.data.length} trace(s)]`);
    return;
  }
  const loader = plotlySentToNotebook ? '' : `<script>if(!window.Plotly){${plotlyJs().replace(/<\/script/gi, '<\\/script')}}</script>\n`;
  plotlySentToNotebook = true;
  d.html(loader + figureDiv(fig));
}

/** Writes `<dir>/<name>.html` (dir defaults to results/figures), atomically; returns its path. */
export function saveFigure(fig: Figure, name: string, dir = path.join(resultsDir(), 'figures')): string {
  const file = path.join(dir, `${checkFileStem(name, 'saveFigure')}.html`);
  writeFileAtomic(file, figureHtml(fig, name));
  return file;
}

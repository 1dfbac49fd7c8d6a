/**
 * plotly figures in both modes, offline: plotly.js is read from `plotly.js-dist` in node_modules,
 * never from a CDN. In a notebook the figure renders in the cell; everywhere it can be saved as a
 * standalone HTML file (plotly.js inlined) under results/figures/ (results/<preset>/figures/ for presets other than mini; outputsDir), and as a PNG rendered from that
 * page in headless Chromium (./png.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { checkFileStem, outputsDir } from '../paths';
import { writeFileAtomic } from '../io/atomic';
import { notebookDisplay } from '../io/display';
import { type Figure, figureDiv, figureHtml, plotlyFileName, plotlyJs, plotlyJsBytes } from './figure_html';
import { pngSupport, renderPng, type PngOptions } from './png';

/** A plotly figure as plain data (https://plotly.com/javascript/reference/). */
export type { Figure } from './figure_html';
export { figureDiv, figureHtml, plotlyFileName, plotlyJs, plotlyVersion } from './figure_html';

/**
 * A standalone SVG drawing (a cell from `genotypeSvg`) as a plotly figure: the SVG is the figure's
 * only layout image, filling the plot area, axes hidden. The figure fixes no size: shown, it takes
 * the container's width and keeps the SVG's aspect ratio (figureDiv), so it fits a notebook's output
 * area; its image size (exportSize: the PNG, the toolbar's download) is the SVG's own width and
 * height. Saved with `saveFigure`, it gets the same HTML page and Chromium-rendered PNG as every
 * other figure.
 */
export function svgFigure(svg: string): Figure {
  const root = /<svg\b[^>]*>/.exec(svg)?.[0];
  if (!root) throw new Error('svgFigure: no <svg> element in the input');
  const size = (name: string) => {
    const v = Number(new RegExp(`\\s${name}="([0-9.]+)"`).exec(root)?.[1]);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`svgFigure: the <svg> element needs a positive ${name} attribute in pixels`);
    return v;
  };
  const [width, height] = [size('width'), size('height')];
  return {
    data: [],
    layout: {
      margin: { l: 0, r: 0, t: 0, b: 0 },
      xaxis: { visible: false },
      yaxis: { visible: false },
      images: [
        {
          source: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`,
          xref: 'paper',
          yref: 'paper',
          x: 0,
          y: 1,
          sizex: 1,
          sizey: 1,
          xanchor: 'left',
          yanchor: 'top',
          sizing: 'contain',
          layer: 'above',
        },
      ],
    },
    config: { toImageButtonOptions: { width, height } },
  };
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
    const text = typeof title === 'string' ? title : (title?.text ?? 'untitled');
    console.log(`[figure: ${text}; ${fig.data.length} trace(s)]`);
    return;
  }
  const loader = plotlySentToNotebook ? '' : `<script>if(!window.Plotly){${plotlyJs().replace(/<\/script/gi, '<\\/script')}}</script>\n`;
  plotlySentToNotebook = true;
  d.html(loader + figureDiv(fig));
}

/** Options of `saveFigure`. */
export interface SaveFigureOptions {
  /** The folder; default results/figures. */
  readonly dir?: string;
  /**
   * Also write `<name>.png` (rendered in headless Chromium, see `figurePng`): `true` requires it
   * (an error if Chromium is missing), `false` skips it, an object sets its size. Default: when
   * Chromium is available; otherwise only the HTML is written, with one warning per process.
   */
  readonly png?: boolean | PngOptions;
}

let warnedNoPng = false;

/**
 * Writes `<dir>/<name>.html` and, where Chromium is available, `<dir>/<name>.png` next to it; both
 * atomically. Returns the path of the HTML file. The page loads plotly.js from
 * `<dir>/plotly-<version>.js`, written once per folder (inlined in every page, a notebook run wrote
 * about 10 MB a figure). The third argument is the folder (as before) or `SaveFigureOptions`.
 */
export function saveFigure(fig: Figure, name: string, dirOrOptions: string | SaveFigureOptions = {}): string {
  const options: SaveFigureOptions = typeof dirOrOptions === 'string' ? { dir: dirOrOptions } : dirOrOptions;
  const dir = options.dir ?? path.join(outputsDir(), 'figures');
  const stem = checkFileStem(name, 'saveFigure');
  const file = path.join(dir, `${stem}.html`);
  const plotlyFile = path.join(dir, plotlyFileName());
  if (!fs.existsSync(plotlyFile) || fs.statSync(plotlyFile).size !== plotlyJsBytes()) writeFileAtomic(plotlyFile, plotlyJs());
  writeFileAtomic(file, figureHtml(fig, name, plotlyFileName()));
  const pngFile = path.join(dir, `${stem}.png`);
  // Without a new PNG, an old one would no longer show this figure: it goes.
  const htmlOnly = () => {
    fs.rmSync(pngFile, { force: true });
    return file;
  };
  const png = options.png ?? true;
  if (png === false) return htmlOnly();
  if (options.png === undefined) {
    const support = pngSupport();
    if (!support.ok) {
      if (!warnedNoPng) {
        warnedNoPng = true;
        console.warn(`saveFigure: figures are saved as HTML only, without PNG: ${support.reason}`);
      }
      return htmlOnly();
    }
  }
  writeFileAtomic(pngFile, renderPng(file, fig, png === true ? {} : png));
  return file;
}

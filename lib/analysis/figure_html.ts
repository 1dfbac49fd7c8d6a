/**
 * A plotly figure as an HTML page, offline: plotly.js from `plotly.js-dist` in node_modules, never
 * from a CDN, either inlined (a standalone page) or loaded from a file beside the page (what
 * `saveFigure` writes: one plotly.js per folder instead of 10 MB in every page). ./figures.ts saves
 * and shows these pages; ./png.ts renders them.
 */
import * as fs from 'fs';

let plotlySource: string | undefined;

/** The plotly.js bundle from node_modules (read once, ~10 MB). */
export function plotlyJs(): string {
  plotlySource ??= fs.readFileSync(require.resolve('plotly.js-dist/plotly.js'), 'utf8');
  return plotlySource;
}

let plotlyBytes: number | undefined;

/** The size of `plotlyJs()` in UTF-8 bytes (computed once: 10 MB of text). */
export function plotlyJsBytes(): number {
  plotlyBytes ??= Buffer.byteLength(plotlyJs());
  return plotlyBytes;
}

/** The version of the bundled plotly.js. */
export function plotlyVersion(): string {
  // A JSON file read at run time, so that dist/ does not copy package.json files.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('plotly.js-dist/package.json') as { version: string }).version;
}

// `</script>` inside JSON would end the script element early.
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/**
 * The size `fig` asks to be drawn at as an image, each of width and height on its own: the layout's
 * fixed one, else the config's `toImageButtonOptions` (the size of plotly's own "download plot"
 * button). Figures that size to their container set no layout width, so they state their image
 * size there, and the PNG matches what the toolbar downloads.
 */
export function exportSize(fig: Figure): { width?: number; height?: number } {
  const layout = (fig.layout ?? {}) as { width?: unknown; height?: unknown };
  const button = ((fig.config ?? {}) as { toImageButtonOptions?: { width?: unknown; height?: unknown } }).toImageButtonOptions ?? {};
  const pick = (...values: unknown[]) => values.find((v): v is number => typeof v === 'number');
  return { width: pick(layout.width, button.width), height: pick(layout.height, button.height) };
}

let figureCounter = 0;

/**
 * A `<div>` and the script that draws `fig` into it with the page's `window.Plotly`. The div takes
 * the container's width (a notebook's output area, a page); plotly fills it (`responsive`) unless
 * the layout fixes a width. A figure with no layout height but an image size (exportSize; svgFigure)
 * keeps that aspect ratio as its width follows the container, so a drawing shrinks as a whole.
 */
export function figureDiv(fig: Figure, id = `rdarts-fig-${process.pid}-${figureCounter++}`): string {
  const spec = scriptSafeJson({ data: fig.data, layout: fig.layout ?? {}, config: { responsive: true, ...fig.config } });
  const size = exportSize(fig);
  const fixedHeight = typeof (fig.layout as { height?: unknown } | undefined)?.height === 'number';
  // min-height:0 lets the box follow the ratio when it narrows (else its drawn content holds it open).
  const style =
    !fixedHeight && size.width !== undefined && size.height !== undefined
      ? `width:100%;aspect-ratio:${size.width} / ${size.height};min-height:0`
      : 'width:100%;min-height:420px';
  return (
    `<div id="${id}" style="${style}"></div>\n` +
    `<script>(function(){var s=${spec};window.Plotly.newPlot(${JSON.stringify(id)},s.data,s.layout,s.config);})();</script>`
  );
}

/** The file name of the bundled plotly.js when written beside saved figures (versioned: an upgrade writes a new one). */
export function plotlyFileName(): string {
  return `plotly-${plotlyVersion()}.js`;
}

/**
 * An HTML page showing `fig` (works offline). plotly.js is inlined (a standalone page), or with
 * `plotlySrc` loaded from that relative URL (a file beside the page, see `plotlyFileName`).
 */
export function figureHtml(fig: Figure, title = 'figure', plotlySrc?: string): string {
  const escaped = title.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c] as string);
  const script =
    plotlySrc === undefined
      ? `<script>${plotlyJs().replace(/<\/script/gi, '<\\/script')}</script>`
      : `<script src="${encodeURI(plotlySrc)}"></script>`;
  return (
    `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${escaped}</title>\n` +
    `${script}</head>\n<body>\n${figureDiv(fig)}\n</body></html>\n`
  );
}

/** A plotly figure: traces, layout, config (plain JSON). */
export interface Figure {
  readonly data: readonly object[];
  readonly layout?: object;
  readonly config?: object;
}

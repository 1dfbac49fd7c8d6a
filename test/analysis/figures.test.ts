import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { figureDiv, figureHtml, plotlyFileName, plotlyJs, plotlyVersion, saveFigure, svgFigure } from '../../lib/analysis/figures';
import { exportSize } from '../../lib/analysis/figure_html';
import { tempDir } from '../helpers';

const figure = { data: [{ type: 'scatter', x: [1, 2], y: [3, 4], name: 'a </script> b' }], layout: { title: { text: 't' } } };

describe('figureHtml', () => {
  it('inlines plotly.js from node_modules and loads nothing from the network', () => {
    const html = figureHtml(figure, 'test');
    assert.ok(html.includes(`plotly.js v${plotlyVersion()}`), 'the bundled plotly.js is inlined');
    assert.ok(html.includes(plotlyJs().slice(0, 5000)), 'the bundle from node_modules is in the page');
    assert.ok(!/<script[^>]+src=/i.test(html), 'no external script');
  });

  it('escapes text that would close the script element early', () => {
    const div = figureDiv(figure, 'f1');
    assert.strictEqual(div.match(/<\/script>/g)?.length, 1);
    assert.ok(div.includes('a \\u003c/script> b'));
  });
  it("fills the container's width; only a figure without a height but with an image size keeps that aspect ratio", () => {
    const plain = { data: [], layout: { height: 300 }, config: { toImageButtonOptions: { width: 1400 } } };
    assert.match(figureDiv(plain, 'a'), /<div id="a" style="width:100%;min-height:420px">/);
    assert.match(figureDiv(figure, 'b'), /<div id="b" style="width:100%;min-height:420px">/);
    const ratio = { data: [], config: { toImageButtonOptions: { width: 600, height: 200 } } };
    assert.match(figureDiv(ratio, 'c'), /<div id="c" style="width:100%;aspect-ratio:600 \/ 200;min-height:0">/);
    assert.ok(figureDiv(plain, 'a').includes('"responsive":true'));
  });
});

describe('saveFigure', () => {
  it('writes an HTML file named after the figure that loads the one plotly.js written beside it', () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = saveFigure(figure, 'curve', { dir, png: false });
      assert.strictEqual(file, path.join(dir, 'curve.html'));
      const html = fs.readFileSync(file, 'utf8');
      assert.match(html, /^<!DOCTYPE html>[\s\S]*Plotly\.newPlot/);
      assert.ok(html.includes(`<script src="${plotlyFileName()}"></script>`));
      assert.ok(html.length < 10_000, `the page is small (${html.length} bytes): plotly.js is not inlined`);
      const js = path.join(dir, plotlyFileName());
      assert.strictEqual(fs.readFileSync(js, 'utf8'), plotlyJs());
      // A second figure reuses it; a truncated copy is rewritten.
      fs.truncateSync(js, 100);
      saveFigure(figure, 'other', { dir, png: false });
      assert.strictEqual(fs.statSync(js).size, Buffer.byteLength(plotlyJs()));
      assert.deepStrictEqual(fs.readdirSync(dir).sort(), ['curve.html', 'other.html', plotlyFileName()].sort());
    } finally {
      cleanup();
    }
  });
});

describe('svgFigure', () => {
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1200 324" width="900" height="243"><rect width="10" height="10"/></svg>';

  it("takes the SVG's width and height as its image size, not as a fixed size, and carries the SVG as its only image", () => {
    const fig = svgFigure(svg);
    assert.deepStrictEqual(fig.data, []);
    const layout = fig.layout as { width?: number; height?: number; images: { source: string; sizex: number; sizey: number }[] };
    assert.deepStrictEqual([layout.width, layout.height], [undefined, undefined], 'sized by its container');
    assert.deepStrictEqual(exportSize(fig), { width: 900, height: 243 });
    // Shown, it takes the container's width and keeps the SVG's aspect ratio.
    assert.match(figureDiv(fig, 'cell'), /<div id="cell" style="width:100%;aspect-ratio:900 \/ 243;min-height:0">/);
    assert.strictEqual(layout.images.length, 1);
    const prefix = 'data:image/svg+xml;base64,';
    assert.ok(layout.images[0].source.startsWith(prefix));
    assert.strictEqual(Buffer.from(layout.images[0].source.slice(prefix.length), 'base64').toString(), svg);
    assert.deepStrictEqual([layout.images[0].sizex, layout.images[0].sizey], [1, 1]);
  });

  it('rejects input without an <svg> element or without a pixel size', () => {
    assert.throws(() => svgFigure('<div/>'), /svgFigure: no <svg> element/);
    assert.throws(() => svgFigure('<svg viewBox="0 0 10 10" width="10"></svg>'), /positive height attribute/);
    assert.throws(() => svgFigure('<svg width="100%" height="10"></svg>'), /positive width attribute/);
  });
});

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { figureDiv, figureHtml, plotlyJs, plotlyVersion, saveFigure } from '../../lib/analysis/figures';
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
});

describe('saveFigure', () => {
  it('writes a standalone HTML file named after the figure', () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = saveFigure(figure, 'curve', dir);
      assert.strictEqual(file, path.join(dir, 'curve.html'));
      assert.match(fs.readFileSync(file, 'utf8'), /^<!DOCTYPE html>[\s\S]*Plotly\.newPlot/);
    } finally {
      cleanup();
    }
  });
});

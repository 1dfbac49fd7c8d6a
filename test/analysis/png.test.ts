import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { genotypeSvg, OP_COLORS } from '../../lib/analysis/cell_svg';
import { plotlyFileName, saveFigure, svgFigure } from '../../lib/analysis/figures';
import { DARTS_V2 } from '../../lib/spaces/genotype';
import { closeBrowser, figurePng, pngSize, pngSupport } from '../../lib/analysis/png';
import { tempDir } from '../helpers';

const scatter = {
  data: [{ type: 'scatter', mode: 'lines+markers', x: [1, 2, 3, 4], y: [2, 5, 3, 6], line: { color: '#1f77b4', width: 4 } }],
  layout: { margin: { l: 30, r: 10, t: 10, b: 30 } },
};

/** Decodes an 8-bit RGB or RGBA, non-interlaced PNG into RGBA pixels (enough for plotly's output). */
function decodePng(png: Buffer): { width: number; height: number; rgba: Uint8Array } {
  const size = pngSize(png);
  assert.ok(size, 'a PNG');
  const { width, height } = size;
  const bitDepth = png[24],
    colourType = png[25],
    interlace = png[28];
  assert.strictEqual(bitDepth, 8);
  assert.ok(colourType === 2 || colourType === 6, `colour type ${colourType}`);
  assert.strictEqual(interlace, 0);
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    if (type === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const bpp = colourType === 6 ? 4 : 3;
  const stride = width * bpp;
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= bpp ? out[y * stride + x - bpp] : 0;
      const b = y > 0 ? out[(y - 1) * stride + x] : 0;
      const c = x >= bpp && y > 0 ? out[(y - 1) * stride + x - bpp] : 0;
      const p = a + b - c,
        pa = Math.abs(p - a),
        pb = Math.abs(p - b),
        pc = Math.abs(p - c);
      const predictor = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][filter];
      assert.notStrictEqual(predictor, undefined, `filter ${filter}`);
      out[y * stride + x] = (v + predictor) & 0xff;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    for (let k = 0; k < 3; k++) rgba[i * 4 + k] = out[i * bpp + k];
    rgba[i * 4 + 3] = bpp === 4 ? out[i * bpp + 3] : 255;
  }
  return { width, height, rgba };
}

describe('figurePng (headless Chromium)', function () {
  const support = pngSupport();

  before(function () {
    if (!support.ok) {
      console.warn(`    skipped: PNG rendering unavailable here: ${support.reason}`);
      this.skip();
    }
  });
  after(() => closeBrowser());

  it('renders a scatter to a PNG of the requested size, showing the trace', () => {
    const t0 = Date.now();
    const png = figurePng(scatter, { width: 240, height: 160, scale: 2 });
    console.log(`    figurePng 240x160@2: ${Date.now() - t0} ms (browser start included)`);
    assert.deepStrictEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.deepStrictEqual(pngSize(png), { width: 480, height: 320 });
    const { rgba } = decodePng(png);
    let blue = 0;
    const colours = new Set<number>();
    for (let i = 0; i < rgba.length; i += 4) {
      colours.add((rgba[i] << 16) | (rgba[i + 1] << 8) | rgba[i + 2]);
      // the trace colour #1f77b4 = (31, 119, 180)
      if (Math.abs(rgba[i] - 31) < 12 && Math.abs(rgba[i + 1] - 119) < 12 && Math.abs(rgba[i + 2] - 180) < 12) blue++;
    }
    assert.ok(colours.size > 20, `only ${colours.size} colours: an empty image`);
    assert.ok(blue > 500, `only ${blue} pixels of the trace colour`);
  });

  it("draws a figure sized by its container at its image size (config.toImageButtonOptions), the layout's height kept", () => {
    const fig = { ...scatter, layout: { ...scatter.layout, height: 120 }, config: { toImageButtonOptions: { width: 300 } } };
    assert.deepStrictEqual(pngSize(figurePng(fig, { scale: 1 })), { width: 300, height: 120 });
  });

  it("draws a cell's SVG through svgFigure: the PNG has the SVG's size and its op colours", () => {
    const png = figurePng(svgFigure(genotypeSvg(DARTS_V2, { width: 600 })), { scale: 2 });
    const size = pngSize(png);
    assert.ok(size && size.width === 1200 && size.height > 200, JSON.stringify(size));
    const { rgba } = decodePng(png);
    const hex = (c: string) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
    const count = (c: string) => {
      const [r, g, b] = hex(c);
      let n = 0;
      for (let i = 0; i < rgba.length; i += 4)
        if (Math.abs(rgba[i] - r) < 16 && Math.abs(rgba[i + 1] - g) < 16 && Math.abs(rgba[i + 2] - b) < 16) n++;
      return n;
    };
    const [sep, skip] = [count(OP_COLORS.sep_conv_3x3), count(OP_COLORS.skip_connect)];
    assert.ok(sep > 300 && skip > 150, `sep_conv_3x3 ${sep} and skip_connect ${skip} pixels: the edges are not drawn`);
  });

  it('saveFigure writes the PNG next to the HTML, reusing the browser', () => {
    const { dir, cleanup } = tempDir();
    try {
      const t0 = Date.now();
      const file = saveFigure(scatter, 'tiny', { dir, png: { width: 200, height: 100, scale: 1 } });
      console.log(`    saveFigure HTML + PNG 200x100@1: ${Date.now() - t0} ms (browser reused)`);
      assert.strictEqual(file, path.join(dir, 'tiny.html'));
      assert.deepStrictEqual(pngSize(fs.readFileSync(path.join(dir, 'tiny.png'))), { width: 200, height: 100 });
      assert.deepStrictEqual(fs.readdirSync(dir).sort(), [plotlyFileName(), 'tiny.html', 'tiny.png'].sort());
      // Saved again without a PNG: the old PNG, no longer this figure, is removed.
      saveFigure(scatter, 'tiny', { dir, png: false });
      assert.deepStrictEqual(fs.readdirSync(dir).sort(), [plotlyFileName(), 'tiny.html'].sort());
    } finally {
      cleanup();
    }
  });
});

describe('PNG without Chromium', () => {
  const saved = process.env.RDARTS_CHROMIUM;
  beforeEach(() => {
    process.env.RDARTS_CHROMIUM = path.join(__dirname, 'no-such-chromium');
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.RDARTS_CHROMIUM;
    else process.env.RDARTS_CHROMIUM = saved;
  });

  it('names the missing executable', () => {
    const support = pngSupport();
    assert.strictEqual(support.ok, false);
    assert.throws(() => figurePng(scatter), /no Chromium at .*no-such-chromium.*RDARTS_CHROMIUM/);
  });

  it('saveFigure writes the HTML only and warns once by default; png: true is an error', () => {
    const { dir, cleanup } = tempDir();
    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (...args: unknown[]) => void warnings.push(args.join(' '));
    try {
      saveFigure(scatter, 'a', dir);
      saveFigure(scatter, 'b', { dir });
      assert.deepStrictEqual(fs.readdirSync(dir).sort(), ['a.html', 'b.html', plotlyFileName()].sort());
      // once per process: an earlier saveFigure in this process (none where Chromium is present) may have warned
      assert.ok(warnings.length <= 1, warnings.join('\n'));
      for (const w of warnings) assert.match(w, /HTML only, without PNG: no Chromium at .*no-such-chromium/);
      assert.throws(() => saveFigure(scatter, 'c', { dir, png: true }), /no Chromium at/);
      assert.strictEqual(saveFigure(scatter, 'd', { dir, png: false }), path.join(dir, 'd.html'));
    } finally {
      console.warn = warn;
      cleanup();
    }
  });
});

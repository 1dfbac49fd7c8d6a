import * as assert from 'assert';
import { cellSvg, escapeXml, genotypeSvg, OP_COLORS, opKind } from '../../lib/analysis/cell_svg';
import { DARTS_V2, type Genotype } from '../../lib/spaces/genotype';
import { PRIMITIVES } from '../../lib/spaces/primitives';

/** A genotype with every op of the registry but none, parallel edges (normal node 1) and S4's noise. */
const MIXED: Genotype = {
  normal: [
    ['skip_connect', 0],
    ['dil_conv_3x3', 1],
    ['sep_conv_3x3', 1],
    ['skip_connect', 1],
    ['sep_conv_5x5', 2],
    ['noise', 0],
    ['avg_pool_3x3', 4],
    ['dil_conv_5x5', 3],
  ],
  normalConcat: [2, 3, 4, 5],
  reduce: [
    ['max_pool_3x3', 0],
    ['avg_pool_3x3', 1],
    ['skip_connect', 2],
    ['max_pool_3x3', 1],
    ['noise', 3],
    ['dil_conv_5x5', 1],
    ['sep_conv_5x5', 2],
    ['skip_connect', 4],
  ],
  reduceConcat: [2, 3, 4, 5],
};

/**
 * Checks that `svg` is well formed enough for a browser: one `<svg>` root holding everything,
 * every tag closed in order, quoted attributes, no raw `<` or `&` in text. Returns the tag names.
 */
function checkXml(svg: string): string[] {
  const tags: string[] = [];
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  let roots = 0;
  for (let m = tag.exec(svg); m; m = tag.exec(svg)) {
    const text = svg.slice(last, m.index);
    assert.ok(!/[<>]/.test(text), `raw < or > in text near ${JSON.stringify(text.slice(0, 40))}`);
    assert.ok(!/&(?!(amp|lt|gt|quot|#\d+);)/.test(text), `unescaped & in ${JSON.stringify(text.slice(0, 40))}`);
    if (stack.length === 0) assert.strictEqual(text.trim(), '', 'text outside the root');
    const [, close, name, , selfClose] = m;
    if (close) {
      assert.strictEqual(stack.pop(), name, `</${name}> closes the wrong element`);
    } else {
      if (stack.length === 0) roots += 1;
      tags.push(name);
      if (!selfClose) stack.push(name);
    }
    last = tag.lastIndex;
  }
  assert.strictEqual(svg.slice(last).trim(), '', 'trailing content after the root');
  assert.deepStrictEqual(stack, [], 'unclosed elements');
  assert.strictEqual(roots, 1, 'one root element');
  assert.strictEqual(tags[0], 'svg');
  return tags;
}

const count = (s: string, needle: string) => s.split(needle).length - 1;
const attr = (s: string, element: RegExp, name: string) =>
  [...s.matchAll(element)].map((m) => (new RegExp(`${name}="([^"]*)"`).exec(m[0]) as RegExpExecArray)[1]);

describe('cellSvg', () => {
  it('returns one well-formed <svg> document of about 600 x 300 px', () => {
    for (const cell of ['normal', 'reduce'] as const) {
      const svg = cellSvg(DARTS_V2, cell);
      checkXml(svg);
      assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 600 (\d+)" width="600"/);
      const height = Number((/viewBox="0 0 600 ([\d.]+)"/.exec(svg) as RegExpExecArray)[1]);
      assert.ok(height >= 250 && height <= 340, `height ${height}`);
    }
  });

  it("draws 8 op edges and 4 concat edges, from and to the genotype's states", () => {
    for (const cell of ['normal', 'reduce'] as const) {
      const svg = cellSvg(MIXED, cell);
      assert.strictEqual(count(svg, 'class="edge"'), 8);
      assert.strictEqual(count(svg, 'class="concat-edge"'), 4);
      const edges = [...svg.matchAll(/<g class="edge" data-op="(\w+)" data-kind="[\w-]+" data-from="(\d)" data-to="(\d)"/g)];
      assert.deepStrictEqual(
        edges.map(([, op, from, to]) => [op, Number(from), Number(to)]),
        MIXED[cell].map(([op, input], k) => [op, input, 2 + Math.floor(k / 2)]),
      );
      assert.deepStrictEqual(attr(svg, /<path class="concat-edge"[^>]*>/g, 'data-from'), ['2', '3', '4', '5']);
      // 4 intermediate nodes, the two inputs and the output
      assert.strictEqual(count(svg, 'class="node"'), 7);
    }
  });

  it('labels every edge with its op name', () => {
    const svg = cellSvg(MIXED, 'normal');
    const labels = [...svg.matchAll(/<g class="label"[^>]*>.*?<text[^>]*>([^<]*)<\/text><\/g>/g)].map((m) => m[1]);
    assert.deepStrictEqual([...labels].sort(), MIXED.normal.map(([op]) => op).sort());
  });

  it('colours parameter-free ops and convolutions from disjoint families, dashing the parameter-free ones', () => {
    const svg = cellSvg(MIXED, 'normal');
    const strokes = { 'parameter-free': new Set<string>(), conv: new Set<string>() };
    for (const m of svg.matchAll(/<g class="edge" data-op="\w+" data-kind="([\w-]+)"[^>]*><path [^>]*stroke="(#[0-9a-f]{6})"([^>]*)>/g)) {
      const kind = m[1] as keyof typeof strokes;
      strokes[kind].add(m[2]);
      assert.strictEqual(/stroke-dasharray/.test(m[3]), kind === 'parameter-free');
    }
    assert.ok(strokes['parameter-free'].size >= 2 && strokes.conv.size >= 2);
    assert.ok([...strokes.conv].every((c) => !strokes['parameter-free'].has(c)));
    // The palette itself: warm (red > blue) for parameter-free, cool (blue > red) for convolutions; all distinct.
    const rgb = (c: string) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
    for (const op of PRIMITIVES.filter((o) => o !== 'none')) {
      const [r, , b] = rgb(OP_COLORS[op]);
      assert.strictEqual(r > b, opKind(op) === 'parameter-free', op);
    }
    assert.strictEqual(new Set(Object.values(OP_COLORS)).size, PRIMITIVES.length);
  });

  it('draws a legend of the ops in the cell, and none when asked', () => {
    const svg = cellSvg(DARTS_V2, 'reduce');
    assert.deepStrictEqual(attr(svg, /<g class="legend-item"[^>]*>/g, 'data-op'), ['max_pool_3x3', 'skip_connect']);
    assert.strictEqual(count(cellSvg(DARTS_V2, 'reduce', { legend: false }), 'legend-item'), 0);
  });

  it('points every arrow at a marker it defines', () => {
    const svg = cellSvg(MIXED, 'reduce', { idPrefix: 'fig1' });
    const ids = new Set(attr(svg, /<marker [^>]*>/g, 'id'));
    const refs = [...svg.matchAll(/marker-end="url\(#([\w-]+)\)"/g)].map((m) => m[1]);
    assert.strictEqual(refs.length, 12);
    assert.ok(
      refs.every((r) => ids.has(r) && r.startsWith('fig1-')),
      refs.join(),
    );
  });

  it('is deterministic, with ids that differ between genotypes', () => {
    assert.strictEqual(cellSvg(MIXED, 'normal'), cellSvg(MIXED, 'normal'));
    const id = (svg: string) => (/<marker id="([\w-]+?)-arrow/.exec(svg) as RegExpExecArray)[1];
    assert.notStrictEqual(id(cellSvg(MIXED, 'normal')), id(cellSvg(DARTS_V2, 'normal')));
    assert.notStrictEqual(id(cellSvg(MIXED, 'normal')), id(cellSvg(MIXED, 'reduce')));
  });

  it('escapes special characters in the title', () => {
    const svg = cellSvg(DARTS_V2, 'normal', { title: `S1 <seed 0> & "L2" 'x'` });
    checkXml(svg);
    assert.ok(svg.includes('S1 &lt;seed 0&gt; &amp; &quot;L2&quot; &#39;x&#39;'));
    assert.ok(!svg.includes('<seed 0>'));
    assert.strictEqual(escapeXml(`a<b>&"'`), 'a&lt;b&gt;&amp;&quot;&#39;');
  });

  it('throws on a bad genotype, cell or option, naming it', () => {
    const badOp = { ...DARTS_V2, normal: DARTS_V2.normal.map((e, k) => (k === 3 ? ['conv_7x7', 1] : e)) } as unknown as Genotype;
    assert.throws(() => cellSvg(badOp, 'normal'), /genotype\.normal\[3\] = \["conv_7x7",1\]: op "conv_7x7"/);
    const badInput = { ...DARTS_V2, reduce: DARTS_V2.reduce.map((e, k) => (k === 5 ? ['skip_connect', 4] : e)) } as unknown as Genotype;
    assert.throws(() => cellSvg(badInput, 'reduce'), /genotype\.reduce\[5\] .*input 4 is not a state of node 2/);
    assert.throws(() => cellSvg({ ...DARTS_V2, normal: DARTS_V2.normal.slice(0, 7) }, 'normal'), /genotype\.normal = /);
    assert.throws(() => cellSvg(DARTS_V2, 'both' as 'normal'), /cell = "both"; expected 'normal' or 'reduce'/);
    assert.throws(() => cellSvg(DARTS_V2, 'normal', { width: -1 }), /options\.width = -1/);
    assert.throws(() => cellSvg(DARTS_V2, 'normal', { idPrefix: 'a"b' }), /options\.idPrefix/);
  });
});

describe('genotypeSvg', () => {
  it('draws both cells side by side under an escaped title, with one legend', () => {
    const svg = genotypeSvg(MIXED, { title: 'DARTS <S1> & seed 0' });
    checkXml(svg);
    assert.match(svg, /viewBox="0 0 1200 /);
    assert.ok(svg.includes('>DARTS &lt;S1&gt; &amp; seed 0</text>'));
    assert.strictEqual(count(svg, 'class="cell"'), 2);
    assert.strictEqual(count(svg, 'class="edge"'), 16);
    assert.strictEqual(count(svg, 'class="concat-edge"'), 8);
    assert.ok(svg.includes('>normal cell</text>') && svg.includes('>reduction cell</text>'));
    assert.strictEqual(count(svg, 'class="legend"'), 1);
    assert.deepStrictEqual(
      new Set(attr(svg, /<g class="legend-item"[^>]*>/g, 'data-op')),
      new Set([...MIXED.normal, ...MIXED.reduce].map(([op]) => op)),
    );
    assert.strictEqual(genotypeSvg(MIXED, { title: 'DARTS <S1> & seed 0' }), svg);
  });

  it('scales to a requested width and validates the genotype', () => {
    assert.match(genotypeSvg(DARTS_V2, { width: 900 }), /width="900" height="[\d.]+"/);
    const bad = { ...DARTS_V2, reduceConcat: [2, 3, 3, 5] };
    assert.throws(() => genotypeSvg(bad), /genotype\.reduceConcat\[2\] = 3: repeated/);
  });
});

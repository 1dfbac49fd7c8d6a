/**
 * The AutoDispNet space (lib/spaces/autodispnet.ts): its edges, the released genotype, and the
 * derivation of a genotype from hand-made alphas (top 2 incoming edges per node by the strongest op
 * other than none; the upsampling cell's node 0 keeps all 4 inputs).
 */
import * as assert from 'assert';
import {
  AUTODISPNET_PRIMITIVES,
  AUTODISPNET_RELEASED,
  type AutoDispNetAlphas,
  type AutoDispNetCell,
  type AutoDispNetGenotype,
  autoDispNetEdges,
  checkAutoDispNetGenotype,
  deriveAutoDispNetGenotype,
  ENCODER_EDGES,
  encoderEdgeStride,
  formatAutoDispNetGenotype,
  UPSAMPLE_EDGES,
} from '../../lib/spaces/autodispnet';

const K = AUTODISPNET_PRIMITIVES.length;
const op = (name: string) => AUTODISPNET_PRIMITIVES.indexOf(name as (typeof AUTODISPNET_PRIMITIVES)[number]);

/** Alphas that make `g` the derived genotype: entry j of a cell gets alpha 6 - j / 10 on its (edge, op), everything else 0. */
function alphasOf(g: AutoDispNetGenotype): AutoDispNetAlphas {
  const cell = (name: AutoDispNetCell) => {
    const edges = autoDispNetEdges(name);
    const rows = edges.map(() => new Array<number>(K).fill(0));
    let at = 0;
    const perNode = (node: number) => (name === 'upsample' && node === 0 ? 4 : 2);
    for (let node = 0; node < 3; node++) {
      for (let k = 0; k < perNode(node); k++, at++) {
        const [o, input] = g[name][at];
        const e = edges.find((x) => x.node === node && x.input === input)!;
        rows[e.edge][op(o)] = 6 - at / 10;
      }
    }
    return rows;
  };
  return { normal: cell('normal'), reduce: cell('reduce'), upsample: cell('upsample') };
}

describe('the AutoDispNet space (lib/spaces/autodispnet.ts)', () => {
  it('has 9 encoder edges and 15 upsampling edges, numbered node by node; stride 2 on the reduction cell edges from s0 and s1', () => {
    assert.deepStrictEqual(
      ENCODER_EDGES.map((e) => [e.node, e.input]),
      [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
        [1, 2],
        [2, 0],
        [2, 1],
        [2, 2],
        [2, 3],
      ],
    );
    assert.deepStrictEqual(
      UPSAMPLE_EDGES.map((e) => [e.node, e.input]),
      [0, 1, 2, 3]
        .map((i) => [0, i])
        .concat(
          [0, 1, 2, 3, 4].map((i) => [1, i]),
          [0, 1, 2, 3, 4, 5].map((i) => [2, i]),
        ),
    );
    assert.deepStrictEqual(
      ENCODER_EDGES.map((e) => encoderEdgeStride(e.edge, true)),
      [2, 2, 2, 2, 1, 2, 2, 1, 1],
    );
    assert.ok(ENCODER_EDGES.every((e) => encoderEdgeStride(e.edge, false) === 1));
    assert.strictEqual((2 * ENCODER_EDGES.length + UPSAMPLE_EDGES.length) * K, 264, 'the 264 alphas');
    assert.deepStrictEqual(
      [...AUTODISPNET_PRIMITIVES],
      ['none', 'max_pool_3x3', 'avg_pool_3x3', 'skip_connect', 'sep_conv_3x3', 'sep_conv_5x5', 'dil_conv_3x3', 'dil_conv_5x5'],
    );
  });

  it('holds the released genotype, a valid one; a genotype is checked entry by entry', () => {
    assert.strictEqual(checkAutoDispNetGenotype(AUTODISPNET_RELEASED), AUTODISPNET_RELEASED);
    assert.strictEqual(
      formatAutoDispNetGenotype(AUTODISPNET_RELEASED),
      'normal: n0=skip_connect(s0)+sep_conv_5x5(s1) n1=sep_conv_3x3(n0)+skip_connect(s0) n2=dil_conv_3x3(n0)+dil_conv_3x3(s0) | ' +
        'reduce: n0=sep_conv_5x5(s1)+sep_conv_3x3(s0) n1=sep_conv_5x5(n0)+skip_connect(s0) n2=skip_connect(s1)+sep_conv_5x5(n1) | ' +
        'upsample: n0=sep_conv_3x3(support)+dil_conv_3x3(pred)+sep_conv_3x3(s1)+skip_connect(s0) ' +
        'n1=sep_conv_3x3(support)+sep_conv_3x3(n0) n2=sep_conv_3x3(pred)+dil_conv_5x5(n0)',
    );
    const bad = (g: object, pattern: RegExp) => assert.throws(() => checkAutoDispNetGenotype(g as AutoDispNetGenotype), pattern);
    bad({ ...AUTODISPNET_RELEASED, normal: AUTODISPNET_RELEASED.normal.slice(1) }, /normal has 5 entries; expected 6/);
    bad({ ...AUTODISPNET_RELEASED, reduce: [['none', 0], ...AUTODISPNET_RELEASED.reduce.slice(1)] }, /reduce\[0\] \(node 0\): op "none"/);
    bad(
      { ...AUTODISPNET_RELEASED, normal: [['skip_connect', 2], ...AUTODISPNET_RELEASED.normal.slice(1)] },
      /input 2 is not a predecessor of node 0/,
    );
    bad(
      {
        ...AUTODISPNET_RELEASED,
        upsample: [AUTODISPNET_RELEASED.upsample[0], ['skip_connect', 3], ...AUTODISPNET_RELEASED.upsample.slice(2)],
      },
      /upsample\[1\] \(node 0\): node 0 takes input 3 twice/,
    );
  });

  it('derives the released genotype back from alphas that favour it (the order of strengths kept)', () => {
    assert.deepStrictEqual(deriveAutoDispNetGenotype(alphasOf(AUTODISPNET_RELEASED)), AUTODISPNET_RELEASED);
  });

  it("keeps per node the 2 edges whose strongest op other than none is strongest, stronger first; the upsampling cell's node 0 keeps all 4", () => {
    const zeros = (rows: number) => Array.from({ length: rows }, () => new Array<number>(K).fill(0));
    const normal = zeros(9);
    // Node 0: s1 strongest with sep_conv_3x3; s0's strongest op is none (ignored), then max pool.
    normal[1][op('sep_conv_3x3')] = 2;
    normal[0][op('none')] = 9;
    normal[0][op('max_pool_3x3')] = 1;
    // Node 1: n0 (edge 4) and s0 (edge 2) beat s1 (edge 3).
    normal[4][op('dil_conv_5x5')] = 3;
    normal[2][op('skip_connect')] = 2.5;
    normal[3][op('avg_pool_3x3')] = 1;
    // Node 2: all four edges equal (every op the same): the lower inputs win; the op: the first column after none.
    const reduce = zeros(9);
    const upsample = zeros(15);
    // Node 0 of the upsampling cell: strengths support > s0 > pred > s1.
    upsample[3][op('sep_conv_5x5')] = 4;
    upsample[0][op('skip_connect')] = 3;
    upsample[2][op('dil_conv_3x3')] = 2;
    upsample[1][op('avg_pool_3x3')] = 1;
    // Node 2: n1 (edge 14) strongest, then pred (edge 11); none on edge 9 ignored.
    upsample[14][op('sep_conv_3x3')] = 5;
    upsample[11][op('max_pool_3x3')] = 4;
    upsample[9][op('none')] = 20;
    const g = deriveAutoDispNetGenotype({ normal, reduce, upsample });
    assert.deepStrictEqual(g.normal, [
      ['sep_conv_3x3', 1],
      ['max_pool_3x3', 0],
      ['dil_conv_5x5', 2],
      ['skip_connect', 0],
      ['max_pool_3x3', 0],
      ['max_pool_3x3', 1],
    ]);
    assert.deepStrictEqual(g.upsample.slice(0, 4), [
      ['sep_conv_5x5', 3],
      ['skip_connect', 0],
      ['dil_conv_3x3', 2],
      ['avg_pool_3x3', 1],
    ]);
    assert.deepStrictEqual(g.upsample.slice(6), [
      ['sep_conv_3x3', 5],
      ['max_pool_3x3', 2],
    ]);
    assert.strictEqual(checkAutoDispNetGenotype(g), g);
    assert.throws(() => deriveAutoDispNetGenotype({ normal, reduce, upsample: zeros(14) }), /upsample has 14 rows; expected 15 edges/);
    const nan = zeros(9);
    nan[3][2] = NaN;
    assert.throws(() => deriveAutoDispNetGenotype({ normal: nan, reduce, upsample }), /normal\[3\] must be 8 finite numbers/);
  });
});

import * as assert from 'assert';
import { DARTS_V2, formatGenotype, genotype, parameterFreeCount, parameterFreeShare, type Alphas } from '../../lib/spaces/genotype';
import { PRIMITIVES, type OpName } from '../../lib/spaces/primitives';
import { SPACES, type SearchSpace } from '../../lib/spaces/spaces';

/**
 * Alphas for `space`: every value `base` (none gets `none`), then `bumps` per cell: [edge, op,
 * value] sets that op's alpha on that edge. The expected genotypes below were worked out by hand
 * and checked against a NumPy port of the RobustDARTS `_parse` (softmax, then sort, then argmax).
 */
function alphas(space: SearchSpace, cell: { normal?: [number, OpName, number][]; reduce?: [number, OpName, number][] }, none = 0): Alphas {
  const build = (lists: SearchSpace['normal'], bumps: [number, OpName, number][] = []) => {
    const rows = lists.map((ops) => ops.map((op) => (op === 'none' ? none : 0)));
    for (const [edge, op, value] of bumps) {
      const k = lists[edge].indexOf(op);
      assert.ok(k >= 0, `test bug: ${op} is not on edge ${edge}`);
      rows[edge][k] = value;
    }
    return rows;
  };
  return { normal: build(space.normal, cell.normal), reduce: build(space.reduce, cell.reduce) };
}

const zeros = (space: SearchSpace) => alphas(space, {});

describe('genotype', () => {
  it('returns 8 entries per cell, 2 per node with inputs from its predecessors, and concat 2..5', () => {
    const g = genotype(zeros(SPACES.darts), SPACES.darts);
    assert.strictEqual(g.normal.length, 8);
    assert.strictEqual(g.reduce.length, 8);
    g.normal.forEach(([, input], i) => assert.ok(input < Math.floor(i / 2) + 2));
    assert.deepStrictEqual(g.normalConcat, [2, 3, 4, 5]);
    assert.deepStrictEqual(g.reduceConcat, [2, 3, 4, 5]);
  });

  it('breaks ties between edges towards the lower input, and between ops towards the lower column', () => {
    // All alphas equal: every edge ties, every op ties; DARTS column 1 (after none) is max_pool_3x3.
    const g = genotype(zeros(SPACES.darts), SPACES.darts);
    assert.deepStrictEqual(
      g.normal,
      Array.from({ length: 4 }, () => [
        ['max_pool_3x3', 0],
        ['max_pool_3x3', 1],
      ]).flat(),
    );
    assert.deepStrictEqual(genotype(zeros(SPACES.s2), SPACES.s2).reduce[7], ['skip_connect', 1]);
    // Node 2: e6 (s1) and e8 (n1) tie exactly and beat e5, e7: s1 first, then n1.
    const tie = genotype(
      alphas(SPACES.s3, {
        normal: [
          [6, 'sep_conv_3x3', 1],
          [8, 'sep_conv_3x3', 1],
        ],
      }),
      SPACES.s3,
    );
    assert.deepStrictEqual(tie.normal.slice(4, 6), [
      ['sep_conv_3x3', 1],
      ['sep_conv_3x3', 3],
    ]);
  });

  it('excludes none even where none has the largest weight on every edge', () => {
    const a = alphas(
      SPACES.darts,
      {
        normal: [
          [0, 'sep_conv_3x3', 1],
          [1, 'skip_connect', 1], // node 0: a tie, s0 first
          [3, 'max_pool_3x3', 1],
          [4, 'dil_conv_3x3', 2], // node 1: e4 (n0) stronger than e3 (s1)
          [5, 'avg_pool_3x3', 3],
          [8, 'sep_conv_5x5', 1], // node 2
          [10, 'dil_conv_5x5', 1],
          [13, 'skip_connect', 1.5], // node 3
        ],
      },
      5,
    );
    assert.deepStrictEqual(genotype(a, SPACES.darts).normal, [
      ['sep_conv_3x3', 0],
      ['skip_connect', 1],
      ['dil_conv_3x3', 2],
      ['max_pool_3x3', 1],
      ['avg_pool_3x3', 0],
      ['sep_conv_5x5', 3],
      ['skip_connect', 4],
      ['dil_conv_5x5', 1],
    ]);
  });

  it('compares edges by softmax weight, not by raw alpha', () => {
    // Node 1: e2 has every alpha at 2 (weights 1/8), e3 sep_conv_3x3 at 1 (e/(e+7) = 0.28), e4
    // sep_conv_5x5 at 0.5 (0.19): the raw maximum (e2) loses.
    const a = alphas(SPACES.darts, {
      reduce: [
        [3, 'sep_conv_3x3', 1],
        [4, 'sep_conv_5x5', 0.5],
      ],
    });
    const reduce2 = a.reduce[2] as number[];
    reduce2.fill(2);
    assert.deepStrictEqual(genotype(a, SPACES.darts).reduce.slice(2, 4), [
      ['sep_conv_3x3', 1],
      ['sep_conv_5x5', 2],
    ]);
  });

  it('reads each edge of S1 through its own op list', () => {
    const a = alphas(SPACES.s1, {
      normal: [
        [0, 'dil_conv_3x3', 1],
        [1, 'skip_connect', 2], // node 0: e1 (0.88) before e0 (0.73)
        [3, 'sep_conv_3x3', 0.5],
        [4, 'skip_connect', -1], // node 1: e4 dil3 (0.73), e3 sep3 (0.62)
        [5, 'max_pool_3x3', 1],
        [8, 'dil_conv_3x3', 3], // node 2: e8 dil3 (0.95), e5 max_pool (0.73)
        [10, 'skip_connect', 2],
        [12, 'dil_conv_5x5', 1], // node 3: e10 skip (0.88), e12 dil5 (0.73)
      ],
      reduce: [[4, 'dil_conv_5x5', 2]], // node 1: e4 dil5, then the e2/e3 tie goes to s0
    });
    const g = genotype(a, SPACES.s1);
    assert.deepStrictEqual(g.normal, [
      ['skip_connect', 1],
      ['dil_conv_3x3', 0],
      ['dil_conv_3x3', 2],
      ['sep_conv_3x3', 1],
      ['dil_conv_3x3', 3],
      ['max_pool_3x3', 0],
      ['skip_connect', 1],
      ['dil_conv_5x5', 3],
    ]);
    // Column 0 is max_pool_3x3 on every s0/s1 edge of S1's reduction cell.
    assert.deepStrictEqual(g.reduce, [
      ['max_pool_3x3', 0],
      ['max_pool_3x3', 1],
      ['dil_conv_5x5', 2],
      ['max_pool_3x3', 0],
      ['max_pool_3x3', 0],
      ['max_pool_3x3', 1],
      ['max_pool_3x3', 0],
      ['max_pool_3x3', 1],
    ]);
  });

  it('parses a reduction cell: alphas built for DARTS_V2 give DARTS_V2', () => {
    const a = alphas(SPACES.darts, {
      normal: [
        [0, 'sep_conv_3x3', 1],
        [1, 'sep_conv_3x3', 1],
        [2, 'sep_conv_3x3', 1],
        [3, 'sep_conv_3x3', 1],
        [5, 'skip_connect', 1],
        [6, 'sep_conv_3x3', 2],
        [9, 'skip_connect', 2],
        [11, 'dil_conv_3x3', 1],
      ],
      reduce: [
        [0, 'max_pool_3x3', 1],
        [1, 'max_pool_3x3', 1],
        [3, 'max_pool_3x3', 1],
        [4, 'skip_connect', 2],
        [5, 'max_pool_3x3', 2],
        [7, 'skip_connect', 1],
        [10, 'max_pool_3x3', 1],
        [11, 'skip_connect', 2],
      ],
    });
    assert.deepStrictEqual(genotype(a, SPACES.darts), DARTS_V2);
  });

  it('keeps noise in S4, which has no none', () => {
    const a = alphas(SPACES.s4, { normal: [[0, 'noise', 1]] });
    assert.deepStrictEqual(genotype(a, SPACES.s4).normal.slice(0, 2), [
      ['noise', 0],
      ['noise', 1],
    ]);
  });

  it('rejects alphas whose shape does not match the space, naming the cell and edge', () => {
    const bad = (f: (a: { normal: number[][]; reduce: number[][] }) => void, space = SPACES.s1) => {
      const a = zeros(space) as { normal: number[][]; reduce: number[][] };
      f(a);
      return () => genotype(a, space);
    };
    assert.throws(
      bad((a) => a.normal.pop()),
      /alphas\.normal has 13 edges; expected 14 edges/,
    );
    assert.throws(
      bad((a) => a.reduce[6].push(0)),
      /alphas\.reduce\[6\] \(edge 6\) has 3 values; expected 2 \(max_pool_3x3, sep_conv_3x3\)/,
    );
    assert.throws(
      bad((a) => a.normal[3].pop(), SPACES.darts),
      /alphas\.normal\[3\] \(edge 3\) has 7 values; expected 8/,
    );
    assert.throws(
      bad((a) => (a.normal[2][1] = NaN)),
      /alphas\.normal\[2\]\[1\] \(edge 2\) is NaN; alphas must be finite/,
    );
    assert.throws(() => genotype({ normal: [], reduce: [] }, SPACES.s2), /alphas\.normal has 0 edges/);
  });
});

describe('DARTS_V2', () => {
  it('matches quark0/darts cnn/genotypes.py', () => {
    assert.deepStrictEqual(DARTS_V2.normal.map(([op]) => op).filter((op) => op === 'sep_conv_3x3').length, 5);
    assert.deepStrictEqual(DARTS_V2.reduce[7], ['max_pool_3x3', 1]);
    assert.deepStrictEqual(DARTS_V2.normal[7], ['dil_conv_3x3', 2]);
    assert.ok([...DARTS_V2.normal, ...DARTS_V2.reduce].every(([op]) => PRIMITIVES.includes(op) && op !== 'none'));
  });
});

describe('formatGenotype', () => {
  it('writes one line, nodes in order, inputs named s0, s1, nM', () => {
    assert.strictEqual(
      formatGenotype(DARTS_V2),
      'normal: n0=sep_conv_3x3(s0)+sep_conv_3x3(s1) n1=sep_conv_3x3(s0)+sep_conv_3x3(s1) ' +
        'n2=sep_conv_3x3(s1)+skip_connect(s0) n3=skip_connect(s0)+dil_conv_3x3(n0) | ' +
        'reduce: n0=max_pool_3x3(s0)+max_pool_3x3(s1) n1=skip_connect(n0)+max_pool_3x3(s1) ' +
        'n2=max_pool_3x3(s0)+skip_connect(n0) n3=skip_connect(n0)+max_pool_3x3(s1)',
    );
    assert.match(formatGenotype({ ...DARTS_V2, reduceConcat: [4, 5] }), /max_pool_3x3\(s1\) concat=\[4, 5\]$/);
  });
});

describe('parameterFreeShare', () => {
  it('counts parameter-free ops among the 16', () => {
    // DARTS_V2: normal has 2 skip_connect; reduce is all pools and skips.
    assert.strictEqual(parameterFreeShare(DARTS_V2), 10 / 16);
    const s4 = genotype(alphas(SPACES.s4, { normal: [[0, 'noise', 1]] }), SPACES.s4);
    assert.strictEqual(parameterFreeShare(s4), 16 / 16);
  });

  it('parameterFreeCount counts one cell: DARTS_V2 has 2 of 8 in the normal cell, 8 of 8 in the reduction cell', () => {
    assert.deepStrictEqual([parameterFreeCount(DARTS_V2.normal), parameterFreeCount(DARTS_V2.reduce), parameterFreeCount([])], [2, 8, 0]);
  });
});

import * as assert from 'assert';
import { isOpName, isParameterFree, PARAMETER_FREE_OPS, PRIMITIVES } from '../../lib/spaces/primitives';
import { alphaDim, alphaShape, getSpace, SPACE_NAMES, SPACES } from '../../lib/spaces/spaces';
import { EDGES, edgeStride, NUM_EDGES, NUM_NODES, nodeEdges, REDUCTION_STRIDE_EDGES } from '../../lib/spaces/topology';

describe('PRIMITIVES', () => {
  it('lists the 8 DARTS ops in the code order, then noise', () => {
    assert.deepStrictEqual(PRIMITIVES.slice(0, 4), ['none', 'max_pool_3x3', 'avg_pool_3x3', 'skip_connect']);
    assert.strictEqual(PRIMITIVES.length, 9);
    assert.strictEqual(PRIMITIVES[8], 'noise');
    assert.ok(isOpName('dil_conv_5x5') && !isOpName('conv_7x1_1x7'));
  });

  it('marks none, the pools, skip_connect and noise as parameter-free', () => {
    assert.deepStrictEqual([...PARAMETER_FREE_OPS].sort(), ['avg_pool_3x3', 'max_pool_3x3', 'noise', 'none', 'skip_connect']);
    assert.ok(!isParameterFree('sep_conv_3x3') && isParameterFree('noise'));
  });
});

describe('EDGES', () => {
  it('numbers 14 edges node by node, s0 and s1 first', () => {
    assert.strictEqual(EDGES.length, NUM_EDGES);
    assert.strictEqual(NUM_NODES, 4);
    assert.deepStrictEqual(
      EDGES.map((e) => e.node),
      [0, 0, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3],
    );
    assert.deepStrictEqual(
      EDGES.map((e) => e.input),
      [0, 1, 0, 1, 2, 0, 1, 2, 3, 0, 1, 2, 3, 4],
    );
    EDGES.forEach((e, i) => assert.strictEqual(e.edge, i));
  });

  it('gives each node its edges, and rejects a bad node', () => {
    assert.deepStrictEqual(
      nodeEdges(2).map((e) => e.edge),
      [5, 6, 7, 8],
    );
    assert.throws(() => nodeEdges(4), /node=4 is not a node index/);
  });
});

describe('edgeStride', () => {
  it('is 2 only on edges from s0 or s1 in a reduction cell', () => {
    assert.deepStrictEqual([...REDUCTION_STRIDE_EDGES], [0, 1, 2, 3, 5, 6, 9, 10]);
    const strided = EDGES.filter((e) => edgeStride(e.edge, true) === 2).map((e) => e.edge);
    assert.deepStrictEqual(strided, [...REDUCTION_STRIDE_EDGES]);
    assert.ok(EDGES.every((e) => edgeStride(e.edge, false) === 1));
  });

  it('rejects an edge outside 0..13, naming it', () => {
    assert.throws(() => edgeStride(14, true), /edge=14 is not an edge index; use an integer in 0\.\.13/);
    assert.throws(() => edgeStride(1.5, false), /edge=1.5/);
  });
});

describe('SPACES', () => {
  it('has 14 op lists per cell type in every space', () => {
    for (const name of SPACE_NAMES) {
      assert.strictEqual(SPACES[name].name, name);
      assert.strictEqual(SPACES[name].normal.length, 14, `${name}.normal`);
      assert.strictEqual(SPACES[name].reduce.length, 14, `${name}.reduce`);
    }
  });

  it('gives S2, S3, S4 and DARTS one list on every edge, in the paper order', () => {
    assert.deepStrictEqual(SPACES.s2.normal[7], ['skip_connect', 'sep_conv_3x3']);
    assert.deepStrictEqual(SPACES.s3.reduce[0], ['none', 'skip_connect', 'sep_conv_3x3']);
    assert.deepStrictEqual(SPACES.s4.normal[13], ['noise', 'sep_conv_3x3']);
    assert.deepStrictEqual(SPACES.darts.reduce[4], PRIMITIVES.slice(0, 8));
    for (const name of ['s2', 's3', 's4', 'darts'] as const) {
      for (const ops of [...SPACES[name].normal, ...SPACES[name].reduce]) assert.deepStrictEqual(ops, SPACES[name].normal[0]);
    }
  });

  it('gives S1 its own pair per edge, as docs/method.md lists it (normal | reduce)', () => {
    const { normal, reduce } = SPACES.s1;
    assert.deepStrictEqual(normal[0], ['skip_connect', 'dil_conv_3x3']);
    assert.deepStrictEqual(reduce[0], ['max_pool_3x3', 'avg_pool_3x3']);
    assert.deepStrictEqual(reduce[1], ['max_pool_3x3', 'dil_conv_3x3']);
    assert.deepStrictEqual(normal[5], ['max_pool_3x3', 'skip_connect']);
    assert.deepStrictEqual(reduce[6], ['max_pool_3x3', 'sep_conv_3x3']);
    assert.deepStrictEqual(normal[10], ['max_pool_3x3', 'skip_connect']);
    assert.deepStrictEqual(normal[12], ['dil_conv_3x3', 'dil_conv_5x5']);
    assert.deepStrictEqual(reduce[13], ['skip_connect', 'dil_conv_5x5']);
    assert.ok([...normal, ...reduce].every((ops) => ops.length === 2 && !ops.includes('none')));
  });

  it('is frozen', () => {
    assert.ok(Object.isFrozen(SPACES.s1.normal) && Object.isFrozen(SPACES.s1.normal[0]));
  });
});

describe('getSpace', () => {
  it('returns the space by name', () => {
    assert.strictEqual(getSpace('s3'), SPACES.s3);
    assert.strictEqual(getSpace('darts').name, 'darts');
  });

  it('rejects an unknown name, listing the known ones', () => {
    assert.throws(() => getSpace('s5'), /^Error: unknown search space "s5"; use one of s1, s2, s3, s4, darts$/);
  });
});

describe('alphaShape', () => {
  it('counts the ops per edge and cell type', () => {
    assert.deepStrictEqual(alphaShape(SPACES.s3), { normal: Array(14).fill(3), reduce: Array(14).fill(3) });
    assert.deepStrictEqual(alphaShape(SPACES.s1).normal, Array(14).fill(2));
    assert.deepStrictEqual(alphaShape(SPACES.darts).reduce, Array(14).fill(8));
  });
});

describe('alphaDim', () => {
  it('is 56 for S1, S2, S4; 84 for S3; 224 for DARTS (docs/method.md §2)', () => {
    const dims = Object.fromEntries(SPACE_NAMES.map((n) => [n, alphaDim(SPACES[n])]));
    assert.deepStrictEqual(dims, { s1: 56, s2: 56, s3: 84, s4: 56, darts: 224 });
  });
});

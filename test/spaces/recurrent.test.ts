import * as assert from 'assert';
import {
  checkRecurrentGenotype,
  DARTS_V1_RECURRENT,
  DARTS_V2_RECURRENT,
  deriveRecurrentGenotype,
  formatRecurrentGenotype,
  RECURRENT_EDGES,
  RECURRENT_PRIMITIVES,
  recurrentEdgeRow,
  type RecurrentGenotype,
} from '../../lib/spaces/recurrent';

/** Edge weights under which `g` is the strongest choice of every node: 0.6 on its op, 0.1 elsewhere; `none` 0.9 on every other edge. */
function weightsOf(g: RecurrentGenotype): number[][] {
  const w = Array.from({ length: RECURRENT_EDGES }, () => [0.9, 0.025, 0.025, 0.025, 0.025]);
  g.recurrent.forEach(([op, j], k) => {
    w[recurrentEdgeRow(k + 1, j)] = RECURRENT_PRIMITIVES.map((p) => (p === op ? 0.6 : 0.1));
  });
  return w;
}

describe('the DARTS recurrent space (lib/spaces/recurrent.ts)', () => {
  it('numbers the 36 edges node by node: edge (i, j) in row i(i-1)/2 + j', () => {
    assert.deepStrictEqual([recurrentEdgeRow(1, 0), recurrentEdgeRow(2, 0), recurrentEdgeRow(2, 1), recurrentEdgeRow(8, 7)], [0, 1, 2, 35]);
    assert.throws(() => recurrentEdgeRow(3, 3), /node 3 cannot take state 3 \(states 0\.\.2\)/);
    assert.throws(() => recurrentEdgeRow(9, 0), /node 9 is not one of 1\.\.8/);
  });

  it("derives the published cells from weights that favour them, ignoring none's weight", () => {
    for (const g of [DARTS_V2_RECURRENT, DARTS_V1_RECURRENT]) assert.deepStrictEqual(deriveRecurrentGenotype(weightsOf(g)), g);
  });

  it('breaks ties toward the smaller predecessor and the earlier primitive, as the DARTS code', () => {
    const w = Array.from({ length: RECURRENT_EDGES }, () => [0.2, 0.2, 0.2, 0.2, 0.2]);
    const g = deriveRecurrentGenotype(w);
    assert.deepStrictEqual(
      g.recurrent.map(([op, j]) => `${op}<-${j}`),
      Array.from({ length: 8 }, () => 'tanh<-0'),
    );
    w[recurrentEdgeRow(3, 2)] = [0.1, 0.1, 0.1, 0.35, 0.35];
    assert.deepStrictEqual(deriveRecurrentGenotype(w).recurrent[2], ['sigmoid', 2]);
  });

  it('checks a genotype and names what is wrong; formats it in a line', () => {
    assert.strictEqual(checkRecurrentGenotype(DARTS_V2_RECURRENT), DARTS_V2_RECURRENT);
    const bad = (recurrent: unknown[]) => ({ recurrent, concat: [1] }) as unknown as RecurrentGenotype;
    assert.throws(() => checkRecurrentGenotype(bad(DARTS_V2_RECURRENT.recurrent.slice(1))), /needs 8 nodes, got 7/);
    assert.throws(
      () => checkRecurrentGenotype(bad([['none', 0], ...DARTS_V2_RECURRENT.recurrent.slice(1)])),
      /node 1 has op "none"; use one of tanh, relu, sigmoid, identity/,
    );
    assert.throws(() => checkRecurrentGenotype(bad([['relu', 1], ...DARTS_V2_RECURRENT.recurrent.slice(1)])), /node 1 cannot take state 1/);
    assert.strictEqual(formatRecurrentGenotype(DARTS_V2_RECURRENT).split(' ').slice(0, 2).join(' '), '1:sigmoid<-0 2:relu<-1');
    assert.throws(() => deriveRecurrentGenotype([[1]]), /must be \[36\]\[5\]/);
  });
});

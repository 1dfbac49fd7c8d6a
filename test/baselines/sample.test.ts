import * as assert from 'assert';
import { sampleGenotype } from '../../lib/baselines/sample';
import { mixSeed, Rng } from '../../lib/nn/random';
import { SPACE_NAMES, SPACES } from '../../lib/spaces/spaces';
import { EDGES } from '../../lib/spaces/topology';
import { checkArchitecture } from '../../lib/problems/darts/supernet/network';

/** Asserts that every count is within 5 standard deviations of n p (binomial). */
function assertUniform(counts: ReadonlyMap<string, number>, outcomes: number, n: number, what: string): void {
  assert.strictEqual(counts.size, outcomes, `${what}: ${counts.size} of ${outcomes} outcomes seen`);
  const p = 1 / outcomes;
  const sd = Math.sqrt(n * p * (1 - p));
  for (const [key, count] of counts) {
    assert.ok(
      Math.abs(count - n * p) <= 5 * sd,
      `${what}: ${key} drawn ${count} times of ${n}; expected ${(n * p).toFixed(0)} +- ${(5 * sd).toFixed(0)}`,
    );
  }
}

const count = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + 1);

describe('sampleGenotype', () => {
  it('draws valid genotypes of every space, never none, with ascending distinct inputs per node', () => {
    for (const space of SPACE_NAMES) {
      for (let i = 0; i < 200; i++) {
        const g = sampleGenotype(SPACES[space], new Rng(mixSeed(space.length, i)));
        checkArchitecture(g, SPACES[space]);
        for (const cell of [g.normal, g.reduce]) {
          assert.ok(
            cell.every(([op]) => op !== 'none'),
            `${space}: none drawn`,
          );
          for (let k = 0; k < 8; k += 2) assert.ok(cell[k][1] < cell[k + 1][1], `${space}: inputs of node ${k / 2}`);
        }
      }
    }
  });

  it('is a function of the random stream', () => {
    assert.deepStrictEqual(sampleGenotype(SPACES.darts, new Rng(7)), sampleGenotype(SPACES.darts, new Rng(7)));
    assert.notDeepStrictEqual(sampleGenotype(SPACES.darts, new Rng(7)), sampleGenotype(SPACES.darts, new Rng(8)));
  });

  it('draws input pairs and ops uniformly (DARTS space: 7 ops without none)', () => {
    const n = 6000;
    const pairs = [0, 1, 2, 3].map(() => new Map<string, number>());
    const ops = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const g = sampleGenotype(SPACES.darts, new Rng(mixSeed(1, i)));
      for (let k = 0; k < 8; k += 2) count(pairs[k / 2], `${g.reduce[k][1]},${g.reduce[k + 1][1]}`);
      for (const [op] of g.normal.slice(6)) count(ops, op);
    }
    pairs.forEach((m, node) => assertUniform(m, ((node + 2) * (node + 1)) / 2, n, `node ${node} inputs`));
    assertUniform(ops, 7, 2 * n, 'node 3 ops');
  });

  it("draws each edge's own ops in S1 uniformly", () => {
    const n = 4000;
    const perEdge = EDGES.map(() => new Map<string, number>());
    const uses = EDGES.map(() => 0);
    for (let i = 0; i < n; i++) {
      const g = sampleGenotype(SPACES.s1, new Rng(mixSeed(2, i)));
      g.reduce.forEach(([op, input], k) => {
        const edge = EDGES.findIndex((e) => e.node === Math.floor(k / 2) && e.input === input);
        assert.ok(SPACES.s1.reduce[edge].includes(op), `${op} on reduce edge ${edge}`);
        count(perEdge[edge], op);
        uses[edge] += 1;
      });
    }
    perEdge.forEach((m, edge) => assertUniform(m, 2, uses[edge], `reduce edge ${edge}`));
  });
});

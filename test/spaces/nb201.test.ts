/** The NAS-Bench-201 cell of a set of alphas (lib/spaces/nb201.ts): each edge's largest alpha, `none` included. */
import * as assert from 'assert';
import { NB201_EDGES, NB201_OPS, nb201ArchString, parseNb201Arch } from '../../lib/spaces/nb201';

/** Alphas [6][5] that pick op `picks[e]` on edge e (value 1 there, small distinct values elsewhere). */
const alphasPicking = (picks: readonly number[]) => picks.map((k, e) => NB201_OPS.map((_, j) => (j === k ? 1 : 0.01 * (e + j))));

describe('nb201ArchString', () => {
  it('writes the argmax op of every edge as the benchmark string, edges (1<-0), (2<-0), (2<-1), (3<-0), (3<-1), (3<-2)', () => {
    assert.deepStrictEqual(NB201_EDGES, [
      [1, 0],
      [2, 0],
      [2, 1],
      [3, 0],
      [3, 1],
      [3, 2],
    ]);
    assert.strictEqual(
      nb201ArchString(alphasPicking([3, 3, 0, 4, 2, 1])),
      '|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|+|avg_pool_3x3~0|nor_conv_1x1~1|skip_connect~2|',
    );
    for (let k = 0; k < 5; k++)
      assert.deepStrictEqual(parseNb201Arch(nb201ArchString(alphasPicking(new Array(6).fill(k)))), new Array(6).fill(NB201_OPS[k]));
  });

  it('keeps `none` when it is the largest, as the benchmark code does, and takes the first on a tie', () => {
    const alphas = alphasPicking([1, 1, 1, 1, 1, 1]);
    alphas[2] = [5, 1, 1, 1, 1];
    alphas[4] = [0, 2, 2, 0, 0];
    assert.deepStrictEqual(parseNb201Arch(nb201ArchString(alphas)), [
      'skip_connect',
      'skip_connect',
      'none',
      'skip_connect',
      'skip_connect',
      'skip_connect',
    ]);
  });

  it('refuses a wrong shape or a non-finite value, naming the row', () => {
    assert.throws(() => nb201ArchString(alphasPicking([1, 1, 1, 1, 1])), /need 6 rows \(edges\), got 5/);
    const short = alphasPicking([1, 1, 1, 1, 1, 1]);
    short[3] = [1, 2, 3, 4];
    assert.throws(() => nb201ArchString(short), /alphas\[3\] must be 5 finite numbers/);
    const nan = alphasPicking([1, 1, 1, 1, 1, 1]);
    nan[5][2] = NaN;
    assert.throws(() => nb201ArchString(nan), /alphas\[5\] must be 5 finite numbers/);
  });
});

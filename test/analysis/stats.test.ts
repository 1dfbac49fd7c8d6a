import * as assert from 'assert';
import {
  averageRanks,
  bootstrapCI,
  mean,
  median,
  pearson,
  PERMUTATION_DRAWS,
  permutationPFloor,
  permutationPLower,
  permutationSplits,
  sampleSd,
  signFlipPFloor,
  signFlipPLower,
  spearman,
} from '../../lib/analysis/stats';

// Eight made-up (dominant eigenvalue, test error %) pairs, with ties in both columns.
const EIG = [0.21, 0.35, 0.35, 0.48, 0.52, 0.61, 0.75, 0.9];
const ERR = [3.1, 3.4, 2.9, 3.8, 4.4, 3.8, 4.9, 6.0];
const close = (actual: number, expected: number, tol = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${actual} != ${expected} (tolerance ${tol})`);

/** n pairs y = x + noise, x and noise uniform, from a small LCG (the test's own generator). */
function noisyLine(n: number, seed: number): { x: number[]; y: number[] } {
  let s = seed >>> 0;
  const u = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
  const x = Array.from({ length: n }, u);
  return { x, y: x.map((v) => v + 0.5 * u()) };
}

describe('mean, sampleSd and median', () => {
  it('match hand-worked values (2, 4, 4, 4, 5, 5, 7, 9: mean 5, sum of squares 32, sd sqrt(32 / 7)) and are NaN where undefined', () => {
    const xs = [2, 4, 4, 4, 5, 5, 7, 9];
    assert.strictEqual(mean(xs), 5);
    assert.ok(Math.abs(sampleSd(xs) - Math.sqrt(32 / 7)) < 1e-12);
    assert.ok(Number.isNaN(mean([])) && Number.isNaN(sampleSd([3])));
    // median: odd count the middle value, even count the mean of the middle two, unsorted input, NaN for none.
    assert.strictEqual(median([9, 2, 5]), 5);
    assert.strictEqual(median(xs), 4.5);
    assert.ok(Number.isNaN(median([])));
  });
});

describe('pearson', () => {
  it('matches a hand-computed case: x = [1, 2, 3], y = [1, 3, 2] gives Sxy / sqrt(Sxx Syy) = 1 / 2', () => {
    close(pearson([1, 2, 3], [1, 3, 2]), 0.5);
  });

  it('matches scipy.stats.pearsonr (SciPy 1.10.1, Debian python3)', () => {
    // python3 -c 'from scipy import stats; print(stats.pearsonr(EIG, ERR)[0])' -> 0.9317764908669954
    close(pearson(EIG, ERR), 0.9317764908669954);
    // stats.pearsonr([5, 1, 4, 2, 3], [1, 5, 2, 4, 3.5])[0] -> -0.9901475429766743
    close(pearson([5, 1, 4, 2, 3], [1, 5, 2, 4, 3.5]), -0.9901475429766743);
  });

  it('gives 1 and -1 on exact lines and accepts typed arrays', () => {
    close(pearson([0.1, 0.2, 0.3, 0.7], [1.3, 1.5, 1.7, 2.5]), 1);
    close(pearson(new Float64Array([1, 2, 3, 4]), [8, 6, 4, 2]), -1);
  });

  it('returns NaN when x or y is constant (zero variance)', () => {
    assert.ok(Number.isNaN(pearson([0.1, 0.1, 0.1], [1, 2, 3])));
    assert.ok(Number.isNaN(pearson([1, 2, 3], [4, 4, 4])));
  });

  it('throws an error naming the bad argument', () => {
    assert.throws(() => pearson([1, 2], [1, 2]), /pearson: x has 2 values; expected at least 3/);
    assert.throws(() => pearson([1, 2, 3], [1, 2, 3, 4]), /x has 3 values and y has 4/);
    assert.throws(() => pearson([1, 2, 3], [1, NaN, 3]), /pearson: y\[1\] = NaN is not a finite number/);
    assert.throws(() => pearson([1, Infinity, 3], [1, 2, 3]), /x\[1\] = Infinity/);
    assert.throws(() => pearson(undefined as unknown as number[], [1, 2, 3]), /x = undefined is not an array/);
  });
});

describe('averageRanks', () => {
  it('gives tied values the mean of their ranks (scipy.stats.rankdata: [2, 3.5, 3.5, 1])', () => {
    assert.deepStrictEqual(averageRanks([10, 20, 20, 5]), [2, 3.5, 3.5, 1]);
  });
});

describe('spearman', () => {
  it('matches a hand-computed case with a tie: ranks [1, 2.5, 2.5, 4] vs [1, 2, 3, 4] give 4.5 / sqrt(4.5 * 5)', () => {
    close(spearman([1, 2, 2, 3], [1, 2, 3, 4]), 4.5 / Math.sqrt(22.5));
    close(spearman([1, 2, 2, 3], [1, 2, 3, 4]), 0.9486832980505139); // stats.spearmanr(...)[0]
  });

  it('matches scipy.stats.spearmanr with ties in x and y (SciPy 1.10.1)', () => {
    // python3 -c 'from scipy import stats; print(stats.spearmanr(EIG, ERR)[0])' -> 0.9156626506024095
    close(spearman(EIG, ERR), 0.9156626506024095);
    close(spearman([5, 1, 4, 2, 3], [1, 5, 2, 4, 3.5]), -1); // scipy: -0.9999999999999999
  });

  it('is unchanged by a monotone transform of either variable', () => {
    close(
      spearman(
        EIG.map(Math.exp),
        ERR.map((v) => v ** 3),
      ),
      spearman(EIG, ERR),
    );
  });

  it('returns NaN for a constant variable and checks its input like pearson', () => {
    assert.ok(Number.isNaN(spearman([2, 2, 2, 2], [1, 2, 3, 4])));
    assert.throws(() => spearman([1, 2, 3], [1, 2, '3' as unknown as number]), /spearman: y\[2\] = 3 is not a finite number/);
  });
});

describe('bootstrapCI', () => {
  it('matches NumPy percentiles of the same resamples (pinned for seed 7)', () => {
    // Checked once by replaying the resampling indices (Rng(7).int(8), 8 per replicate) in a script
    // and passing the resampled pairs to scipy.stats.pearsonr / spearmanr and numpy.percentile
    // (linear interpolation): 500 finite replicates; pearson [0.7331999681489054, 0.9901706774067578]
    // at 95%, spearman [0.6202531645569621, 1.0] at 90%.
    const r = bootstrapCI(EIG, ERR, pearson, { samples: 500, seed: 7 });
    close(r.estimate, 0.9317764908669954);
    close(r.low, 0.7331999681489054);
    close(r.high, 0.9901706774067578);
    assert.strictEqual(r.samples, 500);
    const s = bootstrapCI(EIG, ERR, spearman, { samples: 500, level: 0.9, seed: 7 });
    close(s.low, 0.6202531645569621);
    close(s.high, 1);
  });

  it('is deterministic for a seed and changes with it', () => {
    const a = bootstrapCI(EIG, ERR, pearson, { samples: 200, seed: 3 });
    assert.deepStrictEqual(bootstrapCI(EIG, ERR, pearson, { samples: 200, seed: 3 }), a);
    assert.notDeepStrictEqual(bootstrapCI(EIG, ERR, pearson, { samples: 200, seed: 4 }), a);
  });

  it('contains the estimate, and narrows with more data', () => {
    const small = noisyLine(12, 1);
    const large = noisyLine(240, 1);
    const a = bootstrapCI(small.x, small.y, pearson, { samples: 400, seed: 11 });
    const b = bootstrapCI(large.x, large.y, pearson, { samples: 400, seed: 11 });
    for (const ci of [a, b]) assert.ok(ci.low <= ci.estimate && ci.estimate <= ci.high, JSON.stringify(ci));
    assert.ok(b.high - b.low < (a.high - a.low) / 2, `${JSON.stringify(b)} vs ${JSON.stringify(a)}`);
  });

  it('gives 1 and a degenerate interval [1, 1] for a perfect correlation', () => {
    const x = [0.1, 0.4, 0.5, 0.9, 1.3, 1.4, 2.0, 2.2, 3.0, 3.1];
    const ci = bootstrapCI(
      x,
      x.map((v) => 2 * v + 1),
      pearson,
      { samples: 300, seed: 5 },
    );
    close(ci.estimate, 1);
    close(ci.low, 1);
    close(ci.high, 1);
    assert.ok(ci.samples > 290 && ci.samples <= 300); // a resample of one repeated pair is NaN, left out
  });

  it('returns NaN and no samples when the statistic is degenerate on the data', () => {
    const ci = bootstrapCI([1, 1, 1, 1], [1, 2, 3, 4], pearson, { samples: 50, seed: 1 });
    assert.ok(Number.isNaN(ci.estimate) && Number.isNaN(ci.low) && Number.isNaN(ci.high));
    assert.strictEqual(ci.samples, 0);
  });

  it('throws an error naming the bad argument or option', () => {
    assert.throws(() => bootstrapCI([1, 2, 3], [1, 2, 3, 4], pearson, { seed: 1 }), /bootstrapCI: x has 3 values and y has 4/);
    assert.throws(() => bootstrapCI(EIG, ERR, pearson, { samples: 0, seed: 1 }), /samples=0/);
    assert.throws(() => bootstrapCI(EIG, ERR, pearson, { level: 1, seed: 1 }), /level=1 is not in \(0, 1\)/);
    assert.throws(() => bootstrapCI(EIG, ERR, pearson, { seed: 1.5 }), /seed=1.5/);
    assert.throws(() => bootstrapCI(EIG, ERR, 'pearson' as unknown as typeof pearson, { seed: 1 }), /statistic/);
  });
});

describe('permutationPLower', () => {
  // Oracle: scipy.stats.permutation_test (SciPy 1.10, difference of means, 'independent', 'less';
  // every split where n_resamples=np.inf), run once outside the project and pinned here.
  it('equals SciPy exact permutation test of a lower mean, seeds-sized and unequal groups', () => {
    const darts = [15.815, 15.635, 7.976667, 12.0, 10.585, 10.243333];
    const l2 = [6.875, 6.21, 8.036667, 6.553333, 6.853333, 6.903333];
    assert.strictEqual(permutationPLower(l2, darts), 2 / 924); // SciPy: 0.0021645021645021645
    assert.strictEqual(permutationPLower([0.3, 1.7, 2.2], [1.1, 4.0, 2.9, 3.3]), 3 / 35); // SciPy: 0.08571428571428572
    assert.strictEqual(permutationPLower(darts, l2), 923 / 924);
  });

  it('counts ties and the observed split: never 0, and 1 where every value is equal', () => {
    assert.strictEqual(permutationPLower([1, 2], [3, 4]), 1 / 6);
    assert.strictEqual(permutationPLower([5, 5], [5, 5, 5]), 1);
    assert.strictEqual(permutationPLower([7.25, 7.25], [10.875, 10.875]), 1 / 6);
  });

  it('draws splits (seeded) where there are too many to count, near SciPy 2,000,000 draws', () => {
    // 13 and 13 values: C(26, 13) = 10,400,600 splits, above PERMUTATION_MAX_SPLITS.
    const a = [0, 7.5, 15, 21, 2.5, 10, 16, 23.5, 5, 11, 18.5, 26, 6];
    const b = [3, 8.25, 13.5, 18.75, 23, 2.25, 7.5, 12.75, 17, 22.25, 1.5, 6.75, 11];
    const p = permutationPLower(a, b);
    assert.ok(Math.abs(p - 0.64436) < 0.005, `p ${p}`); // SciPy: 0.6443606778196611 (random_state 1)
    assert.strictEqual(permutationPLower(a, b), p, 'the same seed draws the same splits');
    assert.ok(
      permutationPLower(
        [...Array(13).keys()],
        [...Array(13).keys()].map((i) => i + 100),
      ) < 1e-5,
    );
  });

  it('counts ties at the values own scale, however small', () => {
    assert.strictEqual(permutationPLower([1e-10, 2e-10], [5e-10, 6e-10]), 1 / 6);
    assert.strictEqual(permutationPLower([0, 0], [0, 0]), 1);
  });

  it('has a floor of one split in C(n, k), or one in the draws plus one', () => {
    assert.strictEqual(permutationSplits(6, 6), 924);
    assert.strictEqual(permutationPFloor(3, 3), 1 / 20);
    assert.strictEqual(permutationPFloor(13, 13), 1 / (PERMUTATION_DRAWS + 1));
  });

  it('names an empty group or a value that is not finite', () => {
    assert.throws(() => permutationPLower([], [1]), /empty group/);
    assert.throws(() => permutationPLower([1, NaN], [1]), /not every value is finite/);
  });
});

describe('signFlipPLower', () => {
  // Oracle: scipy.stats.permutation_test((d,), np.sum, permutation_type='samples', alternative='less',
  // n_resamples=np.inf), SciPy 1.10: a single sample's signs flipped, every pattern counted.
  it("equals SciPy's exact paired test", () => {
    assert.strictEqual(signFlipPLower([-9.25, -4.5, -1.6, -4.2, -4.2, -3.9]), 1 / 64); // SciPy: 0.015625
    assert.strictEqual(signFlipPLower([-1.0, 0.5, -2.0, 0.25, -0.75]), 5 / 32); // SciPy: 0.15625
    assert.strictEqual(signFlipPLower([0, 0]), 1);
    assert.strictEqual(signFlipPFloor(6), 1 / 64);
    assert.strictEqual(signFlipPFloor(24), 1 / (PERMUTATION_DRAWS + 1));
  });

  it('draws patterns (seeded) beyond 2^20, near the normal approximation', () => {
    // 24 differences, twelve -1 and twelve +0.5 (sum -6): the flipped sum is 2a - 12 + (b - 6) with a, b
    // binomial(12, 1/2), so P(sum <= -6) = sum of C(12, a) C(12, b) / 2^24 over those (a, b) = 0.0782261.
    const d = Array.from({ length: 24 }, (_, i) => (i % 2 === 0 ? -1 : 0.5));
    const p = signFlipPLower(d);
    assert.ok(Math.abs(p - 0.0782261) < 0.003, `p ${p}`); // 200,000 draws: sd 0.0006
    assert.strictEqual(signFlipPLower(d), p);
  });

  it('names no differences or one that is not finite', () => {
    assert.throws(() => signFlipPLower([]), /no differences/);
    assert.throws(() => signFlipPLower([1, Infinity]), /not every difference is finite/);
  });
});

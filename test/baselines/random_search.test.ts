import * as assert from 'assert';
import { randomSearch, randomSearchCandidate } from '../../lib/baselines/random_search';
import type { Genotype } from '../../lib/spaces/genotype';
import { SPACES } from '../../lib/spaces/spaces';
import { checkArchitecture } from '../../lib/problems/darts/supernet/network';

/** A fake trainer: the share of sep_conv_3x3 in the normal cell, as an "accuracy". */
const fake = async (g: Genotype) => g.normal.filter(([op]) => op === 'sep_conv_3x3').length / 8;

describe('randomSearch', () => {
  it('trains every sampled candidate once, in order, and keeps the most accurate', async () => {
    const trained: number[] = [];
    const result = await randomSearch({
      space: SPACES.s3,
      samples: 12,
      seed: 4,
      trainAndValidate: async (g, i) => {
        trained.push(i);
        return fake(g);
      },
    });
    assert.deepStrictEqual(trained, [...Array(12).keys()]);
    assert.strictEqual(result.candidates.length, 12);
    result.candidates.forEach((c) => checkArchitecture(c.genotype, SPACES.s3));
    const top = Math.max(...result.candidates.map((c) => c.validAccuracy));
    assert.strictEqual(result.best.validAccuracy, top);
    assert.strictEqual(
      result.best.index,
      result.candidates.findIndex((c) => c.validAccuracy === top),
      'ties go to the earlier',
    );
  });

  it('is seeded: the same seed gives the same candidates, a longer search extends a shorter one', async () => {
    const a = await randomSearch({ space: SPACES.s1, samples: 3, seed: 9, trainAndValidate: fake });
    const b = await randomSearch({ space: SPACES.s1, samples: 5, seed: 9, trainAndValidate: fake });
    const c = await randomSearch({ space: SPACES.s1, samples: 3, seed: 10, trainAndValidate: fake });
    assert.deepStrictEqual(b.candidates.slice(0, 3), a.candidates);
    assert.notDeepStrictEqual(
      c.candidates.map((x) => x.genotype),
      a.candidates.map((x) => x.genotype),
    );
    assert.deepStrictEqual(randomSearchCandidate(SPACES.s1, 9, 4), b.candidates[4].genotype);
  });

  it('rejects bad arguments and a trainer that returns no accuracy, naming them', async () => {
    await assert.rejects(
      randomSearch({ space: SPACES.s2, samples: 0, seed: 1, trainAndValidate: fake }),
      /samples must be a positive integer/,
    );
    await assert.rejects(randomSearch({ space: SPACES.s2, samples: 2, seed: 1.5, trainAndValidate: fake }), /seed must be an integer/);
    await assert.rejects(
      randomSearch({ space: SPACES.s2, samples: 2, seed: 1, trainAndValidate: async () => 93.1 }),
      /trainAndValidate returned 93.1 for candidate 0; expected an accuracy in \[0, 1\]/,
    );
  });
});

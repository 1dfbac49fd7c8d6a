import * as assert from 'assert';
import { DARTS_V2, type Genotype } from '../../lib/spaces/genotype';
import { checkGenotype } from '../../lib/train/genotype_check';

describe('checkGenotype', () => {
  const check = (patch: Partial<Genotype>) => () => checkGenotype({ ...DARTS_V2, ...patch });

  it('accepts DARTS_V2 and any registry op, none and noise included', () => {
    checkGenotype(DARTS_V2);
    checkGenotype({
      ...DARTS_V2,
      normal: [
        ['none', 0],
        ['noise', 1],
        ['avg_pool_3x3', 2],
        ['dil_conv_5x5', 0],
      ],
      normalConcat: [0, 2, 3],
    });
  });

  it('names the entry whose op is not in the registry or whose input is not a state yet', () => {
    const normal = [...DARTS_V2.normal];
    normal[5] = ['conv_7x1_1x7' as never, 0];
    assert.throws(check({ normal }), /genotype\.normal\[5\] = \["conv_7x1_1x7",0\]: op "conv_7x1_1x7" is not in the op registry \(none, /);
    const reduce = [...DARTS_V2.reduce];
    reduce[0] = ['max_pool_3x3', 2];
    assert.throws(check({ reduce }), /genotype\.reduce\[0\] = \["max_pool_3x3",2\]: input 2 is not a state of node 0 \(use 0\.\.1\)/);
    reduce[0] = ['max_pool_3x3'] as never;
    assert.throws(check({ reduce }), /genotype\.reduce\[0\] = \["max_pool_3x3"\]; expected \[op, input\]/);
  });

  it('needs 2 entries per node and concat states that exist', () => {
    assert.throws(check({ normal: [] }), /genotype\.normal = \[\]; expected a non-empty list/);
    assert.throws(check({ normalConcat: [2, 2] }), /genotype\.normalConcat\[1\] = 2: repeated/);
    assert.throws(check({ normalConcat: [6] }), /genotype\.normalConcat\[0\] = 6: not a state of the cell \(use 0\.\.5\)/);
    assert.throws(check({ reduceConcat: [1, 2] }), /genotype\.reduceConcat\[0\] = 1: a reduction cell/);
  });
});

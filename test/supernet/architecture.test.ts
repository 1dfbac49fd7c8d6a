import * as assert from 'assert';
import { tf } from '../../lib/backend';
import { sampleGenotype } from '../../lib/baselines/sample';
import { mixSeed, Rng } from '../../lib/nn/random';
import { crossEntropy } from '../../lib/nn/loss';
import { DARTS_V2, type Genotype, type GenotypeEntry } from '../../lib/spaces/genotype';
import { SPACES, type SpaceName } from '../../lib/spaces/spaces';
import { EDGES } from '../../lib/spaces/topology';
import { placeArchitecture, SearchCell } from '../../lib/problems/darts/supernet/cell';
import { checkArchitecture, SearchNetwork, type SupernetForwardOptions } from '../../lib/problems/darts/supernet/network';
import { assertClose, assertNoTensorLeak } from '../helpers';

function small(space: SpaceName): SearchNetwork {
  return new SearchNetwork({ space: SPACES[space], C: 4, layers: 3, classes: 10, inChannels: 3, seed: 5 });
}

const images = () => tf.randomNormal([4, 8, 8, 3], 0, 1, 'float32', 21) as tf.Tensor4D;
const labels = () => tf.tensor1d([1, 7, 3, 0], 'int32');

/** The mixing weights [14, K] that are 1 at the entries' (edge, op) and 0 elsewhere: "one-hot alphas, no softmax". */
function oneHotWeights(entries: readonly GenotypeEntry[], lists: readonly (readonly string[])[]): tf.Tensor2D {
  const w = lists.map((ops) => ops.map(() => 0));
  entries.forEach(([op, input], i) => {
    const edge = EDGES.findIndex((e) => e.node === Math.floor(i / 2) && e.input === input);
    w[edge][lists[edge].indexOf(op)] = 1;
  });
  return tf.tensor2d(w);
}

/**
 * Runs `fn` with every cell's `apply` (the full mixture over all 14 edges and all ops) fed the
 * one-hot weights of `g` instead of the softmax of the alphas: the reference of the discrete forward.
 */
function withOneHotMixture<T>(net: SearchNetwork, g: Genotype, fn: () => T): T {
  for (const cell of net.cells) {
    const entries = cell.reduction ? g.reduce : g.normal;
    const lists = cell.edges.map((e) => e.primitives);
    (cell as { apply: SearchCell['apply'] }).apply = (s0, s1, _weights, ctx) =>
      tf.tidy(() => SearchCell.prototype.apply.call(cell, s0, s1, oneHotWeights(entries, lists), ctx));
  }
  try {
    return fn();
  } finally {
    for (const cell of net.cells) Reflect.deleteProperty(cell, 'apply');
  }
}

function gradsOf(net: SearchNetwork, x: tf.Tensor4D, y: tf.Tensor1D, options: SupernetForwardOptions): Map<string, tf.Tensor> {
  const names = new Map([...net.weights].map(([name, v]) => [v.name, name]));
  const { value, grads } = tf.variableGrads(() => crossEntropy(net.forward(x, options), y), [...net.weights.values()]);
  value.dispose();
  return new Map(Object.entries(grads).map(([id, g]) => [names.get(id) as string, g]));
}

/** The name prefixes of the ops that the discrete forward of `g` runs: `cells.<i>._ops.<edge>._ops.<k>.`. */
function usedOps(net: SearchNetwork, g: Genotype): string[] {
  return net.cells.flatMap((cell, i) =>
    placeArchitecture(
      cell.reduction ? g.reduce : g.normal,
      cell.edges.map((e) => e.primitives),
      'g',
    ).map(({ edge, op }) => `cells.${i}._ops.${edge}._ops.${cell.edges[edge].primitives.indexOf(op)}.`),
  );
}

/** The weights that the discrete forward of `g` uses: stem, preprocessing, classifier, the entries' ops. */
function usedWeights(net: SearchNetwork, g: Genotype): Set<string> {
  const prefixes = ['stem.', 'classifier.', ...net.cells.map((_, i) => `cells.${i}.preprocess`), ...usedOps(net, g)];
  return new Set([...net.weights.keys()].filter((name) => prefixes.some((p) => name.startsWith(p))));
}

describe('SearchNetwork.forward with architecture', () => {
  for (const space of ['s1', 's3', 'darts'] as const) {
    it(`equals the mixture with one-hot weights on the genotype's (edge, op) and zero elsewhere (${space})`, () => {
      const net = small(space);
      const x = images();
      for (let i = 0; i < 3; i++) {
        const g = sampleGenotype(SPACES[space], new Rng(mixSeed(3, i)));
        for (const options of [{ training: true, updateRunningStats: false }, { training: false }]) {
          const discrete = net.forward(x, { ...options, architecture: g });
          const reference = withOneHotMixture(net, g, () => net.forward(x, options));
          assertClose(discrete.dataSync(), reference.dataSync(), 1e-5, `${space} logits, training ${options.training}`);
          const mixture = net.forward(x, options);
          assert.ok(Math.max(...tf.tidy(() => tf.abs(tf.sub(mixture, discrete)).dataSync())) > 1e-3, 'the softmax mixture differs');
          tf.dispose([discrete, reference, mixture]);
        }
      }
      x.dispose();
      net.dispose();
    });
  }

  it('runs DARTS_V2 on the DARTS space, and sends gradients only to the weights of the ops it uses', () => {
    const net = small('darts');
    const [x, y] = [images(), labels()];
    const options = { training: true, updateRunningStats: false };
    const discrete = gradsOf(net, x, y, { ...options, architecture: DARTS_V2 });
    const reference = withOneHotMixture(net, DARTS_V2, () => gradsOf(net, x, y, options));
    const used = usedWeights(net, DARTS_V2);
    const withGrad = [...net.weights.keys()].filter((name) => discrete.has(name));
    assert.deepStrictEqual(
      withGrad,
      [...used].filter((name) => net.weights.has(name)),
    );
    assert.ok(withGrad.some((n) => n.includes('._ops.')) && withGrad.length < net.weights.size / 2, `${withGrad.length} weights`);
    for (const [name, g] of reference) {
      if (used.has(name)) assertClose((discrete.get(name) as tf.Tensor).dataSync(), g.dataSync(), 1e-4, name);
      else
        assert.ok(
          g.dataSync().every((v) => v === 0),
          `${name}: an unused op has a zero gradient in the mixture`,
        );
    }
    tf.dispose([x, y, ...discrete.values(), ...reference.values()]);
    net.dispose();
  });

  it('updates the running statistics of the used ops only (and of the stem and preprocessing)', () => {
    const net = small('darts');
    const x = images();
    const g = sampleGenotype(SPACES.darts, new Rng(9));
    const before = new Map([...net.buffers].map(([name, v]) => [name, Array.from(v.dataSync())]));
    net.forward(x, { training: true, architecture: g }).dispose();
    const ops = usedOps(net, g);
    let [used, unused] = [0, 0];
    for (const [name, v] of net.buffers) {
      const changed = Array.from(v.dataSync()).some((value, i) => value !== (before.get(name) as number[])[i]);
      const isOp = name.includes('._ops.');
      const expected = !isOp || ops.some((p) => name.startsWith(p));
      assert.strictEqual(changed, expected, `${name} ${expected ? 'is' : 'is not'} updated`);
      if (isOp && expected) used++;
      else if (isOp) unused++;
    }
    assert.ok(used > 0 && unused > used, `${used} used and ${unused} unused op statistics`);
    x.dispose();
    net.dispose();
  });

  it('leaks no tensor, forward or backward', async () => {
    const net = small('s1');
    const [x, y] = [images(), labels()];
    const g = sampleGenotype(SPACES.s1, new Rng(4));
    await assertNoTensorLeak(() => net.forward(x, { training: true, architecture: g }).dispose());
    await assertNoTensorLeak(() => tf.dispose([...gradsOf(net, x, y, { training: true, architecture: g }).values()]));
    tf.dispose([x, y]);
    net.dispose();
  });
});

describe('checkArchitecture', () => {
  const base = sampleGenotype(SPACES.s1, new Rng(1));
  const edit = (cell: 'normal' | 'reduce', i: number, entry: GenotypeEntry): Genotype => ({
    ...base,
    [cell]: base[cell].map((e, j) => (j === i ? entry : e)),
  });

  it('accepts sampled genotypes and DARTS_V2 in the DARTS space', () => {
    checkArchitecture(base, SPACES.s1);
    checkArchitecture(DARTS_V2, SPACES.darts);
  });

  it('rejects an op that the edge does not offer in the space, naming the entry', () => {
    // S1 reduce, edge 0 (s0 -> n0): max_pool_3x3, avg_pool_3x3.
    assert.throws(
      () => checkArchitecture(edit('reduce', 0, ['sep_conv_3x3', 0]), SPACES.s1),
      new RegExp(
        'architecture\\.reduce\\[0\\] \\(node 0\\): op "sep_conv_3x3" is not offered on edge 0 \\(s0 -> n0\\) ' +
          'in space s1 \\(max_pool_3x3, avg_pool_3x3\\)',
      ),
    );
    assert.throws(() => checkArchitecture(DARTS_V2, SPACES.s3), /architecture\.normal\[7\] \(node 3\): op "dil_conv_3x3"/);
  });

  it('rejects an input that is not a predecessor, a repeated input and a bad concat', () => {
    assert.throws(
      () => checkArchitecture(edit('normal', 3, ['skip_connect', 3]), SPACES.s1),
      /architecture\.normal\[3\] \(node 1\): input 3 is not a predecessor of node 1; use 0\.\.2/,
    );
    assert.throws(
      () => checkArchitecture(edit('normal', 1, ['skip_connect', base.normal[0][1]]), SPACES.s1),
      /architecture\.normal\[1\] \(node 0\): both entries of node 0 take input/,
    );
    assert.throws(
      () => checkArchitecture({ ...base, normal: base.normal.slice(0, 7) }, SPACES.s1),
      /architecture\.normal has 7 entries; expected 8/,
    );
    assert.throws(() => checkArchitecture({ ...base, reduceConcat: [2, 3, 4] }, SPACES.s1), /architecture\.reduceConcat is \[2,3,4\]/);
  });

  it('is what forward checks, and forward refuses alphas with an architecture', () => {
    const net = small('s3');
    const x = images();
    assert.throws(() => net.forward(x, { training: false, architecture: DARTS_V2 }), /options\.architecture\.normal\[7\] \(node 3\)/);
    const alphas = { normal: net.alphas.normal as tf.Tensor2D, reduce: net.alphas.reduce as tf.Tensor2D };
    assert.throws(
      () => net.forward(x, { training: false, alphas, architecture: sampleGenotype(SPACES.s3, new Rng(2)) }),
      /options\.alphas and options\.architecture exclude each other/,
    );
    x.dispose();
    net.dispose();
  });
});

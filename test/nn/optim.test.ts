import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../../lib/backend';
import { Adam, clipScale, Sgd } from '../../lib/nn/optim';
import { assertClose, assertNoTensorLeak } from '../helpers';

// Golden values from torch.optim (test/fixtures/make_optim_golden.py).
const golden = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'optim_golden.json'), 'utf8'));
type Named = Record<string, number[] | number[][]>;

function params(): Map<string, tf.Variable> {
  return new Map(Object.entries(golden.params as Named).map(([k, v]) => [k, tf.variable(tf.tensor(v))]));
}

function grads(i: number): Map<string, tf.Tensor> {
  return new Map(Object.entries(golden.grads[i] as Named).map(([k, v]) => [k, tf.tensor(v)]));
}

function check(p: Map<string, tf.Variable>, expected: Named, what: string) {
  for (const [k, v] of p) assertClose(v.dataSync(), (expected[k] as number[]).flat(), 1e-6, `${what} ${k}`);
}

describe('Sgd', () => {
  for (const [what, key, options] of [
    ['momentum, weight decay', 'sgd', { momentum: 0.9, weightDecay: 3e-4 }],
    ['Nesterov momentum (nesterov=True), weight decay', 'sgd_nesterov', { momentum: 0.9, weightDecay: 5e-4, nesterov: true }],
  ] as const) {
    it(`matches torch.optim.SGD with ${what} and clip_grad_norm_ over three steps`, () => {
      const p = params();
      const opt = new Sgd(p, options);
      (golden[key] as Named[]).forEach((expected, i) => {
        const g = grads(i);
        opt.step(g, 0.1, clipScale(g, 5).scale);
        tf.dispose([...g.values()]);
        check(p, expected, `step ${i + 1}`);
      });
      opt.dispose();
      tf.dispose([...p.values()]);
    });
  }

  it('round-trips its state and leaks nothing per step', async () => {
    const p = params();
    const opt = new Sgd(p, { momentum: 0.9, weightDecay: 3e-4 });
    const g = grads(0);
    await assertNoTensorLeak(() => opt.step(g, 0.1));
    const state = new Map([...opt.state()].map(([k, v]) => [k, v.clone()]));
    assert.deepStrictEqual([...state.keys()], ['a.momentum_buffer', 'b.momentum_buffer']);
    const other = new Sgd(p, { momentum: 0.9, weightDecay: 3e-4 });
    other.loadState(state);
    assertClose(other.momentumBuffer('b')!.dataSync(), opt.momentumBuffer('b')!.dataSync(), 0, 'buffer');
    assert.throws(() => other.loadState(new Map([['zz.momentum_buffer', tf.scalar(1)]])), /no parameter "zz"/);
    tf.dispose([...g.values(), ...state.values(), ...p.values()]);
    opt.dispose();
    other.dispose();
  });
});

describe('Adam', () => {
  it('matches torch.optim.Adam with L2 weight decay over three steps', () => {
    const p = params();
    const opt = new Adam(p, { lr: 3e-4, beta1: 0.5, beta2: 0.999, eps: 1e-8, weightDecay: 1e-3 });
    golden.adam.forEach((expected: Named, i: number) => {
      const g = grads(i);
      opt.step(g);
      tf.dispose([...g.values()]);
      check(p, expected, `step ${i + 1}`);
    });
    assert.strictEqual(opt.steps, 3);
    opt.dispose();
    tf.dispose([...p.values()]);
  });
});

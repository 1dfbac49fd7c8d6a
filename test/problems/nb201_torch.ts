/**
 * The NAS-Bench-201 supernet against the PyTorch float64 restatement of the benchmark's code
 * (test/fixtures/make_nb201_torch.py): PyTorch's weights loaded from the checkpoint it wrote, the
 * batch from the fixture. Shared by the test and the fixture's generator.
 */
import * as path from 'path';
import { tf } from '../../lib/backend';
import { relativeErrors, type Measured, worstOf } from '../../lib/engine/differential';
import { Adam, Sgd } from '../../lib/nn/optim';
import { Nb201Supernet } from '../../lib/problems/nb201/supernet';
import { loadCheckpoint } from '../../lib/runs/checkpoint';
import { loadSafetensors } from '../../lib/runs/safetensors';
import { lossAndGrads } from '../../lib/search/step';

export interface Nb201TorchCase {
  config: { C: number; N: number; classes: number; inChannels: number; batch: number; image: number; seed: number };
  y: number[];
  params: number;
  loss: number;
  gradients: string[];
  eigenvalues: { top: number[]; bottom: number[] };
}

export interface Nb201TorchFixture {
  cases: Record<string, Nb201TorchCase>;
}

/** Case `name`'s supernet with PyTorch's weights and its batch; the caller disposes. */
export function loadNb201TorchCase(fixture: Nb201TorchFixture, name: string, dir: string) {
  const c = fixture.cases[name];
  if (!c) throw new Error(`no case ${name} in the fixture`);
  const { C, N, classes, inChannels } = c.config;
  const net = new Nb201Supernet({ C, N, classes, inChannels, seed: 0 });
  const weightOpt = new Sgd(net.weights, { momentum: 0.9, weightDecay: 5e-4, nesterov: true });
  const alphaOpt = new Adam(net.alphaParams, { lr: 3e-4, beta1: 0.5, beta2: 0.999, eps: 1e-8, weightDecay: 1e-3 });
  const reference = loadSafetensors(path.join(dir, `${name}.reference.safetensors`)).tensors;
  const xr = reference['input.x'];
  const batch = { x: tf.tensor4d(xr.data as Float32Array, xr.shape as [number, number, number, number]), y: tf.tensor1d(c.y, 'int32') };
  const dispose = () => {
    tf.dispose([batch.x, batch.y]);
    weightOpt.dispose();
    alphaOpt.dispose();
    net.dispose();
  };
  try {
    loadCheckpoint(path.join(dir, `${name}.safetensors`), { net, weightOpt, alphaOpt });
  } catch (e) {
    dispose();
    throw e;
  }
  return { net, batch, reference, weightOpt, dispose };
}

/** The loss gap (relative), the logits' and every gradient's gap (max |ours - torch| / max |torch|) on the active backend. */
export function nb201TorchGaps(fixture: Nb201TorchFixture, name: string, dir: string) {
  const c = fixture.cases[name];
  const { net, batch, reference, dispose } = loadNb201TorchCase(fixture, name, dir);
  try {
    const r = lossAndGrads(net, batch, new Map([...net.weights, ...net.alphaParams]), 0, false, 0);
    const ours: Measured = {};
    for (const [k, g] of r.grads) ours[k] = Float32Array.from(g.dataSync());
    const loss = r.loss.dataSync()[0];
    const logits = relativeErrors(
      { logits: Float32Array.from(r.output.dataSync()) },
      { logits: reference['output.logits'].data as Float32Array },
    ).logits;
    tf.dispose([r.loss, r.output, ...r.grads.values()]);
    const expected: Measured = Object.fromEntries(c.gradients.map((k) => [k, reference[`grad.${k}`].data as Float32Array]));
    const errors = relativeErrors(ours, expected);
    const { tensor: worstTensor, error: worst } = worstOf(errors);
    return { loss: Math.abs(loss - c.loss) / Math.abs(c.loss), logits, worst, worstTensor, errors, params: net.numParams() };
  } finally {
    dispose();
  }
}

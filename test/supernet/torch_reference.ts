/**
 * Our supernet against the PyTorch float64 reference of test/fixtures/make_supernet_torch.py: the
 * weights come from PyTorch's checkpoint (loaded by lib/runs/checkpoint.ts's rule), the batch and
 * the noise op's pass seed from the fixture. Shared by the test and the fixture's generator.
 */
import * as path from 'path';
import { tf } from '../../lib/backend';
import { relativeErrors, type Measured, worstOf } from '../../lib/engine/differential';
import { loadCheckpoint } from '../../lib/runs/checkpoint';
import { loadSafetensors } from '../../lib/runs/safetensors';
import { Adam, Sgd } from '../../lib/nn/optim';
import { lossAndGrads } from '../../lib/search/step';
import { type Batch } from '../../lib/nn/loss';
import { getSpace } from '../../lib/spaces/spaces';
import { SearchNetwork } from '../../lib/problems/darts/supernet/network';

export interface TorchCase {
  config: {
    space: string;
    C: number;
    layers: number;
    classes: number;
    inChannels: number;
    batch: number;
    image: number;
    seed: number;
    passSeed: number;
  };
  y: number[];
  loss: number;
  gradients: string[];
  eigenvalues: { top: number[]; bottom: number[] };
  max_abs_h: number;
  noise_calls: number;
}

export interface TorchFixture {
  cases: Record<string, TorchCase>;
}

/** A fixture case loaded for our side: the network with PyTorch's weights, its batch and the reference tensors. */
export interface LoadedTorchCase {
  readonly net: SearchNetwork;
  readonly batch: Batch;
  /** `input.x`, `output.logits` and `grad.<name>` from the case's `.reference.safetensors`. */
  readonly reference: ReturnType<typeof loadSafetensors>['tensors'];
  dispose(): void;
}

/**
 * Builds case `name`'s network and loads PyTorch's checkpoint into it by the rule of
 * lib/runs/checkpoint.ts, with the case's batch; the caller disposes the result.
 */
export function loadTorchCase(fixture: TorchFixture, name: string, checkpointDir: string): LoadedTorchCase {
  const c = fixture.cases[name];
  if (!c) throw new Error(`no case ${name} in the fixture`);
  const cfg = c.config;
  const net = new SearchNetwork({
    space: getSpace(cfg.space),
    C: cfg.C,
    layers: cfg.layers,
    classes: cfg.classes,
    inChannels: cfg.inChannels,
    seed: 0,
  });
  const weightOpt = new Sgd(net.weights, { momentum: 0.9, weightDecay: 3e-4 });
  const alphaOpt = new Adam(net.alphaParams, { lr: 3e-4, beta1: 0.5, beta2: 0.999, eps: 1e-8, weightDecay: 1e-3 });
  const reference = loadSafetensors(path.join(checkpointDir, `${name}.reference.safetensors`)).tensors;
  const xr = reference['input.x'];
  const batch = { x: tf.tensor4d(xr.data as Float32Array, xr.shape as [number, number, number, number]), y: tf.tensor1d(c.y, 'int32') };
  const dispose = () => {
    tf.dispose([batch.x, batch.y]);
    weightOpt.dispose();
    alphaOpt.dispose();
    net.dispose();
  };
  try {
    loadCheckpoint(path.join(checkpointDir, `${name}.safetensors`), { net, weightOpt, alphaOpt });
  } catch (e) {
    dispose();
    throw e;
  }
  return { net, batch, reference, dispose };
}

/**
 * Loss gap (relative) and every gradient's gap (max |ours - torch| / max |torch|) of case `name`
 * on the active backend.
 */
export function torchReferenceGaps(
  fixture: TorchFixture,
  name: string,
  checkpointDir: string,
): { loss: number; logits: number; worst: number; worstTensor: string; errors: Record<string, number> } {
  const c = fixture.cases[name];
  const { net, batch, reference, dispose } = loadTorchCase(fixture, name, checkpointDir);
  try {
    const params = new Map([...net.weights, ...net.alphaParams]);
    const r = lossAndGrads(net, batch, params, c.config.passSeed, false, 0);
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
    const lossGap = Math.abs(loss - c.loss) / Math.abs(c.loss);
    return { loss: Number.isFinite(lossGap) ? lossGap : Infinity, logits, worst, worstTensor, errors };
  } finally {
    dispose();
  }
}

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
import { Adam, Sgd, type SgdOptions } from '../../lib/nn/optim';
import type { SearchModel } from '../../lib/nn/model';
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

/** A fixture case loaded for our side: a model with PyTorch's weights, its batch and the reference tensors. */
export interface LoadedReference<M> {
  readonly net: M;
  readonly batch: Batch;
  /** `input.x`, `output.logits` and `grad.<name>` from the case's `.reference.safetensors`. */
  readonly reference: ReturnType<typeof loadSafetensors>['tensors'];
  dispose(): void;
}

export type LoadedTorchCase = LoadedReference<SearchNetwork>;

/**
 * Loads PyTorch's checkpoint `<dir>/<name>.safetensors` into `net` by the rule of
 * lib/runs/checkpoint.ts (with optimisers of `sgd`), and the batch of `<name>.reference.safetensors`
 * with labels `y`; the caller disposes the result (and with it `net`).
 */
export function loadReference<M extends SearchModel<Batch>>(
  net: M,
  y: readonly number[],
  dir: string,
  name: string,
  sgd: SgdOptions,
): LoadedReference<M> {
  const weightOpt = new Sgd(net.weights, sgd);
  const alphaOpt = new Adam(net.alphaParams, { lr: 3e-4, beta1: 0.5, beta2: 0.999, eps: 1e-8, weightDecay: 1e-3 });
  const reference = loadSafetensors(path.join(dir, `${name}.reference.safetensors`)).tensors;
  const xr = reference['input.x'];
  const batch = { x: tf.tensor4d(xr.data as Float32Array, xr.shape as [number, number, number, number]), y: tf.tensor1d([...y], 'int32') };
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
  return { net, batch, reference, dispose };
}

/**
 * The loss gap (relative), the logits' gap and every gradient's gap (max |ours - torch| / max |torch|)
 * of a loaded case on the active backend, training mode, noise drawn from `passSeed`.
 */
export function referenceGaps(
  loaded: LoadedReference<SearchModel<Batch>>,
  expected: { readonly loss: number; readonly gradients: readonly string[] },
  passSeed: number,
): { loss: number; logits: number; worst: number; worstTensor: string; errors: Record<string, number> } {
  const { net, batch, reference } = loaded;
  const params = new Map([...net.weights, ...net.alphaParams]);
  const r = lossAndGrads(net, batch, params, passSeed, false, 0);
  const ours: Measured = {};
  for (const [k, g] of r.grads) ours[k] = Float32Array.from(g.dataSync());
  const loss = r.loss.dataSync()[0];
  const logits = relativeErrors(
    { logits: Float32Array.from(r.output.dataSync()) },
    { logits: reference['output.logits'].data as Float32Array },
  ).logits;
  tf.dispose([r.loss, r.output, ...r.grads.values()]);
  const want: Measured = Object.fromEntries(expected.gradients.map((k) => [k, reference[`grad.${k}`].data as Float32Array]));
  const errors = relativeErrors(ours, want);
  const { tensor: worstTensor, error: worst } = worstOf(errors);
  const lossGap = Math.abs(loss - expected.loss) / Math.abs(expected.loss);
  return { loss: Number.isFinite(lossGap) ? lossGap : Infinity, logits, worst, worstTensor, errors };
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
  return loadReference(net, c.y, checkpointDir, name, { momentum: 0.9, weightDecay: 3e-4 });
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
  const loaded = loadTorchCase(fixture, name, checkpointDir);
  try {
    return referenceGaps(loaded, fixture.cases[name], fixture.cases[name].config.passSeed);
  } finally {
    loaded.dispose();
  }
}

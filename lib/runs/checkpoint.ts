/**
 * Search checkpoints (the run directory's checkpoint/, lib/runs/store.ts; docs/method.md §4: DARTS-ADA rolls back
 * to the checkpoint of epoch e - 12): the full search state in one safetensors file, readable by
 * PyTorch users of the original DARTS / RobustDARTS code.
 *
 * The file holds any search model (lib/nn/model.ts): its `variables` with their layouts, its
 * `alphaParams`, both optimisers' state; its `checkpointKey` guards against loading another model.
 * For the DARTS supernet the tensors (all F32) are named as in the original code:
 *   <state_dict name>                         every weight and BN running statistic of the supernet,
 *                                             named as `Network.state_dict()` (lib/problems/darts/supernet/names.ts)
 *   alphas_normal, alphas_reduce              [14, K], the original attributes' names
 *   optimizer.weights.<param>.momentum_buffer SGD state of the weight <param> (state_dict name)
 *   optimizer.alphas.<alphas_x>.exp_avg       Adam state of alphas_normal / alphas_reduce,
 *   optimizer.alphas.<alphas_x>.exp_avg_sq    as torch.optim's state keys
 * Optimiser state is per parameter and created at the parameter's first step (as in PyTorch), so a
 * parameter that has not been stepped has no entry. Scalars (Adam's step count, both optimisers'
 * hyperparameters, format version, layout flag, the caller's `meta`) are in `__metadata__`:
 * lib/runs/checkpoint_metadata.ts lists the keys. PyTorch's `num_batches_tracked` (no counterpart
 * here) is not written, and ignored on load where it belongs to one of our batch norms.
 *
 * Layout: PyTorch's (`rdarts.layout` = 'torch'). Tensors are permuted on save and back on load with
 * lib/problems/darts/supernet/names.ts: conv weights OIHW [O, I, KH, KW] (ours HWIO), depthwise [C, 1, KH, KW]
 * (ours [KH, KW, C, 1]), linear weight [out, in] (ours [in, out]); vectors and alphas as they are.
 * A momentum buffer has its parameter's layout. So, in PyTorch, with the original code's `Network`:
 *   sd = safetensors.torch.load_file(path)
 *   model.load_state_dict(sd, strict=False)   # weights + running stats; extra keys are reported, not loaded
 *   model.alphas_normal.data.copy_(sd['alphas_normal']); model.alphas_reduce.data.copy_(sd['alphas_reduce'])
 *   # SGD: optimizer.state[p]['momentum_buffer'] = sd['optimizer.weights.' + name + '.momentum_buffer']
 * The converse holds: the original supernet's state_dict, its alphas and these metadata keys, saved
 * with `safetensors.torch.save_file`, load here (optimiser entries are optional).
 */
import { tf } from '../backend';
import type { NamedVariable, TorchLayout } from '../nn/module';
import type { SearchModel } from '../nn/model';
import type { Adam, Sgd } from '../nn/optim';
import { fromTorchPermutation, torchShape, toTorchPermutation } from '../nn/layouts';
import { decodeHeader, encodeHeader, type MetaValue } from './checkpoint_metadata';
import { checkTensorSet, loadSafetensors, saveSafetensors, type TensorRecord, type TensorSet } from './safetensors';

export { CHECKPOINT_LAYOUT, CHECKPOINT_VERSION } from './checkpoint_metadata';
export type { MetaValue } from './checkpoint_metadata';

/** What a checkpoint reads and writes of a model. */
export type CheckpointModel = Pick<SearchModel<unknown>, 'variables' | 'alphaParams' | 'checkpointKey'>;

/**
 * The search state a checkpoint holds: a model and both
 * optimisers, built on `net.weights` and `net.alphaParams`.
 */
export interface SearchState<M extends CheckpointModel = CheckpointModel> {
  readonly net: M;
  readonly weightOpt: Sgd;
  readonly alphaOpt: Adam;
  /** Small values to keep beside the tensors (epoch, run id, ...); written on save. */
  readonly meta?: Readonly<Record<string, MetaValue>>;
}

/** What `loadCheckpoint` read besides the tensors. */
export interface LoadedCheckpoint {
  readonly meta: Record<string, MetaValue>;
}

export const SGD_PREFIX = 'optimizer.weights.';
export const ADAM_PREFIX = 'optimizer.alphas.';
const ADAM_SLOTS = ['exp_avg', 'exp_avg_sq'] as const;

/** Every variable of the model part of the file: weights, running statistics, alphas (as they are). */
function modelVariables(net: CheckpointModel): NamedVariable[] {
  const alphas = [...net.alphaParams].map(([name, variable]) => ({ name, variable, trainable: true, layout: 'vector' as const }));
  return [...net.variables, ...alphas];
}

/** A tensor in our layout as a record in PyTorch's layout (a copy); `name` is for the error. */
export function toTorchRecord(t: tf.Tensor, layout: TorchLayout, name: string): TensorRecord {
  if (t.dtype !== 'float32') throw new Error(`checkpoint: "${name}" is ${t.dtype}, not float32`);
  const perm = toTorchPermutation(layout);
  const moved = perm ? tf.transpose(t, [...perm]) : t;
  const data = new Float32Array(moved.dataSync());
  if (moved !== t) moved.dispose();
  return { dtype: 'F32', shape: torchShape(layout, t.shape), data };
}

/** A record in PyTorch's layout as a new tensor in ours (the caller owns it). */
export function fromTorchRecord(record: TensorRecord, layout: TorchLayout): tf.Tensor {
  const perm = fromTorchPermutation(layout);
  return tf.tidy(() => {
    const t = tf.tensor(record.data as Float32Array, record.shape, 'float32');
    return perm ? tf.transpose(t, [...perm]) : t;
  });
}

/**
 * Writes the search `state` to `file` (atomically, creating folders) as safetensors, in PyTorch's
 * names and layouts (file header). Reads the tensors; changes nothing.
 */
export function saveCheckpoint(file: string, state: SearchState<CheckpointModel>): void {
  const { net, weightOpt, alphaOpt } = state;
  const layouts = new Map(net.variables.map((v) => [v.name, v.layout]));
  const tensors: TensorSet = {};
  for (const v of modelVariables(net)) tensors[v.name] = toTorchRecord(v.variable, v.layout, v.name);
  for (const [key, t] of weightOpt.state()) {
    const layout = layouts.get(key.replace(/\.momentum_buffer$/, ''));
    if (!layout) throw new Error(`saveCheckpoint: SGD state "${key}" belongs to no weight of the network`);
    tensors[SGD_PREFIX + key] = toTorchRecord(t, layout, key);
  }
  for (const [key, t] of alphaOpt.state()) tensors[ADAM_PREFIX + key] = toTorchRecord(t, 'vector', key);
  const header = {
    supernet: net.checkpointKey,
    sgd: weightOpt.options,
    adam: alphaOpt.options,
    adamSteps: alphaOpt.steps,
    meta: { ...state.meta },
  };
  saveSafetensors(file, tensors, encodeHeader(header));
}

/**
 * {file name: {PyTorch shape, F32}} that a checkpoint of `net` must hold, with the optimiser
 * entries that `found` has (state is per parameter; Adam's exp_avg and exp_avg_sq come together).
 */
function expectedTensors(net: CheckpointModel, found: TensorSet): Record<string, { shape: number[]; dtype: 'F32' }> {
  const expected: Record<string, { shape: number[]; dtype: 'F32' }> = {};
  const add = (name: string, v: NamedVariable) => {
    expected[name] = { shape: torchShape(v.layout, v.variable.shape), dtype: 'F32' };
  };
  const model = modelVariables(net);
  for (const v of model) add(v.name, v);
  for (const v of net.variables.filter((w) => w.trainable)) {
    const key = `${SGD_PREFIX}${v.name}.momentum_buffer`;
    if (key in found) add(key, v);
  }
  for (const v of model.filter((a) => net.alphaParams.has(a.name))) {
    const keys = ADAM_SLOTS.map((slot) => `${ADAM_PREFIX}${v.name}.${slot}`);
    if (keys.some((k) => k in found)) for (const k of keys) add(k, v);
  }
  return expected;
}

/**
 * Restores the checkpoint `file` into `state` (its network's variables, both alphas, both
 * optimisers' state and hyperparameters), e.g. to resume a run or to roll back DARTS-ADA. The
 * whole file is validated first: a missing file, another format version or layout, another
 * supernet, or missing, extra or misshapen tensors throw one error (naming the path and the
 * tensors), and then nothing has changed. Returns the `meta` that was saved.
 */
export function loadCheckpoint(file: string, state: SearchState<CheckpointModel>): LoadedCheckpoint {
  const { net, weightOpt, alphaOpt } = state;
  const { tensors, metadata } = loadSafetensors(file);
  const buffers = new Set(net.variables.filter((v) => !v.trainable).map((v) => v.name));
  for (const name of Object.keys(tensors)) {
    const bn = name.replace(/\.num_batches_tracked$/, '.running_mean');
    if (bn !== name && buffers.has(bn)) delete tensors[name];
  }
  const header = decodeHeader(metadata, net.checkpointKey, file);
  checkTensorSet(tensors, expectedTensors(net, tensors), `loadCheckpoint ${file}`);
  const hasAdamState = Object.keys(tensors).some((k) => k.startsWith(ADAM_PREFIX));
  if (hasAdamState && header.adamSteps === 0) {
    throw new Error(`loadCheckpoint ${file}: Adam state is present but optimizer.alphas.step is 0`);
  }
  // Validated: from here on nothing throws on account of the file.
  tf.tidy(() => {
    for (const v of modelVariables(net)) v.variable.assign(fromTorchRecord(tensors[v.name], v.layout));
  });
  const restore = (prefix: string, layoutOf: (key: string) => TorchLayout) => {
    const out = new Map<string, tf.Tensor>();
    for (const [name, record] of Object.entries(tensors)) {
      if (name.startsWith(prefix)) out.set(name.slice(prefix.length), fromTorchRecord(record, layoutOf(name.slice(prefix.length))));
    }
    return out;
  };
  const layouts = new Map(net.variables.map((v) => [v.name, v.layout]));
  const sgdState = restore(SGD_PREFIX, (key) => layouts.get(key.replace(/\.momentum_buffer$/, '')) as TorchLayout);
  const adamState = restore(ADAM_PREFIX, () => 'vector');
  weightOpt.loadState(sgdState);
  alphaOpt.loadState(adamState, header.adamSteps);
  tf.dispose([...sgdState.values(), ...adamState.values()]);
  weightOpt.options = header.sgd;
  alphaOpt.options = header.adam;
  return { meta: header.meta };
}

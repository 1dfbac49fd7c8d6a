/**
 * The `__metadata__` of a search checkpoint (lib/runs/checkpoint.ts): safetensors metadata values
 * are strings, so numbers are written with `String(x)` (exact for doubles) and the caller's `meta`
 * values as JSON text. Keys (PyTorch's param_group names where there is one):
 *   format                        'pt' (the safetensors convention for PyTorch tensors)
 *   rdarts.format_version         '1'
 *   rdarts.layout                 'torch' (conv OIHW, depthwise [C, 1, KH, KW], linear [out, in])
 *   rdarts.supernet               the model's `checkpointKey` (lib/nn/model.ts); for the DARTS
 *                                 supernet JSON {space, C, layers, classes, inChannels}
 *   optimizer.weights.momentum, optimizer.weights.weight_decay             (SGD)
 *   optimizer.alphas.lr, .beta1, .beta2, .eps, .weight_decay, .step        (Adam; step = steps taken)
 *   meta.<key>                    JSON of the caller's value (string, finite number or boolean)
 */
import type { AdamOptions, SgdOptions } from '../nn/optim';

export const CHECKPOINT_VERSION = '1';
export const CHECKPOINT_LAYOUT = 'torch';

/** A value of a checkpoint's `meta`. */
export type MetaValue = string | number | boolean;

/** What the metadata carries besides the tensors. */
export interface CheckpointHeader {
  readonly supernet: string;
  readonly sgd: SgdOptions;
  readonly adam: AdamOptions;
  /** Adam's step count (PyTorch's `state[p]['step']`). */
  readonly adamSteps: number;
  readonly meta: Record<string, MetaValue>;
}

const SGD_KEYS = { momentum: 'optimizer.weights.momentum', weightDecay: 'optimizer.weights.weight_decay' } as const;
const ADAM_KEYS = {
  lr: 'optimizer.alphas.lr',
  beta1: 'optimizer.alphas.beta1',
  beta2: 'optimizer.alphas.beta2',
  eps: 'optimizer.alphas.eps',
  weightDecay: 'optimizer.alphas.weight_decay',
} as const;
const ADAM_STEP = 'optimizer.alphas.step';
/** Written only for Nesterov SGD (absent: plain momentum, as every checkpoint before it). */
const SGD_NESTEROV = 'optimizer.weights.nesterov';

function checkMeta(key: string, value: unknown): MetaValue {
  const ok = typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
  if (key === '' || key === '__proto__') throw new Error(`meta: the key ${JSON.stringify(key)} is reserved or empty`);
  if (!ok) throw new Error(`meta.${key}: ${JSON.stringify(value)} is not a string, finite number or boolean`);
  return value as MetaValue;
}

/** The string metadata of `header`. */
export function encodeHeader(header: CheckpointHeader): Record<string, string> {
  const out: Record<string, string> = {
    format: 'pt',
    'rdarts.format_version': CHECKPOINT_VERSION,
    'rdarts.layout': CHECKPOINT_LAYOUT,
    'rdarts.supernet': header.supernet,
    [ADAM_STEP]: String(header.adamSteps),
  };
  for (const [field, key] of Object.entries(SGD_KEYS)) out[key] = String(header.sgd[field as keyof typeof SGD_KEYS]);
  if (header.sgd.nesterov === true) out[SGD_NESTEROV] = 'true';
  for (const [field, key] of Object.entries(ADAM_KEYS)) out[key] = String(header.adam[field as keyof AdamOptions]);
  for (const [key, value] of Object.entries(header.meta)) out[`meta.${key}`] = JSON.stringify(checkMeta(key, value));
  return out;
}

/**
 * Reads and validates the metadata of checkpoint `source` for a model whose `checkpointKey` is `key`. Throws one
 * clear error for a file that is not a checkpoint, another format version or layout, another
 * supernet, or a missing or malformed value.
 */
export function decodeHeader(metadata: Record<string, string>, key: string, source: string): CheckpointHeader {
  const fail = (problem: string) => new Error(`loadCheckpoint ${source}: ${problem}`);
  const version = metadata['rdarts.format_version'];
  if (version === undefined) throw fail('__metadata__ has no rdarts.format_version: not a robust-darts-ts checkpoint');
  if (version !== CHECKPOINT_VERSION) {
    throw fail(`format version "${version}" is not supported (this code reads version ${CHECKPOINT_VERSION})`);
  }
  const layout = metadata['rdarts.layout'];
  if (layout !== CHECKPOINT_LAYOUT) {
    throw fail(`layout flag rdarts.layout is ${JSON.stringify(layout)}; this code reads "${CHECKPOINT_LAYOUT}" (PyTorch layouts)`);
  }
  const written = metadata['rdarts.supernet'];
  if (written !== undefined && written !== key) throw fail(`it holds a supernet ${written}; this network is ${key}`);
  const num = (key: string): number => {
    const text = metadata[key];
    const value = text === undefined || text.trim() === '' ? NaN : Number(text);
    if (!Number.isFinite(value)) throw fail(`__metadata__ "${key}" is ${JSON.stringify(text)}, not a finite number`);
    return value;
  };
  const read = <K extends string>(keys: Record<K, string>) =>
    Object.fromEntries(Object.entries(keys).map(([field, key]) => [field, num(key as string)])) as Record<K, number>;
  const nesterov = metadata[SGD_NESTEROV];
  if (nesterov !== undefined && nesterov !== 'true')
    throw fail(`__metadata__ "${SGD_NESTEROV}" is ${JSON.stringify(nesterov)}; only "true" is written`);
  const sgd: SgdOptions = { ...read(SGD_KEYS), ...(nesterov === 'true' ? { nesterov: true } : {}) };
  const adam = read(ADAM_KEYS);
  const adamSteps = num(ADAM_STEP);
  if (!Number.isSafeInteger(adamSteps) || adamSteps < 0) throw fail(`__metadata__ "${ADAM_STEP}" = ${adamSteps} is not a count`);
  const meta: Record<string, MetaValue> = {};
  for (const [key, text] of Object.entries(metadata)) {
    if (!key.startsWith('meta.')) continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw fail(`__metadata__ "${key}" is not JSON: ${JSON.stringify(text)}`);
    }
    meta[key.slice(5)] = checkMeta(key.slice(5), value);
  }
  return { supernet: key, sgd, adam, adamSteps, meta };
}

/**
 * A leaner backward pass for tfjs's engine, so that a DARTS supernet fits in wasm's 4 GB.
 *
 * tfjs 4.22's `Engine.gradients` keeps, until the whole backward pass ends, (a) the accumulated
 * gradient of every intermediate tensor and (b) every tensor that a node saved for its backward
 * pass. Measured here: a DARTS-space supernet (L 5, C 8, 28x28, batch 64) needs more than the 4 GB
 * a wasm heap can hold, and aborts. PyTorch frees both as it goes; so does this replacement:
 * after a node's backward, the gradients of its outputs and its saved tensors are released
 * (saved tensors are the engine's own clones, so releasing one never frees data another node still
 * holds). The walk itself is the same as tfjs's: reverse tape order, gradients accumulated with
 * `add`, the same gradient functions, so results are bit-identical (a test checks it).
 *
 * Installed by initBackend (all backends); RDARTS_LEAN_BACKPROP=0 keeps tfjs's own.
 */
import * as tf from '@tensorflow/tfjs';

interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  saved?: tf.Tensor[];
  gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
}

interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  startTape(): void;
  endTape(): void;
  tidy<T extends tf.TensorContainer>(nameOrFn: string | (() => T), fn?: () => T): T;
  gradients(f: () => tf.Tensor, xs: tf.Tensor[], dy?: tf.Tensor, allowNoGradients?: boolean): { value: tf.Tensor; grads: tf.Tensor[] };
}

/**
 * The tape nodes on a path from some x to y, with inputs that do not depend on any x removed
 * (they need no gradient). Two sweeps: forward marks what depends on x, backward what reaches y.
 */
export function nodesFromXToY(tape: readonly TapeNode[], xs: readonly tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set(xs.map((x) => x.id));
  const nodeFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((t) => fromX.has(t.id))) {
      nodeFromX.add(node.id);
      for (const o of node.outputs) fromX.add(o.id);
    }
  }
  const toY = new Set([y.id]);
  const nodeToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i];
    if (node.outputs.some((o) => toY.has(o.id))) {
      nodeToY.add(node.id);
      for (const t of Object.values(node.inputs)) toY.add(t.id);
    }
  }
  return tape
    .filter((n) => nodeFromX.has(n.id) && nodeToY.has(n.id))
    .map((n) => ({
      ...n,
      inputs: Object.fromEntries(Object.entries(n.inputs).filter(([, t]) => fromX.has(t.id))),
    }));
}

function leanGradients(
  this: EngineInternals,
  f: () => tf.Tensor,
  xs: tf.Tensor[],
  dy?: tf.Tensor,
  allowNoGradients = false,
): { value: tf.Tensor; grads: tf.Tensor[] } {
  if (xs.length === 0) throw new Error('gradients() received an empty list of xs.');
  if (dy != null && dy.dtype !== 'float32') throw new Error(`dy must have 'float32' dtype, but has '${dy.dtype}'`);
  const y = this.scopedRun(
    () => this.startTape(),
    () => this.endTape(),
    () => this.tidy('forward', f),
  );
  if (!(y instanceof tf.Tensor)) throw new Error('The result y returned by f() must be a tensor.');
  const tape = this.state.activeTape ?? [];
  const filtered = nodesFromXToY(tape, xs, y);
  if (!allowNoGradients && filtered.length === 0) {
    throw new Error(
      'Cannot compute gradient of y=f(x) with respect to x. Make sure that the f you passed ' +
        'encloses all operations that lead from x to y.',
    );
  }
  const releaseSaved = this.state.gradientDepth === 0;
  return this.tidy('backward', () => {
    // Every value in `grad` is a distinct Tensor object (clones share data by reference count),
    // so disposing one never frees a tensor that another entry or the caller still uses.
    const grad = new Map<number, tf.Tensor>([[y.id, dy ?? tf.onesLike(y)]]);
    const live = new Set<tf.Tensor>(grad.values());
    const own = (t: tf.Tensor) => (live.has(t) || t === dy ? t.clone() : t);
    const keep = new Set<number>(xs.map((x) => x.id));
    for (let i = filtered.length - 1; i >= 0; i--) {
      const node = filtered[i];
      if (!node.gradient) throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
      const thunks = node.gradient(node.outputs.map((o) => grad.get(o.id) ?? null));
      for (const [name, x] of Object.entries(node.inputs)) {
        if (!(name in thunks)) throw new Error(`Cannot backprop through input ${name}. Available gradients found: ${Object.keys(thunks)}.`);
        const dx = own(this.tidy(() => thunks[name]()));
        if (dx.dtype !== 'float32') throw new Error(`Error in gradient for op ${node.kernelName}: input ${name} got dtype ${dx.dtype}`);
        if (!tf.util.arraysEqual(dx.shape, x.shape)) {
          throw new Error(`Error in gradient for op ${node.kernelName}: gradient of ${name} has shape [${dx.shape}], input [${x.shape}]`);
        }
        const current = grad.get(x.id);
        const next = current == null ? dx : tf.add(current, dx);
        if (current != null) {
          live.delete(current);
          current.dispose();
          dx.dispose();
        }
        grad.set(x.id, next);
        live.add(next);
      }
      // This node produced its outputs; nothing upstream needs their gradients any more.
      for (const o of node.outputs) {
        const g = grad.get(o.id);
        if (g && !keep.has(o.id) && g !== dy) {
          live.delete(g);
          g.dispose();
          grad.delete(o.id);
        }
      }
      if (releaseSaved) for (const t of node.saved ?? []) t.dispose();
    }
    const grads = xs.map((x) => grad.get(x.id) as tf.Tensor);
    if (releaseSaved) {
      for (const node of tape) for (const t of node.saved ?? []) if (!t.isDisposed) t.dispose();
      this.state.activeTape = null;
    }
    return { value: y, grads } as unknown as tf.TensorContainer;
  }) as unknown as { value: tf.Tensor; grads: tf.Tensor[] };
}

let original: EngineInternals['gradients'] | undefined;

/** Replaces the engine's backward pass with the lean one (idempotent); `enable=false` restores tfjs's. */
export function installLeanBackprop(enable = process.env.RDARTS_LEAN_BACKPROP !== '0'): void {
  const proto = Object.getPrototypeOf(tf.engine()) as EngineInternals;
  original ??= proto.gradients;
  proto.gradients = enable ? (leanGradients as EngineInternals['gradients']) : original;
}

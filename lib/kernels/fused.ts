/**
 * Fused kernels for the wasm backend, where a chain of tfjs kernels would cost a full pass (and a
 * fresh allocation) per step:
 *   RdartsBatchNormTrain      x -> [y, mean, invstd]     (batch statistics, biased variance)
 *   RdartsBatchNormTrainGrad  x, dy, mean, invstd -> dx  (the analytic backward, no affine part)
 *   RdartsPool3x3, RdartsPool3x3Grad  3x3 max / average pooling over real pixels (pad 1), and
 *     their gradients (PyTorch's tie rule for max);
 *   RdartsShift, RdartsShiftGrad  FactorizedReduce's one-pixel shift, and its adjoint;
 *   RdartsWeightedSum, RdartsWeightedSumGrad  the MixedOp's sum_k w[k] t_k, and its gradient
 *     (dw and every dt_k in one pass over dy);
 *   RdartsReluGrad  y, dy -> dy where y > 0 (ReLU's gradient from its output, one pass);
 *   Identity without a copy (see `identity`);
 *   Sum with a double accumulator (see `sum`);
 *   Concat / SplitV along the last axis (the cell output of docs/method.md §2 concatenates 4 nodes on
 *     channels; tfjs-backend-wasm 4.22 runs that case as a JS loop, ~4 ms for 64x28x28x32).
 * Other Concat/SplitV cases go to tfjs's own kernels. lib/nn/batchnorm.ts uses the BN kernels
 * where they exist for the active backend and tfjs ops elsewhere.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { KernelArgs, registerOnWasm } from './registry';
import { callKernel } from './wasm_module';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function rowsGeom(rows: number, channels: number) {
  return { n: rows, h: 1, w: 1, c: channels, oh: 1, ow: 1, kh: 1, kw: 1, sh: 1, sw: 1, dh: 1, dw: 1, pt: 0, pl: 0 };
}

function batchNormTrain({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const { x } = inputs;
  const c = x.shape[x.shape.length - 1];
  const m = size(x.shape) / c;
  const outs = [backend.makeOutput(x.shape, 'float32'), backend.makeOutput([c], 'float32'), backend.makeOutput([c], 'float32')];
  // Scratch: 2C doubles for the kernel's accumulators.
  callKernel(backend, 'bn_train_forward', [x, ...outs], {
    scratchBytes: 16 * c,
    geom: rowsGeom(m, c),
    extra: [attrs.eps as number],
  });
  return outs;
}

function batchNormTrainGrad({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const { x, dy, mean, invstd } = inputs;
  const c = x.shape[x.shape.length - 1];
  const m = size(x.shape) / c;
  const dx = backend.makeOutput(x.shape, 'float32');
  // Scratch: 2C doubles and 2C floats.
  callKernel(backend, 'bn_train_backward', [x, dy, mean, invstd, dx], { scratchBytes: 24 * c, geom: rowsGeom(m, c) });
  return dx;
}

function poolGeom(shape: number[], stride: number) {
  const [n, h, w, c] = shape;
  return {
    n,
    h,
    w,
    c,
    oh: Math.floor((h - 1) / stride) + 1,
    ow: Math.floor((w - 1) / stride) + 1,
    kh: 3,
    kw: 3,
    sh: stride,
    sw: stride,
    dh: 1,
    dw: 1,
    pt: 1,
    pl: 1,
  };
}

const POOL_KIND: Record<string, number> = { max: 0, avg: 1 };

/** 3x3 pool, pad 1, over real pixels only (attrs: stride, kind 'max' | 'avg'). */
function pool3x3({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x } = inputs;
  const g = poolGeom(x.shape, attrs.stride as number);
  const y = backend.makeOutput([g.n, g.oh, g.ow, g.c], 'float32');
  callKernel(backend, 'pool3x3_forward', [x, y], { geom: g, extra: [POOL_KIND[attrs.kind as string]] });
  return y;
}

function pool3x3Grad({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x, dy } = inputs;
  const g = poolGeom(x.shape, attrs.stride as number);
  const dx = backend.makeOutput(x.shape, 'float32');
  // Scratch: 2C floats for the kernel.
  callKernel(backend, 'pool3x3_backward', [x, dy, dx], {
    scratchBytes: 8 * g.c,
    geom: g,
    extra: [POOL_KIND[attrs.kind as string]],
  });
  return dx;
}

/**
 * FactorizedReduce's shifted input (docs/method.md §2): out = x[:, 1:, 1:, :], zero-padded by one row
 * (column) at the bottom (right) when H (W) is odd, so that the stride-2 conv gives ceil(H/2).
 * `RdartsShiftGrad` is its adjoint. Row copies in our kernel (`shift_copy`): tfjs-backend-wasm's
 * Slice takes ~4 ms for this on 64x28x28x8.
 */
function shiftedShape([n, h, w, c]: number[]): number[] {
  return [n, h - 1 + (h % 2), w - 1 + (w % 2), c];
}

function shiftGeom([n, h, w, c]: number[]) {
  return { ...rowsGeom(n, c), h, w };
}

function shift({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const { x } = inputs;
  const out = backend.makeOutput(shiftedShape(x.shape), 'float32');
  callKernel(backend, 'shift_copy', [x, out], { geom: shiftGeom(x.shape), extra: [1] });
  return out;
}

function shiftGrad({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { dy } = inputs;
  const xShape = attrs.xShape as number[];
  const out = backend.makeOutput(xShape, 'float32');
  callKernel(backend, 'shift_copy', [out, dy], { geom: shiftGeom(xShape), extra: [0] });
  return out;
}

tf.registerGradient({
  kernelName: 'RdartsShift',
  inputsToSave: ['x'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => ({
    x: () => tf.engine().runKernel('RdartsShiftGrad', { dy: dy as tf.Tensor }, { xShape: saved[0].shape }) as tf.Tensor,
  }),
});

const lastAxis = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis) === rank - 1;

function concatLast(inputs: tf.TensorInfo[], backend: BackendWasm): tf.TensorInfo {
  const widths = inputs.map((t) => t.shape[t.shape.length - 1]);
  const stride = widths.reduce((a, b) => a + b, 0);
  const rows = size(inputs[0].shape) / widths[0];
  const out = backend.makeOutput([...inputs[0].shape.slice(0, -1), stride], 'float32');
  let offset = 0;
  inputs.forEach((t, i) => {
    callKernel(backend, 'copy_columns', [t, out], { extra: [rows, widths[i], stride, offset, 1] });
    offset += widths[i];
  });
  return out;
}

function splitLast(x: tf.TensorInfo, sizes: number[], backend: BackendWasm): tf.TensorInfo[] {
  const stride = x.shape[x.shape.length - 1];
  const rows = size(x.shape) / stride;
  let offset = 0;
  return sizes.map((s) => {
    const piece = backend.makeOutput([...x.shape.slice(0, -1), s], 'float32');
    callKernel(backend, 'copy_columns', [piece, x], { extra: [rows, s, stride, offset, 0] });
    offset += s;
    return piece;
  });
}

/** Inputs t0, t1, ... of the weighted-sum kernels, in order. */
function indexed(inputs: Record<string, tf.TensorInfo>): tf.TensorInfo[] {
  const out: tf.TensorInfo[] = [];
  for (let k = 0; inputs[`t${k}`] !== undefined; k++) out.push(inputs[`t${k}`]);
  return out;
}

/** y = sum_k w[k] t_k (inputs w [K], t0 ... t{K-1} of one shape): lib/nn/lean.ts's weightedSum. */
function weightedSum({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const ts = indexed(inputs);
  const y = backend.makeOutput(ts[0].shape, 'float32');
  callKernel(backend, 'weighted_sum', [inputs.w, y], {
    table: ts,
    extra: [ts.length, size(ts[0].shape)],
  });
  return y;
}

/** [dw, dt0, ..., dt{K-1}] from inputs w, dy, t0 ... t{K-1}. */
function weightedSumGrad({ inputs, backend }: KernelArgs): tf.TensorInfo[] {
  const ts = indexed(inputs);
  const dw = backend.makeOutput([ts.length], 'float32');
  const dts = ts.map((t) => backend.makeOutput(t.shape, 'float32'));
  callKernel(backend, 'weighted_sum_grad', [inputs.w, inputs.dy, dw], {
    table: [...ts, ...dts],
    scratchBytes: 32 * ts.length,
    extra: [ts.length, size(ts[0].shape)],
  });
  return [dw, ...dts];
}

/** ReLU's gradient: dy where y > 0 (y may be ReLU's input x as well: x > 0 exactly where y > 0). */
export function reluGrad({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const { y, dy } = inputs;
  const dx = backend.makeOutput(y.shape, 'float32');
  callKernel(backend, 'relu_grad', [y, dy, dx], { extra: [size(y.shape)] });
  return dx;
}

const original: Record<string, tf.KernelFunc | undefined> = {};

/**
 * Sum of float32 values with a double accumulator (our `sum_f64`), where the reduced axes are the
 * innermost ones (a full sum, e.g. the MixedOp's d/dweight = sum(dy * op output)) or the outermost
 * ones (a per-channel sum over N, H, W, e.g. a BN bias gradient). tfjs-backend-wasm 4.22's Sum
 * accumulates in float32, so a sum of 10^5 terms can carry an error of hundreds of ulps where the
 * cpu backend (JavaScript numbers, i.e. double) is within one, and PyTorch (cascade summation on
 * the CPU) within a few. Other cases (middle axes, int32) go to tfjs's kernel; tfjs's Mean (the
 * global average pool, over at most a few hundred pixels) keeps its float32 sum.
 */
function sum(args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs;
  const rank = x.shape.length;
  const axes = tf.util.parseAxisParam(args.attrs.axis as number | number[], x.shape).sort((a, b) => a - b);
  const k = axes.length;
  const inner = k > 0 && axes.every((a, i) => a === rank - k + i);
  const outer = k > 0 && axes.every((a, i) => a === i);
  if (x.dtype !== 'float32' || size(x.shape) === 0 || (!inner && !outer)) {
    return (original.Sum as tf.KernelFunc)(args as never) as tf.TensorInfo;
  }
  const reduced = size(axes.map((a) => x.shape[a]));
  const kept = size(x.shape) / reduced;
  const outShape = args.attrs.keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
  const [rows, len] = inner ? [kept, reduced] : [reduced, kept];
  const out = args.backend.makeOutput(outShape, 'float32');
  // Scratch (the outer case): one double per kept element. The C signature always has the pointer.
  callKernel(args.backend, 'sum_f64', [x, out], {
    scratchBytes: inner ? 16 : 8 * kept,
    extra: [rows, len, inner ? 1 : 0],
  });
  return out;
}

function concat(args: KernelArgs): tf.TensorInfo {
  const raw = args.inputs as unknown as tf.TensorInfo[] | Record<string, tf.TensorInfo>;
  const inputs = (Array.isArray(raw) ? raw : Object.values(raw)).filter((t) => size(t.shape) > 0);
  const rank = inputs[0]?.shape.length ?? 0;
  const ok =
    inputs.length > 1 &&
    rank > 1 &&
    lastAxis(args.attrs.axis as number, rank) &&
    inputs.every((t) => t.dtype === 'float32' && t.shape.length === rank && t.shape.slice(0, -1).every((d, i) => d === inputs[0].shape[i]));
  return ok ? concatLast(inputs, args.backend) : ((original.Concat as tf.KernelFunc)(args as never) as tf.TensorInfo);
}

function splitV(args: KernelArgs): tf.TensorInfo[] {
  const { x } = args.inputs;
  const sizes = args.attrs.numOrSizeSplits as number[] | number;
  const ok =
    Array.isArray(sizes) &&
    x.dtype === 'float32' &&
    x.shape.length > 1 &&
    sizes.every((s) => s > 0) &&
    lastAxis(args.attrs.axis as number, x.shape.length) &&
    sizes.reduce((a, b) => a + b, 0) === x.shape[x.shape.length - 1];
  return ok ? splitLast(x, sizes as number[], args.backend) : ((original.SplitV as tf.KernelFunc)(args as never) as tf.TensorInfo[]);
}

/**
 * Identity by reference: tfjs-backend-wasm copies the data, and the engine clones (Identity) every
 * tensor that a kernel saves for its backward pass, so each training step paid ~2,000 full copies.
 * Sharing the data with a reference count is what the wasm backend's own Reshape does.
 */
function identity({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const { x } = inputs;
  if (x.dtype === 'string') return (original.Identity as tf.KernelFunc)({ inputs, backend, attrs: {} } as never) as tf.TensorInfo;
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

const KERNELS: Record<string, (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]> = {
  Identity: identity,
  RdartsBatchNormTrain: batchNormTrain,
  RdartsBatchNormTrainGrad: batchNormTrainGrad,
  RdartsPool3x3: pool3x3,
  RdartsShift: shift,
  RdartsShiftGrad: shiftGrad,
  RdartsPool3x3Grad: pool3x3Grad,
  RdartsWeightedSum: weightedSum,
  RdartsWeightedSumGrad: weightedSumGrad,
  RdartsReluGrad: reluGrad,
  Concat: concat,
  SplitV: splitV,
  Sum: sum,
};

let registered = false;

/** Registers the fused kernels on wasm (once), keeping tfjs's Concat/SplitV/Sum for the cases they do not take. */
export function registerWasmFusedKernels(): void {
  if (registered) return;
  Object.assign(original, registerOnWasm(KERNELS));
  registered = true;
}

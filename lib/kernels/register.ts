/**
 * The convolution gradients that tfjs's wasm backend lacks (or runs slowly), registered as wasm
 * kernels so that tfjs's own gradient functions find them:
 *   Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter, DepthwiseConv2dNativeBackpropInput
 *   (missing in tfjs-backend-wasm 4.22), and Conv2DBackpropInput (present, but a plain loop: 4.9 ms
 *   where ours takes a fraction of that for a 1x1 conv on a 64x28x28x8 batch);
 * the depthwise convolution, DepthwiseConv2dNative, and the pointwise one (Conv2D with a 1x1
 * filter), both faster than tfjs's (see depthwiseConv2d, pointwiseApplies); and a
 * fused ReLU-depthwise with its gradients (see reluDepthwise).
 * Each runs our SIMD kernel (grad_kernels.c) on tfjs's heap: it reads the input tensors and writes
 * a new output tensor in place. Strides, dilations and explicit asymmetric padding are all supported, so
 * PyTorch's symmetric padding at stride 2 (docs/method.md §2) trains on wasm.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { reluGrad } from './fused';
import { heap, KernelArgs, output, registerOnWasm } from './registry';
import { callKernel, Geom } from './wasm_module';

type Conv2DInfo = tf.backend_util.Conv2DInfo;
type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

function geom(info: Conv2DInfo): Geom {
  return {
    n: info.batchSize,
    h: info.inHeight,
    w: info.inWidth,
    c: info.inChannels,
    oh: info.outHeight,
    ow: info.outWidth,
    kh: info.filterHeight,
    kw: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    dh: info.dilationHeight,
    dw: info.dilationWidth,
    pt: info.padInfo.top,
    pl: info.padInfo.left,
  };
}

/** tfjs's geometry of a convolution (`depthwise`: a depthwise one) with input `inShape`, from a kernel's attrs. */
function convInfo(inShape: number[], filterShape: number[], attrs: Record<string, unknown>, depthwise = false): Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as [number, number],
    (attrs.dilations ?? 1) as [number, number],
    attrs.pad as Pad,
    attrs.dimRoundingMode as 'floor' | undefined,
    depthwise,
    tf.backend_util.convertConv2DDataFormat((attrs.dataFormat ?? 'NHWC') as 'NHWC' | 'NCHW'),
  );
}

function channelsLast(info: Conv2DInfo, kernel: string): void {
  if (info.dataFormat !== 'channelsLast') throw new Error(`${kernel} on wasm supports NHWC only`);
}

function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x, dy } = inputs;
  const filterShape = attrs.filterShape as [number, number, number, number];
  const info = convInfo(x.shape, filterShape, attrs);
  channelsLast(info, 'Conv2DBackpropFilter');
  const out = backend.makeOutput(filterShape, 'float32');
  // Pointwise convs too: summing chunks of pixels across image rows was faster, but moved the last
  // bits of every search record (results/bench/README.md); the records stay byte-identical.
  callKernel(backend, 'conv_filter_grad', [x, dy, out], { geom: geom(info), extra: [info.outChannels] });
  return out;
}

/**
 * Runs the wasm kernel registered as `name`: tfjs's (XNNPACK for the convolutions), or ours where
 * we replaced it (Conv2D: ours for pointwise filters only, which never come here).
 */
function wasmKernel(name: string, args: KernelArgs): tf.TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new Error(`wasm kernel ${name} is not registered`);
  return kernel.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
}

/**
 * A filter [KH, KW, CI, CO] rearranged: rotated by 180 degrees when `flip` (the stride-1 input
 * gradient), with in/out channels swapped to [KH, KW, CO, CI] when `swap` (a full conv's input
 * gradient; depthwise keeps [KH, KW, C, 1]), as a new tensor on the heap (the caller disposes it).
 */
function rearrangedFilter(backend: BackendWasm, filter: tf.TensorInfo, flip: boolean, swap: boolean): tf.TensorInfo {
  const [kh, kw, ci, co] = filter.shape;
  const w = heap(backend, filter);
  const out = new Float32Array(w.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      const src = (y * kw + x) * ci * co;
      const dst = (flip ? (kh - 1 - y) * kw + (kw - 1 - x) : y * kw + x) * ci * co;
      for (let i = 0; i < ci; i++) {
        for (let o = 0; o < co; o++) out[dst + (swap ? o * ci + i : i * co + o)] = w[src + i * co + o];
      }
    }
  }
  return output(backend, swap ? [kh, kw, co, ci] : filter.shape, out);
}

/**
 * Input gradient at stride 1 as a forward convolution of dy with the flipped filter, padded by
 * (K_eff - 1 - pad) on each side: XNNPACK's forward kernels are our fastest code path.
 */
function inputGradByForwardConv(
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: Conv2DInfo,
  backend: BackendWasm,
  depthwise: boolean,
): tf.TensorInfo {
  const w = rearrangedFilter(backend, filter, true, !depthwise);
  const [kh, kw] = filter.shape;
  const ekh = (kh - 1) * info.dilationHeight;
  const ekw = (kw - 1) * info.dilationWidth;
  const p = info.padInfo;
  const pad: tf.backend_util.ExplicitPadding = [
    [0, 0],
    [ekh - p.top, ekh - p.bottom],
    [ekw - p.left, ekw - p.right],
    [0, 0],
  ];
  try {
    return wasmKernel(depthwise ? 'DepthwiseConv2dNative' : 'Conv2D', {
      inputs: { x: dy, filter: w },
      backend,
      attrs: { strides: [1, 1], pad, dilations: [info.dilationHeight, info.dilationWidth], dataFormat: 'NHWC' },
    });
  } finally {
    backend.disposeData(w.dataId);
  }
}

/** True when a stride-1 input gradient can run as a forward conv (its padding stays >= 0). */
function forwardConvApplies(info: Conv2DInfo): boolean {
  const p = info.padInfo;
  const ekh = (info.filterHeight - 1) * info.dilationHeight;
  const ekw = (info.filterWidth - 1) * info.dilationWidth;
  return info.strideHeight === 1 && info.strideWidth === 1 && Math.max(p.top, p.bottom) <= ekh && Math.max(p.left, p.right) <= ekw;
}

/**
 * Whether our pointwise kernels run (see pointwiseApplies): unless RDARTS_POINTWISE_KERNELS=0 puts
 * back the paths they replaced (XNNPACK's forward; the input gradient through XNNPACK, or our
 * scatter kernel at stride 2), for benchmarks of the change. Either way the values are the same.
 */
export function pointwiseKernelsActive(): boolean {
  return process.env.RDARTS_POINTWISE_KERNELS !== '0';
}

/**
 * True for a 1x1 convolution without padding, at any stride: every pointwise conv of the spaces and
 * FactorizedReduce's. Ours run it as a matrix product over pixels (pw_forward, pw_input_grad), in
 * XNNPACK's order of sums, so the forward pass keeps XNNPACK's values bit for bit; faster here, the
 * input gradient most at stride 2 (results/bench/README.md).
 */
export function pointwiseApplies(info: Conv2DInfo): boolean {
  const p = info.padInfo;
  // The last output pixel must read an input pixel: tfjs's `dimRoundingMode` 'ceil' or 'round' can
  // add an output row or column past the input (h 4, stride 2: 3 rows), which our kernels would
  // read from, or write to, the next image. Those go to tfjs's kernels.
  return (
    pointwiseKernelsActive() &&
    info.filterHeight === 1 &&
    info.filterWidth === 1 &&
    p.top === 0 &&
    p.bottom === 0 &&
    p.left === 0 &&
    p.right === 0 &&
    (info.outHeight - 1) * info.strideHeight < info.inHeight &&
    (info.outWidth - 1) * info.strideWidth < info.inWidth
  );
}

/** The convolution (tfjs's XNNPACK kernel, which ours replaces for pointwise convs: see pointwiseApplies). */
function conv2d(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, filter } = inputs;
  const info = convInfo(x.shape, filter.shape, attrs);
  if (info.dataFormat !== 'channelsLast' || !pointwiseApplies(info)) return replaced.Conv2D(args as never) as tf.TensorInfo;
  const out = backend.makeOutput(info.outShape, 'float32');
  callKernel(backend, 'pw_forward', [x, filter, out], { geom: geom(info), extra: [info.outChannels] });
  return out;
}

function conv2DBackpropInput({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { dy, filter } = inputs;
  const inputShape = attrs.inputShape as [number, number, number, number];
  const info = convInfo(inputShape, filter.shape, attrs);
  channelsLast(info, 'Conv2DBackpropInput');
  const pointwise = pointwiseApplies(info);
  if (!pointwise && forwardConvApplies(info)) return inputGradByForwardConv(dy, filter, info, backend, false);
  // Pointwise: dy times the filter transposed; else (strided) our scatter kernel. Both take the
  // filter as [KH, KW, CO, CI] (CI contiguous for SIMD).
  const co = filter.shape[3];
  const transposed = rearrangedFilter(backend, filter, false, true);
  try {
    const dx = backend.makeOutput(inputShape, 'float32');
    callKernel(backend, pointwise ? 'pw_input_grad' : 'conv_input_grad', [dy, transposed, dx], { geom: geom(info), extra: [co] });
    return dx;
  } finally {
    backend.disposeData(transposed.dataId);
  }
}

function checkMultiplier(filterShape: number[], kernel: string): void {
  if (filterShape[3] !== 1) throw new Error(`${kernel} on wasm supports channel multiplier 1 only, got ${filterShape[3]}`);
}

/** A depthwise filter gradient by our C kernel `name` (dw_filter_grad, or its ReLU-fused twin). */
function depthwiseFilterGrad(kernel: string, name: 'dw_filter_grad' | 'dw_filter_grad_relu') {
  return ({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo => {
    const { x, dy } = inputs;
    const filterShape = attrs.filterShape as number[];
    checkMultiplier(filterShape, kernel);
    const info = convInfo(x.shape, filterShape, attrs, true);
    channelsLast(info, kernel);
    const out = backend.makeOutput(filterShape, 'float32');
    callKernel(backend, name, [x, dy, out], { geom: geom(info) });
    return out;
  };
}

/**
 * The depthwise convolution itself (tfjs's XNNPACK kernel replaced): ours (dw_forward) sums each
 * output in registers over its taps, in the order of XNNPACK's 3x3 and 5x5 kernels, and is faster
 * here on one thread (results/bench/README.md: 0.3-0.8x XNNPACK's time on the spaces' shapes).
 * Channel multipliers other than 1 go to tfjs's kernel; NCHW is an error (tfjs's wasm kernel
 * would read it as NHWC).
 */
function depthwiseConv2d(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, filter } = inputs;
  const info = convInfo(x.shape, filter.shape, attrs, true);
  channelsLast(info, 'DepthwiseConv2dNative');
  if (filter.shape[3] !== 1) return replaced.DepthwiseConv2dNative(args as never) as tf.TensorInfo;
  const out = backend.makeOutput(info.outShape, 'float32');
  callKernel(backend, 'dw_forward', [x, filter, out], { geom: geom(info) });
  return out;
}

function depthwiseBackpropInput({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { dy, filter } = inputs;
  checkMultiplier(filter.shape, 'DepthwiseConv2dNativeBackpropInput');
  const inputShape = attrs.inputShape as number[];
  const info = convInfo(inputShape, filter.shape, attrs, true);
  channelsLast(info, 'DepthwiseConv2dNativeBackpropInput');
  if (forwardConvApplies(info)) return inputGradByForwardConv(dy, filter, info, backend, true);
  const dx = backend.makeOutput(inputShape, 'float32');
  callKernel(backend, 'dw_input_grad', [dy, filter, dx], { geom: geom(info) });
  return dx;
}

/**
 * The fused ReLU-depthwise of sep_conv and dil_conv (lib/nn/conv.ts, `fusedReluDepthwiseConv2d`):
 * depthwise(relu(x)) without ReLU's output in memory or a kernel of its own, and its two gradients.
 * The same values as ReLU and the depthwise kernels one after the other (0 < x ? x : 0 is exact):
 * test/kernels/grad.test.ts checks bit-identity.
 */
function reluDepthwise({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x, filter } = inputs;
  checkMultiplier(filter.shape, 'RdartsReluDepthwise');
  const info = convInfo(x.shape, filter.shape, attrs, true);
  channelsLast(info, 'RdartsReluDepthwise');
  const out = backend.makeOutput(info.outShape, 'float32');
  callKernel(backend, 'dw_forward_relu', [x, filter, out], { geom: geom(info) });
  return out;
}

/** The depthwise input gradient, then ReLU's: zero where x <= 0 (fused.ts's reluGrad, x for y). */
function reluDepthwiseBackpropInput(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend } = args;
  const { x } = inputs;
  const pre = depthwiseBackpropInput({ ...args, inputs: { dy: inputs.dy, filter: inputs.filter } });
  try {
    return reluGrad({ ...args, inputs: { y: x, dy: pre } });
  } finally {
    backend.disposeData(pre.dataId);
  }
}

const KERNELS: Record<string, (args: KernelArgs) => tf.TensorInfo> = {
  RdartsReluDepthwise: reluDepthwise,
  RdartsReluDepthwiseBackpropFilter: depthwiseFilterGrad('RdartsReluDepthwiseBackpropFilter', 'dw_filter_grad_relu'),
  RdartsReluDepthwiseBackpropInput: reluDepthwiseBackpropInput,
  DepthwiseConv2dNative: depthwiseConv2d,
  Conv2D: conv2d,
  Conv2DBackpropFilter: conv2DBackpropFilter,
  Conv2DBackpropInput: conv2DBackpropInput,
  DepthwiseConv2dNativeBackpropFilter: depthwiseFilterGrad('DepthwiseConv2dNativeBackpropFilter', 'dw_filter_grad'),
  DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInput,
};

let registered = false;
/** tfjs's own kernels that ours replaced, for the cases ours leaves to them. */
let replaced: Record<string, tf.KernelFunc> = {};

/**
 * Registers our kernels for the wasm backend (once; replaces tfjs's Conv2D, Conv2DBackpropInput
 * and DepthwiseConv2dNative there).
 */
export function registerWasmGradientKernels(): void {
  if (registered) return;
  replaced = registerOnWasm(KERNELS);
  registered = true;
}

/** Names of the kernels this module provides on wasm. */
export const WASM_GRADIENT_KERNELS: readonly string[] = Object.keys(KERNELS);

/** tfjs's own kernel that ours replaced, by name (for benchmarks that compare the two). */
export function replacedKernel(name: string): tf.KernelFunc | undefined {
  return replaced[name];
}

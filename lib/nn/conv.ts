/**
 * Convolutions with PyTorch's semantics (docs/method.md §2): explicit symmetric padding, never tfjs's
 * 'same' (which pads only bottom/right at stride 2 and so shifts every window), any stride with any
 * dilation. NHWC activations, HWIO filters, depthwise filters [KH, KW, C, 1]; no bias.
 */
import { tf } from '../backend';

type Explicit = tf.backend_util.ExplicitPadding;

let flopCounter: { flops: number } | undefined;

/**
 * Runs `fn` and returns the convolution FLOPs it performed (2 per multiply-add, forward only), as
 * the reference benchmark counts them (conv layers; add linear layers yourself).
 */
export function countConvFlops(fn: () => void): number {
  const previous = flopCounter;
  flopCounter = { flops: 0 };
  try {
    fn();
    return flopCounter.flops;
  } finally {
    flopCounter = previous;
  }
}

function addFlops(y: tf.Tensor4D, macsPerOutput: number): void {
  if (flopCounter) flopCounter.flops += 2 * y.size * macsPerOutput;
}

/** Symmetric explicit padding of `pad` pixels on both spatial sides. */
export function symmetricPadding(pad: number): Explicit {
  return [
    [0, 0],
    [pad, pad],
    [pad, pad],
    [0, 0],
  ];
}

/**
 * Full 2-D convolution, `y = conv(x, w)`, stride `stride`, `pad` zeros on every side.
 * x: [N, H, W, Ci], w: [KH, KW, Ci, Co] -> [N, OH, OW, Co]. Gradients: tfjs's Conv2D gradient,
 * whose kernels we provide on wasm (lib/kernels).
 */
export function conv2d(x: tf.Tensor4D, w: tf.Tensor4D, stride: number, pad: number): tf.Tensor4D {
  const y = tf.conv2d(x, w, stride, symmetricPadding(pad));
  addFlops(y, w.shape[0] * w.shape[1] * w.shape[2]);
  return y;
}

interface DepthwiseAttrs {
  strides: [number, number];
  dilations: [number, number];
  pad: Explicit;
  /** tf.depthwiseConv2d's default; the WebGPU and native kernels read it (wasm and cpu assume it). */
  dataFormat: 'NHWC';
}

/**
 * The undilated equivalent of a depthwise filter w [K, K, C, 1] at dilation d:
 * [(K-1)d+1, (K-1)d+1, C, 1], w's taps every d pixels and zeros between. Differentiable (reshape,
 * pad, slice); the caller owns the result.
 */
export function dilateFilter(w: tf.Tensor4D, dilation: number): tf.Tensor4D {
  if (!Number.isInteger(dilation) || dilation < 1) throw new Error(`dilateFilter: dilation=${dilation}; use an integer >= 1`);
  if (dilation === 1) return w.clone();
  const [kh, kw, c, m] = w.shape;
  const gap = (t: tf.Tensor, rows: number, inner: number) =>
    t.reshape([rows, 1, inner]).pad([
      [0, 0],
      [0, dilation - 1],
      [0, 0],
    ]);
  return tf.tidy(() => {
    // Rows apart, then columns apart, each a rank-3 pad (tfjs's WebGPU pad fails above rank 4).
    const rows = gap(w, kh, kw * c * m).reshape([kh * dilation * kw, c * m]);
    const spread = gap(rows, kh * dilation * kw, c * m).reshape([kh * dilation, kw * dilation, c, m]);
    return spread.slice([0, 0, 0, 0], [(kh - 1) * dilation + 1, (kw - 1) * dilation + 1, c, m]) as tf.Tensor4D;
  });
}

/**
 * Depthwise convolution (channel multiplier 1), any stride and dilation, `pad` zeros on every side.
 * x: [N, H, W, C], w: [KH, KW, C, 1] -> [N, OH, OW, C]. tfjs's own gradient of this op refuses
 * dilation > 1, so the gradient is ours: the two backprop kernels with the same attributes.
 * Only wasm's kernels (ours, lib/kernels) handle dilation with any stride: tfjs-backend-cpu 4.22's
 * forward refuses stride 2 with dilation 2 and its backprop kernels ignore dilation (dx and dw come
 * out wrong), and TensorFlow's native kernel needs stride 1 when dilated. Elsewhere a dilated conv
 * runs undilated with `dilateFilter(w)`: the same numbers, about (2K - 1)^2 / K^2 the work.
 */
export function depthwiseConv2d(x: tf.Tensor4D, w: tf.Tensor4D, stride: number, pad: number, dilation = 1): tf.Tensor4D {
  if (dilation > 1 && tf.getBackend() !== 'wasm') {
    const macs = w.shape[0] * w.shape[1];
    const y = tf.tidy(() => depthwiseConv2dNoCount(x, dilateFilter(w, dilation), stride, pad));
    addFlops(y, macs);
    return y;
  }
  const y = depthwiseConv2dNoCount(x, w, stride, pad, dilation);
  addFlops(y, w.shape[0] * w.shape[1]);
  return y;
}

/**
 * Our kernel name for a depthwise conv: it runs the backend's DepthwiseConv2dNative (not the op
 * tf.depthwiseConv2d, which refuses stride 2 with dilation 2), and carries our gradient (tfjs's
 * refuses dilation > 1), registered once, below. A registered gradient, unlike tf.customGrad, is lazy: the
 * engine computes only the input gradients it needs, so an alpha step never pays for filter
 * gradients.
 */
const DEPTHWISE = 'RdartsDepthwiseConv2d';

/**
 * Registers the gradient of a depthwise kernel `kernelName`: its input gradient by kernel
 * `inputGrad` (given x too where `withX`: the fused ReLU's mask) and its filter gradient by
 * `filterGrad`, each with the forward's attributes.
 */
function registerDepthwiseGradient(kernelName: string, inputGrad: string, filterGrad: string, withX: boolean): void {
  tf.registerGradient({
    kernelName,
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const [x, filter] = saved;
      const g = dy as tf.Tensor;
      return {
        x: () =>
          tf
            .engine()
            .runKernel(inputGrad, withX ? { dy: g, filter, x } : { dy: g, filter }, { ...attrs, inputShape: x.shape }) as tf.Tensor,
        filter: () => tf.engine().runKernel(filterGrad, { x, dy: g }, { ...attrs, filterShape: filter.shape }) as tf.Tensor,
      };
    },
  });
}

registerDepthwiseGradient(DEPTHWISE, 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter', false);

/**
 * The fused ReLU-depthwise kernel (lib/kernels/register.ts, wasm only): depthwise(relu(x)) in one
 * pass, without ReLU's output; its gradient is the fused kernels' pair, with ReLU's mask taken
 * from x. A registered gradient, lazy as DEPTHWISE's.
 */
const RELU_DEPTHWISE = 'RdartsReluDepthwise';

registerDepthwiseGradient(RELU_DEPTHWISE, 'RdartsReluDepthwiseBackpropInput', 'RdartsReluDepthwiseBackpropFilter', true);

/**
 * Whether sep_conv and dil_conv run ReLU and the depthwise conv as one kernel: where the active
 * backend has it (wasm), unless RDARTS_FUSED_RELU_DW=0 keeps the two ops (the same values; for
 * benchmarks of the fusion).
 */
export function fusedReluDepthwiseActive(): boolean {
  return process.env.RDARTS_FUSED_RELU_DW !== '0' && tf.getKernel(RELU_DEPTHWISE, tf.getBackend()) !== undefined;
}

/**
 * depthwiseConv2d(relu(x), w, ...) as one kernel where the active backend has it (wasm) and
 * RDARTS_FUSED_RELU_DW is not `0`, else undefined (the caller runs the two ops). The same values either way: the fused kernel sums in
 * the same order, and ReLU is exact. x: [N, H, W, C], w: [KH, KW, C, 1] -> [N, OH, OW, C].
 */
export function fusedReluDepthwiseConv2d(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  stride: number,
  pad: number,
  dilation = 1,
): tf.Tensor4D | undefined {
  if (!fusedReluDepthwiseActive()) return undefined;
  const attrs: DepthwiseAttrs = {
    strides: [stride, stride],
    dilations: [dilation, dilation],
    pad: symmetricPadding(pad),
    dataFormat: 'NHWC',
  };
  const y = tf.engine().runKernel(RELU_DEPTHWISE, { x, filter: w }, { ...attrs }) as tf.Tensor4D;
  addFlops(y, w.shape[0] * w.shape[1]);
  return y;
}

/** Registers DEPTHWISE for the active backend on first use (delegating to its own kernel). */
function ensureDepthwiseKernel(): void {
  const backendName = tf.getBackend();
  if (tf.getKernel(DEPTHWISE, backendName)) return;
  const native = tf.getKernel('DepthwiseConv2dNative', backendName);
  if (!native) throw new Error(`backend ${backendName} has no DepthwiseConv2dNative kernel`);
  tf.registerKernel({ kernelName: DEPTHWISE, backendName, kernelFunc: native.kernelFunc });
}

function depthwiseConv2dNoCount(x: tf.Tensor4D, w: tf.Tensor4D, stride: number, pad: number, dilation = 1): tf.Tensor4D {
  ensureDepthwiseKernel();
  const attrs: DepthwiseAttrs = {
    strides: [stride, stride],
    dilations: [dilation, dilation],
    pad: symmetricPadding(pad),
    dataFormat: 'NHWC',
  };
  return tf.engine().runKernel(DEPTHWISE, { x, filter: w }, { ...attrs }) as tf.Tensor4D;
}

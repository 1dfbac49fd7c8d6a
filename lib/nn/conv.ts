/**
 * Convolutions with PyTorch's semantics (PAPER.md 2): explicit symmetric padding, never tfjs's
 * 'same' (which pads only bottom/right at stride 2 and so shifts every window), any stride with any
 * dilation. NHWC activations, HWIO filters, depthwise filters [KH, KW, C, 1]; no bias.
 */
import { tf } from '../backend';

type Explicit = tf.backend_util.ExplicitPadding;

/** Symmetric explicit padding of `pad` pixels on both spatial sides. */
export function symmetricPadding(pad: number): Explicit {
  return [[0, 0], [pad, pad], [pad, pad], [0, 0]];
}

/**
 * Full 2-D convolution, `y = conv(x, w)`, stride `stride`, `pad` zeros on every side.
 * x: [N, H, W, Ci], w: [KH, KW, Ci, Co] -> [N, OH, OW, Co]. Gradients: tfjs's Conv2D gradient,
 * whose kernels we provide on wasm (lib/kernels).
 */
export function conv2d(x: tf.Tensor4D, w: tf.Tensor4D, stride: number, pad: number): tf.Tensor4D {
  return tf.conv2d(x, w, stride, symmetricPadding(pad));
}

interface DepthwiseAttrs {
  strides: [number, number];
  dilations: [number, number];
  pad: Explicit;
}

function depthwiseForward(x: tf.Tensor4D, w: tf.Tensor4D, attrs: DepthwiseAttrs): tf.Tensor4D {
  // runKernel, not tf.depthwiseConv2d: the op refuses stride 2 together with dilation 2 (the
  // dil_conv ops of a reduction cell), although every backend's kernel computes it.
  return tf.engine().runKernel('DepthwiseConv2dNative', { x, filter: w }, { ...attrs }) as tf.Tensor4D;
}

/**
 * Depthwise convolution (channel multiplier 1), any stride and dilation, `pad` zeros on every side.
 * x: [N, H, W, C], w: [KH, KW, C, 1] -> [N, OH, OW, C]. tfjs's own gradient of this op refuses
 * dilation > 1, so the gradient is ours: the two backprop kernels with the same attributes.
 */
export function depthwiseConv2d(x: tf.Tensor4D, w: tf.Tensor4D, stride: number, pad: number,
  dilation = 1): tf.Tensor4D {
  const attrs: DepthwiseAttrs = { strides: [stride, stride], dilations: [dilation, dilation], pad: symmetricPadding(pad) };
  const op = tf.customGrad(((xi: tf.Tensor, wi: tf.Tensor, save: tf.GradSaveFunc) => {
    save([xi, wi]);
    return {
      value: depthwiseForward(xi as tf.Tensor4D, wi as tf.Tensor4D, attrs),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws] = saved;
        const dx = tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: ws },
          { ...attrs, inputShape: xs.shape }) as tf.Tensor;
        const dw = tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: xs, dy },
          { ...attrs, filterShape: ws.shape }) as tf.Tensor;
        return [dx, dw];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, w) as tf.Tensor4D;
}

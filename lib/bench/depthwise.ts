/**
 * Our depthwise convolution (lib/kernels/grad_kernels.c's dw_forward, the wasm backend's
 * DepthwiseConv2dNative) against the XNNPACK kernel of tfjs-backend-wasm that it replaced, on the
 * shapes the search spaces run (batch 64; 3x3 and 5x5 dilation 2; the stems' sizes of the
 * benchmark configs). One JSON line: per shape, the first-quartile time of each over `iters` calls
 * (the quartile, not the median, as other processes only add time), and whether the two outputs
 * are bit-identical (they are at 3x3 and 5x5 in the plain build: ours sums in XNNPACK's order).
 *
 *   npx tsx lib/bench/depthwise.ts [--iters 31] [--append results/bench/depthwise.jsonl]
 */
import { tf } from '../backend';
import { replacedKernel } from '../kernels/register';
import { kernelBenchMain, quartileMs } from './kernel_bench';

/** [side, channels, kernel, dilation, stride]: S3 / DARTS space at 28x28x1 C 8 and at 32x32x3 C 16. */
export const DEPTHWISE_SHAPES: readonly (readonly [number, number, number, number, number])[] = [
  [28, 8, 3, 1, 1],
  [14, 16, 3, 1, 1],
  [7, 32, 3, 1, 1],
  [28, 8, 3, 1, 2],
  [14, 16, 3, 1, 2],
  [28, 8, 5, 2, 1],
  [7, 32, 5, 2, 1],
  [32, 16, 3, 1, 1],
  [16, 32, 3, 1, 1],
  [8, 64, 3, 1, 1],
];

export interface DepthwiseTiming {
  shape: string;
  xnnpackMs: number;
  oursMs: number;
  bitIdentical: boolean;
}

/** Times both kernels on each shape (batch `n`); the wasm backend must be active. */
export function timeDepthwise(iters = 31, n = 64, shapes = DEPTHWISE_SHAPES): DepthwiseTiming[] {
  const backend = tf.backend();
  const theirs = replacedKernel('DepthwiseConv2dNative');
  const ours = tf.getKernel('DepthwiseConv2dNative', 'wasm')?.kernelFunc;
  if (!theirs || !ours || theirs === ours)
    throw new Error('bench depthwise: needs the wasm backend with our DepthwiseConv2dNative registered');
  return shapes.map(([h, c, k, d, s]) => {
    const x = tf.randomNormal([n, h, h, c], 0, 1, 'float32', 1);
    const w = tf.randomNormal([k, k, c, 1], 0, 1, 'float32', 2);
    const p = ((k - 1) * d) / 2;
    const args = {
      inputs: { x, filter: w },
      backend,
      attrs: {
        strides: [s, s],
        pad: [
          [0, 0],
          [p, p],
          [p, p],
          [0, 0],
        ],
        dilations: [d, d],
        dataFormat: 'NHWC',
      },
    } as unknown as Parameters<tf.KernelFunc>[0];
    const call = (f: tf.KernelFunc) => tf.engine().makeTensorFromTensorInfo(f(args) as tf.TensorInfo);
    const [a, b] = [call(theirs), call(ours)];
    const [va, vb] = [a.dataSync(), b.dataSync()];
    const bitIdentical = va.length === vb.length && va.every((v, i) => v === vb[i]);
    const xnnpackMs = quartileMs(() => call(theirs).dispose(), iters);
    const oursMs = quartileMs(() => call(ours).dispose(), iters);
    tf.dispose([x, w, a, b]);
    return { shape: `${n}x${h}x${h}x${c} k${k} d${d} s${s}`, xnnpackMs: +xnnpackMs.toFixed(3), oursMs: +oursMs.toFixed(3), bitIdentical };
  });
}

if (require.main === module) kernelBenchMain('depthwise_forward', (iters) => timeDepthwise(iters));

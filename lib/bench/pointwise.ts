/**
 * Our pointwise (1x1) convolution kernels (lib/kernels/grad_kernels.c's pw_forward and
 * pw_input_grad: the wasm backend's Conv2D and its input gradient for 1x1 filters without padding)
 * against the code paths they replaced, on the shapes the benchmark configs run (batch 64):
 *   forward:         tfjs's XNNPACK Conv2D;
 *   input gradient:  at stride 1, XNNPACK's Conv2D on the filter transposed (a 1x1 filter needs no
 *                    flip), at stride 2 our scatter kernel conv_input_grad, each after the filter's
 *                    transpose (here tf.transpose for both sides, where lib/kernels/register.ts
 *                    transposes in JavaScript).
 * (The filter gradient stays our general kernel, conv_filter_grad: results/bench/README.md.)
 * One JSON line: per shape and pass, the first-quartile time of each over `iters` calls (other
 * processes only add time), whether the outputs are bit-identical, and each one's largest error
 * against a float64 sum relative to the largest entry (both keep XNNPACK's order of sums).
 *
 *   npx tsx lib/bench/pointwise.ts [--iters 31] [--append results/bench/pointwise.jsonl]
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../backend';
import { replacedKernel } from '../kernels/register';
import { kernelBenchMain, quartileMs } from './kernel_bench';
import { callKernel, Geom } from '../kernels/wasm_module';

/** [side, input channels, output channels, stride]: S3 / DARTS space at 28x28x1 C 8 and at 32x32x3 C 16. */
export const POINTWISE_SHAPES: readonly (readonly [number, number, number, number])[] = [
  [28, 8, 8, 1],
  [14, 16, 16, 1],
  [7, 32, 32, 1],
  [28, 8, 4, 2],
  [32, 16, 16, 1],
  [16, 32, 32, 1],
  [8, 64, 64, 1],
  [32, 48, 16, 1],
  [32, 16, 8, 2],
  [16, 32, 16, 2],
];

export interface PointwiseTiming {
  shape: string;
  pass: 'forward' | 'input_grad';
  beforeMs: number;
  oursMs: number;
  bitIdentical: boolean;
  /** Largest |value - float64 sum| over the largest |float64 sum|. */
  beforeRelErr: number;
  oursRelErr: number;
}

/** Largest |a - ref| over the largest |ref|. */
function relErr(a: ArrayLike<number>, ref: Float64Array): number {
  let err = 0;
  let top = 0;
  for (let i = 0; i < ref.length; i++) {
    err = Math.max(err, Math.abs(a[i] - ref[i]));
    top = Math.max(top, Math.abs(ref[i]));
  }
  return top > 0 ? err / top : err;
}

/** The two passes' float64 answers: y = x w and dx = dy w^T at the strided pixels. */
function float64Answers(x: Float32Array, w: Float32Array, dy: Float32Array, g: Geom, co: number) {
  const ci = g.c;
  const y = new Float64Array(g.n * g.oh * g.ow * co);
  const dx = new Float64Array(g.n * g.h * g.w * ci);
  for (let n = 0, q = 0; n < g.n; n++) {
    for (let oy = 0; oy < g.oh; oy++) {
      for (let ox = 0; ox < g.ow; ox++, q++) {
        const at = (n * g.h + oy * g.sh) * g.w + ox * g.sw;
        for (let i = 0; i < ci; i++) {
          const xv = x[at * ci + i];
          for (let o = 0; o < co; o++) {
            y[q * co + o] += xv * w[i * co + o];
            dx[at * ci + i] += dy[q * co + o] * w[i * co + o];
          }
        }
      }
    }
  }
  return { y, dx };
}

/** Times ours and the replaced path on each shape (batch `n`); the wasm backend must be active. */
export function timePointwise(iters = 31, n = 64, shapes = POINTWISE_SHAPES): PointwiseTiming[] {
  const backend = tf.backend() as unknown as BackendWasm;
  const xnnpack = replacedKernel('Conv2D');
  if (!xnnpack || tf.getKernel('Conv2D', 'wasm')?.kernelFunc === xnnpack)
    throw new Error('bench pointwise: needs the wasm backend with our Conv2D registered');
  const rows: PointwiseTiming[] = [];
  for (const [h, ci, co, s] of shapes) {
    const oh = Math.floor((h - 1) / s) + 1;
    const g: Geom = { n, h, w: h, c: ci, oh, ow: oh, kh: 1, kw: 1, sh: s, sw: s, dh: 1, dw: 1, pt: 0, pl: 0 };
    const x = tf.randomNormal([n, h, h, ci], 0, 1, 'float32', 1);
    const w = tf.randomNormal([1, 1, ci, co], 0, 1, 'float32', 2);
    const dy = tf.randomNormal([n, oh, oh, co], 0, 1, 'float32', 3);
    const ref = float64Answers(x.dataSync() as Float32Array, w.dataSync() as Float32Array, dy.dataSync() as Float32Array, g, co);
    const tensor = (info: tf.TensorInfo) => tf.engine().makeTensorFromTensorInfo(info);
    const kernel = (name: 'pw_forward' | 'pw_input_grad' | 'conv_input_grad', a: tf.Tensor, b: tf.Tensor, shape: number[]) => {
      const out = backend.makeOutput(shape, 'float32');
      callKernel(backend, name, [a, b, out], { geom: g, extra: [co] });
      return tensor(out);
    };
    const xnnConv = (input: tf.Tensor, filter: tf.Tensor, stride: number) =>
      tensor(
        xnnpack({
          inputs: { x: input, filter },
          backend,
          attrs: { strides: [stride, stride], pad: 'valid', dilations: [1, 1], dataFormat: 'NHWC' },
        } as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo,
      );
    // The filter [1, 1, CI, CO] transposed to [1, 1, CO, CI], as the input gradients take it.
    const transposed = () => tf.tidy(() => tf.transpose(w.reshape([ci, co])).reshape([1, 1, co, ci]));
    const passes: [PointwiseTiming['pass'], () => tf.Tensor, () => tf.Tensor, Float64Array][] = [
      ['forward', () => xnnConv(x, w, s), () => kernel('pw_forward', x, w, [n, oh, oh, co]), ref.y],
      [
        'input_grad',
        () => {
          const wt = transposed();
          try {
            return s === 1 ? xnnConv(dy, wt, 1) : kernel('conv_input_grad', dy, wt, [n, h, h, ci]);
          } finally {
            wt.dispose();
          }
        },
        () => {
          const wt = transposed();
          try {
            return kernel('pw_input_grad', dy, wt, [n, h, h, ci]);
          } finally {
            wt.dispose();
          }
        },
        ref.dx,
      ],
    ];
    for (const [pass, before, ours, answer] of passes) {
      const [a, b] = [before(), ours()];
      const [va, vb] = [a.dataSync(), b.dataSync()];
      tf.dispose([a, b]);
      rows.push({
        shape: `${n}x${h}x${h}x${ci}->${co} s${s}`,
        pass,
        beforeMs: +quartileMs(() => before().dispose(), iters).toFixed(3),
        oursMs: +quartileMs(() => ours().dispose(), iters).toFixed(3),
        bitIdentical: va.length === vb.length && va.every((v, i) => v === vb[i]),
        beforeRelErr: +relErr(va, answer).toExponential(2),
        oursRelErr: +relErr(vb, answer).toExponential(2),
      });
    }
    tf.dispose([x, w, dy]);
  }
  return rows;
}

if (require.main === module) kernelBenchMain('pointwise_conv', (iters) => timePointwise(iters));

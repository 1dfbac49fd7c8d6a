/**
 * ReLU and the 3x3 pools with PyTorch's semantics (docs/method.md §2: `max_pool_3x3`, `avg_pool_3x3`, pad 1,
 * the average excludes the padding). tfjs's 'same' padding puts the extra row and column only at the
 * bottom and right when stride 2 meets an even size, which shifts every window; so both pools pad
 * explicitly, 1 pixel on every side, and pool with 'valid' windows. x: [N, H, W, C] ->
 * [N, floor((H - 1) / stride) + 1, floor((W - 1) / stride) + 1, C]. The caller owns each result.
 */
import { tf } from '../backend';
import type { ActivationPattern } from './pattern';
import { checkStride } from './basic';

const PAD_1: [number, number][] = [
  [0, 0],
  [1, 1],
  [1, 1],
  [0, 0],
];

/**
 * max(x, 0), keeping its output (not its input, as tf.relu does) for the backward pass, as PyTorch:
 * the output is kept anyway by the conv that follows, so a sep_conv keeps one tensor less.
 * dx = dy where y > 0 (0 at x = 0, as PyTorch).
 */
export function relu(x: tf.Tensor4D, pattern?: ActivationPattern): tf.Tensor4D {
  if (pattern) {
    // Recording: the mask of this point, then the plain ReLU. Replaying: x times the recorded mask.
    const mask = pattern.site(x.shape, () => tf.greater(x, 0));
    if (!pattern.recording) return tf.tidy(() => x.mul(mask.cast('float32')));
  }
  // The gradient in one pass where the backend has our kernel (wasm), else Step and a product.
  const fused = tf.getKernel('RdartsReluGrad', tf.getBackend()) !== undefined;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const y = tf.relu(xi);
    save([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        fused ? (tf.engine().runKernel('RdartsReluGrad', { y: saved[0], dy }, {}) as tf.Tensor) : tf.tidy(() => dy.mul(tf.step(saved[0]))),
    };
  });
  return op(x) as tf.Tensor4D;
}

/**
 * Element (i, j) of every 3x3 window of stride s: xp[:, i + s a, j + s b, :] -> [N, OH, OW, C].
 * Stride s > 1 picks rows and columns through 3-D views and plain slices: tfjs-wasm's stridedSlice
 * costs about 11 ms for [64, 16, 16, 16] here, which made the replayed max pool of the Hessian
 * products (9 of them per pool) the slowest part of a curvature measurement on S1.
 */
function windowElement(xp: tf.Tensor4D, i: number, j: number, s: number, oh: number, ow: number): tf.Tensor4D {
  const [n, hp, wp, c] = xp.shape;
  if (s === 1) return xp.slice([0, i, j, 0], [n, oh, ow, c]);
  return tf.tidy(() => {
    const [qi, ri, qj, rj] = [Math.floor(i / s), i % s, Math.floor(j / s), j % s];
    const [hh, wh] = [Math.max(Math.ceil(hp / s), qi + oh), Math.max(Math.ceil(wp / s), qj + ow)];
    const padded =
      hh * s === hp && wh * s === wp
        ? xp
        : xp.pad([
            [0, 0],
            [0, hh * s - hp],
            [0, wh * s - wp],
            [0, 0],
          ]);
    const rows = padded.reshape([n * hh, s, wh * s * c]).slice([0, ri, 0], [n * hh, 1, wh * s * c]);
    const cols = rows.reshape([n * hh * wh, s, c]).slice([0, rj, 0], [n * hh * wh, 1, c]);
    return cols.reshape([n, hh, wh, c]).slice([0, qi, qj, 0], [n, oh, ow, c]) as tf.Tensor4D;
  });
}

/**
 * The adjoint of `windowElement`: g [N, OH, OW, C] scattered to rows i + s a and columns j + s b of a
 * [N, hh, s, wh, s, C] view of the padded input (hh s >= Hp, wh s >= Wp), returned as
 * [N, hh, s, wh s C]: columns, then rows, each a 4-D pad (tfjs's WebGPU pad fails above rank 4).
 * Pads are fast on wasm; strided slices are not, hence the 3-D views in `windowElement`.
 */
function windowElementAdjoint(g: tf.Tensor4D, i: number, j: number, s: number, hh: number, wh: number): tf.Tensor {
  const [n, oh, ow, c] = g.shape;
  const [qi, ri, qj, rj] = [Math.floor(i / s), i % s, Math.floor(j / s), j % s];
  const columns = g.reshape([n * oh, ow, 1, c]).pad([
    [0, 0],
    [qj, wh - qj - ow],
    [rj, s - 1 - rj],
    [0, 0],
  ]);
  return columns.reshape([n, oh, 1, wh * s * c]).pad([
    [0, 0],
    [qi, hh - qi - oh],
    [ri, s - 1 - ri],
    [0, 0],
  ]);
}

/**
 * sum over the 9 window offsets (i, j) of the adjoint of `windowElement` applied to `term(i, j)`
 * [N, OH, OW, C], cropped to the unpadded input: the gradient of any function of the windows.
 */
function scatterWindows(term: (i: number, j: number) => tf.Tensor4D, s: number, inShape: number[]): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = inShape;
    const [hh, wh] = [Math.ceil((h + 2) / s), Math.ceil((w + 2) / s)];
    const terms: tf.Tensor[] = [];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) terms.push(windowElementAdjoint(term(i, j), i, j, s, hh, wh));
    return tf
      .addN(terms)
      .reshape([n, hh * s, wh * s, c])
      .slice([0, 1, 1, 0], [n, h, w, c]) as tf.Tensor4D;
  });
}

/**
 * The replayed max pool (lib/nn/pattern.ts): the window element chosen at the recorded point
 * (`index`, 0..8 per output) for every output, a linear function of x. Its gradient is ours,
 * scattering dy back to the chosen elements through pads: tfjs's own gradient of the strided
 * window slices went through 6-D slices, which are slow on wasm (lib/bench/pool_replay.ts: 432 ms for
 * forward and gradient of [64, 14, 14, 16] at stride 2 before, 37 ms this way).
 */
function replayedMaxPool(x: tf.Tensor4D, stride: number, index: tf.Tensor): tf.Tensor4D {
  const [, oh, ow] = index.shape;
  const chosen = (k: number) => tf.equal(index, k).cast('float32');
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, save] = args as [tf.Tensor4D, tf.GradSaveFunc];
    save([]);
    const value = tf.tidy(() => {
      const xp = tf.pad(xi, PAD_1, 0);
      return tf.addN(
        Array.from({ length: 9 }, (_, k) => windowElement(xp, Math.floor(k / 3), k % 3, stride, oh, ow).mul(chosen(k))),
      ) as tf.Tensor4D;
    });
    return {
      value,
      gradFunc: (dy: tf.Tensor) => scatterWindows((i, j) => dy.mul(chosen(3 * i + j)) as tf.Tensor4D, stride, xi.shape),
    };
  });
  return op(x) as tf.Tensor4D;
}

/** True when the active backend has our one-kernel 3x3 pools (lib/kernels/fused.ts: wasm). */
function hasFusedPool(): boolean {
  return tf.getKernel('RdartsPool3x3', tf.getBackend()) !== undefined;
}

/**
 * The same pools as one kernel each way (same semantics as the tfjs-op versions below, which
 * serve the other backends): the op versions cost ~30 kernels per pool on wasm.
 */
function fusedPool(x: tf.Tensor4D, stride: number, kind: 'max' | 'avg'): tf.Tensor4D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, save] = args as [tf.Tensor4D, tf.GradSaveFunc];
    save([xi]);
    return {
      value: tf.engine().runKernel('RdartsPool3x3', { x: xi }, { stride, kind }) as tf.Tensor4D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.engine().runKernel('RdartsPool3x3Grad', { x: saved[0], dy }, { stride, kind }) as tf.Tensor,
    };
  });
  return op(x) as tf.Tensor4D;
}

/**
 * Max pool 3x3, pad 1 with -inf (so a border window's maximum is over its real pixels). The
 * gradient is ours, and goes to the first maximum of each window in row-major order (PyTorch's
 * rule for ties): tfjs-backend-wasm 4.22's MaxPool kernels start each window's maximum at FLT_MIN
 * (1.18e-38) instead of -inf, so its MaxPoolGrad drops the gradient of every window whose maximum
 * is negative (the forward is right; MaxPoolWithArgmax is wrong too). Keeps x and y for backward.
 */
export function maxPool3x3(x: tf.Tensor4D, stride: number, pattern?: ActivationPattern): tf.Tensor4D {
  checkStride(stride, 'maxPool3x3: stride');
  if (pattern) {
    // The first window element that attains the maximum (PyTorch's choice): recorded as its index
    // 0..8, then replayed as a sum of window elements times one-hot masks (a smooth function of x).
    const [n, h, w, c] = x.shape;
    const [oh, ow] = [Math.floor((h - 1) / stride) + 1, Math.floor((w - 1) / stride) + 1];
    const index = pattern.site([n, oh, ow, c], () =>
      tf.tidy(() => {
        const xp = tf.pad(x, PAD_1, -Infinity);
        const y = maxPool3x3(x, stride);
        let idx = tf.fill([n, oh, ow, c], 9, 'int32');
        for (let k = 8; k >= 0; k--) {
          idx = tf.where(
            tf.equal(windowElement(xp, Math.floor(k / 3), k % 3, stride, oh, ow), y),
            tf.fill([n, oh, ow, c], k, 'int32'),
            idx,
          );
        }
        return idx;
      }),
    );
    if (!pattern.recording) return replayedMaxPool(x, stride, index);
  }
  if (hasFusedPool()) return fusedPool(x, stride, 'max');
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, save] = args as [tf.Tensor4D, tf.GradSaveFunc];
    const y = tf.maxPool(tf.pad(xi, PAD_1, -Infinity), 3, stride, 'valid');
    save([xi, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [xs, ys] = saved as tf.Tensor4D[];
          const xp = tf.pad(xs, PAD_1, -Infinity);
          const [, oh, ow] = ys.shape;
          let taken = tf.zerosLike(ys).cast('bool');
          return scatterWindows(
            (i, j) => {
              const first = tf.equal(windowElement(xp, i, j, stride, oh, ow), ys).logicalAnd(taken.logicalNot());
              taken = taken.logicalOr(first);
              return dy.mul(first.cast('float32')) as tf.Tensor4D;
            },
            stride,
            xs.shape,
          );
        }),
    };
  });
  return op(x) as tf.Tensor4D;
}

/** The number of real (unpadded) pixels on one axis of each output window: 2 or 3 (1 if size 1). */
function windowCounts(size: number, stride: number): number[] {
  const out = Math.floor((size - 1) / stride) + 1;
  return Array.from({ length: out }, (_, i) => Math.min(i * stride + 1, size - 1) - Math.max(i * stride - 1, 0) + 1);
}

/**
 * 9 / (number of real pixels) per output position, [1, OH, OW, 1]: the factor that turns an average
 * over a zero-padded 3x3 window into an average over its real pixels (count_include_pad = false).
 */
export function avgPoolCorrection(height: number, width: number, stride: number): tf.Tensor4D {
  const rows = windowCounts(height, stride);
  const cols = windowCounts(width, stride);
  const values = new Float32Array(rows.length * cols.length);
  rows.forEach((r, i) =>
    cols.forEach((c, j) => {
      values[i * cols.length + j] = 9 / (r * c);
    }),
  );
  return tf.tensor4d(values, [1, rows.length, cols.length, 1]);
}

/**
 * Average pool 3x3, pad 1, dividing each window by its number of real pixels. The gradient spreads
 * dy * 9 / count / 9 over each window; nothing is kept for backward but shapes.
 */
export function avgPool3x3(x: tf.Tensor4D, stride: number): tf.Tensor4D {
  checkStride(stride, 'avgPool3x3: stride');
  if (hasFusedPool()) return fusedPool(x, stride, 'avg');
  const [, h, w] = x.shape;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, save] = args as [tf.Tensor4D, tf.GradSaveFunc];
    save([]);
    const value = tf.tidy(() => tf.avgPool(tf.pad(xi, PAD_1), 3, stride, 'valid').mul(avgPoolCorrection(h, w, stride)));
    return {
      value: value as tf.Tensor4D,
      gradFunc: (dy: tf.Tensor) =>
        tf.tidy(() => {
          const g = dy.mul(avgPoolCorrection(h, w, stride)).div(9) as tf.Tensor4D;
          return scatterWindows(() => g, stride, xi.shape);
        }),
    };
  });
  return op(x) as tf.Tensor4D;
}

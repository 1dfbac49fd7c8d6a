/**
 * Batch normalisation as PyTorch's BatchNorm2d (docs/method.md §2: every BN of the supernet is
 * affine = false except the stem's). Training mode normalises with the batch statistics over
 * [N, H, W] and the BIASED variance, eps 1e-5; the running mean and variance are updated with
 * momentum 0.1, the running variance from the UNBIASED batch variance, as PyTorch does. Eval mode
 * normalises with the running statistics.
 */
import { tf } from '../backend';
import { Module } from './module';

/** What `batchNorm` reads and updates. */
export interface BatchNormState {
  /** gamma [C] and beta [C] when affine (variables in a layer; any tensors in a pure call). */
  readonly weight?: tf.Tensor;
  readonly bias?: tf.Tensor;
  /** Non-trainable running statistics [C]. */
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  readonly eps: number;
  readonly momentum: number;
}

/** A BatchNorm2d layer: variables `weight`, `bias` (when affine), `running_mean`, `running_var`. */
export class BatchNorm extends Module implements BatchNormState {
  readonly weight?: tf.Variable;
  readonly bias?: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  readonly eps = 1e-5;
  readonly momentum = 0.1;

  constructor(
    readonly channels: number,
    readonly affine: boolean,
  ) {
    super();
    if (affine) {
      this.weight = this.addVariable('weight', tf.ones([channels]), true, 'vector');
      this.bias = this.addVariable('bias', tf.zeros([channels]), true, 'vector');
    }
    this.runningMean = this.addVariable('running_mean', tf.zeros([channels]), false, 'vector');
    this.runningVar = this.addVariable('running_var', tf.ones([channels]), false, 'vector');
  }
}

function checkInput(x: tf.Tensor4D, state: BatchNormState): void {
  const channels = state.runningMean.shape[0];
  if (x.rank !== 4 || x.shape[3] !== channels) {
    throw new Error(`batchNorm: x has shape [${x.shape}]; expected [N, H, W, ${channels}]`);
  }
}

/**
 * running = (1 - momentum) running + momentum batch, with the unbiased batch variance. The batch
 * variance comes as `variance`, or as `invstd` = 1 / sqrt(var + eps). Computed on the host from
 * the [C] vectors: 6 tiny kernels per BN per forward would cost more than the arithmetic.
 */
function updateRunningStats(state: BatchNormState, mean: tf.Tensor, stats: { variance?: tf.Tensor; invstd?: tf.Tensor }, n: number): void {
  const m = state.momentum;
  const mu = mean.dataSync();
  const v = stats.variance?.dataSync();
  const inv = stats.invstd?.dataSync();
  const rm = state.runningMean.dataSync();
  const rv = state.runningVar.dataSync();
  const newMean = new Float32Array(rm.length);
  const newVar = new Float32Array(rv.length);
  for (let c = 0; c < rm.length; c++) {
    const biased = v ? v[c] : 1 / (inv as ArrayLike<number>)[c] ** 2 - state.eps;
    newMean[c] = (1 - m) * rm[c] + m * mu[c];
    newVar[c] = (1 - m) * rv[c] + m * biased * (n / (n - 1));
  }
  tf.tidy(() => {
    state.runningMean.assign(tf.tensor1d(newMean));
    state.runningVar.assign(tf.tensor1d(newVar));
  });
}

/**
 * Training mode as one differentiable step with the analytic backward (as PyTorch's): with
 * xhat = (x - mean) invstd and g = dy * weight, dx = invstd (g - mean(g) - xhat mean(g xhat)),
 * dweight = sum(dy xhat), dbias = sum(dy), means and sums over [N, H, W]. It keeps only x and two
 * [C] vectors for the backward pass (tf.moments and the elementwise ops would keep three more
 * full-size tensors per BN, which exhausts wasm's 4 GB at DARTS sizes).
 */
function batchNormTrain(x: tf.Tensor4D, state: BatchNormState, update: boolean): tf.Tensor4D {
  const n = x.shape[0] * x.shape[1] * x.shape[2];
  if (n < 2) throw new Error(`batchNorm: x has shape [${x.shape}]; training needs more than 1 value per channel`);
  const { weight, bias } = state;
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  const axes = [0, 1, 2];
  // On wasm one fused kernel computes the statistics and xhat, and one the backward (lib/kernels).
  const fused = tf.getKernel('RdartsBatchNormTrain', tf.getBackend()) !== undefined;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const xi = args[0] as tf.Tensor4D;
    const gamma = weight ? (args[1] as tf.Tensor) : undefined;
    const beta = bias ? (args[weight ? 2 : 1] as tf.Tensor) : undefined;
    let y: tf.Tensor;
    let mean: tf.Tensor;
    let invstd: tf.Tensor;
    let variance: tf.Tensor | undefined;
    if (fused) {
      [y, mean, invstd] = tf.engine().runKernel('RdartsBatchNormTrain', { x: xi }, { eps: state.eps }) as tf.Tensor[];
    } else {
      const moments = tf.moments(xi, axes);
      mean = moments.mean;
      variance = moments.variance;
      invstd = tf.rsqrt(variance.add(state.eps));
      y = xi.sub(mean).mul(invstd);
    }
    if (update) updateRunningStats(state, mean, { variance, invstd }, n);
    if (gamma) y = y.mul(gamma);
    if (beta) y = y.add(beta);
    save(gamma ? [xi, mean, invstd, gamma] : [xi, mean, invstd]);
    return {
      value: y as tf.Tensor4D,
      // tidy: customGrad runs this eagerly, and intermediates would otherwise live until the whole
      // backward pass ends.
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [xs, ms, is, gs] = saved;
          const g = gs ? dy.mul(gs) : dy;
          const dx = fused
            ? (tf.engine().runKernel('RdartsBatchNormTrainGrad', { x: xs, dy: g, mean: ms, invstd: is }, {}) as tf.Tensor)
            : g
                .sub(g.mean(axes))
                .sub(
                  xs
                    .sub(ms)
                    .mul(is)
                    .mul(g.mul(xs.sub(ms).mul(is)).mean(axes)),
                )
                .mul(is);
          if (!gamma && !beta) return [dx];
          const xhat = xs.sub(ms).mul(is);
          return [dx, ...(gamma ? [dy.mul(xhat).sum(axes)] : []), ...(beta ? [dy.sum(axes)] : [])];
        }),
    };
  });
  return op(...inputs) as tf.Tensor4D;
}

/**
 * y = (x - mean) / sqrt(var + eps) * weight + bias, x: [N, H, W, C]. `training`: batch statistics
 * (the gradient flows through them); else the running ones. With `updateRunningStats` (training
 * only) the running statistics move 10% towards the batch mean and unbiased variance. The caller
 * owns the result.
 */
export function batchNorm(x: tf.Tensor4D, state: BatchNormState, training: boolean, updateRunningStats = training): tf.Tensor4D {
  checkInput(x, state);
  if (updateRunningStats && !training) throw new Error('batchNorm: updateRunningStats needs training=true');
  if (training) return batchNormTrain(x, state, updateRunningStats);
  return tf.tidy(() => {
    let y = x.sub(state.runningMean).mul(tf.rsqrt(state.runningVar.add(state.eps)));
    if (state.weight) y = y.mul(state.weight);
    if (state.bias) y = y.add(state.bias);
    return y as tf.Tensor4D;
  });
}

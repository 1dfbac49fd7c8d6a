/**
 * The kink pattern of a forward pass: which units every ReLU lets through and which element of every
 * max-pool window wins. Recorded on the first pass that carries it, replayed on every later one, so
 * that those passes compute the network with ReLU and max pooling fixed to their choices at the
 * recorded point: x -> mask * x and x -> x[argmax]. Near that point this is the same function
 * (exactly, until a unit crosses its kink) but smooth, and its derivatives are the ones that
 * automatic differentiation gives (which takes relu''(x) = 0): what the paper's Hessian is (docs/method.md
 * §3). lib/hessian differences gradients of the replayed function, which removes the noise that
 * units crossing their kink would add to the differences (each crossing is a jump in the gradient).
 * The masks are kept as bool / int32 tensors that this object owns: call `dispose()`.
 */
import { tf } from '../backend';

export class ActivationPattern {
  private readonly masks: tf.Tensor[] = [];
  private passes = 0;
  private cursor = 0;

  /** Called by ForwardContext at the start of each pass that carries the pattern. */
  beginPass(): void {
    this.passes += 1;
    this.cursor = 0;
  }

  /** Whether the current pass records (the first) or replays (every later one). */
  get recording(): boolean {
    return this.passes <= 1;
  }

  /** Kink sites recorded so far. */
  get sites(): number {
    return this.masks.length;
  }

  /**
   * The mask of the next kink site of this pass: made by `make()` and kept when recording, the
   * stored one (checked against `shape`) when replaying.
   */
  site(shape: readonly number[], make: () => tf.Tensor): tf.Tensor {
    if (this.passes === 0) throw new Error('ActivationPattern: site() outside a forward pass');
    if (this.recording) {
      const mask = tf.keep(make());
      this.masks.push(mask);
      return mask;
    }
    if (this.cursor >= this.masks.length) {
      throw new Error(
        `ActivationPattern: the replayed pass has more kink sites than the ${this.masks.length} recorded (another network or input?)`,
      );
    }
    const mask = this.masks[this.cursor++];
    if (mask.shape.length !== shape.length || mask.shape.some((d, i) => d !== shape[i])) {
      throw new Error(`ActivationPattern: site ${this.cursor - 1} was recorded with shape [${mask.shape}], replayed with [${shape}]`);
    }
    return mask;
  }

  dispose(): void {
    for (const m of this.masks) m.dispose();
    this.masks.length = 0;
  }
}

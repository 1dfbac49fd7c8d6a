/**
 * The image-classification vocabulary of the search and of evaluation (docs/method.md §1): a batch of
 * images and labels, the mean cross-entropy and the accuracy of logits.
 */
import { tf } from '../backend';

/** A batch of images (NHWC) and integer labels. */
export interface Batch {
  readonly x: tf.Tensor4D;
  readonly y: tf.Tensor1D;
}

/** Mean softmax cross-entropy of `logits` [N, K] against integer `labels` [N]. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits);
    const onehot = tf.oneHot(tf.cast(labels, 'int32'), logits.shape[1]);
    return tf.neg(tf.mean(tf.sum(tf.mul(onehot, logp), 1))) as tf.Scalar;
  });
}

/** Fraction of rows whose argmax equals the label (a number). */
export function accuracy(logits: tf.Tensor2D, labels: tf.Tensor1D): number {
  return tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(labels, 'int32')), 'float32')).dataSync()[0]);
}

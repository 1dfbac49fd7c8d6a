/** Shared by the Hessian tests: a seeded smoke-size S3 supernet with alphas away from uniform, and a batch. */
import { tf } from '../../lib/backend';
import { getSpace } from '../../lib/spaces/spaces';
import { SearchNetwork } from '../../lib/problems/darts/supernet/network';

/**
 * The S3 supernet at smoke size (L3, C2; ReLU throughout) of `seed`, its alphas set to
 * N(0, alphaScale) (seeds alphaSeeds), as after some search, so that the Hessian has structure.
 */
export function smokeSupernet(seed: number, alphaScale: number, alphaSeeds: [number, number]): SearchNetwork {
  const net = new SearchNetwork({ space: getSpace('s3'), C: 2, layers: 3, classes: 10, inChannels: 1, seed });
  tf.tidy(() => {
    net.alphas.normal.assign(tf.randomNormal(net.alphas.normal.shape, 0, alphaScale, 'float32', alphaSeeds[0]));
    net.alphas.reduce.assign(tf.randomNormal(net.alphas.reduce.shape, 0, alphaScale, 'float32', alphaSeeds[1]));
  });
  return net;
}

/** 16 uniform 12x12x1 images of `seed`, labels label(i) (the caller disposes both). */
export function smokeBatch(seed: number, label: (i: number) => number): { x: tf.Tensor4D; y: tf.Tensor1D } {
  return {
    x: tf.randomUniform([16, 12, 12, 1], -1, 1, 'float32', seed) as tf.Tensor4D,
    y: tf.tensor1d([...Array(16).keys()].map(label), 'int32'),
  };
}

/**
 * The two building blocks of the NAS-Bench-201 supernet (docs/method.md §8), as the benchmark's code
 * builds them for its DARTS search:
 *   - the search cell: 4 nodes, node 0 the cell's input, node j the sum over i < j of a mixed edge
 *     (j<-i) applied to node i; the output is node 3. An edge mixes its 5 ops by the softmax of its
 *     alphas: `none` (zeros), `skip_connect` (identity), `nor_conv_1x1` and `nor_conv_3x3`
 *     (ReLU-conv-BN, BN affine = false, no conv bias, as the benchmark's code when its results were
 *     published), `avg_pool_3x3` (padding not counted, no BN after it). Variables as the benchmark's
 *     `edges.<j<-i>.<k>.op.1.weight`, `.op.2.running_*`.
 *   - the residual reduction block between stages: ReLU-conv3x3(stride 2)-BN, ReLU-conv3x3-BN, plus
 *     a shortcut of 2x2 average pool (stride 2) and a 1x1 conv, summed; BNs affine. Variables
 *     `conv_a.*`, `conv_b.*`, `downsample.1.weight`.
 */
import { tf } from '../../backend';
import { Identity, Zero } from '../../nn/basic';
import { conv2d } from '../../nn/conv';
import { ReLUConvBN } from '../../nn/conv_ops';
import { sumN } from '../../nn/lean';
import { mixOps } from '../../nn/mix';
import { type ForwardContext, Module, type Op } from '../../nn/module';
import { AvgPool } from '../../nn/ops';
import { checkInteger, Init } from '../../nn/random';
import { NB201_EDGES, NB201_OPS, type Nb201Op } from '../../spaces/nb201';

/** One candidate op of a cell edge (stride 1, C channels in and out). */
function nb201Op(name: Nb201Op, C: number, init: Init): Op {
  switch (name) {
    case 'none':
      return new Zero(1);
    case 'skip_connect':
      return new Identity();
    case 'nor_conv_1x1':
      return new ReLUConvBN(C, C, 1, 1, 0, false, init);
    case 'nor_conv_3x3':
      return new ReLUConvBN(C, C, 3, 1, 1, false, init);
    case 'avg_pool_3x3':
      return new AvgPool(1);
  }
}

/** An edge's key as the benchmark names it, e.g. `2<-1`. */
export function edgeKey(node: number, input: number): string {
  return `${node}<-${input}`;
}

/** A search cell of C channels: 6 mixed edges, each with all 5 ops. */
export class Nb201Cell extends Module {
  /** The ops of each edge, edges in `NB201_EDGES` order, ops in `NB201_OPS` order. */
  readonly edges: readonly (readonly Op[])[];

  constructor(
    readonly C: number,
    init: Init,
  ) {
    super();
    checkInteger(C, 'Nb201Cell: C', 1);
    this.edges = NB201_EDGES.map(([node, input]) =>
      NB201_OPS.map((name, k) => this.addChild(`edges.${edgeKey(node, input)}.${k}`, nb201Op(name, C, init))),
    );
  }

  /** x [N, H, W, C], mixing weights [6, 5] -> node 3 [N, H, W, C]. The caller owns the result. */
  apply(x: tf.Tensor4D, weights: tf.Tensor2D, ctx: ForwardContext): tf.Tensor4D {
    return tf.tidy(() => {
      const rows = tf.unstack(weights) as tf.Tensor1D[];
      const nodes: tf.Tensor4D[] = [x];
      for (let node = 1; node < 4; node++) {
        const inputs: tf.Tensor4D[] = [];
        NB201_EDGES.forEach(([j, i], e) => {
          if (j !== node) return;
          inputs.push(mixOps(rows[e], this.edges[e], nodes[i], ctx));
        });
        nodes.push(sumN(inputs));
      }
      return nodes[3];
    });
  }

  /**
   * The discrete cell (RS-ws, docs/method.md §4): edge e computes only its op `ops[e]` (an index
   * into `NB201_OPS`), with weight 1, on the shared weights; no other op runs (so the others get
   * no gradient and their running statistics stay). Equals `apply` with one-hot mixing weights.
   * The caller owns the result.
   */
  applyArchitecture(x: tf.Tensor4D, ops: readonly number[], ctx: ForwardContext): tf.Tensor4D {
    return tf.tidy(() => {
      const nodes: tf.Tensor4D[] = [x];
      for (let node = 1; node < 4; node++) {
        const inputs: tf.Tensor4D[] = [];
        NB201_EDGES.forEach(([j, i], e) => {
          if (j === node) inputs.push(this.edges[e][ops[e]].apply(nodes[i], ctx));
        });
        nodes.push(sumN(inputs));
      }
      return nodes[3];
    });
  }
}

/** 2x2 average pool, stride 2, no padding (odd trailing rows and columns dropped, as PyTorch's floor). */
export function avgPool2x2(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const [oh, ow] = [Math.floor(h / 2), Math.floor(w / 2)];
    const even = oh * 2 === h && ow * 2 === w ? x : x.slice([0, 0, 0, 0], [n, oh * 2, ow * 2, c]);
    return even.reshape([n, oh, 2, ow, 2, c]).mean([2, 4]) as tf.Tensor4D;
  });
}

/** The residual block that halves the resolution and changes cin to cout channels between stages. */
export class ResidualReduction extends Module {
  private readonly convA: ReLUConvBN;
  private readonly convB: ReLUConvBN;
  private readonly shortcut: tf.Variable;

  constructor(cin: number, cout: number, init: Init) {
    super();
    this.convA = this.addChild('conv_a', new ReLUConvBN(cin, cout, 3, 2, 1, true, init));
    this.convB = this.addChild('conv_b', new ReLUConvBN(cout, cout, 3, 1, 1, true, init));
    this.shortcut = this.addVariable('downsample.1.weight', init.conv(1, 1, cin, cout), true, 'conv');
  }

  /** x [N, H, W, cin] -> [N, H / 2, W / 2, cout]. The caller owns the result. */
  apply(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    return tf.tidy(() => {
      const residual = conv2d(avgPool2x2(x), this.shortcut as tf.Tensor4D, 1, 0);
      return residual.add(this.convB.apply(this.convA.apply(x, ctx), ctx)) as tf.Tensor4D;
    });
  }
}

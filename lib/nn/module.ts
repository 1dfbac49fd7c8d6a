/**
 * Ownership of the supernet's variables (docs/method.md §2). A `Module` owns named tf.Variables: trainable
 * weights and batch-norm running statistics, named and ordered as the PyTorch DARTS code's
 * `state_dict()` (own parameters, own buffers, then each child under its attribute name or index).
 * lib/problems/darts/supernet/names.ts documents how our layouts map to PyTorch's. A `ForwardContext` carries what
 * one forward pass needs besides the input: the mode (batch norm with batch or running statistics),
 * whether to update the running statistics, and the seeds of the noise op.
 */
import { tf } from '../backend';
import type { ActivationPattern } from './pattern';
import { checkInteger, SeedStream } from './random';

/** How a variable's layout relates to PyTorch's (lib/problems/darts/supernet/names.ts). */
export type TorchLayout = 'conv' | 'depthwise' | 'linear' | 'vector';

/** One variable of a module, named relative to it (e.g. `op.1.weight`). */
export interface NamedVariable {
  readonly name: string;
  readonly variable: tf.Variable;
  /** Trainable weight (true) or running statistic (false). */
  readonly trainable: boolean;
  readonly layout: TorchLayout;
}

/** The base of every layer: a list of named variables and `dispose()`. */
export abstract class Module {
  private readonly entries: NamedVariable[] = [];

  /** Every variable of the module and its children, in PyTorch state_dict order. */
  get variables(): readonly NamedVariable[] {
    return this.entries;
  }

  /**
   * Makes a variable from `value` (which this call disposes) and registers it as `name`.
   * Variables are unnamed in the tfjs engine, so any number of modules can coexist.
   */
  protected addVariable(name: string, value: tf.Tensor, trainable: boolean, layout: TorchLayout): tf.Variable {
    const variable = tf.variable(value, trainable);
    value.dispose();
    this.entries.push({ name, variable, trainable, layout });
    return variable;
  }

  /** Registers `child`'s variables under `prefix.` and returns `child`. */
  protected addChild<M extends { readonly variables: readonly NamedVariable[] }>(prefix: string, child: M): M {
    for (const v of child.variables) this.entries.push({ ...v, name: `${prefix}.${v.name}` });
    return child;
  }

  /** Disposes every variable (children included). */
  dispose(): void {
    for (const { variable } of this.entries) if (!variable.isDisposed) variable.dispose();
  }
}

/** Options of a forward pass. */
export interface ForwardOptions {
  /** Batch statistics (true, as during the whole DARTS search) or running statistics (false). */
  readonly training: boolean;
  /**
   * Makes the noise op (S4) deterministic: the same seed gives the same noise, op by op, in one
   * forward pass. Without it each call draws fresh noise.
   */
  readonly seed?: number;
  /** Whether batch norm updates its running mean and variance; defaults to `training`. */
  readonly updateRunningStats?: boolean;
  /**
   * Records (first pass) or replays (later passes) every ReLU mask and max-pool choice
   * (lib/nn/pattern.ts): for Hessian-vector products by differences of gradients (lib/hessian).
   */
  readonly pattern?: ActivationPattern;
  /** ScheduledDropPath probability of this pass (training mode only; the search supernet, docs/method.md §4). */
  readonly dropPathProb?: number;
}

/** The state of one forward pass, handed to every op's `apply`. */
export class ForwardContext {
  readonly training: boolean;
  readonly updateRunningStats: boolean;
  readonly pattern: ActivationPattern | undefined;
  readonly dropPathProb: number;
  private readonly seeds: SeedStream | undefined;

  constructor(options: ForwardOptions) {
    if (typeof options.training !== 'boolean') throw new Error(`options.training=${options.training} is not a boolean`);
    if (options.seed !== undefined) checkInteger(options.seed, 'options.seed');
    this.training = options.training;
    this.updateRunningStats = options.updateRunningStats ?? options.training;
    if (this.updateRunningStats && !this.training) {
      throw new Error('options.updateRunningStats=true needs options.training=true (eval mode has no batch statistics)');
    }
    this.seeds = options.seed === undefined ? undefined : new SeedStream(options.seed);
    this.pattern = options.pattern;
    this.dropPathProb = options.dropPathProb ?? 0;
    if (!(this.dropPathProb >= 0 && this.dropPathProb < 1))
      throw new Error(`options.dropPathProb=${options.dropPathProb}; use a number in [0, 1)`);
    this.pattern?.beginPass();
  }

  /** The seed of the next random tensor: from the pass's seed when given, else fresh. */
  nextSeed(): number {
    return this.seeds ? this.seeds.next() : Math.floor(Math.random() * 0x100000000);
  }
}

/** The part of the forward context that batch norm reads. */
export type BnMode = Pick<ForwardContext, 'training' | 'updateRunningStats'> & { readonly pattern?: ActivationPattern };

/**
 * A candidate operation of an edge (lib/spaces/primitives.ts names them): it owns its weights and
 * maps x [N, H, W, C] to [N, H / stride, W / stride, C] (sizes rounded up).
 */
export interface Op {
  readonly variables: readonly NamedVariable[];
  /** The op's output; the caller owns it (it may be `x` itself, for the identity). */
  apply(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D;
  dispose(): void;
}

/** The number of elements of a list of variables. */
export function countElements(vars: readonly NamedVariable[]): number {
  return vars.reduce((n, v) => n + v.variable.size, 0);
}

/**
 * The operation registry's names (docs/method.md §2, "Ops"). An op is a name here; the layers
 * that implement each name live in lib/nn. The order is the DARTS code's `PRIMITIVES` list with
 * RobustDARTS's `noise` appended; a search space picks its own sublist per edge (lib/spaces/spaces).
 */
export const PRIMITIVES = [
  'none',
  'max_pool_3x3',
  'avg_pool_3x3',
  'skip_connect',
  'sep_conv_3x3',
  'sep_conv_5x5',
  'dil_conv_3x3',
  'dil_conv_5x5',
  'noise',
] as const;

/** The DARTS code's own 8 (`PRIMITIVES` without RobustDARTS's `noise`): the DARTS space's and AutoDispNet's ops. */
export const DARTS_PRIMITIVES = PRIMITIVES.slice(0, 8) as readonly Exclude<(typeof PRIMITIVES)[number], 'noise'>[];

/** One operation's name. */
export type OpName = (typeof PRIMITIVES)[number];

/**
 * The ops without learnable weights: `none`, the two pools, `skip_connect` and `noise`. (At stride 2
 * `skip_connect` becomes FactorizedReduce, which has weights; the paper's analysis, like ours,
 * counts it by name.)
 */
export const PARAMETER_FREE_OPS: readonly OpName[] = Object.freeze([
  'none',
  'max_pool_3x3',
  'avg_pool_3x3',
  'skip_connect',
  'noise',
] as const);

/** Whether `name` is one of `PRIMITIVES`. */
export function isOpName(name: string): name is OpName {
  return (PRIMITIVES as readonly string[]).includes(name);
}

/** Whether `op` has no learnable weights (see `PARAMETER_FREE_OPS`). */
export function isParameterFree(op: OpName): boolean {
  return PARAMETER_FREE_OPS.includes(op);
}

/**
 * The search spaces as data (docs/method.md §2, "Spaces"): each maps every edge of the normal and
 * the reduction cell to its list of op names. A list's order fixes alpha's column index on that
 * edge. S2, S3, S4 and DARTS (the code's `s5`) use one list on every edge; S1 has its own pair per
 * edge, the same for every data set (RobustDARTS src/spaces.py, `primitives_1`).
 */
import { DARTS_PRIMITIVES, type OpName } from './primitives';
import { NUM_EDGES } from './topology';

export const SPACE_NAMES = ['s1', 's2', 's3', 's4', 'darts'] as const;
export type SpaceName = (typeof SPACE_NAMES)[number];

/** A search space: `normal[e]` and `reduce[e]` are the candidate ops of edge e (14 each). */
export interface SearchSpace {
  readonly name: SpaceName;
  readonly normal: readonly (readonly OpName[])[];
  readonly reduce: readonly (readonly OpName[])[];
}

type Pair = readonly [OpName, OpName];
const skip = 'skip_connect';
const mp = 'max_pool_3x3';
const ap = 'avg_pool_3x3';
const sep3 = 'sep_conv_3x3';
const dil3 = 'dil_conv_3x3';
const dil5 = 'dil_conv_5x5';

/** S1 per edge as [normal, reduce], docs/method.md's table e0 .. e13. */
const S1_EDGES: readonly (readonly [Pair, Pair])[] = [
  [
    [skip, dil3],
    [mp, ap],
  ], // e0
  [
    [skip, dil5],
    [mp, dil3],
  ], // e1
  [
    [skip, dil5],
    [mp, ap],
  ], // e2
  [
    [skip, sep3],
    [mp, ap],
  ], // e3
  [
    [skip, dil3],
    [skip, dil5],
  ], // e4
  [
    [mp, skip],
    [mp, ap],
  ], // e5
  [
    [skip, sep3],
    [mp, sep3],
  ], // e6
  [
    [skip, sep3],
    [skip, dil3],
  ], // e7
  [
    [skip, dil3],
    [skip, dil5],
  ], // e8
  [
    [skip, sep3],
    [mp, ap],
  ], // e9
  [
    [mp, skip],
    [mp, ap],
  ], // e10
  [
    [skip, dil3],
    [skip, dil5],
  ], // e11
  [
    [dil3, dil5],
    [skip, dil5],
  ], // e12
  [
    [dil3, dil5],
    [skip, dil5],
  ], // e13
];

// Every primitive but `noise`, in PRIMITIVES' order (which fixes alpha's column order).
const DARTS_OPS: readonly OpName[] = DARTS_PRIMITIVES;

function freezeCell(lists: readonly (readonly OpName[])[]): readonly (readonly OpName[])[] {
  return Object.freeze(lists.map((ops) => Object.freeze([...ops])));
}

function makeSpace(name: SpaceName, normal: readonly (readonly OpName[])[], reduce = normal): SearchSpace {
  return Object.freeze({ name, normal: freezeCell(normal), reduce: freezeCell(reduce) });
}

function uniform(name: SpaceName, ops: readonly OpName[]): SearchSpace {
  return makeSpace(
    name,
    Array.from({ length: NUM_EDGES }, () => ops),
  );
}

/** Every search space by name. */
export const SPACES: Readonly<Record<SpaceName, SearchSpace>> = Object.freeze({
  s1: makeSpace(
    's1',
    S1_EDGES.map(([n]) => n),
    S1_EDGES.map(([, r]) => r),
  ),
  s2: uniform('s2', ['skip_connect', 'sep_conv_3x3']),
  s3: uniform('s3', ['none', 'skip_connect', 'sep_conv_3x3']),
  s4: uniform('s4', ['noise', 'sep_conv_3x3']),
  darts: uniform('darts', DARTS_OPS),
});

/** The search space called `name`; throws on an unknown name, listing the known ones. */
export function getSpace(name: string): SearchSpace {
  if ((SPACE_NAMES as readonly string[]).includes(name)) return SPACES[name as SpaceName];
  throw new Error(`unknown search space ${JSON.stringify(name)}; use one of ${SPACE_NAMES.join(', ')}`);
}

/** Alpha's shape: the number of candidate ops on each edge, per cell type (14 entries each). */
export function alphaShape(space: SearchSpace): { readonly normal: number[]; readonly reduce: number[] } {
  return { normal: space.normal.map((ops) => ops.length), reduce: space.reduce.map((ops) => ops.length) };
}

/** The number of alphas (normal and reduce together): 56 for S1, S2, S4; 84 for S3; 224 for DARTS. */
export function alphaDim(space: SearchSpace): number {
  const { normal, reduce } = alphaShape(space);
  return [...normal, ...reduce].reduce((a, b) => a + b, 0);
}

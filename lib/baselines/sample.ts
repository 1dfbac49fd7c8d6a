/**
 * Uniformly random architectures of a search space (docs/method.md §4, RS-ws; Li & Talwalkar 2019's
 * `sample_arch`): for each cell type and each node, 2 distinct inputs drawn uniformly among the
 * node's predecessors, and on each the op drawn uniformly among that edge's ops excluding `none`
 * (a genotype never holds `none`, docs/method.md §2; the original RandomNAS code could draw it in S3).
 * S1's per-edge lists are respected. The draw is a function of the `rng` only.
 */
import { type Rng, sampleWithoutReplacement } from '../nn/random';
import type { Genotype, GenotypeEntry } from '../spaces/genotype';
import type { SearchSpace } from '../spaces/spaces';
import { EDGES, NUM_NODES } from '../spaces/topology';

const CONCAT: readonly number[] = [2, 3, 4, 5];

/** The ops that an architecture may take on `edge` of a cell type: its list without `none`. */
export function edgeChoices(lists: SearchSpace['normal'], edge: number, what: string): SearchSpace['normal'][number] {
  const ops = lists[edge].filter((op) => op !== 'none');
  if (ops.length === 0) throw new Error(`${what}: edge ${edge} offers no op other than none`);
  return ops;
}

function sampleCell(lists: SearchSpace['normal'], rng: Rng, what: string): GenotypeEntry[] {
  const entries: GenotypeEntry[] = [];
  for (let node = 0; node < NUM_NODES; node++) {
    // Ascending inputs: one spelling per architecture (the order within a node does not change it).
    const inputs = Array.from(sampleWithoutReplacement(node + 2, 2, rng)).sort((a, b) => a - b);
    for (const input of inputs) {
      const edge = EDGES.findIndex((e) => e.node === node && e.input === input);
      const ops = edgeChoices(lists, edge, what);
      entries.push([ops[rng.int(ops.length)], input]);
    }
  }
  return entries;
}

/**
 * A uniformly random genotype of `space` (file header), normal cell first, drawn from `rng`
 * (e.g. `new Rng(mixSeed(seed, epoch, step))`): the same stream gives the same genotype.
 */
export function sampleGenotype(space: SearchSpace, rng: Rng): Genotype {
  return {
    normal: sampleCell(space.normal, rng, `sampleGenotype (${space.name}, normal)`),
    normalConcat: [...CONCAT],
    reduce: sampleCell(space.reduce, rng, `sampleGenotype (${space.name}, reduce)`),
    reduceConcat: [...CONCAT],
  };
}

/**
 * The search problems that RS-ws (./rs_ws.ts, docs/method.md §4) runs on, each with what RS-ws needs
 * beyond the seam of lib/search/problem.ts: a uniformly random architecture and the supernet's
 * discrete pass (one op per edge, weight 1, on the shared weights).
 *   - The DARTS supernet over S1-S4 and the DARTS space: genotypes drawn by ./sample.ts (2 inputs
 *     per node, never `none`), run by the supernet's `architecture` pass.
 *   - NAS-Bench-201: each of the 6 edges takes one of the 5 ops uniformly, `none` included, so every
 *     one of the 15,625 cells is equally likely (the benchmark's RSPS draws its cells so); run by
 *     the NAS-Bench-201 supernet's `architecture` pass. Cells are kept as the epoch records keep
 *     them, `{ arch }`, so the benchmark's table looks them up.
 */
import type { tf } from '../backend';
import type { LoopConfig, SearchConfig } from '../config/search_config';
import type { Dataset } from '../data/dataset';
import type { Batch } from '../nn/loss';
import type { PassOptions, SearchModel } from '../nn/model';
import type { Rng } from '../nn/random';
import { dartsProblem } from '../problems/darts/problem';
import type { SearchNetwork } from '../problems/darts/supernet/network';
import { NB201_CONFIG_CODEC, type Nb201Config } from '../problems/nb201/config';
import { type Nb201Genotype, nb201Problem } from '../problems/nb201/problem';
import type { Nb201Supernet } from '../problems/nb201/supernet';
import type { ArchitectureRecord } from '../runs/records';
import type { SearchProblem } from '../search/problem';
import { formatGenotype, type Genotype } from '../spaces/genotype';
import { NB201_EDGES, nb201Arch, NB201_OPS } from '../spaces/nb201';
import { getSpace } from '../spaces/spaces';
import { sampleGenotype } from './sample';

/** The configs RS-ws takes: a DARTS search config, or a NAS-Bench-201 one (`problem: 'nb201'`). */
export type RsWsConfig = SearchConfig | Nb201Config;

/** A search problem as RS-ws sees it, with architectures of type G. */
export interface RsWsSpace<G> {
  /** The validated config. */
  readonly config: LoopConfig;
  /** Its data (image data: the weights' and the alphas' halves), model and codec. */
  readonly problem: SearchProblem<Batch, ArchitectureRecord, LoopConfig>;
  /** A uniformly random architecture, a function of `rng` only. */
  sample(rng: Rng): G;
  /** The loss of `batch` through the discrete `architecture` on `net`'s shared weights; the caller owns both tensors. */
  loss(net: SearchModel<Batch>, batch: Batch, options: PassOptions, architecture: G): { loss: tf.Scalar; output: tf.Tensor };
  /** The architecture in one line. */
  format(architecture: G): string;
}

/** The DARTS problem of `config` for RS-ws (a bad config throws naming its fields). */
export function dartsRsWs(config: SearchConfig, train?: Dataset): RsWsSpace<Genotype> {
  const problem = dartsProblem(config, train);
  const space = getSpace(problem.config.space);
  return {
    config: problem.config,
    problem: problem as unknown as SearchProblem<Batch, ArchitectureRecord, LoopConfig>,
    sample: (rng) => sampleGenotype(space, rng),
    loss: (net, batch, options, architecture) => (net as SearchNetwork).loss(batch, { ...options, architecture }),
    format: formatGenotype,
  };
}

/** A uniformly random NAS-Bench-201 cell (file header), a function of `rng` only. */
export function sampleNb201Cell(rng: Rng): Nb201Genotype {
  return { arch: nb201Arch(NB201_EDGES.map(() => NB201_OPS[rng.int(NB201_OPS.length)])) };
}

/** The NAS-Bench-201 problem of `config` for RS-ws (a bad config throws naming its fields). */
export function nb201RsWs(config: Nb201Config, train?: Dataset): RsWsSpace<Nb201Genotype> {
  const checked = NB201_CONFIG_CODEC.check(config, 'RS-ws on NAS-Bench-201');
  const problem = nb201Problem(checked, train);
  return {
    config: checked,
    problem: problem as unknown as SearchProblem<Batch, ArchitectureRecord, LoopConfig>,
    sample: sampleNb201Cell,
    loss: (net, batch, options, architecture) => (net as Nb201Supernet).loss(batch, { ...options, architecture }),
    format: (architecture) => architecture.arch,
  };
}

/** RS-ws's view of `config`, by its `problem` (absent: DARTS); another problem throws, naming it. */
export function rsWsSpace(config: RsWsConfig, train?: Dataset): RsWsSpace<unknown> {
  const problem = (config as { readonly problem?: unknown }).problem;
  if (problem === 'nb201') return nb201RsWs(config as Nb201Config, train) as RsWsSpace<unknown>;
  if (problem !== undefined) {
    throw new Error(`RS-ws runs on the DARTS search spaces and NAS-Bench-201 (problem 'nb201'); got problem ${JSON.stringify(problem)}`);
  }
  return dartsRsWs(config as SearchConfig, train) as RsWsSpace<unknown>;
}

/**
 * The language-modelling search problem (lib/search/problem.ts; docs/method.md §9): the DARTS
 * recurrent search cell in its language model (./model.ts) on a text corpus in BPTT windows
 * (./data.ts), searched by the same loop, store, checkpoints, curvature tracking and DARTS-ES/ADA
 * controller as the image problems. Every epoch record carries the raw alphas [36][5], their
 * softmax and the discrete cell (lib/spaces/recurrent.ts), and its `valid` loss is the validation
 * NLL per token (exp of it: the search network's validation perplexity).
 */
import type { SearchModel } from '../../nn/model';
import type { ArchitectureRecord } from '../../runs/records';
import type { SearchProblem } from '../../search/problem';
import { softmaxRows } from '../../spaces/genotype';
import { deriveRecurrentGenotype, formatRecurrentGenotype, type RecurrentGenotype } from '../../spaces/recurrent';
import { type PtbConfig, PTB_CONFIG_CODEC } from './config';
import { loadCorpus, textSearchData, type TextSearchData, type TextWindow } from './data';
import { RecurrentSearchModel } from './model';

/** The architecture fields of a language-modelling epoch record. */
export interface RecurrentArchitectureRecord extends ArchitectureRecord {
  /** Raw alphas [36][5]: edge (i, j) in row i(i-1)/2 + j, ops in RECURRENT_PRIMITIVES order. */
  readonly alphas: number[][];
  /** softmax(alphas) row-wise: the mixing weights. */
  readonly weights: number[][];
  readonly genotype: RecurrentGenotype;
}

/** The record fields of a model's alphas. */
export function recurrentArchitecture(model: SearchModel<TextWindow>): RecurrentArchitectureRecord {
  const alphas = model.alphaParams.get('alphas')?.arraySync() as number[][];
  const weights = softmaxRows(alphas);
  return { alphas, weights, genotype: deriveRecurrentGenotype(weights) };
}

/** The language-modelling search problem of `config`. */
export function ptbProblem(config: PtbConfig): SearchProblem<TextWindow, RecurrentArchitectureRecord, PtbConfig> {
  const corpusName = config.corpus.source === 'synthetic' ? 'synthetic corpus' : `${config.corpus.source} ${config.corpus.folder}`;
  return {
    config,
    codec: PTB_CONFIG_CODEC,
    label: `recurrent cell on the ${corpusName}, E=H ${config.size}, seed ${config.seed}`,
    loadData: () => {
      const { corpus, source } = loadCorpus(config);
      return textSearchData(config, corpus, source);
    },
    createModel: (data) => new RecurrentSearchModel((data as TextSearchData).corpus.vocabulary.length, config),
    architecture: (model) => recurrentArchitecture(model),
    describe: (a) => `cell ${formatRecurrentGenotype(a.genotype)}`,
    // The DARTS rnn code's unrolled step clips at the weights' own clip (args.clip, rnn/architect.py).
    unrolledClip: config.weightOptimizer.gradClip,
  };
}

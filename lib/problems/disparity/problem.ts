/**
 * The disparity search problem (lib/search/problem.ts): the AutoDispNet search supernet
 * (./network.ts) on stereo pairs (./data.ts), searched by the same loop, store, checkpoints,
 * curvature tracking and DARTS-ES/ADA controller as the other problems. Every epoch record carries
 * the raw alphas of the three cell types, their softmax and the discrete cells
 * (lib/spaces/autodispnet.ts); its `loss` fields are the multi-scale EPE and its `accuracy` fields
 * the end-point error at full size, in pixels (lower is better).
 */
import type { SearchModel } from '../../nn/model';
import type { ArchitectureRecord } from '../../runs/records';
import type { SearchProblem } from '../../search/problem';
import { softmaxRows } from '../../spaces/genotype';
import { type AutoDispNetGenotype, deriveAutoDispNetGenotype, formatAutoDispNetGenotype } from '../../spaces/autodispnet';
import { DISPARITY_CONFIG_CODEC, type DisparityConfig } from './config';
import { loadStereoSplits, stereoSearchData, type StereoSearchData, type StereoSource } from './data';
import { DISPARITY_ALPHA_NAMES, type DisparityNetworkConfig, DisparitySupernet, type StereoBatch } from './network';

/** Rows of each cell type's alphas or weights: normal [9][8], reduce [9][8], upsample [15][8]. */
export interface AutoDispNetRows {
  readonly normal: number[][];
  readonly reduce: number[][];
  readonly upsample: number[][];
}

/** The architecture fields of a disparity epoch record. */
export interface DisparityArchitectureRecord extends ArchitectureRecord {
  /** Raw alphas, ops in AUTODISPNET_PRIMITIVES order. */
  readonly alphas: AutoDispNetRows;
  /** softmax(alphas) row-wise: the mixing weights. */
  readonly weights: AutoDispNetRows;
  readonly genotype: AutoDispNetGenotype;
}

/** The record fields of a model's alphas. */
export function disparityArchitecture(model: SearchModel<StereoBatch>): DisparityArchitectureRecord {
  const rows = (name: string) => {
    const a = model.alphaParams.get(name);
    if (!a) throw new Error(`disparityArchitecture: the model has no ${name}`);
    return a.arraySync() as number[][];
  };
  const alphas = {
    normal: rows(DISPARITY_ALPHA_NAMES.normal),
    reduce: rows(DISPARITY_ALPHA_NAMES.reduce),
    upsample: rows(DISPARITY_ALPHA_NAMES.upsample),
  };
  const weights = { normal: softmaxRows(alphas.normal), reduce: softmaxRows(alphas.reduce), upsample: softmaxRows(alphas.upsample) };
  return { alphas, weights, genotype: deriveAutoDispNetGenotype(alphas) };
}

/** The disparity search problem of `config`. */
export function disparityProblem(config: DisparityConfig): SearchProblem<StereoBatch, DisparityArchitectureRecord, DisparityConfig> {
  const d = config.data;
  const data = d.source === 'synthetic' ? `synthetic stereo ${d.height}x${d.width}` : `stereo folders ${d.train}`;
  return {
    config,
    codec: DISPARITY_CONFIG_CODEC,
    label: `AutoDispNet supernet C${config.network.C} on ${data}, seed ${config.seed}`,
    // The casts: tslab compiles without strictNullChecks, where zod's fields read as optional.
    loadData: () => stereoSearchData(loadStereoSplits(config.data as StereoSource)),
    createModel: (loaded) => {
      const { height, width } = (loaded as StereoSearchData).splits.train;
      const net = new DisparitySupernet(config.network as DisparityNetworkConfig, config.seed, config.lossWeights);
      try {
        net.checkImageSize(height, width);
      } catch (e) {
        net.dispose();
        throw e;
      }
      return net;
    },
    architecture: (model) => disparityArchitecture(model),
    describe: (a) => formatAutoDispNetGenotype(a.genotype),
    metricName: 'EPE px',
  };
}

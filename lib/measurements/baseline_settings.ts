/**
 * The settings of the baselines per preset (docs/method.md §4): how many random-search candidates
 * and RS-ws samples, and the training config random search scores its candidates with. The plan
 * (lib/experiments) and notebook 04 read them.
 */
import type { PresetName } from '../config/preset';
import { DATASETS } from '../data/registry';
import { RS_WS_DEFAULTS, type RsWsParameters } from '../baselines/rs_ws';
import { resolveTrainConfig, type TrainConfig } from '../train/train_config';

/** The sizes of the two random-search baselines at a preset. */
export interface BaselineSettings {
  /** RS-ws's selection phase (docs/method.md §4: 1000 samples, 10 score batches, top 10). */
  readonly rsWs: RsWsParameters;
  readonly randomSearch: {
    /** Architectures trained from scratch. */
    readonly samples: number;
    /** Held-out training images that score each trained architecture (`heldOutAccuracy`). */
    readonly validImages: number;
  };
}

/**
 * Per preset, chosen so that a baseline costs no more than the searches it is compared with
 * (measured: scoring one architecture on one batch of 64 costs about 0.09 s on one core):
 *   smoke  RS-ws 20 / 2 / 3, RS 3 candidates: seconds, for CI;
 *   quick  RS-ws 200 / 5 / 5 (about 1.5 min of scoring, below a 4-min search), RS 3 (2.5 min each);
 *   mini   RS-ws the paper's 1000 / 10 / 10 (about 15 min of scoring, half a mini search), RS 4 (11 min each);
 *   paper  RS-ws the paper's, RS 8.
 */
export const BASELINE_SETTINGS: Readonly<Record<PresetName, BaselineSettings>> = Object.freeze({
  smoke: { rsWs: { samples: 20, scoreBatches: 2, topK: 3 }, randomSearch: { samples: 3, validImages: 64 } },
  quick: { rsWs: { samples: 200, scoreBatches: 5, topK: 5 }, randomSearch: { samples: 3, validImages: 1000 } },
  mini: { rsWs: RS_WS_DEFAULTS, randomSearch: { samples: 4, validImages: 1000 } },
  paper: { rsWs: RS_WS_DEFAULTS, randomSearch: { samples: 8, validImages: 5000 } },
});

/** The baselines' sizes at `preset` (BASELINE_SETTINGS). */
export function baselineSettings(preset: PresetName): BaselineSettings {
  const s = BASELINE_SETTINGS[preset];
  if (!s) throw new Error(`baselineSettings: preset "${preset}" has no baseline settings`);
  return s;
}

/**
 * The evaluation config random search trains its candidates with: the preset's, which leaves the
 * training images after `trainSubset` unused (held out); at `paper`, which trains on the whole
 * training split (DATASETS' trainImages: 50,000 for CIFAR-10), the last `validImages` are held out instead.
 */
export function randomSearchTrainConfig(preset: PresetName): TrainConfig {
  const config = resolveTrainConfig(preset);
  if (config.trainSubset !== null) return config;
  const images = DATASETS[config.dataset].trainImages;
  return resolveTrainConfig(preset, { trainSubset: images - baselineSettings(preset).randomSearch.validImages }, 'random search hold-out');
}

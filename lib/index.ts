/**
 * The package root: what a user's script needs, grouped by concept (README.md "The API" lists it;
 * test/package/api.test.ts pins it). Everything else is under a subpath named after its folder,
 * e.g. `robust-darts-ts/analysis` (tables, figures, the notebooks' builders), `/hessian`, `/nn`,
 * `/runs`, `/search`, `/spaces`, `/problems/darts` (the supernet and its search), `/problems/nb201`, `/train` (docs/architecture.md has the layers).
 */

// The engine: tfjs with the wasm backend and our kernels, and the versions that records carry.
export { backendInfo, initBackend, tf } from './backend';
export type { BackendInfo } from './backend';
export { softwareVersions } from './versions';

// Search configs and presets (docs/method.md §1, §3, §4).
export { checkConfig, ConfigError, resolveConfig } from './config/search_config';
export type { ConfigOverrides, LoopConfig, SearchConfig } from './config/search_config';
export type { ConfigCodec } from './config/validation';
export { presetFromEnv, PRESETS } from './config/preset';
export type { PresetName } from './config/preset';
export { SEARCH_PRESETS } from './config/presets';

// Searching: the DARTS problem, any problem, and the seam between them (docs/architecture.md).
export { ensureRun } from './problems/darts/run';
export type { EnsureRunOptions } from './problems/darts/run';
export { dartsProblem, searchData } from './problems/darts/problem';
export { runSearch } from './search/run';
export type { RunOptions, RunResult } from './search/run';
export type { EpochPlan, SearchData, SearchProblem } from './search/problem';
export type { PassOptions, SearchModel } from './nn/model';

// NAS-Bench-201: its DARTS search, and the benchmark's test accuracy of any cell (docs/method.md §8).
export { nb201Problem } from './problems/nb201/problem';
export type { Nb201ArchitectureRecord } from './problems/nb201/problem';
export { resolveNb201Config } from './problems/nb201/config';
export type { Nb201Config } from './problems/nb201/config';
export { nb201ArchString } from './spaces/nb201';
export { nb201TestAccuracy } from './data/nb201_table';

// What a search stores: runs, records, checkpoints.
export { listRuns, readRun, runDirFor } from './runs/store';
export { finalGenotype } from './runs/run_read';
export type { RunSummary, StoredRun } from './runs/store';
export type { ArchitectureRecord, ControllerDecision, DartsArchitectureRecord, EpochRecord, LossAccuracy } from './runs/records';
export { loadCheckpoint, saveCheckpoint } from './runs/checkpoint';

// Spaces and genotypes (docs/method.md §2).
export { getSpace, SPACES } from './spaces/spaces';
export type { SearchSpace } from './spaces/spaces';
export { formatGenotype, genotype } from './spaces/genotype';
export type { Genotype } from './spaces/genotype';

// Curvature and early stopping (docs/method.md §3, §4).
export { CURVATURE_DEFAULTS, measureCurvature } from './hessian/track';
export type { CurvatureRecord, CurvatureSettings } from './hessian/track';
export { CODE_RULE, earlyStopDecision, PAPER_RULE } from './control/early_stop';
export { controllerDecision } from './control/controller';
export { selectRun } from './control/select';

// Training a genotype from scratch (docs/method.md §5), and the baselines.
export { ensureEvaluation } from './train/train';
export type { StoredEvaluation } from './train/train';
export { resolveTrainConfig } from './train/train_config';
export type { TrainConfig } from './train/train_config';
export { randomSearch } from './baselines/random_search';
export { ensureRsWs } from './baselines/rs_ws';
export { ensureProxyRandomSearch } from './baselines/proxy_random_search';

// Data sets.
export { DATASETS, loadDataset } from './data/registry';
export { readImageFolder } from './data/image_folder';
export type { Dataset } from './data/dataset';

// Tables, figures, output that works in a notebook and on a terminal.
export { saveTable, showTable } from './analysis/tables';
export { saveFigure, showFigure } from './analysis/figures';
export type { Figure } from './analysis/figures';
export { show } from './io/display';

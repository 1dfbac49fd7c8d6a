/**
 * robust-darts-ts: the curated public API. Import from the package root:
 *   import { initBackend, tf, saveTable } from 'robust-darts-ts';
 */
export { BACKENDS, backendInfo, initBackend, tf, wasmBinaryDir } from './backend';
export type { BackendInfo, BackendName } from './backend';
export { PRESETS, parsePreset, presetFromEnv } from './config/preset';
export type { PresetName } from './config/preset';
export { inNotebook, show } from './analysis/display';
export { figureDiv, figureHtml, plotlyVersion, saveFigure, showFigure } from './analysis/figures';
export type { Figure } from './analysis/figures';
export { saveTable, showTable } from './analysis/tables';
export type { SavedTable, ShowTableOptions } from './analysis/tables';
export { listNotebooks, NotebookError, runNotebook, runNotebooks } from './notebooks/run';
export type { NotebookRunOptions, NotebookRunResult } from './notebooks/run';
export { KERNEL_NAME, jupyterEnv, openJupyter } from './notebooks/jupyter';
export { checkFileStem, packageRoot, resultsDir } from './paths';
export { writeFileAtomic } from './runs/atomic';
export { packageVersion, softwareVersions } from './versions';
export {
  checkTensorSet, decodeSafetensors, encodeSafetensors, loadSafetensors, SAFETENSORS_DTYPES, saveSafetensors,
} from './runs/safetensors';
export type { Dtype, SafetensorsContents, TensorData, TensorRecord, TensorSet } from './runs/safetensors';
export { isOpName, isParameterFree, PARAMETER_FREE_OPS, PRIMITIVES } from './spaces/primitives';
export type { OpName } from './spaces/primitives';
export { EDGES, edgeStride, NUM_EDGES, NUM_NODES, nodeEdges, REDUCTION_STRIDE_EDGES } from './spaces/topology';
export type { Edge } from './spaces/topology';
export { alphaDim, alphaShape, getSpace, SPACE_NAMES, SPACES } from './spaces/spaces';
export type { SearchSpace, SpaceName } from './spaces/spaces';
export { DARTS_V2, formatGenotype, genotype, parameterFreeShare } from './spaces/genotype';
export type { Alphas, Genotype, GenotypeEntry } from './spaces/genotype';

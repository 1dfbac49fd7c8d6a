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

/**
 * robust-darts-ts: the curated public API. Import from the package root:
 *   import { initBackend, tf, saveTable } from 'robust-darts-ts';
 */
export { BACKENDS, backendInfo, initBackend, tf, wasmBinaryDir } from './backend';
export type { BackendInfo, BackendName } from './backend';
export { PRESETS, parsePreset, presetFromEnv } from './config/preset';
export type { PresetName } from './config/preset';
export { inNotebook, show } from './analysis/display';
export { figureDiv, figureHtml, plotlyVersion, saveFigure, showFigure, svgFigure } from './analysis/figures';
export type { Figure, SaveFigureOptions } from './analysis/figures';
export { chromiumExecutable, closeBrowser, figurePng, pngSize, pngSupport, savePng } from './analysis/png';
export type { PngOptions, PngSupport } from './analysis/png';
export { saveFindings, saveTable, showTable } from './analysis/tables';
export type { SavedTable, ShowTableOptions } from './analysis/tables';
export { DEFAULT_READ_ONLY, listNotebooks, NotebookError, runNotebook, runNotebooks } from './notebooks/run';
export type { NotebookRunOptions, NotebookRunResult } from './notebooks/run';
export { KERNEL_NAME, jupyterEnv, openJupyter } from './notebooks/jupyter';
export { checkFileStem, packageRoot, resultsDir } from './paths';
export { writeFileAtomic } from './runs/atomic';
export { dataFingerprint } from './data/fingerprint';
export { acquireLock, LOCK_FILE } from './runs/lock';
export { assertMayCompute, computeDisabled, NO_COMPUTE_ENV } from './runs/compute_guard';
export { ENGINE_REVISION, engineRevisionOf, packageVersion, softwareVersions } from './versions';
export {
  checkTensorSet,
  decodeSafetensors,
  encodeSafetensors,
  loadSafetensors,
  SAFETENSORS_DTYPES,
  saveSafetensors,
} from './runs/safetensors';
export type { Dtype, SafetensorsContents, TensorData, TensorRecord, TensorSet } from './runs/safetensors';
export { isOpName, isParameterFree, PARAMETER_FREE_OPS, PRIMITIVES } from './spaces/primitives';
export type { OpName } from './spaces/primitives';
export { EDGES, edgeStride, NUM_EDGES, NUM_NODES, nodeEdges, REDUCTION_STRIDE_EDGES } from './spaces/topology';
export type { Edge } from './spaces/topology';
export { alphaDim, alphaShape, getSpace, SPACE_NAMES, SPACES } from './spaces/spaces';
export type { SearchSpace, SpaceName } from './spaces/spaces';
export { DARTS_V2, formatGenotype, genotype, parameterFreeCount, parameterFreeShare } from './spaces/genotype';
export type { Alphas, Genotype, GenotypeEntry } from './spaces/genotype';
export { BatchNorm, batchNorm } from './nn/batchnorm';
export type { BatchNormState } from './nn/batchnorm';
export { Identity, Noise, noise, stridedShape, Zero, zero } from './nn/basic';
export { DilConv, dilConv, ReLUConvBN, reluConvBN, SepConv, sepConv } from './nn/conv_ops';
export type { SepBlock } from './nn/conv_ops';
export { FactorizedReduce, factorizedReduce } from './nn/factorized_reduce';
export { countElements, ForwardContext, Module } from './nn/module';
export type { BnMode, ForwardOptions, NamedVariable, Op, TorchLayout } from './nn/module';
export { concatChannels, sumN, weightedSum } from './nn/lean';
export { AvgPool, MaxPool, OPS } from './nn/ops';
export type { OpFactory } from './nn/ops';
export { avgPool3x3, avgPoolCorrection, maxPool3x3, relu } from './nn/pool';
export { Init, SeedStream } from './nn/random';
export { SearchCell } from './supernet/cell';
export type { CellSizes } from './supernet/cell';
export { MixedOp, mixOutputs, softmaxRows } from './supernet/mixed_op';
export { fromTorchPermutation, torchShape, torchStateDictShapes, toTorchPermutation } from './supernet/names';
export { SearchNetwork } from './supernet/network';
export type { SupernetConfig, SupernetForwardOptions } from './supernet/network';
export { conv2d, countConvFlops, depthwiseConv2d, dilateFilter, symmetricPadding } from './nn/conv';
export { Adam, clipScale, globalNorm, Sgd } from './search/optim';
export type { AdamOptions, NamedTensors, SgdOptions } from './search/optim';
export { accuracy, alphaParams, alphaStep, crossEntropy, lossAndGrads, unrolledAlphaGrads, weightStep } from './search/step';
export type { AlphaStepOptions, Batch, StepResult, Supernet, WeightStepOptions } from './search/step';
export { DEFAULT_BENCH, runSearchBench } from './bench/search_bench';
export type { BenchConfig, PhaseTiming } from './bench/search_bench';
export { installLeanBackprop } from './engine/lean_backprop';
export { CHECK_CASES, CHECK_TOLERANCE, compareBackends, measureCase, relativeErrors } from './engine/differential';
export type { CaseComparison, Measurement, SupernetCase } from './engine/differential';
export { WASM_GRADIENT_KERNELS } from './kernels/register';
export { ADAM_PREFIX, CHECKPOINT_LAYOUT, CHECKPOINT_VERSION, loadCheckpoint, SGD_PREFIX, saveCheckpoint } from './runs/checkpoint';
export type { LoadedCheckpoint, MetaValue, SearchState } from './runs/checkpoint';
export { channelStats, checkLabels, DATASET_NAMES, fileError, labelHistogram, makeSplits } from './data/dataset';
export type { Dataset, DatasetName, DatasetSplits, ImageShape, RawSplit } from './data/dataset';
export { dataDirs, locateFiles, readDataFile } from './data/files';
export type { LocateOptions, Located } from './data/files';
export { FASHION_MNIST_FILES, FASHION_MNIST_SYSTEM_DIR, loadFashionMnist, parseIdx, readIdxSplit } from './data/idx';
export type { IdxArray } from './data/idx';
export {
  CIFAR10_FILES,
  CIFAR10_LAYOUT,
  CIFAR100_FILES,
  CIFAR100_LAYOUT,
  loadCifar10,
  loadCifar100,
  parseCifarRecords,
  readCifarFiles,
} from './data/cifar';
export type { CifarLayout } from './data/cifar';
export { readMat } from './data/mat';
export type { MatNumeric, MatVariable } from './data/mat';
export { loadSvhn, parseSvhnMat, SVHN_FILES, svhnImages } from './data/svhn';
export { DATA_SOURCES, DATASETS, loadDataset, parseDatasetName } from './data/registry';
export type { DataSource, DatasetInfo } from './data/registry';
export { mixSeed, permutation, Rng, sampleWithoutReplacement } from './data/rng';
export {
  applyCutout,
  checkAugment,
  drawAugment,
  IDENTITY_DRAW,
  NO_AUGMENT,
  normaliseTable,
  trainAugment,
  writeImage,
} from './data/augment';
export type { AugmentOptions, Geometry, ImageDraw } from './data/augment';
export {
  batchCount,
  epochBatches,
  epochOrder,
  evalBatches,
  fillBatch,
  makeBatch,
  sampleBatch,
  searchSplit,
  subsetSize,
} from './data/batches';
export type { BatchOptions, SearchSplit, Subset } from './data/batches';
export {
  adamOptions,
  canonicalConfig,
  checkConfig,
  ConfigError,
  resolveConfig,
  runId,
  SearchConfigSchema,
  sgdOptions,
} from './config/search_config';
export type { ConfigOverrides, SearchConfig } from './config/search_config';
export { DEFAULT_SEARCH_CONFIG, PRESET_RUNTIME, SEARCH_PRESETS } from './config/presets';
export {
  appendEpoch,
  checkpointEpochs,
  checkpointFile,
  createRun,
  latestCheckpoint,
  listRuns,
  markDone,
  prepareResume,
  pruneCheckpoints,
  readEpochs,
  readRun,
  readRunConfig,
  readRunIfAny,
  RUN_FILES,
  runDirFor,
  runsRoot,
  saveEpochCheckpoint,
  truncateEpochs,
} from './runs/store';
export type { CheckpointRef, RunConfigFile, RunSummary, StoredRun } from './runs/store';
export { opShare, opShareTable } from './analysis/op_share';
export type { OpShareRow } from './analysis/op_share';
export { dataRoot, fetchDataset, fileMd5, mirrorUrl, urlFileName } from './data/fetch';
export type { FetchedFile, FetchOptions, FetchResult } from './data/fetch';
export { readTar, safeEntryPath } from './data/tar';
export type { TarContents, TarEntry } from './data/tar';
export { alphaIndex, alphaObjective, flatAlphas } from './hessian/alpha_loss';
export type { AlphaLossOptions, AlphaNet, AlphaObjective, LossOfAlphas } from './hessian/alpha_loss';
export { HessianOperator, hessianMatrix, HVP_STEP, hvp, lossGradient } from './hessian/hvp';
export type { HessianMatrix, HvpOptions, HvpScheme } from './hessian/hvp';
export { dominantEigenvalue, hessianSpectrum, symmetricEigen } from './hessian/eigen';
export type { DominantEigen, DominantEigenOptions } from './hessian/eigen';
export { measureCurvature } from './hessian/track';
export type { CurvatureMethod, CurvatureRecord, CurvatureSettings } from './hessian/track';
export { curvatureByOp, curvatureShares } from './hessian/attribution';
export type { CurvatureShareRow } from './hessian/attribution';
export { ActivationPattern } from './nn/pattern';
export { CODE_RULE, codeRule, earlyStopDecision, firstEarlyStop, PAPER_RULE } from './control/early_stop';
export type {
  CodeRuleOptions,
  EarlyStopComparison,
  EarlyStopDecision,
  EarlyStopRule,
  EarlyStopUnit,
  EigenvalueEntry,
} from './control/early_stop';
export { EvalNetwork } from './train/network';
export type { EvalForwardOptions, EvalNetworkConfig, EvalOutput } from './train/network';
export { EvalCell } from './train/cell';
export type { CellGenotype, EvalCellSizes } from './train/cell';
export { AuxiliaryHead, avgPoolCeil } from './train/aux_head';
export { checkDropProb, dropPath, dropPathScale } from './nn/drop_path';
export { checkGenotype } from './train/genotype_check';
export {
  cosineLr,
  createSearchState,
  curvatureDue,
  curvatureSettings,
  disposeSearchState,
  dropPathAt,
  epochAugment,
  evaluateSubset,
  searchData,
  searchEpoch,
} from './search/loop';
export type { EpochOptions, SearchData, StepInfo } from './search/loop';
export { ensureRun } from './search/run';
export type { EnsureRunOptions, RunResult } from './search/run';
export type { EpochRecord, LossAccuracy } from './search/records';
export { canRaiseL2, controllerRule, currentL2, eigenvalueHistory, rollbackSpan } from './control/controller';
export type { ControllerDecision } from './control/controller';
export { FINAL_VALID_ACCURACY, selectRun } from './control/select';
export type { Selection, SelectionSignal } from './control/select';
export { readGridFile, readOverridesFile } from './config/overrides_file';
export type { GridEntry } from './config/overrides_file';
export { runCliTasks, runGrid } from './grid';
export type { CliTask, GridOptions } from './grid';
export { appendDecision, readDecisions, reconcileRollback } from './runs/store';
export {
  createEvalState,
  disposeEvalState,
  ensureEvaluation,
  EVAL_FILE,
  evalDirFor,
  evalId,
  evalsRoot,
  evaluate,
  evaluationData,
  loadEvalCheckpoint,
  plainGenotype,
  readEvaluation,
  readEvaluationIfAny,
  saveEvalCheckpoint,
  trainEpoch,
  trainStep,
} from './train/train';
export type {
  EnsureEvaluationOptions,
  EvalData,
  EvalEpochRecord,
  EvalFile,
  EvalSource,
  EvalState,
  EvaluationResult,
  StoredEvaluation,
  TrainStepInfo,
  TrainStepOptions,
} from './train/train';
export {
  checkTrainConfig,
  DEFAULT_TRAIN_CONFIG,
  resolveTrainConfig,
  TRAIN_PRESET_RUNTIME,
  TRAIN_PRESETS,
  TrainConfigError,
  TrainConfigSchema,
} from './train/train_config';
export type { TrainConfig } from './train/train_config';
export { evaluateCommand, NAMED_GENOTYPES, resolveGenotype } from './train/evaluate_command';
export type { EvaluateCommandOptions, ResolvedGenotype } from './train/evaluate_command';
export { checkArchitecture } from './supernet/network';
export { placeArchitecture } from './supernet/cell';
export type { ArchitectureEdge } from './supernet/cell';
export { sampleGenotype } from './baselines/sample';
export {
  checkRsWsParameters,
  ensureRsWs,
  RS_WS_DEFAULTS,
  RS_WS_METHOD,
  rsWsEpoch,
  scoreArchitecture,
  scoreBatchesOf,
  selectionArchitecture,
  trainingArchitecture,
} from './baselines/rs_ws';
export type {
  EnsureRsWsOptions,
  RsWsCandidate,
  RsWsEpochRecord,
  RsWsParameters,
  RsWsResult,
  RsWsRun,
  ScoredArchitecture,
} from './baselines/rs_ws';
export { randomSearch, randomSearchCandidate } from './baselines/random_search';
export type { RandomSearchCandidate, RandomSearchResult } from './baselines/random_search';
export { BASELINE_FILES, baselineDir, baselineId, readBaselineResult } from './baselines/store';
export { cellSvg, escapeXml, genotypeSvg, OP_COLORS, opKind } from './analysis/cell_svg';
export type { CellSvgOptions, GenotypeSvgOptions, OpKind } from './analysis/cell_svg';
export { averageRanks, bootstrapCI, pearson, spearman } from './analysis/stats';
export type { BootstrapCI, BootstrapOptions, PairedStatistic } from './analysis/stats';
export { dpCutout, DP_GRID, EXPERIMENT_GROUPS, L2_GRID, PLAN_SEED, regularisationGrids, searchPlan } from './experiments/plan';
export type { ExperimentGroup, PlannedSearch } from './experiments/plan';
export {
  evaluationPlan,
  plannedRsWs,
  randomSearchSourceName,
  runPlannedEvaluation,
  runPlannedEvaluations,
} from './experiments/evaluations';
export { experimentRecords, presetTrainConfigs, recordGaps } from './experiments/records';
export { compareS3, compareS3Markdown } from './experiments/compare';
export type { CompareOptions, CompareRow } from './experiments/compare';
export { claimRows, csvTables } from './analysis/claims';
export type { ClaimRow, TableReader, Verdict } from './analysis/claims';
export { buildReport, claimsSection, computeTable, methodsVerdict, MINI_BUDGET_HOURS, protocolTable, writeReport } from './analysis/report';
export { SPREAD_SEEDS, seedSpread, seedSpreadFinding, seedSpreadSummary, spreadReading, spreadTrainConfig } from './analysis/seed_spread';
export type { SeedSpreadRow, SeedSpreadSummary } from './analysis/seed_spread';
export type { PlannedEvaluation, RunEvaluationsOptions, WaitingSearch } from './experiments/evaluations';
export {
  edgeLabels,
  failureFindings,
  failureSummaryRow,
  finalGenotype,
  opCounts,
  PAPER_DARTS_CIFAR10_ERROR,
  parameterFreeFigure,
  parameterFreeWeights,
  testErrorFigure,
  testErrorRow,
  weightHeatmapFigure,
} from './analysis/failure';
export type { Blank, FailureSummaryRow, ParameterFreeWeightRow, TestErrorRow } from './analysis/failure';
export { CURVATURE_RISE_FACTOR, DEGENERATE_NORMAL_MIN, degenerationRow, degenerationVerdict } from './analysis/degeneration';
export { edgeWeightsFigure } from './analysis/edge_weights';
export type { DegenerationRow } from './analysis/degeneration';
export {
  adaFigure,
  eigenvalueTrajectoryFigure,
  esCandidates,
  esOutcome,
  esSummary,
  esTestErrorTable,
  esTestErrors,
  neverFiredReason,
  ratioSeries,
  formatL2,
  PAPER_CODE_EIGENVALUES,
  replayRules,
  replayTable,
} from './analysis/early_stop_tables';
export type { EsCandidate, EsOutcome, EsRun, EsTestErrorRow, EsTestErrorTableRow, NamedRun, ReplayRow } from './analysis/early_stop_tables';
export {
  BASELINE_SETTINGS,
  baselineSettings,
  evaluateFinal,
  gridFigure,
  gridRow,
  HELD_OUT_FILE,
  heldOutAccuracy,
  methodRow,
  randomSearchTrainConfig,
  regularisationFindings,
  strengthOf,
} from './analysis/regularisation';
export type { BaselineSettings, GridRow, MethodRow, Regulariser, SeedBand } from './analysis/regularisation';
export {
  checkpointDiscretisation,
  correlationRows,
  DISCRETISATION_FILE,
  correlationText,
  curvatureErrorRow,
  curvatureFindings,
  curvatureScatter,
  discretisationAccuracy,
  discretisationRow,
  dropsByCurvatureHalf,
  PAPER_EIGENVALUE_ERROR_PEARSON,
} from './analysis/curvature_vs_error';
export type {
  CorrelationRow,
  CurvatureErrorRow,
  CurvatureHalves,
  CurvatureRun,
  DiscretisationAccuracy,
  DiscretisationRow,
  ScatterPoint,
} from './analysis/curvature_vs_error';

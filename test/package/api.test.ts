/**
 * The package root's API is curated (lib/index.ts, README.md "The API"): this pins it, values and
 * types, so that a name is added or removed on purpose. The subpaths (one per folder of lib/) export
 * the rest; every subpath named in package.json exists and loads.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { repoRoot } from '../helpers';

const ROOT_API = [
  // values
  'CODE_RULE',
  'CURVATURE_DEFAULTS',
  'ConfigError',
  'DATASETS',
  'PAPER_RULE',
  'PRESETS',
  'SEARCH_PRESETS',
  'SPACES',
  'backendInfo',
  'checkConfig',
  'controllerDecision',
  'dartsProblem',
  'earlyStopDecision',
  'ensureEvaluation',
  'ensureProxyRandomSearch',
  'ensureRsWs',
  'ensureRun',
  'finalGenotype',
  'formatGenotype',
  'genotype',
  'getSpace',
  'initBackend',
  'listRuns',
  'loadCheckpoint',
  'loadDataset',
  'measureCurvature',
  'nb201ArchString',
  'nb201Problem',
  'nb201TestAccuracy',
  'presetFromEnv',
  'randomSearch',
  'readImageFolder',
  'readRun',
  'resolveConfig',
  'resolveNb201Config',
  'resolveTrainConfig',
  'runDirFor',
  'runSearch',
  'saveCheckpoint',
  'saveFigure',
  'saveTable',
  'searchData',
  'selectRun',
  'show',
  'showFigure',
  'showTable',
  'softwareVersions',
  'tf',
  // types
  'ArchitectureRecord',
  'BackendInfo',
  'ConfigCodec',
  'ConfigOverrides',
  'ControllerDecision',
  'CurvatureRecord',
  'CurvatureSettings',
  'DartsArchitectureRecord',
  'Dataset',
  'EnsureRunOptions',
  'EpochPlan',
  'EpochRecord',
  'Figure',
  'Genotype',
  'LoopConfig',
  'LossAccuracy',
  'Nb201ArchitectureRecord',
  'Nb201Config',
  'PassOptions',
  'PresetName',
  'RunOptions',
  'RunResult',
  'RunSummary',
  'SearchConfig',
  'SearchData',
  'SearchModel',
  'SearchProblem',
  'SearchSpace',
  'StoredEvaluation',
  'StoredRun',
  'TrainConfig',
].sort();

function exportedNames(file: string): string[] {
  const program = ts.createProgram([file], {
    strict: true,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    resolveJsonModule: true,
    noEmit: true,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file) as ts.SourceFile;
  const symbol = checker.getSymbolAtLocation(source) as ts.Symbol;
  return checker
    .getExportsOfModule(symbol)
    .map((s) => s.name)
    .sort();
}

describe('the package API', function () {
  this.timeout(120_000);

  it('the root exports exactly the curated names (values and types)', () => {
    assert.deepStrictEqual(exportedNames(path.join(repoRoot, 'lib', 'index.ts')), ROOT_API);
  });

  it('every subpath of package.json has its folder index, and the README lists the root API', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    const subpaths = Object.keys(pkg.exports).filter((k) => k !== '.' && k !== './package.json');
    assert.ok(subpaths.length >= 15);
    for (const s of subpaths) assert.ok(fs.existsSync(path.join(repoRoot, 'lib', s, 'index.ts')), `lib/${s}/index.ts`);
    const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const api = readme.slice(readme.indexOf('## The API'));
    assert.deepStrictEqual(
      ROOT_API.filter((n) => !api.includes(`\`${n}\``)),
      [],
      'names missing from README.md "The API"',
    );
  });
});

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { exportSize } from '../../lib/analysis/figure_html';
import {
  gridFigure,
  gridRow,
  methodRow,
  regularisationFindings,
  strengthOf,
  type GridRow,
  type MethodRow,
} from '../../lib/analysis/regularisation';
import { BASELINE_SETTINGS, baselineSettings, randomSearchTrainConfig } from '../../lib/measurements/baseline_settings';
import { heldOutAccuracy, HELD_OUT_FILE } from '../../lib/measurements/held_out';
import { checkRsWsParameters, RS_WS_DEFAULTS } from '../../lib/baselines/rs_ws';
import { selectRun } from '../../lib/control/select';
import type { Dataset, DatasetSplits } from '../../lib/data/dataset';
import type { StoredRun } from '../../lib/runs/run_read';
import type { EpochRecord } from '../../lib/runs/records';
import { DARTS_V2, type Genotype, type GenotypeEntry } from '../../lib/spaces/genotype';
import {
  createEvalState,
  disposeEvalState,
  ensureEvaluation,
  evaluate,
  evaluationData,
  loadEvalCheckpoint,
  type StoredEvaluation,
} from '../../lib/train/train';
import { resolveTrainConfig } from '../../lib/train/train_config';
import { tempDir } from '../helpers';
import { blockImages } from '../train/data';

const CONCAT = [2, 3, 4, 5];
/** S3 genotypes with k skip connections among the 8 normal-cell ops (the reduction cell all sep_conv_3x3). */
const skippy = (k: number): Genotype => ({
  normal: Array.from({ length: 8 }, (_, i): GenotypeEntry => [i < k ? 'skip_connect' : 'sep_conv_3x3', i % 2]),
  normalConcat: CONCAT,
  reduce: Array.from({ length: 8 }, (_, i): GenotypeEntry => ['sep_conv_3x3', i % 2]),
  reduceConcat: CONCAT,
});

/** A finished run: two epochs, the eigenvalue measured at the given epochs, the last accuracy `accuracy`. */
function run(
  id: string,
  regularization: { l2: number; dropPathProb: number },
  accuracy: number,
  eigenvalues: (number | undefined)[],
  genotype: Genotype = skippy(4),
): StoredRun {
  const epochs = eigenvalues.map((e, epoch) => ({
    epoch,
    valid: { loss: 1, accuracy: epoch === eigenvalues.length - 1 ? accuracy : 0.1 },
    genotype,
    ...(e === undefined ? {} : { hessian: { dominantEigenvalue: e } }),
  })) as unknown as EpochRecord[];
  return {
    runId: id,
    dir: `/runs/${id}`,
    config: { space: 's3', epochs: epochs.length, regularization },
    epochs,
    done: true,
    genotype: { epoch: epochs.length - 1, genotype },
    decisions: [],
  } as unknown as StoredRun;
}

function evaluation(testError: number, genotype: Genotype = skippy(4)): StoredEvaluation {
  return { dir: '/evals/fake', done: true, testError, genotype } as unknown as StoredEvaluation;
}

/** A grid row with the fields the figure and the findings read. */
const row = (regulariser: 'l2' | 'dp', strength: number, eigenvalue: number | '', testErrorPct: number, selected = false): GridRow => ({
  regulariser,
  strength,
  run: `${regulariser}-${strength}`,
  runId: `id-${strength}`,
  finalEigenvalue: eigenvalue,
  supernetValidAccPct: 80,
  parameterFreeShare: 0.25,
  testErrorPct,
  selected,
});

describe('baselineSettings', () => {
  it("gives every preset valid RS-ws parameters, the paper's from mini on, and small ones at smoke", () => {
    for (const preset of ['smoke', 'quick', 'mini', 'paper'] as const) {
      const s = baselineSettings(preset);
      assert.deepStrictEqual(checkRsWsParameters(s.rsWs), { ...s.rsWs });
      assert.ok(Number.isInteger(s.randomSearch.samples) && s.randomSearch.samples >= 1);
      assert.ok(Number.isInteger(s.randomSearch.validImages) && s.randomSearch.validImages >= 1);
    }
    assert.deepStrictEqual(baselineSettings('smoke'), {
      rsWs: { samples: 20, scoreBatches: 2, topK: 3 },
      randomSearch: { samples: 3, validImages: 64 },
    });
    assert.strictEqual(baselineSettings('mini').rsWs, RS_WS_DEFAULTS);
    assert.strictEqual(BASELINE_SETTINGS.paper.rsWs, RS_WS_DEFAULTS);
  });

  it('throws for an unknown preset, naming it', () => {
    assert.throws(() => baselineSettings('huge' as 'smoke'), /baselineSettings: preset "huge" has no baseline settings/);
  });
});

describe('randomSearchTrainConfig', () => {
  it("is the preset's evaluation config where it leaves training images unused", () => {
    assert.deepStrictEqual(randomSearchTrainConfig('smoke'), resolveTrainConfig('smoke'));
    assert.deepStrictEqual(randomSearchTrainConfig('mini'), resolveTrainConfig('mini'));
  });

  it('holds out the last validImages of the 50,000 CIFAR-10 training images at paper', () => {
    assert.strictEqual(randomSearchTrainConfig('paper').trainSubset, 50000 - BASELINE_SETTINGS.paper.randomSearch.validImages);
  });
});

describe('strengthOf', () => {
  it("reads the L2 factor or drop path's maximum p from the run's config", () => {
    const r = run('a', { l2: 27e-4, dropPathProb: 0.4 }, 0.5, [1, 2]);
    assert.deepStrictEqual([strengthOf(r, 'l2'), strengthOf(r, 'dp')], [27e-4, 0.4]);
  });
});

describe('gridRow', () => {
  const runs = [
    run('a', { l2: 3e-4, dropPathProb: 0 }, 0.5, [0.3, undefined, 0.9], skippy(6)),
    run('b', { l2: 81e-4, dropPathProb: 0 }, 0.7, [0.2, 0.25, undefined]),
  ];
  const selection = selectRun(runs);

  it('reads the last measured eigenvalue, the selection signal, the parameter-free share and marks the selected run', () => {
    assert.deepStrictEqual(gridRow('l2', { name: 'failure-s3', run: runs[0] }, selection, 0.125), {
      regulariser: 'l2',
      strength: 3e-4,
      run: 'failure-s3',
      runId: 'a',
      finalEigenvalue: 0.9,
      supernetValidAccPct: 50,
      parameterFreeShare: 6 / 16,
      testErrorPct: 12.5,
      selected: false,
    });
    const b = gridRow('l2', { name: 'l2-0.0081', run: runs[1] }, selection, 0.1);
    assert.deepStrictEqual([b.finalEigenvalue, b.supernetValidAccPct, b.parameterFreeShare, b.selected], [0.25, 70, 4 / 16, true]);
  });

  it('leaves the eigenvalue blank when none was measured, and throws for a run outside the selection', () => {
    const none = run('c', { l2: 3e-4, dropPathProb: 0.2 }, 0.6, [undefined, undefined]);
    assert.strictEqual(gridRow('dp', { name: 'dp-0.2', run: none }, selectRun([none]), 0.2).finalEigenvalue, '');
    assert.throws(
      () => gridRow('dp', { name: 'dp-0.2', run: none }, selection, 0.2),
      /gridRow: run c is not among the selection's candidates/,
    );
  });
});

describe('gridFigure', () => {
  it('draws eigenvalue and test error against the strength on two panels, log x for L2, the selection starred', () => {
    const fig = gridFigure([row('l2', 81e-4, 0.2, 12, true), row('l2', 3e-4, 0.5, 15), row('l2', 243e-4, '', 20)], 'L2 grid');
    const data = fig.data as { x: number[]; y: (number | null)[]; xaxis: string; marker: { symbol?: string }; name: string }[];
    assert.strictEqual(data.length, 5);
    // The code's logs (docs/method.md §3): L2 >= 8.1e-3 keeps the eigenvalue about 0.1 to 0.3, on the eigenvalue panel.
    assert.deepStrictEqual([data[4].x, data[4].y, data[4].xaxis], [[81e-4, 243e-4, 243e-4, 81e-4, 81e-4], [0.1, 0.1, 0.3, 0.3, 0.1], 'x']);
    assert.match(data[4].name, /L2 >= 8\.1e-3 keeps it about 0\.1-0\.3/);
    assert.strictEqual(
      gridFigure([row('dp', 0, 0.2, 12, true), row('dp', 0.6, 0.5, 15)], 'DP grid').data.length,
      4,
      'no band for drop path',
    );
    // DARTS's seed spread, shaded on the test-error panel over the whole grid.
    const banded = gridFigure([row('dp', 0, 0.2, 12, true), row('dp', 0.6, 0.5, 15)], 'DP grid', { minPct: 21.5, maxPct: 23.4, seeds: 3 });
    const seeds = banded.data[4] as { x: number[]; y: number[]; xaxis: string; yaxis: string; name: string };
    assert.deepStrictEqual([seeds.x, seeds.y, seeds.xaxis, seeds.yaxis], [[0, 0.6, 0.6, 0, 0], [21.5, 21.5, 23.4, 23.4, 21.5], 'x2', 'y2']);
    assert.match(seeds.name, /^plain DARTS's S3 genotype at 3 evaluation seeds: 21\.50-23\.40%$/);
    assert.deepStrictEqual(data[0].x, [3e-4, 81e-4, 243e-4]);
    assert.deepStrictEqual(data[0].y, [0.5, 0.2, null]);
    assert.deepStrictEqual([data[2].xaxis, data[2].y], ['x2', [15, 12, 20]]);
    assert.deepStrictEqual([data[1].marker.symbol, data[1].x, data[1].y, data[3].y], ['star', [81e-4], [0.2], [12]]);
    const layout = fig.layout as Record<string, { type?: string; ticktext?: string[]; title?: { text: string } }>;
    assert.deepStrictEqual([layout.xaxis.type, layout.xaxis2.type], ['log', 'log']);
    assert.deepStrictEqual(layout.xaxis.ticktext, ['3e-4', '8.1e-3', '2.43e-2']);
    assert.match(layout.yaxis.title?.text ?? '', /dominant eigenvalue/);
    assert.match(layout.yaxis2.title?.text ?? '', /test error/);
    assert.strictEqual((fig.layout as { width?: number }).width, undefined, "no fixed width: it fits a notebook's output area");
    assert.deepStrictEqual(exportSize(fig), { width: 1100, height: 450 });
  });

  it('uses a linear x for drop path, and throws on no rows', () => {
    const layout = gridFigure([row('dp', 0, 1, 10), row('dp', 0.6, 2, 11, true)], 'DP').layout as Record<
      string,
      { type?: string; ticktext?: string[] }
    >;
    assert.deepStrictEqual([layout.xaxis.type, layout.xaxis.ticktext], [undefined, ['0', '0.6']]);
    assert.throws(() => gridFigure([], 'x'), /gridFigure: rows must not be empty/);
  });
});

describe('methodRow', () => {
  it("fills the paper's S3 value for DARTS only, and the genotype's share and error from the evaluation", () => {
    const darts = methodRow('DARTS', 'L2 3e-4', 'final genotype', evaluation(0.25, skippy(8)));
    assert.deepStrictEqual([darts.paperCifar10ErrorPct, darts.testErrorPct, darts.parameterFreeShare], [3.34, 25, 0.5]);
    assert.match(darts.genotype, /^normal: n0=skip_connect/);
    assert.strictEqual(methodRow('RS', '3 candidates', 'held out', evaluation(0.2)).paperCifar10ErrorPct, '');
  });

  it('throws for an unfinished evaluation, naming its directory', () => {
    const unfinished = { ...evaluation(0.2), done: false, testError: undefined } as unknown as StoredEvaluation;
    assert.throws(() => methodRow('RS', '', '', unfinished), /methodRow: the evaluation in \/evals\/fake is not finished/);
  });
});

describe('regularisationFindings', () => {
  const l2 = [row('l2', 3e-4, 0.5, 20), row('l2', 9e-4, 0.4, 18, true), row('l2', 27e-4, 0.3, 19)];
  const dp = [row('dp', 0, 0.5, 20, true), row('dp', 0.2, 0.5, 20), row('dp', 0.4, 0.5, 20)];
  const m = (method: MethodRow['method'], testErrorPct: number, parameterFreeShare: number): MethodRow => ({
    method,
    setting: '',
    selectedBy: '',
    genotype: '',
    parameterFreeShare,
    testErrorPct,
    paperCifar10ErrorPct: '',
  });
  const methods = [m('DARTS', 20, 0.5), m('R-DARTS(L2)', 18, 0.25), m('R-DARTS(DP)', 20, 0.5), m('RS', 22, 0.375)];

  it('states the trends, the selections and the order of the methods from the tables', () => {
    const lines = regularisationFindings('mini', l2, dp, methods);
    assert.deepStrictEqual(lines.slice(0, 1), [
      'R-DARTS(L2) grid (3 strengths, 3e-4 to 2.7e-3): the final dominant eigenvalue falls with it (Spearman ρ = -1.00), 0.500 → 0.300; ' +
        'the test error falls with it (Spearman ρ = -0.50), 20.0% → 19.0%. R-DARTS(L2) selects 9e-4 (supernet valid accuracy 80.0%), ' +
        "test error 18.0%; the grid's lowest test error is 18.0%.",
    ]);
    assert.match(lines[1], /^R-DARTS\(DP\) grid .*eigenvalue no trend \(constant\).* selects 0 /);
    assert.strictEqual(lines[2], 'Methods by test error, lowest first: R-DARTS(L2) 18.0%, DARTS 20.0%, R-DARTS(DP) 20.0%, RS 22.0%.');
    assert.deepStrictEqual(lines.slice(3), [
      'R-DARTS(L2) vs DARTS: 2.0 points lower (parameter-free share 25.0% vs 50.0%; one evaluation each: a difference inside the seed range of notebook 01 says nothing).',
      'R-DARTS(DP) vs DARTS: the same (parameter-free share 50.0% vs 50.0%; one evaluation each: a difference inside the seed range of notebook 01 says nothing).',
    ]);
  });

  it('says at smoke that the numbers mean nothing, and throws on empty tables', () => {
    assert.match(regularisationFindings('smoke', l2, dp, methods)[0], /^Preset smoke: .*meaningless/);
    assert.throws(() => regularisationFindings('mini', [], dp, methods), /regularisationFindings: l2, dp and methods must not be empty/);
  });
});

describe('heldOutAccuracy', () => {
  const splits = (): DatasetSplits => ({ train: blockImages(64, 'train', 1), test: blockImages(64, 'test', 2) });

  it('scores the trained network on the training images after trainSubset, as evaluate on those images alone', async () => {
    const { dir: root, cleanup } = tempDir();
    try {
      const config = resolveTrainConfig('smoke', { trainSubset: 32 });
      const { evaluation } = await ensureEvaluation(DARTS_V2, config, { root, data: splits(), progress: 'off' });
      const got = heldOutAccuracy(evaluation, 32, splits());
      // Independent: the last 32 training images as a data set of their own, through `evaluate`.
      const train = splits().train;
      const rest: Dataset = { ...train, images: train.images.slice(32 * 784), labels: train.labels.slice(32), n: 32 };
      const state = createEvalState(DARTS_V2, config, evaluationData(config, splits()));
      loadEvalCheckpoint(path.join(evaluation.dir, 'checkpoint', 'epoch-1.safetensors'), state);
      const expected = evaluate(state.net, rest, config.batchSize).accuracy;
      disposeEvalState(state);
      assert.strictEqual(got, expected);
      assert.strictEqual(heldOutAccuracy(evaluation, 1000, splits()), expected, 'capped at the training split');
      assert.throws(() => heldOutAccuracy({ ...evaluation, done: false }, 8, splits()), /is not finished/);
      assert.throws(() => heldOutAccuracy(evaluation, 0, splits()), /heldOutAccuracy: images must be a positive integer, got 0/);
      const whole = { ...evaluation, config: resolveTrainConfig('smoke', { trainSubset: 64 }) };
      assert.throws(
        () => heldOutAccuracy(whole, 8, splits()),
        /heldOutAccuracy: config.trainSubset \(64\) leaves no training image held out/,
      );
      // Stored beside the evaluation: read back without the checkpoint, on the same images only.
      assert.deepStrictEqual(
        JSON.parse(fs.readFileSync(path.join(evaluation.dir, HELD_OUT_FILE), 'utf8')).map((r: { from: number; to: number }) => [
          r.from,
          r.to,
        ]),
        [[32, 64]],
      );
      fs.rmSync(path.join(evaluation.dir, 'checkpoint'), { recursive: true });
      assert.strictEqual(heldOutAccuracy(evaluation, 32, splits()), expected);
      const other = (): DatasetSplits => ({ train: blockImages(64, 'train', 3), test: blockImages(64, 'test', 2) });
      assert.throws(
        () => heldOutAccuracy(evaluation, 32, other()),
        /has no final checkpoint and no held_out\.json entry for images \[32, 64\) of these data \(\w{12}\)/,
      );
    } finally {
      cleanup();
    }
  });
});

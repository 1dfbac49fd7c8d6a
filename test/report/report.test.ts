import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { buildReport, methodsVerdict, protocolTable, writeReport } from '../../lib/report/report';
import { searchPlan } from '../../lib/experiments/plan';
import { ensureRun } from '../../lib/problems/darts/run';
import type { DatasetSplits } from '../../lib/data/dataset';
import { spreadTrainConfig } from '../../lib/measurements/seed_spread';
import type { Genotype } from '../../lib/spaces/genotype';
import { ensureEvaluation } from '../../lib/train/train';
import { blockImages } from '../train/data';
import { tempDir } from '../helpers';
import { fakeDataset } from '../search/fixtures';

describe('report', () => {
  it("states the protocol from the configs, beside the paper's", () => {
    const table = protocolTable('mini');
    assert.match(table, /\| data set \| Fashion-MNIST \(28 x 28 x 1\) \| CIFAR-10 \(32 x 32 x 3; also CIFAR-100, SVHN\) \|/);
    assert.match(table, /\| search: cells, channels \| 5, 8 \| 8, 16 \|/);
    assert.match(table, /\| evaluation: epochs, batch \| 10, 96 \| 600, 96 \|/);
    // Steps in all: 50 epochs x 1,280 / 64 = 1,000 against 50 x 25,000 / 64 = 19,531; 10 x 3,072 / 96 = 320 against 600 x 50,000 / 96.
    assert.match(
      table,
      /\| search: alpha gradient; weight steps in all \(about\) \| first order; 1,000 \| first or second order \(docs\/method\.md §1\); 19,531 \|/,
    );
    assert.match(table, /\| evaluation: weight steps in all \(about\) \| 320 \| 312,500 \|/);
  });

  it('embeds the tables, closing sentences and figures that exist, names the missing ones, and counts the compute', async () => {
    const { dir: results, cleanup } = tempDir();
    try {
      const tables = path.join(results, 'tables');
      fs.mkdirSync(tables, { recursive: true });
      fs.writeFileSync(path.join(tables, '01-failure-summary.md'), '|space|share|\n|-|-|\n|s3|0.5|\n');
      fs.writeFileSync(path.join(tables, '01-test-error.md'), '|space|err|\n|-|-|\n|s3|23.3|\n');
      fs.writeFileSync(path.join(tables, '01-findings.md'), '- DARTS keeps 2 skips.\n');
      fs.mkdirSync(path.join(results, 'figures'));
      fs.writeFileSync(path.join(results, 'figures', '01-op-share.png'), 'png');
      const [ada] = searchPlan('smoke', ['ada']);
      await ensureRun(ada.config, { root: path.join(results, 'runs'), train: fakeDataset(64), progress: 'off' });
      // A baseline outside the plan (an ad-hoc run in a default folder): not the report's, not counted.
      fs.mkdirSync(path.join(results, 'baselines', 'adhoc'), { recursive: true });
      fs.writeFileSync(path.join(results, 'baselines', 'adhoc', 'config.json'), JSON.stringify({ method: 'rs-ws' }));
      fs.writeFileSync(path.join(results, 'baselines', 'adhoc', 'epochs.jsonl'), '');
      fs.writeFileSync(path.join(results, 'baselines', 'adhoc', 'result.json'), JSON.stringify({ seconds: { total: 36000 } }));
      const report = buildReport('smoke', results, results);
      assert.ok(!report.includes('| `baselines/` |'), 'an ad-hoc record in a default folder is not counted');
      assert.match(report, /^# RobustDARTS in TypeScript: the reproduction \(preset smoke\)/);
      // The main text: the pilot, the S3 grid, NAS-Bench-201, the two other domains, the compute; then the appendices.
      assert.deepStrictEqual(
        report.split('\n').filter((l) => /^## /.test(l)),
        [
          '## 1. Where DARTS collapses at a cost this machine affords: the pilot',
          "## 2. S3 at the pilot's cheapest collapsing setting: DARTS, DARTS-ADA, R-DARTS(L2) and an alpha warm-up over search seeds",
          '## 3. NAS-Bench-201: the claims over search seeds, with exact test errors',
          '## 4. Another domain: language modelling in the DARTS recurrent cell',
          '## 5. Another domain: disparity estimation in the AutoDispNet space',
          '## 6. Compute',
          '## Appendix A: the first reproduction (preset smoke: S1 to S4 on Fashion-MNIST, one search seed)',
          '## Appendix B: the engine revision of every record',
        ],
      );
      assert.match(
        report,
        /_Not written yet \(tables\/01-pilot\.md\): notebook `01-failure-analysis` writes it .* \(`rdarts grid results\/pilot\/grid\.json/,
      );
      // The ledger: the one search made above, in the runs folder, and the reproduction's share (none yet).
      assert.match(
        report,
        /## 6\. Compute\n\n\| records under results\/ \| searches \| evaluations \| baselines \| process-hours \|\n\|---\|---\|---\|---\|---\|\n\| `runs\/` \| 1 \|/,
      );
      assert.match(
        report,
        /The reproduction's records \(`pilot\/`, `s3-main\/`, `nas-bench-201\/`\): 0\.0 process-hours, 0\.0 to 0\.0 machine-hours, of a budget of 30 machine-hours: within the budget\./,
      );
      assert.match(report, /### A\.1 Does DARTS degenerate at this scale\?/);
      assert.match(report, /- DARTS keeps 2 skips\.\n\n\*\*tables\/01-failure-summary\*\*/);
      assert.match(report, /\|s3\|23\.3\|/);
      assert.match(report, /!\[01-op-share\]\(figures\/01-op-share\.png\)/);
      assert.ok(!report.includes('01-s3-weights.png'), 'a figure without its PNG is not linked');
      fs.writeFileSync(path.join(results, 'figures', '01-s3-weights.html'), '<html></html>');
      assert.match(
        buildReport('smoke', results, results),
        /_Saved without a PNG \(Chromium was missing; `bash \.ci\/setup` installs it\): figures\/01-s3-weights\.html\._/,
      );
      fs.rmSync(path.join(results, 'figures', '01-s3-weights.html'));
      assert.match(
        report,
        /_Not written yet \(tables\/02-eigenvalue-test-error\.md, tables\/02-correlation\.md, tables\/02-discretisation-drop\.md\): notebook `02-eigenvalue-vs-test-error`/,
      );
      assert.match(report, /\| ada-s3 \| finished \| 2\/2 \| \d+\.\d\d \|/);
      assert.match(report, /\| failure-s1 \| not started \| 0 \|/);
      assert.match(report, /\| 0 evaluations \(smoke\) \| finished \|/);
      assert.match(report, /\| RS-ws baseline \(failure-s3's config\) \| not finished \| {2}\| {2}\|/);
      assert.strictEqual(writeReport('smoke', results, results), path.join(results, 'REPORT.md'));
      assert.strictEqual(fs.readFileSync(path.join(results, 'REPORT.md'), 'utf8'), report);
    } finally {
      cleanup();
    }
  });

  it('sets the S3 methods side by side against DARTS from the records, read against the seed spread', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const plan = searchPlan('smoke');
      const runs = path.join(dir, 'runs');
      const evals = path.join(dir, 'evals');
      const run = async (name: string) =>
        (await ensureRun(plan.find((p) => p.name === name)!.config, { root: runs, train: fakeDataset(64), progress: 'off' })).run;
      const [darts, ada] = [await run('failure-s3'), await run('ada-s3')];
      const splits = (): DatasetSplits => ({ train: blockImages(64, 'train', 1), test: blockImages(64, 'test', 2) });
      const evaluate = async (g: Genotype, seed: number) =>
        100 *
        ((await ensureEvaluation(g, spreadTrainConfig('smoke', seed), { root: evals, data: splits(), progress: 'off' })).evaluation
          .testError as number);
      const e0 = await evaluate(darts.genotype!.genotype, 0);
      const e1 = await evaluate(darts.genotype!.genotype, 1);
      const eAda = await evaluate(ada.genotype!.genotype, 0);
      const v = methodsVerdict('smoke', dir);
      const d = eAda - e0;
      const range = Math.abs(e0 - e1);
      const reading =
        Math.abs(d) > range ? (d < 0 ? 'lower, beyond the seed range' : 'higher, beyond the seed range') : 'within the seed range';
      assert.ok(v.includes(`| DARTS | ${e0.toFixed(2)} |  |  |`), v);
      assert.ok(v.includes(`| DARTS-ADA | ${eAda.toFixed(2)} | ${d >= 0 ? '+' : ''}${d.toFixed(2)} | ${reading} |`), v);
      assert.match(v, /\| R-DARTS\(L2\) \| n\/a \| {2}\| {2}\| {2}\| {2}\| grid unfinished: l2-0\.0009/);
      assert.ok(v.includes(`evaluated with 2 seeds spans ${range.toFixed(2)} points`), v);
    } finally {
      cleanup();
    }
  });
});

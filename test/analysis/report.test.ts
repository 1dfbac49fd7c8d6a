import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { buildReport, methodsVerdict, protocolTable, writeReport } from '../../lib/analysis/report';
import { searchPlan } from '../../lib/experiments/plan';
import { ensureRun } from '../../lib/search/run';
import { tempDir } from '../helpers';
import { fakeDataset } from '../search/fixtures';

describe('report', () => {
  it('states the protocol from the configs, beside the paper\'s', () => {
    const table = protocolTable('mini');
    assert.match(table, /\| data set \| Fashion-MNIST \(28 x 28 x 1\) \| CIFAR-10 \(32 x 32 x 3; also CIFAR-100, SVHN\) \|/);
    assert.match(table, /\| search: cells, channels \| 5, 8 \| 8, 16 \|/);
    assert.match(table, /\| evaluation: epochs, batch \| 10, 96 \| 600, 96 \|/);
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
      const report = buildReport('smoke', results, results);
      assert.match(report, /^# RobustDARTS in TypeScript: the first reproduction \(preset smoke\)/);
      assert.match(report, /- DARTS keeps 2 skips\.\n\n\*\*tables\/01-failure-summary\*\*/);
      assert.match(report, /\|s3\|23\.3\|/);
      assert.match(report, /!\[01-op-share\]\(figures\/01-op-share\.png\)/);
      assert.ok(!report.includes('01-s3-weights.png'), 'a figure without its PNG is not linked');
      assert.match(report, /_Not written yet \(tables\/02-eigenvalue-test-error\.md, tables\/02-correlation\.md, tables\/02-discretisation-drop\.md\): notebook `02-eigenvalue-vs-test-error`/);
      assert.match(report, /\| ada-s3 \| finished \| 2\/2 \| \d+\.\d\d \|/);
      assert.match(report, /\| failure-s1 \| not started \| 0 \|/);
      assert.match(report, /\| 0 evaluations \(smoke\) \| finished \|/);
      assert.strictEqual(writeReport('smoke', results, results), path.join(results, 'REPORT.md'));
      assert.strictEqual(fs.readFileSync(path.join(results, 'REPORT.md'), 'utf8'), report);
    } finally {
      cleanup();
    }
  });

  it('sets the S3 methods side by side against DARTS, read against the seed spread', () => {
    const { dir, cleanup } = tempDir();
    try {
      assert.strictEqual(methodsVerdict(dir), undefined);
      fs.writeFileSync(path.join(dir, '03-es-test-error.csv'), [
        'space,method,run,runId,epoch,esFired,sameAsDarts,note,testError',
        's3,DARTS,failure-s3,a,49,,,final genotype,0.2334',
        's3,DARTS-ES,failure-s3,a,10,true,false,fired at 22,0.2200',
        's1,DARTS,failure-s1,b,49,,,final genotype,0.30',
        's3,DARTS-ADA,ada-s3,c,49,,false,final genotype after 2 rollback(s),0.2330',
      ].join('\n'));
      fs.writeFileSync(path.join(dir, '04-methods.csv'), [
        'method,setting,selectedBy,genotype,parameterFreeShare,testErrorPct,paperCifar10ErrorPct',
        'DARTS,x,final,g,0.4,23.34,3.34',
        'R-DARTS(L2),L2 8.1e-3,best,g,0.2,24.5,',
      ].join('\n'));
      fs.writeFileSync(path.join(dir, '01-seed-spread.csv'), 'seed,evalId,testErrorPct,testImages\n0,e0,23.34,10000\n1,e1,23.0,10000\n2,e2,23.8,10000\n');
      const v = methodsVerdict(dir) as string;
      assert.match(v, /\| DARTS \| 23\.34 \|  \|  \| notebook 03 \(final genotype\) \|/);
      assert.match(v, /\| DARTS-ES \| 22\.00 \| -1\.34 \| lower, beyond the seed range \|/);
      assert.match(v, /\| DARTS-ADA \| 23\.30 \| -0\.04 \| within the seed range \|/);
      assert.match(v, /\| R-DARTS\(L2\) \| 24\.50 \| \+1\.16 \| higher, beyond the seed range \| notebook 04 \(L2 8\.1e-3\) \|/);
      assert.ok(!v.includes('failure-s1') && !v.includes('30.00'), 'other spaces are left out');
      assert.match(v, /Yardstick: DARTS's S3 genotype evaluated with 3 seeds spans 0\.80 points \(23\.00% to 23\.80%\)/);
    } finally {
      cleanup();
    }
  });
});

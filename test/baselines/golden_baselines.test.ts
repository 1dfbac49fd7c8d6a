/**
 * Pinned baseline records (test/fixtures/golden/README.md): RS-ws on S3 at the smoke preset must
 * give the records that the code before RS-ws ran on NAS-Bench-201 too wrote (commit dab7afc); RS-ws
 * and random search on NAS-Bench-201 (synthetic data) the ones pinned when they were added. Wall-clock
 * times are left out; every other value must be equal. RDARTS_GOLDEN_WRITE=1 rewrites the
 * NAS-Bench-201 files (only for a change meant to alter the numbers; say so in its commit).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ensureProxyRandomSearch } from '../../lib/baselines/proxy_random_search';
import { ensureRsWs } from '../../lib/baselines/rs_ws';
import { resolveConfig } from '../../lib/config/search_config';
import { resolveNb201Config } from '../../lib/problems/nb201/config';
import { withoutSeconds, withTempDir } from '../helpers';
import { synthetic } from '../problems/nb201_fixtures';

const GOLDEN = path.join(__dirname, '..', 'fixtures', 'golden');
const WRITE = process.env.RDARTS_GOLDEN_WRITE === '1';

function check(name: string, records: unknown, writable: boolean): void {
  const file = path.join(GOLDEN, `${name}.json`);
  const got = withoutSeconds(records);
  if (WRITE && writable) {
    fs.writeFileSync(file, JSON.stringify(got) + '\n');
    return;
  }
  assert.deepStrictEqual(got, JSON.parse(fs.readFileSync(file, 'utf8')), `${name} differs from ${file}`);
}

describe('baseline records equal the pinned ones (test/fixtures/golden)', function () {
  this.timeout(300_000);

  it('RS-ws on S3, smoke preset (Fashion-MNIST), 30 samples: as the code before NAS-Bench-201 wrote it', () =>
    withTempDir(async (root) => {
      const run = await ensureRsWs(resolveConfig('smoke'), { root, progress: 'off', samples: 30, scoreBatches: 2, topK: 3 });
      check('rs-ws-smoke-s3', { epochs: run.epochs, samples: run.samples, result: run.result }, false);
    }));

  it('RS-ws on NAS-Bench-201, smoke preset, synthetic data', () =>
    withTempDir(async (root) => {
      const run = await ensureRsWs(resolveNb201Config('smoke'), {
        root,
        train: synthetic(),
        progress: 'off',
        samples: 12,
        scoreBatches: 2,
        topK: 3,
      });
      check('rs-ws-nb201-smoke', { epochs: run.epochs, samples: run.samples, result: run.result }, true);
    }));

  it('random search on NAS-Bench-201, smoke preset, synthetic data', () =>
    withTempDir(async (root) => {
      const run = await ensureProxyRandomSearch(resolveNb201Config('smoke'), {
        root,
        train: synthetic(),
        progress: 'off',
        samples: 4,
        trainEpochs: 2,
      });
      check('random-search-nb201-smoke', { candidates: run.candidates, result: run.result }, true);
    }));
});

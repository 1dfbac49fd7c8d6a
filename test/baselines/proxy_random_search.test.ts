/**
 * Random search with short trainings (lib/baselines/proxy_random_search.ts) on NAS-Bench-201: the
 * candidates drawn from (seed, index), each trained alone and validated, the best by validation
 * accuracy; stored, repeated and resumed; its parameters checked; read back for notebook 06.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../../lib/backend';
import { readNb201Baselines } from '../../lib/analysis/nb201_random';
import { checkProxyParameters, ensureProxyRandomSearch, proxyCandidate, trainCandidate } from '../../lib/baselines/proxy_random_search';
import { ensureRsWs } from '../../lib/baselines/rs_ws';
import { nb201RsWs } from '../../lib/baselines/rs_ws_spaces';
import { baselineId } from '../../lib/baselines/store';
import { resolveNb201Config } from '../../lib/problems/nb201/config';
import { nb201Problem } from '../../lib/problems/nb201/problem';
import type { ImageSearchData } from '../../lib/search/image_data';
import { tempDir, withoutSeconds } from '../helpers';
import { synthetic } from '../problems/nb201_fixtures';

const PARAMS = { samples: 4, trainEpochs: 2 };
const config = () => resolveNb201Config('smoke');

/** What a run stored, without wall-clock times (the rest must repeat exactly). */
describe('random search with short trainings, on NAS-Bench-201', function () {
  this.timeout(120_000);
  let root: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir: root, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('trains every drawn cell, keeps the best validation accuracy, and stores it', async () => {
    const run = await ensureProxyRandomSearch(config(), { root, train: synthetic(), progress: 'off', ...PARAMS });
    assert.strictEqual(run.status, 'started');
    assert.strictEqual(run.dir, path.join(root, 'baselines', baselineId(config(), 'random-search', PARAMS)));
    const space = nb201RsWs(config());
    assert.deepStrictEqual(
      run.candidates.map((c) => c.genotype),
      [0, 1, 2, 3].map((i) => proxyCandidate(space, i)),
    );
    for (const c of run.candidates) assert.ok(c.valid.accuracy >= 0 && c.valid.accuracy <= 1 && c.train.loss > 0);
    const result = run.result;
    assert.ok(result);
    const best = Math.max(...run.candidates.map((c) => c.valid.accuracy));
    assert.strictEqual(
      result.best,
      run.candidates.findIndex((c) => c.valid.accuracy === best),
      'the first of the best',
    );
    assert.deepStrictEqual(result.genotype, run.candidates[result.best].genotype);
    const again = await ensureProxyRandomSearch(config(), { root, train: synthetic(), ...PARAMS });
    assert.strictEqual(again.status, 'finished');
    assert.deepStrictEqual(again.result, result);
  });

  it('repeats exactly, trains each candidate as alone, and resumes with the results of an uninterrupted run', async () => {
    const opts = { train: synthetic(), progress: 'off' as const, ...PARAMS };
    const whole = await ensureProxyRandomSearch(config(), { root: path.join(root, 'whole'), ...opts });
    const cut = path.join(root, 'cut');
    const first = await ensureProxyRandomSearch(config(), { root: cut, ...opts, maxCandidates: 1 });
    assert.deepStrictEqual([first.status, first.candidates.length], ['interrupted', 1]);
    const last = await ensureProxyRandomSearch(config(), { root: cut, ...opts });
    assert.strictEqual(last.status, 'resumed');
    assert.deepStrictEqual(withoutSeconds([last.candidates, last.result]), withoutSeconds([whole.candidates, whole.result]));
    // Candidate 2 trained by itself equals the run's: nothing carries over from the candidates before it.
    const data = nb201Problem(config(), synthetic()).loadData() as ImageSearchData;
    const before = tf.memory().numTensors;
    const alone = trainCandidate(config(), data, 2, PARAMS.trainEpochs, synthetic());
    assert.strictEqual(tf.memory().numTensors, before, 'no tensor kept');
    assert.deepStrictEqual({ ...alone, seconds: 0 }, { ...whole.candidates[2], seconds: 0 });
  });

  it('checks its parameters, naming them; each parameter set and RS-ws have their own directories; notebook 06 reads it', async () => {
    assert.throws(() => checkProxyParameters({ samples: 0, trainEpochs: 2 }), /samples must be a positive integer, got 0/);
    assert.throws(() => checkProxyParameters({ samples: 2, trainEpochs: 1.5 }), /trainEpochs must be a positive integer, got 1.5/);
    await assert.rejects(ensureProxyRandomSearch(config(), { root, train: synthetic(), samples: -1 }), /samples/);
    assert.deepStrictEqual(fs.readdirSync(root), [], 'nothing written');
    const opts = { root, train: synthetic(), progress: 'off' as const };
    const rs = await ensureProxyRandomSearch(config(), { ...opts, ...PARAMS });
    await ensureProxyRandomSearch(config(), { ...opts, samples: 2, trainEpochs: 1 });
    const ws = await ensureRsWs(config(), { ...opts, samples: 3, scoreBatches: 1, topK: 1 });
    assert.strictEqual(fs.readdirSync(path.join(root, 'baselines')).length, 3);
    const cells = readNb201Baselines(path.join(root, 'baselines'));
    assert.deepStrictEqual(
      cells.map((c) => [c.method, c.id]),
      [
        ['RS (2 cells, each trained 1 epoch)', cells[0].id],
        ['RS (4 cells, each trained 2 epochs)', path.basename(rs.dir)],
        ['RS-ws (3 samples, 1 score batch, top 1)', path.basename(ws.dir)],
      ],
    );
  });
});

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { readGridFile, readOverridesFile } from '../../lib/config/overrides_file';
import { repoRoot, tempDir } from '../helpers';

describe('readOverridesFile', () => {
  it('reads an object of config fields and names a missing or malformed file', () => {
    const { dir, cleanup } = tempDir();
    try {
      const f = path.join(dir, 'c.json');
      fs.writeFileSync(f, '{"seed": 3}');
      assert.deepStrictEqual(readOverridesFile(f), { seed: 3 });
      assert.throws(() => readOverridesFile(path.join(dir, 'none.json')), /config file .*none\.json does not exist/);
      fs.writeFileSync(f, '{"seed": ');
      assert.throws(() => readOverridesFile(f), /config file .*c\.json is not valid JSON/);
      fs.writeFileSync(f, '[1]');
      assert.throws(() => readOverridesFile(f), /must hold a JSON object/);
    } finally {
      cleanup();
    }
  });
});

describe('readGridFile', () => {
  it('resolves every entry (base, then its own fields) before anything runs', () => {
    const entries = readGridFile(path.join(repoRoot, 'results/grids/mini-s3.json'));
    assert.strictEqual(entries.length, 10);
    const byName = Object.fromEntries(entries.map((e) => [e.name, e.config]));
    assert.strictEqual(byName.darts.earlyStop, 'simulate');
    assert.strictEqual(byName['darts-ada'].earlyStop, 'adaptive');
    assert.strictEqual(byName['l2-81e-4'].regularization.l2, 0.0081);
    assert.deepStrictEqual(byName['dp-0.4'].regularization, { l2: 3e-4, dropPathProb: 0.4 });
    assert.deepStrictEqual(byName['dp-0.4'].augment.cutout, { length: 14, prob: 1 });
    assert.ok(entries.every((e) => e.config.space === 's3' && e.config.seed === 1 && e.preset === 'mini'));
  });

  it('names the entry and field of an invalid grid', () => {
    const { dir, cleanup } = tempDir();
    try {
      const f = path.join(dir, 'g.json');
      fs.writeFileSync(f, JSON.stringify({ preset: 'smoke', runs: { ok: {}, bad: { regularization: { l2: -1 } } } }));
      assert.throws(() => readGridFile(f), /g\.json: runs\.bad.*regularization\.l2: must be >= 0/);
      fs.writeFileSync(f, JSON.stringify({ preset: 'smoke' }));
      assert.throws(() => readGridFile(f), /must hold \{ "preset"/);
    } finally {
      cleanup();
    }
  });
});

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { readGridFile, readOverridesFile } from '../../lib/config/overrides_file';
import type { Nb201Config } from '../../lib/problems/nb201/config';
import { problemEntry } from '../../lib/problems/registry';
import { tempDir } from '../helpers';

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
    const { dir, cleanup } = tempDir();
    try {
      const f = path.join(dir, 'g.json');
      fs.writeFileSync(
        f,
        JSON.stringify({
          preset: 'mini',
          base: { space: 's3', seed: 1, earlyStop: 'simulate' },
          runs: {
            darts: {},
            ada: { earlyStop: 'adaptive' },
            dp: { regularization: { dropPathProb: 0.4 }, augment: { cutout: { length: 14, prob: 1 } } },
          },
        }),
      );
      const byName = Object.fromEntries(readGridFile(f).map((e) => [e.name, e]));
      assert.deepStrictEqual(Object.keys(byName), ['darts', 'ada', 'dp']);
      assert.strictEqual(byName.darts.config.earlyStop, 'simulate');
      assert.strictEqual(byName.ada.config.earlyStop, 'adaptive');
      assert.deepStrictEqual(byName.dp.config.regularization, { l2: 3e-4, dropPathProb: 0.4 });
      assert.deepStrictEqual(byName.dp.config.augment.cutout, { length: 14, prob: 1 });
      assert.ok(Object.values(byName).every((e) => e.config.space === 's3' && e.config.seed === 1 && e.preset === 'mini'));
    } finally {
      cleanup();
    }
  });

  it("reads another problem's grid through the problems registry, and refuses it without", () => {
    const { dir, cleanup } = tempDir();
    try {
      const f = path.join(dir, 'g.json');
      fs.writeFileSync(f, JSON.stringify({ problem: 'nb201', preset: 'mini', base: { seed: 2 }, runs: { a: {}, small: { C: 4 } } }));
      const resolve = (problem: string, preset: string, overrides: object, source: string) =>
        problemEntry(problem).problem(preset, overrides, source).config;
      const entries = readGridFile(f, resolve);
      assert.deepStrictEqual(
        entries.map((e) => [e.name, e.problem, e.config.seed, (e.config as Nb201Config).C]),
        [
          ['a', 'nb201', 2, 8],
          ['small', 'nb201', 2, 4],
        ],
      );
      assert.throws(() => readGridFile(f), /g\.json: problem "nb201" needs the problems registry/);
      fs.writeFileSync(f, JSON.stringify({ problem: 'nb201', preset: 'mini', runs: { bad: { layers: 3 } } }));
      assert.throws(() => readGridFile(f, resolve), /g\.json: runs\.bad.*unknown key "layers"/);
    } finally {
      cleanup();
    }
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

import * as assert from 'assert';
import { parsePreset, presetFromEnv, PRESETS } from '../../lib/config/preset';

describe('presetFromEnv', () => {
  it('defaults to quick and reads RDARTS_PRESET', () => {
    assert.strictEqual(presetFromEnv({}), 'quick');
    assert.strictEqual(presetFromEnv({ RDARTS_PRESET: '' }), 'quick');
    for (const p of PRESETS) assert.strictEqual(presetFromEnv({ RDARTS_PRESET: p }), p);
  });

  it('rejects an unknown preset, naming the variable', () => {
    assert.throws(
      () => presetFromEnv({ RDARTS_PRESET: 'huge' }),
      /RDARTS_PRESET="huge" is not a preset; use one of smoke, quick, mini, paper/,
    );
    assert.throws(() => parsePreset('x', '--preset'), /--preset="x"/);
  });
});

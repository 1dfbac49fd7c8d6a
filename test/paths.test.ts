import * as assert from 'assert';
import * as path from 'path';
import { outputsDir, REPORT_PRESET, resultsDir } from '../lib/paths';

describe('outputsDir', () => {
  it("puts the report preset's tables and figures in results/, every other preset's in results/<preset>/", () => {
    assert.strictEqual(REPORT_PRESET, 'mini');
    assert.strictEqual(outputsDir('mini'), resultsDir());
    assert.strictEqual(outputsDir('smoke'), path.join(resultsDir(), 'smoke'));
    assert.strictEqual(outputsDir('quick'), path.join(resultsDir(), 'quick'));
    assert.throws(() => outputsDir('../x'), /outputsDir: preset "..\/x" is not a preset name/);
  });
});

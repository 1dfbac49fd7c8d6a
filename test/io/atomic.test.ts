import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic } from '../../lib/io/atomic';
import { tempDir } from '../helpers';

describe('writeFileAtomic', () => {
  it('creates parent folders, writes the content and leaves no temporary file', () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = path.join(dir, 'a', 'b', 'x.json');
      writeFileAtomic(file, '{"v":1}');
      writeFileAtomic(file, '{"v":2}');
      assert.strictEqual(fs.readFileSync(file, 'utf8'), '{"v":2}');
      assert.deepStrictEqual(fs.readdirSync(path.dirname(file)), ['x.json']);
    } finally {
      cleanup();
    }
  });

  it('keeps the old file and removes its temporary file when the write fails', () => {
    const { dir, cleanup } = tempDir();
    try {
      const target = path.join(dir, 'taken');
      fs.mkdirSync(target); // a folder: renaming a file over it fails
      fs.writeFileSync(path.join(target, 'keep'), 'old');
      assert.throws(() => writeFileAtomic(target, 'new'));
      assert.deepStrictEqual(fs.readdirSync(dir), ['taken']);
      assert.strictEqual(fs.readFileSync(path.join(target, 'keep'), 'utf8'), 'old');
    } finally {
      cleanup();
    }
  });
});

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { batchify, bpttWindow, buildCorpus, EOS, readTextCorpus, tokenize } from '../../lib/data/ptb';
import { withTempDir } from '../helpers';

const TEXTS = { train: ' the cat sat \n the dog\n\n', valid: ' the cat\n', test: ' a dog sat\n' };

describe('text corpora in the PTB format (lib/data/ptb.ts)', () => {
  it('ends every line with <eos>, an empty one too, and a final newline ends the last line', () => {
    assert.deepStrictEqual(tokenize(' a  b \n\n c'), ['a', 'b', EOS, EOS, 'c', EOS]);
    assert.deepStrictEqual(tokenize(' a  b \n\n c\n'), ['a', 'b', EOS, EOS, 'c', EOS]);
    assert.deepStrictEqual(tokenize(' a\r\n b\r\n'), ['a', EOS, 'b', EOS]);
  });

  it('numbers the words by first occurrence, reading train, then valid, then test', () => {
    const c = buildCorpus(TEXTS);
    assert.deepStrictEqual(c.vocabulary, ['the', 'cat', 'sat', EOS, 'dog', 'a']);
    assert.deepStrictEqual([...c.train], [0, 1, 2, 3, 0, 4, 3, 3]);
    assert.deepStrictEqual([...c.valid], [0, 1, 3]);
    assert.deepStrictEqual([...c.test], [5, 4, 2, 3]);
  });

  it('reads either naming scheme, gzip too, from the folder it is given', () =>
    withTempDir((dir) => {
      const ptb = path.join(dir, 'ptb');
      fs.mkdirSync(ptb);
      fs.writeFileSync(path.join(ptb, 'ptb.train.txt'), TEXTS.train);
      fs.writeFileSync(path.join(ptb, 'valid.txt'), TEXTS.valid);
      fs.writeFileSync(path.join(ptb, 'test.txt.gz'), zlib.gzipSync(TEXTS.test));
      const c = readTextCorpus({ dir: ptb });
      assert.deepStrictEqual([c.vocabulary, [...c.test], c.dir], [buildCorpus(TEXTS).vocabulary, [5, 4, 2, 3], ptb]);
      // Found through RDARTS_DATA/<folder> as well.
      assert.strictEqual(readTextCorpus({ env: { RDARTS_DATA: dir } }).dir, ptb);
    }));

  it('names a missing split, an empty file and a binary one, and reads nothing then', () =>
    withTempDir((dir) => {
      fs.writeFileSync(path.join(dir, 'train.txt'), TEXTS.train);
      fs.writeFileSync(path.join(dir, 'valid.txt'), TEXTS.valid);
      assert.throws(() => readTextCorpus({ dir }), /text corpus ptb .* not found; looked in: .* \(missing ptb\.test\.txt or test\.txt/);
      fs.writeFileSync(path.join(dir, 'test.txt'), '');
      assert.throws(() => readTextCorpus({ dir }), /test\.txt: is empty/);
      fs.writeFileSync(path.join(dir, 'test.txt'), Buffer.from([0x61, 0x00, 0x62]));
      assert.throws(() => readTextCorpus({ dir }), /test\.txt: holds a NUL byte/);
    }));

  it('batchifies into contiguous streams, time-major, dropping the remainder (the DARTS code: view(bsz, -1).t())', () => {
    const ids = Int32Array.from({ length: 11 }, (_, i) => 100 + i);
    const s = batchify(ids, 3);
    assert.deepStrictEqual([s.rows, s.cols], [3, 3]);
    // Column b is tokens 3b .. 3b+2; token 9 and 10 are dropped.
    assert.deepStrictEqual([...s.data], [100, 103, 106, 101, 104, 107, 102, 105, 108]);
    assert.throws(() => batchify(ids, 0), /positive integer/);
    assert.throws(() => batchify(ids, 6), /fewer than 2 rows/);
  });

  it('gives windows whose targets are the next token of each stream, the last one shorter', () => {
    const s = batchify(
      Int32Array.from({ length: 12 }, (_, i) => i),
      2,
    ); // columns 0..5 and 6..11
    const first = bpttWindow(s, 0, 3);
    assert.deepStrictEqual([first.length, [...first.inputs], [...first.targets]], [3, [0, 6, 1, 7, 2, 8], [1, 7, 2, 8, 3, 9]]);
    const last = bpttWindow(s, 3, 3);
    assert.deepStrictEqual([last.length, [...last.inputs], [...last.targets]], [2, [3, 9, 4, 10], [4, 10, 5, 11]]);
    assert.throws(() => bpttWindow(s, 5, 3), /row 5 has no next token; windows start at rows 0 to 4/);
    assert.throws(() => bpttWindow(s, 0, 0), /positive integer/);
  });
});

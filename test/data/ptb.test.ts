import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import {
  batchify,
  bpttWindow,
  buildCorpus,
  capVocabulary,
  EOS,
  readResplitCorpus,
  readTextCorpus,
  resplitText,
  tokenize,
} from '../../lib/data/ptb';
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
  it('re-splits sentences by their index: k mod every = 0 valid, 1 test, else train (both files, in order)', () => {
    const valid = Array.from({ length: 7 }, (_, k) => ` s${k}`).join('\n') + '\n';
    const test = ' s7\n s8\n s9\n';
    const r = resplitText([valid, test], 4);
    assert.deepStrictEqual(r, { train: ' s2\n s3\n s6\n s7\n', valid: ' s0\n s4\n s8\n', test: ' s1\n s5\n s9\n' });
    assert.throws(() => resplitText([valid], 2), /every must be an integer >= 3/);
    assert.throws(() => resplitText([' a\n b\n'], 3), /leave the train split empty/);
    withTempDir((dir) => {
      fs.writeFileSync(path.join(dir, 'ptb.valid.txt'), valid);
      assert.throws(() => readResplitCorpus(4, { dir }), /validation and test files .* not found; .*missing ptb\.test\.txt/);
      fs.writeFileSync(path.join(dir, 'ptb.test.txt'), test);
      const c = readResplitCorpus(4, { dir });
      assert.deepStrictEqual([c.dir, c.vocabulary.slice(0, 3), c.train.length], [dir, ['s2', '<eos>', 's3'], 8]);
    });
  });

  it('caps the vocabulary to the most frequent training words, the rest <unk>, keeping <eos> and the old order', () => {
    const c = buildCorpus({ train: 'a b b c c c\nd d d d\n', valid: 'a e c\n', test: 'b\n' });
    // ids: a0 b1 c2 <eos>3 d4 e5; train counts a1 b2 c3 d4.
    const capped = capVocabulary(c, 4);
    assert.deepStrictEqual(capped.vocabulary, ['c', '<eos>', 'd', '<unk>']);
    assert.deepStrictEqual([...capped.valid], [3, 3, 0, 1]);
    assert.deepStrictEqual([...capped.train].slice(0, 6), [3, 3, 3, 0, 0, 0]);
    // A corpus with <unk> keeps it among the reserved; ties go to the earlier id; within the cap: unchanged.
    const u = buildCorpus({ train: 'x <unk> y\n', valid: 'x\n', test: 'y\n' });
    assert.deepStrictEqual(capVocabulary(u, 3).vocabulary, ['x', '<unk>', '<eos>']);
    assert.strictEqual(capVocabulary(c, 6), c);
    assert.throws(() => capVocabulary(c, 2), /integer >= 3/);
  });
});

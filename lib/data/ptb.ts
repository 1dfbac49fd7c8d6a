/**
 * Text corpora in the Penn Treebank format of the language-modelling search (the DARTS recurrent
 * space; docs/method.md §9): Mikolov's PTB, or any corpus written the same way. A
 * corpus folder holds `ptb.train.txt`, `ptb.valid.txt`, `ptb.test.txt` (or `train.txt`,
 * `valid.txt`, `test.txt`, the names the DARTS code opens; gzip accepted), one sentence a line,
 * tokens separated by blanks.
 *   - Tokens: each line split on whitespace, then `<eos>` appended (an empty line is a lone
 *     `<eos>`), as the DARTS code's data.py.
 *   - Vocabulary: ids by first occurrence, reading train, then valid, then test (PTB's valid and
 *     test bring no new word, so the ids are train's).
 *   - batchify: the ids cut into `cols` contiguous streams (the n mod cols last tokens dropped),
 *     time-major: row t, column b holds token b * rows + t.
 *   - bpttWindow(i, L): inputs rows i .. i+L'-1, targets rows i+1 .. i+L' (the next token of the
 *     same stream), L' = min(L, rows - 1 - i): the last window is shorter.
 * The data folder is found as the image data sets' (lib/data/files.ts; folder `ptb`).
 */
import { fileError } from './dataset';
import { locateFiles, type LocateOptions, readDataFile } from './files';

export const CORPUS_SPLITS = ['train', 'valid', 'test'] as const;
export type CorpusSplit = (typeof CORPUS_SPLITS)[number];

/** The end-of-sentence token appended to every line. */
export const EOS = '<eos>';

/** A tokenised corpus: its vocabulary (id -> word) and each split's token ids in order. */
export interface TextCorpus {
  readonly vocabulary: readonly string[];
  readonly train: Int32Array;
  readonly valid: Int32Array;
  readonly test: Int32Array;
  /** Where it was read from (undefined: built from text in memory). */
  readonly dir?: string;
}

/** The tokens of `text`: per line, its blank-separated words, then `<eos>`. A final newline ends the last line. */
export function tokenize(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.flatMap((line) => [...line.split(/\s+/).filter((w) => w !== ''), EOS]);
}

/** A corpus from the three splits' texts (file header: tokens and vocabulary). */
export function buildCorpus(texts: Readonly<Record<CorpusSplit, string>>, dir?: string): TextCorpus {
  const ids = new Map<string, number>();
  const vocabulary: string[] = [];
  const encode = (split: CorpusSplit) => {
    const tokens = tokenize(texts[split]);
    const out = new Int32Array(tokens.length);
    tokens.forEach((w, i) => {
      let id = ids.get(w);
      if (id === undefined) {
        id = vocabulary.length;
        ids.set(w, id);
        vocabulary.push(w);
      }
      out[i] = id;
    });
    return out;
  };
  const [train, valid, test] = CORPUS_SPLITS.map(encode);
  return { vocabulary, train, valid, test, ...(dir === undefined ? {} : { dir }) };
}

/** The text of a corpus file, checked: UTF-8 text (no NUL byte), not empty. Errors name the file. */
function readCorpusText(file: string): string {
  const buf = readDataFile(file);
  if (buf.length === 0) throw fileError(file, 'is empty: a corpus split needs at least one line');
  if (buf.includes(0)) throw fileError(file, 'holds a NUL byte: not a text corpus (one sentence a line)');
  return buf.toString('utf8');
}

/**
 * Reads the corpus in folder `folder` (default `ptb`) of the data folders, or in `options.dir`:
 * every split must be there; a missing file, an empty one or a binary one throws naming it.
 */
export function readTextCorpus(options: LocateOptions & { readonly folder?: string; readonly what?: string } = {}): TextCorpus {
  const folder = options.folder ?? 'ptb';
  const { dir, files } = locateFiles(
    options.what ?? `the text corpus ${folder} (Penn Treebank format)`,
    folder,
    CORPUS_SPLITS.map((s) => [`ptb.${s}.txt`, `${s}.txt`, `ptb.${s}.txt.gz`, `${s}.txt.gz`]),
    options,
  );
  const [train, valid, test] = files.map(readCorpusText);
  return buildCorpus({ train, valid, test }, dir);
}

/** Token ids as `cols` parallel streams, time-major (file header). */
export interface Streams {
  readonly rows: number;
  readonly cols: number;
  /** rows x cols, row-major: [t * cols + b] = token b * rows + t of the split. */
  readonly data: Int32Array;
}

/** Cuts `ids` into `cols` contiguous streams, dropping the last n mod cols tokens. */
export function batchify(ids: Int32Array, cols: number): Streams {
  if (!Number.isInteger(cols) || cols < 1) throw new Error(`batchify: the batch size must be a positive integer, got ${cols}`);
  const rows = Math.floor(ids.length / cols);
  if (rows < 2)
    throw new Error(`batchify: ${ids.length} tokens make fewer than 2 rows of ${cols} streams; a window needs an input and a target`);
  const data = new Int32Array(rows * cols);
  for (let b = 0; b < cols; b++) for (let t = 0; t < rows; t++) data[t * cols + b] = ids[b * rows + t];
  return { rows, cols, data };
}

/** One window of back-propagation through time (file header), as rows x cols id arrays. */
export function bpttWindow(source: Streams, i: number, length: number): { inputs: Int32Array; targets: Int32Array; length: number } {
  if (!Number.isInteger(length) || length < 1) throw new Error(`bpttWindow: the window length must be a positive integer, got ${length}`);
  if (!Number.isInteger(i) || i < 0 || i > source.rows - 2)
    throw new Error(`bpttWindow: row ${i} has no next token; windows start at rows 0 to ${source.rows - 2}`);
  const l = Math.min(length, source.rows - 1 - i);
  const { cols, data } = source;
  return { inputs: data.slice(i * cols, (i + l) * cols), targets: data.slice((i + 1) * cols, (i + 1 + l) * cols), length: l };
}

/**
 * Penn Treebank re-split (our choice where PTB's training file is missing): the sentences of
 * `ptb.valid.txt` then `ptb.test.txt`, numbered k = 0, 1, ... in that order; k mod `every` = 0 goes
 * to valid, 1 to test, the rest to train. Real PTB text at a smaller size (about 125k training
 * tokens at every 10); neighbouring sentences of one article can land in different splits, so the
 * topic, never the text, is shared between train and the held-out splits.
 */
export function resplitText(texts: readonly string[], every: number): Record<CorpusSplit, string> {
  if (!Number.isInteger(every) || every < 3)
    throw new Error(`resplit: every must be an integer >= 3 (valid, test and at least one train sentence), got ${every}`);
  const out: Record<CorpusSplit, string[]> = { train: [], valid: [], test: [] };
  let k = 0;
  for (const text of texts) {
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    for (const line of lines) {
      const r = k++ % every;
      out[r === 0 ? 'valid' : r === 1 ? 'test' : 'train'].push(line);
    }
  }
  for (const s of CORPUS_SPLITS)
    if (out[s].length === 0) throw new Error(`resplit: ${k} sentences leave the ${s} split empty at every ${every}`);
  return { train: out.train.join('\n') + '\n', valid: out.valid.join('\n') + '\n', test: out.test.join('\n') + '\n' };
}

/** Reads `ptb.valid.txt` and `ptb.test.txt` of the data folder `folder` (default `ptb`) and re-splits them (`resplitText`). */
export function readResplitCorpus(every: number, options: LocateOptions & { readonly folder?: string } = {}): TextCorpus {
  const folder = options.folder ?? 'ptb';
  const { dir, files } = locateFiles(
    `the Penn Treebank validation and test files (folder ${folder}, for the re-split corpus)`,
    folder,
    [
      ['ptb.valid.txt', 'valid.txt', 'ptb.valid.txt.gz', 'valid.txt.gz'],
      ['ptb.test.txt', 'test.txt', 'ptb.test.txt.gz', 'test.txt.gz'],
    ],
    options,
  );
  return buildCorpus(resplitText(files.map(readCorpusText), every), dir);
}

/** The out-of-vocabulary token (PTB's own). */
export const UNK = '<unk>';

/**
 * The corpus with its vocabulary cut to `size` types: `<eos>`, `<unk>` and the size - 2 words most
 * frequent in train (ties: the earlier id), in their old order; every other word becomes `<unk>`.
 * A corpus already within `size` is returned as it is.
 */
export function capVocabulary(corpus: TextCorpus, size: number): TextCorpus {
  if (!Number.isInteger(size) || size < 3) throw new Error(`vocabulary: the cap must be an integer >= 3, got ${size}`);
  if (corpus.vocabulary.length <= size) return corpus;
  const counts = new Float64Array(corpus.vocabulary.length);
  for (const id of corpus.train) counts[id] += 1;
  const reserved = new Set([EOS, UNK]);
  const ranked = corpus.vocabulary
    .map((w, id) => id)
    .filter((id) => !reserved.has(corpus.vocabulary[id]))
    .sort((a, b) => counts[b] - counts[a] || a - b)
    .slice(0, size - 2);
  const keep = new Set<number>(ranked);
  corpus.vocabulary.forEach((w, id) => reserved.has(w) && keep.add(id));
  const vocabulary: string[] = [];
  const map = new Int32Array(corpus.vocabulary.length).fill(-1);
  corpus.vocabulary.forEach((w, id) => {
    if (keep.has(id)) map[id] = vocabulary.push(w) - 1;
  });
  let unk = vocabulary.indexOf(UNK);
  if (unk < 0) unk = vocabulary.push(UNK) - 1;
  const remap = (ids: Int32Array) => ids.map((id) => (map[id] < 0 ? unk : map[id]));
  return {
    vocabulary,
    train: remap(corpus.train),
    valid: remap(corpus.valid),
    test: remap(corpus.test),
    ...(corpus.dir === undefined ? {} : { dir: corpus.dir }),
  };
}

/**
 * NAS-Bench-201's lookup table: the published test accuracy (%) of every one of its 15,625 cells
 * after 200 epochs of training, averaged over the benchmark's trials, on CIFAR-10, CIFAR-100 and
 * ImageNet16-120. With it, any genotype of that space has an exact test error at no cost (the
 * paper's answer to evaluation noise was such a space, its S5). The table is committed with its
 * provenance (data/nas-bench-201/README.md).
 *
 * A cell has 4 nodes; node j sums one op applied to each earlier node. Its string, the benchmark's:
 * `|op~0|+|op~0|op~1|+|op~0|op~1|op~2|` (node 1's edge, node 2's two, node 3's three; `op~i` is op on
 * node i), ops `none`, `skip_connect`, `nor_conv_1x1`, `nor_conv_3x3`, `avg_pool_3x3`.
 */
import * as path from 'path';
import { packageRoot } from '../paths';
import { readDataFile } from './files';

/** The ops of the NAS-Bench-201 space, in the benchmark's order. */
export const NB201_OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'] as const;
export type Nb201Op = (typeof NB201_OPS)[number];

/** The committed table (gzip CSV). */
export const NB201_TABLE_FILE = path.join(packageRoot, 'data', 'nas-bench-201', 'nb201-test-accuracy.csv.gz');

const HEADER = 'CIFAR10TestAccuracy200Epochs,CIFAR100TestAccuracy200Epochs,ImageNetTestAccuracy200Epochs,ArchitectureString,UniqueString';
/** 5 ops on each of the 6 edges. */
export const NB201_CELLS = NB201_OPS.length ** 6;

/** One cell of the table: its ops edge by edge and its test accuracies (%). */
export interface Nb201Entry {
  readonly arch: string;
  /** Ops of the 6 edges: (1<-0), (2<-0), (2<-1), (3<-0), (3<-1), (3<-2). */
  readonly ops: readonly Nb201Op[];
  readonly cifar10: number;
  readonly cifar100: number;
  readonly imagenet16: number;
}

/** The 6 ops of a cell string, checked; throws naming what is wrong. */
export function parseNb201Arch(arch: string): Nb201Op[] {
  const nodes = arch.split('+');
  const fail = (why: string) => new Error(`NAS-Bench-201 cell ${JSON.stringify(arch)}: ${why}`);
  if (nodes.length !== 3) throw fail(`expected 3 nodes joined by "+", got ${nodes.length}`);
  const ops: Nb201Op[] = [];
  nodes.forEach((node, j) => {
    const m = /^\|(.*)\|$/.exec(node);
    const edges = m ? m[1].split('|') : [];
    if (edges.length !== j + 1) throw fail(`node ${j + 1} needs ${j + 1} edge(s) as |op~i|, got ${JSON.stringify(node)}`);
    edges.forEach((edge, i) => {
      const [op, input] = edge.split('~');
      if (!(NB201_OPS as readonly string[]).includes(op)) throw fail(`unknown op ${JSON.stringify(op)} (ops: ${NB201_OPS.join(', ')})`);
      if (input !== String(i)) throw fail(`edge ${JSON.stringify(edge)} of node ${j + 1} must read node ${i}`);
      ops.push(op as Nb201Op);
    });
  });
  return ops;
}

/**
 * The table in `file` (the committed one by default), by cell string. Every row is checked: five
 * fields, accuracies in [0, 100], a valid cell, no cell twice; with `complete` (default) all
 * 15,625 cells must be there. Errors name the file and line.
 */
export function loadNb201Table(file: string = NB201_TABLE_FILE, options: { complete?: boolean } = {}): Map<string, Nb201Entry> {
  const lines = readDataFile(file).toString('utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines[0]?.trim() !== HEADER) throw new Error(`${file}: the header is not NAS-Bench-201's (${HEADER})`);
  const table = new Map<string, Nb201Entry>();
  lines.slice(1).forEach((line, i) => {
    const at = `${file}:${i + 2}`;
    const fields = line.trim().split(',');
    if (fields.length !== 5) throw new Error(`${at}: expected 5 fields, got ${fields.length}`);
    const [c10, c100, img] = fields.slice(0, 3).map((v) => (v.trim() === '' ? NaN : Number(v)));
    for (const [name, v] of [
      ['CIFAR-10', c10],
      ['CIFAR-100', c100],
      ['ImageNet16-120', img],
    ] as const) {
      if (!(v >= 0 && v <= 100)) throw new Error(`${at}: the ${name} accuracy ${JSON.stringify(fields)} is not a percentage`);
    }
    const arch = fields[3];
    let ops: Nb201Op[];
    try {
      ops = parseNb201Arch(arch);
    } catch (e) {
      throw new Error(`${at}: ${(e as Error).message}`, { cause: e });
    }
    if (table.has(arch)) throw new Error(`${at}: cell ${arch} appears twice`);
    table.set(arch, { arch, ops, cifar10: c10, cifar100: c100, imagenet16: img });
  });
  if (options.complete !== false && table.size !== NB201_CELLS) {
    throw new Error(`${file}: ${table.size} cells; NAS-Bench-201 has ${NB201_CELLS}`);
  }
  return table;
}

/** The cell string of 6 ops (edges in the order of `Nb201Entry.ops`). */
export function nb201Arch(ops: readonly Nb201Op[]): string {
  if (ops.length !== 6) throw new Error(`nb201Arch: a cell has 6 edges, got ${ops.length} ops`);
  const e = (k: number, i: number) => `${ops[k]}~${i}`;
  return `|${e(0, 0)}|+|${e(1, 0)}|${e(2, 1)}|+|${e(3, 0)}|${e(4, 1)}|${e(5, 2)}|`;
}

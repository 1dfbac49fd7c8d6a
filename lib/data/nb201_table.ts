/**
 * NAS-Bench-201's lookup table: the published test accuracy (%) of every one of its 15,625 cells
 * after 200 epochs of training, averaged over the benchmark's trials, on CIFAR-10, CIFAR-100 and
 * ImageNet16-120. With it, any genotype of that space has an exact test error at no cost (the
 * paper's answer to evaluation noise was such a space, its S5). The table is committed with its
 * provenance (data/nas-bench-201/README.md).
 *
 * Cells are written as the benchmark's strings (lib/spaces/nb201.ts).
 */
import * as path from 'path';
import { packageRoot } from '../paths';
import { NB201_OPS, type Nb201Op, parseNb201Arch } from '../spaces/nb201';
import { readDataFile } from './files';

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

/** The data sets of NAS-Bench-201's table. */
export const NB201_DATASETS = ['cifar10', 'cifar100', 'imagenet16-120'] as const;
export type Nb201Dataset = (typeof NB201_DATASETS)[number];

/** One cell's three benchmark accuracies (%), as an epoch record keeps them. */
export type Nb201Accuracies = Readonly<Record<Nb201Dataset, number>>;

let committed: Map<string, Nb201Entry> | undefined;

/** The committed table, read once per process. */
export function nb201Table(): Map<string, Nb201Entry> {
  committed ??= loadNb201Table();
  return committed;
}

/** The three published accuracies of cell `arch` (a malformed string throws, naming it). */
export function nb201Accuracies(arch: string): Nb201Accuracies {
  parseNb201Arch(arch);
  const entry = nb201Table().get(arch);
  if (!entry) throw new Error(`NAS-Bench-201 cell ${JSON.stringify(arch)} is not in the table ${NB201_TABLE_FILE}`);
  return { cifar10: entry.cifar10, cifar100: entry.cifar100, 'imagenet16-120': entry.imagenet16 };
}

/**
 * The published test accuracy (%) of cell `arch` on `dataset` after the benchmark's 200 epochs
 * (from the committed table). An unknown data set or a malformed or unknown cell string throws,
 * naming it.
 */
export function nb201TestAccuracy(arch: string, dataset: Nb201Dataset): number {
  if (!(NB201_DATASETS as readonly string[]).includes(dataset)) {
    throw new Error(`nb201TestAccuracy: dataset ${JSON.stringify(dataset)} is not one of ${NB201_DATASETS.join(', ')}`);
  }
  return nb201Accuracies(arch)[dataset];
}

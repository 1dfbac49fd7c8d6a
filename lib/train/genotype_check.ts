/**
 * Validation of a genotype before the evaluation network is built from it (docs/method.md §5): every entry
 * names an op of the registry (lib/nn/ops.ts `OPS`) and an existing state, and each concat lists
 * existing states (in a reduction cell only its nodes, whose size is halved). Errors name the bad
 * entry, e.g. `genotype.normal[3]`.
 */
import { OPS } from '../nn/ops';
import type { Genotype } from '../spaces/genotype';

type CellKey = 'normal' | 'reduce';

function show(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function checkEntries(entries: unknown, cell: CellKey): number {
  const what = `genotype.${cell}`;
  if (!Array.isArray(entries) || entries.length === 0 || entries.length % 2 !== 0) {
    throw new Error(`${what} = ${show(entries)}; expected a non-empty list of [op, input] pairs, 2 per node`);
  }
  entries.forEach((entry: unknown, k) => {
    const at = `${what}[${k}] = ${show(entry)}`;
    if (!Array.isArray(entry) || entry.length !== 2) throw new Error(`${at}; expected [op, input]`);
    const [op, input] = entry as [unknown, unknown];
    if (typeof op !== 'string' || !Object.prototype.hasOwnProperty.call(OPS, op)) {
      throw new Error(`${at}: op ${show(op)} is not in the op registry (${Object.keys(OPS).join(', ')})`);
    }
    const states = 2 + Math.floor(k / 2);
    if (typeof input !== 'number' || !Number.isInteger(input) || input < 0 || input >= states) {
      throw new Error(`${at}: input ${show(input)} is not a state of node ${Math.floor(k / 2)} (use 0..${states - 1})`);
    }
  });
  return entries.length / 2;
}

function checkConcat(concat: unknown, steps: number, cell: CellKey): void {
  const what = `genotype.${cell}Concat`;
  if (!Array.isArray(concat) || concat.length === 0) throw new Error(`${what} = ${show(concat)}; expected a non-empty list of states`);
  concat.forEach((i: unknown, k) => {
    if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= 2 + steps) {
      throw new Error(`${what}[${k}] = ${show(i)}: not a state of the cell (use 0..${1 + steps})`);
    }
    if (concat.indexOf(i) !== k) throw new Error(`${what}[${k}] = ${i}: repeated`);
    if (cell === 'reduce' && i < 2) throw new Error(`${what}[${k}] = ${i}: a reduction cell can only concat its nodes (2..${1 + steps})`);
  });
}

/** Throws unless `g` is a genotype whose ops are all in the registry; the error names the bad entry. */
export function checkGenotype(g: Genotype): void {
  if (typeof g !== 'object' || g === null) throw new Error(`genotype = ${show(g)}; expected a Genotype`);
  checkConcat(g.normalConcat, checkEntries(g.normal, 'normal'), 'normal');
  checkConcat(g.reduceConcat, checkEntries(g.reduce, 'reduce'), 'reduce');
}

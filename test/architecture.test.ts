/**
 * The layers of lib/ (docs/architecture.md): every relative import of every file under lib/ goes
 * to its own folder or to a lower layer, and no files import each other in a circle. The layer
 * table is read from docs/architecture.md, so the picture and the rule cannot drift apart.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const LIB = path.join(ROOT, 'lib');

/** { 'search': 10, 'backend.ts': 2, ... } from the table of docs/architecture.md. */
function layerTable(): Map<string, number> {
  const text = fs.readFileSync(path.join(ROOT, 'docs', 'architecture.md'), 'utf8');
  const layers = new Map<string, number>();
  for (const m of text.matchAll(/^\| (\d+) \| ([^|]+) \|/gm)) {
    for (const name of m[2].matchAll(/`([^`]+)`/g)) layers.set(name[1].replace(/\/$/, ''), Number(m[1]));
  }
  return layers;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The relative imports, re-exports and require() calls of a file, resolved to files under lib/ (a folder to its index.ts). */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [
    ...[...text.matchAll(/(?:import|export)[^;]*?from '(\.[^']+)'/gs)].map((m) => m[1]),
    ...[...text.matchAll(/require\(['`](\.[^'`$]+)['`]\)/g)].map((m) => m[1]),
  ];
  return specs
    .map((spec) => path.resolve(path.dirname(file), spec))
    .filter((target) => !target.endsWith('.json') && !path.relative(LIB, target).startsWith('..'))
    .map((target) => (fs.existsSync(target) && fs.statSync(target).isDirectory() ? path.join(target, 'index.ts') : target + '.ts'));
}

/** The unit a file belongs to: its top folder under lib/, or itself at the root. */
function unitOf(file: string): string {
  return path.relative(LIB, file).split(path.sep)[0];
}

/** The problem a file under lib/problems/<name>/ belongs to, else undefined. */
function problemOf(file: string): string | undefined {
  const parts = path.relative(LIB, file).split(path.sep);
  return parts[0] === 'problems' && parts.length > 2 ? parts[1] : undefined;
}

describe('the layers of lib/ (docs/architecture.md)', () => {
  const layers = layerTable();
  const files = sourceFiles(LIB);

  it('the table names every folder and root file of lib/', () => {
    const units = new Set(files.map(unitOf));
    assert.deepStrictEqual([...units].filter((u) => !layers.has(u)).sort(), []);
    assert.ok(layers.size >= 20, `the table was read (${layers.size} entries)`);
  });

  it('no file imports upward or sideways', () => {
    const wrong: string[] = [];
    for (const file of files) {
      const from = unitOf(file);
      for (const target of importsOf(file)) {
        const to = unitOf(target);
        if (to === from) continue;
        const [a, b] = [layers.get(from) ?? -1, layers.get(to) ?? Infinity];
        if (b >= a) wrong.push(`${path.relative(ROOT, file)} (layer ${a}) imports ${path.relative(ROOT, target)} (layer ${b})`);
      }
    }
    assert.deepStrictEqual(wrong, []);
  });

  it('a problem does not import another problem (lib/problems/<name>/)', () => {
    const wrong = files.flatMap((file) =>
      importsOf(file)
        .filter((t) => problemOf(file) && problemOf(t) && problemOf(t) !== problemOf(file))
        .map((t) => `${path.relative(ROOT, file)} imports ${path.relative(ROOT, t)}`),
    );
    assert.deepStrictEqual(wrong, []);
  });

  it('no files import each other in a circle', () => {
    const graph = new Map(files.map((f) => [f, importsOf(f).filter((t) => fs.existsSync(t))]));
    const state = new Map<string, 'open' | 'done'>();
    const circles: string[] = [];
    const visit = (f: string, trail: string[]) => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') {
        circles.push([...trail.slice(trail.indexOf(f)), f].map((p) => path.relative(LIB, p)).join(' -> '));
        return;
      }
      state.set(f, 'open');
      for (const t of graph.get(f) ?? []) visit(t, [...trail, f]);
      state.set(f, 'done');
    };
    for (const f of files) visit(f, []);
    assert.deepStrictEqual(circles, []);
  });
});

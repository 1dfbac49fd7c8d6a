/**
 * Every section of the project's docs that the code, notebooks and docs cite ("docs/method.md §8",
 * "docs/method.md §3, §4") is a heading of that file: a section once went missing while 20 places
 * still cited it.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { packageRoot } from '../lib/paths';

/** Folders and files scanned (the records under results/**\/runs are data, not prose). */
const ROOTS = ['lib', 'notebooks', 'docs', 'data', 'test', 'README.md', 'environment.md', 'results'];
const SKIP_DIRS = new Set(['node_modules', 'runs', 'checkpoint']);
const TEXT = /\.(ts|md|ipynb|py|sh)$/;
const CITATION = /docs\/([a-z_]+)\.md §(\d+)((?:(?:, §|-)\d+)*)/g;

function files(at: string): string[] {
  const stat = fs.statSync(at);
  if (stat.isFile()) return TEXT.test(at) ? [at] : [];
  return fs
    .readdirSync(at)
    .filter((name) => !SKIP_DIRS.has(name))
    .flatMap((name) => files(path.join(at, name)));
}

describe('docs citations', () => {
  it('name sections that exist', () => {
    const headings = new Map<string, Set<string>>();
    const sectionsOf = (doc: string) => {
      let known = headings.get(doc);
      if (!known) {
        const file = path.join(packageRoot, 'docs', `${doc}.md`);
        const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
        known = new Set([...text.matchAll(/^#+ §(\d+)\b/gm)].map((m) => m[1]));
        headings.set(doc, known);
      }
      return known;
    };
    const missing: string[] = [];
    let cited = 0;
    for (const root of ROOTS) {
      const at = path.join(packageRoot, root);
      if (!fs.existsSync(at)) continue;
      for (const file of files(at)) {
        for (const m of fs.readFileSync(file, 'utf8').matchAll(CITATION)) {
          // "§3, §4" names both; "§4-5" names both ends.
          const sections = [m[2], ...[...m[3].matchAll(/\d+/g)].map((s) => s[0])];
          for (const s of sections) {
            cited++;
            if (!sectionsOf(m[1]).has(s)) missing.push(`${path.relative(packageRoot, file)}: docs/${m[1]}.md §${s}`);
          }
        }
      }
    }
    assert.ok(cited > 100, `only ${cited} citations found: is the scan reading the sources?`);
    assert.deepStrictEqual([...new Set(missing)], []);
  });
});

#!/usr/bin/env node
/**
 * Strips what running a notebook adds, so that git never records it: outputs (a browser run saved
 * about 13 MB into the tracked notebooks: plotly.js with the first figure), execution counts,
 * per-cell run metadata (timings, scroll state) and the kernel's version in language_info. The
 * source, ids, tags (a parameters cell's) and the kernelspec are kept; the JSON is written as
 * Jupyter (nbformat) writes it: keys sorted, indent 1, a final newline; so a notebook saved by
 * Jupyter and stripped is byte for byte the committed one.
 *
 * Used as a git "clean" filter (.gitattributes: notebooks/*.ipynb filter=rdarts-strip-outputs;
 * .ci/setup configures it in the clone): stdin to stdout. Plain CommonJS, so that git runs it with
 * node alone, without a build or tsx.
 */
'use strict';

const RUN_METADATA = ['execution', 'collapsed', 'scrolled', 'ExecuteTime'];

/** `value` with the keys of every object sorted (nbformat's sort_keys). */
function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys(value[k])]),
    );
  }
  return value;
}

/** The notebook text `text` without outputs (see above); text that is not a notebook is returned unchanged. */
function stripOutputs(text) {
  let nb;
  try {
    nb = JSON.parse(text);
  } catch {
    return text; // not JSON (a merge in progress, say): leave it for git to show
  }
  if (!nb || typeof nb !== 'object' || !Array.isArray(nb.cells)) return text;
  for (const cell of nb.cells) {
    if (cell.cell_type === 'code') {
      cell.outputs = [];
      cell.execution_count = null;
    }
    if (cell.metadata && typeof cell.metadata === 'object') for (const key of RUN_METADATA) delete cell.metadata[key];
  }
  const info = nb.metadata && nb.metadata.language_info;
  if (info && typeof info === 'object') {
    delete info.version;
    delete info.codemirror_mode;
  }
  return `${JSON.stringify(sortKeys(nb), null, 1)}\n`;
}

module.exports = { stripOutputs };

if (require.main === module) {
  const chunks = [];
  process.stdin.on('data', (c) => chunks.push(c));
  process.stdin.on('end', () => process.stdout.write(stripOutputs(Buffer.concat(chunks).toString('utf8'))));
}

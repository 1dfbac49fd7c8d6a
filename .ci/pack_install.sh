#!/usr/bin/env bash
# The package as a user gets it: `npm pack`, installed from the tarball into an empty project (no
# overrides there, no link to this folder), then imported from a script that runs a smoke search,
# and its CLI. Needs the npm registry. Run by `npm test` (test:pack) after the build.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
say() { printf 'pack-install: %s\n' "$*"; }

[ -f "$root/dist/index.js" ] || (cd "$root" && npm run build --silent)
# dist/ is built already (npm test builds before this), so the pack skips `prepare`.
tarball="$(cd "$root" && npm pack --ignore-scripts --silent --pack-destination "$tmp" | tail -1)"
say "packed $tarball ($(du -k "$tmp/$tarball" | cut -f1) KiB)"

mkdir "$tmp/app"
cd "$tmp/app"
npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error "../$tarball" >/dev/null
say "installed into an empty project: $(npm ls --depth=0 --parseable robust-darts-ts | tail -1)"

cat > smoke.js <<'JS'
// A smoke search from a script, through the package root's API (README.md, "The API").
const rd = require('robust-darts-ts');
(async () => {
  await rd.initBackend();
  const config = rd.resolveConfig('smoke');
  const { status, run } = await rd.ensureRun(config, { root: 'runs', progress: 'off' });
  if (status !== 'started' || !run.done) throw new Error(`smoke search: status ${status}, done ${run.done}`);
  console.log(`smoke search ${run.runId}: ${rd.formatGenotype(run.genotype.genotype).slice(0, 60)}...`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
JS
node smoke.js
npx --no-install rdarts --version
npx --no-install rdarts runs --out runs
say ok

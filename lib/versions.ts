/** Versions of the software that produced a result, for notebooks and run records. */

/** The installed version of `name`, or undefined when it is not installed. */
export function packageVersion(name: string): string | undefined {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return undefined;
  }
}

/** The packages whose versions we report: the engine, tables, figures and the notebook kernel. */
export const REPORTED_PACKAGES = [
  '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu',
  'arquero', 'plotly.js-dist', 'tslab',
] as const;

/** Node's version and those of REPORTED_PACKAGES that are installed. */
export function softwareVersions(): Record<string, string> {
  const versions: Record<string, string> = { node: process.version, 'robust-darts-ts': ownVersion() };
  for (const name of REPORTED_PACKAGES) {
    const v = packageVersion(name);
    if (v !== undefined) versions[name] = v;
  }
  return versions;
}

/** This package's version (from lib/ or dist/, package.json is one level up). */
function ownVersion(): string {
  return (require('../package.json') as { version: string }).version;
}

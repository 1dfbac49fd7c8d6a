/** Versions of the software that produced a result, for notebooks and run records. */

/** The installed version of `name`, or undefined when it is not installed. */
export function packageVersion(name: string): string | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- any installed package, by name at run time
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return undefined;
  }
}

/** The packages whose versions we report: the engine, tables, figures and the notebook kernel. */
export const REPORTED_PACKAGES = [
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
  'arquero',
  'plotly.js-dist',
  'tslab',
] as const;

/**
 * The revision of the numerical engine (lib/kernels, lib/engine), written into every record's
 * `versions` as `engine`; raised when a change moves results by more than float32 rounding.
 *   1 (records without `engine`): tfjs-backend-wasm's Sum and our batch-norm kernels accumulated in
 *     float32. Activations were ~7x further from float64 than on the cpu backend, and where a ReLU
 *     unit sat within that error of zero it crossed its kink: single gradients off by up to 9% of
 *     their largest entry on the wasm backend (other backends were not affected).
 *   2: those sums accumulate in double (as PyTorch's CPU batch norm does; its Sum uses cascade
 *     summation, about as accurate). The conv filter gradients keep blocked float32 sums (per row,
 *     then across rows), and the measured accuracy against float64 equals the cpu backend's.
 *   3: faster kernels, same accuracy: batch-norm statistics in one pass, float32 SIMD within blocks
 *     of 16 rows and double across blocks, and its element-wise results in float32 (as PyTorch's);
 *     the MixedOp's weighted sum and its gradient fused (dw from float32 products summed in double);
 *     ReLU's gradient fused; our kernels work on tfjs's heap in place. Mean error against PyTorch
 *     float64 over the six fixture cases (test/supernet/torch_reference.test.ts): logits 7.8e-7,
 *     alpha gradients 5.6e-7 (revision 2: 7.0e-7, 5.7e-7; the cpu backend: 8.4e-7, 4.4e-7).
 */
export const ENGINE_REVISION = 3;

/** The first revision whose wasm sums accumulate in double: wasm records before it have the float32 sums. */
export const FLOAT64_SUMS_REVISION = 2;

/** The engine revision a record was made with (its `versions.engine`; 1 where it is absent). */
export function engineRevisionOf(versions: Readonly<Record<string, string>> | undefined): number {
  const v = versions?.engine;
  return v === undefined ? 1 : Number(v);
}

/** Node's version, the engine revision and the versions of REPORTED_PACKAGES that are installed. */
export function softwareVersions(): Record<string, string> {
  const versions: Record<string, string> = { node: process.version, 'robust-darts-ts': ownVersion(), engine: String(ENGINE_REVISION) };
  for (const name of REPORTED_PACKAGES) {
    const v = packageVersion(name);
    if (v !== undefined) versions[name] = v;
  }
  return versions;
}

/** This package's version (from lib/ or dist/, package.json is one level up). */
function ownVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- outside rootDir: an import would pull it into dist/
  return (require('../package.json') as { version: string }).version;
}

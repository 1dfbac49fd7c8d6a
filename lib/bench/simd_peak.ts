/**
 * The arithmetic ceiling of our kernels on this core: the float32 rate of WebAssembly SIMD128 with
 * nothing but arithmetic in flight (12 independent chains of `acc = acc * m + c` on four lanes, no
 * memory traffic), as a multiply and an add and, where the runtime has relaxed SIMD, as one fused
 * `f32x4.relaxed_madd` (lib/kernels/grad_kernels.c's MADD). A search step's rate (`rdarts bench`:
 * `gflops_a`) against this says how far our kernels are from what the instruction set allows,
 * beside PyTorch's native AVX-512 (results/bench/README.md).
 *
 *   npx tsx lib/bench/simd_peak.ts [--append results/bench/simd_peak.jsonl]
 *
 * The module is assembled here byte by byte (so no compiler is needed); its one function is
 * `peak(iters: i32, c: f32): f32`.
 */
import * as fs from 'fs';
import * as os from 'os';
import { acceptsRelaxedSimd } from '../kernels/wasm_module';

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, (...a: number[]) => number> };
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Independent accumulator chains: enough to hide the latency of a multiply and an add behind 2 + 2 pipes. */
export const PEAK_CHAINS = 12;
/** Float operations per chain step: 4 lanes x (a multiply and an add). */
const FLOP_PER_STEP = 8;

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const f32 = (x: number) => [...new Uint8Array(new Float32Array([x]).buffer)];
const SIMD = 0xfd;
const op = {
  localGet: 0x20,
  localSet: 0x21,
  f32Const: 0x43,
  i32Const: 0x41,
  i32Sub: 0x6b,
  i32Eqz: 0x45,
  brIf: 0x0d,
  br: 0x0c,
  block: 0x02,
  loop: 0x03,
  end: 0x0b,
  empty: 0x40,
};
const simd = {
  splat: [SIMD, ...uleb(19)],
  extractLane: [SIMD, ...uleb(31)],
  add: [SIMD, ...uleb(228)],
  mul: [SIMD, ...uleb(230)],
  relaxedMadd: [SIMD, ...uleb(261)],
};

/** The module: `peak(iters, c)` runs `iters` steps of every chain and returns a lane of their sum (so nothing is dead code). */
export function peakModule(fused: boolean, chains = PEAK_CHAINS): Uint8Array {
  // Locals after the two parameters: m, c (vectors), then the chains.
  const [ITERS, C, M, CV, ACC] = [0, 1, 2, 3, 4];
  const body: number[] = [];
  body.push(op.f32Const, ...f32(0.999), ...simd.splat, op.localSet, M);
  body.push(op.localGet, C, ...simd.splat, op.localSet, CV);
  for (let k = 0; k < chains; k++) body.push(op.f32Const, ...f32(k / chains), ...simd.splat, op.localSet, ACC + k);
  body.push(op.block, op.empty, op.loop, op.empty);
  body.push(op.localGet, ITERS, op.i32Eqz, op.brIf, 1);
  for (let k = 0; k < chains; k++) {
    body.push(op.localGet, ACC + k, op.localGet, M);
    if (fused)
      body.push(op.localGet, CV, ...simd.relaxedMadd); // relaxed_madd(a, b, c) = a * b + c
    else body.push(...simd.mul, op.localGet, CV, ...simd.add);
    body.push(op.localSet, ACC + k);
  }
  body.push(op.localGet, ITERS, op.i32Const, 1, op.i32Sub, op.localSet, ITERS, op.br, 0, op.end, op.end);
  body.push(op.localGet, ACC);
  for (let k = 1; k < chains; k++) body.push(op.localGet, ACC + k, ...simd.add);
  body.push(...simd.extractLane, 0, op.end);
  const locals = [1, ...uleb(2 + chains), 0x7b]; // one group of v128 locals
  const func = [...locals, ...body];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 2, 0x7f, 0x7d, 1, 0x7d]), // type: (i32, f32) -> f32
    ...section(3, [1, 0]), // one function of type 0
    ...section(7, [1, ...uleb(4), ...Buffer.from('peak'), 0x00, 0]), // export "peak"
    ...section(10, [1, ...uleb(func.length), ...func]),
  ]); // prettier-ignore
}

/** GFLOP/s of the best of `rounds` runs of `iters` steps (best: the least disturbed by other processes). */
export function measurePeak(fused: boolean, iters = 2_000_000, rounds = 40): number {
  const { peak } = new WebAssembly.Instance(new WebAssembly.Module(peakModule(fused)), {}).exports;
  // Warm-up: V8 first runs the function in its baseline compiler (Liftoff) and swaps in optimised
  // code after some calls.
  for (let i = 0; i < 20; i++) peak(iters / 4, 0.5);
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    peak(iters, 0.5);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return (iters * PEAK_CHAINS * FLOP_PER_STEP) / best / 1e9;
}

if (require.main === module) {
  const at = process.argv.indexOf('--append');
  const append = at > 0 ? process.argv[at + 1] : undefined;
  const plain = measurePeak(false);
  const fused = acceptsRelaxedSimd(peakModule(true)) ? measurePeak(true) : null;
  const record = {
    bench: 'wasm_simd128_peak',
    node: process.version,
    cpu: os.cpus()[0]?.model,
    chains: PEAK_CHAINS,
    gflops_mul_add: +plain.toFixed(2),
    gflops_relaxed_madd: fused === null ? null : +fused.toFixed(2),
    timestamp: new Date().toISOString(),
  };
  console.log(JSON.stringify(record));
  if (append) fs.appendFileSync(append, JSON.stringify(record) + '\n');
}

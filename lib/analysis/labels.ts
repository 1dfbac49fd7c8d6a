/**
 * The labels that table rows carry and the report matches on: the methods' names and the groups of
 * 02-correlation (the seam between notebooks and report: ./report_tables.ts). No imports, so every
 * builder can use them.
 */
/** The methods the tables compare, as their rows name them. */
export const METHODS = Object.freeze({
  darts: 'DARTS',
  es: 'DARTS-ES',
  ada: 'DARTS-ADA',
  l2: 'R-DARTS(L2)',
  dp: 'R-DARTS(DP)',
  rsWs: 'RS-ws',
  randomSearch: 'RS',
} as const);

/**
 * A method whose alphas were held for the first `alphaWarmupEpochs` epochs (docs/method.md §3) is a
 * method of its own: `DARTS (alphas held 10 epochs)`. Unchanged where the field is absent.
 */
export function withAlphaWarmup(method: string, config: { readonly alphaWarmupEpochs?: number }): string {
  const n = config.alphaWarmupEpochs;
  return n === undefined ? method : `${method}${ALPHA_WARMUP_MARK}${n} epoch${n === 1 ? '' : 's'})`;
}

const ALPHA_WARMUP_MARK = ' (alphas held ';

/** Whether `method` is DARTS with the alpha warm-up (`withAlphaWarmup`'s label of a plain DARTS config). */
export function isDartsWithWarmup(method: string): boolean {
  return method.startsWith(`${METHODS.darts}${ALPHA_WARMUP_MARK}`);
}

/** DARTS-ES as a method of its own in a claims table: the code's rule replayed on each DARTS run's eigenvalues. */
export const ES_REPLAYED = `${METHODS.es} (code rule, replayed)`;

/** A method's label. */
export type MethodName = (typeof METHODS)[keyof typeof METHODS];

/** The groups of searches that 02-correlation reports: all of them, and the S3 searches alone. */
export const CORRELATION_GROUPS = Object.freeze({
  all: (n: number) => `all ${n}`,
  s3: (n: number) => `S3 only (${n})`,
});

/** Which group a 02-correlation row's `searches` label names (undefined: an older or unknown label). */
export function correlationGroup(searches: unknown): keyof typeof CORRELATION_GROUPS | undefined {
  if (searches === undefined || searches === null) return 'all';
  const s = String(searches);
  if (s.startsWith('all')) return 'all';
  if (s.startsWith('S3')) return 's3';
  return undefined;
}

/**
 * Shared by the validated configs (lib/config/search_config.ts, lib/train/train_config.ts): one zod
 * issue as `field: problem, got value`, canonical JSON for ids, and deep freezing of preset objects.
 */
import { createHash } from 'crypto';
import { z } from 'zod';

/**
 * How the run store handles a config of type C (lib/runs/store.ts): `check` validates a value (a
 * config.json read back) and throws an error naming `source` and the field; `canonical` is the
 * canonical JSON of the fields that change the results, `id` the run's id (a hash of it).
 */
export interface ConfigCodec<C> {
  check(value: unknown, source: string): C;
  canonical(config: C): string;
  id(config: C): string;
}

/**
 * The codec of a problem's config validated by `check`: canonical = the config without `report`
 * (which changes no result) as canonical JSON, after `fields` where a problem drops a field at its
 * default to keep old run ids; the run id = the first 12 hex digits of its sha256.
 */
export function reportFreeCodec<C extends object>(
  check: (value: unknown, source: string) => C,
  fields: (rest: Readonly<Record<string, unknown>>) => object = (rest) => rest,
): ConfigCodec<C> {
  const canonical = (config: C) => {
    // Typed loosely: the notebooks' compiler (tslab) has no strictNullChecks, where zod's fields read as optional.
    const { report: _report, ...rest } = config as Readonly<Record<string, unknown>>;
    return canonicalJson(fields(rest));
  };
  return Object.freeze({ check, canonical, id: (config: C) => createHash('sha256').update(canonical(config)).digest('hex').slice(0, 12) });
}

/** The number fields of the validated configs, each with the message a wrong value gets. */
export const num = () => z.number().finite('must be a finite number');
export const posInt = () => num().int('must be a positive integer').positive('must be a positive integer');
export const nonNegInt = () => num().int('must be an integer >= 0').nonnegative('must be an integer >= 0');
export const positive = () => num().positive('must be > 0');
export const nonNeg = () => num().nonnegative('must be >= 0');
export const unit = () => nonNeg().max(1, 'must be in [0, 1]');
export const halfOpenUnit = () => nonNeg().lt(1, 'must be in [0, 1)');

/** A value for an error message: its JSON, or 'nothing'. */
export function showValue(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let v = root;
  for (const key of path) v = v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[key] : undefined;
  return v;
}

/** The schema inside wrappers (readonly, refinements, optional, nullable, default). */
function unwrapSchema(schema: z.ZodTypeAny): z.ZodTypeAny {
  let s = schema;
  for (let i = 0; i < 20; i++) {
    const def = s._def as { innerType?: z.ZodTypeAny; schema?: z.ZodTypeAny };
    const inner = def.innerType ?? def.schema;
    if (!inner) break;
    s = inner;
  }
  return s;
}

/** The keys the object schema at `path` of `schema` allows (undefined where it is not an object). */
export function schemaKeysAt(schema: z.ZodTypeAny, path: readonly (string | number)[]): string[] | undefined {
  let s = unwrapSchema(schema);
  for (const key of path) {
    if (!(s instanceof z.ZodObject)) return undefined;
    const next = (s.shape as Record<string, z.ZodTypeAny>)[String(key)];
    if (!next) return undefined;
    s = unwrapSchema(next);
  }
  return s instanceof z.ZodObject ? Object.keys(s.shape as object) : undefined;
}

/** Levenshtein distance, for "did you mean". */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/** The known key closest to `key` (case ignored), if it is close enough to be a typo. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/**
 * One zod issue as `field: problem, got value`, the field named by its path. With the `schema`, an
 * unknown key gets the closest known one ("did you mean") and the list of valid keys there.
 */
export function describeIssue(issue: z.ZodIssue, input: unknown, schema?: z.ZodTypeAny): string {
  const field = issue.path.join('.');
  const at = field === '' ? '' : `${field}: `;
  const got = showValue(valueAt(input, issue.path));
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = schema ? schemaKeysAt(schema, issue.path) : undefined;
      const keys = issue.keys.map((k) => {
        const near = known ? closestKey(k, known) : undefined;
        return `${JSON.stringify(k)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ''}`;
      });
      const valid = known ? `; valid keys${field === '' ? '' : ` of ${field}`}: ${known.join(', ')}` : '';
      return `${at}unknown key${issue.keys.length > 1 ? 's' : ''} ${keys.join(', ')}${valid}`;
    }
    case 'invalid_enum_value':
      return `${at}must be one of ${issue.options.join(', ')}, got ${got}`;
    case 'invalid_type':
      if (issue.expected === 'integer') return `${at}${issue.message}, got ${got}`;
      return issue.received === 'undefined' ? `${at}required (${issue.expected})` : `${at}must be ${issue.expected}, got ${got}`;
    default:
      return `${at}${issue.message}, got ${got}`;
  }
}

/** JSON with object keys sorted at every level (ids hash it: key order must not matter). */
export function canonicalJson(value: unknown): string {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sorted)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(sorted(value));
}

/** `value` with every nested object frozen (presets are shared, readonly data). */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * `value` validated by `schema`; otherwise one error naming `what` (e.g. "NAS-Bench-201 search
 * config"), `source` and every bad field: the problems' configs share it.
 */
export function checkWithSchema<S extends z.ZodTypeAny>(schema: S, value: unknown, what: string, source: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new Error(`${what} (${source}): ${result.error.issues.map((i) => describeIssue(i, value, schema)).join('; ')}`);
  return result.data;
}

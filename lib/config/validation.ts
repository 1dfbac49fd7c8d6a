/**
 * Shared by the validated configs (lib/config/search_config.ts, lib/train/train_config.ts): one zod
 * issue as `field: problem, got value`, canonical JSON for ids, and deep freezing of preset objects.
 */
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

/** One zod issue as `field: problem, got value`, the field named by its path. */
export function describeIssue(issue: z.ZodIssue, input: unknown): string {
  const field = issue.path.join('.');
  const at = field === '' ? '' : `${field}: `;
  const got = showValue(valueAt(input, issue.path));
  switch (issue.code) {
    case 'unrecognized_keys':
      return `${at}unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
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

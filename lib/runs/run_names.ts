/**
 * Names for runs in a listing. Run ids are hashes, and runs of one grid share space, data set and
 * seed, so `rdarts runs` would show rows that look alike; each run is named by the config fields
 * whose values differ between the runs listed (e.g. `regularization.l2=0.0081`).
 */

/** The leaves of a JSON value as `path=value` (arrays and null as JSON). */
function leaves(value: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, v] of Object.entries(value)) {
      for (const [p, s] of leaves(v, prefix ? `${prefix}.${key}` : key)) out.set(p, s);
    }
  } else if (prefix) {
    out.set(prefix, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return out;
}

/**
 * For each config, the `path=value` of the fields whose values are not the same in all `configs`
 * (a field missing from some counts as differing: `path=-`), in path order; fields under `omit`
 * (by their first part, e.g. `report`, or the whole path) are left out. Undefined configs get [].
 */
export function distinguishingFields(
  configs: readonly (Readonly<Record<string, unknown>> | undefined)[],
  omit: readonly string[] = ['report'],
): string[][] {
  const flat = configs.map((c) => (c ? leaves(c) : undefined));
  const present = flat.filter((f): f is Map<string, string> => f !== undefined);
  const paths = [...new Set(present.flatMap((f) => [...f.keys()]))].sort();
  const varying = paths.filter((p) => {
    if (omit.includes(p) || omit.includes(p.split('.')[0])) return false;
    return new Set(present.map((f) => f.get(p) ?? '-')).size > 1;
  });
  return flat.map((f) => (f ? varying.map((p) => `${p}=${f.get(p) ?? '-'}`) : []));
}

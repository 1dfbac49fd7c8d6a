/** The JSON Schema of the configs (lib/config/json_schema.ts), checked by a small validator of the keywords it emits. */
import * as assert from 'assert';
import { z } from 'zod';
import { configJsonSchema, toJsonSchema } from '../../lib/config/json_schema';
import { SearchConfigSchema } from '../../lib/config/schema';
import { SEARCH_PRESETS } from '../../lib/config/presets';
import { DISPARITY_PRESETS, DisparityConfigSchema } from '../../lib/problems/disparity/config';
import { NB201_PRESETS, Nb201ConfigSchema } from '../../lib/problems/nb201/config';
import { PTB_PRESETS, PtbConfigSchema } from '../../lib/problems/ptb/config';

type Schema = Record<string, unknown>;

/** The first violation of `schema` by `value`, or undefined (the keywords toJsonSchema emits only). */
function violation(schema: Schema, value: unknown, at = '$'): string | undefined {
  if (schema.anyOf) return (schema.anyOf as Schema[]).some((s) => !violation(s, value, at)) ? undefined : `${at}: no alternative fits`;
  if (schema.enum && !(schema.enum as unknown[]).includes(value)) return `${at}: not in enum`;
  if ('const' in schema && schema.const !== value) return `${at}: not the constant`;
  const type = schema.type;
  if (type === 'null' && value !== null) return `${at}: not null`;
  if (type === 'boolean' && typeof value !== 'boolean') return `${at}: not boolean`;
  if (type === 'string' && typeof value !== 'string') return `${at}: not a string`;
  if (type === 'number' || type === 'integer') {
    if (typeof value !== 'number') return `${at}: not a number`;
    if (type === 'integer' && !Number.isInteger(value)) return `${at}: not an integer`;
    if (schema.minimum !== undefined && value < (schema.minimum as number)) return `${at}: below minimum`;
    if (schema.exclusiveMinimum !== undefined && value <= (schema.exclusiveMinimum as number)) return `${at}: not above exclusiveMinimum`;
    if (schema.maximum !== undefined && value > (schema.maximum as number)) return `${at}: above maximum`;
    if (schema.exclusiveMaximum !== undefined && value >= (schema.exclusiveMaximum as number)) return `${at}: not below exclusiveMaximum`;
  }
  if (type === 'array') {
    if (!Array.isArray(value)) return `${at}: not an array`;
    if (
      value.length < ((schema.minItems as number | undefined) ?? 0) ||
      value.length > ((schema.maxItems as number | undefined) ?? Infinity)
    )
      return `${at}: wrong length`;
    const items = (schema.prefixItems as Schema[] | undefined) ?? value.map(() => schema.items as Schema);
    for (let i = 0; i < items.length; i++) {
      const v = violation(items[i], value[i], `${at}[${i}]`);
      if (v) return v;
    }
  }
  if (type === 'object') {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return `${at}: not an object`;
    const props = schema.properties as Record<string, Schema>;
    for (const key of (schema.required as string[] | undefined) ?? []) if (!(key in value)) return `${at}.${key}: required`;
    for (const [key, v] of Object.entries(value)) {
      if (!props[key]) return `${at}.${key}: not allowed`;
      const bad = violation(props[key], v, `${at}.${key}`);
      if (bad) return bad;
    }
  }
  return undefined;
}

describe('configJsonSchema', () => {
  const darts = configJsonSchema(SearchConfigSchema, 'darts');
  const nb201 = configJsonSchema(Nb201ConfigSchema, 'nb201');

  it('accepts every preset of both problems, as zod does', () => {
    for (const [name, c] of Object.entries(SEARCH_PRESETS)) assert.strictEqual(violation(darts, c), undefined, `darts ${name}`);
    for (const [name, c] of Object.entries(NB201_PRESETS)) assert.strictEqual(violation(nb201, c), undefined, `nb201 ${name}`);
  });

  it('rejects what zod rejects field by field: a wrong enum, a bound, an integer, an unknown or missing key, a tuple length', () => {
    const base = SEARCH_PRESETS.quick;
    const cases: [string, object][] = [
      ['$.space: not in enum', { ...base, space: 's9' }],
      ['$.epochs: not above exclusiveMinimum', { ...base, epochs: 0 }],
      ['$.seed: not an integer', { ...base, seed: 1.5 }],
      ['$.weightOptimizer.momentum: not below exclusiveMaximum', { ...base, weightOptimizer: { ...base.weightOptimizer, momentum: 1 } }],
      ['$.hessian.evalEvry: not allowed', { ...base, hessian: { ...base.hessian, evalEvry: 2 } }],
      ['$.alphaOptimizer.betas: wrong length', { ...base, alphaOptimizer: { ...base.alphaOptimizer, betas: [0.5] } }],
      ['$.trainSubset: no alternative fits', { ...base, trainSubset: -3 }],
    ];
    for (const [expected, value] of cases) {
      assert.strictEqual(violation(darts, value), expected);
      assert.strictEqual(SearchConfigSchema.safeParse(value).success, false, expected);
    }
    const { seed: _seed, ...noSeed } = base;
    assert.strictEqual(violation(darts, noSeed), '$.seed: required');
  });

  it('partial: no field required at any level (a --config file holds overrides), types still checked', () => {
    const partial = configJsonSchema(SearchConfigSchema, 'overrides', true);
    assert.strictEqual(violation(partial, { hessian: { evalEvery: 3 } }), undefined);
    assert.strictEqual(violation(partial, { hessian: { evalEvery: 0 } }), '$.hessian.evalEvery: not above exclusiveMinimum');
    assert.ok(!JSON.stringify(partial).includes('"required"'));
  });

  it('covers the language-modelling and disparity configs: their discriminated unions (corpus, data) and arrays (lossWeights)', () => {
    const ptb = configJsonSchema(PtbConfigSchema, 'ptb');
    const disparity = configJsonSchema(DisparityConfigSchema, 'disparity');
    for (const [name, c] of Object.entries(PTB_PRESETS)) assert.strictEqual(violation(ptb, c), undefined, `ptb ${name}`);
    for (const [name, c] of Object.entries(DISPARITY_PRESETS)) assert.strictEqual(violation(disparity, c), undefined, `disparity ${name}`);
    const base = DISPARITY_PRESETS.quick;
    const cases: [string, object][] = [
      ['$.data: no alternative fits', { ...base, data: { ...base.data, source: 'lidar' } }],
      ['$.lossWeights: no alternative fits', { ...base, lossWeights: [1, -1, 1] }],
    ];
    for (const [expected, value] of cases) {
      assert.strictEqual(violation(disparity, value), expected);
      assert.strictEqual(DisparityConfigSchema.safeParse(value).success, false, expected);
    }
    const weights = toJsonSchema(z.array(z.number().min(0)).min(1)) as Schema;
    assert.strictEqual(violation(weights, [1, -1]), '$[1]: below minimum');
    assert.strictEqual(violation(weights, []), '$: wrong length');
    assert.strictEqual(violation(weights, 3), '$: not an array');
    const partial = configJsonSchema(DisparityConfigSchema, 'overrides', true);
    assert.strictEqual(violation(partial, { data: { height: 32 } }), undefined);
    assert.strictEqual(violation(partial, { data: { height: -1 } }), '$.data: no alternative fits');
  });

  it('names a zod type it does not cover', () => {
    assert.throws(() => toJsonSchema(z.object({ when: z.date() })), /when is a ZodDate/);
  });
});

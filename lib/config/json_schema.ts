/**
 * A JSON Schema (draft 2020-12) of a config's zod schema, for editors and other tools that check a
 * config file (`rdarts config --schema`). It covers what the configs use: strict objects, enums,
 * literals, numbers with their bounds and integer checks, booleans, strings, tuples, nullable and
 * optional fields. Refinements across fields (e.g. Cutout's length needs a probability) are not
 * expressible here and stay in the zod schema, which remains the one validation.
 */
import { z } from 'zod';

type JsonSchema = Record<string, unknown>;

function numberSchema(s: z.ZodNumber): JsonSchema {
  const out: JsonSchema = { type: 'number' };
  for (const check of s._def.checks) {
    if (check.kind === 'int') out.type = 'integer';
    else if (check.kind === 'min') out[check.inclusive ? 'minimum' : 'exclusiveMinimum'] = check.value;
    else if (check.kind === 'max') out[check.inclusive ? 'maximum' : 'exclusiveMaximum'] = check.value;
  }
  return out;
}

/**
 * The JSON Schema of `schema` (throws naming a zod type it does not cover). `partial`: no field is
 * required, at any level (a `--config` file holds overrides merged onto a preset).
 */
export function toJsonSchema(schema: z.ZodTypeAny, path = '', partial = false): JsonSchema {
  const here = path || 'the config';
  if (schema instanceof z.ZodReadonly || schema instanceof z.ZodOptional || schema instanceof z.ZodDefault) {
    return toJsonSchema(schema._def.innerType as z.ZodTypeAny, path, partial);
  }
  if (schema instanceof z.ZodEffects) return toJsonSchema(schema._def.schema as z.ZodTypeAny, path, partial);
  if (schema instanceof z.ZodNullable)
    return { anyOf: [toJsonSchema(schema._def.innerType as z.ZodTypeAny, path, partial), { type: 'null' }] };
  if (schema instanceof z.ZodObject) {
    const shape = schema.shape as Record<string, z.ZodTypeAny>;
    const properties = Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, toJsonSchema(v, path ? `${path}.${k}` : k, partial)]));
    const required = Object.entries(shape)
      .filter(([, v]) => !v.isOptional())
      .map(([k]) => k);
    return { type: 'object', properties, ...(partial ? {} : { required }), additionalProperties: false };
  }
  if (schema instanceof z.ZodEnum) return { enum: [...(schema.options as string[])] };
  if (schema instanceof z.ZodLiteral) return { const: schema.value as unknown };
  if (schema instanceof z.ZodNumber) return numberSchema(schema);
  if (schema instanceof z.ZodBoolean) return { type: 'boolean' };
  if (schema instanceof z.ZodString) return { type: 'string' };
  // A discriminated union (the disparity data's source, the corpus's): any of its objects. anyOf, not
  // oneOf: in a partial schema (overrides) a member may leave out the discriminator and fit several.
  if (schema instanceof z.ZodDiscriminatedUnion)
    return { anyOf: (schema.options as z.ZodTypeAny[]).map((o) => toJsonSchema(o, path, partial)) };
  if (schema instanceof z.ZodArray) {
    const min = (schema._def.minLength as { value: number } | null)?.value;
    return {
      type: 'array',
      items: toJsonSchema(schema.element as z.ZodTypeAny, `${here}[]`, partial),
      ...(min === undefined ? {} : { minItems: min }),
    };
  }
  if (schema instanceof z.ZodTuple) {
    const items = (schema.items as z.ZodTypeAny[]).map((t, i) => toJsonSchema(t, `${here}[${i}]`, partial));
    return { type: 'array', prefixItems: items, minItems: items.length, maxItems: items.length };
  }
  throw new Error(`toJsonSchema: ${here} is a ${schema.constructor.name}, which this converter does not cover`);
}

/** A whole JSON Schema document: `$schema`, a title, and the config's schema (`partial`: see toJsonSchema). */
export function configJsonSchema(schema: z.ZodTypeAny, title: string, partial = false): JsonSchema {
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', title, ...toJsonSchema(schema, '', partial) };
}

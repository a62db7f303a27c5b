/**
 * A config section written once: its JSON schema carries the defaults, and the typed reader fills them
 * in from that same schema (the way the loader's ajv `useDefaults` does), so defaults never drift
 * between the schema and TypeScript. Configs built in code (tests, benches) go through the same reader.
 */

/** A JSON schema of one config section (ajv dialect); every property should carry a `default`. */
export type SettingsSchema = Record<string, unknown>;

export interface SettingsSection<T> {
  /** The JSON schema, with a default for every property, so `{}` is valid. */
  schema: SettingsSchema;
  /** The section with the schema's defaults filled in; `undefined` reads as `{}`. */
  read(section: unknown): T;
}

type Schema = {
  default?: unknown;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  type?: unknown;
};

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Returns a copy of `value` with every missing property that has a schema default filled in. */
export function applyDefaults(schema: SettingsSchema, value: unknown): unknown {
  const s = schema as Schema;
  let v = value === undefined && s.default !== undefined ? structuredClone(s.default) : value;
  if (isObject(v)) {
    const out: Record<string, unknown> = { ...v };
    for (const [key, sub] of Object.entries(s.properties ?? {})) {
      const filled = applyDefaults(sub as SettingsSchema, out[key]);
      if (filled !== undefined) out[key] = filled;
    }
    if (isObject(s.additionalProperties)) {
      for (const key of Object.keys(out)) {
        if (s.properties && key in s.properties) continue;
        out[key] = applyDefaults(s.additionalProperties as SettingsSchema, out[key]);
      }
    }
    v = out;
  } else if (Array.isArray(v) && isObject(s.items)) {
    v = v.map((x) => applyDefaults(s.items as SettingsSchema, x));
  }
  return v;
}

/** Defines a section: the schema is the one place its defaults are written. */
export function defineSettings<T>(schema: SettingsSchema): SettingsSection<T> {
  return {
    schema,
    read: (section) => applyDefaults(schema, section ?? {}) as T,
  };
}

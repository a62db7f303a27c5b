import type { SqlValue } from '../core/warehouse.js';
import type { Config } from '../config/types.js';

/**
 * Values the SQL models read with getvariable('name'). Set with bound parameters on the transform's
 * connection, so config values never enter SQL text. Each module adds its own entries here.
 */
export function transformVariables(config: Config, asOf: Date): Record<string, SqlValue> {
  return {
    as_of: asOf,
  };
}

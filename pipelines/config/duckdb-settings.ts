import { DEFAULT_BLOCK_ALLOCATOR_MEMORY } from './schema.js';
import type { Config } from './types.js';

/** The DuckDB settings of the config's `duckdb` section, as the warehouse is opened with them. */
export function duckdbSettings(config: Pick<Config, 'duckdb'>): Record<string, string> {
  const settings: Record<string, string> = {};
  if (config.duckdb.threads) settings.threads = String(config.duckdb.threads);
  if (config.duckdb.memoryLimit) settings.memory_limit = config.duckdb.memoryLimit;
  settings.block_allocator_memory = config.duckdb.blockAllocatorMemory ?? DEFAULT_BLOCK_ALLOCATOR_MEMORY;
  return settings;
}

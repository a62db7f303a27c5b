import type { Config } from './types.js';

/**
 * What DuckDB's block allocator may keep when the config sets no memoryLimit: freed 256 KiB buffer blocks
 * stay mapped for the next query instead of going back to the OS and faulting in again. On the
 * 100k-customer bench set the whole `cxpulse run` took ~3 s less (about 11%), with fewer page faults and less
 * system time, and peaked ~250 MB higher; 512MB did as well as 1GB, 256MB less well. Under a
 * memoryLimit it is off unless set: with 1.5GB, the 3M-customer score job ran out of DuckDB memory with it
 * and passed without it (docs/decisions/0020). An absolute size: DuckDB 1.5.5 aborts on a percentage given
 * when the database opens.
 */
export const DEFAULT_BLOCK_ALLOCATOR_MEMORY = '512MB';

/** The DuckDB settings of the config's `duckdb` section, as the warehouse is opened with them. */
export function duckdbSettings(config: Pick<Config, 'duckdb'>): Record<string, string> {
  const { threads, memoryLimit, blockAllocatorMemory } = config.duckdb;
  const settings: Record<string, string> = {};
  if (threads) settings.threads = String(threads);
  if (memoryLimit) settings.memory_limit = memoryLimit;
  const block = blockAllocatorMemory ?? (memoryLimit ? undefined : DEFAULT_BLOCK_ALLOCATOR_MEMORY);
  if (block) settings.block_allocator_memory = block;
  return settings;
}

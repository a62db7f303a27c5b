import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    env: { TZ: 'UTC' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // DuckDB files and a browser per worker: two cores, so two forks.
    pool: 'forks',
    maxWorkers: 2,
  },
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CxpError } from '../../../pipelines/core/errors.js';
import { demoConfig, loadConfig, resolveConfig } from '../../../pipelines/config/load-config.js';

const made: string[] = [];
afterEach(() => {
  while (made.length) rmSync(made.pop()!, { recursive: true, force: true });
});
/** A temp folder removed after the test. */
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CxpError);
    expect((err as CxpError).code).toBe('CXP_ERR_CONFIG_INVALID');
    return (err as CxpError).details.problems as string[];
  }
  throw new Error('expected the config to be rejected');
}

const minimal = { sources: { purchases: { path: 'in/orders*.csv' } } };

describe('config', () => {
  it('fills defaults and resolves paths against the config folder', () => {
    const cfg = resolveConfig(minimal, '/data/project', '/data/project/cxpulse.config.json');
    expect(cfg.warehouse).toBe('/data/project/var/warehouse.duckdb');
    expect(cfg.exports.dir).toBe('/data/project/var/exports');
    expect(cfg.exports.includePii).toBe(false);
    expect(cfg.sources.purchases?.path).toBe('/data/project/in/orders*.csv');
    expect(cfg.sources.purchases?.columns).toEqual({});
    expect(cfg.sources.purchases?.header).toBe(true);
  });

  it('accepts the documented example shape', () => {
    const cfg = resolveConfig(
      {
        warehouse: 'var/warehouse.duckdb',
        asOf: '2026-06-30',
        sources: {
          customers: { path: 'in/clients.csv', columns: { customer_id: 'ClientRef', signup_at: 'JoinedOn', country: 'Market', email: 'Email', marketing_consent: 'OptIn' } },
          purchases: { path: 'in/orders*.csv', timestampFormat: '%m/%d/%Y %H:%M', columns: { order_id: 'OrderNo' } },
          interactions: { path: 'in/contacts.jsonl', columns: {} },
          surveys: { path: 'in/feedback.parquet', columns: {} },
        },
        exports: { dir: 'exports' },
      },
      '/x',
    );
    expect(cfg.asOf).toBe('2026-06-30');
    expect(cfg.exports.dir).toBe('/x/exports');
  });

  it.each([
    [{ sources: { purchases: {} } }, 'sources.purchases.path: is required'],
    [{ sources: { purchases: { path: 3 } } }, 'sources.purchases.path: must be string'],
    [{ sources: { orders: { path: 'a.csv' } } }, 'sources.orders: is not a known key'],
    [{ sources: { purchases: { path: 'a', format: 'xlsx' } } }, 'sources.purchases.format: must be one of "csv", "tsv", "jsonl", "parquet"'],
    [{ ...minimal, asOf: '30/06/2026' }, 'asOf: must be a date written YYYY-MM-DD'],
    [{ ...minimal, asOf: '2026-02-30' }, 'asOf'],
    [{ sources: { purchases: { path: 'a', delimiter: ';;' } } }, 'sources.purchases.delimiter: must be one character or "whitespace"'],
    [{ sources: { purchases: { path: 'a', header: false } } }, 'sources.purchases.names: is required when header is false'],
    [{ ...minimal, exports: { dir: 'x', extra: 1 } }, 'exports.extra: is not a known key'],
    [{}, 'sources: is required'],
  ])('names the key and the problem: %j', (raw, expected) => {
    const problems = problemsOf(() => resolveConfig(raw, '/x'));
    expect(problems.join('\n')).toContain(expected);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf(() => resolveConfig({ sources: { purchases: { path: 3 }, orders: {} }, asOf: 'x' }, '/x'));
    expect(problems.length).toBeGreaterThanOrEqual(3);
  });

  it('reads a file, tolerating a BOM, and explains bad JSON', () => {
    const dir = tempDir('cxp-cfg-');
    const good = join(dir, 'good.json');
    writeFileSync(good, '\uFEFF' + JSON.stringify(minimal));
    expect(loadConfig(good).sources.purchases?.path).toBe(join(dir, 'in/orders*.csv'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "sources": { , } }');
    expect(() => loadConfig(bad)).toThrow(/not valid JSON/);
    expect(() => loadConfig(join(dir, 'missing.json'))).toThrow(/does not exist/);
  });

  it('falls back to the demo config when no file is given or present', () => {
    const cwd = tempDir('cxp-cwd-');
    const cfg = loadConfig(undefined, cwd);
    expect(cfg.configPath).toBeUndefined();
    expect(cfg.warehouse).toBe(join(cwd, 'var/warehouse.duckdb'));
    expect(Object.keys(cfg.sources).sort()).toEqual(['customers', 'interactions', 'purchases', 'surveys']);
    expect(demoConfig(cwd).sources.purchases?.path).toMatch(/data-samples\/demo\/purchases\/\*\.csv$/);
  });
});

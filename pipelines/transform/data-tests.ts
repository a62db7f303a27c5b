import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fromRoot } from '../core/paths.js';
import { quoteIdent } from '../core/sql-ident.js';
import type { Db } from '../core/warehouse.js';

/**
 * Data tests live next to the models as `<table>.tests.json`:
 * {
 *   "unique":          [["col"], ["a", "b"]],          -- each list is a key
 *   "not_null":        ["col", ...],
 *   "accepted_values": { "col": ["x", "y"] },           -- nulls are allowed unless not_null says otherwise
 *   "expressions":     ["score between 0 and 10", ...]  -- must hold on every row (trusted SQL from the repo)
 *   "relationships":   { "customer_id": "customers.customer_id" }
 * }
 * and as singular tests `<name>.test.sql`: a query that returns the failing rows.
 */
export interface TableTests {
  unique?: string[][];
  not_null?: string[];
  accepted_values?: Record<string, (string | number | boolean)[]>;
  expressions?: string[];
  relationships?: Record<string, string>;
}

export interface DataTest {
  name: string;
  table?: string;
  file: string;
  sql: string;
  /** Parameters bound into the test query (accepted values). */
  params?: (string | number | boolean)[];
  /**
   * For a row-level test (not_null, accepted_values, expressions): the predicate, over the table's columns,
   * that is true on a failing row (placeholders $1.. bind `params`). runDataTests counts all of a table's
   * row-level tests in one scan and runs `sql` only for the ones that fail.
   */
  failsWhen?: string;
}

export interface DataTestFailure {
  test: string;
  file: string;
  failingRows: number;
  sample: Record<string, unknown>[];
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

export function buildTableTests(table: string, spec: TableTests, file: string): DataTest[] {
  const t = quoteIdent(table);
  const tests: DataTest[] = [];
  for (const key of spec.unique ?? []) {
    const cols = key.map(quoteIdent).join(', ');
    tests.push({
      name: `${table}: unique (${key.join(', ')})`,
      table,
      file,
      sql: `select ${cols}, count(*) as n from ${t} group by all having count(*) > 1`,
    });
  }
  for (const col of spec.not_null ?? []) {
    const failsWhen = `${quoteIdent(col)} is null`;
    tests.push({ name: `${table}: ${col} not null`, table, file, sql: `select * from ${t} where ${failsWhen}`, failsWhen });
  }
  for (const [col, values] of Object.entries(spec.accepted_values ?? {})) {
    const placeholders = values.map((_, i) => `$${i + 1}`).join(', ');
    const failsWhen = `${quoteIdent(col)} is not null and ${quoteIdent(col)} not in (${placeholders})`;
    tests.push({
      name: `${table}: ${col} in (${values.join(', ')})`,
      table,
      file,
      sql: `select ${quoteIdent(col)}, count(*) as n from ${t} where ${failsWhen} group by 1`,
      params: values,
      failsWhen,
    });
  }
  for (const expr of spec.expressions ?? []) {
    const failsWhen = `not coalesce((${expr}), false)`;
    tests.push({ name: `${table}: ${expr}`, table, file, sql: `select * from ${t} where ${failsWhen}`, failsWhen });
  }
  for (const [col, target] of Object.entries(spec.relationships ?? {})) {
    const [rt, rc] = target.split('.');
    tests.push({
      name: `${table}: ${col} references ${target}`,
      table,
      file,
      sql: `select c.${quoteIdent(col)} from ${t} c where c.${quoteIdent(col)} is not null and not exists (select 1 from ${quoteIdent(rt)} r where r.${quoteIdent(rc)} = c.${quoteIdent(col)})`,
    });
  }
  return tests;
}

/** All data tests under sql/ (both kinds). */
export function discoverDataTests(root = fromRoot('sql')): DataTest[] {
  const tests: DataTest[] = [];
  for (const file of walk(root).sort()) {
    if (file.endsWith('.tests.json')) {
      const table = basename(file, '.tests.json');
      const spec = JSON.parse(readFileSync(file, 'utf8')) as TableTests;
      tests.push(...buildTableTests(table, spec, relative(root, file)));
    } else if (file.endsWith('.test.sql')) {
      tests.push({ name: basename(file, '.test.sql'), file: relative(root, file), sql: readFileSync(file, 'utf8') });
    }
  }
  return tests;
}

async function tableExists(db: Db, table: string): Promise<boolean> {
  const r = await db.one<{ n: number }>(
    'select count(*) as n from information_schema.tables where table_name = $1',
    [table],
  );
  return (r?.n ?? 0) > 0;
}

/**
 * A table's row-level tests counted in one scan (a data test scan per test was most of the transform's test
 * time at 1M customers): returns the tests with at least one failing row. Placeholders of each predicate
 * are renumbered after the previous tests' parameters.
 */
async function failingRowTests(db: Db, table: string, tests: DataTest[]): Promise<DataTest[]> {
  const params: (string | number | boolean)[] = [];
  const counts = tests.map((test, i) => {
    const offset = params.length;
    params.push(...(test.params ?? []));
    const predicate = test.failsWhen!.replace(/\$(\d+)/g, (_m, n: string) => `$${Number(n) + offset}`);
    return `count(*) filter (where ${predicate}) as f${i}`;
  });
  const row = await db.one<Record<string, number>>(`select ${counts.join(', ')} from ${quoteIdent(table)}`, params);
  return tests.filter((_t, i) => Number(row?.[`f${i}`] ?? 0) > 0);
}

async function failure(db: Db, test: DataTest): Promise<DataTestFailure | undefined> {
  const count = await db.one<{ n: number }>(`select count(*) as n from (${test.sql})`, test.params);
  const n = count?.n ?? 0;
  if (n === 0) return undefined;
  const sample = await db.all(`select * from (${test.sql}) limit 5`, test.params);
  return { test: test.name, file: test.file, failingRows: n, sample };
}

/** Runs the tests whose table exists; returns the failures (empty = all passed), in the tests' order. */
export async function runDataTests(db: Db, tests: DataTest[]): Promise<{ ran: number; failures: DataTestFailure[] }> {
  const exists = new Map<string, boolean>();
  const runnable: DataTest[] = [];
  for (const test of tests) {
    if (test.table && !exists.has(test.table)) exists.set(test.table, await tableExists(db, test.table));
    if (!test.table || exists.get(test.table)) runnable.push(test);
  }
  // Row-level tests: one scan per table; the others (unique keys, relationships, singular) one query each.
  const suspects = new Set<DataTest>();
  const byTable = new Map<string, DataTest[]>();
  for (const test of runnable) {
    if (test.table && test.failsWhen) byTable.set(test.table, [...(byTable.get(test.table) ?? []), test]);
    else suspects.add(test);
  }
  for (const [table, rowTests] of byTable) for (const t of await failingRowTests(db, table, rowTests)) suspects.add(t);
  const failures: DataTestFailure[] = [];
  for (const test of runnable) {
    if (!suspects.has(test)) continue;
    const f = await failure(db, test);
    if (f) failures.push(f);
  }
  return { ran: runnable.length, failures };
}

// Shared test helpers: generate into a temp dir, and query the generated files with a real in-memory DuckDB.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { generateSamples, type GenerateOptions } from '../../data-samples/generator/run.js';
import { DEFAULT_AS_OF, DEFAULT_SEED } from '../../data-samples/generator/planted.js';

export async function generateTo(opts: Partial<GenerateOptions> = {}): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'cxp-samples-'));
  await generateSamples({
    customers: 300, seed: DEFAULT_SEED, asOf: DEFAULT_AS_OF, format: 'csv', badRows: false, outDir, ...opts,
  });
  return outDir;
}

/** Relative path -> file contents, for every file under dir. */
export function readTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

export class Db {
  private constructor(private readonly instance: DuckDBInstance, private readonly conn: DuckDBConnection) {}

  static async open(): Promise<Db> {
    const instance = await DuckDBInstance.create(':memory:');
    return new Db(instance, await instance.connect());
  }

  async run(sql: string, params: Record<string, string | number> = {}): Promise<void> {
    await this.conn.run(sql, params);
  }

  async rows<T = Record<string, unknown>>(sql: string, params: Record<string, string | number> = {}): Promise<T[]> {
    const r = await this.conn.runAndReadAll(sql, params);
    return r.getRowObjectsJS() as T[];
  }

  async one<T = Record<string, unknown>>(sql: string, params: Record<string, string | number> = {}): Promise<T> {
    const rows = await this.rows<T>(sql, params);
    if (rows.length !== 1) throw new Error(`expected one row, got ${rows.length}: ${sql}`);
    return rows[0];
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

/**
 * Load a csv-format output directory into tables c, p, i, s with all columns as text, then typed views
 * written here (independently of the generator's code).
 */
export async function loadCsvOutput(db: Db, dir: string): Promise<void> {
  await db.run(`create table c as select * from read_csv($f, all_varchar = true)`, { f: join(dir, 'customers.csv') });
  await db.run(`create table p as select order_id, customer_id, ordered_at::timestamp ordered_at, amount::double amount,
      status, channel from read_csv($f, all_varchar = true)`, { f: join(dir, 'purchases', '*.csv') });
  await db.run(`create table i as select interaction_id, customer_id, channel, kind, category, opened_at::timestamp opened_at,
      first_response_at::timestamp first_response_at, resolved_at::timestamp resolved_at,
      is_first_contact_resolution::boolean fcr from read_csv($f, all_varchar = true)`, { f: join(dir, 'interactions.csv') });
  await db.run(`create table s as select response_id, customer_id, submitted_at::timestamp submitted_at, survey_type,
      score::int score, nullif(interaction_id, '') interaction_id, q_speed::int q_speed, q_knowledge::int q_knowledge,
      q_friendliness::int q_friendliness, q_product_quality::int q_product_quality, q_price::int q_price
      from read_csv($f, all_varchar = true)`, { f: join(dir, 'surveys.csv') });
}

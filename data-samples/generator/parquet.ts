// Parquet outputs of the demo layout: DuckDB converts a CSV the generator streamed, with typed columns.
import { DuckDBInstance } from '@duckdb/node-api';
import { renameSync, rmSync } from 'node:fs';
import { ASPECTS } from './planted.js';

export const SURVEY_COLUMNS: Record<string, string> = {
  response_id: 'VARCHAR', customer_id: 'VARCHAR', submitted_at: 'TIMESTAMP', survey_type: 'VARCHAR',
  score: 'INTEGER', interaction_id: 'VARCHAR', comment: 'VARCHAR',
  ...Object.fromEntries(ASPECTS.map((a) => [a, 'INTEGER'])),
};

export const TRUTH_COLUMNS: Record<string, string> = {
  customer_id: 'VARCHAR', is_prospect: 'BOOLEAN', purchase_rate_per_day: 'DOUBLE', mean_spend: 'DOUBLE',
  base_dropout_rate_per_day: 'DOUBLE', service_risk: 'DOUBLE', hazard_multiplier: 'DOUBLE', dropped_at: 'TIMESTAMP',
  is_reactivated: 'BOOLEAN', count_unresolved_complaints: 'INTEGER',
};

const literal = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * COPY ... TO takes no bound parameters, so the two paths and the fixed column map are written as escaped
 * literals; none of them comes from data.
 */
export async function csvToParquet(csvPath: string, parquetPath: string, columns: Record<string, string>): Promise<void> {
  const tmp = `${parquetPath}.tmp`;
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const conn = await instance.connect();
  try {
    const cols = Object.entries(columns).map(([k, v]) => `${literal(k)}: ${literal(v)}`).join(', ');
    await conn.run(
      `copy (select * from read_csv(${literal(csvPath)}, header = true, auto_detect = false, quote = '"',
         escape = '"', columns = {${cols}}))
       to ${literal(tmp)} (format parquet, compression zstd, row_group_size 100000)`,
    );
    renameSync(tmp, parquetPath);
  } finally {
    conn.closeSync();
    instance.closeSync();
    rmSync(tmp, { force: true });
  }
}

// The `foreign` variant: the same simulated company handed over as another system exports it, so the
// pipeline is measured on data nobody tuned for: other column names, US-format timestamps, and (through
// FOREIGN_DROPOUT_SCALE in the simulation) a large share of long-dead customers.
import { DuckDBInstance } from '@duckdb/node-api';
import { readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from './outputs.js';
import { ASPECTS } from './planted.js';
import type { layout } from './source-files.js';

/** Base dropout hazard multiplier of the foreign variant: most customers are gone well before the as-of. */
export const FOREIGN_DROPOUT_SCALE = 6;

/** strptime/strftime pattern of every foreign timestamp. */
export const FOREIGN_TIMESTAMP_FORMAT = '%m/%d/%Y %H:%M:%S';

/** canonical column -> the foreign export's column, per source. */
export const FOREIGN_COLUMNS = {
  customers: { customer_id: 'ClientRef', signup_at: 'JoinedOn', country: 'Market', email: 'E-mail', marketing_consent: 'OptIn' },
  purchases: { order_id: 'OrderNo', customer_id: 'ClientRef', ordered_at: 'PlacedAt', amount: 'Total', status: 'State', channel: 'SoldVia' },
  interactions: {
    interaction_id: 'TicketId', customer_id: 'ClientRef', channel: 'Via', kind: 'TicketType', category: 'Topic',
    opened_at: 'CreatedAt', first_response_at: 'FirstReplyAt', resolved_at: 'SolvedAt', is_first_contact_resolution: 'OneTouch',
  },
  surveys: {
    response_id: 'ResponseId', customer_id: 'ClientRef', submitted_at: 'AnsweredAt', survey_type: 'Survey', score: 'Rating',
    interaction_id: 'TicketId', comment: 'Verbatim',
  },
} as const;

const TIMESTAMPS = new Set(['signup_at', 'ordered_at', 'opened_at', 'first_response_at', 'resolved_at', 'submitted_at']);

const literal = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const ident = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/** Rewrites the csv layout in place (temp file + rename per file) and writes a config that maps it back. */
export async function foreignize(outDir: string, l: ReturnType<typeof layout>): Promise<void> {
  const files: [keyof typeof FOREIGN_COLUMNS, string][] = [
    ['customers', l.customers],
    ...readdirSync(join(outDir, l.purchasesDir)).filter((f) => f.endsWith('.csv')).sort().map((f) => ['purchases', join(l.purchasesDir, f)] as [keyof typeof FOREIGN_COLUMNS, string]),
    ['interactions', l.interactions],
    ['surveys', l.surveys],
  ];
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const conn = await instance.connect();
  try {
    for (const [source, rel] of files) {
      const path = join(outDir, rel);
      const map: Record<string, string> = FOREIGN_COLUMNS[source];
      const cols = (await (await conn.runAndReadAll(`select column_name from (describe select * from read_csv(${literal(path)}, all_varchar = true))`)).getRowObjects())
        .map((r) => String(r.column_name));
      const select = cols.map((c) => {
        const as = ident(map[c] ?? c);
        return TIMESTAMPS.has(c) ? `strftime(try_cast(${ident(c)} as timestamp), ${literal(FOREIGN_TIMESTAMP_FORMAT)}) as ${as}` : `${ident(c)} as ${as}`;
      });
      // COPY takes no bound parameters: paths and the fixed maps above are written as escaped literals.
      await conn.run(`copy (select ${select.join(', ')} from read_csv(${literal(path)}, all_varchar = true, header = true, quote = '"', escape = '"'))
        to ${literal(`${path}.tmp`)} (format csv, header true)`);
      renameSync(`${path}.tmp`, path);
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
    for (const [, rel] of files) rmSync(join(outDir, `${rel}.tmp`), { force: true });
  }
  const columns = (s: keyof typeof FOREIGN_COLUMNS) => ({ ...FOREIGN_COLUMNS[s] });
  writeJsonAtomic(join(outDir, 'cxpulse.config.json'), {
    sources: {
      customers: { path: l.customers, columns: columns('customers'), timestampFormat: FOREIGN_TIMESTAMP_FORMAT },
      purchases: { path: l.purchasesGlob, columns: columns('purchases'), timestampFormat: FOREIGN_TIMESTAMP_FORMAT },
      interactions: { path: l.interactions, columns: columns('interactions'), timestampFormat: FOREIGN_TIMESTAMP_FORMAT },
      surveys: { path: l.surveys, columns: columns('surveys'), timestampFormat: FOREIGN_TIMESTAMP_FORMAT, answerColumns: [...ASPECTS] },
    },
  });
}

// The deliberately bad (and deliberately tricky) rows of the demo set. Each is injected at a fixed position
// and logged with the outcome ingestion must give it; EXPECTED.json is built from this log.
import { customerId } from './customer-sim.js';
import type { LineFile } from './line-file.js';
import type { SourceFiles } from './source-files.js';

export type SourceName = 'customers' | 'purchases' | 'interactions' | 'surveys';
export type Outcome = 'rejected' | 'duplicate' | 'updated' | 'loaded';
export type ReasonKind = 'unparseable_timestamp' | 'missing_key' | 'score_out_of_range' | 'negative_amount' | 'unknown_enum';

export interface BadRow {
  source: SourceName;
  /** Relative to the output directory. */
  file: string;
  /** 1-based physical line (CSV: the header is line 1; JSONL: first row is line 1; parquet: 1-based row). */
  line: number;
  outcome: Outcome;
  reasonKind?: ReasonKind;
  column?: string;
  value?: string;
  key?: string;
  note: string;
  text?: string;
}

interface Spec {
  source: SourceName;
  file: LineFile;
  fileName: string;
  afterRows: number;
  outcome: Outcome;
  reasonKind?: ReasonKind;
  column?: string;
  value?: string;
  note: string;
  make: () => string | null;
  key?: (text: string) => string;
}

const firstField = (text: string): string => text.slice(0, text.indexOf(','));
const jsonId = (text: string): string => /"interaction_id":"([^"]*)"/.exec(text)?.[1] ?? '';

/** Which customers the bad rows reference that are not in customers.csv (they must become bare customers). */
export function bareCustomerIds(n: number): string[] {
  return [customerId(n), customerId(n + 1)];
}

export function plantBadRows(files: SourceFiles, n: number, paths: { purchaseFile: (y: number) => string; interactions: string; surveys: string }): BadRow[] {
  const log: BadRow[] = [];
  const [barePurchaser, bareRespondent] = bareCustomerIds(n);
  const rejectedCustomer = customerId(n + 2);
  const known = customerId(0);
  const p24 = files.purchases.get(2024);
  const p25 = files.purchases.get(2025);
  const p26 = files.purchases.get(2026);
  const specs: Spec[] = [
    { source: 'customers', file: files.customers, fileName: 'customers.csv', afterRows: 10, outcome: 'rejected',
      reasonKind: 'unparseable_timestamp', column: 'signup_at', value: '31/31/2026', note: 'signup date does not exist',
      make: () => `${rejectedCustomer},31/31/2026,DE,bad.signup@example.com,yes`, key: firstField },
    { source: 'customers', file: files.customers, fileName: 'customers.csv', afterRows: 20, outcome: 'rejected',
      reasonKind: 'missing_key', column: 'customer_id', value: '', note: 'empty customer_id',
      make: () => ',2025-03-04 10:00:00,FR,no.id@example.com,no', key: () => '' },
    { source: 'customers', file: files.customers, fileName: 'customers.csv', afterRows: 30, outcome: 'duplicate',
      note: 'exact copy of the 5th data row', make: () => files.customers.captured[4] ?? null, key: firstField },
  ];
  if (p24) {
    specs.push(
      { source: 'purchases', file: p24, fileName: paths.purchaseFile(2024), afterRows: 15, outcome: 'rejected',
        reasonKind: 'missing_key', column: 'order_id', value: '', note: 'empty order_id',
        make: () => `,${known},2024-08-02 12:00:00,19.99,completed,web`, key: () => '' },
      { source: 'purchases', file: p24, fileName: paths.purchaseFile(2024), afterRows: 30, outcome: 'rejected',
        reasonKind: 'unknown_enum', column: 'status', value: 'on_hold', note: 'status not completed|refunded|cancelled',
        make: () => `OBAD0002,${known},2024-09-03 08:15:00,27.40,on_hold,web`, key: firstField },
    );
  }
  if (p25) {
    specs.push(
      { source: 'purchases', file: p25, fileName: paths.purchaseFile(2025), afterRows: 10, outcome: 'rejected',
        reasonKind: 'unparseable_timestamp', column: 'ordered_at', value: '31/31/2026', note: 'order date does not exist',
        make: () => `OBAD0003,${known},31/31/2026,42.00,completed,app`, key: firstField },
      { source: 'purchases', file: p25, fileName: paths.purchaseFile(2025), afterRows: 20, outcome: 'rejected',
        reasonKind: 'negative_amount', column: 'amount', value: '-25.00', note: 'negative amount on a completed order',
        make: () => `OBAD0004,${known},2025-05-06 14:00:00,-25.00,completed,web`, key: firstField },
      { source: 'purchases', file: p25, fileName: paths.purchaseFile(2025), afterRows: 30, outcome: 'duplicate',
        note: 'exact copy of the 6th data row of this file', make: () => p25.captured[5] ?? null, key: firstField },
      { source: 'purchases', file: p25, fileName: paths.purchaseFile(2025), afterRows: 40, outcome: 'rejected',
        reasonKind: 'missing_key', column: 'customer_id', value: '', note: 'empty customer_id',
        make: () => 'OBAD0005,,2025-06-07 09:30:00,18.50,completed,web', key: firstField },
      { source: 'purchases', file: p25, fileName: paths.purchaseFile(2025), afterRows: 50, outcome: 'loaded',
        note: `customer ${barePurchaser} is not in customers.csv: creates a bare customer`,
        make: () => `OBAD0006,${barePurchaser},2025-07-08 16:45:00,35.10,completed,store`, key: firstField },
    );
  }
  if (p25 && p26) {
    specs.push({ source: 'purchases', file: p26, fileName: paths.purchaseFile(2026), afterRows: 10, outcome: 'updated',
      note: `the first completed order of ${paths.purchaseFile(2025)}, now refunded (later file wins)`,
      make: () => {
        const orig = p25.captured.find((r) => r.split(',')[4] === 'completed');
        return orig ? orig.replace(',completed,', ',refunded,') : null;
      }, key: firstField });
  }
  const inter = files.interactions;
  const iJson = paths.interactions.endsWith('.jsonl');
  const iRow = (id: string, channel: string, opened: string): string => iJson
    ? `{"interaction_id":"${id}","customer_id":"${known}","channel":"${channel}","kind":"inquiry","category":"billing",` +
      `"opened_at":"${opened}","first_response_at":null,"resolved_at":null,"is_first_contact_resolution":false}`
    : `${id},${known},${channel},inquiry,billing,${opened},,,false`;
  const iKey = iJson ? jsonId : firstField;
  specs.push(
    { source: 'interactions', file: inter, fileName: paths.interactions, afterRows: 10, outcome: 'rejected',
      reasonKind: 'unknown_enum', column: 'channel', value: 'fax', note: 'channel not phone|email|chat|social|store|app|other',
      make: () => iRow('IBAD0001', 'fax', '2025-02-03 10:20:00'), key: iKey },
    { source: 'interactions', file: inter, fileName: paths.interactions, afterRows: 20, outcome: 'rejected',
      reasonKind: 'unparseable_timestamp', column: 'opened_at', value: '31/31/2026', note: 'opened date does not exist',
      make: () => iRow('IBAD0002', 'email', '31/31/2026'), key: iKey },
    { source: 'interactions', file: inter, fileName: paths.interactions, afterRows: 30, outcome: 'duplicate',
      note: 'exact copy of the 4th row', make: () => inter.captured[3] ?? null, key: iKey },
    { source: 'interactions', file: inter, fileName: paths.interactions, afterRows: 40, outcome: 'rejected',
      reasonKind: 'missing_key', column: 'interaction_id', value: '', note: 'empty interaction_id',
      make: () => iRow('', 'chat', '2025-04-05 11:00:00'), key: () => '' },
  );
  const sv = files.surveys;
  specs.push(
    { source: 'surveys', file: sv, fileName: paths.surveys, afterRows: 10, outcome: 'rejected',
      reasonKind: 'score_out_of_range', column: 'score', value: '14', note: 'nps score 14 outside 0-10',
      make: () => `SBAD0001,${known},2025-03-10 09:00:00,nps,14,,,,,,,`, key: firstField },
    { source: 'surveys', file: sv, fileName: paths.surveys, afterRows: 20, outcome: 'loaded',
      note: `customer ${bareRespondent} is not in customers.csv: creates a bare customer`,
      make: () => `SBAD0002,${bareRespondent},2025-08-11 18:30:00,csat,4,,,,,,,`, key: firstField },
    { source: 'surveys', file: sv, fileName: paths.surveys, afterRows: 30, outcome: 'duplicate',
      note: 'exact copy of the 3rd row', make: () => sv.captured[2] ?? null, key: firstField },
    { source: 'surveys', file: sv, fileName: paths.surveys, afterRows: 40, outcome: 'rejected',
      reasonKind: 'missing_key', column: 'response_id', value: '', note: 'empty response_id (null in parquet)',
      make: () => `,${known},2025-09-12 12:00:00,csat,5,,,,,,,`, key: () => '' },
  );
  const parquetRows = paths.surveys.endsWith('.parquet');
  for (const s of specs) {
    s.file.inject({
      afterRows: s.afterRows,
      make: s.make,
      written: (line, text) => {
        const asRow = s.source === 'surveys' && parquetRows ? line - 1 : line;
        log.push({
          source: s.source, file: s.fileName, line: asRow, outcome: s.outcome, reasonKind: s.reasonKind,
          column: s.column, value: s.value, key: s.key ? s.key(text) : undefined, note: s.note,
          text: s.source === 'surveys' && parquetRows ? undefined : text,
        });
      },
    });
  }
  return log;
}

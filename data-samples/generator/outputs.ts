// Side files next to the generated sources: a cxpulse.config.json that loads them, and EXPECTED.json with the
// counts ingestion must reproduce (rows in = loaded + updated + duplicates + rejected, per source).
import { writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { BadRow, SourceName } from './bad-rows.js';
import { ASPECTS } from './planted.js';
import { layout, type Format } from './source-files.js';

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(value, null, 2) + '\n');
  renameSync(`${path}.tmp`, path);
}

export function sourcesConfig(format: Format) {
  const l = layout(format);
  return {
    sources: {
      customers: { path: l.customers },
      purchases: { path: l.purchasesGlob },
      interactions: { path: l.interactions },
      surveys: { path: l.surveys, answerColumns: [...ASPECTS] },
    },
  };
}

export interface ExpectedInput {
  generator: { seed: number; customers: number; asOf: string; format: Format; badRows: boolean };
  /** Rows per file (relative path), bad rows included. */
  fileRows: Record<SourceName, Record<string, number>>;
  badRows: BadRow[];
  bareCustomers: string[];
  surveyAnswers: number;
  firstEventAt: string;
  lastEventAt: string;
}

export function expectedJson(e: ExpectedInput) {
  const sources: Record<string, unknown> = {};
  for (const source of Object.keys(e.fileRows) as SourceName[]) {
    const files = e.fileRows[source];
    const rows = Object.values(files).reduce((a, b) => a + b, 0);
    const mine = e.badRows.filter((b) => b.source === source);
    const count = (o: string) => mine.filter((b) => b.outcome === o).length;
    const rejected = count('rejected');
    const duplicates = count('duplicate');
    const updated = count('updated');
    const loaded = rows - rejected - duplicates - updated;
    const reasons: Record<string, number> = {};
    for (const b of mine) if (b.reasonKind) reasons[b.reasonKind] = (reasons[b.reasonKind] ?? 0) + 1;
    sources[source] = {
      files, rows, loaded, updated, duplicates, rejected, rejected_by_reason: reasons,
      table_rows: loaded + (source === 'customers' ? e.bareCustomers.length : 0),
    };
  }
  return {
    description: 'Counts ingestion must reproduce for these files. rows = loaded + updated + duplicates + rejected; ' +
      'loaded = new keys; table_rows = rows in the warehouse table after loading all files once ' +
      '(customers: plus the bare customers created from purchases/surveys). Lines are 1-based physical lines ' +
      '(CSV header = line 1; JSONL first row = line 1; parquet: 1-based row number). See data-samples/README.md.',
    generator: e.generator,
    first_event_at: e.firstEventAt,
    last_event_at: e.lastEventAt,
    sources,
    bare_customers: e.bareCustomers,
    survey_answers_rows: e.surveyAnswers,
    bad_rows: [...e.badRows].sort((a, b) => a.source.localeCompare(b.source) || a.file.localeCompare(b.file) || a.line - b.line).map((b) => ({
      source: b.source, file: b.file, line: b.line, outcome: b.outcome, reason_kind: b.reasonKind ?? null,
      column: b.column ?? null, value: b.value ?? null, key: b.key ?? null, note: b.note,
    })),
  };
}

export function writeSideFiles(outDir: string, format: Format, expected: ExpectedInput): void {
  writeJsonAtomic(join(outDir, 'cxpulse.config.json'), sourcesConfig(format));
  writeJsonAtomic(join(outDir, 'EXPECTED.json'), expectedJson(expected));
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../pipelines/core/clock.js';
import { silentLogger } from '../../../pipelines/core/logger.js';
import { fromRoot } from '../../../pipelines/core/paths.js';
import { loadConfig } from '../../../pipelines/config/load-config.js';
import { runIngest } from '../../../pipelines/sources/run-ingest.js';
import { ingestEnv, type IngestEnv } from './ingest-helpers.js';

/**
 * The checked-in demo set comes with EXPECTED.json written by the generator (data-samples/generator),
 * which knows what it planted: an oracle independent of the ingest code.
 */
interface BadRow {
  source: string;
  file: string;
  line: number;
  outcome: 'rejected' | 'duplicate' | 'updated' | 'loaded';
  reason_kind: string | null;
  column: string | null;
  value: string | null;
  key: string;
}
interface Expected {
  sources: Record<string, { rows: number; loaded: number; updated: number; duplicates: number; rejected: number; table_rows: number; files: Record<string, number> }>;
  bare_customers: string[];
  survey_answers_rows: number;
  bad_rows: BadRow[];
}

const DEMO = fromRoot('data-samples', 'demo');
const expected = JSON.parse(readFileSync(join(DEMO, 'EXPECTED.json'), 'utf8')) as Expected;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
function reasonPattern(b: BadRow): RegExp {
  const v = escape(b.value ?? '');
  switch (b.reason_kind) {
    case 'unparseable_timestamp':
      return new RegExp(`^unparseable timestamp "${v}" in ${b.column}$`);
    case 'missing_key':
      return new RegExp(`^missing key ${b.column}$`);
    case 'unknown_enum':
      return new RegExp(`^unknown ${b.column} "${v}"`);
    case 'negative_amount':
      return new RegExp(`^negative amount ${v} on a completed order$`);
    case 'score_out_of_range':
      return new RegExp(`^score ${v} outside \\d+-\\d+ for \\w+$`);
    default:
      throw new Error(`unknown reason kind ${b.reason_kind}`);
  }
}

describe('the demo set loads exactly as its generator says (data-samples/demo/EXPECTED.json)', () => {
  let env: IngestEnv;
  beforeEach(async () => {
    env = await ingestEnv('cxp-demo-');
  });
  afterEach(() => env.close());

  it('per-source counts, table rows, bare customers, survey answers, and every planted bad row', async () => {
    const config = loadConfig(join(DEMO, 'cxpulse.config.json'));
    const s = await runIngest({ warehouse: env.wh, config, runId: 'demo', clock: fixedClock('2026-11-01T00:00:00Z'), logger: silentLogger });
    for (const [name, e] of Object.entries(expected.sources)) {
      const { answers, ...counts } = s.sources[name as keyof typeof s.sources]!;
      if (answers) {
        // Every answer cell is valid, no answer, or in a rejected row.
        expect(answers.read).toBe(answers.valid + answers.no_answer + answers.rejected);
        expect(answers.rejected).toBe(e.rejected * (config.sources.surveys?.answerColumns?.length ?? 0));
      }
      expect(counts, name).toEqual({
        read: e.rows,
        loaded: e.loaded,
        updated: e.updated,
        duplicate: e.duplicates,
        rejected: e.rejected,
        conflicts: 0,
        files: Object.keys(e.files).length,
        skipped_files: 0,
      });
      const n = await env.wh.one<{ n: number }>(`select count(*) as n from ${name}`);
      expect(n!.n, `${name} table rows`).toBe(e.table_rows);
    }
    const bare = await env.wh.all<{ customer_id: string }>('select customer_id from customers where is_bare order by 1');
    expect(bare.map((b) => b.customer_id)).toEqual([...expected.bare_customers].sort());
    expect((await env.wh.one<{ n: number }>('select count(*) as n from survey_answers'))!.n).toBe(expected.survey_answers_rows);

    const rejected = await env.wh.all<{ source: string; file: string; line: number; reason: string }>(
      "select source, file, line, reason from rejected_rows where run_id = 'demo'",
    );
    for (const b of expected.bad_rows.filter((x) => x.outcome === 'rejected')) {
      const hit = rejected.filter((r) => r.source === b.source && r.file === join(DEMO, b.file) && r.line === b.line);
      expect(hit, `${b.source} ${b.file}:${b.line}`).toHaveLength(1);
      expect(hit[0].reason).toMatch(reasonPattern(b));
    }
    expect(rejected).toHaveLength(expected.bad_rows.filter((x) => x.outcome === 'rejected').length);
    // A later file's changed row wins (updated): the table holds the content of that later line.
    for (const b of expected.bad_rows.filter((x) => x.outcome === 'updated' && x.source === 'purchases')) {
      const lines = readFileSync(join(DEMO, b.file), 'utf8').split(/\r?\n/);
      const header = lines[0].split(',');
      const fields = lines[b.line - 1].split(',');
      const at = (c: string) => fields[header.indexOf(c)];
      expect(at('order_id')).toBe(b.key);
      const row = await env.wh.one<{ status: string; amount: number }>('select status, amount from purchases where order_id = $1', [b.key]);
      expect(row).toEqual({ status: at('status'), amount: Number(at('amount')) });
    }
  });
});

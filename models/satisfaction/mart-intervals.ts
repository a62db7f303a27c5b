/**
 * NPS score intervals for the SQL mart `satisfaction_daily`. The score interval (intervals.ts) has no
 * closed form, so rather than a second implementation in SQL the transform calls this right after the
 * mart is built: it reads the distinct (promoters, passives, detractors) counts of the NPS rows, computes
 * each interval once with `npsEstimate`, and writes ci_low / ci_high. Runs on the transform's
 * connection inside its transaction, with the `confidence` transform variable already set.
 */
import type { Db } from '../../pipelines/core/warehouse.js';
import { npsEstimate } from './intervals.js';

export async function fillNpsIntervals(db: Db, table = 'satisfaction_daily'): Promise<number> {
  const conf = await db.one<{ confidence: number | null }>(`select getvariable('confidence')::double as confidence`);
  const confidence = conf?.confidence ?? 0.95;
  // `table` is ours (a model name), never user input.
  const combos = await db.all<{ promoters: number; passives: number; detractors: number }>(
    `select distinct promoters::bigint as promoters, passives::bigint as passives, detractors::bigint as detractors
     from ${table} where survey_type = 'nps'`,
  );
  if (combos.length === 0) return 0;
  const rows = combos.map((c) => {
    const e = npsEstimate({ promoters: Number(c.promoters), passives: Number(c.passives), detractors: Number(c.detractors) }, confidence);
    return { p: Number(c.promoters), a: Number(c.passives), d: Number(c.detractors), lo: e.ciLow, hi: e.ciHigh };
  });
  await db.run(
    `update ${table} as s set ci_low = c.lo, ci_high = c.hi
     from (select unnest(from_json($1::varchar, '[{"p":"BIGINT","a":"BIGINT","d":"BIGINT","lo":"DOUBLE","hi":"DOUBLE"}]'), recursive := true)) as c
     where s.survey_type = 'nps' and s.promoters = c.p and s.passives = c.a and s.detractors = c.d`,
    [JSON.stringify(rows)],
  );
  return rows.length;
}

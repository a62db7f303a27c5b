import type { Db } from '../../pipelines/core/warehouse.js';
import { filterSql, type ResolvedFilters } from '../filters.js';
import { cesEstimate, csatEstimate, npsEstimate, type Estimate } from '../stats.js';
import { dayText, num } from './types.js';

/** Counts per survey type from which NPS, CSAT and CES (and their intervals) follow. */
export interface SurveyCounts {
  survey_type: string;
  n: number;
  promoters: number;
  detractors: number;
  satisfied: number;
  mean: number | null;
  sd: number | null;
}

// Surveys get their channel from the interaction they follow; ones not tied to an interaction are 'other'.
const SURVEYS = `
  with s as (
    select s.customer_id, s.submitted_at, s.survey_type, s.score, coalesce(i.channel, 'other') as channel
    from surveys s left join interactions i on i.interaction_id = s.interaction_id
  )`;

const COUNTS = `
  count(*) as n,
  count(*) filter (where score >= 9) as promoters,
  count(*) filter (where score <= 6) as detractors,
  count(*) filter (where score >= 4) as satisfied,
  avg(score) as mean,
  stddev_samp(score) as sd`;

function toCounts(r: Record<string, unknown>): SurveyCounts {
  return {
    survey_type: String(r.survey_type),
    n: num(r.n) ?? 0,
    promoters: num(r.promoters) ?? 0,
    detractors: num(r.detractors) ?? 0,
    satisfied: num(r.satisfied) ?? 0,
    mean: num(r.mean),
    sd: num(r.sd),
  };
}

export function estimateOf(c: SurveyCounts | undefined, type: 'nps' | 'csat' | 'ces'): Estimate {
  const z = c ?? { survey_type: type, n: 0, promoters: 0, detractors: 0, satisfied: 0, mean: null, sd: null };
  if (type === 'nps') return npsEstimate(z.promoters, z.detractors, z.n);
  if (type === 'csat') return csatEstimate(z.satisfied, z.n);
  return cesEstimate(z.mean, z.sd, z.n);
}

export async function surveyTotals(db: Db, f: ResolvedFilters, period: 'current' | 'previous', hasSegments: boolean): Promise<Map<string, SurveyCounts>> {
  const w = filterSql(f, { customer: 'customer_id', at: 'submitted_at', channel: 'channel' }, { period, hasSegments });
  const rows = await db.all(`${SURVEYS} select survey_type, ${COUNTS} from s where ${w.where} group by survey_type`, w.params);
  return new Map(rows.map((r) => [String(r.survey_type), toCounts(r)]));
}

/** Week buckets for ranges up to ~4 months, months beyond. */
export function trendUnit(f: ResolvedFilters): 'week' | 'month' {
  return f.toExclusive.getTime() - f.from.getTime() <= 120 * 86_400_000 ? 'week' : 'month';
}

export async function surveyTrend(db: Db, f: ResolvedFilters, hasSegments: boolean): Promise<(SurveyCounts & { period: string })[]> {
  const w = filterSql(f, { customer: 'customer_id', at: 'submitted_at', channel: 'channel' }, { period: 'current', hasSegments });
  const bucket = trendUnit(f) === 'week' ? "date_trunc('week', submitted_at)" : "date_trunc('month', submitted_at)";
  const rows = await db.all(
    `${SURVEYS} select ${bucket}::date as period, survey_type, ${COUNTS} from s where ${w.where} group by all order by period`,
    w.params,
  );
  return rows.map((r) => ({ ...toCounts(r), period: dayText(r.period) ?? '' }));
}

export async function surveyByChannel(db: Db, f: ResolvedFilters, hasSegments: boolean): Promise<(SurveyCounts & { channel: string })[]> {
  const w = filterSql(f, { customer: 'customer_id', at: 'submitted_at', channel: 'channel' }, { period: 'current', hasSegments });
  const rows = await db.all(`${SURVEYS} select channel, survey_type, ${COUNTS} from s where ${w.where} group by all order by channel`, w.params);
  return rows.map((r) => ({ ...toCounts(r), channel: String(r.channel) }));
}

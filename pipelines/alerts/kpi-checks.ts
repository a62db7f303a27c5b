import { npsDifferenceZ, twoProportionZ, type TestResult } from '../../models/satisfaction/significance.js';
import { wilsonInterval, type NpsCounts } from '../../models/satisfaction/intervals.js';
import { addDays, isoDate } from '../core/clock.js';
import { asOfParam, sqlDate } from '../core/sql-date.js';
import type { Db } from '../core/warehouse.js';
import type { AlertRule } from './alert-rules.js';

/** What one rule found for one scope (all, a channel, a category) at the as-of date. */
export interface Finding {
  alert_key: string;
  rule: string;
  kind: AlertRule['kind'];
  scope: string;
  is_firing: boolean;
  title: string;
  /** The figure, e.g. NPS this week. */
  figure: { label: string; value: number; n: number; window: { from: string; to: string } };
  /** What it is compared with: the baseline or the threshold. */
  comparison: { label: string; value: number; n?: number; window?: { from: string; to: string } };
  significance: { test: string; statistic: number | null; p_value: number | null; is_significant: boolean; confidence: number; interval?: { low: number; high: number } | null };
  /** The dashboard page, filtered to what the alert is about. */
  link: string;
  as_of: string;
}

export interface CheckContext {
  db: Db;
  asOf: Date;
  confidence: number;
  minSample: number;
  dashboardUrl: string;
  /** Rules (and scopes) not judged this run, with why (too few answers); filled by the checks. */
  notJudged?: { rule: string; reason: string }[];
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const pct = (x: number) => `${round(100 * x)}%`;

function sig(t: TestResult, confidence: number): Finding['significance'] {
  return { test: t.test, statistic: t.statistic === null ? null : round(t.statistic, 3), p_value: t.pValue === null ? null : Number(t.pValue.toPrecision(3)), is_significant: t.isSignificant, confidence };
}

/** The last 7 days up to the as-of date, and `weeks` weeks before them. */
function windows(asOf: Date, weeks: number) {
  const curFrom = addDays(asOf, -6);
  const baseFrom = addDays(curFrom, -7 * weeks);
  return { cur: { from: isoDate(curFrom), to: isoDate(asOf) }, base: { from: isoDate(baseFrom), to: isoDate(addDays(curFrom, -1)) } };
}

/** The windows as bound DATE values: `$cur_from`, `$base_from` and `$as_of` (the last day of the current window). */
function windowParams(w: ReturnType<typeof windows>, asOf: Date) {
  return { cur_from: sqlDate(w.cur.from), base_from: sqlDate(w.base.from), ...asOfParam(asOf) };
}

function link(ctx: CheckContext, page: string, params: Record<string, string | undefined>): string {
  const q = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
  return `${ctx.dashboardUrl}/${page}?${q.toString()}`;
}

/** NPS of the last 7 days against the `weeks` before: fires on a significant drop (npsDifferenceZ). */
async function npsDrop(rule: AlertRule, ctx: CheckContext): Promise<Finding[]> {
  const w = windows(ctx.asOf, rule.weeks);
  const rows = await ctx.db.all<{ period: string; promoters: number; passives: number; detractors: number }>(
    `select case when response_on >= $cur_from then 'cur' else 'base' end as period,
       sum(promoters)::double as promoters, sum(passives)::double as passives, sum(detractors)::double as detractors
     from satisfaction_daily
     where survey_type = 'nps' and response_on between $base_from and $as_of
     group by 1`,
    windowParams(w, ctx.asOf),
  );
  const get = (p: string): NpsCounts => {
    const r = rows.find((x) => x.period === p);
    return { promoters: Number(r?.promoters ?? 0), passives: Number(r?.passives ?? 0), detractors: Number(r?.detractors ?? 0) };
  };
  const cur = get('cur'), base = get('base');
  const n = (c: NpsCounts) => c.promoters + c.passives + c.detractors;
  const min = rule.minSample ?? ctx.minSample;
  if (n(cur) < min || n(base) < min) {
    ctx.notJudged?.push({ rule: rule.name, reason: `${n(cur)} NPS answers in the last 7 days and ${n(base)} before; each window needs ${min} (minSample)` });
    return [];
  }
  const nps = (c: NpsCounts) => (100 * (c.promoters - c.detractors)) / n(c);
  const t = npsDifferenceZ(cur, base, ctx.confidence);
  const firing = t.isSignificant && nps(cur) < nps(base);
  return [{
    alert_key: `${rule.name}:all`, rule: rule.name, kind: rule.kind, scope: 'all', is_firing: firing,
    title: `NPS ${firing ? 'down significantly' : 'checked'}: ${round(nps(cur))} in the last 7 days vs ${round(nps(base))} in the ${rule.weeks} weeks before`,
    figure: { label: 'NPS, last 7 days', value: round(nps(cur)), n: n(cur), window: w.cur },
    comparison: { label: `NPS, previous ${rule.weeks} weeks`, value: round(nps(base)), n: n(base), window: w.base },
    significance: sig(t, ctx.confidence),
    link: link(ctx, 'satisfaction', { from: w.base.from, to: w.cur.to }),
    as_of: isoDate(ctx.asOf),
  }];
}

/** SLA compliance on the as-of day, per channel: fires below the threshold (with its Wilson interval). */
async function slaBelow(rule: AlertRule, ctx: CheckContext): Promise<Finding[]> {
  const due = rule.metric === 'first_response' ? 'count_first_response_sla_due' : 'count_resolution_sla_due';
  const met = rule.metric === 'first_response' ? 'count_first_response_sla_met' : 'count_resolution_sla_met';
  // Column names are fixed text chosen by an enum, never from config.
  const rows = await ctx.db.all<{ channel: string; due: number; met: number }>(
    `select channel, sum(${due})::double as due, sum(${met})::double as met
     from service_kpis_daily where opened_on = $as_of group by 1 order by 1`,
    asOfParam(ctx.asOf),
  );
  const min = rule.minSample ?? ctx.minSample;
  const day = isoDate(ctx.asOf);
  const label = rule.metric === 'first_response' ? 'First response within SLA' : 'Resolution within SLA';
  for (const r of rows.filter((x) => Number(x.due) < min && Number(x.due) > 0)) {
    ctx.notJudged?.push({ rule: `${rule.name}:${r.channel}`, reason: `${Number(r.due)} interactions due on ${day}; needs ${min} (minSample)` });
  }
  return rows.filter((r) => Number(r.due) >= min).map((r) => {
    const rate = Number(r.met) / Number(r.due);
    const ci = wilsonInterval(Number(r.met), Number(r.due), ctx.confidence);
    const firing = rate < rule.threshold;
    return {
      alert_key: `${rule.name}:${r.channel}`, rule: rule.name, kind: rule.kind, scope: r.channel, is_firing: firing,
      title: `${label} ${firing ? 'below' : 'at or above'} ${pct(rule.threshold)} on ${r.channel}: ${pct(rate)} on ${day}`,
      figure: { label: `${label}, ${r.channel}`, value: round(rate, 4), n: Number(r.due), window: { from: day, to: day } },
      comparison: { label: 'threshold', value: rule.threshold },
      // Significantly below when the whole interval lies under the threshold.
      significance: { test: 'wilson_interval', statistic: null, p_value: null, is_significant: ci !== null && ci.high < rule.threshold, confidence: ctx.confidence, interval: ci },
      link: link(ctx, 'service', { from: day, to: day, channel: r.channel }),
      as_of: day,
    };
  });
}

/** Complaint rate per category, last 7 days vs the `weeks` before: fires at factor x and significant. */
async function complaintRateUp(rule: AlertRule, ctx: CheckContext): Promise<Finding[]> {
  const w = windows(ctx.asOf, rule.weeks);
  const rows = await ctx.db.all<{ category: string; period: string; interactions: number; complaints: number }>(
    `select coalesce(category, '(none)') as category, case when opened_on >= $cur_from then 'cur' else 'base' end as period,
       sum(interactions)::double as interactions, sum(complaints)::double as complaints
     from complaints_daily
     where opened_on between $base_from and $as_of ${rule.category ? 'and category = $category' : ''}
     group by all order by 1, 2`,
    rule.category ? { ...windowParams(w, ctx.asOf), category: rule.category } : windowParams(w, ctx.asOf),
  );
  const min = rule.minSample ?? ctx.minSample;
  const out: Finding[] = [];
  for (const category of [...new Set(rows.map((r) => r.category))]) {
    const cur = rows.find((r) => r.category === category && r.period === 'cur');
    const base = rows.find((r) => r.category === category && r.period === 'base');
    if (!cur || !base || Number(cur.interactions) < min || Number(base.interactions) < min) {
      ctx.notJudged?.push({ rule: `${rule.name}:${category}`, reason: `${Number(cur?.interactions ?? 0)} interactions in the last 7 days and ${Number(base?.interactions ?? 0)} before; each window needs ${min} (minSample)` });
      continue;
    }
    const rc = Number(cur.complaints) / Number(cur.interactions);
    const rb = Number(base.complaints) / Number(base.interactions);
    const t = twoProportionZ(Number(cur.complaints), Number(cur.interactions), Number(base.complaints), Number(base.interactions), ctx.confidence);
    const firing = rc >= rule.factor * rb && rc > rb && t.isSignificant;
    out.push({
      alert_key: `${rule.name}:${category}`, rule: rule.name, kind: rule.kind, scope: category, is_firing: firing,
      title: `Complaint rate of ${category} ${firing ? `up ${round(rb > 0 ? rc / rb : Infinity)}x` : 'checked'}: ${pct(rc)} in the last 7 days vs ${pct(rb)} in the ${rule.weeks} weeks before`,
      figure: { label: `Complaint rate, ${category}, last 7 days`, value: round(rc, 4), n: Number(cur.interactions), window: w.cur },
      comparison: { label: `Complaint rate, previous ${rule.weeks} weeks`, value: round(rb, 4), n: Number(base.interactions), window: w.base },
      significance: sig(t, ctx.confidence),
      link: link(ctx, 'service', { from: w.base.from, to: w.cur.to }),
      as_of: isoDate(ctx.asOf),
    });
  }
  return out;
}

const CHECKS: Record<AlertRule['kind'], { table: string; run: (r: AlertRule, c: CheckContext) => Promise<Finding[]> }> = {
  nps_drop: { table: 'satisfaction_daily', run: npsDrop },
  sla_below: { table: 'service_kpis_daily', run: slaBelow },
  complaint_rate_up: { table: 'complaints_daily', run: complaintRateUp },
};

/** Every rule's findings at the as-of date; a rule whose mart is not built yet is reported, not failed. */
export async function checkKpis(rules: AlertRule[], ctx: CheckContext, tables: Set<string>): Promise<{ findings: Finding[]; skipped: { rule: string; reason: string }[] }> {
  const findings: Finding[] = [];
  const skipped: { rule: string; reason: string }[] = [];
  ctx.notJudged = skipped;
  for (const rule of rules) {
    const check = CHECKS[rule.kind];
    if (!tables.has(check.table)) {
      skipped.push({ rule: rule.name, reason: `${check.table} is not built yet (run the transform job)` });
      continue;
    }
    findings.push(...(await check.run(rule, ctx)));
  }
  return { findings, skipped };
}

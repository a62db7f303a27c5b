/**
 * Independent JS computation of the satisfaction marts from the fixture rows: written from the issue's
 * definitions, sharing no code with the SQL. Interval formulas come from models/satisfaction/intervals.ts,
 * which its own tests check against published reference values.
 */
import { cesEstimate, csatEstimate, npsCounts, npsEstimate } from '../../../models/satisfaction/intervals.js';
import type { Fixture } from './random-fixture.js';

const DAY = 86_400_000;
const ms = (s: string) => Date.parse(s.replace(' ', 'T') + 'Z');
const dayOf = (t: number) => new Date(t - (t % DAY)).toISOString().slice(0, 10);

/** Linear-interpolation quantile (Hyndman-Fan type 7), as quantile_cont. */
export function quantile7(values: number[], p: number): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  return s[lo] + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)] ?? s[lo]) - s[lo]);
}

export interface Settings {
  asOf: string;
  minSample: number;
  frt: Record<string, number>;
  frtDefault: number;
  resolutionHours: number;
  surveyWindowDays: number;
  weights: { nps: number; csat: number; ces: number; service: number };
}

export function interactionsView(f: Fixture, s: Settings) {
  const cutoff = ms(`${s.asOf} 00:00:00`) + DAY;
  return f.interactions
    .filter((i) => ms(i.opened) < cutoff)
    .map((i) => {
      const opened = ms(i.opened);
      const responded = i.responded && ms(i.responded) < cutoff ? ms(i.responded) : null;
      const resolved = i.resolved && ms(i.resolved) < cutoff ? ms(i.resolved) : null;
      const target = s.frt[i.channel] ?? s.frtDefault;
      const ageMin = (cutoff - opened) / 60_000;
      const frtMin = responded === null ? null : (responded - opened) / 60_000;
      const resH = resolved === null ? null : (resolved - opened) / 3_600_000;
      const frtMet = frtMin !== null ? frtMin <= target : ageMin > target ? false : null;
      const resMet = resH !== null ? resH <= s.resolutionHours : ageMin / 60 > s.resolutionHours ? false : null;
      // The FCR flag counts only once the item is resolved by the cutoff.
      const fcr = resolved === null ? null : i.fcr;
      return { ...i, fcr, openedMs: opened, openedOn: dayOf(opened), resolvedOn: resolved === null ? null : dayOf(resolved), frtMin, resH, frtMet, resMet, isComplaint: i.kind === 'complaint' };
    });
}

export function surveysView(f: Fixture, s: Settings) {
  const cutoff = ms(`${s.asOf} 00:00:00`) + DAY;
  const byId = new Map(f.interactions.map((i) => [i.id, i]));
  return f.surveys
    .filter((r) => ms(r.at) < cutoff)
    .map((r) => ({
      ...r,
      atMs: ms(r.at),
      on: dayOf(ms(r.at)),
      channel: r.interaction == null ? 'none' : byId.has(r.interaction) ? byId.get(r.interaction)!.channel : 'unknown',
    }));
}

export function expectedSatisfactionDaily(f: Fixture, s: Settings) {
  const groups = new Map<string, number[]>();
  for (const r of surveysView(f, s)) {
    const k = `${r.on}|${r.channel}|${r.type}`;
    groups.set(k, [...(groups.get(k) ?? []), r.score]);
  }
  return [...groups].map(([k, scores]) => {
    const [on, channel, type] = k.split('|');
    const e =
      type === 'nps'
        ? npsEstimate(npsCounts(scores), 0.95, s.minSample)
        : type === 'csat'
          ? csatEstimate(scores.filter((x) => x >= 4).length, scores.length, 0.95, s.minSample)
          : cesEstimate(scores, 0.95, s.minSample);
    return { key: k, on, channel, type, responses: scores.length, score: e.score, ciLow: e.ciLow, ciHigh: e.ciHigh, isLow: scores.length < s.minSample };
  });
}

export function expectedServiceDaily(f: Fixture, s: Settings) {
  const rows = interactionsView(f, s);
  const out: Record<string, unknown>[] = [];
  const channels = [...new Set(rows.map((r) => r.channel))];
  for (const ch of channels) {
    const mine = rows.filter((r) => r.channel === ch);
    const first = Math.min(...mine.map((r) => ms(`${r.openedOn} 00:00:00`)));
    for (let d = first; d <= ms(`${s.asOf} 00:00:00`); d += DAY) {
      const on = dayOf(d);
      const day = mine.filter((r) => r.openedOn === on);
      const frt = day.map((r) => r.frtMin).filter((x): x is number => x !== null);
      const res = day.map((r) => r.resH).filter((x): x is number => x !== null);
      const fcrKnown = day.filter((r) => r.fcr !== null && r.fcr !== undefined);
      const frtDue = day.filter((r) => r.frtMet !== null);
      const resDue = day.filter((r) => r.resMet !== null);
      out.push({
        key: `${on}|${ch}`,
        interactions: day.length,
        complaints: day.filter((r) => r.isComplaint).length,
        complaint_rate: day.length ? day.filter((r) => r.isComplaint).length / day.length : null,
        median_first_response_minutes: quantile7(frt, 0.5),
        p90_first_response_minutes: quantile7(frt, 0.9),
        median_resolution_hours: quantile7(res, 0.5),
        p90_resolution_hours: quantile7(res, 0.9),
        first_contact_resolution_rate: fcrKnown.length ? fcrKnown.filter((r) => r.fcr).length / fcrKnown.length : null,
        first_response_sla_rate: frtDue.length ? frtDue.filter((r) => r.frtMet).length / frtDue.length : null,
        resolution_sla_rate: resDue.length ? resDue.filter((r) => r.resMet).length / resDue.length : null,
        count_open_backlog: mine.filter((r) => r.openedOn <= on && (r.resolvedOn === null || r.resolvedOn > on)).length,
        is_low_sample: day.length < s.minSample,
      });
    }
  }
  return out;
}

export function expectedCustomerSatisfaction(f: Fixture, s: Settings) {
  const cutoff = ms(`${s.asOf} 00:00:00`) + DAY;
  const inter = interactionsView(f, s);
  const surveys = surveysView(f, s);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const group = <T extends { customer: string }>(xs: T[]) => {
    const m = new Map<string, T[]>();
    for (const x of xs) m.set(x.customer, [...(m.get(x.customer) ?? []), x]);
    return m;
  };
  const surveysBy = group(surveys);
  const interBy = group(inter);
  return f.customers.map((c) => {
    const mine = surveysBy.get(c.id) ?? [];
    const theirs = interBy.get(c.id) ?? [];
    const nps = mine.filter((r) => r.type === 'nps').sort((a, b) => a.atMs - b.atMs || (a.id < b.id ? -1 : 1));
    const win = mine.filter((r) => r.atMs >= cutoff - s.surveyWindowDays * DAY);
    const avg = (t: string) => mean(win.filter((r) => r.type === t).map((r) => r.score));
    const i90 = theirs.filter((r) => r.openedMs >= cutoff - 90 * DAY);
    const checks = i90.flatMap((r) => [r.frtMet, r.resMet]).filter((x) => x !== null);
    const sla = checks.length ? checks.filter(Boolean).length / checks.length : null;
    const npsAvg = avg('nps');
    const csatAvg = avg('csat');
    const cesAvg = avg('ces');
    const parts: [number, number | null][] = [
      [s.weights.nps, npsAvg === null ? null : npsAvg * 10],
      [s.weights.csat, csatAvg === null ? null : ((csatAvg - 1) / 4) * 100],
      [s.weights.ces, cesAvg === null ? null : ((cesAvg - 1) / 6) * 100],
      [s.weights.service, sla === null ? null : sla * 100],
    ];
    const present = parts.filter(([, v]) => v !== null) as [number, number][];
    const csi = win.length ? present.reduce((a, [w, v]) => a + w * v, 0) / present.reduce((a, [w]) => a + w, 0) : null;
    return {
      customer_id: c.id,
      last_nps: nps.length ? nps[nps.length - 1].score : null,
      csat_avg: csatAvg,
      csi,
      count_interactions_90d: i90.length,
      count_complaints_90d: i90.filter((r) => r.isComplaint).length,
      count_open_items: theirs.filter((r) => r.resolvedOn === null).length,
      median_first_response_minutes: quantile7(i90.map((r) => r.frtMin).filter((x): x is number => x !== null), 0.5),
    };
  });
}

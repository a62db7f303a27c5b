/**
 * Reads the CDNOW sample (data-samples/cdnow/CDNOW_sample.txt: master_id, sample_id, YYYYMMDD,
 * number of CDs, dollar value; runs of spaces) and builds the published summary independently of
 * the warehouse code: x = distinct purchase days − 1, tx and T from the first purchase, in weeks.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

export const CDNOW_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../data-samples/cdnow/CDNOW_sample.txt');

export interface CdnowPurchase {
  customer: string;
  /** Days since 1970-01-01 (UTC). */
  day: number;
  /** 'YYYY-MM-DD' */
  date: string;
  value: number;
}

export function readCdnow(): CdnowPurchase[] {
  const out: CdnowPurchase[] = [];
  for (const line of readFileSync(CDNOW_FILE, 'utf8').split(/\r?\n/)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5) continue;
    const d = f[2];
    const date = `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;
    out.push({ customer: f[0], day: Date.parse(`${date}T00:00:00Z`) / 86_400_000, date, value: Number(f[4]) });
  }
  return out;
}

export const CAL_END_DAY = Date.parse('1997-09-30T00:00:00Z') / 86_400_000;
export const HOLDOUT_END_DAY = Date.parse('1998-06-30T00:00:00Z') / 86_400_000;

export interface CdnowSummary {
  customers: string[];
  x: number[];
  tx: number[];
  T: number[];
  /** Mean of the repeat purchase days' totals (calibration), NaN without repeats. */
  m: number[];
  /** Distinct purchase days in the holdout (after 1997-09-30 up to 1998-06-30). */
  holdout: number[];
}

export function cdnowSummary(purchases = readCdnow()): CdnowSummary {
  const byCustomer = new Map<string, Map<number, number>>();
  const holdoutDays = new Map<string, Set<number>>();
  for (const p of purchases) {
    if (p.day <= CAL_END_DAY) {
      const days = byCustomer.get(p.customer) ?? new Map<number, number>();
      days.set(p.day, (days.get(p.day) ?? 0) + p.value);
      byCustomer.set(p.customer, days);
    } else if (p.day <= HOLDOUT_END_DAY) {
      const s = holdoutDays.get(p.customer) ?? new Set<number>();
      s.add(p.day);
      holdoutDays.set(p.customer, s);
    }
  }
  const s: CdnowSummary = { customers: [], x: [], tx: [], T: [], m: [], holdout: [] };
  for (const [c, days] of byCustomer) {
    const sorted = [...days.keys()].sort((a, b) => a - b);
    const first = sorted[0];
    const last = sorted[sorted.length - 1];
    const repeatValues = sorted.slice(1).map((d) => days.get(d)!);
    s.customers.push(c);
    s.x.push(sorted.length - 1);
    s.tx.push((last - first) / 7);
    s.T.push((CAL_END_DAY - first) / 7);
    s.m.push(repeatValues.length ? repeatValues.reduce((a, b) => a + b, 0) / repeatValues.length : NaN);
    s.holdout.push(holdoutDays.get(c)?.size ?? 0);
  }
  return s;
}

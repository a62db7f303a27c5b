/**
 * A synthetic customer history with planted churn causes, for the churn tests and benchmark (the
 * shared sample generator is separate). Each day an active customer may buy, contact support, answer
 * a survey, or leave. The daily hazard of leaving is BASE_HAZARD * exp(sum of planted effects), so
 * unresolved complaints and a slow first response measurably raise churn; nothing else does.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { quoteLiteral } from '../../../pipelines/core/sql-ident.js';
import type { Db } from '../../../pipelines/core/warehouse.js';
import { seededRng } from '../../../models/churn/rng.js';

export const PLANTED = {
  baseHazardPerDay: 0.0008,
  /** Log-hazard per open (unresolved) complaint, up to 3. */
  perUnresolvedComplaint: 1.2,
  /** Log-hazard while a first response in the last 60 days took over 8 hours. */
  slowFirstResponse: 1.2,
  slowFirstResponseMinutes: 480,
};

export interface HistoryOptions {
  customers: number;
  start?: string;
  days?: number;
  seed?: number;
  /** Multiplies the planted effects (0 = no signal). */
  signal?: number;
}

export interface HistoryCsv {
  customers: string;
  purchases: string;
  interactions: string;
  surveys: string;
}

const CHANNELS = ['phone', 'email', 'chat', 'app', 'store', 'social'];
const pad = (n: number) => String(n).padStart(2, '0');
function ts(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

export function generateHistory(opts: HistoryOptions): HistoryCsv & { end: string } {
  const rng = seededRng(opts.seed ?? 7);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const start = Date.parse(`${opts.start ?? '2024-01-01'}T00:00:00Z`);
  const days = opts.days ?? 730;
  const signal = opts.signal ?? 1;
  const DAY = 86_400_000;
  const cust = ['customer_id,signup_at,country,email,marketing_consent'];
  const pur = ['order_id,customer_id,ordered_at,amount,status,channel'];
  const itx = ['interaction_id,customer_id,channel,kind,category,opened_at,first_response_at,resolved_at,is_first_contact_resolution'];
  const sur = ['response_id,customer_id,submitted_at,survey_type,score,interaction_id'];
  let orderN = 0;
  let itxN = 0;
  let surN = 0;
  for (let c = 0; c < opts.customers; c++) {
    const id = `C${String(c).padStart(7, '0')}`;
    const signup = Math.floor(rng.next() * (days - 120));
    cust.push(`${id},${ts(start + signup * DAY)},DE,${id.toLowerCase()}@example.com,${rng.next() < 0.7}`);
    const gap = Math.min(120, Math.max(5, Math.exp(Math.log(25) + 0.5 * normal())));
    const contactRate = Math.exp(Math.log(1 / 70) + 0.5 * normal());
    const openComplaints: number[] = []; // day each open complaint gets resolved
    let lastSlowDay = -1e9;
    for (let d = signup; d < days; d++) {
      const at = start + d * DAY;
      if (rng.next() < 1 / gap) {
        const u = rng.next();
        const status = u < 0.05 ? 'refunded' : u < 0.07 ? 'cancelled' : 'completed';
        const amount = Math.exp(Math.log(50) + 0.6 * normal()).toFixed(2);
        pur.push(`O${++orderN},${id},${ts(at + Math.floor(rng.next() * DAY))},${amount},${status},${rng.next() < 0.6 ? 'web' : 'store'}`);
      }
      if (rng.next() < contactRate) {
        const iid = `I${++itxN}`;
        const complaint = rng.next() < 0.35;
        const opened = at + Math.floor(rng.next() * DAY);
        const respMin = Math.exp(Math.log(90) + 1.1 * normal());
        const slow = respMin > PLANTED.slowFirstResponseMinutes;
        if (slow) lastSlowDay = d;
        let resolvedDay: number;
        let resolvedAt: number | null;
        let fcr = false;
        if (!complaint || rng.next() < 0.6) {
          const hours = Math.exp(Math.log(20) + normal());
          resolvedDay = d + Math.floor(hours / 24);
          fcr = hours < 24 && rng.next() < 0.7;
          resolvedAt = opened + respMin * 60_000 + hours * 3_600_000;
        } else {
          resolvedDay = d + 20 + Math.floor(rng.next() * 180);
          resolvedAt = resolvedDay < days ? start + resolvedDay * DAY + Math.floor(rng.next() * DAY) : null;
          openComplaints.push(resolvedDay);
        }
        const kind = complaint ? 'complaint' : ['inquiry', 'request', 'praise'][rng.int(3)];
        itx.push(
          `${iid},${id},${CHANNELS[rng.int(CHANNELS.length)]},${kind},general,${ts(opened)},${ts(opened + respMin * 60_000)},${resolvedAt === null ? '' : ts(resolvedAt)},${fcr}`,
        );
        if (rng.next() < 0.4) {
          const unresolved = resolvedDay > d + 10;
          const nps = Math.round(8.3 - 3 * Number(unresolved) - 1.5 * Number(slow) + 1.5 * normal());
          sur.push(`S${++surN},${id},${ts(opened + (1 + rng.int(3)) * DAY)},nps,${Math.min(10, Math.max(0, nps))},${iid}`);
        }
        if (rng.next() < 0.3) {
          const csat = Math.round(4.2 - 1.2 * Number(complaint) + 0.8 * normal());
          sur.push(`S${++surN},${id},${ts(opened + DAY)},csat,${Math.min(5, Math.max(1, csat))},${iid}`);
        }
      }
      let open = 0;
      for (const r of openComplaints) if (r > d) open++;
      const logH = signal * (PLANTED.perUnresolvedComplaint * Math.min(open, 3) + (d - lastSlowDay <= 60 ? PLANTED.slowFirstResponse : 0));
      if (rng.next() < PLANTED.baseHazardPerDay * Math.exp(logH)) break;
    }
  }
  return {
    customers: cust.join('\n') + '\n',
    purchases: pur.join('\n') + '\n',
    interactions: itx.join('\n') + '\n',
    surveys: sur.join('\n') + '\n',
    end: ts(start + (days - 1) * DAY).slice(0, 10),
  };
}

export function writeHistoryCsv(h: HistoryCsv, dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const k of ['customers', 'purchases', 'interactions', 'surveys'] as const) writeFileSync(join(dir, `${k}.csv`), h[k]);
}

/** Loads the CSVs written by writeHistoryCsv into the canonical tables. */
export async function loadHistoryCsv(db: Db, dir: string): Promise<void> {
  const f = (k: string) => quoteLiteral(join(dir, `${k}.csv`));
  await db.run(`insert into customers (customer_id, signup_at, country, email, marketing_consent)
    select * from read_csv(${f('customers')}, header = true, auto_detect = false, columns = {'customer_id': 'varchar', 'signup_at': 'timestamp', 'country': 'varchar', 'email': 'varchar', 'marketing_consent': 'boolean'})`);
  await db.run(`insert into purchases (order_id, customer_id, ordered_at, amount, status, channel)
    select * from read_csv(${f('purchases')}, header = true, auto_detect = false, columns = {'order_id': 'varchar', 'customer_id': 'varchar', 'ordered_at': 'timestamp', 'amount': 'decimal(18,2)', 'status': 'varchar', 'channel': 'varchar'})`);
  await db.run(`insert into interactions (interaction_id, customer_id, channel, kind, category, opened_at, first_response_at, resolved_at, is_first_contact_resolution)
    select * from read_csv(${f('interactions')}, header = true, auto_detect = false, columns = {'interaction_id': 'varchar', 'customer_id': 'varchar', 'channel': 'varchar', 'kind': 'varchar', 'category': 'varchar', 'opened_at': 'timestamp', 'first_response_at': 'timestamp', 'resolved_at': 'timestamp', 'is_first_contact_resolution': 'boolean'})`);
  await db.run(`insert into surveys (response_id, customer_id, submitted_at, survey_type, score, interaction_id)
    select * from read_csv(${f('surveys')}, header = true, auto_detect = false, columns = {'response_id': 'varchar', 'customer_id': 'varchar', 'submitted_at': 'timestamp', 'survey_type': 'varchar', 'score': 'integer', 'interaction_id': 'varchar'})`);
}

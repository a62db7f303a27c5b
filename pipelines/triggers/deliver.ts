import { randomUUID } from 'node:crypto';
import type { Config } from '../config/types.js';
import type { Clock } from '../core/clock.js';
import { CxpError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Warehouse } from '../core/warehouse.js';
import { jitteredBackoffMs, type BackoffPolicy } from '../core/backoff.js';
import { secretKey, signedHeaders } from './signature.js';

export interface EndpointConfig {
  url: string;
  secret?: string;
  secretEnv?: string;
  headers?: Record<string, string>;
  /** Up to this many events per request, under one signature (1: one request per event). */
  batchMaxActions?: number;
}

export interface DeliveryConfig extends BackoffPolicy {
  endpoints: Record<string, EndpointConfig>;
  timeoutSeconds: number;
  maxAttempts: number;
  batchSize: number;
  /** Requests in flight at once per endpoint. */
  concurrency: number;
  /** No new request starts after this many seconds of a pass; what is left stays due for the next sweep. */
  passDeadlineSeconds: number;
}

export function deliveryConfig(config: Config): DeliveryConfig {
  const d = config.delivery as Partial<DeliveryConfig>;
  return {
    endpoints: d.endpoints ?? {},
    timeoutSeconds: d.timeoutSeconds ?? 10,
    maxAttempts: d.maxAttempts ?? 8,
    initialDelaySeconds: d.initialDelaySeconds ?? 30,
    factor: d.factor ?? 2,
    maxDelaySeconds: d.maxDelaySeconds ?? 3600,
    batchSize: d.batchSize ?? 500,
    concurrency: d.concurrency ?? 4,
    passDeadlineSeconds: d.passDeadlineSeconds ?? 60,
  };
}

export interface DeliverOptions {
  clock: Clock;
  logger?: Logger;
  /** Jitter source; injectable for tests. */
  random?: () => number;
  env?: Record<string, string | undefined>;
  /** Only these actions (replay); otherwise every due one. */
  actionIds?: string[];
}

export interface DeliverySummary {
  attempted: number;
  delivered: number;
  retrying: number;
  dead: number;
  /** Due items not attempted because the pass deadline came first: they stay due for the next sweep. */
  deferred: number;
}

/** One outbox item: an action (its action.entered event) or a follow-up event (action_events). */
type DueItem = {
  src: 'action' | 'event';
  id: string;
  event_type: string;
  endpoint: string | null;
  occurred_at: Date;
  payload: string;
  attempts: number;
  batch_id: string | null;
};

/** One request: a single item (webhook-id = its id) or a batch (webhook-id = the batch id). */
interface Message {
  id: string;
  endpoint: string;
  items: DueItem[];
  batched: boolean;
}

export type Outcome = { kind: 'delivered' | 'retry' | 'dead'; statusCode: number | null; error: string | null; retryAfterMs?: number };

/** The Standard Webhooks body: `{type, timestamp, data}`; a batch carries the same envelopes in `data`. */
export function messageBody(m: { items: { event_type: string; occurred_at: Date; payload: string }[]; batched: boolean }, now: Date): string {
  const envelope = (i: { event_type: string; occurred_at: Date; payload: string }) => ({ type: i.event_type, timestamp: i.occurred_at.toISOString(), data: JSON.parse(i.payload) });
  if (!m.batched) return JSON.stringify(envelope(m.items[0]));
  return JSON.stringify({ type: 'action.batch', timestamp: now.toISOString(), data: m.items.map(envelope) });
}

/**
 * Endpoints whose signing secret is missing or malformed in this environment (delivery would fail
 * on them); `cxpulse config` reports these.
 */
export function deliveryProblems(config: Config, env: Record<string, string | undefined> = process.env): string[] {
  const out: string[] = [];
  for (const [name, ep] of Object.entries(deliveryConfig(config).endpoints)) {
    try {
      resolveSecret(name, ep, env);
    } catch (err) {
      const e = err as CxpError;
      out.push(`delivery.endpoints.${name}: ${e.message}${e.details.hint ? ` (${e.details.hint})` : ''}`);
    }
  }
  return out;
}

export function resolveSecret(name: string, ep: EndpointConfig, env: Record<string, string | undefined>): string {
  const secret = ep.secret ?? (ep.secretEnv ? env[ep.secretEnv] : undefined);
  if (!secret) {
    throw new CxpError('CXP_ERR_CONFIG_INVALID', `webhook endpoint "${name}" has no signing secret`, {
      where: `delivery.endpoints.${name}`,
      hint: ep.secretEnv ? `set the environment variable ${ep.secretEnv} (whsec_<base64>)` : 'set "secretEnv" (preferred) or "secret"',
    });
  }
  secretKey(secret);
  return secret;
}

/** 2xx delivered; 408, 429, 5xx and network errors/timeouts retried; any other status is permanent. */
function send(ep: EndpointConfig, secret: string, m: Message, now: Date, timeoutMs: number): Promise<Outcome> {
  return postSigned(ep, secret, m.id, messageBody(m, now), now, timeoutMs);
}

/** POSTs a body signed the Standard Webhooks way (webhook-id = `id`, also the idempotency-key) and classifies the answer. */
export async function postSigned(ep: EndpointConfig, secret: string, id: string, body: string, now: Date, timeoutMs: number): Promise<Outcome> {
  const headers = {
    ...(ep.headers ?? {}),
    'content-type': 'application/json',
    'user-agent': 'cxpulse-webhooks/1',
    'idempotency-key': id,
    ...signedHeaders(secret, id, Math.floor(now.getTime() / 1000), body),
  };
  try {
    const res = await fetch(ep.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text().catch(() => '');
    if (res.status >= 200 && res.status < 300) return { kind: 'delivered', statusCode: res.status, error: null };
    const error = `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
    if (res.status === 408 || res.status === 429 || res.status >= 500) {
      const ra = Number(res.headers.get('retry-after'));
      return { kind: 'retry', statusCode: res.status, error, retryAfterMs: Number.isFinite(ra) && ra > 0 ? ra * 1000 : undefined };
    }
    return { kind: 'dead', statusCode: res.status, error: `${error} (not retried: the receiver rejected the request)` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
    const error = timedOut ? `timeout after ${timeoutMs} ms` : `network error: ${e.cause?.code ?? e.cause?.message ?? e.message}`;
    return { kind: 'retry', statusCode: null, error };
  }
}

/**
 * Consent can be withdrawn between firing and sending: undelivered actions of rules that need marketing
 * consent are cancelled (not sent, not listed) for customers who no longer have it.
 */
export async function cancelWithoutConsent(wh: Warehouse): Promise<number> {
  const rows = await wh.all<{ Count: number }>(
    `update retention_actions a
     set status = 'cancelled', next_attempt_at = null, last_error = 'cancelled: marketing consent withdrawn'
     from customers c
     where c.customer_id = a.customer_id
       and a.status in ('pending', 'failed', 'listed')
       and coalesce(try_cast(json_extract_string(a.payload, '$.requires_consent') as boolean), a.kind = 'marketing')
       and not coalesce(c.marketing_consent, false)`,
  );
  return Number(rows[0]?.Count ?? 0);
}

const DUE_SQL = `
  select 'action' as src, action_id as id, 'action.entered' as event_type, endpoint, fired_at as occurred_at,
    payload::varchar as payload, attempts, batch_id, customer_id
  from retention_actions
  where channel = 'webhook' and status in ('pending', 'failed') and (next_attempt_at is null or next_attempt_at <= $1)
  union all
  select 'event', event_id, event_type, endpoint, occurred_at, payload::varchar, attempts, batch_id, customer_id
  from action_events e
  where status in ('pending', 'failed') and (next_attempt_at is null or next_attempt_at <= $1)
    -- after the action it refers to, never before (a replayed action goes first)
    and not exists (select 1 from retention_actions a where a.action_id = e.action_id and a.status in ('pending', 'failed'))`;

/** Outbox items whose (re)send is due: the scheduler's sweep runs the worker only when this is > 0. */
export async function countDue(wh: Warehouse, now: Date): Promise<number> {
  return Number((await wh.one<{ n: number }>(`select count(*) as n from (${DUE_SQL})`, [now]))?.n ?? 0);
}

/**
 * Requests for the due items, in outbox order: items keep the batch they were first sent in (same
 * webhook-id on a retry); new ones are grouped per endpoint, up to its batchMaxActions.
 */
function toMessages(due: DueItem[], cfg: DeliveryConfig): Message[] {
  const out: Message[] = [];
  const byBatch = new Map<string, Message>();
  const open = new Map<string, Message>();
  for (const it of due) {
    const endpoint = it.endpoint ?? 'default';
    const max = cfg.endpoints[endpoint]?.batchMaxActions ?? 1;
    if (it.batch_id) {
      let m = byBatch.get(it.batch_id);
      if (!m) {
        m = { id: it.batch_id, endpoint, items: [], batched: true };
        byBatch.set(it.batch_id, m);
        out.push(m);
      }
      m.items.push(it);
    } else if (max <= 1) {
      out.push({ id: it.id, endpoint, items: [it], batched: false });
    } else {
      let m = open.get(endpoint);
      if (!m || m.items.length >= max) {
        m = { id: `msg_${randomUUID()}`, endpoint, items: [], batched: true };
        open.set(endpoint, m);
        out.push(m);
      }
      m.items.push(it);
    }
  }
  return out;
}

/**
 * After an attempt: a retry past maxAttempts becomes dead; a retry gets its next time (jittered
 * backoff, a longer Retry-After wins, capped). The one retry policy of every outbox (actions, alerts).
 */
export function settleAttempt(cfg: DeliveryConfig, out: Outcome, attempt: number, at: Date, random?: () => number): { out: Outcome; nextAt: Date | null } {
  if (out.kind === 'retry' && attempt >= cfg.maxAttempts) {
    return { out: { ...out, kind: 'dead', error: `${out.error} (gave up after ${attempt} attempts)` }, nextAt: null };
  }
  if (out.kind !== 'retry') return { out, nextAt: null };
  const wait = Math.max(jitteredBackoffMs(cfg, attempt, random), out.retryAfterMs ?? 0);
  return { out, nextAt: new Date(at.getTime() + Math.min(wait, cfg.maxDelaySeconds * 1000)) };
}

const TABLE = { action: { table: 'retention_actions', key: 'action_id' }, event: { table: 'action_events', key: 'event_id' } } as const;

/**
 * The outbox worker: one pass over webhook items that are due (actions pending, or failed with
 * next_attempt_at reached, then their follow-up events), oldest first. Each attempt is recorded; an
 * item's webhook-id is its action_id / event_id (or its batch's id), the same on every attempt, so
 * receivers dedupe re-sends (at-least-once delivery). At most `concurrency` requests are in flight per
 * endpoint, and no new request starts after `passDeadlineSeconds` (the rest stays due: `deferred`).
 */
export async function deliverPending(wh: Warehouse, cfg: DeliveryConfig, opts: DeliverOptions): Promise<DeliverySummary> {
  const now = opts.clock.now();
  await cancelWithoutConsent(wh);
  const ids = opts.actionIds;
  if (ids && ids.length === 0) return { attempted: 0, delivered: 0, retrying: 0, dead: 0, deferred: 0 };
  const due = await wh.all<DueItem>(
    `select * from (${DUE_SQL}) d
     ${ids ? `where id in (${ids.map((_, i) => `$${i + 3}`).join(', ')})` : ''}
     order by occurred_at, src, customer_id, id limit $2`,
    [now, cfg.batchSize, ...(ids ?? [])],
  );
  const env = opts.env ?? process.env;
  // Check every endpoint first: a missing secret fails the run and leaves the actions pending, not dead.
  const secrets = new Map<string, string>();
  for (const name of new Set(due.map((a) => a.endpoint ?? 'default'))) {
    const ep = cfg.endpoints[name];
    if (!ep) {
      throw new CxpError('CXP_ERR_CONFIG_INVALID', `actions wait for webhook endpoint "${name}", which is not configured`, {
        where: `delivery.endpoints.${name}`,
        hint: 'add it back (url, secretEnv); the actions stay pending until then',
      });
    }
    secrets.set(name, resolveSecret(name, ep, env));
  }
  const messages = toMessages(due, cfg);
  // A batch's id is stored before it is sent, so a crash after the send re-sends the same webhook-id.
  for (const m of messages) {
    if (!m.batched || m.items.every((i) => i.batch_id === m.id)) continue;
    for (const src of ['action', 'event'] as const) {
      const own = m.items.filter((i) => i.src === src).map((i) => i.id);
      if (own.length === 0) continue;
      await wh.run(
        `update ${TABLE[src].table} set batch_id = $1 where ${TABLE[src].key} in (${own.map((_, k) => `$${k + 2}`).join(', ')})`,
        [m.id, ...own],
      );
    }
  }
  const summary: DeliverySummary = { attempted: 0, delivered: 0, retrying: 0, dead: 0, deferred: 0 };
  const deadline = performance.now() + cfg.passDeadlineSeconds * 1000;
  const sendOne = async (m: Message): Promise<void> => {
    const started = opts.clock.now();
    const t0 = performance.now();
    const sent = await send(cfg.endpoints[m.endpoint], secrets.get(m.endpoint)!, m, started, cfg.timeoutSeconds * 1000);
    const attempt = Math.max(...m.items.map((i) => i.attempts)) + 1;
    const at = opts.clock.now();
    const { out, nextAt } = settleAttempt(cfg, sent, attempt, at, opts.random);
    const ms = Math.round(performance.now() - t0);
    for (const it of m.items) {
      summary.attempted++;
      if (out.kind === 'retry') summary.retrying++;
      else if (out.kind === 'dead') summary.dead++;
      else summary.delivered++;
      await wh.run(
        `update ${TABLE[it.src].table} set status = $2, attempts = $3, next_attempt_at = $4, delivered_at = $5, last_status_code = $6,
           last_error = $7 where ${TABLE[it.src].key} = $1`,
        [
          it.id,
          out.kind === 'delivered' ? 'delivered' : out.kind === 'dead' ? 'dead' : 'failed',
          attempt,
          nextAt,
          out.kind === 'delivered' ? at : null,
          out.statusCode,
          out.error,
        ],
      );
      await wh.run(
        `insert into delivery_attempts (action_id, attempt, attempted_at, status_code, outcome, error, duration_ms)
         values ($1, $2, $3, $4, $5, $6, $7)`,
        [it.id, attempt, started, out.statusCode, out.kind, out.error, ms],
      );
    }
    opts.logger?.[out.kind === 'delivered' ? 'info' : 'warn'](`${m.batched ? `batch ${m.id} (${m.items.length} events)` : `${m.items[0].event_type} ${m.id}`} ${out.kind}`, { attempt, error: out.error });
  };
  // Per endpoint, a queue in outbox order worked by `concurrency` workers; endpoints run side by side,
  // so a receiver that never answers holds only its own workers, each for at most timeoutSeconds. After
  // the pass deadline no new request starts: a pass lasts at most passDeadlineSeconds + timeoutSeconds.
  const byEndpoint = new Map<string, Message[]>();
  for (const m of messages) byEndpoint.set(m.endpoint, [...(byEndpoint.get(m.endpoint) ?? []), m]);
  const workers: Promise<void>[] = [];
  for (const queue of byEndpoint.values()) {
    const worker = async (): Promise<void> => {
      for (let m = queue.shift(); m; m = queue.shift()) {
        if (performance.now() >= deadline) {
          summary.deferred += m.items.length + queue.reduce((n, q) => n + q.items.length, 0);
          queue.length = 0;
          return;
        }
        await sendOne(m);
      }
    };
    for (let i = 0; i < Math.min(cfg.concurrency, queue.length); i++) workers.push(worker());
  }
  await Promise.all(workers);
  if (summary.deferred > 0) {
    opts.logger?.warn('delivery pass deadline reached; the remaining items wait for the next sweep', { deferred: summary.deferred });
  }
  return summary;
}

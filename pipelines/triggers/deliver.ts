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
}

export interface DeliveryConfig extends BackoffPolicy {
  endpoints: Record<string, EndpointConfig>;
  timeoutSeconds: number;
  maxAttempts: number;
  batchSize: number;
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
}

type DueAction = {
  action_id: string;
  idempotency_key: string;
  endpoint: string | null;
  fired_at: Date;
  payload: string;
  attempts: number;
};

type Outcome = { kind: 'delivered' | 'retry' | 'dead'; statusCode: number | null; error: string | null; retryAfterMs?: number };

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

function resolveSecret(name: string, ep: EndpointConfig, env: Record<string, string | undefined>): string {
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
async function send(ep: EndpointConfig, secret: string, a: DueAction, now: Date, timeoutMs: number): Promise<Outcome> {
  const body = JSON.stringify({ type: 'retention_action.fired', timestamp: a.fired_at.toISOString(), data: JSON.parse(a.payload) });
  const headers = {
    ...(ep.headers ?? {}),
    'content-type': 'application/json',
    'user-agent': 'cxpulse-webhooks/1',
    'idempotency-key': a.idempotency_key,
    ...signedHeaders(secret, a.action_id, Math.floor(now.getTime() / 1000), body),
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

/**
 * The outbox worker: one pass over webhook actions that are due (pending, or failed with
 * next_attempt_at reached), oldest first. Each attempt is recorded; the action's webhook-id is its
 * action_id, the same on every attempt, so receivers dedupe re-sends (at-least-once delivery).
 */
export async function deliverPending(wh: Warehouse, cfg: DeliveryConfig, opts: DeliverOptions): Promise<DeliverySummary> {
  const now = opts.clock.now();
  await cancelWithoutConsent(wh);
  const ids = opts.actionIds;
  if (ids && ids.length === 0) return { attempted: 0, delivered: 0, retrying: 0, dead: 0 };
  const due = await wh.all<DueAction>(
    `select action_id, idempotency_key, endpoint, fired_at, payload::varchar as payload, attempts from retention_actions
     where channel = 'webhook' and status in ('pending', 'failed') and (next_attempt_at is null or next_attempt_at <= $1)
       ${ids ? `and action_id in (${ids.map((_, i) => `$${i + 3}`).join(', ')})` : ''}
     order by fired_at, action_id limit $2`,
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
  const summary: DeliverySummary = { attempted: 0, delivered: 0, retrying: 0, dead: 0 };
  for (const a of due) {
    const name = a.endpoint ?? 'default';
    const started = opts.clock.now();
    const t0 = performance.now();
    let out = await send(cfg.endpoints[name], secrets.get(name)!, a, started, cfg.timeoutSeconds * 1000);
    const attempt = a.attempts + 1;
    const at = opts.clock.now();
    if (out.kind === 'retry' && attempt >= cfg.maxAttempts) {
      out = { ...out, kind: 'dead', error: `${out.error} (gave up after ${attempt} attempts)` };
    }
    summary.attempted++;
    let nextAt: Date | null = null;
    if (out.kind === 'retry') {
      const wait = Math.max(jitteredBackoffMs(cfg, attempt, opts.random), out.retryAfterMs ?? 0);
      nextAt = new Date(at.getTime() + Math.min(wait, cfg.maxDelaySeconds * 1000));
      summary.retrying++;
    } else if (out.kind === 'dead') summary.dead++;
    else summary.delivered++;
    await wh.run(
      `update retention_actions set status = $2, attempts = $3, next_attempt_at = $4, delivered_at = $5, last_status_code = $6,
         last_error = $7 where action_id = $1`,
      [
        a.action_id,
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
      [a.action_id, attempt, started, out.statusCode, out.kind, out.error, Math.round(performance.now() - t0)],
    );
    opts.logger?.[out.kind === 'delivered' ? 'info' : 'warn'](`action ${a.action_id} ${out.kind}`, { attempt, error: out.error });
  }
  return summary;
}

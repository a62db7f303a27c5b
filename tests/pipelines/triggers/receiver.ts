import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A webhook receiver on loopback that checks signatures with its own HMAC code (not the code under test). */
export interface Received {
  id: string;
  timestamp: string;
  signature: string;
  idempotencyKey: string;
  body: string;
  verified: boolean;
  customerId: string | undefined;
}

export type Respond = (r: Received, n: number) => { status: number; delayMs?: number; headers?: Record<string, string> };

export interface Receiver {
  port: number;
  url: string;
  received: Received[];
  uniqueIds(): string[];
  setRespond(fn: Respond): void;
  close(): Promise<void>;
}

export function verifyIndependently(secret: string, id: string, ts: string, body: string, header: string): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest();
  return header.split(' ').some((p) => {
    if (!p.startsWith('v1,')) return false;
    const got = Buffer.from(p.slice(3), 'base64');
    return got.length === expected.length && timingSafeEqual(got, expected);
  });
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function startReceiver(secret: string, port = 0, respond: Respond = () => ({ status: 200 })): Promise<Receiver> {
  const received: Received[] = [];
  let fn = respond;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const h = (n: string) => String(req.headers[n] ?? '');
      let customerId: string | undefined;
      try {
        customerId = (JSON.parse(body) as { data?: { customer_id?: string } }).data?.customer_id;
      } catch {
        customerId = undefined;
      }
      const r: Received = {
        id: h('webhook-id'),
        timestamp: h('webhook-timestamp'),
        signature: h('webhook-signature'),
        idempotencyKey: h('idempotency-key'),
        body,
        verified: verifyIndependently(secret, h('webhook-id'), h('webhook-timestamp'), body, h('webhook-signature')),
        customerId,
      };
      received.push(r);
      const out = fn(r, received.length);
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(out.status, { 'content-type': 'text/plain', ...(out.headers ?? {}) });
        res.end(out.status < 300 ? 'ok' : `status ${out.status}`);
      };
      if (out.delayMs) setTimeout(send, out.delayMs);
      else send();
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const actual = (server.address() as AddressInfo).port;
  return {
    port: actual,
    url: `http://127.0.0.1:${actual}/hooks/cxpulse`,
    received,
    uniqueIds: () => [...new Set(received.map((r) => r.id))],
    setRespond: (f) => {
      fn = f;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

import { createHmac, timingSafeEqual } from 'node:crypto';
import { CxpError } from '../core/errors.js';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the signed content is
 * `${webhook-id}.${webhook-timestamp}.${body}`, HMAC-SHA256 with the secret's bytes (base64 after the
 * "whsec_" prefix), sent as `webhook-signature: v1,<base64>`.
 */
export function secretKey(secret: string): Buffer {
  const m = /^whsec_([A-Za-z0-9+/=]+)$/.exec(secret);
  if (!m) {
    throw new CxpError('CXP_ERR_CONFIG_INVALID', 'webhook secret must look like "whsec_<base64>"', {
      where: 'delivery.endpoints.<name>.secret / secretEnv',
      hint: 'generate one with: node -e "console.log(\'whsec_\' + crypto.randomBytes(32).toString(\'base64\'))"',
    });
  }
  return Buffer.from(m[1], 'base64');
}

export function sign(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

export function signedHeaders(secret: string, id: string, timestampSeconds: number, body: string): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': sign(secret, id, timestampSeconds, body),
  };
}

/**
 * What a receiver does (docs/triggers.md shows the same in a few lines): recompute the signature,
 * compare in constant time against each "v1,<sig>" in the header, and reject timestamps more than
 * `toleranceSeconds` away from now (replay protection).
 */
export function verifySignature(
  secret: string,
  headers: { id: string; timestamp: string; signature: string },
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const ts = Number(headers.timestamp);
  if (!Number.isInteger(ts) || Math.abs(nowSeconds - ts) > toleranceSeconds) return false;
  const expected = Buffer.from(sign(secret, headers.id, ts, body).slice(3), 'base64');
  return headers.signature.split(' ').some((part) => {
    const [version, sig] = part.split(',', 2);
    if (version !== 'v1' || !sig) return false;
    const got = Buffer.from(sig, 'base64');
    return got.length === expected.length && timingSafeEqual(got, expected);
  });
}

import { mulberry32 } from '../../helpers/prng.js';
/** A seeded random fixture in plain JS objects, inserted into the canonical tables by the tests. */
import type { InteractionRow, SurveyRow } from './fixtures.js';


export const CHANNELS = ['phone', 'email', 'chat', 'social', 'store', 'app', 'other'];
const COUNTRIES = ['DE', 'FR', 'US'];
const KINDS = ['inquiry', 'complaint', 'request', 'praise', 'other'];
const CATEGORIES = ['billing', 'delivery', 'product', null];

export const ts = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

export interface Fixture {
  customers: { id: string; country: string }[];
  interactions: InteractionRow[];
  surveys: SurveyRow[];
}

export function randomFixture(seed: number, opts: { customers?: number; interactions?: number; surveys?: number } = {}): Fixture {
  const r = mulberry32(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const start = Date.UTC(2026, 0, 1);
  const spanMs = 70 * 86_400_000;
  const customers = Array.from({ length: opts.customers ?? 30 }, (_, i) => ({ id: `c${i}`, country: pick(COUNTRIES) }));
  const interactions: InteractionRow[] = Array.from({ length: opts.interactions ?? 250 }, (_, i) => {
    const opened = start + Math.floor(r() * spanMs / 1000) * 1000;
    const responded = r() < 0.75 ? opened + Math.floor(r() * 3000) * 60_000 : null;
    const resolved = r() < 0.6 ? opened + Math.floor(r() * 80 * 3600) * 1000 : null;
    const fcrDraw = r();
    return {
      id: `i${i}`,
      customer: pick(customers).id,
      channel: pick(CHANNELS),
      kind: r() < 0.25 ? 'complaint' : pick(KINDS),
      category: pick(CATEGORIES),
      opened: ts(opened),
      responded: responded === null ? null : ts(responded),
      resolved: resolved === null ? null : ts(resolved),
      fcr: fcrDraw < 0.4 ? true : fcrDraw < 0.8 ? false : null,
    };
  });
  const surveys: SurveyRow[] = Array.from({ length: opts.surveys ?? 400 }, (_, i) => {
    const type = pick(['nps', 'csat', 'ces'] as const);
    const score = type === 'nps' ? Math.floor(r() * 11) : type === 'csat' ? 1 + Math.floor(r() * 5) : 1 + Math.floor(r() * 7);
    const link = r();
    return {
      id: `s${i}`,
      customer: pick(customers).id,
      at: ts(start + Math.floor(r() * spanMs / 1000) * 1000),
      type,
      score,
      interaction: link < 0.5 ? pick(interactions).id : link < 0.6 ? `ghost${i}` : null,
    };
  });
  return { customers, interactions, surveys };
}

export { mulberry32 };

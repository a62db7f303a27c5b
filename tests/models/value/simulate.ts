import { mulberry32 } from '../../helpers/prng.js';
/** Seeded simulation of the BG/NBD process, for tests that check the formulas against data they did not derive. */

function normal(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** Gamma(shape, scale 1) by Marsaglia-Tsang, boosted for shape < 1. */
export function gammaDraw(shape: number, u: () => number): number {
  if (shape < 1) return gammaDraw(shape + 1, u) * Math.pow(u(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = normal(u);
    const v = (1 + c * z) ** 3;
    if (v <= 0) continue;
    if (Math.log(1 - u()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
  }
}

export interface SimCustomer {
  x: number;
  tx: number;
  T: number;
  alive: boolean;
  /** Repeat purchases in (T, T + horizon]. */
  future: number;
}

/** λ ~ Gamma(r, rate α), p ~ Beta(a, b); dropout only after repeat purchases (FHL 2005 §3). */
export function simulateBgNbd(
  n: number,
  p: { r: number; alpha: number; a: number; b: number },
  T: (u: () => number) => number,
  horizon: number,
  seed: number,
): SimCustomer[] {
  const u = mulberry32(seed);
  const out: SimCustomer[] = [];
  for (let i = 0; i < n; i++) {
    const lambda = gammaDraw(p.r, u) / p.alpha;
    const ga = gammaDraw(p.a, u);
    const drop = ga / (ga + gammaDraw(p.b, u));
    const Ti = T(u);
    let t = 0;
    let x = 0;
    let tx = 0;
    let future = 0;
    let alive = true;
    for (;;) {
      t += -Math.log(1 - u()) / lambda;
      if (t > Ti + horizon) break;
      if (t <= Ti) {
        x++;
        tx = t;
      } else future++;
      if (u() < drop) {
        if (t <= Ti) alive = false;
        break;
      }
    }
    out.push({ x, tx, T: Ti, alive, future });
  }
  return out;
}

export { mulberry32 };

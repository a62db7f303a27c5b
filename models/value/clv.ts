/**
 * Customer lifetime value over a finite horizon: expected purchases per month from the purchase
 * model (BG/NBD, MBG/NBD, or the fixed-dropout limit the fit falls back to) times the
 * expected order value from Gamma-Gamma, discounted monthly (FHL 2005b; the same discrete sum as
 * lifetimes' customer_lifetime_value).
 */
import { expectedPurchases, pAlive, type BgNbdParams, type PurchaseScorer } from './bgnbd.js';
import { ggExpectedValue, type GammaGammaParams } from './gamma-gamma.js';

export const DAYS_PER_MONTH = 365.25 / 12;

export interface ClvOptions {
  /** Horizon in months (30.44 days each). */
  horizonMonths: number;
  /** Annual discount rate, e.g. 0.1 for 10 %; 0 for none. Applied monthly: (1 + d)^(1/12) − 1. */
  annualDiscountRate: number;
  /** Length of the model's time unit in days (7 when fitted in weeks). */
  unitDays: number;
}

/** Σ_k [E(t_k) − E(t_{k−1})] · value / (1 + d_month)^k over k = 1..horizon months. */
export function clv(bg: PurchaseScorer | BgNbdParams, x: number, tx: number, T: number, orderValue: number, o: ClvOptions): number {
  // Without discounting the sum telescopes to E(horizon) × value: one evaluation instead of one per month.
  if (o.annualDiscountRate === 0) return expectedPurchases(bg, (o.horizonMonths * DAYS_PER_MONTH) / o.unitDays, x, tx, T) * orderValue;
  const monthly = Math.pow(1 + o.annualDiscountRate, 1 / 12) - 1;
  const months = Math.ceil(o.horizonMonths);
  let prev = 0;
  let total = 0;
  for (let k = 1; k <= months; k++) {
    const tMonths = Math.min(k, o.horizonMonths);
    const e = expectedPurchases(bg, (tMonths * DAYS_PER_MONTH) / o.unitDays, x, tx, T);
    total += ((e - prev) * orderValue) / Math.pow(1 + monthly, k);
    prev = e;
  }
  return total;
}

export interface ValueInputs {
  /** Repeat purchases (distinct purchase days − 1). */
  x: ArrayLike<number>;
  /** Days from first to last purchase. */
  txDays: ArrayLike<number>;
  /** Days from first purchase to as_of. */
  ageDays: ArrayLike<number>;
  /** Mean value of the repeat purchase days (NaN without repeat purchases). */
  repeatMean: ArrayLike<number>;
  /** Customers to score (others get NaN): enough history, at least one purchase. */
  eligible: ArrayLike<number | boolean>;
}

export interface ValueScores {
  pAlive: Float64Array;
  expectedPurchases: Float64Array;
  expectedOrderValue: Float64Array;
  clv: Float64Array;
}

/**
 * Scores every eligible customer; NaN marks "no value" (written as SQL NULL). BG/NBD quantities
 * depend only on (x, tx, T), so they are computed once per distinct history.
 */
export function scoreValue(
  bg: PurchaseScorer | BgNbdParams,
  gg: GammaGammaParams | undefined,
  inp: ValueInputs,
  o: ClvOptions & { expectedDays: number },
): ValueScores {
  const n = inp.x.length;
  const out: ValueScores = {
    pAlive: new Float64Array(n).fill(NaN),
    expectedPurchases: new Float64Array(n).fill(NaN),
    expectedOrderValue: new Float64Array(n).fill(NaN),
    clv: new Float64Array(n).fill(NaN),
  };
  const cache = new Map<number | string, [number, number, number]>();
  const unitClv: ClvOptions = o;
  for (let i = 0; i < n; i++) {
    if (!inp.eligible[i]) continue;
    const x = inp.x[i];
    const txd = inp.txDays[i];
    const Td = inp.ageDays[i];
    const tx = txd / o.unitDays;
    const T = Td / o.unitDays;
    // Whole days below 2^20 (the warehouse's case) pack into one exact number; anything else keys by text.
    const key =
      Number.isInteger(txd) && Number.isInteger(Td) && Td >= 0 && Td < 1_048_576 && txd >= 0 && x < 4096
        ? (x * 1_048_576 + txd) * 1_048_576 + Td
        : `${x}|${txd}|${Td}`;
    let hit = cache.get(key);
    if (!hit) {
      // CLV per unit order value: the sum is linear in the value, so one evaluation serves the group.
      hit = [pAlive(bg, x, tx, T), expectedPurchases(bg, o.expectedDays / o.unitDays, x, tx, T), clv(bg, x, tx, T, 1, unitClv)];
      cache.set(key, hit);
    }
    out.pAlive[i] = hit[0];
    out.expectedPurchases[i] = hit[1];
    if (gg) {
      const m = inp.repeatMean[i];
      const eov = x > 0 ? (m > 0 ? ggExpectedValue(gg, x, m) : NaN) : ggExpectedValue(gg, 0, 0);
      out.expectedOrderValue[i] = eov;
      out.clv[i] = Number.isFinite(eov) ? hit[2] * eov : NaN;
    }
  }
  return out;
}

/**
 * Composite satisfaction index (CSI, 0-100), per customer.
 *
 * Components, each normalised to 0-100 (higher = better):
 *   nps     = 10 * mean NPS score (0-10)            over the survey window
 *   csat    = 25 * (mean CSAT score - 1)  (1-5)      over the survey window
 *   ces     = 100/6 * (mean CES score - 1) (1-7, 7 = easiest) over the survey window
 *   service = 100 * share of SLA checks met (first response and resolution) on the customer's
 *             interactions of the last 90 days
 * CSI = sum(w_k * c_k) / sum(w_k) over the components the customer has. A customer with no survey
 * response in the window gets no CSI (null): service alone is not satisfaction, and nothing is imputed.
 * The SQL mart customer_satisfaction implements the same formula (weights come in as variables).
 */
export interface CsiComponents {
  nps?: number | null;
  csat?: number | null;
  ces?: number | null;
  service?: number | null;
}

export type CsiWeights = { nps: number; csat: number; ces: number; service: number };

export const normalise = {
  nps: (meanScore: number) => 10 * meanScore,
  csat: (meanScore: number) => 25 * (meanScore - 1),
  ces: (meanScore: number) => (100 / 6) * (meanScore - 1),
  service: (shareMet: number) => 100 * shareMet,
};

export function csi(c: CsiComponents, w: CsiWeights): number | null {
  const hasSurvey = [c.nps, c.csat, c.ces].some((v) => v !== null && v !== undefined);
  if (!hasSurvey) return null;
  let num = 0;
  let den = 0;
  for (const k of ['nps', 'csat', 'ces', 'service'] as const) {
    const v = c[k];
    if (v === null || v === undefined || w[k] === 0) continue;
    num += w[k] * v;
    den += w[k];
  }
  return den > 0 ? num / den : null;
}

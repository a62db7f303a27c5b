/**
 * The at-risk list's "already lost" rule in a reader's language, as applied this run (models/churn/at-risk-list.ts
 * lostRule: the configured thresholds, and p_alive left out when its value run flags it as not informative).
 */
import type { LostRule } from '../../models/churn/at-risk-list.js';
import type { Translator } from '../i18n/translate.js';

/** Decimals enough to show a configured threshold as written (0.125 -> 3), at most 4. */
const decimals = (x: number): number => Math.min(4, (String(+x.toFixed(4)).split('.')[1] ?? '').length);

export function lostRuleText(t: Translator, rule: LostRule): string {
  const clv = t.num(rule.maxClv, decimals(rule.maxClv));
  const stage = t.label('stage', 'lapsed');
  if (!rule.byPAlive) return t.t('atrisk.lost_rule_no_p_alive', { stage, clv });
  return t.t('atrisk.lost_rule', { p_alive: t.pct(rule.maxPAlive, decimals(rule.maxPAlive * 100)), stage, clv });
}

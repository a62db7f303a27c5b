import type { RuleConfig } from '../config/sections/triggers.js';

/**
 * The rules shipped with cxpulse (docs/triggers.md "Default rules"), from customer-service practice.
 * Override one by giving a rule with the same name in triggers.rules; turn them all off with
 * triggers.useDefaultRules = false.
 */
export const DEFAULT_RULES: RuleConfig[] = [
  {
    name: 'detractor-callback',
    description: 'Close the loop: call back every detractor (NPS 0-6) within 24 h of the answer.',
    action: 'callback_detractor',
    kind: 'service',
    // Service recovery, not marketing: every detractor gets a call, consent or not, and nobody is held out.
    requiresConsent: false,
    holdoutShare: 0,
    // A 7-day window so a missed nightly run still catches the answer; respond_by in the payload carries the 24 h.
    when: {
      all: [
        { field: 'last_nps', op: '<=', value: 6 },
        { field: 'last_nps_age_days', op: '<=', value: 7 },
      ],
    },
    cooldownDays: 7,
  },
  {
    name: 'vip-high-risk',
    description: 'Personal outreach to the top 10% by CLV when their churn risk is high.',
    action: 'vip_outreach',
    kind: 'marketing',
    holdoutShare: 0.05,
    when: {
      all: [
        { field: 'clv_percentile', op: '>=', value: 0.9 },
        { any: [{ field: 'churn_band', op: '=', value: 'high' }, { field: 'churn_risk', op: '>=', value: 0.7 }] },
      ],
    },
    cooldownDays: 30,
  },
  {
    name: 'win-back',
    description: "Win-back offer for customers in the At Risk and Can't Lose Them RFM segments.",
    action: 'win_back_offer',
    kind: 'marketing',
    when: { field: 'rfm_segment', op: 'in', value: ['At Risk', "Can't Lose Them"] },
    cooldownDays: 60,
  },
  {
    name: 'welcome-bad-first-experience',
    description: 'Welcome follow-up for customers in their first 90 days whose first experience was bad.',
    action: 'welcome_follow_up',
    kind: 'marketing',
    when: {
      all: [
        { field: 'tenure_days', op: '<=', value: 90 },
        {
          any: [
            { field: 'last_nps', op: '<=', value: 6 },
            { field: 'csat_avg', op: '<=', value: 2 },
            { field: 'count_complaints_90d', op: '>=', value: 1 },
          ],
        },
      ],
    },
    cooldownDays: 90,
  },
];

import { localOnSql } from '../core/time-zone.js';
import type { SourceName } from '../config/schema.js';

/**
 * The customer fields a rule may test: the only names that reach SQL from config. Each maps to a
 * fixed expression over `customer_360 c` (derived ones use the bound as-of date, `$1`), the columns it
 * needs and the sources whose staleness makes it stale.
 */
export type FieldType = 'number' | 'string' | 'boolean';

export interface FieldDef {
  type: FieldType;
  /** SQL over alias `c`; `$1` is the as-of date. Fixed text, never from config. */
  sql: string;
  /** customer_360 columns it needs (window expressions see all customers: they run before filtering). */
  columns: string[];
  sources: SourceName[];
  description: string;
}

const SCORES: SourceName[] = ['purchases', 'interactions', 'surveys'];

export const FIELDS: Record<string, FieldDef> = {
  churn_risk: { type: 'number', sql: 'c.churn_risk', columns: ['churn_risk'], sources: SCORES, description: 'churn probability 0-1' },
  churn_band: { type: 'string', sql: 'c.churn_band', columns: ['churn_band'], sources: SCORES, description: 'churn band (low | medium | high)' },
  is_lost: {
    type: 'boolean',
    sql: 'c.is_lost',
    columns: ['is_lost'],
    sources: ['purchases'],
    description: 'already gone, nothing left to save (p_alive below churn.lost.maxPAlive unless the value run flags p_alive as not informative, or lapsed with CLV below churn.lost.maxClv): the at-risk list leaves these out',
  },
  value_at_stake: { type: 'number', sql: 'c.value_at_stake', columns: ['value_at_stake'], sources: SCORES, description: 'churn_risk x clv: value lost if nothing is done' },
  rfm_segment: { type: 'string', sql: 'c.rfm_segment', columns: ['rfm_segment'], sources: ['purchases'], description: "RFM segment, e.g. At Risk, Can't Lose Them" },
  lifecycle_stage: { type: 'string', sql: 'c.lifecycle_stage', columns: ['lifecycle_stage'], sources: ['purchases', 'customers'], description: 'lifecycle stage' },
  clv: { type: 'number', sql: 'c.clv', columns: ['clv'], sources: ['purchases'], description: 'customer lifetime value' },
  clv_percentile: {
    type: 'number',
    // Ranked among customers with a clv only: prospects without one must not push the others down.
    sql: 'case when c.clv is null then null else percent_rank() over (partition by c.clv is null order by c.clv) end',
    columns: ['clv'],
    sources: ['purchases'],
    description: 'rank of clv among all customers, 0 (lowest) to 1 (highest)',
  },
  recency_days: { type: 'number', sql: 'c.recency_days', columns: ['recency_days'], sources: ['purchases'], description: 'days since the last purchase' },
  frequency: { type: 'number', sql: 'c.frequency', columns: ['frequency'], sources: ['purchases'], description: 'number of purchases' },
  monetary: { type: 'number', sql: 'c.monetary', columns: ['monetary'], sources: ['purchases'], description: 'spend' },
  p_alive: { type: 'number', sql: 'c.p_alive', columns: ['p_alive'], sources: ['purchases'], description: 'probability the customer is still active' },
  last_nps: { type: 'number', sql: 'c.last_nps', columns: ['last_nps'], sources: ['surveys'], description: 'latest NPS answer 0-10' },
  last_nps_age_days: {
    type: 'number',
    sql: `date_diff('day', ${localOnSql('c.last_nps_at')}, $as_of)`,
    columns: ['last_nps_at'],
    sources: ['surveys'],
    description: 'days from the latest NPS answer to the as-of date',
  },
  csat_avg: { type: 'number', sql: 'c.csat_avg', columns: ['csat_avg'], sources: ['surveys'], description: 'average CSAT 1-5' },
  csi: { type: 'number', sql: 'c.csi', columns: ['csi'], sources: ['surveys', 'interactions'], description: 'composite satisfaction index' },
  count_complaints_90d: { type: 'number', sql: 'c.count_complaints_90d', columns: ['count_complaints_90d'], sources: ['interactions'], description: 'complaints in the last 90 days' },
  count_open_items: { type: 'number', sql: 'c.count_open_items', columns: ['count_open_items'], sources: ['interactions'], description: 'unresolved interactions' },
  count_interactions_90d: { type: 'number', sql: 'c.count_interactions_90d', columns: ['count_interactions_90d'], sources: ['interactions'], description: 'interactions in the last 90 days' },
  marketing_consent: { type: 'boolean', sql: 'coalesce(c.marketing_consent, false)', columns: ['marketing_consent'], sources: ['customers'], description: 'opted in to marketing' },
  tenure_days: {
    type: 'number',
    sql: `date_diff('day', ${localOnSql('c.signup_at')}, $as_of)`,
    columns: ['signup_at'],
    sources: ['customers'],
    description: 'days from signup to the as-of date',
  },
  country: { type: 'string', sql: 'c.country', columns: ['country'], sources: ['customers'], description: 'country' },
};

export const FIELD_NAMES = Object.keys(FIELDS);

/** customer_360 columns copied into every action payload when present (the "why" for the receiver). */
export const CONTEXT_COLUMNS = [
  'churn_risk',
  'churn_band',
  'churn_reasons',
  'rfm_segment',
  'lifecycle_stage',
  'clv',
  'p_alive',
  'recency_days',
  'country',
  'last_nps',
  'last_nps_at',
  'count_complaints_90d',
  'count_open_items',
] as const;

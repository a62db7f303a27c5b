/**
 * Churn by cause: is a customer's predicted churn the service's doing, or natural disengagement?
 * A customer's cause is that of the leading reason the churn model gives for them (the strongest
 * factor raising their risk, models/churn/explain.ts): service failures are complaints, slow or
 * missing responses, unresolved contacts and low satisfaction scores; everything else (buying less
 * often, long gaps, refunds, tenure) is disengagement. No reason raising the risk: cause unknown.
 */
export const SERVICE_FAILURE_FEATURES: readonly string[] = [
  'count_complaints_90d',
  'count_complaints_365d',
  'count_unresolved_complaints',
  'count_unresolved',
  'count_unanswered',
  'count_slow_first_responses_365d',
  'count_slow_first_responses_total',
  'max_first_response_minutes_90d',
  'max_first_response_minutes_365d',
  'median_first_response_minutes_365d',
  'median_resolution_hours_365d',
  'fcr_rate_365d',
  'last_nps',
  'csat_avg_365d',
];

export type ChurnCause = 'service' | 'disengagement' | 'unknown';

export function churnCause(leadingFeature: string | null | undefined): ChurnCause {
  if (!leadingFeature) return 'unknown';
  return SERVICE_FAILURE_FEATURES.includes(leadingFeature) ? 'service' : 'disengagement';
}

/**
 * SQL for the leading risk-raising feature of a churn_reasons JSON column ([{feature, contribution}...]),
 * null when no reason raises the risk.
 */
export function leadingReasonSql(column: string): string {
  return `list_filter(from_json(${column}::json, '[{"feature":"VARCHAR","contribution":"DOUBLE"}]'), lambda x: x.contribution > 0)[1].feature`;
}

/** SQL classifying a leading feature expression into service | disengagement | unknown, as churnCause does. */
export function churnCauseSql(leadingFeatureSql: string): string {
  const list = SERVICE_FAILURE_FEATURES.map((f) => `'${f}'`).join(', ');
  return `case when ${leadingFeatureSql} is null then 'unknown' when ${leadingFeatureSql} in (${list}) then 'service' else 'disengagement' end`;
}

import type { SourceName } from '../config/schema.js';

/** One canonical column of a source, as the ingest layer sees it. */
export interface CanonicalColumn {
  name: string;
  /** Must be present in every file (mapped or under its own name) unless `defaults` gives it a value. */
  required: boolean;
}

export interface SourceSpec {
  source: SourceName;
  /** Canonical table the source lands in (same name as the source). */
  table: SourceName;
  key: string;
  columns: CanonicalColumn[];
  /** Columns compared to decide duplicate vs update and written on update (everything but the key). */
  content: string[];
  /** The staging model in sql/staging that casts and validates this source. */
  stagingModel: string;
}

const col = (name: string, required = false): CanonicalColumn => ({ name, required });

function spec(source: SourceName, key: string, columns: CanonicalColumn[], extraContent: string[] = []): SourceSpec {
  return {
    source,
    table: source,
    key,
    columns,
    content: [...columns.filter((c) => c.name !== key).map((c) => c.name), ...extraContent],
    stagingModel: `stg_${source}`,
  };
}

/**
 * The canonical shape of each source. Order matters: customers load first, so purchases, interactions
 * and surveys only create bare customers for ids no customers row supplied.
 */
export const SOURCE_SPECS: Record<SourceName, SourceSpec> = {
  customers: spec(
    'customers',
    'customer_id',
    // churned_at: the cancellation date (subscriptions); attributes: the declared extra columns as one JSON object.
    [col('customer_id', true), col('signup_at'), col('country'), col('email'), col('marketing_consent'), col('churned_at'), col('attributes')],
    // A bare customer (is_bare = true) filled in by a customers row counts as an update.
    ['is_bare'],
  ),
  purchases: spec('purchases', 'order_id', [
    // order_id is optional: a source without it gets ids derived from content + occurrence.
    col('order_id'),
    col('customer_id', true),
    col('ordered_at', true),
    col('amount', true),
    col('status'),
    col('channel'),
  ]),
  interactions: spec('interactions', 'interaction_id', [
    col('interaction_id', true),
    col('customer_id', true),
    col('channel', true),
    col('kind', true),
    col('category'),
    col('opened_at', true),
    col('first_response_at'),
    col('resolved_at'),
    col('is_first_contact_resolution'),
  ]),
  surveys: spec('surveys', 'response_id', [
    col('response_id', true),
    col('customer_id', true),
    col('submitted_at', true),
    col('survey_type', true),
    col('score', true),
    col('interaction_id'),
    col('comment'),
  ]),
};

/** Sources in load order. */
export const LOAD_ORDER: readonly SourceName[] = ['customers', 'purchases', 'interactions', 'surveys'];

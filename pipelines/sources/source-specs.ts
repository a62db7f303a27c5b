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

/** What a purchases row holds besides its key (line-grained sources store the line count too). */
const PURCHASE_CONTENT = ['customer_id', 'ordered_at', 'amount', 'status', 'channel', 'count_lines'];

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
  purchases: {
    ...spec('purchases', 'order_id', [
      // order_id is optional: a source without it gets ids derived from content + occurrence.
      col('order_id'),
      col('customer_id', true),
      col('ordered_at', true),
      col('amount', true),
      col('status'),
      col('channel'),
      // kind = return marks a refund/credit row (stored with status 'returned'); input only.
      col('kind'),
    ]),
    content: PURCHASE_CONTENT,
  },
  interactions: {
    ...spec('interactions', 'interaction_id', [
      col('interaction_id', true),
      col('customer_id', true),
      col('channel', true),
      col('kind', true),
      col('category'),
      col('opened_at', true),
      col('first_response_at'),
      col('resolved_at'),
      col('is_first_contact_resolution'),
      // Input only: minutes from opening to the first reply, when the export has no reply timestamp.
      col('first_response_minutes'),
    ]),
    content: ['customer_id', 'channel', 'kind', 'category', 'opened_at', 'first_response_at', 'resolved_at', 'is_first_contact_resolution'],
  },
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

/**
 * A line-grained purchases source (grain: line): one row per order line, staged by stg_purchase_lines
 * and summed into orders (pipelines/sources/line-items.ts) before the same merge into purchases.
 */
export const PURCHASE_LINES_SPEC: SourceSpec = {
  ...spec('purchases', 'order_id', [
    col('order_id', true),
    col('customer_id', true),
    col('ordered_at', true),
    col('quantity'),
    col('unit_price'),
    col('line_amount'),
    // Order level (on any line, e.g. Shopify's Refunded Amount): money refunded on an order that was
    // not refunded whole; becomes a return row `<order>-refund` (line-items.ts).
    col('refunded_amount'),
    col('status'),
    col('channel'),
    col('kind'),
  ]),
  // Lines are identified by their position; the order key is checked where lines become orders
  // (several lines per order are the norm, not a conflict). The merge uses SOURCE_SPECS.purchases.
  key: '_line',
  content: ['order_id', 'customer_id', 'ordered_at', 'line_value', 'status', 'channel'],
  stagingModel: 'stg_purchase_lines',
};

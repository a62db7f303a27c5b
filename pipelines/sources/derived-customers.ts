import type { ConnDb } from '../core/warehouse.js';

export const DERIVED_SIGNUP_NOTE =
  'no customers source: customers were derived from purchases, with their first purchase as signup_at (customers.is_signup_derived)';

/**
 * Without a customers source, the customers made from purchases (bare customers) take their first
 * purchase (returns excluded) as signup_at, flagged with is_signup_derived, so lifecycle stages and
 * tenure do not start from nothing, and never from a later line or order. Re-run on every load, so an
 * earlier purchase loaded later moves the signup back. Customers a customers row supplied are left alone.
 * Runs inside the ingest transaction; returns how many customers were (re)dated.
 */
export async function deriveSignupsFromPurchases(db: ConnDb): Promise<number> {
  const rows = await db.all<{ Count: number }>(
    `update customers c set signup_at = f.first_at, is_signup_derived = true
     from (select customer_id, min(ordered_at) as first_at from purchases where status <> 'returned' group by customer_id) f
     where c.customer_id = f.customer_id and c.is_bare
       and (c.signup_at is null or c.is_signup_derived)
       and (c.signup_at is distinct from f.first_at or not coalesce(c.is_signup_derived, false))`,
  );
  return Number(rows[0]?.Count ?? 0);
}

-- Subscription cancellations and declared customer attributes (sources.customers.churned_at / attributes;
-- docs/churn-features.md). Added by ALTER so existing warehouses gain the columns in place.
alter table customers add column if not exists churned_at timestamp;  -- cancellation; null = not cancelled (or not known)
alter table customers add column if not exists attributes json;       -- {"contract": "month-to-month", "monthly_charges": 70.5}

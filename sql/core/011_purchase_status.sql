-- When a purchase's status changes between loads (an order refunded or cancelled later), the status it
-- had and when the change was loaded: features computed as of an earlier date use the status known then.
alter table purchases add column if not exists previous_status varchar;
alter table purchases add column if not exists status_changed_at timestamp;

-- Line-grained purchase sources: how many source lines were summed into the order (null when the
-- source has one row per order). Returns and credits are purchases rows with status 'returned' and a
-- positive amount (the credit); they are not purchase activity (see docs/sources.md).
alter table purchases add column if not exists count_lines integer;
-- Customers created from purchases when no customers source is configured take their first purchase
-- as signup_at; this says so (false once a customers row supplies the customer).
alter table customers add column if not exists is_signup_derived boolean default false;

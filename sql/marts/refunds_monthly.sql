-- Refunds per calendar month (UTC, by order time) and channel, up to the as-of date:
--   gross_revenue    = completed orders + orders refunded later (what was sold)
--   refunded_amount  = refunded orders + returns and credits (status 'returned': cancellation
--                      invoices, returned lines, refund rows not linked to an order)
--   refund_rate      = refunded_amount / gross_revenue (null in a month without sales)
--   net_revenue      = gross_revenue - refunded_amount
-- Counts: count_orders (completed + refunded orders), count_refunded_orders, count_returns.
with

sales as (
    select * from purchases
),

params as (
    select getvariable('as_of') + interval 1 day as cutoff_at
),

known as (
    select p.*
    from sales as p, params
    where p.ordered_at < params.cutoff_at
      and p.status in ('completed', 'refunded', 'returned')
),

final as (
    select
        date_trunc('month', ordered_at)::date                                        as month_on,
        coalesce(channel, 'unknown')                                                 as channel,
        count(*) filter (where status in ('completed', 'refunded'))                  as count_orders,
        count(*) filter (where status = 'refunded')                                  as count_refunded_orders,
        count(*) filter (where status = 'returned')                                  as count_returns,
        coalesce(sum(amount) filter (where status in ('completed', 'refunded')), 0)::double as gross_revenue,
        coalesce(sum(amount) filter (where status in ('refunded', 'returned')), 0)::double  as refunded_amount,
        (coalesce(sum(amount) filter (where status in ('refunded', 'returned')), 0)
            / nullif(sum(amount) filter (where status in ('completed', 'refunded')), 0))::double as refund_rate,
        (coalesce(sum(amount) filter (where status in ('completed', 'refunded')), 0)
            - coalesce(sum(amount) filter (where status in ('refunded', 'returned')), 0))::double as net_revenue
    from known
    group by all
)

select * from final

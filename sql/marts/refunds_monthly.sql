-- Refunds per local calendar month (config timezone, by order time) and channel, up to the end of the
-- local as-of day:
--   gross_revenue    = completed orders + orders refunded later (what was sold)
--   refunded_amount  = refunded orders + returns and credits (status 'returned': cancellation
--                      invoices, returned lines, refund rows not linked to an order)
--   refund_rate      = refunded_amount / gross_revenue (null in a month without sales)
--   net_revenue      = gross_revenue - refunded_amount
-- Counts: count_orders (completed + refunded orders), count_refunded_orders, count_returns.
-- The amounts and the rate are the one definition of the refund rate (models/value/refund-rate.ts), as
-- macros the transform sets on its connection.
with

sales as (
    select * from purchases
),

params as (
    select cxp_day_start_at(getvariable('as_of') + 1) as cutoff_at
),

known as (
    select p.*
    from sales as p, params
    where p.ordered_at < params.cutoff_at
      and p.status in ('completed', 'refunded', 'returned')
),

final as (
    select
        date_trunc('month', cxp_local_on(ordered_at))::date                          as month_on,
        coalesce(channel, 'unknown')                                                 as channel,
        count(*) filter (where status in ('completed', 'refunded'))                  as count_orders,
        count(*) filter (where status = 'refunded')                                  as count_refunded_orders,
        count(*) filter (where status = 'returned')                                  as count_returns,
        cxp_sold_amount(status, amount)::double                                      as gross_revenue,
        cxp_refunded_amount(status, amount)::double                                  as refunded_amount,
        cxp_refund_rate(status, amount)                                              as refund_rate,
        (cxp_sold_amount(status, amount) - cxp_refunded_amount(status, amount))::double as net_revenue
    from known
    group by all
)

select * from final

-- churn_features: one row per customer in the scored population, with point-in-time features as of
-- a cutoff date and (when the horizon after the cutoff has been observed) the churn label.
--
-- Bound parameters (never concatenated): $cutoff (date), $lookback_days, $horizon_days, the
-- first-response SLA: $sla_minutes (JSON object channel -> minutes), $sla_default_minutes, and
-- $label_mode: 'purchase_gap' (churned = no completed order in the horizon; population = buyers in the
-- lookback) or 'cancellation' (churned = customers.churned_at within the horizon; population =
-- customers signed up and not cancelled at the cutoff, with or without orders).
-- Days are local dates in the company's zone (cxp_local_on / cxp_day_start_at, pipelines/core/time-zone.ts):
-- "Known at the cutoff" means an event timestamp before the end of the local cutoff day (cutoff_at).
-- Nothing after cutoff_at is read for a feature: interactions resolved or answered later count as
-- unresolved / unanswered, surveys submitted later are invisible. Every feature is documented in
-- docs/churn-features.md. The label (is_churned) is the only column that reads after cutoff_at.

with

params as (
    select
        $cutoff                                         as cutoff_on,
        cxp_day_start_at($cutoff + 1)                         as cutoff_at,
        $lookback_days::integer                               as lookback_days,
        cxp_day_start_at($cutoff + 1 + $horizon_days::integer) as horizon_end_at,
        $sla_minutes::json                                    as sla_minutes,
        $sla_default_minutes::double                          as sla_default_minutes,
        $label_mode::varchar                                  as label_mode
),

-- Import CTEs --------------------------------------------------------------------------------------

signups as (
    select customer_id, min(signup_at) as signup_at, min(churned_at) as churned_at, bool_and(is_bare) as is_bare
    from customers group by customer_id
),

orders as not materialized (
    -- Read twice (order_days, gap_days): recomputed, not materialised with every column.
    -- An order counts as purchase activity unless it was cancelled (a refunded order was placed and paid).
    -- Returns and credits (status 'returned') are not purchase activity; they feed the returns features.
    -- Amounts stay DECIMAL through the sums (cast to double in final): exact, so a feature does not depend on
    -- the order in which DuckDB's threads add up a customer's orders.
    select o.customer_id, o.ordered_at, o.amount, o.status_at_cutoff as status
    from (
        -- The status known at the cutoff: a change loaded later (a refund, a cancellation) is not seen.
        select o.*,
               case when o.status_changed_at >= p.cutoff_at then coalesce(o.previous_status, 'completed') else o.status end
                   as status_at_cutoff
        from purchases o, params p
    ) o, params p
    where o.ordered_at < p.cutoff_at and o.status_at_cutoff not in ('cancelled', 'returned')
),

returned as (
    select r.customer_id, r.amount, date_diff('day', cxp_local_on(r.ordered_at), p.cutoff_on) as age_days
    from purchases r, params p
    where r.ordered_at < p.cutoff_at and r.status = 'returned'
),

future_completed as (
    select distinct o.customer_id
    from purchases o, params p
    where o.ordered_at >= p.cutoff_at and o.ordered_at < p.horizon_end_at and o.status = 'completed'
),

-- The first-response SLA per configured channel, read from the JSON once (not once per contact).
sla as (
    select k.channel, json_extract(p.sla_minutes, '$."' || k.channel || '"')::double as minutes
    from params p, (select unnest(json_keys(sla_minutes)) as channel from params) k
),

contacts as (
    select
        i.customer_id,
        i.opened_at,
        i.kind,
        i.channel,
        -- Only what was known at the cutoff: a later response or resolution did not exist yet.
        case when i.first_response_at < p.cutoff_at then i.first_response_at end as first_response_at,
        case when i.resolved_at < p.cutoff_at then i.resolved_at end             as resolved_at,
        case when i.resolved_at < p.cutoff_at then i.is_first_contact_resolution end as is_fcr,
        date_diff('day', cxp_local_on(i.opened_at), p.cutoff_on)                         as age_days,
        -- Beyond the SLA: answered late, or still unanswered at the cutoff and already past the SLA.
        coalesce(
            date_diff('second', i.opened_at, least(coalesce(i.first_response_at, p.cutoff_at), p.cutoff_at)) / 60.0
                > coalesce(sla.minutes, p.sla_default_minutes),
            false)                                                               as is_slow_first_response
    from interactions i cross join params p left join sla on sla.channel = i.channel
    where i.opened_at < p.cutoff_at
),

answers as (
    select s.customer_id, s.submitted_at, s.survey_type, s.score,
           date_diff('day', cxp_local_on(s.submitted_at), p.cutoff_on) as age_days
    from surveys s, params p
    where s.submitted_at < p.cutoff_at
),

-- Logic CTEs ---------------------------------------------------------------------------------------

order_days as (
    -- Every customer's orders: features are per customer, and the final join keeps the population's.
    select o.customer_id, date_diff('day', cxp_local_on(o.ordered_at), p.cutoff_on) as age_days, o.amount, o.status,
           o.ordered_at >= cxp_day_start_at(p.cutoff_on + 1 - p.lookback_days) as is_in_lookback
    from orders o, params p
),

order_features as (
    select
        customer_id,
        -- A purchase is a completed order (status known at the cutoff), as in customer_value.recency_days:
        -- the reason text "no purchase in N days" then agrees with recency_days on the same row.
        min(age_days) filter (where status = 'completed')                 as days_since_last_purchase,
        max(age_days)                                                     as days_since_first_purchase,
        count(*) filter (where age_days < 30)                             as count_orders_30d,
        count(*) filter (where age_days < 90)                             as count_orders_90d,
        count(*) filter (where age_days >= 90 and age_days < 180)         as count_orders_prev_90d,
        count(*) filter (where age_days < 365)                            as count_orders_365d,
        count(*)                                                          as count_orders_total,
        coalesce(sum(amount) filter (where age_days < 90), 0)             as amount_90d,
        coalesce(sum(amount) filter (where age_days >= 90 and age_days < 180), 0) as amount_prev_90d,
        coalesce(sum(amount) filter (where age_days < 365), 0)            as amount_365d,
        avg(amount) filter (where age_days < 365)                         as avg_order_value_365d,
        count(*) filter (where age_days < 365 and status = 'refunded')    as count_refunds_365d,
        bool_or(is_in_lookback)                                           as has_order_in_lookback
    from order_days
    group by customer_id
),

gap_days as (
    -- The gap to the customer's previous order day. A window over just (customer, day): the order rows'
    -- other columns are aggregated in scan order above, which is exact for the DECIMAL sums.
    select customer_id,
           date_diff('day', lag(ordered_on) over (partition by customer_id order by ordered_on), ordered_on) as gap_days
    from (select customer_id, cxp_local_on(ordered_at) as ordered_on from orders)
),

gap_features as (
    -- The coefficient of variation from whole-number sums (exact whatever order DuckDB's threads add them
    -- in): sample variance = (n * sum(g^2) - sum(g)^2) / (n * (n - 1)), then one division and a root.
    select
        customer_id,
        median(gap_days)                                                  as median_gap_days,
        case when count(gap_days) >= 2 then
            sqrt((count(gap_days) * sum(gap_days * gap_days) - sum(gap_days) * sum(gap_days))
                 / (count(gap_days) * (count(gap_days) - 1)))
            / nullif(sum(gap_days) / count(gap_days), 0)
        end                                                               as gap_cv
    from gap_days
    group by customer_id
),

population as (
    -- Buyers: a customer with an order (purchase activity) in the lookback, read from order_features
    -- rather than by a second pass over the orders.
    select f.customer_id
    from order_features f, params p
    where p.label_mode = 'purchase_gap' and f.has_order_in_lookback
    union
    -- Subscriptions: everyone signed up and not yet cancelled at the cutoff; cancelled customers leave.
    select c.customer_id
    from signups c, params p
    where p.label_mode = 'cancellation' and not c.is_bare
      and (c.signup_at is null or c.signup_at < p.cutoff_at)
      and (c.churned_at is null or c.churned_at >= p.cutoff_at)
),

contact_features as (
    select
        customer_id,
        count(*) filter (where age_days < 90)                                          as count_interactions_90d,
        count(*) filter (where age_days < 365)                                         as count_interactions_365d,
        count(*) filter (where age_days < 90 and kind = 'complaint')                   as count_complaints_90d,
        count(*) filter (where age_days < 365 and kind = 'complaint')                  as count_complaints_365d,
        -- Open items count whatever their age: an old complaint nobody resolved still weighs.
        count(*) filter (where resolved_at is null)                                    as count_unresolved,
        count(*) filter (where resolved_at is null and kind = 'complaint')             as count_unresolved_complaints,
        count(*) filter (where first_response_at is null)                              as count_unanswered,
        count(*) filter (where age_days < 365 and is_slow_first_response)              as count_slow_first_responses_365d,
        count(*) filter (where is_slow_first_response)                                 as count_slow_first_responses_total,
        median(date_diff('second', opened_at, first_response_at) / 60.0) filter (where age_days < 365) as median_first_response_minutes_365d,
        max(date_diff('second', opened_at, first_response_at) / 60.0) filter (where age_days < 90)     as max_first_response_minutes_90d,
        max(date_diff('second', opened_at, first_response_at) / 60.0) filter (where age_days < 365)    as max_first_response_minutes_365d,
        median(date_diff('second', opened_at, resolved_at) / 3600.0) filter (where age_days < 365) as median_resolution_hours_365d,
        avg(case when is_fcr then 1.0 when not is_fcr then 0.0 end) filter (where age_days < 365) as fcr_rate_365d,
        avg(case when channel in ('phone', 'store') then 1.0 else 0.0 end) filter (where age_days < 365) as share_assisted_channel_365d
    from contacts
    group by customer_id
),

return_features as (
    select
        customer_id,
        count(*) filter (where age_days < 365)                  as count_returns_365d,
        coalesce(sum(amount) filter (where age_days < 365), 0)  as amount_returns_365d
    from returned
    group by customer_id
),

survey_features as (
    select
        customer_id,
        arg_max(score, submitted_at) filter (where survey_type = 'nps')   as last_nps,
        min(age_days) filter (where survey_type = 'nps')                  as days_since_last_nps,
        avg(score) filter (where survey_type = 'csat' and age_days < 365) as csat_avg_365d
    from answers
    group by customer_id
),

final as (
    select
        pop.customer_id,
        p.cutoff_on                                                        as as_of_on,
        f.days_since_last_purchase,
        case when p.label_mode = 'cancellation' and c.signup_at is not null
             then date_diff('day', cxp_local_on(c.signup_at), p.cutoff_on)
             else greatest(f.days_since_first_purchase,
                           coalesce(date_diff('day', cxp_local_on(c.signup_at), p.cutoff_on), 0)) end as tenure_days,
        coalesce(f.count_orders_30d, 0)                                    as count_orders_30d,
        coalesce(f.count_orders_90d, 0)                                    as count_orders_90d,
        coalesce(f.count_orders_365d, 0)                                   as count_orders_365d,
        coalesce(f.count_orders_total, 0)                                  as count_orders_total,
        coalesce(f.count_orders_90d - f.count_orders_prev_90d, 0)          as order_trend_90d,
        coalesce(f.amount_90d, 0)::double                                  as amount_90d,
        coalesce(f.amount_365d, 0)::double                                 as amount_365d,
        coalesce(f.amount_90d - f.amount_prev_90d, 0)::double              as amount_trend_90d,
        f.avg_order_value_365d,
        g.median_gap_days,
        f.days_since_last_purchase / nullif(g.median_gap_days, 0)          as recency_over_gap,
        g.gap_cv,
        coalesce(f.count_refunds_365d, 0)                                  as count_refunds_365d,
        f.count_refunds_365d / nullif(f.count_orders_365d, 0)              as refund_rate_365d,
        coalesce(rf.count_returns_365d, 0)                                 as count_returns_365d,
        coalesce(rf.amount_returns_365d, 0)::double                        as amount_returns_365d,
        coalesce(cf.count_interactions_90d, 0)                             as count_interactions_90d,
        coalesce(cf.count_interactions_365d, 0)                            as count_interactions_365d,
        coalesce(cf.count_complaints_90d, 0)                               as count_complaints_90d,
        coalesce(cf.count_complaints_365d, 0)                              as count_complaints_365d,
        coalesce(cf.count_unresolved, 0)                                   as count_unresolved,
        coalesce(cf.count_unresolved_complaints, 0)                        as count_unresolved_complaints,
        coalesce(cf.count_unanswered, 0)                                   as count_unanswered,
        coalesce(cf.count_slow_first_responses_365d, 0)                    as count_slow_first_responses_365d,
        coalesce(cf.count_slow_first_responses_total, 0)                   as count_slow_first_responses_total,
        cf.median_first_response_minutes_365d,
        cf.max_first_response_minutes_90d,
        cf.max_first_response_minutes_365d,
        cf.median_resolution_hours_365d,
        cf.fcr_rate_365d,
        cf.share_assisted_channel_365d,
        sf.last_nps,
        sf.days_since_last_nps,
        sf.csat_avg_365d,
        case when p.label_mode = 'cancellation'
             then coalesce(c.churned_at >= p.cutoff_at and c.churned_at < p.horizon_end_at, false)
             else fc.customer_id is null end                               as is_churned,
        -- The label is only meaningful once the whole horizon after the cutoff is in the data.
        p.horizon_end_at                                                   as label_observed_until_at
    from population pop
    cross join params p
    left join order_features f using (customer_id)
    left join gap_features g using (customer_id)
    left join signups c using (customer_id)
    left join contact_features cf using (customer_id)
    left join survey_features sf using (customer_id)
    left join return_features rf using (customer_id)
    left join future_completed fc using (customer_id)
)

select * from final order by customer_id

-- Service KPIs per local day (the day an interaction was opened), once per channel and once per customer
-- SLA tier (one aggregate with grouping sets; service_kpis_daily and service_kpis_tier_daily read it).
-- breakdown = 'channel' (customer_tier null) or 'tier' (channel null).
--   complaint_rate            = complaints / interactions
--   *_first_response_minutes  = median / p90 over interactions answered by the end of the as-of day
--   *_resolution_hours        = median / p90 over interactions resolved by then
--   first_contact_resolution_rate = share of true among interactions where it is known
--   *_sla_rate                = met / (met + breached) against each interaction's own target (its channel's
--                               and tier's policy); not-yet-due items are left out (see int_interaction_times)
--   *_business_*              = the same in business hours, for channels with a calendar; null otherwise
with

timed as (
    select * from int_interaction_times
),

daily as (
    select
        opened_on,
        channel,
        customer_tier,
        case when grouping(channel) = 0 then 'channel' else 'tier' end as breakdown,
        count(*) as interactions,
        count(*) filter (where is_complaint) as complaints,
        count(first_response_minutes) as count_responded,
        quantile_cont(first_response_minutes, [0.5, 0.9]) as first_response_q,
        count(resolution_hours) as count_resolved,
        quantile_cont(resolution_hours, [0.5, 0.9]) as resolution_q,
        count(is_first_contact_resolution) as count_fcr_known,
        count(*) filter (where is_first_contact_resolution) as count_fcr,
        count(is_first_response_sla_met) as count_first_response_sla_due,
        count(*) filter (where is_first_response_sla_met) as count_first_response_sla_met,
        count(is_resolution_sla_met) as count_resolution_sla_due,
        count(*) filter (where is_resolution_sla_met) as count_resolution_sla_met,
        quantile_cont(first_response_business_minutes, 0.5) as median_first_response_business_minutes,
        quantile_cont(resolution_business_hours, 0.5) as median_resolution_business_hours,
        count(is_first_response_business_sla_met) as count_first_response_business_sla_due,
        count(*) filter (where is_first_response_business_sla_met) as count_first_response_business_sla_met,
        count(is_resolution_business_sla_met) as count_resolution_business_sla_due,
        count(*) filter (where is_resolution_business_sla_met) as count_resolution_business_sla_met
    from timed
    group by grouping sets ((opened_on, channel), (opened_on, customer_tier))
),

final as (
    select
        opened_on,
        breakdown,
        channel,
        customer_tier,
        interactions,
        complaints,
        complaints / interactions as complaint_rate,
        count_responded,
        first_response_q[1] as median_first_response_minutes,
        first_response_q[2] as p90_first_response_minutes,
        count_resolved,
        resolution_q[1] as median_resolution_hours,
        resolution_q[2] as p90_resolution_hours,
        count_fcr_known,
        count_fcr / nullif(count_fcr_known, 0) as first_contact_resolution_rate,
        count_first_response_sla_due,
        count_first_response_sla_met,
        count_first_response_sla_met / nullif(count_first_response_sla_due, 0) as first_response_sla_rate,
        count_resolution_sla_due,
        count_resolution_sla_met,
        count_resolution_sla_met / nullif(count_resolution_sla_due, 0) as resolution_sla_rate,
        median_first_response_business_minutes,
        median_resolution_business_hours,
        count_first_response_business_sla_due,
        count_first_response_business_sla_met,
        count_first_response_business_sla_met / nullif(count_first_response_business_sla_due, 0) as first_response_business_sla_rate,
        count_resolution_business_sla_due,
        count_resolution_business_sla_met,
        count_resolution_business_sla_met / nullif(count_resolution_business_sla_due, 0) as resolution_business_sla_rate
    from daily
)

select * from final

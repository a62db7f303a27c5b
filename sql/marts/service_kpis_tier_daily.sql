-- Service KPIs and SLA compliance per local day (the day an interaction was opened) and customer SLA tier
-- (satisfaction.sla.tiers, the tier as of the interaction: int_interaction_times). The per-channel view
-- is service_kpis_daily; the definitions are the same:
--   *_first_response_minutes  = median / p90 over interactions answered by the end of the as-of day
--   *_resolution_hours        = median / p90 over interactions resolved by then
--   *_sla_rate                = met / (met + breached) against each interaction's own target (its tier's
--                               and channel's policy); not-yet-due items are left out
--   *_business_*              = the same in business hours, for channels with a calendar; null otherwise
-- Only days with contacts of the tier have a row. is_low_sample: fewer interactions than satisfaction.minSample.
with

timed as (
    select * from int_interaction_times
),

params as (
    select getvariable('min_sample')::double as min_sample
),

daily as (
    select
        opened_on,
        customer_tier,
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
    group by all
),

final as (
    select
        d.opened_on,
        d.customer_tier,
        d.interactions,
        d.complaints,
        d.complaints / d.interactions as complaint_rate,
        d.count_responded,
        d.first_response_q[1] as median_first_response_minutes,
        d.first_response_q[2] as p90_first_response_minutes,
        d.count_resolved,
        d.resolution_q[1] as median_resolution_hours,
        d.resolution_q[2] as p90_resolution_hours,
        d.count_fcr_known,
        d.count_fcr / nullif(d.count_fcr_known, 0) as first_contact_resolution_rate,
        d.count_first_response_sla_due,
        d.count_first_response_sla_met,
        d.count_first_response_sla_met / nullif(d.count_first_response_sla_due, 0) as first_response_sla_rate,
        d.count_resolution_sla_due,
        d.count_resolution_sla_met,
        d.count_resolution_sla_met / nullif(d.count_resolution_sla_due, 0) as resolution_sla_rate,
        d.median_first_response_business_minutes,
        d.median_resolution_business_hours,
        d.count_first_response_business_sla_due,
        d.count_first_response_business_sla_met,
        d.count_first_response_business_sla_met / nullif(d.count_first_response_business_sla_due, 0) as first_response_business_sla_rate,
        d.count_resolution_business_sla_due,
        d.count_resolution_business_sla_met,
        d.count_resolution_business_sla_met / nullif(d.count_resolution_business_sla_due, 0) as resolution_business_sla_rate,
        d.interactions < p.min_sample as is_low_sample
    from daily as d
    cross join params as p
)

select * from final

-- Service KPIs per local day (the day an interaction was opened) and channel, for every day from the first
-- interaction of the channel to the as-of date (days without contacts have volume 0 and a backlog).
-- The KPI columns are defined in int_service_daily (shared with service_kpis_tier_daily); here:
--   count_open_backlog        = interactions of the channel still open at the end of that day
-- is_low_sample: fewer interactions than satisfaction.minSample.
with

timed as (
    select * from int_interaction_times
),

params as (
    select
        getvariable('as_of') as as_of_on,
        getvariable('min_sample')::double as min_sample
),

spine as (
    select c.channel, unnest(generate_series(c.first_on, p.as_of_on, interval 1 day))::date as opened_on
    from (select channel, min(opened_on) as first_on from timed group by channel) as c
    cross join params as p
),

daily as (
    select * exclude (breakdown, customer_tier) from int_service_daily where breakdown = 'channel'
),

backlog_moves as (
    select channel, opened_on as moved_on, count(*) as opened, 0 as closed from timed group by all
    union all
    select channel, resolved_on, 0, count(*) from timed where resolved_on is not null group by all
),

backlog as (
    select
        s.channel,
        s.opened_on,
        sum(coalesce(m.opened, 0) - coalesce(m.closed, 0))
            over (partition by s.channel order by s.opened_on rows between unbounded preceding and current row)
            as count_open_backlog
    from spine as s
    left join (select channel, moved_on, sum(opened) as opened, sum(closed) as closed from backlog_moves group by all) as m
        on m.channel = s.channel and m.moved_on = s.opened_on
),

final as (
    -- Days without contacts: counts 0, rates and times null.
    select
        b.opened_on,
        b.channel,
        coalesce(d.interactions, 0) as interactions,
        coalesce(d.complaints, 0) as complaints,
        d.complaint_rate,
        coalesce(d.count_responded, 0) as count_responded,
        d.median_first_response_minutes,
        d.p90_first_response_minutes,
        coalesce(d.count_resolved, 0) as count_resolved,
        d.median_resolution_hours,
        d.p90_resolution_hours,
        coalesce(d.count_fcr_known, 0) as count_fcr_known,
        d.first_contact_resolution_rate,
        coalesce(d.count_first_response_sla_due, 0) as count_first_response_sla_due,
        coalesce(d.count_first_response_sla_met, 0) as count_first_response_sla_met,
        d.first_response_sla_rate,
        coalesce(d.count_resolution_sla_due, 0) as count_resolution_sla_due,
        coalesce(d.count_resolution_sla_met, 0) as count_resolution_sla_met,
        d.resolution_sla_rate,
        d.median_first_response_business_minutes,
        d.median_resolution_business_hours,
        coalesce(d.count_first_response_business_sla_due, 0) as count_first_response_business_sla_due,
        coalesce(d.count_first_response_business_sla_met, 0) as count_first_response_business_sla_met,
        d.first_response_business_sla_rate,
        coalesce(d.count_resolution_business_sla_due, 0) as count_resolution_business_sla_due,
        coalesce(d.count_resolution_business_sla_met, 0) as count_resolution_business_sla_met,
        d.resolution_business_sla_rate,
        b.count_open_backlog,
        coalesce(d.interactions, 0) < p.min_sample as is_low_sample
    from backlog as b
    cross join params as p
    left join daily as d on d.channel = b.channel and d.opened_on = b.opened_on
)

select * from final

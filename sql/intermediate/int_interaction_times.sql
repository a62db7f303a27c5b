-- One row per interaction opened up to the end of the as-of day, with its service times and SLA checks.
-- A response or resolution stamped after the as-of day is treated as not happened yet, so a re-run for
-- a past as-of date gives the same numbers. Timestamps are UTC (010_canonical.sql); days (*_on) are local
-- dates in the config `timezone` and the as-of day ends at local midnight (run-transform.ts macros).
-- SLA checks: met = answered/resolved within target; breached = answered/resolved late, or still
-- unanswered/unresolved when the target had already passed at the end of the as-of day; null = not yet due.
-- resolved_on is null while the interaction is open (unresolved at the end of the as-of day).
-- Targets per channel and customer tier (satisfaction.sla.policies, tiers): the most specific policy wins.
-- Business hours (satisfaction.sla.calendars / businessHours): for a channel with a calendar the same
-- targets are also measured in business time, the opening hours of the calendar's weekdays in its zone,
-- holidays closed. Elapsed business time = B(t2) - B(t1), where B(t) counts the open seconds before t
-- (an ASOF join on the opening periods with their running total). Null for channels without a calendar.
with

-- Only the columns used: a CTE read twice would otherwise be materialised with every column.
source_interactions as (
    select
        interaction_id, customer_id, channel, kind, category, opened_at,
        first_response_at, resolved_at, is_first_contact_resolution
    from interactions
),

params as (
    select cxp_day_start_at(getvariable('as_of') + 1) as cutoff_at
),

-- SLA policies (satisfaction.sla, flattened by models/satisfaction/sla-policies.ts): one row per way a
-- target is set, with its specificity (3 tier+channel, 2 tier, 1 channel, 0 default; null = any).
policies as (
    select unnest(from_json(getvariable('sla_policy_json'),
        '[{"tier":"VARCHAR","channel":"VARCHAR","first_response_minutes":"DOUBLE","resolution_hours":"DOUBLE","specificity":"INTEGER"}]'),
        recursive := true)
),

tier_map as (
    select unnest(from_json(getvariable('sla_tier_map_json'), '[{"value":"VARCHAR","tier":"VARCHAR"}]'), recursive := true)
),

-- The customer's tier as of the interaction (README "SLA tiers"): the RFM segment of the latest
-- rfm_history snapshot dated before the interaction's local day (a snapshot for day D describes the
-- end of D, so it is known from D + 1: no later score leaks in), or a declared customer attribute.
-- Empty unless that source is configured, so the other join costs nothing.
segment_snapshots as (
    select customer_id, as_of, rfm_segment from rfm_history
    where getvariable('sla_tier_from') = 'rfm_segment' and rfm_segment is not null
),

customer_attribute as (
    select customer_id, nullif(trim(json_extract_string(attributes, '$.' || to_json(getvariable('sla_tier_attribute')))), '') as value
    from customers
    where getvariable('sla_tier_from') = 'attribute' and attributes is not null
),

tiered as (
    select
        i.*,
        cxp_local_on(i.opened_at) as opened_on,
        coalesce(case when getvariable('sla_tier_from') = 'rfm_segment' then h.rfm_segment else a.value end, '') as tier_value
    from source_interactions as i
    cross join params as p
    asof left join segment_snapshots as h on h.customer_id = i.customer_id and cxp_local_on(i.opened_at) > h.as_of
    left join customer_attribute as a on a.customer_id = i.customer_id
    where i.opened_at < p.cutoff_at
),

with_tier as (
    select
        t.*,
        coalesce(
            m.tier,
            -- No map for an attribute: its value is the tier name.
            case when getvariable('sla_tier_from') = 'attribute' and not exists (select 1 from tier_map) then nullif(t.tier_value, '') end,
            getvariable('sla_tier_default')
        ) as customer_tier
    from tiered as t
    left join tier_map as m on m.value = t.tier_value
),

-- Per (tier, channel) present, each target from the most specific policy that sets it; computed on the
-- distinct pairs (a handful) rather than per interaction.
targets as (
    select
        k.customer_tier,
        k.channel,
        arg_max(p.first_response_minutes, p.specificity) filter (where p.first_response_minutes is not null) as first_response_target_minutes,
        arg_max(p.resolution_hours, p.specificity) filter (where p.resolution_hours is not null) as resolution_target_hours
    from (select distinct customer_tier, channel from with_tier) as k
    inner join policies as p
        on (p.tier is null or p.tier = k.customer_tier) and (p.channel is null or p.channel = k.channel)
    group by all
),

calendar_hours as (
    select unnest(from_json(getvariable('sla_calendar_json'),
        '[{"calendar":"VARCHAR","tz":"VARCHAR","dow":"INTEGER","start_min":"INTEGER","end_min":"INTEGER"}]'), recursive := true)
),

holidays as (
    select unnest(from_json(getvariable('sla_holiday_json'), '[{"calendar":"VARCHAR","day":"DATE"}]'), recursive := true)
),

channel_calendars as (
    select unnest(from_json(getvariable('sla_business_hours_json'), '[{"channel":"VARCHAR","calendar":"VARCHAR"}]'), recursive := true)
),

-- Local days the periods are built for: two days either side of the data (zones shift days by < 1).
calendar_days as (
    select unnest(generate_series(
        (select min(opened_at) from interactions)::date - 2,
        getvariable('as_of') + 2,
        interval 1 day))::date as day
    where exists (select 1 from calendar_hours)
),

opening_periods as (
    select
        h.calendar,
        timezone('UTC', timezone(h.tz, d.day + to_minutes(h.start_min))) as start_at,
        timezone('UTC', timezone(h.tz, d.day + to_minutes(h.end_min))) as end_at
    from calendar_hours as h
    inner join calendar_days as d on isodow(d.day) = h.dow
    where not exists (select 1 from holidays as x where x.calendar = h.calendar and x.day = d.day)
),

business_clock as (
    select
        calendar,
        start_at,
        end_at,
        coalesce(sum(date_diff('second', start_at, end_at)) over (
            partition by calendar order by start_at rows between unbounded preceding and 1 preceding), 0) as seconds_before
    from opening_periods
),

-- Not materialized: read twice (business clock points and `timed`); recomputing this projection is cheaper
-- than writing the 1-row-per-contact intermediate result (measured at 100k customers).
bounded as not materialized (
    select
        i.interaction_id,
        i.customer_id,
        i.channel,
        i.customer_tier,
        i.kind,
        coalesce(i.category, 'uncategorised') as category,
        i.opened_at,
        i.opened_on,
        case when i.first_response_at < p.cutoff_at then i.first_response_at end as first_response_at,
        case when i.resolved_at < p.cutoff_at then i.resolved_at end as resolved_at,
        -- Whether the first contact resolved it is only known once it is resolved (as of the cutoff).
        case when i.resolved_at < p.cutoff_at then i.is_first_contact_resolution end as is_first_contact_resolution,
        g.first_response_target_minutes,
        g.resolution_target_hours,
        date_diff('second', i.opened_at, p.cutoff_at) / 60.0 as age_minutes
    from with_tier as i
    cross join params as p
    inner join targets as g on g.customer_tier = i.customer_tier and g.channel = i.channel
),

-- The instants whose business clock is read: opened, first response, resolved, end of the as-of day.
clock_points as (
    select b.interaction_id, coalesce(c.calendar, star.calendar) as calendar, u.point, u.at
    from bounded as b
    cross join params as p
    left join channel_calendars as c on c.channel = b.channel
    left join channel_calendars as star on star.channel = '*'
    cross join lateral (
        select unnest(['opened', 'first_response', 'resolved', 'cutoff']) as point,
               unnest([b.opened_at, b.first_response_at, b.resolved_at, p.cutoff_at]) as at
    ) as u
    where coalesce(c.calendar, star.calendar) is not null and u.at is not null
),

business_times as (
    select
        q.interaction_id,
        max(v) filter (where q.point = 'opened') as b_opened,
        max(v) filter (where q.point = 'first_response') as b_first_response,
        max(v) filter (where q.point = 'resolved') as b_resolved,
        max(v) filter (where q.point = 'cutoff') as b_cutoff
    from (
        select
            cp.interaction_id,
            cp.point,
            coalesce(k.seconds_before + least(date_diff('second', k.start_at, cp.at), date_diff('second', k.start_at, k.end_at)), 0) as v
        from clock_points as cp
        asof left join business_clock as k on k.calendar = cp.calendar and cp.at >= k.start_at
    ) as q
    group by q.interaction_id
),

timed as (
    select
        b.*,
        date_diff('second', b.opened_at, b.first_response_at) / 60.0 as first_response_minutes,
        date_diff('second', b.opened_at, b.resolved_at) / 3600.0 as resolution_hours,
        bt.b_opened is not null as has_business_hours,
        (bt.b_first_response - bt.b_opened) / 60.0 as first_response_business_minutes,
        (bt.b_resolved - bt.b_opened) / 3600.0 as resolution_business_hours,
        (bt.b_cutoff - bt.b_opened) / 60.0 as business_age_minutes
    from bounded as b
    left join business_times as bt on bt.interaction_id = b.interaction_id
),

final as (
    -- Only what the marts and the API read: this is the widest table of the transform (one row per
    -- contact), and writing it is most of the transform's cost at 1M customers.
    select
        interaction_id,
        customer_id,
        channel,
        customer_tier,
        category,
        opened_on,
        cxp_local_on(resolved_at) as resolved_on,
        first_response_target_minutes,
        resolution_target_hours,
        first_response_minutes,
        resolution_hours,
        kind = 'complaint' as is_complaint,
        is_first_contact_resolution,
        case
            when first_response_minutes is not null then first_response_minutes <= first_response_target_minutes
            when age_minutes > first_response_target_minutes then false
        end as is_first_response_sla_met,
        case
            when resolution_hours is not null then resolution_hours <= resolution_target_hours
            when age_minutes / 60.0 > resolution_target_hours then false
        end as is_resolution_sla_met,
        first_response_business_minutes,
        resolution_business_hours,
        case
            when not has_business_hours then null
            when first_response_business_minutes is not null then first_response_business_minutes <= first_response_target_minutes
            when business_age_minutes > first_response_target_minutes then false
        end as is_first_response_business_sla_met,
        case
            when not has_business_hours then null
            when resolution_business_hours is not null then resolution_business_hours <= resolution_target_hours
            when business_age_minutes / 60.0 > resolution_target_hours then false
        end as is_resolution_business_sla_met
    from timed
)

select * from final

-- One row per interaction opened up to the end of the as-of day, with its service times and SLA checks.
-- A response or resolution stamped after the as-of day is treated as not happened yet, so a re-run for
-- a past as-of date gives the same numbers. Timestamps are UTC (010_canonical.sql); days (*_on) are local
-- dates in the config `timezone` and the as-of day ends at local midnight (run-transform.ts macros).
-- SLA checks: met = answered/resolved within target; breached = answered/resolved late, or still
-- unanswered/unresolved when the target had already passed at the end of the as-of day; null = not yet due.
-- resolved_on is null while the interaction is open (unresolved at the end of the as-of day).
with

source_interactions as (
    select * from interactions
),

params as (
    select
        cxp_day_start_at(getvariable('as_of')::date + 1) as cutoff_at,
        getvariable('sla_first_response_default_minutes')::double as first_response_default_minutes,
        getvariable('sla_resolution_hours')::double as resolution_target_hours
),

-- channel -> first-response target (minutes), from satisfaction.sla.firstResponseMinutes; a join on a
-- handful of rows is cheaper than a map lookup per interaction.
first_response_targets as (
    select unnest(map_keys(m)) as channel, unnest(map_values(m)) as target_minutes
    from (select getvariable('sla_first_response_json')::json::map(varchar, double) as m)
),

bounded as (
    select
        i.interaction_id,
        i.customer_id,
        i.channel,
        i.kind,
        coalesce(i.category, 'uncategorised') as category,
        i.opened_at,
        cxp_local_on(i.opened_at) as opened_on,
        case when i.first_response_at < p.cutoff_at then i.first_response_at end as first_response_at,
        case when i.resolved_at < p.cutoff_at then i.resolved_at end as resolved_at,
        -- Whether the first contact resolved it is only known once it is resolved (as of the cutoff).
        case when i.resolved_at < p.cutoff_at then i.is_first_contact_resolution end as is_first_contact_resolution,
        coalesce(f.target_minutes, p.first_response_default_minutes) as first_response_target_minutes,
        p.resolution_target_hours,
        date_diff('second', i.opened_at, p.cutoff_at) / 60.0 as age_minutes
    from source_interactions as i
    cross join params as p
    left join first_response_targets as f on f.channel = i.channel
    where i.opened_at < p.cutoff_at
),

timed as (
    select
        *,
        date_diff('second', opened_at, first_response_at) / 60.0 as first_response_minutes,
        date_diff('second', opened_at, resolved_at) / 3600.0 as resolution_hours
    from bounded
),

final as (
    -- Only what the marts and the API read: this is the widest table of the transform (one row per
    -- contact), and writing it is most of the transform's cost at 1M customers.
    select
        interaction_id,
        customer_id,
        channel,
        category,
        opened_on,
        cxp_local_on(resolved_at) as resolved_on,
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
        end as is_resolution_sla_met
    from timed
)

select * from final

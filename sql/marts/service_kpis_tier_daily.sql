-- Service KPIs and SLA compliance per local day (the day an interaction was opened) and customer SLA tier
-- (satisfaction.sla.tiers, the tier as of the interaction: int_interaction_times). The per-channel view is
-- service_kpis_daily; both come from int_service_daily, which defines every column. Only days with
-- contacts of the tier have a row. is_low_sample: fewer interactions than satisfaction.minSample.
with

per_tier as (
    select * exclude (breakdown, channel) from int_service_daily where breakdown = 'tier'
),

params as (
    select getvariable('min_sample')::double as min_sample
),

final as (
    select t.*, t.interactions < p.min_sample as is_low_sample
    from per_tier as t
    cross join params as p
)

select * from final

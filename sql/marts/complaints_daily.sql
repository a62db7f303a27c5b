-- Complaints per UTC day, channel and category: volume, complaints, complaint rate (complaints / interactions).
with

timed as (
    select * from int_interaction_times
),

final as (
    select
        opened_on,
        channel,
        category,
        count(*) as interactions,
        count(*) filter (where is_complaint) as complaints,
        count(*) filter (where is_complaint) / count(*) as complaint_rate
    from timed
    group by all
)

select * from final

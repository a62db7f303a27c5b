-- One row per survey response submitted up to the end of the as-of day, with its NPS category,
-- CSAT satisfaction flag, and the channel it rates. response_on is the local date (config `timezone`);
-- the as-of day ends at local midnight.
-- Channel: a response that names an interaction takes that interaction's channel; one that names an
-- interaction not (yet) loaded gets 'unknown'; one without an interaction (e.g. a relationship or
-- email-campaign survey) gets 'none'. Scores are in range: ingestion rejects the rest, and the data
-- tests fail the run if one slips through.
with

source_surveys as (
    select * from surveys
),

source_interactions as (
    select interaction_id, channel from interactions
),

params as (
    select cxp_day_start_at(getvariable('as_of') + 1) as cutoff_at
),

joined as (
    select
        s.response_id,
        s.customer_id,
        s.submitted_at,
        cxp_local_on(s.submitted_at) as response_on,
        s.survey_type,
        s.score,
        s.interaction_id,
        case
            when s.interaction_id is null then 'none'
            when i.interaction_id is null then 'unknown'
            else i.channel
        end as channel
    from source_surveys as s
    cross join params as p
    left join source_interactions as i on i.interaction_id = s.interaction_id
    where s.submitted_at < p.cutoff_at
),

final as (
    select
        *,
        case when survey_type = 'nps' then score >= 9 end as is_promoter,
        case when survey_type = 'nps' then score between 7 and 8 end as is_passive,
        case when survey_type = 'nps' then score <= 6 end as is_detractor,
        case when survey_type = 'csat' then score >= 4 end as is_satisfied
    from joined
)

select * from final

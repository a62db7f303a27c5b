-- One row per customer: satisfaction and service experience as of the end of the as-of day.
--   last_nps, last_nps_at     latest NPS response (ties on time broken by response_id)
--   csat_avg, nps_avg, ces_avg  mean scores over satisfaction.surveyWindowDays up to the as-of day
--   count_*_90d, median_first_response_minutes, service_sla_rate   interactions opened in the 90 days
--                               ending with the as-of day
--   count_open_items          interactions of any age not resolved by the end of the as-of day
--   csi (0-100)               weighted mean of the available normalised components
--                             nps 10*nps_avg, csat 25*(csat_avg-1), ces 100/6*(ces_avg-1), service 100*service_sla_rate,
--                             weights satisfaction.csiWeights renormalised over the components present;
--                             null for a customer without any survey response in the window (not imputed).
with

source_customers as (
    select customer_id from customers
),

responses as (
    select * from int_survey_responses
),

timed as (
    select * from int_interaction_times
),

params as (
    select
        cxp_day_start_at(getvariable('as_of') + 1) as cutoff_at,
        getvariable('as_of') - 89 as activity_from_on,
        cxp_day_start_at(getvariable('as_of') + 1 - getvariable('survey_window_days')::integer) as survey_from_at,
        getvariable('csi_weight_nps')::double as w_nps,
        getvariable('csi_weight_csat')::double as w_csat,
        getvariable('csi_weight_ces')::double as w_ces,
        getvariable('csi_weight_service')::double as w_service
),

last_nps as (
    select
        customer_id,
        arg_max(score, (submitted_at, response_id)) as last_nps,
        max(submitted_at) as last_nps_at
    from responses
    where survey_type = 'nps'
    group by customer_id
),

survey_window as (
    select
        r.customer_id,
        avg(r.score) filter (where r.survey_type = 'nps') as nps_avg,
        avg(r.score) filter (where r.survey_type = 'csat') as csat_avg,
        avg(r.score) filter (where r.survey_type = 'ces') as ces_avg,
        count(*) as count_responses_window
    from responses as r
    cross join params as p
    where r.submitted_at >= p.survey_from_at
    group by r.customer_id
),

service_90d as (
    select
        t.customer_id,
        count(*) as count_interactions_90d,
        count(*) filter (where t.is_complaint) as count_complaints_90d,
        median(t.first_response_minutes) as median_first_response_minutes,
        (count(*) filter (where t.is_first_response_sla_met) + count(*) filter (where t.is_resolution_sla_met))
            / nullif(count(t.is_first_response_sla_met) + count(t.is_resolution_sla_met), 0) as service_sla_rate
    from timed as t
    cross join params as p
    where t.opened_on >= p.activity_from_on
    group by t.customer_id
),

open_items as (
    select customer_id, count(*) as count_open_items
    from timed
    where resolved_on is null
    group by customer_id
),

components as (
    select
        c.customer_id,
        n.last_nps,
        n.last_nps_at,
        w.nps_avg,
        w.csat_avg,
        w.ces_avg,
        coalesce(w.count_responses_window, 0) as count_responses_window,
        coalesce(s.count_interactions_90d, 0) as count_interactions_90d,
        coalesce(s.count_complaints_90d, 0) as count_complaints_90d,
        coalesce(o.count_open_items, 0) as count_open_items,
        s.median_first_response_minutes,
        s.service_sla_rate,
        10.0 * w.nps_avg as nps_component,
        25.0 * (w.csat_avg - 1) as csat_component,
        100.0 / 6 * (w.ces_avg - 1) as ces_component,
        100.0 * s.service_sla_rate as service_component
    from source_customers as c
    left join last_nps as n on n.customer_id = c.customer_id
    left join survey_window as w on w.customer_id = c.customer_id
    left join service_90d as s on s.customer_id = c.customer_id
    left join open_items as o on o.customer_id = c.customer_id
),

weighted as (
    select
        c.*,
        coalesce(p.w_nps * c.nps_component, 0) + coalesce(p.w_csat * c.csat_component, 0)
            + coalesce(p.w_ces * c.ces_component, 0) + coalesce(p.w_service * c.service_component, 0) as csi_numerator,
        (case when c.nps_component is not null then p.w_nps else 0 end)
            + (case when c.csat_component is not null then p.w_csat else 0 end)
            + (case when c.ces_component is not null then p.w_ces else 0 end)
            + (case when c.service_component is not null then p.w_service else 0 end) as csi_denominator
    from components as c
    cross join params as p
),

final as (
    select
        customer_id,
        last_nps,
        last_nps_at,
        csat_avg,
        nps_avg,
        ces_avg,
        case
            -- least/greatest only absorb float rounding (100/6 * 6 = 100.00000000000001)
            when count_responses_window > 0 and csi_denominator > 0 then least(100.0, greatest(0.0, csi_numerator / csi_denominator))
        end as csi,
        count_responses_window,
        count_interactions_90d,
        count_complaints_90d,
        count_open_items,
        median_first_response_minutes,
        service_sla_rate
    from weighted
)

select * from final

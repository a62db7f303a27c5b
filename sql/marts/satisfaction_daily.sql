-- Survey metrics per UTC day, channel and survey type, with a confidence interval on every score.
--   nps : score = 100 * (promoters - detractors) / responses, in -100..100. Its score interval has no
--         closed form: the transform fills ci_low/ci_high right after this model from the counts, with
--         npsEstimate (models/satisfaction/intervals.ts, the one implementation; see mart-intervals.ts).
--   csat: score = 100 * share of 4-5 answers; Wilson score interval.
--   ces : score = mean on 1-7 (7 = easiest); t interval clipped to 1..7, variance floored at 1/n (whole-
--         number answers that all agree), a single response gets the whole scale (cesEstimateFromSums).
-- is_low_sample marks rows with fewer responses than satisfaction.minSample: shown, never hidden.
-- score_sum / score_sum_squares let callers re-aggregate over days and channels exactly.
with

responses as (
    select * from int_survey_responses
),

params as (
    select
        getvariable('min_sample')::double as min_sample,
        getvariable('z_crit')::double as z,
        getvariable('t_crit_json')::double[] as t_crit
),

daily as (
    select
        response_on,
        channel,
        survey_type,
        count(*) as responses,
        count(*) filter (where is_promoter) as promoters,
        count(*) filter (where is_passive) as passives,
        count(*) filter (where is_detractor) as detractors,
        count(*) filter (where is_satisfied) as satisfied,
        sum(score) as score_sum_exact,
        sum(score * score) as score_sum_squares_exact
    from responses
    group by all
),

-- The variance from the exact integer sums, not var_samp: var_samp merges per-thread partial results in
-- whatever order the threads finish, so its last bits (and the ci bounds, and the export's fingerprint)
-- changed from run to run on the same data.
summed as (
    select
        * exclude (score_sum_exact, score_sum_squares_exact),
        score_sum_exact::double as score_sum,
        score_sum_squares_exact::double as score_sum_squares,
        case when responses >= 2 then
            ((responses * score_sum_squares_exact - score_sum_exact * score_sum_exact)::double) / (responses * (responses - 1))
        end as score_variance
    from daily
),

estimated as (
    select
        d.*,
        p.min_sample,
        case d.survey_type
            when 'nps' then 100.0 * (d.promoters - d.detractors) / d.responses
            when 'csat' then 100.0 * d.satisfied / d.responses
            when 'ces' then d.score_sum / d.responses
        end as score,
        -- Wilson centre and half width (share)
        (d.satisfied / d.responses + p.z ^ 2 / (2 * d.responses)) / (1 + p.z ^ 2 / d.responses) as wilson_centre,
        p.z * sqrt(
            (d.satisfied / d.responses) * (1 - d.satisfied / d.responses) / d.responses + p.z ^ 2 / (4 * d.responses ^ 2)
        ) / (1 + p.z ^ 2 / d.responses) as wilson_half,
        -- t half width (greatest/least skip nulls, hence the guards below); beyond the table (df > 1000) t and z agree to < 0.1%
        case when d.responses >= 2 then
            (case when d.responses - 1 <= len(p.t_crit) then p.t_crit[(d.responses - 1)::integer] else p.z end)
            * sqrt(greatest(d.score_variance, 1.0 / d.responses) / d.responses)
        end as t_half
    from summed as d
    cross join params as p
),

final as (
    select
        response_on,
        channel,
        survey_type,
        responses,
        score,
        case survey_type
            when 'nps' then null::double
            when 'csat' then 100.0 * greatest(0.0, wilson_centre - wilson_half)
            when 'ces' then case when t_half is not null then greatest(1.0, score - t_half) else 1.0 end
        end as ci_low,
        case survey_type
            when 'nps' then null::double
            when 'csat' then 100.0 * least(1.0, wilson_centre + wilson_half)
            when 'ces' then case when t_half is not null then least(7.0, score + t_half) else 7.0 end
        end as ci_high,
        responses < min_sample as is_low_sample,
        case when survey_type = 'nps' then promoters end as promoters,
        case when survey_type = 'nps' then passives end as passives,
        case when survey_type = 'nps' then detractors end as detractors,
        case when survey_type = 'csat' then satisfied end as satisfied,
        score_sum,
        score_sum_squares
    from estimated
)

select * from final

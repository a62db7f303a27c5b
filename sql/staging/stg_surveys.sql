-- stg_surveys: casts and validates one surveys file.
-- Reads raw_surveys (canonical names, trimmed text, '' already null; built by pipelines/sources/stage.ts).
-- _answers holds the configured answerColumns as a list of {question, value, scale} (scale: min, max and
-- the no-answer codes of that column, from sources.surveys.scales; pipelines/sources/survey-scales.ts).
-- A blank or a no-answer code is no answer (NULL: no survey_answers row); any other value must be a
-- number within [min, max] and becomes a survey_answers row; otherwise the row is rejected naming the
-- column. A score that is a no-answer code (cxp_score_na_*) rejects the response: it has no rating.

with source as (
    select * from raw_surveys
),

parsed as (
    select
        _file_idx,
        _line,
        _rowid,
        response_id,
        customer_id,
        submitted_at                          as submitted_at_text,
        cxp_parse_ts(submitted_at)            as submitted_at,
        lower(survey_type)                    as survey_type,
        score                                 as score_text,
        try_cast(cxp_num(score) as double)             as score_number,
        interaction_id,
        comment,
        (list_contains(getvariable('cxp_score_na_text'), lower(score))
            or list_contains(getvariable('cxp_score_na_num'), try_cast(cxp_num(score) as double)))  as is_score_no_answer,
        list_filter(_answers, a -> a.value is not null
            and not list_contains(a.scale.na_text, lower(a.value))
            and not coalesce(list_contains(a.scale.na_num, try_cast(cxp_num(a.value) as double)), false)) as answers_given,
        len(_answers)                                                                     as answers_asked
    from source
),

checked as (
    select
        *,
        list_filter(answers_given, a -> try_cast(cxp_num(a.value) as double) is null)              as answers_bad,
        -- Non-finite values (NaN, inf) are left to the plausibility check (pipelines/sources/plausibility.ts).
        list_filter(answers_given, a -> isfinite(try_cast(cxp_num(a.value) as double))
            and (try_cast(cxp_num(a.value) as double) < a.scale.min or try_cast(cxp_num(a.value) as double) > a.scale.max)) as answers_out
    from parsed
),

ranged as (
    select
        *,
        case survey_type when 'nps' then 0 when 'csat' then 1 when 'ces' then 1 end   as score_min,
        case survey_type when 'nps' then 10 when 'csat' then 5 when 'ces' then 7 end  as score_max
    from checked
),

validated as (
    select
        *,
        case
            when response_id is null
                then 'missing key response_id'
            when customer_id is null
                then 'missing key customer_id'
            when submitted_at_text is null
                then 'missing submitted_at'
            when submitted_at is null
                then 'unparseable timestamp "' || submitted_at_text || '" in submitted_at'
            when survey_type is null
                then 'missing survey_type'
            when score_min is null
                then 'unknown survey_type "' || survey_type || '" (expected nps, csat or ces)'
            when score_text is null
                then 'missing score'
            when is_score_no_answer
                then 'no answer to the score ("' || score_text || '"): a response without a score is not loaded'
            when score_number is null
                then 'unparseable score "' || score_text || '"' || cxp_num_hint(score_text)
            when score_number <> round(score_number)
                then 'score ' || score_text || ' is not a whole number'
            when score_number < score_min or score_number > score_max
                then 'score ' || score_text || ' outside ' || score_min || '-' || score_max || ' for ' || survey_type
            when len(answers_bad) > 0
                then 'unparseable answer "' || answers_bad[1].value || '" in column "' || answers_bad[1].question || '"' || cxp_num_hint(answers_bad[1].value)
            when len(answers_out) > 0
                then 'answer ' || answers_out[1].value || ' outside '
                    || case when answers_out[1].scale.min = round(answers_out[1].scale.min) then answers_out[1].scale.min::bigint::varchar else answers_out[1].scale.min::varchar end
                    || '-'
                    || case when answers_out[1].scale.max = round(answers_out[1].scale.max) then answers_out[1].scale.max::bigint::varchar else answers_out[1].scale.max::varchar end
                    || ' in column "' || answers_out[1].question || '"'
        end as reject_reason
    from ranged
),

final as (
    select
        _file_idx,
        _line,
        _rowid,
        response_id,
        customer_id,
        submitted_at,
        survey_type,
        case when reject_reason is null then score_number::integer end  as score,
        interaction_id,
        comment,
        list_transform(answers_given, a -> {'question': a.question, 'score': try_cast(cxp_num(a.value) as double)}) as _answers,
        answers_asked - len(answers_given)                                 as _answers_no_answer,
        reject_reason
    from validated
)

select * from final

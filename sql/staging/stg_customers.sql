-- stg_customers: casts and validates one customers file.
-- Reads raw_customers (canonical names, trimmed text, '' already null; built by pipelines/sources/stage.ts).
-- Every row leaves with typed values and reject_reason null, or with one specific reject_reason.

with source as (
    select * from raw_customers
),

parsed as (
    select
        _file_idx,
        _line,
        _rowid,
        customer_id,
        signup_at                          as signup_at_text,
        cxp_parse_ts(signup_at)            as signup_at,
        country,
        email,
        marketing_consent                  as marketing_consent_text,
        cxp_parse_bool(marketing_consent)  as marketing_consent
    from source
),

validated as (
    select
        *,
        case
            when customer_id is null
                then 'missing key customer_id'
            when signup_at_text is not null and signup_at is null
                then 'unparseable timestamp "' || signup_at_text || '" in signup_at'
            when marketing_consent_text is not null and marketing_consent is null
                then 'unparseable boolean "' || marketing_consent_text || '" in marketing_consent (use true/false/yes/no/y/n/1/0)'
        end as reject_reason
    from parsed
),

final as (
    select
        _file_idx,
        _line,
        _rowid,
        customer_id,
        signup_at,
        country,
        email,
        coalesce(marketing_consent, false)  as marketing_consent,
        false                               as is_bare,
        reject_reason
    from validated
)

select * from final

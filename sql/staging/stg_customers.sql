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
        cxp_parse_bool(marketing_consent)  as marketing_consent,
        churned_at                         as churned_at_text,
        cxp_parse_ts(churned_at)           as churned_at,
        attributes                         as attributes_text,
        -- The first numeric attribute (sources.customers.attributes) whose value is not a number.
        list_filter(getvariable('cxp_numeric_attributes'),
            k -> json_extract_string(attributes, '$.' || k) is not null
                 and try_cast(cxp_num(json_extract_string(attributes, '$.' || k)) as double) is null)[1] as bad_attribute
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
                then 'unparseable boolean "' || marketing_consent_text || '" in marketing_consent (use true/false/yes/no/y/n/1/0, or map other words with sources.customers.values.marketing_consent)'
            when churned_at_text is not null and churned_at is null
                then 'unparseable timestamp "' || churned_at_text || '" in churned_at'
            when bad_attribute is not null
                then 'unparseable number "' || json_extract_string(attributes_text, '$.' || bad_attribute) || '" in numeric attribute ' || bad_attribute || cxp_num_hint(json_extract_string(attributes_text, '$.' || bad_attribute))
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
        churned_at,
        -- Typed: numeric attributes as JSON numbers, categorical ones as JSON strings.
        case when attributes_text is not null then to_json(map_from_entries(list_transform(getvariable('cxp_attribute_names'), k -> {
            'key': k,
            'value': case when list_contains(getvariable('cxp_numeric_attributes'), k)
                          then to_json(try_cast(cxp_num(json_extract_string(attributes_text, '$.' || k)) as double))
                          else to_json(json_extract_string(attributes_text, '$.' || k)) end})))
        end                                 as attributes,
        false                               as is_bare,
        reject_reason
    from validated
)

select * from final

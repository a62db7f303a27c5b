-- stg_interactions: casts and validates one interactions file.
-- Reads raw_interactions (canonical names, trimmed text, '' already null; built by pipelines/sources/stage.ts).

with source as (
    select * from raw_interactions
),

parsed as (
    select
        _file_idx,
        _line,
        _rowid,
        interaction_id,
        customer_id,
        lower(channel)                                      as channel,
        lower(kind)                                         as kind,
        category,
        opened_at                                           as opened_at_text,
        cxp_parse_ts(opened_at)                             as opened_at,
        first_response_at                                   as first_response_at_text,
        -- Helpdesk exports often give the first reply as minutes after opening (first_response_minutes).
        coalesce(
            cxp_parse_ts(first_response_at),
            cxp_parse_ts(opened_at) + to_seconds(cast(round(try_cast(cxp_num(first_response_minutes) as double) * 60) as bigint))
        )                                                   as first_response_at,
        first_response_minutes                              as first_response_minutes_text,
        try_cast(cxp_num(first_response_minutes) as double) as first_response_minutes,
        resolved_at                                         as resolved_at_text,
        cxp_parse_ts(resolved_at)                           as resolved_at,
        is_first_contact_resolution                         as is_first_contact_resolution_text,
        cxp_parse_bool(is_first_contact_resolution)         as is_first_contact_resolution
    from source
),

validated as (
    select
        *,
        case
            when interaction_id is null
                then 'missing key interaction_id'
            when customer_id is null
                then 'missing key customer_id'
            when channel is null
                then 'missing channel'
            -- list_contains, not IN: DuckDB plans an IN list of 5+ words as a hash join per row batch
            when not list_contains(['phone', 'email', 'chat', 'social', 'store', 'app', 'other'], channel)
                then 'unknown channel "' || channel || '" (expected phone, email, chat, social, store, app or other)'
            when kind is null
                then 'missing kind'
            when not list_contains(['inquiry', 'complaint', 'request', 'praise', 'other'], kind)
                then 'unknown kind "' || kind || '" (expected inquiry, complaint, request, praise or other)'
            when opened_at_text is null
                then 'missing opened_at'
            when opened_at is null
                then 'unparseable timestamp "' || opened_at_text || '" in opened_at'
            when first_response_at_text is not null and first_response_at is null
                then 'unparseable timestamp "' || first_response_at_text || '" in first_response_at'
            when first_response_minutes_text is not null and (first_response_minutes is null or first_response_minutes < 0)
                then 'unparseable first_response_minutes "' || first_response_minutes_text || '" (a number of minutes >= 0)' || cxp_num_hint(first_response_minutes_text)
            when resolved_at_text is not null and resolved_at is null
                then 'unparseable timestamp "' || resolved_at_text || '" in resolved_at'
            when first_response_at < opened_at
                then 'first_response_at ' || first_response_at_text || ' is before opened_at ' || opened_at_text
            when resolved_at < opened_at
                then 'resolved_at ' || resolved_at_text || ' is before opened_at ' || opened_at_text
            when is_first_contact_resolution_text is not null and is_first_contact_resolution is null
                then 'unparseable boolean "' || is_first_contact_resolution_text || '" in is_first_contact_resolution (use true/false/yes/no/y/n/1/0, or map other words with sources.interactions.values.is_first_contact_resolution)'
        end as reject_reason
    from parsed
),

final as (
    select
        _file_idx,
        _line,
        _rowid,
        interaction_id,
        customer_id,
        channel,
        kind,
        category,
        opened_at,
        first_response_at,
        resolved_at,
        is_first_contact_resolution,
        reject_reason
    from validated
)

select * from final

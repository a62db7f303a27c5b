-- stg_purchases: casts and validates one purchases file.
-- Reads raw_purchases (canonical names, trimmed text, '' already null; built by pipelines/sources/stage.ts).
-- A source without order_id gets a stable derived id: md5 of the row's typed content plus the
-- occurrence number of that content within the file, so reloading the file yields the same ids while
-- two identical purchases in one file stay two purchases. So does a return / refund row without an
-- order_id in a source that has one (a credit not linked to an order).

with source as (
    select * from raw_purchases
),

parsed as (
    select
        _file_idx,
        _line,
        _rowid,
        order_id,
        customer_id,
        ordered_at                                 as ordered_at_text,
        cxp_parse_ts(ordered_at)                   as ordered_at,
        amount                                     as amount_text,
        try_cast(cxp_num(amount) as decimal(18, 2)) as amount,
        coalesce(lower(status), 'completed')       as status,
        lower(channel)                             as channel,
        coalesce(lower(kind), 'order')             as kind
    from source
),

validated as (
    select
        *,
        case
            when customer_id is null
                then 'missing key customer_id'
            when order_id is null and not getvariable('cxp_derive_order_id') and kind <> 'return'
                then 'missing key order_id'
            when ordered_at_text is null
                then 'missing ordered_at'
            when ordered_at is null
                then 'unparseable timestamp "' || ordered_at_text || '" in ordered_at'
            when amount_text is null
                then 'missing amount'
            when amount is null
                then 'unparseable amount "' || amount_text || '"' || cxp_num_hint(amount_text)
            -- only for a known status and kind, so checking it before the words changes no reason
            when amount < 0 and status = 'completed' and kind = 'order'
                then 'negative amount ' || amount_text || ' on a completed order'
            else cxp_purchase_word_problem(status, kind)
        end as reject_reason
    from parsed
),

-- The occurrence window is costly, so it only runs for sources without order_id: the branch whose
-- filter is false is pruned by the optimizer (getvariable is a constant at bind time).
keyed as (
    select *, order_id as derived_order_id
    from validated
    where not getvariable('cxp_derive_order_id') and not (order_id is null and kind = 'return')

    union all

    select
        *,
        case
            when reject_reason is null
                then 'derived-' || md5(concat_ws('|',
                    customer_id, strftime(ordered_at, '%Y-%m-%dT%H:%M:%S.%f'), amount::varchar, status,
                    coalesce(channel, '<null>'),
                    row_number() over (
                        partition by customer_id, ordered_at, amount, status, channel, reject_reason is null
                        order by _line
                    )::varchar
                ))
        end as derived_order_id
    from validated
    -- A refund row not linked to an order (no order_id) gets a derived id the same way.
    -- cxp_derived_rows: false when stage.ts found no row for this branch; the branch is then pruned, and
    -- `validated`, referenced once, is no longer materialised (half of this model's time).
    where getvariable('cxp_derived_rows')
      and (getvariable('cxp_derive_order_id') or (order_id is null and kind = 'return'))
),

final as (
    select
        _file_idx,
        _line,
        _rowid,
        derived_order_id  as order_id,
        customer_id,
        ordered_at,
        -- A return / refund row (kind return or status returned) is a credit: stored as a positive
        -- amount with status 'returned', never as purchase activity.
        case when kind = 'return' or status = 'returned' then abs(amount) else amount end  as amount,
        case when kind = 'return' then 'returned' else status end                         as status,
        channel,
        null::integer     as count_lines,
        reject_reason
    from keyed
)

select * from final

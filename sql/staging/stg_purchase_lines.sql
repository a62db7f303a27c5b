-- stg_purchase_lines: casts and validates one file (or pull) of a line-grained purchases source:
-- one row per order line. Reads raw_purchases (canonical names, trimmed text, '' already null).
-- A line's value is line_amount when mapped, else quantity x unit_price (kept unrounded: orders are
-- rounded once, after summing). A line is a return when its kind says so, its quantity or value is
-- negative, or its order key starts with the configured cancellation prefix (returns.orderIdPrefix,
-- bound into cxp_return_prefix). refunded_amount is the order's (written on one of its lines): money
-- refunded on an order not refunded whole. pipelines/sources/line-items.ts sums the lines into orders.

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
        ordered_at                                   as ordered_at_text,
        cxp_parse_ts(ordered_at)                     as ordered_at,
        quantity                                     as quantity_text,
        try_cast(cxp_num(quantity) as decimal(18, 4)) as quantity,
        unit_price                                   as unit_price_text,
        try_cast(cxp_num(unit_price) as decimal(18, 4)) as unit_price,
        line_amount                                  as line_amount_text,
        try_cast(cxp_num(line_amount) as decimal(18, 4)) as line_amount,
        refunded_amount                              as refunded_amount_text,
        try_cast(cxp_num(refunded_amount) as decimal(18, 2)) as refunded_amount,
        coalesce(lower(status), 'completed')         as status,
        lower(channel)                               as channel,
        coalesce(lower(kind), 'order')               as kind
    from source
),

validated as (
    select
        *,
        case
            -- customer_id and ordered_at may be blank on all but one line of an order (Shopify writes
            -- order fields on the first line only); line-items.ts rejects orders where no line has them.
            when order_id is null
                then 'missing key order_id (a line-grained source needs the order key)'
            when ordered_at_text is not null and ordered_at is null
                then 'unparseable timestamp "' || ordered_at_text || '" in ordered_at'
            when quantity_text is not null and quantity is null
                then 'unparseable quantity "' || quantity_text || '"' || cxp_num_hint(quantity_text)
            when unit_price_text is not null and unit_price is null
                then 'unparseable unit_price "' || unit_price_text || '"' || cxp_num_hint(unit_price_text)
            when line_amount_text is not null and line_amount is null
                then 'unparseable line_amount "' || line_amount_text || '"' || cxp_num_hint(line_amount_text)
            when refunded_amount_text is not null and (refunded_amount is null or refunded_amount < 0)
                then 'unparseable refunded_amount "' || refunded_amount_text || '" (expected an amount of 0 or more)' || cxp_num_hint(refunded_amount_text)
            when line_amount is null and (quantity is null or unit_price is null)
                then 'missing line value (needs line_amount, or quantity and unit_price)'
            else cxp_purchase_word_problem(status, kind)
        end as reject_reason
    from parsed
),

final as (
    select
        _file_idx,
        _line,
        _rowid,
        order_id,
        customer_id,
        ordered_at,
        quantity,
        coalesce(line_amount, quantity * unit_price)::decimal(18, 4)          as line_value,
        refunded_amount,
        status,
        channel,
        (kind = 'return' or status = 'returned'
            or quantity < 0 or coalesce(line_amount, quantity * unit_price) < 0
            or (getvariable('cxp_return_prefix') is not null
                and starts_with(order_id, getvariable('cxp_return_prefix'))))  as is_return,
        reject_reason
    from validated
)

select * from final

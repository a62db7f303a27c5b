-- Cohort retention: customers grouped by the local calendar month (config timezone) they signed up in
-- (cohort_basis 'signup', customers.signup_at) or first bought in (cohort_basis 'first_purchase',
-- first completed order), and for each month since, how many of them bought in that month.
-- One row per cohort_basis x cohort_month_on x country x months_since, from the cohort month up to
-- the as-of date's month (months without a buyer are rows with count_buying = 0).
--   count_customers   cohort size: customers of that cohort month and country
--   count_buying      of them, customers with a completed order in activity_month_on
--   share_buying      count_buying / count_customers ("still buying")
--   is_partial_month  the activity month is the as-of month and has not ended yet
-- Orders after the as-of date and orders before a customer's cohort month are not counted.
with

customer_rows as (
    select * from customers
),

orders as (
    select * from purchases
),

params as (
    select
        getvariable('as_of')                                    as as_of_on,
        date_trunc('month', getvariable('as_of'))::date         as as_of_month_on
),

completed_orders as (
    select
        o.customer_id,
        date_trunc('month', cxp_local_on(o.ordered_at))::date as buying_month_on
    from orders as o, params
    where o.status = 'completed'
      and o.ordered_at < cxp_day_start_at(params.as_of_on + 1)
),

-- Per buyer, once: the distinct months they bought in and the first of them. The cohorts below read
-- these lists (unnested) instead of joining every cohort member to every buying month of the customer:
-- that join was ~10 million rows at a million customers, most of the mart's time.
buyers as (
    select
        customer_id,
        list_distinct(list(buying_month_on))    as buying_months,
        min(buying_month_on)                    as first_month_on
    from completed_orders
    group by customer_id
),

-- Every customer known from either side, once: one join of buyers and customers serves both cohorts.
-- A buyer missing from customers has no country and no sign-up cohort; a customer without a completed
-- order has no first-purchase cohort.
per_customer as (
    select c.country, c.signup_at, b.buying_months, b.first_month_on
    from buyers as b
    full outer join customer_rows as c on c.customer_id = b.customer_id
),

cohort_members as (
    select
        'first_purchase'        as cohort_basis,
        first_month_on          as cohort_month_on,
        country,
        buying_months
    from per_customer
    where first_month_on is not null
    union all
    select
        'signup'                                   as cohort_basis,
        date_trunc('month', cxp_local_on(signup_at)) as cohort_month_on,
        country,
        buying_months
    from per_customer, params
    where signup_at is not null
      and signup_at < cxp_day_start_at(params.as_of_on + 1)
),

cohort_sizes as (
    select cohort_basis, cohort_month_on, country, count(*) as count_customers
    from cohort_members
    group by all
),

cohort_months as (
    select
        s.*,
        unnest(range(0, datediff('month', s.cohort_month_on, params.as_of_month_on) + 1)) as months_since
    from cohort_sizes as s, params
),

-- Each member once per distinct month they bought in, from their cohort month on.
cohort_activity as (
    select
        m.cohort_basis,
        m.cohort_month_on,
        m.country,
        datediff('month', m.cohort_month_on, m.buying_month_on) as months_since,
        count(*)                                                as count_buying
    from (
        select cohort_basis, cohort_month_on, country, unnest(buying_months) as buying_month_on
        from cohort_members
    ) as m
    where m.buying_month_on >= m.cohort_month_on
    group by all
),

final as (
    select
        m.cohort_basis,
        m.cohort_month_on,
        m.country,
        m.months_since::integer                                          as months_since,
        (m.cohort_month_on + to_months(m.months_since::integer))::date   as activity_month_on,
        m.count_customers::bigint                                        as count_customers,
        coalesce(a.count_buying, 0)::bigint                              as count_buying,
        (coalesce(a.count_buying, 0) / m.count_customers)::double        as share_buying,
        (m.cohort_month_on + to_months(m.months_since::integer))::date = params.as_of_month_on
            and params.as_of_on < last_day(params.as_of_on)              as is_partial_month
    from cohort_months as m
    cross join params
    left join cohort_activity as a
        on a.cohort_basis = m.cohort_basis
       and a.cohort_month_on = m.cohort_month_on
       and a.country is not distinct from m.country
       and a.months_since = m.months_since
)

select * from final

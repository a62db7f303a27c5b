-- Value module: RFM tiers, lifecycle stages and customer value (docs/rfm-and-value.md).
-- Written by the score job's value step, one transaction per run.

-- One row per customer (customers table plus any customer with a purchase), as of the last run.
create table if not exists customer_value (
    customer_id             varchar not null,
    as_of                   date not null,
    first_purchase_on       date,
    last_purchase_on        date,
    recency_days            integer,          -- as_of - last purchase day; null for prospects
    frequency               integer not null, -- completed orders (within rfm.lookbackDays when set)
    monetary                double not null,  -- net revenue of those orders (completed, not refunded/cancelled)
    count_purchase_days     integer not null, -- distinct days with a completed order, all history
    r_score                 tinyint,          -- 1..bins, 5 = most recent; null for prospects
    f_score                 tinyint,
    m_score                 tinyint,
    rfm_segment             varchar,          -- first matching rule; 'Others' when none; null for prospects
    lifecycle_stage         varchar not null, -- prospect | new | active | at_risk | lapsed | reactivated
    p_alive                 double,           -- BG/NBD; null when not scored (too little history / no fit)
    expected_purchases_90d  double,           -- BG/NBD expected purchase days in the next value.expectedPurchasesDays
    expected_order_value    double,           -- Gamma-Gamma conditional mean order (purchase-day) value
    clv                     double,           -- value.horizonMonths, discounted at value.annualDiscountRate
    value_run_id            varchar not null
);

-- One snapshot per as_of date; re-running the same as_of replaces that snapshot.
create table if not exists rfm_history (
    as_of            date not null,
    customer_id      varchar not null,
    recency_days     integer,
    frequency        integer not null,
    monetary         double not null,
    r_score          tinyint,
    f_score          tinyint,
    m_score          tinyint,
    rfm_segment      varchar,
    lifecycle_stage  varchar not null,
    clv              double,
    run_id           varchar not null
);

-- One row per value run: fitted parameters, fit quality, holdout check, convergence.
create table if not exists value_model_runs (
    run_id                varchar not null,
    as_of                 date not null,
    created_at            timestamp not null,
    status                varchar not null,  -- fitted | insufficient_data
    message               varchar,
    time_unit_days        double not null,
    count_customers       bigint not null,   -- rows written to customer_value
    count_buyers          bigint not null,   -- customers with at least one completed purchase
    count_fit_customers   bigint,            -- BG/NBD fit population (after sampling)
    count_fit_repeat      bigint,            -- Gamma-Gamma fit population (repeat buyers)
    bgnbd_r               double,
    bgnbd_alpha           double,
    bgnbd_a               double,
    bgnbd_b               double,
    bgnbd_log_likelihood  double,
    bgnbd_converged       boolean,
    gg_p                  double,
    gg_q                  double,
    gg_gamma              double,
    gg_log_likelihood     double,
    gg_converged          boolean,
    holdout_days          integer,
    holdout_mae           double,            -- mean absolute error of mean repeat purchases per bucket
    holdout_total_error   double,            -- (predicted - actual) / actual, all holdout customers
    details               json               -- cut points, optimiser reports, holdout buckets, settings
);

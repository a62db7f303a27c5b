-- Churn module: model registry, current scores (the contract other modules read), score history.

create table if not exists churn_models (
    model_id            varchar not null,
    trained_at          timestamp not null,
    as_of_on            date not null,        -- the as-of date the model was trained for
    is_active           boolean not null default false,
    learner             varchar not null,     -- hist-forest
    features            json not null,        -- feature names, in model column order
    train_cutoff_on     date not null,        -- features as of this date ...
    train_label_end_on  date not null,        -- ... labels from the horizon that follows it
    count_train_rows    bigint not null,
    count_train_churned bigint not null,
    parameters          json not null,        -- forest parameters, seed, horizon, lookback
    calibration         varchar not null,     -- none | isotonic | platt
    metrics             json,                 -- out-of-time validation, reliability table, calibration choice
    feature_importance  json not null,        -- [{feature, importance}]
    training_ms         bigint not null,
    model               blob not null         -- gzip(JSON) of forest + calibrator (models/churn/model-codec.ts)
);

create table if not exists churn_scores (
    customer_id    varchar not null,
    churn_risk     double not null,           -- calibrated P(no completed purchase in the horizon)
    churn_band     varchar not null,          -- low | medium | high (churn.bands)
    churn_reasons  json not null,             -- [{feature, text, contribution}], strongest first
    as_of_on       date not null,
    scored_at      timestamp not null,
    model_id       varchar not null
);

create table if not exists churn_score_history (
    run_id         varchar not null,
    customer_id    varchar not null,
    churn_risk     double not null,
    churn_band     varchar not null,
    churn_reasons  json not null,
    as_of_on       date not null,
    scored_at      timestamp not null,
    model_id       varchar not null
);

-- What the export job writes as dataset churn_models: everything but the serialised model.
create or replace view churn_models_export as
select
    model_id, trained_at, as_of_on, is_active, learner, features, train_cutoff_on, train_label_end_on,
    count_train_rows, count_train_churned, parameters, calibration, metrics, feature_importance, training_ms
from churn_models;

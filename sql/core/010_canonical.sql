-- Canonical core tables: what ingestion lands, what every model reads.
-- All timestamps are UTC (timestamp without time zone); see README "Time".
-- Keys are enforced by the ingestion merge and by the data tests, not by DuckDB constraints,
-- because DuckDB's unique indexes make in-place updates of keyed rows fail within one transaction.

create table if not exists customers (
    customer_id        varchar not null,
    signup_at          timestamp,
    country            varchar,
    email              varchar,          -- PII: never exported unless exports.includePii
    marketing_consent  boolean not null default false,
    is_bare            boolean not null default false,  -- created from a purchase/interaction/survey, no customer row yet
    loaded_run_id      varchar,
    updated_run_id     varchar
);

create table if not exists purchases (
    order_id           varchar not null,
    customer_id        varchar not null,
    ordered_at         timestamp not null,
    amount             decimal(18, 2) not null,
    status             varchar not null,  -- completed | refunded | cancelled
    channel            varchar,
    loaded_run_id      varchar,
    updated_run_id     varchar
);

create table if not exists interactions (
    interaction_id               varchar not null,
    customer_id                  varchar not null,
    channel                      varchar not null,  -- phone | email | chat | social | store | app | other
    kind                         varchar not null,  -- inquiry | complaint | request | praise | other
    category                     varchar,
    opened_at                    timestamp not null,
    first_response_at            timestamp,
    resolved_at                  timestamp,
    is_first_contact_resolution  boolean,
    loaded_run_id                varchar,
    updated_run_id               varchar
);

create table if not exists surveys (
    response_id     varchar not null,
    customer_id     varchar not null,
    submitted_at    timestamp not null,
    survey_type     varchar not null,  -- nps | csat | ces
    score           integer not null,  -- nps 0-10, csat 1-5, ces 1-7
    interaction_id  varchar,
    comment         varchar,
    loaded_run_id   varchar,
    updated_run_id  varchar
);

create table if not exists survey_answers (
    response_id  varchar not null,
    question     varchar not null,
    score        double not null
);

-- Retention-action triggers (pipelines/triggers): the outbox, rule membership and what each evaluation did.

-- The outbox. An action is committed here first, then delivered by the worker (pipelines/triggers/deliver.ts).
-- status: pending (to deliver) | failed (last attempt failed, retried at next_attempt_at) | delivered
--       | dead (gave up: attempt limit or a permanent 4xx; `cxpulse replay` re-queues) | held_out (holdout group:
--         recorded, never sent) | listed (channel "list": served by the CSV/API list, nothing to send)
--       | cancelled (customer forgotten before delivery, or while on the list)
create table if not exists retention_actions (
    action_id        varchar not null,  -- also the webhook-id and the idempotency key receivers dedupe on
    idempotency_key  varchar not null,
    rule             varchar not null,
    action           varchar not null,
    kind             varchar not null,  -- marketing | service
    channel          varchar not null,  -- webhook | list
    endpoint         varchar,           -- name in delivery.endpoints when channel = webhook
    customer_id      varchar not null,
    fired_at         timestamp not null,
    as_of            date,
    run_id           varchar,
    is_holdout       boolean not null default false,
    payload          json not null,     -- rule, action, customer fields and the reasons (incl. churn_reasons)
    status           varchar not null,
    attempts         integer not null default 0,
    next_attempt_at  timestamp,
    delivered_at     timestamp,
    last_status_code integer,
    last_error       varchar
);

-- Who is currently inside each rule's condition, so a rule fires on entering, not on every run.
create table if not exists trigger_membership (
    rule          varchar not null,
    customer_id   varchar not null,
    entered_at    timestamp not null,
    last_seen_at  timestamp not null
);

-- One row per rule per evaluation: what matched, fired, was held out or suppressed, or why the rule was held back.
create table if not exists trigger_evaluations (
    run_id                 varchar,
    rule                   varchar not null,
    evaluated_at           timestamp not null,
    as_of                  date,
    status                 varchar not null,  -- evaluated | held_stale | skipped
    reason                 varchar,
    stale_sources          varchar,           -- comma-separated
    count_matched          integer not null default 0,
    count_no_consent       integer not null default 0,
    count_entered          integer not null default 0,
    count_cooldown         integer not null default 0,
    count_fired            integer not null default 0,
    count_held_out         integer not null default 0,
    count_left             integer not null default 0
);

-- Every delivery attempt, for support ("what did the receiver answer?").
create table if not exists delivery_attempts (
    action_id     varchar not null,
    attempt       integer not null,
    attempted_at  timestamp not null,
    status_code   integer,
    outcome       varchar not null,  -- delivered | retry | dead
    error         varchar,
    duration_ms   integer
);

-- Customers erased with `cxpulse forget` (GDPR), as sha256 of the id only, so ingestion can keep them out.
create table if not exists erased_customers (
    customer_key_sha256  varchar not null,
    erased_at            timestamp not null
);

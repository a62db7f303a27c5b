-- KPI alerts for managers (pipelines/alerts): what is firing, and the notifications outbox.

-- One row per alert key (rule + scope, e.g. "first-response-sla:chat"): an alert is sent when it starts
-- firing and not again until it has cleared.
create table if not exists kpi_alert_state (
    alert_key          varchar not null,
    rule               varchar not null,
    scope              varchar not null,
    is_firing          boolean not null,
    fired_at           timestamp,
    fired_as_of        date,
    cleared_at         timestamp,
    last_evaluated_at  timestamp not null,
    last_finding       json
);

-- The alert outbox: one row per alert (or digest) and channel, delivered with retries like retention_actions.
-- status: pending | failed (retried at next_attempt_at) | delivered | dead
create table if not exists alert_notifications (
    notification_id   varchar not null,  -- webhook-id / e-mail Message-ID seed; the same on every attempt
    kind              varchar not null,  -- alert | digest
    alert_key         varchar,
    rule              varchar,
    channel           varchar not null,  -- webhook | email
    target            varchar not null,  -- endpoint name, or the recipients
    created_at        timestamp not null,
    as_of             date,
    run_id            varchar,
    payload           json not null,
    status            varchar not null,
    attempts          integer not null default 0,
    next_attempt_at   timestamp,
    delivered_at      timestamp,
    last_status_code  integer,
    last_error        varchar
);

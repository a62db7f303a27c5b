-- Audience events after an action entered (pipelines/triggers): a CRM mirrors a rule's audience with
-- action.entered (the retention_actions row itself), action.left and action.cancelled (rows here).

-- When and why an action's customer stopped being a current member of the rule's audience.
-- left_reason: no_longer_matches | consent_withdrawn | rule_changed | rule_removed
alter table retention_actions add column if not exists left_at timestamp;
alter table retention_actions add column if not exists left_reason varchar;
-- The webhook-id of the request that carried the action when the endpoint batches (delivery.endpoints.<n>.batchMaxActions).
alter table retention_actions add column if not exists batch_id varchar;

-- Follow-up events of actions the receiver already has (status delivered): the same outbox semantics as
-- retention_actions (pending | failed | delivered | dead), delivered after the action they refer to.
create table if not exists action_events (
    event_id         varchar not null,  -- webhook-id when sent alone
    event_type       varchar not null,  -- action.left | action.cancelled
    action_id        varchar not null,  -- the action (retention_actions) this event closes
    rule             varchar not null,
    customer_id      varchar not null,
    endpoint         varchar,
    occurred_at      timestamp not null,
    run_id           varchar,
    reason           varchar not null,  -- no_longer_matches | consent_withdrawn | rule_changed | rule_removed
    payload          json not null,
    status           varchar not null,
    attempts         integer not null default 0,
    next_attempt_at  timestamp,
    delivered_at     timestamp,
    last_status_code integer,
    last_error       varchar,
    batch_id         varchar
);

-- The channel and endpoint each rule had at its last evaluation, to say what a change does to current members.
create table if not exists trigger_rule_state (
    rule        varchar not null,
    channel     varchar not null,
    endpoint    varchar,
    updated_at  timestamp not null
);

alter table trigger_evaluations add column if not exists count_cancelled integer default 0;

-- Every rule's actions as marketing reads them (GET /api/actions and the retention_actions export read
-- this one definition): is_current = still a member of the rule's audience; e-mail only with consent.
create or replace view action_members as
select
    a.action_id,
    a.rule,
    a.action,
    a.kind,
    a.channel,
    a.endpoint,
    a.customer_id,
    case when c.marketing_consent then c.email end as email,
    a.status,
    a.is_holdout,
    a.left_at is null and a.status <> 'cancelled' as is_current,
    a.fired_at,
    a.as_of,
    a.left_at,
    a.left_reason,
    a.delivered_at,
    a.attempts,
    a.last_error,
    try_cast(a.p[1] as double) as churn_risk,
    json_extract_string(a.p[2], '$') as churn_band,
    try_cast(a.p[3] as double) as clv,
    try_cast(a.p[4] as double) as value_at_stake,
    json_extract_string(a.p[5], '$') as rfm_segment,
    json_extract_string(a.p[6], '$') as top_reason
-- The payload is parsed once per row (one extraction of every path), not once per column: at a million
-- customers the retention_actions export read it six times over, in its fingerprint and again in its COPY.
from (
    select *, json_extract(payload, ['$.customer.churn_risk', '$.customer.churn_band', '$.customer.clv',
                                     '$.customer.value_at_stake', '$.customer.rfm_segment', '$.churn_reasons[0].text']) as p
    from retention_actions
) as a
left join customers as c on c.customer_id = a.customer_id;

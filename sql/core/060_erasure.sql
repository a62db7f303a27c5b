-- Erasure journal: one row per customer erased with `cxpulse forget`, keyed by the sha256 of the id
-- (never the id). `pending` lists the places still to clean; forget resumes from it until it is empty.
-- `related_keys` holds the customer's order/interaction/response ids only while exports keyed by them
-- (survey_answers) still have to be cleaned; it is wiped when they are.
create table if not exists erasure_journal (
    customer_key_sha256  varchar not null,
    started_at           timestamp not null,
    finished_at          timestamp,
    pending              varchar[] not null,
    related_keys         json,
    report               json
);

-- sha256 of the erased customer's lower-cased e-mail: malformed source lines that carry only the
-- e-mail are kept out of rejected_rows too.
alter table erased_customers add column if not exists email_sha256 varchar;

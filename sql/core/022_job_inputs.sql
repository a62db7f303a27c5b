-- What each skippable job last succeeded on (pipelines/jobs/up-to-date.ts): a digest of the canonical
-- tables' content, the as-of, the configuration, the code and the jobs it reads from. A run whose digest
-- for a job equals the recorded one skips that job (nothing it reads has changed); `cxpulse run --full`
-- runs it anyway. One row per job; replaced after each success.
create table if not exists job_inputs (
    job          varchar not null,   -- transform | score | export
    inputs_key   varchar not null,   -- sha256 hex of the job's inputs
    run_id       varchar not null,   -- the run that last succeeded on these inputs
    recorded_at  timestamp not null
);

-- Operational tables: where every source row ended and what each run did.

create table if not exists rejected_rows (
    run_id       varchar not null,
    source       varchar not null,
    file         varchar not null,
    line         bigint,
    reason       varchar not null,
    raw_row      varchar,
    rejected_at  timestamp not null
);

create table if not exists pipeline_runs (
    run_id        varchar not null,
    started_at    timestamp not null,
    finished_at   timestamp,
    status        varchar not null,  -- running | succeeded | failed | retrying | skipped
    jobs          varchar not null,  -- comma-separated job names, in order
    trigger       varchar not null,  -- cli | schedule | api | start
    as_of         date,
    attempt       integer not null default 1,
    counts        json,              -- per source: read / loaded / updated / duplicate / rejected
    job_results   json,              -- per job: status, duration_ms, summary
    error         varchar
);

-- Which file contents were already loaded (by sha256), so re-runs skip unchanged files cheaply.
create table if not exists ingested_files (
    source       varchar not null,
    file         varchar not null,
    sha256       varchar not null,
    bytes        bigint not null,
    rows_read    bigint not null,
    run_id       varchar not null,
    ingested_at  timestamp not null
);

-- Size, modification time and inode change time let a re-run skip an untouched file without reading it
-- to hash it. The change time cannot be set by tools (touch, cp -p, rsync -t set only mtime), so any
-- rewrite or replacement of the file is re-hashed.
alter table ingested_files add column if not exists modified_at timestamp;
alter table ingested_files add column if not exists changed_at timestamp;

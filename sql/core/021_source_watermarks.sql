-- Incremental database sources: how far each source has been read. Written in the same transaction as
-- the rows it covers, so it only moves when a load commits; a failed run leaves it where it was.
create table if not exists source_watermarks (
    source        varchar not null,  -- customers | purchases | interactions | surveys
    source_key    varchar not null,  -- the database, table or query and column read (no password)
    column_name   varchar not null,
    watermark     varchar not null,  -- highest value read, as PostgreSQL prints it (UTC for timestamps)
    run_id        varchar not null,
    updated_at    timestamp not null
);

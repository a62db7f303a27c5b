/**
 * Reads a PostgreSQL table or query into the temp table `cxp_raw` (every value as text), in batches,
 * so neither Node nor the database holds the whole result: a server-side cursor is fetched
 * `fetchRows` rows at a time and each batch is appended to DuckDB (which spills to disk past its memory
 * limit). From there the rows take the same path as a file's: staging, validation, rejects, merge.
 *
 * Consistency: one READ ONLY REPEATABLE READ transaction per pull, so the rows and the new watermark
 * (max of the incremental column) come from the same snapshot. The watermark is only returned here;
 * the ingest writes it in the transaction that lands the rows (saveWatermarks), so a failed run, a
 * dropped connection or a kill leaves it where it was and the next run reads the same rows again.
 *
 * Secrets: the URL normally comes from an environment variable (`env:NAME`); a password is never
 * printed: every message names the source by `describePostgres()` (user@host:port/database).
 */
import { CxpError, isCxpError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { quoteIdent } from '../core/sql-ident.js';
import type { ConnDb } from '../core/warehouse.js';
import type { SourceConfig } from '../config/types.js';
import type { SourceName } from '../config/schema.js';
import type { RawFile } from './read-file.js';

const DEFAULT_FETCH_ROWS = 10_000;
const DEFAULT_CONNECT_TIMEOUT_S = 15;

/** PostgreSQL type OIDs of the incremental columns we know how to compare (with an overlap for time). */
const TIME_TYPES = new Set([1082 /* date */, 1114 /* timestamp */, 1184 /* timestamptz */]);
const NUMBER_TYPES = new Set([20 /* int8 */, 21 /* int2 */, 23 /* int4 */, 1700 /* numeric */, 26 /* oid */, 28 /* xid */]);

export interface PendingWatermark {
  source: SourceName;
  sourceKey: string;
  column: string;
  value: string;
}

export interface PostgresPull {
  raw: RawFile;
  /** How the source is named in messages and rejected_rows.file (no password). */
  where: string;
  /** Set when the source is incremental and rows were read: written when the load commits. */
  watermark?: PendingWatermark;
  /** The watermark the pull started from (undefined = everything was read). */
  from?: string;
}

export interface PullOptions {
  source: SourceName;
  cfg: SourceConfig;
  /** Source column names to read, given the relation's columns (throws when a needed one is missing). */
  wanted: (available: string[], where: string) => string[];
  /** Ignore the stored watermark and read everything. */
  full: boolean;
  logger: Logger;
  signal?: AbortSignal;
  /** Line-grained purchases: the order key column, so an incremental pull reads whole orders. */
  orderKeyColumn?: string;
}

/** The connection URL: `env:NAME` is looked up (never logged), anything else is used as written. */
export function resolvePostgresUrl(source: SourceName, url: string, env: Record<string, string | undefined> = process.env): string {
  if (!url.startsWith('env:')) return url;
  const name = url.slice(4);
  const value = env[name];
  if (!value) {
    throw new CxpError('CXP_ERR_CONFIG_INVALID', `environment variable ${name} (sources.${source}.url) is not set`, {
      where: `sources.${source}.url`,
      hint: `export ${name}=postgres://user:password@host:5432/database before running cxpulse`,
    });
  }
  return value;
}

/** `postgres://user@host:port/database`: the URL without password or query string. */
export function describePostgres(url: string): string {
  try {
    const u = new URL(url);
    const user = u.username ? `${decodeURIComponent(u.username)}@` : '';
    return `postgres://${user}${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'postgres://(unparseable URL)';
  }
}

/** The relation a source reads: the quoted table, or the query as a subquery. */
function relationOf(cfg: SourceConfig): string {
  if (cfg.table) return cfg.table.split('.').map((p) => quoteIdent(p)).join('.');
  return `(${cfg.query!.trim().replace(/;\s*$/, '')})`;
}

/** Identity of what is read, for the watermark: a changed table, query or column starts again from zero. */
export function sourceKeyOf(where: string, cfg: SourceConfig): string {
  return `${where}#${cfg.table ?? `query:${cfg.query}`}#${cfg.incremental?.column ?? ''}`;
}

function pgCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Turns a driver error into a CxpError that says what, where and what to do (never the password). */
function explain(err: unknown, source: SourceName, cfg: SourceConfig, where: string, phase: 'connect' | 'read', rowsSoFar: number): CxpError {
  if (isCxpError(err)) return err;
  const code = pgCode(err);
  const key = `sources.${source}`;
  const envName = cfg.url?.startsWith('env:') ? cfg.url.slice(4) : undefined;
  const urlHint = envName ? `the URL in ${envName}` : `${key}.url`;
  const base = { where, source };
  if (code === '28P01' || code === '28000') {
    return new CxpError('CXP_ERR_SOURCE_UNAVAILABLE', `${where}: authentication failed (${message(err)})`, {
      ...base,
      hint: `check the user and password in ${urlHint}`,
    }, { cause: err });
  }
  if (code === '3D000') {
    return new CxpError('CXP_ERR_SOURCE_NOT_FOUND', `${where}: ${message(err)}`, { ...base, hint: `check the database name in ${urlHint}` }, { cause: err });
  }
  if (code === '42P01' || code === '3F000') {
    return new CxpError('CXP_ERR_SOURCE_NOT_FOUND', `${where}: ${message(err)} (${cfg.table ? `table ${cfg.table}` : 'in the query'})`, {
      ...base,
      hint: cfg.table ? `check ${key}.table (schema.table) and that the user may read it` : `check ${key}.query`,
    }, { cause: err });
  }
  if (code === '42703') {
    return new CxpError('CXP_ERR_SOURCE_COLUMN_MISSING', `${where}: ${message(err)}`, { ...base, hint: `check ${key}.query and ${key}.columns` }, { cause: err });
  }
  if (code === '42501') {
    return new CxpError('CXP_ERR_SOURCE_UNAVAILABLE', `${where}: ${message(err)}`, { ...base, hint: 'grant the user SELECT on the table' }, { cause: err });
  }
  if (code?.startsWith('42')) {
    return new CxpError('CXP_ERR_CONFIG_INVALID', `${where}: the query failed: ${message(err)}`, { ...base, where: `${key}.query`, hint: `fix ${key}.query` }, { cause: err });
  }
  if (phase === 'connect') {
    return new CxpError('CXP_ERR_SOURCE_UNAVAILABLE', `${where}: cannot connect: ${message(err)}`, {
      ...base,
      hint: `check the host and port in ${urlHint}, that the server runs and accepts connections from here`,
    }, { cause: err });
  }
  return new CxpError(
    'CXP_ERR_SOURCE_UNAVAILABLE',
    `${where}: the connection failed after ${rowsSoFar} rows: ${message(err)}; nothing was loaded and the watermark was not moved`,
    { ...base, hint: 'run again: the next run reads from the same watermark' },
    { cause: err },
  );
}

async function storedWatermark(db: ConnDb, source: SourceName, sourceKey: string): Promise<string | undefined> {
  const row = await db.one<{ watermark: string }>(
    'select watermark from source_watermarks where source = $1 and source_key = $2',
    [source, sourceKey],
  );
  return row?.watermark;
}

/** Writes the new watermarks; call inside the transaction that lands the rows. */
export async function saveWatermarks(db: ConnDb, marks: PendingWatermark[], runId: string, now: Date): Promise<void> {
  for (const m of marks) {
    await db.run('delete from source_watermarks where source = $1 and source_key = $2', [m.source, m.sourceKey]);
    await db.run(
      `insert into source_watermarks (source, source_key, column_name, watermark, run_id, updated_at)
       values ($1, $2, $3, $4, $5, $6)`,
      [m.source, m.sourceKey, m.column, m.value, runId, now],
    );
  }
}

/** Pulls the source into cxp_raw; see the module comment. Throws a CxpError; cxp_raw may then be partial. */
export async function pullPostgres(db: ConnDb, opts: PullOptions): Promise<PostgresPull> {
  const { source, cfg } = opts;
  const url = resolvePostgresUrl(source, cfg.url ?? '');
  const where = describePostgres(url) + (cfg.table ? `/${cfg.table}` : ' (query)');
  // Loaded here, not at the top: a run without a database source does not pay for the driver.
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: Math.round((cfg.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_S) * 1000),
    application_name: `cxpulse ingest ${source}`,
  });
  // A dropped connection is also emitted as an 'error' event; the pending query rejects with the same
  // error and is handled below. Unhandled, the event would crash the process.
  client.on('error', () => undefined);
  let rows = 0;
  let phase: 'connect' | 'read' = 'connect';
  try {
    await client.connect();
    phase = 'read';
    await client.query("set time zone 'UTC'");
    await client.query('begin isolation level repeatable read read only');
    const rel = relationOf(cfg);
    const probe = await client.query(`select * from ${rel} as q limit 0`);
    const available = probe.fields.map((f) => f.name);
    const wanted = opts.wanted(available, where);

    let filter = '';
    const params: unknown[] = [];
    let from: string | undefined;
    const inc = cfg.incremental;
    let sourceKey = '';
    if (inc) {
      const field = probe.fields.find((f) => f.name === inc.column);
      if (!field) {
        throw new CxpError(
          'CXP_ERR_SOURCE_COLUMN_MISSING',
          `${where}: incremental column ${inc.column} not found; it has ${available.map((c) => JSON.stringify(c)).join(', ')}`,
          { where: `sources.${source}.incremental.column`, source, hint: 'name a column that grows when a row is inserted or changed, e.g. updated_at' },
        );
      }
      const isTime = TIME_TYPES.has(field.dataTypeID);
      if (!isTime && !NUMBER_TYPES.has(field.dataTypeID)) {
        throw new CxpError('CXP_ERR_CONFIG_INVALID', `${where}: incremental column ${inc.column} is neither a date/timestamp nor a number`, {
          where: `sources.${source}.incremental.column`,
          hint: 'use a timestamp (updated_at) or an increasing number (a version or sequence)',
        });
      }
      if (!isTime && inc.overlapMinutes > 0) {
        throw new CxpError('CXP_ERR_CONFIG_INVALID', `${where}: overlapMinutes needs a date/timestamp column, ${inc.column} is a number`, {
          where: `sources.${source}.incremental.overlapMinutes`,
          hint: 'remove overlapMinutes, or use a timestamp column',
        });
      }
      sourceKey = sourceKeyOf(describePostgres(url), cfg);
      from = opts.full ? undefined : await storedWatermark(db, source, sourceKey);
      if (from !== undefined) {
        const col = `q.${quoteIdent(inc.column)}`;
        const cond = isTime ? `${col} > $1::timestamptz - $2::double precision * interval '1 minute'` : `${col} > $1::numeric`;
        params.push(from, ...(isTime ? [inc.overlapMinutes] : []));
        // Line-grained sources read whole orders: an order with one changed line is summed again from all its lines.
        filter = opts.orderKeyColumn
          ? `where q.${quoteIdent(opts.orderKeyColumn)} in (select q.${quoteIdent(opts.orderKeyColumn)} from ${rel} as q where ${cond})`
          : `where ${cond}`;
      }
    }

    await db.run('drop table if exists cxp_raw');
    await db.run(`create temp table cxp_raw (${wanted.map((c) => `${quoteIdent(c)} varchar`).join(', ')})`);

    let newMark: string | undefined;
    if (inc) {
      const m = await client.query<{ wm: string | null }>(
        `select max(q.${quoteIdent(inc.column)})::text as wm from ${rel} as q ${filter}`,
        params,
      );
      newMark = m.rows[0]?.wm ?? undefined;
    }
    // Text out of PostgreSQL: the staging models parse and validate every value, as for a CSV.
    const select = wanted.map((c) => `q.${quoteIdent(c)}::text as ${quoteIdent(c)}`).join(', ');
    await client.query(`declare cxp_pull no scroll cursor for select ${select} from ${rel} as q ${filter}`, params);
    const batch = cfg.fetchRows ?? DEFAULT_FETCH_ROWS;
    for (;;) {
      if (opts.signal?.aborted) throw new CxpError('CXP_ERR_JOB_FAILED', 'ingest stopped: shutting down; the warehouse is unchanged');
      const res = await client.query({ text: `fetch forward ${batch} from cxp_pull`, rowMode: 'array' });
      if (res.rows.length === 0) break;
      const app = await db.connection.createAppender('cxp_raw', 'main', 'temp');
      try {
        for (const r of res.rows as (string | null)[][]) {
          for (const v of r) {
            if (v === null) app.appendNull();
            else app.appendVarchar(v);
          }
          app.endRow();
        }
        app.flushSync();
      } finally {
        app.closeSync();
      }
      rows += res.rows.length;
      opts.logger.debug('postgres rows fetched', { source, where, rows });
    }
    await client.query('commit');
    opts.logger.info('postgres source read', { source, where, rows, from: from ?? null, to: newMark ?? null });
    return {
      raw: { columns: wanted, fromSql: 'cxp_raw r', lineSql: '(r.rowid + 1)', rawSql: 'to_json(r)::varchar', rows, readerRejects: 0 },
      where,
      from,
      ...(inc && newMark !== undefined ? { watermark: { source, sourceKey, column: inc.column, value: newMark } } : {}),
    };
  } catch (err) {
    throw explain(err, source, cfg, where, phase, rows);
  } finally {
    await client.end().catch(() => undefined);
  }
}

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  DuckDBConnection,
  DuckDBDateValue,
  DuckDBInstance,
  DuckDBTimestampValue,
  type DuckDBResultReader,
  type DuckDBValue,
} from '@duckdb/node-api';
import { CxpError } from './errors.js';
import { describeHolder, lockHolderOf, stopHolderAdvice, type LockAdvice } from './warehouse-lock.js';

/**
 * A bound value: plain JS, converted to DuckDB values here (Date -> TIMESTAMP, bigint kept), or a DATE
 * made by sqlDate / asOfParam (pipelines/core/sql-date.ts), the one way a calendar date is bound.
 */
export type SqlValue = string | number | boolean | bigint | null | Date | DuckDBDateValue | SqlValue[];
export type SqlParams = SqlValue[] | Record<string, SqlValue>;
export type Row = Record<string, unknown>;

/** Everything that can run SQL: the warehouse itself, one connection, or a transaction. */
export interface Db {
  run(sql: string, params?: SqlParams): Promise<void>;
  all<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T[]>;
  one<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T | undefined>;
}

/** One connection (or transaction): adds the raw DuckDB connection for appenders and streaming. */
export interface ConnDb extends Db {
  readonly connection: DuckDBConnection;
}

function toDuckValue(v: SqlValue): DuckDBValue {
  if (v instanceof Date) return new DuckDBTimestampValue(BigInt(v.getTime()) * 1000n);
  if (Array.isArray(v)) return v.map(toDuckValue) as unknown as DuckDBValue;
  return v as DuckDBValue;
}

function toDuckParams(params?: SqlParams): DuckDBValue[] | Record<string, DuckDBValue> | undefined {
  if (params === undefined) return undefined;
  if (Array.isArray(params)) return params.map(toDuckValue);
  const out: Record<string, DuckDBValue> = {};
  for (const [k, v] of Object.entries(params)) out[k] = toDuckValue(v);
  return out;
}

/** JS values out: BIGINT/HUGEINT become numbers when exact, DECIMAL numbers, TIMESTAMP/DATE Dates. */
export function normaliseValue(v: unknown): unknown {
  if (typeof v === 'bigint') {
    return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
  }
  if (Array.isArray(v)) return v.map(normaliseValue);
  if (v !== null && typeof v === 'object' && !(v instanceof Date) && !(v instanceof Uint8Array)) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) o[k] = normaliseValue(x);
    return o;
  }
  return v;
}

function rowsOf<T>(result: DuckDBResultReader): T[] {
  const rows = result.getRowObjectsJS() as Row[];
  for (const r of rows) for (const k of Object.keys(r)) r[k] = normaliseValue(r[k]);
  return rows as T[];
}

class ConnectionDb implements ConnDb {
  constructor(readonly connection: DuckDBConnection) {}

  async run(sql: string, params?: SqlParams): Promise<void> {
    await this.connection.run(sql, toDuckParams(params));
  }

  async all<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    const result = await this.connection.runAndReadAll(sql, toDuckParams(params));
    return rowsOf<T>(result);
  }

  async one<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T | undefined> {
    const rows = await this.all<T>(sql, params);
    return rows[0];
  }
}

export interface OpenOptions {
  readOnly?: boolean;
  /** DuckDB settings, e.g. { threads: '2', memory_limit: '4GB' }. */
  settings?: Record<string, string>;
  /** What to tell the user when another process holds the file (the command knows; default: stop it). */
  onLocked?: LockAdvice;
}

/**
 * The embedded warehouse: one DuckDB file held by this process. Every call takes a connection and
 * closes it in `finally`, so concurrent API reads never share a transaction with a running job.
 */
export class Warehouse implements Db {
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
  ) {}

  static async open(path: string, opts: OpenOptions = {}): Promise<Warehouse> {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const options: Record<string, string> = { ...(opts.settings ?? {}) };
    if (opts.readOnly) options.access_mode = 'READ_ONLY';
    try {
      const instance = await DuckDBInstance.create(path, options);
      return new Warehouse(path, instance);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (/could not set lock|conflicting lock/i.test(message)) {
        const holder = lockHolderOf(path, message);
        throw new CxpError(
          'CXP_ERR_WAREHOUSE_LOCKED',
          `the warehouse ${path} is held by ${describeHolder(holder)}; DuckDB lets one process open it at a time`,
          { where: path, hint: (opts.onLocked ?? stopHolderAdvice)(holder), holder_pid: holder.pid ?? null },
          { cause: err },
        );
      }
      throw new CxpError('CXP_ERR_WAREHOUSE', `cannot open the warehouse ${path}: ${message}`, { where: path }, { cause: err });
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new CxpError('CXP_ERR_WAREHOUSE', `the warehouse ${this.path} is closed`);
  }

  async connect(): Promise<DuckDBConnection> {
    this.assertOpen();
    return this.instance.connect();
  }

  async withConnection<T>(fn: (db: ConnDb) => Promise<T>): Promise<T> {
    const conn = await this.connect();
    try {
      return await fn(new ConnectionDb(conn));
    } finally {
      conn.closeSync();
    }
  }

  /** Runs `fn` in one transaction: all of it lands, or none of it. */
  async transaction<T>(fn: (tx: ConnDb) => Promise<T>): Promise<T> {
    return this.withConnection(async (db) => {
      await db.run('begin transaction');
      try {
        const out = await fn(db);
        await db.run('commit');
        return out;
      } catch (err) {
        try {
          await db.run('rollback');
        } catch {
          // The transaction may already be aborted by DuckDB; the original error is what matters.
        }
        throw err;
      }
    });
  }

  async run(sql: string, params?: SqlParams): Promise<void> {
    return this.withConnection((db) => db.run(sql, params));
  }

  async all<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    return this.withConnection((db) => db.all<T>(sql, params));
  }

  async one<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T | undefined> {
    return this.withConnection((db) => db.one<T>(sql, params));
  }

  async tableExists(name: string): Promise<boolean> {
    const row = await this.one<{ n: number }>(
      "select count(*) as n from information_schema.tables where table_schema = 'main' and table_name = $name",
      { name },
    );
    return (row?.n ?? 0) > 0;
  }

  /** Writes buffered data to the database file, so a copy of it (BI tools) sees the latest state. */
  async checkpoint(): Promise<void> {
    await this.run('checkpoint');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.instance.closeSync();
  }
}

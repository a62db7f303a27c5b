import { statSync } from 'node:fs';
import type { Clock } from '../core/clock.js';
import { CxpError, isCxpError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { progressLine, type Progress } from '../core/progress.js';
import { quoteIdent } from '../core/sql-ident.js';
import type { ConnDb, Warehouse } from '../core/warehouse.js';
import type { Config, SourceConfig } from '../config/types.js';
import type { SourceName } from '../config/schema.js';
import { createBareCustomers, mergeSource } from './merge.js';
import { dropRawTables, readSourceFile } from './read-file.js';
import { verifyCompressed } from './compressed.js';
import { breakFree, formatOf, hashFile, listSourceFiles, trimSpaceOnly, type SourceFile } from './source-files.js';
import { LOAD_ORDER, PURCHASE_LINES_SPEC, SOURCE_SPECS, type SourceSpec } from './source-specs.js';
import { collapseLines, LINE_WEIGHT_COLUMN } from './line-items.js';
import { grainOf } from './source-options.js';
import { DERIVED_SIGNUP_NOTE, deriveSignupsFromPurchases } from './derived-customers.js';
import { rejectHint, topRejects, type TopReject } from './top-rejects.js';
import { createRawView, createStagingMacros, planColumns, scrubErasedFromRejects, setSourceVariables, stagedTable, stageFile } from './stage.js';
import { saveWatermarks, type PendingWatermark } from './postgres-source.js';
import { stagePostgresSource } from './stage-postgres.js';

/** Where a source's rows ended in one run. Invariant: read = loaded + updated + duplicate + rejected. */
export interface SourceCounts {
  read: number;
  loaded: number;
  updated: number;
  duplicate: number;
  rejected: number;
  /** Of `rejected`: rows whose key appears in the same file with different content (key-conflicts.ts). */
  conflicts: number;
  files: number;
  skipped_files: number;
  /**
   * surveys with answerColumns: answer cells read = valid + no_answer + rejected (no_answer: blank or a
   * no-answer code, loaded as NULL; rejected: cells of rejected rows).
   */
  answers?: { read: number; valid: number; no_answer: number; rejected: number };
}

export interface IngestSummary {
  sources: Partial<Record<SourceName, SourceCounts>>;
  bare_customers: number;
  /** Per source with rejected rows: the commonest reasons of this run's rejects (top-rejects.ts). */
  top_rejects?: Partial<Record<SourceName, TopReject[]>>;
  /** Things the user should know about how the data was read (e.g. customers derived from purchases). */
  notes?: string[];
  duration_ms: number;
}

export interface IngestOptions {
  warehouse: Warehouse;
  config: Pick<Config, 'sources'>;
  runId: string;
  clock: Clock;
  logger: Logger;
  signal?: AbortSignal;
  /** Read everything again: database sources ignore their watermark, files are read even when unchanged. */
  full?: boolean;
  /** A progress line for this many MB (every file's size); default: a terminal's (silent elsewhere). */
  progress?: (mb: number) => Progress;
}

/** A file's size in MB, 0 when it cannot be read (the reader reports that file's problem). */
function fileMb(path: string): number {
  try {
    return statSync(path).size / 2 ** 20;
  } catch {
    return 0;
  }
}

interface LoadedFile extends SourceFile {
  source: SourceName;
  rowsRead: number;
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n').find((l) => l.trim().length > 0)?.trim() ?? msg;
}

/**
 * Hashes every file of the run one after the other, starting at once: the hashing (main thread) then
 * overlaps DuckDB reading earlier files (its own threads), instead of adding to the run time.
 */
class HashQueue {
  private readonly byPath = new Map<string, Promise<SourceFile>>();
  /** `known`: files whose size and modification time match a loaded file; their recorded hash is reused. */
  constructor(paths: string[], known: Map<string, SourceFile> = new Map()) {
    let chain: Promise<unknown> = Promise.resolve();
    for (const p of paths) {
      if (this.byPath.has(p)) continue;
      const hit = known.get(p);
      if (hit) {
        this.byPath.set(p, Promise.resolve(hit));
        continue;
      }
      const next = chain.then(() => hashFile(p));
      // Marked handled here; the consumer awaiting get() still sees the rejection.
      next.catch(() => undefined);
      this.byPath.set(p, next);
      chain = next.catch(() => undefined);
    }
  }
  get(path: string): Promise<SourceFile> {
    return this.byPath.get(path) ?? hashFile(path);
  }
}

type IngestedFileRow = {
  source: string;
  file: string;
  sha256: string;
  bytes: number;
  modified_at: Date | null;
  changed_at: Date | null;
  ingested_at: Date;
};

/** What ingested_files records about the files of this run, read in one query (it was two per file). */
class IngestedBefore {
  private readonly byFile = new Map<string, IngestedFileRow[]>();

  private constructor(rows: IngestedFileRow[]) {
    for (const r of rows) {
      const known = this.byFile.get(r.file);
      if (known) known.push(r);
      else this.byFile.set(r.file, [r]);
    }
  }

  static async read(db: ConnDb, paths: string[]): Promise<IngestedBefore> {
    if (paths.length === 0) return new IngestedBefore([]);
    // The paths travel as one JSON list: a JS array has no DuckDB type to bind as.
    const rows = await db.all<IngestedFileRow>(
      `select source, file, sha256, bytes, modified_at, changed_at, ingested_at from ingested_files
       where file in (select unnest(from_json($1::varchar, '["VARCHAR"]')))`,
      [JSON.stringify([...new Set(paths)])],
    );
    return new IngestedBefore(rows);
  }

  /**
   * Files already loaded whose size, modification time and inode change time are all the same, with their
   * hash: re-reading gigabytes to prove a file unchanged would dominate an incremental run. The change time
   * moves on any write, rename-over or touch and cannot be set back, so only an untouched file matches.
   */
  unchangedByStat(paths: string[]): Map<string, SourceFile> {
    const out = new Map<string, SourceFile>();
    for (const path of new Set(paths)) {
      const st = statSync(path, { throwIfNoEntry: false });
      if (!st) continue;
      const modifiedMs = Math.floor(st.mtimeMs);
      const changedMs = Math.floor(st.ctimeMs);
      let latest: IngestedFileRow | undefined;
      for (const r of this.byFile.get(path) ?? []) {
        if (Number(r.bytes) !== st.size || r.modified_at?.getTime() !== modifiedMs || r.changed_at?.getTime() !== changedMs) continue;
        if (!latest || r.ingested_at > latest.ingested_at) latest = r;
      }
      if (latest) out.set(path, { path, bytes: st.size, sha256: latest.sha256, modifiedMs, changedMs });
    }
    return out;
  }

  /** Whether this source already loaded this file with this content. */
  has(source: string, path: string, sha256: string): boolean {
    return (this.byFile.get(path) ?? []).some((r) => r.source === source && r.sha256 === sha256);
  }
}

function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CxpError('CXP_ERR_JOB_FAILED', 'ingest stopped: shutting down; the warehouse is unchanged');
}

/** Reads and stages every new or changed file of one source into temp tables (the warehouse is untouched). */
async function stageSource(
  db: ConnDb,
  spec: SourceSpec,
  cfg: SourceConfig,
  /** meter: ticked with each file's size in MB once it is staged or skipped. */
  opts: IngestOptions & { meter: Progress; before: IngestedBefore },
  files: string[],
  hashes: HashQueue,
  loaded: LoadedFile[],
  marks: PendingWatermark[],
  keys: Map<SourceName, StagedKeys>,
): Promise<SourceCounts> {
  const counts: SourceCounts = { read: 0, loaded: 0, updated: 0, duplicate: 0, rejected: 0, conflicts: 0, files: files.length, skipped_files: 0 };
  await db.run(`drop table if exists ${quoteIdent(stagedTable(spec))}`);
  // A line-grained purchases source stages lines, summed into orders before the merge (line-items.ts).
  const lineGrain = isLineGrained(spec, cfg);
  const merged = spec;
  spec = lineGrain ? PURCHASE_LINES_SPEC : spec;
  const collapse = async (names: string[]): Promise<void> => {
    if (!lineGrain) return;
    const exists = await db.one('select 1 as x from duckdb_tables() where table_name = $1 and temporary', [stagedTable(merged)]);
    if (exists) counts.rejected += await collapseLines(db, stagedTable(merged), spec.source, names);
  };
  if (cfg.type === 'postgres') {
    const pull = await stagePostgresSource(db, spec, cfg, {
      full: Boolean(opts.full || cfg.fullReload),
      logger: opts.logger,
      signal: opts.signal,
      fileIdx: 0,
      orderKeyColumn: lineGrain ? (cfg.columns.order_id ?? 'order_id') : undefined,
      runDate: opts.clock.now(),
    });
    if (pull.watermark) marks.push(pull.watermark);
    await dropRawTables(db);
    counts.read = pull.read;
    counts.rejected = pull.rejected;
    counts.conflicts = pull.conflicts;
    counts.files = 1;
    await collapse([pull.where]);
    return counts;
  }
  const wanted = [
    ...spec.columns.map((c) => cfg.columns[c.name] ?? c.name),
    ...(cfg.answerColumns ?? []),
  ];
  for (const [idx, path] of files.entries()) {
    checkAbort(opts.signal);
    const f = await hashes.get(path);
    if (opts.before.has(spec.source, path, f.sha256) && !opts.full && !cfg.fullReload) {
      counts.skipped_files += 1;
      opts.logger.debug('file unchanged, skipped', { source: spec.source, file: path });
      opts.meter.tick(fileMb(path));
      continue;
    }
    if (f.bytes === 0) {
      throw new CxpError('CXP_ERR_SOURCE_MALFORMED', `${path}: the file is empty (0 bytes)`, {
        where: path,
        source: spec.source,
        hint: 'remove the file, or write at least its header line',
      });
    }
    await verifyCompressed(path, spec.source);
    try {
      const format = formatOf(spec.source, cfg, path);
      const raw = await readSourceFile(db, {
        source: spec.source,
        cfg,
        file: path,
        format,
        wanted,
        breakFree: breakFree(f, cfg.quote),
        spaceOnly: trimSpaceOnly(f, cfg.quote),
      });
      const plans = planColumns(spec, cfg, path, raw);
      await setSourceVariables(db, spec, cfg, plans, format === 'parquet' || format === 'jsonl');
      await createRawView(db, spec, cfg, raw, plans, idx);
      const { rejected, conflicts, repeatedKeys } = await stageFile(db, spec, cfg, raw, path, idx, opts.clock.now());
      const k = keys.get(spec.source) ?? { files: 0, repeatedKeys: 0 };
      keys.set(spec.source, { files: k.files + 1, repeatedKeys: k.repeatedKeys + repeatedKeys });
      const read = raw.rows + raw.readerRejects;
      counts.read += read;
      counts.rejected += raw.readerRejects + rejected;
      counts.conflicts += conflicts;
      if (conflicts > 0) {
        opts.logger.warn('key conflicts: rows sharing a key with different content in one file were rejected', {
          source: spec.source,
          file: path,
          rows: conflicts,
        });
      }
      if (spec.source === 'surveys' && (cfg.answerColumns?.length ?? 0) > 0) {
        counts.answers = await countAnswers(db, spec, idx, cfg.answerColumns!.length, read, raw.readerRejects + rejected, counts.answers);
      }
      loaded.push({ ...f, source: spec.source, rowsRead: read });
      opts.logger.debug('file staged', { source: spec.source, file: path, read, rejected: raw.readerRejects + rejected });
      // Counted once staged, so the rate and time left are of work done (counted at its start, the
      // first file read as thousands of MB/s).
      opts.meter.tick(fileMb(path));
    } catch (err) {
      if (isCxpError(err)) throw err;
      if (cfg.timestampFormat && /format specifier/i.test(String(err))) {
        throw new CxpError(
          'CXP_ERR_CONFIG_INVALID',
          `sources.${spec.source}.timestampFormat ${JSON.stringify(cfg.timestampFormat)} is not a valid strptime format: ${firstLine(err)}`,
          { where: `sources.${spec.source}.timestampFormat`, hint: 'use strptime specifiers such as %Y-%m-%d %H:%M:%S or %m/%d/%Y' },
          { cause: err },
        );
      }
      throw new CxpError('CXP_ERR_SOURCE_MALFORMED', `${path}: cannot be loaded: ${firstLine(err)}`, { where: path, source: spec.source }, { cause: err });
    }
  }
  await dropRawTables(db);
  await collapse(files);
  return counts;
}

/** What staging learnt about a file source's keys: files staged, and keys repeated within each of them. */
interface StagedKeys {
  files: number;
  repeatedKeys: number;
}

/** Per-answer accounting of one staged surveys file, added to `prev`. */
async function countAnswers(
  db: ConnDb,
  spec: SourceSpec,
  fileIdx: number,
  columns: number,
  rowsRead: number,
  rowsRejected: number,
  prev: SourceCounts['answers'],
): Promise<NonNullable<SourceCounts['answers']>> {
  const r = await db.one<{ valid: number | bigint | null; no_answer: number | bigint | null }>(
    `select sum(len(_answers)) as valid, sum(_answers_no_answer) as no_answer
     from ${quoteIdent(stagedTable(spec))} where _file_idx = $1 and reject_reason is null`,
    [fileIdx],
  );
  const p = prev ?? { read: 0, valid: 0, no_answer: 0, rejected: 0 };
  return {
    read: p.read + rowsRead * columns,
    valid: p.valid + Number(r?.valid ?? 0),
    no_answer: p.no_answer + Number(r?.no_answer ?? 0),
    rejected: p.rejected + rowsRejected * columns,
  };
}

function isLineGrained(spec: SourceSpec, cfg: SourceConfig): boolean {
  return spec.source === 'purchases' && grainOf(cfg) === 'line';
}

/**
 * The ingest: reads every configured source through DuckDB's readers into temp tables, then lands
 * everything in ONE transaction (rows, rejected rows, ingested_files). A failure or a kill at any point
 * leaves the warehouse exactly as it was; files already recorded with the same sha256 are skipped.
 */
export async function runIngest(opts: IngestOptions): Promise<IngestSummary> {
  const t0 = performance.now();
  return opts.warehouse.withConnection(async (db) => {
    await createStagingMacros(db);
    await db.run(
      'create or replace temp table cxp_rejects (source varchar, file varchar, line bigint, reason varchar, raw_row varchar)',
    );
    const sources: Partial<Record<SourceName, SourceCounts>> = {};
    const loaded: LoadedFile[] = [];
    const staged: SourceSpec[] = [];
    const marks: PendingWatermark[] = [];
    const keys = new Map<SourceName, StagedKeys>();
    const notes: string[] = [];
    const why: Partial<Record<SourceName, TopReject[]>> = {};
    try {
      const plan: { spec: SourceSpec; cfg: SourceConfig; files: string[] }[] = [];
      for (const name of LOAD_ORDER) {
        const cfg = opts.config.sources[name];
        if (!cfg) continue;
        plan.push({ spec: SOURCE_SPECS[name], cfg, files: cfg.type === 'postgres' ? [] : await listSourceFiles(db, name, cfg) });
      }
      const allFiles = plan.flatMap((p) => p.files);
      const before = await IngestedBefore.read(db, allFiles);
      const hashes = new HashQueue(allFiles, before.unchangedByStat(allFiles));
      // On a terminal: MB read so far, MB/s and the time left (silent otherwise).
      const totalMb = allFiles.reduce((a, f) => a + fileMb(f), 0);
      const meter = opts.progress ? opts.progress(totalMb) : progressLine('ingest', totalMb, { unit: 'MB' });
      try {
        for (const { spec, cfg, files } of plan) {
          sources[spec.source] = await stageSource(db, spec, cfg, { ...opts, meter, before }, files, hashes, loaded, marks, keys);
          staged.push(spec);
        }
      } finally {
        meter.done();
      }
      checkAbort(opts.signal);

      let bare = 0;
      // Tests that kill the process mid-transaction wait for this line.
      opts.logger.debug('ingest: landing staged rows in one transaction', { files: loaded.length });
      // Row order mattered for line numbers while staging; the merge is faster without it.
      await db.run('set session preserve_insertion_order = false');
      await db.run('begin transaction');
      try {
        for (const spec of staged) {
          const exists = await db.one<{ n: number }>(
            'select count(*) as n from duckdb_tables() where table_name = $1 and temporary',
            [stagedTable(spec)],
          );
          if (!exists?.n) continue;
          const withAnswers = spec.source === 'surveys' && (opts.config.sources.surveys?.answerColumns?.length ?? 0) > 0;
          const cfg = opts.config.sources[spec.source]!;
          const lineGrain = isLineGrained(spec, cfg);
          // One file staged, with every key unique in it: no key repeats in the batch (the merge skips that test).
          const k = keys.get(spec.source);
          const uniqueKeys = !lineGrain && k?.files === 1 && k.repeatedKeys === 0;
          const m = await mergeSource(db, spec, opts.runId, withAnswers, opts.clock.now(), lineGrain ? LINE_WEIGHT_COLUMN : undefined, uniqueKeys);
          Object.assign(sources[spec.source]!, m);
          if (spec.source !== 'customers') bare += await createBareCustomers(db, spec, opts.runId);
          // Free the staged rows before the next source (memory).
          await db.run(`drop table ${quoteIdent(stagedTable(spec))}`);
        }
        if (!opts.config.sources.customers && opts.config.sources.purchases) {
          const dated = await deriveSignupsFromPurchases(db);
          if (dated > 0 || bare > 0) {
            notes.push(DERIVED_SIGNUP_NOTE);
            opts.logger.info(DERIVED_SIGNUP_NOTE, { customers: dated });
          }
        }
        const now = opts.clock.now();
        await scrubErasedFromRejects(db);
        for (const [source, top] of Object.entries(await topRejects(db))) {
          why[source as SourceName] = top.map((t) => {
            const hint = rejectHint(source, t.reason, opts.config.sources[source as SourceName]);
            return hint ? { ...t, hint } : t;
          });
        }
        await db.run(
          `insert into rejected_rows (run_id, source, file, line, reason, raw_row, rejected_at)
           select $1, source, file, line, reason, raw_row, $2 from cxp_rejects order by source, file, line`,
          [opts.runId, now],
        );
        for (const f of loaded) {
          await db.run(
            `insert into ingested_files (source, file, sha256, bytes, rows_read, run_id, ingested_at, modified_at, changed_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
            [f.source, f.path, f.sha256, f.bytes, f.rowsRead, opts.runId, now, new Date(f.modifiedMs), new Date(f.changedMs)],
          );
        }
        // Database watermarks move with the rows they cover, in this transaction.
        await saveWatermarks(db, marks, opts.runId, now);
        await db.run('commit');
      } catch (err) {
        await db.run('rollback').catch(() => undefined);
        throw err;
      }
      for (const [name, c] of Object.entries(sources)) {
        if (c.read !== c.loaded + c.updated + c.duplicate + c.rejected) {
          // Cannot happen by construction; if it ever does, say so loudly rather than report wrong counts.
          opts.logger.error('ingest counts do not add up', { source: name, ...c });
        }
      }
      return {
        sources,
        bare_customers: bare,
        ...(Object.keys(why).length ? { top_rejects: why } : {}),
        ...(notes.length ? { notes } : {}),
        duration_ms: Math.round(performance.now() - t0),
      };
    } finally {
      for (const spec of staged) await db.run(`drop table if exists ${quoteIdent(stagedTable(spec))}`).catch(() => undefined);
      await db.run('drop table if exists cxp_rejects').catch(() => undefined);
      await db.run('reset session preserve_insertion_order').catch(() => undefined);
      await db.run('reset session TimeZone').catch(() => undefined);
    }
  });
}

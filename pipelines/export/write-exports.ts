import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, rmdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../core/atomic-file.js';
import { CxpError } from '../core/errors.js';
import { silentProgress, type Progress } from '../core/progress.js';
import { quoteIdent, quoteLiteral } from '../core/sql-ident.js';
import type { SqlValue, Warehouse } from '../core/warehouse.js';
import { sqlDate } from '../core/sql-date.js';
import { projectColumns, type ProjectedColumn } from './bi-types.js';
import type { ExportDataset } from './datasets.js';

/**
 * COPY options of every exported file. Snappy, not zstd: every Parquet reader BI tools embed decodes it
 * (the independent reader in the tests, hyparquet, needs an add-on for zstd); the files are a little larger.
 */
export const PARQUET_COPY_OPTIONS = 'format parquet, compression snappy';

/** Where a file sits in the layout (README "Exports for BI tools"). */
export type FileKind = 'events' | 'latest' | 'history';

/** One Parquet file. The manifest always lists exactly the files in place, with their content. */
export interface ManifestEntry {
  dataset: string;
  kind: FileKind;
  /** The hive partition of the file: {ordered_month: '2026-01'} or {as_of: '2026-09-30'}; null for latest/. */
  partition: Record<string, string> | null;
  /** The as-of the rows describe (latest/ and history/); null for event partitions, which are not tied to one. */
  as_of: string | null;
  path: string;
  rows: number;
  /** The in-file schema, as DuckDB reads it back (partition columns are not in the file). */
  columns: { name: string; type: string }[];
  sha256: string;
  /** Rows, content hash and schema of what the file was written from: unchanged partitions are not rewritten. */
  fingerprint: string;
  written_at: string;
  run_id: string;
  /** The as-of of the run that wrote the file. */
  run_as_of: string;
}

export interface Manifest {
  generated_at: string;
  /** The newest as-of exported: what latest/ holds. */
  latest_as_of: string | null;
  datasets: ManifestEntry[];
}

export function sha256File(path: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (c) => h.update(c))
      .on('end', () => resolvePromise(h.digest('hex')))
      .on('error', reject);
  });
}

export function readManifest(dir: string): Manifest {
  const p = join(dir, 'manifest.json');
  if (!existsSync(p)) return { generated_at: '', latest_as_of: null, datasets: [] };
  const m = JSON.parse(readFileSync(p, 'utf8')) as Partial<Manifest>;
  return { generated_at: m.generated_at ?? '', latest_as_of: m.latest_as_of ?? null, datasets: m.datasets ?? [] };
}

export function writeManifest(dir: string, manifest: Manifest): void {
  writeFileAtomic(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
}

/** The folder of a dataset's files, relative to the exports dir; a glob below it never double-counts. */
export function datasetFolder(ds: ExportDataset, kind: FileKind): string {
  return `${kind}/${ds.name}`;
}

/** The hive key of an event dataset's partitions: ordered_at -> ordered_month. */
export function eventPartitionKey(timeColumn: string): string {
  return `${timeColumn.replace(/_(at|on)$/, '')}_month`;
}

/** A file to write: the rows of `source` matching `where`, projected to BI types. */
interface Planned {
  ds: ExportDataset;
  kind: FileKind;
  partition: Record<string, string> | null;
  asOf: string | null;
  path: string;
  fingerprint: string;
  sql: string;
  params: SqlValue[];
  /**
   * Partitions of one dataset written by one COPY ... PARTITION_BY (one scan of the table instead of one
   * per partition): `select` projects the in-file columns plus `keyExpr` as __cxp_part; `key` is this
   * file's value of it.
   */
  batch?: { id: string; select: string; keyExpr: string; key: string };
  /** Same query as the file at this path (a snapshot's latest/ without an as-of column): copied from it when both are written. */
  sameAs?: string;
}

type Part = { key: string | null; n: number; h: string };

function schemaKey(projection: ProjectedColumn[]): string {
  return createHash('sha256').update(projection.map((p) => p.expr).join('\n')).digest('hex').slice(0, 16);
}

/** Order-independent content hash per group: count and the sum of row hashes (duplicates counted). */
async function fingerprints(wh: Warehouse, source: string, groupExpr: string | null, cols: string[], where: string, params: SqlValue[]): Promise<Part[]> {
  const hashArgs = cols.map((c) => quoteIdent(c)).join(', ');
  const key = groupExpr ?? 'null';
  return wh.all<Part>(
    `select ${key}::varchar as key, count(*)::bigint as n, coalesce(sum(hash(${hashArgs})), 0)::varchar as h
     from ${source} where ${where} group by all order by 1`,
    params,
  );
}

/**
 * Exports the datasets in the layout of datasets.ts, then writes `manifest.json`. Every file is written
 * to a temp name first; only when all succeeded are they renamed into place, partitions that no longer
 * exist removed, and the manifest rewritten, so a failed export leaves the previous files and manifest
 * as they were. Unchanged partitions (same fingerprint, file present) are left alone.
 *
 * A run whose as-of is earlier than one already exported writes (or replaces) that as-of's history
 * partitions and leaves latest/ on the newest as-of.
 */
export async function writeExports(
  warehouse: Warehouse,
  datasets: ExportDataset[],
  /** progress: a progress line for this many files to write (a terminal's); none when omitted. */
  opts: { dir: string; asOf: string; includePii: boolean; runId: string; now: Date; progress?: (files: number) => Progress },
): Promise<{
  written: ManifestEntry[];
  unchanged: number;
  removed: string[];
  skipped: string[];
  manifest: Manifest;
  /** In-file schema of partitioned datasets, which may have no file at all (the catalog types their view). */
  schemas: Record<string, { name: string; type: string }[]>;
}> {
  const old = readManifest(opts.dir);
  const oldByPath = new Map(old.datasets.map((e) => [e.path, e]));
  const skipped: string[] = [];
  const planned: Planned[] = [];
  const kept: ManifestEntry[] = [];
  const toRemove = new Set<string>();
  // Files of the earlier layout (<dataset>/as_of=<date>/, a full copy per run) are what made globs
  // double-count: they are removed once the new layout is in place.
  for (const e of old.datasets) if (!('kind' in e) || !e.kind) toRemove.add(e.path);
  const latestAsOf = old.latest_as_of && old.latest_as_of > opts.asOf ? old.latest_as_of : opts.asOf;

  const exported = new Set<string>();
  const schemas: Record<string, { name: string; type: string }[]> = {};
  // Each dataset's columns and fingerprints (a scan of its table) are read EXPORT_PARALLEL datasets at a
  // time; what to write is then decided in dataset order.
  type Read = { schema?: { name: string; type: string }[]; plans: Planned[] } | null;
  const reads: Read[] = new Array(datasets.length).fill(null);
  const readDataset = async (ds: ExportDataset): Promise<Read> => {
    if (!(await warehouse.tableExists(ds.table))) return null;
    const cols = await warehouse.all<{ column_name: string; data_type: string }>(
      `select column_name, data_type from information_schema.columns
       where table_schema = 'main' and table_name = $1 order by ordinal_position`,
      [ds.table],
    );
    const drop = new Set([...(ds.internalColumns ?? []), ...(opts.includePii ? [] : (ds.piiColumns ?? []))]);
    const keep = cols.filter((c) => !drop.has(c.column_name)).map((c) => ({ name: c.column_name, type: c.data_type }));
    if (ds.layout.kind === 'events') {
      for (const c of ds.layout.time.from?.carry ?? []) if (!keep.some((k) => k.name === c.name)) keep.push(c);
    }
    let schema: { name: string; type: string }[] | undefined;
    if (ds.layout.kind === 'events' || ds.layout.kind === 'asof_history') {
      const asOfColumn = ds.layout.kind === 'asof_history' ? ds.layout.asOfColumn : undefined;
      const inFile = projectColumns(ds, keep.filter((c) => c.name !== asOfColumn));
      const described = await warehouse.all<{ column_name: string; column_type: string }>(
        `describe select ${inFile.map((c) => c.expr).join(', ')} from ${sourceOf(ds)}`,
      );
      schema = described.map((c) => ({ name: c.column_name, type: c.column_type }));
    }
    const hasLatest = old.datasets.some((e) => e.dataset === ds.name && e.kind === 'latest');
    return { schema, plans: await planDataset(warehouse, ds, keep, opts.asOf, latestAsOf, hasLatest) };
  };
  await runLimited(
    datasets.map((ds, i) => async () => {
      reads[i] = await readDataset(ds);
    }),
    EXPORT_PARALLEL,
  );
  for (const [i, ds] of datasets.entries()) {
    const read = reads[i];
    if (read === null) {
      skipped.push(ds.name);
      continue;
    }
    exported.add(ds.name);
    if (read.schema) schemas[ds.name] = read.schema;
    const plansOfDs = read.plans;
    const wanted = new Set(plansOfDs.map((p) => p.path));
    for (const p of plansOfDs) {
      const prev = oldByPath.get(p.path);
      if (prev && prev.kind && prev.fingerprint === p.fingerprint && existsSync(join(opts.dir, p.path))) kept.push(prev);
      else planned.push(p);
    }
    // Partitions the warehouse no longer has (every row erased, a month emptied): removed. latest/ and the
    // history of other as-ofs of a snapshot dataset stay.
    for (const e of old.datasets) {
      if (e.dataset !== ds.name || !e.kind || wanted.has(e.path)) continue;
      const stays = ds.layout.kind === 'snapshot' || (e.kind === 'latest' && ds.layout.kind !== 'current');
      if (stays) kept.push(e);
      else toRemove.add(e.path);
    }
  }

  const staged: { entry: ManifestEntry; tmp: string; target: string }[] = [];
  const stagingDirs: string[] = [];
  const written: ManifestEntry[] = [];
  let complete = false;
  let manifest = old;
  const entryOf = (p: Planned, rows: number, columns: ManifestEntry['columns'], sha256: string): ManifestEntry => ({
    dataset: p.ds.name,
    kind: p.kind,
    partition: p.partition,
    as_of: p.asOf,
    path: p.path,
    rows,
    columns,
    sha256,
    fingerprint: p.fingerprint,
    written_at: opts.now.toISOString(),
    run_id: opts.runId,
    run_as_of: opts.asOf,
  });
  // On a terminal: files written of those this run writes, and the time left.
  const progress = opts.progress?.(planned.length) ?? silentProgress;
  const failed = (p: Planned, where: string, err: unknown) =>
    new CxpError('CXP_ERR_EXPORT_FAILED', `export of ${p.ds.name} failed: ${(err as Error).message}`, {
      where,
      hint: 'check that the exports folder is writable and has space; the previous export is unchanged',
    });
  const writeSingle = async (p: Planned) => {
    const target = join(opts.dir, p.path);
    const tmp = `${target}.tmp-${process.pid}`;
    mkdirSync(dirname(target), { recursive: true });
    // The same rows and columns as a file this run has already written (customers' history and latest/):
    // a byte copy, not a second COPY.
    const twin = p.sameAs === undefined ? undefined : staged.find((x) => x.entry?.path === p.sameAs);
    if (twin) {
      staged.push({ entry: undefined as unknown as ManifestEntry, tmp, target });
      try {
        copyFileSync(twin.tmp, tmp);
      } catch (err) {
        throw failed(p, target, err);
      }
      staged[staged.length - 1].entry = { ...entryOf(p, twin.entry.rows, twin.entry.columns, twin.entry.sha256) };
      progress.tick(1);
      return;
    }
    const slot = staged.push({ entry: undefined as unknown as ManifestEntry, tmp, target }) - 1;
    let stats: { count: number }[];
    try {
      // COPY takes no bound parameter for its target; the path is ours, quoted as a literal.
      stats = await warehouse.all(`copy (${p.sql}) to ${quoteLiteral(tmp)} (${PARQUET_COPY_OPTIONS}, return_stats)`, p.params);
    } catch (err) {
      throw failed(p, target, err);
    }
    staged[slot].entry = entryOf(p, Number(stats[0]?.count ?? 0), await describeFile(warehouse, tmp), await sha256File(tmp));
    progress.tick(1);
  };
  // One COPY keeps DuckDB's threads only partly busy (small files, the ordered Parquet writer), so
  // files are written EXPORT_PARALLEL at a time, each on its own connection.
  const writeBatch = async (id: string, plans: Planned[], leftovers: Planned[]) => {
    // A folder beside the dataset's: its files are `*.tmp-<pid>` like every temp file (forget removes them).
    const stage = join(opts.dir, `${id}.tmp-${process.pid}`);
    stagingDirs.push(stage);
    const keys = plans.map((p) => p.batch!.key);
    let stats: { filename: string; count: number; partition_keys: { key: string; value: string }[] }[];
    try {
      mkdirSync(stage, { recursive: true });
      stats = await warehouse.all(
        `copy (select * from (${plans[0].batch!.select}) where __cxp_part in (${keys.map((_, i) => `$${i + 1}`).join(', ')}))
         to ${quoteLiteral(stage)} (${PARQUET_COPY_OPTIONS}, partition_by (__cxp_part), filename_pattern 'data{i}',
           file_extension ${quoteLiteral(`parquet.tmp-${process.pid}`)}, return_stats)`,
        keys,
      );
    } catch (err) {
      throw failed(plans[0], join(opts.dir, id), err);
    }
    const files = new Map<string, { filename: string; count: number }[]>();
    for (const r of stats) {
      const key = String(r.partition_keys.find((k) => k.key === '__cxp_part')?.value);
      files.set(key, [...(files.get(key) ?? []), r]);
    }
    // Every file of one COPY has the same columns: the schema as any reader sees it, read once.
    let schema: ManifestEntry['columns'] | undefined;
    for (const p of plans) {
      const out = files.get(p.batch!.key);
      // DuckDB splits a partition over several files when it holds too many open at once: those
      // partitions are written one COPY each below, like any other file.
      if (out?.length !== 1) {
        leftovers.push(p);
        continue;
      }
      const tmp = out[0].filename;
      schema ??= await describeFile(warehouse, tmp);
      const target = join(opts.dir, p.path);
      mkdirSync(dirname(target), { recursive: true });
      staged.push({ entry: entryOf(p, Number(out[0].count), schema, await sha256File(tmp)), tmp, target });
      progress.tick(1);
    }
  };
  try {
    const batches = new Map<string, Planned[]>();
    const tasks: (() => Promise<void>)[] = [];
    const plannedPaths = new Set(planned.map((p) => p.path));
    // A byte copy of a file this run writes goes right after that file, in the same task.
    const twins = new Map<string, Planned[]>();
    for (const p of planned) {
      if (p.batch) batches.set(p.batch.id, [...(batches.get(p.batch.id) ?? []), p]);
      else if (p.sameAs !== undefined && plannedPaths.has(p.sameAs)) twins.set(p.sameAs, [...(twins.get(p.sameAs) ?? []), p]);
    }
    for (const p of planned) {
      if (p.batch || (p.sameAs !== undefined && plannedPaths.has(p.sameAs))) continue;
      tasks.push(async () => {
        await writeSingle(p);
        for (const twin of twins.get(p.path) ?? []) await writeSingle(twin);
      });
    }
    // Partitioned datasets: the changed partitions of each in one COPY ... PARTITION_BY (one scan), each
    // file still staged under a temp name and renamed into place with the others below.
    const leftovers: Planned[] = [];
    for (const [id, plans] of batches) tasks.push(() => writeBatch(id, plans, leftovers));
    await runLimited(tasks, EXPORT_PARALLEL);
    await runLimited(leftovers.map((p) => () => writeSingle(p)), EXPORT_PARALLEL);
    // Renamed (and listed) in path order, whatever order the writes finished in.
    staged.sort((a, b) => a.target.localeCompare(b.target));
    for (const s of staged) {
      try {
        renameSync(s.tmp, s.target);
      } catch (err) {
        throw new CxpError('CXP_ERR_EXPORT_FAILED', `cannot move the export into place: ${(err as Error).message}`, {
          where: s.target,
          hint: 'something other than a file is at that path; remove it and run `cxpulse run export`',
        });
      }
      written.push(s.entry);
    }
    complete = true;
  } finally {
    progress.done();
    for (const s of staged) {
      try {
        rmSync(s.tmp, { force: true });
      } catch {
        // Not a file we wrote (e.g. a directory in the way): leave it; the original error is what matters.
      }
    }
    for (const d of stagingDirs) rmSync(d, { recursive: true, force: true });
    // Whatever was moved into place is described, even if a later move failed; nothing is removed then.
    if (written.length > 0 || complete) {
      const writtenPaths = new Set(written.map((w) => w.path));
      const removed = complete ? toRemove : new Set<string>();
      const carried = complete
        ? [...kept, ...old.datasets.filter((e) => e.kind && !exported.has(e.dataset))]
        : old.datasets.filter((e) => !writtenPaths.has(e.path));
      const entries = [...carried.filter((e) => !writtenPaths.has(e.path) && !removed.has(e.path)), ...written].sort((a, b) => a.path.localeCompare(b.path));
      manifest = {
        generated_at: opts.now.toISOString(),
        latest_as_of: complete ? latestAsOf : old.latest_as_of,
        datasets: entries,
      };
      writeManifest(opts.dir, manifest);
      for (const path of removed) removeFile(opts.dir, path);
    }
  }
  return { written, unchanged: kept.length, removed: [...toRemove], skipped, manifest, schemas };
}

/** Files written at once (each COPY on its own connection). */
export const EXPORT_PARALLEL = 2;

/** Runs the tasks, at most `limit` at a time; the first failure is thrown once all running ones settle. */
async function runLimited(tasks: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined && next < tasks.length) {
      const task = tasks[next++];
      try {
        await task();
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  if (failure !== undefined) throw failure;
}

/** The in-file schema as any reader sees it (hive detection off: the partition is not in the file). */
async function describeFile(wh: Warehouse, path: string): Promise<ManifestEntry['columns']> {
  const schema = await wh.all<{ column_name: string; column_type: string }>(
    `describe select * from read_parquet(${quoteLiteral(path)}, hive_partitioning = false)`,
  );
  return schema.map((c) => ({ name: c.column_name, type: c.column_type }));
}

/** Removes a file and the partition folders it leaves empty, up to the exports dir. */
function removeFile(dir: string, path: string): void {
  rmSync(join(dir, path), { force: true });
  let folder = dirname(join(dir, path));
  while (folder.startsWith(dir) && folder !== dir) {
    if (!existsSync(folder) || readdirSync(folder).length > 0) break;
    rmdirSync(folder);
    folder = dirname(folder);
  }
}

/**
 * What a dataset's rows are read from: the table, and for event datasets the event time as __event_at,
 * taken from the row itself or from the table it belongs to (an answer's survey, with carried columns).
 */
function sourceOf(ds: ExportDataset): string {
  const table = quoteIdent(ds.table);
  const l = ds.layout;
  if (l.kind !== 'events') return table;
  if (!l.time.from) return `(select *, ${quoteIdent(l.time.column)} as __event_at from ${table})`;
  const key = quoteIdent(l.time.from.key);
  const carried = (l.time.from.carry ?? []).map((c) => `, b.${quoteIdent(c.name)}`).join('');
  return `(select a.*${carried}, b.${quoteIdent(l.time.column)} as __event_at from ${table} a left join ${quoteIdent(l.time.from.table)} b on b.${key} = a.${key})`;
}

/** The files a dataset should have now, each with the query that writes it and its fingerprint. */
async function planDataset(
  wh: Warehouse,
  ds: ExportDataset,
  columns: { name: string; type: string }[],
  asOf: string,
  latestAsOf: string,
  hasLatest: boolean,
): Promise<Planned[]> {
  const layout = ds.layout;
  const table = quoteIdent(ds.table);
  const names = columns.map((c) => c.name);
  const base = { ds };
  if (layout.kind === 'events') {
    const projection = projectColumns(ds, columns);
    const key = eventPartitionKey(layout.time.column);
    const folder = datasetFolder(ds, 'events');
    const source = sourceOf(ds);
    const monthExpr = `strftime(date_trunc('month', __event_at), '%Y-%m')`;
    // The partition value of every row, as its path says it: the month, or 'unknown' without an event time.
    const monthKey = `coalesce(${monthExpr}, 'unknown')`;
    const parts = await fingerprints(wh, source, monthExpr, names, 'true', []);
    return parts.map((p) => {
      const month = p.key ?? 'unknown';
      const where = p.key === null ? '__event_at is null' : `__event_at >= $1 and __event_at < $1 + interval 1 month`;
      return {
        ...base,
        kind: 'events' as const,
        partition: { [key]: month },
        asOf: null,
        path: `${folder}/${key}=${month}/data.parquet`,
        fingerprint: `${p.n}:${p.h}:${schemaKey(projection)}`,
        sql: `select ${projection.map((c) => c.expr).join(', ')} from ${source} where ${where}`,
        params: p.key === null ? [] : [sqlDate(`${month}-01`)],
        batch: { id: folder, select: `select ${projection.map((c) => c.expr).join(', ')}, ${monthKey} as __cxp_part from ${source}`, keyExpr: monthKey, key: month },
      };
    });
  }
  if (layout.kind === 'asof_history') {
    const inFile = columns.filter((c) => c.name !== layout.asOfColumn);
    const projection = projectColumns(ds, inFile);
    const asOfCol = quoteIdent(layout.asOfColumn);
    const dayKey = `strftime(${asOfCol}, '%Y-%m-%d')`;
    const parts = await fingerprints(wh, table, dayKey, names, `${asOfCol} is not null`, []);
    return parts.map((p) => ({
      ...base,
      kind: 'history' as const,
      partition: { as_of: p.key! },
      asOf: p.key,
      path: `${datasetFolder(ds, 'history')}/as_of=${p.key}/data.parquet`,
      fingerprint: `${p.n}:${p.h}:${schemaKey(projection)}`,
      sql: `select ${projection.map((c) => c.expr).join(', ')} from ${table} where ${asOfCol} = $1`,
      params: [sqlDate(p.key!)],
      batch: {
        id: datasetFolder(ds, 'history'),
        select: `select ${projection.map((c) => c.expr).join(', ')}, ${dayKey} as __cxp_part from ${table} where ${asOfCol} is not null`,
        keyExpr: dayKey,
        key: p.key!,
      },
    }));
  }
  if (layout.kind === 'current') {
    const projection = projectColumns(ds, columns);
    const [p] = await fingerprints(wh, table, null, names, 'true', []);
    return [{
      ...base,
      kind: 'latest',
      partition: null,
      asOf: null,
      path: `${datasetFolder(ds, 'latest')}/data.parquet`,
      fingerprint: `${p?.n ?? 0}:${p?.h ?? 0}:${schemaKey(projection)}`,
      sql: `select ${projection.map((c) => c.expr).join(', ')} from ${table}`,
      params: [],
    }];
  }
  // snapshot: history for the run's as-of (without an as-of column of its own: the partition says it),
  // latest/ with every column when this as-of is the newest.
  const notAfter = (layout.notAfter ?? []).map((c) => `(${quoteIdent(c)} is null or ${quoteIdent(c)} < $1 + interval 1 day)`);
  const where = notAfter.length ? notAfter.join(' and ') : 'true';
  const params: SqlValue[] = notAfter.length ? [sqlDate(asOf)] : [];
  const [p] = await fingerprints(wh, table, null, names, where, params);
  const history = projectColumns(ds, columns.filter((c) => c.name !== layout.asOfColumn));
  const latest = projectColumns(ds, columns);
  const out: Planned[] = [{
    ...base,
    kind: 'history',
    partition: { as_of: asOf },
    asOf,
    path: `${datasetFolder(ds, 'history')}/as_of=${asOf}/data.parquet`,
    fingerprint: `${p?.n ?? 0}:${p?.h ?? 0}:${schemaKey(history)}`,
    sql: `select ${history.map((c) => c.expr).join(', ')} from ${table} where ${where}`,
    params,
  }];
  if (asOf >= latestAsOf || !hasLatest) {
    out.push({
      ...base,
      kind: 'latest',
      partition: null,
      asOf,
      path: `${datasetFolder(ds, 'latest')}/data.parquet`,
      fingerprint: `${asOf}:${p?.n ?? 0}:${p?.h ?? 0}:${schemaKey(latest)}`,
      sql: `select ${latest.map((c) => c.expr).join(', ')} from ${table} where ${where}`,
      params,
      ...(layout.asOfColumn === undefined ? { sameAs: out[0].path } : {}),
    });
  }
  return out;
}

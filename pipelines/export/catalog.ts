import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CxpError } from '../core/errors.js';
import { quoteIdent, quoteLiteral } from '../core/sql-ident.js';
import { Warehouse, type Db } from '../core/warehouse.js';
import { insertRows } from '../core/insert-rows.js';
import { sqlDate } from '../core/sql-date.js';
import type { ExportDataset } from './datasets.js';
import { ddlColumnComments } from './ddl-comments.js';
import { datasetFolder, eventPartitionKey, type FileKind, type Manifest } from './write-exports.js';

export const CATALOG_FILE = 'cxpulse.duckdb';

/** One view of the catalog: a dataset's files of one kind, and the hive partition it carries. */
export interface CatalogView {
  view: string;
  dataset: ExportDataset;
  kind: FileKind;
  /** Relative to the exports dir. */
  glob: string;
  partition: { name: string; type: 'DATE' | 'VARCHAR' } | null;
}

/**
 * Views, one per dataset and meaning: events by name (purchases), snapshots as <name> (latest/) and
 * <name>_history (every as-of), as-of histories and registries by name.
 */
export function catalogViews(datasets: ExportDataset[]): CatalogView[] {
  const out: CatalogView[] = [];
  for (const ds of datasets) {
    const l = ds.layout;
    if (l.kind === 'events') {
      out.push({ view: ds.name, dataset: ds, kind: 'events', glob: `${datasetFolder(ds, 'events')}/*/*.parquet`, partition: { name: eventPartitionKey(l.time.column), type: 'VARCHAR' } });
    } else if (l.kind === 'current') {
      out.push({ view: ds.name, dataset: ds, kind: 'latest', glob: `${datasetFolder(ds, 'latest')}/*.parquet`, partition: null });
    } else if (l.kind === 'asof_history') {
      out.push({ view: ds.name, dataset: ds, kind: 'history', glob: `${datasetFolder(ds, 'history')}/*/*.parquet`, partition: { name: 'as_of', type: 'DATE' } });
    } else {
      out.push({ view: ds.name, dataset: ds, kind: 'latest', glob: `${datasetFolder(ds, 'latest')}/*.parquet`, partition: null });
      out.push({ view: `${ds.name}_history`, dataset: ds, kind: 'history', glob: `${datasetFolder(ds, 'history')}/*/*.parquet`, partition: { name: 'as_of', type: 'DATE' } });
    }
  }
  return out;
}

/** The read_parquet call of a view: relative glob, hive partition typed, schemas merged by name. */
export function viewSource(v: CatalogView): string {
  const hive = v.partition
    ? `hive_partitioning = true, hive_types_autocast = false, hive_types = {${quoteLiteral(v.partition.name)}: ${v.partition.type}}`
    : 'hive_partitioning = false';
  return `read_parquet(${quoteLiteral(v.glob)}, ${hive}, union_by_name = true)`;
}

/**
 * Writes <dir>/cxpulse.duckdb: views over the Parquet files by relative path (the folder can move; a
 * reader resolves them from its working directory or its `file_search_path`), with comments on views
 * and columns, plus `cxpulse_datasets` and `cxpulse_files` describing what is there. Written to a temp
 * file and renamed, so a BI tool that has the previous catalog open keeps reading it undisturbed.
 * `emptySchemas` types the views of datasets that have no file yet (an event table with no rows).
 */
export async function writeCatalog(
  dir: string,
  datasets: ExportDataset[],
  manifest: Manifest,
  emptySchemas: Record<string, { name: string; type: string }[]>,
): Promise<{ path: string; views: string[] }> {
  const target = join(dir, CATALOG_FILE);
  const tmp = `${target}.tmp-${process.pid}`;
  rmSync(tmp, { force: true });
  rmSync(`${tmp}.wal`, { force: true });
  const comments = ddlColumnComments();
  const views: string[] = [];
  let db: Warehouse | undefined;
  try {
    db = await Warehouse.open(tmp, { settings: { file_search_path: dir } });
    // One transaction: some 400 statements, each committed (and synced) alone, took most of a second.
    await db.transaction(async (tx) => {
      const inManifest = new Set(manifest.datasets.map((e) => `${e.dataset}/${e.kind}`));
      for (const v of catalogViews(datasets)) {
        const hasFiles = inManifest.has(`${v.dataset.name}/${v.kind}`);
        const empty = emptySchemas[v.dataset.name];
        if (!hasFiles && !empty) continue;
        const body = hasFiles
          ? `select * from ${viewSource(v)}`
          : `select ${[...empty!, ...(v.partition ? [{ name: v.partition.name, type: v.partition.type }] : [])]
              .map((c) => `cast(null as ${c.type}) as ${quoteIdent(c.name)}`)
              .join(', ')} where false`;
        await tx.run(`create view ${quoteIdent(v.view)} as ${body}`);
        await tx.run(`comment on view ${quoteIdent(v.view)} is ${quoteLiteral(viewComment(v))}`);
        const cols = await tx.all<{ column_name: string }>('select column_name from duckdb_columns() where table_name = $1', [v.view]);
        const own = comments.get(v.dataset.table) ?? new Map<string, string>();
        for (const { column_name: c } of cols) {
          const text = columnComment(v, c, own);
          if (text) await tx.run(`comment on column ${quoteIdent(v.view)}.${quoteIdent(c)} is ${quoteLiteral(text)}`);
        }
        views.push(v.view);
      }
      await tx.run(`create table cxpulse_datasets (view varchar, dataset varchar, kind varchar, files varchar, description varchar, latest_as_of date)`);
      const latest = manifest.latest_as_of === null ? null : sqlDate(manifest.latest_as_of);
      await insertRows(
        tx,
        'cxpulse_datasets',
        ['view', 'dataset', 'kind', 'files', 'description', 'latest_as_of'],
        catalogViews(datasets)
          .filter((x) => views.includes(x.view))
          .map((v) => [v.view, v.dataset.name, v.kind, v.glob, v.dataset.description, latest]),
      );
      await writeFilesTable(tx, manifest);
      await tx.run(`comment on table cxpulse_datasets is 'one row per view: the files it reads (relative to this folder) and what a row means'`);
    });
    db.close();
    db = undefined;
    renameSync(tmp, target);
  } catch (err) {
    throw new CxpError('CXP_ERR_EXPORT_FAILED', `cannot write the BI catalog: ${(err as Error).message}`, {
      where: target,
      hint: 'the Parquet files and manifest.json are written; fix the cause and run `cxpulse run export` again',
    }, { cause: err });
  } finally {
    db?.close();
    rmSync(tmp, { force: true });
    if (existsSync(`${tmp}.wal`)) rmSync(`${tmp}.wal`, { force: true });
  }
  return { path: target, views };
}

/** `cxpulse_files`: the manifest as a table (replaced whole). */
async function writeFilesTable(db: Db, manifest: Manifest): Promise<void> {
  await db.run(`create or replace table cxpulse_files (path varchar, dataset varchar, kind varchar, as_of date, rows bigint, sha256 varchar, run_id varchar, written_at timestamptz)`);
  await insertRows(
    db,
    'cxpulse_files',
    ['path', 'dataset', 'kind', 'as_of', 'rows', 'sha256', 'run_id', 'written_at'],
    manifest.datasets.map((e) => [e.path, e.dataset, e.kind, e.as_of === null ? null : sqlDate(e.as_of), e.rows, e.sha256, e.run_id, e.written_at]),
    { written_at: 'timestamptz' },
  );
  await db.run(`comment on table cxpulse_files is 'every Parquet file with its rows, sha256, as-of and the run that wrote it (manifest.json)'`);
}

/**
 * After files were rewritten in place (erasure), brings the catalog's `cxpulse_files` in line with the
 * manifest; the views read the files themselves and need nothing. Same atomic path as writeCatalog: a
 * copy is changed and renamed over, so a BI tool holding the catalog open is never blocked or disturbed.
 * No catalog yet: nothing to do.
 */
export async function refreshCatalogFiles(dir: string, manifest: Manifest): Promise<boolean> {
  const target = join(dir, CATALOG_FILE);
  if (!existsSync(target)) return false;
  const tmp = `${target}.tmp-${process.pid}`;
  let db: Warehouse | undefined;
  try {
    copyFileSync(target, tmp);
    db = await Warehouse.open(tmp, { settings: { file_search_path: dir } });
    await db.transaction((tx) => writeFilesTable(tx, manifest));
    db.close();
    db = undefined;
    renameSync(tmp, target);
    return true;
  } catch (err) {
    throw new CxpError('CXP_ERR_EXPORT_FAILED', `cannot update the BI catalog's file list: ${(err as Error).message}`, {
      where: target,
      hint: 'the Parquet files and manifest.json are already clean; run `cxpulse run export` to rebuild the catalog',
    }, { cause: err });
  } finally {
    db?.close();
    rmSync(tmp, { force: true });
    if (existsSync(`${tmp}.wal`)) rmSync(`${tmp}.wal`, { force: true });
  }
}

function viewComment(v: CatalogView): string {
  const what = v.dataset.description;
  if (v.kind === 'events') return `${what}. Each row once; files ${v.glob}.`;
  if (v.kind === 'latest' && v.dataset.layout.kind === 'current') return `${what}. Files ${v.glob}.`;
  if (v.kind === 'latest') return `${what}; the newest as-of exported (cxpulse_datasets.latest_as_of). Files ${v.glob}.`;
  return `${what}; one snapshot per as_of (filter on as_of, summing across as-ofs adds snapshots). Files ${v.glob}.`;
}

function columnComment(v: CatalogView, column: string, own: Map<string, string>): string | undefined {
  if (v.partition?.name === column) {
    return v.partition.type === 'DATE'
      ? 'the as-of date of the snapshot (from the folder as_of=YYYY-MM-DD)'
      : `UTC month of the event, YYYY-MM (from the folder ${column}=YYYY-MM)`;
  }
  return v.dataset.comments?.[column] ?? own.get(column);
}

import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { CxpError } from '../core/errors.js';
import { quoteIdent, quoteLiteral } from '../core/sql-ident.js';
import type { Warehouse } from '../core/warehouse.js';
import type { ExportDataset } from './datasets.js';

export interface ManifestEntry {
  dataset: string;
  as_of: string;
  path: string;
  rows: number;
  columns: { name: string; type: string }[];
  sha256: string;
  written_at: string;
  run_id: string;
}

export interface Manifest {
  generated_at: string;
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

/** Writes `content` to `path` through a temp file and a rename, so readers never see half a file. */
export function writeFileAtomic(path: string, content: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

export function readManifest(dir: string): Manifest {
  const p = join(dir, 'manifest.json');
  if (!existsSync(p)) return { generated_at: '', datasets: [] };
  return JSON.parse(readFileSync(p, 'utf8')) as Manifest;
}

/**
 * Exports each dataset to <dir>/<dataset>/as_of=<date>/data.parquet (temp file, then rename) and
 * updates <dir>/manifest.json. Re-exporting the same as_of replaces that partition.
 */
export async function writeExports(
  warehouse: Warehouse,
  datasets: ExportDataset[],
  opts: { dir: string; asOf: string; includePii: boolean; runId: string; now: Date },
): Promise<{ written: ManifestEntry[]; skipped: string[] }> {
  const written: ManifestEntry[] = [];
  const skipped: string[] = [];
  // Every dataset is written to a temp file first; only when all succeeded are they renamed into place
  // and the manifest updated, so a failed export leaves the previous files and manifest as they were.
  const staged: { entry: ManifestEntry; tmp: string; target: string }[] = [];
  try {
    for (const ds of datasets) {
      if (!(await warehouse.tableExists(ds.table))) {
        skipped.push(ds.name);
        continue;
      }
      const cols = await warehouse.all<{ column_name: string; data_type: string }>(
        `select column_name, data_type from information_schema.columns
         where table_schema = 'main' and table_name = $1 order by ordinal_position`,
        [ds.table],
      );
      const drop = new Set([...(ds.internalColumns ?? []), ...(opts.includePii ? [] : (ds.piiColumns ?? []))]);
      const keep = cols.filter((c) => !drop.has(c.column_name));
      const target = join(opts.dir, ds.name, `as_of=${opts.asOf}`, 'data.parquet');
      const tmp = `${target}.tmp-${process.pid}`;
      mkdirSync(dirname(target), { recursive: true });
      staged.push({ entry: undefined as unknown as ManifestEntry, tmp, target });
      const select = `select ${keep.map((c) => quoteIdent(c.column_name)).join(', ')} from ${quoteIdent(ds.table)}`;
      try {
        // COPY takes no bound parameter for its target; the path is ours, quoted as a literal.
        await warehouse.run(`copy (${select}) to ${quoteLiteral(tmp)} (format parquet, compression zstd)`);
      } catch (err) {
        throw new CxpError('CXP_ERR_EXPORT_FAILED', `export of ${ds.name} failed: ${(err as Error).message}`, {
          where: target,
          hint: 'check that the exports folder is writable and has space; the previous export is unchanged',
        });
      }
      const rows = await warehouse.one<{ n: number }>(`select count(*) as n from read_parquet($1)`, [tmp]);
      staged[staged.length - 1].entry = {
        dataset: ds.name,
        as_of: opts.asOf,
        path: relative(opts.dir, target),
        rows: rows?.n ?? 0,
        columns: keep.map((c) => ({ name: c.column_name, type: c.data_type })),
        sha256: await sha256File(tmp),
        written_at: opts.now.toISOString(),
        run_id: opts.runId,
      };
    }
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
  } finally {
    for (const s of staged) {
      try {
        rmSync(s.tmp, { force: true });
      } catch {
        // Not a file we wrote (e.g. a directory in the way): leave it; the original error is what matters.
      }
    }
    // Whatever was moved into place is described, even if a later move failed.
    if (written.length > 0 || staged.length === 0) updateManifest(opts.dir, written, opts.now);
  }
  return { written, skipped };
}

/** Adds (or replaces) the written entries in manifest.json, written atomically. */
function updateManifest(dir: string, written: ManifestEntry[], now: Date): void {
  const old = readManifest(dir);
  const replaced = new Set(written.map((w) => `${w.dataset}@${w.as_of}`));
  const datasetsOut = [...old.datasets.filter((e) => !replaced.has(`${e.dataset}@${e.as_of}`)), ...written].sort(
    (a, b) => a.dataset.localeCompare(b.dataset) || a.as_of.localeCompare(b.as_of),
  );
  writeFileAtomic(join(dir, 'manifest.json'), JSON.stringify({ generated_at: now.toISOString(), datasets: datasetsOut } satisfies Manifest, null, 2) + '\n');
}

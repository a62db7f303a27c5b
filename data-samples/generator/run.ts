// Generate all sources for N customers into a directory: stream customer by customer (constant memory),
// plant the demo's bad rows, convert surveys to Parquet for the demo layout, write config and EXPECTED.json.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bareCustomerIds, plantBadRows, type BadRow, type SourceName } from './bad-rows.js';
import { simulateCustomer, type SimWindow } from './customer-sim.js';
import { writeSideFiles } from './outputs.js';
import { csvToParquet, SURVEY_COLUMNS, TRUTH_COLUMNS } from './parquet.js';
import { POPULATION, WINDOW_START } from './planted.js';
import { Rng } from './prng.js';
import { layout, SourceFiles, type Format, type PartStats } from './source-files.js';
import { appendPart, defaultWorkers, discardParts, spawnPart, splitRange, type Part } from './parallel.js';
import { DAY, formatTs, parseDate, yearOf } from './time.js';
import { FOREIGN_DROPOUT_SCALE, foreignize } from './foreign.js';

export interface GenerateOptions {
  customers: number;
  outDir: string;
  seed: number;
  asOf: string;
  format: Format;
  badRows: boolean;
  /** Processes to generate with (csv without bad rows only); default: 2 from 100k customers on, else 1. */
  workers?: number;
  /**
   * `foreign` (csv only): data as another company would hand it over: its own column names, US-format
   * timestamps, and many long-dead customers (dropout hazard x FOREIGN_DROPOUT_SCALE). Default `standard`.
   */
  variant?: 'standard' | 'foreign';
}

export interface GenerateSummary {
  outDir: string;
  counts: { customers: number; purchases: number; interactions: number; surveys: number };
  badRows: number;
  firstEventAt: string;
  lastEventAt: string;
  seconds: number;
}

export function validateOptions(o: GenerateOptions): void {
  if (!Number.isInteger(o.customers) || o.customers < 1) throw new Error(`--customers must be a positive integer, got ${o.customers}`);
  if (o.customers > 99_999_999) throw new Error('--customers above 99,999,999 is not supported');
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff) throw new Error(`--seed must be an integer 0..4294967295, got ${o.seed}`);
  const asOf = parseDate(o.asOf);
  if (asOf < parseDate(WINDOW_START) + 180 * DAY) throw new Error(`--as-of must be at least 180 days after ${WINDOW_START}, got ${o.asOf}`);
  if (o.format !== 'demo' && o.format !== 'csv') throw new Error(`--format must be demo or csv, got ${o.format}`);
  if (o.variant !== undefined && o.variant !== 'standard' && o.variant !== 'foreign') throw new Error(`--variant must be standard or foreign, got ${o.variant}`);
  if (o.variant === 'foreign' && o.format !== 'csv') throw new Error('--variant foreign needs --format csv');
  if (o.workers !== undefined) {
    if (!Number.isInteger(o.workers) || o.workers < 1 || o.workers > 64) throw new Error(`--workers must be 1..64, got ${o.workers}`);
    if (o.workers > 1 && o.badRows) throw new Error('--workers above 1 cannot plant bad rows; add --no-bad-rows or use one worker');
  }
}

function simWindow(o: GenerateOptions): SimWindow {
  return {
    seed: o.seed,
    startDay: parseDate(WINDOW_START) / DAY,
    preWindowFromDay: parseDate(POPULATION.preWindowFrom) / DAY,
    endDay: parseDate(o.asOf) / DAY + 1,
    dropoutScale: o.variant === 'foreign' ? FOREIGN_DROPOUT_SCALE : 1,
  };
}

function openFiles(o: GenerateOptions, w: SimWindow, dir: string, headers: boolean): SourceFiles {
  return new SourceFiles(dir, o.format, yearOf(w.startDay * DAY), yearOf(w.endDay * DAY - 1), headers);
}

function simulateRange(w: SimWindow, from: number, to: number, files: SourceFiles): void {
  const rng = new Rng(w.seed);
  for (let i = from; i < to; i++) simulateCustomer(i, rng, w, files);
}

/** One later range of a parallel run (child process): headerless files in partDir, stats returned. */
export function generatePart(o: GenerateOptions, from: number, to: number, partDir: string): PartStats {
  validateOptions(o);
  const w = simWindow(o);
  const files = openFiles(o, w, partDir, false);
  try {
    simulateRange(w, from, to, files);
    files.close();
  } catch (e) {
    files.abort();
    throw e;
  }
  return files.stats();
}

/** Remove yearly purchase files of an earlier run so a changed --as-of leaves no stale year behind. */
function clearStale(outDir: string, format: Format): void {
  const dir = join(outDir, layout(format).purchasesDir);
  if (!existsSync(dir)) return;
  for (const f of readdirSync(dir)) if (/^purchases-\d{4}\.csv(\.tmp)?$/.test(f)) rmSync(join(dir, f));
}

export async function generateSamples(o: GenerateOptions): Promise<GenerateSummary> {
  validateOptions(o);
  const started = performance.now();
  const l = layout(o.format);
  const window = simWindow(o);
  mkdirSync(o.outDir, { recursive: true });
  clearStale(o.outDir, o.format);
  const ranges = splitRange(o.customers, o.workers ?? defaultWorkers(o));
  const files = openFiles(o, window, o.outDir, true);
  const parts: Part[] = [];
  let bad: BadRow[] = [];
  try {
    if (o.badRows) bad = plantBadRows(files, o.customers, l);
    ranges.slice(1).forEach(([from, to], k) => parts.push(spawnPart(o, from, to, join(o.outDir, `.part-${k + 1}`))));
    simulateRange(window, ranges[0][0], ranges[0][1], files);
    files.close(parts.length === 0);
    if (parts.length > 0) {
      for (const p of parts) {
        files.merge(await p.done);
        await appendPart(files, p.dir);
      }
      for (const f of files.all()) f.commit();
    }
  } catch (e) {
    files.abort();
    throw e;
  } finally {
    discardParts(parts);
  }
  if (o.format === 'demo') {
    const surveysCsv = join(o.outDir, l.surveysCsv);
    const truthCsv = join(o.outDir, l.truthCsv);
    try {
      await csvToParquet(surveysCsv, join(o.outDir, l.surveys), SURVEY_COLUMNS);
      await csvToParquet(truthCsv, join(o.outDir, l.truth), TRUTH_COLUMNS);
    } finally {
      rmSync(surveysCsv, { force: true });
      rmSync(truthCsv, { force: true });
    }
  }
  const fileRows: Record<SourceName, Record<string, number>> = {
    customers: { [l.customers]: files.customers.rows },
    purchases: Object.fromEntries([...files.purchases].map(([y, f]) => [l.purchaseFile(y), f.rows])),
    interactions: { [l.interactions]: files.interactions.rows },
    surveys: { [l.surveys]: files.surveys.rows },
  };
  const firstEventAt = formatTs(files.firstEvent);
  const lastEventAt = formatTs(files.lastEvent);
  writeSideFiles(o.outDir, o.format, {
    generator: { seed: o.seed, customers: o.customers, asOf: o.asOf, format: o.format, badRows: o.badRows },
    fileRows, badRows: bad, bareCustomers: o.badRows ? bareCustomerIds(o.customers) : [],
    surveyAnswers: files.answers, firstEventAt, lastEventAt,
  });
  // After the side files: it replaces the config with one that maps the foreign names back.
  if (o.variant === 'foreign') await foreignize(o.outDir, l);
  return {
    outDir: o.outDir, counts: { ...files.counts }, badRows: bad.length, firstEventAt, lastEventAt,
    seconds: (performance.now() - started) / 1000,
  };
}

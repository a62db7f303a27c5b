// The Sink that writes every source to its file(s) in the chosen layout.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  customerCsv, HEADERS, interactionCsv, interactionJson, purchaseCsv, surveyCsv,
} from './format.js';
import { LineFile } from './line-file.js';
import { formatTs, yearOf } from './time.js';
import type { CustomerRow, InteractionRow, PurchaseRow, Sink, SurveyRow, TruthRow } from './types.js';

export type Format = 'demo' | 'csv';

export const TRUTH_HEADER = 'customer_id,is_prospect,purchase_rate_per_day,mean_spend,base_dropout_rate_per_day,' +
  'service_risk,hazard_multiplier,dropped_at,is_reactivated,count_unresolved_complaints';

/** Paths of each source, relative to the output directory. */
export function layout(format: Format) {
  return {
    customers: 'customers.csv',
    purchasesDir: 'purchases',
    purchasesGlob: 'purchases/*.csv',
    purchaseFile: (year: number) => `purchases/purchases-${year}.csv`,
    interactions: format === 'demo' ? 'interactions.jsonl' : 'interactions.csv',
    surveys: format === 'demo' ? 'surveys.parquet' : 'surveys.csv',
    /** Where surveys are written as CSV before the parquet conversion (demo). */
    surveysCsv: format === 'demo' ? '.surveys.parquet-source.csv' : 'surveys.csv',
    truth: format === 'demo' ? 'truth.parquet' : 'truth.csv',
    truthCsv: format === 'demo' ? '.truth.parquet-source.csv' : 'truth.csv',
  };
}

export interface PartStats {
  counts: { customers: number; purchases: number; interactions: number; surveys: number };
  answers: number;
  /** null when the part saw no event (JSON has no Infinity). */
  firstEvent: number | null;
  lastEvent: number | null;
  /** Data rows per file, in the order of all(). */
  rows: number[];
}

const sig = (x: number): string => String(Number(x.toPrecision(4)));

export class SourceFiles implements Sink {
  readonly customers: LineFile;
  readonly purchases = new Map<number, LineFile>();
  readonly interactions: LineFile;
  readonly surveys: LineFile;
  readonly truthFile: LineFile;
  readonly counts = { customers: 0, purchases: 0, interactions: 0, surveys: 0 };
  /** Non-null aspect answers written (they become survey_answers rows). */
  answers = 0;
  firstEvent = Infinity;
  lastEvent = -Infinity;
  private readonly asJson: boolean;

  /** headers = false: a later part of a parallel run, appended to the first part's files. */
  constructor(readonly outDir: string, readonly format: Format, firstYear: number, lastYear: number, headers = true) {
    const l = layout(format);
    const h = (text: string): string | null => (headers ? text : null);
    mkdirSync(join(outDir, l.purchasesDir), { recursive: true });
    this.customers = new LineFile(join(outDir, l.customers), h(HEADERS.customers), 50);
    for (let y = firstYear; y <= lastYear; y++) {
      this.purchases.set(y, new LineFile(join(outDir, l.purchaseFile(y)), h(HEADERS.purchases), 50));
    }
    this.asJson = format === 'demo';
    this.interactions = new LineFile(join(outDir, l.interactions), this.asJson ? null : h(HEADERS.interactions), 50);
    this.surveys = new LineFile(join(outDir, l.surveysCsv), h(HEADERS.surveys), 50);
    this.truthFile = new LineFile(join(outDir, l.truthCsv), h(TRUTH_HEADER));
  }

  customer(row: CustomerRow): void {
    this.counts.customers++;
    this.customers.write(customerCsv(row));
  }

  purchase(row: PurchaseRow): void {
    this.counts.purchases++;
    this.seen(row.orderedAt);
    this.purchases.get(yearOf(row.orderedAt))!.write(purchaseCsv(row));
  }

  interaction(row: InteractionRow): void {
    this.counts.interactions++;
    this.seen(row.openedAt);
    if (row.firstResponseAt !== null) this.seen(row.firstResponseAt);
    if (row.resolvedAt !== null) this.seen(row.resolvedAt);
    this.interactions.write(this.asJson ? interactionJson(row) : interactionCsv(row));
  }

  survey(row: SurveyRow): void {
    this.counts.surveys++;
    this.seen(row.submittedAt);
    for (const a of row.answers) if (a !== null) this.answers++;
    this.surveys.write(surveyCsv(row));
  }

  private seen(secs: number): void {
    if (secs < this.firstEvent) this.firstEvent = secs;
    if (secs > this.lastEvent) this.lastEvent = secs;
  }

  truth(t: TruthRow): void {
    this.truthFile.write([
      t.customerId, t.isProspect, sig(t.purchaseRate), t.meanSpend.toFixed(2), sig(t.baseDropoutRate),
      t.serviceRisk.toFixed(3), Number(t.hazardMultiplier.toFixed(3)), t.droppedAt === null ? '' : formatTs(t.droppedAt),
      t.reactivated, t.unresolvedComplaints,
    ].join(','));
  }

  all(): LineFile[] {
    return [this.customers, ...this.purchases.values(), this.interactions, this.surveys, this.truthFile];
  }

  close(rename = true): void {
    for (const f of this.all()) f.close(rename);
  }

  /** What a part of a parallel run reports back, to be merged. */
  stats(): PartStats {
    return {
      counts: { ...this.counts }, answers: this.answers,
      firstEvent: Number.isFinite(this.firstEvent) ? this.firstEvent : null,
      lastEvent: Number.isFinite(this.lastEvent) ? this.lastEvent : null,
      rows: this.all().map((f) => f.rows),
    };
  }

  merge(p: PartStats): void {
    for (const k of Object.keys(this.counts) as (keyof typeof this.counts)[]) this.counts[k] += p.counts[k];
    this.answers += p.answers;
    if (p.firstEvent !== null) this.firstEvent = Math.min(this.firstEvent, p.firstEvent);
    if (p.lastEvent !== null) this.lastEvent = Math.max(this.lastEvent, p.lastEvent);
    this.all().forEach((f, i) => { f.rows += p.rows[i]; });
  }

  abort(): void {
    for (const f of this.all()) f.abort();
  }
}

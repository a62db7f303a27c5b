/**
 * Score step `satisfaction`: fits the key-driver models (models/satisfaction/drivers.ts) on the marts the
 * transform built and writes table `satisfaction_drivers`, one row per (as_of, target, kind, driver).
 * Re-running for the same as-of date replaces that date's rows in one transaction (idempotent); earlier
 * dates stay as history. CSI per customer is computed by the transform (sql/marts/customer_satisfaction.sql).
 */
import { addDays } from '../../pipelines/core/clock.js';
import { CxpError, isCxpError } from '../../pipelines/core/errors.js';
import { asOfParam } from '../../pipelines/core/sql-date.js';
import { configTimeZone, dayStartUtc } from '../../pipelines/core/time-zone.js';
import { insertRows } from '../../pipelines/core/insert-rows.js';
import type { Db, SqlValue } from '../../pipelines/core/warehouse.js';
import { keyDriversFromMoments, type DriverModel } from './drivers.js';
import { aspectMoments, aspectQuestions, serviceMoments, type DriverKind, type SurveyTarget } from './driver-inputs.js';
import { satisfactionSettings, type SatisfactionSettings } from './settings.js';
import type { StepContext as JobContext, StepSummary as JobSummary } from '../../pipelines/core/module.js';

export const SATISFACTION_DRIVERS_DDL = `
create table if not exists satisfaction_drivers (
    as_of                date not null,
    target               varchar not null,  -- nps | csat | ces: the survey score explained
    driver               varchar not null,  -- survey question, or a service measure
    kind                 varchar not null,  -- survey_aspect | service
    std_weight           double,            -- standardised regression weight (null when the driver was dropped)
    coefficient          double,            -- unstandardised: score points per unit of the driver
    relative_importance  double,            -- LMG share of the model's R^2 divided by R^2: sums to 1 per model
    t_stat               double,
    p_value              double,
    is_significant       boolean not null,
    r_squared            double not null,   -- of the model (target, kind)
    n                    bigint not null,   -- responses in the model (target and >= 1 driver answered)
    importance_method    varchar not null,  -- lmg (exact) | lmg_sampled (more than 18 drivers)
    note                 varchar,           -- why a driver has no weight (no variance, collinear, too few answers)
    run_id               varchar,
    lmg                  double,            -- LMG share of R^2 (sums to r_squared per model)
    n_complete           bigint,            -- responses of the model that answered every driver
    n_effective          bigint,            -- smallest pairwise count: the n behind the degrees of freedom
    n_answers            bigint,            -- responses of the model that answered this driver
    n_missing            bigint             -- responses of the model without an answer to it (no-answer code, blank)
)`;

/** Columns added after the first release: existing warehouses get them on the next score run. */
const SATISFACTION_DRIVERS_ADDED = ['lmg double', 'n_complete bigint', 'n_effective bigint', 'n_answers bigint', 'n_missing bigint'];

export interface DriverRow {
  target: SurveyTarget;
  kind: DriverKind;
  model: DriverModel;
}

export async function fitDrivers(db: Db, asOf: Date, s: SatisfactionSettings, timezone = 'UTC'): Promise<{ fitted: DriverRow[]; skipped: string[] }> {
  // Local days: the window ends at local midnight after the as-of day (like the marts).
  const cutoffAt = dayStartUtc(addDays(asOf, 1), timezone);
  const w = { fromAt: dayStartUtc(addDays(asOf, 1 - s.drivers.windowDays), timezone), cutoffAt };
  const fitted: DriverRow[] = [];
  const skipped: string[] = [];
  for (const target of s.drivers.targets) {
    const all = await aspectQuestions(db, target, w, 1);
    const questions = all.filter((q) => q.answers >= s.minSample).map((q) => q.question);
    const tooFew = all.filter((q) => q.answers < s.minSample).map((q) => ({ driver: q.question, reason: `${q.answers} answers (< minSample ${s.minSample})` }));
    const inputs: [DriverKind, () => ReturnType<typeof serviceMoments>][] = [
      ['survey_aspect', () => aspectMoments(db, target, questions, w)],
      ['service', () => serviceMoments(db, target, w)],
    ];
    for (const [kind, read] of inputs) {
      if (kind === 'survey_aspect' && questions.length === 0) {
        skipped.push(`${target}/${kind}: no aspect question with >= ${s.minSample} answers`);
        continue;
      }
      const m = await read();
      if (m.n < Math.max(s.minSample, m.names.length + 2)) {
        skipped.push(`${target}/${kind}: ${m.n} responses (< minSample ${s.minSample})`);
        continue;
      }
      try {
        const model = keyDriversFromMoments(m, s.confidence);
        if (kind === 'survey_aspect') model.dropped.push(...tooFew);
        fitted.push({ target, kind, model });
      } catch (err) {
        if (!isCxpError(err) || err.code !== 'CXP_ERR_MODEL_INSUFFICIENT_DATA') throw err;
        skipped.push(`${target}/${kind}: ${err.message}`);
      }
    }
  }
  return { fitted, skipped };
}

/** satisfaction_drivers' columns as writeDrivers fills them. */
const DRIVER_COLUMNS = [
  'as_of', 'target', 'driver', 'kind', 'std_weight', 'coefficient', 'relative_importance', 't_stat', 'p_value', 'is_significant',
  'r_squared', 'n', 'importance_method', 'note', 'run_id', 'lmg', 'n_complete', 'n_effective', 'n_answers', 'n_missing',
] as const;

export async function writeDrivers(db: Db, asOf: Date, models: DriverRow[], runId: string | null): Promise<number> {
  const day = asOfParam(asOf);
  await db.run(SATISFACTION_DRIVERS_DDL);
  for (const col of SATISFACTION_DRIVERS_ADDED) await db.run(`alter table satisfaction_drivers add column if not exists ${col}`);
  await db.run('delete from satisfaction_drivers where as_of = $as_of', day);
  const rows: SqlValue[][] = [];
  for (const { target, kind, model } of models) {
    // In DRIVER_COLUMNS order; a dropped driver has no estimate, only the reason (note).
    const common = (driver: string) => [day.as_of, target, driver, kind] as SqlValue[];
    const fit = [model.rSquared, model.n, model.importanceMethod] as SqlValue[];
    for (const d of model.drivers) {
      const t = Number.isFinite(d.tStat) ? d.tStat : null;
      rows.push([
        ...common(d.driver), d.stdWeight, d.coefficient, d.relativeImportance, t, d.pValue, d.isSignificant,
        ...fit, null, runId, d.lmg, model.nComplete, model.nEffective, d.answers, d.missing,
      ]);
    }
    for (const d of model.dropped) {
      rows.push([...common(d.driver), null, null, null, null, null, false, ...fit, d.reason, runId, null, model.nComplete, model.nEffective, null, null]);
    }
  }
  await insertRows(db, 'satisfaction_drivers', DRIVER_COLUMNS, rows);
  return rows.length;
}

export async function scoreSatisfaction(ctx: JobContext, asOf: Date): Promise<JobSummary> {
  const s = satisfactionSettings(ctx.config);
  for (const table of ['int_survey_responses', 'int_interaction_times']) {
    if (!(await ctx.warehouse.tableExists(table))) {
      throw new CxpError('CXP_ERR_MODEL_INSUFFICIENT_DATA', `table ${table} is missing: the satisfaction drivers read the transform's output`, {
        where: table,
        hint: 'run the transform job first (`cxpulse run transform`)',
      });
    }
  }
  const { fitted, skipped } = await fitDrivers(ctx.warehouse, asOf, s, configTimeZone(ctx.config));
  const rows = await ctx.warehouse.transaction((tx) => writeDrivers(tx, asOf, fitted, ctx.runId));
  for (const reason of skipped) ctx.logger.warn('satisfaction driver model skipped', { reason });
  return {
    driver_rows: rows,
    models: fitted.map((f) => ({
      target: f.target,
      kind: f.kind,
      n: f.model.n,
      n_complete: f.model.nComplete,
      n_effective: f.model.nEffective,
      r_squared: Number(f.model.rSquared.toFixed(4)),
      answers: Object.fromEntries(f.model.drivers.map((d) => [d.driver, { used: d.answers, missing: d.missing }])),
      dropped: f.model.dropped,
    })),
    skipped,
  };
}

/**
 * Score step `satisfaction`: fits the key-driver models (models/satisfaction/drivers.ts) on the marts the
 * transform built and writes table `satisfaction_drivers`, one row per (as_of, target, kind, driver).
 * Re-running for the same as-of date replaces that date's rows in one transaction (idempotent); earlier
 * dates stay as history. CSI per customer is computed by the transform (sql/marts/customer_satisfaction.sql).
 */
import { addDays, isoDate } from '../../pipelines/core/clock.js';
import { CxpError, isCxpError } from '../../pipelines/core/errors.js';
import type { Db } from '../../pipelines/core/warehouse.js';
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
    relative_importance  double,            -- share of the model's R^2 (LMG), sums to 1 per model
    t_stat               double,
    p_value              double,
    is_significant       boolean not null,
    r_squared            double not null,   -- of the model (target, kind)
    n                    bigint not null,   -- complete responses in the model
    importance_method    varchar not null,  -- lmg | pratt
    note                 varchar,           -- why a driver has no weight (no variance, collinear)
    run_id               varchar
)`;

export interface DriverRow {
  target: SurveyTarget;
  kind: DriverKind;
  model: DriverModel;
}

export async function fitDrivers(db: Db, asOf: Date, s: SatisfactionSettings): Promise<{ fitted: DriverRow[]; skipped: string[] }> {
  const cutoffAt = addDays(asOf, 1);
  const w = { fromAt: addDays(cutoffAt, -s.drivers.windowDays), cutoffAt };
  const fitted: DriverRow[] = [];
  const skipped: string[] = [];
  for (const target of s.drivers.targets) {
    const questions = await aspectQuestions(db, target, w, s.minSample);
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
        skipped.push(`${target}/${kind}: ${m.n} complete responses (< minSample ${s.minSample})`);
        continue;
      }
      try {
        fitted.push({ target, kind, model: keyDriversFromMoments(m, s.confidence) });
      } catch (err) {
        if (!isCxpError(err) || err.code !== 'CXP_ERR_MODEL_INSUFFICIENT_DATA') throw err;
        skipped.push(`${target}/${kind}: ${err.message}`);
      }
    }
  }
  return { fitted, skipped };
}

export async function writeDrivers(db: Db, asOf: Date, rows: DriverRow[], runId: string | null): Promise<number> {
  const day = isoDate(asOf);
  await db.run(SATISFACTION_DRIVERS_DDL);
  await db.run('delete from satisfaction_drivers where as_of = $1::date', [day]);
  let n = 0;
  const insert = `insert into satisfaction_drivers values ($1::date, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`;
  for (const { target, kind, model } of rows) {
    for (const d of model.drivers) {
      const t = Number.isFinite(d.tStat) ? d.tStat : null;
      await db.run(insert, [day, target, d.driver, kind, d.stdWeight, d.coefficient, d.relativeImportance, t, d.pValue, d.isSignificant, model.rSquared, model.n, model.importanceMethod, null, runId]);
      n++;
    }
    for (const d of model.dropped) {
      await db.run(insert, [day, target, d.driver, kind, null, null, null, null, null, false, model.rSquared, model.n, model.importanceMethod, d.reason, runId]);
      n++;
    }
  }
  return n;
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
  const { fitted, skipped } = await fitDrivers(ctx.warehouse, asOf, s);
  const rows = await ctx.warehouse.transaction((tx) => writeDrivers(tx, asOf, fitted, ctx.runId));
  for (const reason of skipped) ctx.logger.warn('satisfaction driver model skipped', { reason });
  return {
    driver_rows: rows,
    models: fitted.map((f) => ({ target: f.target, kind: f.kind, n: f.model.n, r_squared: Number(f.model.rSquared.toFixed(4)) })),
    skipped,
  };
}

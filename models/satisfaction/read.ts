/**
 * The satisfaction module's read API for its score table `satisfaction_drivers` (DDL in score-step.ts):
 * what dashboards and exports read, by its documented column names. The marts' queries (tiles, trends,
 * by channel, with intervals) are in query.ts and service-query.ts.
 */
import type { Db } from '../../pipelines/core/warehouse.js';
import type { SurveyTarget } from './driver-inputs.js';

export interface DriverWeight {
  driver: string;
  kind: string;
  /** Share of the model's R² (LMG, or Pratt when there are many drivers); sums to 1 per model. */
  relativeImportance: number;
  isSignificant: boolean;
}

/** Drivers of one target score from the latest as-of fitted, strongest first; dropped drivers left out. */
export async function latestDrivers(db: Db, target: SurveyTarget, limit = 30): Promise<DriverWeight[]> {
  const rows = await db.all<{ driver: string; kind: string; relative_importance: number; is_significant: boolean }>(
    `select driver, kind, relative_importance, is_significant
     from satisfaction_drivers
     where as_of = (select max(as_of) from satisfaction_drivers) and target = $target and relative_importance is not null
     order by relative_importance desc, driver
     limit $limit`,
    { target, limit },
  );
  return rows.map((r) => ({ driver: r.driver, kind: r.kind, relativeImportance: Number(r.relative_importance), isSignificant: Boolean(r.is_significant) }));
}

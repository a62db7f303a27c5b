/** Temp warehouses with canonical tables and hand-made rows, and a transform limited to the satisfaction models. */
import type { Db, Warehouse } from '../../../pipelines/core/warehouse.js';
import { tempWarehouse as sharedTempWarehouse } from '../../helpers/temp-warehouse.js';
import { discoverModels } from '../../../pipelines/transform/sql-models.js';
import { discoverDataTests } from '../../../pipelines/transform/data-tests.js';
import { runTransform } from '../../../pipelines/transform/run-transform.js';
import { transformVariables } from '../../../pipelines/transform/variables.js';
import { silentLogger } from '../../../pipelines/core/logger.js';
import type { Config } from '../../../pipelines/config/types.js';

export const SATISFACTION_MODELS = [
  'int_interaction_times',
  'int_survey_responses',
  'int_service_daily',
  'satisfaction_daily',
  'service_kpis_daily',
  'service_kpis_tier_daily',
  'complaints_daily',
  'customer_satisfaction',
];

export type TempWarehouse = Awaited<ReturnType<typeof sharedTempWarehouse>>;

export function tempWarehouse(): Promise<TempWarehouse> {
  return sharedTempWarehouse('cxp-sat-');
}

export type InteractionRow = {
  id: string;
  customer: string;
  channel: string;
  kind?: string;
  category?: string | null;
  opened: string;
  responded?: string | null;
  resolved?: string | null;
  fcr?: boolean | null;
};

export type SurveyRow = {
  id: string;
  customer: string;
  at: string;
  type: 'nps' | 'csat' | 'ces';
  score: number;
  interaction?: string | null;
};

export async function insertCustomers(db: Db, rows: { id: string; country?: string }[]): Promise<void> {
  for (const r of rows) {
    await db.run('insert into customers (customer_id, country) values ($1, $2)', [r.id, r.country ?? 'DE']);
  }
}

export async function insertInteractions(db: Db, rows: InteractionRow[]): Promise<void> {
  for (const r of rows) {
    await db.run(
      `insert into interactions (interaction_id, customer_id, channel, kind, category, opened_at, first_response_at, resolved_at, is_first_contact_resolution)
       values ($1, $2, $3, $4, $5, $6::timestamp, $7::timestamp, $8::timestamp, $9)`,
      [r.id, r.customer, r.channel, r.kind ?? 'inquiry', r.category ?? null, r.opened, r.responded ?? null, r.resolved ?? null, r.fcr ?? null],
    );
  }
}

export async function insertSurveys(db: Db, rows: SurveyRow[]): Promise<void> {
  for (const r of rows) {
    await db.run(
      `insert into surveys (response_id, customer_id, submitted_at, survey_type, score, interaction_id) values ($1, $2, $3::timestamp, $4, $5, $6)`,
      [r.id, r.customer, r.at, r.type, r.score, r.interaction ?? null],
    );
  }
}

export async function insertAnswers(db: Db, rows: { response: string; question: string; score: number }[]): Promise<void> {
  for (const r of rows) {
    await db.run('insert into survey_answers (response_id, question, score) values ($1, $2, $3)', [r.response, r.question, r.score]);
  }
}

/** A config with only what the satisfaction code reads. */
export function testConfig(satisfaction: Record<string, unknown> = {}): Config {
  return { satisfaction } as unknown as Config;
}

/** Builds the satisfaction models and runs their data tests (other modules' models are not involved). */
export async function buildSatisfactionMarts(wh: Warehouse, asOf: string, config: Config = testConfig()) {
  const models = discoverModels().filter((m) => SATISFACTION_MODELS.includes(m.name));
  const tests = discoverDataTests().filter((t) => t.table !== undefined && SATISFACTION_MODELS.includes(t.table));
  return runTransform(wh, transformVariables(config, new Date(`${asOf}T00:00:00Z`)), silentLogger, { models, tests });
}

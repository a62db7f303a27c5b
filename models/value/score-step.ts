/**
 * Score step "value": RFM scores and segments, lifecycle stages, BG/NBD (or MBG/NBD) + Gamma-Gamma
 * fit with an identification check, CLV.
 * Per-customer inputs are aggregated in DuckDB (bound as_of, one pass over purchases); the models
 * run on typed arrays; results land in one transaction: customer_value replaced, the as_of snapshot
 * of rfm_history replaced, one value_model_runs row appended.
 */
import { DOUBLE, INTEGER, TINYINT, DuckDBDataChunk, type DuckDBType } from '@duckdb/node-api';
import { addDays } from '../../pipelines/core/clock.js';
import { insertRows } from '../../pipelines/core/insert-rows.js';
import { asOfParam, sqlDate } from '../../pipelines/core/sql-date.js';
import { configTimeZone, useLocalDays } from '../../pipelines/core/time-zone.js';
import type { ConnDb, SqlValue } from '../../pipelines/core/warehouse.js';
import { rfmSettings } from '../rfm/settings.js';
import { valueSettings, type ValueSettings } from './settings.js';
import { computeRfm } from '../rfm/score-customers.js';
import { fitValueModels, holdoutCheck, type HoldoutReport, type ValueFit } from './fit-value.js';
import { scoreValue as scoreCustomerValue } from './clv.js';
import type { StepContext as JobContext, StepSummary as JobSummary } from '../../pipelines/core/module.js';

const INPUTS_SQL = `
create or replace temp table value_inputs as
with orders as (
    -- Purchase days are local dates in the company's zone; the as-of day ends at local midnight.
    -- Amounts stay DECIMAL through the sums: exact, so the result does not depend on the order in which
    -- DuckDB's threads merge their partial sums (double sums did, in the last bits, from run to run).
    select customer_id, cxp_local_on(ordered_at) as ordered_on, amount
    from purchases
    where status = 'completed' and ordered_at < cxp_day_start_at($as_of + 1)
),
purchase_days as (
    select customer_id, ordered_on, sum(amount) as day_amount, count(*) as count_orders
    from orders
    group by customer_id, ordered_on
),
per_customer as (
    select
        customer_id,
        min(ordered_on) as first_purchase_on,
        max(ordered_on) as last_purchase_on,
        max(ordered_on, 2) as last_two_on,
        count(*) as count_purchase_days,
        sum(day_amount) as revenue,
        arg_min(day_amount, ordered_on) as first_day_amount,
        sum(count_orders) filter (where $lookback_start is null or ordered_on > $lookback_start) as count_orders_window,
        sum(day_amount) filter (where $lookback_start is null or ordered_on > $lookback_start) as revenue_window,
        min(ordered_on) filter (where ordered_on <= $cal_end) as cal_first_on,
        max(ordered_on) filter (where ordered_on <= $cal_end) as cal_last_on,
        count(*) filter (where ordered_on <= $cal_end) as cal_purchase_days,
        count(*) filter (where ordered_on > $cal_end) as holdout_purchase_days
    from purchase_days
    group by customer_id
),
-- Returns and credits (status 'returned') are not purchases: they reduce monetary value and CLV.
returned as (
    select
        customer_id,
        sum(amount) as returned_total,
        sum(amount) filter (where $lookback_start is null or cxp_local_on(ordered_at) > $lookback_start) as returned_window
    from purchases
    where status = 'returned' and ordered_at < cxp_day_start_at($as_of + 1)
    group by customer_id
),
all_customers as (
    select customer_id from customers
    union
    select customer_id from per_customer
),
final as (
    select
        a.customer_id,
        p.first_purchase_on,
        p.last_purchase_on,
        coalesce(p.count_purchase_days, 0)::integer as count_purchase_days,
        date_diff('day', p.first_purchase_on, $as_of)::integer as days_since_first,
        date_diff('day', p.last_purchase_on, $as_of)::integer as days_since_last,
        date_diff('day', p.last_two_on[2], p.last_two_on[1])::integer as last_gap_days,
        coalesce(p.count_orders_window, 0)::integer as frequency,
        greatest(coalesce(p.revenue_window, 0) - coalesce(r.returned_window, 0), 0)::double as monetary,
        -- Share of the customer's spend not returned: scales the expected order value and CLV.
        case
            when coalesce(r.returned_total, 0) = 0 then 1
            when coalesce(p.revenue, 0) <= 0 then 0
            else least(greatest(1 - r.returned_total::double / p.revenue::double, 0), 1)
        end::double as net_share,
        case when p.count_purchase_days > 1
            then (p.revenue - p.first_day_amount)::double / (p.count_purchase_days - 1) end::double as repeat_mean,
        (hash(a.customer_id) % 1000003)::double / 1000003 as fit_draw,
        coalesce(p.cal_purchase_days, 0)::integer as cal_purchase_days,
        date_diff('day', p.cal_first_on, p.cal_last_on)::integer as cal_tx_days,
        date_diff('day', p.cal_first_on, $cal_end)::integer as cal_age_days,
        coalesce(p.holdout_purchase_days, 0)::integer as holdout_purchase_days
    from all_customers a
    left join per_customer p on p.customer_id = a.customer_id
    left join returned r on r.customer_id = a.customer_id
)
select * from final`;

// Customers numbered in id order, apart from the wide table above: the fit sums over customers in this
// order, so the same rows give the same bits. A window sorting the wide rows inside the aggregate query
// ran DuckDB out of memory at 3M customers (1.5GB cap) beside the churn step; this one sorts ids only.
const IDS_SQL = `
create or replace temp table value_ids as
select customer_id, (row_number() over (order by customer_id) - 1)::integer as idx
from value_inputs`;

const INPUT_COLUMNS = [
  'count_purchase_days',
  'days_since_first',
  'days_since_last',
  'last_gap_days',
  'frequency',
  'monetary',
  'repeat_mean',
  'fit_draw',
  'cal_purchase_days',
  'cal_tx_days',
  'cal_age_days',
  'holdout_purchase_days',
] as const;
type Inputs = Record<(typeof INPUT_COLUMNS)[number], Float64Array>;

/**
 * Reads the numeric input columns in customer id order (row i has value_ids.idx = i) straight from
 * DuckDB's vectors into typed arrays (no row objects); SQL NULL becomes NaN.
 */
async function readInputs(db: ConnDb): Promise<Inputs> {
  const count = await db.one<{ n: number }>('select count(*)::integer as n from value_inputs');
  const n = count?.n ?? 0;
  const out = {} as Inputs;
  for (const name of INPUT_COLUMNS) out[name] = new Float64Array(n);
  const result = await db.connection.stream(`select ${INPUT_COLUMNS.map((c) => `cast(${c} as double)`).join(', ')} from value_inputs order by customer_id`);
  let offset = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const rows = chunk.rowCount;
    INPUT_COLUMNS.forEach((name, c) => {
      const vec = chunk.getColumnVector(c);
      const arr = out[name];
      for (let i = 0; i < rows; i++) {
        const v = vec.getItem(i) as number | null;
        arr[offset + i] = v === null ? NaN : v;
      }
    });
    offset += rows;
  }
  return out;
}

type OutColumn = { name: string; type: DuckDBType; values: ArrayLike<number> };

/** Appends numeric columns to a table in chunks of 2048 rows; NaN becomes NULL. */
async function appendColumns(db: ConnDb, table: string, columns: OutColumn[]): Promise<void> {
  const appender = await db.connection.createAppender(table);
  try {
    const n = columns[0].values.length;
    const types = columns.map((c) => c.type);
    for (let start = 0; start < n; start += 2048) {
      const rows = Math.min(2048, n - start);
      const chunk = DuckDBDataChunk.create(types, rows);
      columns.forEach((col, c) => {
        const vec = chunk.getColumnVector(c);
        for (let i = 0; i < rows; i++) {
          const v = col.values[start + i];
          vec.setItem(i, Number.isNaN(v) ? null : (v as never));
        }
        vec.flush();
      });
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

/** Distinct names -> codes (NaN for null). */
function encode(values: (string | null)[]): { names: string[]; codes: Float64Array } {
  const pos = new Map<string, number>();
  const codes = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null) {
      codes[i] = NaN;
      continue;
    }
    let c = pos.get(v);
    if (c === undefined) {
      c = pos.size;
      pos.set(v, c);
    }
    codes[i] = c;
  }
  return { names: [...pos.keys()], codes };
}

export interface ValueStepResult extends JobSummary {
  customers: number;
  buyers: number;
  status: 'fitted' | 'insufficient_data';
}

export async function scoreValue(ctx: JobContext, asOf: Date): Promise<JobSummary> {
  const rfm = rfmSettings(ctx.config.rfm);
  const val: ValueSettings = valueSettings(ctx.config.value);
  // Dates are bound as DATE values (pipelines/core/sql-date.ts): `$as_of`, `$cal_end`, `$lookback_start`.
  const { as_of: asOfDay } = asOfParam(asOf);
  const calEnd = val.holdoutDays > 0 ? sqlDate(addDays(asOf, -val.holdoutDays)) : null;
  const lookbackStart = rfm.lookbackDays ? sqlDate(addDays(asOf, -rfm.lookbackDays)) : null;

  // Wall and process CPU time per phase (CPU includes DuckDB's threads), for the job summary and the benchmark.
  const timings: Record<string, number> = {};
  const cpuTimings: Record<string, number> = {};
  let t0 = performance.now();
  let c0 = process.cpuUsage();
  const lap = (name: string) => {
    const t = performance.now();
    const c = process.cpuUsage();
    timings[name] = Math.round(t - t0);
    cpuTimings[name] = Math.round((c.user - c0.user + c.system - c0.system) / 1000);
    t0 = t;
    c0 = c;
  };

  return ctx.warehouse.transaction(async (db) => {
    await useLocalDays(db, configTimeZone(ctx.config));
    await db.run(INPUTS_SQL, { as_of: asOfDay, cal_end: calEnd, lookback_start: lookbackStart });
    await db.run(IDS_SQL);
    lap('aggregate_ms');
    const inp = await readInputs(db);
    const n = inp.count_purchase_days.length;
    lap('read_ms');
    const out = computeRfm(inp, rfm);
    lap('rfm_lifecycle_ms');

    const x = inp.count_purchase_days.map((d) => Math.max(d - 1, 0));
    const fitInputs = {
      x,
      txDays: inp.days_since_first.map((first, i) => first - inp.days_since_last[i]),
      ageDays: inp.days_since_first,
      repeatMean: inp.repeat_mean,
      isBuyer: inp.count_purchase_days.map((d) => (d > 0 ? 1 : 0)),
      draw: inp.fit_draw,
    };
    const fit: ValueFit = fitValueModels(fitInputs, val);
    lap('fit_ms');
    let holdout: HoldoutReport | undefined;
    if (calEnd && fit.status === 'fitted') {
      holdout = holdoutCheck(
        {
          x: inp.cal_purchase_days.map((d) => Math.max(d - 1, 0)),
          txDays: inp.cal_tx_days,
          ageDays: inp.cal_age_days,
          isBuyer: inp.cal_purchase_days.map((d) => (d > 0 ? 1 : 0)),
          draw: inp.fit_draw,
          actual: inp.holdout_purchase_days,
        },
        val,
        fit.bgnbd?.params,
      );
    }

    lap('holdout_ms');
    const eligible = new Uint8Array(n);
    for (let i = 0; i < n; i++) eligible[i] = inp.count_purchase_days[i] > 0 && inp.days_since_first[i] >= val.minHistoryDays ? 1 : 0;
    const scores =
      fit.status === 'fitted'
        ? scoreCustomerValue(fit.scorer!, fit.gammaGamma?.params, { ...fitInputs, eligible }, {
            horizonMonths: val.horizonMonths,
            annualDiscountRate: val.annualDiscountRate,
            unitDays: val.timeUnitDays,
            expectedDays: val.expectedPurchasesDays,
          })
        : undefined;
    lap('score_ms');
    const nan = new Float64Array(n).fill(NaN);

    // Segment and stage names travel as small codes (a handful of distinct strings for a million rows).
    const segments = encode(out.segment);
    const stages = encode(out.stage);
    await db.run('create or replace temp table value_names (kind varchar, code integer, name varchar)');
    await insertRows(db, 'value_names', ['kind', 'code', 'name'], [
      ...segments.names.map((name, code) => ['segment', code, name]),
      ...stages.names.map((name, code) => ['stage', code, name]),
    ]);
    await db.run(
      'create or replace temp table value_scores (idx integer, r_score tinyint, f_score tinyint, m_score tinyint, segment_code integer, stage_code integer, p_alive double, expected_purchases double, expected_order_value double, clv double)',
    );
    await appendColumns(db, 'value_scores', [
      { name: 'idx', type: INTEGER, values: Float64Array.from({ length: n }, (_, i) => i) },
      { name: 'r_score', type: TINYINT, values: out.r },
      { name: 'f_score', type: TINYINT, values: out.f },
      { name: 'm_score', type: TINYINT, values: out.m },
      { name: 'segment_code', type: INTEGER, values: segments.codes },
      { name: 'stage_code', type: INTEGER, values: stages.codes },
      { name: 'p_alive', type: DOUBLE, values: scores?.pAlive ?? nan },
      { name: 'expected_purchases', type: DOUBLE, values: scores?.expectedPurchases ?? nan },
      { name: 'expected_order_value', type: DOUBLE, values: scores?.expectedOrderValue ?? nan },
      { name: 'clv', type: DOUBLE, values: scores?.clv ?? nan },
    ]);

    await db.run('delete from customer_value');
    await db.run(
      `insert into customer_value
       select i.customer_id, $as_of, i.first_purchase_on, i.last_purchase_on,
              case when i.count_purchase_days > 0 then i.days_since_last end, i.frequency, i.monetary, i.count_purchase_days,
              s.r_score, s.f_score, s.m_score, seg.name, stage.name,
              s.p_alive, s.expected_purchases, s.expected_order_value * coalesce(i.net_share, 1), s.clv * coalesce(i.net_share, 1), $run_id
       from value_inputs i
       join value_ids using (customer_id)
       join value_scores s using (idx)
       left join value_names seg on seg.kind = 'segment' and seg.code = s.segment_code
       left join value_names stage on stage.kind = 'stage' and stage.code = s.stage_code`,
      { as_of: asOfDay, run_id: ctx.runId },
    );
    await db.run('delete from rfm_history where as_of = $as_of', { as_of: asOfDay });
    await db.run(
      `insert into rfm_history
       select as_of, customer_id, recency_days, frequency, monetary, r_score, f_score, m_score, rfm_segment, lifecycle_stage, clv, value_run_id
       from customer_value`,
    );
    const bg = fit.bgnbd;
    const gg = fit.gammaGamma;
    const details = {
      cutPoints: out.cutPoints,
      settings: { rfm: { ...rfm, segments: rfm.segments.length }, value: val },
      bgnbd: bg ? { model: bg.model, groups: bg.groups, optimiser: bg.optimiser } : null,
      identification: fit.identification ?? null,
      gammaGamma: gg ? { optimiser: gg.optimiser } : null,
      spendIdentification: fit.spendIdentification ?? null,
      sampled: fit.sampled,
      holdout: holdout ?? null,
    };
    const id = fit.identification;
    const row: Record<string, SqlValue> = {
      run_id: ctx.runId,
      as_of: asOfDay,
      created_at: ctx.clock.now(),
      status: fit.status,
      message: fit.message ?? null,
      time_unit_days: val.timeUnitDays,
      count_customers: n,
      count_buyers: out.buyers,
      count_fit_customers: bg?.customers ?? null,
      count_fit_repeat: gg?.customers ?? null,
      bgnbd_r: bg?.params.r ?? null,
      bgnbd_alpha: bg?.params.alpha ?? null,
      bgnbd_a: bg?.params.a ?? null,
      bgnbd_b: bg?.params.b ?? null,
      bgnbd_log_likelihood: bg?.logLikelihood ?? null,
      bgnbd_converged: bg?.optimiser.converged ?? null,
      gg_p: gg?.params.p ?? null,
      gg_q: gg?.params.q ?? null,
      gg_gamma: gg?.params.gamma ?? null,
      gg_log_likelihood: gg?.logLikelihood ?? null,
      gg_converged: gg?.optimiser.converged ?? null,
      holdout_days: holdout ? val.holdoutDays : null,
      holdout_mae: holdout?.mae ?? null,
      holdout_total_error: holdout?.totalError ?? null,
      details: JSON.stringify(details),
      purchase_model: val.model,
      identification: id?.status ?? null,
      identification_message: id?.message ?? null,
      is_p_alive_informative: id?.pAliveInformative ?? null,
      fixed_dropout_p: fit.scorer?.fixedDropout ?? null,
      count_fit_evaluations: bg && id ? bg.optimiser.evaluations + id.evaluations : null,
      is_spend_identified: fit.spendIdentification?.heterogeneityShown ?? null,
      spend_identification_message: fit.spendIdentification?.message ?? null,
    };
    const cols = Object.keys(row);
    await db.run(
      `insert into value_model_runs (${cols.join(', ')}) values (${cols.map((c) => (c === 'details' ? '$details::json' : `$${c}`)).join(', ')})`,
      row,
    );
    await db.run('drop table value_scores');
    await db.run('drop table value_names');
    await db.run('drop table value_inputs');
    lap('write_ms');

    if (fit.status !== 'fitted') ctx.logger.warn('value: models not fitted', { reason: fit.message });
    else if (!bg?.optimiser.converged || (gg && !gg.optimiser.converged)) {
      ctx.logger.warn('value: optimiser did not converge; parameters are the best found', { bgnbd: bg?.optimiser.message, gammaGamma: gg?.optimiser.message });
    }
    if (id && (id.status !== 'identified' || !id.pAliveInformative)) {
      ctx.logger.warn(`value: ${val.model} ${id.status.replace('_', ' ')}`, { message: id.message, p_alive_informative: id.pAliveInformative });
    }
    if (fit.spendIdentification && !fit.spendIdentification.heterogeneityShown) {
      ctx.logger.warn('value: Gamma-Gamma spend not identified', { message: fit.spendIdentification.message });
    }
    const summary: ValueStepResult = {
      customers: n,
      buyers: out.buyers,
      status: fit.status,
      ...(fit.message ? { message: fit.message } : {}),
      ...(bg ? { bgnbd: { model: bg.model, ...bg.params, logLikelihood: bg.logLikelihood, converged: bg.optimiser.converged } } : {}),
      ...(id ? { identification: { status: id.status, pAliveInformative: id.pAliveInformative, message: id.message } } : {}),
      ...(gg ? { gammaGamma: { ...gg.params, converged: gg.optimiser.converged } } : {}),
      ...(holdout ? { holdout: { mae: holdout.mae, totalError: holdout.totalError } } : {}),
      timings,
      cpu_timings: cpuTimings,
    };
    return summary;
  });
}

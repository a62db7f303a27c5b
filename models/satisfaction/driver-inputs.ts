/**
 * Reads what the key-driver fit needs from the warehouse, as SQL aggregates (counts, standard
 * deviations, pairwise correlations), so the fit scales to any number of responses.
 *
 * Two models per target survey type (nps | csat | ces), each with pairwise-available moments:
 * - kind 'survey_aspect': the response's score ~ its aspect answers (survey_answers, one column per
 *   question answered at least minSample times for that survey type in the window);
 * - kind 'service': the response's score ~ the service experience of the interaction it rates
 *   (SERVICE_DRIVERS below); responses without a linked interaction are not in this model, nor are
 *   those whose SLA checks are not due yet.
 */
import type { Db } from '../../pipelines/core/warehouse.js';
import type { DriverMoments } from './drivers.js';

export type DriverKind = 'survey_aspect' | 'service';
export type SurveyTarget = 'nps' | 'csat' | 'ces';

/**
 * Service experience of the rated interaction, as 0/1 indicators so every response stays in the model
 * (raw resolution hours would drop the unresolved ones, the worst experiences) and times are judged
 * against each channel's own SLA (raw minutes would mostly measure the channel). Status is taken at
 * the end of the as-of day. An interaction still open counts as not resolved at first contact.
 */
export const SERVICE_DRIVERS: { driver: string; expr: string }[] = [
  { driver: 'first_response_sla_met', expr: 't.is_first_response_sla_met::integer::double' },
  { driver: 'resolution_sla_met', expr: 't.is_resolution_sla_met::integer::double' },
  { driver: 'unresolved', expr: '(t.resolved_on is null)::integer::double' },
  {
    driver: 'first_contact_resolution',
    expr: 'coalesce(t.is_first_contact_resolution, case when t.resolved_on is null then false end)::integer::double',
  },
  { driver: 'complaint', expr: 't.is_complaint::integer::double' },
];

interface Window {
  fromAt: Date;
  cutoffAt: Date;
}

/**
 * Answers are read in hundredths (every rating scale in use is whole or half points; finer values are
 * rounded to 0.01), so every sum below is a sum of whole numbers: exact (BIGINT products, HUGEINT sums),
 * whatever order DuckDB's threads merge partial sums in. stddev_samp/corr merged floating states in
 * finish order, and the drivers (an export) changed in the last bits from run to run. Products stay
 * within BIGINT for answers up to about 3 x 10^7.
 */
const SCALE = 100;

/** Sample standard deviation from exact sums (n, Σx, Σx² in units of 1/SCALE). */
function sdOf(n: bigint, s: bigint, ss: bigint): number {
  if (n < 2n) return Number.NaN;
  return Math.sqrt(Number(n * ss - s * s) / Number(n * (n - 1n))) / SCALE;
}

/** Pearson correlation from exact pair sums (n, Σa, Σb, Σa², Σb², Σab); NaN when either side is constant. */
function corrOf(n: bigint, sa: bigint, sb: bigint, saa: bigint, sbb: bigint, sab: bigint): number {
  const va = n * saa - sa * sa;
  const vb = n * sbb - sb * sb;
  if (n < 2n || va <= 0n || vb <= 0n) return Number.NaN;
  return Number(n * sab - sa * sb) / Math.sqrt(Number(va) * Number(vb));
}

async function momentsFromBase(db: Db, names: string[], baseSql: string, params: Record<string, string | number | Date>): Promise<DriverMoments> {
  // Pairwise-available moments (see drivers.ts): each statistic uses every response that answered what
  // it needs (as DuckDB's corr/stddev_samp would, skipping nulls), from exact whole-number sums.
  const p = names.length;
  const cols = names.map((_, j) => `d${j}`);
  const aggs = ['count(*)::varchar as n', `count(*) filter (where ${cols.map((c) => `${c} is not null`).join(' and ')})::varchar as n_complete`];
  // A product or sum with a NULL is NULL, and count/sum skip NULLs: `a + 0 * b` is a where b is answered too.
  const sums = (key: string, a: string, b: string) => {
    aggs.push(
      `count(${a} * ${b})::varchar as ${key}_n`,
      `sum(${a} + 0 * ${b})::varchar as ${key}_sa`,
      `sum(${b} + 0 * ${a})::varchar as ${key}_sb`,
      `sum(${a} * ${a} + 0 * ${b})::varchar as ${key}_saa`,
      `sum(${b} * ${b} + 0 * ${a})::varchar as ${key}_sbb`,
      `sum(${a} * ${b})::varchar as ${key}_sab`,
    );
  };
  sums('y', 'e_y', 'e_y');
  cols.forEach((_, j) => {
    sums(`x${j}`, `e${j}`, `e${j}`);
    sums(`xy${j}`, `e${j}`, 'e_y');
    for (let k = j + 1; k < p; k++) sums(`xx${j}_${k}`, `e${j}`, `e${k}`);
  });
  const where = `y is not null and (${cols.map((c) => `${c} is not null`).join(' or ')})`;
  const scaled = [`round(y * ${SCALE})::bigint as e_y`, ...cols.map((c, j) => `round(${c} * ${SCALE})::bigint as e${j}`)];
  const row = (await db.one<Record<string, string | null>>(
    `with base as (${baseSql}), scaled as (select ${scaled.join(', ')}, ${cols.join(', ')} from base where ${where})
     select ${aggs.join(', ')} from scaled`,
    params,
  ))!;
  const big = (key: string) => BigInt(row[key] ?? 0);
  const pair = (key: string) => [big(`${key}_n`), big(`${key}_sa`), big(`${key}_sb`), big(`${key}_saa`), big(`${key}_sbb`), big(`${key}_sab`)] as const;
  const num = (v: number) => (Number.isNaN(v) ? 0 : v);
  const corrX = Array.from({ length: p }, (_, a) =>
    Array.from({ length: p }, (_, b) => (a === b ? 1 : num(corrOf(...pair(a < b ? `xx${a}_${b}` : `xx${b}_${a}`))))),
  );
  const answers = names.map((_, j) => Number(big(`x${j}_n`)));
  const pairN = Array.from({ length: p }, (_, a) =>
    Array.from({ length: p }, (_, b) => (a === b ? answers[a] : Number(big(a < b ? `xx${a}_${b}_n` : `xx${b}_${a}_n`)))),
  );
  const sd = (key: string) => {
    const [n, s, , ss] = pair(key);
    return num(sdOf(n, s, ss));
  };
  return {
    names,
    n: Number(big('n')),
    nComplete: Number(big('n_complete')),
    answers,
    pairN,
    sdY: sd('y'),
    sdX: names.map((_, j) => sd(`x${j}`)),
    corrX,
    corrY: names.map((_, j) => num(corrOf(...pair(`xy${j}`)))),
  };
}

/** Aspect questions answered at least `minCount` times on responses of this type in the window, with their answer counts. */
export async function aspectQuestions(db: Db, target: SurveyTarget, w: Window, minCount: number): Promise<{ question: string; answers: number }[]> {
  const rows = await db.all<{ question: string; answers: number | bigint }>(
    `select a.question, count(*) as answers
     from int_survey_responses r join survey_answers a on a.response_id = r.response_id
     where r.survey_type = $target and r.submitted_at >= $from_at and r.submitted_at < $cutoff_at
     group by a.question having count(*) >= $min_count order by a.question`,
    { target, from_at: w.fromAt, cutoff_at: w.cutoffAt, min_count: minCount },
  );
  return rows.map((r) => ({ question: r.question, answers: Number(r.answers) }));
}

export async function aspectMoments(db: Db, target: SurveyTarget, questions: string[], w: Window): Promise<DriverMoments> {
  const params: Record<string, string | number | Date> = { target, from_at: w.fromAt, cutoff_at: w.cutoffAt };
  const pivots = questions.map((q, j) => {
    params[`q${j}`] = q;
    return `max(a.score) filter (where a.question = $q${j}) as d${j}`;
  });
  const base = `
    select r.score::double as y, ${pivots.join(', ')}
    from int_survey_responses r join survey_answers a on a.response_id = r.response_id
    where r.survey_type = $target and r.submitted_at >= $from_at and r.submitted_at < $cutoff_at
    group by r.response_id, r.score`;
  return momentsFromBase(db, questions, base, params);
}

export async function serviceMoments(db: Db, target: SurveyTarget, w: Window): Promise<DriverMoments> {
  const base = `
    select r.score::double as y, ${SERVICE_DRIVERS.map((d, j) => `${d.expr} as d${j}`).join(', ')}
    from int_survey_responses r join int_interaction_times t on t.interaction_id = r.interaction_id
    where r.survey_type = $target and r.submitted_at >= $from_at and r.submitted_at < $cutoff_at`;
  return momentsFromBase(
    db,
    SERVICE_DRIVERS.map((d) => d.driver),
    base,
    { target, from_at: w.fromAt, cutoff_at: w.cutoffAt },
  );
}

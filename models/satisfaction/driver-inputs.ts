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

async function momentsFromBase(db: Db, names: string[], baseSql: string, params: Record<string, string | number | Date>): Promise<DriverMoments> {
  // Pairwise-available moments (see drivers.ts): DuckDB's corr/stddev_samp skip rows where an input is
  // null, so each statistic uses every response that answered what it needs.
  const p = names.length;
  const cols = names.map((_, j) => `d${j}`);
  const aggs = ['count(*) as n', 'stddev_samp(y) as sd_y', `count(*) filter (where ${cols.map((c) => `${c} is not null`).join(' and ')}) as n_complete`];
  cols.forEach((c, j) => {
    aggs.push(`stddev_samp(${c}) as sd_${j}`, `corr(${c}, y) as cy_${j}`, `count(${c}) as n_${j}`);
    for (let k = j + 1; k < p; k++) aggs.push(`corr(${c}, d${k}) as c_${j}_${k}`, `count(*) filter (where ${c} is not null and d${k} is not null) as n_${j}_${k}`);
  });
  const where = `y is not null and (${cols.map((c) => `${c} is not null`).join(' or ')})`;
  const row = (await db.one<Record<string, number | bigint | null>>(
    `with base as (${baseSql}) select ${aggs.join(', ')} from base where ${where}`,
    params,
  ))!;
  const num = (v: number | bigint | null | undefined) => (v === null || v === undefined || Number.isNaN(Number(v)) ? 0 : Number(v));
  const corrX = Array.from({ length: p }, (_, a) =>
    Array.from({ length: p }, (_, b) => (a === b ? 1 : num(row[a < b ? `c_${a}_${b}` : `c_${b}_${a}`]))),
  );
  const answers = names.map((_, j) => num(row[`n_${j}`]));
  const pairN = Array.from({ length: p }, (_, a) =>
    Array.from({ length: p }, (_, b) => (a === b ? answers[a] : num(row[a < b ? `n_${a}_${b}` : `n_${b}_${a}`]))),
  );
  return {
    names,
    n: num(row.n),
    nComplete: num(row.n_complete),
    answers,
    pairN,
    sdY: num(row.sd_y),
    sdX: names.map((_, j) => num(row[`sd_${j}`])),
    corrX,
    corrY: names.map((_, j) => num(row[`cy_${j}`])),
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

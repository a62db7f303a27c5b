import { twoProportionZ } from '../../models/satisfaction/significance.js';
import type { Db } from '../../pipelines/core/warehouse.js';
import { asOfParam } from '../../pipelines/core/sql-date.js';
import type { Translator } from '../i18n/translate.js';
import { num, round, type Tile } from './types.js';

export interface ActionEffect {
  rule: string;
  treated: number;
  treated_repurchased: number;
  held_out: number;
  held_out_repurchased: number;
  /** Repurchase rate treated minus held out, in percentage points. */
  uplift_points: number | null;
  p_value: number | null;
  is_significant: boolean;
}

/**
 * Did the actions work? For actions whose outcome window is complete (fired for a data date at least
 * `windowDays` before `asOf`), the share of customers who bought again within the window, treated vs
 * held out, per rule, with a two-proportion z test. Repurchase within the churn horizon is the churn
 * definition turned around, so this is the measured effect of the action on churn.
 */
export async function actionEffects(db: Db, asOf: Date, windowDays: number): Promise<{ effects: ActionEffect[]; nextReadyOn: string | null }> {
  const rows = await db.all(
    `with acts as (
         select rule, is_holdout, customer_id, as_of
         from retention_actions
         where as_of is not null and status <> 'cancelled' and customer_id <> '<erased>'
     ),
     mature as (
         select * from acts where as_of + to_days($window_days::int) <= $as_of
     ),
     outcome as (
         select
             m.rule,
             m.is_holdout,
             exists (
                 select 1 from purchases p
                 where p.customer_id = m.customer_id and p.status = 'completed'
                   and p.ordered_at >= m.as_of + interval 1 day
                   and p.ordered_at < m.as_of + to_days($window_days::int + 1)
             ) as is_repurchased
         from mature m
     )
     select
         rule,
         count(*) filter (where not is_holdout) as treated,
         count(*) filter (where not is_holdout and is_repurchased) as treated_repurchased,
         count(*) filter (where is_holdout) as held_out,
         count(*) filter (where is_holdout and is_repurchased) as held_out_repurchased
     from outcome
     group by rule
     order by rule`,
    { ...asOfParam(asOf), window_days: windowDays },
  );
  const next = await db.one<{ d: Date | null }>(
    `select min(as_of + to_days($window_days::int))::date as d from retention_actions
     where as_of is not null and status <> 'cancelled' and as_of + to_days($window_days::int) > $as_of`,
    { ...asOfParam(asOf), window_days: windowDays },
  );
  const effects = rows.map((r) => {
    const t = num(r.treated) ?? 0;
    const tx = num(r.treated_repurchased) ?? 0;
    const h = num(r.held_out) ?? 0;
    const hx = num(r.held_out_repurchased) ?? 0;
    const test = t > 0 && h > 0 ? twoProportionZ(tx, t, hx, h) : undefined;
    return {
      rule: String(r.rule),
      treated: t,
      treated_repurchased: tx,
      held_out: h,
      held_out_repurchased: hx,
      uplift_points: t > 0 && h > 0 ? 100 * (tx / t - hx / h) : null,
      p_value: test?.pValue ?? null,
      is_significant: test?.isSignificant ?? false,
    };
  });
  return { effects, nextReadyOn: next?.d ? next.d.toISOString().slice(0, 10) : null };
}

/** One tile per rule with a complete outcome window, or one tile saying when the first will be ready. */
export function actionEffectTiles(r: { effects: ActionEffect[]; nextReadyOn: string | null }, windowDays: number, t: Translator): Tile[] {
  const share = (x: number, n: number) => (n > 0 ? t.pct(x / n, 0) : '–');
  if (r.effects.length === 0) {
    return [
      {
        id: 'action-effect',
        label: t.t('metric.action_effect'),
        value: null,
        note: r.nextReadyOn ? t.t('note.action_effect_ready', { days: windowDays, date: t.date(r.nextReadyOn) }) : t.t('note.action_effect_wait', { days: windowDays }),
      },
    ];
  }
  return r.effects.map((e) => ({
    id: `action-effect-${e.rule}`,
    label: t.t('metric.action_effect_rule', { rule: e.rule, days: windowDays }),
    // Uplift is a difference of two repurchase rates: percentage points, tested by a two-proportion z test.
    unit: 'pp',
    value: round(e.uplift_points, 1),
    note: `${t.t('note.action_effect', { treated: share(e.treated_repurchased, e.treated), n_treated: t.num(e.treated, 0), held: share(e.held_out_repurchased, e.held_out), n_held: t.num(e.held_out, 0) })} ${
      e.p_value === null ? '' : t.t(e.is_significant ? 'change.significant' : 'change.not_significant', { p: e.p_value < 0.001 ? '< 0.001' : `= ${t.num(e.p_value, 3)}` })}`.trim(),
  }));
}

import { afterEach, describe, expect, it } from 'vitest';
import { actionEffects, actionEffectTiles } from '../../dashboards/data/action-effect.js';
import { translator } from '../../dashboards/i18n/translate.js';
import { tempWarehouse } from '../helpers/temp-warehouse.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

async function action(wh: Awaited<ReturnType<typeof tempWarehouse>>['wh'], id: string, customer: string, asOf: string, holdout: boolean, status = 'delivered') {
  await wh.run(
    `insert into retention_actions (action_id, idempotency_key, rule, action, kind, channel, customer_id, fired_at, as_of, is_holdout, payload, status)
     values ($1, $1, 'win-back', 'offer', 'marketing', 'list', $2, $3::timestamp, $3::date, $4, '{}', $5)`,
    [id, customer, asOf, holdout, status],
  );
}

describe('action effect: treated vs held out', () => {
  it('compares repurchase within the window, only for actions whose window is complete (hand-computed)', async () => {
    const { wh, cleanup } = await tempWarehouse();
    cleanups.push(cleanup);
    // Mature (as_of 2026-01-01, window 90 d, data as of 2026-06-30): 4 treated, 2 held out.
    for (const [i, c] of ['t1', 't2', 't3', 't4'].entries()) await action(wh, `a${i}`, c, '2026-01-01', false);
    await action(wh, 'h1', 'h1', '2026-01-01', true);
    await action(wh, 'h2', 'h2', '2026-01-01', true);
    // Not mature (window ends after 2026-06-30) and cancelled actions are left out.
    await action(wh, 'late', 'late', '2026-05-01', false);
    await action(wh, 'gone', 't9', '2026-01-01', false, 'cancelled');
    await wh.run(`insert into purchases (order_id, customer_id, ordered_at, amount, status) values
      ('p1', 't1', '2026-01-15', 10, 'completed'),
      ('p2', 't2', '2026-03-31', 10, 'completed'),  -- day 89 after as_of: inside
      ('p3', 't3', '2026-02-01', 10, 'completed'),
      ('p4', 't4', '2026-04-02', 10, 'completed'),  -- day 91: outside
      ('p5', 'h1', '2026-01-01', 10, 'completed'),  -- the as_of day itself: before the action, outside
      ('p6', 'h2', '2026-01-20', 10, 'refunded'),   -- not a completed purchase
      ('p7', 'late', '2026-05-02', 10, 'completed')`);
    const r = await actionEffects(wh, new Date('2026-06-30T00:00:00Z'), 90);
    expect(r.effects).toHaveLength(1);
    const e = r.effects[0];
    expect(e).toMatchObject({ rule: 'win-back', treated: 4, treated_repurchased: 3, held_out: 2, held_out_repurchased: 0 });
    // 75% vs 0%: pooled p = 3/6, se = sqrt(.25 * (1/4 + 1/2)) = 0.4330, z = 1.732, two-sided p = 0.0833.
    expect(e.uplift_points).toBeCloseTo(75, 10);
    expect(e.p_value).toBeCloseTo(0.0833, 3);
    expect(e.is_significant).toBe(false);
    expect(r.nextReadyOn).toBe('2026-07-30');
    const tiles = actionEffectTiles(r, 90, translator('en'));
    expect(tiles[0].value).toBe(75);
    expect(tiles[0].unit).toBe('pp');
    expect(tiles[0].note).toBe('75% of 4 treated vs 0% of 2 held out bought again. not significant (p = 0.083)');
  });

  it('says when the first outcome window completes when none has yet', async () => {
    const { wh, cleanup } = await tempWarehouse();
    cleanups.push(cleanup);
    await action(wh, 'x', 'c1', '2026-06-01', false);
    const r = await actionEffects(wh, new Date('2026-06-30T00:00:00Z'), 90);
    expect(r.effects).toEqual([]);
    expect(actionEffectTiles(r, 90, translator('en'))[0].note).toBe('No action has a complete 90-day outcome window yet; the first is ready on Aug 30, 2026.');
    expect(actionEffectTiles(r, 90, translator('lv'))[0].note).toBe('Nevienai darbībai vēl nav noslēdzies 90 dienu novērošanas logs; pirmais būs gatavs 2026. gada 30. aug.');
  });
});

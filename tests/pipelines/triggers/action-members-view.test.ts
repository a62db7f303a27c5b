import { afterEach, describe, expect, it } from 'vitest';
import { tempWarehouse } from '../../helpers/temp-warehouse.js';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

/** The view's payload columns as they were defined before: one json_extract per column (the reference). */
const REFERENCE = `
  select
    a.action_id,
    try_cast(json_extract(a.payload, '$.customer.churn_risk') as double) as churn_risk,
    json_extract_string(a.payload, '$.customer.churn_band') as churn_band,
    try_cast(json_extract(a.payload, '$.customer.clv') as double) as clv,
    try_cast(json_extract(a.payload, '$.customer.value_at_stake') as double) as value_at_stake,
    json_extract_string(a.payload, '$.customer.rfm_segment') as rfm_segment,
    json_extract_string(a.payload, '$.churn_reasons[0].text') as top_reason
  from retention_actions a`;

const PAYLOADS: Record<string, unknown> = {
  full: {
    customer: { churn_risk: 0.734, churn_band: 'high', clv: 1234.5, value_at_stake: 906.12, rfm_segment: 'Champions' },
    churn_reasons: [{ feature: 'recency', text: 'no purchase in 74 days, usual gap 21', contribution: 0.2 }, { text: 'second' }],
  },
  nulls: { customer: { churn_risk: null, churn_band: null, clv: null, value_at_stake: null, rfm_segment: null }, churn_reasons: [] },
  missing: { customer: {} },
  no_customer: { rule: 'x' },
  odd_types: {
    customer: { churn_risk: '0.5', churn_band: 3, clv: 'n/a', value_at_stake: true, rfm_segment: { a: 1 } },
    churn_reasons: [{ text: null }],
  },
  nested_text: { customer: { churn_band: 'quote " and unicode ā 中' }, churn_reasons: [{ text: ['a', 'b'] }] },
  integers: { customer: { churn_risk: 1, clv: 0, value_at_stake: -2 } },
  json_null: null,
  array: [1, 2],
};

describe('action_members view', () => {
  it('reads each payload column exactly as one json_extract per column did', async () => {
    const { wh, cleanup: done } = await tempWarehouse();
    cleanup.push(done);
    let i = 0;
    for (const [id, payload] of Object.entries(PAYLOADS)) {
      await wh.run(
        `insert into retention_actions (action_id, idempotency_key, rule, action, kind, channel, customer_id, fired_at, as_of, is_holdout, payload, status, attempts)
         values ($1, $1, 'r', 'a', 'marketing', 'webhook', $2, now()::timestamp, current_date, false, $3::json, 'pending', 0)`,
        [id, `c${i++}`, JSON.stringify(payload)],
      );
    }
    const cols = 'action_id, churn_risk, churn_band, clv, value_at_stake, rfm_segment, top_reason';
    const view = await wh.all(`select ${cols} from action_members order by action_id`);
    const reference = await wh.all(`select ${cols} from (${REFERENCE}) order by action_id`);
    expect(view).toHaveLength(Object.keys(PAYLOADS).length);
    expect(view).toEqual(reference);
    // The cases say something: a full payload gives every value, the odd ones what the casts make of them.
    const full = view.find((r) => r.action_id === 'full')!;
    expect(full).toMatchObject({ churn_risk: 0.734, churn_band: 'high', clv: 1234.5, value_at_stake: 906.12, rfm_segment: 'Champions', top_reason: 'no purchase in 74 days, usual gap 21' });
    const odd = view.find((r) => r.action_id === 'odd_types')!;
    expect(odd).toMatchObject({ churn_risk: 0.5, churn_band: '3', clv: null, rfm_segment: '{"a":1}', top_reason: null });
    // Nothing else differs either: the whole view against the reference columns joined back.
    const diff = await wh.one<{ n: number }>(
      `select count(*) as n from (
         (select ${cols} from action_members except all select ${cols} from (${REFERENCE}))
         union all
         (select ${cols} from (${REFERENCE}) except all select ${cols} from action_members))`,
    );
    expect(diff?.n).toBe(0);
  });
});

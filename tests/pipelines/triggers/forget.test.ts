import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../pipelines/core/clock.js';
import { evaluateRules } from '../../../pipelines/triggers/evaluate.js';
import { customerKeyHash, forgetCustomer, markErasurePlaceDone } from '../../../pipelines/triggers/forget.js';
import { resolveRules } from '../../../pipelines/triggers/rules.js';
import { openFixture, setCustomers, type Fixture } from './customer-360-fixture.js';

let fx: Fixture | undefined;
afterEach(() => {
  fx?.close();
  fx = undefined;
});

const clock = fixedClock('2026-11-21T03:00:00Z');

async function countFor(f: Fixture, table: string, id: string): Promise<number> {
  return Number((await f.warehouse.one<{ n: number }>(`select count(*) as n from ${table} where customer_id = $1`, [id]))?.n);
}

describe('forgetCustomer', () => {
  it('erases the customer from every table with customer_id, including tables added later, and cancels undelivered actions', async () => {
    fx = await openFixture({
      triggers: { useDefaultRules: false, rules: [
        { name: 'hook', channel: 'webhook', holdoutShare: 0, requiresConsent: false, when: { field: 'rfm_segment', op: '=', value: 'At Risk' } },
        { name: 'lst', channel: 'list', holdoutShare: 0, requiresConsent: false, when: { field: 'rfm_segment', op: '=', value: 'At Risk' } },
      ] },
      delivery: { endpoints: { default: { url: 'http://127.0.0.1:9/x', secret: `whsec_${randomBytes(16).toString('base64')}` } } },
    });
    const wh = fx.warehouse;
    await setCustomers(wh, [{ customer_id: 'C1', rfm_segment: 'At Risk' }, { customer_id: 'C10', rfm_segment: 'At Risk' }]);
    for (const id of ['C1', 'C10']) {
      await wh.run("insert into customers (customer_id, email, marketing_consent) values ($1, $2, true)", [id, `${id}@example.test`]);
      await wh.run("insert into purchases (order_id, customer_id, ordered_at, amount, status) values ($1, $2, '2026-11-01', 10, 'completed')", [`o-${id}`, id]);
      await wh.run("insert into surveys (response_id, customer_id, submitted_at, survey_type, score) values ($1, $2, '2026-11-02', 'nps', 3)", [`r-${id}`, id]);
      await wh.run('insert into survey_answers (response_id, question, score) values ($1, $2, 2)', [`r-${id}`, 'q_speed']);
      await wh.run("insert into rejected_rows (run_id, source, file, line, reason, raw_row, rejected_at) values ('r', 'purchases', 'p.csv', 3, 'bad amount', $1, now())", [`o-x,${id},2026-11-01,abc`]);
    }
    // A score-history table another module adds later: found through information_schema.
    await wh.run('create table later_added_history (customer_id varchar, churn_risk double, scored_at timestamp)');
    await wh.run("insert into later_added_history values ('C1', 0.4, '2026-10-01'), ('C1', 0.6, '2026-11-01'), ('C10', 0.1, '2026-11-01')");
    await evaluateRules(wh, resolveRules(fx.config), { asOf: new Date('2026-11-20'), now: clock.now() });

    const r = await forgetCustomer(wh, 'C1', clock);
    expect(r.deleted).toMatchObject({ customers: 1, purchases: 1, surveys: 1, survey_answers: 1, customer_360: 1, later_added_history: 2, trigger_membership: 2 });
    expect(r.cancelledActions).toBe(2);
    expect(r.anonymisedActions).toBe(2);
    expect(r.rejectedRows).toBe(1);
    for (const t of ['customers', 'purchases', 'surveys', 'customer_360', 'later_added_history', 'trigger_membership', 'retention_actions']) {
      expect(await countFor(fx, t, 'C1')).toBe(0);
      // The customer whose id starts the same is untouched.
      expect(await countFor(fx, t, 'C10')).toBeGreaterThan(0);
    }
    expect((await wh.one<{ n: number }>("select count(*) as n from survey_answers where response_id = 'r-C1'"))?.n).toBe(0);
    expect((await wh.one<{ n: number }>('select count(*) as n from rejected_rows'))?.n).toBe(1);
    const erased = await wh.all<{ status: string; channel: string; payload: string }>(
      "select status, channel, payload::varchar as payload from retention_actions where customer_id = '<erased>' order by channel",
    );
    expect(erased).toEqual([
      { status: 'cancelled', channel: 'list', payload: '{"erased": true}' },
      { status: 'cancelled', channel: 'webhook', payload: '{"erased": true}' },
    ]);
    expect((await wh.one<{ k: string }>('select customer_key_sha256 as k from erased_customers'))?.k).toBe(customerKeyHash('C1'));
    // Nothing of C1 anywhere in text form: a whole-warehouse scan of every varchar column.
    const cols = await wh.all<{ table_name: string; column_name: string }>(
      "select table_name, column_name from information_schema.columns where table_schema = 'main' and data_type in ('VARCHAR', 'JSON')",
    );
    for (const c of cols) {
      // The journal keeps the customer's record ids (o-C1, r-C1) until the exports are clean: checked below.
      if (c.table_name === 'erasure_journal') continue;
      const hit = await wh.one<{ n: number }>(`select count(*) as n from "${c.table_name}" where regexp_matches("${c.column_name}"::varchar, '(^|[^A-Za-z0-9])C1([^0-9]|$)')`);
      expect(hit?.n, `${c.table_name}.${c.column_name}`).toBe(0);
    }
    expect(JSON.parse((await wh.one<{ k: string }>('select related_keys::varchar as k from erasure_journal'))!.k)).toEqual({
      order_id: ['o-C1'],
      interaction_id: [],
      response_id: ['r-C1'],
    });
    expect(await markErasurePlaceDone(wh, 'C1', 'exports', clock.now())).toEqual(['temp_files', 'warehouse_file']);
    expect((await wh.one<{ k: string | null }>('select related_keys::varchar as k from erasure_journal'))?.k).toBeNull();
    // Forgetting again is not an error: the customer was erased, the pending places are handed back.
    const again = await forgetCustomer(wh, ' C1\t', clock);
    expect(again).toMatchObject({ customerId: 'C1', alreadyErased: true, pending: ['temp_files', 'warehouse_file'] });
    await expect(forgetCustomer(wh, 'C404', clock)).rejects.toThrow(/no data for customer C404/);
  });
});

import { expect, test } from 'vitest';
import { benchSatisfaction, seedSatisfactionBench } from '../../../bench/satisfaction.js';
import { tempWarehouse } from './fixtures.js';

// Not a timing test (targets live in bench/): checks the benchmark still runs end to end, on 2,000 customers.
test('bench/satisfaction.ts seeds, builds every satisfaction mart and reports a row per step', async () => {
  const t = await tempWarehouse();
  try {
    await seedSatisfactionBench(t.wh, 2000);
    const rows = await benchSatisfaction(t.wh, new Date('2026-10-31T00:00:00Z'));
    const names = rows.map((r) => r.name);
    for (const m of ['int_interaction_times', 'int_survey_responses', 'satisfaction_daily', 'service_kpis_daily', 'complaints_daily', 'customer_satisfaction']) {
      expect(names).toContain(`mart ${m}`);
    }
    expect(rows.find((r) => r.name === 'mart customer_satisfaction')!.rows).toBe(2000);
    expect(rows.find((r) => r.name === 'mart int_interaction_times')!.rows).toBe(5800);
    expect(rows.every((r) => r.ms >= 0)).toBe(true);
  } finally {
    t.cleanup();
  }
});

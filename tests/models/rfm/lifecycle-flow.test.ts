/**
 * Lifecycle flow (models/rfm/lifecycle-flow.ts) against counts made in this file from the same random
 * rfm_history snapshots: which snapshot a date picks, the from x to counts (absent customers
 * included), and the customers behind a cell.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIFECYCLE_STAGES } from '../../../models/rfm/lifecycle.js';
import { flowMembersSql, lifecycleFlow, snapshotOnOrBefore } from '../../../models/rfm/lifecycle-flow.js';
import type { Warehouse } from '../../../pipelines/core/warehouse.js';
import { mulberry32 } from '../../helpers/prng.js';
import { tempWarehouse } from '../../helpers/temp-warehouse.js';

const SNAPSHOTS = ['2026-01-31', '2026-02-28', '2026-03-31'];
const r = mulberry32(7);
// snapshot -> customer -> stage; about a tenth of the customers missing from each snapshot.
const history = new Map<string, Map<string, string>>();
for (const s of SNAPSHOTS) {
  const m = new Map<string, string>();
  for (let i = 0; i < 300; i++) if (r() > 0.1) m.set(`c${i}`, LIFECYCLE_STAGES[Math.floor(r() * LIFECYCLE_STAGES.length)]!);
  history.set(s, m);
}

function oracle(a: string, b: string): Map<string, string[]> {
  const from = history.get(a)!;
  const to = history.get(b)!;
  const cells = new Map<string, string[]>();
  for (const id of new Set([...from.keys(), ...to.keys()])) {
    const key = `${from.get(id) ?? '(absent)'}>${to.get(id) ?? '(absent)'}`;
    cells.set(key, [...(cells.get(key) ?? []), id]);
  }
  return cells;
}

let wh: Warehouse;
let cleanup: () => void;
beforeAll(async () => {
  ({ wh, cleanup } = await tempWarehouse('cxp-flow-'));
  const rows: string[] = [];
  for (const [s, m] of history) for (const [id, stage] of m) rows.push(`(date '${s}', '${id}', 1, 1, '${stage}', 'r')`);
  await wh.run(`insert into rfm_history (as_of, customer_id, frequency, monetary, lifecycle_stage, run_id) values ${rows.join(',')}`);
});
afterAll(() => cleanup?.());

describe('snapshotOnOrBefore', () => {
  it('takes the latest snapshot on or before the date', () => {
    expect(snapshotOnOrBefore(SNAPSHOTS, '2026-02-28')).toBe('2026-02-28');
    expect(snapshotOnOrBefore(SNAPSHOTS, '2026-03-30')).toBe('2026-02-28');
    expect(snapshotOnOrBefore(SNAPSHOTS, '2026-12-31')).toBe('2026-03-31');
    expect(snapshotOnOrBefore(SNAPSHOTS, '2025-12-31')).toBeUndefined();
  });
});

describe('lifecycleFlow', () => {
  it('counts each from -> to pair like the oracle, for dates between snapshots', async () => {
    const flow = await lifecycleFlow(wh, '2026-02-10', '2026-04-15');
    expect([flow.from, flow.to]).toEqual(['2026-01-31', '2026-03-31']);
    const want = oracle('2026-01-31', '2026-03-31');
    expect(flow.cells.length).toBe(want.size);
    for (const c of flow.cells) expect(c.count_customers, `${c.from_stage}>${c.to_stage}`).toBe(want.get(`${c.from_stage}>${c.to_stage}`)?.length);
    expect(flow.cells.reduce((s, c) => s + c.count_customers, 0)).toBe(new Set([...history.get('2026-01-31')!.keys(), ...history.get('2026-03-31')!.keys()]).size);
    // Flow order: prospect first, "(absent)" last.
    expect(flow.cells[0]!.from_stage).toBe('prospect');
    expect(flow.cells.at(-1)!.from_stage).toBe('(absent)');
  });

  it('a date before the first snapshot takes the first; one snapshot gives no cells', async () => {
    expect((await lifecycleFlow(wh, '2020-01-01', '2026-02-28')).from).toBe('2026-01-31');
    const same = await lifecycleFlow(wh, '2026-03-31', '2026-04-30');
    expect(same.cells).toEqual([]);
    await expect(lifecycleFlow(wh, '2026-03-01', '2026-02-01')).rejects.toThrow(/after/);
  });

  it('restricts the customers counted', async () => {
    const flow = await lifecycleFlow(wh, '2026-01-31', '2026-02-28', (id) => ({ where: `${id} in ('c1', 'c2', 'c3')`, params: {} }));
    const total = flow.cells.reduce((s, c) => s + c.count_customers, 0);
    const a = history.get('2026-01-31')!;
    const b = history.get('2026-02-28')!;
    expect(total).toBe(['c1', 'c2', 'c3'].filter((id) => a.has(id) || b.has(id)).length);
  });
});

describe('flowMembersSql', () => {
  it('names exactly the customers behind a cell, absent ones included', async () => {
    const want = oracle('2026-02-28', '2026-03-31');
    const keys = [...want.keys()].filter((k) => !k.includes('absent')).slice(0, 3).concat([...want.keys()].filter((k) => k.includes('absent')).slice(0, 2));
    expect(keys.length).toBe(5);
    for (const key of keys) {
      const [fromStage, toStage] = key.split('>') as [string, string];
      const m = flowMembersSql({ from: '2026-02-28', to: '2026-03-31', fromStage, toStage });
      const ids = (await wh.all<{ customer_id: string }>(m.sql, m.params)).map((x) => x.customer_id).sort();
      expect(ids, key).toEqual([...want.get(key)!].sort());
    }
  });
});

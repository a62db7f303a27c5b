import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTableTests, runDataTests, type TableTests } from '../../../pipelines/transform/data-tests.js';
import { Warehouse } from '../../../pipelines/core/warehouse.js';

// Row-level tests of one table are counted in one scan with renumbered placeholders; this checks every
// kind against failures counted here in plain TypeScript over the same rows.
const rows = [
  { id: 1, colour: 'red', size: 's', score: 5, ref: 'a' },
  { id: 2, colour: 'blue', size: 'xl', score: 11, ref: 'a' },
  { id: 3, colour: 'green', size: 'm', score: null, ref: 'zz' },
  { id: 3, colour: null, size: 'huge', score: -1, ref: null },
  { id: 5, colour: 'red', size: null, score: 7, ref: 'b' },
];
const spec: TableTests = {
  unique: [['id']],
  not_null: ['colour', 'score'],
  accepted_values: { colour: ['red', 'blue'], size: ['s', 'm', 'l', 'xl'] },
  expressions: ['score between 0 and 10', 'id > 0'],
  relationships: { ref: 'dt_parent.ref' },
};

let wh: Warehouse;
beforeAll(async () => {
  wh = await Warehouse.open(':memory:');
  await wh.run('create table dt_parent (ref varchar)');
  await wh.run("insert into dt_parent values ('a'), ('b')");
  await wh.run('create table dt_child (id integer, colour varchar, size varchar, score integer, ref varchar)');
  for (const r of rows) await wh.run('insert into dt_child values ($1, $2, $3, $4, $5)', [r.id, r.colour, r.size, r.score, r.ref]);
});
afterAll(() => wh.close());

describe('runDataTests', () => {
  it('finds the failing rows of every kind of test, with the same counts as a row-by-row check', async () => {
    const ids = rows.map((r) => r.id);
    const expected: Record<string, number> = {
      'dt_child: unique (id)': 1, // one duplicated key group
      'dt_child: colour not null': rows.filter((r) => r.colour === null).length,
      'dt_child: score not null': rows.filter((r) => r.score === null).length,
      // accepted values report one row per unexpected value
      'dt_child: colour in (red, blue)': new Set(rows.filter((r) => r.colour !== null && !['red', 'blue'].includes(r.colour)).map((r) => r.colour)).size,
      'dt_child: size in (s, m, l, xl)': new Set(rows.filter((r) => r.size !== null && !['s', 'm', 'l', 'xl'].includes(r.size)).map((r) => r.size)).size,
      'dt_child: score between 0 and 10': rows.filter((r) => r.score === null || r.score < 0 || r.score > 10).length,
      'dt_child: ref references dt_parent.ref': rows.filter((r) => r.ref !== null && !['a', 'b'].includes(r.ref)).length,
    };
    expect(ids.every((i) => i > 0)).toBe(true); // so 'id > 0' must pass
    const { ran, failures } = await runDataTests(wh, buildTableTests('dt_child', spec, 'dt_child.tests.json'));
    expect(ran).toBe(8); // 1 unique + 2 not_null + 2 accepted_values + 2 expressions + 1 relationship
    expect(Object.fromEntries(failures.map((f) => [f.test, f.failingRows]))).toEqual(expected);
    for (const f of failures) expect(f.sample.length).toBeGreaterThan(0);
  });

  it('passes a clean table and skips the tests of a table that does not exist', async () => {
    await wh.run('create table dt_clean as select * from dt_child where id = 1');
    const clean = await runDataTests(wh, buildTableTests('dt_clean', { ...spec, relationships: {} }, 'x.tests.json'));
    expect(clean).toEqual({ ran: 7, failures: [] });
    const missing = await runDataTests(wh, buildTableTests('dt_missing', spec, 'x.tests.json'));
    expect(missing).toEqual({ ran: 0, failures: [] });
  });
});

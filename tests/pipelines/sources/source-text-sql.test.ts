import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOURCE_TRIM_CHARS } from '../../../pipelines/core/source-text.js';
import { Warehouse } from '../../../pipelines/core/warehouse.js';
import { sourceTextSql } from '../../../pipelines/sources/stage.js';

// The staging SQL's source text (stage.ts sourceTextSql) must be exactly JavaScript's trim() with ''
// as null, whatever sits at either end of a value: its cheap byte test decides only whether to trim, so
// a value it lets through untrimmed must be one trim() leaves alone. Checked on every trim character,
// the control and C1 characters around the test's byte limits, and multi-byte text, at each position.
const EDGE = [
  ...SOURCE_TRIM_CHARS,
  '\u0000', '\u0001', '\u001f', '!', '"', '~', '\u007f', '\u0080', '\u0084', '\u0085', '\u009f', '\u00a1',
  'é', 'Ā', '中', '\u2027', '\u200b', '\u180e', '\ufefe', '\uffff', '😀', 'a', '0', '-',
];

function cases(): string[] {
  const out = new Set<string>(['', ' ', 'a', 'C0000006', '2026-01-09 07:40:01']);
  for (const x of EDGE) {
    out.add(x);
    out.add(x + x);
    for (const y of EDGE) {
      out.add(`${x}${y}`);
      out.add(`${x}mid${y}`);
      out.add(`A${x}${y}Z`);
    }
  }
  return [...out];
}

describe('sourceTextSql', () => {
  let wh: Warehouse;
  beforeAll(async () => {
    wh = await Warehouse.open(':memory:');
  });
  afterAll(() => wh.close());

  it('equals JavaScript trim() with "" as null on every edge character, alone, doubled, at either end and inside', async () => {
    const values = cases();
    const rows = await wh.all<{ i: number; t: string | null }>(
      `select i, ${sourceTextSql('v')} as t
       from (select unnest(from_json($1::varchar, '["VARCHAR"]')) as v, generate_subscripts(from_json($1::varchar, '["VARCHAR"]'), 1) as i)
       order by i`,
      [JSON.stringify(values)],
    );
    expect(rows).toHaveLength(values.length);
    const wrong = rows.filter((r) => r.t !== (values[r.i - 1]!.trim() || null));
    expect(wrong.map((r) => JSON.stringify(values[r.i - 1]))).toEqual([]);
  });

  it('keeps NULL as NULL', async () => {
    expect(await wh.one(`select ${sourceTextSql('null::varchar')} as t`)).toEqual({ t: null });
  });
});

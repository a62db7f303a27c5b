import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTROL_CHAR_RE, SOURCE_TRIM_CHARS } from '../../../pipelines/core/source-text.js';
import { Warehouse } from '../../../pipelines/core/warehouse.js';
import { mayHoldControl } from '../../../pipelines/sources/plausibility.js';
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

let wh: Warehouse;
beforeAll(async () => {
  wh = await Warehouse.open(':memory:');
});
afterAll(() => wh.close());

/** The values (JSON-quoted) whose sourceTextSql text differs from JavaScript's trim() with '' as null. */
async function notTrimmedLikeJs(values: string[], spaceOnly: boolean): Promise<string[]> {
  const rows = await wh.all<{ i: number; t: string | null }>(
    `select i, ${sourceTextSql('v', spaceOnly)} as t
     from (select unnest(from_json($1::varchar, '["VARCHAR"]')) as v, generate_subscripts(from_json($1::varchar, '["VARCHAR"]'), 1) as i)
     order by i`,
    [JSON.stringify(values)],
  );
  expect(rows).toHaveLength(values.length);
  return rows.filter((r) => r.t !== (values[r.i - 1]!.trim() || null)).map((r) => JSON.stringify(values[r.i - 1]));
}

describe('sourceTextSql', () => {
  it('equals JavaScript trim() with "" as null on every edge character, alone, doubled, at either end and inside', async () => {
    expect(await notTrimmedLikeJs(cases(), false)).toEqual([]);
  });

  it('keeps NULL as NULL', async () => {
    expect(await wh.one(`select ${sourceTextSql('null::varchar')} as t`)).toEqual({ t: null });
    expect(await wh.one(`select ${sourceTextSql('null::varchar', true)} as t`)).toEqual({ t: null });
  });

  // spaceOnly: for values of files whose bytes are ASCII without TAB, VT, FF, CR and line breaks
  // (source-files.ts trimSpaceOnly), where only a space can sit at an edge.
  it('with spaceOnly, equals trim() on every value such a file can hold', async () => {
    const ascii: string[] = [];
    for (let cp = 0; cp < 0x80; cp++) {
      const ch = String.fromCodePoint(cp);
      ascii.push(`${ch} `, ` ${ch}`, ` ${ch} `, `  ${ch}`, `a${ch} `, ` ${ch}a`, `a ${ch}`, `${ch} a`);
    }
    const values = [...new Set([...cases(), ...ascii])].filter((v) => [...v].every((ch) => ch.codePointAt(0)! < 0x80 && !'\t\n\v\f\r'.includes(ch)));
    // Leading, trailing and inner spaces, blanks and the other control bytes are among them.
    expect(values.filter((v) => v.startsWith(' ') || v.endsWith(' ')).length).toBeGreaterThan(500);
    expect(values).toContain('\u0001 ');
    expect(await notTrimmedLikeJs(values, true)).toEqual([]);
  });
});

// The plausibility step runs its control-character regular expression only where mayHoldControl is
// true: it must be true for every text holding one (C0, DEL, C1), wherever it sits.
describe('mayHoldControl', () => {
  it('is true for every text with a control character, alone, at either end or inside', async () => {
    const values: string[] = [];
    for (let cp = 0; cp <= 0x2ff; cp++) {
      const ch = String.fromCodePoint(cp);
      values.push(ch, `a${ch}`, `${ch}a`, `C0000${ch}006`);
    }
    values.push('O0000003010', 'a"b', 'a\\b', '中文', '😀');
    const rows = await wh.all<{ i: number; g: boolean }>(
      `select i, ${mayHoldControl('v')} as g
       from (select unnest(from_json($1::varchar, '["VARCHAR"]')) as v, generate_subscripts(from_json($1::varchar, '["VARCHAR"]'), 1) as i)
       order by i`,
      [JSON.stringify(values)],
    );
    expect(rows).toHaveLength(values.length);
    const withControl = rows.filter((r) => CONTROL_CHAR_RE.test(values[r.i - 1]!));
    expect(withControl.length).toBe(65 * 4);
    expect(withControl.filter((r) => !r.g).map((r) => JSON.stringify(values[r.i - 1]))).toEqual([]);
    // Clean ASCII ids skip the regular expression (the point of the test).
    expect(rows.find((r) => values[r.i - 1] === 'O0000003010')?.g).toBe(false);
  });
});

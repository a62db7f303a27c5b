import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteIdent, quoteLiteral, quoteQualified } from '../../../pipelines/core/sql-ident.js';
import { Warehouse } from '../../../pipelines/core/warehouse.js';

describe('quoteIdent', () => {
  it.each([
    ['plain', '"plain"'],
    ['with space', '"with space"'],
    ['we"ird', '"we""ird"'],
    ['"', '""""'],
    ['Ünïcode', '"Ünïcode"'],
  ])('quotes %s', (name, expected) => {
    expect(quoteIdent(name)).toBe(expected);
  });

  it('rejects empty names and NUL', () => {
    expect(() => quoteIdent('')).toThrow(TypeError);
    expect(() => quoteIdent('a\u0000b')).toThrow(TypeError);
  });

  it('qualifies names part by part', () => {
    expect(quoteQualified('main', 'a"b')).toBe('"main"."a""b"');
  });

  it('doubles single quotes in literals', () => {
    expect(quoteLiteral("it's")).toBe("'it''s'");
  });

  describe('against DuckDB', () => {
    let wh: Warehouse;
    beforeAll(async () => {
      wh = await Warehouse.open(':memory:');
    });
    afterAll(() => wh.close());

    // Hostile names must round-trip as column names, never execute.
    it.each(['x"; drop table t; --', 'a b', 'select', "o'neil", 'ÄÖ"Ü'])('round-trips %j as a column name', async (name) => {
      await wh.withConnection(async (db) => {
        await db.run(`create or replace temp table t as select 1 as ${quoteIdent(name)}`);
        const cols = await db.all<{ column_name: string }>(
          "select column_name from information_schema.columns where table_name = 't'",
        );
        expect(cols.map((c) => c.column_name)).toEqual([name]);
      });
    });

    it('round-trips literals', async () => {
      const row = await wh.one<{ v: string }>(`select ${quoteLiteral("a'b''c")} as v`);
      expect(row?.v).toBe("a'b''c");
    });
  });
});

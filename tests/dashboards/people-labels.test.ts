/**
 * What a person reads vs what a machine reads on the at-risk list: the dashboard's CSV download has
 * labelled headers in the page's language and churn reasons rendered from the glossary by feature;
 * the API's default CSV and JSON keep the column names and the stored text. Expected headers are
 * written out here by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../dashboards/app.js';
import { buildAtRiskList } from '../../models/churn/at-risk-list.js';
import { fixedClock } from '../../pipelines/core/clock.js';
import { createFixture, type Fixture } from './fixtures.js';
import { reasonText } from '../../dashboards/data/reasons.js';
import { translator } from '../../dashboards/i18n/translate.js';
import { planFactors } from '../../models/churn/explain.js';

const MACHINE = 'customer_id,country,churn_risk,churn_band,value_at_stake,clv,p_alive,is_lost,top_reason,rfm_segment,lifecycle_stage,monetary,recency_days,marketing_consent,email,scored_at';
const ENGLISH = 'Customer,Country,Churn risk,Risk band,Value at stake,Lifetime value,Chance still active,Already lost,Main reason,Segment,Lifecycle stage,Net revenue,Days since last order,Marketing consent,Email,Scored';
// Latvian spreadsheets split cells on ";" (the decimal mark is ","): a label with a comma needs no quotes there.
const LATVIAN = 'Klients;Valsts;Aizplūšanas risks;Riska līmenis;Apdraudētā vērtība;Mūža vērtība;Varbūtība, ka joprojām aktīvs;Jau zaudēts;Galvenais iemesls;Segments;Dzīves cikla posms;Neto ieņēmumi;Dienas kopš pēdējā pasūtījuma;Piekrišana mārketingam;E-pasts;Novērtēts';

/** The churn model's reason for a declared attribute whose value is missing (its sentence, made by the model itself). */
const MISSING = {
  feature: 'attribute:contract_type',
  text: `${planFactors(['attribute:contract_type']).factors[0]!.text({ 'attribute:contract_type': Number.NaN })} (raises risk)`,
  contribution: 0.2,
};

let fx: Fixture;
let app: FastifyInstance;
beforeAll(async () => {
  fx = await createFixture();
  // Three hand-set leading reasons: one lowers the risk, one is a declared attribute the glossary does not know.
  const set = (id: string, reasons: object[]) => fx.warehouse.run('update churn_scores set churn_risk = 0.999, churn_reasons = $r::json where customer_id = $id', { id, r: JSON.stringify(reasons) });
  await set('c00001', [{ feature: 'count_complaints_90d', text: '3 complaints in the last 90 days', contribution: 0.31 }]);
  await set('c00002', [{ feature: 'tenure_days', text: 'customer for 900 days', contribution: -0.2 }]);
  await set('c00005', [{ feature: 'attr_contract_type', text: 'contract: month-to-month', contribution: 0.1 }]);
  // Declared attributes as the churn model names them (models/churn/explain.ts): value and name in the source's words.
  await set('c00006', [{ feature: 'attribute:contract', text: 'month-to-month contract (raises risk)', contribution: 0.2 }]);
  await set('c00007', [{ feature: 'attribute:monthly_charges', text: 'monthly charges 19.9 (lowers risk)', contribution: -0.05 }]);
  // A declared attribute the customer has no value for, in the model's own words.
  await set('c00008', [MISSING]);
  app = await buildApp({ warehouse: fx.warehouse, server: { cacheSeconds: 0 }, env: {}, clock: fixedClock('2026-06-30T12:00:00Z') });
});
afterAll(async () => {
  await app.close();
  fx.close();
});

const csv = async (query: string, headers: Record<string, string> = {}) => {
  const res = await app.inject({ url: `/api/customers/at-risk?format=csv&consent_only=false&sort=risk_desc&${query}`, headers });
  expect(res.statusCode).toBe(200);
  return res.body.replace(/^\uFEFF/, '').trim().split('\r\n');
};
/** One CSV line's cells (RFC 4180 quoting) split on `d`. */
const cells = (line: string, d = ','): string[] => {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === d) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  return [...out, cur];
};
const cell = (line: string, i: number, d = ',') => cells(line, d)[i]!;

describe('the at-risk CSV: machines get column names, people get labels in their language', () => {
  it('default CSV (machine-facing) keeps the column names, whatever the browser language', async () => {
    expect((await csv('', { 'accept-language': 'lv' }))[0]).toBe(MACHINE);
    expect((await csv('lang=zh-CN'))[0]).toBe(MACHINE);
  });

  it('header=labels: the labels of the page language (lang, else Accept-Language)', async () => {
    expect((await csv('header=labels&lang=en'))[0]).toBe(ENGLISH);
    expect((await csv('header=labels&lang=lv'))[0]).toBe(LATVIAN);
    expect((await csv('header=labels', { 'accept-language': 'lv-LV,lv;q=0.9' }))[0]).toBe(LATVIAN);
    const zh = (await csv('header=labels&lang=zh-CN'))[0]!;
    expect(zh.split(',')).toHaveLength(16);
    expect(zh).not.toMatch(/[A-Za-z]{3,}/);
  });
});

describe('the CSV opens in the reader\'s spreadsheet: cells and decimals as their language writes them', () => {
  // The same rows as the machine's JSON: each number cell, read with the language's decimal mark, is the JSON value.
  const json = async () =>
    (await app.inject({ url: '/api/customers/at-risk?consent_only=false&sort=risk_desc&limit=5' })).json().rows as Record<string, unknown>[];
  const readNumber = (text: string, mark: string) => {
    expect(text, 'a number in one style only').not.toContain(mark === ',' ? '.' : ',');
    return text === '' ? null : Number(text.replace(mark, '.'));
  };

  it('lv: ";" between cells and "," in numbers; en and zh-CN: "," and "."', async () => {
    const rows = await json();
    for (const [lang, d, mark] of [['lv', ';', ','], ['en', ',', '.'], ['zh-CN', ',', '.']] as const) {
      const lines = await csv(`header=labels&lang=${lang}&limit=5`);
      expect(cells(lines[0]!, d), lang).toHaveLength(16);
      for (const [i, r] of rows.entries()) {
        const c = cells(lines[i + 1]!, d);
        expect(c, `${lang} row ${i}`).toHaveLength(16);
        expect(c[0]).toBe(r.customer_id);
        expect(readNumber(c[2]!, mark), `${lang} churn_risk`).toBe(r.churn_risk);
        expect(readNumber(c[4]!, mark), `${lang} value_at_stake`).toBeCloseTo(r.value_at_stake as number, 9);
        expect(readNumber(c[5]!, mark), `${lang} clv`).toBeCloseTo(r.clv as number, 9);
      }
    }
    // The fixture has fractional numbers, so the check above saw a decimal mark.
    expect(rows.some((r) => typeof r.value_at_stake === 'number' && !Number.isInteger(r.value_at_stake))).toBe(true);
  });

  it('a text holding the delimiter is quoted; delimiter and decimal can be asked for', async () => {
    await fx.warehouse.run("update customers set country = 'L;V' where customer_id = (select customer_id from churn_scores order by churn_risk desc, customer_id limit 1)");
    try {
      const lv = await csv('header=labels&lang=lv&limit=1');
      expect(lv[1]).toContain(';"L;V";');
      expect(cells(lv[1]!, ';')[1]).toBe('L;V');
      // The machine's CSV is RFC 4180 with "." unless it asks: a ";" needs no quotes there.
      expect((await csv('limit=1'))[1]).toContain(',L;V,');
      const tab = await csv('limit=1&delimiter=tab&decimal=comma');
      expect(tab[0]).toBe(MACHINE.replaceAll(',', '\t'));
      const rows = await json();
      expect(readNumber(cells(tab[1]!, '\t')[4]!, ',')).toBeCloseTo(rows[0]!.value_at_stake as number, 9);
      // A person's file with the plain style, asked for.
      expect((await csv('header=labels&lang=lv&limit=1&delimiter=comma&decimal=point'))[0]).toBe(LATVIAN.split(';').map((l) => (l.includes(',') ? `"${l}"` : l)).join(','));
    } finally {
      await fx.warehouse.run("update customers set country = 'LV' where country = 'L;V'");
    }
  });
});

describe('churn reasons rendered from the glossary by feature', () => {
  const pick = (rows: { customer_id: string; top_reason: string }[], id: string) => rows.find((r) => r.customer_id === id)!.top_reason;

  for (const built of [false, true]) {
    it(`in Chinese and Latvian, from the feature and the sign of its contribution${built ? ' (ranked at_risk_list table)' : ''}`, async () => {
      if (built) await fx.warehouse.withConnection((db) => buildAtRiskList(db));
      const get = async (lang?: string) => (await app.inject({ url: `/api/customers/at-risk?population=all&consent_only=false&sort=risk_desc&limit=10${lang ? `&lang=${lang}` : ''}` })).json();
      const zh = await get('zh-CN');
      expect(pick(zh.rows, 'c00001')).toBe('近 90 天投诉次数：提高风险');
      expect(pick(zh.rows, 'c00002')).toBe('成为客户的时长：降低风险');
      expect(pick(zh.rows, 'c00005')).toBe('attr contract type：提高风险');
      expect(zh.column_labels.top_reason).toBe('主要原因');
      // A declared attribute keeps the customer's value and the attribute's name, with the direction in the reader's language.
      expect(pick(zh.rows, 'c00006')).toBe('month-to-month contract：提高风险');
      expect(pick(zh.rows, 'c00007')).toBe('monthly charges 19.9：降低风险');
      const lv = await get('lv');
      expect(pick(lv.rows, 'c00006')).toBe('month-to-month contract: palielina risku');
      expect(pick(lv.rows, 'c00001')).toBe('Sūdzības pēdējās 90 dienās: palielina risku');
      expect(pick(lv.rows, 'c00002')).toBe('Cik ilgi ir klients: samazina risku');
      // A missing attribute value is "not known" in the reader's language, not in English.
      expect(MISSING.text).toBe('contract type not known (raises risk)');
      expect(pick(zh.rows, 'c00008')).toBe('contract type 未知：提高风险');
      expect(pick(lv.rows, 'c00008')).toBe('contract type nav zināms: palielina risku');
      expect(pick((await get('en')).rows, 'c00008')).toBe('contract type not known (raises risk)');
      // English readers get the model's own sentence, with the customer's figures.
      expect(pick((await get('en')).rows, 'c00001')).toBe('3 complaints in the last 90 days');
      // Machines (no lang) get the stored text and no labels.
      const machine = await get();
      expect(pick(machine.rows, 'c00002')).toBe('customer for 900 days');
      expect(machine.column_labels).toBeUndefined();
      // The human CSV in Latvian carries the same reason text.
      const lines = await csv('population=all&header=labels&lang=lv');
      const line = lines.find((l) => l.startsWith('c00002;'))!;
      expect(cell(line, 8, ';')).toBe(pick(lv.rows, 'c00002'));
    });
  }
});

describe('the customer page renders the same reason text as the at-risk list', () => {
  it('a declared attribute: the value and name in every language, the direction translated', () => {
    const r = { feature: 'attribute:contract', text: 'month-to-month contract (raises risk)', contribution: 0.2 };
    expect(reasonText(translator('en'), r)).toBe('month-to-month contract (raises risk)');
    expect(reasonText(translator('lv'), r)).toBe('month-to-month contract: palielina risku');
    expect(reasonText(translator('zh-CN'), { ...r, contribution: -0.1, text: 'month-to-month contract (lowers risk)' })).toBe('month-to-month contract：降低风险');
    // Without the model's sentence, the attribute's own name (not the internal feature name).
    expect(reasonText(translator('lv'), { feature: 'attribute:payment_method', contribution: 0.1 })).toBe('payment method: palielina risku');
  });

  it('a declared attribute with no value reads "not known" in the page language (the customer page through the API)', async () => {
    const reasons = async (lang: string) => {
      const res = await app.inject({ url: `/api/customers/c00008/view?lang=${lang}` });
      expect(res.statusCode, res.body).toBe(200);
      return (res.json().view.sections as { kind: string; items?: string[] }[]).find((x) => x.kind === 'reasons')!.items!;
    };
    expect(await reasons('zh-CN')).toEqual(['contract type 未知：提高风险']);
    expect(await reasons('lv')).toEqual(['contract type nav zināms: palielina risku']);
    expect(await reasons('en')).toEqual(['contract type not known (raises risk)']);
  });
});

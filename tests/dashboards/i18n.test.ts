import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../dashboards/app.js';
import { en } from '../../dashboards/i18n/en.js';
import { GLOSSARIES, LANGS, pickLang, translator } from '../../dashboards/i18n/translate.js';
import { previousFrom, recentPeriods, resolveFilters } from '../../dashboards/filters.js';
import { formatValue, presentTile } from '../../dashboards/present.js';
import { resolveConfig } from '../../pipelines/config/load-config.js';
import { createFixture, type Fixture } from './fixtures.js';

const d = (s: string) => new Date(`${s}T00:00:00Z`);

describe('glossaries', () => {
  it('every language has every key, the same {placeholders}, and no empty text', () => {
    for (const lang of LANGS) {
      const g = GLOSSARIES[lang] as Record<string, string>;
      expect(Object.keys(g).sort(), lang).toEqual(Object.keys(en).sort());
      for (const [k, text] of Object.entries(en)) {
        expect(g[k].trim(), `${lang} ${k}`).not.toBe('');
        const vars = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
        expect(vars(g[k]), `${lang} ${k}`).toEqual(vars(text));
      }
    }
  });

  it('uses the domain terms customer-service teams use in Chinese and Latvian', () => {
    const zh = GLOSSARIES['zh-CN'];
    expect(zh['metric.csat']).toContain('客户满意度');
    expect(zh['metric.first_response']).toBe('首次响应时间');
    expect(zh['metric.fcr']).toBe('首次解决率');
    expect(zh['metric.nps']).toContain('NPS');
    const lv = GLOSSARIES.lv;
    expect(lv['metric.csat']).toContain('Klientu apmierinātība');
    expect(lv['metric.first_response']).toBe('Pirmās atbildes laiks');
    expect(lv['metric.churn_risk']).toBe('Aizplūšanas risks');
  });

  it('Chinese text carries no English words except acronyms and proper names', () => {
    const allowed = new Set(['NPS', 'CSAT', 'CES', 'CSI', 'SLA', 'RFM', 'ROC', 'AUC', 'API', 'CSV', 'p', 'n', 'Q', 'Σ', 'English', 'Latviešu', 'server', 'apiKeys']);
    for (const [k, text] of Object.entries(GLOSSARIES['zh-CN'])) {
      if (k.startsWith('fmt.') || k.startsWith('lang.')) continue;
      const words = text.replace(/\{\w+\}/g, '').match(/[A-Za-z][A-Za-z]*/g) ?? [];
      for (const w of words) expect(allowed.has(w), `${k}: "${w}" in "${text}"`).toBe(true);
    }
  });
});

describe('language choice', () => {
  it('takes ?lang= first, then Accept-Language by weight, else English', () => {
    expect(pickLang('lv', 'zh-CN')).toBe('lv');
    expect(pickLang(undefined, 'de-DE,lv;q=0.8,en;q=0.5')).toBe('lv');
    expect(pickLang(undefined, 'en;q=0.3,zh-Hans-CN;q=0.9')).toBe('zh-CN');
    expect(pickLang(undefined, 'fr, de')).toBe('en');
    expect(pickLang('xx', undefined)).toBe('en');
  });
});

describe('units and periods for people', () => {
  const en1 = translator('en', { currency: 'USD' });
  it('durations in min, h or days; rate changes in percentage points; money in the display currency', () => {
    expect(en1.duration(278.8)).toBe('4.6 h');
    expect(en1.duration(12)).toBe('12 min');
    expect(en1.duration(3 * 1440)).toBe('3 days');
    expect(en1.pp(1.6)).toBe('1.6 pp');
    expect(en1.money(1234.5)).toBe('$1,235');
    expect(translator('lv', { currency: 'EUR' }).money(1234.5)).toBe('1235\u00a0€');
    expect(translator('zh-CN', { currency: 'CNY' }).money(1234.5)).toBe('¥1,235');
    expect(translator('lv').duration(278.8)).toBe('4,6 h');
    expect(translator('zh-CN').duration(278.8)).toBe('4.6 小时');
  });

  it('names a month, a quarter and a week, and says which periods are compared', () => {
    expect(en1.period(d('2026-10-01'), d('2026-11-01'))).toBe('Oct 2026');
    expect(en1.period(d('2026-07-01'), d('2026-10-01'))).toBe('Q3 2026');
    expect(en1.period(d('2026-10-05'), d('2026-10-12'))).toBe('Week of Oct 5, 2026');
    expect(translator('zh-CN').period(d('2026-10-01'), d('2026-11-01'))).toBe('2026年10月');
    const f = resolveFilters({ from: '2026-10-01', to: '2026-10-31' }, d('2026-11-15'));
    expect(f.prevFrom.toISOString().slice(0, 10)).toBe('2026-09-01');
    const tile = presentTile(
      { id: 'csat', label: 'CSAT', unit: '%', value: 80.5, change: { previous: { value: 78.9, ci_low: null, ci_high: null, n: 200, is_low_sample: false }, delta: 1.6, p_value: 0.04, is_significant: true } },
      en1,
      { current: 'Oct 2026', previous: 'Sep 2026', vs: 'Oct 2026 vs Sep 2026' },
    );
    expect(tile.display).toBe('80.5%');
    expect(tile.change_text).toBe('up 1.6 pp: Oct 2026 vs Sep 2026 (78.9%); significant (p = 0.04)');
    expect(formatValue(en1, 'minutes', 278.8)).toBe('4.6 h');
  });

  it('compares whole months with the months before, other ranges with as many days before', () => {
    expect(previousFrom(d('2026-07-01'), d('2026-10-01')).toISOString().slice(0, 10)).toBe('2026-04-01');
    expect(previousFrom(d('2026-10-05'), d('2026-10-12')).toISOString().slice(0, 10)).toBe('2026-09-28');
    expect(previousFrom(d('2026-10-15'), d('2026-11-01')).toISOString().slice(0, 10)).toBe('2026-09-28');
  });

  it('offers complete weeks, months and quarters up to the as-of date', () => {
    const iso = (p: { from: Date; toExclusive: Date }) => `${p.from.toISOString().slice(0, 10)}..${p.toExclusive.toISOString().slice(0, 10)}`;
    // 2026-10-14 is a Wednesday: the last complete week is Oct 5-11.
    expect(recentPeriods('week', d('2026-10-14'), 2).map(iso)).toEqual(['2026-10-05..2026-10-12', '2026-09-28..2026-10-05']);
    expect(recentPeriods('month', d('2026-10-14'), 2).map(iso)).toEqual(['2026-09-01..2026-10-01', '2026-08-01..2026-09-01']);
    expect(recentPeriods('month', d('2026-10-31'), 1).map(iso)).toEqual(['2026-10-01..2026-11-01']);
    expect(recentPeriods('quarter', d('2026-10-14'), 1).map(iso)).toEqual(['2026-07-01..2026-10-01']);
  });
});

describe('pages and API in the chosen language', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await createFixture({ customers: 60 });
  });
  afterAll(() => fx.close());

  it('renders the page shell in the language of ?lang= or Accept-Language', async () => {
    const app = await buildApp({ warehouse: fx.warehouse, env: {} });
    try {
      const zh = await app.inject({ url: '/rfm?lang=zh-CN' });
      expect(zh.body).toContain('<html lang="zh-CN">');
      expect(zh.body).toContain('RFM 与客户价值');
      expect(zh.headers['content-language']).toBe('zh-CN');
      const lv = await app.inject({ url: '/service', headers: { 'accept-language': 'lv-LV,lv;q=0.9,en;q=0.5' } });
      expect(lv.body).toContain('<html lang="lv">');
      expect(lv.body).toContain('>Apkalpošana<');
      const api = (await app.inject({ url: '/api/dashboards/service?lang=lv' })).json();
      expect(api.lang).toBe('lv');
      expect(api.title).toBe('Apkalpošana');
      expect(api.charts.map((c: { title: string }) => c.title)).toContain('Pirmās atbildes laiks pa kanāliem');
      const overview = (await app.inject({ url: '/api/dashboards/overview?lang=lv' })).json();
      const csat = overview.tiles.find((t: { id: string }) => t.id === 'csat');
      expect(csat.label).toBe('Klientu apmierinātība (% apmierināto)');
      expect(csat.display).toMatch(/^\d+(,\d)?%$/);
      const filters = (await app.inject({ url: '/api/filters?lang=zh-CN' })).json();
      expect(filters.periods.quarter[0].label).toBe('2026年第2季度');
      expect(filters.periods.month[0]).toEqual({ from: '2026-06-01', to: '2026-06-30', label: '2026年6月' });
    } finally {
      await app.close();
    }
  });
});

describe('display currency', () => {
  it('config display.currency (ISO 4217) formats money on the dashboards; a bad code names the key', async () => {
    const fx = await createFixture({ customers: 40 });
    try {
      const config = resolveConfig({ sources: { customers: { path: 'c.csv' } }, display: { currency: 'USD' } }, fx.dir);
      expect(config.display).toEqual({ currency: 'USD' });
      expect(() => resolveConfig({ sources: { customers: { path: 'c.csv' } }, display: { currency: 'dollars' } }, fx.dir)).toThrow(/display\.currency/);
      const app = await buildApp({ warehouse: fx.warehouse, config, env: {} });
      try {
        const churn = (await app.inject({ url: '/api/dashboards/churn?lang=en' })).json();
        expect(churn.tiles.find((t: { id: string }) => t.id === 'revenue-at-risk').display).toMatch(/^\$[\d,]+$/);
      } finally {
        await app.close();
      }
    } finally {
      fx.close();
    }
  });
});

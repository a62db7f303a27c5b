/**
 * The dashboards' language layer: which language a request gets, its glossary, and every number, unit,
 * date and period format, built once per language on top of Intl (the platform's CLDR data). Pages,
 * chart specs (through Vega's `config.locale`) and human-read CSV headers all format through here, so
 * a figure reads the same everywhere it appears.
 */
import { en, type Glossary, type GlossaryKey } from './en.js';
import { lv } from './lv.js';
import { zhCN } from './zh-CN.js';

export const LANGS = ['en', 'zh-CN', 'lv'] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'en';

export const GLOSSARIES: Record<Lang, Glossary> = { en, 'zh-CN': zhCN, lv };

/** A supported language for a tag (`zh`, `zh-Hans-CN`, `LV-lv` ...), or undefined. */
export function matchLang(tag: string | undefined | null): Lang | undefined {
  if (!tag) return undefined;
  const t = tag.trim().toLowerCase();
  if (t === 'zh' || t.startsWith('zh-cn') || t.startsWith('zh-hans') || t.startsWith('zh-sg')) return 'zh-CN';
  if (t === 'lv' || t.startsWith('lv-')) return 'lv';
  if (t === 'en' || t.startsWith('en-')) return 'en';
  return undefined;
}

/** `?lang=` first, then the browser's Accept-Language by its q weights, then English. */
export function pickLang(queryLang: string | undefined, acceptLanguage: string | undefined): Lang {
  const q = matchLang(queryLang);
  if (q) return q;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(';');
      const qv = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag, q: qv ? Number(qv.slice(2)) : 1, i };
    })
    .filter((x) => x.tag && Number.isFinite(x.q) && x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranked) {
    const m = matchLang(r.tag);
    if (m) return m;
  }
  return DEFAULT_LANG;
}

type Vars = Record<string, string | number>;

/** d3-format / d3-time-format locale definitions, as Vega's `config.locale` takes them. */
export interface VegaLocale {
  number: { decimal: string; thousands: string; grouping: number[]; currency: [string, string] };
  time: {
    dateTime: string; date: string; time: string; periods: [string, string];
    days: string[]; shortDays: string[]; months: string[]; shortMonths: string[];
  };
}

export interface Translator {
  lang: Lang;
  currency: string;
  /** The glossary text for a key with `{name}` filled in. */
  t(key: GlossaryKey, vars?: Vars): string;
  /** Whether the glossary has this key. */
  has(key: string): key is GlossaryKey;
  /** A dimension value for people: `<kind>.<value>` from the glossary, else the value as stored. */
  label(kind: string, value: string | null | undefined): string;
  num(v: number | null | undefined, digits?: number): string;
  /** A share 0..1 as a percentage. */
  pct(share: number | null | undefined, digits?: number): string;
  /** A change of a rate, in percentage points (the argument is already in points). */
  pp(points: number | null | undefined, digits?: number): string;
  /** Minutes as min, h or days, whichever reads best. */
  duration(minutes: number | null | undefined): string;
  money(v: number | null | undefined, digits?: number): string;
  /** YYYY-MM-DD (or a Date / ISO timestamp) as a date in this language. */
  date(v: string | Date | null | undefined): string;
  dateTime(v: string | Date | null | undefined): string;
  month(v: string | Date): string;
  /** A human name for the range [from, toExclusive): "Oct 2026", "Q3 2026", "Week of 5 Oct 2026", else the range. */
  period(from: Date, toExclusive: Date): string;
  /** "Oct 2026 vs Sep 2026". */
  vs(a: string, b: string): string;
  vegaLocale: VegaLocale;
}

const DAY = 86_400_000;

function asDate(v: string | Date): Date {
  if (v instanceof Date) return v;
  return new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
}

function vegaLocaleOf(lang: Lang): VegaLocale {
  const parts = new Intl.NumberFormat(lang, { useGrouping: true }).formatToParts(12345.6);
  const group = parts.find((p) => p.type === 'group')?.value ?? ',';
  const decimal = parts.find((p) => p.type === 'decimal')?.value ?? '.';
  const range = (n: number, f: (i: number) => Date) => Array.from({ length: n }, (_, i) => f(i));
  const months = (style: 'long' | 'short') => {
    const f = new Intl.DateTimeFormat(lang, { month: style, timeZone: 'UTC' });
    return range(12, (i) => new Date(Date.UTC(2026, i, 1))).map((d) => f.format(d));
  };
  const days = (style: 'long' | 'short') => {
    const f = new Intl.DateTimeFormat(lang, { weekday: style, timeZone: 'UTC' });
    // 2026-11-01 is a Sunday: d3 lists days from Sunday.
    return range(7, (i) => new Date(Date.UTC(2026, 10, 1 + i))).map((d) => f.format(d));
  };
  const dateFmt: Record<Lang, string> = { en: '%-m/%-d/%Y', 'zh-CN': '%Y/%-m/%-d', lv: '%d.%m.%Y.' };
  return {
    // Grouping separators that are spaces become no-break spaces so a number never wraps.
    number: { decimal, thousands: group.replace(/\s/u, '\u00a0'), grouping: [3], currency: ['', ''] },
    time: {
      dateTime: '%x %X',
      date: dateFmt[lang],
      time: lang === 'en' ? '%-I:%M:%S %p' : '%H:%M:%S',
      periods: lang === 'zh-CN' ? ['上午', '下午'] : ['AM', 'PM'],
      days: days('long'),
      shortDays: days('short'),
      months: months('long'),
      shortMonths: months('short'),
    },
  };
}

const cache = new Map<string, Translator>();

/** The translator for a language and display currency (ISO 4217); built once and reused. */
export function translator(lang: Lang, opts: { currency?: string } = {}): Translator {
  const currency = (opts.currency ?? 'EUR').toUpperCase();
  const key = `${lang}|${currency}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const g = GLOSSARIES[lang];
  const fill = (text: string, vars?: Vars) => (vars ? text.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m)) : text);
  const numFmt = new Map<number, Intl.NumberFormat>();
  const nf = (digits: number) => {
    let f = numFmt.get(digits);
    if (!f) numFmt.set(digits, (f = new Intl.NumberFormat(lang, { maximumFractionDigits: digits, minimumFractionDigits: 0 })));
    return f;
  };
  const moneyFmt = (digits: number) => new Intl.NumberFormat(lang, { style: 'currency', currency, maximumFractionDigits: digits, minimumFractionDigits: digits });
  const money0 = moneyFmt(0);
  const money2 = moneyFmt(2);
  const dateF = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone: 'UTC' });
  const dateTimeF = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
  const monthF = new Intl.DateTimeFormat(lang, { month: 'short', year: 'numeric', timeZone: 'UTC' });
  const none = '–';
  const tr: Translator = {
    lang,
    currency,
    t: (k, vars) => fill(g[k] ?? en[k] ?? k, vars),
    has: (k): k is GlossaryKey => Object.prototype.hasOwnProperty.call(en, k),
    label(kind, value) {
      if (value === null || value === undefined) return none;
      const k = `${kind}.${value}`;
      return tr.has(k) ? g[k] : value;
    },
    num: (v, digits = 1) => (v === null || v === undefined || !Number.isFinite(v) ? none : nf(digits).format(v)),
    pct: (share, digits = 1) => (share === null || share === undefined ? none : fill(g['unit.pct'], { n: nf(digits).format(share * 100) })),
    pp: (points, digits = 1) => (points === null || points === undefined ? none : fill(g['unit.pp'], { n: nf(digits).format(points) })),
    duration(minutes) {
      if (minutes === null || minutes === undefined || !Number.isFinite(minutes)) return none;
      const a = Math.abs(minutes);
      if (a < 90) return fill(g['unit.min'], { n: nf(a < 10 ? 1 : 0).format(minutes) });
      if (a < 48 * 60) return fill(g['unit.h'], { n: nf(1).format(minutes / 60) });
      return fill(g['unit.days'], { n: nf(1).format(minutes / 1440) });
    },
    money: (v, digits) => (v === null || v === undefined || !Number.isFinite(v) ? none : (digits === 2 || (digits === undefined && Math.abs(v) < 100) ? money2 : money0).format(v)),
    date: (v) => (v === null || v === undefined || v === '' ? none : dateF.format(asDate(v))),
    dateTime(v) {
      if (v === null || v === undefined || v === '') return none;
      const d = asDate(v);
      // Midnight exactly is a date, not a time (most sources give dates only).
      return d.getUTCHours() === 0 && d.getUTCMinutes() === 0 && d.getUTCSeconds() === 0 ? dateF.format(d) : dateTimeF.format(d);
    },
    month: (v) => monthF.format(asDate(v)),
    period(from, toExclusive) {
      const f = from;
      const days = Math.round((toExclusive.getTime() - f.getTime()) / DAY);
      const firstOfMonth = f.getUTCDate() === 1;
      const addMonths = (d: Date, n: number) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1));
      if (firstOfMonth && toExclusive.getTime() === addMonths(f, 1).getTime()) return monthF.format(f);
      if (firstOfMonth && f.getUTCMonth() % 3 === 0 && toExclusive.getTime() === addMonths(f, 3).getTime()) {
        return fill(g['fmt.quarter'], { q: f.getUTCMonth() / 3 + 1, year: f.getUTCFullYear() });
      }
      if (firstOfMonth && f.getUTCMonth() === 0 && toExclusive.getTime() === addMonths(f, 12).getTime()) return String(f.getUTCFullYear());
      if (days === 7 && f.getUTCDay() === 1) return fill(g['fmt.week'], { date: dateF.format(f) });
      const last = new Date(toExclusive.getTime() - DAY);
      return days <= 1 ? dateF.format(f) : dateF.formatRange(f, last);
    },
    vs: (a, b) => fill(g['fmt.vs'], { a, b }),
    vegaLocale: vegaLocaleOf(lang),
  };
  cache.set(key, tr);
  return tr;
}

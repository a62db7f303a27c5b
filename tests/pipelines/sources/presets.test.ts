/**
 * Every preset loads its hand-built sample file (data-samples/presets/, column names from the vendors'
 * documentation; see the README there). Expected values are read off the sample files by hand.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCxpError, type CxpError } from '../../../pipelines/core/errors.js';
import { fromRoot } from '../../../pipelines/core/paths.js';
import { resolveConfig } from '../../../pipelines/config/load-config.js';
import { PRESET_NAMES } from '../../../pipelines/sources/source-options.js';
import { PRESETS } from '../../../pipelines/sources/presets/presets.js';
import { ingestEnv, accountedFor, type IngestEnv } from './ingest-helpers.js';

const sample = (name: string) => fromRoot('data-samples', 'presets', `${name}.csv`);

let env: IngestEnv;
beforeEach(async () => {
  env = await ingestEnv('cxp-presets-');
});
afterEach(() => env.close());

async function reasons(): Promise<string[]> {
  return (await env.wh.all<{ reason: string }>('select reason from rejected_rows order by line')).map((r) => r.reason);
}

describe('order presets', () => {
  it('shopify-orders: line items summed into orders, status words, POS as store, time zones to UTC', async () => {
    const s = await env.ingest({ purchases: { preset: 'shopify-orders', path: sample('shopify-orders') } });
    // 9 line rows; #1003 is pending (not a purchase yet): rejected with its reason.
    expect(s.sources.purchases).toMatchObject({ read: 9, loaded: 8, rejected: 1 });
    expect(accountedFor(s.sources.purchases!)).toBe(true);
    expect(await reasons()).toEqual(['unknown status "pending" (expected completed, refunded, cancelled or returned)']);
    const rows = await env.wh.all('select order_id, customer_id, strftime(ordered_at, \'%Y-%m-%d %H:%M:%S\') as at, amount::double as amount, status, channel, count_lines from purchases order by order_id');
    expect(rows).toEqual([
      { order_id: '#1001', customer_id: 'anna@example.com', at: '2025-10-07 07:50:26', amount: 44.8, status: 'completed', channel: 'web', count_lines: 2 },
      { order_id: '#1002', customer_id: 'li.wei@example.com', at: '2025-10-09 02:58:13', amount: 30, status: 'refunded', channel: 'web', count_lines: 1 },
      { order_id: '#1004', customer_id: 'anna@example.com', at: '2025-10-12 13:29:40', amount: 61.5, status: 'completed', channel: 'store', count_lines: 2 },
      { order_id: '#1005', customer_id: 'carla@example.com', at: '2025-10-13 12:00:00', amount: 15, status: 'cancelled', channel: 'web', count_lines: 1 },
      // partially_refunded: 2 x 30.00 + 4.00 sold, and the Refunded Amount 12.50 as its own return row.
      { order_id: '#1006', customer_id: 'li.wei@example.com', at: '2025-10-14 10:04:10', amount: 64, status: 'completed', channel: 'web', count_lines: 2 },
      { order_id: '#1006-refund', customer_id: 'li.wei@example.com', at: '2025-10-14 10:04:10', amount: 12.5, status: 'returned', channel: 'web', count_lines: 0 },
    ]);
  });

  it('shopify-orders: an order refunded in part and later in whole counts its money once', async () => {
    await env.ingest({ purchases: { preset: 'shopify-orders', path: sample('shopify-orders') } });
    // The next export: #1006 is now refunded whole (Refunded Amount 64.00).
    const text = readFileSync(sample('shopify-orders'), 'utf8').replace('#1006,li.wei@example.com,partially_refunded,', '#1006,li.wei@example.com,refunded,')
      .replace(',Shopify Payments,12.50,', ',Shopify Payments,64.00,');
    expect(text).toContain('#1006,li.wei@example.com,refunded,');
    env.write('shopify-later.csv', text);
    const s = await env.ingest({ purchases: { preset: 'shopify-orders', path: join(env.dir, 'shopify-later.csv') } });
    expect(accountedFor(s.sources.purchases!)).toBe(true);
    const rows = await env.wh.all("select order_id, amount::double as amount, status from purchases where order_id like '#1006%' order by order_id");
    expect(rows).toEqual([
      { order_id: '#1006', amount: 64, status: 'refunded' },
      { order_id: '#1006-refund', amount: 12.5, status: 'cancelled' },
    ]);
    // Refunded money of li.wei: #1002 (30.00, refunded whole) + #1006 (64.00), the partial refund no more.
    const refunded = await env.wh.one<{ s: number }>(
      "select sum(amount)::double as s from purchases where customer_id = 'li.wei@example.com' and status in ('refunded', 'returned')",
    );
    expect(refunded?.s).toBe(94);
  });

  it('woocommerce-orders: one row per order, WooCommerce statuses, e-mail as the customer key', async () => {
    const s = await env.ingest({ purchases: { preset: 'woocommerce-orders', path: sample('woocommerce-orders') } });
    expect(s.sources.purchases).toMatchObject({ read: 6, loaded: 5, rejected: 1 });
    const rows = await env.wh.all('select order_id, customer_id, amount::double as amount, status from purchases order by order_id');
    expect(rows).toEqual([
      { order_id: '2101', customer_id: 'marta@example.com', amount: 29.2, status: 'completed' },
      { order_id: '2102', customer_id: 'guest.one@example.com', amount: 48.4, status: 'completed' },
      { order_id: '2103', customer_id: 'marta@example.com', amount: 17.1, status: 'refunded' },
      { order_id: '2104', customer_id: 'jonas@example.com', amount: 12, status: 'cancelled' },
      { order_id: '2106', customer_id: 'guest.one@example.com', amount: 18, status: 'completed' },
    ]);
  });
});

describe('ticket presets', () => {
  it('zendesk-tickets: via -> channel, ticket type -> kind, first reply from minutes', async () => {
    const s = await env.ingest({ interactions: { preset: 'zendesk-tickets', path: sample('zendesk-tickets') } });
    expect(s.sources.interactions).toMatchObject({ read: 4, loaded: 4, rejected: 0 });
    const rows = await env.wh.all(
      `select interaction_id, customer_id, channel, kind, category, strftime(first_response_at, '%Y-%m-%d %H:%M') as first_response, strftime(resolved_at, '%Y-%m-%d %H:%M') as resolved
       from interactions order by interaction_id`,
    );
    expect(rows).toEqual([
      { interaction_id: '3001', customer_id: 'anna@example.com', channel: 'email', kind: 'complaint', category: 'Billing', first_response: '2025-10-14 09:12', resolved: '2025-10-14 12:30' },
      { interaction_id: '3002', customer_id: 'li.wei@example.com', channel: 'chat', kind: 'inquiry', category: 'Support', first_response: '2025-10-15 10:01', resolved: '2025-10-15 10:20' },
      { interaction_id: '3003', customer_id: 'ben@example.com', channel: 'other', kind: 'request', category: 'Support', first_response: null, resolved: null },
      { interaction_id: '3004', customer_id: 'anna@example.com', channel: 'phone', kind: 'other', category: 'Support', first_response: '2025-10-17 08:00', resolved: '2025-10-17 08:05' },
    ]);
  });

  it('zendesk-satisfaction: the same export\'s good/bad ratings as CSAT surveys linked to their tickets', async () => {
    const file = sample('zendesk-satisfaction');
    const s = await env.ingest({
      interactions: { preset: 'zendesk-tickets', path: file },
      surveys: { preset: 'zendesk-satisfaction', path: file },
    });
    expect(s.sources.interactions).toMatchObject({ read: 5, loaded: 5, rejected: 0 });
    // Read off the file: 3001 Good, 3004 Good, 3005 Bad are rated; 3002 was offered a rating it did not
    // give; 3003 is unsolved and unrated.
    expect(s.sources.surveys).toMatchObject({ read: 5, loaded: 3, rejected: 2 });
    const rows = await env.wh.all(
      `select s.response_id, s.customer_id, s.survey_type, s.score, strftime(s.submitted_at, '%Y-%m-%d %H:%M') as submitted, i.interaction_id as ticket
       from surveys s left join interactions i using (interaction_id) order by s.response_id`,
    );
    expect(rows).toEqual([
      { response_id: '3001', customer_id: 'anna@example.com', survey_type: 'csat', score: 5, submitted: '2025-10-14 12:30', ticket: '3001' },
      { response_id: '3004', customer_id: 'anna@example.com', survey_type: 'csat', score: 5, submitted: '2025-10-17 08:05', ticket: '3004' },
      { response_id: '3005', customer_id: 'li.wei@example.com', survey_type: 'csat', score: 1, submitted: '2025-10-19 16:00', ticket: '3005' },
    ]);
    const why = (await env.wh.all<{ line: number; reason: string }>("select line, reason from rejected_rows where source = 'surveys' order by line"));
    expect(why).toEqual([
      { line: 3, reason: 'no answer to the score ("Offered"): a response without a score is not loaded' },
      { line: 4, reason: 'missing submitted_at' },
    ]);
    // CSAT % (share of 4-5) equals Zendesk's own score, good / (good + bad) = 2 / 3.
    const csat = await env.wh.one<{ p: number }>("select avg(case when score >= 4 then 1 else 0 end) as p from surveys where survey_type = 'csat'");
    expect(csat?.p).toBeCloseTo(2 / 3, 12);
  });

  it('freshdesk-tickets: source -> channel, type -> kind, initial response time', async () => {
    const s = await env.ingest({ interactions: { preset: 'freshdesk-tickets', path: sample('freshdesk-tickets') } });
    expect(s.sources.interactions).toMatchObject({ read: 4, loaded: 4, rejected: 0 });
    const rows = await env.wh.all(`select interaction_id, channel, kind, strftime(first_response_at, '%H:%M') as first_response from interactions order by interaction_id`);
    expect(rows).toEqual([
      { interaction_id: '41', channel: 'email', kind: 'request', first_response: '09:30' },
      { interaction_id: '42', channel: 'phone', kind: 'complaint', first_response: '11:05' },
      { interaction_id: '43', channel: 'other', kind: 'inquiry', first_response: null },
      { interaction_id: '44', channel: 'chat', kind: 'other', first_response: '10:01' },
    ]);
  });
});

describe('survey presets (wide exports: one column per question)', () => {
  it('typeform: NPS question as the score, an aspect question as an answer', async () => {
    const s = await env.ingest({
      surveys: {
        preset: 'typeform',
        path: sample('typeform'),
        columns: { score: 'How likely are you to recommend Acme to a friend or colleague?' },
        answerColumns: ['How satisfied were you with the delivery?'],
      },
    });
    expect(s.sources.surveys).toMatchObject({ read: 3, loaded: 3, rejected: 0 });
    expect(await env.wh.all('select response_id, customer_id, survey_type, score from surveys order by submitted_at')).toEqual([
      { response_id: 'x7kd9s2p0q', customer_id: 'anna@example.com', survey_type: 'nps', score: 9 },
      { response_id: 'p0c81mdn3z', customer_id: 'li.wei@example.com', survey_type: 'nps', score: 3 },
      { response_id: 'r5t2vb8wq1', customer_id: 'ben@example.com', survey_type: 'nps', score: 10 },
    ]);
    expect(await env.wh.one('select sum(score)::integer as s, count(*)::integer as n from survey_answers')).toEqual({ s: 11, n: 3 });
  });

  it('surveymonkey: US 12-hour dates; the answer-options header row is rejected, not loaded', async () => {
    const s = await env.ingest({
      surveys: {
        preset: 'surveymonkey',
        path: sample('surveymonkey'),
        columns: { score: 'How likely is it that you would recommend this company to a friend or colleague?' },
      },
    });
    expect(s.sources.surveys).toMatchObject({ read: 4, loaded: 3, rejected: 1 });
    expect(await reasons()).toEqual(['missing key response_id']);
    expect(await env.wh.all("select response_id, strftime(submitted_at, '%Y-%m-%d %H:%M:%S') as submitted, score from surveys order by submitted")).toEqual([
      { response_id: '114177898211', submitted: '2025-10-22 14:22:31', score: 8 },
      { response_id: '114177898345', submitted: '2025-10-22 15:01:55', score: 6 },
      { response_id: '114177899002', submitted: '2025-10-23 09:02:03', score: 10 },
    ]);
  });

  it('google-forms: satisfaction words mapped to the 1-5 CSAT scale', async () => {
    const s = await env.ingest({
      surveys: { preset: 'google-forms', path: sample('google-forms'), columns: { score: 'How satisfied are you with our support?', comment: 'Anything else you would like to tell us?' } },
    });
    expect(s.sources.surveys).toMatchObject({ read: 3, loaded: 3, rejected: 0 });
    expect(await env.wh.all('select customer_id, survey_type, score, comment from surveys order by submitted_at')).toEqual([
      { customer_id: 'anna@example.com', survey_type: 'csat', score: 5, comment: 'Quick answer' },
      { customer_id: 'ben@example.com', survey_type: 'csat', score: 2, comment: 'Waited two days' },
      { customer_id: 'li.wei@example.com', survey_type: 'csat', score: 3, comment: null },
    ]);
  });

  it('qualtrics: the two extra header rows are rejected with their reason; responses load', async () => {
    const s = await env.ingest({ surveys: { preset: 'qualtrics', path: sample('qualtrics'), columns: { score: 'Q1' }, answerColumns: ['Q2'], scales: { questions: { Q2: { min: 1, max: 7 } } } } });
    // Q2 is asked on 1-7 (its header says "How easy..."): declared, so a 6 is a rating, not out of scale.
    expect(s.sources.surveys).toMatchObject({ read: 4, loaded: 2, rejected: 2 });
    expect((await reasons()).every((r) => /unparseable timestamp/.test(r))).toBe(true);
    expect(await env.wh.all('select response_id, customer_id, score from surveys order by response_id')).toEqual([
      { response_id: 'R_1ABCdefGHIjkl01', customer_id: 'anna@example.com', score: 9 },
      { response_id: 'R_2XYZabcDEFghi02', customer_id: 'ben@example.com', score: 4 },
    ]);
  });
});

describe('preset configuration', () => {
  it('every preset has a sample file, and the user overrides any key', () => {
    for (const name of PRESET_NAMES) {
      expect(PRESETS[name], name).toBeDefined();
      expect(existsSync(sample(name)), name).toBe(true);
    }
    const cfg = resolveConfig(
      { sources: { purchases: { preset: 'shopify-orders', path: 'x.csv', columns: { customer_id: 'Id' }, values: { status: { pending: 'completed' } } } } },
      '/tmp',
    );
    const p = cfg.sources.purchases!;
    expect(p.columns.customer_id).toBe('Id');
    expect(p.columns.quantity).toBe('Lineitem quantity');
    expect(p.values?.status).toMatchObject({ pending: 'completed', paid: 'completed', voided: 'cancelled' });
    expect(p.timestampFormat).toBe('%Y-%m-%d %H:%M:%S %z');
  });

  it('a survey preset without the score column, or under the wrong source, is a config error naming the key', () => {
    let err: unknown;
    try {
      resolveConfig({ sources: { surveys: { preset: 'typeform', path: 'x.csv' }, purchases: { preset: 'zendesk-tickets', path: 'y.csv' } } }, '/tmp');
    } catch (e) {
      err = e;
    }
    expect(isCxpError(err)).toBe(true);
    const problems = (err as CxpError).details.problems as string[];
    expect(problems.some((p) => p.startsWith('sources.surveys.columns.score:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('sources.purchases.preset: zendesk-tickets is an export of interactions'))).toBe(true);
  });

  it('`cxpulse config` prints the effective mapping of a preset and says where it came from', () => {
    const path = join(env.dir, 'cxpulse.config.json');
    writeFileSync(path, JSON.stringify({ sources: { interactions: { preset: 'zendesk-tickets', path: sample('zendesk-tickets') } } }));
    const res = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), fromRoot('pipelines', 'cli', 'main.ts'), 'config', '--config', path], {
      cwd: env.dir,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(res.status, res.stderr).toBe(0);
    const printed = JSON.parse(res.stdout) as { sources: { interactions: { columns: Record<string, string>; values: Record<string, Record<string, string>> } } };
    expect(printed.sources.interactions.columns).toMatchObject({ interaction_id: 'Id', channel: 'Via', first_response_minutes: 'First reply time in minutes' });
    expect(printed.sources.interactions.values.channel).toMatchObject({ 'phone call (incoming)': 'phone' });
    expect(res.stderr).toContain('sources.interactions: preset zendesk-tickets: Zendesk Support ticket export');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableFromIPC } from 'apache-arrow';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../dashboards/app.js';
import { sha256Hex } from '../../dashboards/plugins/auth.js';
import { fixedClock } from '../../pipelines/core/clock.js';
import { CxpError } from '../../pipelines/core/errors.js';
import { resolveConfig } from '../../pipelines/config/load-config.js';
import { createFixture, HOSTILE, type Fixture } from './fixtures.js';
import { JOB_NAMES } from '../../pipelines/jobs/registry.js';

const KEYS = { viewer: 'viewer-key-0123456789', marketing: 'marketing-key-0123456789', admin: 'admin-key-0123456789' };
const apiKeys = Object.entries(KEYS).map(([role, key]) => ({ name: `${role}-test`, role, keyHash: sha256Hex(key) }));
const auth = (role: keyof typeof KEYS) => ({ authorization: `Bearer ${KEYS[role]}` });

let fx: Fixture;
let app: FastifyInstance;

beforeAll(async () => {
  fx = await createFixture();
  app = await buildApp({ warehouse: fx.warehouse, server: { apiKeys, cacheSeconds: 0 }, env: {}, clock: fixedClock('2026-06-30T12:00:00Z'), jobNames: JOB_NAMES });
});
afterAll(async () => {
  await app.close();
  fx.close();
});

describe('auth per role', () => {
  const cases: [string, string, Record<keyof typeof KEYS | 'none', number>][] = [
    ['GET', '/api/dashboards/overview', { none: 401, viewer: 200, marketing: 200, admin: 200 }],
    ['GET', '/api/customers/at-risk', { none: 401, viewer: 403, marketing: 200, admin: 200 }],
    ['GET', '/api/customers/c00001', { none: 401, viewer: 403, marketing: 200, admin: 200 }],
    ['POST', '/api/jobs/export/run', { none: 401, viewer: 403, marketing: 403, admin: 500 }],
  ];
  for (const [method, url, expected] of cases) {
    it(`${method} ${url}`, async () => {
      for (const who of ['none', 'viewer', 'marketing', 'admin'] as const) {
        const res = await app.inject({ method: method as 'GET', url, headers: who === 'none' ? {} : auth(who) });
        // admin on the job route gets past auth; this app has no job runner, which is a 500 with its own code.
        expect({ who, status: res.statusCode }).toEqual({ who, status: expected[who] });
        if (res.statusCode === 401) expect(res.json().error.code).toBe('CXP_ERR_UNAUTHORIZED');
        if (res.statusCode === 403) expect(res.json().error.code).toBe('CXP_ERR_FORBIDDEN');
      }
    });
  }

  it('rejects a wrong key and accepts X-API-Key', async () => {
    expect((await app.inject({ url: '/api/dashboards/overview', headers: { authorization: 'Bearer nope' } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/dashboards/overview', headers: { 'x-api-key': KEYS.viewer } })).statusCode).toBe(200);
  });

  it('keys come from CXPULSE_API_KEYS too, and pages stay public', async () => {
    const app2 = await buildApp({ warehouse: fx.warehouse, env: { CXPULSE_API_KEYS: JSON.stringify([{ name: 'env', role: 'viewer', key: 'env-key-0123456789abc' }]) } });
    try {
      expect((await app2.inject({ url: '/api/dashboards/overview', headers: { authorization: 'Bearer env-key-0123456789abc' } })).statusCode).toBe(200);
      expect((await app2.inject({ url: '/api/dashboards/overview' })).statusCode).toBe(401);
      expect((await app2.inject({ url: '/overview' })).statusCode).toBe(200);
      const rfm = await app2.inject({ url: '/rfm' });
      expect(rfm.headers['content-type']).toMatch(/^text\/html/);
      expect(rfm.body).toContain('<title>cxpulse · RFM &amp; value</title>');
      expect(rfm.body).toContain('<body data-page="rfm" data-lang="en">');
      expect(app2.authMode).toBe('keys');
    } finally {
      await app2.close();
    }
  });
});

describe('open demo mode and binding', () => {
  it('answers only loopback Host names, and refuses job runs posted from another site', async () => {
    let started = 0;
    const runner = { isRunning: () => false, start: () => { started++; return { runId: 'r', done: new Promise<never>(() => {}) }; } };
    const open = await buildApp({ warehouse: fx.warehouse, env: {}, host: '127.0.0.1', jobRunner: runner as never, jobNames: JOB_NAMES });
    try {
      // DNS rebinding: a page on evil.example resolved to 127.0.0.1 sends its own Host.
      const rebound = await open.inject({ url: '/api/customers/at-risk', headers: { host: 'evil.example:3000' } });
      expect(rebound.statusCode).toBe(403);
      expect(rebound.json().error).toMatchObject({ code: 'CXP_ERR_FORBIDDEN', where: 'Host header' });
      for (const host of ['localhost:3000', '127.0.0.1:3000', '[::1]:3000', 'LOCALHOST']) {
        expect((await open.inject({ url: '/api/status', headers: { host } })).statusCode).toBe(200);
      }
      // A form or no-cors fetch from another site: refused before any job starts.
      const csrf = [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { origin: 'null' }];
      for (const headers of csrf) {
        const res = await open.inject({ method: 'POST', url: '/api/jobs/all/run', headers: { host: '127.0.0.1:3000', ...headers } });
        expect(res.statusCode).toBe(403);
      }
      expect(started).toBe(0);
      const local = await open.inject({ method: 'POST', url: '/api/jobs/all/run', headers: { host: '127.0.0.1:3000', origin: 'http://127.0.0.1:3000', 'sec-fetch-site': 'same-origin' } });
      expect(local.statusCode).toBe(202);
      expect(started).toBe(1);
    } finally {
      await open.close();
    }
  });

  it('runs open on loopback and says so in a header and the status', async () => {
    const open = await buildApp({ warehouse: fx.warehouse, env: {}, host: '127.0.0.1' });
    try {
      const res = await open.inject({ url: '/api/customers/at-risk' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-cxpulse-auth']).toBe('open-demo-mode');
      const status = (await open.inject({ url: '/api/status' })).json();
      expect(status.auth.mode).toBe('open');
      expect(status.auth.warning).toMatch(/open demo mode/);
    } finally {
      await open.close();
    }
  });

  it('refuses a non-loopback address without keys', async () => {
    await expect(buildApp({ warehouse: fx.warehouse, env: {}, host: '0.0.0.0' })).rejects.toMatchObject({ code: 'CXP_ERR_INSECURE_BIND' });
    const withKeys = await buildApp({ warehouse: fx.warehouse, env: {}, host: '0.0.0.0', server: { apiKeys } });
    await withKeys.close();
  });
});

describe('data responses', () => {
  it('every data response carries as_of and freshness', async () => {
    for (const url of ['/api/dashboards/overview', '/api/metrics/service', '/api/metrics/rfm', '/api/metrics/churn', '/api/customers/at-risk', '/api/customers/c00002', '/api/jobs']) {
      const body = (await app.inject({ url, headers: auth('admin') })).json();
      expect(body.as_of, url).toBe('2026-06-30');
      expect(body.freshness.status, url).toBe('fresh');
    }
  });

  it('a source older than its maxAgeHours marks the data stale and names the source', async () => {
    const config = resolveConfig(
      { sources: { purchases: { path: 'p.csv', maxAgeHours: 48 }, surveys: { path: 's.csv', maxAgeHours: 24 * 365 } } },
      '/tmp',
    );
    // Latest fixture purchase is on 2026-06-30; a week later purchases are 7 days old (> 48 h), surveys are not.
    const later = await buildApp({ warehouse: fx.warehouse, config, server: { cacheSeconds: 0 }, env: {}, clock: fixedClock('2026-07-07T12:00:00Z') });
    try {
      const res = await later.inject({ method: 'GET', url: '/api/status' });
      const f = res.json().freshness;
      expect(f.status).toBe('stale');
      expect(f.stale_sources.map((x: { source: string }) => x.source)).toEqual(['purchases']);
      expect(f.stale_sources[0].reason).toMatch(/sources\.purchases\.maxAgeHours = 48/);
    } finally {
      await later.close();
    }
  });

  it('overview NPS tile matches a hand count over the fixture surveys', async () => {
    const rows = await fx.warehouse.all<{ score: number }>(
      "select score from surveys where survey_type = 'nps' and submitted_at >= timestamp '2025-07-01' and submitted_at < timestamp '2026-07-01'",
    );
    const n = rows.length;
    const nps = (100 * (rows.filter((r) => r.score >= 9).length - rows.filter((r) => r.score <= 6).length)) / n;
    const body = (await app.inject({ url: '/api/metrics/overview', headers: auth('viewer') })).json();
    const tile = body.tiles.find((t: { id: string }) => t.id === 'nps');
    expect(tile.n).toBe(n);
    expect(tile.value).toBeCloseTo(nps, 1);
    expect(tile.ci_low).toBeLessThan(tile.value);
    expect(tile.ci_high).toBeGreaterThan(tile.value);
  });

  it('filters narrow the data: channel on service, country on RFM', async () => {
    const all = (await app.inject({ url: '/api/metrics/service', headers: auth('viewer') })).json();
    const chat = (await app.inject({ url: '/api/metrics/service?channel=chat', headers: auth('viewer') })).json();
    expect(all.data.by_channel.length).toBeGreaterThan(1);
    expect(chat.data.by_channel.map((c: { channel: string }) => c.channel)).toEqual(['chat']);
    const chatCount = (await fx.warehouse.one<{ n: number }>("select count(*) as n from interactions where channel = 'chat'"))!.n;
    expect(chat.data.by_channel[0].volume).toBe(chatCount);
    const de = (await app.inject({ url: '/api/metrics/rfm?country=DE', headers: auth('viewer') })).json();
    const deCount = (await fx.warehouse.one<{ n: number }>("select count(*) as n from customer_value v join customers c using (customer_id) where c.country = 'DE'"))!.n;
    expect(de.data.segments.reduce((s: number, r: { customers: number }) => s + r.customers, 0)).toBe(deCount);
  });

  it('RFM & value: the p_alive tile carries the value run\'s verdict, and says "not informative" when the run does', async () => {
    const before = (await app.inject({ url: '/api/metrics/rfm', headers: auth('viewer') })).json();
    const tile0 = before.tiles.find((t: { id: string }) => t.id === 'p-alive');
    const median = (await fx.warehouse.one<{ m: number }>('select median(p_alive) as m from customer_value'))!.m;
    expect(tile0.value).toBeCloseTo(median, 3);
    expect(tile0.note).toBe('No value model run yet.');
    const message = 'The purchase histories show no measurable dropout ... p_alive is not informative: it is still written.';
    await fx.warehouse.run(
      `insert into value_model_runs (run_id, as_of, created_at, status, time_unit_days, count_customers, count_buyers,
         purchase_model, identification, identification_message, is_p_alive_informative)
       values ('v-test', date '2026-06-30', timestamp '2026-06-30 02:00:00', 'fitted', 7, 10, 10, 'bgnbd', 'not_identified', $m, false)`,
      { m: message },
    );
    try {
      const body = (await app.inject({ url: '/api/metrics/rfm', headers: auth('viewer') })).json();
      expect(body.data.value_model).toMatchObject({ purchase_model: 'bgnbd', identification: 'not_identified', is_p_alive_informative: false });
      expect(body.tiles.find((t: { id: string }) => t.id === 'p-alive').note).toBe(`Not informative: the data do not identify when customers drop out. ${message}`);
      // Other languages give the verdict in their words (the value module's message is English).
      const lv = (await app.inject({ url: '/api/metrics/rfm?lang=lv', headers: auth('viewer') })).json();
      expect(lv.tiles.find((t: { id: string }) => t.id === 'p-alive').note).toBe('Nav informatīvs: dati neļauj noteikt, kad klienti aiziet.');
      const zh = (await app.inject({ url: '/api/metrics/rfm?lang=zh-CN', headers: auth('viewer') })).json();
      expect(zh.tiles.find((t: { id: string }) => t.id === 'p-alive').note).toBe('无参考价值：数据无法识别客户何时流失。');
    } finally {
      await fx.warehouse.run("delete from value_model_runs where run_id = 'v-test'");
    }
  });

  it('customer page: a p_alive its value run flags as not informative says so beside the figure, in every language', async () => {
    const pair = async (lang: string) => {
      const { view } = (await app.inject({ url: `/api/customers/c00003/view?lang=${lang}`, headers: auth('marketing') })).json();
      const scores = view.sections.find((x: { id: string }) => x.id === 'scores').pairs as [string, string][];
      return scores.find(([k]) => ['Chance still active', 'Varbūtība, ka joprojām aktīvs', '仍活跃的概率'].includes(k))![1];
    };
    // The fixture's p_alive is 0.8 for everyone; its run v1 has no row yet: the figure alone.
    expect(await pair('en')).toBe('80%');
    await fx.warehouse.run(
      `insert into value_model_runs (run_id, as_of, created_at, status, time_unit_days, count_customers, count_buyers, identification, is_p_alive_informative)
       values ('v1', date '2026-06-30', timestamp '2026-06-30 02:00:00', 'fitted', 7, 10, 10, 'not_identified', false)`,
    );
    try {
      expect(await pair('en')).toBe('80% (not informative)');
      expect(await pair('lv')).toMatch(/^80\s?% \(nav informatīvs\)$/);
      expect(await pair('zh-CN')).toMatch(/^80\s?% \(无参考价值\)$/);
    } finally {
      await fx.warehouse.run("delete from value_model_runs where run_id = 'v1'");
    }
  });

  it('churn: a cross-validated model says so on the AUC tile; the drift tile compares the scored mean with the training churn rate', async () => {
    const before = (await fx.warehouse.one<{ m: string }>('select metrics::varchar as m from churn_models where is_active'))!.m;
    const metrics = {
      label: 'cancellation',
      validation: 'cross_validation',
      out_of_time: null,
      cross_validation: { folds: 5, calibrated: { roc_auc: 0.7123 }, note: 'out-of-time validation is impossible (too little history)' },
      base_rate: { previous_window_observed: 0.525, latest_window_observed: 0.434, latest_window_predicted_by_previous_model: 0.519, shift: -0.085, is_shifted: true, action: 'the churn rate moved' },
    };
    await fx.warehouse.run('update churn_models set metrics = $m::json where is_active', { m: JSON.stringify(metrics) });
    try {
      const body = (await app.inject({ url: '/api/metrics/churn', headers: auth('viewer') })).json();
      const aucTile = body.tiles.find((t: { id: string }) => t.id === 'model-auc');
      expect(aucTile.label).toBe('Churn model accuracy (ROC AUC, cross-validated)');
      expect(aucTile.value).toBeCloseTo(0.7123, 4);
      expect(aucTile.note).toMatch(/^Cross-validated, not out of time\. out-of-time validation is impossible/);
      // Every language says the model was cross-validated, on the tile and the ROC chart.
      for (const [lang, word] of [['lv', 'šķērspārbaude'], ['zh-CN', '交叉验证']] as const) {
        const other = (await app.inject({ url: `/api/metrics/churn?lang=${lang}`, headers: auth('viewer') })).json();
        const tile = other.tiles.find((t: { id: string }) => t.id === 'model-auc');
        expect(tile.label).toContain(word);
        expect(tile.note).toMatch(lang === 'lv' ? /^Šķērspārbaude/ : /^交叉验证/);
        expect(tile.value).toBeCloseTo(0.7123, 4);
      }
      const drift = body.tiles.find((t: { id: string }) => t.id === 'base-rate-drift');
      const mean = (await fx.warehouse.one<{ m: number }>('select avg(churn_risk) as m from churn_scores'))!.m;
      expect(drift.value).toBeCloseTo((mean - 0.434) * 100, 1);
      expect(drift.unit).toBe('pp');
      expect(drift.note).toMatch(/Churn rate 52\.5% → 43\.4% between training windows \(previous model predicted 51\.9%\)/);
      expect(drift.note).toMatch(/shifted: the churn rate moved/);
    } finally {
      await fx.warehouse.run('update churn_models set metrics = $m::json where is_active', { m: before });
    }
  });

  it('unknown filter values give a 400 naming the field', async () => {
    const cases: [string, string][] = [
      ['/api/metrics/overview?channel=fax', 'channel'],
      ['/api/metrics/overview?country=XX', 'country'],
      ['/api/metrics/overview?segment=Nope', 'segment'],
      ['/api/metrics/overview?from=2026-02-31', 'from'],
      ['/api/metrics/overview?from=yesterday', 'from'],
      ['/api/metrics/overview?bogus=1', 'bogus'],
      ['/api/customers/at-risk?band=extreme', 'band'],
      ['/api/customers/at-risk?min_risk=2', 'min_risk'],
      ['/api/customers/at-risk?sort=random', 'sort'],
      ['/api/customers/at-risk?limit=5000', 'limit'],
      ['/api/customers/at-risk?lifecycle_stage=zombie', 'lifecycle_stage'],
    ];
    for (const [url, field] of cases) {
      const res = await app.inject({ url, headers: auth('admin') });
      expect({ url, status: res.statusCode }).toEqual({ url, status: 400 });
      const err = res.json().error;
      expect(err.code).toBe('CXP_ERR_BAD_REQUEST');
      expect(err.message.startsWith(field), `${url}: ${err.message}`).toBe(true);
    }
  });

  it('customer profile: 404 for an unknown id, 360 sections for a known one', async () => {
    const missing = await app.inject({ url: '/api/customers/nobody', headers: auth('marketing') });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('CXP_ERR_CUSTOMER_NOT_FOUND');
    const p = (await app.inject({ url: '/api/customers/c00003', headers: auth('marketing') })).json().profile;
    expect(p.customer.customer_id).toBe('c00003');
    expect(p.purchases.orders + p.purchases.refunds).toBe(3);
    expect(p.value.rfm_segment).toBeTypeOf('string');
    expect(Array.isArray(p.risk.churn_reasons)).toBe(true);
    expect(p.interactions).toHaveLength(3);
  });
});

describe('at-risk list', () => {
  it('paginates without overlap, sorted by risk, consent only by default', async () => {
    const a = (await app.inject({ url: '/api/customers/at-risk?limit=10&offset=0&sort=risk_desc', headers: auth('marketing') })).json();
    const b = (await app.inject({ url: '/api/customers/at-risk?limit=10&offset=10&sort=risk_desc', headers: auth('marketing') })).json();
    const consented = (await fx.warehouse.one<{ n: number }>('select count(*) as n from churn_scores s join customers c using (customer_id) where c.marketing_consent'))!.n;
    expect(a.total + a.counts.lost).toBe(consented);
    expect(a.next_offset).toBe(10);
    const ids = [...a.rows, ...b.rows].map((r: { customer_id: string }) => r.customer_id);
    expect(new Set(ids).size).toBe(20);
    const risks = [...a.rows, ...b.rows].map((r: { churn_risk: number }) => r.churn_risk);
    expect(risks).toEqual([...risks].sort((x, y) => y - x));
    expect(a.rows.every((r: { marketing_consent: boolean }) => r.marketing_consent)).toBe(true);
    const all = (await app.inject({ url: '/api/customers/at-risk?consent_only=false&limit=1', headers: auth('marketing') })).json();
    expect(all.total).toBeGreaterThan(consented);
  });

  it('filters by band, min_risk, segment and country', async () => {
    const res = (await app.inject({ url: '/api/customers/at-risk?band=high&min_risk=0.8&segment=Champions&country=FR&limit=1000', headers: auth('marketing') })).json();
    const expected = (await fx.warehouse.one<{ n: number }>(`select count(*) as n from churn_scores s join customers c using (customer_id) join customer_value v using (customer_id)
      where s.churn_band = 'high' and s.churn_risk >= 0.8 and v.rfm_segment = 'Champions' and c.country = 'FR' and c.marketing_consent`))!.n;
    expect(expected).toBeGreaterThan(0);
    expect(res.total).toBe(expected);
    expect(res.rows.every((r: { churn_band: string; country: string }) => r.churn_band === 'high' && r.country === 'FR')).toBe(true);
  });

  it('CSV neutralises cells starting with = + - @ and quotes commas', async () => {
    const res = await app.inject({ url: '/api/customers/at-risk?format=csv&country=DE&min_risk=0.99', headers: auth('marketing') });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    expect(res.headers['x-cxpulse-as-of']).toBe('2026-06-30');
    const text = res.body.replace(/^\uFEFF/, '');
    for (const h of HOSTILE.filter((x) => /^[=+\-@]/.test(x.email))) {
      expect(text).not.toMatch(new RegExp(`(^|,)${h.email.replace(/[+|()]/g, '\\$&')}`, 'm'));
    }
    // Text starting with a digit is not a formula and stays as it was.
    expect(text).toMatch(/^42-benign,DE,0\.99,high,[^,\r\n]*,[^,\r\n]*,[^,\r\n]*,false,3 complaints,/m);
    expect(text).toContain(',1st@example.test,');
    expect(text).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(text).toContain("'=cmd|calc");
    expect(text).toContain("'+49 123");
    expect(text).toContain("'-2+3@x.test");
    expect(text).toContain("'@SUM(1)");
    expect(text).toContain(`"'@risk, ""quoted"""`);
    // Numbers are not text: a negative number would stay a number (none here), risk stays plain.
    expect(text).toMatch(/,0\.99,high,/);
  });

  it('CSV without a limit streams every matching row; Arrow decodes to the same rows', async () => {
    const csv = await app.inject({ url: '/api/customers/at-risk?format=csv&consent_only=false', headers: auth('marketing') });
    const lines = csv.body.trim().split('\r\n');
    const n = (await fx.warehouse.one<{ n: number }>('select count(*) as n from churn_scores'))!.n;
    expect(lines.length - 1).toBe(n);
    const arrow = await app.inject({ url: '/api/customers/at-risk?format=arrow&consent_only=false&sort=customer_id', headers: auth('marketing') });
    expect(arrow.headers['content-type']).toBe('application/vnd.apache.arrow.stream');
    const table = tableFromIPC(arrow.rawPayload);
    expect(table.numRows).toBe(n);
    expect(table.schema.fields.map((f) => f.name)).toContain('churn_risk');
  });
});

describe('jobs, docs and headers', () => {
  it('GET /api/jobs lists pipeline_runs', async () => {
    const body = (await app.inject({ url: '/api/jobs', headers: auth('viewer') })).json();
    expect(body.runs.map((r: { run_id: string }) => r.run_id)).toEqual(['r1']);
    expect(body.jobs).toContain('ingest');
  });

  it('POST /api/jobs/:name/run goes through the injected runner and answers 409 while one runs', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let running = false;
    const calls: string[][] = [];
    const forced: (boolean | undefined)[] = [];
    const runner = {
      isRunning: () => running,
      start(names: string[], _trigger: string, opts?: { force?: boolean }) {
        if (running) throw new CxpError('CXP_ERR_JOB_RUNNING', 'a pipeline run is in progress');
        running = true;
        calls.push(names);
        forced.push(opts?.force);
        const done = gate.then(() => {
          running = false;
          return { runId: 'r-test', status: 'succeeded' as const, startedAt: new Date(), finishedAt: new Date(), results: {} };
        });
        return { runId: 'r-test', done };
      },
    };
    const a = await buildApp({ warehouse: fx.warehouse, server: { apiKeys }, env: {}, jobRunner: runner, jobNames: JOB_NAMES });
    try {
      const first = await a.inject({ method: 'POST', url: '/api/jobs/export/run', headers: auth('admin') });
      expect(first.statusCode).toBe(202);
      expect(first.json().run_id).toBe('r-test');
      const second = await a.inject({ method: 'POST', url: '/api/jobs/all/run', headers: auth('admin') });
      expect(second.statusCode).toBe(409);
      expect(second.json().error.code).toBe('CXP_ERR_JOB_RUNNING');
      const unknown = await a.inject({ method: 'POST', url: '/api/jobs/nope/run', headers: auth('admin') });
      expect(unknown.statusCode).toBe(400);
      release();
      await gate;
      await new Promise((r) => setTimeout(r, 10));
      expect(calls).toEqual([['export']]);
      const force = await a.inject({ method: 'POST', url: '/api/jobs/all/run?force=true', headers: auth('admin') });
      expect(force.statusCode).toBe(202);
      expect(forced).toEqual([false, true]);
    } finally {
      await a.close();
    }
  });

  it('serves the OpenAPI document, the docs page, security headers, and vega from node_modules', async () => {
    const doc = (await app.inject({ url: '/api/openapi.json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/customers/at-risk', '/api/customers/{id}', '/api/jobs', '/api/jobs/{name}/run', '/api/metrics/overview']));
    expect(doc.paths['/api/customers/at-risk'].get.parameters.map((p: { name: string }) => p.name)).toContain('min_risk');
    expect((await app.inject({ url: '/api/docs' })).statusCode).toBeLessThan(400);
    const page = await app.inject({ url: '/churn' });
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self' 'unsafe-eval'/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.body).not.toMatch(/https?:\/\/(cdn|unpkg|jsdelivr)/);
    for (const lib of ['vega/vega.min.js', 'vega-lite/vega-lite.min.js', 'vega-embed/vega-embed.min.js']) {
      expect((await app.inject({ url: `/vendor/${lib}` })).statusCode, lib).toBe(200);
    }
    expect((await app.inject({ url: '/vendor/vega/../package.json' })).statusCode).toBeGreaterThanOrEqual(400);
  });

  it('limits body size and rate-limits list routes', async () => {
    const big = await app.inject({ method: 'POST', url: '/api/jobs/export/run', headers: { ...auth('admin'), 'content-type': 'application/json' }, payload: JSON.stringify({ x: 'a'.repeat(70_000) }) });
    expect(big.statusCode).toBe(413);
    const limited = await buildApp({ warehouse: fx.warehouse, server: { apiKeys, rateLimit: { max: 2, timeWindowMs: 60_000 } }, env: {} });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 3; i++) codes.push((await limited.inject({ url: '/api/customers/at-risk?limit=1', headers: auth('marketing') })).statusCode);
      expect(codes).toEqual([200, 200, 429]);
      // Dashboard data is not rate limited.
      for (let i = 0; i < 4; i++) expect((await limited.inject({ url: '/api/metrics/overview', headers: auth('viewer') })).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('renders a chart to SVG on the server', async () => {
    const res = await app.inject({ url: '/dashboards/satisfaction-nps-trend.svg', headers: auth('viewer') });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/image\/svg\+xml/);
    expect(res.body).toMatch(/^<svg/);
    expect(res.body).toContain('as of 2026-06-30');
    expect((await app.inject({ url: '/dashboards/satisfaction-nope.svg', headers: auth('viewer') })).statusCode).toBe(404);
  });
});

describe('no data yet', () => {
  it('dashboards without their tables say so instead of failing', async () => {
    const bare = await createFixture({ customers: 20, modules: [] });
    const a = await buildApp({ warehouse: bare.warehouse, env: {} });
    try {
      // The real schemas may create module tables empty; either way there is nothing to show.
      for (const name of ['rfm', 'churn']) {
        const body = (await a.inject({ url: `/api/dashboards/${name}` })).json();
        expect(body.available, name).toBe(false);
        expect(body.empty_reason, name).toMatch(/no data yet|waiting for the pipeline|nothing matches/i);
      }
      const status = (await a.inject({ url: '/api/status' })).json();
      expect(status.freshness.status).toBe('no_runs');
      const list = (await a.inject({ url: '/api/customers/at-risk' })).json();
      expect(list.rows).toEqual([]);
    } finally {
      await a.close();
      bare.close();
    }
  });
});

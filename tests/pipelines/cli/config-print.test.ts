/**
 * `cxpulse config` (the real CLI in a child process) prints the answer-scale and SLA-tier defaults, and
 * rejects a bad SLA policy naming its key (issue 15).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fromRoot } from '../../../pipelines/core/paths.js';

vi.setConfig({ testTimeout: 120_000 });

function cxpulse(args: string[], cwd: string) {
  const res = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), fromRoot('pipelines', 'cli', 'main.ts'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC' },
    timeout: 100_000,
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

let dir: string;
const write = (name: string, cfg: unknown) => {
  writeFileSync(join(dir, name), JSON.stringify(cfg));
  return join(dir, name);
};
const surveys = {
  path: 'survey.csv',
  columns: { response_id: 'id', customer_id: 'Customer', submitted_at: 'Date', score: 'Score' },
  defaults: { survey_type: 'nps' },
  answerColumns: ['Seat comfort', '服务态度'],
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cxp-config-print-'));
  writeFileSync(join(dir, 'survey.csv'), 'id,Customer,Date,Score,Seat comfort,服务态度\nr1,c1,2026-05-01 10:00:00,9,4,5\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cxpulse config', () => {
  it('prints the answer-scale and SLA-tier defaults', () => {
    const res = cxpulse(['config', '--config', write('ok.json', { warehouse: 'wh.duckdb', sources: { surveys } })], dir);
    expect(res.stderr).toMatch(/is valid/);
    expect(res.code).toBe(0);
    const cfg = JSON.parse(res.stdout);
    // Defaults as the README states them (models/satisfaction/README.md "Answer scales", "SLA tiers").
    const answers = { min: 0, max: 10, noAnswer: ['N/A', 'NA', '-', 99] };
    expect(cfg.sources.surveys.scales).toEqual({
      score: { nps: { min: 0, max: 10 }, csat: { min: 1, max: 5 }, ces: { min: 1, max: 7 }, noAnswer: ['N/A', 'NA', '-'] },
      answers,
      questions: { 'Seat comfort': answers, 服务态度: answers },
    });
    expect(cfg.satisfaction.sla.tiers).toEqual({ from: 'rfm_segment', rfmSegments: { Champions: 'vip', "Can't Lose Them": 'vip' }, attribute: 'tier', attributeValues: {}, default: 'standard' });
    expect(cfg.satisfaction.sla.policies).toEqual([]);
  });

  it('rejects a policy for a tier the mapping cannot give, naming the key', () => {
    const bad = { warehouse: 'wh.duckdb', sources: { surveys }, satisfaction: { sla: { policies: [{ tier: 'platinum', firstResponseMinutes: 5 }] } } };
    const res = cxpulse(['config', '--config', write('bad.json', bad)], dir);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('satisfaction.sla.policies[0].tier: "platinum" is not a tier');
  });
});

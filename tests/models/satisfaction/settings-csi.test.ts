import { describe, expect, test } from 'vitest';
import { resolveConfig } from '../../../pipelines/config/load-config.js';
import { CxpError } from '../../../pipelines/core/errors.js';
import { DEFAULT_SATISFACTION_SETTINGS, satisfactionSettings } from '../../../models/satisfaction/settings.js';
import { csi, normalise } from '../../../models/satisfaction/csi.js';
import { transformVariables } from '../../../pipelines/transform/variables.js';

const base = { sources: { customers: { path: 'customers.csv' } } };

describe('config section satisfaction', () => {
  test('an empty section takes the documented defaults', () => {
    const cfg = resolveConfig(base, '/tmp');
    expect(satisfactionSettings(cfg)).toEqual(DEFAULT_SATISFACTION_SETTINGS);
    expect(cfg.satisfaction).toMatchObject({
      minSample: 30,
      confidence: 0.95,
      sla: { firstResponseMinutes: { chat: 15, phone: 15 }, firstResponseDefaultMinutes: 1440, resolutionHours: 24 },
    });
  });

  test.each([
    [{ confidence: 1.5 }, 'satisfaction.confidence'],
    [{ minSample: 0 }, 'satisfaction.minSample'],
    [{ csiWeights: { nps: -1 } }, 'satisfaction.csiWeights.nps'],
    [{ sla: { firstResponseMinutes: { chat: 0 } } }, 'satisfaction.sla.firstResponseMinutes.chat'],
    [{ minSampel: 10 }, 'satisfaction.minSampel'],
  ])('rejects %j naming %s', (section, key) => {
    let err: unknown;
    try {
      resolveConfig({ ...base, satisfaction: section }, '/tmp');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CxpError);
    expect((err as CxpError).message).toContain(key);
  });

  test('config values reach the transform as bound variables', () => {
    const cfg = resolveConfig({ ...base, satisfaction: { minSample: 50, sla: { resolutionHours: 8 } } }, '/tmp');
    const v = transformVariables(cfg, new Date('2026-01-01T00:00:00Z'));
    expect(v.min_sample).toBe(50);
    // Targets travel as policy rows with their specificity (0 default, 1 channel).
    expect(JSON.parse(v.sla_policy_json as string)).toEqual([
      { tier: null, channel: null, first_response_minutes: 1440, resolution_hours: 8, specificity: 0 },
      { tier: null, channel: 'chat', first_response_minutes: 15, resolution_hours: null, specificity: 1 },
      { tier: null, channel: 'phone', first_response_minutes: 15, resolution_hours: null, specificity: 1 },
    ]);
    expect(v.sla_tier_from).toBe('rfm_segment');
    expect(v.z_crit as number).toBeCloseTo(1.959964, 5);
  });
});

describe('CSI formula', () => {
  const w = { nps: 0.4, csat: 0.3, ces: 0.2, service: 0.1 };
  test.each([
    { name: 'all components perfect', c: { nps: 100, csat: 100, ces: 100, service: 100 }, csi: 100 },
    { name: 'all components worst', c: { nps: 0, csat: 0, ces: 0, service: 0 }, csi: 0 },
    // (.4*70 + .3*50) / .7 = 43 / .7
    { name: 'nps and csat only: weights renormalised', c: { nps: 70, csat: 50 }, csi: 43 / 0.7 },
    { name: 'service only: no survey, no CSI', c: { service: 90 }, csi: null },
    { name: 'nothing', c: {}, csi: null },
  ])('$name', ({ c, csi: expected }) => {
    const got = csi(c, w);
    if (expected === null) expect(got).toBeNull();
    else expect(got!).toBeCloseTo(expected, 12);
  });

  test('normalisation maps each scale onto 0-100', () => {
    expect([normalise.nps(0), normalise.nps(10)]).toEqual([0, 100]);
    expect([normalise.csat(1), normalise.csat(5), normalise.csat(3)]).toEqual([0, 100, 50]);
    expect(normalise.ces(1)).toBe(0);
    expect(normalise.ces(7)).toBeCloseTo(100, 12);
    expect(normalise.service(0.25)).toBe(25);
  });
});

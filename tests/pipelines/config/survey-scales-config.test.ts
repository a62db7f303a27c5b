import { describe, expect, test } from 'vitest';
import { resolveConfig } from '../../../pipelines/config/load-config.js';

const base = (surveys: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  resolveConfig({ sources: { surveys: { path: 's.csv', ...surveys } }, ...extra }, '/tmp', '/tmp/cxpulse.config.json');

describe('survey answer scales in config', () => {
  test('defaults are filled in for every answer column (what `cxpulse config` prints)', () => {
    const cfg = base({ answerColumns: ['Speed / timeliness', '服务态度'], scales: { questions: { 服务态度: { max: 7, noAnswer: [0] } } } });
    expect(cfg.sources.surveys!.scales).toEqual({
      score: { nps: { min: 0, max: 10 }, csat: { min: 1, max: 5 }, ces: { min: 1, max: 7 }, noAnswer: ['N/A', 'NA', '-'] },
      answers: { min: 0, max: 10, noAnswer: ['N/A', 'NA', '-', 99] },
      questions: {
        'Speed / timeliness': { min: 0, max: 10, noAnswer: ['N/A', 'NA', '-', 99] },
        服务态度: { min: 0, max: 7, noAnswer: [0] },
      },
    });
    // The printed config loads again unchanged.
    const again = resolveConfig(JSON.parse(JSON.stringify({ sources: { surveys: cfg.sources.surveys } })), '/tmp');
    expect(again.sources.surveys!.scales).toEqual(cfg.sources.surveys!.scales);
  });

  test.each([
    [{ answerColumns: ['a'], scales: { answers: { min: 5, max: 1 } } }, /scales.answers: min 5 is above max 1/],
    [{ answerColumns: ['a'], scales: { questions: { b: { max: 7 } } } }, /scales.questions."b": not one of sources.surveys.answerColumns/],
    [{ answerColumns: ['a'], scales: { score: { nps: { min: 1, max: 10 } } } }, /scales/],
    [{ timezone: 'Mars/Olympus' }, /sources.surveys.timezone: "Mars\/Olympus" is not an IANA time zone/],
  ])('rejected: %j', (surveys, message) => {
    expect(() => base(surveys)).toThrow(message);
  });

  test('scales on another source and an unknown top-level zone are rejected', () => {
    expect(() => resolveConfig({ sources: { customers: { path: 'c.csv', scales: {} } } }, '/tmp')).toThrow(/only the surveys source has answer scales/);
    expect(() => base({}, { timezone: 'Asia/Shangai' })).toThrow(/timezone: "Asia\/Shangai" is not an IANA time zone/);
  });
});

import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { consoleLogger } from '../../../pipelines/core/logger.js';
import { progressLine, progressText } from '../../../pipelines/core/progress.js';

function sink(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const s = new Writable({
    write(chunk, _enc, cb) {
      s.text += String(chunk);
      cb();
    },
  }) as unknown as NodeJS.WriteStream & { text: string };
  s.text = '';
  (s as { isTTY: boolean }).isTTY = isTTY;
  return s;
}

describe('progress line', () => {
  it('says units done, rate and the time left', () => {
    expect(progressText('ingest', 250, 1000, 50, 'MB')).toBe('ingest: 250 / 1,000 MB, 50 MB/s, ETA 15 s');
    expect(progressText('score', 120_000, 1_000_000, 2000)).toBe('score: 120,000 / 1,000,000 rows, 2,000 rows/s, ETA 7 min 20 s');
    expect(progressText('ingest', 10, undefined, 5)).toBe('ingest: 10 rows, 5 rows/s');
    // Not measured yet: the count alone. Counted in a few large units: the time left without a rate.
    expect(progressText('churn training', 1, 200, undefined, 'trees')).toBe('churn training: 1 / 200 trees');
    expect(progressText('export', 3, 17, 0.5, 'files', false)).toBe('export: 3 / 17 files, ETA 28 s');
    // 119.5 s left is two minutes, not "1 min 60 s".
    expect(progressText('x', 0, 239, 2)).toBe('x: 0 / 239 rows, 2 rows/s, ETA 2 min 0 s');
  });

  it('redraws one line on a terminal, at most every everyMs, with the rate from the first unit done on, and clears it at the end', () => {
    let t = 0;
    const out = sink(true);
    const p = progressLine('ingest', 100, { stream: out, everyMs: 1000, now: () => t, unit: 'MB' });
    // The first 10 MB took 2 s with the start-up: no rate is claimed from them.
    t = 2000;
    p.tick(10);
    t = 2500;
    p.tick(10); // within everyMs: not drawn
    t = 4000;
    p.tick(20); // 30 MB in the 2 s since the first: 15 MB/s, 60 MB left
    p.done();
    expect(out.text).toBe('\r\x1b[Kingest: 10 / 100 MB\r\x1b[Kingest: 40 / 100 MB, 15 MB/s, ETA 4 s\r\x1b[K');
  });

  it('is silent when the output is not a terminal (CI, log files)', () => {
    const out = sink(false);
    const p = progressLine('ingest', 100, { stream: out });
    p.tick(50);
    p.done();
    expect(out.text).toBe('');
  });

  it('a log line written while the progress line is shown clears it first, and the next tick draws it again', () => {
    let t = 0;
    const out = sink(true);
    const p = progressLine('export', 4, { stream: out, everyMs: 0, now: () => t, unit: 'files', rate: false });
    const log = consoleLogger({ stream: out, now: () => new Date('2026-11-30T12:00:00Z') });
    t = 1000;
    p.tick(1);
    log.info('request', { status: 200 });
    // Nothing shown any more: the next log line writes no clearing sequence of its own.
    log.info('request', { status: 304 });
    t = 2000;
    p.tick(1);
    p.done();
    expect(out.text).toBe(
      '\r\x1b[Kexport: 1 / 4 files' +
        '\r\x1b[K2026-11-30T12:00:00.000Z info  request {"status":200}\n' +
        '2026-11-30T12:00:00.000Z info  request {"status":304}\n' +
        '\r\x1b[Kexport: 2 / 4 files, ETA 2 s' +
        '\r\x1b[K',
    );
    // After done() the line is gone: a later log line is written as it is.
    log.info('after');
    expect(out.text.endsWith('\r\x1b[K2026-11-30T12:00:00.000Z info  after\n')).toBe(true);
    expect(out.text.endsWith('\r\x1b[K\r\x1b[K2026-11-30T12:00:00.000Z info  after\n')).toBe(false);
  });

  it('is silent on a terminal under --log-format json, whose stderr is one JSON object per line', () => {
    const out = sink(true);
    const p = progressLine('ingest', 100, { stream: out, env: { CXPULSE_LOG_FORMAT: 'json' } });
    p.tick(50);
    p.done();
    expect(out.text).toBe('');
    const text = progressLine('ingest', 100, { stream: out, env: {} });
    text.tick(50);
    expect(out.text).toBe('\r\x1b[Kingest: 50 / 100 rows');
  });
});

describe('log format', () => {
  it('json writes one parseable object per line with time, level, message and fields', () => {
    const out = sink(false);
    const log = consoleLogger({ format: 'json', stream: out, now: () => new Date('2026-11-30T12:00:00Z') });
    log.info('job ingest succeeded', { run_id: 'r1', ms: 12n as unknown as number });
    log.warn('stale', { source: 'surveys' });
    const lines = out.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { time: '2026-11-30T12:00:00.000Z', level: 'info', msg: 'job ingest succeeded', run_id: 'r1', ms: 12 },
      { time: '2026-11-30T12:00:00.000Z', level: 'warn', msg: 'stale', source: 'surveys' },
    ]);
  });

  it('text stays one readable line', () => {
    const out = sink(false);
    consoleLogger({ stream: out, now: () => new Date('2026-11-30T12:00:00Z') }).error('boom', { a: 1 });
    expect(out.text).toBe('2026-11-30T12:00:00.000Z error boom {"a":1}\n');
  });
});

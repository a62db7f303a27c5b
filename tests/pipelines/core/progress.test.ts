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
  it('says rows, rate and the time left', () => {
    expect(progressText('ingest', 250, 1000, 5, 'MB')).toBe('ingest: 250 / 1,000 MB, 50 MB/s, ETA 15 s');
    expect(progressText('score', 120_000, 1_000_000, 60)).toBe('score: 120,000 / 1,000,000 rows, 2,000 rows/s, ETA 7 min 20 s');
    expect(progressText('ingest', 10, undefined, 2)).toBe('ingest: 10 rows, 5 rows/s');
  });

  it('redraws one line on a terminal, at most every everyMs, and clears it at the end', () => {
    let t = 0;
    const out = sink(true);
    const p = progressLine('ingest', 100, { stream: out, everyMs: 1000, now: () => t, unit: 'MB' });
    t = 2000;
    p.tick(10);
    t = 2500;
    p.tick(10); // within everyMs: not drawn
    t = 4000;
    p.tick(20);
    p.done();
    expect(out.text).toBe('\r\x1b[Kingest: 10 / 100 MB, 5 MB/s, ETA 18 s\r\x1b[Kingest: 40 / 100 MB, 10 MB/s, ETA 6 s\r\x1b[K');
  });

  it('is silent when the output is not a terminal (CI, log files)', () => {
    const out = sink(false);
    const p = progressLine('ingest', 100, { stream: out });
    p.tick(50);
    p.done();
    expect(out.text).toBe('');
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

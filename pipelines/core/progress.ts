import { logFormatFromEnv } from './logger.js';
import { clearDrawnLine, lineDrawn } from './terminal-line.js';

/**
 * Progress of a long step (rows per second and the time left) for a person at a terminal. It redraws one
 * line on stderr at most every `everyMs`, and is silent when stderr is not a TTY (CI, log files, pipes),
 * where the logger's start/finish lines already say what happened, and under `--log-format json`, whose
 * stderr is for a machine reading one JSON object per line.
 */
export interface Progress {
  /** Adds done units (rows, customers). */
  tick(n: number): void;
  /** Clears the line. */
  done(): void;
}

export const silentProgress: Progress = { tick() {}, done() {} };

export function progressLine(
  label: string,
  total: number | undefined,
  opts: { stream?: NodeJS.WriteStream; everyMs?: number; now?: () => number; unit?: string; rate?: boolean; env?: Record<string, string | undefined> } = {},
): Progress {
  const stream = opts.stream ?? process.stderr;
  if (!stream.isTTY || logFormatFromEnv(opts.env) === 'json') return silentProgress;
  const now = opts.now ?? (() => performance.now());
  const every = opts.everyMs ?? 250;
  const unit = opts.unit ?? 'rows';
  let last = -Infinity;
  let count = 0;
  // The rate is measured from the first unit done on: the start-up before it (worker threads starting,
  // a first query planned) is not spread over the rest, which made the first time left minutes too long.
  let first: { t: number; count: number } | undefined;
  return {
    tick(n) {
      count += n;
      const t = now();
      first ??= { t, count };
      if (t - last < every) return;
      last = t;
      const rate = t > first.t && count > first.count ? (count - first.count) / ((t - first.t) / 1000) : undefined;
      stream.write(`\r\x1b[K${progressText(label, count, total, rate, unit, opts.rate ?? true)}`);
      lineDrawn(stream);
    },
    done() {
      clearDrawnLine(stream);
    },
  };
}

/**
 * "ingest purchases: 1,200,000 / 10,000,000 rows, 412,000 rows/s, ETA 21 s"; `rate` (units per second)
 * is undefined until it can be measured. Without `showRate` (steps counted in a few large units,
 * "export: 3 / 17 files, ETA 9 s") only the time left is given.
 */
export function progressText(label: string, count: number, total: number | undefined, rate: number | undefined, unit = 'rows', showRate = true): string {
  const fmt = (n: number) => Math.round(n).toLocaleString('en');
  let s = `${label}: ${fmt(count)}${total ? ` / ${fmt(total)}` : ''} ${unit}`;
  if (rate === undefined || !(rate > 0)) return s;
  if (showRate) s += `, ${fmt(rate)} ${unit}/s`;
  if (total && count < total) s += `, ETA ${formatSeconds((total - count) / rate)}`;
  return s;
}

function formatSeconds(s: number): string {
  const whole = Math.ceil(s);
  if (whole < 60) return `${whole} s`;
  const m = Math.floor(whole / 60);
  return `${m} min ${whole - m * 60} s`;
}

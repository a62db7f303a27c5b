/**
 * Progress of a long step (rows per second and the time left) for a person at a terminal. It redraws one
 * line on stderr at most every `everyMs`, and is silent when stderr is not a TTY (CI, log files, pipes),
 * where the logger's start/finish lines already say what happened.
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
  opts: { stream?: NodeJS.WriteStream; everyMs?: number; now?: () => number; unit?: string } = {},
): Progress {
  const stream = opts.stream ?? process.stderr;
  if (!stream.isTTY) return silentProgress;
  const now = opts.now ?? (() => performance.now());
  const every = opts.everyMs ?? 250;
  const unit = opts.unit ?? 'rows';
  const t0 = now();
  let last = -Infinity;
  let count = 0;
  return {
    tick(n) {
      count += n;
      const t = now();
      if (t - last < every) return;
      last = t;
      stream.write(`\r\x1b[K${progressText(label, count, total, (t - t0) / 1000, unit)}`);
    },
    done() {
      if (last > -Infinity) stream.write('\r\x1b[K');
    },
  };
}

/** "ingest purchases: 1,200,000 / 10,000,000 rows, 412,000 rows/s, ETA 21 s" */
export function progressText(label: string, count: number, total: number | undefined, seconds: number, unit = 'rows'): string {
  const rate = seconds > 0 ? count / seconds : 0;
  const fmt = (n: number) => Math.round(n).toLocaleString('en');
  let s = `${label}: ${fmt(count)}${total ? ` / ${fmt(total)}` : ''} ${unit}, ${fmt(rate)} ${unit}/s`;
  if (total && rate > 0 && count < total) s += `, ETA ${formatSeconds((total - count) / rate)}`;
  return s;
}

function formatSeconds(s: number): string {
  if (s < 60) return `${Math.ceil(s)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.ceil(s - m * 60)} s`;
}

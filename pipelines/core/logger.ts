import { clearDrawnLine } from './terminal-line.js';

/** A minimal structured logger; passed in so tests can silence or capture it. */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
}

function fmt(fields?: Record<string, unknown>): string {
  if (!fields || Object.keys(fields).length === 0) return '';
  return ' ' + JSON.stringify(fields, (_k, v) => (typeof v === 'bigint' ? Number(v) : v));
}

export type LogFormat = 'text' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];

/**
 * The log format a process was asked for: `--log-format` (the CLI sets CXPULSE_LOG_FORMAT from it) or the
 * CXPULSE_LOG_FORMAT environment variable itself (for services); text when neither says.
 */
export function logFormatFromEnv(env: Record<string, string | undefined> = process.env): LogFormat {
  return env.CXPULSE_LOG_FORMAT === 'json' ? 'json' : 'text';
}

/**
 * Logs to stderr: `text` is one readable line per event; `json` is one JSON object per line (`time`,
 * `level`, `msg`, then the fields), for log collectors. The clock is passed in so tests pin it.
 */
export function consoleLogger(
  opts: { debug?: boolean; stream?: NodeJS.WritableStream; format?: LogFormat; now?: () => Date } = {},
): Logger {
  const out = opts.stream ?? process.stderr;
  const now = opts.now ?? (() => new Date());
  const write =
    opts.format === 'json'
      ? (level: string, msg: string, fields?: Record<string, unknown>) =>
          out.write(`${JSON.stringify({ time: now().toISOString(), level: level.trim(), msg, ...fields }, (_k, v) => (typeof v === 'bigint' ? Number(v) : v))}\n`)
      : (level: string, msg: string, fields?: Record<string, unknown>) => out.write(`${now().toISOString()} ${level} ${msg}${fmt(fields)}\n`);
  // A progress line on the same terminal is cleared first, or the log line would start after its text.
  const line = (level: string, msg: string, fields?: Record<string, unknown>) => {
    clearDrawnLine(out);
    write(level, msg, fields);
  };
  return {
    info: (m, f) => line('info ', m, f),
    warn: (m, f) => line('warn ', m, f),
    error: (m, f) => line('error', m, f),
    debug: (m, f) => {
      if (opts.debug) line('debug', m, f);
    },
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {}, debug() {} };

/** Captures log lines in memory, for tests. */
export function memoryLogger(): Logger & { lines: { level: string; msg: string; fields?: Record<string, unknown> }[] } {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const push = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
    lines.push({ level, msg, fields });
  };
  return { lines, info: push('info'), warn: push('warn'), error: push('error'), debug: push('debug') };
}

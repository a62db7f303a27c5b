import cron from 'node-cron';
import type { Config } from '../config/types.js';
import { CxpError } from '../core/errors.js';
import type { BackoffPolicy } from '../core/backoff.js';

export interface ScheduledRun {
  /** Key in schedule.runs, e.g. "nightly". */
  name: string;
  cron: string;
  /** Job names in pipeline order; empty = the full pipeline. */
  jobs: string[];
}

export interface ScheduleConfig {
  enabled: boolean;
  timezone: string;
  runs: ScheduledRun[];
  retry: BackoffPolicy & { maxAttempts: number };
  deliverySweepCron: string | null;
  shutdownTimeoutSeconds: number;
}

export const DEFAULT_RUNS: Record<string, { cron: string; jobs: string[] }> = {
  'ingest-hourly': { cron: '0 * * * *', jobs: ['ingest'] },
  nightly: { cron: '30 2 * * *', jobs: [] },
};

function cronProblem(expr: string): string | undefined {
  const v = cron.validateDetailed(expr);
  if (v.valid) return undefined;
  return v.errors.map((e) => e.message).join(', ') || 'not a cron expression';
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads and checks config.schedule: every cron expression parses, every job exists, the time zone is
 * real. Throws CXP_ERR_CONFIG_INVALID naming each bad key, so `serve` refuses to start on a typo.
 */
export function scheduleConfig(config: Config, jobNames: readonly string[]): ScheduleConfig {
  const s = config.schedule as {
    enabled?: boolean;
    timezone?: string;
    runs?: Record<string, { cron: string; jobs?: string[]; enabled?: boolean }>;
    retry?: Partial<BackoffPolicy & { maxAttempts: number }>;
    deliverySweepCron?: string;
    shutdownTimeoutSeconds?: number;
  };
  const problems: string[] = [];
  const timezone = s.timezone ?? config.timezone ?? 'UTC';
  if (!isValidTimeZone(timezone)) problems.push(`schedule.timezone: "${timezone}" is not an IANA time zone (e.g. "Europe/Berlin")`);
  const runs: ScheduledRun[] = [];
  const configured: Record<string, { cron: string; jobs?: string[]; enabled?: boolean }> = s.runs ?? DEFAULT_RUNS;
  for (const [name, r] of Object.entries(configured)) {
    if (r.enabled === false) continue;
    const p = cronProblem(r.cron);
    if (p) problems.push(`schedule.runs.${name}.cron: "${r.cron}" is invalid (${p})`);
    const unknown = (r.jobs ?? []).filter((j) => !jobNames.includes(j));
    if (unknown.length > 0) problems.push(`schedule.runs.${name}.jobs: unknown job(s) ${unknown.join(', ')}; jobs are ${jobNames.join(', ')}`);
    // Pipeline order whatever order the config lists them in.
    runs.push({ name, cron: r.cron, jobs: jobNames.filter((j) => (r.jobs ?? []).includes(j)) });
  }
  // The weekly digest runs on its own cron (alerts.digest.cron) when enabled.
  const digest = (config.alerts as { digest?: { enabled?: boolean; cron?: string } } | undefined)?.digest;
  if (digest?.enabled && jobNames.includes('digest') && !runs.some((r) => r.jobs.length === 1 && r.jobs[0] === 'digest')) {
    const expr = digest.cron ?? '0 7 * * 1';
    const p = cronProblem(expr);
    if (p) problems.push(`alerts.digest.cron: "${expr}" is invalid (${p})`);
    runs.push({ name: 'weekly-digest', cron: expr, jobs: ['digest'] });
  }
  const sweep = s.deliverySweepCron ?? '* * * * *';
  const sp = cronProblem(sweep);
  if (sp) problems.push(`schedule.deliverySweepCron: "${sweep}" is invalid (${sp})`);
  if (problems.length > 0) {
    throw new CxpError('CXP_ERR_CONFIG_INVALID', `invalid schedule: ${problems.join('; ')}`, {
      where: config.configPath ?? 'schedule',
      problems,
      hint: 'cron has 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first; see docs/triggers.md "Scheduling"',
    });
  }
  return {
    enabled: s.enabled ?? true,
    timezone,
    runs,
    retry: {
      maxAttempts: s.retry?.maxAttempts ?? 3,
      initialDelaySeconds: s.retry?.initialDelaySeconds ?? 60,
      factor: s.retry?.factor ?? 2,
      maxDelaySeconds: s.retry?.maxDelaySeconds ?? 1800,
    },
    deliverySweepCron: sweep,
    shutdownTimeoutSeconds: s.shutdownTimeoutSeconds ?? 600,
  };
}

/** Everything scheduleConfig would reject (cron expressions, unknown jobs, time zone), as problems. */
export function scheduleProblems(config: Config, jobNames: readonly string[]): string[] {
  try {
    scheduleConfig(config, jobNames);
    return [];
  } catch (err) {
    const e = err as CxpError;
    return (e.details?.problems as string[] | undefined) ?? [e.message];
  }
}

/** Whether `expr` fires at the minute (or second) of `at`, read in `timezone`. */
export function cronMatches(expr: string, timezone: string, at: Date): boolean {
  const task = cron.createTask(expr, () => {}, { timezone });
  try {
    return task.match(at);
  } finally {
    void task.destroy();
  }
}

/** A started cron schedule; the scheduler only needs to stop it and to say when it fires next. */
export interface CronHandle {
  stop(): void;
  nextRun(): Date | null;
}

/** Creates a schedule that calls onTick at each match. Injected in tests to fire ticks by hand. */
export type CronFactory = (expression: string, timezone: string, onTick: () => void, name: string) => CronHandle;

export const nodeCronFactory: CronFactory = (expression, timezone, onTick, name) => {
  const task = cron.schedule(expression, () => onTick(), { timezone, name: `cxpulse:${name}` });
  return {
    stop: () => void task.destroy(),
    nextRun: () => task.getNextRun(),
  };
};

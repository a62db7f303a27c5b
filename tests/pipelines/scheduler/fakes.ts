import type { Clock } from '../../../pipelines/core/clock.js';
import type { CronFactory } from '../../../pipelines/scheduler/schedule-config.js';
import type { Timers } from '../../../pipelines/scheduler/scheduler.js';

/** Cron schedules fired by hand: fire('nightly') is the tick node-cron would deliver. */
export function fakeCron(): CronFactory & { fire(name: string): void; names(): string[] } {
  const ticks = new Map<string, () => void>();
  const factory = ((_expr: string, _tz: string, onTick: () => void, name: string) => {
    ticks.set(name, onTick);
    return {
      stop: () => {
        ticks.delete(name);
      },
      nextRun: () => null,
    };
  }) as unknown as CronFactory & { fire(name: string): void; names(): string[] };
  factory.fire = (name) => {
    const t = ticks.get(name);
    if (!t) throw new Error(`no schedule ${name}`);
    t();
  };
  factory.names = () => [...ticks.keys()];
  return factory;
}

/** setTimeout driven by a fixed clock: advance(ms) moves the clock and fires what became due. */
export function fakeTimers(clock: Clock & { advance(ms: number): void }): Timers & { advance(ms: number): void; pending(): number[] } {
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    setTimeout(fn, ms) {
      const id = ++seq;
      timers.set(id, { at: clock.now().getTime() + ms, fn });
      return id;
    },
    clearTimeout(h) {
      timers.delete(h as number);
    },
    advance(ms) {
      clock.advance(ms);
      const now = clock.now().getTime();
      for (const [id, t] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
        if (t.at <= now) {
          timers.delete(id);
          t.fn();
        }
      }
    },
    /** Delays (ms from now) of the timers still waiting. */
    pending() {
      const now = clock.now().getTime();
      return [...timers.values()].map((t) => t.at - now).sort((a, b) => a - b);
    },
  };
}

export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Lets pending promise callbacks (and DuckDB calls) run. */
export async function settle(ms = 30): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/** Polls until `cond` holds (real time), for states reached through DuckDB calls. */
export async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
